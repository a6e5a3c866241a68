/* test_lease.c - fetch leases (lease.h) through two connections to one
 * temporary SQLite database, as two fetch processes would hold them:
 * one account per claim, never one account to both, renewal keeps it,
 * expiry hands it over, release schedules the next run. */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "db.h"
#include "lease.h"
#include "mem.h"
#include "testdb.h"

#define T0 1000000LL	/* "now" at the start of each test */
#define LEASE 60

struct fixture {
	struct hk_testdb *tdb;
	struct hk_db *a, *b;	/* a: tdb->db (borrowed); b: a second connection */
	char owner_a[HK_LEASE_OWNER_MAX], owner_b[HK_LEASE_OWNER_MAX];
};

static const struct hk_lease_want loop_want = { T0, HK_LEASE_ANY };

static void
sql(struct hk_db *db, const char *stmt)
{
	assert_int_equal(hk_db_exec(db, stmt), HK_SQL_OK);
}

static int
setup(void **state)
{
	struct fixture *f = hk_calloc(1, sizeof(*f));
	char *err = NULL;

	if ((f->tdb = hk_testdb_new("lease", true)) == NULL)
		return free(f), -1;
	f->a = f->tdb->db;
	if ((f->b = hk_db_open(f->tdb->path, false, &err)) == NULL) {
		fprintf(stderr, "%s\n", err);
		return -1;
	}
	hk_lease_owner_make(f->owner_a, sizeof(f->owner_a));
	hk_lease_owner_make(f->owner_b, sizeof(f->owner_b));
	/* Three accounts on one server (ids 1, 2, 3). */
	sql(f->a, "INSERT INTO mail_servers (id, position, name, smtp_host,"
	    " smtp_port, smtp_security, smtp_tls_verify, smtp_auth,"
	    " smtp_auth_method, smtp_credentials, pop_before_smtp,"
	    " pop_before_smtp_wait, send_limit, recv_protocol, apop, recv_host,"
	    " recv_port, recv_security, recv_tls_verify, recv_limit, created_at,"
	    " updated_at) VALUES (1, 1, 's', 'h', 25, 'none', 0, 0, 'plain',"
	    " 'account', 0, 0, 0, 'pop3', 0, 'h', 110, 'none', 0, 0, 0, 0);"
	    "INSERT INTO mail_accounts (id, name, address, server_id, username,"
	    " password, created_at, updated_at) VALUES"
	    " (1, 'one', 'a@x', 1, 'u', x'00', 0, 0),"
	    " (2, 'two', 'b@x', 1, 'u', x'00', 0, 0),"
	    " (3, 'three', 'c@x', 1, 'u', x'00', 0, 0)");
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	hk_db_close(&f->b);
	hk_testdb_free(&f->tdb);
	free(f);
	return 0;
}

static void
test_owner_names_differ(void **state)
{
	struct fixture *f = *state;

	assert_string_not_equal(f->owner_a, f->owner_b);
	assert_non_null(strchr(f->owner_a, ':'));
}

/* Claims alternate between the connections; each account goes once. */
static void
test_claims_split_the_accounts(void **state)
{
	struct fixture *f = *state;
	long long id1 = 0, id2 = 0, id3 = 0, id4 = 0;

	assert_int_equal(hk_lease_claim(f->a, f->owner_a, T0, LEASE, &loop_want,
	    &id1), HK_STORE_OK);
	assert_int_equal(hk_lease_claim(f->b, f->owner_b, T0, LEASE, &loop_want,
	    &id2), HK_STORE_OK);
	assert_int_equal(hk_lease_claim(f->a, f->owner_a, T0, LEASE, &loop_want,
	    &id3), HK_STORE_OK);
	assert_int_equal(id1, 1);
	assert_int_equal(id2, 2);
	assert_int_equal(id3, 3);
	assert_int_equal(hk_lease_claim(f->b, f->owner_b, T0, LEASE, &loop_want,
	    &id4), HK_STORE_NOT_FOUND);
	/* Nor by name while held. */
	assert_int_equal(hk_lease_claim_account(f->b, f->owner_b, T0, LEASE, 1),
	    HK_STORE_NOT_FOUND);
}

/* A renewed lease is not taken over when the first would have expired;
 * one left alone is, and its old owner can neither renew nor release. */
static void
test_renew_and_expiry(void **state)
{
	struct fixture *f = *state;
	long long id = 0, other = 0;

	assert_int_equal(hk_lease_claim_account(f->a, f->owner_a, T0, LEASE, 2),
	    HK_STORE_OK);
	assert_int_equal(hk_lease_renew(f->a, f->owner_a, 2, T0 + LEASE - 1,
	    LEASE), HK_STORE_OK);
	/* b claims all it can at T0 + LEASE: 1 and 3, never 2. */
	assert_int_equal(hk_lease_claim(f->b, f->owner_b, T0 + LEASE, LEASE,
	    &(struct hk_lease_want){ T0 + LEASE, HK_LEASE_ANY }, &id),
	    HK_STORE_OK);
	assert_int_equal(hk_lease_claim(f->b, f->owner_b, T0 + LEASE, LEASE,
	    &(struct hk_lease_want){ T0 + LEASE, HK_LEASE_ANY }, &other),
	    HK_STORE_OK);
	assert_true(id != 2 && other != 2);
	assert_int_equal(hk_lease_claim(f->b, f->owner_b, T0 + LEASE, LEASE,
	    &(struct hk_lease_want){ T0 + LEASE, HK_LEASE_ANY }, &id),
	    HK_STORE_NOT_FOUND);
	/* a stops renewing: at the end of its lease b takes 2 over. */
	assert_int_equal(hk_lease_claim_account(f->b, f->owner_b,
	    T0 + 2 * LEASE - 2, LEASE, 2), HK_STORE_NOT_FOUND);
	assert_int_equal(hk_lease_claim_account(f->b, f->owner_b,
	    T0 + 2 * LEASE - 1, LEASE, 2), HK_STORE_OK);
	assert_int_equal(hk_lease_renew(f->a, f->owner_a, 2, T0 + 2 * LEASE,
	    LEASE), HK_STORE_NOT_FOUND);
	assert_int_equal(hk_lease_release(f->a, f->owner_a, 2, T0 + 2 * LEASE,
	    T0 + 9999, 0), HK_STORE_NOT_FOUND);
	assert_int_equal(hk_lease_renew(f->b, f->owner_b, 2, T0 + 2 * LEASE,
	    LEASE), HK_STORE_OK);
}

/* Release frees the lease and sets when the account is due again; a
 * service claims it only then, a run-everything-once pass not twice. */
static void
test_release_schedules(void **state)
{
	struct fixture *f = *state;
	const struct hk_lease_want once = { HK_LEASE_ANY, T0 };
	long long id = 0, at = 0;
	int n = 0;

	/* One pass over everything, shared by the two connections. */
	while (hk_lease_claim(n % 2 ? f->b : f->a, n % 2 ? f->owner_b :
	    f->owner_a, T0, LEASE, &once, &id) == HK_STORE_OK) {
		assert_int_equal(hk_lease_release(n % 2 ? f->b : f->a,
		    n % 2 ? f->owner_b : f->owner_a, id, T0, T0 + 300 + id, 0),
		    HK_STORE_OK);
		n++;
	}
	assert_int_equal(n, 3);
	assert_int_equal(hk_lease_next_due(f->a, &at), HK_STORE_OK);
	assert_int_equal(at, T0 + 301);
	/* A one-off run leaves the schedule as it was. */
	assert_int_equal(hk_lease_claim_account(f->b, f->owner_b, T0, LEASE, 3),
	    HK_STORE_OK);
	assert_int_equal(hk_lease_release(f->b, f->owner_b, 3, T0,
	    HK_LEASE_UNCHANGED, 5), HK_STORE_OK);
	assert_int_equal(hk_lease_next_due(f->a, &at), HK_STORE_OK);
	assert_int_equal(at, T0 + 301);
	/* Not due yet; then only the one that is. */
	assert_int_equal(hk_lease_claim(f->a, f->owner_a, T0 + 300, LEASE,
	    &(struct hk_lease_want){ T0 + 300, HK_LEASE_ANY }, &id),
	    HK_STORE_NOT_FOUND);
	assert_int_equal(hk_lease_claim(f->a, f->owner_a, T0 + 301, LEASE,
	    &(struct hk_lease_want){ T0 + 301, HK_LEASE_ANY }, &id),
	    HK_STORE_OK);
	assert_int_equal(id, 1);
	/* Held: the next claim can succeed when its lease ends or 2 is due. */
	assert_int_equal(hk_lease_next_due(f->b, &at), HK_STORE_OK);
	assert_int_equal(at, T0 + 302);
}

/* An account added later is claimable; a deleted one takes its row. */
static void
test_accounts_come_and_go(void **state)
{
	struct fixture *f = *state;
	long long id = 0;
	const struct hk_lease_want all = { HK_LEASE_ANY, HK_LEASE_ANY };

	for (int i = 0; i < 3; i++)
		assert_int_equal(hk_lease_claim(f->a, f->owner_a, T0, LEASE, &all,
		    &id), HK_STORE_OK);
	sql(f->b, "INSERT INTO mail_accounts (id, name, address, server_id,"
	    " username, password, created_at, updated_at) VALUES"
	    " (7, 'seven', 'd@x', 1, 'u', x'00', 0, 0)");
	assert_int_equal(hk_lease_claim(f->b, f->owner_b, T0, LEASE, &all, &id),
	    HK_STORE_OK);
	assert_int_equal(id, 7);
	sql(f->a, "DELETE FROM mail_accounts WHERE id = 7");
	assert_int_equal(hk_lease_renew(f->b, f->owner_b, 7, T0, LEASE),
	    HK_STORE_NOT_FOUND);
}

/* A lease left by a crashed fetch on this host is taken over at once by
 * the next fetch of that account; a live or foreign holder's is not. */
static void
test_dead_holder_taken_over(void **state)
{
	struct fixture *f = *state;
	char host[256], dead[HK_LEASE_OWNER_MAX], alive[HK_LEASE_OWNER_MAX];
	char holder[HK_LEASE_OWNER_MAX];
	pid_t child = fork();

	assert_true(child >= 0);
	if (child == 0)
		_exit(0);
	assert_int_equal(waitpid(child, NULL, 0), child);
	assert_int_equal(gethostname(host, sizeof(host)), 0);
	host[sizeof(host) - 1] = '\0';
	snprintf(dead, sizeof(dead), "%s:%ld:00", host, (long)child);
	snprintf(alive, sizeof(alive), "%s:%ld:00", host, (long)getpid());
	assert_true(hk_lease_holder_gone(dead));
	assert_false(hk_lease_holder_gone(alive));
	assert_false(hk_lease_holder_gone("elsewhere.example:1:00"));
	assert_false(hk_lease_holder_gone("garbage"));

	assert_int_equal(hk_lease_claim_account(f->a, dead, T0, LEASE, 1),
	    HK_STORE_OK);
	assert_int_equal(hk_lease_claim_account(f->b, f->owner_b, T0 + 1,
	    LEASE, 1), HK_STORE_NOT_FOUND);
	assert_int_equal(hk_lease_holder(f->b, 1, holder, sizeof(holder)),
	    HK_STORE_OK);
	assert_string_equal(holder, dead);
	assert_int_equal(hk_lease_take_over(f->b, f->owner_b, holder, T0 + 1,
	    LEASE, 1), HK_STORE_OK);
	/* Taken once: the dead holder's name no longer matches. */
	assert_int_equal(hk_lease_take_over(f->a, f->owner_a, dead, T0 + 1,
	    LEASE, 1), HK_STORE_NOT_FOUND);
	assert_int_equal(hk_lease_renew(f->b, f->owner_b, 1, T0 + 2, LEASE),
	    HK_STORE_OK);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_owner_names_differ, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_claims_split_the_accounts,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_renew_and_expiry, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_release_schedules, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_accounts_come_and_go, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_dead_holder_taken_over, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
