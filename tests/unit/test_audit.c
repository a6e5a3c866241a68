/* test_audit.c - hk_audit_record writes one row with every column, and
 * commits or rolls back with the caller's transaction. */
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

#include "audit.h"
#include "mem.h"
#include "testdb.h"

static int
setup(void **state)
{
	*state = hk_testdb_new("audit", true);
	return *state != NULL ? 0 : -1;
}

static int
teardown(void **state)
{
	struct hk_testdb *t = *state;

	hk_testdb_free(&t);
	return 0;
}

static long long
count(struct hk_db *db)
{
	struct hk_sql_stmt *st = hk_db_prepare(db, "SELECT count(*) FROM audit_log");
	long long n = -1;

	if (hk_sql_step(st) == HK_SQL_ROW)
		n = hk_sql_column_int64(st, 0);
	hk_db_done(st);
	return n;
}

static void
test_record_all_columns(void **state)
{
	struct hk_testdb *f = *state;
	struct hk_sql_stmt *st;
	long long before = (long long)time(NULL);

	assert_int_equal(hk_audit_record(f->db, "alice", "update",
	    "mail-account", 42, "Support", "address: a@x -> b@x\npassword: "
	    "(changed)"), HK_STORE_OK);
	st = hk_db_prepare(f->db, "SELECT at, actor, action, object_type, "
	    "object_id, object_name, details FROM audit_log");
	assert_int_equal(hk_sql_step(st), HK_SQL_ROW);
	assert_true(hk_sql_column_int64(st, 0) >= before);
	assert_true(hk_sql_column_int64(st, 0) <= (long long)time(NULL));
	assert_string_equal(hk_sql_column_text(st, 1), "alice");
	assert_string_equal(hk_sql_column_text(st, 2), "update");
	assert_string_equal(hk_sql_column_text(st, 3), "mail-account");
	assert_int_equal(hk_sql_column_int64(st, 4), 42);
	assert_string_equal(hk_sql_column_text(st, 5), "Support");
	assert_string_equal(hk_sql_column_text(st, 6),
	    "address: a@x -> b@x\npassword: (changed)");
	hk_db_done(st);
}

/* Optional parts are stored as NULL; a missing actor is never blank. */
static void
test_optional_parts(void **state)
{
	struct hk_testdb *f = *state;
	struct hk_sql_stmt *st;

	assert_int_equal(hk_audit_record(f->db, "", "rotate-key",
	    "secret-key", 0, NULL, ""), HK_STORE_OK);
	st = hk_db_prepare(f->db, "SELECT actor, object_id IS NULL, "
	    "object_name IS NULL, details IS NULL FROM audit_log");
	assert_int_equal(hk_sql_step(st), HK_SQL_ROW);
	assert_string_equal(hk_sql_column_text(st, 0), "?");
	assert_int_equal(hk_sql_column_int(st, 1), 1);
	assert_int_equal(hk_sql_column_int(st, 2), 1);
	assert_int_equal(hk_sql_column_int(st, 3), 1);
	hk_db_done(st);
}

/* The record belongs to the caller's transaction. */
static void
test_follows_transaction(void **state)
{
	struct hk_testdb *f = *state;

	assert_int_equal(hk_db_begin(f->db), HK_SQL_OK);
	assert_int_equal(hk_audit_record(f->db, "bob", "delete",
	    "mail-server", 1, "Old", NULL), HK_STORE_OK);
	hk_db_rollback(f->db);
	assert_int_equal(count(f->db), 0);
	assert_int_equal(hk_db_begin(f->db), HK_SQL_OK);
	assert_int_equal(hk_audit_record(f->db, "bob", "delete",
	    "mail-server", 1, "Old", NULL), HK_STORE_OK);
	assert_int_equal(hk_db_commit(f->db), HK_SQL_OK);
	assert_int_equal(count(f->db), 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_record_all_columns, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_optional_parts, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_follows_transaction, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
