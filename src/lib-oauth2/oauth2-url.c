/* oauth2-url.c - the authorization URL the browser is sent to (RFC 6749
 * 4.1.1 with the PKCE parameters of RFC 7636 4.3). */
#include "config.h"

#include <string.h>

#include "oauth2-private.h"

char *
hk_oauth2_auth_url(const struct hk_oauth2_client *c,
    const char *redirect_uri, const char *scope, const char *state,
    const char *code_challenge, const char *login_hint)
{
	struct hk_buf query = HK_BUF_INIT;
	struct hk_buf url = HK_BUF_INIT;
	const char *p;

	if (!hk_oauth2_is_https(c->auth_url) || c->client_id == NULL ||
	    *c->client_id == '\0' || redirect_uri == NULL ||
	    *redirect_uri == '\0' || state == NULL || *state == '\0' ||
	    code_challenge == NULL || *code_challenge == '\0')
		return NULL;
	hk_oauth2_form_add(&query, "response_type", "code");
	hk_oauth2_form_add(&query, "client_id", c->client_id);
	hk_oauth2_form_add(&query, "redirect_uri", redirect_uri);
	hk_oauth2_form_add(&query, "scope", scope);
	hk_oauth2_form_add(&query, "state", state);
	hk_oauth2_form_add(&query, "code_challenge", code_challenge);
	hk_oauth2_form_add(&query, "code_challenge_method", "S256");
	hk_oauth2_form_add(&query, "login_hint", login_hint);

	/* An endpoint may carry a query of its own (RFC 6749 3.1); a
	 * fragment it must not have, and is dropped. */
	p = strchr(c->auth_url, '#');
	hk_buf_append(&url, c->auth_url,
	    p != NULL ? (size_t)(p - c->auth_url) : strlen(c->auth_url));
	if (strchr(hk_buf_str(&url), '?') == NULL)
		hk_buf_putc(&url, '?');
	else if (url.data[url.len - 1] != '?' && url.data[url.len - 1] != '&')
		hk_buf_putc(&url, '&');
	hk_buf_append(&url, query.data, query.len);
	hk_buf_free(&query);
	return hk_buf_steal(&url);
}
