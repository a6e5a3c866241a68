/* test_sql.c - the backend-neutral pieces of src/lib-sql: placeholders in
 * PostgreSQL's spelling, and a target shown without its password. */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "sql.h"
#include "sql-placeholders.h"

static void
rewrites(const char *in, const char *want, int want_n)
{
	int n = -1;
	char *out = hk_sql_pg_placeholders(in, &n);

	assert_non_null(out);
	assert_string_equal(out, want);
	assert_int_equal(n, want_n);
	free(out);
}

static void
test_placeholders(void **state)
{
	int n;

	(void)state;
	rewrites("", "", 0);
	rewrites("SELECT 1", "SELECT 1", 0);
	rewrites("SELECT ?, ?", "SELECT $1, $2", 2);
	rewrites("UPDATE t SET a = ?2 WHERE id = ?1 AND b = ?2",
	    "UPDATE t SET a = $2 WHERE id = $1 AND b = $2", 2);
	/* A bare one follows the last numbered one, as in SQLite. */
	rewrites("VALUES (?3, ?)", "VALUES ($3, $4)", 4);
	rewrites("?12", "$12", 12);
	/* Quoted text, quoted names and comments keep their '?'. */
	rewrites("SELECT '?', 'it''s ?', ?", "SELECT '?', 'it''s ?', $1", 1);
	rewrites("SELECT \"a?\" FROM t WHERE x = ?",
	    "SELECT \"a?\" FROM t WHERE x = $1", 1);
	rewrites("SELECT ? -- what?\n, ?", "SELECT $1 -- what?\n, $2", 2);
	rewrites("SELECT /* ? */ ?", "SELECT /* ? */ $1", 1);
	rewrites("SELECT 'open ?", "SELECT 'open ?", 0);
	/* Out of range. */
	assert_null(hk_sql_pg_placeholders("SELECT ?0", &n));
	assert_null(hk_sql_pg_placeholders("SELECT ?1000", &n));
}

static void
shown(const char *target, const char *want)
{
	char *s = hk_sql_target_shown(target);

	assert_string_equal(s, want);
	free(s);
}

static void
test_target_shown(void **state)
{
	(void)state;
	shown("/var/lib/hikyaku/hikyaku.db", "/var/lib/hikyaku/hikyaku.db");
	shown("postgresql://hk@db/hikyaku", "postgresql://hk@db/hikyaku");
	shown("postgresql://hk:s3cret@db:5432/hikyaku",
	    "postgresql://hk:***@db:5432/hikyaku");
	shown("postgres://hk:p@ss@db", "postgres://hk:***@db");
	shown("postgresql://db/x?user=a", "postgresql://db/x?user=a");
	assert_true(hk_sql_target_is_pgsql("postgres://x"));
	assert_false(hk_sql_target_is_pgsql("postgresql:/x"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_placeholders),
		cmocka_unit_test(test_target_shown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
