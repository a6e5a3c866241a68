/* test_secret.c - passwords at rest: a sealed value opens again with the
 * same key, table, id and field, and anything else (a flipped bit anywhere,
 * another record or field or key, truncation, another version) is refused
 * without handing back a value. */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "mem.h"
#include "secret.h"

static const unsigned char key1[HK_KEY_LEN] = "0123456789abcdef0123456789abcde";
static const unsigned char key2[HK_KEY_LEN] = "fedcba9876543210fedcba987654321";

static void
seal(const char *plain, unsigned char **blob, size_t *len)
{
	hk_secret_seal(key1, "mail_accounts", 7, "password", plain, blob, len);
}

static void
test_round_trip(void **state)
{
	const char *values[] = { "s3cret", "", "パスワード", "a b\tc",
	    "x", NULL };

	(void)state;
	for (int i = 0; values[i] != NULL; i++) {
		unsigned char *blob;
		size_t len;
		char *plain;

		seal(values[i], &blob, &len);
		assert_int_equal(len, 3 + 12 + strlen(values[i]) + 16);
		assert_int_equal(blob[0], 'h');
		assert_int_equal(blob[1], 'k');
		assert_int_equal(blob[2], 1);
		assert_int_equal(hk_secret_open(key1, "mail_accounts", 7,
		    "password", blob, len, &plain), HK_SECRET_OK);
		assert_string_equal(plain, values[i]);
		hk_free_secret(plain);
		free(blob);
	}
}

static void
test_long_value(void **state)
{
	char *big = hk_malloc(100001), *plain;
	unsigned char *blob;
	size_t len;

	(void)state;
	memset(big, 'q', 100000);
	big[100000] = '\0';
	seal(big, &blob, &len);
	assert_int_equal(hk_secret_open(key1, "mail_accounts", 7, "password",
	    blob, len, &plain), HK_SECRET_OK);
	assert_string_equal(plain, big);
	hk_free_secret(plain);
	free(blob);
	free(big);
}

/* The ciphertext never holds the plain text, and two seals of the same
 * value differ (a fresh nonce each time). */
static void
test_fresh_nonce_no_plaintext(void **state)
{
	unsigned char *a, *b;
	size_t alen, blen;

	(void)state;
	seal("hunter2hunter2", &a, &alen);
	seal("hunter2hunter2", &b, &blen);
	assert_int_equal(alen, blen);
	assert_memory_not_equal(a + 3, b + 3, 12);
	assert_memory_not_equal(a, b, alen);
	assert_null(memmem(a, alen, "hunter2", 7));
	free(a);
	free(b);
}

/* Every single-bit flip anywhere in the blob is caught. */
static void
test_every_bit_flip(void **state)
{
	unsigned char *blob;
	size_t len;

	(void)state;
	seal("correct horse", &blob, &len);
	for (size_t i = 0; i < len; i++)
		for (int bit = 0; bit < 8; bit++) {
			char *plain = (char *)"sentinel";
			enum hk_secret_rc rc;

			blob[i] ^= (unsigned char)(1u << bit);
			rc = hk_secret_open(key1, "mail_accounts", 7,
			    "password", blob, len, &plain);
			assert_int_not_equal(rc, HK_SECRET_OK);
			if (i < 3)
				assert_int_equal(rc, HK_SECRET_MALFORMED);
			else
				assert_int_equal(rc, HK_SECRET_TAMPERED);
			assert_null(plain);
			blob[i] ^= (unsigned char)(1u << bit);
		}
	free(blob);
}

static void
test_wrong_binding(void **state)
{
	unsigned char *blob;
	size_t len;
	char *plain;

	(void)state;
	seal("pw", &blob, &len);
	assert_int_equal(hk_secret_open(key2, "mail_accounts", 7, "password",
	    blob, len, &plain), HK_SECRET_TAMPERED);
	assert_null(plain);
	assert_int_equal(hk_secret_open(key1, "mail_accounts", 8, "password",
	    blob, len, &plain), HK_SECRET_TAMPERED);
	assert_null(plain);
	assert_int_equal(hk_secret_open(key1, "mail_accounts", 7, "username",
	    blob, len, &plain), HK_SECRET_TAMPERED);
	assert_null(plain);
	assert_int_equal(hk_secret_open(key1, "mail_servers", 7, "password",
	    blob, len, &plain), HK_SECRET_TAMPERED);
	assert_null(plain);
	/* "a:1:2" must not be confused with another split of the same text */
	assert_int_equal(hk_secret_open(key1, "mail_accounts:7", 0,
	    "password", blob, len, &plain), HK_SECRET_TAMPERED);
	assert_null(plain);
	free(blob);
}

static void
test_truncated_and_malformed(void **state)
{
	unsigned char *blob;
	size_t len;
	char *plain;

	(void)state;
	seal("pw", &blob, &len);
	for (size_t n = 0; n < len; n++) {
		enum hk_secret_rc rc = hk_secret_open(key1, "mail_accounts",
		    7, "password", blob, n, &plain);

		assert_int_not_equal(rc, HK_SECRET_OK);
		assert_null(plain);
		if (n < 31)
			assert_int_equal(rc, HK_SECRET_MALFORMED);
	}
	assert_int_equal(hk_secret_open(key1, "mail_accounts", 7, "password",
	    NULL, 0, &plain), HK_SECRET_MALFORMED);
	blob[2] = 2;	/* a future version */
	assert_int_equal(hk_secret_open(key1, "mail_accounts", 7, "password",
	    blob, len, &plain), HK_SECRET_MALFORMED);
	assert_null(plain);
	assert_int_equal(hk_secret_open(key1, "mail_accounts", 7, "password",
	    (const unsigned char *)"plain text password", 19, &plain),
	    HK_SECRET_MALFORMED);
	assert_null(plain);
	free(blob);
}

/* An appended byte shifts the tag: caught too. */
static void
test_extended(void **state)
{
	unsigned char *blob;
	size_t len;
	char *plain;

	(void)state;
	seal("pw", &blob, &len);
	blob = hk_realloc(blob, len + 1);
	blob[len] = 0;
	assert_int_equal(hk_secret_open(key1, "mail_accounts", 7, "password",
	    blob, len + 1, &plain), HK_SECRET_TAMPERED);
	assert_null(plain);
	free(blob);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_long_value),
		cmocka_unit_test(test_fresh_nonce_no_plaintext),
		cmocka_unit_test(test_every_bit_flip),
		cmocka_unit_test(test_wrong_binding),
		cmocka_unit_test(test_truncated_and_malformed),
		cmocka_unit_test(test_extended),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
