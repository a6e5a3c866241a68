/* test_oauth2_store.c - OAuth 2.0 at rest: tokens sealed per owner, the
 * rotated refresh token saved with the access token, needs-reconnect,
 * forgetting; the refresh lock between two connections and two
 * processes; single-use states (expired, replayed, wrong session). */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "db.h"
#include "keycheck.h"
#include "mem.h"
#include "oauth2_state.h"
#include "oauth2_tokens.h"
#include "testdb.h"

#define VERIFIER "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"

static const struct hk_oauth2_owner acct1 = { HK_OAUTH2_OWNER_ACCOUNT, 1 };
static const struct hk_oauth2_owner acct2 = { HK_OAUTH2_OWNER_ACCOUNT, 2 };
static const struct hk_oauth2_owner srv1 = { HK_OAUTH2_OWNER_SERVER, 1 };

struct fixture {
	struct hk_testdb *tdb;
	struct hk_db *db;	/* tdb->db, borrowed */
	unsigned char key[HK_KEY_LEN];
};

static int
setup(void **state)
{
	struct fixture *f = hk_calloc(1, sizeof(*f));

	if ((f->tdb = hk_testdb_new("oauth2", true)) == NULL)
		return free(f), -1;
	f->db = f->tdb->db;
	hk_random(f->key, sizeof(f->key));
	if (hk_key_record(f->db, f->key) != HK_SQL_OK ||
	    hk_db_exec(f->db,
	    "INSERT INTO mail_servers (id, position, name, smtp_host, smtp_port,"
	    " smtp_security, smtp_tls_verify, smtp_auth, smtp_auth_method,"
	    " smtp_credentials, pop_before_smtp, pop_before_smtp_wait,"
	    " send_limit, recv_protocol, apop, recv_host, recv_port,"
	    " recv_security, recv_tls_verify, recv_limit, created_at,"
	    " updated_at) VALUES (1, 1, 'S', 'h', 25, 'none', 1, 0, 'login',"
	    " 'account', 0, 0, 0, 'pop3', 0, 'h', 110, 'none', 1, 0, 0, 0);"
	    "INSERT INTO mail_accounts (id, name, address, server_id, username,"
	    " password, created_at, updated_at) VALUES"
	    " (1, 'A', 'a@example.jp', 1, 'a', x'', 0, 0),"
	    " (2, 'B', 'b@example.jp', 1, 'b', x'', 0, 0);") != HK_SQL_OK)
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

static long long
count(struct hk_db *db, const char *sql)
{
	struct hk_sql_stmt *st = hk_db_prepare(db, sql);
	long long n = -1;

	if (hk_sql_step(st) == HK_SQL_ROW)
		n = hk_sql_column_int64(st, 0);
	hk_db_done(st);
	return n;
}

static void
test_tokens(void **state)
{
	struct fixture *f = *state;
	struct hk_oauth2_tokens t;
	const struct hk_oauth2_owner nobody = { HK_OAUTH2_OWNER_ACCOUNT, 99 };

	assert_int_equal(hk_oauth2_tokens_load(f->db, f->key, acct1, true, &t),
	    HK_STORE_NOT_FOUND);
	assert_int_equal(hk_oauth2_tokens_connect(f->db, f->key, nobody, "A",
	    1, "s", "R", 10), HK_STORE_NOT_FOUND);
	assert_int_equal(hk_oauth2_tokens_connect(f->db, f->key, acct1, "",
	    1, "s", "R", 10), HK_STORE_INVALID);
	assert_int_equal(hk_oauth2_tokens_connect(f->db, f->key, acct1,
	    "access-1", 1000, "imap smtp", "refresh-1", 10), HK_STORE_OK);

	/* Without secrets: what is set, nothing in clear. */
	assert_int_equal(hk_oauth2_tokens_load(f->db, f->key, acct1, false, &t),
	    HK_STORE_OK);
	assert_true(t.refresh_set && t.access_set);
	assert_null(t.refresh_token);
	assert_null(t.access_token);
	assert_int_equal(t.access_expires, 1000);
	assert_string_equal(t.scope, "imap smtp");
	assert_int_equal(t.connected_at, 10);
	assert_false(t.needs_reconnect);
	hk_oauth2_tokens_clear(&t);
	/* Sealed at rest. */
	assert_int_equal(count(f->db, "SELECT COUNT(*) FROM oauth2_tokens WHERE"
	    " instr(CAST(refresh_token AS TEXT), 'refresh-1') > 0 OR"
	    " instr(CAST(access_token AS TEXT), 'access-1') > 0"), 0);

	/* A refresh that rotates: both stored together. */
	assert_int_equal(hk_oauth2_tokens_save(f->db, f->key, acct1, "access-2",
	    2000, NULL, "refresh-2"), HK_STORE_OK);
	assert_int_equal(hk_oauth2_tokens_load(f->db, f->key, acct1, true, &t),
	    HK_STORE_OK);
	assert_string_equal(t.access_token, "access-2");
	assert_string_equal(t.refresh_token, "refresh-2");
	assert_string_equal(t.scope, "imap smtp");
	assert_int_equal(t.access_expires, 2000);
	hk_oauth2_tokens_clear(&t);
	/* One that does not rotate keeps the refresh token. */
	assert_int_equal(hk_oauth2_tokens_save(f->db, f->key, acct1, "access-3",
	    3000, "imap", NULL), HK_STORE_OK);
	assert_int_equal(hk_oauth2_tokens_load(f->db, f->key, acct1, true, &t),
	    HK_STORE_OK);
	assert_string_equal(t.access_token, "access-3");
	assert_string_equal(t.refresh_token, "refresh-2");
	assert_string_equal(t.scope, "imap");
	hk_oauth2_tokens_clear(&t);
	/* No tokens: nothing saved. */
	assert_int_equal(hk_oauth2_tokens_save(f->db, f->key, acct2, "x", 1,
	    NULL, "y"), HK_STORE_NOT_FOUND);
	assert_int_equal(count(f->db, "SELECT COUNT(*) FROM oauth2_tokens"), 1);

	/* Bound to the owner: copied to another account it does not open. */
	assert_int_equal(hk_db_exec(f->db, "INSERT INTO oauth2_tokens"
	    " (account_id, refresh_token, updated_at) SELECT 2, refresh_token,"
	    " 0 FROM oauth2_tokens WHERE account_id = 1"), HK_SQL_OK);
	assert_int_equal(hk_oauth2_tokens_load(f->db, f->key, acct2, true, &t),
	    HK_STORE_ERROR);
	assert_null(t.refresh_token);

	/* Forget: gone, the other account's row stays. */
	assert_int_equal(hk_oauth2_tokens_forget(f->db, acct1), HK_STORE_OK);
	assert_int_equal(hk_oauth2_tokens_load(f->db, f->key, acct1, false, &t),
	    HK_STORE_NOT_FOUND);
	assert_int_equal(hk_oauth2_tokens_forget(f->db, acct1), HK_STORE_OK);
	assert_int_equal(count(f->db, "SELECT COUNT(*) FROM oauth2_tokens"), 1);
}

static void
count_cb(void *arg, long long server_id, long long n)
{
	long long *v = arg;

	v[0] = server_id;
	v[1] = n;
}

static void
each_cb(void *arg, long long account_id, const struct hk_oauth2_tokens *t)
{
	long long *v = arg;

	v[0] = account_id;
	v[1] = t->needs_reconnect;
	v[2] = t->access_set;
}

static void
test_needs_reconnect(void **state)
{
	struct fixture *f = *state;
	struct hk_oauth2_tokens t;
	char longer[700];
	long long counts[2] = { 0, 0 }, each[3] = { 0, 0, 0 };

	assert_int_equal(hk_oauth2_tokens_connect(f->db, f->key, acct1, "a", 50,
	    "s", "r", 10), HK_STORE_OK);
	/* The provider's words, bounded and without control characters. */
	memset(longer, 'x', sizeof(longer));
	memcpy(longer, "invalid_grant:\r\nAADSTS70000 ", 28);
	memcpy(longer + 498, "\xe3\x81\x82", 3);	/* cut inside: dropped */
	longer[sizeof(longer) - 1] = '\0';
	assert_int_equal(hk_oauth2_tokens_mark_needs_reconnect(f->db, acct1,
	    longer, 20), HK_STORE_OK);
	assert_int_equal(hk_oauth2_tokens_load(f->db, f->key, acct1, true, &t),
	    HK_STORE_OK);
	assert_true(t.needs_reconnect);
	assert_false(t.access_set);
	assert_null(t.access_token);
	assert_string_equal(t.refresh_token, "r");
	assert_int_equal(strlen(t.last_error), 498);
	assert_null(strchr(t.last_error, '\n'));
	assert_memory_equal(t.last_error, "invalid_grant:  AADSTS70000", 27);
	hk_oauth2_tokens_clear(&t);

	assert_int_equal(hk_oauth2_reconnect_counts(f->db, count_cb, counts),
	    HK_STORE_OK);
	assert_int_equal(counts[0], 1);
	assert_int_equal(counts[1], 1);
	assert_int_equal(hk_oauth2_tokens_each_account(f->db, each_cb, each),
	    HK_STORE_OK);
	assert_int_equal(each[0], 1);
	assert_int_equal(each[1], 1);
	assert_int_equal(each[2], 0);

	/* Connecting again clears it. */
	assert_int_equal(hk_oauth2_tokens_connect(f->db, f->key, acct1, "a2",
	    60, "s", "r2", 30), HK_STORE_OK);
	assert_int_equal(hk_oauth2_tokens_load(f->db, f->key, acct1, false, &t),
	    HK_STORE_OK);
	assert_false(t.needs_reconnect);
	assert_null(t.last_error);
	hk_oauth2_tokens_clear(&t);

	/* A server's client credentials refused before any token: a row. */
	assert_int_equal(hk_oauth2_tokens_mark_needs_reconnect(f->db, srv1,
	    "unauthorized_client", 40), HK_STORE_OK);
	assert_int_equal(hk_oauth2_tokens_load(f->db, f->key, srv1, true, &t),
	    HK_STORE_OK);
	assert_true(t.needs_reconnect);
	assert_string_equal(t.last_error, "unauthorized_client");
	assert_false(t.refresh_set);
	hk_oauth2_tokens_clear(&t);
	assert_int_equal(hk_oauth2_tokens_connect(f->db, f->key, srv1, "app",
	    99, ".default", NULL, 50), HK_STORE_OK);
	assert_int_equal(hk_oauth2_tokens_load(f->db, f->key, srv1, true, &t),
	    HK_STORE_OK);
	assert_string_equal(t.access_token, "app");
	assert_null(t.refresh_token);
	hk_oauth2_tokens_clear(&t);
}

/* Taking, refusing, expiring and releasing the lock between two
 * connections to one database. */
static void
test_lock_two_connections(void **state)
{
	struct fixture *f = *state;
	char *err = NULL;
	struct hk_db *other = hk_db_open(f->tdb->path, false, &err);
	bool taken;

	assert_non_null(other);
	assert_int_equal(hk_oauth2_refresh_trylock(f->db, acct1, "one", 30, 100,
	    &taken), HK_STORE_OK);
	assert_true(taken);
	assert_int_equal(hk_oauth2_refresh_trylock(other, acct1, "two", 30, 110,
	    &taken), HK_STORE_OK);
	assert_false(taken);
	/* Another owner's lock is its own. */
	assert_int_equal(hk_oauth2_refresh_trylock(other, acct2, "two", 30, 110,
	    &taken), HK_STORE_OK);
	assert_true(taken);
	/* The holder died: after its time the lock is free. */
	assert_int_equal(hk_oauth2_refresh_trylock(other, acct1, "two", 30, 130,
	    &taken), HK_STORE_OK);
	assert_true(taken);
	/* The late first holder cannot release the second's lock. */
	assert_int_equal(hk_oauth2_refresh_unlock(f->db, acct1, "one"),
	    HK_STORE_OK);
	assert_int_equal(hk_oauth2_refresh_trylock(f->db, acct1, "one", 30, 140,
	    &taken), HK_STORE_OK);
	assert_false(taken);
	assert_int_equal(hk_oauth2_refresh_unlock(other, acct1, "two"),
	    HK_STORE_OK);
	assert_int_equal(hk_oauth2_refresh_trylock(f->db, acct1, "one", 30, 140,
	    &taken), HK_STORE_OK);
	assert_true(taken);
	/* Taking the lock does not change the data generation. */
	{
		long long g = count(f->db, "SELECT n FROM data_generation");

		assert_int_equal(hk_oauth2_refresh_unlock(f->db, acct1, "one"),
		    HK_STORE_OK);
		assert_int_equal(hk_oauth2_refresh_trylock(f->db, acct1, "one",
		    30, 150, &taken), HK_STORE_OK);
		assert_int_equal(count(f->db, "SELECT n FROM data_generation"), g);
	}
	hk_db_close(&other);
}

/* Two processes need a refresh at once: the second waits, and then
 * reads the first one's result instead of spending the refresh token
 * again. */
static void
test_lock_waiter_uses_result(void **state)
{
	struct fixture *f = *state;
	struct hk_oauth2_tokens t;
	int pipefd[2], status;
	char c;
	pid_t pid;

	assert_int_equal(hk_oauth2_tokens_connect(f->db, f->key, acct1,
	    "old-access", 1, "s", "old-refresh", 10), HK_STORE_OK);
	assert_int_equal(pipe(pipefd), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		/* The first process: its own connection, holds the lock a
		 * while, refreshes (rotating), releases. */
		char *err = NULL;
		struct hk_db *db = hk_db_open(f->tdb->path, false, &err);
		struct hk_oauth2_tokens mine;
		const struct timespec hold = { 0, 300 * 1000 * 1000 };
		int ok = db != NULL &&
		    hk_oauth2_refresh_begin(db, f->key, acct1, "first", 30, 0,
		    &mine) == HK_STORE_OK;

		(void)!write(pipefd[1], "x", 1);
		nanosleep(&hold, NULL);
		ok = ok && hk_oauth2_tokens_save(db, f->key, acct1,
		    "new-access", 5000, NULL, "new-refresh") == HK_STORE_OK;
		ok = ok && hk_oauth2_refresh_unlock(db, acct1, "first") ==
		    HK_STORE_OK;
		hk_oauth2_tokens_clear(&mine);
		hk_db_close(&db);
		_exit(ok ? 0 : 1);
	}
	close(pipefd[1]);
	assert_int_equal(read(pipefd[0], &c, 1), 1);	/* it holds the lock */
	close(pipefd[0]);
	/* Not waiting: busy. */
	assert_int_equal(hk_oauth2_refresh_begin(f->db, f->key, acct1, "second",
	    30, 0, &t), HK_STORE_BUSY);
	/* Waiting: the lock, and the first one's tokens. */
	assert_int_equal(hk_oauth2_refresh_begin(f->db, f->key, acct1, "second",
	    30, 5000, &t), HK_STORE_OK);
	assert_string_equal(t.access_token, "new-access");
	assert_string_equal(t.refresh_token, "new-refresh");
	assert_int_equal(t.access_expires, 5000);
	hk_oauth2_tokens_clear(&t);
	assert_int_equal(hk_oauth2_refresh_unlock(f->db, acct1, "second"),
	    HK_STORE_OK);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

static void
test_state(void **state)
{
	struct fixture *f = *state;
	unsigned char s1[32], s2[32];
	char st[HK_OAUTH2_STATE_LEN + 1], st2[HK_OAUTH2_STATE_LEN + 1];
	char *verifier = NULL;
	long long account = -1;

	memset(s1, 1, sizeof(s1));
	memset(s2, 2, sizeof(s2));
	assert_int_equal(hk_oauth2_state_create(f->db, f->key, s1, 1, "short",
	    1000, st), HK_OAUTH2_STATE_ERROR);
	assert_int_equal(hk_oauth2_state_create(f->db, f->key, s1, 99, VERIFIER,
	    1000, st), HK_OAUTH2_STATE_UNKNOWN);

	/* The right session, in time: once. */
	assert_int_equal(hk_oauth2_state_create(f->db, f->key, s1, 1, VERIFIER,
	    1000, st), HK_OAUTH2_STATE_OK);
	assert_int_equal(strlen(st), HK_OAUTH2_STATE_LEN);
	assert_int_equal(strspn(st, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789-_"), HK_OAUTH2_STATE_LEN);
	assert_int_equal(count(f->db, "SELECT COUNT(*) FROM oauth2_states WHERE"
	    " instr(CAST(verifier AS TEXT), 'dBjftJeZ') > 0"), 0);
	assert_int_equal(hk_oauth2_state_consume(f->db, f->key, st, s1, 1599,
	    &account, &verifier), HK_OAUTH2_STATE_OK);
	assert_int_equal(account, 1);
	assert_string_equal(verifier, VERIFIER);
	hk_free_secret(verifier);
	/* Replayed. */
	assert_int_equal(hk_oauth2_state_consume(f->db, f->key, st, s1, 1001,
	    &account, &verifier), HK_OAUTH2_STATE_UNKNOWN);
	assert_int_equal(account, 0);
	assert_null(verifier);

	/* Another session: refused, and spent. */
	assert_int_equal(hk_oauth2_state_create(f->db, f->key, s1, 1, VERIFIER,
	    1000, st), HK_OAUTH2_STATE_OK);
	assert_int_equal(hk_oauth2_state_consume(f->db, f->key, st, s2, 1001,
	    &account, &verifier), HK_OAUTH2_STATE_WRONG_SESSION);
	assert_null(verifier);
	assert_int_equal(hk_oauth2_state_consume(f->db, f->key, st, s1, 1001,
	    &account, &verifier), HK_OAUTH2_STATE_UNKNOWN);

	/* Expired: more than ten minutes. */
	assert_int_equal(hk_oauth2_state_create(f->db, f->key, s1, 1, VERIFIER,
	    1000, st), HK_OAUTH2_STATE_OK);
	assert_int_equal(hk_oauth2_state_consume(f->db, f->key, st, s1, 1601,
	    &account, &verifier), HK_OAUTH2_STATE_EXPIRED);
	assert_null(verifier);

	/* Never issued. */
	assert_int_equal(hk_oauth2_state_consume(f->db, f->key,
	    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", s1, 1001, &account,
	    &verifier), HK_OAUTH2_STATE_UNKNOWN);
	assert_int_equal(hk_oauth2_state_consume(f->db, f->key, "", s1, 1001,
	    &account, &verifier), HK_OAUTH2_STATE_UNKNOWN);

	/* Old states go when new ones are made; forgetting the account's
	 * tokens drops its pending ones. */
	assert_int_equal(hk_oauth2_state_create(f->db, f->key, s1, 1, VERIFIER,
	    1000, st), HK_OAUTH2_STATE_OK);
	assert_int_equal(hk_oauth2_state_create(f->db, f->key, s1, 2, VERIFIER,
	    1700, st2), HK_OAUTH2_STATE_OK);
	assert_int_equal(count(f->db, "SELECT COUNT(*) FROM oauth2_states"), 1);
	assert_int_equal(hk_oauth2_state_create(f->db, f->key, s1, 1, VERIFIER,
	    1700, st), HK_OAUTH2_STATE_OK);
	assert_int_equal(hk_oauth2_tokens_forget(f->db, acct1), HK_STORE_OK);
	assert_int_equal(hk_oauth2_state_consume(f->db, f->key, st, s1, 1701,
	    &account, &verifier), HK_OAUTH2_STATE_UNKNOWN);
	assert_int_equal(hk_oauth2_state_consume(f->db, f->key, st2, s1, 1701,
	    &account, &verifier), HK_OAUTH2_STATE_OK);
	assert_int_equal(account, 2);
	hk_free_secret(verifier);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_tokens, setup, teardown),
		cmocka_unit_test_setup_teardown(test_needs_reconnect, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_lock_two_connections, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_lock_waiter_uses_result,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_state, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
