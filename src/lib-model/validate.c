/* validate.c - host names, ports, mail addresses, free text. */
#include "config.h"

#include <arpa/inet.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <idn2.h>

#include "mem.h"
#include "utf8.h"
#include "validate.h"

/* ---- field errors ---------------------------------------------------- */

void
hk_form_error(struct hk_form_errors *e, const char *field, const char *key,
    const char *arg1, const char *arg2)
{
	struct hk_field_error *fe;

	if (e == NULL || e->n >= HK_FORM_ERRORS_MAX)
		return;
	fe = &e->v[e->n++];
	memset(fe, 0, sizeof(*fe));
	fe->field = field;
	fe->key = key;
	if (arg1 != NULL) {
		snprintf(fe->args[0], sizeof(fe->args[0]), "%s", arg1);
		fe->nargs = 1;
	}
	if (arg2 != NULL) {
		snprintf(fe->args[1], sizeof(fe->args[1]), "%s", arg2);
		fe->nargs = 2;
	}
}

bool
hk_form_has_error(const struct hk_form_errors *e, const char *field)
{
	for (size_t i = 0; i < e->n; i++)
		if (strcmp(e->v[i].field, field) == 0)
			return true;
	return false;
}

/* ---- UTF-8 decoding of valid input ----------------------------------- */

/* Decodes one code point of valid UTF-8 at *p and advances. */
static uint32_t
next_cp(const unsigned char **pp)
{
	const unsigned char *p = *pp;
	uint32_t c = p[0];

	if (c < 0x80) {
		*pp = p + 1;
	} else if (c < 0xE0) {
		c = ((c & 0x1F) << 6) | (p[1] & 0x3F);
		*pp = p + 2;
	} else if (c < 0xF0) {
		c = ((c & 0x0F) << 12) | ((uint32_t)(p[1] & 0x3F) << 6) |
		    (p[2] & 0x3F);
		*pp = p + 3;
	} else {
		c = ((c & 0x07) << 18) | ((uint32_t)(p[1] & 0x3F) << 12) |
		    ((uint32_t)(p[2] & 0x3F) << 6) | (p[3] & 0x3F);
		*pp = p + 4;
	}
	return c;
}

static bool
is_control(uint32_t c)
{
	return c < 0x20 || c == 0x7F || (c >= 0x80 && c < 0xA0) ||
	    c == 0x2028 || c == 0x2029;
}

bool
hk_has_control(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	if (!hk_utf8_valid(s, strlen(s)))
		return true;
	while (*p != '\0')
		if (is_control(next_cp(&p)))
			return true;
	return false;
}

/* ---- free text -------------------------------------------------------- */

/* Length of the white space (space, tab, U+3000) at s, or 0. */
static size_t
space_at(const char *s)
{
	if (*s == ' ' || *s == '\t')
		return 1;
	if ((unsigned char)s[0] == 0xE3 && (unsigned char)s[1] == 0x80 &&
	    (unsigned char)s[2] == 0x80)
		return 3;
	return 0;
}

/* The trimmed span of s: [*start, *start + *len). */
static void
trim_span(const char *s, const char **start, size_t *len)
{
	const char *b = s, *e = s + strlen(s);
	size_t n;

	while ((n = space_at(b)) > 0)
		b += n;
	for (;;) {
		if (e > b && (e[-1] == ' ' || e[-1] == '\t')) {
			e--;
			continue;
		}
		if (e - b >= 3 && space_at(e - 3) == 3) {
			e -= 3;
			continue;
		}
		break;
	}
	*start = b;
	*len = (size_t)(e - b);
}

enum hk_valid
hk_valid_text(const char *in, size_t max_chars, char **out_r)
{
	const char *b;
	size_t len;

	if (out_r != NULL)
		*out_r = NULL;
	char *t;

	if (in == NULL)
		return HK_VALID_EMPTY;
	if (!hk_utf8_valid(in, strlen(in)))
		return HK_VALID_CONTROL;
	/* Tabs at the ends are trimmed like spaces; anywhere else a control
	 * character (CR, LF, tab...) is refused. */
	trim_span(in, &b, &len);
	if (len == 0)
		return HK_VALID_EMPTY;
	t = hk_strndup(b, len);
	if (hk_has_control(t)) {
		free(t);
		return HK_VALID_CONTROL;
	}
	if (hk_utf8_length(t, len) > max_chars) {
		free(t);
		return HK_VALID_TOO_LONG;
	}
	if (out_r != NULL)
		*out_r = t;
	else
		free(t);
	return HK_VALID_OK;
}

/* ---- ports ------------------------------------------------------------ */

enum hk_valid
hk_valid_port(const char *in, int *port_r)
{
	size_t n;
	long v = 0;

	if (in == NULL || *in == '\0')
		return HK_VALID_EMPTY;
	n = strlen(in);
	if (n > 5 || strspn(in, "0123456789") != n)
		return HK_VALID_BAD;
	for (size_t i = 0; i < n; i++)
		v = v * 10 + (in[i] - '0');
	if (v < 1 || v > 65535)
		return HK_VALID_BAD;
	*port_r = (int)v;
	return HK_VALID_OK;
}

/* ---- hosts ------------------------------------------------------------ */

static bool
is_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9');
}

/* An RFC 1123 host name in ASCII (no trailing dot). */
static enum hk_valid
ldh_name(const char *s, size_t len)
{
	size_t label = 0;
	bool all_digits = true;

	if (len == 0)
		return HK_VALID_BAD;
	if (len > HK_HOST_MAX)
		return HK_VALID_TOO_LONG;
	for (size_t i = 0; i <= len; i++) {
		char c = i < len ? s[i] : '.';

		if (c == '.') {
			if (label == 0 || s[i - 1] == '-')
				return HK_VALID_BAD;
			if (label > HK_LABEL_MAX)
				return HK_VALID_TOO_LONG;
			if (i < len)
				all_digits = true;
			label = 0;
			continue;
		}
		if (!is_alnum(c) && c != '-')
			return HK_VALID_BAD;
		if (c == '-' && label == 0)
			return HK_VALID_BAD;
		if (c < '0' || c > '9')
			all_digits = false;
		label++;
	}
	/* "10.0.1" is a mistyped address, not a name: RFC 1123 §2.1. */
	if (all_digits)
		return HK_VALID_BAD;
	return HK_VALID_OK;
}

/* Every A-label (xn--) of an ASCII name must decode, so that the name can
 * be shown back in Unicode. */
static bool
alabels_decode(const char *s)
{
	char *u = NULL;
	bool has = false;

	for (const char *p = s; *p != '\0'; p++)
		if ((p == s || p[-1] == '.') && strncasecmp(p, "xn--", 4) == 0)
			has = true;
	if (!has)
		return true;
	if (idn2_to_unicode_8z8z(s, &u, 0) != IDN2_OK)
		return false;
	idn2_free(u);
	return true;
}

static bool
ascii_only(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)s[i] >= 0x80)
			return false;
	return true;
}

/* IPv6, as given between brackets or bare. */
static bool
ipv6_text(const char *s, size_t len, char *canon, size_t canon_len)
{
	char tmp[INET6_ADDRSTRLEN + 1];
	struct in6_addr a;

	if (len == 0 || len >= sizeof(tmp) || memchr(s, ':', len) == NULL)
		return false;
	memcpy(tmp, s, len);
	tmp[len] = '\0';
	if (inet_pton(AF_INET6, tmp, &a) != 1)
		return false;
	return inet_ntop(AF_INET6, &a, canon, (socklen_t)canon_len) != NULL;
}

/* Strict dotted quad: four parts of 1-3 digits, no leading zeros, <= 255. */
static bool
ipv4_text(const char *s, size_t len)
{
	int parts = 0;
	size_t i = 0;

	while (i < len) {
		size_t start = i;
		int v = 0;

		while (i < len && s[i] >= '0' && s[i] <= '9' && i - start < 4)
			v = v * 10 + (s[i++] - '0');
		if (i == start || i - start > 3 || v > 255 ||
		    (s[start] == '0' && i - start > 1))
			return false;
		parts++;
		if (i == len)
			break;
		if (s[i] != '.' || parts == 4)
			return false;
		i++;
		if (i == len)
			return false;
	}
	return parts == 4;
}

static bool
looks_like_ipv4(const char *s, size_t len)
{
	return len > 0 && strspn(s, "0123456789.") >= len;
}

enum hk_valid
hk_valid_host(const char *in, char **out_r)
{
	const char *b;
	size_t len;
	char canon[INET6_ADDRSTRLEN + 1];
	enum hk_valid rc;

	if (out_r != NULL)
		*out_r = NULL;
	if (in == NULL)
		return HK_VALID_EMPTY;
	if (hk_has_control(in))
		return HK_VALID_CONTROL;
	trim_span(in, &b, &len);
	if (len == 0)
		return HK_VALID_EMPTY;
	if (len > 1024)
		return HK_VALID_TOO_LONG;

	/* [IPv6] or bare IPv6 */
	if (b[0] == '[') {
		if (len < 3 || b[len - 1] != ']' ||
		    !ipv6_text(b + 1, len - 2, canon, sizeof(canon)))
			return HK_VALID_BAD;
		goto literal;
	}
	if (memchr(b, ':', len) != NULL) {
		if (!ipv6_text(b, len, canon, sizeof(canon)))
			return HK_VALID_BAD;
		goto literal;
	}
	if (looks_like_ipv4(b, len)) {
		if (!ipv4_text(b, len))
			return HK_VALID_BAD;
		snprintf(canon, sizeof(canon), "%.*s", (int)len, b);
		goto literal;
	}

	if (b[len - 1] == '.')
		len--;			/* the root: "example.com." */
	if (len == 0)
		return HK_VALID_BAD;
	if (ascii_only(b, len)) {
		char *s = hk_strndup(b, len);

		rc = ldh_name(s, len);
		if (rc == HK_VALID_OK && !alabels_decode(s))
			rc = HK_VALID_BAD;
		if (rc == HK_VALID_OK && out_r != NULL)
			*out_r = s;
		else
			free(s);
		return rc;
	} else {
		char *u = hk_strndup(b, len);
		uint8_t *a = NULL;
		int irc = idn2_lookup_u8((const uint8_t *)u, &a,
		    IDN2_NFC_INPUT | IDN2_NONTRANSITIONAL);

		free(u);
		if (irc == IDN2_TOO_BIG_DOMAIN || irc == IDN2_TOO_BIG_LABEL ||
		    irc == IDN2_PUNYCODE_BIG_OUTPUT)
			return HK_VALID_TOO_LONG;
		if (irc != IDN2_OK)
			return HK_VALID_BAD;
		rc = ldh_name((const char *)a, strlen((const char *)a));
		if (rc == HK_VALID_OK && out_r != NULL)
			*out_r = hk_strdup((const char *)a);
		idn2_free(a);
		return rc;
	}

literal:
	if (out_r != NULL)
		*out_r = hk_strdup(canon);
	return HK_VALID_OK;
}

char *
hk_host_display(const char *stored)
{
	char *u = NULL;
	char *out;

	if (stored == NULL)
		return hk_strdup("");
	if (strcasestr(stored, "xn--") == NULL ||
	    idn2_to_unicode_8z8z(stored, &u, 0) != IDN2_OK)
		return hk_strdup(stored);
	out = hk_strdup(u);
	idn2_free(u);
	return out;
}

/* ---- mail addresses --------------------------------------------------- */

static bool
is_atext(char c)
{
	return is_alnum(c) || (c != '\0' && strchr("!#$%&'*+-/=?^_`{|}~", c));
}

/* Dot-string: Atom *("." Atom) */
static bool
dot_string(const char *s, size_t len)
{
	size_t atom = 0;

	if (len == 0)
		return false;
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '.') {
			if (atom == 0)
				return false;
			atom = 0;
		} else if (is_atext(s[i])) {
			atom++;
		} else {
			return false;
		}
	}
	return atom > 0;
}

/* Quoted-string: DQUOTE *QcontentSMTP DQUOTE; len includes the quotes. */
static bool
quoted_string(const char *s, size_t len)
{
	if (len < 2 || s[0] != '"' || s[len - 1] != '"')
		return false;
	for (size_t i = 1; i < len - 1; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '\\') {
			if (i + 1 >= len - 1)
				return false;
			c = (unsigned char)s[++i];
			if (c < 32 || c > 126)
				return false;
		} else if (c < 32 || c > 126 || c == '"') {
			return false;
		}
	}
	return true;
}

enum hk_valid
hk_valid_mailbox_n(const char *in, char **out_r)
{
	size_t len, at, llen;
	const char *dom;
	char *domain = NULL;
	char canon[INET6_ADDRSTRLEN + 1];

	if (out_r != NULL)
		*out_r = NULL;
	if (in == NULL || *in == '\0')
		return HK_VALID_EMPTY;
	if (hk_has_control(in))
		return HK_VALID_CONTROL;
	len = strlen(in);
	if (len > 1024)
		return HK_VALID_TOO_LONG;
	/* The domain follows the last '@' (a quoted local part may hold
	 * '@'; a domain never does). */
	{
		const char *last = strrchr(in, '@');

		if (last == NULL)
			return HK_VALID_BAD;
		at = (size_t)(last - in);
	}
	llen = at;
	if (llen == 0)
		return HK_VALID_BAD;
	if (llen > 64)
		return HK_VALID_TOO_LONG;
	if (!(in[0] == '"' ? quoted_string(in, llen) : dot_string(in, llen)))
		return HK_VALID_BAD;
	dom = in + at + 1;
	if (*dom == '\0')
		return HK_VALID_BAD;
	if (*dom == '[') {
		size_t dlen = strlen(dom);

		if (dlen < 3 || dom[dlen - 1] != ']')
			return HK_VALID_BAD;
		if (strncasecmp(dom + 1, "IPv6:", 5) == 0) {
			if (!ipv6_text(dom + 6, dlen - 7, canon, sizeof(canon)))
				return HK_VALID_BAD;
		} else if (!ipv4_text(dom + 1, dlen - 2)) {
			return HK_VALID_BAD;
		}
		domain = hk_strdup(dom);
	} else {
		/* A domain, not an address: no spaces, no trailing dot, not
		 * a bare IP. */
		size_t dlen = strlen(dom);

		if (strpbrk(dom, " \t:[]") != NULL || dom[dlen - 1] == '.' ||
		    looks_like_ipv4(dom, dlen))
			return HK_VALID_BAD;
		if (hk_valid_host(dom, &domain) != HK_VALID_OK)
			return HK_VALID_BAD;
	}
	if (llen + 1 + strlen(domain) > 254) {
		free(domain);
		return HK_VALID_TOO_LONG;
	}
	if (out_r != NULL)
		*out_r = hk_aprintf("%.*s@%s", (int)llen, in, domain);
	free(domain);
	return HK_VALID_OK;
}

bool
hk_valid_mailbox(const char *in)
{
	return hk_valid_mailbox_n(in, NULL) == HK_VALID_OK;
}

/* ---- case-insensitive names ------------------------------------------ */

static uint32_t
fold(uint32_t c)
{
	if (c >= 'A' && c <= 'Z')
		return c + 32;
	if (c >= 0xFF21 && c <= 0xFF3A)		/* Ａ-Ｚ */
		return c - 0xFF21 + 'a';
	if (c >= 0xFF41 && c <= 0xFF5A)		/* ａ-ｚ */
		return c - 0xFF41 + 'a';
	if (c >= 0xFF10 && c <= 0xFF19)		/* ０-９ */
		return c - 0xFF10 + '0';
	if (c >= 0xC0 && c <= 0xDE && c != 0xD7)	/* Latin-1 */
		return c + 32;
	if (c >= 0x100 && c <= 0x17F && c != 0x130 && c != 0x131 &&
	    c != 0x138 && c != 0x149 && c != 0x17F) {
		/* Latin Extended-A pairs: even/odd, except 0x139-0x148 and
		 * 0x179-0x17E where the capital is odd. */
		if ((c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17E))
			return (c & 1) ? c + 1 : c;
		if (c == 0x178)
			return 0xFF;
		return (c & 1) ? c : c + 1;
	}
	if (c >= 0x391 && c <= 0x3A9 && c != 0x3A2)	/* Greek */
		return c + 32;
	if (c >= 0x410 && c <= 0x42F)		/* Cyrillic А-Я */
		return c + 32;
	if (c >= 0x400 && c <= 0x40F)		/* Ѐ-Џ */
		return c + 80;
	return c;
}

bool
hk_name_equal(const char *a, const char *b)
{
	const unsigned char *p = (const unsigned char *)a;
	const unsigned char *q = (const unsigned char *)b;

	if (!hk_utf8_valid(a, strlen(a)) || !hk_utf8_valid(b, strlen(b)))
		return strcmp(a, b) == 0;
	while (*p != '\0' && *q != '\0')
		if (fold(next_cp(&p)) != fold(next_cp(&q)))
			return false;
	return *p == '\0' && *q == '\0';
}
