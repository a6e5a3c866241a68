/* test_form.c - urlencoded form/query parsing and URL path decoding. */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "buf.h"
#include "form.h"
#include "freewatch.h"
#include "secmem.h"

/* Parses a literal (embedded NULs included) with room for 100 pairs. */
#define PARSE(lit, out) hk_form_parse(lit, sizeof(lit) - 1, 100, out)

static void
assert_pair(const struct hk_params *p, size_t i, const char *name,
    const char *value)
{
	assert_true(i < p->n);
	assert_string_equal(p->v[i].name, name);
	assert_string_equal(p->v[i].value, value);
}

/* The input is refused with st and out is left empty. */
static void
assert_refused(const char *s, size_t len, enum hk_form_status st)
{
	struct hk_params p = HK_PARAMS_INIT;

	assert_int_equal(hk_form_parse(s, len, 100, &p), st);
	assert_int_equal(p.n, 0);
	assert_null(p.v);
}
#define REFUSED(lit, st) assert_refused(lit, sizeof(lit) - 1, st)

static void
test_basic_and_order(void **state)
{
	struct hk_params p = HK_PARAMS_INIT;

	(void)state;
	assert_int_equal(PARSE("a=1&b=2&order=3&order=1&order=2", &p), HK_FORM_OK);
	assert_int_equal(p.n, 5);
	assert_pair(&p, 0, "a", "1");
	assert_pair(&p, 1, "b", "2");
	assert_pair(&p, 2, "order", "3");
	assert_pair(&p, 3, "order", "1");
	assert_pair(&p, 4, "order", "2");
	assert_int_equal(hk_params_count(&p, "order"), 3);
	assert_string_equal(hk_params_get(&p, "order"), "3");
	hk_params_free(&p);
}

static void
test_empty_input(void **state)
{
	struct hk_params p = HK_PARAMS_INIT;

	(void)state;
	assert_int_equal(hk_form_parse("", 0, 100, &p), HK_FORM_OK);
	assert_int_equal(p.n, 0);
	assert_int_equal(hk_form_parse(NULL, 0, 100, &p), HK_FORM_OK);
	assert_int_equal(p.n, 0);
	assert_int_equal(PARSE("&&&", &p), HK_FORM_OK);
	assert_int_equal(p.n, 0);
}

static void
test_plus_and_escapes(void **state)
{
	struct hk_params p = HK_PARAMS_INIT;

	(void)state;
	assert_int_equal(PARSE("q=a+b%20c%2B&n+m=%3d%26&x=%41%4a%4A", &p),
	    HK_FORM_OK);
	assert_int_equal(p.n, 3);
	assert_pair(&p, 0, "q", "a b c+");
	assert_pair(&p, 1, "n m", "=&");
	assert_pair(&p, 2, "x", "AJJ");
	hk_params_free(&p);
}

static void
test_empty_pairs_and_missing_eq(void **state)
{
	struct hk_params p = HK_PARAMS_INIT;

	(void)state;
	assert_int_equal(PARSE("&a=&&flag&b=x=y&=v&", &p), HK_FORM_OK);
	assert_int_equal(p.n, 4);
	assert_pair(&p, 0, "a", "");
	assert_pair(&p, 1, "flag", "");
	assert_pair(&p, 2, "b", "x=y");	/* only the first '=' splits */
	assert_pair(&p, 3, "", "v");	/* WHATWG keeps an empty name */
	hk_params_free(&p);
}

static void
test_japanese(void **state)
{
	struct hk_params p = HK_PARAMS_INIT;

	(void)state;
	assert_int_equal(PARSE("name=%E3%83%A1%E3%83%BC%E3%83%AB&"
	    "%E5%90%8D=\xE6\x97\xA5", &p), HK_FORM_OK);
	assert_int_equal(p.n, 2);
	assert_pair(&p, 0, "name", "\xE3\x83\xA1\xE3\x83\xBC\xE3\x83\xAB");
	assert_pair(&p, 1, "\xE5\x90\x8D", "\xE6\x97\xA5");
	hk_params_free(&p);
}

static void
test_bad_escape(void **state)
{
	(void)state;
	REFUSED("a=%", HK_FORM_BAD_ESCAPE);
	REFUSED("a=%4", HK_FORM_BAD_ESCAPE);
	REFUSED("a=%zz", HK_FORM_BAD_ESCAPE);
	REFUSED("a=%4g", HK_FORM_BAD_ESCAPE);
	REFUSED("a=%%41", HK_FORM_BAD_ESCAPE);
	REFUSED("%=1", HK_FORM_BAD_ESCAPE);
	/* "%4" at the end of the pair is not completed by the next pair */
	REFUSED("a=%4&1=2", HK_FORM_BAD_ESCAPE);
	/* an error late in the input drops the good pairs before it */
	REFUSED("a=1&b=2&c=%", HK_FORM_BAD_ESCAPE);
	/* the length bounds the scan: "%41" cut to "%4" */
	assert_refused("a=%41", 4, HK_FORM_BAD_ESCAPE);
}

static void
test_nul_and_controls(void **state)
{
	struct hk_params p = HK_PARAMS_INIT;

	(void)state;
	REFUSED("a=%00", HK_FORM_BAD_NUL);
	REFUSED("a=x%00y", HK_FORM_BAD_NUL);
	REFUSED("a=x\0y", HK_FORM_BAD_NUL);	/* a raw NUL too */
	REFUSED("%00=1", HK_FORM_BAD_NUL);
	REFUSED("a=%01", HK_FORM_BAD_NUL);
	REFUSED("a=%1B", HK_FORM_BAD_NUL);
	REFUSED("a=%1f", HK_FORM_BAD_NUL);
	REFUSED("a=\x07", HK_FORM_BAD_NUL);
	/* names allow no controls at all, values allow TAB, CR and LF */
	REFUSED("a%09=1", HK_FORM_BAD_NUL);
	REFUSED("a%0A=1", HK_FORM_BAD_NUL);
	REFUSED("a%0D=1", HK_FORM_BAD_NUL);
	assert_int_equal(PARSE("v=l1%0D%0Al2%09x", &p), HK_FORM_OK);
	assert_int_equal(p.n, 1);
	assert_pair(&p, 0, "v", "l1\r\nl2\tx");
	hk_params_free(&p);
}

static void
test_bad_utf8(void **state)
{
	(void)state;
	REFUSED("a=%C0%80", HK_FORM_BAD_UTF8);		/* overlong NUL */
	REFUSED("a=%ED%A0%80", HK_FORM_BAD_UTF8);	/* surrogate */
	REFUSED("a=%F4%90%80%80", HK_FORM_BAD_UTF8);	/* > U+10FFFF */
	REFUSED("a=%E3%83", HK_FORM_BAD_UTF8);		/* truncated */
	REFUSED("a=%E3%83&b=%A1", HK_FORM_BAD_UTF8);	/* not across pairs */
	REFUSED("a=%FF", HK_FORM_BAD_UTF8);
	REFUSED("%80=1", HK_FORM_BAD_UTF8);
	REFUSED("a=\xC3", HK_FORM_BAD_UTF8);		/* raw byte */
}

static void
test_max_pairs(void **state)
{
	struct hk_params p = HK_PARAMS_INIT;

	(void)state;
	assert_int_equal(hk_form_parse("a=1&b=2&c=3", 11, 3, &p), HK_FORM_OK);
	assert_int_equal(p.n, 3);
	hk_params_free(&p);
	/* empty pairs do not count */
	assert_int_equal(hk_form_parse("&a=1&&b=2&", 10, 2, &p), HK_FORM_OK);
	assert_int_equal(p.n, 2);
	hk_params_free(&p);
	assert_int_equal(hk_form_parse("a=1&b=2&c=3", 11, 2, &p),
	    HK_FORM_TOO_MANY);
	assert_int_equal(p.n, 0);
	assert_null(p.v);
	assert_int_equal(hk_form_parse("a", 1, 0, &p), HK_FORM_TOO_MANY);
	assert_int_equal(p.n, 0);
}

static void
test_strerror(void **state)
{
	(void)state;
	assert_string_equal(hk_form_strerror(HK_FORM_OK), "ok");
	assert_string_equal(hk_form_strerror(HK_FORM_BAD_ESCAPE),
	    "malformed percent escape");
	assert_string_equal(hk_form_strerror(HK_FORM_BAD_NUL),
	    "NUL or control byte");
	assert_string_equal(hk_form_strerror(HK_FORM_BAD_UTF8), "invalid UTF-8");
	assert_string_equal(hk_form_strerror(HK_FORM_TOO_MANY), "too many fields");
	assert_string_equal(hk_form_strerror((enum hk_form_status)99),
	    "unknown form error");
}

/* hk_path_decode of a literal: the result, or NULL. */
static char *
pd(const char *s)
{
	return hk_path_decode(s, strlen(s));
}

static void
assert_path(const char *in, const char *want)
{
	char *got = pd(in);

	assert_non_null(got);
	assert_string_equal(got, want);
	free(got);
}

static void
test_path_decode(void **state)
{
	char *s;

	(void)state;
	assert_path("/mail-servers/12/edit", "/mail-servers/12/edit");
	assert_path("/a+b%20c", "/a+b c");		/* no '+' rule */
	assert_path("/%E3%83%A1", "/\xE3\x83\xA1");
	assert_path("", "");
	s = hk_path_decode("/abc%41", 4);		/* bounded by len */
	assert_non_null(s);
	assert_string_equal(s, "/abc");
	free(s);
	assert_null(pd("/a%"));
	assert_null(pd("/a%4"));
	assert_null(pd("/a%zz"));
	assert_null(pd("/a%00b"));
	assert_null(pd("/a%0Ab"));
	assert_null(pd("/a%09b"));
	assert_null(pd("/a%7Fb"));
	assert_null(pd("/a\x01"));
	assert_null(pd("/%C0%80"));
	assert_null(pd("/%ED%A0%80"));
	assert_null(pd("/%F4%90%80%80"));
	assert_null(pd("/%E3%83"));
	assert_null(hk_path_decode("/a\0b", 4));
}

/* A password followed by a long field: the shared value buffer grows while
 * the password is decoded into it and again for the next field, and must
 * not leave any part of the password in what it releases (the parsed pairs
 * are the caller's; hk_params_free wipes them). */
static void
test_password_not_left_behind(void **state)
{
	static const char head[] = "s3cret-P4ssw0rd";	/* what is looked for */
	struct hk_params p = HK_PARAMS_INIT;
	struct hk_buf in = HK_BUF_INIT, pw = HK_BUF_INIT;
	size_t released, leaks;

	(void)state;
	/* A long passphrase: longer than the buffer's first block. */
	hk_buf_puts(&pw, head);
	for (int i = 0; i < 20; i++)
		hk_buf_puts(&pw, "-horse");
	hk_buf_printf(&in, "csrf_token=abc&smtp_password=%s&notes=", pw.data);
	for (int i = 0; i < 2000; i++)
		hk_buf_puts(&in, "%41%42%43%44");	/* 8000 decoded bytes */
	hk_buf_puts(&in, "&last=1");
	freewatch_start(head);
	assert_int_equal(hk_form_parse(in.data, in.len, 100, &p), HK_FORM_OK);
	leaks = freewatch_stop(&released);
	assert_true(released >= 1);
	assert_int_equal(leaks, 0);
	assert_int_equal(p.n, 4);
	assert_string_equal(hk_params_get(&p, "smtp_password"), pw.data);
	assert_int_equal(strlen(hk_params_get(&p, "notes")), 8000);
	freewatch_start(head);
	hk_params_free(&p);
	leaks = freewatch_stop(&released);
	assert_int_equal(leaks, 0);
	hk_buf_free(&in);
	hk_buf_free(&pw);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_basic_and_order),
		cmocka_unit_test(test_empty_input),
		cmocka_unit_test(test_plus_and_escapes),
		cmocka_unit_test(test_empty_pairs_and_missing_eq),
		cmocka_unit_test(test_japanese),
		cmocka_unit_test(test_bad_escape),
		cmocka_unit_test(test_nul_and_controls),
		cmocka_unit_test(test_bad_utf8),
		cmocka_unit_test(test_max_pairs),
		cmocka_unit_test(test_strerror),
		cmocka_unit_test(test_path_decode),
		cmocka_unit_test(test_password_not_left_behind),
	};

	/* The release checks watch unmaps: keep no spare secret blocks. */
	hk_secmem_set_spares(0);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
