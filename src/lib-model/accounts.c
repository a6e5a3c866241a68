/* accounts.c - the mail-account model: loading, validating, storing. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "accounts.h"
#include "audit.h"
#include "buf.h"
#include "dbutil.h"
#include "keycheck.h"
#include "log.h"
#include "mem.h"
#include "secret.h"
#include "server_store.h"
#include "utf8.h"

#define TABLE "mail_accounts"
#define FIELD "password"

void
hk_account_clear(struct hk_account *a)
{
	free(a->name);
	free(a->address);
	free(a->server_name);
	free(a->username);
	hk_free_secret(a->password);
	memset(a, 0, sizeof(*a));
}

/* Checks (and with keep, returns) the stored password of the row at st's
 * column 7.  Returns the secret's outcome; nothing stored is OK. */
static enum hk_secret_rc
open_password(const unsigned char *key, struct hk_sql_stmt *st, struct hk_account *a,
    bool keep)
{
	size_t len;
	const void *blob = hk_sql_column_blob(st, 7, &len);
	char *plain = NULL;
	enum hk_secret_rc rc;

	a->password_set = blob != NULL && len > 0;
	if (key == NULL || !a->password_set)
		return HK_SECRET_OK;
	rc = hk_secret_open(key, TABLE, a->id, FIELD, blob, len, &plain);
	if (rc != HK_SECRET_OK) {
		a->password_unreadable = true;
		hk_warn("mail account %lld: the stored password cannot be "
		    "decrypted (%s); enter it again", a->id,
		    rc == HK_SECRET_TAMPERED ? "altered, or encrypted under "
		    "another key" : "not in a known format");
		return rc;
	}
	if (keep)
		a->password = plain;
	else
		hk_free_secret(plain);
	return HK_SECRET_OK;
}

/* Fills a from a row of SELECT_COLS. */
#define SELECT_COLS "a.id, a.version, a.name, a.address, a.server_id, " \
	"s.name, a.username, a.password FROM mail_accounts a " \
	"LEFT JOIN mail_servers s ON s.id = a.server_id "

static enum hk_secret_rc
from_row(const unsigned char *key, struct hk_sql_stmt *st, struct hk_account *a,
    bool keep)
{
	a->id = hk_sql_column_int64(st, 0);
	a->version = hk_sql_column_int64(st, 1);
	a->name = hk_db_text_dup(st, 2);
	a->address = hk_db_text_dup(st, 3);
	a->server_id = hk_sql_column_int64(st, 4);
	/* NULL when the server row is missing (the LEFT JOIN found none). */
	a->server_name = !hk_sql_column_is_null(st, 5) ?
	    hk_db_text_dup(st, 5) : NULL;
	a->username = hk_db_text_dup(st, 6);
	return open_password(key, st, a, keep);
}

enum hk_store_rc
hk_account_load(struct hk_db *db, const unsigned char key[HK_KEY_LEN],
    long long id, bool with_secrets, struct hk_account *out)
{
	struct hk_sql_stmt *st = hk_db_prepare(db, "SELECT " SELECT_COLS
	    "WHERE a.id = ?1");
	enum hk_store_rc rc;
	int step;

	hk_sql_bind_int64(st, 1, id);
	step = hk_sql_step(st);
	if (step == HK_SQL_ROW) {
		rc = HK_STORE_OK;
		if (from_row(key, st, out, with_secrets) != HK_SECRET_OK &&
		    with_secrets)
			rc = HK_STORE_INVALID;
	} else if (step == HK_SQL_DONE)
		rc = HK_STORE_NOT_FOUND;
	else
		rc = hk_db_store_rc(db, step);
	hk_db_done(st);
	return rc;
}

enum hk_store_rc
hk_account_find_by_name(struct hk_db *db, const unsigned char key[HK_KEY_LEN],
    const char *name, bool with_secrets, struct hk_account *out)
{
	struct hk_sql_stmt *st = hk_db_prepare(db, "SELECT id, name FROM mail_accounts");
	long long id = 0;
	int step;

	while ((step = hk_sql_step(st)) == HK_SQL_ROW) {
		const char *n = hk_sql_column_text(st, 1);

		if (n != NULL && hk_name_equal(n, name)) {
			id = hk_sql_column_int64(st, 0);
			break;
		}
	}
	if (step != HK_SQL_ROW && step != HK_SQL_DONE) {
		enum hk_store_rc rc = hk_db_store_rc(db, step);

		hk_db_done(st);
		return rc;
	}
	hk_db_done(st);
	if (id == 0)
		return HK_STORE_NOT_FOUND;
	return hk_account_load(db, key, id, with_secrets, out);
}

enum hk_store_rc
hk_account_list(struct hk_db *db, const unsigned char key[HK_KEY_LEN],
    struct hk_account **list_r, size_t *n_r)
{
	struct hk_sql_stmt *st = hk_db_prepare(db, "SELECT " SELECT_COLS
	    "ORDER BY lower(a.name), a.id");
	struct hk_account *v = NULL;
	size_t n = 0, cap = 0;
	int step;

	*list_r = NULL;
	*n_r = 0;
	while ((step = hk_sql_step(st)) == HK_SQL_ROW) {
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			v = hk_realloc(v, cap * sizeof(*v));
		}
		memset(&v[n], 0, sizeof(*v));
		(void)from_row(key, st, &v[n], false);
		n++;
	}
	hk_db_done(st);
	if (step != HK_SQL_DONE) {
		hk_account_list_free(&v, n);
		return hk_db_store_rc(db, step);
	}
	*list_r = v;
	*n_r = n;
	return HK_STORE_OK;
}

void
hk_account_list_free(struct hk_account **list, size_t n)
{
	if (*list == NULL)
		return;
	for (size_t i = 0; i < n; i++)
		hk_account_clear(&(*list)[i]);
	free(*list);
	*list = NULL;
}

/* ---- one page of the list ----
 * Plain SQL on purpose (LIKE with ESCAPE, lower() on both sides, LIMIT and
 * OFFSET): the order is the index mail_accounts_by_name (migration 8), so
 * a page without a search reads only its own rows plus the index entries
 * before it, and the count is one pass over the smallest index. */

/* The term goes through the same lower() as the columns: PostgreSQL's
 * folds letters beyond ASCII (Ä to ä), SQLite's only A-Z, and a term
 * folded by one rule cannot match a column folded by the other. */
#define PAGE_MATCH "(lower(a.name) LIKE lower(?1) ESCAPE '\\' " \
	"OR lower(a.address) LIKE lower(?1) ESCAPE '\\' " \
	"OR lower(a.username) LIKE lower(?1) ESCAPE '\\' " \
	"OR lower(s.name) LIKE lower(?1) ESCAPE '\\')"

/* '%' q '%' with LIKE's own characters escaped (the SQL lowers it);
 * NULL for no search.  Caller frees. */
static char *
search_pattern(const char *q)
{
	struct hk_buf b = HK_BUF_INIT;

	if (q == NULL || *q == '\0')
		return NULL;
	hk_buf_putc(&b, '%');
	for (const char *p = q; *p != '\0'; p++) {
		char c = *p;

		if (c == '%' || c == '_' || c == '\\')
			hk_buf_putc(&b, '\\');
		hk_buf_putc(&b, c);
	}
	hk_buf_putc(&b, '%');
	return hk_buf_steal(&b);
}

static enum hk_store_rc
page_count(struct hk_db *db, const char *pattern, long long *total_r)
{
	struct hk_sql_stmt *st = hk_db_prepare(db, pattern == NULL ?
	    "SELECT count(*) FROM mail_accounts" :
	    "SELECT count(*) FROM mail_accounts a "
	    "LEFT JOIN mail_servers s ON s.id = a.server_id WHERE " PAGE_MATCH);
	int step;

	if (pattern != NULL)
		hk_sql_bind_text(st, 1, pattern);
	step = hk_sql_step(st);
	if (step == HK_SQL_ROW)
		*total_r = hk_sql_column_int64(st, 0);
	hk_db_done(st);
	return step == HK_SQL_ROW ? HK_STORE_OK : hk_db_store_rc(db, step);
}

/* Without a search, the page's ids come from the index alone and only
 * those rows are joined. */
static enum hk_store_rc
page_rows(struct hk_db *db, const unsigned char *key, const char *pattern,
    long long limit, long long offset, struct hk_account_page *out)
{
	struct hk_sql_stmt *st = hk_db_prepare(db, pattern == NULL ?
	    "SELECT " SELECT_COLS
	    "JOIN (SELECT id FROM mail_accounts ORDER BY lower(name), id "
	    "LIMIT ?2 OFFSET ?3) p ON p.id = a.id "
	    "ORDER BY lower(a.name), a.id" :
	    "SELECT " SELECT_COLS "WHERE " PAGE_MATCH " "
	    "ORDER BY lower(a.name), a.id LIMIT ?2 OFFSET ?3");
	int step;

	if (pattern != NULL)
		hk_sql_bind_text(st, 1, pattern);
	hk_sql_bind_int64(st, 2, limit);
	hk_sql_bind_int64(st, 3, offset);
	out->v = hk_calloc((size_t)limit, sizeof(*out->v));
	while ((step = hk_sql_step(st)) == HK_SQL_ROW && out->n < (size_t)limit)
		(void)from_row(key, st, &out->v[out->n++], false);
	hk_db_done(st);
	return step == HK_SQL_DONE || step == HK_SQL_ROW ? HK_STORE_OK :
	    hk_db_store_rc(db, step);
}

enum hk_store_rc
hk_account_page(struct hk_db *db, const unsigned char key[HK_KEY_LEN],
    const char *q, long long page, long long per_page,
    struct hk_account_page *out)
{
	char *pattern;
	enum hk_store_rc rc;

	if (page < 1 || per_page < 1 || per_page > HK_ACCOUNT_PER_PAGE_MAX ||
	    (q != NULL && strlen(q) > HK_ACCOUNT_SEARCH_MAX))
		return HK_STORE_INVALID;
	pattern = search_pattern(q);
	rc = page_count(db, pattern, &out->total);
	if (rc == HK_STORE_OK) {
		out->pages = out->total == 0 ? 1 :
		    (out->total + per_page - 1) / per_page;
		if (page > out->pages)
			rc = HK_STORE_NOT_FOUND;
		else
			rc = page_rows(db, key, pattern, per_page,
			    (page - 1) * per_page, out);
	}
	free(pattern);
	if (rc != HK_STORE_OK && rc != HK_STORE_NOT_FOUND) {
		hk_account_page_free(out);
		out->total = out->pages = 0;
	}
	return rc;
}

void
hk_account_page_free(struct hk_account_page *p)
{
	hk_account_list_free(&p->v, p->n);
	p->n = 0;
}

/* ---- reading a form ---- */

static const char *
form_get(const struct hk_params *form, const char *name)
{
	const char *v = hk_params_get(form, name);

	return v != NULL ? v : "";
}

/* A trimmed free-text field; on error the value is kept as entered. */
static void
text_field(const struct hk_params *form, const char *field, size_t max,
    char **out, struct hk_form_errors *errs)
{
	const char *in = form_get(form, field);
	char num[24];

	switch (hk_valid_text(in, max, out)) {
	case HK_VALID_OK:
		return;
	case HK_VALID_EMPTY:
		hk_form_error(errs, field, "error.required", NULL, NULL);
		break;
	case HK_VALID_TOO_LONG:
		snprintf(num, sizeof(num), "%zu", max);
		hk_form_error(errs, field, "error.too-long", num, NULL);
		break;
	default:
		hk_form_error(errs, field, "error.encoding", NULL, NULL);
		break;
	}
	*out = hk_strdup(in);
}

/* Leading and trailing ASCII white space removed; caller frees. */
static char *
trim_ascii(const char *s)
{
	size_t n;

	while (*s == ' ' || *s == '\t')
		s++;
	n = strlen(s);
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	return hk_strndup(s, n);
}

static bool
parse_id(const char *s, long long *out)
{
	char *end;
	long long v;

	if (*s < '1' || *s > '9' || strlen(s) > 18)
		return false;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0' || v <= 0)
		return false;
	*out = v;
	return true;
}

size_t
hk_account_from_form(const struct hk_params *form, unsigned flags,
    struct hk_account *out, struct hk_form_errors *errs)
{
	size_t before = errs->n;
	const char *pw;
	char *addr;

	text_field(form, "name", HK_ACCOUNT_NAME_MAX, &out->name, errs);

	addr = trim_ascii(form_get(form, "address"));
	if (*addr == '\0')
		hk_form_error(errs, "address", "error.required", NULL, NULL);
	else if (hk_has_control(addr))
		hk_form_error(errs, "address", "error.encoding", NULL, NULL);
	else if (hk_valid_mailbox_n(addr, &out->address) == HK_VALID_OK) {
		free(addr);
		addr = NULL;
	} else
		hk_form_error(errs, "address", "error.address", NULL, NULL);
	if (addr != NULL)
		out->address = addr;

	if (!parse_id(form_get(form, "server_id"), &out->server_id)) {
		out->server_id = 0;
		hk_form_error(errs, "server_id", "error.server-missing", NULL,
		    NULL);
	}

	text_field(form, "username", HK_ACCOUNT_USER_MAX, &out->username, errs);

	pw = form_get(form, "password");
	if (*pw == '\0') {
		if (!(flags & (HK_ACCOUNT_FORM_CHANGE |
		    HK_ACCOUNT_FORM_NO_PASSWORD)))
			hk_form_error(errs, "password", "error.required", NULL,
			    NULL);
	} else if (hk_has_control(pw))
		hk_form_error(errs, "password", "error.encoding", NULL, NULL);
	else if (hk_utf8_length(pw, strlen(pw)) > HK_ACCOUNT_PASSWORD_MAX) {
		char num[24];

		snprintf(num, sizeof(num), "%d", HK_ACCOUNT_PASSWORD_MAX);
		hk_form_error(errs, "password", "error.too-long", num, NULL);
	} else
		out->password = hk_strdup(pw);
	return errs->n - before;
}

/* ---- writing ---- */

static enum hk_account_rc
acc_rc(struct hk_db *db, int step)
{
	if (step == HK_SQL_DONE || step == HK_SQL_ROW || step == HK_SQL_OK)
		return HK_ACCOUNT_OK;
	if (hk_db_busy(step))
		return HK_ACCOUNT_BUSY;
	if (step == HK_SQL_UNIQUE)
		return HK_ACCOUNT_NAME_TAKEN;
	hk_err("database: %s", hk_db_errmsg(db));
	return HK_ACCOUNT_ERROR;
}

enum hk_account_rc
hk_account_rc_from_store(enum hk_store_rc rc)
{
	switch (rc) {
	case HK_STORE_OK: return HK_ACCOUNT_OK;
	case HK_STORE_NOT_FOUND: return HK_ACCOUNT_NOT_FOUND;
	case HK_STORE_BUSY: return HK_ACCOUNT_BUSY;
	default: return HK_ACCOUNT_ERROR;
	}
}

/* The server's name into *name_r (caller frees), or NO_SERVER. */
static enum hk_account_rc
server_name(struct hk_db *db, long long id, char **name_r)
{
	struct hk_sql_stmt *st = hk_db_prepare(db,
	    "SELECT name FROM mail_servers WHERE id = ?1");
	int step;
	enum hk_account_rc rc;

	*name_r = NULL;
	hk_sql_bind_int64(st, 1, id);
	step = hk_sql_step(st);
	if (step == HK_SQL_ROW) {
		*name_r = hk_db_text_dup(st, 0);
		rc = HK_ACCOUNT_OK;
	} else if (step == HK_SQL_DONE)
		rc = HK_ACCOUNT_NO_SERVER;
	else
		rc = acc_rc(db, step);
	hk_db_done(st);
	return rc;
}

/* NAME_TAKEN when an account other than self_id has name (hk_name_equal:
 * wider than SQLite's ASCII-only NOCASE). */
static enum hk_account_rc
name_free(struct hk_db *db, const char *name, long long self_id)
{
	struct hk_sql_stmt *st = hk_db_prepare(db,
	    "SELECT id, name FROM mail_accounts WHERE id != ?1");
	enum hk_account_rc rc = HK_ACCOUNT_OK;
	int step;

	hk_sql_bind_int64(st, 1, self_id);
	while ((step = hk_sql_step(st)) == HK_SQL_ROW) {
		const char *n = hk_sql_column_text(st, 1);

		if (n != NULL && hk_name_equal(n, name)) {
			rc = HK_ACCOUNT_NAME_TAKEN;
			break;
		}
	}
	if (step != HK_SQL_ROW)
		rc = acc_rc(db, step);
	hk_db_done(st);
	return rc;
}

static enum hk_account_rc
set_password(struct hk_db *db, const unsigned char *key, long long id,
    const char *plain)
{
	struct hk_sql_stmt *st = hk_db_prepare(db,
	    "UPDATE mail_accounts SET password = ?2 WHERE id = ?1");
	unsigned char *blob;
	size_t len;
	int step;

	hk_secret_seal(key, TABLE, id, FIELD, plain, &blob, &len);
	hk_sql_bind_int64(st, 1, id);
	hk_sql_bind_blob(st, 2, blob, (int)len);
	step = hk_sql_step(st);
	hk_db_done(st);
	free(blob);
	return acc_rc(db, step);
}

/* Whether key is the one the database records as current (keycheck.h). */
static enum hk_account_rc
key_fits(struct hk_db *db, const unsigned char *key)
{
	int sql_rc;

	switch (hk_key_check(db, key, &sql_rc)) {
	case HK_KEY_FITS:
		return HK_ACCOUNT_OK;
	case HK_KEY_RETIRED:
		return HK_ACCOUNT_KEY_CHANGED;
	default:
		return acc_rc(db, sql_rc);
	}
}

static enum hk_account_rc
begin(struct hk_db *db)
{
	int rc = hk_db_begin(db);

	if (rc == HK_SQL_OK)
		return HK_ACCOUNT_OK;
	return hk_db_busy(rc) ? HK_ACCOUNT_BUSY : HK_ACCOUNT_ERROR;
}

/* Commits, or rolls back when rc is not OK.  Returns the final outcome. */
static enum hk_account_rc
finish(struct hk_db *db, enum hk_account_rc rc)
{
	int c;

	if (rc != HK_ACCOUNT_OK) {
		hk_db_rollback(db);
		return rc;
	}
	if ((c = hk_db_commit(db)) != HK_SQL_OK) {
		hk_db_rollback(db);
		return acc_rc(db, c);
	}
	return HK_ACCOUNT_OK;
}

enum hk_account_rc
hk_account_create(struct hk_db *db, const unsigned char key[HK_KEY_LEN],
    const char *actor, struct hk_account *a)
{
	struct hk_sql_stmt *st;
	enum hk_account_rc rc;
	char *sname = NULL, *details = NULL;
	long long now = (long long)time(NULL);
	int step;

	if (a->password != NULL && *a->password == '\0')
		return HK_ACCOUNT_ERROR;	/* the caller validates first */
	if ((rc = begin(db)) != HK_ACCOUNT_OK)
		return rc;
	if ((rc = key_fits(db, key)) != HK_ACCOUNT_OK ||
	    (rc = server_name(db, a->server_id, &sname)) != HK_ACCOUNT_OK ||
	    (rc = name_free(db, a->name, 0)) != HK_ACCOUNT_OK)
		goto out;
	/* The row first, so that the password is sealed under its id. */
	st = hk_db_prepare(db, "INSERT INTO mail_accounts (version, name, "
	    "address, server_id, username, password, created_at, updated_at) "
	    "VALUES (1, ?1, ?2, ?3, ?4, ?6, ?5, ?5) RETURNING id");
	hk_sql_bind_text(st, 1, a->name);
	hk_sql_bind_text(st, 2, a->address);
	hk_sql_bind_int64(st, 3, a->server_id);
	hk_sql_bind_text(st, 4, a->username);
	hk_sql_bind_int64(st, 5, now);
	hk_sql_bind_blob(st, 6, "", 0);
	if ((step = hk_sql_step(st)) == HK_SQL_ROW)
		a->id = hk_sql_column_int64(st, 0);
	rc = acc_rc(db, step);
	hk_db_done(st);
	if (rc != HK_ACCOUNT_OK)
		goto out;
	a->version = 1;
	/* None (an OAuth 2.0 server's account): the empty value stays. */
	if (a->password != NULL &&
	    (rc = set_password(db, key, a->id, a->password)) != HK_ACCOUNT_OK)
		goto out;
	a->password_set = a->password != NULL;
	details = hk_aprintf("name: %s\naddress: %s\nserver: %s\n"
	    "username: %s\npassword: %s", a->name, a->address, sname,
	    a->username, a->password != NULL ? "(set)" : "(none)");
	rc = hk_account_rc_from_store(hk_audit_record(db, actor, "create",
	    "mail-account", a->id, a->name, details));
out:
	free(sname);
	free(details);
	rc = finish(db, rc);
	if (rc != HK_ACCOUNT_OK) {
		a->id = 0;
		a->version = 0;
	}
	return rc;
}

/* Appends "field: old -> new\n" when they differ. */
static void
diff_line(struct hk_buf *b, const char *field, const char *old,
    const char *new)
{
	if (strcmp(old ? old : "", new ? new : "") != 0)
		hk_buf_printf(b, "%s: %s -> %s\n", field, old ? old : "",
		    new ? new : "");
}

enum hk_account_rc
hk_account_update(struct hk_db *db, const unsigned char key[HK_KEY_LEN],
    const char *actor, struct hk_account *a)
{
	struct hk_account cur = { 0 };
	struct hk_buf details = HK_BUF_INIT;
	struct hk_sql_stmt *st;
	enum hk_account_rc rc;
	enum hk_store_rc lrc;
	char *sname = NULL;
	long long now = (long long)time(NULL);

	if ((rc = begin(db)) != HK_ACCOUNT_OK)
		return rc;
	/* Inside the transaction: what we compare against cannot change. */
	lrc = hk_account_load(db, key, a->id, false, &cur);
	if (lrc != HK_STORE_OK) {
		rc = hk_account_rc_from_store(lrc);
		goto out;
	}
	if (cur.version != a->version) {
		rc = HK_ACCOUNT_STALE;
		goto out;
	}
	if ((rc = key_fits(db, key)) != HK_ACCOUNT_OK ||
	    (rc = server_name(db, a->server_id, &sname)) != HK_ACCOUNT_OK ||
	    (rc = name_free(db, a->name, a->id)) != HK_ACCOUNT_OK)
		goto out;
	if (a->password == NULL && cur.password_set && cur.password_unreadable) {
		rc = HK_ACCOUNT_UNREADABLE;
		goto out;
	}
	st = hk_db_prepare(db, "UPDATE mail_accounts SET version = version + 1, "
	    "name = ?2, address = ?3, server_id = ?4, username = ?5, "
	    "updated_at = ?6 WHERE id = ?1 AND version = ?7");
	hk_sql_bind_int64(st, 1, a->id);
	hk_sql_bind_text(st, 2, a->name);
	hk_sql_bind_text(st, 3, a->address);
	hk_sql_bind_int64(st, 4, a->server_id);
	hk_sql_bind_text(st, 5, a->username);
	hk_sql_bind_int64(st, 6, now);
	hk_sql_bind_int64(st, 7, a->version);
	rc = acc_rc(db, hk_sql_step(st));
	hk_db_done(st);
	if (rc != HK_ACCOUNT_OK)
		goto out;
	if (a->password != NULL &&
	    (rc = set_password(db, key, a->id, a->password)) != HK_ACCOUNT_OK)
		goto out;
	diff_line(&details, "name", cur.name, a->name);
	diff_line(&details, "address", cur.address, a->address);
	if (cur.server_id != a->server_id)
		diff_line(&details, "server", cur.server_name, sname);
	diff_line(&details, "username", cur.username, a->username);
	if (a->password != NULL)
		hk_buf_puts(&details, "password: (changed)\n");
	if (details.len > 0)
		details.data[--details.len] = '\0';	/* no final newline */
	rc = hk_account_rc_from_store(hk_audit_record(db, actor, "update",
	    "mail-account", a->id, a->name,
	    details.len > 0 ? hk_buf_str(&details) : NULL));
out:
	hk_account_clear(&cur);
	hk_buf_free(&details);
	free(sname);
	rc = finish(db, rc);
	if (rc == HK_ACCOUNT_OK)
		a->version++;
	return rc;
}

enum hk_account_rc
hk_account_delete(struct hk_db *db, const char *actor, long long id,
    long long version)
{
	struct hk_account cur = { 0 };
	struct hk_sql_stmt *st;
	enum hk_account_rc rc;
	enum hk_store_rc lrc;
	char *details = NULL;

	if ((rc = begin(db)) != HK_ACCOUNT_OK)
		return rc;
	lrc = hk_account_load(db, NULL, id, false, &cur);
	if (lrc != HK_STORE_OK) {
		rc = hk_account_rc_from_store(lrc);
		goto out;
	}
	if (version != 0 && cur.version != version) {
		rc = HK_ACCOUNT_STALE;
		goto out;
	}
	st = hk_db_prepare(db, "DELETE FROM mail_accounts WHERE id = ?1");
	hk_sql_bind_int64(st, 1, id);
	rc = acc_rc(db, hk_sql_step(st));
	hk_db_done(st);
	if (rc != HK_ACCOUNT_OK)
		goto out;
	details = hk_aprintf("address: %s\nserver: %s\nusername: %s",
	    cur.address, cur.server_name ? cur.server_name : "",
	    cur.username);
	rc = hk_account_rc_from_store(hk_audit_record(db, actor, "delete",
	    "mail-account", id, cur.name, details));
out:
	free(details);
	hk_account_clear(&cur);
	return finish(db, rc);
}

bool
hk_account_password_optional(struct hk_db *db, long long server_id)
{
	struct hk_server s;
	bool optional;

	if (server_id <= 0 ||
	    hk_server_load(db, NULL, server_id, false, &s) != HK_STORE_OK)
		return false;
	optional = hk_server_oauth2_both_ends(&s);
	hk_server_clear(&s);
	return optional;
}
