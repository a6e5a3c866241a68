/* oauth2_state.c - single-use OAuth 2.0 states (oauth2_state.h). */
#include "config.h"

#include <openssl/crypto.h>
#include <stdlib.h>
#include <string.h>

#include "dbutil.h"
#include "log.h"
#include "mem.h"
#include "oauth2_state.h"
#include "secret.h"

static enum hk_oauth2_state_rc
state_rc(int sql_rc)
{
	return hk_db_busy(sql_rc) ? HK_OAUTH2_STATE_BUSY :
	    HK_OAUTH2_STATE_ERROR;
}

/* 32 random bytes as base64url without padding (43 characters). */
static void
new_state(char out[HK_OAUTH2_STATE_LEN + 1])
{
	static const char abc[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	unsigned char r[33];
	size_t o = 0;

	hk_random(r, 32);
	r[32] = 0;
	for (size_t i = 0; i < 33 && o < HK_OAUTH2_STATE_LEN; i += 3) {
		unsigned long v = (unsigned long)r[i] << 16 |
		    (unsigned long)(i + 1 < 33 ? r[i + 1] : 0) << 8 |
		    (i + 2 < 33 ? r[i + 2] : 0);

		for (int k = 18; k >= 0 && o < HK_OAUTH2_STATE_LEN; k -= 6)
			out[o++] = abc[(v >> k) & 63];
	}
	out[o] = '\0';
	hk_wipe(r, sizeof(r));
}

/* RFC 7636 4.1: 43-128 of [A-Za-z0-9-._~]. */
static bool
verifier_ok(const char *v)
{
	size_t n = v != NULL ? strlen(v) : 0;

	return n >= 43 && n <= HK_OAUTH2_VERIFIER_MAX && strspn(v,
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "0123456789-._~") == n;
}

static int
step_done(struct hk_sql_stmt *st)
{
	int r = hk_sql_step(st);

	hk_db_done(st);
	return r == HK_SQL_DONE ? HK_SQL_OK : r;
}

enum hk_oauth2_state_rc
hk_oauth2_state_create(struct hk_db *db, const unsigned char key[HK_KEY_LEN],
    const unsigned char session_hash[32], long long account_id,
    const char *verifier, long long now,
    char state_r[HK_OAUTH2_STATE_LEN + 1])
{
	struct hk_sql_stmt *st;
	unsigned char *blob = NULL;
	size_t len = 0;
	long long id = 0;
	int r;

	state_r[0] = '\0';
	if (!verifier_ok(verifier))
		return HK_OAUTH2_STATE_ERROR;
	new_state(state_r);
	if ((r = hk_db_begin(db)) != HK_SQL_OK)
		return state_rc(r);
	st = hk_db_prepare(db, "DELETE FROM oauth2_states WHERE created_at < ?1");
	hk_sql_bind_int64(st, 1, now - HK_OAUTH2_STATE_TTL);
	r = step_done(st);
	if (r == HK_SQL_OK) {
		/* The row first (an empty verifier), so that the verifier is
		 * sealed under its id. */
		st = hk_db_prepare(db,
		    "INSERT INTO oauth2_states (state, session_hash, account_id,"
		    " verifier, created_at) VALUES (?1, ?2, ?3, ?4, ?5)"
		    " RETURNING id");
		hk_sql_bind_text(st, 1, state_r);
		hk_sql_bind_blob(st, 2, session_hash, 32);
		hk_sql_bind_int64(st, 3, account_id);
		hk_sql_bind_blob(st, 4, "", 0);
		hk_sql_bind_int64(st, 5, now);
		r = hk_sql_step(st);
		if (r == HK_SQL_ROW) {
			id = hk_sql_column_int64(st, 0);
			r = HK_SQL_OK;
		}
		hk_db_done(st);
		if (r == HK_SQL_CONSTRAINT) {
			hk_db_rollback(db);
			state_r[0] = '\0';
			return HK_OAUTH2_STATE_UNKNOWN;	/* no such account */
		}
	}
	if (r == HK_SQL_OK) {
		hk_secret_seal(key, "oauth2_states", id, "verifier", verifier,
		    &blob, &len);
		st = hk_db_prepare(db,
		    "UPDATE oauth2_states SET verifier = ?2 WHERE id = ?1");
		hk_sql_bind_int64(st, 1, id);
		hk_sql_bind_blob(st, 2, blob, len);
		r = step_done(st);
		free(blob);
	}
	if (r == HK_SQL_OK)
		r = hk_db_commit(db);
	if (r != HK_SQL_OK) {
		hk_db_rollback(db);
		state_r[0] = '\0';
		return state_rc(r);
	}
	return HK_OAUTH2_STATE_OK;
}

enum hk_oauth2_state_rc
hk_oauth2_state_consume(struct hk_db *db, const unsigned char key[HK_KEY_LEN],
    const char *state, const unsigned char session_hash[32], long long now,
    long long *account_id_r, char **verifier_r)
{
	enum hk_oauth2_state_rc rc = HK_OAUTH2_STATE_OK;
	struct hk_sql_stmt *st;
	long long id = 0, account = 0, created = 0;
	unsigned char *blob = NULL;
	size_t len = 0, hash_len = 0;
	const void *hash, *sealed;
	bool same = false;
	int r;

	*account_id_r = 0;
	*verifier_r = NULL;
	if (state == NULL || strlen(state) != HK_OAUTH2_STATE_LEN)
		return HK_OAUTH2_STATE_UNKNOWN;
	if ((r = hk_db_begin(db)) != HK_SQL_OK)
		return state_rc(r);
	st = hk_db_prepare(db,
	    "SELECT id, session_hash, account_id, verifier, created_at"
	    " FROM oauth2_states WHERE state = ?1");
	hk_sql_bind_text(st, 1, state);
	r = hk_sql_step(st);
	if (r == HK_SQL_ROW) {
		id = hk_sql_column_int64(st, 0);
		hash = hk_sql_column_blob(st, 1, &hash_len);
		same = hash_len == 32 &&
		    CRYPTO_memcmp(hash, session_hash, 32) == 0;
		account = hk_sql_column_int64(st, 2);
		sealed = hk_sql_column_blob(st, 3, &len);
		blob = hk_malloc(len + 1);
		if (len > 0)
			memcpy(blob, sealed, len);
		created = hk_sql_column_int64(st, 4);
	}
	hk_db_done(st);
	if (r == HK_SQL_DONE) {
		hk_db_rollback(db);
		return HK_OAUTH2_STATE_UNKNOWN;
	}
	if (r != HK_SQL_ROW) {
		hk_db_rollback(db);
		return state_rc(r);
	}
	/* Spent whatever follows. */
	st = hk_db_prepare(db, "DELETE FROM oauth2_states WHERE id = ?1");
	hk_sql_bind_int64(st, 1, id);
	r = step_done(st);
	if (r == HK_SQL_OK && hk_sql_changes(hk_db_sql(db)) != 1)
		rc = HK_OAUTH2_STATE_UNKNOWN;	/* taken meanwhile */
	if (r == HK_SQL_OK)
		r = hk_db_commit(db);
	if (r != HK_SQL_OK) {
		hk_db_rollback(db);
		free(blob);
		return state_rc(r);
	}
	if (rc == HK_OAUTH2_STATE_OK && !same)
		rc = HK_OAUTH2_STATE_WRONG_SESSION;
	else if (rc == HK_OAUTH2_STATE_OK &&
	    (now - created > HK_OAUTH2_STATE_TTL || now < created))
		rc = HK_OAUTH2_STATE_EXPIRED;
	if (rc == HK_OAUTH2_STATE_OK &&
	    hk_secret_open(key, "oauth2_states", id, "verifier", blob, len,
	    verifier_r) != HK_SECRET_OK) {
		hk_err("OAuth 2.0 state %lld: the stored code verifier cannot "
		    "be decrypted", id);
		rc = HK_OAUTH2_STATE_ERROR;
	}
	free(blob);
	if (rc == HK_OAUTH2_STATE_OK)
		*account_id_r = account;
	return rc;
}
