/* test_buf.c - the growable buffer and the ordered name/value list. */
#include "config.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "buf.h"
#include "base64.h"
#include "freewatch.h"
#include "mem.h"
#include "params.h"
#include "secmem.h"

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

#define SECRET "hunter2-correct-horse"

/* True when the mapping holding p is marked "do not dump" (VmFlags dd in
 * /proc/self/smaps). */
static bool
not_dumped(const void *p)
{
	FILE *f = fopen("/proc/self/smaps", "r");
	char line[512];
	bool inside = false, dd = false;

	assert_non_null(f);
	while (fgets(line, sizeof(line), f) != NULL) {
		unsigned long lo, hi;

		if (sscanf(line, "%lx-%lx ", &lo, &hi) == 2 &&
		    strchr(line, '-') < strchr(line, ' ')) {
			inside = (uintptr_t)p >= lo && (uintptr_t)p < hi;
			continue;
		}
		if (inside && strncmp(line, "VmFlags:", 8) == 0) {
			dd = strstr(line, " dd") != NULL;
			break;
		}
	}
	fclose(f);
	return dd;
}

/* The cap: an add beyond it fails and leaves the buffer as it was. */
static void
test_cap(void **state)
{
	struct hk_buf b;

	(void)state;
	hk_buf_init(&b, 10, 0);
	assert_int_equal(hk_buf_add(&b, "12345678", 8), 0);
	assert_int_equal(hk_buf_add(&b, "abc", 3), -1);
	assert_int_equal(b.len, 8);
	assert_string_equal(hk_buf_str(&b), "12345678");
	assert_int_equal(hk_buf_add(&b, "ab", 2), 0);
	assert_string_equal(hk_buf_str(&b), "12345678ab");
	assert_int_equal(hk_buf_add(&b, "c", 1), -1);
	assert_int_equal(hk_buf_add(&b, "", 0), 0);
	assert_int_equal(hk_buf_add(&b, "c", (size_t)-1), -1);	/* no overflow */
	assert_string_equal(hk_buf_str(&b), "12345678ab");
	/* No block beyond the cap and its terminator. */
	assert_true(b.cap <= 11);
	/* Reset and free keep the cap. */
	hk_buf_reset(&b);
	assert_int_equal(hk_buf_add(&b, "12345678901", 11), -1);
	assert_int_equal(b.len, 0);
	hk_buf_free(&b);
	assert_int_equal(b.max, 10);
	assert_int_equal(hk_buf_add(&b, "12345678901", 11), -1);
	assert_null(b.data);
	hk_buf_free(&b);
}

/* The watcher sees a secret a plain buffer leaves behind when it grows
 * and when it is freed: the check below can fail. */
static void
test_plain_buffer_leaves_copies(void **state)
{
	struct hk_buf b = HK_BUF_INIT;
	size_t released, leaks;

	(void)state;
	freewatch_start(SECRET);
	hk_buf_puts(&b, SECRET);
	for (int i = 0; i < 1000; i++)
		hk_buf_puts(&b, "padding-");
	hk_buf_free(&b);
	leaks = freewatch_stop(&released);
	assert_true(leaks >= 1);
}

/* A secret buffer wipes the block it leaves on every grow, on reset and
 * on free, and keeps its memory out of core dumps. */
static void
test_secret_wiped_on_grow(void **state)
{
	struct hk_buf b;
	size_t released, leaks;
	char *s;

	(void)state;
	hk_buf_init(&b, 0, HK_BUF_SECRET);
	freewatch_start(SECRET);
	hk_buf_puts(&b, SECRET);
	assert_true(not_dumped(b.data));
	for (int i = 0; i < 3000; i++)		/* several pages: several moves */
		hk_buf_puts(&b, "padding-");
	assert_int_equal(b.len, strlen(SECRET) + 3000 * 8);
	assert_memory_equal(b.data, SECRET "padding-", strlen(SECRET) + 8);
	assert_true(not_dumped(b.data));
	leaks = freewatch_stop(&released);
	assert_true(released >= 3);		/* the moves gave blocks back */
	assert_int_equal(leaks, 0);		/* ... each one wiped */

	/* Reset wipes the contents it drops. */
	hk_buf_reset(&b);
	assert_null(memmem(b.data, b.cap, SECRET, strlen(SECRET)));

	freewatch_start(SECRET);
	hk_buf_printf(&b, "pw=%s", SECRET);
	hk_buf_free(&b);
	leaks = freewatch_stop(&released);
	assert_int_equal(released, 1);
	assert_int_equal(leaks, 0);
	assert_int_equal(b.flags, HK_BUF_SECRET);	/* kept for reuse */

	/* Steal hands over an ordinary copy (for hk_free_secret) and
	 * wipes the buffer's own block. */
	hk_buf_append(&b, SECRET "\0x", strlen(SECRET) + 2);
	freewatch_start(SECRET);
	s = hk_buf_steal(&b);
	leaks = freewatch_stop(&released);
	assert_int_equal(leaks, 0);
	assert_int_equal(released, 1);
	assert_memory_equal(s, SECRET "\0x", strlen(SECRET) + 3);
	assert_null(b.data);
	hk_free_secret(s);
}

/* Secret memory: whole pages, zeroed, not dumped, wiped before unmap. */
static void
test_secmem(void **state)
{
	size_t released, leaks;
	char *p;

	(void)state;
	assert_true(hk_secmem_size(1) >= 4096);
	assert_int_equal(hk_secmem_size(hk_secmem_size(1)), hk_secmem_size(1));
	assert_int_equal(hk_secmem_size(hk_secmem_size(1) + 1),
	    2 * hk_secmem_size(1));
	p = hk_secmem_alloc(32);
	assert_int_equal((uintptr_t)p % hk_secmem_size(1), 0);
	for (size_t i = 0; i < hk_secmem_size(32); i++)
		assert_int_equal(p[i], 0);
	assert_true(not_dumped(p));
	memcpy(p + 100, SECRET, strlen(SECRET));
	freewatch_start(SECRET);
	hk_secmem_free(p, 32);
	leaks = freewatch_stop(&released);
	assert_int_equal(released, 1);
	assert_int_equal(leaks, 0);
	hk_secmem_free(NULL, 32);
}

/* A kept one-page block is wiped before it is kept, and comes back
 * zeroed and still out of dumps. */
static void
test_secmem_spares(void **state)
{
	char *p, *q;

	(void)state;
	hk_secmem_set_spares(8);
	p = hk_secmem_alloc(32);
	memcpy(p + 100, SECRET, strlen(SECRET));
	hk_secmem_free(p, 32);
	/* Still mapped (kept): nothing of the secret is left in it. */
	assert_null(memmem(p, hk_secmem_size(32), SECRET, strlen(SECRET)));
	q = hk_secmem_alloc(10);
	assert_ptr_equal(q, p);
	for (size_t i = 0; i < hk_secmem_size(10); i++)
		assert_int_equal(q[i], 0);
	assert_true(not_dumped(q));
	hk_secmem_free(q, 10);
	hk_secmem_set_spares(0);
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
		cmocka_unit_test(test_cap),
		cmocka_unit_test(test_plain_buffer_leaves_copies),
		cmocka_unit_test(test_secret_wiped_on_grow),
		cmocka_unit_test(test_secmem),
		cmocka_unit_test(test_secmem_spares),
	};

	/* The release checks watch unmaps: keep no spare blocks but in
	 * test_secmem_spares. */
	hk_secmem_set_spares(0);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
