/* oauth2_token.h - the access token a mail session signs in with when
 * its end uses OAuth 2.0 (xoauth2 / oauthbearer; docs/OAUTH2.md,
 * "Tokens").
 *
 * The token is the account's (authorization_code: each account connects
 * as its user) or, when the server's grant is client_credentials, the
 * server's.  A stored access token is used while it is good for more
 * than HK_OAUTH2_MARGIN seconds; otherwise it is refreshed under the
 * owner's refresh lock, so that two processes never spend the same
 * refresh token: the second one waits, re-reads, and uses the first
 * one's result.  The new access token and a rotated refresh token are
 * stored in one transaction.  invalid_grant marks the account as needing
 * reconnection; every later use fails at once (exit 4) without asking
 * the provider again.  Tokens are never logged and are wiped when freed.
 */
#ifndef HK_OAUTH2_TOKEN_H
#define HK_OAUTH2_TOKEN_H

#include <stdbool.h>

#include "accounts.h"
#include "db.h"
#include "keyfile.h"
#include "oauth2_tokens.h"
#include "servers.h"

/* Refresh when the access token expires within this many seconds. */
#define HK_OAUTH2_MARGIN 300
/* How long a refresh may hold the lock, and how long another process
 * waits for it (longer than one token request's time limit). */
#define HK_OAUTH2_LOCK_TTL 90
#define HK_OAUTH2_LOCK_WAIT_MS 45000

/* Where tokens come from; every pointer borrowed. */
struct hk_oauth2_src {
	struct hk_db *db;
	const unsigned char *key;	/* HK_KEY_LEN bytes */
	const char *ca_file;		/* hikyaku.conf's ca_file; NULL: none */
};

/* What getting the token came to: the stage line of the connection test
 * and the reason of a failure. */
enum hk_oauth2_step {
	HK_OAUTH2_STEP_VALID = 0,	/* the stored token is good */
	HK_OAUTH2_STEP_REFRESHED,	/* refreshed here (or obtained, for
					 * client_credentials) */
	HK_OAUTH2_STEP_SHARED,		/* another process refreshed it while
					 * this one waited */
	HK_OAUTH2_STEP_NOT_CONNECTED,	/* never connected: exit 4 */
	HK_OAUTH2_STEP_RECONNECT,	/* needs reconnecting: exit 4 */
	HK_OAUTH2_STEP_REFUSED,		/* the provider refused otherwise: 4 */
	HK_OAUTH2_STEP_UNREACHABLE,	/* no usable answer: exit 5 */
	HK_OAUTH2_STEP_CONFIG,		/* impossible as configured: exit 2 */
	HK_OAUTH2_STEP_STORE,		/* the database failed or stayed
					 * locked: exit 2 */
};

struct hk_oauth2_token {
	enum hk_oauth2_step step;
	int exit_code;		/* 0, 2, 4 or 5 (docs/REFERENCE.md) */
	char *access;		/* exit 0: the token (secret) */
	long long expires;	/* its expiry, unix time; 0: unknown */
	char *error;		/* exit != 0: one English line */
	char *provider_error;	/* the provider's words, when it said any */
};
/* Frees (wiping the token) and zeroes t. */
void hk_oauth2_token_clear(struct hk_oauth2_token *t);

/* Whether an end of s signs in with a token: the receive end with
 * recv_auth_method xoauth2/oauthbearer, the send end with SMTP AUTH by
 * one of them. */
bool hk_oauth2_token_recv(const struct hk_server *s);
bool hk_oauth2_token_send(const struct hk_server *s);

/* The access token for acct (of server s, loaded with secrets) into *out
 * (cleared first).  Returns out->exit_code. */
int hk_oauth2_token_get(const struct hk_oauth2_src *src,
    const struct hk_server *s, const struct hk_account *acct,
    struct hk_oauth2_token *out);

/* ---- the decisions, apart for the unit tests ---- */

enum hk_oauth2_need {
	HK_OAUTH2_NEED_USE = 0,		/* use the stored access token */
	HK_OAUTH2_NEED_REFRESH,		/* ask the provider */
	HK_OAUTH2_NEED_CONNECT,		/* never connected */
	HK_OAUTH2_NEED_RECONNECT,	/* the grant is gone */
};
/* What to do with the stored tokens t (found: a row exists) at time now;
 * client_credentials servers never need a connect step.  seen_expires is
 * -1 on the first read; when t was re-read under the refresh lock it is
 * the expiry read before: a token that another process
 * refreshed meanwhile (later expiry, still valid) is used even inside the
 * margin, since it is as fresh as the provider makes them. */
enum hk_oauth2_need hk_oauth2_token_need(bool found,
    const struct hk_oauth2_tokens *t, bool client_credentials,
    long long now, long long seen_expires);

#endif
