/* test_pagecache.c - the rendered-page cache: keys, placeholders and their
 * substitution, the checks before keeping a page, LRU eviction, the byte
 * cap, the generation; and the migration's triggers that change it. */
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

#include "buf.h"
#include "datagen.h"
#include "db.h"
#include "mem.h"
#include "testdb.h"
#include "pagecache.h"

static const char tok_a[] =
    "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
static const char tok_b[] =
    "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210";

/* A page as the stylesheet would write it, with csrf and name put in. */
static char *
page(const char *csrf, const char *name, const char *data)
{
	return hk_aprintf("<html><p>Signed in as %s</p><form>"
	    "<input name=\"csrf_token\" value=\"%s\"></form><table>%s</table>"
	    "<form><input name=\"csrf_token\" value=\"%s\"></form></html>",
	    name, csrf, data, csrf);
}

/* Stores page(placeholders) under key, checked against page(vals). */
static enum hk_pc_put
put_page(struct hk_pagecache *pc, const char *key, const char *data,
    const char *csrf, const char *name)
{
	char *tpl = page(hk_pagecache_placeholder(pc, HK_PC_CSRF),
	    hk_pagecache_placeholder(pc, HK_PC_NAME), data);
	char *fresh = page(csrf, name, data);
	const char *vals[HK_PC_NSLOTS] = { csrf, name };
	size_t expect[HK_PC_NSLOTS] = { 2, HK_PC_ANY };
	enum hk_pc_put rc = hk_pagecache_put(pc, key, tpl, strlen(tpl), expect,
	    vals, fresh, strlen(fresh));

	free(tpl);
	free(fresh);
	return rc;
}

/* The page under key for (csrf, name), or NULL on a miss (caller frees). */
static char *
get_page(struct hk_pagecache *pc, const char *key, const char *csrf,
    const char *name)
{
	const char *vals[HK_PC_NSLOTS] = { csrf, name };
	struct hk_buf out = HK_BUF_INIT;

	if (!hk_pagecache_get(pc, key, vals, &out)) {
		assert_int_equal(out.len, 0);
		return NULL;
	}
	return hk_buf_steal(&out);
}

static void
test_placeholders(void **state)
{
	struct hk_pagecache *a = hk_pagecache_new(4, 1 << 20);
	struct hk_pagecache *b = hk_pagecache_new(4, 1 << 20);
	const char *c = hk_pagecache_placeholder(a, HK_PC_CSRF);
	const char *n = hk_pagecache_placeholder(a, HK_PC_NAME);

	(void)state;
	assert_int_equal(strlen(c), HK_PAGECACHE_PH_LEN);
	assert_int_equal(strlen(n), HK_PAGECACHE_PH_LEN);
	assert_int_equal(strspn(c, "0123456789abcdef"), HK_PAGECACHE_PH_LEN);
	assert_string_not_equal(c, n);
	/* Another process (cache) draws its own. */
	assert_string_not_equal(c, hk_pagecache_placeholder(b, HK_PC_CSRF));
	assert_string_not_equal(n, hk_pagecache_placeholder(b, HK_PC_NAME));
	hk_pagecache_free(&a);
	hk_pagecache_free(&b);
	assert_null(a);
	hk_pagecache_free(&a);		/* twice is fine */
}

static void
test_value_shapes(void **state)
{
	(void)state;
	assert_true(hk_pagecache_value_ok(HK_PC_CSRF, tok_a));
	assert_false(hk_pagecache_value_ok(HK_PC_CSRF, ""));
	assert_false(hk_pagecache_value_ok(HK_PC_CSRF, NULL));
	assert_false(hk_pagecache_value_ok(HK_PC_CSRF, "ABCDEF"));
	assert_false(hk_pagecache_value_ok(HK_PC_CSRF, "12\"34"));
	assert_true(hk_pagecache_value_ok(HK_PC_NAME, "alice.o-k_2@example.jp"));
	assert_false(hk_pagecache_value_ok(HK_PC_NAME, ""));
	assert_false(hk_pagecache_value_ok(HK_PC_NAME, "<b>"));
	assert_false(hk_pagecache_value_ok(HK_PC_NAME, "a&amp;b"));
	assert_false(hk_pagecache_value_ok(HK_PC_NAME, "a b"));
	assert_false(hk_pagecache_value_ok(HK_PC_NAME, "\xe5\xa4\xaa\xe9\x83\x8e"));
}

/* One stored page serves two sessions, each with only its own values,
 * byte for byte what a fresh render would give. */
static void
test_substitution(void **state)
{
	struct hk_pagecache *pc = hk_pagecache_new(4, 1 << 20);
	char *got, *want;

	(void)state;
	assert_int_equal(put_page(pc, "k", "<tr>Main</tr>", tok_a, "alice"),
	    HK_PC_STORED);
	got = get_page(pc, "k", tok_b, "bob");
	want = page(tok_b, "bob", "<tr>Main</tr>");
	assert_string_equal(got, want);
	assert_null(strstr(got, tok_a));
	assert_null(strstr(got, "alice"));
	assert_null(strstr(got, hk_pagecache_placeholder(pc, HK_PC_CSRF)));
	assert_null(strstr(got, hk_pagecache_placeholder(pc, HK_PC_NAME)));
	free(got);
	free(want);
	got = get_page(pc, "k", tok_a, "alice");
	want = page(tok_a, "alice", "<tr>Main</tr>");
	assert_string_equal(got, want);
	free(got);
	free(want);

	/* Appends to what the buffer holds. */
	{
		struct hk_buf out = HK_BUF_INIT;
		const char *vals[HK_PC_NSLOTS] = { tok_b, "bob" };

		hk_buf_puts(&out, "x");
		assert_true(hk_pagecache_get(pc, "k", vals, &out));
		want = page(tok_b, "bob", "<tr>Main</tr>");
		assert_int_equal(out.len, 1 + strlen(want));
		assert_string_equal(out.data + 1, want);
		free(want);
		hk_buf_free(&out);
	}
	/* A value that would need escaping is never put in: a miss. */
	assert_null(get_page(pc, "k", tok_b, "<script>"));
	assert_null(get_page(pc, "k", "not hex", "bob"));
	hk_pagecache_free(&pc);
}

static void
test_keys(void **state)
{
	struct hk_pagecache *pc = hk_pagecache_new(8, 1 << 20);
	char *got;

	(void)state;
	assert_int_equal(put_page(pc, "1\nen\n\n/mail-servers\n", "EN", tok_a,
	    "alice"), HK_PC_STORED);
	assert_int_equal(put_page(pc, "1\nja\n\n/mail-servers\n", "JA", tok_a,
	    "alice"), HK_PC_STORED);
	assert_int_equal(hk_pagecache_count(pc), 2);
	got = get_page(pc, "1\nja\n\n/mail-servers\n", tok_a, "alice");
	assert_non_null(strstr(got, "JA"));
	free(got);
	got = get_page(pc, "1\nen\n\n/mail-servers\n", tok_a, "alice");
	assert_non_null(strstr(got, "EN"));
	free(got);
	assert_null(get_page(pc, "1\nen\nen\n/mail-servers\n", tok_a, "alice"));
	assert_null(get_page(pc, "1\nen\n\n/mail-servers\nx=1", tok_a, "alice"));
	assert_null(get_page(pc, "2\nen\n\n/mail-servers\n", tok_a, "alice"));
	assert_null(get_page(pc, "", tok_a, "alice"));

	/* The same key again replaces its page. */
	assert_int_equal(put_page(pc, "1\nen\n\n/mail-servers\n", "EN2", tok_a,
	    "alice"), HK_PC_STORED);
	assert_int_equal(hk_pagecache_count(pc), 2);
	got = get_page(pc, "1\nen\n\n/mail-servers\n", tok_a, "alice");
	assert_non_null(strstr(got, "EN2"));
	free(got);
	hk_pagecache_free(&pc);
}

/* A new generation drops every page; the same one keeps them. */
static void
test_generation(void **state)
{
	struct hk_pagecache *pc = hk_pagecache_new(8, 1 << 20);
	char *got;

	(void)state;
	hk_pagecache_generation(pc, 41);
	assert_int_equal(put_page(pc, "k", "old", tok_a, "alice"), HK_PC_STORED);
	hk_pagecache_generation(pc, 41);
	got = get_page(pc, "k", tok_a, "alice");
	assert_non_null(got);
	free(got);
	hk_pagecache_generation(pc, -7);
	assert_int_equal(hk_pagecache_count(pc), 0);
	assert_int_equal(hk_pagecache_bytes(pc), 0);
	assert_null(get_page(pc, "k", tok_a, "alice"));
	hk_pagecache_free(&pc);
}

/* At most max_entries: the least recently used (stored or served) goes. */
static void
test_lru(void **state)
{
	struct hk_pagecache *pc = hk_pagecache_new(3, 1 << 20);
	char *got;

	(void)state;
	assert_int_equal(put_page(pc, "a", "A", tok_a, "x"), HK_PC_STORED);
	assert_int_equal(put_page(pc, "b", "B", tok_a, "x"), HK_PC_STORED);
	assert_int_equal(put_page(pc, "c", "C", tok_a, "x"), HK_PC_STORED);
	got = get_page(pc, "a", tok_a, "x");	/* a is now the newest */
	free(got);
	assert_int_equal(put_page(pc, "d", "D", tok_a, "x"), HK_PC_STORED);
	assert_int_equal(hk_pagecache_count(pc), 3);
	assert_null(get_page(pc, "b", tok_a, "x"));
	got = get_page(pc, "a", tok_a, "x");
	assert_non_null(got);
	free(got);
	got = get_page(pc, "c", tok_a, "x");	/* c newer than d now */
	assert_non_null(got);
	free(got);
	assert_int_equal(put_page(pc, "e", "E", tok_a, "x"), HK_PC_STORED);
	assert_null(get_page(pc, "d", tok_a, "x"));
	got = get_page(pc, "e", tok_a, "x");
	assert_non_null(got);
	free(got);
	hk_pagecache_free(&pc);
}

/* The byte cap holds whatever the pages' sizes; one page over a quarter
 * of it is not kept at all. */
static void
test_byte_cap(void **state)
{
	size_t cap = 64 * 1024;
	struct hk_pagecache *pc = hk_pagecache_new(100, cap);
	char *big = hk_calloc(1, 12 * 1024 + 1), *huge, *got;
	size_t before;

	(void)state;
	memset(big, 'x', 12 * 1024);
	for (int i = 0; i < 20; i++) {
		char key[16];

		snprintf(key, sizeof(key), "k%d", i);
		assert_int_equal(put_page(pc, key, big, tok_a, "x"),
		    HK_PC_STORED);
		assert_true(hk_pagecache_bytes(pc) <= cap);
	}
	/* 12 KiB pages under a 64 KiB cap: at most five, the newest. */
	assert_true(hk_pagecache_count(pc) <= 5);
	assert_true(hk_pagecache_count(pc) >= 4);
	assert_null(get_page(pc, "k0", tok_a, "x"));
	got = get_page(pc, "k19", tok_a, "x");
	assert_non_null(got);
	free(got);

	before = hk_pagecache_count(pc);
	huge = hk_calloc(1, cap / 4 + 1);
	memset(huge, 'y', cap / 4);
	assert_int_equal(put_page(pc, "huge", huge, tok_a, "x"), HK_PC_TOO_BIG);
	assert_null(get_page(pc, "huge", tok_a, "x"));
	assert_int_equal(hk_pagecache_count(pc), before);	/* nothing evicted */
	free(huge);
	free(big);
	hk_pagecache_free(&pc);
}

/* The checks before keeping a page. */
static void
test_refusals(void **state)
{
	struct hk_pagecache *pc = hk_pagecache_new(8, 1 << 20);
	const char *ph_c = hk_pagecache_placeholder(pc, HK_PC_CSRF);
	const char *ph_n = hk_pagecache_placeholder(pc, HK_PC_NAME);
	const char *vals[HK_PC_NSLOTS] = { tok_a, "alice" };
	size_t two[HK_PC_NSLOTS] = { 2, HK_PC_ANY };
	char *tpl, *fresh, *data;

	(void)state;
	/* The placeholder once more than expected (e.g. stored data that
	 * held it): refused, whatever the rest. */
	data = hk_aprintf("<td>%s</td>", ph_c);
	tpl = page(ph_c, ph_n, data);
	fresh = page(tok_a, "alice", data);
	assert_int_equal(hk_pagecache_put(pc, "k", tpl, strlen(tpl), two, vals,
	    NULL, 0), HK_PC_COUNT);
	assert_int_equal(hk_pagecache_put(pc, "k", tpl, strlen(tpl), two, vals,
	    fresh, strlen(fresh)), HK_PC_COUNT);
	assert_int_equal(hk_pagecache_count(pc), 0);
	free(tpl);
	free(fresh);
	free(data);

	/* Fewer than expected (the stylesheet dropped a form). */
	tpl = hk_aprintf("<p>%s</p><input value=\"%s\">", ph_n, ph_c);
	assert_int_equal(hk_pagecache_put(pc, "k", tpl, strlen(tpl), two, vals,
	    NULL, 0), HK_PC_COUNT);
	free(tpl);

	/* Substituted, not what the fresh rendering was: e.g. a stylesheet
	 * that shows the name's length or upper case. */
	tpl = page(ph_c, ph_n, "<td>32</td>");
	fresh = page(tok_a, "alice", "<td>5</td>");
	assert_int_equal(hk_pagecache_put(pc, "k", tpl, strlen(tpl), two, vals,
	    fresh, strlen(fresh)), HK_PC_DIFFERS);
	free(fresh);
	fresh = page(tok_a, "alice", "<td>32</td>");
	fresh[strlen(fresh) - 1] = '\0';	/* one byte short */
	assert_int_equal(hk_pagecache_put(pc, "k", tpl, strlen(tpl), two, vals,
	    fresh, strlen(fresh)), HK_PC_DIFFERS);
	free(fresh);

	/* Values that would need escaping are refused before anything. */
	{
		const char *bad[HK_PC_NSLOTS] = { tok_a, "a\"b" };

		fresh = page(tok_a, "a\"b", "<td>32</td>");
		assert_int_equal(hk_pagecache_put(pc, "k", tpl, strlen(tpl), two,
		    bad, fresh, strlen(fresh)), HK_PC_BAD_VALUE);
		free(fresh);
	}
	assert_int_equal(hk_pagecache_count(pc), 0);

	/* And the same page with everything right is kept. */
	fresh = page(tok_a, "alice", "<td>32</td>");
	assert_int_equal(hk_pagecache_put(pc, "k", tpl, strlen(tpl), two, vals,
	    fresh, strlen(fresh)), HK_PC_STORED);
	free(fresh);
	free(tpl);
	assert_int_equal(hk_pagecache_count(pc), 1);
	hk_pagecache_free(&pc);
}

/* Placeholders at the very start and end, and next to each other. */
static void
test_edges(void **state)
{
	struct hk_pagecache *pc = hk_pagecache_new(8, 1 << 20);
	const char *ph_c = hk_pagecache_placeholder(pc, HK_PC_CSRF);
	const char *ph_n = hk_pagecache_placeholder(pc, HK_PC_NAME);
	const char *vals[HK_PC_NSLOTS] = { tok_b, "bob" };
	char *tpl = hk_aprintf("%s%s%s", ph_c, ph_n, ph_c), *got;

	(void)state;
	assert_int_equal(hk_pagecache_put(pc, "k", tpl, strlen(tpl), NULL,
	    NULL, NULL, 0), HK_PC_STORED);
	got = get_page(pc, "k", tok_a, "alice");
	assert_string_equal(got, "0123456789abcdef0123456789abcdef0123456789abcdef"
	    "0123456789abcdefalice0123456789abcdef0123456789abcdef0123456789abcdef"
	    "0123456789abcdef");
	free(got);
	free(tpl);
	/* No placeholder at all: the page as is. */
	assert_int_equal(hk_pagecache_put(pc, "plain", "<p>x</p>", 8, NULL,
	    vals, "<p>x</p>", 8), HK_PC_STORED);
	got = get_page(pc, "plain", tok_b, "bob");
	assert_string_equal(got, "<p>x</p>");
	free(got);
	hk_pagecache_free(&pc);
}

/* ---- the migration's triggers --------------------------------------- */

static long long
generation(struct hk_db *db)
{
	struct hk_sql_stmt *st;
	long long n = 0;

	st = hk_testdb_prepare(db, "SELECT n FROM data_generation");
	assert_int_equal(hk_sql_step(st), HK_SQL_ROW);
	n = hk_sql_column_int64(st, 0);
	hk_sql_finalize(&st);
	return n;
}

/* Runs sql and says whether the generation changed. */
static bool
bumps(struct hk_db *db, const char *sql)
{
	long long before = generation(db);

	assert_int_equal(hk_db_exec(db, sql), HK_SQL_OK);
	return generation(db) != before;
}

static void
test_triggers(void **state)
{
	struct hk_testdb *f = hk_testdb_new("pc", true);
	long long g;

	(void)state;
	assert_non_null(f);

	/* Not written by these. */
	assert_false(bumps(f->db, "INSERT INTO admins (name, password_hash, "
	    "created_at, updated_at) VALUES ('alice', 'x', 0, 0)"));
	assert_false(bumps(f->db, "INSERT INTO sessions VALUES (x'01', 1, 'c', 0, 0)"));
	assert_false(bumps(f->db, "UPDATE sessions SET seen_at = 5"));
	assert_false(bumps(f->db, "DELETE FROM sessions"));
	assert_false(bumps(f->db, "INSERT INTO login_throttle VALUES ('ip:x', 1, 0)"));
	assert_false(bumps(f->db, "UPDATE login_throttle SET failures = 2"));
	assert_false(bumps(f->db, "DELETE FROM login_throttle"));
	assert_false(bumps(f->db, "UPDATE admins SET lang = 'ja'"));

	/* Every write the cached screens show. */
	assert_true(bumps(f->db, "INSERT INTO mail_servers (position, name, "
	    "smtp_host, smtp_port, smtp_security, smtp_tls_verify, smtp_auth, "
	    "smtp_auth_method, smtp_credentials, pop_before_smtp, "
	    "pop_before_smtp_wait, send_limit, recv_protocol, apop, recv_host, "
	    "recv_port, recv_security, recv_tls_verify, recv_limit, created_at, "
	    "updated_at) VALUES (1, 'S', 'h', 25, 'none', 1, 0, 'plain', "
	    "'account', 0, 0, 0, 'pop3', 0, 'h', 110, 'none', 1, 0, 0, 0)"));
	assert_true(bumps(f->db, "UPDATE mail_servers SET name = 'T'"));
	assert_true(bumps(f->db, "UPDATE mail_servers SET position = position"));
	assert_true(bumps(f->db, "INSERT INTO mail_accounts (name, address, "
	    "server_id, username, password, created_at, updated_at) VALUES "
	    "('a', 'a@x', 1, 'u', x'00', 0, 0)"));
	assert_true(bumps(f->db, "UPDATE mail_accounts SET address = 'b@x'"));
	assert_true(bumps(f->db, "DELETE FROM mail_accounts"));
	assert_true(bumps(f->db, "INSERT INTO server_tests VALUES (1, 0, 1, 's', '<r/>')"));
	assert_true(bumps(f->db, "UPDATE server_tests SET ok = 0"));
	assert_true(bumps(f->db, "DELETE FROM server_tests"));
	assert_true(bumps(f->db, "INSERT INTO server_health (server_id) VALUES (1)"));
	assert_true(bumps(f->db, "UPDATE server_health SET failures = 3"));
	assert_true(bumps(f->db, "DELETE FROM server_health"));
	/* A rolled-back write leaves it as it was. */
	g = generation(f->db);
	assert_int_equal(hk_db_exec(f->db, "BEGIN; UPDATE mail_servers SET "
	    "name = 'V'; ROLLBACK"), HK_SQL_OK);
	assert_true(generation(f->db) == g);
	assert_true(bumps(f->db, "DELETE FROM mail_servers"));
	/* An update that matches no row writes nothing. */
	assert_false(bumps(f->db, "UPDATE mail_servers SET name = 'U'"));

	hk_testdb_free(&f);
}

/* The read snapshot the pipeline renders a cacheable page in: it sees
 * the generation of its first read, whatever commits meanwhile. */
static void
test_read_snapshot(void **state)
{
	struct hk_testdb *f = hk_testdb_new("pcsnap", true);
	struct hk_db *other;
	char *err = NULL;
	long long g = 0, g2 = 0;

	(void)state;
	assert_non_null(f);
	other = hk_db_open(f->path, false, &err);
	assert_non_null(other);

	assert_true(hk_datagen_read_begin(f->db, &g));
	assert_true(g == generation(other));
	/* Not twice on one connection. */
	assert_false(hk_datagen_read_begin(f->db, &g2));
	assert_int_equal(hk_db_exec(other, "UPDATE data_generation SET n = n + 1"),
	    HK_SQL_OK);
	/* Still the snapshot of the first read. */
	assert_true(generation(f->db) == g);
	assert_true(hk_datagen_read_end(f->db));
	assert_false(hk_datagen_read_end(f->db));
	assert_true(generation(f->db) == g + 1);
	assert_true(hk_datagen_read_begin(f->db, &g2));
	assert_true(g2 == g + 1);
	assert_true(hk_datagen_read_end(f->db));

	hk_db_close(&other);
	hk_testdb_free(&f);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_placeholders),
		cmocka_unit_test(test_value_shapes),
		cmocka_unit_test(test_substitution),
		cmocka_unit_test(test_keys),
		cmocka_unit_test(test_generation),
		cmocka_unit_test(test_lru),
		cmocka_unit_test(test_byte_cap),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_edges),
		cmocka_unit_test(test_triggers),
		cmocka_unit_test(test_read_snapshot),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
