/* test_throttle.c - sign-in throttling (throttle.h): guessing from one
 * address or from many is slowed, an address that has not been guessing
 * is not, onsets are audited, on a temporary SQLite database. */
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
#include "mem.h"
#include "testdb.h"
#include "throttle.h"

struct fixture {
	struct hk_testdb *tdb;
	struct hk_db *db;	/* tdb->db, borrowed */
};

static int
group_setup(void **state)
{
	struct fixture *f = hk_calloc(1, sizeof(*f));

	if ((f->tdb = hk_testdb_new("throttle", true)) == NULL)
		return free(f), -1;
	f->db = f->tdb->db;
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

/* Each test starts with no throttle rows and an empty audit trail. */
static int
clean(void **state)
{
	struct fixture *f = *state;

	return hk_db_exec(f->db, "DELETE FROM login_throttle; DELETE FROM audit_log")
	    == HK_SQL_OK ? 0 : -1;
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

static long long
failures(struct fixture *f, const char *key)
{
	char *q = hk_aprintf("SELECT failures FROM login_throttle WHERE key = '%s'",
	    key);
	long long n = sql_int(f, q);

	free(q);
	return n;
}

static long
wait_of(struct fixture *f, const char *user, const char *addr)
{
	return hk_throttle_wait(f->db, user, addr, NULL);
}

static void
fail_n(struct fixture *f, const char *user, const char *addr, int n)
{
	for (int i = 0; i < n; i++)
		hk_throttle_failed(f->db, user, addr);
}

/* Sets last_at of every throttle row to now and returns that now.  The
 * waits below are then exact unless the clock ticks between this and the
 * call, which the callers allow for with [w(t1), w(t0)]. */
static long long
pin_last(struct fixture *f)
{
	long long now = (long long)time(NULL);
	char *q = hk_aprintf("UPDATE login_throttle SET last_at = %lld", now);

	sql(f, q);
	free(q);
	return now;
}

/* user from addr waits last + delay - now, held back by counter. */
static void
assert_wait(struct fixture *f, const char *user, const char *addr,
    long long last, long delay, enum hk_throttle_counter counter)
{
	enum hk_throttle_counter got = HK_THROTTLE_NONE;
	long long t0 = (long long)time(NULL);
	long w = hk_throttle_wait(f->db, user, addr, &got);
	long long t1 = (long long)time(NULL);
	long long hi = last + delay - t0, lo = last + delay - t1;

	if (hi < 0)
		hi = 0;
	if (lo < 0)
		lo = 0;
	if (w < lo || w > hi)
		fail_msg("wait %ld for %s/%s, expected %lld..%lld", w, user, addr,
		    lo, hi);
	if (w > 0 && got != counter)
		fail_msg("%s/%s held back by the %s counter, expected %s", user,
		    addr, hk_throttle_counter_name(got),
		    hk_throttle_counter_name(counter));
}

/* Guessing one name from one address. */
static void
test_one_address_is_slowed(void **state)
{
	struct fixture *f = *state;
	enum hk_throttle_counter c = HK_THROTTLE_ADDR;
	long long last;

	assert_int_equal(hk_throttle_wait(f->db, "bob", "192.0.2.1", &c), 0);
	assert_int_equal(c, HK_THROTTLE_NONE);
	for (int i = 1; i < HK_THROTTLE_FREE_PAIR; i++) {
		hk_throttle_failed(f->db, "bob", "192.0.2.1");
		assert_int_equal(wait_of(f, "bob", "192.0.2.1"), 0);
	}
	assert_int_equal(failures(f, "pair:192.0.2.1 bob"), 4);
	assert_int_equal(failures(f, "ip:192.0.2.1"), 4);
	assert_int_equal(failures(f, "user:bob"), 4);

	/* The 5th failure uses up the free ones: the next attempt waits
	 * 2^(5-5+1) = 2 s after it, after the 6th 4 s, after the 7th 8 s. */
	hk_throttle_failed(f->db, "bob", "192.0.2.1");
	last = pin_last(f);
	assert_wait(f, "bob", "192.0.2.1", last, 2, HK_THROTTLE_PAIR);
	hk_throttle_failed(f->db, "bob", "192.0.2.1");
	last = pin_last(f);
	assert_wait(f, "bob", "192.0.2.1", last, 4, HK_THROTTLE_PAIR);
	hk_throttle_failed(f->db, "bob", "192.0.2.1");
	last = pin_last(f);
	assert_wait(f, "bob", "192.0.2.1", last, 8, HK_THROTTLE_PAIR);
	/* User names are compared without case. */
	assert_wait(f, "BoB", "192.0.2.1", last, 8, HK_THROTTLE_PAIR);

	/* Neither the real bob elsewhere nor carol at that address (7 of
	 * its 20 free failures used) is held back. */
	assert_int_equal(wait_of(f, "bob", "198.51.100.7"), 0);
	assert_int_equal(wait_of(f, "carol", "192.0.2.1"), 0);

	/* The wait is counted from the last failure. */
	sql(f, "UPDATE login_throttle SET last_at = last_at - 8");
	assert_int_equal(wait_of(f, "bob", "192.0.2.1"), 0);

	/* Doubling up to HK_THROTTLE_MAX_SECS. */
	sql(f, "UPDATE login_throttle SET failures = 13 WHERE key LIKE 'pair:%'");
	last = pin_last(f);
	assert_wait(f, "bob", "192.0.2.1", last, 512, HK_THROTTLE_PAIR);
	sql(f, "UPDATE login_throttle SET failures = 14 WHERE key LIKE 'pair:%'");
	last = pin_last(f);
	assert_wait(f, "bob", "192.0.2.1", last, HK_THROTTLE_MAX_SECS,
	    HK_THROTTLE_PAIR);
	sql(f, "UPDATE login_throttle SET failures = 400 WHERE key LIKE 'pair:%'");
	last = pin_last(f);
	assert_wait(f, "bob", "192.0.2.1", last, HK_THROTTLE_MAX_SECS,
	    HK_THROTTLE_PAIR);
	assert_int_equal(wait_of(f, "bob", "198.51.100.7"), 0);
}

/* Many names from one address. */
static void
test_address_counter(void **state)
{
	struct fixture *f = *state;
	long long last;
	char user[16];

	for (int i = 0; i < HK_THROTTLE_FREE_ADDR; i++) {
		snprintf(user, sizeof(user), "u%d", i % 10);
		assert_int_equal(wait_of(f, "newcomer", "192.0.2.9"), 0);
		hk_throttle_failed(f->db, user, "192.0.2.9");
	}
	assert_int_equal(failures(f, "ip:192.0.2.9"), HK_THROTTLE_FREE_ADDR);
	last = pin_last(f);
	/* Anyone from that address now waits; the names elsewhere do not. */
	assert_wait(f, "newcomer", "192.0.2.9", last, 2, HK_THROTTLE_ADDR);
	assert_wait(f, "u3", "192.0.2.9", last, 2, HK_THROTTLE_ADDR);
	assert_int_equal(wait_of(f, "u3", "198.51.100.7"), 0);
	assert_int_equal(wait_of(f, "newcomer", "192.0.2.10"), 0);
	assert_int_equal(wait_of(f, "newcomer", NULL), 0);
}

/* One name guessed from many addresses, each below its own limits: the
 * guessing addresses are slowed, a clean one is not (the administrator
 * can still sign in during the attack). */
static void
test_many_addresses(void **state)
{
	struct fixture *f = *state;
	int per = HK_THROTTLE_NAME_GRACE, n = HK_THROTTLE_FREE_NAME / per;
	long long last;
	char addr[32];

	for (int i = 0; i < n; i++) {
		snprintf(addr, sizeof(addr), "203.0.113.%d", i + 1);
		fail_n(f, "alice", addr, per);
		if (i + 1 < n)
			assert_int_equal(wait_of(f, "alice", addr), 0);
		else
			assert_true(wait_of(f, "alice", addr) > 0);
	}
	assert_int_equal(failures(f, "user:alice"), HK_THROTTLE_FREE_NAME);
	assert_int_equal(failures(f, "pair:203.0.113.1 alice"), per);
	last = pin_last(f);
	for (int i = 0; i < n; i++) {
		snprintf(addr, sizeof(addr), "203.0.113.%d", i + 1);
		assert_wait(f, "alice", addr, last, 2, HK_THROTTLE_NAME);
	}
	/* An address that has not failed for alice, or failed once (a typo),
	 * is not held back: the real alice signs in from there. */
	assert_int_equal(wait_of(f, "alice", "192.0.2.50"), 0);
	hk_throttle_failed(f->db, "alice", "192.0.2.50");
	assert_int_equal(wait_of(f, "alice", "192.0.2.50"), 0);
	/* Another name from a guessing address is not held back either. */
	assert_int_equal(wait_of(f, "bob", "203.0.113.1"), 0);

	/* A fresh address that keeps guessing becomes one of them; every
	 * failure counts, so the wait grows for all of them: 51 failures
	 * so far, the 52nd makes it 2^(52-50+1) = 8 s. */
	hk_throttle_failed(f->db, "alice", "192.0.2.50");
	last = pin_last(f);
	assert_wait(f, "alice", "192.0.2.50", last, 8, HK_THROTTLE_NAME);
	assert_wait(f, "alice", "203.0.113.7", last, 8, HK_THROTTLE_NAME);
	assert_int_equal(wait_of(f, "alice", "192.0.2.51"), 0);
}

static void
test_success_clears_its_pair_only(void **state)
{
	struct fixture *f = *state;
	long long last;

	fail_n(f, "bob", "192.0.2.1", HK_THROTTLE_FREE_PAIR);
	fail_n(f, "bob", "192.0.2.2", HK_THROTTLE_FREE_PAIR);
	last = pin_last(f);
	assert_wait(f, "bob", "192.0.2.1", last, 2, HK_THROTTLE_PAIR);

	hk_throttle_succeeded(f->db, "Bob", "192.0.2.1");
	assert_int_equal(failures(f, "pair:192.0.2.1 bob"), -1);
	assert_int_equal(wait_of(f, "bob", "192.0.2.1"), 0);
	/* The other address, the address and name counters keep counting:
	 * a sign-in does not give an attacker fresh tries. */
	assert_wait(f, "bob", "192.0.2.2", last, 2, HK_THROTTLE_PAIR);
	assert_int_equal(failures(f, "ip:192.0.2.1"), HK_THROTTLE_FREE_PAIR);
	assert_int_equal(failures(f, "user:bob"), 2 * HK_THROTTLE_FREE_PAIR);
	fail_n(f, "x", "192.0.2.1", HK_THROTTLE_FREE_ADDR - HK_THROTTLE_FREE_PAIR);
	last = pin_last(f);
	assert_wait(f, "bob", "192.0.2.1", last, 2, HK_THROTTLE_ADDR);
}

static void
test_forgets_after_a_day(void **state)
{
	struct fixture *f = *state;

	fail_n(f, "bob", "192.0.2.1", 8);
	sql(f, "UPDATE login_throttle SET last_at = last_at - 86400 - 10");
	/* The next failure sweeps day-old rows first, so counting restarts. */
	hk_throttle_failed(f->db, "bob", "192.0.2.1");
	assert_int_equal(failures(f, "pair:192.0.2.1 bob"), 1);
	assert_int_equal(failures(f, "user:bob"), 1);
	assert_int_equal(failures(f, "ip:192.0.2.1"), 1);
	assert_int_equal(wait_of(f, "bob", "192.0.2.1"), 0);
}

/* An IPv6 address counts by its /64; an IPv4-mapped one as IPv4. */
static void
test_ipv6_by_prefix(void **state)
{
	struct fixture *f = *state;
	long long last;

	hk_throttle_failed(f->db, "bob", "2001:db8::1");
	hk_throttle_failed(f->db, "bob", "2001:DB8:0:0:ffff::2");
	hk_throttle_failed(f->db, "bob", "2001:db8::ffff:ffff:ffff:ffff");
	fail_n(f, "bob", "2001:0db8:0000:0000::9", HK_THROTTLE_FREE_PAIR - 3);
	assert_int_equal(failures(f, "pair:2001:db8::/64 bob"),
	    HK_THROTTLE_FREE_PAIR);
	last = pin_last(f);
	assert_wait(f, "bob", "2001:db8::abcd", last, 2, HK_THROTTLE_PAIR);
	assert_int_equal(wait_of(f, "bob", "2001:db8:0:1::1"), 0);

	hk_throttle_failed(f->db, "bob", "::ffff:192.0.2.7");
	assert_int_equal(failures(f, "ip:192.0.2.7"), 1);
	/* Not an address (a unix socket peer, say): counted as given. */
	hk_throttle_failed(f->db, "bob", "Local");
	assert_int_equal(failures(f, "ip:local"), 1);
}

/* A counter reaching its limit is audited once, naming it. */
static void
test_onset_audited(void **state)
{
	struct fixture *f = *state;

	fail_n(f, "bob", "192.0.2.1", HK_THROTTLE_FREE_PAIR - 1);
	assert_int_equal(sql_int(f, "SELECT count(*) FROM audit_log"), 0);
	hk_throttle_failed(f->db, "bob", "192.0.2.1");
	assert_int_equal(sql_int(f, "SELECT count(*) FROM audit_log "
	    "WHERE actor = '192.0.2.1' AND action = 'throttle' AND "
	    "object_type = 'sign-in' AND object_name = 'bob' AND details = "
	    "'counter: name+address' || char(10) || 'failures: 5' || char(10) "
	    "|| 'address: 192.0.2.1'"), 1);
	fail_n(f, "bob", "192.0.2.1", 3);
	assert_int_equal(sql_int(f, "SELECT count(*) FROM audit_log"), 1);
	/* carol's 12 failures there: her own pair's onset, then the
	 * address's (its 20th failure). */
	fail_n(f, "carol", "192.0.2.1",
	    HK_THROTTLE_FREE_ADDR - HK_THROTTLE_FREE_PAIR - 3);
	assert_int_equal(sql_int(f, "SELECT count(*) FROM audit_log"), 3);
	assert_int_equal(sql_int(f, "SELECT count(*) FROM audit_log WHERE "
	    "object_name = 'carol' AND details LIKE 'counter: address%'"), 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_one_address_is_slowed, clean),
		cmocka_unit_test_setup(test_address_counter, clean),
		cmocka_unit_test_setup(test_many_addresses, clean),
		cmocka_unit_test_setup(test_success_clears_its_pair_only, clean),
		cmocka_unit_test_setup(test_forgets_after_a_day, clean),
		cmocka_unit_test_setup(test_ipv6_by_prefix, clean),
		cmocka_unit_test_setup(test_onset_audited, clean),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
