/* oauth2-form.c - percent-encoding for the authorization URL and the
 * x-www-form-urlencoded bodies of token requests. */
#include "config.h"

#include <string.h>
#include <strings.h>

#include "oauth2-private.h"

static bool
unreserved(unsigned char ch)
{
	return (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
	    (ch >= '0' && ch <= '9') || ch == '-' || ch == '.' || ch == '_' ||
	    ch == '~';
}

void
hk_oauth2_pct_encode(struct hk_buf *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	const unsigned char *p;

	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		if (unreserved(*p)) {
			hk_buf_putc(b, (char)*p);
		} else {
			hk_buf_putc(b, '%');
			hk_buf_putc(b, hex[*p >> 4]);
			hk_buf_putc(b, hex[*p & 0xf]);
		}
	}
}

void
hk_oauth2_form_add(struct hk_buf *b, const char *name, const char *value)
{
	if (value == NULL || *value == '\0')
		return;
	if (b->len > 0)
		hk_buf_putc(b, '&');
	hk_oauth2_pct_encode(b, name);
	hk_buf_putc(b, '=');
	hk_oauth2_pct_encode(b, value);
}

void
hk_oauth2_form_client(struct hk_buf *b, const struct hk_oauth2_client *c)
{
	hk_oauth2_form_add(b, "client_id", c->client_id);
	if (c->client_auth == HK_OAUTH2_AUTH_POST)
		hk_oauth2_form_add(b, "client_secret", c->client_secret);
}

bool
hk_oauth2_is_https(const char *url)
{
	return url != NULL && strncasecmp(url, "https://", 8) == 0 &&
	    url[8] != '\0';
}
