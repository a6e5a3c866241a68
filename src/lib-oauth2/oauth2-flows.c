/* oauth2-flows.c - the token requests (RFC 6749 4.1.3, 4.4, 6) and
 * revocation (RFC 7009): each builds its form, posts it to its endpoint
 * and reads the answer. */
#include "config.h"

#include <string.h>
#include <time.h>

#include "oauth2-private.h"

static bool
set(const char *s)
{
	return s != NULL && *s != '\0';
}

enum hk_oauth2_status
hk_oauth2_check_client(const struct hk_oauth2_client *c, const char *url,
    const char *what, struct hk_oauth2_error *err)
{
	memset(err, 0, sizeof(*err));
	if (!set(url)) {
		hk_oauth2_err_set(err, 0, NULL, "no %s endpoint is configured",
		    what);
		return HK_OAUTH2_CONFIG;
	}
	if (!set(c->client_id)) {
		hk_oauth2_err_set(err, 0, NULL, "no client id is configured");
		return HK_OAUTH2_CONFIG;
	}
	return HK_OAUTH2_OK;
}

/* "Pending" belongs to the device flow; anywhere else it is a refusal. */
static enum hk_oauth2_status
not_pending(enum hk_oauth2_status st)
{
	return st == HK_OAUTH2_PENDING ? HK_OAUTH2_REFUSED : st;
}

enum hk_oauth2_status
hk_oauth2_token_request(const struct hk_oauth2_client *c, const char *url,
    struct hk_buf *form, struct hk_oauth2_token_response *t,
    struct hk_oauth2_error *err)
{
	struct hk_buf body = HK_BUF_INIT;
	time_t now = time(NULL);	/* the lifetime counts from here */
	enum hk_oauth2_status st;
	long status;

	hk_oauth2_token_response_free(t);
	hk_oauth2_form_client(form, c);
	st = hk_oauth2_post(c, url, form, &status, &body, err);
	if (st == HK_OAUTH2_OK)
		st = hk_oauth2_parse_tokens(status, hk_buf_str(&body), body.len,
		    now, t, err);
	hk_buf_wipe_free(&body);
	hk_buf_wipe_free(form);
	return st;
}

enum hk_oauth2_status
hk_oauth2_exchange_code(const struct hk_oauth2_client *c, const char *code,
    const char *code_verifier, const char *redirect_uri,
    struct hk_oauth2_token_response *t, struct hk_oauth2_error *err)
{
	struct hk_buf form;
	enum hk_oauth2_status st;

	if ((st = hk_oauth2_check_client(c, c->token_url, "token", err)) !=
	    HK_OAUTH2_OK)
		return st;
	if (!set(code) || !set(code_verifier) || !set(redirect_uri)) {
		hk_oauth2_err_set(err, 0, NULL, "the code, its verifier and "
		    "the redirect URI are all needed");
		return HK_OAUTH2_CONFIG;
	}
	hk_buf_init(&form, 0, HK_BUF_SECRET);
	hk_oauth2_form_add(&form, "grant_type", "authorization_code");
	hk_oauth2_form_add(&form, "code", code);
	hk_oauth2_form_add(&form, "redirect_uri", redirect_uri);
	hk_oauth2_form_add(&form, "code_verifier", code_verifier);
	return not_pending(hk_oauth2_token_request(c, c->token_url, &form, t,
	    err));
}

enum hk_oauth2_status
hk_oauth2_refresh(const struct hk_oauth2_client *c, const char *refresh_token,
    const char *scope, struct hk_oauth2_token_response *t,
    struct hk_oauth2_error *err)
{
	struct hk_buf form;
	enum hk_oauth2_status st;

	if ((st = hk_oauth2_check_client(c, c->token_url, "token", err)) !=
	    HK_OAUTH2_OK)
		return st;
	if (!set(refresh_token) || !set(scope)) {
		hk_oauth2_err_set(err, 0, NULL, "a refresh needs the refresh "
		    "token and the scope");
		return HK_OAUTH2_CONFIG;
	}
	hk_buf_init(&form, 0, HK_BUF_SECRET);
	hk_oauth2_form_add(&form, "grant_type", "refresh_token");
	hk_oauth2_form_add(&form, "refresh_token", refresh_token);
	hk_oauth2_form_add(&form, "scope", scope);
	return not_pending(hk_oauth2_token_request(c, c->token_url, &form, t,
	    err));
}

enum hk_oauth2_status
hk_oauth2_client_credentials(const struct hk_oauth2_client *c,
    const char *scope, struct hk_oauth2_token_response *t,
    struct hk_oauth2_error *err)
{
	struct hk_buf form;
	enum hk_oauth2_status st;

	if ((st = hk_oauth2_check_client(c, c->token_url, "token", err)) !=
	    HK_OAUTH2_OK)
		return st;
	if (!set(c->client_secret)) {
		hk_oauth2_err_set(err, 0, NULL, "client_credentials needs a "
		    "client secret");
		return HK_OAUTH2_CONFIG;
	}
	hk_buf_init(&form, 0, HK_BUF_SECRET);
	hk_oauth2_form_add(&form, "grant_type", "client_credentials");
	hk_oauth2_form_add(&form, "scope", scope);
	return not_pending(hk_oauth2_token_request(c, c->token_url, &form, t,
	    err));
}

enum hk_oauth2_status
hk_oauth2_revoke(const struct hk_oauth2_client *c, const char *token,
    const char *token_type_hint, struct hk_oauth2_error *err)
{
	struct hk_buf form, body = HK_BUF_INIT;
	enum hk_oauth2_status st;
	long status;

	if ((st = hk_oauth2_check_client(c, c->revoke_url, "revocation",
	    err)) !=
	    HK_OAUTH2_OK)
		return st;
	if (!set(token)) {
		hk_oauth2_err_set(err, 0, NULL, "no token to revoke");
		return HK_OAUTH2_CONFIG;
	}
	hk_buf_init(&form, 0, HK_BUF_SECRET);
	hk_oauth2_form_add(&form, "token", token);
	hk_oauth2_form_add(&form, "token_type_hint", token_type_hint);
	hk_oauth2_form_client(&form, c);
	st = hk_oauth2_post(c, c->revoke_url, &form, &status, &body, err);
	if (st == HK_OAUTH2_OK)
		st = hk_oauth2_parse_empty(status, hk_buf_str(&body), body.len,
		    err);
	hk_buf_wipe_free(&body);
	hk_buf_wipe_free(&form);
	return st;
}
