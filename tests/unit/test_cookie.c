/* test_cookie.c - Cookie header parsing: trimming, quoting, skipping. */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "cookie.h"

static void
assert_pair(const struct hk_params *p, size_t i, const char *name,
    const char *value)
{
	assert_true(i < p->n);
	assert_string_equal(p->v[i].name, name);
	assert_string_equal(p->v[i].value, value);
}

static void
test_null_and_empty(void **state)
{
	struct hk_params p = HK_PARAMS_INIT;

	(void)state;
	hk_cookie_parse(NULL, 10, &p);
	assert_int_equal(p.n, 0);
	hk_cookie_parse("", 10, &p);
	assert_int_equal(p.n, 0);
	hk_cookie_parse(" ; ;;", 10, &p);
	assert_int_equal(p.n, 0);
	hk_params_free(&p);
}

static void
test_basic_order_and_trim(void **state)
{
	struct hk_params p = HK_PARAMS_INIT;

	(void)state;
	hk_cookie_parse("a=1; b=2;c=3 ;  d = 4\t; a=5", 10, &p);
	assert_int_equal(p.n, 5);
	assert_pair(&p, 0, "a", "1");
	assert_pair(&p, 1, "b", "2");
	assert_pair(&p, 2, "c", "3");
	assert_pair(&p, 3, "d", "4");
	assert_pair(&p, 4, "a", "5");
	assert_int_equal(hk_params_count(&p, "a"), 2);
	hk_params_free(&p);
}

static void
test_quotes_and_raw_values(void **state)
{
	struct hk_params p = HK_PARAMS_INIT;

	(void)state;
	hk_cookie_parse("q=\"abc\"; e=\"\"; one=\"; h=a%20b; eq=x=y; em=", 10, &p);
	assert_int_equal(p.n, 6);
	assert_pair(&p, 0, "q", "abc");
	assert_pair(&p, 1, "e", "");
	assert_pair(&p, 2, "one", "\"");	/* a lone quote is kept */
	assert_pair(&p, 3, "h", "a%20b");	/* not percent-decoded */
	assert_pair(&p, 4, "eq", "x=y");
	assert_pair(&p, 5, "em", "");
	hk_params_free(&p);
}

static void
test_skipped(void **state)
{
	struct hk_params p = HK_PARAMS_INIT;

	(void)state;
	hk_cookie_parse("noeq; =v; ok=1; c=a\x01" "b; u=\xC0\x80; "
	    "n\x7F=1; s=\xED\xA0\x80; j=\xE3\x83\xA1; tab=a\tb", 10, &p);
	assert_int_equal(p.n, 2);
	assert_pair(&p, 0, "ok", "1");
	assert_pair(&p, 1, "j", "\xE3\x83\xA1");
	hk_params_free(&p);
}

static void
test_max_pairs(void **state)
{
	struct hk_params p = HK_PARAMS_INIT;

	(void)state;
	hk_cookie_parse("bad; a=1; b=2; c=3; d=4", 2, &p);
	assert_int_equal(p.n, 2);
	assert_pair(&p, 0, "a", "1");
	assert_pair(&p, 1, "b", "2");
	hk_params_free(&p);
	hk_cookie_parse("a=1", 0, &p);
	assert_int_equal(p.n, 0);
	hk_params_free(&p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_null_and_empty),
		cmocka_unit_test(test_basic_order_and_trim),
		cmocka_unit_test(test_quotes_and_raw_values),
		cmocka_unit_test(test_skipped),
		cmocka_unit_test(test_max_pairs),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
