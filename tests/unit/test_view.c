/* test_view.c - XSLT rendering: hk:msg(), escaping, the locked-down
 * security preferences, XML output, and the real stylesheets. */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include <libxml/parser.h>
#include <libxslt/xslt.h>

#include "i18n.h"
#include "mem.h"
#include "msgfold.h"
#include "view.h"

#define XSL_HEAD \
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" \
    "<xsl:stylesheet version=\"1.0\"\n" \
    "    xmlns:xsl=\"http://www.w3.org/1999/XSL/Transform\"\n" \
    "    xmlns:hk=\"urn:hikyaku:xslt\" exclude-result-prefixes=\"hk\">\n" \
    "<xsl:output method=\"html\" encoding=\"UTF-8\"/>\n"
#define XSL_TAIL "</xsl:stylesheet>\n"

static const char hello_xsl[] = XSL_HEAD
    "<xsl:template match=\"/page\">\n"
    "<div><p id=\"m\"><xsl:value-of select=\"hk:msg('k', 'arg')\"/></p>"
    "<p id=\"d\"><xsl:value-of select=\"data\"/></p>"
    "<p id=\"a\" title=\"{data}\">x</p>"
    "<p id=\"n\"><xsl:value-of select=\"hk:msg('missing.key')\"/></p></div>\n"
    "</xsl:template>\n" XSL_TAIL;

/* Tries to read a local file into the output. */
static const char reader_xsl[] = XSL_HEAD
    "<xsl:template match=\"/page\">\n"
    "<div><xsl:copy-of select=\"document(string(@src))\"/>"
    "<xsl:value-of select=\"document(string(@src))\"/></div>\n"
    "</xsl:template>\n" XSL_TAIL;

/* Tries to write a file (xsl:document, XSLT 1.1). */
static const char writer_xsl[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<xsl:stylesheet version=\"1.1\"\n"
    "    xmlns:xsl=\"http://www.w3.org/1999/XSL/Transform\">\n"
    "<xsl:template match=\"/page\">\n"
    "<div><xsl:document href=\"{@dst}\" method=\"text\">PWNED</xsl:document>"
    "done</div>\n"
    "</xsl:template>\n" XSL_TAIL;

/* Recurses forever: must be stopped by the template depth limit. */
static const char loop_xsl[] = XSL_HEAD
    "<xsl:template match=\"/page\"><xsl:call-template name=\"r\"/></xsl:template>\n"
    "<xsl:template name=\"r\"><x><xsl:call-template name=\"r\"/></x></xsl:template>\n"
    XSL_TAIL;

/* Every way a constant hk:msg() call is written in the screens, next to
 * calls that must stay calls: a computed key, a call inside a literal. */
static const char fold_xsl[] = XSL_HEAD
    "<xsl:variable name=\"v\" select=\"hk:msg('t')\"/>\n"
    "<xsl:template match=\"/page\">\n"
    "<div title=\"{hk:msg('q')}\" class=\"c-{hk:msg('t')}-{concat('x', hk:msg( 't' ))}\">"
    "<p id=\"1\"><xsl:value-of select=\"hk:msg('q')\"/></p>"
    "<p id=\"2\"><xsl:value-of select=\"$v\"/></p>"
    "<p id=\"3\"><xsl:value-of select=\"hk:msg('p', 'A', &quot;B&quot;)\"/></p>"
    "<p id=\"4\"><xsl:value-of select=\"hk:msg(string(@key))\"/></p>"
    "<p id=\"5\"><xsl:if test=\"hk:msg('t') = 'Title'\">yes</xsl:if></p>"
    "<p id=\"6\"><xsl:value-of select=\"concat(hk:msg('q'), '|', &quot;hk:msg('t')&quot;)\"/></p>"
    "<p id=\"7\"><xsl:value-of select=\"hk:msg('empty')\"/></p>"
    "</div>\n"
    "</xsl:template>\n" XSL_TAIL;

/* <hk:break-at-dots> (viewext.h) after text, on several kinds of name. */
static const char dots_xsl[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<xsl:stylesheet version=\"1.0\"\n"
    "    xmlns:xsl=\"http://www.w3.org/1999/XSL/Transform\"\n"
    "    xmlns:hk=\"urn:hikyaku:xslt\" extension-element-prefixes=\"hk\">\n"
    "<xsl:output method=\"html\" encoding=\"UTF-8\"/>\n"
    "<xsl:template match=\"/page\"><div><xsl:for-each select=\"h\">"
    "<p>[<hk:break-at-dots select=\".\"/>]</p></xsl:for-each></div>"
    "</xsl:template>\n" XSL_TAIL;

static const char en_xml[] =
    "<messages lang=\"en\"><m k=\"k\">Hello {1}!</m>"
    "<m k=\"t\">Title</m><m k=\"q\">It's \"quoted\" {x}</m>"
    "<m k=\"p\">a{1}b{2}c{3}</m><m k=\"empty\"></m></messages>";
static const char ja_xml[] =
    "<messages lang=\"ja\"><m k=\"k\">こんにちは{1}さん</m>"
    "<m k=\"t\">題</m><m k=\"q\">「引用」{x}</m>"
    "<m k=\"p\">あ{1}い{2}う{3}</m><m k=\"empty\"></m></messages>";

struct fixture {
	char dir[64];
	char *xsl_dir, *i18n_dir;
	struct hk_catalog *cat;
	struct hk_view *view;
};

static char *
put(const char *dir, const char *name, const char *text)
{
	char *path = hk_aprintf("%s/%s", dir, name);
	FILE *fp = fopen(path, "w");

	assert_non_null(fp);
	assert_true(fputs(text, fp) >= 0);
	assert_int_equal(fclose(fp), 0);
	return path;
}

static void
drop(const char *dir, const char *name)
{
	char *path = hk_aprintf("%s/%s", dir, name);

	unlink(path);
	free(path);
}

static int
setup(void **state)
{
	struct fixture *f = hk_calloc(1, sizeof(*f));
	char *err = NULL;

	snprintf(f->dir, sizeof(f->dir), "/tmp/hk-test-view.XXXXXX");
	if (mkdtemp(f->dir) == NULL)
		return -1;
	f->xsl_dir = hk_aprintf("%s/xsl", f->dir);
	f->i18n_dir = hk_aprintf("%s/i18n", f->dir);
	if (mkdir(f->xsl_dir, 0700) != 0 || mkdir(f->i18n_dir, 0700) != 0)
		return -1;
	free(put(f->xsl_dir, "hello.xsl", hello_xsl));
	free(put(f->xsl_dir, "fold.xsl", fold_xsl));
	free(put(f->xsl_dir, "reader.xsl", reader_xsl));
	free(put(f->xsl_dir, "writer.xsl", writer_xsl));
	free(put(f->xsl_dir, "loop.xsl", loop_xsl));
	free(put(f->xsl_dir, "dots.xsl", dots_xsl));
	free(put(f->xsl_dir, "notes.txt", "not a stylesheet"));
	free(put(f->i18n_dir, "en.xml", en_xml));
	free(put(f->i18n_dir, "ja.xml", ja_xml));
	free(put(f->dir, "secret.xml", "<secret>root:TOPSECRET</secret>"));
	if ((f->cat = hk_catalog_load(f->i18n_dir, &err)) == NULL)
		return free(err), -1;
	if ((f->view = hk_view_load(f->xsl_dir, f->cat, &err)) == NULL)
		return free(err), -1;
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	hk_view_free(&f->view);
	hk_catalog_free(&f->cat);
	drop(f->xsl_dir, "hello.xsl");
	drop(f->xsl_dir, "fold.xsl");
	drop(f->xsl_dir, "reader.xsl");
	drop(f->xsl_dir, "writer.xsl");
	drop(f->xsl_dir, "loop.xsl");
	drop(f->xsl_dir, "dots.xsl");
	drop(f->xsl_dir, "notes.txt");
	drop(f->xsl_dir, "broken.xsl");
	drop(f->i18n_dir, "en.xml");
	drop(f->i18n_dir, "ja.xml");
	drop(f->dir, "secret.xml");
	drop(f->dir, "pwned.txt");
	rmdir(f->xsl_dir);
	rmdir(f->i18n_dir);
	rmdir(f->dir);
	free(f->xsl_dir);
	free(f->i18n_dir);
	free(f);
	return 0;
}

static xmlDocPtr
parse(const char *xml)
{
	xmlDocPtr doc = xmlReadMemory(xml, (int)strlen(xml), "test.xml", "UTF-8",
	    XML_PARSE_NONET);

	assert_non_null(doc);
	return doc;
}

/* Renders xml through screen; expects success and returns the HTML. */
static char *
render_ok(struct hk_view *view, const char *xml, const char *screen)
{
	xmlDocPtr doc = parse(xml);
	struct hk_buf out = HK_BUF_INIT;
	char *err = NULL;

	assert_int_equal(hk_view_html(view, doc, screen, &out, &err), 0);
	assert_null(err);
	xmlFreeDoc(doc);
	return hk_buf_steal(&out);
}

static void
test_has(void **state)
{
	struct fixture *f = *state;

	assert_true(hk_view_has(f->view, "hello"));
	assert_true(hk_view_has(f->view, "reader"));
	assert_false(hk_view_has(f->view, "notes"));
	assert_false(hk_view_has(f->view, "hello.xsl"));
	assert_false(hk_view_has(f->view, "nope"));
}

static void
test_msg_and_escaping(void **state)
{
	struct fixture *f = *state;
	char *html;

	html = render_ok(f->view, "<page lang=\"ja\"><data>"
	    "&lt;script&gt;alert(\"x\")&lt;/script&gt;</data></page>", "hello");
	assert_non_null(strstr(html, "<p id=\"m\">こんにちはargさん</p>"));
	assert_non_null(strstr(html,
	    "<p id=\"d\">&lt;script&gt;alert(\"x\")&lt;/script&gt;</p>"));
	/* In an attribute too (libxml2 picks single quotes around a value
	 * that holds a double quote). */
	assert_non_null(strstr(html,
	    "title='&lt;script&gt;alert(\"x\")&lt;/script&gt;'"));
	assert_null(strstr(html, "<script"));
	/* An unknown key shows the key. */
	assert_non_null(strstr(html, "<p id=\"n\">missing.key</p>"));
	free(html);

	/* No lang, or an unsupported one: the default language. */
	html = render_ok(f->view, "<page><data>d</data></page>", "hello");
	assert_non_null(strstr(html, "<p id=\"m\">Hello arg!</p>"));
	free(html);
	html = render_ok(f->view, "<page lang=\"fr\"><data>d</data></page>",
	    "hello");
	assert_non_null(strstr(html, "<p id=\"m\">Hello arg!</p>"));
	free(html);
}

/* Constant calls resolved at load time give what the calls gave. */
static void
test_msg_folded(void **state)
{
	struct fixture *f = *state;
	char *html;

	html = render_ok(f->view, "<page lang=\"en\" key=\"k\"/>", "fold");
	assert_string_equal(html, "<div title=\"It's &quot;quoted&quot; {x}\" "
	    "class=\"c-Title-xTitle\">"
	    "\n<p id=\"1\">It's \"quoted\" {x}</p>\n<p id=\"2\">Title</p>\n"
	    "<p id=\"3\">aAbBc</p>\n<p id=\"4\">Hello !</p>\n<p id=\"5\">yes</p>\n"
	    "<p id=\"6\">It's \"quoted\" {x}|hk:msg('t')</p>\n<p id=\"7\"></p>\n"
	    "</div>\n");
	free(html);
	html = render_ok(f->view, "<page lang=\"ja\" key=\"t\"/>", "fold");
	assert_string_equal(html, "<div title=\"「引用」{x}\" class=\"c-題-x題\">"
	    "\n<p id=\"1\">「引用」{x}</p>\n<p id=\"2\">題</p>\n"
	    "<p id=\"3\">あAいBう</p>\n<p id=\"4\">題</p>\n<p id=\"5\"></p>\n"
	    "<p id=\"6\">「引用」{x}|hk:msg('t')</p>\n<p id=\"7\"></p>\n"
	    "</div>\n");
	free(html);
}

/* What is folded and what is left a call. */
static void
test_msgfold_count(void **state)
{
	struct fixture *f = *state;
	xmlDocPtr doc = parse(fold_xsl);
	xmlChar *text = NULL;
	int len = 0;

	/* v, title, class (two), 1, 3, 5, 6, 7; not 4, not the literal. */
	assert_int_equal(hk_msgfold(doc, f->cat, "en"), 9);
	xmlDocDumpMemory(doc, &text, &len);
	assert_non_null(strstr((char *)text, "hk:msg(string(@key))"));
	assert_non_null(strstr((char *)text, "&quot;hk:msg('t')&quot;"));
	assert_non_null(strstr((char *)text, "select=\"'Title'\""));
	assert_non_null(strstr((char *)text, "<xsl:text>aAbBc</xsl:text>"));
	assert_non_null(strstr((char *)text, "title=\"It's &quot;quoted&quot; {{x}}\""));
	xmlFree(text);
	xmlFreeDoc(doc);
}

static void
test_unknown_screen(void **state)
{
	struct fixture *f = *state;
	xmlDocPtr doc = parse("<page lang=\"en\"/>");
	struct hk_buf out = HK_BUF_INIT;
	char *err = NULL;

	assert_int_equal(hk_view_html(f->view, doc, "nope", &out, &err), -1);
	assert_string_equal(err, "no stylesheet for screen 'nope'");
	assert_int_equal(out.len, 0);
	free(err);
	xmlFreeDoc(doc);
}

/* document() of a local file fails the transform (the preferences forbid
 * reading files), so nothing of the file can reach the output. */
static void
expect_read_refused(struct fixture *f, const char *src)
{
	char *xml = hk_aprintf("<page lang=\"en\" src=\"%s\"/>", src);
	xmlDocPtr doc = parse(xml);
	struct hk_buf out = HK_BUF_INIT;
	char *err = NULL;

	assert_int_equal(hk_view_html(f->view, doc, "reader", &out, &err), -1);
	assert_string_equal(err, "stylesheet reader.xsl failed");
	assert_null(strstr(hk_buf_str(&out), "TOPSECRET"));
	assert_null(strstr(hk_buf_str(&out), "root:"));
	assert_int_equal(out.len, 0);
	free(err);
	hk_buf_free(&out);
	xmlFreeDoc(doc);
	free(xml);
}

static void
test_document_read_forbidden(void **state)
{
	struct fixture *f = *state;
	char *secret = hk_aprintf("%s/secret.xml", f->dir);
	char *uri = hk_aprintf("file://%s", secret);

	/* The file exists and is readable XML: only the preferences stop it. */
	expect_read_refused(f, secret);
	expect_read_refused(f, uri);
	expect_read_refused(f, "/etc/passwd");
	/* Relative to the stylesheet's folder. */
	expect_read_refused(f, "../secret.xml");
	free(uri);
	free(secret);
}

static void
test_document_write_forbidden(void **state)
{
	struct fixture *f = *state;
	char *dst = hk_aprintf("%s/pwned.txt", f->dir);
	char *xml = hk_aprintf("<page lang=\"en\" dst=\"%s\"/>", dst);
	xmlDocPtr doc = parse(xml);
	struct hk_buf out = HK_BUF_INIT;
	char *err = NULL;

	assert_int_equal(hk_view_html(f->view, doc, "writer", &out, &err), -1);
	assert_string_equal(err, "stylesheet writer.xsl failed");
	assert_int_equal(access(dst, F_OK), -1);
	free(err);
	hk_buf_free(&out);
	xmlFreeDoc(doc);
	free(xml);
	free(dst);
}

/* A <wbr> after each dot, the text escaped as a value-of's would be. */
static void
test_break_at_dots(void **state)
{
	struct fixture *f = *state;
	char *html;

	html = render_ok(f->view, "<page lang=\"en\"><h>smtp.example.jp</h>"
	    "<h>a..b.</h><h>localhost</h><h/><h>&lt;x&gt;.&amp;</h></page>",
	    "dots");
	assert_string_equal(html, "<div>\n"
	    "<p>[smtp.<wbr></wbr>example.<wbr></wbr>jp]</p>\n"
	    "<p>[a.<wbr></wbr>.<wbr></wbr>b.<wbr></wbr>]</p>\n"
	    "<p>[localhost]</p>\n<p>[]</p>\n"
	    "<p>[&lt;x&gt;.<wbr></wbr>&amp;]</p>\n</div>\n");
	free(html);
}

static void
test_runaway_recursion_stopped(void **state)
{
	struct fixture *f = *state;
	xmlDocPtr doc = parse("<page lang=\"en\"/>");
	struct hk_buf out = HK_BUF_INIT;
	char *err = NULL;

	assert_int_equal(hk_view_html(f->view, doc, "loop", &out, &err), -1);
	assert_string_equal(err, "stylesheet loop.xsl failed");
	assert_int_equal(out.len, 0);
	free(err);
	xmlFreeDoc(doc);
}

static void
test_xml_output(void **state)
{
	xmlDocPtr doc, back;
	xmlNodePtr root, data;
	xmlChar *text;
	struct hk_buf out = HK_BUF_INIT;

	(void)state;
	doc = parse("<page screen=\"s\" lang=\"ja\"><data a=\"&quot;\">"
	    "&lt;script&gt; &amp; 日本語</data></page>");
	hk_buf_puts(&out, "");		/* appends to what is there */
	hk_view_xml(doc, &out);
	xmlFreeDoc(doc);
	assert_non_null(strstr(hk_buf_str(&out),
	    "<data a=\"&quot;\">&lt;script&gt; &amp; 日本語</data>"));
	assert_null(strstr(hk_buf_str(&out), "<script"));
	assert_int_equal(strncmp(hk_buf_str(&out), "<?xml version=\"1.0\" "
	    "encoding=\"UTF-8\"?>", 38), 0);

	back = xmlReadMemory(out.data, (int)out.len, "out.xml", NULL,
	    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	assert_non_null(back);
	root = xmlDocGetRootElement(back);
	assert_string_equal((const char *)root->name, "page");
	for (data = root->children; data && data->type != XML_ELEMENT_NODE;
	    data = data->next)
		;
	assert_non_null(data);
	assert_string_equal((const char *)data->name, "data");
	text = xmlNodeGetContent(data);
	assert_string_equal((const char *)text, "<script> & 日本語");
	xmlFree(text);
	xmlFreeDoc(back);
	hk_buf_free(&out);
}

static void
test_load_errors(void **state)
{
	struct fixture *f = *state;
	char *err = NULL, *want;
	struct hk_view *view;

	view = hk_view_load("/nonexistent/hk-xsl", f->cat, &err);
	assert_null(view);
	assert_string_equal(err,
	    "/nonexistent/hk-xsl: cannot open the stylesheet folder");
	free(err);

	free(put(f->xsl_dir, "broken.xsl", "<xsl:stylesheet version=\"1.0\" "
	    "xmlns:xsl=\"http://www.w3.org/1999/XSL/Transform\">"
	    "<xsl:template match=\"/\"><xsl:bogus/></xsl:template>"));
	view = hk_view_load(f->xsl_dir, f->cat, &err);
	assert_null(view);
	want = hk_aprintf("%s/broken.xsl: not a valid stylesheet", f->xsl_dir);
	assert_string_equal(err, want);
	free(want);
	free(err);
	drop(f->xsl_dir, "broken.xsl");
}

/* --- the real stylesheets and catalogues --- */

struct real {
	struct hk_catalog *cat;
	struct hk_view *view;
};

static int
setup_real(void **state)
{
	struct real *r = hk_calloc(1, sizeof(*r));
	char *err = NULL;

	r->cat = hk_catalog_load(HK_TEST_SRCDIR "/xsl/i18n", &err);
	if (r->cat == NULL) {
		fprintf(stderr, "%s\n", err);
		return free(err), -1;
	}
	r->view = hk_view_load(HK_TEST_SRCDIR "/xsl", r->cat, &err);
	if (r->view == NULL) {
		fprintf(stderr, "%s\n", err);
		return free(err), -1;
	}
	*state = r;
	return 0;
}

static int
teardown_real(void **state)
{
	struct real *r = *state;

	hk_view_free(&r->view);
	hk_catalog_free(&r->cat);
	free(r);
	return 0;
}

static void
test_real_login(void **state)
{
	struct real *r = *state;
	char *html;

	assert_true(hk_view_has(r->view, "login"));
	html = render_ok(r->view, "<page screen=\"login\" lang=\"ja\" "
	    "csrf=\"c5rf-t0ken\" base=\"/\"><login user=\"\"/></page>", "login");
	assert_non_null(strstr(html, "<html lang=\"ja\""));
	assert_non_null(strstr(html, "name=\"csrf_token\" value=\"c5rf-t0ken\""));
	assert_non_null(strstr(html, hk_msg(r->cat, "ja", "login.title")));
	assert_non_null(strstr(html, "ログイン"));
	assert_non_null(strstr(html, "action=\"/login\""));
	assert_null(strstr(html, "login.title"));
	free(html);

	/* A user name with markup comes out escaped. */
	html = render_ok(r->view, "<page screen=\"login\" lang=\"en\" "
	    "csrf=\"x\" base=\"/hk/\"><login user=\"&quot;&gt;&lt;script&gt;\"/>"
	    "</page>", "login");
	assert_null(strstr(html, "<script"));
	assert_non_null(strstr(html, "action=\"/hk/login\""));
	assert_non_null(strstr(html, hk_msg(r->cat, "en", "login.title")));
	free(html);
}

static void
test_real_error(void **state)
{
	struct real *r = *state;
	char *html;

	html = render_ok(r->view, "<page screen=\"error\" lang=\"ja\" csrf=\"x\" "
	    "base=\"/\"><problem status=\"404\" code=\"not-found\"/></page>",
	    "error");
	assert_non_null(strstr(html, "ページが見つかりません"));
	assert_non_null(strstr(html, "エラー 404"));
	/* Signed out, the error screen has no form, so no csrf_token. */
	assert_null(strstr(html, "csrf_token"));
	assert_null(strstr(html, "problem.not-found"));
	free(html);
}

static void
test_real_mail_servers_empty(void **state)
{
	struct real *r = *state;
	char *html;

	html = render_ok(r->view, "<page screen=\"mail-servers\" lang=\"ja\" "
	    "csrf=\"x\" base=\"/\"><mail-servers/></page>", "mail-servers");
	assert_non_null(strstr(html, "メールサーバーの設定"));
	assert_non_null(strstr(html, hk_msg(r->cat, "ja", "servers.empty.title")));
	assert_null(strstr(html, "servers.empty"));
	free(html);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_has),
		cmocka_unit_test(test_msg_and_escaping),
		cmocka_unit_test(test_msg_folded),
		cmocka_unit_test(test_msgfold_count),
		cmocka_unit_test(test_unknown_screen),
		cmocka_unit_test(test_document_read_forbidden),
		cmocka_unit_test(test_document_write_forbidden),
		cmocka_unit_test(test_break_at_dots),
		cmocka_unit_test(test_runaway_recursion_stopped),
		cmocka_unit_test(test_xml_output),
		cmocka_unit_test(test_load_errors),
	};
	const struct CMUnitTest real[] = {
		cmocka_unit_test(test_real_login),
		cmocka_unit_test(test_real_error),
		cmocka_unit_test(test_real_mail_servers_empty),
	};
	int failed;

	failed = cmocka_run_group_tests_name("view", tests, setup, teardown);
	failed += cmocka_run_group_tests_name("real stylesheets", real,
	    setup_real, teardown_real);
	xsltCleanupGlobals();
	xmlCleanupParser();
	return failed;
}
