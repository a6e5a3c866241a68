/* oauth2-result.c - the result types: freeing tokens and device codes
 * (wiped), filling an error for display, and the classes' names. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"
#include "oauth2-private.h"

void
hk_oauth2_token_response_free(struct hk_oauth2_token_response *t)
{
	if (t == NULL)
		return;
	hk_buf_wipe_free(&t->access_token);
	hk_buf_wipe_free(&t->refresh_token);
	free(t->scope);
	t->scope = NULL;
	t->expires_at = 0;
}

void
hk_oauth2_device_free(struct hk_oauth2_device *d)
{
	if (d == NULL)
		return;
	hk_buf_wipe_free(&d->device_code);
	free(d->user_code);
	free(d->verification_uri);
	free(d->verification_uri_complete);
	d->user_code = d->verification_uri = d->verification_uri_complete = NULL;
	d->interval = 5;
	d->expires_at = 0;
}

void
hk_oauth2_sanitize(char *dst, size_t cap, const char *src)
{
	size_t i;

	if (cap == 0)
		return;
	for (i = 0; src != NULL && src[i] != '\0' && i + 1 < cap; i++)
		dst[i] = src[i] >= 0x20 && src[i] <= 0x7e ? src[i] : '?';
	dst[i] = '\0';
}

void
hk_oauth2_err_set(struct hk_oauth2_error *err, long http_status,
    const char *error, const char *fmt, ...)
{
	char text[sizeof(err->description)];
	va_list ap;

	va_start(ap, fmt);
	if (vsnprintf(text, sizeof(text), fmt, ap) < 0)
		text[0] = '\0';
	va_end(ap);
	err->http_status = http_status;
	hk_oauth2_sanitize(err->error, sizeof(err->error), error);
	hk_oauth2_sanitize(err->description, sizeof(err->description), text);
}

const char *
hk_oauth2_status_name(enum hk_oauth2_status st)
{
	switch (st) {
	case HK_OAUTH2_OK:	return "ok";
	case HK_OAUTH2_GRANT:	return "grant no longer valid";
	case HK_OAUTH2_REFUSED:	return "refused by the provider";
	case HK_OAUTH2_CONN:	return "no connection";
	case HK_OAUTH2_PROTO:	return "not an OAuth 2.0 answer";
	case HK_OAUTH2_CONFIG:	return "not configured";
	case HK_OAUTH2_PENDING:	return "authorization pending";
	}
	return "unknown";
}
