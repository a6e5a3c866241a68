/* msgfold.c - constant hk:msg() calls replaced by their text; see msgfold.h. */
#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "mem.h"
#include "msgfold.h"
#include "view.h"

#define XSLT_NS "http://www.w3.org/1999/XSL/Transform"
#define MAX_LITERALS 10		/* the key and up to nine arguments */

struct fold {
	const struct hk_catalog *cat;
	const char *lang;
	const char *prefix;	/* bound to HK_XSLT_NS where we are */
	size_t done;
};

static int
name_char(unsigned char c)
{
	return isalnum(c) || c == '-' || c == '_' || c == '.' || c == ':' ||
	    c >= 0x80;
}

static const char *
skip_space(const char *p)
{
	while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
		p++;
	return p;
}

static void
free_literals(char **lit, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(lit[i]);
}

/* When s starts a call PREFIX:msg('key' [, 'arg']...) of string literals
 * only, returns its length and sets *text_r to its text (caller frees);
 * otherwise 0. */
static size_t
constant_call(const struct fold *f, const char *s, char **text_r)
{
	char *lit[MAX_LITERALS];
	size_t n = 0, plen = strlen(f->prefix);
	const char *p = s;

	if (strncmp(p, f->prefix, plen) != 0 || strncmp(p + plen, ":msg", 4) != 0)
		return 0;
	p = skip_space(p + plen + 4);
	if (*p++ != '(')
		return 0;
	for (;;) {
		char quote;
		const char *end;

		p = skip_space(p);
		if ((*p != '\'' && *p != '"') || n == MAX_LITERALS)
			break;
		quote = *p++;
		if ((end = strchr(p, quote)) == NULL)
			break;
		lit[n++] = hk_strndup(p, (size_t)(end - p));
		p = skip_space(end + 1);
		if (*p == ')') {
			*text_r = hk_msg_format(f->cat, f->lang, lit[0],
			    (const char *const *)&lit[1], n - 1);
			free_literals(lit, n);
			return (size_t)(p + 1 - s);
		}
		if (*p++ != ',')
			break;
	}
	free_literals(lit, n);
	return 0;
}

/* The whole of expr (blanks aside) is one constant call: its text. */
static char *
whole_call(const struct fold *f, const char *expr)
{
	char *text = NULL;
	const char *p = skip_space(expr);
	size_t len = constant_call(f, p, &text);

	if (len > 0 && *skip_space(p + len) == '\0')
		return text;
	free(text);
	return NULL;
}

/* t as an XPath string literal; concat() when it holds both quotes. */
static void
put_literal(struct hk_buf *b, const char *t)
{
	if (strchr(t, '\'') == NULL) {
		hk_buf_printf(b, "'%s'", t);
	} else if (strchr(t, '"') == NULL) {
		hk_buf_printf(b, "\"%s\"", t);
	} else {
		hk_buf_puts(b, "concat(''");
		for (const char *q; (q = strchr(t, '\'')) != NULL; t = q + 1)
			hk_buf_printf(b, ", '%.*s', \"'\"", (int)(q - t), t);
		hk_buf_printf(b, ", '%s')", t);
	}
}

/* Appends expr[0..len) to b with every constant call outside string
 * literals replaced by a literal of its text. */
static void
put_xpath(struct fold *f, struct hk_buf *b, const char *expr, size_t len)
{
	const char *p = expr, *end = expr + len;
	char quote = 0;

	while (p < end) {
		char *text = NULL;
		size_t n;

		if (quote != 0) {
			if (*p == quote)
				quote = 0;
		} else if (*p == '\'' || *p == '"') {
			quote = *p;
		} else if ((p == expr || !name_char((unsigned char)p[-1])) &&
		    (n = constant_call(f, p, &text)) > 0 && p + n <= end) {
			put_literal(b, text);
			free(text);
			f->done++;
			p += n;
			continue;
		} else {
			free(text);
		}
		hk_buf_append(b, p, 1);
		p++;
	}
}

/* Sets attribute a to value when it differs. */
static void
set_if_changed(xmlAttrPtr a, struct hk_buf *b, const xmlChar *old)
{
	/* The value replaces the attribute's in place, taken as text. */
	if (strcmp(hk_buf_str(b), (const char *)old) != 0)
		xmlSetNsProp(a->parent, a->ns, a->name, BAD_CAST hk_buf_str(b));
}

static void
fold_xpath_attr(struct fold *f, xmlAttrPtr a)
{
	xmlChar *v = xmlNodeGetContent((xmlNodePtr)a);
	struct hk_buf b = HK_BUF_INIT;

	if (v == NULL)
		return;
	put_xpath(f, &b, (const char *)v, strlen((const char *)v));
	set_if_changed(a, &b, v);
	hk_buf_free(&b);
	xmlFree(v);
}

/* An attribute value template: a {} part that is one constant call
 * becomes its text (braces doubled), any other gets put_xpath. */
static void
fold_avt_attr(struct fold *f, xmlAttrPtr a)
{
	xmlChar *v = xmlNodeGetContent((xmlNodePtr)a);
	struct hk_buf b = HK_BUF_INIT;
	const char *p;

	if (v == NULL)
		return;
	for (p = (const char *)v; *p != '\0';) {
		const char *start, *q;
		char quote = 0, *expr, *text;

		if ((p[0] == '{' && p[1] == '{') || (p[0] == '}' && p[1] == '}')) {
			hk_buf_append(&b, p, 2);
			p += 2;
			continue;
		}
		if (*p != '{') {
			hk_buf_append(&b, p++, 1);
			continue;
		}
		start = ++p;
		for (q = start; *q != '\0' && (quote != 0 || *q != '}'); q++)
			if (quote != 0 && *q == quote)
				quote = 0;
			else if (quote == 0 && (*q == '\'' || *q == '"'))
				quote = *q;
		if (*q == '\0') {	/* malformed: left for the compiler */
			hk_buf_puts(&b, start - 1);
			break;
		}
		expr = hk_strndup(start, (size_t)(q - start));
		if ((text = whole_call(f, expr)) != NULL) {
			for (const char *t = text; *t != '\0'; t++) {
				hk_buf_append(&b, t, 1);
				if (*t == '{' || *t == '}')
					hk_buf_append(&b, t, 1);
			}
			f->done++;
			free(text);
		} else {
			hk_buf_puts(&b, "{");
			put_xpath(f, &b, start, (size_t)(q - start));
			hk_buf_puts(&b, "}");
		}
		free(expr);
		p = q + 1;
	}
	set_if_changed(a, &b, v);
	hk_buf_free(&b);
	xmlFree(v);
}

static int
is_xslt(xmlNodePtr n, const char *name)
{
	return n->type == XML_ELEMENT_NODE && n->ns != NULL &&
	    xmlStrEqual(n->ns->href, BAD_CAST XSLT_NS) &&
	    (name == NULL || xmlStrEqual(n->name, BAD_CAST name));
}

/* <xsl:value-of select="hk:msg('k')"/> into <xsl:text>text</xsl:text>;
 * returns the new node, or NULL when n is not such an element. */
static xmlNodePtr
fold_value_of(struct fold *f, xmlNodePtr n)
{
	xmlChar *sel;
	char *text;
	xmlNodePtr t;

	if (!is_xslt(n, "value-of") ||
	    xmlHasProp(n, BAD_CAST "disable-output-escaping") != NULL ||
	    (sel = xmlGetProp(n, BAD_CAST "select")) == NULL)
		return NULL;
	text = whole_call(f, (const char *)sel);
	xmlFree(sel);
	if (text == NULL)
		return NULL;
	t = xmlNewDocNode(n->doc, n->ns, BAD_CAST "text", NULL);
	t->line = n->line;
	xmlAddChild(t, xmlNewDocText(n->doc, BAD_CAST text));
	free(text);
	xmlReplaceNode(n, t);
	xmlFreeNode(n);
	f->done++;
	return t;
}

static void
fold_element(struct fold *f, xmlNodePtr n)
{
	xmlNsPtr ns = xmlSearchNsByHref(n->doc, n, BAD_CAST HK_XSLT_NS);
	const char *outer = f->prefix;

	/* Without the namespace in scope, no call can be written here. */
	f->prefix = ns != NULL && ns->prefix != NULL ?
	    (const char *)ns->prefix : NULL;
	if (f->prefix == NULL) {
		/* only the children may declare it */
	} else if (is_xslt(n, NULL)) {
		for (xmlAttrPtr a = n->properties; a != NULL; a = a->next)
			if (a->ns == NULL && (xmlStrEqual(a->name, BAD_CAST "select") ||
			    xmlStrEqual(a->name, BAD_CAST "test")))
				fold_xpath_attr(f, a);
	} else {
		/* A literal result element: its attributes are templates. */
		for (xmlAttrPtr a = n->properties; a != NULL; a = a->next)
			if (a->ns == NULL || !xmlStrEqual(a->ns->href, BAD_CAST XSLT_NS))
				fold_avt_attr(f, a);
	}
	for (xmlNodePtr c = n->children, next; c != NULL; c = next) {
		xmlNodePtr t;

		next = c->next;
		if (c->type != XML_ELEMENT_NODE)
			continue;
		if (f->prefix == NULL || (t = fold_value_of(f, c)) == NULL)
			fold_element(f, c);
	}
	f->prefix = outer;
}

size_t
hk_msgfold(xmlDocPtr doc, const struct hk_catalog *cat, const char *lang)
{
	struct fold f = { cat, lang, NULL, 0 };
	xmlNodePtr root = xmlDocGetRootElement(doc);

	if (root != NULL)
		fold_element(&f, root);
	return f.done;
}
