/* oauth2.h - the OAuth 2.0 client: what hikyaku asks an authorization
 * server (RFC 6749, PKCE per RFC 7636, device authorization per RFC 8628,
 * revocation per RFC 7009).
 *
 * Every request is one HTTPS POST (oauth2-http.c): TLS verification always
 * on (the system's CAs plus the client's ca_file), https:// only, no
 * redirect followed, bounded in time (connect and total timeouts) and the
 * answer capped at HK_OAUTH2_MAX_BODY bytes in wiped memory.  Tokens,
 * codes, verifiers and client secrets are never logged.
 *
 * Results fall into few classes, so that callers decide by class:
 *   HK_OAUTH2_OK       tokens (or a device code) in the result.
 *   HK_OAUTH2_GRANT    the provider answered invalid_grant: the refresh
 *                      token (or code) is spent, revoked or expired; the
 *                      account must be connected again.
 *   HK_OAUTH2_REFUSED  any other error answer of the provider
 *                      (invalid_client, invalid_scope, access_denied,
 *                      expired_token, ...): err->error and
 *                      err->description hold what it said.
 *   HK_OAUTH2_CONN     no answer: DNS, connect, TLS (an untrusted
 *                      certificate included), timeout.
 *   HK_OAUTH2_PROTO    an answer that is no OAuth answer: not JSON, a 5xx
 *                      or a redirect without an error object, no
 *                      access_token, larger than the cap.
 *   HK_OAUTH2_CONFIG   nothing was sent: the request is impossible as
 *                      configured (not https://, no scope for a refresh,
 *                      no client secret for client_credentials, no device
 *                      or revocation endpoint).
 *   HK_OAUTH2_PENDING  device flow only: the user has not finished yet
 *                      (authorization_pending, slow_down); poll again.
 * On every class but OK, *err says why in plain, printable ASCII.
 *
 * Not thread-safe on first use: hk_oauth2_init sets libcurl's and
 * jansson's allocators process-wide (to memory wiped on free); call it
 * once at start-up, before threads.  The flows call it when it was not.
 */
#ifndef HK_OAUTH2_H
#define HK_OAUTH2_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "buf.h"

/* The largest answer read from an endpoint, in bytes. */
#define HK_OAUTH2_MAX_BODY (64 * 1024)
/* Default timeouts of one request, in milliseconds. */
#define HK_OAUTH2_CONNECT_TIMEOUT_MS 10000
#define HK_OAUTH2_TIMEOUT_MS 30000

/* Sets, for the whole process, the time one request to a provider may
 * take when its client does not say (hikyaku.conf's oauth2_timeout): at
 * start-up, before any request.  The connect timeout is the smaller of
 * this and HK_OAUTH2_CONNECT_TIMEOUT_MS.  0 restores the defaults. */
void hk_oauth2_set_timeout(long total_ms);

enum hk_oauth2_status {
	HK_OAUTH2_OK = 0,
	HK_OAUTH2_GRANT,
	HK_OAUTH2_REFUSED,
	HK_OAUTH2_CONN,
	HK_OAUTH2_PROTO,
	HK_OAUTH2_CONFIG,
	HK_OAUTH2_PENDING,
};

/* How a confidential client proves itself (RFC 6749 2.3.1).  A client
 * without a secret (a public client) sends client_id in the body either
 * way and relies on PKCE. */
enum hk_oauth2_client_auth {
	HK_OAUTH2_AUTH_POST = 0,	/* client_id and client_secret in the body
					 * (client_secret_post): the default, what
					 * Microsoft and Google document */
	HK_OAUTH2_AUTH_BASIC,		/* HTTP Basic with the form-encoded id and
					 * secret (client_secret_basic) */
};

/* One application registered at one provider.  Every pointer is borrowed
 * (the caller keeps it valid during each call); NULL or "" means absent. */
struct hk_oauth2_client {
	const char *auth_url;		/* authorization endpoint (browser) */
	const char *token_url;		/* token endpoint */
	const char *device_url;		/* device authorization endpoint */
	const char *revoke_url;		/* revocation endpoint */
	const char *client_id;
	const char *client_secret;	/* absent: a public client */
	enum hk_oauth2_client_auth client_auth;
	const char *ca_file;		/* extra trusted CAs, PEM (hikyaku.conf) */
	long connect_timeout_ms;	/* 0: the process's (above) */
	long timeout_ms;		/* whole request; 0: the process's */
};

/* Why a request failed: printable ASCII only (anything else becomes '?'),
 * cut to the array sizes; fixed arrays, nothing to free. */
struct hk_oauth2_error {
	char error[64];		/* the provider's error code ("invalid_grant"),
				 * "" when the provider said nothing */
	char description[512];	/* its error_description, or hikyaku's own
				 * explanation (CONN, PROTO, CONFIG) */
	long http_status;	/* 0 when no answer came */
};

/* A successful answer of the token endpoint (RFC 6749 5.1); not the
 * stored record (lib-store's struct hk_oauth2_tokens).  Owned by the
 * caller: zero it (or HK_OAUTH2_TOKEN_RESPONSE_INIT), and release with
 * hk_oauth2_token_response_free, which wipes the tokens.  Both tokens
 * live in HK_BUF_SECRET buffers. */
struct hk_oauth2_token_response {
	struct hk_buf access_token;
	struct hk_buf refresh_token;	/* empty: none sent; after a refresh
					 * that means "not rotated, keep the
					 * one you have" */
	char *scope;		/* granted scope; NULL: as requested */
	time_t expires_at;	/* epoch seconds (request time + expires_in);
				 * 0: the provider gave no lifetime */
};
#define HK_OAUTH2_TOKEN_RESPONSE_INIT { HK_BUF_INIT, HK_BUF_INIT, NULL, 0 }
void hk_oauth2_token_response_free(struct hk_oauth2_token_response *t);

/* Sets the process-wide allocators (see above); idempotent. */
void hk_oauth2_init(void);

/* Text for a status ("invalid grant", ...) for logs; static. */
const char *hk_oauth2_status_name(enum hk_oauth2_status st);

/* --- The browser flow (oauth2-pkce.c, oauth2-url.c) ---------------- */

/* A PKCE pair: verifier (64 characters of base64url from 48 random
 * bytes) and its S256 challenge (43 characters).  Keep the verifier as
 * secretly as a code; wipe the struct when done (hk_wipe). */
struct hk_oauth2_pkce {
	char verifier[129];
	char challenge[44];
};
void hk_oauth2_pkce_new(struct hk_oauth2_pkce *p);
/* The S256 challenge of verifier into challenge (44 bytes): 0, or -1 when
 * the verifier is not 43..128 characters of [A-Za-z0-9-._~]. */
int hk_oauth2_pkce_challenge(const char *verifier, char challenge[44]);
/* A fresh state value: 43 characters of base64url (256 random bits). */
void hk_oauth2_state_new(char state[44]);

/* The authorization URL to send the browser to: auth_url plus
 * response_type=code, client_id, redirect_uri, scope, state,
 * code_challenge, code_challenge_method=S256 and login_hint (left out when
 * absent), each percent-encoded.  Returns a string the caller frees, or
 * NULL when auth_url is not https:// (or client_id, redirect_uri, state
 * or challenge is missing). */
char *hk_oauth2_auth_url(const struct hk_oauth2_client *c,
    const char *redirect_uri, const char *scope, const char *state,
    const char *code_challenge, const char *login_hint);

/* --- Token requests (oauth2-flows.c) ------------------------------- */

/* Each fills *t (freed by the caller with hk_oauth2_token_response_free,
 * also on failure) and returns OK, or another class with *err filled. */

/* authorization_code: the code from the callback, with the PKCE verifier
 * and the redirect_uri of the authorization request. */
enum hk_oauth2_status hk_oauth2_exchange_code(const struct hk_oauth2_client *c,
    const char *code, const char *code_verifier, const char *redirect_uri,
    struct hk_oauth2_token_response *t, struct hk_oauth2_error *err);

/* refresh_token: always sends the scope (Microsoft refuses a refresh
 * without it, AADSTS900144), so an empty scope is HK_OAUTH2_CONFIG.  An
 * empty t->refresh_token afterwards means the old one stays valid. */
enum hk_oauth2_status hk_oauth2_refresh(const struct hk_oauth2_client *c,
    const char *refresh_token, const char *scope,
    struct hk_oauth2_token_response *t, struct hk_oauth2_error *err);

/* client_credentials (app-only access): needs the client secret. */
enum hk_oauth2_status hk_oauth2_client_credentials(
    const struct hk_oauth2_client *c, const char *scope,
    struct hk_oauth2_token_response *t, struct hk_oauth2_error *err);

/* --- Device authorization, RFC 8628 (oauth2-device.c) -------------- */

/* What the user is told, and what the poll needs.  Owned by the caller:
 * zero it (HK_OAUTH2_DEVICE_INIT), release with hk_oauth2_device_free. */
struct hk_oauth2_device {
	struct hk_buf device_code;	/* secret */
	char *user_code;
	char *verification_uri;		/* Google calls it verification_url */
	char *verification_uri_complete;	/* NULL when not sent */
	int interval;			/* seconds between polls (default 5,
					 * grown by slow_down) */
	time_t expires_at;		/* the device code's end, epoch seconds */
};
#define HK_OAUTH2_DEVICE_INIT { HK_BUF_INIT, NULL, NULL, NULL, 5, 0 }
void hk_oauth2_device_free(struct hk_oauth2_device *d);

/* Starts: needs c->device_url (else HK_OAUTH2_CONFIG). */
enum hk_oauth2_status hk_oauth2_device_start(const struct hk_oauth2_client *c,
    const char *scope, struct hk_oauth2_device *d,
    struct hk_oauth2_error *err);
/* One poll: OK with *t filled; PENDING (authorization_pending, or
 * slow_down, which adds 5 s to d->interval); REFUSED for access_denied or
 * expired_token (err->error says which); or another class. */
enum hk_oauth2_status hk_oauth2_device_poll(const struct hk_oauth2_client *c,
    struct hk_oauth2_device *d, struct hk_oauth2_token_response *t,
    struct hk_oauth2_error *err);
/* Polls every d->interval seconds until an answer other than PENDING, or
 * until d->expires_at (then REFUSED with error "expired_token"). */
enum hk_oauth2_status hk_oauth2_device_wait(const struct hk_oauth2_client *c,
    struct hk_oauth2_device *d, struct hk_oauth2_token_response *t,
    struct hk_oauth2_error *err);

/* --- Revocation, RFC 7009 (oauth2-flows.c) ------------------------- */

/* Revokes a token (token_type_hint is "refresh_token" or "access_token",
 * or NULL).  Best effort: callers forget the token whatever this says.
 * Needs c->revoke_url (else HK_OAUTH2_CONFIG). */
enum hk_oauth2_status hk_oauth2_revoke(const struct hk_oauth2_client *c,
    const char *token, const char *token_type_hint,
    struct hk_oauth2_error *err);

#endif
