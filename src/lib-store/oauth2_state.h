/* oauth2_state.h - the single-use `state` of a browser's OAuth 2.0
 * authorization request (RFC 6749 10.12), bound to the admin's session
 * and the mail account being connected, holding the PKCE code verifier
 * (RFC 7636) sealed (secret.h, "oauth2_states:<row id>:verifier") until
 * the callback.  A state lives HK_OAUTH2_STATE_TTL seconds and is
 * consumed once: consuming deletes it, whatever the outcome.
 */
#ifndef HK_OAUTH2_STATE_H
#define HK_OAUTH2_STATE_H

#include <stddef.h>

#include "db.h"
#include "keyfile.h"
#include "storerc.h"

#define HK_OAUTH2_STATE_TTL 600		/* 10 minutes */
#define HK_OAUTH2_STATE_LEN 43		/* 32 random bytes, base64url */
#define HK_OAUTH2_VERIFIER_MAX 128	/* RFC 7636: 43-128 characters */

enum hk_oauth2_state_rc {
	HK_OAUTH2_STATE_OK = 0,
	HK_OAUTH2_STATE_UNKNOWN,	/* never issued, or already used */
	HK_OAUTH2_STATE_EXPIRED,	/* older than HK_OAUTH2_STATE_TTL */
	HK_OAUTH2_STATE_WRONG_SESSION,	/* issued to another sign-in session */
	HK_OAUTH2_STATE_BUSY,		/* the database stayed locked (503) */
	HK_OAUTH2_STATE_ERROR		/* anything else, logged (500) */
};

/* Issues a new state for connecting account_id from the session whose
 * id hash is session_hash (struct hk_session.id_hash), keeping verifier
 * (43-128 characters, RFC 7636 4.1) sealed.  state_r receives the state
 * (URL-safe).  Removes expired states of any session on the way.
 * HK_OAUTH2_STATE_UNKNOWN when the account does not exist;
 * HK_OAUTH2_STATE_ERROR also for a malformed verifier. */
enum hk_oauth2_state_rc hk_oauth2_state_create(struct hk_db *db,
    const unsigned char key[HK_KEY_LEN], const unsigned char session_hash[32],
    long long account_id, const char *verifier, long long now,
    char state_r[HK_OAUTH2_STATE_LEN + 1]);

/* Consumes state, atomically: the row is deleted in the same transaction
 * that reads it, so a second use (a replay) finds nothing.  On
 * HK_OAUTH2_STATE_OK *account_id_r is the account and *verifier_r the
 * verifier (caller frees with hk_free_secret); otherwise both are 0/NULL.
 * A state from another session is refused (and spent: it was disclosed);
 * one older than HK_OAUTH2_STATE_TTL at now is refused as expired. */
enum hk_oauth2_state_rc hk_oauth2_state_consume(struct hk_db *db,
    const unsigned char key[HK_KEY_LEN], const char *state,
    const unsigned char session_hash[32], long long now,
    long long *account_id_r, char **verifier_r);

#endif
