/* session.h - sign-in sessions and CSRF tokens (throttling: throttle.h).
 *
 * The session cookie holds 32 random bytes (hex); the database keeps only
 * their SHA-256, so a copy of the database cannot be used to sign in.  Each
 * session has its own CSRF token.  Before sign-in, the login form's token
 * is an HMAC of a random "pre-session" cookie under the secret key, so that
 * anonymous visitors cost no database writes.
 */
#ifndef HK_SESSION_H
#define HK_SESSION_H

#include <stdbool.h>

#include "storerc.h"
#include "db.h"
#include "keyfile.h"

#define HK_SESSION_IDLE_SECS (2 * 3600)		/* unused for 2 hours */
#define HK_SESSION_MAX_SECS (12 * 3600)		/* 12 hours after sign-in */
#define HK_TOKEN_HEX 64				/* 32 bytes as hex */

struct hk_session {
	long long admin_id;
	char admin_name[65];
	char admin_lang[8];		/* "" when following the browser */
	char csrf[HK_TOKEN_HEX + 1];
	unsigned char id_hash[32];
};

/* Starts a session for admin_id: fills cookie_r with the cookie value and
 * s with the session (including a new CSRF token). */
enum hk_store_rc hk_session_create(struct hk_db *db, long long admin_id,
    char cookie_r[HK_TOKEN_HEX + 1], struct hk_session *s);

/* Finds the live session for a cookie value; HK_STORE_NOT_FOUND when the
 * cookie is malformed, unknown or expired (expired rows are removed). */
enum hk_store_rc hk_session_lookup(struct hk_db *db, const char *cookie,
    struct hk_session *s);

enum hk_store_rc hk_session_destroy(struct hk_db *db, const struct hk_session *s);

/* A fresh random token (for the pre-session cookie). */
void hk_token_new(char out[HK_TOKEN_HEX + 1]);
/* The sign-in form's CSRF token for a pre-session cookie value. */
void hk_login_csrf(const unsigned char key[HK_KEY_LEN], const char *pre,
    char out[HK_TOKEN_HEX + 1]);
/* Constant-time check of a submitted token against the expected one. */
bool hk_token_equal(const char *expected, const char *given);

#endif
