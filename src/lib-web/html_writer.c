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

/* What libxml2's element table (htmlTagLookup) says that matters when it
 * writes without indenting: no end tag ever, or none when empty.  Every
 * other name, known to it or not, is written <x>...</x> or <x></x>.
 * tests/unit/test_html_writer.c checks these against the library. */
#define TAG_VOID 1	/* "empty": children and end tag never written */
#define TAG_BARE 2	/* "saveEndTag": no end tag when it has no children */

static unsigned
tag_kind(const xmlChar *name)
{
	switch (name[0] | 0x20) {
	case 'a':
		return name_is(name, "area") ? TAG_VOID : 0;
	case 'b':
		return name_is(name, "br") || name_is(name, "base") ||
		    name_is(name, "basefont") ? TAG_VOID : 0;
	case 'c':
		return name_is(name, "col") ? TAG_VOID : 0;
	case 'f':
		return name_is(name, "frame") ? TAG_VOID : 0;
	case 'h':
		return name_is(name, "hr") ? TAG_VOID : 0;
	case 'i':
		return name_is(name, "input") || name_is(name, "img") ||
		    name_is(name, "isindex") ? TAG_VOID : 0;
	case 'l':
		if (name_is(name, "li"))
			return TAG_BARE;
		return name_is(name, "link") ? TAG_VOID : 0;
	case 'm':
		return name_is(name, "meta") ? TAG_VOID : 0;
	case 'p':
		return name_is(name, "param") ? TAG_VOID : 0;
	default:
		return 0;
	}
}

/* Attributes libxml2 writes as their name alone (htmlIsBooleanAttr). */
static int
is_boolean_attr(const xmlChar *name)
{
	switch (name[0] | 0x20) {
	case 'c':
		return name_is(name, "checked") || name_is(name, "compact");
	case 'd':
		return name_is(name, "disabled") || name_is(name, "declare") ||
		    name_is(name, "defer");
	case 'i':
		return name_is(name, "ismap");
	case 'm':
		return name_is(name, "multiple");
	case 'n':
		return name_is(name, "nohref") || name_is(name, "noresize") ||
		    name_is(name, "noshade") || name_is(name, "nowrap");
	case 'r':
		return name_is(name, "readonly");
	case 's':
		return name_is(name, "selected");
	default:
		return 0;
	}
}

/* Attributes whose value libxml2 also URI-escapes. */
static int
is_uri_attr(const xmlAttr *attr)
{
	switch (attr->name[0] | 0x20) {
	case 'h':
		return name_is(attr->name, "href");
	case 'a':
		return name_is(attr->name, "action");
	case 's':
		return name_is(attr->name, "src");
	case 'n':
		return name_is(attr->name, "name") && attr->parent != NULL &&
		    name_is(attr->parent->name, "a");
	default:
		return 0;
	}
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
 * Writing: straight into the buffer's memory through a cursor, growing it
 * only when a piece does not fit in the room reserved so far.
 */
struct out {
	struct hk_buf *buf;
	char *p;	/* where the next byte goes */
	char *end;	/* the end of the room (the terminator's byte) */
};

#define ROOM_CHUNK 8192

static void
out_grow(struct out *o, size_t n)
{
	struct hk_buf *b = o->buf;

	if (n > SIZE_MAX / 2)
		hk_fatal("html_writer: value too large");
	if (o->p != NULL)	/* NULL: nothing written through o yet */
		b->len = (size_t)(o->p - b->data);
	hk_buf_reserve(b, n + ROOM_CHUNK);
	o->p = b->data + b->len;
	o->end = b->data + b->cap - 1;
}

/* Room for n more bytes at o->p. */
static inline void
room(struct out *o, size_t n)
{
	if ((size_t)(o->end - o->p) < n)
		out_grow(o, n);
}

static inline void
put(struct out *o, const void *s, size_t n)
{
	room(o, n);
	memcpy(o->p, s, n);
	o->p += n;
}

#define PUT_LIT(o, s) put((o), (s), sizeof(s) - 1)

static inline void
put_str(struct out *o, const xmlChar *s)
{
	put(o, s, strlen((const char *)s));
}

/* Escaping an attribute value: what else happens to each byte. */
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

static inline void
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
put_text(struct out *o, const xmlChar *s)
{
	char *p;

	room(o, strlen((const char *)s) * 5);	/* at most &amp; a byte */
	for (p = o->p; *s != '\0'; s++) {
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
	o->p = p;
}

/* A string in quotes as libxml2 quotes one: in "..." unless it holds a
 * '"'; then in '...' unless it holds a '\'' too, then in "..." with each
 * '"' as &quot;.  For strings not otherwise escaped (the doctype's ids). */
static void
put_quoted(struct out *o, const xmlChar *s)
{
	const char *str = (const char *)s;
	struct sink k;

	if (strchr(str, '"') != NULL && strchr(str, '\'') == NULL) {
		PUT_LIT(o, "'");
		put_str(o, s);
		PUT_LIT(o, "'");
		return;
	}
	room(o, strlen(str) * 6 + 2);	/* &quot; a byte */
	k.p = o->p;
	k.mode = strchr(str, '"') != NULL ? SINK_QUOT : SINK_PLAIN;
	k.leading = 0;
	*k.p++ = '"';
	sink_str(&k, str);
	*k.p++ = '"';
	o->p = k.p;
}

/* One attribute; -1 for one this writer does not handle. */
static int
put_attr(struct out *o, const xmlAttr *attr)
{
	const xmlNode *text = attr->children;
	const char *value;
	struct sink k;
	char quote = '"';
	size_t n;

	if (attr->ns != NULL)
		return -1;
	PUT_LIT(o, " ");
	put_str(o, attr->name);
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
	/* At most &amp; (or &quot;) for a byte, each byte of which may
	 * become %XX in a URI. */
	n = strlen(value);
	if (n > SIZE_MAX / 16)
		hk_fatal("html_writer: value too large");
	room(o, n * (k.mode == SINK_URI ? 15 : 6) + 3);
	k.p = o->p;
	*k.p++ = '=';
	*k.p++ = quote;
	sink_attr_value(&k, text->content);
	*k.p++ = quote;
	o->p = k.p;
	return 0;
}

/* The charset <meta> the html method makes libxml2 add
 * (htmlSetMetaEncoding): first child of the first <head> in the first
 * <html>, unless a Content-Type <meta> is there already. */
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
put_meta(struct out *o, const struct meta_place *place)
{
	PUT_LIT(o, "<meta http-equiv=\"Content-Type\" "
	    "content=\"text/html; charset=");
	put_str(o, BAD_CAST place->encoding);
	PUT_LIT(o, "\">");
}

static void
put_doctype(struct out *o, const xmlDtd *dtd)
{
	PUT_LIT(o, "<!DOCTYPE ");
	put_str(o, dtd->name);
	if (dtd->ExternalID != NULL) {
		PUT_LIT(o, " PUBLIC ");
		put_quoted(o, dtd->ExternalID);
		if (dtd->SystemID != NULL) {
			PUT_LIT(o, " ");
			put_quoted(o, dtd->SystemID);
		}
	} else if (dtd->SystemID != NULL &&
	    strcmp((const char *)dtd->SystemID, "about:legacy-compat") != 0) {
		PUT_LIT(o, " SYSTEM ");
		put_quoted(o, dtd->SystemID);
	}
	PUT_LIT(o, ">\n");
}

static void
put_end_tag(struct out *o, const xmlNode *el)
{
	size_t n = strlen((const char *)el->name);

	room(o, n + 3);
	memcpy(o->p, "</", 2);
	memcpy(o->p + 2, el->name, n);
	o->p[n + 2] = '>';
	o->p += n + 3;
}

/* The start tag, and whether the children and end tag follow: 1 to go
 * down into them, 0 when the element is written whole; -1 to decline. */
static int
put_start(struct out *o, const xmlNode *el, const struct meta_place *place)
{
	unsigned kind;

	if (el->ns != NULL || el->nsDef != NULL)
		return -1;
	PUT_LIT(o, "<");
	put_str(o, el->name);
	for (const xmlAttr *a = el->properties; a != NULL; a = a->next)
		if (put_attr(o, a) < 0)
			return -1;
	PUT_LIT(o, ">");
	if (el == place->head) {
		put_meta(o, place);
		if (el->children == NULL) {
			put_end_tag(o, el);
			return 0;
		}
		return 1;
	}
	kind = tag_kind(el->name);
	if (kind & TAG_VOID)
		return 0;
	if (el->children != NULL)
		return 1;
	if (!(kind & TAG_BARE))
		put_end_tag(o, el);
	return 0;
}

/* A leaf; -1 for a kind of node this writer does not handle. */
static int
put_leaf(struct out *o, const xmlNode *n)
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
			put_str(o, n->content);
		else
			put_text(o, n->content);
		return 0;
	case XML_COMMENT_NODE:
		if (n->content != NULL) {
			PUT_LIT(o, "<!--");
			put_str(o, n->content);
			PUT_LIT(o, "-->");
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
put_tree(struct out *o, const xmlDoc *doc, const struct meta_place *place)
{
	const xmlNode *n = doc->children;

	while (n != NULL) {
		int down = 0;

		if (n->type == XML_ELEMENT_NODE)
			down = put_start(o, n, place);
		else if (put_leaf(o, n) < 0)
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
			put_end_tag(o, n);
		}
		n = n->next;
	}
	return 0;
}

/* The encoding libxslt would serialise with, if its output settings are
 * the ones this writer mirrors; NULL if not. */
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
	struct out o = { out, NULL, NULL };
	size_t start = out->len;
	int rc = 0;

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
	out_grow(&o, 0);
	if (result->intSubset != NULL)
		put_doctype(&o, result->intSubset);
	if (put_tree(&o, result, &place) < 0) {
		o.p = out->data + start;
		rc = -1;
	} else {
		PUT_LIT(&o, "\n");
	}
	out->len = (size_t)(o.p - out->data);
	out->data[out->len] = '\0';
	return rc;
}
