/* test_negotiate.c - Accept (XML vs HTML) and Accept-Language choice. */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "negotiate.h"

static const char *const langs[] = { "en", "ja", NULL };

static void
test_accept_xml(void **state)
{
	(void)state;
	assert_true(hk_accept_prefers_xml("application/xml"));
	assert_true(hk_accept_prefers_xml("text/xml"));
	assert_true(hk_accept_prefers_xml("APPLICATION/XML"));
	assert_true(hk_accept_prefers_xml("  application/xml ; charset=utf-8 "));
	assert_true(hk_accept_prefers_xml("text/html;q=0.5, application/xml"));
	assert_true(hk_accept_prefers_xml("application/xml, */*;q=0.1"));
	assert_true(hk_accept_prefers_xml("application/xml;q=0.001"));
	assert_true(hk_accept_prefers_xml(
	    "text/html;q=0.8,application/xml;q=0.9"));
	/* an extension after q does not override it */
	assert_true(hk_accept_prefers_xml("application/xml;q=1;q=0"));
	/* a ',' inside a quoted parameter does not split the element */
	assert_true(hk_accept_prefers_xml(
	    "application/xml;x=\"a,text/html\", text/html;q=0.5"));
}

static void
test_accept_html(void **state)
{
	(void)state;
	assert_false(hk_accept_prefers_xml(NULL));
	assert_false(hk_accept_prefers_xml(""));
	assert_false(hk_accept_prefers_xml("text/html"));
	assert_false(hk_accept_prefers_xml("text/html,application/xml;q=0.9"));
	assert_false(hk_accept_prefers_xml("*/*"));		/* curl */
	assert_false(hk_accept_prefers_xml("application/xml;q=0"));
	/* Firefox and Chromium defaults */
	assert_false(hk_accept_prefers_xml("text/html,application/xhtml+xml,"
	    "application/xml;q=0.9,*/*;q=0.8"));
	assert_false(hk_accept_prefers_xml("text/html,application/xhtml+xml,"
	    "application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8,"
	    "application/signed-exchange;v=b3;q=0.7"));
	/* ties go to HTML */
	assert_false(hk_accept_prefers_xml("application/xml, text/html"));
	assert_false(hk_accept_prefers_xml("application/xml, */*"));
	assert_false(hk_accept_prefers_xml("application/xml;q=0.5, text/*;q=0.5"));
	assert_false(hk_accept_prefers_xml(
	    "application/xml;q=0.5,application/xhtml+xml;q=0.5"));
	assert_false(hk_accept_prefers_xml("image/png, application/json"));
}

static void
test_accept_malformed(void **state)
{
	(void)state;
	/* malformed elements are ignored, the rest still counts */
	assert_false(hk_accept_prefers_xml("application/xml;q=2"));
	assert_false(hk_accept_prefers_xml("application/xml;q=abc"));
	assert_false(hk_accept_prefers_xml("application/xml;q=0.1234"));
	assert_false(hk_accept_prefers_xml("application/xml;q="));
	assert_false(hk_accept_prefers_xml("application/xml;q"));
	assert_false(hk_accept_prefers_xml("application/xml;q=1.5"));
	assert_true(hk_accept_prefers_xml("text/html;q=x, application/xml"));
	assert_true(hk_accept_prefers_xml("garbage, /, a/, /b, ,;, application/xml"));
	assert_false(hk_accept_prefers_xml(",,,;;;\"\"\"==="));
	assert_false(hk_accept_prefers_xml("application/xml\"unterminated, text/html"));
	assert_true(hk_accept_prefers_xml("application/xml;q=1.000"));
	assert_true(hk_accept_prefers_xml("application/xml;q=0.5, text/html;q=0.49"));
}

static void
test_language(void **state)
{
	(void)state;
	assert_string_equal(hk_accept_language("ja-JP,ja;q=0.9,en;q=0.8", langs), "ja");
	assert_string_equal(hk_accept_language("en-US", langs), "en");
	assert_string_equal(hk_accept_language("en-US,en;q=0.9,ja;q=0.8", langs), "en");
	assert_string_equal(hk_accept_language("JA", langs), "ja");
	assert_string_equal(hk_accept_language("fr", langs), "en");
	assert_string_equal(hk_accept_language("fr, ja;q=0.1", langs), "ja");
	assert_string_equal(hk_accept_language("ja;q=0, *", langs), "en");
	assert_string_equal(hk_accept_language("*", langs), "en");
	/* "*" stands for the tags not named */
	assert_string_equal(hk_accept_language("en;q=0, *;q=0.5", langs), "ja");
	assert_string_equal(hk_accept_language("ja;q=0.4, *;q=0.5", langs), "en");
	/* ties: the earlier range wins */
	assert_string_equal(hk_accept_language("ja, en", langs), "ja");
	assert_string_equal(hk_accept_language("en, ja", langs), "en");
	/* all excluded: the default */
	assert_string_equal(hk_accept_language("ja;q=0, en;q=0", langs), "en");
	assert_string_equal(hk_accept_language("*;q=0", langs), "en");
	/* "jav" is not "ja" */
	assert_string_equal(hk_accept_language("jav, ja;q=0.1, en;q=0.05", langs), "ja");
	assert_string_equal(hk_accept_language("jav", langs), "en");
}

static void
test_language_garbage(void **state)
{
	static const char *const ja_first[] = { "ja", "en", NULL };
	static const char *const none[] = { NULL };

	(void)state;
	assert_string_equal(hk_accept_language(NULL, langs), "en");
	assert_string_equal(hk_accept_language("", langs), "en");
	assert_string_equal(hk_accept_language("!!!, ;;;, ===", langs), "en");
	assert_string_equal(hk_accept_language("ja;q=high", langs), "en");
	assert_string_equal(hk_accept_language("ja;q=2", langs), "en");
	assert_string_equal(hk_accept_language("ja_JP", langs), "en");
	assert_string_equal(hk_accept_language("ja-", langs), "en");
	assert_string_equal(hk_accept_language("-ja", langs), "en");
	assert_string_equal(hk_accept_language("j4", langs), "en");
	assert_string_equal(hk_accept_language("abcdefghi", langs), "en");
	/* a bad element next to a good one */
	assert_string_equal(hk_accept_language("en;q=x, ja;q=0.2", langs), "ja");
	assert_string_equal(hk_accept_language("ja-Hani-JP-u-ca-1", langs), "ja");
	assert_string_equal(hk_accept_language("garbage", ja_first), "ja");
	assert_string_equal(hk_accept_language("*", ja_first), "ja");
	assert_null(hk_accept_language("ja", none));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_accept_xml),
		cmocka_unit_test(test_accept_html),
		cmocka_unit_test(test_accept_malformed),
		cmocka_unit_test(test_language),
		cmocka_unit_test(test_language_garbage),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
