/* oauth2_call.c - the provider requests of oauth2_call.h: a server's
 * fields as a lib-oauth2 client, its answers as plain strings. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"
#include "oauth2.h"
#include "oauth2_call.h"

void
hk_oauth2_answer_clear(struct hk_oauth2_answer *a)
{
	hk_free_secret(a->access);
	hk_free_secret(a->refresh);
	free(a->scope);
	memset(a, 0, sizeof(*a));
}

char *
hk_oauth2_answer_text(const struct hk_oauth2_answer *a)
{
	if (a->error[0] != '\0' && a->description[0] != '\0')
		return hk_aprintf("%s: %s", a->error, a->description);
	return hk_strdup(a->error[0] != '\0' ? a->error : a->description);
}

const char *
hk_oauth2_call_scope(const struct hk_server *s)
{
	if (s->oauth2_scope != NULL && *s->oauth2_scope != '\0')
		return s->oauth2_scope;
	return hk_oauth2_preset_scope(hk_oauth2_preset(s->oauth2_provider),
	    s->oauth2_grant);
}

/* The server as a client; every pointer borrowed from s. */
static void
client_of(const struct hk_server *s, const char *ca_file,
    struct hk_oauth2_client *c)
{
	memset(c, 0, sizeof(*c));
	c->auth_url = s->oauth2_auth_url;
	c->token_url = s->oauth2_token_url;
	c->device_url = s->oauth2_device_url;
	c->client_id = s->oauth2_client_id;
	c->client_secret = s->oauth2_client_secret;
	c->client_auth = HK_OAUTH2_AUTH_POST;
	c->ca_file = ca_file;
}

static bool
transient(const char *error)
{
	return strcmp(error, "server_error") == 0 ||
	    strcmp(error, "temporarily_unavailable") == 0;
}

/* Moves lib-oauth2's result into a. */
static void
take(struct hk_oauth2_answer *a, enum hk_oauth2_status st,
    struct hk_oauth2_token_response *t, const struct hk_oauth2_error *err)
{
	memset(a, 0, sizeof(*a));
	switch (st) {
	case HK_OAUTH2_OK:
		a->cls = HK_OAUTH2_CALL_OK;
		a->access = hk_buf_steal(&t->access_token);
		if (t->refresh_token.len > 0)
			a->refresh = hk_buf_steal(&t->refresh_token);
		a->scope = t->scope != NULL ? hk_strdup(t->scope) : NULL;
		a->expires = (long long)t->expires_at;
		break;
	case HK_OAUTH2_GRANT:
		a->cls = HK_OAUTH2_CALL_GRANT;
		break;
	case HK_OAUTH2_REFUSED:
	case HK_OAUTH2_PENDING:
		/* A provider that says it is down refused nothing: like no
		 * answer, try again later (RFC 6749 4.1.2.1's two codes). */
		a->cls = transient(err->error) ? HK_OAUTH2_CALL_UNREACHABLE :
		    HK_OAUTH2_CALL_REFUSED;
		break;
	case HK_OAUTH2_CONFIG:
		a->cls = HK_OAUTH2_CALL_CONFIG;
		break;
	default:
		a->cls = HK_OAUTH2_CALL_UNREACHABLE;
		break;
	}
	if (st != HK_OAUTH2_OK) {
		snprintf(a->error, sizeof(a->error), "%s", err->error);
		snprintf(a->description, sizeof(a->description), "%s",
		    err->description);
	}
	hk_oauth2_token_response_free(t);
}

void
hk_oauth2_call_refresh(const struct hk_server *s, const char *ca_file,
    const char *refresh_token, struct hk_oauth2_answer *a)
{
	struct hk_oauth2_client c;
	struct hk_oauth2_token_response t = HK_OAUTH2_TOKEN_RESPONSE_INIT;
	struct hk_oauth2_error err;
	enum hk_oauth2_status st;

	memset(&err, 0, sizeof(err));
	client_of(s, ca_file, &c);
	st = hk_oauth2_refresh(&c, refresh_token, hk_oauth2_call_scope(s), &t,
	    &err);
	take(a, st, &t, &err);
}

void
hk_oauth2_call_client_credentials(const struct hk_server *s,
    const char *ca_file, struct hk_oauth2_answer *a)
{
	struct hk_oauth2_client c;
	struct hk_oauth2_token_response t = HK_OAUTH2_TOKEN_RESPONSE_INIT;
	struct hk_oauth2_error err;
	enum hk_oauth2_status st;

	memset(&err, 0, sizeof(err));
	client_of(s, ca_file, &c);
	st = hk_oauth2_client_credentials(&c, hk_oauth2_call_scope(s), &t, &err);
	take(a, st, &t, &err);
}

void
hk_oauth2_call_exchange(const struct hk_server *s, const char *ca_file,
    const char *code, const char *verifier, const char *redirect_uri,
    struct hk_oauth2_answer *a)
{
	struct hk_oauth2_client c;
	struct hk_oauth2_token_response t = HK_OAUTH2_TOKEN_RESPONSE_INIT;
	struct hk_oauth2_error err;
	enum hk_oauth2_status st;

	memset(&err, 0, sizeof(err));
	client_of(s, ca_file, &c);
	st = hk_oauth2_exchange_code(&c, code, verifier, redirect_uri, &t, &err);
	take(a, st, &t, &err);
}

char *
hk_oauth2_call_auth_url(const struct hk_server *s, const char *redirect_uri,
    const char *login_hint, char state[44], char verifier[129])
{
	struct hk_oauth2_client c;
	struct hk_oauth2_pkce p;
	char *url;

	client_of(s, NULL, &c);
	hk_oauth2_pkce_new(&p);
	hk_oauth2_state_new(state);
	url = hk_oauth2_auth_url(&c, redirect_uri, hk_oauth2_call_scope(s),
	    state, p.challenge, login_hint);
	memcpy(verifier, p.verifier, sizeof(p.verifier));
	hk_wipe(&p, sizeof(p));
	return url;
}

void
hk_oauth2_call_device(const struct hk_server *s, const char *ca_file,
    void (*show)(void *arg, const char *uri, const char *uri_complete,
    const char *user_code, long long expires_at), void *arg,
    struct hk_oauth2_answer *a)
{
	struct hk_oauth2_client c;
	struct hk_oauth2_device d = HK_OAUTH2_DEVICE_INIT;
	struct hk_oauth2_token_response t = HK_OAUTH2_TOKEN_RESPONSE_INIT;
	struct hk_oauth2_error err;
	enum hk_oauth2_status st;

	memset(&err, 0, sizeof(err));
	client_of(s, ca_file, &c);
	st = hk_oauth2_device_start(&c, hk_oauth2_call_scope(s), &d, &err);
	if (st == HK_OAUTH2_OK) {
		show(arg, d.verification_uri, d.verification_uri_complete,
		    d.user_code, (long long)d.expires_at);
		st = hk_oauth2_device_wait(&c, &d, &t, &err);
	}
	take(a, st, &t, &err);
	hk_oauth2_device_free(&d);
}
