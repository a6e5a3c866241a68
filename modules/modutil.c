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

static size_t
json_ws(const unsigned char *p, size_t len, size_t i)
{
	while (i < len && (p[i] == ' ' || p[i] == '\t' || p[i] == '\r' ||
	    p[i] == '\n'))
		i++;
	return i;
}

/* Scans the JSON string that starts at p[i] ('"').  Returns the index
 * after its closing quote, or 0 when it is malformed.  When out is not
 * NULL its content goes there: escapes kept as the escaped character
 * (\uXXXX as '?'), anything unprintable as '?'. */
static size_t
json_str(const unsigned char *p, size_t len, size_t i, char *out,
    size_t outsz)
{
	size_t o = 0;

	if (i >= len || p[i] != '"')
		return 0;
	for (i++; i < len; i++) {
		unsigned char c = p[i];

		if (c == '"') {
			if (out != NULL)
				out[o] = '\0';
			return i + 1;
		}
		if (c < 0x20)
			return 0;
		if (c == '\\') {
			if (++i >= len)
				return 0;
			switch (p[i]) {
			case '"': case '\\': case '/':
				c = p[i];
				break;
			case 'b': case 'f': case 'n': case 'r': case 't':
				c = '?';
				break;
			case 'u':
				if (i + 4 >= len)
					return 0;
				for (int k = 1; k <= 4; k++)
					if (!((p[i + k] >= '0' && p[i + k] <= '9') ||
					    ((p[i + k] | 0x20) >= 'a' &&
					    (p[i + k] | 0x20) <= 'f')))
						return 0;
				i += 4;
				c = '?';
				break;
			default:
				return 0;
			}
		} else if (c >= 0x7f)
			c = '?';
		if (out != NULL && o + 1 < outsz)
			out[o++] = (char)c;
	}
	return 0;
}

int
hkm_json_string(const unsigned char *p, size_t len, const char *key,
    char *out, size_t outsz)
{
	char name[64];
	size_t i = json_ws(p, len, 0), j;
	int found = 0;

	if (outsz == 0 || i >= len || p[i] != '{')
		return -1;
	out[0] = '\0';
	i = json_ws(p, len, i + 1);
	if (i < len && p[i] == '}')
		return -1;
	for (;;) {
		if ((j = json_str(p, len, i, name, sizeof(name))) == 0)
			return -1;
		i = json_ws(p, len, j);
		if (i >= len || p[i] != ':')
			return -1;
		i = json_ws(p, len, i + 1);
		if (i < len && p[i] == '"') {
			int want = !found && strcmp(name, key) == 0;

			if ((j = json_str(p, len, i, want ? out : NULL,
			    outsz)) == 0)
				return -1;
			found |= want;
			i = j;
		} else {
			/* A number, true, false or null: no nesting. */
			while (i < len && p[i] != ',' && p[i] != '}' &&
			    p[i] != '{' && p[i] != '[' && p[i] != '"')
				i++;
			if (i >= len || p[i] == '{' || p[i] == '[' || p[i] == '"')
				return -1;
		}
		i = json_ws(p, len, i);
		if (i < len && p[i] == ',') {
			i = json_ws(p, len, i + 1);
			continue;
		}
		if (i < len && p[i] == '}')
			break;
		return -1;
	}
	return found ? 0 : -1;
}

int
hkm_lacks(const void *p, size_t n, unsigned char b)
{
	return memchr(p, b, n) == NULL;
}
