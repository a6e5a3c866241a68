/* ui_oauth2_flow.c - connecting a mail account to its OAuth 2.0 provider
 * in the browser (docs/REFERENCE.md, "OAuth 2.0 connection"; the
 * authorization code flow of RFC 6749 with PKCE S256, RFC 7636).
 *
 *   POST /mail-accounts/{id}/oauth2/connect     303 to the provider
 *   GET  /oauth2/callback?code=&state=          the provider sends the
 *                                               browser back here
 *   POST /mail-accounts/{id}/oauth2/disconnect  revoke, forget, 303
 *
 * Failures never redirect: the account's edit screen is answered in
 * place with the error beside the connection state (so no provider text
 * ever travels in a URL); a state that is unknown, spent, expired or of
 * another session names no account we may show, so it gets the error
 * page.  The tokens are stored by ui_oauth2.c (this file talks to the
 * provider, that one to the token store).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "accounts.h"
#include "app.h"
#include "buf.h"
#include "log.h"
#include "mem.h"
#include "oauth2.h"
#include "oauth2_call.h"
#include "oauth2_state.h"
#include "server_store.h"
#include "ui.h"

/* How much of a provider's error_description from the callback URL is
 * shown (the token endpoint's answers are capped by lib-oauth2). */
#define DESCRIPTION_MAX 300

/* The redirect URI: public_url + "oauth2/callback"; NULL when public_url
 * is not set.  Caller frees. */
static char *
redirect_uri(struct hk_ctx *ctx)
{
	if (ctx->app->cfg.public_url == NULL)
		return NULL;
	return hk_aprintf("%soauth2/callback", ctx->app->cfg.public_url);
}

/* The client of server s; every pointer borrowed from s and the config. */
static void
client_of(struct hk_ctx *ctx, const struct hk_server *s,
    struct hk_oauth2_client *c)
{
	memset(c, 0, sizeof(*c));
	c->auth_url = s->oauth2_auth_url;
	c->token_url = s->oauth2_token_url;
	c->revoke_url = hk_oauth2_preset(s->oauth2_provider)->revoke_url;
	c->client_id = s->oauth2_client_id;
	c->client_secret = s->oauth2_client_secret;
	c->ca_file = ctx->app->cfg.ca_file;
}

/* Loads account id and its server (with the client secret when
 * with_secret).  On failure the answer is set and false returned. */
static bool
load_pair(struct hk_ctx *ctx, long long id, bool with_secret,
    struct hk_account *a, struct hk_server *s)
{
	enum hk_store_rc rc = hk_account_load(ctx->app->db, NULL, id, false, a);

	if (rc == HK_STORE_OK)
		rc = hk_server_load(ctx->app->db, ctx->app->key, a->server_id,
		    with_secret, s);
	if (rc == HK_STORE_OK)
		return true;
	hk_account_clear(a);
	hk_fail(ctx, rc == HK_STORE_NOT_FOUND ? 404 :
	    rc == HK_STORE_BUSY ? 503 : 500, rc == HK_STORE_NOT_FOUND ?
	    "not-found" : rc == HK_STORE_BUSY ? "unavailable" : "internal");
	return false;
}

/* Why a server cannot be connected to from the browser, as a message
 * key; NULL when it can. */
static const char *
cannot_connect(const struct hk_server *s)
{
	if (s->oauth2_provider == HK_OAUTH2_NONE)
		return "oauth2.error.not-used";
	if (s->oauth2_grant == HK_OAUTH2_GRANT_CLIENT)
		return "oauth2.error.app-only";
	return NULL;
}

void
ui_oauth2_connect(struct hk_ctx *ctx)
{
	struct hk_account a = { 0 };
	struct hk_server s = { 0 };
	struct hk_oauth2_client c;
	struct hk_oauth2_pkce pkce;
	char state[HK_OAUTH2_STATE_LEN + 1];
	enum hk_oauth2_state_rc rc;
	char *redirect = NULL, *url = NULL;
	const char *why;

	if (!load_pair(ctx, ctx->id, false, &a, &s))
		return;
	if ((why = cannot_connect(&s)) != NULL) {
		ui_account_edit_error(ctx, a.id, 409, why, NULL, 0);
		goto out;
	}
	if ((redirect = redirect_uri(ctx)) == NULL) {
		ui_account_edit_error(ctx, a.id, 409, "oauth2.error.no-public-url",
		    NULL, 0);
		goto out;
	}
	client_of(ctx, &s, &c);
	hk_oauth2_pkce_new(&pkce);
	rc = hk_oauth2_state_create(ctx->app->db, ctx->app->key,
	    ctx->session.id_hash, a.id, pkce.verifier, (long long)time(NULL),
	    state);
	if (rc == HK_OAUTH2_STATE_OK)
		url = hk_oauth2_auth_url(&c, redirect,
		    hk_oauth2_call_scope(&s), state, pkce.challenge,
		    a.username);
	hk_wipe(&pkce, sizeof(pkce));
	if (rc != HK_OAUTH2_STATE_OK) {
		hk_fail(ctx, rc == HK_OAUTH2_STATE_UNKNOWN ? 404 :
		    rc == HK_OAUTH2_STATE_BUSY ? 503 : 500,
		    rc == HK_OAUTH2_STATE_UNKNOWN ? "not-found" :
		    rc == HK_OAUTH2_STATE_BUSY ? "unavailable" : "internal");
		goto out;
	}
	if (url == NULL) {
		/* No client id or no https:// authorization endpoint: the
		 * server form refuses both, but a database edit may not. */
		ui_account_edit_error(ctx, a.id, 409, "oauth2.error.server-setup",
		    NULL, 0);
		goto out;
	}
	ctx->res->status = 303;
	hk_response_header(ctx->res, "Location", "%s", url);
out:
	free(url);
	free(redirect);
	hk_account_clear(&a);
	hk_server_clear(&s);
}

/* --- the callback ---------------------------------------------------- */

/* Appends "&name=value" (percent-encoded, RFC 3986 unreserved kept) when
 * the query has name. */
static void
add_param(struct hk_ctx *ctx, struct hk_buf *b, const char *name)
{
	static const char hex[] = "0123456789ABCDEF";
	const char *v = hk_params_get(&ctx->query, name);

	if (v == NULL)
		return;
	hk_buf_printf(b, "%s=", name);
	for (const unsigned char *p = (const unsigned char *)v; *p; p++) {
		if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
		    (*p >= '0' && *p <= '9') || strchr("-._~", *p) != NULL)
			hk_buf_putc(b, (char)*p);
		else
			hk_buf_printf(b, "%%%c%c", hex[*p >> 4], hex[*p & 15]);
	}
	hk_buf_puts(b, "&");
}

/* The session cookie is SameSite=Strict, so the browser leaves it out
 * when the provider sends it back here (a cross-site navigation).  Answer
 * a page of our own that reloads the callback: that navigation starts on
 * this site, so it carries the cookie.  Once only ("resumed"): signed out
 * for real, the second visit is sent to sign in. */
static void
resume(struct hk_ctx *ctx)
{
	struct hk_buf b;
	xmlNodePtr root;

	if (hk_params_get(&ctx->query, "resumed") != NULL) {
		hk_redirect(ctx, "login");
		return;
	}
	hk_buf_init(&b, 0, HK_BUF_SECRET);	/* it holds the code */
	hk_buf_printf(&b, "%soauth2/callback?", ctx->app->cfg.base_path);
	add_param(ctx, &b, "code");
	add_param(ctx, &b, "state");
	add_param(ctx, &b, "error");
	add_param(ctx, &b, "error_description");
	hk_buf_puts(&b, "resumed=1");
	root = hk_page_new(ctx, "oauth2-resume");
	hk_xml_text(root, "continue", hk_buf_str(&b));
	hk_buf_wipe_free(&b);
}

/* The state failures, as the error page's problem codes. */
static void
state_fail(struct hk_ctx *ctx, enum hk_oauth2_state_rc rc)
{
	switch (rc) {
	case HK_OAUTH2_STATE_EXPIRED:
		hk_fail(ctx, 400, "oauth2-state-expired");
		break;
	case HK_OAUTH2_STATE_WRONG_SESSION:
		hk_fail(ctx, 400, "oauth2-state-session");
		break;
	case HK_OAUTH2_STATE_BUSY:
		hk_fail(ctx, 503, "unavailable");
		break;
	case HK_OAUTH2_STATE_ERROR:
		hk_fail(ctx, 500, "internal");
		break;
	default:		/* unknown, already used, or none sent */
		hk_fail(ctx, 400, "oauth2-state-unknown");
		break;
	}
}

/* A copy of text fit to show: at most max bytes (cut at a UTF-8
 * boundary), control characters as spaces.  Caller frees. */
static char *
shown(const char *text, size_t max)
{
	size_t n = strlen(text);
	char *s;

	if (n > max) {
		n = max;
		while (n > 0 && ((unsigned char)text[n] & 0xc0) == 0x80)
			n--;
	}
	s = hk_strndup(text, n);
	for (char *p = s; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = ' ';
	return s;
}

/* The provider's error on the callback (RFC 6749 4.1.2.1) beside the
 * account; nothing is stored. */
static void
provider_error(struct hk_ctx *ctx, long long account_id, const char *error)
{
	const char *d = hk_params_get(&ctx->query, "error_description");
	char *e = shown(error, 64), *desc = shown(d != NULL ? d : "",
	    DESCRIPTION_MAX), *said = hk_aprintf("%s%s", *desc != '\0' ?
	    ": " : "", desc);
	/* {1} the error code, {2} ": description" or nothing */
	const char *args[2] = { e, said };

	hk_info("%s: the provider refused connecting mail account %lld: %s",
	    ctx->session.admin_name, account_id, e);
	ui_account_edit_error(ctx, account_id, 400,
	    strcmp(e, "access_denied") == 0 ? "oauth2.error.access-denied" :
	    "oauth2.error.provider", args, 2);
	free(e);
	free(desc);
	free(said);
}

/* A failed token request beside the account, by class. */
static void
exchange_error(struct hk_ctx *ctx, long long account_id,
    enum hk_oauth2_status st, const struct hk_oauth2_error *err)
{
	char what[600], http[16];
	const char *args[2] = { what, http };
	const char *key;
	int status;

	if (err->error[0] != '\0' && err->description[0] != '\0')
		snprintf(what, sizeof(what), "%s: %s", err->error,
		    err->description);
	else
		snprintf(what, sizeof(what), "%s", err->error[0] != '\0' ?
		    err->error : err->description);
	snprintf(http, sizeof(http), "%ld", err->http_status);
	switch (st) {
	case HK_OAUTH2_CONN:
		key = "oauth2.error.token-conn";
		status = 502;
		break;
	case HK_OAUTH2_PROTO:
		key = "oauth2.error.token-proto";
		status = 502;
		break;
	case HK_OAUTH2_CONFIG:
		key = "oauth2.error.server-setup";
		status = 409;
		break;
	default:		/* GRANT, REFUSED */
		/* An error object with a 5xx: the provider failed, not us. */
		key = err->http_status >= 500 ? "oauth2.error.token-server" :
		    "oauth2.error.token-refused";
		status = err->http_status >= 500 ? 502 : 400;
		break;
	}
	hk_warn("%s: connecting mail account %lld failed: %s: %s",
	    ctx->session.admin_name, account_id, hk_oauth2_status_name(st),
	    what);
	ui_account_edit_error(ctx, account_id, status, key, args, 2);
}

/* Exchanges code for account_id's tokens and stores them. */
static void
exchange(struct hk_ctx *ctx, long long account_id, const char *code,
    const char *verifier)
{
	struct hk_account a = { 0 };
	struct hk_server s = { 0 };
	struct hk_oauth2_client c;
	struct hk_oauth2_token_response t = HK_OAUTH2_TOKEN_RESPONSE_INIT;
	struct hk_oauth2_error err;
	enum hk_oauth2_status st;
	char *redirect = redirect_uri(ctx), *route;
	const char *why;

	if (!load_pair(ctx, account_id, true, &a, &s))
		goto out;
	/* The server may have changed since the connect. */
	if ((why = cannot_connect(&s)) != NULL || redirect == NULL) {
		ui_account_edit_error(ctx, a.id, 409, why != NULL ? why :
		    "oauth2.error.no-public-url", NULL, 0);
		goto out;
	}
	client_of(ctx, &s, &c);
	memset(&err, 0, sizeof(err));
	st = hk_oauth2_exchange_code(&c, code, verifier, redirect, &t, &err);
	if (st != HK_OAUTH2_OK) {
		exchange_error(ctx, a.id, st, &err);
		goto out;
	}
	if (!ui_oauth2_store(ctx, &a, hk_buf_str(&t.access_token),
	    (long long)t.expires_at, t.scope != NULL ? t.scope :
	    hk_oauth2_call_scope(&s), t.refresh_token.len > 0 ?
	    hk_buf_str(&t.refresh_token) : NULL)) {
		hk_fail(ctx, 503, "unavailable");
		goto out;
	}
	hk_info("%s connected mail account %lld to OAuth 2.0",
	    ctx->session.admin_name, a.id);
	route = hk_aprintf("mail-accounts/%lld/edit", a.id);
	hk_redirect(ctx, route);
	free(route);
out:
	hk_oauth2_token_response_free(&t);
	free(redirect);
	hk_account_clear(&a);
	hk_server_clear(&s);
}

void
ui_oauth2_callback(struct hk_ctx *ctx)
{
	const char *state = hk_params_get(&ctx->query, "state");
	const char *code = hk_params_get(&ctx->query, "code");
	const char *error = hk_params_get(&ctx->query, "error");
	enum hk_oauth2_state_rc rc;
	long long account_id = 0;
	char *verifier = NULL;

	if (!ctx->signed_in) {
		resume(ctx);
		return;
	}
	if (state == NULL || *state == '\0') {
		state_fail(ctx, HK_OAUTH2_STATE_UNKNOWN);
		return;
	}
	/* Spent whatever follows: a replay finds nothing. */
	rc = hk_oauth2_state_consume(ctx->app->db, ctx->app->key, state,
	    ctx->session.id_hash, (long long)time(NULL), &account_id,
	    &verifier);
	if (rc != HK_OAUTH2_STATE_OK) {
		hk_info("%s: OAuth 2.0 callback refused: state %s",
		    ctx->session.admin_name,
		    rc == HK_OAUTH2_STATE_EXPIRED ? "expired" :
		    rc == HK_OAUTH2_STATE_WRONG_SESSION ? "of another session" :
		    "unknown or used");
		state_fail(ctx, rc);
		return;
	}
	if (error != NULL)
		provider_error(ctx, account_id, error);
	else if (code == NULL || *code == '\0')
		ui_account_edit_error(ctx, account_id, 400,
		    "oauth2.error.no-code", NULL, 0);
	else
		exchange(ctx, account_id, code, verifier);
	hk_free_secret(verifier);
}

/* --- disconnect ------------------------------------------------------ */

void
ui_oauth2_disconnect(struct hk_ctx *ctx)
{
	struct hk_account a = { 0 };
	struct hk_server s = { 0 };
	struct hk_oauth2_client c;
	struct hk_oauth2_error err;
	char *refresh, *route;

	if (!load_pair(ctx, ctx->id, true, &a, &s))
		return;
	/* Best effort: the tokens are forgotten whatever the provider says. */
	client_of(ctx, &s, &c);
	refresh = c.revoke_url != NULL ? ui_oauth2_refresh_token(ctx, a.id) :
	    NULL;
	if (refresh != NULL) {
		enum hk_oauth2_status st;

		memset(&err, 0, sizeof(err));
		st = hk_oauth2_revoke(&c, refresh, "refresh_token", &err);
		if (st != HK_OAUTH2_OK)
			hk_warn("revoking the tokens of mail account %lld: %s: "
			    "%s", a.id, hk_oauth2_status_name(st),
			    err.description);
		hk_free_secret(refresh);
	}
	if (!ui_oauth2_forget(ctx, &a)) {
		hk_fail(ctx, 503, "unavailable");
		goto out;
	}
	hk_info("%s disconnected mail account %lld from OAuth 2.0",
	    ctx->session.admin_name, a.id);
	route = hk_aprintf("mail-accounts/%lld/edit", a.id);
	hk_redirect(ctx, route);
	free(route);
out:
	hk_account_clear(&a);
	hk_server_clear(&s);
}
