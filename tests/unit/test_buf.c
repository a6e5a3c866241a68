/* test_buf.c - the growable buffer and the ordered name/value list. */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "buf.h"
#include "base64.h"
#include "mem.h"
#include "params.h"

static void
test_empty(void **state)
{
	struct hk_buf b = HK_BUF_INIT;
	char *s;

	(void)state;
	assert_null(b.data);
	assert_string_equal(hk_buf_str(&b), "");
	hk_buf_reset(&b);		/* fine on an empty buffer */
	assert_int_equal(b.len, 0);
	s = hk_buf_steal(&b);		/* an allocated "" */
	assert_non_null(s);
	assert_string_equal(s, "");
	free(s);
	hk_buf_append(&b, "", 0);
	assert_non_null(b.data);	/* allocated, terminated */
	assert_int_equal(b.len, 0);
	assert_string_equal(b.data, "");
	hk_buf_free(&b);
	assert_null(b.data);
	hk_buf_free(&b);		/* twice is fine */
}

static void
test_printf_growth(void **state)
{
	struct hk_buf b = HK_BUF_INIT;
	char want[256];

	(void)state;
	hk_buf_puts(&b, "abc");
	assert_int_equal(b.len, 3);
	assert_int_equal(b.cap, 64);
	/* 3 + 58 = 61 bytes: still fits with its terminator. */
	hk_buf_printf(&b, "%s|%05d", "0123456789012345678901234567890123456789012345678901", 42);
	assert_int_equal(b.len, 61);
	assert_int_equal(b.cap, 64);
	/* Across the boundary. */
	hk_buf_printf(&b, "%c%c%c[%s]", 'x', 'y', 'z', "tail");
	assert_int_equal(b.len, 70);
	assert_true(b.cap >= 71);
	assert_int_equal(b.cap, 128);
	snprintf(want, sizeof(want), "abc%s|%05dxyz[tail]",
	    "0123456789012345678901234567890123456789012345678901", 42);
	assert_string_equal(hk_buf_str(&b), want);
	assert_int_equal(strlen(b.data), b.len);

	/* A single large printf into a fresh buffer. */
	hk_buf_reset(&b);
	assert_int_equal(b.len, 0);
	assert_int_equal(b.cap, 128);	/* memory kept */
	assert_string_equal(hk_buf_str(&b), "");
	hk_buf_printf(&b, "%0300d", 7);
	assert_int_equal(b.len, 300);
	assert_int_equal(b.cap, 512);
	assert_int_equal(b.data[0], '0');
	assert_int_equal(b.data[299], '7');
	assert_int_equal(b.data[300], '\0');
	hk_buf_free(&b);
}

static void
test_append_binary_and_putc(void **state)
{
	struct hk_buf b = HK_BUF_INIT;

	(void)state;
	hk_buf_append(&b, "a\0b", 3);
	hk_buf_putc(&b, 'c');
	hk_buf_putc(&b, '\0');
	assert_int_equal(b.len, 5);
	assert_memory_equal(b.data, "a\0bc\0", 6);
	hk_buf_wipe_free(&b);
	assert_null(b.data);
	assert_int_equal(b.len, 0);
	assert_int_equal(b.cap, 0);
}

static void
test_steal(void **state)
{
	struct hk_buf b = HK_BUF_INIT;
	char *s;

	(void)state;
	for (int i = 0; i < 100; i++)
		hk_buf_printf(&b, "%d,", i % 10);
	assert_int_equal(b.len, 200);
	s = hk_buf_steal(&b);
	assert_int_equal(strlen(s), 200);
	assert_memory_equal(s, "0,1,2,3,4,5,6,7,8,9,0,1,", 24);
	assert_null(b.data);
	assert_int_equal(b.len, 0);
	assert_int_equal(b.cap, 0);
	/* The buffer is usable again. */
	hk_buf_puts(&b, "again");
	assert_string_equal(hk_buf_str(&b), "again");
	hk_buf_free(&b);
	free(s);
}

static void
test_params(void **state)
{
	struct hk_params p = HK_PARAMS_INIT;
	char name[16];

	(void)state;
	assert_null(hk_params_get(&p, "a"));
	assert_int_equal(hk_params_count(&p, "a"), 0);
	hk_params_add(&p, "order", "3");
	hk_params_add(&p, "name", "");
	hk_params_add(&p, "order", "1");
	hk_params_add(&p, "order", "2");
	assert_int_equal(p.n, 4);
	assert_string_equal(p.v[0].name, "order");
	assert_string_equal(p.v[0].value, "3");
	assert_string_equal(p.v[1].name, "name");
	assert_string_equal(p.v[1].value, "");
	assert_string_equal(p.v[2].value, "1");
	assert_string_equal(p.v[3].value, "2");
	/* The first value wins; repeats are counted. */
	assert_string_equal(hk_params_get(&p, "order"), "3");
	assert_string_equal(hk_params_get(&p, "name"), "");
	assert_null(hk_params_get(&p, "Order"));
	assert_int_equal(hk_params_count(&p, "order"), 3);
	assert_int_equal(hk_params_count(&p, "name"), 1);
	assert_int_equal(hk_params_count(&p, "nope"), 0);

	/* Copies are kept, not the caller's pointers. */
	snprintf(name, sizeof(name), "x");
	hk_params_add(&p, name, name);
	name[0] = 'y';
	assert_string_equal(hk_params_get(&p, "x"), "x");

	/* Growth past the first allocation keeps everything in order. */
	for (int i = 0; i < 50; i++) {
		snprintf(name, sizeof(name), "k%d", i);
		hk_params_add(&p, name, name);
	}
	assert_int_equal(p.n, 55);
	assert_string_equal(p.v[54].name, "k49");
	assert_string_equal(hk_params_get(&p, "k17"), "k17");

	hk_params_free(&p);
	assert_null(p.v);
	assert_int_equal(p.n, 0);
	assert_int_equal(p.cap, 0);
	hk_params_free(&p);
}

static void
test_mem_helpers(void **state)
{
	unsigned char bytes[] = { 0x00, 0x0f, 0xa5, 0xff };
	char hex[9], *s;

	(void)state;
	hk_hex(bytes, sizeof(bytes), hex);
	assert_string_equal(hex, "000fa5ff");
	assert_true(hk_ct_equal("abcd", "abcd", 4));
	assert_false(hk_ct_equal("abcd", "abce", 4));
	assert_true(hk_ct_equal("x", "y", 0));
	s = hk_aprintf("%s-%d", "n", 5);
	assert_string_equal(s, "n-5");
	free(s);
	s = hk_strndup("abcdef", 3);
	assert_string_equal(s, "abc");
	free(s);
	s = hk_strndup("ab", 10);
	assert_string_equal(s, "ab");
	hk_free_secret(s);
	hk_free_secret(NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_printf_growth),
		cmocka_unit_test(test_append_binary_and_putc),
		cmocka_unit_test(test_steal),
		cmocka_unit_test(test_params),
		cmocka_unit_test(test_mem_helpers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
