/* html_writer.c - libxml2 2.9's HTML output, byte for byte, without its
 * per-element table search and per-value copies (issue 15: that writer
 * cost ~110 instructions per byte of the server list). */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include <libxml/parserInternals.h>
#include <libxslt/imports.h>

#include "html_writer.h"
#include "log.h"

/* What libxml2's element table (htmlTagLookup) says that matters when it
 * writes without indenting: no end tag ever, or none when empty.  Every
 * other name, known to it or not, is written <x>...</x> or <x></x>.
 * tests/unit/test_html_writer.c checks this list against the library. */
#define TAG_VOID 1	/* "empty": children and end tag never written */
#define TAG_BARE 2	/* "saveEndTag": no end tag when it has no children */

static const struct {
	const char *name;
	unsigned char kind;
} tags[] = {
	{ "area", TAG_VOID }, { "base", TAG_VOID }, { "basefont", TAG_VOID },
	{ "br", TAG_VOID }, { "col", TAG_VOID }, { "frame", TAG_VOID },
	{ "hr", TAG_VOID }, { "img", TAG_VOID }, { "input", TAG_VOID },
	{ "isindex", TAG_VOID }, { "link", TAG_VOID }, { "meta", TAG_VOID },
	{ "param", TAG_VOID }, { "li", TAG_BARE },
};

/* Attributes libxml2 writes as their name alone (htmlIsBooleanAttr). */
static const char *const boolean_attrs[] = {
	"checked", "compact", "declare", "defer", "disabled", "ismap",
	"multiple", "nohref", "noresize", "noshade", "nowrap", "readonly",
	"selected",
};

/* libxml2 compares these names ASCII-case-insensitively. */
static int
name_is(const xmlChar *name, const char *lower)
{
	for (; *lower != '\0'; name++, lower++) {
		unsigned char c = *name;

		if (c >= 'A' && c <= 'Z')
			c += 'a' - 'A';
		if (c != (unsigned char)*lower)
			return 0;
	}
	return *name == '\0';
}

static unsigned
tag_kind(const xmlChar *name)
{
	for (size_t i = 0; i < sizeof(tags) / sizeof(tags[0]); i++)
		if ((name[0] | 0x20) == tags[i].name[0] &&
		    name_is(name, tags[i].name))
			return tags[i].kind;
	return 0;
}

static int
is_boolean_attr(const xmlChar *name)
{
	for (size_t i = 0; i < sizeof(boolean_attrs) / sizeof(boolean_attrs[0]);
	    i++)
		if ((name[0] | 0x20) == boolean_attrs[i][0] &&
		    name_is(name, boolean_attrs[i]))
			return 1;
	return 0;
}

/* Attributes whose value libxml2 also URI-escapes. */
static int
is_uri_attr(const xmlAttr *attr)
{
	return name_is(attr->name, "href") || name_is(attr->name, "action") ||
	    name_is(attr->name, "src") ||
	    (name_is(attr->name, "name") && attr->parent != NULL &&
	    name_is(attr->parent->name, "a"));
}

/* Bytes xmlURIEscapeStr leaves alone with the list libxml2 2.9 passes:
 * letters, digits, the RFC 2396 marks, and "@/:=?;#%&,+<>" (the angle
 * brackets for server-side includes). */
static int
uri_keeps(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') ||
	    (c != '\0' && strchr("-_.!~*'()@/:=?;#%&,+<>", c) != NULL);
}

/*
 * Writing.  Each value is escaped straight into out: room for its worst
 * case is reserved first, then bytes go through a cursor.
 */
enum sink_mode {
	SINK_PLAIN,
	SINK_QUOT,	/* '"' as &quot; (a value holding both quotes) */
	SINK_URI,	/* leading blanks dropped, then URI-escaped */
};

struct sink {
	char *p;
	enum sink_mode mode;
	int leading;	/* SINK_URI: nothing but blanks written yet */
};

/* Where to write at most growth times n bytes at the end of out. */
static char *
cursor(struct hk_buf *out, size_t n, size_t growth)
{
	if (n > (SIZE_MAX - 16) / growth)
		hk_fatal("html_writer: value too large");
	hk_buf_reserve(out, n * growth + 16);
	return out->data + out->len;
}

static void
cursor_done(struct hk_buf *out, char *end)
{
	out->len = (size_t)(end - out->data);
	*end = '\0';
}

static void
sink_byte(struct sink *k, unsigned char c)
{
	static const char hex[] = "0123456789ABCDEF";

	switch (k->mode) {
	case SINK_PLAIN:
		break;
	case SINK_QUOT:
		if (c == '"') {
			memcpy(k->p, "&quot;", 6);
			k->p += 6;
			return;
		}
		break;
	case SINK_URI:
		if (k->leading) {
			if (c == ' ' || c == '\t' || c == '\n' || c == '\r')
				return;
			k->leading = 0;
		}
		if (!uri_keeps(c)) {
			*k->p++ = '%';
			*k->p++ = hex[c >> 4];
			*k->p++ = hex[c & 0xf];
			return;
		}
		break;
	}
	*k->p++ = (char)c;
}

static void
sink_str(struct sink *k, const char *s)
{
	while (*s != '\0')
		sink_byte(k, (unsigned char)*s++);
}

/* An attribute value as libxml2's entity encoder writes it for an HTML
 * document: < > & as entities, except an SSI comment "<!--...-->" and an
 * "&{...}" script entity, which stay as they are; control bytes other than
 * tab, newline and carriage return dropped; everything else as is. */
static void
sink_attr_value(struct sink *k, const xmlChar *s)
{
	const char *end;

	while (*s != '\0') {
		unsigned char c = *s;

		if (c == '<' && s[1] == '!' && s[2] == '-' && s[3] == '-' &&
		    (end = strstr((const char *)s, "-->")) != NULL) {
			while ((const char *)s != end + 3)
				sink_byte(k, *s++);
			continue;
		}
		if (c == '&' && s[1] == '{' &&
		    strchr((const char *)s, '}') != NULL) {
			while (*s != '}')
				sink_byte(k, *s++);
			sink_byte(k, *s++);
			continue;
		}
		if (c == '<')
			sink_str(k, "&lt;");
		else if (c == '>')
			sink_str(k, "&gt;");
		else if (c == '&')
			sink_str(k, "&amp;");
		else if (c >= 0x20 || c == '\t' || c == '\n' || c == '\r')
			sink_byte(k, c);
		s++;
	}
}

/* Text outside script and style: the same encoder without the attribute
 * exceptions, in a tight loop (most of a page's bytes). */
static void
put_text(struct hk_buf *out, const xmlChar *s)
{
	/* At most &amp; for a byte. */
	char *p = cursor(out, strlen((const char *)s), 5);

	for (; *s != '\0'; s++) {
		unsigned char c = *s;

		if (c >= 0x20 && c != '<' && c != '>' && c != '&') {
			*p++ = (char)c;
		} else if (c == '<') {
			memcpy(p, "&lt;", 4);
			p += 4;
		} else if (c == '>') {
			memcpy(p, "&gt;", 4);
			p += 4;
		} else if (c == '&') {
			memcpy(p, "&amp;", 5);
			p += 5;
		} else if (c == '\t' || c == '\n' || c == '\r') {
			*p++ = (char)c;
		}
	}
	cursor_done(out, p);
}

/* A string in quotes as libxml2 quotes one: in "..." unless it holds a
 * '"'; then in '...' unless it holds a '\'' too, then in "..." with each
 * '"' as &quot;.  Used for values already escaped (the doctype's ids). */
static void
put_quoted(struct hk_buf *out, const xmlChar *s)
{
	const char *str = (const char *)s;
	struct sink k;

	if (strchr(str, '"') != NULL && strchr(str, '\'') == NULL) {
		hk_buf_putc(out, '\'');
		hk_buf_puts(out, str);
		hk_buf_putc(out, '\'');
		return;
	}
	k.p = cursor(out, strlen(str), 6);	/* &quot; */
	k.mode = strchr(str, '"') != NULL ? SINK_QUOT : SINK_PLAIN;
	k.leading = 0;
	*k.p++ = '"';
	sink_str(&k, str);
	*k.p++ = '"';
	cursor_done(out, k.p);
}

/* One attribute; -1 for one this writer does not handle. */
static int
put_attr(struct hk_buf *out, const xmlAttr *attr)
{
	const xmlNode *text = attr->children;
	const char *value;
	struct sink k;
	char quote = '"';

	if (attr->ns != NULL)
		return -1;
	hk_buf_putc(out, ' ');
	hk_buf_puts(out, (const char *)attr->name);
	if (text == NULL || is_boolean_attr(attr->name))
		return 0;
	if (text->type != XML_TEXT_NODE || text->next != NULL ||
	    text->content == NULL)
		return -1;
	value = (const char *)text->content;

	k.mode = SINK_PLAIN;
	k.leading = 0;
	if (is_uri_attr(attr)) {
		/* The escaped value then URI-escaped: never holds '"'. */
		k.mode = SINK_URI;
		k.leading = 1;
	} else if (strchr(value, '"') != NULL) {
		/* Escaping neither adds nor removes quotes. */
		if (strchr(value, '\'') != NULL)
			k.mode = SINK_QUOT;
		else
			quote = '\'';
	}
	/* At most &amp; (or &quot;) for a byte; each of those %XX-escaped
	 * in a URI. */
	k.p = cursor(out, strlen(value) + 2, k.mode == SINK_URI ? 15 : 6);
	*k.p++ = '=';
	*k.p++ = quote;
	sink_attr_value(&k, text->content);
	*k.p++ = quote;
	cursor_done(out, k.p);
	return 0;
}

/* The charset <meta> the html method makes libxml2 add
 * (htmlSetMetaEncoding): first child of the <head> that is the first head
 * in the first <html>, unless a Content-Type <meta> is there already. */
struct meta_place {
	const xmlNode *head;	/* NULL: none is added */
	const char *encoding;
};

/* The first element among n and its next siblings named a or b. */
static const xmlNode *
first_element(const xmlNode *n, const char *a, const char *b)
{
	for (; n != NULL; n = n->next)
		if (n->type == XML_ELEMENT_NODE &&
		    (name_is(n->name, a) || name_is(n->name, b)))
			return n;
	return NULL;
}

/* 0 with *place set, or -1 for the layouts not mirrored here (a <head> or
 * <meta> outside <html>, a <meta> before <head>, any http-equiv <meta>). */
static int
find_meta_place(const xmlDoc *doc, struct meta_place *place)
{
	const xmlNode *html, *head, *n;

	place->head = NULL;
	for (html = doc->children; html != NULL; html = html->next)
		if (html->type == XML_ELEMENT_NODE &&
		    (name_is(html->name, "html") || name_is(html->name, "head") ||
		    name_is(html->name, "meta")))
			break;
	if (html == NULL)
		return 0;
	if (!name_is(html->name, "html"))
		return -1;
	head = first_element(html->children, "head", "meta");
	if (head == NULL)
		return 0;
	if (!name_is(head->name, "head"))
		return -1;
	for (n = head->children; n != NULL; n = n->next) {
		if (n->type != XML_ELEMENT_NODE || !name_is(n->name, "meta"))
			continue;
		for (const xmlAttr *a = n->properties; a != NULL; a = a->next)
			if (name_is(a->name, "http-equiv"))
				return -1;
	}
	place->head = head;
	return 0;
}

static void
put_meta(struct hk_buf *out, const struct meta_place *place)
{
	hk_buf_puts(out, "<meta http-equiv=\"Content-Type\" "
	    "content=\"text/html; charset=");
	hk_buf_puts(out, place->encoding);
	hk_buf_puts(out, "\">");
}

static void
put_doctype(struct hk_buf *out, const xmlDtd *dtd)
{
	hk_buf_puts(out, "<!DOCTYPE ");
	hk_buf_puts(out, (const char *)dtd->name);
	if (dtd->ExternalID != NULL) {
		hk_buf_puts(out, " PUBLIC ");
		put_quoted(out, dtd->ExternalID);
		if (dtd->SystemID != NULL) {
			hk_buf_putc(out, ' ');
			put_quoted(out, dtd->SystemID);
		}
	} else if (dtd->SystemID != NULL &&
	    strcmp((const char *)dtd->SystemID, "about:legacy-compat") != 0) {
		hk_buf_puts(out, " SYSTEM ");
		put_quoted(out, dtd->SystemID);
	}
	hk_buf_puts(out, ">\n");
}

/* The start tag, and whether the children and end tag follow: 1 to go
 * down into them, 0 when the element is written whole; -1 to decline. */
static int
put_start(struct hk_buf *out, const xmlNode *el, const struct meta_place *place)
{
	unsigned kind;

	if (el->ns != NULL || el->nsDef != NULL)
		return -1;
	hk_buf_putc(out, '<');
	hk_buf_puts(out, (const char *)el->name);
	for (const xmlAttr *a = el->properties; a != NULL; a = a->next)
		if (put_attr(out, a) < 0)
			return -1;
	hk_buf_putc(out, '>');
	if (el == place->head) {
		put_meta(out, place);
		if (el->children == NULL) {
			hk_buf_puts(out, "</");
			hk_buf_puts(out, (const char *)el->name);
			hk_buf_putc(out, '>');
			return 0;
		}
		return 1;
	}
	kind = tag_kind(el->name);
	if (kind & TAG_VOID)
		return 0;
	if (el->children != NULL)
		return 1;
	if (!(kind & TAG_BARE)) {
		hk_buf_puts(out, "</");
		hk_buf_puts(out, (const char *)el->name);
		hk_buf_putc(out, '>');
	}
	return 0;
}

/* A leaf; -1 for a kind of node this writer does not handle. */
static int
put_leaf(struct hk_buf *out, const xmlNode *n)
{
	const xmlNode *parent = n->parent;

	switch (n->type) {
	case XML_TEXT_NODE:
		if (n->content == NULL)
			return 0;
		/* disable-output-escaping, and script and style text, go
		 * out as they are. */
		if (n->name == xmlStringTextNoenc ||
		    (parent != NULL && parent->type == XML_ELEMENT_NODE &&
		    (name_is(parent->name, "script") ||
		    name_is(parent->name, "style"))))
			hk_buf_puts(out, (const char *)n->content);
		else
			put_text(out, n->content);
		return 0;
	case XML_COMMENT_NODE:
		if (n->content != NULL) {
			hk_buf_puts(out, "<!--");
			hk_buf_puts(out, (const char *)n->content);
			hk_buf_puts(out, "-->");
		}
		return 0;
	case XML_DTD_NODE:
		/* Written from doc->intSubset, as libxml2 does. */
		return parent != NULL && parent->type == XML_HTML_DOCUMENT_NODE ?
		    0 : -1;
	default:
		return -1;
	}
}

/* The tree below doc, depth first without recursion; -1 to decline. */
static int
put_tree(struct hk_buf *out, const xmlDoc *doc, const struct meta_place *place)
{
	const xmlNode *n = doc->children;

	while (n != NULL) {
		int down = 0;

		if (n->type == XML_ELEMENT_NODE)
			down = put_start(out, n, place);
		else if (put_leaf(out, n) < 0)
			return -1;
		if (down < 0)
			return -1;
		if (down) {
			n = n->children;
			continue;
		}
		/* Up to the next sibling, closing what is finished. */
		while (n->next == NULL) {
			n = n->parent;
			if (n == NULL || n == (const xmlNode *)doc)
				return 0;
			hk_buf_puts(out, "</");
			hk_buf_puts(out, (const char *)n->name);
			hk_buf_putc(out, '>');
		}
		n = n->next;
	}
	return 0;
}

/* The output settings libxslt would serialise with, if they are the ones
 * this writer mirrors; NULL if not. */
static const char *
mirrored_encoding(xsltStylesheetPtr style, const xmlDoc *result)
{
	const xmlChar *method, *encoding;
	int indent;

	XSLT_GET_IMPORT_PTR(method, style, method);
	XSLT_GET_IMPORT_PTR(encoding, style, encoding);
	XSLT_GET_IMPORT_INT(indent, style, indent);
	if (method == NULL && result->type == XML_HTML_DOCUMENT_NODE)
		method = BAD_CAST "html";
	if (method == NULL || strcmp((const char *)method, "html") != 0 ||
	    indent != 0 || result->type != XML_HTML_DOCUMENT_NODE)
		return NULL;
	if (encoding == NULL)
		return "UTF-8";
	return xmlStrcasecmp(encoding, BAD_CAST "UTF-8") == 0 ?
	    (const char *)encoding : NULL;
}

int
hk_html_write(xsltStylesheetPtr style, xmlDocPtr result, struct hk_buf *out)
{
	struct meta_place place;
	size_t start = out->len;

	if (out->max != 0 || (out->flags & HK_BUF_SECRET) != 0)
		return -1;
	place.encoding = mirrored_encoding(style, result);
	if (place.encoding == NULL || find_meta_place(result, &place) < 0)
		return -1;
	/* libxslt writes nothing for a result without content. */
	if (result->children == NULL ||
	    (result->children->type == XML_DTD_NODE &&
	    result->children->next == NULL))
		return 0;
	if (result->intSubset != NULL)
		put_doctype(out, result->intSubset);
	if (put_tree(out, result, &place) < 0) {
		out->len = start;
		if (out->data != NULL)
			out->data[start] = '\0';
		return -1;
	}
	hk_buf_putc(out, '\n');
	return 0;
}
