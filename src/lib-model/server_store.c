/* server_store.c - mail servers in the database: loading, listing, and
 * the audited writes (server_store.h). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "audit.h"
#include "dbutil.h"
#include "keycheck.h"
#include "log.h"
#include "mem.h"
#include "secret.h"
#include "server_store.h"
#include "validate.h"

/* ---- loading ---------------------------------------------------------- */

#define SERVER_COLS \
	"id, version, position, name, smtp_host, smtp_port, smtp_security," \
	" smtp_tls_verify, smtp_auth, smtp_auth_method, smtp_credentials," \
	" smtp_user, smtp_password, pop_before_smtp, pop_before_smtp_wait," \
	" send_limit, recv_protocol, apop, recv_host, recv_port," \
	" recv_security, recv_tls_verify, recv_limit, oauth2_provider," \
	" oauth2_tenant, oauth2_client_id, oauth2_client_secret," \
	" oauth2_auth_url, oauth2_token_url, oauth2_device_url, oauth2_scope," \
	" oauth2_grant, recv_auth_method"
#define COL_SMTP_PASSWORD 12
#define COL_CLIENT_SECRET 26

/* Fills s (empty) from the current row of a SELECT SERVER_COLS. */
static void
from_row(struct hk_sql_stmt *st, struct hk_server *s)
{
	memset(s, 0, sizeof(*s));
	s->id = hk_sql_column_int64(st, 0);
	s->version = hk_sql_column_int64(st, 1);
	s->position = hk_sql_column_int64(st, 2);
	s->name = hk_strdup(hk_db_text(st, 3));
	s->smtp_host = hk_strdup(hk_db_text(st, 4));
	s->smtp_port = hk_sql_column_int(st, 5);
	(void)hk_security_parse(hk_db_text(st, 6), &s->smtp_security);
	s->smtp_tls_verify = hk_sql_column_int(st, 7) != 0;
	s->smtp_auth = hk_sql_column_int(st, 8) != 0;
	s->smtp_auth_method = hk_strdup(hk_db_text(st, 9));
	(void)hk_credentials_parse(hk_db_text(st, 10), &s->smtp_credentials);
	s->smtp_user = hk_strdup(hk_db_text(st, 11));
	s->smtp_password_set = !hk_sql_column_is_null(st, 12);
	s->pop_before_smtp = hk_sql_column_int(st, 13) != 0;
	s->pop_before_smtp_wait = hk_sql_column_int(st, 14);
	s->send_limit = hk_sql_column_int64(st, 15);
	(void)hk_recv_protocol_parse(hk_db_text(st, 16), &s->recv_protocol);
	s->apop = hk_sql_column_int(st, 17) != 0;
	s->recv_host = hk_strdup(hk_db_text(st, 18));
	s->recv_port = hk_sql_column_int(st, 19);
	(void)hk_security_parse(hk_db_text(st, 20), &s->recv_security);
	s->recv_tls_verify = hk_sql_column_int(st, 21) != 0;
	s->recv_limit = hk_sql_column_int64(st, 22);
	(void)hk_oauth2_provider_parse(hk_db_text(st, 23), &s->oauth2_provider);
	s->oauth2_tenant = hk_strdup(hk_db_text(st, 24));
	s->oauth2_client_id = hk_strdup(hk_db_text(st, 25));
	s->oauth2_client_secret_set = !hk_sql_column_is_null(st, 26);
	s->oauth2_auth_url = hk_strdup(hk_db_text(st, 27));
	s->oauth2_token_url = hk_strdup(hk_db_text(st, 28));
	s->oauth2_device_url = hk_strdup(hk_db_text(st, 29));
	s->oauth2_scope = hk_strdup(hk_db_text(st, 30));
	(void)hk_oauth2_grant_parse(hk_db_text(st, 31), &s->oauth2_grant);
	s->recv_auth_method = hk_strdup(hk_db_text(st, 32));
}

/* Decrypts the secret in column col (field, shown as what) of the
 * current row into *dst. */
static enum hk_store_rc
open_secret(struct hk_sql_stmt *st, const unsigned char key[HK_KEY_LEN],
    long long id, int col, const char *field, const char *what, char **dst)
{
	enum hk_secret_rc src;
	const void *blob;
	size_t len;

	if (hk_sql_column_is_null(st, col))
		return HK_STORE_OK;
	blob = hk_sql_column_blob(st, col, &len);
	src = hk_secret_open(key, "mail_servers", id, field,
	    blob, len, dst);
	if (src != HK_SECRET_OK) {
		hk_err("mail server %lld: the stored %s cannot be "
		    "decrypted (%s)", id, what,
		    src == HK_SECRET_TAMPERED ? "wrong key or altered" :
		    "malformed");
		return HK_STORE_ERROR;
	}
	return HK_STORE_OK;
}

/* Decrypts both secrets of the current row into s. */
static enum hk_store_rc
open_secrets(struct hk_sql_stmt *st, const unsigned char key[HK_KEY_LEN],
    struct hk_server *s)
{
	enum hk_store_rc rc = open_secret(st, key, s->id, COL_SMTP_PASSWORD,
	    "smtp_password", "SMTP password", &s->smtp_password);

	if (rc == HK_STORE_OK)
		rc = open_secret(st, key, s->id, COL_CLIENT_SECRET,
		    "oauth2_client_secret", "OAuth 2.0 client secret",
		    &s->oauth2_client_secret);
	return rc;
}

enum hk_store_rc
hk_server_load(struct hk_db *db, const unsigned char key[HK_KEY_LEN],
    long long id, bool with_secrets, struct hk_server *out)
{
	struct hk_sql_stmt *st = hk_db_prepare(db,
	    "SELECT " SERVER_COLS " FROM mail_servers WHERE id = ?1");
	enum hk_store_rc rc = HK_STORE_OK;
	int r;

	memset(out, 0, sizeof(*out));
	hk_sql_bind_int64(st, 1, id);
	r = hk_sql_step(st);
	if (r == HK_SQL_ROW) {
		from_row(st, out);
		if (with_secrets)
			rc = open_secrets(st, key, out);
	} else {
		rc = r == HK_SQL_DONE ? HK_STORE_NOT_FOUND : hk_db_store_rc(db, r);
	}
	hk_db_done(st);
	if (rc != HK_STORE_OK)
		hk_server_clear(out);
	return rc;
}

/* The id of the server named name (hk_name_equal), other than except_id;
 * 0 when none.  -1 (with *rc_r) on a database error. */
static long long
id_by_name(struct hk_db *db, const char *name, long long except_id,
    enum hk_store_rc *rc_r)
{
	struct hk_sql_stmt *st = hk_db_prepare(db,
	    "SELECT id, name FROM mail_servers ORDER BY position, id");
	long long found = 0;
	int r;

	*rc_r = HK_STORE_OK;
	while ((r = hk_sql_step(st)) == HK_SQL_ROW) {
		long long id = hk_sql_column_int64(st, 0);

		if (id != except_id && hk_name_equal(hk_db_text(st, 1), name)) {
			found = id;
			break;
		}
	}
	if (found == 0 && r != HK_SQL_DONE) {
		*rc_r = hk_db_store_rc(db, r);
		found = -1;
	}
	hk_db_done(st);
	return found;
}

enum hk_store_rc
hk_server_find_by_name(struct hk_db *db, const unsigned char key[HK_KEY_LEN],
    const char *name, bool with_secrets, struct hk_server *out)
{
	enum hk_store_rc rc;
	long long id;

	memset(out, 0, sizeof(*out));
	id = id_by_name(db, name, 0, &rc);
	if (id < 0)
		return rc;
	if (id == 0)
		return HK_STORE_NOT_FOUND;
	return hk_server_load(db, key, id, with_secrets, out);
}

enum hk_store_rc
hk_server_name_used(struct hk_db *db, const char *name, long long except_id,
    bool *used_r)
{
	enum hk_store_rc rc;
	long long id = id_by_name(db, name, except_id, &rc);

	*used_r = id > 0;
	return id < 0 ? rc : HK_STORE_OK;
}

enum hk_store_rc
hk_server_list(struct hk_db *db, struct hk_server **list_r, size_t *n_r)
{
	struct hk_sql_stmt *st = hk_db_prepare(db,
	    "SELECT " SERVER_COLS " FROM mail_servers ORDER BY position, id");
	struct hk_server *v = NULL;
	size_t n = 0, cap = 0;
	int r;

	while ((r = hk_sql_step(st)) == HK_SQL_ROW) {
		if (n == cap) {
			cap = cap ? cap * 2 : 8;
			v = hk_realloc(v, cap * sizeof(*v));
		}
		from_row(st, &v[n++]);
	}
	hk_db_done(st);
	if (r != HK_SQL_DONE) {
		hk_server_list_free(&v, n);
		*list_r = NULL;
		*n_r = 0;
		return hk_db_store_rc(db, r);
	}
	*list_r = v;
	*n_r = n;
	return HK_STORE_OK;
}

void
hk_server_list_free(struct hk_server **list, size_t n)
{
	if (*list == NULL)
		return;
	for (size_t i = 0; i < n; i++)
		hk_server_clear(&(*list)[i]);
	free(*list);
	*list = NULL;
}

/* ---- writing ---------------------------------------------------------- */

enum hk_server_rc
hk_server_rc_from_store(enum hk_store_rc rc)
{
	switch (rc) {
	case HK_STORE_OK: return HK_SERVER_OK;
	case HK_STORE_NOT_FOUND: return HK_SERVER_NOT_FOUND;
	case HK_STORE_BUSY: return HK_SERVER_BUSY;
	default: return HK_SERVER_ERROR;
	}
}

/* A failed statement's SQLite result: busy (503) or an error (500). */
static enum hk_server_rc
server_rc(int rc)
{
	return hk_db_busy(rc) ? HK_SERVER_BUSY : HK_SERVER_ERROR;
}

static enum hk_server_rc
begin(struct hk_db *db)
{
	int rc = hk_db_begin(db);

	return rc == HK_SQL_OK ? HK_SERVER_OK : server_rc(rc);
}

static enum hk_server_rc
commit(struct hk_db *db)
{
	int rc = hk_db_commit(db);

	if (rc == HK_SQL_OK)
		return HK_SERVER_OK;
	hk_db_rollback(db);
	return server_rc(rc);
}

/* Binds the form fields of s to ?1..?28 in SERVER_COLS order (name first,
 * without the secrets; ?20 is the time), and recv_auth_method, added
 * later, to ?31 (?29 and ?30 are the callers'). */
static void
bind_fields(struct hk_sql_stmt *st, const struct hk_server *s)
{
	hk_sql_bind_text(st, 1, s->name);
	hk_sql_bind_text(st, 2, s->smtp_host);
	hk_sql_bind_int64(st, 3, s->smtp_port);
	hk_sql_bind_text(st, 4, hk_security_name(s->smtp_security));
	hk_sql_bind_int64(st, 5, s->smtp_tls_verify);
	hk_sql_bind_int64(st, 6, s->smtp_auth);
	hk_sql_bind_text(st, 7, s->smtp_auth_method);
	hk_sql_bind_text(st, 8, hk_credentials_name(s->smtp_credentials));
	if (s->smtp_credentials == HK_CRED_FIXED)
		hk_sql_bind_text(st, 9, s->smtp_user);
	else
		hk_sql_bind_null(st, 9);
	hk_sql_bind_int64(st, 10, s->pop_before_smtp);
	hk_sql_bind_int64(st, 11, s->pop_before_smtp_wait);
	hk_sql_bind_int64(st, 12, s->send_limit);
	hk_sql_bind_text(st, 13, hk_recv_protocol_name(s->recv_protocol));
	hk_sql_bind_int64(st, 14, s->apop);
	hk_sql_bind_text(st, 15, s->recv_host);
	hk_sql_bind_int64(st, 16, s->recv_port);
	hk_sql_bind_text(st, 17, hk_security_name(s->recv_security));
	hk_sql_bind_int64(st, 18, s->recv_tls_verify);
	hk_sql_bind_int64(st, 19, s->recv_limit);
	hk_sql_bind_int64(st, 20, (long long)time(NULL));
	hk_sql_bind_text(st, 21, hk_oauth2_provider_name(s->oauth2_provider));
	hk_sql_bind_text(st, 22, s->oauth2_tenant);
	hk_sql_bind_text(st, 23, s->oauth2_client_id);
	hk_sql_bind_text(st, 24, s->oauth2_auth_url);
	hk_sql_bind_text(st, 25, s->oauth2_token_url);
	hk_sql_bind_text(st, 26, s->oauth2_device_url);
	hk_sql_bind_text(st, 27, s->oauth2_scope);
	hk_sql_bind_text(st, 28, hk_oauth2_grant_name(s->oauth2_grant));
	hk_sql_bind_text(st, 31, s->recv_auth_method != NULL ?
	    s->recv_auth_method : HK_RECV_AUTH_PASSWORD);
}

/* The server's secrets: the column, and the statement that stores it. */
struct secret_col {
	const char *field;
	const char *sql;
};
static const struct secret_col smtp_password_col = {
	"smtp_password",
	"UPDATE mail_servers SET smtp_password = ?2 WHERE id = ?1"
};
static const struct secret_col client_secret_col = {
	"oauth2_client_secret",
	"UPDATE mail_servers SET oauth2_client_secret = ?2 WHERE id = ?1"
};

/* Seals plain under server id and stores it in column c (NULL: removes
 * the stored one). */
static int
store_secret(struct hk_db *db, const unsigned char key[HK_KEY_LEN],
    long long id, const struct secret_col *c, const char *plain)
{
	struct hk_sql_stmt *st = hk_db_prepare(db, c->sql);
	unsigned char *blob = NULL;
	size_t len = 0;
	int rc;

	hk_sql_bind_int64(st, 1, id);
	if (plain != NULL) {
		/* Never seal under a key that rotate-key has retired. */
		switch (hk_key_check(db, key, &rc)) {
		case HK_KEY_FITS:
			break;
		case HK_KEY_RETIRED:
			hk_db_done(st);
			return HK_SQL_BUSY;	/* 503: restart the workers */
		default:
			hk_db_done(st);
			return rc;
		}
		hk_secret_seal(key, "mail_servers", id, c->field, plain,
		    &blob, &len);
		hk_sql_bind_blob(st, 2, blob, (int)len);
	} else {
		hk_sql_bind_null(st, 2);
	}
	rc = hk_sql_step(st);
	hk_db_done(st);
	if (blob != NULL)
		hk_wipe(blob, len);
	free(blob);
	return rc == HK_SQL_DONE ? HK_SQL_OK : rc;
}

/* "field: value" lines (create) or "field: old -> new" lines (update). */
static void
describe(struct hk_buf *b, const struct hk_server *old,
    const struct hk_server *s, bool password_changed, bool secret_changed)
{
	char o[32], n[32];

#define LINE_S(f, ov, nv) do { \
	if (old == NULL) \
		hk_buf_printf(b, "%s: %s\n", f, nv); \
	else if (strcmp(ov, nv) != 0) \
		hk_buf_printf(b, "%s: %s -> %s\n", f, ov, nv); \
} while (0)
#define LINE_I(f, ov, nv) do { \
	snprintf(o, sizeof(o), "%lld", (long long)(ov)); \
	snprintf(n, sizeof(n), "%lld", (long long)(nv)); \
	LINE_S(f, o, n); \
} while (0)
#define LINE_B(f, ov, nv) LINE_S(f, (ov) ? "on" : "off", (nv) ? "on" : "off")
#define O(f) (old != NULL ? old->f : s->f)

	LINE_S("name", O(name), s->name);
	LINE_S("smtp_host", O(smtp_host), s->smtp_host);
	LINE_I("smtp_port", O(smtp_port), s->smtp_port);
	LINE_S("smtp_security", hk_security_name(O(smtp_security)),
	    hk_security_name(s->smtp_security));
	LINE_B("smtp_tls_verify", O(smtp_tls_verify), s->smtp_tls_verify);
	LINE_B("smtp_auth", O(smtp_auth), s->smtp_auth);
	LINE_S("smtp_auth_method", O(smtp_auth_method), s->smtp_auth_method);
	LINE_S("smtp_credentials", hk_credentials_name(O(smtp_credentials)),
	    hk_credentials_name(s->smtp_credentials));
	LINE_S("smtp_user", O(smtp_user), s->smtp_user);
	if (password_changed)
		hk_buf_puts(b, "smtp_password: (changed)\n");
	LINE_B("pop_before_smtp", O(pop_before_smtp), s->pop_before_smtp);
	LINE_I("pop_before_smtp_wait", O(pop_before_smtp_wait),
	    s->pop_before_smtp_wait);
	LINE_I("send_limit", O(send_limit), s->send_limit);
	LINE_S("recv_protocol", hk_recv_protocol_name(O(recv_protocol)),
	    hk_recv_protocol_name(s->recv_protocol));
	LINE_B("apop", O(apop), s->apop);
	LINE_S("recv_host", O(recv_host), s->recv_host);
	LINE_I("recv_port", O(recv_port), s->recv_port);
	LINE_S("recv_security", hk_security_name(O(recv_security)),
	    hk_security_name(s->recv_security));
	LINE_B("recv_tls_verify", O(recv_tls_verify), s->recv_tls_verify);
	LINE_I("recv_limit", O(recv_limit), s->recv_limit);
	LINE_S("recv_auth_method", O(recv_auth_method), s->recv_auth_method);
	LINE_S("oauth2_provider", hk_oauth2_provider_name(O(oauth2_provider)),
	    hk_oauth2_provider_name(s->oauth2_provider));
	if (old != NULL || s->oauth2_provider != HK_OAUTH2_NONE) {
		LINE_S("oauth2_tenant", O(oauth2_tenant), s->oauth2_tenant);
		LINE_S("oauth2_client_id", O(oauth2_client_id),
		    s->oauth2_client_id);
		if (secret_changed)
			hk_buf_puts(b, "oauth2_client_secret: (changed)\n");
		LINE_S("oauth2_auth_url", O(oauth2_auth_url), s->oauth2_auth_url);
		LINE_S("oauth2_token_url", O(oauth2_token_url),
		    s->oauth2_token_url);
		LINE_S("oauth2_device_url", O(oauth2_device_url),
		    s->oauth2_device_url);
		LINE_S("oauth2_scope", O(oauth2_scope), s->oauth2_scope);
		LINE_S("oauth2_grant", hk_oauth2_grant_name(O(oauth2_grant)),
		    hk_oauth2_grant_name(s->oauth2_grant));
	}
#undef LINE_S
#undef LINE_I
#undef LINE_B
#undef O
}

static enum hk_server_rc
audit(struct hk_db *db, const char *actor, const char *action, long long id,
    const char *name, const struct hk_buf *details)
{
	enum hk_store_rc rc = hk_audit_record(db, actor != NULL ? actor : "",
	    action, "mail-server", id, name,
	    details != NULL && details->len > 0 ? hk_buf_str(details) : NULL);

	return hk_server_rc_from_store(rc);
}

static void
set_empty(char **p)
{
	free(*p);
	*p = hk_strdup("");
}

/* Normalises what is stored with the credentials choice and the OAuth
 * 2.0 provider (none: nothing of it is kept). */
static void
settle_credentials(struct hk_server *s)
{
	if (s->smtp_credentials != HK_CRED_FIXED) {
		set_empty(&s->smtp_user);
		hk_free_secret(s->smtp_password);
		s->smtp_password = NULL;
	}
	if (s->oauth2_provider == HK_OAUTH2_NONE) {
		set_empty(&s->oauth2_tenant);
		set_empty(&s->oauth2_client_id);
		hk_free_secret(s->oauth2_client_secret);
		s->oauth2_client_secret = NULL;
		set_empty(&s->oauth2_auth_url);
		set_empty(&s->oauth2_token_url);
		set_empty(&s->oauth2_device_url);
		set_empty(&s->oauth2_scope);
		s->oauth2_grant = HK_OAUTH2_GRANT_CODE;
	}
}

enum hk_server_rc
hk_server_create(struct hk_db *db, const unsigned char key[HK_KEY_LEN],
    const char *actor, struct hk_server *s)
{
	struct hk_sql_stmt *st;
	enum hk_server_rc rc;
	enum hk_store_rc src;
	struct hk_buf details = HK_BUF_INIT;
	long long other, position = 1;
	int r;

	settle_credentials(s);
	if ((rc = begin(db)) != HK_SERVER_OK)
		return rc;
	other = id_by_name(db, s->name, 0, &src);
	if (other != 0) {
		rc = other < 0 ? hk_server_rc_from_store(src) : HK_SERVER_NAME_TAKEN;
		goto fail;
	}
	st = hk_db_prepare(db,
	    "SELECT COALESCE(MAX(position), 0) + 1 FROM mail_servers");
	if ((r = hk_sql_step(st)) == HK_SQL_ROW)
		position = hk_sql_column_int64(st, 0);
	hk_db_done(st);
	if (r != HK_SQL_ROW) {
		rc = server_rc(r);
		goto fail;
	}
	st = hk_db_prepare(db,
	    "INSERT INTO mail_servers (name, smtp_host, smtp_port, smtp_security,"
	    " smtp_tls_verify, smtp_auth, smtp_auth_method, smtp_credentials,"
	    " smtp_user, pop_before_smtp, pop_before_smtp_wait, send_limit,"
	    " recv_protocol, apop, recv_host, recv_port, recv_security,"
	    " recv_tls_verify, recv_limit, created_at, updated_at, version,"
	    " oauth2_provider, oauth2_tenant, oauth2_client_id,"
	    " oauth2_auth_url, oauth2_token_url, oauth2_device_url,"
	    " oauth2_scope, oauth2_grant,"
	    " position, recv_auth_method) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7,"
	    " ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20,"
	    " ?20, 1, ?21, ?22, ?23, ?24, ?25, ?26, ?27, ?28, ?29, ?31)"
	    " RETURNING id");
	bind_fields(st, s);
	hk_sql_bind_int64(st, 29, position);
	if ((r = hk_sql_step(st)) == HK_SQL_ROW)
		s->id = hk_sql_column_int64(st, 0);
	hk_db_done(st);
	if (r != HK_SQL_ROW) {
		/* The UNIQUE (NOCASE) constraint backs up id_by_name. */
		rc = (r == HK_SQL_UNIQUE || r == HK_SQL_CONSTRAINT) ? HK_SERVER_NAME_TAKEN :
		    server_rc(r);
		goto fail;
	}
	s->version = 1;
	s->position = position;
	if (s->smtp_password != NULL &&
	    (r = store_secret(db, key, s->id, &smtp_password_col,
	    s->smtp_password)) != HK_SQL_OK) {
		rc = server_rc(r);
		goto fail;
	}
	if (s->oauth2_client_secret != NULL &&
	    (r = store_secret(db, key, s->id, &client_secret_col,
	    s->oauth2_client_secret)) != HK_SQL_OK) {
		rc = server_rc(r);
		goto fail;
	}
	s->smtp_password_set = s->smtp_password != NULL;
	s->oauth2_client_secret_set = s->oauth2_client_secret != NULL;
	describe(&details, NULL, s, s->smtp_password != NULL,
	    s->oauth2_client_secret != NULL);
	if ((rc = audit(db, actor, "create", s->id, s->name, &details)) !=
	    HK_SERVER_OK)
		goto fail;
	hk_buf_free(&details);
	if ((rc = commit(db)) != HK_SERVER_OK)
		s->id = 0;
	return rc;
fail:
	hk_buf_free(&details);
	hk_db_rollback(db);
	s->id = 0;
	return rc;
}

enum hk_server_rc
hk_server_update(struct hk_db *db, const unsigned char key[HK_KEY_LEN],
    const char *actor, struct hk_server *s)
{
	struct hk_server old;
	struct hk_sql_stmt *st;
	enum hk_server_rc rc;
	enum hk_store_rc src;
	struct hk_buf details = HK_BUF_INIT;
	bool pw_changed, secret_changed;
	long long other;
	int r;

	settle_credentials(s);
	if ((rc = begin(db)) != HK_SERVER_OK)
		return rc;
	if ((src = hk_server_load(db, key, s->id, false, &old)) != HK_STORE_OK) {
		hk_db_rollback(db);
		return hk_server_rc_from_store(src);
	}
	if (old.version != s->version) {
		rc = HK_SERVER_STALE;
		goto fail;
	}
	other = id_by_name(db, s->name, s->id, &src);
	if (other != 0) {
		rc = other < 0 ? hk_server_rc_from_store(src) : HK_SERVER_NAME_TAKEN;
		goto fail;
	}
	st = hk_db_prepare(db,
	    "UPDATE mail_servers SET name = ?1, smtp_host = ?2, smtp_port = ?3,"
	    " smtp_security = ?4, smtp_tls_verify = ?5, smtp_auth = ?6,"
	    " smtp_auth_method = ?7, smtp_credentials = ?8, smtp_user = ?9,"
	    " pop_before_smtp = ?10, pop_before_smtp_wait = ?11,"
	    " send_limit = ?12, recv_protocol = ?13, apop = ?14,"
	    " recv_host = ?15, recv_port = ?16, recv_security = ?17,"
	    " recv_tls_verify = ?18, recv_limit = ?19, updated_at = ?20,"
	    " oauth2_provider = ?21, oauth2_tenant = ?22,"
	    " oauth2_client_id = ?23, oauth2_auth_url = ?24,"
	    " oauth2_token_url = ?25, oauth2_device_url = ?26,"
	    " oauth2_scope = ?27, oauth2_grant = ?28, recv_auth_method = ?31,"
	    " version = version + 1 WHERE id = ?29 AND version = ?30");
	bind_fields(st, s);
	hk_sql_bind_int64(st, 29, s->id);
	hk_sql_bind_int64(st, 30, s->version);
	r = hk_sql_step(st);
	hk_db_done(st);
	if (r != HK_SQL_DONE) {
		rc = (r == HK_SQL_UNIQUE || r == HK_SQL_CONSTRAINT) ? HK_SERVER_NAME_TAKEN :
		    server_rc(r);
		goto fail;
	}
	if (hk_sql_changes(hk_db_sql(db)) != 1) {
		rc = HK_SERVER_STALE;
		goto fail;
	}
	/* The password: a new one replaces the stored one; none entered
	 * keeps it, unless the credentials are no longer fixed. */
	pw_changed = false;
	if (s->smtp_password != NULL) {
		pw_changed = true;
		r = store_secret(db, key, s->id, &smtp_password_col,
		    s->smtp_password);
	} else if (s->smtp_credentials != HK_CRED_FIXED && old.smtp_password_set) {
		pw_changed = true;
		r = store_secret(db, key, s->id, &smtp_password_col, NULL);
	} else {
		r = HK_SQL_OK;
	}
	if (r != HK_SQL_OK) {
		rc = server_rc(r);
		goto fail;
	}
	/* The client secret likewise: kept unless replaced, or dropped with
	 * the provider. */
	secret_changed = false;
	if (s->oauth2_client_secret != NULL) {
		secret_changed = true;
		r = store_secret(db, key, s->id, &client_secret_col,
		    s->oauth2_client_secret);
	} else if (s->oauth2_provider == HK_OAUTH2_NONE &&
	    old.oauth2_client_secret_set) {
		secret_changed = true;
		r = store_secret(db, key, s->id, &client_secret_col, NULL);
	}
	if (r != HK_SQL_OK) {
		rc = server_rc(r);
		goto fail;
	}
	s->smtp_password_set = s->smtp_password != NULL ||
	    (s->smtp_credentials == HK_CRED_FIXED && old.smtp_password_set);
	s->oauth2_client_secret_set = s->oauth2_client_secret != NULL ||
	    (s->oauth2_provider != HK_OAUTH2_NONE && old.oauth2_client_secret_set);
	describe(&details, &old, s, pw_changed, secret_changed);
	if ((rc = audit(db, actor, "update", s->id, s->name, &details)) !=
	    HK_SERVER_OK)
		goto fail;
	if ((rc = commit(db)) == HK_SERVER_OK)
		s->version++;
	hk_buf_free(&details);
	hk_server_clear(&old);
	return rc;
fail:
	hk_buf_free(&details);
	hk_server_clear(&old);
	hk_db_rollback(db);
	return rc;
}

enum hk_server_rc
hk_server_reorder(struct hk_db *db, const char *actor, const long long *ids,
    size_t n)
{
	struct hk_server *list = NULL;
	size_t count = 0;
	enum hk_server_rc rc;
	enum hk_store_rc src;
	struct hk_buf details = HK_BUF_INIT;
	bool changed = false;

	if ((rc = begin(db)) != HK_SERVER_OK)
		return rc;
	if ((src = hk_server_list(db, &list, &count)) != HK_STORE_OK) {
		hk_db_rollback(db);
		return hk_server_rc_from_store(src);
	}
	/* A permutation: as many ids as servers, each a server, none twice. */
	rc = n == count ? HK_SERVER_OK : HK_SERVER_BAD_ORDER;
	for (size_t i = 0; rc == HK_SERVER_OK && i < n; i++) {
		size_t hits = 0;

		for (size_t j = 0; j < n; j++)
			if (ids[j] == ids[i])
				hits++;
		for (size_t j = 0; j < count; j++)
			if (list[j].id == ids[i])
				hits += 1000;
		if (hits != 1001)
			rc = HK_SERVER_BAD_ORDER;
	}
	if (rc != HK_SERVER_OK)
		goto out;
	for (size_t i = 0; i < n; i++)
		if (list[i].id != ids[i])
			changed = true;
	if (!changed)
		goto out;	/* nothing to write or record */
	hk_buf_puts(&details, "order:");
	for (size_t i = 0; i < count; i++)
		hk_buf_printf(&details, "%s %s", i ? "," : "", list[i].name);
	hk_buf_puts(&details, " ->");
	for (size_t i = 0; i < n; i++) {
		struct hk_sql_stmt *st = hk_db_prepare(db,
		    "UPDATE mail_servers SET position = ?2 WHERE id = ?1");
		int r;

		hk_sql_bind_int64(st, 1, ids[i]);
		hk_sql_bind_int64(st, 2, (long long)i + 1);
		r = hk_sql_step(st);
		hk_db_done(st);
		if (r != HK_SQL_DONE) {
			rc = server_rc(r);
			goto out;
		}
		for (size_t j = 0; j < count; j++)
			if (list[j].id == ids[i])
				hk_buf_printf(&details, "%s %s", i ? "," : "",
				    list[j].name);
	}
	hk_buf_putc(&details, '\n');
	rc = audit(db, actor, "reorder", 0, NULL, &details);
out:
	if (rc == HK_SERVER_OK && changed)
		rc = commit(db);
	else
		hk_db_rollback(db);
	hk_buf_free(&details);
	hk_server_list_free(&list, count);
	return rc;
}

enum hk_server_rc
hk_server_delete(struct hk_db *db, const char *actor, long long id,
    long long replace_with, struct hk_buf *users_r)
{
	struct hk_server s, repl;
	struct hk_sql_stmt *st;
	enum hk_server_rc rc;
	enum hk_store_rc src;
	struct hk_buf users = HK_BUF_INIT, details = HK_BUF_INIT;
	size_t n_users = 0;
	int r;

	memset(&repl, 0, sizeof(repl));
	if ((rc = begin(db)) != HK_SERVER_OK)
		return rc;
	if ((src = hk_server_load(db, NULL, id, false, &s)) != HK_STORE_OK) {
		hk_db_rollback(db);
		return hk_server_rc_from_store(src);
	}
	st = hk_db_prepare(db,
	    "SELECT name FROM mail_accounts WHERE server_id = ?1 ORDER BY name");
	hk_sql_bind_int64(st, 1, id);
	while ((r = hk_sql_step(st)) == HK_SQL_ROW) {
		hk_buf_printf(&users, "%s\n", hk_db_text(st, 0));
		n_users++;
	}
	hk_db_done(st);
	if (r != HK_SQL_DONE) {
		rc = server_rc(r);
		goto fail;
	}
	if (n_users > 0) {
		if (replace_with == 0) {
			rc = HK_SERVER_IN_USE;
			if (users_r != NULL)
				hk_buf_append(users_r, users.data, users.len);
			goto fail;
		}
		if (replace_with == id ||
		    hk_server_load(db, NULL, replace_with, false, &repl) !=
		    HK_STORE_OK) {
			rc = HK_SERVER_BAD_REPLACEMENT;
			goto fail;
		}
		st = hk_db_prepare(db,
		    "UPDATE mail_accounts SET server_id = ?2, version = version + 1,"
		    " updated_at = ?3 WHERE server_id = ?1");
		hk_sql_bind_int64(st, 1, id);
		hk_sql_bind_int64(st, 2, replace_with);
		hk_sql_bind_int64(st, 3, (long long)time(NULL));
		r = hk_sql_step(st);
		hk_db_done(st);
		if (r != HK_SQL_DONE) {
			rc = server_rc(r);
			goto fail;
		}
		hk_buf_printf(&details, "mail accounts moved to %s:", repl.name);
		for (char *p = users.data, *nl; p != NULL && *p != '\0'; p = nl + 1) {
			nl = strchr(p, '\n');
			hk_buf_printf(&details, "%s %.*s",
			    p == users.data ? "" : ",", (int)(nl - p), p);
		}
		hk_buf_putc(&details, '\n');
	}
	st = hk_db_prepare(db, "DELETE FROM mail_servers WHERE id = ?1");
	hk_sql_bind_int64(st, 1, id);
	r = hk_sql_step(st);
	hk_db_done(st);
	if (r != HK_SQL_DONE) {
		rc = (r == HK_SQL_UNIQUE || r == HK_SQL_CONSTRAINT) ? HK_SERVER_IN_USE :
		    server_rc(r);
		goto fail;
	}
	if ((rc = audit(db, actor, "delete", id, s.name, &details)) != HK_SERVER_OK)
		goto fail;
	rc = commit(db);
	hk_buf_free(&users);
	hk_buf_free(&details);
	hk_server_clear(&s);
	hk_server_clear(&repl);
	return rc;
fail:
	hk_db_rollback(db);
	hk_buf_free(&users);
	hk_buf_free(&details);
	hk_server_clear(&s);
	hk_server_clear(&repl);
	return rc;
}
