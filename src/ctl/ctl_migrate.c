/* ctl_migrate.c - `hikyakuctl migrate-db --to URI`: the configured SQLite
 * database copied into an empty PostgreSQL database, and the copy checked.
 *
 * Everything on the PostgreSQL side is one transaction: the schema (the
 * migrations of `hikyakuctl init`, hk_db_migrate, whose steps become
 * savepoints inside it), the rows, the sequences and the verification.
 * Any failure rolls it all back and leaves the target as empty as it was,
 * so the command can simply be run again.  The SQLite side is read in one
 * snapshot (hk_sql_begin_read): workers may still run, but what they write
 * afterwards is not copied (docs/SCALING.md says to stop them first).
 *
 * The copy is generic over the schema, so that a table a later migration
 * adds is copied without a change here: the tables, their columns and
 * their foreign keys are read from the freshly migrated target's catalog,
 * parents are filled before children, and every column goes across with
 * its value's type kept (integer, text, bytes or NULL).  Every row keeps
 * its id, which the sealed passwords are bound to (seal.h), and each
 * serial or identity sequence is set past the largest id afterwards.
 * Every table is copied, sessions too, so that administrators stay signed
 * in when the hosts switch over.  The rows that the migrations make
 * themselves (the data generation) are replaced by the source's, and user
 * triggers (the generation bump, the Maildir name) are off while copying,
 * so the copy is the source exactly.
 *
 * Verification: per table, the row count and a SHA-256 over the sorted
 * SHA-256 digests of the rows (each row rendered the same way from either
 * side), so neither row order nor collation matters.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "buf.h"
#include "ctl.h"
#include "db.h"
#include "log.h"
#include "mem.h"

enum col_kind { COL_INT, COL_TEXT, COL_BLOB };

struct mig_col {
	char *name;
	enum col_kind kind;
};

struct mig_table {
	char *name;
	struct mig_col *cols;
	size_t ncols;
	char **parents;		/* tables its foreign keys point to */
	size_t nparents;
	bool placed;
	int64_t rows;
};

struct mig_plan {
	struct mig_table *t;	/* parents before children once sorted */
	size_t n;
};

/* The version table that hk_db_migrate makes on PostgreSQL: the target's
 * own, with no counterpart in SQLite (PRAGMA user_version). */
static const char pg_version_table[] = "hk_schema";

static int
fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int
fail(const char *fmt, ...)
{
	va_list ap;

	fputs("hikyakuctl: migrate-db: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return -1;
}

static void
plan_free(struct mig_plan *p)
{
	for (size_t i = 0; i < p->n; i++) {
		struct mig_table *t = &p->t[i];

		for (size_t c = 0; c < t->ncols; c++)
			free(t->cols[c].name);
		for (size_t c = 0; c < t->nparents; c++)
			free(t->parents[c]);
		free(t->cols);
		free(t->parents);
		free(t->name);
	}
	free(p->t);
	p->t = NULL;
	p->n = 0;
}

static struct mig_table *
plan_find(struct mig_plan *p, const char *name)
{
	for (size_t i = 0; i < p->n; i++)
		if (strcmp(p->t[i].name, name) == 0)
			return &p->t[i];
	return NULL;
}

/* Names from the catalog go into SQL text quoted; the schema's own names
 * are plain, so anything else is refused rather than escaped. */
static bool
plain_name(const char *s)
{
	if (*s == '\0')
		return false;
	for (; *s != '\0'; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') ||
		    *s == '_'))
			return false;
	return true;
}

/* A prepared statement or a message; NULL when it failed. */
static struct hk_sql_stmt *
prep(struct hk_sql *sql, const char *text)
{
	char *err = NULL;
	struct hk_sql_stmt *st = hk_sql_prepare(sql, text, &err);

	if (st == NULL) {
		fail("%s", err);
		free(err);
	}
	return st;
}

static int
kind_of(const char *table, const char *col, const char *type,
    enum col_kind *kind_r)
{
	if (strcmp(type, "bigint") == 0 || strcmp(type, "integer") == 0 ||
	    strcmp(type, "smallint") == 0 || strcmp(type, "boolean") == 0)
		*kind_r = COL_INT;
	else if (strcmp(type, "text") == 0 ||
	    strcmp(type, "character varying") == 0 ||
	    strcmp(type, "character") == 0)
		*kind_r = COL_TEXT;
	else if (strcmp(type, "bytea") == 0)
		*kind_r = COL_BLOB;
	else
		return fail("column %s.%s has the type %s, which this copy "
		    "does not know", table, col, type);
	return 0;
}

/* The target's tables, columns and foreign keys, sorted so that a table
 * comes after every table it refers to. */
static int
plan_load(struct hk_sql *dst, struct mig_plan *p)
{
	struct hk_sql_stmt *st;
	enum hk_sql_rc rc;
	size_t done;

	if ((st = prep(dst, "SELECT table_name FROM information_schema.tables"
	    " WHERE table_schema = current_schema()"
	    " AND table_type = 'BASE TABLE' ORDER BY table_name")) == NULL)
		return -1;
	while ((rc = hk_sql_step(st)) == HK_SQL_ROW) {
		const char *name = hk_sql_column_text(st, 0);

		if (strcmp(name, pg_version_table) == 0)
			continue;
		if (!plain_name(name)) {
			hk_sql_finalize(&st);
			return fail("the table name \"%s\" is not plain", name);
		}
		p->t = hk_realloc(p->t, (p->n + 1) * sizeof(*p->t));
		memset(&p->t[p->n], 0, sizeof(p->t[p->n]));
		p->t[p->n++].name = hk_strdup(name);
	}
	hk_sql_finalize(&st);
	if (rc != HK_SQL_DONE)
		return fail("listing the tables: %s", hk_sql_errmsg(dst));

	if ((st = prep(dst, "SELECT table_name, column_name, data_type"
	    " FROM information_schema.columns"
	    " WHERE table_schema = current_schema()"
	    " ORDER BY table_name, ordinal_position")) == NULL)
		return -1;
	while ((rc = hk_sql_step(st)) == HK_SQL_ROW) {
		struct mig_table *t = plan_find(p, hk_sql_column_text(st, 0));
		const char *col = hk_sql_column_text(st, 1);
		enum col_kind kind = COL_TEXT;
		int bad = 0;

		if (t == NULL)
			continue;	/* the version table, a view */
		if (!plain_name(col))
			bad = fail("the column name \"%s\" is not plain", col);
		else
			bad = kind_of(t->name, col, hk_sql_column_text(st, 2),
			    &kind);
		if (bad < 0) {
			hk_sql_finalize(&st);
			return -1;
		}
		t->cols = hk_realloc(t->cols, (t->ncols + 1) * sizeof(*t->cols));
		t->cols[t->ncols].name = hk_strdup(col);
		t->cols[t->ncols++].kind = kind;
	}
	hk_sql_finalize(&st);
	if (rc != HK_SQL_DONE)
		return fail("listing the columns: %s", hk_sql_errmsg(dst));

	if ((st = prep(dst, "SELECT c.relname, r.relname FROM pg_constraint k"
	    " JOIN pg_class c ON c.oid = k.conrelid"
	    " JOIN pg_class r ON r.oid = k.confrelid"
	    " WHERE k.contype = 'f'"
	    " AND c.relnamespace = current_schema()::regnamespace")) == NULL)
		return -1;
	while ((rc = hk_sql_step(st)) == HK_SQL_ROW) {
		struct mig_table *t = plan_find(p, hk_sql_column_text(st, 0));
		const char *parent = hk_sql_column_text(st, 1);

		if (t == NULL || strcmp(parent, t->name) == 0)
			continue;
		t->parents = hk_realloc(t->parents,
		    (t->nparents + 1) * sizeof(*t->parents));
		t->parents[t->nparents++] = hk_strdup(parent);
	}
	hk_sql_finalize(&st);
	if (rc != HK_SQL_DONE)
		return fail("listing the foreign keys: %s", hk_sql_errmsg(dst));

	/* Parents first: repeatedly move up a table whose parents are all
	 * placed (a handful of tables; no cleverness needed). */
	for (done = 0; done < p->n; done++) {
		size_t i;

		for (i = done; i < p->n; i++) {
			bool ready = true;

			for (size_t k = 0; k < p->t[i].nparents && ready; k++) {
				struct mig_table *par = plan_find(p,
				    p->t[i].parents[k]);

				ready = par == NULL || par->placed;
			}
			if (ready)
				break;
		}
		if (i == p->n)
			return fail("the foreign keys of %s form a cycle",
			    p->t[done].name);
		if (i != done) {
			struct mig_table tmp = p->t[i];

			memmove(&p->t[done + 1], &p->t[done],
			    (i - done) * sizeof(*p->t));
			p->t[done] = tmp;
		}
		p->t[done].placed = true;
	}
	return 0;
}

/* Every SQLite table must have its place in the target, or its rows would
 * be left behind without a word. */
static int
plan_covers_source(struct hk_sql *src, struct mig_plan *p)
{
	struct hk_sql_stmt *st;
	enum hk_sql_rc rc;
	int ret = 0;

	if ((st = prep(src, "SELECT name FROM sqlite_master WHERE type = 'table'"
	    " AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'")) == NULL)
		return -1;
	while ((rc = hk_sql_step(st)) == HK_SQL_ROW)
		if (plan_find(p, hk_sql_column_text(st, 0)) == NULL) {
			ret = fail("the SQLite table %s has no counterpart in "
			    "the PostgreSQL schema", hk_sql_column_text(st, 0));
			break;
		}
	hk_sql_finalize(&st);
	if (ret == 0 && rc != HK_SQL_DONE)
		ret = fail("listing the SQLite tables: %s", hk_sql_errmsg(src));
	return ret;
}

/* "SELECT a, b FROM t" (with typeof(a) after each column when typed). */
static char *
select_text(const struct mig_table *t, bool typed)
{
	struct hk_buf b = HK_BUF_INIT;

	hk_buf_puts(&b, "SELECT ");
	for (size_t c = 0; c < t->ncols; c++)
		hk_buf_printf(&b, typed ? "%s\"%s\", typeof(\"%s\")" : "%s\"%s\"",
		    c ? ", " : "", t->cols[c].name, t->cols[c].name);
	hk_buf_printf(&b, " FROM \"%s\"", t->name);
	return hk_buf_steal(&b);
}

static char *
insert_text(const struct mig_table *t)
{
	struct hk_buf b = HK_BUF_INIT;

	hk_buf_printf(&b, "INSERT INTO \"%s\" (", t->name);
	for (size_t c = 0; c < t->ncols; c++)
		hk_buf_printf(&b, "%s\"%s\"", c ? ", " : "", t->cols[c].name);
	/* An identity column takes the source's id as it is. */
	hk_buf_puts(&b, ") OVERRIDING SYSTEM VALUE VALUES (");
	for (size_t c = 0; c < t->ncols; c++)
		hk_buf_printf(&b, "%s?%zu", c ? ", " : "", c + 1);
	hk_buf_putc(&b, ')');
	return hk_buf_steal(&b);
}

/* Whether SQLite's storage class of a value fits the target column, so
 * that nothing is converted on the way (a text in an integer column would
 * otherwise arrive as 0). */
static bool
stored_as_expected(enum col_kind kind, const char *storage)
{
	if (strcmp(storage, "null") == 0)
		return true;
	switch (kind) {
	case COL_INT:
		return strcmp(storage, "integer") == 0;
	case COL_TEXT:
		return strcmp(storage, "text") == 0;
	case COL_BLOB:
		return strcmp(storage, "blob") == 0;
	}
	return false;
}

static int
copy_table(struct hk_sql *src, struct hk_sql *dst, struct mig_table *t)
{
	char *sel = select_text(t, true), *ins = insert_text(t);
	struct hk_sql_stmt *rd = prep(src, sel), *wr = rd ? prep(dst, ins) : NULL;
	enum hk_sql_rc rc = HK_SQL_ERROR;
	int ret = -1;

	free(sel);
	free(ins);
	if (rd == NULL || wr == NULL)
		goto out;
	t->rows = 0;
	while ((rc = hk_sql_step(rd)) == HK_SQL_ROW) {
		for (size_t c = 0; c < t->ncols; c++) {
			int v = (int)c * 2, idx = (int)c + 1;
			const void *data;
			size_t len;

			if (!stored_as_expected(t->cols[c].kind,
			    hk_sql_column_text(rd, v + 1))) {
				fail("%s.%s holds a value stored as %s, which "
				    "the PostgreSQL column would change",
				    t->name, t->cols[c].name,
				    hk_sql_column_text(rd, v + 1));
				goto out;
			}
			if (hk_sql_column_is_null(rd, v))
				hk_sql_bind_null(wr, idx);
			else if (t->cols[c].kind == COL_INT)
				hk_sql_bind_int64(wr, idx,
				    hk_sql_column_int64(rd, v));
			else if (t->cols[c].kind == COL_TEXT)
				hk_sql_bind_text(wr, idx,
				    hk_sql_column_text(rd, v));
			else {
				data = hk_sql_column_blob(rd, v, &len);
				hk_sql_bind_blob(wr, idx, data ? data : "", len);
			}
		}
		if ((rc = hk_sql_step(wr)) != HK_SQL_DONE) {
			fail("copying %s: %s", t->name, hk_sql_errmsg(dst));
			goto out;
		}
		hk_sql_reset(wr);
		t->rows++;
	}
	if (rc != HK_SQL_DONE)
		fail("reading %s: %s", t->name, hk_sql_errmsg(src));
	else
		ret = 0;
out:
	hk_sql_finalize(&rd);
	hk_sql_finalize(&wr);
	return ret;
}

/* Runs text (DDL on a checked name, freed here) for table name. */
static int
exec_owned(struct hk_sql *sql, char *text, const char *name)
{
	int rc = hk_sql_exec(sql, text);

	free(text);
	if (rc != HK_SQL_OK)
		return fail("%s: %s", name, hk_sql_errmsg(sql));
	return 0;
}

/* Each serial or identity column's sequence set past the largest value
 * copied, so that the next new row gets a fresh id. */
static int
bump_sequences(struct hk_sql *dst, struct mig_plan *p)
{
	struct hk_sql_stmt *st;
	enum hk_sql_rc rc;
	int ret = 0;

	if ((st = prep(dst, "SELECT table_name, column_name"
	    " FROM information_schema.columns"
	    " WHERE table_schema = current_schema() AND (is_identity = 'YES'"
	    " OR column_default LIKE 'nextval(%')")) == NULL)
		return -1;
	while (ret == 0 && (rc = hk_sql_step(st)) == HK_SQL_ROW) {
		const char *table = hk_sql_column_text(st, 0);
		const char *col = hk_sql_column_text(st, 1);
		struct mig_table *t = plan_find(p, table);
		struct hk_sql_stmt *set;
		char *text, *qual;

		if (t == NULL || !plain_name(col))
			continue;
		text = hk_aprintf("SELECT setval(pg_get_serial_sequence(?1, ?2),"
		    " COALESCE((SELECT MAX(\"%s\") FROM \"%s\"), 0) + 1, false)",
		    col, table);
		qual = hk_aprintf("\"%s\"", table);
		if ((set = prep(dst, text)) == NULL)
			ret = -1;
		else {
			hk_sql_bind_text(set, 1, qual);
			hk_sql_bind_text(set, 2, col);
			if (hk_sql_step(set) != HK_SQL_ROW)
				ret = fail("the sequence of %s.%s: %s", table,
				    col, hk_sql_errmsg(dst));
			hk_sql_finalize(&set);
		}
		free(text);
		free(qual);
	}
	hk_sql_finalize(&st);
	if (ret == 0 && rc != HK_SQL_DONE)
		ret = fail("listing the sequences: %s", hk_sql_errmsg(dst));
	return ret;
}

static int
cmp_digest(const void *a, const void *b)
{
	return memcmp(a, b, 32);
}

/* The table's row count and checksum as one side sees it: each row's
 * columns rendered as a kind letter and a length-prefixed value, hashed;
 * the row digests sorted and hashed together. */
static int
table_sum(struct hk_sql *sql, const struct mig_table *t, int64_t *rows_r,
    unsigned char sum[32])
{
	char *sel = select_text(t, false);
	struct hk_sql_stmt *st = prep(sql, sel);
	unsigned char *digests = NULL;
	size_t n = 0, cap = 0;
	enum hk_sql_rc rc;
	EVP_MD_CTX *md;

	free(sel);
	if (st == NULL)
		return -1;
	if ((md = EVP_MD_CTX_new()) == NULL)
		hk_fatal("EVP_MD_CTX_new failed");
	while ((rc = hk_sql_step(st)) == HK_SQL_ROW) {
		EVP_DigestInit_ex(md, EVP_sha256(), NULL);
		for (size_t c = 0; c < t->ncols; c++) {
			int v = (int)c;
			char head[48];
			const void *data = "";
			size_t len = 0;
			int64_t num;

			if (hk_sql_column_is_null(st, v)) {
				EVP_DigestUpdate(md, "N;", 2);
				continue;
			}
			switch (t->cols[c].kind) {
			case COL_INT:
				num = hk_sql_column_int64(st, v);
				snprintf(head, sizeof(head), "I%lld;",
				    (long long)num);
				EVP_DigestUpdate(md, head, strlen(head));
				continue;
			case COL_TEXT:
				data = hk_sql_column_text(st, v);
				len = strlen(data);
				break;
			case COL_BLOB:
				data = hk_sql_column_blob(st, v, &len);
				break;
			}
			snprintf(head, sizeof(head), "%c%zu:",
			    t->cols[c].kind == COL_TEXT ? 'T' : 'B', len);
			EVP_DigestUpdate(md, head, strlen(head));
			if (len > 0)
				EVP_DigestUpdate(md, data, len);
		}
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			digests = hk_realloc(digests, cap * 32);
		}
		EVP_DigestFinal_ex(md, digests + n * 32, NULL);
		n++;
	}
	hk_sql_finalize(&st);
	if (rc != HK_SQL_DONE) {
		EVP_MD_CTX_free(md);
		free(digests);
		return fail("reading %s: %s", t->name, hk_sql_errmsg(sql));
	}
	if (n > 0)
		qsort(digests, n, 32, cmp_digest);
	EVP_DigestInit_ex(md, EVP_sha256(), NULL);
	EVP_DigestUpdate(md, digests ? (void *)digests : (void *)"", n * 32);
	EVP_DigestFinal_ex(md, sum, NULL);
	EVP_MD_CTX_free(md);
	free(digests);
	*rows_r = (int64_t)n;
	return 0;
}

static int
verify_table(struct hk_sql *src, struct hk_sql *dst, const struct mig_table *t)
{
	unsigned char a[32], b[32];
	int64_t na, nb;

	if (table_sum(src, t, &na, a) < 0 || table_sum(dst, t, &nb, b) < 0)
		return -1;
	if (na != nb)
		return fail("verification failed for %s: %lld rows in SQLite, "
		    "%lld in PostgreSQL", t->name, (long long)na, (long long)nb);
	if (memcmp(a, b, sizeof(a)) != 0)
		return fail("verification failed for %s: the rows differ "
		    "(checksum)", t->name);
	return 0;
}

/* Whether the target has no table, view or sequence of its own yet. */
static int
target_empty(struct hk_sql *dst, const char *shown)
{
	struct hk_sql_stmt *st = prep(dst, "SELECT count(*) FROM pg_class c"
	    " WHERE c.relnamespace = current_schema()::regnamespace"
	    " AND c.relkind IN ('r', 'v', 'm', 'S', 'p', 'f')");
	int64_t n = -1;

	if (st == NULL)
		return -1;
	if (hk_sql_step(st) == HK_SQL_ROW)
		n = hk_sql_column_int64(st, 0);
	hk_sql_finalize(&st);
	if (n < 0)
		return fail("%s: %s", shown, hk_sql_errmsg(dst));
	if (n > 0)
		return fail("%s is not empty (%lld tables, views or sequences):"
		    " migrate-db copies into a new, empty database only",
		    shown, (long long)n);
	return 0;
}

/* The whole copy inside the target's transaction. */
static int
copy_all(struct hk_db *src, struct hk_db *dst, struct mig_plan *p)
{
	struct hk_sql *s = hk_db_sql(src), *d = hk_db_sql(dst);
	char *err = NULL;
	size_t i;

	if (hk_db_migrate(dst, &err) < 0) {
		fail("%s", err);
		free(err);
		return -1;
	}
	if (hk_db_schema_version(dst) != hk_db_schema_version(src))
		return fail("the PostgreSQL schema came out at version %d, "
		    "the SQLite one is at %d", hk_db_schema_version(dst),
		    hk_db_schema_version(src));
	if (plan_load(d, p) < 0 || plan_covers_source(s, p) < 0)
		return -1;
	/* The rows the migrations made are the source's to give; children
	 * are emptied before their parents. */
	for (i = p->n; i-- > 0; )
		if (exec_owned(d, hk_aprintf("ALTER TABLE \"%s\" DISABLE "
		    "TRIGGER USER; DELETE FROM \"%s\"", p->t[i].name,
		    p->t[i].name), p->t[i].name) < 0)
			return -1;
	for (i = 0; i < p->n; i++)
		if (copy_table(s, d, &p->t[i]) < 0)
			return -1;
	for (i = 0; i < p->n; i++)
		if (exec_owned(d, hk_aprintf("ALTER TABLE \"%s\" ENABLE "
		    "TRIGGER USER", p->t[i].name), p->t[i].name) < 0)
			return -1;
	if (bump_sequences(d, p) < 0)
		return -1;
	for (i = 0; i < p->n; i++)
		if (verify_table(s, d, &p->t[i]) < 0)
			return -1;
	return 0;
}

int
ctl_migrate_db(const struct hk_config *cfg, int argc, char **argv)
{
	struct hk_db *src = NULL, *dst = NULL;
	struct mig_plan plan = { NULL, 0 };
	char *err = NULL, *shown = NULL;
	int64_t rows = 0;
	int ret = HK_EXIT_CONFIG;

	if (argc != 3 || strcmp(argv[1], "--to") != 0) {
		fputs("usage: hikyakuctl migrate-db --to postgresql://...\n",
		    stderr);
		return HK_EXIT_USAGE;
	}
	if (!hk_sql_target_is_pgsql(argv[2])) {
		fail("--to needs a postgresql:// or postgres:// URI");
		return HK_EXIT_USAGE;
	}
	if (hk_sql_target_is_pgsql(cfg->database)) {
		fail("the configured database is PostgreSQL already; the "
		    "source must be SQLite");
		return HK_EXIT_CONFIG;
	}
	shown = hk_sql_target_shown(argv[2]);
	if ((src = hk_db_open(cfg->database, false, &err)) == NULL) {
		fail("%s", err);
		goto out;
	}
	if (hk_db_schema_version(src) != hk_db_schema_latest()) {
		fail("%s: the schema is not current (run 'hikyakuctl init')",
		    cfg->database);
		goto out;
	}
	if ((dst = hk_db_open(argv[2], false, &err)) == NULL) {
		fail("%s", err);
		goto out;
	}
	if (target_empty(hk_db_sql(dst), shown) < 0)
		goto out;
	if (hk_sql_begin_read(hk_db_sql(src)) != HK_SQL_OK) {
		fail("%s: %s", cfg->database, hk_db_errmsg(src));
		goto out;
	}
	if (hk_db_begin(dst) != HK_SQL_OK) {
		fail("%s: %s", shown, hk_db_errmsg(dst));
		goto out;
	}
	if (copy_all(src, dst, &plan) < 0) {
		hk_db_rollback(dst);
		fprintf(stderr, "hikyakuctl: migrate-db: nothing was written "
		    "to %s\n", shown);
		goto out;
	}
	if (hk_db_commit(dst) != HK_SQL_OK) {
		fail("%s: commit: %s", shown, hk_db_errmsg(dst));
		hk_db_rollback(dst);
		goto out;
	}
	for (size_t i = 0; i < plan.n; i++) {
		printf("  %-24s %lld rows\n", plan.t[i].name,
		    (long long)plan.t[i].rows);
		rows += plan.t[i].rows;
	}
	printf("migrate-db: %zu tables, %lld rows copied to %s "
	    "(schema %d), verified\n", plan.n, (long long)rows, shown,
	    hk_db_schema_version(dst));
	ret = HK_EXIT_OK;
out:
	if (src != NULL && hk_sql_in_transaction(hk_db_sql(src)))
		hk_sql_rollback(hk_db_sql(src));	/* ends the read */
	free(err);
	free(shown);
	plan_free(&plan);
	hk_db_close(&dst);
	hk_db_close(&src);
	return ret;
}
