/* test_i18n.c - message catalogues: lookup, fallbacks, {N} arguments and
 * the errors for broken catalogue files. */
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

#include "i18n.h"
#include "mem.h"

static const char en_xml[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<messages lang=\"en\">\n"
    "  <m k=\"greet\">Hello {1} and {2}</m>\n"
    "  <m k=\"only.en\">English only</m>\n"
    "  <m k=\"literal\">a {x} b {0} c {10} d {1</m>\n"
    "  <m k=\"empty\"></m>\n"
    "  <m k=\"escaped\">&lt;b&gt; &amp; more</m>\n"
    "</messages>\n";

static const char ja_xml[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<messages lang=\"ja\">\n"
    "  <m k=\"greet\">こんにちは、{2}さんと{1}さん</m>\n"
    "  <!-- only.en is deliberately missing -->\n"
    "</messages>\n";

struct fixture {
	char dir[64];
};

static char *
put(const struct fixture *f, const char *name, const char *text)
{
	char *path = hk_aprintf("%s/%s", f->dir, name);
	FILE *fp = fopen(path, "w");

	assert_non_null(fp);
	assert_true(fputs(text, fp) >= 0);
	assert_int_equal(fclose(fp), 0);
	return path;
}

static void
drop(const struct fixture *f, const char *name)
{
	char *path = hk_aprintf("%s/%s", f->dir, name);

	unlink(path);
	free(path);
}

static int
setup(void **state)
{
	struct fixture *f = hk_calloc(1, sizeof(*f));

	snprintf(f->dir, sizeof(f->dir), "/tmp/hk-test-i18n.XXXXXX");
	if (mkdtemp(f->dir) == NULL)
		return -1;
	free(put(f, "en.xml", en_xml));
	free(put(f, "ja.xml", ja_xml));
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	drop(f, "en.xml");
	drop(f, "ja.xml");
	/* Left behind only when a test failed half-way. */
	drop(f, "en-servers.xml");
	drop(f, "ja-servers.xml");
	drop(f, "ja.xml~");
	drop(f, "jax.xml");
	drop(f, "secret.txt");
	rmdir(f->dir);
	free(f);
	return 0;
}

static struct hk_catalog *
load_ok(const struct fixture *f)
{
	char *err = NULL;
	struct hk_catalog *cat = hk_catalog_load(f->dir, &err);

	assert_null(err);
	assert_non_null(cat);
	return cat;
}

static void
test_languages(void **state)
{
	(void)state;
	assert_string_equal(hk_languages[0], "en");
	assert_string_equal(hk_languages[1], "ja");
	assert_null(hk_languages[2]);
	assert_true(hk_lang_supported("en"));
	assert_true(hk_lang_supported("ja"));
	assert_false(hk_lang_supported("fr"));
	assert_false(hk_lang_supported("EN"));
	assert_false(hk_lang_supported(""));
	assert_false(hk_lang_supported(NULL));
}

static void
test_lookup_and_fallbacks(void **state)
{
	struct hk_catalog *cat = load_ok(*state);

	assert_string_equal(hk_msg(cat, "en", "greet"), "Hello {1} and {2}");
	assert_string_equal(hk_msg(cat, "ja", "greet"),
	    "こんにちは、{2}さんと{1}さん");
	/* Missing in ja: the default language's text. */
	assert_string_equal(hk_msg(cat, "ja", "only.en"), "English only");
	/* Unsupported or absent language: the default language. */
	assert_string_equal(hk_msg(cat, "fr", "greet"), "Hello {1} and {2}");
	assert_string_equal(hk_msg(cat, NULL, "greet"), "Hello {1} and {2}");
	/* Missing everywhere: the key itself. */
	assert_string_equal(hk_msg(cat, "ja", "no.such.key"), "no.such.key");
	assert_string_equal(hk_msg(cat, "en", "no.such.key"), "no.such.key");
	/* Entities are decoded; an empty message stays empty (not the key). */
	assert_string_equal(hk_msg(cat, "en", "escaped"), "<b> & more");
	assert_string_equal(hk_msg(cat, "en", "empty"), "");
	/* No catalogue at all: the key. */
	assert_string_equal(hk_msg(NULL, "en", "greet"), "greet");
	hk_catalog_free(&cat);
	assert_null(cat);
	hk_catalog_free(&cat);	/* NULL is fine */
}

static void
test_format(void **state)
{
	struct hk_catalog *cat = load_ok(*state);
	const char *const two[] = { "A", "B" };
	const char *const nested[] = { "{2}", "B" };
	const char *const with_null[] = { NULL, "B" };
	char *s;

	s = hk_msg_format(cat, "en", "greet", two, 2);
	assert_string_equal(s, "Hello A and B");
	free(s);
	/* Arguments by number, in the order the language wants them. */
	s = hk_msg_format(cat, "ja", "greet", two, 2);
	assert_string_equal(s, "こんにちは、BさんとAさん");
	free(s);
	/* A missing argument is empty. */
	s = hk_msg_format(cat, "en", "greet", two, 1);
	assert_string_equal(s, "Hello A and ");
	free(s);
	s = hk_msg_format(cat, "en", "greet", NULL, 0);
	assert_string_equal(s, "Hello  and ");
	free(s);
	s = hk_msg_format(cat, "en", "greet", with_null, 2);
	assert_string_equal(s, "Hello  and B");
	free(s);
	/* An argument is not expanded again. */
	s = hk_msg_format(cat, "en", "greet", nested, 2);
	assert_string_equal(s, "Hello {2} and B");
	free(s);
	/* Anything but {1}..{9} is literal. */
	s = hk_msg_format(cat, "en", "literal", two, 2);
	assert_string_equal(s, "a {x} b {0} c {10} d {1");
	free(s);
	/* A missing key formats the key itself. */
	s = hk_msg_format(cat, "en", "no.{1}.key", two, 2);
	assert_string_equal(s, "no.A.key");
	free(s);
	s = hk_msg_format(cat, "en", "empty", two, 2);
	assert_string_equal(s, "");
	free(s);
	hk_catalog_free(&cat);
}

/* Loading fails with exactly "DIR/<file><message>" (file "": "DIR<message>"). */
static void
expect_load_error(const struct fixture *f, const char *file,
    const char *message)
{
	char *err = NULL, *want;
	struct hk_catalog *cat = hk_catalog_load(f->dir, &err);

	assert_null(cat);
	assert_non_null(err);
	want = *file ? hk_aprintf("%s/%s%s", f->dir, file, message) :
	    hk_aprintf("%s%s", f->dir, message);
	assert_string_equal(err, want);
	free(want);
	free(err);
}

static void
test_duplicate_key(void **state)
{
	struct fixture *f = *state;

	free(put(f, "ja.xml", "<messages lang=\"ja\"><m k=\"a\">1</m>"
	    "<m k=\"b\">2</m><m k=\"a\">3</m></messages>"));
	expect_load_error(f, "", ": key 'a' is defined twice in the 'ja' catalogue");
}

static void
test_area_files(void **state)
{
	struct fixture *f = *state;
	struct hk_catalog *cat;
	char *err = NULL;

	/* DIR/<lang>-<area>.xml add to DIR/<lang>.xml. */
	free(put(f, "en-servers.xml", "<messages lang=\"en\">"
	    "<m k=\"servers.x\">Servers X</m></messages>"));
	free(put(f, "ja-servers.xml", "<messages lang=\"ja\">"
	    "<m k=\"servers.x\">サーバーX</m></messages>"));
	/* Not area files: no dash, another language, not .xml. */
	free(put(f, "ja.xml~", "<messages><m k=\"greet\">backup</m></messages>"));
	free(put(f, "jax.xml", "<messages><m k=\"greet\">other</m></messages>"));
	cat = hk_catalog_load(f->dir, &err);
	assert_null(err);
	assert_non_null(cat);
	assert_string_equal(hk_msg(cat, "en", "servers.x"), "Servers X");
	assert_string_equal(hk_msg(cat, "ja", "servers.x"), "サーバーX");
	assert_string_equal(hk_msg(cat, "ja", "greet"),
	    "こんにちは、{2}さんと{1}さん");
	assert_string_equal(hk_msg(cat, "en", "only.en"), "English only");
	hk_catalog_free(&cat);
	drop(f, "ja.xml~");
	drop(f, "jax.xml");

	/* A key defined in two files of one language. */
	free(put(f, "en-servers.xml", "<messages lang=\"en\">"
	    "<m k=\"only.en\">again</m></messages>"));
	expect_load_error(f, "",
	    ": key 'only.en' is defined twice in the 'en' catalogue");
	/* A broken area file is named. */
	free(put(f, "en-servers.xml", "<messages>"));
	expect_load_error(f, "en-servers.xml", ": missing or not well-formed XML");
	drop(f, "en-servers.xml");
	drop(f, "ja-servers.xml");
}

static void
test_malformed(void **state)
{
	struct fixture *f = *state;

	free(put(f, "ja.xml", "<messages><m k=\"a\">x</messages>"));
	expect_load_error(f, "ja.xml", ": missing or not well-formed XML");
	free(put(f, "ja.xml", ""));
	expect_load_error(f, "ja.xml", ": missing or not well-formed XML");
	free(put(f, "en.xml", "<catalogue><m k=\"a\">x</m></catalogue>"));
	expect_load_error(f, "en.xml", ": the root element must be <messages>");
	free(put(f, "en.xml", "<messages>\n\n<m>no key</m></messages>"));
	expect_load_error(f, "en.xml", ":3: <m> without k=");
}

static void
test_missing_file(void **state)
{
	struct fixture *f = *state;

	drop(f, "ja.xml");
	expect_load_error(f, "ja.xml", ": missing or not well-formed XML");
}

static void
test_external_entity_not_loaded(void **state)
{
	struct fixture *f = *state;
	struct hk_catalog *cat;
	char *err = NULL, *secret;

	/* A catalogue must not pull in other files through entities. */
	secret = put(f, "secret.txt", "TOPSECRET");
	free(put(f, "ja.xml", "<?xml version=\"1.0\"?>\n"
	    "<!DOCTYPE messages [<!ENTITY s SYSTEM \"secret.txt\">]>\n"
	    "<messages><m k=\"leak\">[&s;]</m></messages>"));
	cat = hk_catalog_load(f->dir, &err);
	unlink(secret);
	free(secret);
	assert_null(err);
	assert_non_null(cat);
	assert_string_equal(hk_msg(cat, "ja", "leak"), "[]");
	hk_catalog_free(&cat);
}

static void
test_real_catalogues(void **state)
{
	char *err = NULL;
	struct hk_catalog *cat = hk_catalog_load(HK_TEST_SRCDIR "/xsl/i18n", &err);

	(void)state;
	assert_null(err);
	assert_non_null(cat);
	assert_string_equal(hk_msg(cat, "ja", "login.title"), "ログイン");
	assert_string_not_equal(hk_msg(cat, "en", "login.title"), "login.title");
	assert_string_not_equal(hk_msg(cat, "en", "login.title"),
	    hk_msg(cat, "ja", "login.title"));
	hk_catalog_free(&cat);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_languages),
		cmocka_unit_test_setup_teardown(test_lookup_and_fallbacks, setup, teardown),
		cmocka_unit_test_setup_teardown(test_format, setup, teardown),
		cmocka_unit_test_setup_teardown(test_duplicate_key, setup, teardown),
		cmocka_unit_test_setup_teardown(test_area_files, setup, teardown),
		cmocka_unit_test_setup_teardown(test_malformed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_missing_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_external_entity_not_loaded, setup, teardown),
		cmocka_unit_test(test_real_catalogues),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
