/* test_session.c - sessions (create, look up, expire, destroy), tokens
 * and the sign-in CSRF token, on a temporary SQLite database (throttling:
 * test_throttle.c). */
#include "config.h"

#include <ctype.h>
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

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "admins.h"
#include "db.h"
#include "base64.h"
#include "mem.h"
#include "testdb.h"
#include "session.h"

struct fixture {
	struct hk_testdb *tdb;
	struct hk_db *db;	/* tdb->db, borrowed */
	long long alice;
};

/* One database and one admin for the whole group: adding an admin costs
 * an scrypt hash. */
static int
group_setup(void **state)
{
	struct fixture *f = hk_calloc(1, sizeof(*f));
	long long id = 0;

	if ((f->tdb = hk_testdb_new("session", true)) == NULL)
		return free(f), -1;
	f->db = f->tdb->db;
	if (hk_admin_add(f->db, "alice", "correct horse") != HK_STORE_OK)
		return -1;
	if (hk_admin_check(f->db, "alice", "correct horse", &id) != HK_STORE_OK)
		return -1;
	f->alice = id;
	*state = f;
	return 0;
}

static int
group_teardown(void **state)
{
	struct fixture *f = *state;

	hk_testdb_free(&f->tdb);
	free(f);
	return 0;
}

/* Each test starts with no sessions. */
static int
clean(void **state)
{
	struct fixture *f = *state;

	return hk_db_exec(f->db, "DELETE FROM sessions;"
	    " UPDATE admins SET lang = NULL") == HK_SQL_OK ? 0 : -1;
}

static void
sql(struct fixture *f, const char *stmt)
{
	if (hk_db_exec(f->db, stmt) != HK_SQL_OK)
		fail_msg("%s: %s", stmt, hk_db_errmsg(f->db));
}

static long long
sql_int(struct fixture *f, const char *query)
{
	struct hk_sql_stmt *st;
	long long v = -1;

	st = hk_testdb_prepare(f->db, query);
	if (hk_sql_step(st) == HK_SQL_ROW)
		v = hk_sql_column_int64(st, 0);
	hk_sql_finalize(&st);
	return v;
}

static bool
token_wellformed(const char *t)
{
	if (strlen(t) != HK_TOKEN_HEX)
		return false;
	for (size_t i = 0; i < HK_TOKEN_HEX; i++)
		if (!isdigit((unsigned char)t[i]) && !(t[i] >= 'a' && t[i] <= 'f'))
			return false;
	return true;
}

static void
test_create_and_lookup(void **state)
{
	struct fixture *f = *state;
	char cookie[HK_TOKEN_HEX + 1];
	struct hk_session s, found;

	assert_int_equal(hk_session_create(f->db, f->alice, cookie, &s),
	    HK_STORE_OK);
	assert_true(token_wellformed(cookie));
	assert_true(token_wellformed(s.csrf));
	assert_string_not_equal(cookie, s.csrf);
	assert_int_equal(s.admin_id, f->alice);
	assert_string_equal(s.admin_name, "alice");
	assert_string_equal(s.admin_lang, "");

	assert_int_equal(hk_session_lookup(f->db, cookie, &found), HK_STORE_OK);
	assert_int_equal(found.admin_id, f->alice);
	assert_string_equal(found.admin_name, "alice");
	assert_string_equal(found.admin_lang, "");
	assert_string_equal(found.csrf, s.csrf);
	assert_memory_equal(found.id_hash, s.id_hash, sizeof(s.id_hash));

	/* The database holds the cookie's hash, never the cookie. */
	assert_int_equal(sql_int(f, "SELECT count(*) FROM sessions"), 1);
	{
		char *q = hk_aprintf("SELECT count(*) FROM sessions WHERE "
		    "instr(lower(hex(id_hash)), '%s') > 0 OR csrf = '%s'",
		    cookie, cookie);
		assert_int_equal(sql_int(f, q), 0);
		free(q);
	}

	/* The admin's language comes with the session. */
	assert_int_equal(hk_admin_set_lang(f->db, f->alice, "ja"), HK_STORE_OK);
	assert_int_equal(hk_session_lookup(f->db, cookie, &found), HK_STORE_OK);
	assert_string_equal(found.admin_lang, "ja");
}

static void
test_two_sessions_differ(void **state)
{
	struct fixture *f = *state;
	char c1[HK_TOKEN_HEX + 1], c2[HK_TOKEN_HEX + 1];
	struct hk_session s1, s2, found;

	assert_int_equal(hk_session_create(f->db, f->alice, c1, &s1), HK_STORE_OK);
	assert_int_equal(hk_session_create(f->db, f->alice, c2, &s2), HK_STORE_OK);
	assert_string_not_equal(c1, c2);
	assert_string_not_equal(s1.csrf, s2.csrf);
	assert_int_equal(hk_session_lookup(f->db, c2, &found), HK_STORE_OK);
	assert_string_equal(found.csrf, s2.csrf);
	assert_int_equal(hk_session_lookup(f->db, c1, &found), HK_STORE_OK);
	assert_string_equal(found.csrf, s1.csrf);
}

static void
test_malformed_cookie(void **state)
{
	struct fixture *f = *state;
	char cookie[HK_TOKEN_HEX + 1], bad[HK_TOKEN_HEX + 2];
	struct hk_session s, found;

	assert_int_equal(hk_session_create(f->db, f->alice, cookie, &s),
	    HK_STORE_OK);
	/* Wrong length: one short, one long. */
	snprintf(bad, sizeof(bad), "%.63s", cookie);
	assert_int_equal(hk_session_lookup(f->db, bad, &found), HK_STORE_NOT_FOUND);
	snprintf(bad, sizeof(bad), "%s0", cookie);
	assert_int_equal(hk_session_lookup(f->db, bad, &found), HK_STORE_NOT_FOUND);
	/* Upper case (of a session that exists in lower case). */
	snprintf(bad, sizeof(bad), "%s", cookie);
	for (char *p = bad; *p; p++)
		*p = (char)toupper((unsigned char)*p);
	assert_int_equal(hk_session_lookup(f->db, bad, &found), HK_STORE_NOT_FOUND);
	/* Not hex, empty, NULL. */
	memset(bad, 'g', HK_TOKEN_HEX);
	bad[HK_TOKEN_HEX] = '\0';
	assert_int_equal(hk_session_lookup(f->db, bad, &found), HK_STORE_NOT_FOUND);
	assert_int_equal(hk_session_lookup(f->db, "", &found), HK_STORE_NOT_FOUND);
	assert_int_equal(hk_session_lookup(f->db, NULL, &found), HK_STORE_NOT_FOUND);
	/* Well formed but unknown. */
	memset(bad, '0', HK_TOKEN_HEX);
	assert_int_equal(hk_session_lookup(f->db, bad, &found), HK_STORE_NOT_FOUND);
	assert_int_equal(found.admin_id, 0);
	assert_string_equal(found.admin_name, "");
	/* The real one still works. */
	assert_int_equal(hk_session_lookup(f->db, cookie, &found), HK_STORE_OK);
}

static void
test_destroy(void **state)
{
	struct fixture *f = *state;
	char cookie[HK_TOKEN_HEX + 1], other[HK_TOKEN_HEX + 1];
	struct hk_session s, s2, found;

	assert_int_equal(hk_session_create(f->db, f->alice, cookie, &s),
	    HK_STORE_OK);
	assert_int_equal(hk_session_create(f->db, f->alice, other, &s2),
	    HK_STORE_OK);
	assert_int_equal(hk_session_lookup(f->db, cookie, &found), HK_STORE_OK);
	assert_int_equal(hk_session_destroy(f->db, &found), HK_STORE_OK);
	assert_int_equal(hk_session_lookup(f->db, cookie, &found),
	    HK_STORE_NOT_FOUND);
	/* Only that session ended. */
	assert_int_equal(hk_session_lookup(f->db, other, &found), HK_STORE_OK);
	assert_int_equal(sql_int(f, "SELECT count(*) FROM sessions"), 1);
	/* Destroying again is harmless. */
	assert_int_equal(hk_session_destroy(f->db, &s), HK_STORE_OK);
}

static void
test_idle_expiry(void **state)
{
	struct fixture *f = *state;
	char cookie[HK_TOKEN_HEX + 1];
	struct hk_session s, found;

	assert_int_equal(hk_session_create(f->db, f->alice, cookie, &s),
	    HK_STORE_OK);
	sql(f, "UPDATE sessions SET seen_at = seen_at - 3*3600");
	assert_int_equal(hk_session_lookup(f->db, cookie, &found),
	    HK_STORE_NOT_FOUND);
	/* The expired row is removed. */
	assert_int_equal(sql_int(f, "SELECT count(*) FROM sessions"), 0);
}

static void
test_max_age_expiry(void **state)
{
	struct fixture *f = *state;
	char cookie[HK_TOKEN_HEX + 1];
	struct hk_session s, found;

	assert_int_equal(hk_session_create(f->db, f->alice, cookie, &s),
	    HK_STORE_OK);
	/* In use a minute ago, but signed in 13 hours ago. */
	sql(f, "UPDATE sessions SET created_at = created_at - 13*3600, "
	    "seen_at = seen_at - 60");
	assert_int_equal(hk_session_lookup(f->db, cookie, &found),
	    HK_STORE_NOT_FOUND);
	assert_int_equal(sql_int(f, "SELECT count(*) FROM sessions"), 0);
}

static void
test_lookup_touches_session(void **state)
{
	struct fixture *f = *state;
	char cookie[HK_TOKEN_HEX + 1];
	struct hk_session s, found;
	long long before, after, now;

	assert_int_equal(hk_session_create(f->db, f->alice, cookie, &s),
	    HK_STORE_OK);
	/* Idle for just under the limit: still valid, and renewed. */
	sql(f, "UPDATE sessions SET seen_at = seen_at - 2*3600 + 30");
	before = sql_int(f, "SELECT seen_at FROM sessions");
	now = (long long)time(NULL);
	assert_int_equal(hk_session_lookup(f->db, cookie, &found), HK_STORE_OK);
	after = sql_int(f, "SELECT seen_at FROM sessions");
	assert_true(after > before);
	assert_true(after >= now && after <= (long long)time(NULL));

	/* Within a minute of the last touch: no write. */
	sql(f, "UPDATE sessions SET seen_at = seen_at - 10");
	before = sql_int(f, "SELECT seen_at FROM sessions");
	assert_int_equal(hk_session_lookup(f->db, cookie, &found), HK_STORE_OK);
	assert_int_equal(sql_int(f, "SELECT seen_at FROM sessions"), before);
}

static void
test_create_sweeps_expired(void **state)
{
	struct fixture *f = *state;
	char old[HK_TOKEN_HEX + 1], fresh[HK_TOKEN_HEX + 1];
	struct hk_session s;

	assert_int_equal(hk_session_create(f->db, f->alice, old, &s), HK_STORE_OK);
	sql(f, "UPDATE sessions SET seen_at = seen_at - 3*3600");
	assert_int_equal(hk_session_create(f->db, f->alice, fresh, &s),
	    HK_STORE_OK);
	assert_int_equal(sql_int(f, "SELECT count(*) FROM sessions"), 1);
}

static void
test_unknown_admin(void **state)
{
	struct fixture *f = *state;
	char cookie[HK_TOKEN_HEX + 1];
	struct hk_session s;

	/* The sessions table refers to admins (foreign keys are on). */
	assert_int_equal(hk_session_create(f->db, f->alice + 1000, cookie, &s),
	    HK_STORE_ERROR);
	assert_int_equal(sql_int(f, "SELECT count(*) FROM sessions"), 0);
}

static void
test_new_password_ends_sessions(void **state)
{
	struct fixture *f = *state;
	char cookie[HK_TOKEN_HEX + 1];
	struct hk_session s, found;

	assert_int_equal(hk_session_create(f->db, f->alice, cookie, &s),
	    HK_STORE_OK);
	assert_int_equal(hk_admin_set_password(f->db, "alice", "correct horse"),
	    HK_STORE_OK);
	assert_int_equal(hk_session_lookup(f->db, cookie, &found),
	    HK_STORE_NOT_FOUND);
}

static void
test_tokens(void **state)
{
	char a[HK_TOKEN_HEX + 1], b[HK_TOKEN_HEX + 1], up[HK_TOKEN_HEX + 1];

	(void)state;
	hk_token_new(a);
	hk_token_new(b);
	assert_true(token_wellformed(a));
	assert_true(token_wellformed(b));
	assert_string_not_equal(a, b);

	assert_true(hk_token_equal(a, a));
	memcpy(up, a, sizeof(up));
	assert_true(hk_token_equal(a, up));
	assert_false(hk_token_equal(a, b));
	/* Last character differs. */
	up[HK_TOKEN_HEX - 1] = up[HK_TOKEN_HEX - 1] == '0' ? '1' : '0';
	assert_false(hk_token_equal(a, up));
	assert_false(hk_token_equal(a, NULL));
	assert_false(hk_token_equal(NULL, a));
	assert_false(hk_token_equal(NULL, NULL));
	assert_false(hk_token_equal(a, ""));
	assert_false(hk_token_equal("", ""));
	/* A prefix of the right token is not the token. */
	snprintf(up, sizeof(up), "%.63s", a);
	assert_false(hk_token_equal(a, up));
	/* Malformed expected tokens never match, even themselves. */
	assert_false(hk_token_equal("abc", "abc"));
	memset(up, 'A', HK_TOKEN_HEX);
	up[HK_TOKEN_HEX] = '\0';
	assert_false(hk_token_equal(up, up));
}

static void
test_login_csrf(void **state)
{
	unsigned char k1[HK_KEY_LEN], k2[HK_KEY_LEN], mac[32];
	char t1[HK_TOKEN_HEX + 1], t2[HK_TOKEN_HEX + 1], want[HK_TOKEN_HEX + 1];
	static const char msg[] = "hikyaku login csrf\npre-cookie";
	unsigned int len = 0;

	(void)state;
	memset(k1, 0x11, sizeof(k1));
	memset(k2, 0x11, sizeof(k2));
	k2[31] = 0x12;

	hk_login_csrf(k1, "pre-cookie", t1);
	assert_true(token_wellformed(t1));
	hk_login_csrf(k1, "pre-cookie", t2);
	assert_string_equal(t1, t2);
	/* HMAC-SHA256(key, label || pre), as the code documents. */
	assert_non_null(HMAC(EVP_sha256(), k1, HK_KEY_LEN,
	    (const unsigned char *)msg, strlen(msg), mac, &len));
	assert_int_equal(len, 32);
	hk_hex(mac, sizeof(mac), want);
	assert_string_equal(t1, want);

	hk_login_csrf(k1, "pre-cookiE", t2);
	assert_string_not_equal(t1, t2);
	hk_login_csrf(k1, "", t2);
	assert_string_not_equal(t1, t2);
	hk_login_csrf(k2, "pre-cookie", t2);
	assert_string_not_equal(t1, t2);
	assert_true(hk_token_equal(t1, want));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_create_and_lookup, clean),
		cmocka_unit_test_setup(test_two_sessions_differ, clean),
		cmocka_unit_test_setup(test_malformed_cookie, clean),
		cmocka_unit_test_setup(test_destroy, clean),
		cmocka_unit_test_setup(test_idle_expiry, clean),
		cmocka_unit_test_setup(test_max_age_expiry, clean),
		cmocka_unit_test_setup(test_lookup_touches_session, clean),
		cmocka_unit_test_setup(test_create_sweeps_expired, clean),
		cmocka_unit_test_setup(test_unknown_admin, clean),
		cmocka_unit_test_setup(test_new_password_ends_sessions, clean),
		cmocka_unit_test(test_tokens),
		cmocka_unit_test(test_login_csrf),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
