/* test_accounts.c - the mail-account model: reading a form, storing with
 * the password sealed, optimistic locking, audit rows, unreadable values. */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "accounts.h"
#include "keycheck.h"
#include "params.h"
#include "secret.h"
#include "mem.h"
#include "testdb.h"

static const unsigned char key[HK_KEY_LEN] = "k-for-tests-k-for-tests-k-for-t";
static const unsigned char key2[HK_KEY_LEN] = "another-key-another-key-another";

/* A migrated database whose current key is key, as after init. */
static int
setup(void **state)
{
	struct hk_testdb *t = hk_testdb_new("acc", true);

	*state = t;
	return t != NULL && hk_key_record(t->db, key) == HK_SQL_OK ? 0 : -1;
}

static int
teardown(void **state)
{
	struct hk_testdb *t = *state;

	hk_testdb_free(&t);
	return 0;
}

static long long
add_server(struct hk_db *db, const char *name, int pos)
{
	struct hk_sql_stmt *st = hk_db_prepare(db, "INSERT INTO mail_servers "
	    "(position, name, smtp_host, smtp_port, smtp_security, "
	    "smtp_tls_verify, smtp_auth, smtp_auth_method, smtp_credentials, "
	    "pop_before_smtp, pop_before_smtp_wait, send_limit, recv_protocol, "
	    "apop, recv_host, recv_port, recv_security, recv_tls_verify, "
	    "recv_limit, created_at, updated_at) VALUES (?1, ?2, 'smtp.x', 25, "
	    "'none', 1, 0, 'login', 'account', 0, 0, 0, 'pop3', 0, 'pop.x', 110, "
	    "'none', 1, 0, 0, 0) RETURNING id");
	long long id;

	hk_sql_bind_int64(st, 1, pos);
	hk_sql_bind_text(st, 2, name);
	assert_int_equal(hk_sql_step(st), HK_SQL_ROW);
	id = hk_sql_column_int64(st, 0);
	hk_db_done(st);
	return id;
}

static long long
count_sql(struct hk_db *db, const char *sql)
{
	struct hk_sql_stmt *st = hk_db_prepare(db, sql);
	long long n = -1;

	if (hk_sql_step(st) == HK_SQL_ROW)
		n = hk_sql_column_int64(st, 0);
	hk_db_done(st);
	return n;
}

/* A form with the five fields. */
static void
form5(struct hk_params *p, const char *name, const char *address,
    const char *server, const char *user, const char *pw)
{
	hk_params_add(p, "name", name);
	hk_params_add(p, "address", address);
	hk_params_add(p, "server_id", server);
	hk_params_add(p, "username", user);
	hk_params_add(p, "password", pw);
}

static void
test_form_valid(void **state)
{
	struct hk_params p = HK_PARAMS_INIT;
	struct hk_form_errors e = HK_FORM_ERRORS_INIT;
	struct hk_account a = { 0 };

	(void)state;
	form5(&p, "  Support  ", " support@example.jp ", "3", " sup ", " pw ");
	assert_int_equal(hk_account_from_form(&p, 0, &a, &e), 0);
	assert_string_equal(a.name, "Support");
	assert_string_equal(a.address, "support@example.jp");
	assert_int_equal(a.server_id, 3);
	assert_string_equal(a.username, "sup");
	assert_string_equal(a.password, " pw ");	/* kept as typed */
	hk_account_clear(&a);
	hk_params_free(&p);
}

static void
test_form_errors(void **state)
{
	struct hk_params p = HK_PARAMS_INIT;
	struct hk_form_errors e = HK_FORM_ERRORS_INIT;
	struct hk_account a = { 0 };

	(void)state;
	form5(&p, "", "no-at-sign", "0", "", "");
	assert_int_equal(hk_account_from_form(&p, 0, &a, &e), 5);
	assert_string_equal(e.v[0].field, "name");
	assert_string_equal(e.v[0].key, "error.required");
	assert_string_equal(e.v[1].field, "address");
	assert_string_equal(e.v[1].key, "error.address");
	assert_string_equal(e.v[2].field, "server_id");
	assert_string_equal(e.v[2].key, "error.server-missing");
	assert_string_equal(e.v[3].field, "username");
	assert_string_equal(e.v[4].field, "password");
	assert_string_equal(a.address, "no-at-sign");	/* kept for the form */
	assert_null(a.password);
	hk_account_clear(&a);
	hk_params_free(&p);

	/* on change an empty password keeps the stored one */
	e.n = 0;
	form5(&p, "A", "a@example.jp", "1", "u", "");
	assert_int_equal(hk_account_from_form(&p, HK_ACCOUNT_FORM_CHANGE, &a,
	    &e), 0);
	assert_null(a.password);
	hk_account_clear(&a);
	hk_params_free(&p);
}

static void
test_form_controls_and_lengths(void **state)
{
	struct hk_params p = HK_PARAMS_INIT;
	struct hk_form_errors e = HK_FORM_ERRORS_INIT;
	struct hk_account a = { 0 };
	char name[102];

	(void)state;
	form5(&p, "A\r\nB", "a@example.jp\r\n", "1", "u\tx", "p\r\nQUIT");
	assert_int_equal(hk_account_from_form(&p, 0, &a, &e), 4);
	for (size_t i = 0; i < e.n; i++)
		assert_true(strcmp(e.v[i].key, "error.encoding") == 0 ||
		    strcmp(e.v[i].key, "error.address") == 0);
	assert_null(a.password);
	hk_account_clear(&a);
	hk_params_free(&p);

	e.n = 0;
	memset(name, 'n', 101);
	name[101] = '\0';
	form5(&p, name, "a@example.jp", "99999999999999999999", "u", "p");
	assert_int_equal(hk_account_from_form(&p, 0, &a, &e), 2);
	assert_string_equal(e.v[0].key, "error.too-long");
	assert_string_equal(e.v[0].args[0], "100");
	assert_string_equal(e.v[1].field, "server_id");
	hk_account_clear(&a);
	hk_params_free(&p);
}

static struct hk_account
make(long long server, const char *name, const char *pw)
{
	struct hk_account a = { 0 };

	a.name = hk_strdup(name);
	a.address = hk_strdup("x@example.jp");
	a.server_id = server;
	a.username = hk_strdup("user");
	a.password = pw ? hk_strdup(pw) : NULL;
	return a;
}

static void
test_create_load_secret(void **state)
{
	struct hk_testdb *f = *state;
	long long s = add_server(f->db, "Main", 1);
	struct hk_account a = make(s, "Support", "s3cret"), b = { 0 };
	struct hk_sql_stmt *st;
	char *plain = NULL;
	const void *blob;
	size_t len;

	assert_int_equal(hk_account_create(f->db, key, "alice", &a),
	    HK_ACCOUNT_OK);
	assert_true(a.id > 0);
	assert_int_equal(a.version, 1);
	/* stored sealed under its own id */
	st = hk_db_prepare(f->db, "SELECT password FROM mail_accounts "
	    "WHERE id = ?1");
	hk_sql_bind_int64(st, 1, a.id);
	assert_int_equal(hk_sql_step(st), HK_SQL_ROW);
	blob = hk_sql_column_blob(st, 0, &len);
	assert_int_equal(hk_secret_open(key, "mail_accounts", a.id, "password",
	    blob, len, &plain), HK_SECRET_OK);
	assert_string_equal(plain, "s3cret");
	hk_free_secret(plain);
	hk_db_done(st);

	assert_int_equal(hk_account_load(f->db, key, a.id, false, &b),
	    HK_STORE_OK);
	assert_string_equal(b.name, "Support");
	assert_string_equal(b.server_name, "Main");
	assert_true(b.password_set);
	assert_false(b.password_unreadable);
	assert_null(b.password);
	hk_account_clear(&b);
	assert_int_equal(hk_account_find_by_name(f->db, key, "SUPPORT", true,
	    &b), HK_STORE_OK);
	assert_string_equal(b.password, "s3cret");
	hk_account_clear(&b);
	assert_int_equal(hk_account_find_by_name(f->db, key, "nobody", false,
	    &b), HK_STORE_NOT_FOUND);
	assert_int_equal(hk_account_load(f->db, key, 999, false, &b),
	    HK_STORE_NOT_FOUND);
	assert_int_equal(count_sql(f->db, "SELECT count(*) FROM audit_log "
	    "WHERE actor = 'alice' AND action = 'create' AND details LIKE "
	    "'%password: (set)%' AND details NOT LIKE '%s3cret%'"), 1);
	hk_account_clear(&a);
}

static void
test_create_refusals(void **state)
{
	struct hk_testdb *f = *state;
	long long s = add_server(f->db, "Main", 1);
	struct hk_account a = make(s, "Support", "pw"), b = make(s, "sUPPORT",
	    "pw"), c = make(s + 100, "Other", "pw");

	assert_int_equal(hk_account_create(f->db, key, "alice", &a),
	    HK_ACCOUNT_OK);
	assert_int_equal(hk_account_create(f->db, key, "alice", &b),
	    HK_ACCOUNT_NAME_TAKEN);
	assert_int_equal(b.id, 0);
	assert_int_equal(hk_account_create(f->db, key, "alice", &c),
	    HK_ACCOUNT_NO_SERVER);
	assert_int_equal(count_sql(f->db, "SELECT count(*) FROM mail_accounts"),
	    1);
	assert_int_equal(count_sql(f->db, "SELECT count(*) FROM audit_log"), 1);
	hk_account_clear(&a);
	hk_account_clear(&b);
	hk_account_clear(&c);
}

static void
test_update_and_stale(void **state)
{
	struct hk_testdb *f = *state;
	long long s1 = add_server(f->db, "One", 1), s2 = add_server(f->db,
	    "Two", 2);
	struct hk_account a = make(s1, "Support", "pw"), b = { 0 };

	assert_int_equal(hk_account_create(f->db, key, "alice", &a),
	    HK_ACCOUNT_OK);
	hk_free_secret(a.password);
	a.password = NULL;
	a.server_id = s2;
	assert_int_equal(hk_account_update(f->db, key, "bob", &a),
	    HK_ACCOUNT_OK);
	assert_int_equal(a.version, 2);
	assert_int_equal(hk_account_load(f->db, key, a.id, true, &b),
	    HK_STORE_OK);
	assert_string_equal(b.password, "pw");	/* kept */
	assert_int_equal(b.server_id, s2);
	hk_account_clear(&b);
	assert_int_equal(count_sql(f->db, "SELECT count(*) FROM audit_log "
	    "WHERE actor = 'bob' AND details = 'server: One -> Two'"), 1);

	a.version = 1;	/* stale */
	a.password = hk_strdup("new");
	assert_int_equal(hk_account_update(f->db, key, "bob", &a),
	    HK_ACCOUNT_STALE);
	assert_int_equal(hk_account_load(f->db, key, a.id, true, &b),
	    HK_STORE_OK);
	assert_string_equal(b.password, "pw");
	assert_int_equal(b.version, 2);
	hk_account_clear(&b);

	a.version = 2;
	assert_int_equal(hk_account_update(f->db, key, "bob", &a),
	    HK_ACCOUNT_OK);
	assert_int_equal(count_sql(f->db, "SELECT count(*) FROM audit_log "
	    "WHERE details = 'password: (changed)'"), 1);
	assert_int_equal(hk_account_delete(f->db, "carol", a.id, 2),
	    HK_ACCOUNT_STALE);
	assert_int_equal(hk_account_delete(f->db, "carol", a.id, 3),
	    HK_ACCOUNT_OK);
	assert_int_equal(hk_account_delete(f->db, "carol", a.id, 0),
	    HK_ACCOUNT_NOT_FOUND);
	assert_int_equal(count_sql(f->db, "SELECT count(*) FROM audit_log "
	    "WHERE actor = 'carol' AND action = 'delete'"), 1);
	hk_account_clear(&a);
}

/* A value that no longer opens is reported, never handed out, and cannot
 * be silently kept; a worker holding another key may not write. */
static void
test_unreadable_and_wrong_key(void **state)
{
	struct hk_testdb *f = *state;
	long long s = add_server(f->db, "Main", 1);
	struct hk_account a = make(s, "A", "pw-a"), b = make(s, "B", "pw-b"),
	    l = { 0 }, *list;
	size_t n;

	assert_int_equal(hk_account_create(f->db, key, "x", &a), HK_ACCOUNT_OK);
	assert_int_equal(hk_account_create(f->db, key, "x", &b), HK_ACCOUNT_OK);
	assert_int_equal(hk_db_exec(f->db, "UPDATE mail_accounts SET password "
	    "= substr(password, 1, 20) || x'00' || substr(password, 22) "
	    "WHERE name = 'A'"), HK_SQL_OK);
	assert_int_equal(hk_account_load(f->db, key, a.id, true, &l),
	    HK_STORE_INVALID);
	assert_null(l.password);
	assert_true(l.password_unreadable);
	assert_string_equal(l.name, "A");
	hk_account_clear(&l);
	assert_int_equal(hk_account_list(f->db, key, &list, &n), HK_STORE_OK);
	assert_int_equal(n, 2);
	assert_true(list[0].password_unreadable);
	assert_false(list[1].password_unreadable);
	hk_account_list_free(&list, n);

	hk_free_secret(a.password);
	a.password = NULL;
	assert_int_equal(hk_account_update(f->db, key, "x", &a),
	    HK_ACCOUNT_UNREADABLE);
	a.password = hk_strdup("pw-a2");
	assert_int_equal(hk_account_update(f->db, key, "x", &a),
	    HK_ACCOUNT_OK);
	/* key2 opens nothing stored: writes are refused */
	b.version = 1;
	assert_int_equal(hk_account_update(f->db, key2, "x", &b),
	    HK_ACCOUNT_KEY_CHANGED);
	hk_account_clear(&b);
	b = make(s, "C", "pw-c");
	assert_int_equal(hk_account_create(f->db, key2, "x", &b),
	    HK_ACCOUNT_KEY_CHANGED);
	assert_int_equal(count_sql(f->db, "SELECT count(*) FROM mail_accounts"),
	    2);
	hk_account_clear(&a);
	hk_account_clear(&b);
}

/* Nothing stored to try a key on: the recorded fingerprint still tells
 * a retired key (a worker started before rotate-key) from the current
 * one, and a database that records no key takes no password at all. */
static void
test_retired_key_nothing_stored(void **state)
{
	struct hk_testdb *f = *state;
	long long s = add_server(f->db, "Main", 1);
	struct hk_account a = make(s, "A", "pw-a");

	assert_int_equal(hk_account_create(f->db, key2, "x", &a),
	    HK_ACCOUNT_KEY_CHANGED);
	assert_int_equal(count_sql(f->db, "SELECT count(*) FROM mail_accounts"),
	    0);
	/* rotate-key records key2: now key is the retired one. */
	assert_int_equal(hk_key_record(f->db, key2), HK_SQL_OK);
	assert_int_equal(hk_account_create(f->db, key, "x", &a),
	    HK_ACCOUNT_KEY_CHANGED);
	assert_int_equal(hk_account_create(f->db, key2, "x", &a),
	    HK_ACCOUNT_OK);
	hk_account_clear(&a);

	assert_int_equal(hk_db_exec(f->db, "DELETE FROM secret_key_id"),
	    HK_SQL_OK);
	a = make(s, "B", "pw-b");
	assert_int_equal(hk_account_create(f->db, key2, "x", &a),
	    HK_ACCOUNT_KEY_CHANGED);
	hk_account_clear(&a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_form_valid),
		cmocka_unit_test(test_form_errors),
		cmocka_unit_test(test_form_controls_and_lengths),
		cmocka_unit_test_setup_teardown(test_create_load_secret, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_create_refusals, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_retired_key_nothing_stored,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_update_and_stale, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_unreadable_and_wrong_key,
		    setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
