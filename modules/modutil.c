/* modutil.c - small helpers shared by the shipped auth modules. */
#include "config.h"

#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "modutil.h"

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
		hk_hex(md, 16, out);
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
