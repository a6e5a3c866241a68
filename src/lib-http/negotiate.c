/* negotiate.c - Accept (XML or HTML) and Accept-Language negotiation. */
#include "config.h"

#include <stdbool.h>
#include <stddef.h>
#include <string.h>
#include <strings.h>

#include "negotiate.h"

/* A slice of the header; nothing is copied. */
struct span {
	const char *s;
	size_t len;
};

static bool
is_ows(char c)
{
	return c == ' ' || c == '\t';
}

static struct span
trimmed(const char *s, size_t len)
{
	while (len > 0 && is_ows(*s)) {
		s++;
		len--;
	}
	while (len > 0 && is_ows(s[len - 1]))
		len--;
	return (struct span){ s, len };
}

/* Cuts the next sep-separated item from *cur (before end), skipping over
 * quoted strings so a ',' or ';' inside a parameter value does not split. */
static bool
next_item(const char **cur, const char *end, char sep, struct span *item)
{
	const char *p = *cur, *start = p;
	bool quoted = false;

	if (p >= end)
		return false;
	for (; p < end; p++) {
		if (quoted && *p == '\\' && p + 1 < end)
			p++;
		else if (*p == '"')
			quoted = !quoted;
		else if (!quoted && *p == sep)
			break;
	}
	*item = trimmed(start, (size_t)(p - start));
	*cur = p < end ? p + 1 : end;
	return true;
}

static bool
span_is(struct span sp, const char *lit)
{
	size_t n = strlen(lit);

	return sp.len == n && strncasecmp(sp.s, lit, n) == 0;
}

/* RFC 9110 qvalue: "0" ["." 0*3DIGIT] / "1" ["." 0*3("0")], as 0..1000. */
static int
parse_qvalue(struct span v)
{
	int q, scale = 100;

	if (v.len == 0 || v.len > 5 || (v.s[0] != '0' && v.s[0] != '1'))
		return -1;
	q = (v.s[0] - '0') * 1000;
	if (v.len == 1)
		return q;
	if (v.s[1] != '.')
		return -1;
	for (size_t i = 2; i < v.len; i++, scale /= 10) {
		if (v.s[i] < '0' || v.s[i] > '9')
			return -1;
		q += (v.s[i] - '0') * scale;
	}
	return q > 1000 ? -1 : q;
}

/* Splits "value;p=1;q=0.5" into its value and q (1000 when absent).
 * False when the element is malformed and must be ignored. */
static bool
split_element(struct span el, struct span *value, int *q)
{
	const char *cur = el.s, *end = el.s + el.len;
	struct span param;
	bool first = true, have_q = false;

	*q = 1000;
	while (next_item(&cur, end, ';', &param)) {
		if (first) {
			*value = param;
			first = false;
			continue;
		}
		const char *eq = memchr(param.s, '=', param.len);
		if (eq == NULL)
			return false;
		struct span pname = trimmed(param.s, (size_t)(eq - param.s));
		struct span pval = trimmed(eq + 1,
		    param.len - (size_t)(eq - param.s) - 1);
		/* Only the first q counts; what follows it are extensions. */
		if (span_is(pname, "q") && !have_q) {
			*q = parse_qvalue(pval);
			if (*q < 0)
				return false;
			have_q = true;
		}
	}
	return !first && value->len > 0;
}

static bool
is_tchar(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
	    || (c >= '0' && c <= '9') || (c != '\0' && strchr("!#$%&'*+-.^_`|~", c));
}

/* type "/" subtype, both tokens. */
static bool
media_range_ok(struct span v)
{
	const char *slash = memchr(v.s, '/', v.len);

	if (slash == NULL || slash == v.s || slash == v.s + v.len - 1)
		return false;
	for (size_t i = 0; i < v.len; i++)
		if (v.s + i != slash && !is_tchar(v.s[i]))
			return false;
	return true;
}

static bool
has_wildcard(struct span v)
{
	return memchr(v.s, '*', v.len) != NULL;
}

bool
hk_accept_prefers_xml(const char *accept)
{
	const char *cur, *end;
	struct span el, value;
	int xml_q = 0, html_q = 0, q;

	if (accept == NULL)
		return false;
	cur = accept;
	end = accept + strlen(accept);
	while (next_item(&cur, end, ',', &el)) {
		if (!split_element(el, &value, &q) || !media_range_ok(value))
			continue;
		if (span_is(value, "application/xml")
		    || span_is(value, "text/xml")) {
			if (q > xml_q)
				xml_q = q;
		} else if (span_is(value, "text/html")
		    || span_is(value, "application/xhtml+xml")
		    || has_wildcard(value)) {
			if (q > html_q)
				html_q = q;
		}
	}
	return xml_q > html_q;	/* ties, and nothing at all, give HTML */
}

/* RFC 4647 language-range: "*" or 1*8ALPHA *("-" 1*8alphanum). */
static bool
language_range_ok(struct span v)
{
	bool in_primary = true;
	size_t run = 0;

	if (span_is(v, "*"))
		return true;
	for (size_t i = 0; i < v.len; i++) {
		char c = v.s[i];
		bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
		bool digit = c >= '0' && c <= '9';

		if (c == '-') {
			if (run == 0)
				return false;
			in_primary = false;
			run = 0;
		} else if (alpha || (digit && !in_primary)) {
			if (++run > 8)
				return false;
		} else
			return false;
	}
	return run > 0;
}

/* The primary subtag of a range: "ja" of "ja-JP". */
static struct span
primary(struct span v)
{
	const char *dash = memchr(v.s, '-', v.len);

	return (struct span){ v.s, dash ? (size_t)(dash - v.s) : v.len };
}

/* The highest q among well-formed ranges whose primary subtag is tag (or
 * which are "*" when tag is NULL), and the position of that range; -1 when
 * none names it. */
static int
language_q(const char *header, const char *tag, size_t *pos_out)
{
	const char *cur = header, *end = header + strlen(header);
	struct span el, value;
	int q, best = -1;

	for (size_t pos = 0; next_item(&cur, end, ',', &el); pos++) {
		if (!split_element(el, &value, &q) || !language_range_ok(value))
			continue;
		if (tag == NULL ? !span_is(value, "*")
		    : !span_is(primary(value), tag))
			continue;
		if (q > best) {
			best = q;
			*pos_out = pos;
		}
	}
	return best;
}

const char *
hk_accept_language(const char *header, const char *const supported[])
{
	const char *best = supported[0];
	size_t best_pos = (size_t)-1, star_pos = 0;
	int best_q = 0, star_q;

	if (header == NULL || best == NULL)
		return best;
	/* "*" stands for every supported tag the header does not name, so
	 * "en;q=0, *" still finds ja; on a tie the earlier range, then the
	 * earlier supported tag wins ("*" alone gives supported[0]). */
	star_q = language_q(header, NULL, &star_pos);
	for (size_t i = 0; supported[i] != NULL; i++) {
		size_t pos = 0;
		int q = language_q(header, supported[i], &pos);

		if (q < 0) {
			q = star_q;
			pos = star_pos;
		}
		if (q > best_q || (q == best_q && q > 0 && pos < best_pos)) {
			best = supported[i];
			best_q = q;
			best_pos = pos;
		}
	}
	return best;
}
