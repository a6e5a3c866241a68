/* test_admins.c - administrator names and passwords: validity rules,
 * adding, changing and checking, on a temporary SQLite database. */
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

#include <openssl/evp.h>

#include "admins.h"
#include "db.h"
#include "base64.h"
#include "mem.h"
#include "testdb.h"
#include "session.h"

static int
setup(void **state)
{
	*state = hk_testdb_new("admins", true);
	return *state != NULL ? 0 : -1;
}

static int
teardown(void **state)
{
	struct hk_testdb *t = *state;

	hk_testdb_free(&t);
	return 0;
}

static char *
stored_hash(struct hk_testdb *f, const char *name)
{
	struct hk_sql_stmt *st;
	char *h = NULL;

	st = hk_testdb_prepare(f->db, "SELECT password_hash FROM admins WHERE name = ?1");
	hk_sql_bind_text(st, 1, name);
	if (hk_sql_step(st) == HK_SQL_ROW)
		h = hk_strdup(hk_sql_column_text(st, 0));
	hk_sql_finalize(&st);
	return h;
}

static void
test_name_valid(void **state)
{
	char name[70];

	(void)state;
	memset(name, 'a', sizeof(name));
	name[64] = '\0';
	assert_true(hk_admin_name_valid(name));
	name[64] = 'a';
	name[65] = '\0';
	assert_false(hk_admin_name_valid(name));

	assert_true(hk_admin_name_valid("a"));
	assert_true(hk_admin_name_valid("admin_name"));
	assert_true(hk_admin_name_valid(".-_@"));
	assert_true(hk_admin_name_valid("admin.name@example-1.jp"));
	assert_true(hk_admin_name_valid("ADMIN09"));
	assert_false(hk_admin_name_valid(""));
	assert_false(hk_admin_name_valid("a b"));
	assert_false(hk_admin_name_valid("ab\x01"));
	assert_false(hk_admin_name_valid("ab\t"));
	assert_false(hk_admin_name_valid("ab\x7f"));
	assert_false(hk_admin_name_valid("a/b"));
	assert_false(hk_admin_name_valid("a'b"));
	assert_false(hk_admin_name_valid("管理者"));
}

static void
test_password_valid(void **state)
{
	char pw[1100];

	(void)state;
	assert_false(hk_admin_password_valid("1234567"));
	assert_true(hk_admin_password_valid("12345678"));
	assert_false(hk_admin_password_valid(""));
	memset(pw, 'x', sizeof(pw));
	pw[1024] = '\0';
	assert_true(hk_admin_password_valid(pw));
	pw[1024] = 'x';
	pw[1025] = '\0';
	assert_false(hk_admin_password_valid(pw));
	/* Bytes, not characters: 3 kana are 9 bytes, 2 are 6. */
	assert_true(hk_admin_password_valid("あいう"));
	assert_false(hk_admin_password_valid("あい"));
	assert_true(hk_admin_password_valid("with spaces ok"));
	/* Control characters anywhere. */
	assert_false(hk_admin_password_valid("abcd\x01" "efgh"));
	assert_false(hk_admin_password_valid("abcdefgh\n"));
	assert_false(hk_admin_password_valid("abcdefgh\t"));
	assert_false(hk_admin_password_valid("abcdefgh\x7f"));
	/* Invalid UTF-8. */
	assert_false(hk_admin_password_valid("abcdefgh\xff"));
	assert_false(hk_admin_password_valid("abcdefgh\xe3\x81"));
	assert_false(hk_admin_password_valid("abcdefg\xc0\xaf"));
}

static void
test_add_and_check(void **state)
{
	struct hk_testdb *f = *state;
	long long id = 0, id2 = 0;

	assert_int_equal(hk_admin_add(f->db, "alice", "correct horse"),
	    HK_STORE_OK);
	assert_int_equal(hk_admin_check(f->db, "alice", "correct horse", &id),
	    HK_STORE_OK);
	assert_true(id > 0);
	/* Wrong password and unknown name answer alike, and leave id alone. */
	id2 = -7;
	assert_int_equal(hk_admin_check(f->db, "alice", "correct horsE", &id2),
	    HK_STORE_NOT_FOUND);
	assert_int_equal(id2, -7);
	assert_int_equal(hk_admin_check(f->db, "mallory", "correct horse", &id2),
	    HK_STORE_NOT_FOUND);
	assert_int_equal(id2, -7);
	/* Names are unique without regard to case (COLLATE NOCASE). */
	assert_int_equal(hk_admin_check(f->db, "ALICE", "correct horse", &id2),
	    HK_STORE_OK);
	assert_int_equal(id2, id);
}

static void
test_add_twice(void **state)
{
	struct hk_testdb *f = *state;

	assert_int_equal(hk_admin_add(f->db, "alice", "password-1"), HK_STORE_OK);
	assert_int_equal(hk_admin_add(f->db, "alice", "password-2"),
	    HK_STORE_EXISTS);
	assert_int_equal(hk_admin_add(f->db, "Alice", "password-2"),
	    HK_STORE_EXISTS);
	/* Invalid input is refused before any hashing or writing. */
	assert_int_equal(hk_admin_add(f->db, "bad name", "password-2"),
	    HK_STORE_INVALID);
	assert_int_equal(hk_admin_add(f->db, "bob", "short"), HK_STORE_INVALID);
	{
		struct hk_sql_stmt *st;

		st = hk_testdb_prepare(f->db, "SELECT count(*) FROM admins");
		assert_int_equal(hk_sql_step(st), HK_SQL_ROW);
		assert_int_equal(hk_sql_column_int(st, 0), 1);
		hk_sql_finalize(&st);
	}
}

static void
test_set_password(void **state)
{
	struct hk_testdb *f = *state;
	long long id = 0;

	assert_int_equal(hk_admin_set_password(f->db, "nobody", "password-1"),
	    HK_STORE_NOT_FOUND);
	assert_int_equal(hk_admin_add(f->db, "alice", "password-1"), HK_STORE_OK);
	assert_int_equal(hk_admin_set_password(f->db, "alice", "short"),
	    HK_STORE_INVALID);
	assert_int_equal(hk_admin_set_password(f->db, "alice", "password-2"),
	    HK_STORE_OK);
	assert_int_equal(hk_admin_check(f->db, "alice", "password-1", &id),
	    HK_STORE_NOT_FOUND);
	assert_int_equal(hk_admin_check(f->db, "alice", "password-2", &id),
	    HK_STORE_OK);
}

/* Inserts an admin whose hash uses scrypt cost ln, computed here; returns
 * the stored hash (caller frees). */
static char *
insert_weak_admin(struct hk_testdb *f, const char *name, const char *password,
    int ln)
{
	unsigned char salt[16], out[32];
	char salt_hex[33], out_hex[65], *hash, *q;

	memset(salt, 0x5a, sizeof(salt));
	assert_int_equal(EVP_PBE_scrypt(password, strlen(password), salt,
	    sizeof(salt), 1ULL << ln, 8, 1, 64ULL << 20, out, sizeof(out)), 1);
	hk_hex(salt, sizeof(salt), salt_hex);
	hk_hex(out, sizeof(out), out_hex);
	hash = hk_aprintf("$scrypt$ln=%d,r=8,p=1$%s$%s", ln, salt_hex, out_hex);
	q = hk_aprintf("INSERT INTO admins (name, password_hash, created_at, "
	    "updated_at) VALUES ('%s', '%s', 0, 0)", name, hash);
	assert_int_equal(hk_db_exec(f->db, q), HK_SQL_OK);
	free(q);
	return hash;
}

static void
test_weak_hash_upgraded_on_sign_in(void **state)
{
	struct hk_testdb *f = *state;
	char *hash, *now;
	long long id = 0;

	hash = insert_weak_admin(f, "old", "old-password", 14);
	assert_int_equal(hk_admin_check(f->db, "old", "wrong-password", &id),
	    HK_STORE_NOT_FOUND);
	now = stored_hash(f, "old");
	assert_string_equal(now, hash);		/* no upgrade on failure */
	free(now);
	assert_int_equal(hk_admin_check(f->db, "old", "old-password", &id),
	    HK_STORE_OK);
	now = stored_hash(f, "old");
	assert_int_equal(strncmp(now, "$scrypt$ln=15,r=8,p=1$", 22), 0);
	free(now);
	free(hash);
	/* And the upgraded hash still signs in. */
	assert_int_equal(hk_admin_check(f->db, "old", "old-password", &id),
	    HK_STORE_OK);
}

static void
test_rehash_keeps_other_sessions(void **state)
{
	struct hk_testdb *f = *state;
	char cookie[HK_TOKEN_HEX + 1];
	struct hk_session s, found;
	long long id = 0;

	/* Upgrading a weak hash at sign-in must not end the admin's other
	 * sessions: the password itself has not changed. */

	free(insert_weak_admin(f, "old", "old-password", 10));
	{
		struct hk_sql_stmt *st = hk_testdb_prepare(f->db,
		    "SELECT id FROM admins WHERE name = 'old'");

		assert_int_equal(hk_sql_step(st), HK_SQL_ROW);
		id = hk_sql_column_int64(st, 0);
		hk_sql_finalize(&st);
	}
	/* Signed in in one browser (before the cost was raised)... */
	assert_int_equal(hk_session_create(f->db, id, cookie, &s), HK_STORE_OK);
	/* ...then in another, which upgrades the hash... */
	assert_int_equal(hk_admin_check(f->db, "old", "old-password", &id),
	    HK_STORE_OK);
	/* ...must leave the first browser signed in. */
	assert_int_equal(hk_session_lookup(f->db, cookie, &found), HK_STORE_OK);
}

static void
test_malformed_stored_hash(void **state)
{
	struct hk_testdb *f = *state;
	long long id = -1;

	assert_int_equal(hk_db_exec(f->db, "INSERT INTO admins (name, "
	    "password_hash, created_at, updated_at) VALUES ('broken', "
	    "'plain-text-password', 0, 0)"), HK_SQL_OK);
	assert_int_equal(hk_admin_check(f->db, "broken", "plain-text-password",
	    &id), HK_STORE_NOT_FOUND);
	assert_int_equal(id, -1);
}

static void
test_set_lang(void **state)
{
	struct hk_testdb *f = *state;
	struct hk_sql_stmt *st;

	assert_int_equal(hk_db_exec(f->db, "INSERT INTO admins (id, name, "
	    "password_hash, created_at, updated_at) VALUES (7, 'x', 'h', 0, 0)"),
	    HK_SQL_OK);
	st = hk_testdb_prepare(f->db, "SELECT coalesce(lang, 'NULL') FROM admins WHERE id = 7");

	assert_int_equal(hk_admin_set_lang(f->db, 7, "ja"), HK_STORE_OK);
	assert_int_equal(hk_sql_step(st), HK_SQL_ROW);
	assert_string_equal(hk_sql_column_text(st, 0), "ja");
	hk_sql_reset(st);
	assert_int_equal(hk_admin_set_lang(f->db, 7, ""), HK_STORE_OK);
	assert_int_equal(hk_sql_step(st), HK_SQL_ROW);
	assert_string_equal(hk_sql_column_text(st, 0), "NULL");
	hk_sql_reset(st);
	assert_int_equal(hk_admin_set_lang(f->db, 7, "en"), HK_STORE_OK);
	assert_int_equal(hk_admin_set_lang(f->db, 7, NULL), HK_STORE_OK);
	assert_int_equal(hk_sql_step(st), HK_SQL_ROW);
	assert_string_equal(hk_sql_column_text(st, 0), "NULL");
	hk_sql_finalize(&st);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_name_valid),
		cmocka_unit_test(test_password_valid),
		cmocka_unit_test_setup_teardown(test_add_and_check, setup, teardown),
		cmocka_unit_test_setup_teardown(test_add_twice, setup, teardown),
		cmocka_unit_test_setup_teardown(test_set_password, setup, teardown),
		cmocka_unit_test_setup_teardown(test_weak_hash_upgraded_on_sign_in, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rehash_keeps_other_sessions, setup, teardown),
		cmocka_unit_test_setup_teardown(test_malformed_stored_hash, setup, teardown),
		cmocka_unit_test_setup_teardown(test_set_lang, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
