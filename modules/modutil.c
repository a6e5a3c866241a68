/* modutil.c - small helpers shared by the shipped auth modules. */
#include "config.h"

#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "modutil.h"

static const char b64_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

void
hkm_b64_encode(const void *p, size_t n, char *out)
{
	const unsigned char *in = p;
	size_t i;
	char *o = out;

	for (i = 0; i + 2 < n; i += 3) {
		uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 |
		    in[i + 2];
		*o++ = b64_alphabet[v >> 18 & 63];
		*o++ = b64_alphabet[v >> 12 & 63];
		*o++ = b64_alphabet[v >> 6 & 63];
		*o++ = b64_alphabet[v & 63];
	}
	if (i < n) {
		uint32_t v = (uint32_t)in[i] << 16;
		if (i + 1 < n)
			v |= (uint32_t)in[i + 1] << 8;
		*o++ = b64_alphabet[v >> 18 & 63];
		*o++ = b64_alphabet[v >> 12 & 63];
		*o++ = i + 1 < n ? b64_alphabet[v >> 6 & 63] : '=';
		*o++ = '=';
	}
	*o = '\0';
}

static int
b64_value(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

long
hkm_b64_decode(const char *in, size_t len, unsigned char *out)
{
	size_t i, o = 0;

	if (len % 4 != 0 || len / 4 * 3 > LONG_MAX)
		return -1;
	for (i = 0; i < len; i += 4) {
		int v[4], pad = 0;
		int last = i + 4 == len;

		for (int k = 0; k < 4; k++) {
			unsigned char c = (unsigned char)in[i + k];
			if (c == '=' && last && k >= 2) {
				v[k] = 0;
				pad++;
				continue;
			}
			if (pad > 0 || (v[k] = b64_value(c)) < 0)
				return -1;
		}
		uint32_t w = (uint32_t)v[0] << 18 | (uint32_t)v[1] << 12 |
		    (uint32_t)v[2] << 6 | (uint32_t)v[3];
		/* Non-canonical encodings (stray bits before padding) are
		 * refused: a well-behaved peer never sends them. */
		if ((pad == 1 && (w & 0xff)) || (pad == 2 && (w & 0xffff)))
			return -1;
		out[o++] = (unsigned char)(w >> 16);
		if (pad < 2)
			out[o++] = (unsigned char)(w >> 8);
		if (pad < 1)
			out[o++] = (unsigned char)w;
	}
	return (long)o;
}

void
hkm_hex(const void *p, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";
	const unsigned char *b = p;

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[b[i] >> 4];
		out[2 * i + 1] = digits[b[i] & 15];
	}
	out[2 * n] = '\0';
}

int
hkm_apop_timestamp(const char *greeting, size_t len, const char **ts,
    size_t *ts_len)
{
	const char *lt = memchr(greeting, '<', len);
	size_t i, start;
	int at = 0;

	if (lt == NULL)
		return -1;
	start = (size_t)(lt - greeting);
	for (i = start + 1; i < len; i++) {
		unsigned char c = (unsigned char)greeting[i];
		if (c == '>')
			break;
		if (c <= 0x20 || c >= 0x7f || c == '<')
			return -1;
		if (c == '@')
			at = 1;
	}
	/* Unterminated, no '@', or "<@>" without local part or domain. */
	if (i >= len || !at || greeting[start + 1] == '@' ||
	    greeting[i - 1] == '@')
		return -1;
	*ts = lt;
	*ts_len = i - start + 1;
	return 0;
}

int
hkm_apop_digest(const char *ts, size_t ts_len, const char *password,
    char out[33])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int md_len = 0;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	int ok;

	if (ctx == NULL)
		return -1;
	ok = EVP_DigestInit_ex(ctx, EVP_md5(), NULL) == 1 &&
	    EVP_DigestUpdate(ctx, ts, ts_len) == 1 &&
	    EVP_DigestUpdate(ctx, password, strlen(password)) == 1 &&
	    EVP_DigestFinal_ex(ctx, md, &md_len) == 1 && md_len == 16;
	EVP_MD_CTX_free(ctx);
	if (ok)
		hkm_hex(md, 16, out);
	OPENSSL_cleanse(md, sizeof(md));
	return ok ? 0 : -1;
}

int
hkm_pop3_arg_ok(const char *s, size_t max, int spaces_ok)
{
	size_t n = strlen(s);

	if (n == 0 || n > max)
		return 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x20 || c == 0x7f || (c == ' ' && !spaces_ok))
			return 0;
	}
	return 1;
}

int
hkm_buf_add(struct hkm_buf *b, const void *p, size_t n)
{
	if (n > SIZE_MAX - b->len - 1)
		return -1;
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 64;
		unsigned char *np;

		while (cap < b->len + n + 1)
			cap = cap > SIZE_MAX / 2 ? b->len + n + 1 : cap * 2;
		/* Not realloc: the old block may hold a secret to wipe. */
		np = malloc(cap);
		if (np == NULL)
			return -1;
		if (b->p != NULL) {
			memcpy(np, b->p, b->len);
			OPENSSL_cleanse(b->p, b->cap);
			free(b->p);
		}
		b->p = np;
		b->cap = cap;
	}
	if (n > 0)
		memcpy(b->p + b->len, p, n);
	b->len += n;
	b->p[b->len] = '\0';
	return 0;
}

int
hkm_buf_adds(struct hkm_buf *b, const char *s)
{
	return hkm_buf_add(b, s, strlen(s));
}

void
hkm_buf_clear(struct hkm_buf *b)
{
	if (b->p != NULL)
		OPENSSL_cleanse(b->p, b->cap);
	b->len = 0;
	if (b->p != NULL)
		b->p[0] = '\0';
}

void
hkm_buf_free(struct hkm_buf *b)
{
	if (b->p != NULL) {
		OPENSSL_cleanse(b->p, b->cap);
		free(b->p);
	}
	b->p = NULL;
	b->len = b->cap = 0;
}
