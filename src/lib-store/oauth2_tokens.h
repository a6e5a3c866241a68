/* oauth2_tokens.h - OAuth 2.0 tokens at rest, and the lock that lets one
 * process at a time refresh them (docs/DESIGN.md, "OAuth 2.0").
 *
 * An owner is a mail account (authorization_code: each account connects
 * as its user) or a mail server (client_credentials: one token per
 * server).  The refresh and access tokens are sealed (secret.h) under the
 * owner's table and id with the field names "oauth2_refresh_token" /
 * "oauth2_access_token", so a token copied to another owner does not
 * decrypt.  Times are unix seconds.  Every write here is one transaction
 * (joining the caller's when one is open, db.h); writes of the tokens
 * change the data generation (the lists show the state), taking or
 * releasing the refresh lock does not.  No function logs a token.
 */
#ifndef HK_OAUTH2_TOKENS_H
#define HK_OAUTH2_TOKENS_H

#include <stdbool.h>
#include <stddef.h>

#include "db.h"
#include "keyfile.h"
#include "storerc.h"

#define HK_OAUTH2_TOKEN_MAX 16384	/* bytes of one token (tokens are long) */
#define HK_OAUTH2_ERROR_MAX 500		/* bytes of last_error kept */

enum hk_oauth2_owner_kind {
	HK_OAUTH2_OWNER_ACCOUNT = 0,	/* mail_accounts.id */
	HK_OAUTH2_OWNER_SERVER		/* mail_servers.id (client_credentials) */
};

struct hk_oauth2_owner {
	enum hk_oauth2_owner_kind kind;
	long long id;
};

struct hk_oauth2_tokens {
	/* In clear only after a load with_secrets (NULL when none is
	 * stored); wiped by hk_oauth2_tokens_clear. */
	char *refresh_token;
	char *access_token;
	bool refresh_set, access_set;	/* stored (whether or not loaded) */
	long long access_expires;	/* 0: unknown / none */
	char *scope;			/* as granted; "" when not said */
	bool needs_reconnect;		/* the grant is gone (invalid_grant) */
	char *last_error;		/* the provider's words; NULL: none */
	long long connected_at;		/* 0: never connected */
};

/* Frees (wiping the tokens) and zeroes t. */
void hk_oauth2_tokens_clear(struct hk_oauth2_tokens *t);

/* Reads the owner's tokens into out (empty: zeroed or cleared).
 * with_secrets decrypts them (key required then; a stored token that does
 * not decrypt is HK_STORE_ERROR, logged without any value).  Returns
 * HK_STORE_NOT_FOUND when the owner has never connected (or has been
 * forgotten); BUSY/ERROR otherwise.  On failure out stays empty. */
enum hk_store_rc hk_oauth2_tokens_load(struct hk_db *db,
    const unsigned char key[HK_KEY_LEN], struct hk_oauth2_owner owner,
    bool with_secrets, struct hk_oauth2_tokens *out);

/* A first connection (the authorization code exchanged, or a client
 * credentials token): replaces whatever was stored by these tokens
 * (refresh may be NULL), sets connected_at to now, clears needs_reconnect
 * and last_error.  One transaction.  HK_STORE_INVALID when a token is
 * empty or longer than HK_OAUTH2_TOKEN_MAX; HK_STORE_NOT_FOUND when the
 * owner does not exist. */
enum hk_store_rc hk_oauth2_tokens_connect(struct hk_db *db,
    const unsigned char key[HK_KEY_LEN], struct hk_oauth2_owner owner,
    const char *access, long long expires, const char *scope,
    const char *refresh, long long now);

/* A refresh's result: the new access token with its expiry and scope
 * (NULL scope keeps the stored one) and, when the provider rotated it,
 * the new refresh token (NULL keeps the stored one), in ONE transaction,
 * so that a crash never leaves a spent refresh token stored alone.
 * Clears needs_reconnect and last_error.  HK_STORE_NOT_FOUND when the
 * owner has no tokens (forgotten meanwhile: nothing is stored). */
enum hk_store_rc hk_oauth2_tokens_save(struct hk_db *db,
    const unsigned char key[HK_KEY_LEN], struct hk_oauth2_owner owner,
    const char *access, long long expires, const char *scope,
    const char *refresh);

/* The grant is gone (invalid_grant and the like): marks the owner as
 * needing reconnection with the provider's error text (cut to
 * HK_OAUTH2_ERROR_MAX bytes at a UTF-8 boundary, control characters
 * replaced by spaces) and drops the access token.  Creates the row when
 * there is none (a server whose client_credentials were refused). */
enum hk_store_rc hk_oauth2_tokens_mark_needs_reconnect(struct hk_db *db,
    struct hk_oauth2_owner owner, const char *error, long long now);

/* Disconnect: forgets the owner's tokens, state and lock.  HK_STORE_OK
 * also when there was nothing. */
enum hk_store_rc hk_oauth2_tokens_forget(struct hk_db *db,
    struct hk_oauth2_owner owner);

/* ---- one refresh at a time, across processes ---- */

/* Tries to take the owner's refresh lock for ttl seconds as holder (a
 * name unique to the caller, e.g. "host:pid:random"): one atomic claim
 * that succeeds only when the lock is free or its holder's time ran out
 * (a process that died).  *taken_r says whether the caller holds it now.
 * The caller then re-reads the tokens (hk_oauth2_tokens_load): another
 * holder may have refreshed them just before. */
enum hk_store_rc hk_oauth2_refresh_trylock(struct hk_db *db,
    struct hk_oauth2_owner owner, const char *holder, int ttl,
    long long now, bool *taken_r);

/* Takes the lock, waiting up to wait_ms (polling) while another holder
 * has it, then loads the tokens (with secrets) into out: when another
 * process refreshed meanwhile, out holds its result and the caller need
 * not refresh.  HK_STORE_BUSY when the wait ran out; HK_STORE_NOT_FOUND
 * (lock released) when the owner has no tokens.  On HK_STORE_OK the
 * caller holds the lock and must hk_oauth2_refresh_unlock it. */
enum hk_store_rc hk_oauth2_refresh_begin(struct hk_db *db,
    const unsigned char key[HK_KEY_LEN], struct hk_oauth2_owner owner,
    const char *holder, int ttl, int wait_ms, struct hk_oauth2_tokens *out);

/* Releases the lock if holder holds it (else does nothing). */
enum hk_store_rc hk_oauth2_refresh_unlock(struct hk_db *db,
    struct hk_oauth2_owner owner, const char *holder);

/* ---- for the lists ---- */

/* Calls fn for each account with stored tokens (by account id), with its
 * tokens loaded without secrets. */
enum hk_store_rc hk_oauth2_tokens_each_account(struct hk_db *db,
    void (*fn)(void *arg, long long account_id,
    const struct hk_oauth2_tokens *t), void *arg);

/* Calls fn for each server with accounts needing reconnection, with
 * their number. */
enum hk_store_rc hk_oauth2_reconnect_counts(struct hk_db *db,
    void (*fn)(void *arg, long long server_id, long long n), void *arg);

#endif
