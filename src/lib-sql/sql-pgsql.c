/* sql-pgsql.c - the PostgreSQL driver of sql.h, on libpq.
 *
 * No server-side prepared statements: each run is one PQexecParams of the
 * rewritten text ("?N" -> "$N"), so a statement survives a reconnect.
 * Integers go as int8 text, blobs as binary bytea, text as untyped text
 * the server fits to its column.  Results come back as text; a bytea
 * column is unescaped on demand.  A lost connection answers HK_SQL_CONN
 * and is opened again (PQreset) before the next statement. */
#include "config.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "log.h"
#include "mem.h"
#include "sql-placeholders.h"
#include "sql-private.h"

/* Type OIDs of pg_type.h, which libpq does not install. */
#define BOOLOID 16
#define BYTEAOID 17
#define INT8OID 20
#define TEXTOID 25

/* Defaults the URI may override: seconds to connect, milliseconds a
 * statement may run and may wait for a lock (as SQLite's busy timeout),
 * and how soon a dead peer is noticed. */
#define PG_CONNECT_TIMEOUT "10"
#define PG_OPTIONS "-c statement_timeout=30000 -c lock_timeout=5000"
#define PG_TCP_USER_TIMEOUT "30000"
/* The advisory lock every writing transaction holds ("hk" in ASCII). */
#define PG_WRITE_LOCK "26731"

struct pg_conn {
	struct hk_sql sql;
	PGconn *h;
	char *err;		/* the last failure's text */
	int64_t changes;
};

struct pg_stmt {
	struct hk_sql_stmt st;
	char *text;		/* with $N placeholders */
	int nparams;
	char **values;		/* NULL: SQL NULL */
	int *lengths, *formats;
	Oid *types;
	bool *unused;		/* numbered but never written: typed text */
	PGresult *res;
	int row;		/* the current row; -1 before the first */
	unsigned char *blob;	/* the last unescaped bytea */
	bool ran;
};

static struct pg_conn *
C(struct hk_sql *sql)
{
	return (struct pg_conn *)sql;
}

static struct pg_stmt *
P(struct hk_sql_stmt *st)
{
	return (struct pg_stmt *)st;
}

static void
set_err(struct pg_conn *c, const char *msg)
{
	size_t n;

	free(c->err);
	c->err = hk_strdup(msg != NULL && *msg != '\0' ? msg : "unknown error");
	/* libpq's messages span lines; a log line does not. */
	n = strlen(c->err);
	while (n > 0 && (c->err[n - 1] == '\n' || c->err[n - 1] == ' '))
		c->err[--n] = '\0';
	for (char *p = c->err; *p != '\0'; p++)
		if (*p == '\n' || *p == '\t')
			*p = ' ';
}

/* The class of a failed result, by its SQLSTATE. */
static enum hk_sql_rc
classify(struct pg_conn *c, const PGresult *res)
{
	const char *state = res != NULL ?
	    PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;

	set_err(c, res != NULL ? PQresultErrorMessage(res) :
	    PQerrorMessage(c->h));
	if (PQstatus(c->h) == CONNECTION_BAD)
		return HK_SQL_CONN;
	if (state == NULL)
		return HK_SQL_ERROR;
	if (strcmp(state, "23505") == 0)
		return HK_SQL_UNIQUE;
	if (strncmp(state, "23", 2) == 0)
		return HK_SQL_CONSTRAINT;
	if (strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0 ||
	    strcmp(state, "55P03") == 0 || strcmp(state, "57014") == 0)
		return HK_SQL_BUSY;
	if (strncmp(state, "08", 2) == 0 || strcmp(state, "57P01") == 0 ||
	    strcmp(state, "57P02") == 0 || strcmp(state, "57P03") == 0)
		return HK_SQL_CONN;
	return HK_SQL_ERROR;
}

/* Before a statement: a connection lost earlier is opened again.  Its
 * transaction is gone with it (hk_sql_begin notices). */
static bool
ensure_connected(struct pg_conn *c)
{
	if (PQstatus(c->h) == CONNECTION_OK)
		return true;
	PQreset(c->h);
	if (PQstatus(c->h) == CONNECTION_OK) {
		hk_warn("database: connection to PostgreSQL opened again");
		return true;
	}
	set_err(c, PQerrorMessage(c->h));
	return false;
}

static void
note_changes(struct pg_conn *c, const PGresult *res)
{
	const char *n = PQcmdTuples((PGresult *)res);

	c->changes = *n != '\0' ? strtoll(n, NULL, 10) : 0;
}

static void pg_close(struct hk_sql *sql);

/* The server's NOTICEs ("already exists, skipping") are not for the
 * terminal; warnings go to the log. */
static void
on_notice(void *arg, const PGresult *res)
{
	const char *sev = PQresultErrorField(res, PG_DIAG_SEVERITY_NONLOCALIZED);

	(void)arg;
	if (sev != NULL && strcmp(sev, "WARNING") == 0)
		hk_warn("database: %s", PQresultErrorMessage(res));
}

static struct hk_sql *
pg_open(const char *target, bool create, char **err_r)
{
	/* Earlier keywords are defaults that the URI (dbname, expanded)
	 * overrides. */
	const char *const keys[] = { "connect_timeout", "options",
	    "tcp_user_timeout", "application_name", "dbname", NULL };
	const char *const vals[] = { PG_CONNECT_TIMEOUT, PG_OPTIONS,
	    PG_TCP_USER_TIMEOUT, "hikyaku", target, NULL };
	struct pg_conn *c = hk_calloc(1, sizeof(*c));

	(void)create;	/* the database itself is made by its owner */
	c->sql.drv = &hk_sql_driver_pgsql;
	c->h = PQconnectdbParams(keys, vals, 1);
	if (c->h == NULL || PQstatus(c->h) != CONNECTION_OK) {
		const char *why = c->h != NULL ? PQerrorMessage(c->h) :
		    "out of memory";

		set_err(c, why);
		/* Never the URI: it may hold a password. */
		*err_r = hk_aprintf("PostgreSQL: %s", c->err);
		pg_close(&c->sql);
		return NULL;
	}
	PQsetNoticeReceiver(c->h, on_notice, NULL);
	return &c->sql;
}

static void
pg_close(struct hk_sql *sql)
{
	struct pg_conn *c = C(sql);

	PQfinish(c->h);
	free(c->err);
	free(c);
}

static const char *
pg_errmsg(struct hk_sql *sql)
{
	struct pg_conn *c = C(sql);

	return c->err != NULL ? c->err : "no error";
}

static enum hk_sql_rc
pg_exec(struct hk_sql *sql, const char *text)
{
	struct pg_conn *c = C(sql);
	enum hk_sql_rc rc = HK_SQL_OK;
	PGresult *res;

	if (!ensure_connected(c))
		return HK_SQL_CONN;
	res = PQexec(c->h, text);
	switch (PQresultStatus(res)) {
	case PGRES_COMMAND_OK:
	case PGRES_TUPLES_OK:
	case PGRES_EMPTY_QUERY:
		note_changes(c, res);
		break;
	default:
		rc = classify(c, res);
		break;
	}
	PQclear(res);
	return rc;
}

/* Whether text holds "$n" (a parameter a statement skips, as "?1, ?3",
 * has no type PostgreSQL could infer: it is sent as text). */
static bool
mentions(const char *text, int n)
{
	char tag[16];
	size_t len = (size_t)snprintf(tag, sizeof(tag), "$%d", n);

	for (const char *s = strstr(text, tag); s != NULL;
	    s = strstr(s + 1, tag))
		if (!isdigit((unsigned char)s[len]))
			return true;
	return false;
}

static struct hk_sql_stmt *
pg_prepare(struct hk_sql *sql, const char *text, char **err_r)
{
	struct pg_stmt *p;
	int n;
	char *rewritten = hk_sql_pg_placeholders(text, &n);

	if (rewritten == NULL) {
		*err_r = hk_aprintf("SQL error in \"%s\": a placeholder out "
		    "of range", text);
		return NULL;
	}
	p = hk_calloc(1, sizeof(*p));
	p->st.sql = sql;
	p->text = rewritten;
	p->nparams = n;
	p->row = -1;
	if (n > 0) {
		p->values = hk_calloc((size_t)n, sizeof(*p->values));
		p->lengths = hk_calloc((size_t)n, sizeof(*p->lengths));
		p->formats = hk_calloc((size_t)n, sizeof(*p->formats));
		p->types = hk_calloc((size_t)n, sizeof(*p->types));
		p->unused = hk_calloc((size_t)n, sizeof(*p->unused));
		for (int i = 0; i < n; i++)
			p->unused[i] = !mentions(rewritten, i + 1);
	}
	return &p->st;
}

/* Ends a run: the result and the unescaped blob go. */
static void
end_run(struct pg_stmt *p)
{
	PQclear(p->res);
	p->res = NULL;
	PQfreemem(p->blob);
	p->blob = NULL;
	p->row = -1;
	p->ran = false;
}

static void
clear_params(struct pg_stmt *p)
{
	for (int i = 0; i < p->nparams; i++) {
		free(p->values[i]);
		p->values[i] = NULL;
		p->lengths[i] = 0;
		p->formats[i] = 0;
		p->types[i] = 0;
	}
}

static void
pg_finalize(struct hk_sql_stmt *st)
{
	struct pg_stmt *p = P(st);

	end_run(p);
	clear_params(p);
	free(p->values);
	free(p->lengths);
	free(p->formats);
	free(p->types);
	free(p->unused);
	free(p->text);
	free(p);
}

/* Slot idx (from 1), emptied; NULL (and a programming error logged) when
 * the statement has no such parameter. */
static struct pg_stmt *
slot(struct hk_sql_stmt *st, int idx)
{
	struct pg_stmt *p = P(st);

	if (idx < 1 || idx > p->nparams) {
		hk_err("database: parameter %d of \"%s\" does not exist", idx,
		    p->text);
		return NULL;
	}
	free(p->values[idx - 1]);
	p->values[idx - 1] = NULL;
	return p;
}

static void
pg_bind_text(struct hk_sql_stmt *st, int idx, const char *value)
{
	struct pg_stmt *p = slot(st, idx);

	if (p == NULL)
		return;
	p->values[idx - 1] = hk_strdup(value);
	p->formats[idx - 1] = 0;
	p->types[idx - 1] = 0;
}

static void
pg_bind_int64(struct hk_sql_stmt *st, int idx, int64_t value)
{
	struct pg_stmt *p = slot(st, idx);

	if (p == NULL)
		return;
	p->values[idx - 1] = hk_aprintf("%" PRId64, value);
	p->formats[idx - 1] = 0;
	p->types[idx - 1] = INT8OID;
}

static void
pg_bind_null(struct hk_sql_stmt *st, int idx)
{
	struct pg_stmt *p = slot(st, idx);

	if (p != NULL)
		p->types[idx - 1] = 0;
}

static void
pg_bind_blob(struct hk_sql_stmt *st, int idx, const void *data, size_t len)
{
	struct pg_stmt *p = slot(st, idx);

	if (p == NULL)
		return;
	if (len > INT32_MAX) {
		hk_err("database: a value of %zu bytes is too long", len);
		return;
	}
	p->values[idx - 1] = hk_calloc(1, len + 1);
	if (len > 0)
		memcpy(p->values[idx - 1], data, len);
	p->lengths[idx - 1] = (int)len;
	p->formats[idx - 1] = 1;
	p->types[idx - 1] = BYTEAOID;
}

static enum hk_sql_rc
pg_step(struct hk_sql_stmt *st)
{
	struct pg_stmt *p = P(st);
	struct pg_conn *c = C(st->sql);

	if (!p->ran) {
		enum hk_sql_rc rc;

		end_run(p);
		p->ran = true;
		if (!ensure_connected(c))
			return HK_SQL_CONN;
		for (int i = 0; i < p->nparams; i++)
			if (p->unused[i] && p->types[i] == 0)
				p->types[i] = TEXTOID;
		p->res = PQexecParams(c->h, p->text, p->nparams, p->types,
		    (const char *const *)p->values, p->lengths, p->formats, 0);
		switch (PQresultStatus(p->res)) {
		case PGRES_TUPLES_OK:
		case PGRES_COMMAND_OK:
		case PGRES_EMPTY_QUERY:
			note_changes(c, p->res);
			break;
		default:
			rc = classify(c, p->res);
			PQclear(p->res);
			p->res = NULL;
			return rc;
		}
	}
	if (p->res == NULL)
		return HK_SQL_DONE;
	PQfreemem(p->blob);
	p->blob = NULL;
	if (p->row + 1 < PQntuples(p->res)) {
		p->row++;
		return HK_SQL_ROW;
	}
	p->row = PQntuples(p->res);
	return HK_SQL_DONE;
}

/* Whether col names a field of the current row. */
static bool
have(struct pg_stmt *p, int col)
{
	return p->res != NULL && p->row >= 0 && p->row < PQntuples(p->res) &&
	    col >= 0 && col < PQnfields(p->res);
}

static bool
pg_column_is_null(struct hk_sql_stmt *st, int col)
{
	struct pg_stmt *p = P(st);

	return !have(p, col) || PQgetisnull(p->res, p->row, col);
}

static const char *
pg_column_text(struct hk_sql_stmt *st, int col)
{
	struct pg_stmt *p = P(st);

	return have(p, col) ? PQgetvalue(p->res, p->row, col) : "";
}

static int64_t
pg_column_int64(struct hk_sql_stmt *st, int col)
{
	struct pg_stmt *p = P(st);
	const char *v;

	if (pg_column_is_null(st, col))
		return 0;
	v = PQgetvalue(p->res, p->row, col);
	if (PQftype(p->res, col) == BOOLOID)
		return *v == 't';
	return strtoll(v, NULL, 10);
}

static const void *
pg_column_blob(struct hk_sql_stmt *st, int col, size_t *len_r)
{
	struct pg_stmt *p = P(st);
	const char *v;

	*len_r = 0;
	if (pg_column_is_null(st, col))
		return NULL;
	v = PQgetvalue(p->res, p->row, col);
	if (PQftype(p->res, col) != BYTEAOID) {
		*len_r = (size_t)PQgetlength(p->res, p->row, col);
		return v;
	}
	PQfreemem(p->blob);
	p->blob = PQunescapeBytea((const unsigned char *)v, len_r);
	if (p->blob == NULL)
		*len_r = 0;
	return p->blob;
}

static void
pg_reset(struct hk_sql_stmt *st)
{
	struct pg_stmt *p = P(st);

	end_run(p);
	clear_params(p);
}

static int64_t
pg_changes(struct hk_sql *sql)
{
	return C(sql)->changes;
}

static void
pg_lock_wait(struct hk_sql *sql, bool wait)
{
	/* 0 would mean "no limit": the shortest wait is 1 ms. */
	(void)pg_exec(sql, wait ? "SET lock_timeout = 5000" :
	    "SET lock_timeout = 1");
}

static bool
pg_in_transaction(struct hk_sql *sql)
{
	switch (PQtransactionStatus(C(sql)->h)) {
	case PQTRANS_INTRANS:
	case PQTRANS_INERROR:
	case PQTRANS_ACTIVE:
		return true;
	default:
		return false;
	}
}

const struct hk_sql_driver hk_sql_driver_pgsql = {
	.name = "pgsql",
	.backend = HK_SQL_PGSQL,
	/* As SQLite's BEGIN IMMEDIATE: one writer at a time, waiting up to
	 * lock_timeout (then 55P03, HK_SQL_BUSY). */
	.begin_sql = "BEGIN; SELECT pg_advisory_xact_lock(" PG_WRITE_LOCK ")",
	.begin_read_sql = "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
	.open = pg_open,
	.close = pg_close,
	.errmsg = pg_errmsg,
	.exec = pg_exec,
	.prepare = pg_prepare,
	.finalize = pg_finalize,
	.bind_text = pg_bind_text,
	.bind_int64 = pg_bind_int64,
	.bind_null = pg_bind_null,
	.bind_blob = pg_bind_blob,
	.step = pg_step,
	.column_text = pg_column_text,
	.column_int64 = pg_column_int64,
	.column_is_null = pg_column_is_null,
	.column_blob = pg_column_blob,
	.reset = pg_reset,
	.changes = pg_changes,
	.lock_wait = pg_lock_wait,
	.in_transaction = pg_in_transaction,
	.backup = NULL,
};
