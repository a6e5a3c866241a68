/* test_db.c - opening the SQLite store, schema migrations, the statement
 * cache and transactions. */
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
#include "db_schema.h"
#include "dbutil.h"
#include "healthdb.h"
#include "mem.h"
#include "testdb.h"

static int
setup(void **state)
{
	*state = hk_testdb_new("db", false);
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
query_int(struct hk_db *db, const char *sql)
{
	struct hk_sql_stmt *st;
	long long v = -1;

	st = hk_testdb_prepare(db, sql);
	if (hk_sql_step(st) == HK_SQL_ROW)
		v = hk_sql_column_int64(st, 0);
	hk_sql_finalize(&st);
	return v;
}

static void
test_open_settings(void **state)
{
	struct hk_testdb *f = *state;
	struct hk_sql_stmt *st;

	st = hk_testdb_prepare(f->db, "PRAGMA journal_mode");
	assert_int_equal(hk_sql_step(st), HK_SQL_ROW);
	assert_string_equal(hk_sql_column_text(st, 0), "wal");
	hk_sql_finalize(&st);
	assert_int_equal(query_int(f->db, "PRAGMA foreign_keys"), 1);
	assert_int_equal(query_int(f->db, "PRAGMA synchronous"), 1); /* NORMAL */
}

static void
test_open_missing_without_create(void **state)
{
	struct hk_testdb *f = *state;
	char *err = NULL, *path = hk_aprintf("%s/absent.db", f->dir);
	struct hk_db *db = hk_db_open(path, false, &err);

	assert_null(db);
	assert_non_null(err);
	assert_int_equal(strncmp(err, path, strlen(path)), 0);
	assert_non_null(strstr(err, "(run 'hikyakuctl init' first)"));
	assert_int_equal(access(path, F_OK), -1);
	free(err);
	free(path);
}

static void
test_migrate_fresh(void **state)
{
	struct hk_testdb *f = *state;
	char *err = (char *)"untouched";

	assert_int_equal(hk_db_schema_latest(), hk_db_migration_count);
	assert_true(hk_db_schema_latest() >= 2);
	assert_int_equal(hk_db_schema_version(f->db), 0);
	assert_int_equal(hk_db_migrate(f->db, &err), 0);
	assert_null(err);
	assert_int_equal(hk_db_schema_version(f->db), hk_db_schema_latest());
	assert_int_equal(query_int(f->db, "PRAGMA user_version"),
	    hk_db_schema_latest());
	assert_int_equal(query_int(f->db, "SELECT count(*) FROM sqlite_master "
	    "WHERE type = 'table' AND name IN ('admins', 'sessions', "
	    "'login_throttle', 'mail_servers', 'mail_accounts')"), 5);
}

static void
test_migrate_twice_is_noop(void **state)
{
	struct hk_testdb *f = *state;
	char *err = NULL;
	long long tables;

	assert_int_equal(hk_db_migrate(f->db, &err), 0);
	assert_int_equal(hk_db_exec(f->db, "INSERT INTO admins (name, "
	    "password_hash, created_at, updated_at) VALUES ('a', 'h', 1, 1)"),
	    HK_SQL_OK);
	tables = query_int(f->db, "SELECT count(*) FROM sqlite_master");
	assert_int_equal(hk_db_migrate(f->db, &err), 0);
	assert_null(err);
	assert_int_equal(hk_db_schema_version(f->db), hk_db_schema_latest());
	assert_int_equal(query_int(f->db, "SELECT count(*) FROM sqlite_master"),
	    tables);
	assert_int_equal(query_int(f->db, "SELECT count(*) FROM admins"), 1);

	/* Also when the database is opened again. */
	hk_db_close(&f->db);
	assert_null(f->db);
	f->db = hk_db_open(f->path, false, &err);
	assert_non_null(f->db);
	assert_int_equal(hk_db_schema_version(f->db), hk_db_schema_latest());
	assert_int_equal(hk_db_migrate(f->db, &err), 0);
	assert_int_equal(query_int(f->db, "SELECT count(*) FROM admins"), 1);
}

static void
test_migrate_partial(void **state)
{
	struct hk_testdb *f = *state;
	char *err = NULL;

	/* A database made by an older hikyaku (migration 1 only) gets just
	 * the later migrations, and keeps its data. */
	assert_int_equal(hk_db_exec(f->db, hk_db_migrations[0]), HK_SQL_OK);
	assert_int_equal(hk_db_exec(f->db, "PRAGMA user_version = 1"), HK_SQL_OK);
	assert_int_equal(hk_db_exec(f->db, "INSERT INTO admins (name, "
	    "password_hash, created_at, updated_at) VALUES ('a', 'h', 1, 1)"),
	    HK_SQL_OK);
	assert_int_equal(hk_db_migrate(f->db, &err), 0);
	assert_null(err);
	assert_int_equal(hk_db_schema_version(f->db), hk_db_schema_latest());
	assert_int_equal(query_int(f->db, "SELECT count(*) FROM mail_servers"), 0);
	assert_int_equal(query_int(f->db, "SELECT count(*) FROM admins"), 1);
}

static void
test_newer_schema_refused(void **state)
{
	struct hk_testdb *f = *state;
	char *err = NULL, *set, *want;
	int latest = hk_db_schema_latest();

	set = hk_aprintf("PRAGMA user_version = %d", latest + 1);
	assert_int_equal(hk_db_exec(f->db, set), HK_SQL_OK);
	free(set);
	assert_int_equal(hk_db_migrate(f->db, &err), -1);
	want = hk_aprintf("the database has schema version %d, newer than this "
	    "hikyaku (%d)", latest + 1, latest);
	assert_string_equal(err, want);
	free(want);
	free(err);
	/* Nothing was touched. */
	assert_int_equal(hk_db_schema_version(f->db), latest + 1);
	assert_int_equal(query_int(f->db, "SELECT count(*) FROM sqlite_master"), 0);
}

static void
test_failed_migration_rolls_back(void **state)
{
	struct hk_testdb *f = *state;
	char *err = NULL;

	/* A table in the way makes migration 1 fail half-way. */
	assert_int_equal(hk_db_exec(f->db, "CREATE TABLE login_throttle (x)"),
	    HK_SQL_OK);
	assert_int_equal(hk_db_migrate(f->db, &err), -1);
	assert_non_null(err);
	assert_int_equal(strncmp(err, "migration 1 failed: ", 20), 0);
	free(err);
	assert_int_equal(hk_db_schema_version(f->db), 0);
	/* The tables created before the failure are gone again. */
	assert_int_equal(query_int(f->db, "SELECT count(*) FROM sqlite_master "
	    "WHERE name IN ('admins', 'sessions')"), 0);
	/* And the connection is usable (no transaction left open). */
	assert_false(hk_sql_in_transaction(hk_db_sql(f->db)));
}

static void
test_prepare_cache(void **state)
{
	struct hk_testdb *f = *state;
	static const char same_text[] = "SELECT ?1 + 1";
	const char *sql = "SELECT ?1 + 1";
	struct hk_sql_stmt *a, *b, *c;

	a = hk_db_prepare(f->db, sql);
	assert_non_null(a);
	hk_sql_bind_int64(a, 1, 41);
	assert_int_equal(hk_sql_step(a), HK_SQL_ROW);
	assert_int_equal(hk_sql_column_int(a, 0), 42);
	/* hk_db_done resets, so no statement is left running. */
	hk_db_done(a);
	/* A running statement would lock DROP TABLE on this connection. */
	assert_int_equal(hk_db_exec(f->db, "CREATE TABLE probe (x); DROP TABLE probe"), HK_SQL_OK);

	b = hk_db_prepare(f->db, sql);
	assert_ptr_equal(a, b);
	/* Bindings were cleared: ?1 is NULL now. */
	assert_int_equal(hk_sql_step(b), HK_SQL_ROW);
	assert_true(hk_sql_column_is_null(b, 0));
	/* Preparing again while in use resets it. */
	c = hk_db_prepare(f->db, sql);
	assert_ptr_equal(c, a);
	/* A running statement would lock DROP TABLE on this connection. */
	assert_int_equal(hk_db_exec(f->db, "CREATE TABLE probe (x); DROP TABLE probe"), HK_SQL_OK);

	/* Kept by pointer: the same text at another address is another
	 * statement. */
	c = hk_db_prepare(f->db, same_text);
	assert_ptr_not_equal(c, a);
	assert_ptr_equal(hk_db_prepare(f->db, same_text), c);
	hk_db_done(c);
	hk_db_done(NULL);
}

static void
test_transactions(void **state)
{
	struct hk_testdb *f = *state;

	assert_int_equal(hk_db_exec(f->db, "CREATE TABLE t (v INTEGER)"),
	    HK_SQL_OK);
	assert_int_equal(hk_db_begin(f->db), HK_SQL_OK);
	assert_int_equal(hk_db_exec(f->db, "INSERT INTO t VALUES (1)"), HK_SQL_OK);
	hk_db_rollback(f->db);
	assert_int_equal(query_int(f->db, "SELECT count(*) FROM t"), 0);
	/* Rolling back outside a transaction is harmless. */
	hk_db_rollback(f->db);

	assert_int_equal(hk_db_begin(f->db), HK_SQL_OK);
	assert_int_equal(hk_db_exec(f->db, "INSERT INTO t VALUES (2)"), HK_SQL_OK);
	assert_int_equal(hk_db_commit(f->db), HK_SQL_OK);
	assert_int_equal(query_int(f->db, "SELECT v FROM t"), 2);

	assert_int_not_equal(hk_db_exec(f->db, "INSERT INTO nope VALUES (1)"),
	    HK_SQL_OK);
	assert_non_null(strstr(hk_db_errmsg(f->db), "nope"));
}

/* A begin inside a transaction is a savepoint: the inner write rolls
 * back alone, and nothing commits before the outer commit (how import
 * runs the model's own transactions inside its one). */
static void
test_nested_transactions(void **state)
{
	struct hk_testdb *f = *state;

	assert_int_equal(hk_db_exec(f->db, "CREATE TABLE t (v INTEGER)"),
	    HK_SQL_OK);
	assert_int_equal(hk_db_begin(f->db), HK_SQL_OK);
	assert_int_equal(hk_db_exec(f->db, "INSERT INTO t VALUES (1)"), HK_SQL_OK);
	assert_int_equal(hk_db_begin(f->db), HK_SQL_OK);
	assert_int_equal(hk_db_exec(f->db, "INSERT INTO t VALUES (2)"), HK_SQL_OK);
	hk_db_rollback(f->db);
	assert_int_equal(hk_db_begin(f->db), HK_SQL_OK);
	assert_int_equal(hk_db_exec(f->db, "INSERT INTO t VALUES (3)"), HK_SQL_OK);
	assert_int_equal(hk_db_commit(f->db), HK_SQL_OK);
	assert_true(hk_sql_in_transaction(hk_db_sql(f->db)));
	assert_int_equal(hk_db_commit(f->db), HK_SQL_OK);
	assert_int_equal(query_int(f->db, "SELECT sum(v) FROM t"), 4);

	/* An inner commit is undone by the outer rollback. */
	assert_int_equal(hk_db_begin(f->db), HK_SQL_OK);
	assert_int_equal(hk_db_begin(f->db), HK_SQL_OK);
	assert_int_equal(hk_db_exec(f->db, "INSERT INTO t VALUES (10)"), HK_SQL_OK);
	assert_int_equal(hk_db_commit(f->db), HK_SQL_OK);
	hk_db_rollback(f->db);
	assert_int_equal(query_int(f->db, "SELECT sum(v) FROM t"), 4);
	/* And the next begin starts afresh. */
	assert_int_equal(hk_db_begin(f->db), HK_SQL_OK);
	assert_int_equal(hk_db_exec(f->db, "INSERT INTO t VALUES (20)"), HK_SQL_OK);
	assert_int_equal(hk_db_commit(f->db), HK_SQL_OK);
	assert_false(hk_sql_in_transaction(hk_db_sql(f->db)));
	assert_int_equal(query_int(f->db, "SELECT sum(v) FROM t"), 24);
}

/* The shared helpers: one busy test (a lost connection included), a text
 * column that is never NULL, SQLite results as store outcomes. */
static void
test_helpers(void **state)
{
	struct hk_testdb *f = *state;
	struct hk_sql_stmt *st;
	int rc;

	assert_int_equal(hk_db_exec(f->db, "CREATE TABLE t (v TEXT);"
	    "INSERT INTO t VALUES ('a'), (NULL)"), HK_SQL_OK);
	st = hk_testdb_prepare(f->db, "SELECT v FROM t ORDER BY v IS NULL");
	assert_int_equal(hk_sql_step(st), HK_SQL_ROW);
	assert_string_equal(hk_db_text(st, 0), "a");
	/* A table being read cannot be dropped on the same connection:
	 * SQLITE_LOCKED, which is HK_SQL_BUSY, "busy" like another process's lock. */
	rc = hk_db_exec(f->db, "DROP TABLE t");
	assert_int_equal(rc, HK_SQL_BUSY);
	assert_true(hk_db_busy(rc));
	assert_int_equal(hk_db_store_rc(f->db, rc), HK_STORE_BUSY);
	assert_int_equal(hk_sql_step(st), HK_SQL_ROW);
	assert_string_equal(hk_db_text(st, 0), "");
	{
		char *dup = hk_db_text_dup(st, 0);

		assert_string_equal(dup, "");
		free(dup);
	}
	hk_sql_finalize(&st);

	assert_true(hk_db_busy(HK_SQL_BUSY));
	assert_true(hk_db_busy(HK_SQL_CONN));
	assert_false(hk_db_busy(HK_SQL_CONSTRAINT));
	assert_false(hk_db_busy(HK_SQL_UNIQUE));
	assert_false(hk_db_busy(HK_SQL_DONE));
	assert_int_equal(hk_db_store_rc(f->db, HK_SQL_DONE), HK_STORE_OK);
	assert_int_equal(hk_db_store_rc(f->db, HK_SQL_ROW), HK_STORE_OK);
	assert_int_equal(hk_db_store_rc(f->db, HK_SQL_OK), HK_STORE_OK);
	assert_int_equal(hk_db_store_rc(f->db, HK_SQL_UNIQUE),
	    HK_STORE_ERROR);
}

/* Health as stored and read back: successes reset the count, failures
 * keep the last error, an unknown server is silently not recorded. */
struct seen_health {
	int rows;
	long long server_id, failures;
	char reply[32];
};

static void
each_health(void *arg, long long server_id, const struct hk_health *h)
{
	struct seen_health *s = arg;

	s->rows++;
	s->server_id = server_id;
	s->failures = h->failures;
	snprintf(s->reply, sizeof(s->reply), "%s",
	    h->last_error_reply != NULL ? h->last_error_reply : "(null)");
}

static void
test_health(void **state)
{
	struct hk_testdb *f = hk_testdb_new("health", true);
	struct seen_health seen;
	struct hk_health h;

	(void)state;
	assert_non_null(f);
	assert_int_equal(hk_db_exec(f->db, "INSERT INTO mail_servers (position,"
	    " name, smtp_host, smtp_port, smtp_security, smtp_tls_verify,"
	    " smtp_auth, smtp_auth_method, smtp_credentials, pop_before_smtp,"
	    " pop_before_smtp_wait, send_limit, recv_protocol, apop, recv_host,"
	    " recv_port, recv_security, recv_tls_verify, recv_limit, created_at,"
	    " updated_at) VALUES (1, 'S', 'h', 25, 'none', 1, 0, 'plain',"
	    " 'account', 0, 0, 0, 'pop3', 0, 'h', 110, 'none', 1, 0, 0, 0)"),
	    HK_SQL_OK);
	assert_int_equal(hk_healthdb_read(f->db, 1, &h), HK_STORE_NOT_FOUND);
	hk_health_clear(&h);

	hk_healthdb_record(f->db, 1, HK_HEALTH_SEND, true, NULL, NULL);
	hk_healthdb_record(f->db, 1, HK_HEALTH_RECEIVE, false, "refused",
	    "-ERR no");
	hk_healthdb_record(f->db, 1, HK_HEALTH_RECEIVE, false, "timed out", "");
	assert_int_equal(hk_healthdb_read(f->db, 1, &h), HK_STORE_OK);
	assert_true(h.sent && !h.received && h.failed);
	assert_true(h.last_send_ok > 0 && h.last_error_at > 0);
	assert_string_equal(h.last_error_end, "receive");
	assert_string_equal(h.last_error, "timed out");
	assert_null(h.last_error_reply);
	assert_int_equal(h.failures, 2);
	hk_health_clear(&h);

	hk_healthdb_record(f->db, 1, HK_HEALTH_RECEIVE, true, NULL, NULL);
	assert_int_equal(hk_healthdb_read(f->db, 1, &h), HK_STORE_OK);
	assert_true(h.received && h.failed);
	assert_int_equal(h.failures, 0);
	hk_health_clear(&h);

	/* No such server: nothing stored, nothing fails. */
	hk_healthdb_record(f->db, 99, HK_HEALTH_SEND, false, "x", NULL);
	assert_int_equal(hk_healthdb_read(f->db, 99, &h), HK_STORE_NOT_FOUND);
	hk_health_clear(&h);

	/* The whole table in one pass: server 1's row, as read above. */
	hk_healthdb_record(f->db, 1, HK_HEALTH_SEND, false, "refused", "554 no");
	memset(&seen, 0, sizeof(seen));
	assert_int_equal(hk_healthdb_each(f->db, each_health, &seen),
	    HK_STORE_OK);
	assert_int_equal(seen.rows, 1);
	assert_int_equal(seen.server_id, 1);
	assert_int_equal(seen.failures, 1);
	assert_string_equal(seen.reply, "554 no");
	hk_testdb_free(&f);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_open_settings, setup, teardown),
		cmocka_unit_test_setup_teardown(test_open_missing_without_create, setup, teardown),
		cmocka_unit_test_setup_teardown(test_migrate_fresh, setup, teardown),
		cmocka_unit_test_setup_teardown(test_migrate_twice_is_noop, setup, teardown),
		cmocka_unit_test_setup_teardown(test_migrate_partial, setup, teardown),
		cmocka_unit_test_setup_teardown(test_newer_schema_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_failed_migration_rolls_back, setup, teardown),
		cmocka_unit_test_setup_teardown(test_prepare_cache, setup, teardown),
		cmocka_unit_test_setup_teardown(test_transactions, setup, teardown),
		cmocka_unit_test_setup_teardown(test_nested_transactions, setup, teardown),
		cmocka_unit_test_setup_teardown(test_helpers, setup, teardown),
		cmocka_unit_test(test_health),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
