/* view.c - XSLT rendering with stylesheets parsed once and locked down. */
#include "config.h"

#include <dirent.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <stdlib.h>
#include <string.h>

#include <libxml/xpathInternals.h>
#include <libxslt/documents.h>
#include <libxslt/extensions.h>
#include <libxslt/security.h>
#include <libxslt/transform.h>
#include <libxslt/xsltInternals.h>
#include <libxslt/xsltutils.h>

#include "html_writer.h"
#include "log.h"
#include "mem.h"
#include "msgfold.h"
#include "sheetdocs.h"
#include "view.h"
#include "viewext.h"

/* Generous for our screens, small enough to stop a runaway stylesheet. */
#define MAX_TEMPLATE_DEPTH 200
#define MAX_XPATH_OPS 5000000UL
#define MAX_MSG_ARGS 9

/* One screen, compiled once per language with its constant messages
 * already in place (msgfold.h). */
struct sheet {
	char *screen;
	xsltStylesheetPtr style[HK_N_LANGS];
};

struct hk_view {
	struct sheet *sheets;
	size_t n;
	/* layout.xsl as imported, one per language, shared by every screen
	 * of that language (share_layout). */
	xsltStylesheetPtr layout[HK_N_LANGS];
	xmlDictPtr dict;	/* the names of every stylesheet */
	const struct hk_catalog *cat;
	xsltSecurityPrefsPtr prefs;
};

/* What a transform's callbacks need; lives on the stack of hk_view_html. */
struct render {
	const struct hk_catalog *cat;
	const char *lang;
	struct hk_buf errors;
};

static int
has_suffix(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n > m && strcmp(s + n - m, suffix) == 0;
}

/* The language the stylesheets being loaded are for; only set while
 * hk_view_load runs, for fold_loader. */
static const struct hk_catalog *loading_cat;
static const char *loading_lang;
static xmlDictPtr loading_dict;
static struct hk_sheetdocs *loading_docs;
static xsltDocLoaderFunc default_loader;
/* Every stylesheet document, the screen's and the layout it imports, is
 * read through here: the constant hk:msg() calls become text.  Each file
 * is parsed once, and an import (the layout, the same for every screen)
 * folded once per language; later loads get copies (sheetdocs.h). */
static xmlDocPtr
fold_loader(const xmlChar *uri, xmlDictPtr dict, int options, void *ctxt,
    xsltLoadType type)
{
	const char *u = (const char *)uri;
	bool import = type == XSLT_LOAD_STYLESHEET;
	xmlDocPtr doc;

	if (type == XSLT_LOAD_DOCUMENT || loading_lang == NULL || uri == NULL)
		return default_loader(uri, dict, options, ctxt, type);
	if (import && (doc = hk_sheetdocs_get(loading_docs, u,
	    loading_lang)) != NULL)
		return doc;
	if ((doc = hk_sheetdocs_get(loading_docs, u, NULL)) == NULL) {
		/* One dictionary for all: libxslt compares mode names by
		 * pointer, so a layout shared between screens must share
		 * their names. */
		doc = default_loader(uri, loading_dict, options, ctxt, type);
		if (doc == NULL)
			return NULL;
		hk_sheetdocs_put(loading_docs, u, NULL, doc);
	}
	(void)hk_msgfold(doc, loading_cat, loading_lang);
	if (import)
		hk_sheetdocs_put(loading_docs, u, loading_lang, doc);
	return doc;
}

static int
is_layout(xsltStylesheetPtr s)
{
	return s->next == NULL && s->imports == NULL && s->doc != NULL &&
	    s->doc->URL != NULL &&
	    has_suffix((const char *)s->doc->URL, "/layout.xsl");
}

/* Every screen imports layout.xsl, directly or through the one screen it
 * imports (mail-servers.xsl), as the last of a chain of single imports;
 * compiled, it is the same for every screen of a language (~0.4 MB
 * each).  The first screen's copy is kept for all, the others' are
 * freed.  A screen that imports anything else keeps its own.  (Its
 * patterns' cache slots, extrasNr, start at 0 in every screen, as an
 * xsl:import comes before anything else a sheet compiles; a screen
 * compiled against an empty stand-in for the layout would number its own
 * from 0 too and collide, so the layout is compiled with every screen.) */
static void
share_layout(struct hk_view *view, xsltStylesheetPtr style, size_t lang)
{
	xsltStylesheetPtr importer = style, own, *shared = &view->layout[lang];

	if (style->dict != view->dict)
		return;
	for (own = style->imports; own != NULL && !is_layout(own);
	    own = own->imports) {
		if (own->next != NULL || own->dict != view->dict)
			return;
		importer = own;
	}
	if (own == NULL || own->dict != view->dict)
		return;
	if (*shared == NULL) {
		*shared = own;
		return;
	}
	if (own->extrasNr != (*shared)->extrasNr)
		return;
	importer->imports = *shared;
	own->parent = NULL;
	xsltFreeStylesheet(own);
}

/* The stylesheet whose imports end in view->layout[lang], if any. */
static xsltStylesheetPtr
layout_importer(struct hk_view *view, xsltStylesheetPtr style, size_t lang)
{
	for (; style != NULL && style->imports != NULL; style = style->imports)
		if (style->imports == view->layout[lang])
			return style;
	return NULL;
}

/* hk:msg(key, arg...) */
static void
xslt_msg(xmlXPathParserContextPtr ctxt, int nargs)
{
	xsltTransformContextPtr tctxt = xsltXPathGetTransformContext(ctxt);
	struct render *r = tctxt != NULL ? tctxt->_private : NULL;
	xmlChar *args[MAX_MSG_ARGS + 1] = { NULL };
	char *text;

	if (nargs < 1 || nargs > MAX_MSG_ARGS + 1 || r == NULL) {
		xmlXPathSetArityError(ctxt);
		return;
	}
	for (int i = nargs - 1; i >= 0; i--)
		args[i] = xmlXPathPopString(ctxt);
	if (nargs == 1) {
		/* Most calls: a plain message, no arguments to put in. */
		const char *plain = hk_msg(r->cat, r->lang,
		    args[0] ? (char *)args[0] : "");

		if (strchr(plain, '{') == NULL) {
			valuePush(ctxt, xmlXPathNewString(BAD_CAST plain));
			xmlFree(args[0]);
			return;
		}
	}
	text = hk_msg_format(r->cat, r->lang, args[0] ? (char *)args[0] : "",
	    (const char *const *)&args[1], (size_t)(nargs - 1));
	for (int i = 0; i < nargs; i++)
		xmlFree(args[i]);
	valuePush(ctxt, xmlXPathNewString(BAD_CAST text));
	free(text);
}

/* The serialiser writes straight into the response body. */
static int
buf_write(void *ctx, const char *data, int len)
{
	hk_buf_append(ctx, data, (size_t)len);
	return len;
}

static void
collect_error(void *ctx, const char *fmt, ...)
{
	struct render *r = ctx;
	va_list ap;

	if (r->errors.len > 4096)
		return;
	va_start(ap, fmt);
	hk_buf_vprintf(&r->errors, fmt, ap);
	va_end(ap);
}

/* One screen for one language, sharing the language's layout if it can.
 * Imports are resolved here, before the locked-down preferences apply to
 * transforms. */
static xsltStylesheetPtr
compile(struct hk_view *view, const char *path, size_t lang)
{
	xsltStylesheetPtr style = xsltParseStylesheetFile(BAD_CAST path);

	if (style != NULL)
		share_layout(view, style, lang);
	return style;
}

static int
sheet_cmp(const void *a, const void *b)
{
	return strcmp(((const struct sheet *)a)->screen,
	    ((const struct sheet *)b)->screen);
}

struct hk_view *
hk_view_load(const char *xsl_dir, const struct hk_catalog *cat, char **err_r)
{
	struct hk_view *view = hk_calloc(1, sizeof(*view));
	DIR *d;
	struct dirent *de;
	size_t cap = 0;

	*err_r = NULL;
	view->cat = cat;
	xsltRegisterExtModuleFunction(BAD_CAST "msg", BAD_CAST HK_XSLT_NS,
	    xslt_msg);
	hk_viewext_register();
	xsltMaxDepth = MAX_TEMPLATE_DEPTH;

	if ((d = opendir(xsl_dir)) == NULL) {
		*err_r = hk_aprintf("%s: cannot open the stylesheet folder", xsl_dir);
		goto fail;
	}
	default_loader = xsltDocDefaultLoader;
	xsltSetLoaderFunc(fold_loader);
	loading_cat = cat;
	view->dict = loading_dict = xmlDictCreate();
	if (view->dict == NULL)
		hk_fatal("xmlDictCreate failed");
	loading_docs = hk_sheetdocs_new(loading_dict);
	while ((de = readdir(d)) != NULL) {
		struct sheet sh = { NULL, { NULL } };
		char *path;

		/* layout.xsl is the shell the screens import, not a screen:
		 * parsing it on its own would only cost memory (~0.4 MB). */
		if (de->d_name[0] == '.' || !has_suffix(de->d_name, ".xsl") ||
		    strcmp(de->d_name, "layout.xsl") == 0)
			continue;
		path = hk_aprintf("%s/%s", xsl_dir, de->d_name);
		sh.screen = hk_strndup(de->d_name, strlen(de->d_name) - 4);
		if (view->n == cap) {
			cap = cap ? cap * 2 : 16;
			view->sheets = hk_realloc(view->sheets,
			    cap * sizeof(*view->sheets));
		}
		view->sheets[view->n++] = sh;
		for (size_t i = 0; i < HK_N_LANGS; i++) {
			xsltStylesheetPtr *style =
			    &view->sheets[view->n - 1].style[i];

			loading_lang = hk_languages[i];
			*style = compile(view, path, i);
			if (*style == NULL) {
				*err_r = hk_aprintf("%s: not a valid stylesheet",
				    path);
				free(path);
				closedir(d);
				goto fail;
			}
		}
		free(path);
	}
	closedir(d);
	xsltSetLoaderFunc(NULL);
	loading_lang = NULL;
	loading_dict = NULL;
	hk_sheetdocs_free(&loading_docs);
	qsort(view->sheets, view->n, sizeof(*view->sheets), sheet_cmp);
#ifdef __GLIBC__
	/* Compiling leaves freed parser memory behind; give it back before
	 * the workers are forked, so that each does not carry it. */
	malloc_trim(0);
#endif

	view->prefs = xsltNewSecurityPrefs();
	if (view->prefs == NULL)
		hk_fatal("xsltNewSecurityPrefs failed");
	xsltSetSecurityPrefs(view->prefs, XSLT_SECPREF_READ_FILE, xsltSecurityForbid);
	xsltSetSecurityPrefs(view->prefs, XSLT_SECPREF_WRITE_FILE, xsltSecurityForbid);
	xsltSetSecurityPrefs(view->prefs, XSLT_SECPREF_CREATE_DIRECTORY, xsltSecurityForbid);
	xsltSetSecurityPrefs(view->prefs, XSLT_SECPREF_READ_NETWORK, xsltSecurityForbid);
	xsltSetSecurityPrefs(view->prefs, XSLT_SECPREF_WRITE_NETWORK, xsltSecurityForbid);
	return view;
fail:
	xsltSetLoaderFunc(NULL);
	loading_lang = NULL;
	loading_dict = NULL;
	hk_sheetdocs_free(&loading_docs);
	hk_view_free(&view);
	return NULL;
}

void
hk_view_free(struct hk_view **viewp)
{
	struct hk_view *view = *viewp;

	if (view == NULL)
		return;
	for (size_t i = 0; i < view->n; i++) {
		for (size_t j = 0; j < HK_N_LANGS; j++) {
			xsltStylesheetPtr style = view->sheets[i].style[j];
			xsltStylesheetPtr importer;

			if (style == NULL)
				continue;
			importer = layout_importer(view, style, j);
			if (importer != NULL)
				importer->imports = NULL;	/* freed below */
			xsltFreeStylesheet(style);
		}
		free(view->sheets[i].screen);
	}
	for (size_t j = 0; j < HK_N_LANGS; j++)
		if (view->layout[j] != NULL)
			xsltFreeStylesheet(view->layout[j]);
	if (view->dict != NULL)
		xmlDictFree(view->dict);
	free(view->sheets);
	if (view->prefs != NULL)
		xsltFreeSecurityPrefs(view->prefs);
	free(view);
	*viewp = NULL;
}

static const struct sheet *
find_sheet(const struct hk_view *view, const char *screen)
{
	struct sheet probe = { (char *)screen, { NULL } };

	return bsearch(&probe, view->sheets, view->n, sizeof(*view->sheets),
	    sheet_cmp);
}

int
hk_view_has(const struct hk_view *view, const char *screen)
{
	return find_sheet(view, screen) != NULL;
}

/* The sheet for lang; a language without a catalogue gets the default
 * one's, as hk_msg() would. */
static xsltStylesheetPtr
sheet_style(const struct sheet *s, const char *lang)
{
	for (size_t i = 0; lang != NULL && hk_languages[i] != NULL; i++)
		if (strcmp(lang, hk_languages[i]) == 0)
			return s->style[i];
	return s->style[0];
}

int
hk_view_html(struct hk_view *view, xmlDocPtr doc, const char *screen,
    struct hk_buf *out, char **err_r)
{
	const struct sheet *sheet = find_sheet(view, screen);
	xsltStylesheetPtr style;
	xsltTransformContextPtr tctxt = NULL;
	xmlDocPtr result = NULL;
	xmlOutputBufferPtr obuf;
	xmlChar *lang = NULL;
	size_t start;
	int rc = -1;
	struct render r = { view->cat, "en", HK_BUF_INIT };

	*err_r = NULL;
	if (sheet == NULL) {
		*err_r = hk_aprintf("no stylesheet for screen '%s'", screen);
		return -1;
	}
	lang = xmlGetProp(xmlDocGetRootElement(doc), BAD_CAST "lang");
	if (lang != NULL)
		r.lang = (const char *)lang;
	style = sheet_style(sheet, r.lang);

	tctxt = xsltNewTransformContext(style, doc);
	if (tctxt == NULL)
		hk_fatal("xsltNewTransformContext failed");
	tctxt->_private = &r;
	tctxt->maxTemplateDepth = MAX_TEMPLATE_DEPTH;
	if (tctxt->xpathCtxt != NULL)
		tctxt->xpathCtxt->opLimit = MAX_XPATH_OPS;
	xsltSetTransformErrorFunc(tctxt, &r, collect_error);
	if (xsltSetCtxtSecurityPrefs(view->prefs, tctxt) != 0)
		hk_fatal("xsltSetCtxtSecurityPrefs failed");

	result = xsltApplyStylesheetUser(style, doc, NULL, NULL, NULL, tctxt);
	if (result == NULL || tctxt->state != XSLT_STATE_OK) {
		hk_err("stylesheet %s.xsl failed: %s", screen, hk_buf_str(&r.errors));
		*err_r = hk_aprintf("stylesheet %s.xsl failed", screen);
		goto out;
	}
	/* Our own writer, straight into out; libxml2's for a tree it does
	 * not handle (html_writer.h). */
	if (hk_html_write(style, result, out) == 0) {
		rc = 0;
		goto out;
	}
	/* No encoder: the output is UTF-8, which the serialiser writes as
	 * is (xsltSaveResultToString would copy it once more). */
	start = out->len;
	obuf = xmlOutputBufferCreateIO(buf_write, NULL, out, NULL);
	if (obuf == NULL)
		hk_fatal("xmlOutputBufferCreateIO failed");
	if (xsltSaveResultTo(obuf, result, style) < 0 ||
	    xmlOutputBufferClose(obuf) < 0) {
		out->len = start;
		*err_r = hk_aprintf("stylesheet %s.xsl: cannot serialise", screen);
		goto out;
	}
	rc = 0;
out:
	xmlFreeDoc(result);
	xsltFreeTransformContext(tctxt);
	xmlFree(lang);
	hk_buf_free(&r.errors);
	return rc;
}

void
hk_view_xml(xmlDocPtr doc, struct hk_buf *out)
{
	xmlChar *mem = NULL;
	int len = 0;

	xmlDocDumpFormatMemoryEnc(doc, &mem, &len, "UTF-8", 0);
	if (mem == NULL)
		hk_fatal("xmlDocDumpMemory failed");
	hk_buf_append(out, mem, (size_t)len);
	xmlFree(mem);
}
