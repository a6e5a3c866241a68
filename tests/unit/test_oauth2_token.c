/* test_oauth2_token.c - the access token of a mail session
 * (src/lib-mail/oauth2_token.h): which stored token is used, refreshed,
 * or refused, and that an account that was never connected or needs
 * reconnecting fails with exit 4 without asking the provider (whose
 * token URL here is a closed port: asking it would be exit 5). */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "db.h"
#include "keycheck.h"
#include "mem.h"
#include "oauth2_token.h"
#include "testdb.h"

#define NOW 1000000LL

static struct hk_oauth2_tokens
stored(const char *access, long long expires, const char *refresh)
{
	struct hk_oauth2_tokens t;

	memset(&t, 0, sizeof(t));
	t.access_token = (char *)access;
	t.access_set = access != NULL;
	t.access_expires = expires;
	t.refresh_token = (char *)refresh;
	t.refresh_set = refresh != NULL;
	return t;
}

static void
test_need_code_grant(void **state)
{
	struct hk_oauth2_tokens t;

	(void)state;
	t = stored(NULL, 0, NULL);
	assert_int_equal(hk_oauth2_token_need(false, &t, false, NOW, -1),
	    HK_OAUTH2_NEED_CONNECT);
	/* Good for more than five minutes: used as is. */
	t = stored("at", NOW + HK_OAUTH2_MARGIN + 1, "rt");
	assert_int_equal(hk_oauth2_token_need(true, &t, false, NOW, -1),
	    HK_OAUTH2_NEED_USE);
	/* Within five minutes, or expired, or none: refreshed. */
	t = stored("at", NOW + HK_OAUTH2_MARGIN, "rt");
	assert_int_equal(hk_oauth2_token_need(true, &t, false, NOW, -1),
	    HK_OAUTH2_NEED_REFRESH);
	t = stored("at", NOW - 5, "rt");
	assert_int_equal(hk_oauth2_token_need(true, &t, false, NOW, -1),
	    HK_OAUTH2_NEED_REFRESH);
	t = stored(NULL, 0, "rt");
	assert_int_equal(hk_oauth2_token_need(true, &t, false, NOW, -1),
	    HK_OAUTH2_NEED_REFRESH);
	/* No lifetime given by the provider: used. */
	t = stored("at", 0, "rt");
	assert_int_equal(hk_oauth2_token_need(true, &t, false, NOW, -1),
	    HK_OAUTH2_NEED_USE);
	/* Expiring and nothing to refresh with. */
	t = stored("at", NOW + 10, NULL);
	assert_int_equal(hk_oauth2_token_need(true, &t, false, NOW, -1),
	    HK_OAUTH2_NEED_RECONNECT);
	/* needs_reconnect wins over a token that still looks good. */
	t = stored("at", NOW + 3600, "rt");
	t.needs_reconnect = true;
	assert_int_equal(hk_oauth2_token_need(true, &t, false, NOW, -1),
	    HK_OAUTH2_NEED_RECONNECT);
}

/* Re-read under the lock: another process's fresh token is used even
 * inside the margin (short-lived tokens would otherwise be refreshed by
 * every waiter); the same token as before is refreshed. */
static void
test_need_after_wait(void **state)
{
	struct hk_oauth2_tokens t;

	(void)state;
	t = stored("new", NOW + 60, "rt2");
	assert_int_equal(hk_oauth2_token_need(true, &t, false, NOW, NOW + 10),
	    HK_OAUTH2_NEED_USE);
	t = stored("old", NOW + 10, "rt");
	assert_int_equal(hk_oauth2_token_need(true, &t, false, NOW, NOW + 10),
	    HK_OAUTH2_NEED_REFRESH);
	t = stored("new-but-expired", NOW - 1, "rt2");
	assert_int_equal(hk_oauth2_token_need(true, &t, false, NOW, NOW - 30),
	    HK_OAUTH2_NEED_REFRESH);
	t = stored("new", NOW + 60, "rt2");
	assert_int_equal(hk_oauth2_token_need(true, &t, true, NOW, NOW + 10),
	    HK_OAUTH2_NEED_USE);
}

/* client_credentials: never a connect step, a refusal is asked again. */
static void
test_need_client_credentials(void **state)
{
	struct hk_oauth2_tokens t;

	(void)state;
	t = stored(NULL, 0, NULL);
	assert_int_equal(hk_oauth2_token_need(false, &t, true, NOW, -1),
	    HK_OAUTH2_NEED_REFRESH);
	t = stored("at", NOW + 3600, NULL);
	assert_int_equal(hk_oauth2_token_need(true, &t, true, NOW, -1),
	    HK_OAUTH2_NEED_USE);
	t = stored("at", NOW + 10, NULL);
	assert_int_equal(hk_oauth2_token_need(true, &t, true, NOW, -1),
	    HK_OAUTH2_NEED_REFRESH);
	t = stored(NULL, 0, NULL);
	t.needs_reconnect = true;
	assert_int_equal(hk_oauth2_token_need(true, &t, true, NOW, -1),
	    HK_OAUTH2_NEED_REFRESH);
}

static void
test_which_ends(void **state)
{
	struct hk_server s;

	(void)state;
	memset(&s, 0, sizeof(s));
	s.recv_auth_method = (char *)"xoauth2";
	s.smtp_auth_method = (char *)"oauthbearer";
	assert_true(hk_oauth2_token_recv(&s));
	assert_false(hk_oauth2_token_send(&s));	/* SMTP AUTH off */
	s.smtp_auth = true;
	assert_true(hk_oauth2_token_send(&s));
	s.recv_auth_method = (char *)"password";
	s.smtp_auth_method = (char *)"login";
	assert_false(hk_oauth2_token_recv(&s));
	assert_false(hk_oauth2_token_send(&s));
}

/* ---- hk_oauth2_token_get on a store, without a provider ---- */

struct fixture {
	struct hk_testdb *tdb;
	unsigned char key[HK_KEY_LEN];
	struct hk_server srv;
	struct hk_account acct;
};

static int
setup(void **state)
{
	struct fixture *f = hk_calloc(1, sizeof(*f));

	if ((f->tdb = hk_testdb_new("oauth2tok", true)) == NULL)
		return free(f), -1;
	hk_random(f->key, sizeof(f->key));
	if (hk_key_record(f->tdb->db, f->key) != HK_SQL_OK ||
	    hk_db_exec(f->tdb->db,
	    "INSERT INTO mail_servers (id, position, name, smtp_host, smtp_port,"
	    " smtp_security, smtp_tls_verify, smtp_auth, smtp_auth_method,"
	    " smtp_credentials, pop_before_smtp, pop_before_smtp_wait,"
	    " send_limit, recv_protocol, apop, recv_host, recv_port,"
	    " recv_security, recv_tls_verify, recv_limit, created_at,"
	    " updated_at) VALUES (1, 1, 'S', 'h', 25, 'none', 1, 0, 'login',"
	    " 'account', 0, 0, 0, 'pop3', 0, 'h', 110, 'none', 1, 0, 0, 0);"
	    "INSERT INTO mail_accounts (id, name, address, server_id, username,"
	    " password, created_at, updated_at) VALUES"
	    " (1, 'A', 'a@example.jp', 1, 'a', x'', 0, 0);") != HK_SQL_OK)
		return -1;
	f->srv.id = 1;
	f->srv.name = (char *)"S";
	f->srv.recv_auth_method = (char *)"xoauth2";
	f->srv.oauth2_provider = HK_OAUTH2_CUSTOM;
	f->srv.oauth2_client_id = (char *)"app";
	f->srv.oauth2_token_url = (char *)"https://127.0.0.1:1/token";
	f->srv.oauth2_scope = (char *)"mail offline_access";
	f->acct.id = 1;
	f->acct.name = (char *)"A";
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

static int
get(struct fixture *f, struct hk_oauth2_token *t)
{
	struct hk_oauth2_src src = { f->tdb->db, f->key, NULL };

	return hk_oauth2_token_get(&src, &f->srv, &f->acct, t);
}

static void
test_get_not_connected(void **state)
{
	struct fixture *f = *state;
	struct hk_oauth2_token t;

	assert_int_equal(get(f, &t), 4);
	assert_int_equal(t.step, HK_OAUTH2_STEP_NOT_CONNECTED);
	assert_null(t.access);
	assert_string_equal(t.error, "mail account A is not connected: "
	    "connect it first (docs/OAUTH2.md)");
	hk_oauth2_token_clear(&t);
}

static void
test_get_valid_and_reconnect(void **state)
{
	struct fixture *f = *state;
	struct hk_oauth2_owner o = { HK_OAUTH2_OWNER_ACCOUNT, 1 };
	struct hk_oauth2_token t;

	assert_int_equal(hk_oauth2_tokens_connect(f->tdb->db, f->key, o,
	    "access-1", (long long)time(NULL) + 3600, "mail", "refresh-1",
	    (long long)time(NULL)), HK_STORE_OK);
	assert_int_equal(get(f, &t), 0);
	assert_int_equal(t.step, HK_OAUTH2_STEP_VALID);
	assert_string_equal(t.access, "access-1");
	hk_oauth2_token_clear(&t);

	assert_int_equal(hk_oauth2_tokens_mark_needs_reconnect(f->tdb->db, o,
	    "invalid_grant: AADSTS50173 the grant was revoked",
	    (long long)time(NULL)), HK_STORE_OK);
	assert_int_equal(get(f, &t), 4);
	assert_int_equal(t.step, HK_OAUTH2_STEP_RECONNECT);
	assert_null(t.access);
	assert_string_equal(t.provider_error,
	    "invalid_grant: AADSTS50173 the grant was revoked");
	assert_non_null(strstr(t.error, "needs reconnecting: invalid_grant"));
	hk_oauth2_token_clear(&t);
}

/* Expiring: the refresh is attempted (and here cannot be made): exit 5,
 * the stored tokens untouched, the lock released. */
static void
test_get_unreachable_changes_nothing(void **state)
{
	struct fixture *f = *state;
	struct hk_oauth2_owner o = { HK_OAUTH2_OWNER_ACCOUNT, 1 };
	struct hk_oauth2_tokens before, after;
	struct hk_oauth2_token t;
	bool taken;

	assert_int_equal(hk_oauth2_tokens_connect(f->tdb->db, f->key, o,
	    "access-1", (long long)time(NULL) + 60, "mail", "refresh-1",
	    (long long)time(NULL)), HK_STORE_OK);
	memset(&before, 0, sizeof(before));
	memset(&after, 0, sizeof(after));
	assert_int_equal(hk_oauth2_tokens_load(f->tdb->db, f->key, o, true,
	    &before), HK_STORE_OK);
	assert_int_equal(get(f, &t), 5);
	assert_int_equal(t.step, HK_OAUTH2_STEP_UNREACHABLE);
	assert_non_null(strstr(t.error, "nothing stored changed"));
	hk_oauth2_token_clear(&t);
	assert_int_equal(hk_oauth2_tokens_load(f->tdb->db, f->key, o, true,
	    &after), HK_STORE_OK);
	assert_string_equal(after.access_token, before.access_token);
	assert_string_equal(after.refresh_token, before.refresh_token);
	assert_int_equal(after.access_expires, before.access_expires);
	assert_false(after.needs_reconnect);
	assert_int_equal(hk_oauth2_refresh_trylock(f->tdb->db, o, "other", 60,
	    (long long)time(NULL), &taken), HK_STORE_OK);
	assert_true(taken);
	hk_oauth2_tokens_clear(&before);
	hk_oauth2_tokens_clear(&after);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_need_code_grant),
		cmocka_unit_test(test_need_after_wait),
		cmocka_unit_test(test_need_client_credentials),
		cmocka_unit_test(test_which_ends),
		cmocka_unit_test_setup_teardown(test_get_not_connected, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_get_valid_and_reconnect,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_get_unreachable_changes_nothing, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
