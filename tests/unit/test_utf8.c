/* test_utf8.c - strict UTF-8 validation and code point counting. */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "utf8.h"

#define VALID(lit) hk_utf8_valid(lit, sizeof(lit) - 1)

static void
test_ascii_and_empty(void **state)
{
	(void)state;
	assert_true(hk_utf8_valid("", 0));
	assert_true(hk_utf8_valid(NULL, 0));
	assert_true(VALID("hello"));
	assert_true(VALID("a\0b"));	/* NUL is the caller's business */
}

static void
test_valid_multibyte(void **state)
{
	(void)state;
	assert_true(VALID("\xC2\x80"));			/* U+0080 */
	assert_true(VALID("\xDF\xBF"));			/* U+07FF */
	assert_true(VALID("\xE0\xA0\x80"));		/* U+0800 */
	assert_true(VALID("\xE3\x83\xA1"));		/* メ */
	assert_true(VALID("\xED\x9F\xBF"));		/* U+D7FF */
	assert_true(VALID("\xEE\x80\x80"));		/* U+E000 */
	assert_true(VALID("\xEF\xBF\xBF"));		/* U+FFFF */
	assert_true(VALID("\xF0\x90\x80\x80"));		/* U+10000 */
	assert_true(VALID("\xF4\x8F\xBF\xBF"));		/* U+10FFFF */
	assert_true(VALID("\xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E")); /* 日本語 */
}

static void
test_overlong(void **state)
{
	(void)state;
	assert_false(VALID("\xC0\x80"));
	assert_false(VALID("\xC1\xBF"));
	assert_false(VALID("\xE0\x80\x80"));
	assert_false(VALID("\xE0\x9F\xBF"));
	assert_false(VALID("\xF0\x80\x80\x80"));
	assert_false(VALID("\xF0\x8F\xBF\xBF"));
}

static void
test_surrogates_and_range(void **state)
{
	(void)state;
	assert_false(VALID("\xED\xA0\x80"));		/* U+D800 */
	assert_false(VALID("\xED\xBF\xBF"));		/* U+DFFF */
	assert_false(VALID("\xF4\x90\x80\x80"));	/* U+110000 */
	assert_false(VALID("\xF5\x80\x80\x80"));
	assert_false(VALID("\xFF"));
	assert_false(VALID("\xFE"));
}

static void
test_truncated_and_stray(void **state)
{
	(void)state;
	assert_false(VALID("\xE3\x83"));
	assert_false(VALID("\xE3"));
	assert_false(VALID("\xF0\x9F\x98"));
	assert_false(VALID("\xC2"));
	assert_false(VALID("a\xC2"));
	assert_false(VALID("\x80"));			/* lone continuation */
	assert_false(VALID("\xE3\x83\x41"));		/* bad 3rd byte */
	assert_false(VALID("\xC2\xC2\x80"));
	/* the length bounds the scan: a valid prefix of a longer buffer */
	assert_false(hk_utf8_valid("\xE3\x83\xA1", 2));
	assert_true(hk_utf8_valid("\xE3\x83\xA1\xFF", 3));
}

static void
test_length(void **state)
{
	(void)state;
	assert_int_equal(hk_utf8_length("", 0), 0);
	assert_int_equal(hk_utf8_length("abc", 3), 3);
	assert_int_equal(hk_utf8_length("\xE3\x83\xA1", 3), 1);
	assert_int_equal(hk_utf8_length("a\xC3\xA9\xF0\x9F\x98\x80z", 8), 4);
}

/* The one walker the validators and the header decoder share. */
static void
test_seq(void **state)
{
	(void)state;
	assert_int_equal(hk_utf8_seq("a", 1), 1);
	assert_int_equal(hk_utf8_seq("\0", 1), 1);
	assert_int_equal(hk_utf8_seq("abc", 0), 0);	/* nothing to read */
	assert_int_equal(hk_utf8_seq("\xC3\xA9z", 3), 2);
	assert_int_equal(hk_utf8_seq("\xE3\x83\xA1", 3), 3);
	assert_int_equal(hk_utf8_seq("\xF0\x9F\x98\x80", 4), 4);
	assert_int_equal(hk_utf8_seq("\xF4\x8F\xBF\xBF", 4), 4);
	/* only n bytes may be read: a sequence cut by n is invalid */
	assert_int_equal(hk_utf8_seq("\xE3\x83\xA1", 2), 0);
	assert_int_equal(hk_utf8_seq("\x80", 1), 0);		/* continuation */
	assert_int_equal(hk_utf8_seq("\xC1\xBF", 2), 0);	/* overlong */
	assert_int_equal(hk_utf8_seq("\xE0\x9F\xBF", 3), 0);	/* overlong */
	assert_int_equal(hk_utf8_seq("\xF0\x8F\xBF\xBF", 4), 0);
	assert_int_equal(hk_utf8_seq("\xED\xA0\x80", 3), 0);	/* surrogate */
	assert_int_equal(hk_utf8_seq("\xF4\x90\x80\x80", 4), 0);
	assert_int_equal(hk_utf8_seq("\xE3\x83\x41", 3), 0);
	assert_int_equal(hk_utf8_seq("\xFF", 1), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ascii_and_empty),
		cmocka_unit_test(test_valid_multibyte),
		cmocka_unit_test(test_overlong),
		cmocka_unit_test(test_surrogates_and_range),
		cmocka_unit_test(test_truncated_and_stray),
		cmocka_unit_test(test_length),
		cmocka_unit_test(test_seq),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
