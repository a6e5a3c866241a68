/* mem.c - allocation that never returns NULL, and secret hygiene. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "log.h"
#include "mem.h"

void *
hk_malloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (p == NULL)
		hk_fatal("out of memory (%zu bytes)", n);
	return p;
}

void *
hk_calloc(size_t nmemb, size_t size)
{
	void *p = calloc(nmemb ? nmemb : 1, size ? size : 1);

	if (p == NULL)
		hk_fatal("out of memory (%zu x %zu bytes)", nmemb, size);
	return p;
}

void *
hk_realloc(void *old, size_t n)
{
	void *p = realloc(old, n ? n : 1);

	if (p == NULL)
		hk_fatal("out of memory (%zu bytes)", n);
	return p;
}

char *
hk_strdup(const char *s)
{
	return hk_strndup(s, strlen(s));
}

char *
hk_strndup(const char *s, size_t n)
{
	size_t len = strnlen(s, n);
	char *p = hk_malloc(len + 1);

	memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

char *
hk_aprintf(const char *fmt, ...)
{
	va_list ap;
	char *p;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		hk_fatal("hk_aprintf: bad format");
	p = hk_malloc((size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return p;
}

void
hk_wipe(void *p, size_t n)
{
	if (p != NULL && n > 0)
		OPENSSL_cleanse(p, n);
}

void
hk_free_secret(char *s)
{
	if (s == NULL)
		return;
	hk_wipe(s, strlen(s));
	free(s);
}

int
hk_ct_equal(const void *a, const void *b, size_t n)
{
	return CRYPTO_memcmp(a, b, n) == 0;
}

void
hk_random(void *p, size_t n)
{
	if (RAND_bytes(p, (int)n) != 1)
		hk_fatal("the random number generator failed");
}
