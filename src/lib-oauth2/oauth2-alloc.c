/* oauth2-alloc.c - the allocator libcurl and jansson get: every block is
 * wiped before it is freed, so the tokens, codes and secrets they copy
 * (request bodies, headers, parsed JSON strings) do not linger in freed
 * heap memory.  A block starts with a header holding its size. */
#include "config.h"

#include <stdalign.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <jansson.h>

#include "log.h"
#include "mem.h"
#include "oauth2-private.h"

#define HDR alignof(max_align_t)	/* keeps the payload aligned */

static size_t *
head_of(void *p)
{
	return (size_t *)(void *)((char *)p - HDR);
}

void *
hk_oauth2_wmalloc(size_t n)
{
	char *p;

	if (n > SIZE_MAX - HDR)
		return NULL;
	p = malloc(HDR + n);
	if (p == NULL)
		return NULL;
	*(size_t *)(void *)p = n;
	return p + HDR;
}

void *
hk_oauth2_wcalloc(size_t nmemb, size_t size)
{
	void *p;

	if (size != 0 && nmemb > SIZE_MAX / size)
		return NULL;
	if ((p = hk_oauth2_wmalloc(nmemb * size)) != NULL)
		memset(p, 0, nmemb * size);
	return p;
}

void
hk_oauth2_wfree(void *p)
{
	size_t *h;

	if (p == NULL)
		return;
	h = head_of(p);
	hk_wipe(h, HDR + *h);
	free(h);
}

/* Never realloc: it could move the block and leave the old copy. */
void *
hk_oauth2_wrealloc(void *p, size_t n)
{
	void *q;
	size_t old;

	if (p == NULL)
		return hk_oauth2_wmalloc(n);
	if ((q = hk_oauth2_wmalloc(n)) == NULL)
		return NULL;
	old = *head_of(p);
	memcpy(q, p, old < n ? old : n);
	hk_oauth2_wfree(p);
	return q;
}

char *
hk_oauth2_wstrdup(const char *s)
{
	size_t n = strlen(s) + 1;
	char *p = hk_oauth2_wmalloc(n);

	if (p != NULL)
		memcpy(p, s, n);
	return p;
}

void
hk_oauth2_init(void)
{
	static int done;

	if (done)
		return;
	json_set_alloc_funcs(hk_oauth2_wmalloc, hk_oauth2_wfree);
	if (curl_global_init_mem(CURL_GLOBAL_DEFAULT, hk_oauth2_wmalloc,
	    hk_oauth2_wfree, hk_oauth2_wrealloc, hk_oauth2_wstrdup,
	    hk_oauth2_wcalloc) != CURLE_OK)
		hk_fatal("oauth2: libcurl could not be initialised");
	done = 1;
}
