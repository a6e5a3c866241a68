/* msgheaders.c - From, Subject, Date and Message-ID of a header block,
 * decoded for display. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <iconv.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "mem.h"
#include "msgheaders.h"
#include "utf8.h"

/* Converts len bytes from charset to UTF-8 (appended to out).  -1 when
 * iconv does not know the charset or the bytes do not convert. */
static int
to_utf8(const char *charset, const char *s, size_t len, struct hk_buf *out)
{
	iconv_t cd;
	char buf[1024];
	char *in = (char *)s;
	size_t inleft = len;
	int rc = 0;

	if (strcasecmp(charset, "utf-8") == 0 || strcasecmp(charset, "utf8") == 0 ||
	    strcasecmp(charset, "us-ascii") == 0) {
		hk_buf_append(out, s, len);
		return 0;
	}
	if (strcasecmp(charset, "shift_jis") == 0 ||
	    strcasecmp(charset, "sjis") == 0)
		cd = iconv_open("UTF-8", "CP932");
	else
		cd = iconv_open("UTF-8", charset);
	if (cd == (iconv_t)-1)
		return -1;
	while (inleft > 0) {
		char *o = buf;
		size_t oleft = sizeof(buf);
		size_t r = iconv(cd, &in, &inleft, &o, &oleft);

		hk_buf_append(out, buf, (size_t)(o - buf));
		if (r == (size_t)-1 && errno != E2BIG) {
			if (errno == EILSEQ && inleft > 0) {
				hk_buf_putc(out, '?');
				in++;
				inleft--;
				continue;
			}
			rc = inleft > 0 && errno != EINVAL ? -1 : 0;
			break;
		}
	}
	{	/* flush the shift state */
		char *o = buf;
		size_t oleft = sizeof(buf);

		iconv(cd, NULL, NULL, &o, &oleft);
		hk_buf_append(out, buf, (size_t)(o - buf));
	}
	iconv_close(cd);
	return rc;
}

/* to_utf8, and for ISO-2022-JP, again as ISO-2022-JP-3 (JIS X 0213
 * characters, seen in real Japanese mail) when plain ISO-2022-JP fails. */
static int
to_utf8_jp(const char *charset, const char *s, size_t len, struct hk_buf *out)
{
	size_t mark = out->len;

	if (to_utf8(charset, s, len, out) == 0)
		return 0;
	if (strcasecmp(charset, "iso-2022-jp") != 0)
		return -1;
	out->len = mark;
	if (out->data != NULL)
		out->data[mark] = '\0';
	return to_utf8("ISO-2022-JP-3", s, len, out);
}

char *
hk_header_clean(const char *s, size_t len)
{
	struct hk_buf conv = HK_BUF_INIT, out = HK_BUF_INIT;
	const unsigned char *p;
	size_t n, start, end;

	/* Raw ISO-2022-JP: 7-bit with ESC $ B / ESC $ @ designations. */
	if (memmem(s, len, "\x1b$B", 3) != NULL ||
	    memmem(s, len, "\x1b$@", 3) != NULL) {
		if (to_utf8_jp("ISO-2022-JP", s, len, &conv) == 0) {
			s = hk_buf_str(&conv);
			len = conv.len;
		} else
			hk_buf_reset(&conv);
	}
	p = (const unsigned char *)s;
	n = len;
	hk_buf_puts(&out, "");
	for (size_t i = 0; i < n; ) {
		size_t l = hk_utf8_seq((const char *)p + i, n - i);

		if (l == 0) {
			hk_buf_putc(&out, '?');
			i++;
		} else if (l == 1 && (p[i] < 0x20 || p[i] == 0x7f)) {
			hk_buf_putc(&out, ' ');
			i++;
		} else {
			hk_buf_append(&out, p + i, l);
			i += l;
		}
	}
	hk_buf_free(&conv);
	/* Trim, and cut on a character boundary. */
	start = 0;
	end = out.len;
	while (start < end && out.data[start] == ' ')
		start++;
	while (end > start && out.data[end - 1] == ' ')
		end--;
	if (end - start > HK_MSGHDR_MAX) {
		end = start + HK_MSGHDR_MAX;
		while (end > start && ((unsigned char)out.data[end] & 0xc0) == 0x80)
			end--;
	}
	{
		char *r = hk_strndup(out.data + start, end - start);

		hk_buf_free(&out);
		return r;
	}
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* base64 (RFC 2045 alphabet), lenient about padding. */
static void
b64_decode(const char *s, size_t len, struct hk_buf *out)
{
	unsigned int acc = 0;
	int bits = 0;

	for (size_t i = 0; i < len; i++) {
		int c = (unsigned char)s[i], v;

		if (c >= 'A' && c <= 'Z') v = c - 'A';
		else if (c >= 'a' && c <= 'z') v = c - 'a' + 26;
		else if (c >= '0' && c <= '9') v = c - '0' + 52;
		else if (c == '+') v = 62;
		else if (c == '/') v = 63;
		else continue;	/* '=' and anything else */
		acc = (acc << 6) | (unsigned)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			hk_buf_putc(out, (char)((acc >> bits) & 0xff));
		}
	}
}

static void
q_decode(const char *s, size_t len, struct hk_buf *out)
{
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '_')
			hk_buf_putc(out, ' ');
		else if (s[i] == '=' && i + 2 < len && hexval(s[i + 1]) >= 0 &&
		    hexval(s[i + 2]) >= 0) {
			hk_buf_putc(out, (char)(hexval(s[i + 1]) * 16 +
			    hexval(s[i + 2])));
			i += 2;
		} else
			hk_buf_putc(out, s[i]);
	}
}

/* Is there an encoded word at s?  "=?charset?X?text?=": fills the parts
 * and returns its length, or 0. */
static size_t
encoded_word(const char *s, size_t len, const char **cs, size_t *csl,
    char *enc, const char **txt, size_t *txl)
{
	size_t i = 2, j;

	if (len < 8 || s[0] != '=' || s[1] != '?')
		return 0;
	for (j = i; j < len && s[j] != '?' && s[j] != ' ' && s[j] != '\t'; j++)
		;
	if (j >= len || s[j] != '?' || j == i || j - i > 64)
		return 0;
	*cs = s + i;
	*csl = j - i;
	if (j + 2 >= len || s[j + 2] != '?')
		return 0;
	*enc = (char)toupper((unsigned char)s[j + 1]);
	if (*enc != 'B' && *enc != 'Q')
		return 0;
	i = j + 3;
	for (j = i; j + 1 < len; j++) {
		if (s[j] == ' ' || s[j] == '\t')
			return 0;
		if (s[j] == '?' && s[j + 1] == '=')
			break;
	}
	if (j + 1 >= len)
		return 0;
	*txt = s + i;
	*txl = j - i;
	return j + 2;
}

char *
hk_rfc2047_decode(const char *s, size_t len)
{
	struct hk_buf out = HK_BUF_INIT, raw = HK_BUF_INIT;
	size_t i = 0, pending_ws = 0, pending_at = 0;
	bool last_encoded = false;
	char *r;

	hk_buf_puts(&out, "");
	while (i < len) {
		const char *cs, *txt;
		size_t csl, txl, wl;
		char enc;

		if (s[i] == ' ' || s[i] == '\t') {
			if (pending_ws == 0)
				pending_at = i;
			pending_ws++;
			i++;
			continue;
		}
		wl = encoded_word(s + i, len - i, &cs, &csl, &enc, &txt, &txl);
		if (wl > 0) {
			char charset[65];
			const char *star;

			/* White space between two encoded words is dropped. */
			if (pending_ws > 0 && !last_encoded)
				hk_buf_append(&out, s + pending_at, pending_ws);
			pending_ws = 0;
			memcpy(charset, cs, csl);
			charset[csl] = '\0';
			if ((star = strchr(charset, '*')) != NULL)	/* RFC 2231 language */
				charset[star - charset] = '\0';
			hk_buf_reset(&raw);
			if (enc == 'B')
				b64_decode(txt, txl, &raw);
			else
				q_decode(txt, txl, &raw);
			if (to_utf8_jp(charset, raw.data ? raw.data : "", raw.len,
			    &out) < 0)
				hk_buf_append(&out, s + i, wl);	/* keep it as it was */
			i += wl;
			last_encoded = true;
			continue;
		}
		if (pending_ws > 0)
			hk_buf_append(&out, s + pending_at, pending_ws);
		pending_ws = 0;
		/* A plain word, up to the next white space. */
		while (i < len && s[i] != ' ' && s[i] != '\t')
			hk_buf_putc(&out, s[i++]);
		last_encoded = false;
	}
	r = hk_header_clean(out.data, out.len);
	hk_buf_free(&out);
	hk_buf_free(&raw);
	return r;
}

void
hk_msgheaders_clear(struct hk_msgheaders *h)
{
	free(h->from);
	free(h->subject);
	free(h->date);
	free(h->message_id);
	memset(h, 0, sizeof(*h));
}

void
hk_msgheaders_parse(const char *data, size_t len, struct hk_msgheaders *out)
{
	struct hk_buf field = HK_BUF_INIT;
	size_t i = 0;

	memset(out, 0, sizeof(*out));
	while (i < len) {
		size_t ls = i, le, next;

		/* One physical line. */
		while (i < len && data[i] != '\n')
			i++;
		le = i;
		next = i < len ? i + 1 : i;
		if (le > ls && data[le - 1] == '\r')
			le--;
		if (le == ls)
			break;	/* the empty line ends the header */
		hk_buf_reset(&field);
		hk_buf_append(&field, data + ls, le - ls);
		/* Continuation lines (folding): start with WSP. */
		while (next < len && (data[next] == ' ' || data[next] == '\t')) {
			size_t cs = next, ce;

			while (next < len && data[next] != '\n')
				next++;
			ce = next;
			if (next < len)
				next++;
			if (ce > cs && data[ce - 1] == '\r')
				ce--;
			hk_buf_append(&field, data + cs, ce - cs);
		}
		i = next;
		{
			const char *f = hk_buf_str(&field);
			const char *colon = memchr(f, ':', field.len);
			size_t nl;
			char **slot = NULL;
			bool decode = false;

			if (colon == NULL)
				continue;	/* not a field (an mbox "From " line...) */
			nl = (size_t)(colon - f);
			while (nl > 0 && (f[nl - 1] == ' ' || f[nl - 1] == '\t'))
				nl--;	/* obsolete "Subject :" */
			if (nl == 4 && strncasecmp(f, "from", 4) == 0) {
				slot = &out->from;
				decode = true;
			} else if (nl == 7 && strncasecmp(f, "subject", 7) == 0) {
				slot = &out->subject;
				decode = true;
			} else if (nl == 4 && strncasecmp(f, "date", 4) == 0)
				slot = &out->date;
			else if (nl == 10 && strncasecmp(f, "message-id", 10) == 0)
				slot = &out->message_id;
			if (slot == NULL || *slot != NULL)
				continue;
			colon++;
			*slot = decode ?
			    hk_rfc2047_decode(colon, field.len - (size_t)(colon - f)) :
			    hk_header_clean(colon, field.len - (size_t)(colon - f));
		}
	}
	hk_buf_free(&field);
	if (out->from == NULL) out->from = hk_strdup("");
	if (out->subject == NULL) out->subject = hk_strdup("");
	if (out->date == NULL) out->date = hk_strdup("");
	if (out->message_id == NULL) out->message_id = hk_strdup("");
}
