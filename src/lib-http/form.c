/* form.c - strict application/x-www-form-urlencoded and URL path decoding. */
#include "config.h"

#include <stdbool.h>
#include <string.h>

#include "buf.h"
#include "form.h"
#include "mem.h"
#include "utf8.h"

static int
hexval(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Appends the percent-decoded bytes of s[0..len) to out. */
static enum hk_form_status
unescape(const char *s, size_t len, bool plus_is_space, struct hk_buf *out)
{
	for (size_t i = 0; i < len; i++) {
		char c = s[i];

		if (c == '%') {
			int hi, lo;

			if (len - i < 3)
				return HK_FORM_BAD_ESCAPE;
			hi = hexval((unsigned char)s[i + 1]);
			lo = hexval((unsigned char)s[i + 2]);
			if (hi < 0 || lo < 0)
				return HK_FORM_BAD_ESCAPE;
			c = (char)(hi << 4 | lo);
			i += 2;
		} else if (c == '+' && plus_is_space)
			c = ' ';
		hk_buf_putc(out, c);
	}
	return HK_FORM_OK;
}

/* Checks decoded bytes: NUL and C0 controls (TAB, CR, LF allowed only when
 * allow_ws: multi-line values are legitimate, multi-line names are not),
 * DEL too when no_del, then UTF-8. */
static enum hk_form_status
check(const struct hk_buf *b, bool allow_ws, bool no_del)
{
	const unsigned char *p = (const unsigned char *)hk_buf_str(b);

	for (size_t i = 0; i < b->len; i++) {
		if (p[i] == 0x7F && no_del)
			return HK_FORM_BAD_NUL;
		if (p[i] >= 0x20)
			continue;
		if (allow_ws && (p[i] == '\t' || p[i] == '\r' || p[i] == '\n'))
			continue;
		return HK_FORM_BAD_NUL;
	}
	return hk_utf8_valid(hk_buf_str(b), b->len) ? HK_FORM_OK
	    : HK_FORM_BAD_UTF8;
}

static enum hk_form_status
decode_field(const char *s, size_t len, bool is_name, struct hk_buf *out)
{
	enum hk_form_status st;

	hk_buf_reset(out);
	st = unescape(s, len, true, out);
	if (st == HK_FORM_OK)
		st = check(out, !is_name, false);
	return st;
}

enum hk_form_status
hk_form_parse(const char *s, size_t len, size_t max_pairs,
    struct hk_params *out)
{
	struct hk_buf name = HK_BUF_INIT, value;
	enum hk_form_status st = HK_FORM_OK;
	size_t pos = 0;

	/* Values may be passwords: one grows in place of the last, and a
	 * plain buffer would leave earlier ones behind when it moves. */
	hk_buf_init(&value, 0, HK_BUF_SECRET);

	while (pos < len) {
		const char *pair = s + pos;
		const char *amp = memchr(pair, '&', len - pos);
		size_t plen = amp ? (size_t)(amp - pair) : len - pos;
		const char *eq;
		size_t nlen;

		pos += plen + 1;
		if (plen == 0)
			continue;	/* "a=1&&b=2", trailing '&' */
		/* Count before decoding so a flood is cut off cheaply. */
		if (out->n >= max_pairs) {
			st = HK_FORM_TOO_MANY;
			break;
		}
		eq = memchr(pair, '=', plen);
		nlen = eq ? (size_t)(eq - pair) : plen;
		st = decode_field(pair, nlen, true, &name);
		if (st != HK_FORM_OK)
			break;
		if (eq)
			st = decode_field(eq + 1, plen - nlen - 1, false, &value);
		else
			hk_buf_reset(&value);
		if (st != HK_FORM_OK)
			break;
		hk_params_add(out, hk_buf_str(&name), hk_buf_str(&value));
	}
	hk_buf_wipe_free(&name);
	hk_buf_free(&value);	/* wipes: a secret buffer */
	if (st != HK_FORM_OK)
		hk_params_free(out);
	return st;
}

const char *
hk_form_strerror(enum hk_form_status st)
{
	switch (st) {
	case HK_FORM_OK:
		return "ok";
	case HK_FORM_BAD_ESCAPE:
		return "malformed percent escape";
	case HK_FORM_BAD_NUL:
		return "NUL or control byte";
	case HK_FORM_BAD_UTF8:
		return "invalid UTF-8";
	case HK_FORM_TOO_MANY:
		return "too many fields";
	}
	return "unknown form error";
}

char *
hk_path_decode(const char *s, size_t len)
{
	struct hk_buf b = HK_BUF_INIT;

	/* A path never legitimately holds controls: refuse all, DEL too. */
	if (unescape(s, len, false, &b) != HK_FORM_OK
	    || check(&b, false, true) != HK_FORM_OK) {
		hk_buf_free(&b);
		return NULL;
	}
	return hk_buf_steal(&b);
}
