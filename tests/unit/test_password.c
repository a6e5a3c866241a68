/* test_password.c - scrypt hashes: format, verification, malformed
 * encodings and rehash detection.  Each full-cost hash takes ~0.1 s, so
 * cheap (ln=10) hashes built here stand in wherever the cost is not the
 * point. */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <openssl/evp.h>

#include "base64.h"
#include "mem.h"
#include "password.h"

/* "$scrypt$ln=LN,r=8,p=1$<salt>$<hash>" computed independently of the
 * code under test, for a fixed salt. */
static char *
make_hash(const char *password, int ln)
{
	unsigned char salt[16], out[32];
	char salt_hex[33], out_hex[65];

	memset(salt, 0xa5, sizeof(salt));
	assert_int_equal(EVP_PBE_scrypt(password, strlen(password), salt,
	    sizeof(salt), 1ULL << ln, 8, 1, 64ULL << 20, out, sizeof(out)), 1);
	hk_hex(salt, sizeof(salt), salt_hex);
	hk_hex(out, sizeof(out), out_hex);
	return hk_aprintf("$scrypt$ln=%d,r=8,p=1$%s$%s", ln, salt_hex, out_hex);
}

static int
all_lower_hex(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return s[n] == '\0' || s[n] == '$';
}

static void
test_hash_format_and_verify(void **state)
{
	char *a, *b;
	const char *prefix = "$scrypt$ln=15,r=8,p=1$";

	(void)state;
	a = hk_password_hash("correct horse battery");
	b = hk_password_hash("correct horse battery");
	assert_non_null(a);
	assert_non_null(b);
	/* prefix + 32 hex + '$' + 64 hex */
	assert_int_equal(strlen(a), strlen(prefix) + 32 + 1 + 64);
	assert_int_equal(strncmp(a, prefix, strlen(prefix)), 0);
	assert_true(all_lower_hex(a + strlen(prefix), 32));
	assert_int_equal(a[strlen(prefix) + 32], '$');
	assert_true(all_lower_hex(a + strlen(prefix) + 33, 64));
	/* A random salt: the same password never hashes the same twice. */
	assert_string_not_equal(a, b);
	assert_memory_not_equal(a + strlen(prefix), b + strlen(prefix), 32);

	assert_int_equal(hk_password_verify("correct horse battery", a), 1);
	assert_int_equal(hk_password_verify("correct horse batterY", a), 0);
	assert_false(hk_password_needs_rehash(a));
	free(a);
	free(b);
}

static void
test_verify_independent_hash(void **state)
{
	char *h = make_hash("pässwörd", 10);

	(void)state;
	assert_int_equal(hk_password_verify("pässwörd", h), 1);
	assert_int_equal(hk_password_verify("passwörd", h), 0);
	assert_int_equal(hk_password_verify("", h), 0);
	/* One flipped hex digit of the stored hash. */
	h[strlen(h) - 1] = h[strlen(h) - 1] == '0' ? '1' : '0';
	assert_int_equal(hk_password_verify("pässwörd", h), 0);
	free(h);
}

static void
test_malformed(void **state)
{
	char *good = make_hash("secret-password", 10);
	char *s;
	size_t salt_at = strlen("$scrypt$ln=10,r=8,p=1$");

	(void)state;
	assert_int_equal(hk_password_verify("secret-password", good), 1);

	assert_int_equal(hk_password_verify("x", NULL), -1);
	assert_int_equal(hk_password_verify("x", ""), -1);
	assert_int_equal(hk_password_verify("x", "plain text"), -1);

	/* Wrong prefix. */
	s = hk_strdup(good);
	memcpy(s, "$bcrypt", 7);
	assert_int_equal(hk_password_verify("secret-password", s), -1);
	free(s);
	s = hk_aprintf("x%s", good);
	assert_int_equal(hk_password_verify("secret-password", s), -1);
	free(s);

	/* Salt two hex digits short. */
	s = hk_aprintf("%.*s%s", (int)salt_at, good, good + salt_at + 2);
	assert_int_equal(hk_password_verify("secret-password", s), -1);
	free(s);
	/* Hash two hex digits short, and two too many. */
	s = hk_strndup(good, strlen(good) - 2);
	assert_int_equal(hk_password_verify("secret-password", s), -1);
	free(s);
	s = hk_aprintf("%s00", good);
	assert_int_equal(hk_password_verify("secret-password", s), -1);
	free(s);
	/* Trailing garbage. */
	s = hk_aprintf("%s$", good);
	assert_int_equal(hk_password_verify("secret-password", s), -1);
	free(s);

	/* Upper-case hex in the salt, then in the hash. */
	s = hk_strdup(good);
	for (size_t i = salt_at; i < salt_at + 32; i++)
		s[i] = (char)(s[i] >= 'a' && s[i] <= 'f' ? s[i] - 32 : s[i]);
	assert_string_not_equal(s, good);	/* 0xa5 salt has letters */
	assert_int_equal(hk_password_verify("secret-password", s), -1);
	free(s);
	s = hk_strdup(good);
	for (size_t i = salt_at + 33; s[i] != '\0'; i++)
		if (s[i] >= 'a' && s[i] <= 'f') {
			s[i] = (char)(s[i] - 32);
			break;
		}
	assert_string_not_equal(s, good);
	assert_int_equal(hk_password_verify("secret-password", s), -1);
	free(s);

	/* Cost parameters out of range (no work is done for them). */
	s = hk_strdup(good);
	memcpy(s + strlen("$scrypt$ln="), "09", 2);
	assert_int_equal(hk_password_verify("secret-password", s), -1);
	memcpy(s + strlen("$scrypt$ln="), "21", 2);
	assert_int_equal(hk_password_verify("secret-password", s), -1);
	free(s);
	s = hk_aprintf("$scrypt$ln=10,r=0,p=1$%s", good + salt_at);
	assert_int_equal(hk_password_verify("secret-password", s), -1);
	free(s);
	s = hk_aprintf("$scrypt$ln=10,r=8,p=5$%s", good + salt_at);
	assert_int_equal(hk_password_verify("secret-password", s), -1);
	free(s);
	s = hk_aprintf("$scrypt$ln=-1,r=8,p=1$%s", good + salt_at);
	assert_int_equal(hk_password_verify("secret-password", s), -1);
	free(s);
	free(good);
}

static void
test_needs_rehash(void **state)
{
	char *h14 = make_hash("secret-password", 14);
	char *s;

	(void)state;
	assert_int_equal(hk_password_verify("secret-password", h14), 1);
	assert_true(hk_password_needs_rehash(h14));
	/* Same string with the current cost: no rehash (the hash itself is
	 * not checked by needs_rehash). */
	s = hk_strdup(h14);
	memcpy(s + strlen("$scrypt$ln="), "15", 2);
	assert_false(hk_password_needs_rehash(s));
	memcpy(s + strlen("$scrypt$ln="), "16", 2);
	assert_false(hk_password_needs_rehash(s));
	free(s);
	/* Weaker r. */
	s = hk_aprintf("$scrypt$ln=15,r=4,p=1$%s",
	    h14 + strlen("$scrypt$ln=14,r=8,p=1$"));
	assert_true(hk_password_needs_rehash(s));
	free(s);
	/* Anything unparseable must be replaced. */
	assert_true(hk_password_needs_rehash(""));
	assert_true(hk_password_needs_rehash("$scrypt$ln=15"));
	free(h14);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hash_format_and_verify),
		cmocka_unit_test(test_verify_independent_hash),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_needs_rehash),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
