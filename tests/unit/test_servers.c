/* test_servers.c - the mail-server model: defaults, the form reader, and
 * the audited writes against a real (temporary) SQLite database. */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "db.h"
#include "keycheck.h"
#include "mem.h"
#include "testdb.h"
#include "server_form.h"
#include "server_store.h"
#include "servers.h"

#define PW "Unit-test-secret-42"

struct fixture {
	struct hk_testdb *tdb;
	struct hk_db *db;	/* tdb->db, borrowed */
	unsigned char key[HK_KEY_LEN];
};

static int
setup(void **state)
{
	struct fixture *f = hk_calloc(1, sizeof(*f));

	if ((f->tdb = hk_testdb_new("servers", true)) == NULL)
		return free(f), -1;
	f->db = f->tdb->db;
	hk_random(f->key, sizeof(f->key));
	if (hk_key_record(f->db, f->key) != HK_SQL_OK)
		return -1;
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	hk_testdb_free(&f->tdb);
	free(f);
	return 0;
}

/* A valid form; "k=v" arguments override, a bare "k" removes. */
static void
form(struct hk_params *p, ...)
{
	static const char *const base[][2] = {
		{ "name", "Main" }, { "smtp_host", "smtp.example.jp" },
		{ "smtp_port", "587" }, { "smtp_security", "starttls" },
		{ "smtp_tls_verify", "on" }, { "smtp_auth", "on" },
		{ "smtp_auth_method", "plain" }, { "smtp_credentials", "fixed" },
		{ "smtp_user", "relay" }, { "smtp_password", PW },
		{ "pop_before_smtp_wait", "0" }, { "send_limit", "1048576" },
		{ "recv_protocol", "pop3" }, { "recv_host", "pop.example.jp" },
		{ "recv_port", "110" }, { "recv_security", "none" },
		{ "recv_tls_verify", "on" }, { "recv_limit", "0" },
	};
	const char *over[32];
	size_t nover = 0;
	va_list ap;
	const char *a;

	va_start(ap, p);
	while ((a = va_arg(ap, const char *)) != NULL && nover < 32)
		over[nover++] = a;
	va_end(ap);
	for (size_t i = 0; i < sizeof(base) / sizeof(base[0]); i++) {
		const char *v = base[i][1];
		bool drop = false;

		for (size_t j = 0; j < nover; j++) {
			size_t n = strlen(base[i][0]);

			if (strncmp(over[j], base[i][0], n) == 0 && over[j][n] == '=')
				v = over[j] + n + 1;
			else if (strcmp(over[j], base[i][0]) == 0)
				drop = true;
		}
		if (!drop)
			hk_params_add(p, base[i][0], v);
	}
	for (size_t j = 0; j < nover; j++) {
		const char *eq = strchr(over[j], '=');
		bool known = false;

		for (size_t i = 0; i < sizeof(base) / sizeof(base[0]); i++)
			if (eq != NULL && strlen(base[i][0]) == (size_t)(eq - over[j]) &&
			    strncmp(base[i][0], over[j], (size_t)(eq - over[j])) == 0)
				known = true;
		if (eq != NULL && !known) {
			char *k = hk_strndup(over[j], (size_t)(eq - over[j]));

			hk_params_add(p, k, eq + 1);
			free(k);
		}
	}
}

/* Reads a form built from the overrides; returns "field=key ..." of its
 * errors (static buffer). */
static const char *
read_errors(unsigned flags, struct hk_server *s, ...)
{
	static char out[512];
	struct hk_params p = HK_PARAMS_INIT;
	struct hk_form_errors e = HK_FORM_ERRORS_INIT;
	const char *over[8] = { NULL };
	size_t n = 0;
	va_list ap;
	const char *a;

	va_start(ap, s);
	while ((a = va_arg(ap, const char *)) != NULL && n < 7)
		over[n++] = a;
	va_end(ap);
	form(&p, over[0], over[1], over[2], over[3], over[4], over[5], over[6],
	    (const char *)NULL);
	hk_server_from_form(&p, NULL, flags, s, &e);
	hk_params_free(&p);
	out[0] = '\0';
	for (size_t i = 0; i < e.n; i++) {
		size_t len = strlen(out);

		snprintf(out + len, sizeof(out) - len, "%s%s=%s", len ? " " : "",
		    e.v[i].field, e.v[i].key);
	}
	return out;
}

static void
expect(const char *want, ...)
{
	struct hk_server s;
	const char *over[8] = { NULL };
	size_t n = 0;
	va_list ap;
	const char *a;

	va_start(ap, want);
	while ((a = va_arg(ap, const char *)) != NULL && n < 7)
		over[n++] = a;
	va_end(ap);
	assert_string_equal(read_errors(0, &s, over[0], over[1], over[2],
	    over[3], over[4], over[5], over[6], (const char *)NULL), want);
	hk_server_clear(&s);
}

static void
test_defaults(void **state)
{
	struct hk_server s;

	(void)state;
	hk_server_defaults(&s);
	assert_int_equal(s.smtp_port, 25);
	assert_int_equal(s.smtp_security, HK_SEC_NONE);
	assert_true(s.smtp_tls_verify);
	assert_false(s.smtp_auth);
	assert_string_equal(s.smtp_auth_method, "login");
	assert_int_equal(s.smtp_credentials, HK_CRED_ACCOUNT);
	assert_false(s.pop_before_smtp);
	assert_int_equal(s.pop_before_smtp_wait, 0);
	assert_int_equal(s.send_limit, 0);
	assert_int_equal(s.recv_protocol, HK_RECV_POP3);
	assert_false(s.apop);
	assert_int_equal(s.recv_port, 110);
	assert_true(s.recv_tls_verify);
	assert_int_equal(s.recv_limit, 0);
	assert_string_equal(s.recv_auth_method, "password");
	assert_null(s.smtp_password);
	hk_server_clear(&s);
	assert_null(s.name);
	assert_int_equal(hk_recv_default_port(HK_RECV_POP3, HK_SEC_NONE), 110);
	assert_int_equal(hk_recv_default_port(HK_RECV_POP3, HK_SEC_STARTTLS), 110);
	assert_int_equal(hk_recv_default_port(HK_RECV_POP3, HK_SEC_TLS), 995);
	assert_int_equal(hk_recv_default_port(HK_RECV_IMAP4, HK_SEC_NONE), 143);
	assert_int_equal(hk_recv_default_port(HK_RECV_IMAP4, HK_SEC_TLS), 993);
}

static void
test_form_valid(void **state)
{
	struct hk_server s;

	(void)state;
	assert_string_equal(read_errors(0, &s, "name=  本社  ",
	    "recv_host=メール.例え.jp", "smtp_host=[2001:db8::1]", "apop=on",
	    (const char *)NULL), "");
	assert_string_equal(s.name, "本社");
	assert_string_equal(s.recv_host, "xn--4dkua4c.xn--r8jz45g.jp");
	assert_string_equal(s.smtp_host, "2001:db8::1");
	assert_int_equal(s.smtp_port, 587);
	assert_int_equal(s.smtp_security, HK_SEC_STARTTLS);
	assert_true(s.smtp_auth);
	assert_true(s.apop);
	assert_false(s.pop_before_smtp);	/* absent = off */
	assert_int_equal(s.smtp_credentials, HK_CRED_FIXED);
	assert_string_equal(s.smtp_password, PW);
	assert_int_equal(s.send_limit, 1048576);
	hk_server_clear(&s);
	/* Checkboxes absent are off, even those that default to on. */
	assert_string_equal(read_errors(0, &s, "smtp_tls_verify", "recv_tls_verify",
	    "smtp_auth", (const char *)NULL), "");
	assert_false(s.smtp_tls_verify);
	assert_false(s.recv_tls_verify);
	assert_false(s.smtp_auth);
	hk_server_clear(&s);
	for (int w = 0; w <= 5; w++) {
		char v[32];

		snprintf(v, sizeof(v), "pop_before_smtp_wait=%d", w);
		assert_string_equal(read_errors(0, &s, v, "pop_before_smtp=on",
		    (const char *)NULL), "");
		assert_int_equal(s.pop_before_smtp_wait, w);
		hk_server_clear(&s);
	}
	static const char *const limits[] = { "0", "524288", "1048576",
	    "3145728", "5242880", "10485760" };
	for (size_t i = 0; i < 6; i++) {
		char a[40], b[40];

		snprintf(a, sizeof(a), "send_limit=%s", limits[i]);
		snprintf(b, sizeof(b), "recv_limit=%s", limits[i]);
		assert_string_equal(read_errors(0, &s, a, b, (const char *)NULL), "");
		assert_int_equal(s.send_limit, strtoll(limits[i], NULL, 10));
		assert_int_equal(s.recv_limit, s.send_limit);
		hk_server_clear(&s);
	}
}

static void
test_form_invalid(void **state)
{
	struct hk_server s;

	(void)state;
	expect("name=error.required", "name=   ", (const char *)NULL);
	expect("name=error.required", "name", (const char *)NULL);
	expect("name=error.encoding", "name=a\r\nb", (const char *)NULL);
	expect("smtp_host=error.host", "smtp_host=bad_host", (const char *)NULL);
	expect("smtp_host=error.required", "smtp_host=", (const char *)NULL);
	expect("recv_host=error.encoding", "recv_host=a.jp\n", (const char *)NULL);
	expect("smtp_port=error.port", "smtp_port=0", (const char *)NULL);
	expect("smtp_port=error.port", "smtp_port=65536", (const char *)NULL);
	expect("smtp_port=error.port", "smtp_port=8a", (const char *)NULL);
	expect("smtp_port=error.port", "smtp_port=+25", (const char *)NULL);
	expect("smtp_port=error.required", "smtp_port=", (const char *)NULL);
	expect("recv_port=error.required", "recv_port", (const char *)NULL);
	expect("smtp_security=error.choice", "smtp_security=ssl", (const char *)NULL);
	expect("smtp_security=error.choice", "smtp_security=NONE", (const char *)NULL);
	expect("smtp_security=error.choice", "smtp_security", (const char *)NULL);
	expect("recv_security=error.choice", "recv_security=", (const char *)NULL);
	expect("smtp_credentials=error.choice", "smtp_credentials=both", (const char *)NULL);
	expect("recv_protocol=error.choice", "recv_protocol=imap", (const char *)NULL);
	expect("recv_protocol=error.choice", "recv_protocol=pop3 ", (const char *)NULL);
	expect("send_limit=error.choice", "send_limit=1", (const char *)NULL);
	expect("send_limit=error.choice", "send_limit=-0", (const char *)NULL);
	expect("recv_limit=error.choice", "recv_limit=010485760", (const char *)NULL);
	expect("recv_limit=error.choice", "recv_limit=", (const char *)NULL);
	expect("pop_before_smtp_wait=error.range", "pop_before_smtp_wait=6", (const char *)NULL);
	expect("pop_before_smtp_wait=error.range", "pop_before_smtp_wait=-1", (const char *)NULL);
	expect("pop_before_smtp_wait=error.range", "pop_before_smtp_wait=", (const char *)NULL);
	expect("smtp_tls_verify=error.choice", "smtp_tls_verify=maybe", (const char *)NULL);
	expect("apop=error.pop3-only", "recv_protocol=imap4", "apop=on", (const char *)NULL);
	expect("pop_before_smtp=error.pop3-only", "recv_protocol=imap4",
	    "pop_before_smtp=on", (const char *)NULL);
	expect("smtp_auth_method=error.auth-method", "smtp_auth_method=NTLM", (const char *)NULL);
	expect("smtp_auth_method=error.auth-method", "smtp_auth_method=", (const char *)NULL);
	expect("smtp_user=error.required smtp_password=error.required",
	    "smtp_user=", "smtp_password=", (const char *)NULL);
	expect("smtp_password=error.encoding", "smtp_password=a\rb", (const char *)NULL);
	/* recv_auth_method: the password, or a module's name; not with
	 * APOP; the OAuth 2.0 methods need a provider, which no server has
	 * yet. */
	expect("recv_auth_method=error.recv-auth-method",
	    "recv_auth_method=CRAM-MD5", (const char *)NULL);
	expect("recv_auth_method=error.recv-auth-oauth2",
	    "recv_auth_method=xoauth2", (const char *)NULL);
	expect("recv_auth_method=error.recv-auth-oauth2",
	    "recv_auth_method=oauthbearer", (const char *)NULL);
	expect("apop=error.apop-password-only", "apop=on",
	    "recv_auth_method=cram-md5", (const char *)NULL);
	expect("", "apop=on", "recv_auth_method=password", (const char *)NULL);
	assert_string_equal(read_errors(0, &s, "recv_auth_method=cram-md5",
	    (const char *)NULL), "");
	assert_string_equal(s.recv_auth_method, "cram-md5");
	hk_server_clear(&s);
	assert_string_equal(read_errors(0, &s, "recv_auth_method",
	    (const char *)NULL), "");
	assert_string_equal(s.recv_auth_method, "password");
	hk_server_clear(&s);
	/* With SMTP-AUTH off the fixed credentials are not needed. */
	expect("", "smtp_auth", "smtp_user=", "smtp_password=", (const char *)NULL);
	/* On change, an empty password keeps the stored one. */
	assert_string_equal(read_errors(HK_SERVER_FORM_CHANGE, &s, "smtp_password=",
	    (const char *)NULL), "");
	assert_null(s.smtp_password);
	hk_server_clear(&s);
}

static long long
create(struct fixture *f, const char *name, const char *password)
{
	struct hk_params p = HK_PARAMS_INIT;
	struct hk_form_errors e = HK_FORM_ERRORS_INIT;
	struct hk_server s;
	char n[128], pw[128];
	long long id;

	snprintf(n, sizeof(n), "name=%s", name);
	snprintf(pw, sizeof(pw), "smtp_password=%s", password ? password : "");
	form(&p, n, pw, password ? "smtp_credentials=fixed" : "smtp_credentials=account",
	    (const char *)NULL);
	assert_int_equal(hk_server_from_form(&p, NULL, 0, &s, &e), 0);
	assert_int_equal(hk_server_create(f->db, f->key, "tester", &s), HK_SERVER_OK);
	id = s.id;
	hk_server_clear(&s);
	hk_params_free(&p);
	return id;
}

static long long
count(struct fixture *f, const char *sql)
{
	struct hk_sql_stmt *st = hk_db_prepare(f->db, sql);
	long long n = -1;

	if (hk_sql_step(st) == HK_SQL_ROW)
		n = hk_sql_column_int64(st, 0);
	hk_db_done(st);
	return n;
}

static void
test_store(void **state)
{
	struct fixture *f = *state;
	struct hk_server s, t;
	long long a, b, c;
	bool used;

	a = create(f, "Main", PW);
	b = create(f, "Backup", NULL);
	c = create(f, "第三", NULL);
	assert_true(a > 0 && b > a && c > b);

	/* Loading: the password only with secrets, then in clear. */
	assert_int_equal(hk_server_load(f->db, f->key, a, false, &s), HK_STORE_OK);
	assert_null(s.smtp_password);
	assert_true(s.smtp_password_set);
	assert_int_equal(s.position, 1);
	assert_int_equal(s.version, 1);
	hk_server_clear(&s);
	assert_int_equal(hk_server_load(f->db, f->key, a, true, &s), HK_STORE_OK);
	assert_string_equal(s.smtp_password, PW);
	hk_server_clear(&s);
	assert_int_equal(hk_server_load(f->db, f->key, 9999, false, &s), HK_STORE_NOT_FOUND);
	assert_int_equal(count(f, "SELECT count(*) FROM mail_servers"
	    " WHERE instr(smtp_password, 'Unit-test-secret') > 0"), 0);

	/* Names are unique without regard to case, full width included. */
	assert_int_equal(hk_server_name_used(f->db, "MAIN", 0, &used), HK_STORE_OK);
	assert_true(used);
	assert_int_equal(hk_server_name_used(f->db, "ｍａｉｎ", 0, &used), HK_STORE_OK);
	assert_true(used);
	assert_int_equal(hk_server_name_used(f->db, "main", a, &used), HK_STORE_OK);
	assert_false(used);
	assert_int_equal(hk_server_find_by_name(f->db, f->key, "backup", false, &s), HK_STORE_OK);
	assert_int_equal(s.id, b);
	hk_server_clear(&s);
	assert_int_equal(hk_server_find_by_name(f->db, f->key, "nope", false, &s),
	    HK_STORE_NOT_FOUND);
	hk_server_defaults(&s);
	free(s.name);
	s.name = hk_strdup("ＭＡＩＮ");
	assert_int_equal(hk_server_create(f->db, f->key, "tester", &s), HK_SERVER_NAME_TAKEN);
	assert_int_equal(s.id, 0);
	hk_server_clear(&s);

	/* Update: stale versions write nothing; an empty password keeps. */
	assert_int_equal(hk_server_load(f->db, f->key, a, false, &s), HK_STORE_OK);
	s.smtp_port = 2525;
	s.version = 7;
	assert_int_equal(hk_server_update(f->db, f->key, "tester", &s), HK_SERVER_STALE);
	assert_int_equal(hk_server_load(f->db, f->key, a, true, &t), HK_STORE_OK);
	assert_int_equal(t.smtp_port, 587);
	assert_int_equal(t.version, 1);
	hk_server_clear(&t);
	s.version = 1;
	assert_string_equal(s.recv_auth_method, "password");
	free(s.recv_auth_method);
	s.recv_auth_method = hk_strdup("cram-md5");
	assert_int_equal(hk_server_update(f->db, f->key, "tester", &s), HK_SERVER_OK);
	assert_int_equal(s.version, 2);
	assert_int_equal(hk_server_load(f->db, f->key, a, true, &t), HK_STORE_OK);
	assert_int_equal(t.smtp_port, 2525);
	assert_string_equal(t.smtp_password, PW);
	assert_string_equal(t.recv_auth_method, "cram-md5");
	hk_server_clear(&t);
	/* Another name taken on update. */
	free(s.name);
	s.name = hk_strdup("backup");
	assert_int_equal(hk_server_update(f->db, f->key, "tester", &s), HK_SERVER_NAME_TAKEN);
	/* Leaving fixed credentials drops the stored password. */
	free(s.name);
	s.name = hk_strdup("Main");
	s.smtp_credentials = HK_CRED_ACCOUNT;
	assert_int_equal(hk_server_update(f->db, f->key, "tester", &s), HK_SERVER_OK);
	assert_false(s.smtp_password_set);
	assert_int_equal(count(f, "SELECT count(*) FROM mail_servers WHERE"
	    " smtp_password IS NOT NULL"), 0);
	s.id = 9999;
	assert_int_equal(hk_server_update(f->db, f->key, "tester", &s), HK_SERVER_NOT_FOUND);
	hk_server_clear(&s);

	/* Reorder: a permutation of all ids, or nothing. */
	{
		long long bad1[] = { a, b }, bad2[] = { a, a, b }, bad3[] = { a, b, 9999 };
		long long good[] = { c, a, b };
		struct hk_server *list;
		size_t n;

		assert_int_equal(hk_server_reorder(f->db, "tester", bad1, 2), HK_SERVER_BAD_ORDER);
		assert_int_equal(hk_server_reorder(f->db, "tester", bad2, 3), HK_SERVER_BAD_ORDER);
		assert_int_equal(hk_server_reorder(f->db, "tester", bad3, 3), HK_SERVER_BAD_ORDER);
		assert_int_equal(hk_server_reorder(f->db, "tester", NULL, 0), HK_SERVER_BAD_ORDER);
		assert_int_equal(hk_server_reorder(f->db, "tester", good, 3), HK_SERVER_OK);
		assert_int_equal(hk_server_list(f->db, &list, &n), HK_STORE_OK);
		assert_int_equal(n, 3);
		assert_int_equal(list[0].id, c);
		assert_int_equal(list[1].id, a);
		assert_int_equal(list[2].id, b);
		hk_server_list_free(&list, n);
		assert_null(list);
		assert_int_equal(count(f, "SELECT count(*) FROM audit_log WHERE"
		    " action = 'reorder'"), 1);
	}

	/* Delete: in use, replacement, audit. */
	{
		struct hk_buf users = HK_BUF_INIT;
		char *sql = hk_aprintf("INSERT INTO mail_accounts (name, address,"
		    " server_id, username, password, created_at, updated_at)"
		    " VALUES ('Zed', 'z@example.jp', %lld, 'z', x'00', 0, 0),"
		    " ('Amy', 'a@example.jp', %lld, 'a', x'00', 0, 0)", a, a);

		assert_int_equal(hk_db_exec(f->db, sql), HK_SQL_OK);
		free(sql);
		assert_int_equal(hk_server_delete(f->db, "tester", a, 0, &users), HK_SERVER_IN_USE);
		assert_string_equal(hk_buf_str(&users), "Amy\nZed\n");
		hk_buf_free(&users);
		assert_int_equal(hk_server_delete(f->db, "tester", a, a, NULL), HK_SERVER_BAD_REPLACEMENT);
		assert_int_equal(hk_server_delete(f->db, "tester", a, 9999, NULL), HK_SERVER_BAD_REPLACEMENT);
		assert_int_equal(count(f, "SELECT count(*) FROM mail_servers"), 3);
		assert_int_equal(hk_server_delete(f->db, "tester", a, b, NULL), HK_SERVER_OK);
		assert_int_equal(count(f, "SELECT count(*) FROM mail_servers"), 2);
		sql = hk_aprintf("SELECT count(*) FROM mail_accounts WHERE server_id = %lld", b);
		assert_int_equal(count(f, sql), 2);
		free(sql);
		assert_int_equal(hk_server_delete(f->db, "tester", c, 0, NULL), HK_SERVER_OK);
		assert_int_equal(hk_server_delete(f->db, "tester", c, 0, NULL), HK_SERVER_NOT_FOUND);
	}

	/* Every write was audited, never with the password. */
	assert_int_equal(count(f, "SELECT count(*) FROM audit_log WHERE action = 'create'"), 3);
	assert_int_equal(count(f, "SELECT count(*) FROM audit_log WHERE action = 'update'"), 2);
	assert_int_equal(count(f, "SELECT count(*) FROM audit_log WHERE action = 'delete'"), 2);
	assert_int_equal(count(f, "SELECT count(*) FROM audit_log WHERE"
	    " details LIKE '%smtp_port: 587 -> 2525%'"), 1);
	assert_int_equal(count(f, "SELECT count(*) FROM audit_log WHERE"
	    " details LIKE '%Unit-test-secret%'"), 0);
	assert_int_equal(count(f, "SELECT count(*) FROM audit_log WHERE"
	    " details LIKE '%smtp_password: (changed)%'"), 2);
}

/* ---- OAuth 2.0 -------------------------------------------------------- */

static void
test_oauth2_presets(void **state)
{
	const struct hk_oauth2_preset *ms = hk_oauth2_preset_find("microsoft");
	const struct hk_oauth2_preset *g = hk_oauth2_preset(HK_OAUTH2_GOOGLE);
	enum hk_oauth2_provider p;
	enum hk_oauth2_grant gr;
	char *u;

	(void)state;
	assert_non_null(ms);
	assert_string_equal(ms->tenant, "organizations");
	u = hk_oauth2_preset_url(ms->token_url, "contoso.example");
	assert_string_equal(u, "https://login.microsoftonline.com/"
	    "contoso.example/oauth2/v2.0/token");
	free(u);
	u = hk_oauth2_preset_url(ms->device_url, NULL);
	assert_string_equal(u, "https://login.microsoftonline.com/"
	    "organizations/oauth2/v2.0/devicecode");
	free(u);
	assert_non_null(strstr(ms->scope, "offline_access"));
	assert_string_equal(hk_oauth2_preset_scope(ms, HK_OAUTH2_GRANT_CLIENT),
	    "https://outlook.office365.com/.default");
	assert_string_equal(ms->smtp.host, "smtp.office365.com");
	assert_int_equal(ms->smtp.port, 587);
	assert_string_equal(g->scope, "https://mail.google.com/");
	assert_string_equal(hk_oauth2_preset_scope(g, HK_OAUTH2_GRANT_CLIENT),
	    "https://mail.google.com/");
	assert_string_equal(g->imap.host, "imap.gmail.com");
	assert_null(hk_oauth2_preset(HK_OAUTH2_CUSTOM)->token_url);
	assert_null(hk_oauth2_preset_find("yahoo"));
	assert_int_equal(hk_oauth2_provider_parse("custom", &p), 0);
	assert_int_equal(p, HK_OAUTH2_CUSTOM);
	assert_int_equal(hk_oauth2_provider_parse("Custom", &p), -1);
	assert_int_equal(hk_oauth2_grant_parse("client_credentials", &gr), 0);
	assert_int_equal(gr, HK_OAUTH2_GRANT_CLIENT);
	assert_int_equal(hk_oauth2_grant_parse("password", &gr), -1);
}

static void
test_oauth2_form(void **state)
{
	struct hk_server s;

	(void)state;
	/* Absent: none, and nothing of it kept. */
	assert_string_equal(read_errors(0, &s, (const char *)NULL), "");
	assert_int_equal(s.oauth2_provider, HK_OAUTH2_NONE);
	hk_server_clear(&s);
	assert_string_equal(read_errors(0, &s, "oauth2_provider=none",
	    "oauth2_auth_url=http://x", "oauth2_client_id=", (const char *)NULL),
	    "");
	assert_string_equal(s.oauth2_auth_url, "");
	hk_server_clear(&s);
	assert_string_equal(read_errors(0, &s, "oauth2_provider=yahoo",
	    (const char *)NULL), "oauth2_provider=error.choice");
	hk_server_clear(&s);

	/* A preset fills what is left empty. */
	assert_string_equal(read_errors(0, &s, "oauth2_provider=microsoft",
	    "oauth2_client_id=app-1", (const char *)NULL), "");
	assert_string_equal(s.oauth2_tenant, "organizations");
	assert_string_equal(s.oauth2_auth_url, "https://login.microsoftonline.com/"
	    "organizations/oauth2/v2.0/authorize");
	assert_string_equal(s.oauth2_scope,
	    hk_oauth2_preset(HK_OAUTH2_MICROSOFT)->scope);
	assert_int_equal(s.oauth2_grant, HK_OAUTH2_GRANT_CODE);
	hk_server_clear(&s);
	/* Endpoints of another tenant follow the tenant field. */
	assert_string_equal(read_errors(0, &s, "oauth2_provider=microsoft",
	    "oauth2_client_id=app-1", "oauth2_tenant=contoso.example",
	    "oauth2_token_url=https://login.microsoftonline.com/organizations/"
	    "oauth2/v2.0/token", (const char *)NULL), "");
	assert_string_equal(s.oauth2_token_url, "https://login.microsoftonline.com/"
	    "contoso.example/oauth2/v2.0/token");
	hk_server_clear(&s);
	assert_string_equal(read_errors(0, &s, "oauth2_provider=microsoft",
	    "oauth2_client_id=app-1", "oauth2_tenant=a/b", (const char *)NULL),
	    "oauth2_tenant=error.oauth2-tenant");
	hk_server_clear(&s);
	/* The client id is required. */
	assert_string_equal(read_errors(0, &s, "oauth2_provider=google",
	    (const char *)NULL), "oauth2_client_id=error.required");
	hk_server_clear(&s);

	/* client_credentials needs a secret (on add: here), and takes the
	 * app-only scope in place of the delegated preset one. */
	assert_string_equal(read_errors(0, &s, "oauth2_provider=microsoft",
	    "oauth2_client_id=app-1", "oauth2_grant=client_credentials",
	    (const char *)NULL),
	    "oauth2_client_secret=error.oauth2-secret-needed");
	hk_server_clear(&s);
	assert_string_equal(read_errors(HK_SERVER_FORM_CHANGE, &s,
	    "oauth2_provider=microsoft", "oauth2_client_id=app-1",
	    "oauth2_grant=client_credentials", (const char *)NULL), "");
	hk_server_clear(&s);
	assert_string_equal(read_errors(0, &s, "oauth2_provider=microsoft",
	    "oauth2_client_id=app-1", "oauth2_grant=client_credentials",
	    "oauth2_client_secret=s3cret",
	    "oauth2_scope=https://outlook.office.com/IMAP.AccessAsUser.All"
	    " https://outlook.office.com/POP.AccessAsUser.All"
	    " https://outlook.office.com/SMTP.Send offline_access",
	    (const char *)NULL), "");
	assert_string_equal(s.oauth2_scope, "https://outlook.office365.com/.default");
	assert_string_equal(s.oauth2_client_secret, "s3cret");
	hk_server_clear(&s);
	assert_string_equal(read_errors(0, &s, "oauth2_provider=google",
	    "oauth2_client_id=app-1", "oauth2_grant=device",
	    (const char *)NULL), "oauth2_grant=error.choice");
	hk_server_clear(&s);

	/* custom: https endpoints and a scope of its own. */
	assert_string_equal(read_errors(0, &s, "oauth2_provider=custom",
	    "oauth2_client_id=app-1", (const char *)NULL),
	    "oauth2_auth_url=error.required oauth2_token_url=error.required"
	    " oauth2_scope=error.required");
	hk_server_clear(&s);
	assert_string_equal(read_errors(0, &s, "oauth2_provider=custom",
	    "oauth2_client_id=app-1", "oauth2_auth_url=http://idp.example/a",
	    "oauth2_token_url=https:///token", "oauth2_device_url=ftp://x",
	    "oauth2_scope=imap \"smtp\"", (const char *)NULL),
	    "oauth2_auth_url=error.https-url oauth2_token_url=error.https-url"
	    " oauth2_device_url=error.https-url oauth2_scope=error.oauth2-scope");
	hk_server_clear(&s);
	assert_string_equal(read_errors(0, &s, "oauth2_provider=custom",
	    "oauth2_client_id=app-1", "oauth2_auth_url=https://idp.example/a",
	    "oauth2_token_url=https://idp.example:8443/token",
	    "oauth2_scope=  imap   smtp ", (const char *)NULL), "");
	assert_string_equal(s.oauth2_scope, "imap smtp");
	assert_string_equal(s.oauth2_device_url, "");
	hk_server_clear(&s);
	/* client_credentials needs no authorization endpoint. */
	assert_string_equal(read_errors(0, &s, "oauth2_provider=custom",
	    "oauth2_client_id=app-1", "oauth2_grant=client_credentials",
	    "oauth2_client_secret=x", "oauth2_token_url=https://idp.example/t",
	    "oauth2_scope=mail", (const char *)NULL), "");
	hk_server_clear(&s);
}

/* The client secret: sealed under the server, kept when left empty,
 * dropped with the provider; stored, it satisfies client_credentials. */
static void
test_oauth2_store(void **state)
{
	struct fixture *f = *state;
	struct hk_form_errors e = HK_FORM_ERRORS_INIT;
	struct hk_server s, l, c;

	assert_string_equal(read_errors(0, &s, "oauth2_provider=google",
	    "oauth2_client_id=app-1", "oauth2_client_secret=Top-Secret-9",
	    (const char *)NULL), "");
	assert_int_equal(hk_server_create(f->db, f->key, "t", &s), HK_SERVER_OK);
	assert_true(s.oauth2_client_secret_set);
	assert_int_equal(hk_server_load(f->db, f->key, s.id, false, &l),
	    HK_STORE_OK);
	assert_int_equal(l.oauth2_provider, HK_OAUTH2_GOOGLE);
	assert_true(l.oauth2_client_secret_set);
	assert_null(l.oauth2_client_secret);
	assert_string_equal(l.oauth2_token_url, "https://oauth2.googleapis.com/token");
	hk_server_clear(&l);
	assert_int_equal(hk_server_load(f->db, f->key, s.id, true, &l),
	    HK_STORE_OK);
	assert_string_equal(l.oauth2_client_secret, "Top-Secret-9");

	/* Change with the secret left empty: kept; client_credentials is
	 * then satisfied by the stored one. */
	assert_string_equal(read_errors(HK_SERVER_FORM_CHANGE, &c,
	    "oauth2_provider=google", "oauth2_client_id=app-2",
	    "oauth2_grant=client_credentials", (const char *)NULL), "");
	hk_server_form_stored(&c, &l, &e);
	assert_int_equal(e.n, 0);
	c.id = s.id;
	c.version = l.version;
	assert_int_equal(hk_server_update(f->db, f->key, "t", &c), HK_SERVER_OK);
	hk_server_clear(&l);
	assert_int_equal(hk_server_load(f->db, f->key, s.id, true, &l),
	    HK_STORE_OK);
	assert_string_equal(l.oauth2_client_secret, "Top-Secret-9");
	assert_string_equal(l.oauth2_client_id, "app-2");
	hk_server_clear(&c);

	/* Provider none: the secret and the rest go. */
	assert_string_equal(read_errors(HK_SERVER_FORM_CHANGE, &c,
	    "oauth2_provider=none", (const char *)NULL), "");
	c.id = s.id;
	c.version = l.version;
	assert_int_equal(hk_server_update(f->db, f->key, "t", &c), HK_SERVER_OK);
	hk_server_clear(&l);
	assert_int_equal(hk_server_load(f->db, f->key, s.id, true, &l),
	    HK_STORE_OK);
	assert_false(l.oauth2_client_secret_set);
	assert_null(l.oauth2_client_secret);
	assert_string_equal(l.oauth2_client_id, "");
	/* Now client_credentials without a secret is refused on change. */
	hk_server_clear(&c);
	assert_string_equal(read_errors(HK_SERVER_FORM_CHANGE, &c,
	    "oauth2_provider=google", "oauth2_client_id=app-2",
	    "oauth2_grant=client_credentials", (const char *)NULL), "");
	hk_server_form_stored(&c, &l, &e);
	assert_int_equal(e.n, 1);
	assert_string_equal(e.v[0].key, "error.oauth2-secret-needed");
	hk_server_clear(&c);
	hk_server_clear(&l);
	hk_server_clear(&s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_form_valid),
		cmocka_unit_test(test_form_invalid),
		cmocka_unit_test_setup_teardown(test_store, setup, teardown),
		cmocka_unit_test(test_oauth2_presets),
		cmocka_unit_test(test_oauth2_form),
		cmocka_unit_test_setup_teardown(test_oauth2_store, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
