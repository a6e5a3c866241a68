/* servers.c - the mail-server model: defaults, the form reader, loading,
 * and the audited writes. */
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
#include "modload.h"
#include "secret.h"
#include "servers.h"

const long long hk_server_limits[] = {
	0, 524288, 1048576, 3145728, 5242880, 10485760
};
const size_t hk_server_limit_count =
	sizeof(hk_server_limits) / sizeof(hk_server_limits[0]);

static const char *const security_names[] = { "none", "starttls", "tls" };
static const char *const protocol_names[] = { "pop3", "imap4" };
static const char *const credentials_names[] = { "account", "fixed" };

const char *
hk_security_name(enum hk_security s)
{
	return (unsigned)s < 3 ? security_names[s] : "none";
}

const char *
hk_recv_protocol_name(enum hk_recv_protocol p)
{
	return (unsigned)p < 2 ? protocol_names[p] : "pop3";
}

const char *
hk_credentials_name(enum hk_credentials c)
{
	return (unsigned)c < 2 ? credentials_names[c] : "account";
}

static int
parse_name(const char *s, const char *const *names, int n)
{
	if (s == NULL)
		return -1;
	for (int i = 0; i < n; i++)
		if (strcmp(s, names[i]) == 0)
			return i;
	return -1;
}

int
hk_security_parse(const char *s, enum hk_security *out)
{
	int i = parse_name(s, security_names, 3);

	if (i < 0)
		return -1;
	*out = (enum hk_security)i;
	return 0;
}

int
hk_recv_protocol_parse(const char *s, enum hk_recv_protocol *out)
{
	int i = parse_name(s, protocol_names, 2);

	if (i < 0)
		return -1;
	*out = (enum hk_recv_protocol)i;
	return 0;
}

int
hk_credentials_parse(const char *s, enum hk_credentials *out)
{
	int i = parse_name(s, credentials_names, 2);

	if (i < 0)
		return -1;
	*out = (enum hk_credentials)i;
	return 0;
}

int
hk_recv_default_port(enum hk_recv_protocol p, enum hk_security s)
{
	if (p == HK_RECV_IMAP4)
		return s == HK_SEC_TLS ? 993 : 143;
	return s == HK_SEC_TLS ? 995 : 110;
}

/* ---- the record ------------------------------------------------------- */

void
hk_server_defaults(struct hk_server *s)
{
	memset(s, 0, sizeof(*s));
	s->name = hk_strdup("");
	s->smtp_host = hk_strdup("");
	s->smtp_port = 25;
	s->smtp_security = HK_SEC_NONE;
	s->smtp_tls_verify = true;
	s->smtp_auth = false;
	s->smtp_auth_method = hk_strdup("login");
	s->smtp_credentials = HK_CRED_ACCOUNT;
	s->smtp_user = hk_strdup("");
	s->pop_before_smtp = false;
	s->pop_before_smtp_wait = 0;
	s->send_limit = 0;
	s->recv_protocol = HK_RECV_POP3;
	s->apop = false;
	s->recv_host = hk_strdup("");
	s->recv_port = 110;
	s->recv_security = HK_SEC_NONE;
	s->recv_tls_verify = true;
	s->recv_limit = 0;
}

void
hk_server_clear(struct hk_server *s)
{
	free(s->name);
	free(s->smtp_host);
	free(s->smtp_auth_method);
	free(s->smtp_user);
	hk_free_secret(s->smtp_password);
	free(s->recv_host);
	hk_wipe(s, sizeof(*s));
	memset(s, 0, sizeof(*s));
}

static void
set_str(char **dst, const char *v)
{
	free(*dst);
	*dst = hk_strdup(v != NULL ? v : "");
}

/* ---- loading ---------------------------------------------------------- */

#define SERVER_COLS \
	"id, version, position, name, smtp_host, smtp_port, smtp_security," \
	" smtp_tls_verify, smtp_auth, smtp_auth_method, smtp_credentials," \
	" smtp_user, smtp_password, pop_before_smtp, pop_before_smtp_wait," \
	" send_limit, recv_protocol, apop, recv_host, recv_port," \
	" recv_security, recv_tls_verify, recv_limit"

/* Fills s (empty) from the current row of a SELECT SERVER_COLS. */
static void
from_row(sqlite3_stmt *st, struct hk_server *s)
{
	memset(s, 0, sizeof(*s));
	s->id = sqlite3_column_int64(st, 0);
	s->version = sqlite3_column_int64(st, 1);
	s->position = sqlite3_column_int64(st, 2);
	s->name = hk_strdup(hk_db_text(st, 3));
	s->smtp_host = hk_strdup(hk_db_text(st, 4));
	s->smtp_port = sqlite3_column_int(st, 5);
	(void)hk_security_parse(hk_db_text(st, 6), &s->smtp_security);
	s->smtp_tls_verify = sqlite3_column_int(st, 7) != 0;
	s->smtp_auth = sqlite3_column_int(st, 8) != 0;
	s->smtp_auth_method = hk_strdup(hk_db_text(st, 9));
	(void)hk_credentials_parse(hk_db_text(st, 10), &s->smtp_credentials);
	s->smtp_user = hk_strdup(hk_db_text(st, 11));
	s->smtp_password_set = sqlite3_column_type(st, 12) != SQLITE_NULL;
	s->pop_before_smtp = sqlite3_column_int(st, 13) != 0;
	s->pop_before_smtp_wait = sqlite3_column_int(st, 14);
	s->send_limit = sqlite3_column_int64(st, 15);
	(void)hk_recv_protocol_parse(hk_db_text(st, 16), &s->recv_protocol);
	s->apop = sqlite3_column_int(st, 17) != 0;
	s->recv_host = hk_strdup(hk_db_text(st, 18));
	s->recv_port = sqlite3_column_int(st, 19);
	(void)hk_security_parse(hk_db_text(st, 20), &s->recv_security);
	s->recv_tls_verify = sqlite3_column_int(st, 21) != 0;
	s->recv_limit = sqlite3_column_int64(st, 22);
}

/* Decrypts the password column (12) of the current row into s. */
static enum hk_store_rc
open_password(sqlite3_stmt *st, const unsigned char key[HK_KEY_LEN],
    struct hk_server *s)
{
	enum hk_secret_rc src;

	if (sqlite3_column_type(st, 12) == SQLITE_NULL)
		return HK_STORE_OK;
	src = hk_secret_open(key, "mail_servers", s->id, "smtp_password",
	    sqlite3_column_blob(st, 12), (size_t)sqlite3_column_bytes(st, 12),
	    &s->smtp_password);
	if (src != HK_SECRET_OK) {
		hk_err("mail server %lld: the stored SMTP password cannot be "
		    "decrypted (%s)", s->id,
		    src == HK_SECRET_TAMPERED ? "wrong key or altered" :
		    "malformed");
		return HK_STORE_ERROR;
	}
	return HK_STORE_OK;
}

enum hk_store_rc
hk_server_load(struct hk_db *db, const unsigned char key[HK_KEY_LEN],
    long long id, bool with_secrets, struct hk_server *out)
{
	sqlite3_stmt *st = hk_db_prepare(db,
	    "SELECT " SERVER_COLS " FROM mail_servers WHERE id = ?1");
	enum hk_store_rc rc = HK_STORE_OK;
	int r;

	memset(out, 0, sizeof(*out));
	sqlite3_bind_int64(st, 1, id);
	r = sqlite3_step(st);
	if (r == SQLITE_ROW) {
		from_row(st, out);
		if (with_secrets)
			rc = open_password(st, key, out);
	} else {
		rc = r == SQLITE_DONE ? HK_STORE_NOT_FOUND : hk_db_store_rc(db, r);
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
	sqlite3_stmt *st = hk_db_prepare(db,
	    "SELECT id, name FROM mail_servers ORDER BY position, id");
	long long found = 0;
	int r;

	*rc_r = HK_STORE_OK;
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		long long id = sqlite3_column_int64(st, 0);

		if (id != except_id && hk_name_equal(hk_db_text(st, 1), name)) {
			found = id;
			break;
		}
	}
	if (found == 0 && r != SQLITE_DONE) {
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
	sqlite3_stmt *st = hk_db_prepare(db,
	    "SELECT " SERVER_COLS " FROM mail_servers ORDER BY position, id");
	struct hk_server *v = NULL;
	size_t n = 0, cap = 0;
	int r;

	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		if (n == cap) {
			cap = cap ? cap * 2 : 8;
			v = hk_realloc(v, cap * sizeof(*v));
		}
		from_row(st, &v[n++]);
	}
	hk_db_done(st);
	if (r != SQLITE_DONE) {
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

/* ---- the form --------------------------------------------------------- */

static const char *
text_error_key(enum hk_valid v)
{
	switch (v) {
	case HK_VALID_EMPTY: return "error.required";
	case HK_VALID_TOO_LONG: return "error.too-long";
	case HK_VALID_CONTROL: return "error.encoding";
	default: return "error.choice";
	}
}

static void
read_host(const struct hk_params *form, const char *field, char **dst,
    struct hk_form_errors *errs)
{
	char *h = NULL;
	enum hk_valid v = hk_valid_host(hk_params_get(form, field), &h);

	switch (v) {
	case HK_VALID_OK:
		free(*dst);
		*dst = h;
		return;
	case HK_VALID_EMPTY:
		hk_form_error(errs, field, "error.required", NULL, NULL);
		return;
	case HK_VALID_CONTROL:
		hk_form_error(errs, field, "error.encoding", NULL, NULL);
		return;
	default:
		hk_form_error(errs, field, "error.host", NULL, NULL);
		return;
	}
}

static void
read_port(const struct hk_params *form, const char *field, int *dst,
    struct hk_form_errors *errs)
{
	const char *s = hk_params_get(form, field);

	switch (hk_valid_port(s, dst)) {
	case HK_VALID_OK:
		return;
	case HK_VALID_EMPTY:
		hk_form_error(errs, field, "error.required", NULL, NULL);
		return;
	default:
		hk_form_error(errs, field, "error.port", NULL, NULL);
		return;
	}
}

static void
read_security(const struct hk_params *form, const char *field,
    enum hk_security *dst, struct hk_form_errors *errs)
{
	if (hk_security_parse(hk_params_get(form, field), dst) < 0)
		hk_form_error(errs, field, "error.choice", NULL, NULL);
}

/* A checkbox: absent is off; present must say "on" (what browsers send)
 * or "1"/"true"/"yes" for scripts. */
static void
read_flag(const struct hk_params *form, const char *field, bool *dst,
    struct hk_form_errors *errs)
{
	const char *v = hk_params_get(form, field);

	if (v == NULL) {
		*dst = false;
		return;
	}
	if (strcmp(v, "on") == 0 || strcmp(v, "1") == 0 ||
	    strcmp(v, "true") == 0 || strcmp(v, "yes") == 0) {
		*dst = true;
		return;
	}
	if (strcmp(v, "off") == 0 || strcmp(v, "0") == 0 ||
	    strcmp(v, "false") == 0 || strcmp(v, "no") == 0) {
		*dst = false;
		return;
	}
	hk_form_error(errs, field, "error.choice", NULL, NULL);
}

static void
read_limit(const struct hk_params *form, const char *field, long long *dst,
    struct hk_form_errors *errs)
{
	const char *v = hk_params_get(form, field);

	if (v != NULL && *v != '\0' && strlen(v) <= 12 &&
	    strspn(v, "0123456789") == strlen(v) && (v[0] != '0' || v[1] == '\0')) {
		long long n = strtoll(v, NULL, 10);

		for (size_t i = 0; i < hk_server_limit_count; i++)
			if (hk_server_limits[i] == n) {
				*dst = n;
				return;
			}
	}
	hk_form_error(errs, field, "error.choice", NULL, NULL);
}

/* A module name as the SDK allows it: 1-32 of [a-z0-9._-], starting with
 * a letter or digit. */
static bool
module_name_shape(const char *s)
{
	size_t n = strlen(s);

	if (n < 1 || n > 32 || strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789._-") != n)
		return false;
	return (s[0] >= 'a' && s[0] <= 'z') || (s[0] >= '0' && s[0] <= '9');
}

static bool
smtp_auth_module(const struct hk_modset *mods, const char *name)
{
	const struct hk_authmod *m;

	if (mods == NULL)
		return module_name_shape(name);
	m = hk_modset_find(mods, name, HK_AUTHMOD_KIND_SASL);
	return m != NULL && (m->protocols & HK_AUTHMOD_PROTO_SMTP) != 0;
}

size_t
hk_server_from_form(const struct hk_params *form,
    const struct hk_modset *mods, unsigned flags, struct hk_server *out,
    struct hk_form_errors *errs)
{
	size_t before = errs->n;
	const char *v;
	char *t = NULL;
	enum hk_valid tv;

	hk_server_defaults(out);

	/* name */
	tv = hk_valid_text(hk_params_get(form, "name"), HK_SERVER_NAME_MAX, &t);
	if (tv == HK_VALID_OK) {
		free(out->name);
		out->name = t;
	} else {
		hk_form_error(errs, "name", text_error_key(tv),
		    tv == HK_VALID_TOO_LONG ? "100" : NULL, NULL);
	}

	/* sending */
	read_host(form, "smtp_host", &out->smtp_host, errs);
	read_port(form, "smtp_port", &out->smtp_port, errs);
	read_security(form, "smtp_security", &out->smtp_security, errs);
	read_flag(form, "smtp_tls_verify", &out->smtp_tls_verify, errs);
	read_flag(form, "smtp_auth", &out->smtp_auth, errs);

	v = hk_params_get(form, "smtp_auth_method");
	if (v == NULL || *v == '\0') {
		if (out->smtp_auth)
			hk_form_error(errs, "smtp_auth_method", "error.auth-method",
			    NULL, NULL);
	} else if (out->smtp_auth ? !smtp_auth_module(mods, v) :
	    !module_name_shape(v)) {
		/* Off, a stored method that is no longer loaded may stay. */
		hk_form_error(errs, "smtp_auth_method", "error.auth-method",
		    NULL, NULL);
	} else {
		set_str(&out->smtp_auth_method, v);
	}

	if (hk_credentials_parse(hk_params_get(form, "smtp_credentials"),
	    &out->smtp_credentials) < 0)
		hk_form_error(errs, "smtp_credentials", "error.choice", NULL, NULL);

	/* The fixed credentials: required only when they are used. */
	{
		bool need = out->smtp_auth && out->smtp_credentials == HK_CRED_FIXED;
		const char *user = hk_params_get(form, "smtp_user");
		const char *pw = hk_params_get(form, "smtp_password");

		if (out->smtp_credentials == HK_CRED_FIXED) {
			tv = hk_valid_text(user, HK_SERVER_USER_MAX, &t);
			if (tv == HK_VALID_OK) {
				free(out->smtp_user);
				out->smtp_user = t;
			} else if (tv != HK_VALID_EMPTY || need) {
				hk_form_error(errs, "smtp_user", text_error_key(tv),
				    tv == HK_VALID_TOO_LONG ? "255" : NULL, NULL);
			}
			if (pw != NULL && *pw != '\0') {
				if (hk_has_control(pw))
					hk_form_error(errs, "smtp_password",
					    "error.encoding", NULL, NULL);
				else if (strlen(pw) > HK_SERVER_PASSWORD_MAX)
					hk_form_error(errs, "smtp_password",
					    "error.too-long", "1024", NULL);
				else
					out->smtp_password = hk_strdup(pw);
			} else if (need && !(flags & HK_SERVER_FORM_CHANGE)) {
				hk_form_error(errs, "smtp_password",
				    "error.required", NULL, NULL);
			}
		}
	}

	if (hk_recv_protocol_parse(hk_params_get(form, "recv_protocol"),
	    &out->recv_protocol) < 0)
		hk_form_error(errs, "recv_protocol", "error.choice", NULL, NULL);

	read_flag(form, "pop_before_smtp", &out->pop_before_smtp, errs);
	if (out->pop_before_smtp && out->recv_protocol != HK_RECV_POP3 &&
	    !hk_form_has_error(errs, "recv_protocol"))
		hk_form_error(errs, "pop_before_smtp", "error.pop3-only", NULL, NULL);
	v = hk_params_get(form, "pop_before_smtp_wait");
	if (v != NULL && strlen(v) == 1 && v[0] >= '0' &&
	    v[0] <= '0' + HK_SERVER_WAIT_MAX)
		out->pop_before_smtp_wait = v[0] - '0';
	else
		hk_form_error(errs, "pop_before_smtp_wait", "error.range", "0", "5");
	read_limit(form, "send_limit", &out->send_limit, errs);

	/* receiving */
	read_flag(form, "apop", &out->apop, errs);
	if (out->apop && out->recv_protocol != HK_RECV_POP3 &&
	    !hk_form_has_error(errs, "recv_protocol"))
		hk_form_error(errs, "apop", "error.pop3-only", NULL, NULL);
	read_host(form, "recv_host", &out->recv_host, errs);
	read_security(form, "recv_security", &out->recv_security, errs);
	read_port(form, "recv_port", &out->recv_port, errs);
	read_flag(form, "recv_tls_verify", &out->recv_tls_verify, errs);
	read_limit(form, "recv_limit", &out->recv_limit, errs);

	return errs->n - before;
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

	return rc == SQLITE_OK ? HK_SERVER_OK : server_rc(rc);
}

static enum hk_server_rc
commit(struct hk_db *db)
{
	int rc = hk_db_commit(db);

	if (rc == SQLITE_OK)
		return HK_SERVER_OK;
	hk_db_rollback(db);
	return server_rc(rc);
}

/* Binds the SPEC fields of s to ?1..?20 in SERVER_COLS order (name first,
 * without the password). */
static void
bind_fields(sqlite3_stmt *st, const struct hk_server *s)
{
	sqlite3_bind_text(st, 1, s->name, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, s->smtp_host, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(st, 3, s->smtp_port);
	sqlite3_bind_text(st, 4, hk_security_name(s->smtp_security), -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 5, s->smtp_tls_verify);
	sqlite3_bind_int(st, 6, s->smtp_auth);
	sqlite3_bind_text(st, 7, s->smtp_auth_method, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 8, hk_credentials_name(s->smtp_credentials), -1, SQLITE_STATIC);
	if (s->smtp_credentials == HK_CRED_FIXED)
		sqlite3_bind_text(st, 9, s->smtp_user, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, 9);
	sqlite3_bind_int(st, 10, s->pop_before_smtp);
	sqlite3_bind_int(st, 11, s->pop_before_smtp_wait);
	sqlite3_bind_int64(st, 12, s->send_limit);
	sqlite3_bind_text(st, 13, hk_recv_protocol_name(s->recv_protocol), -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 14, s->apop);
	sqlite3_bind_text(st, 15, s->recv_host, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(st, 16, s->recv_port);
	sqlite3_bind_text(st, 17, hk_security_name(s->recv_security), -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 18, s->recv_tls_verify);
	sqlite3_bind_int64(st, 19, s->recv_limit);
	sqlite3_bind_int64(st, 20, (long long)time(NULL));
}

/* Seals and stores the password of s under its id. */
static int
store_password(struct hk_db *db, const unsigned char key[HK_KEY_LEN],
    long long id, const char *plain)
{
	sqlite3_stmt *st = hk_db_prepare(db,
	    "UPDATE mail_servers SET smtp_password = ?2 WHERE id = ?1");
	unsigned char *blob = NULL;
	size_t len = 0;
	int rc;

	sqlite3_bind_int64(st, 1, id);
	if (plain != NULL) {
		/* Never seal under a key that rotate-key has retired. */
		switch (hk_key_check(db, key, "mail_servers", id, &rc)) {
		case HK_KEY_FITS:
			break;
		case HK_KEY_RETIRED:
			hk_db_done(st);
			return SQLITE_BUSY;	/* 503: restart the workers */
		default:
			hk_db_done(st);
			return rc;
		}
		hk_secret_seal(key, "mail_servers", id, "smtp_password", plain,
		    &blob, &len);
		sqlite3_bind_blob(st, 2, blob, (int)len, SQLITE_TRANSIENT);
	} else {
		sqlite3_bind_null(st, 2);
	}
	rc = sqlite3_step(st);
	hk_db_done(st);
	free(blob);
	return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

/* "field: value" lines (create) or "field: old -> new" lines (update). */
static void
describe(struct hk_buf *b, const struct hk_server *old,
    const struct hk_server *s, bool password_changed)
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

/* Normalises what is stored with the credentials choice. */
static void
settle_credentials(struct hk_server *s)
{
	if (s->smtp_credentials != HK_CRED_FIXED) {
		set_str(&s->smtp_user, "");
		hk_free_secret(s->smtp_password);
		s->smtp_password = NULL;
	}
}

enum hk_server_rc
hk_server_create(struct hk_db *db, const unsigned char key[HK_KEY_LEN],
    const char *actor, struct hk_server *s)
{
	sqlite3_stmt *st;
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
	if ((r = sqlite3_step(st)) == SQLITE_ROW)
		position = sqlite3_column_int64(st, 0);
	hk_db_done(st);
	if (r != SQLITE_ROW) {
		rc = server_rc(r);
		goto fail;
	}
	st = hk_db_prepare(db,
	    "INSERT INTO mail_servers (name, smtp_host, smtp_port, smtp_security,"
	    " smtp_tls_verify, smtp_auth, smtp_auth_method, smtp_credentials,"
	    " smtp_user, pop_before_smtp, pop_before_smtp_wait, send_limit,"
	    " recv_protocol, apop, recv_host, recv_port, recv_security,"
	    " recv_tls_verify, recv_limit, created_at, updated_at, version,"
	    " position) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11,"
	    " ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?20, 1, ?21)");
	bind_fields(st, s);
	sqlite3_bind_int64(st, 21, position);
	r = sqlite3_step(st);
	hk_db_done(st);
	if (r != SQLITE_DONE) {
		/* The UNIQUE (NOCASE) constraint backs up id_by_name. */
		rc = (r & 0xff) == SQLITE_CONSTRAINT ? HK_SERVER_NAME_TAKEN :
		    server_rc(r);
		goto fail;
	}
	s->id = sqlite3_last_insert_rowid(hk_db_handle(db));
	s->version = 1;
	s->position = position;
	if (s->smtp_password != NULL &&
	    (r = store_password(db, key, s->id, s->smtp_password)) != SQLITE_OK) {
		rc = server_rc(r);
		goto fail;
	}
	s->smtp_password_set = s->smtp_password != NULL;
	describe(&details, NULL, s, s->smtp_password != NULL);
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
	sqlite3_stmt *st;
	enum hk_server_rc rc;
	enum hk_store_rc src;
	struct hk_buf details = HK_BUF_INIT;
	bool pw_changed;
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
	    " version = version + 1 WHERE id = ?21 AND version = ?22");
	bind_fields(st, s);
	sqlite3_bind_int64(st, 21, s->id);
	sqlite3_bind_int64(st, 22, s->version);
	r = sqlite3_step(st);
	hk_db_done(st);
	if (r != SQLITE_DONE) {
		rc = (r & 0xff) == SQLITE_CONSTRAINT ? HK_SERVER_NAME_TAKEN :
		    server_rc(r);
		goto fail;
	}
	if (sqlite3_changes(hk_db_handle(db)) != 1) {
		rc = HK_SERVER_STALE;
		goto fail;
	}
	/* The password: a new one replaces the stored one; none entered
	 * keeps it, unless the credentials are no longer fixed. */
	pw_changed = false;
	if (s->smtp_password != NULL) {
		pw_changed = true;
		r = store_password(db, key, s->id, s->smtp_password);
	} else if (s->smtp_credentials != HK_CRED_FIXED && old.smtp_password_set) {
		pw_changed = true;
		r = store_password(db, key, s->id, NULL);
	} else {
		r = SQLITE_OK;
	}
	if (r != SQLITE_OK) {
		rc = server_rc(r);
		goto fail;
	}
	s->smtp_password_set = s->smtp_password != NULL ||
	    (s->smtp_credentials == HK_CRED_FIXED && old.smtp_password_set);
	describe(&details, &old, s, pw_changed);
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
		sqlite3_stmt *st = hk_db_prepare(db,
		    "UPDATE mail_servers SET position = ?2 WHERE id = ?1");
		int r;

		sqlite3_bind_int64(st, 1, ids[i]);
		sqlite3_bind_int64(st, 2, (long long)i + 1);
		r = sqlite3_step(st);
		hk_db_done(st);
		if (r != SQLITE_DONE) {
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
	sqlite3_stmt *st;
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
	sqlite3_bind_int64(st, 1, id);
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		hk_buf_printf(&users, "%s\n", hk_db_text(st, 0));
		n_users++;
	}
	hk_db_done(st);
	if (r != SQLITE_DONE) {
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
		sqlite3_bind_int64(st, 1, id);
		sqlite3_bind_int64(st, 2, replace_with);
		sqlite3_bind_int64(st, 3, (long long)time(NULL));
		r = sqlite3_step(st);
		hk_db_done(st);
		if (r != SQLITE_DONE) {
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
	sqlite3_bind_int64(st, 1, id);
	r = sqlite3_step(st);
	hk_db_done(st);
	if (r != SQLITE_DONE) {
		rc = (r & 0xff) == SQLITE_CONSTRAINT ? HK_SERVER_IN_USE :
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
