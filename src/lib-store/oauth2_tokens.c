/* oauth2_tokens.c - OAuth 2.0 tokens at rest and the refresh lock
 * (oauth2_tokens.h).  Plain SQL with integer times; the owner is matched
 * as (account_id = ?1 OR server_id = ?2) with the other one NULL. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dbutil.h"
#include "keycheck.h"
#include "log.h"
#include "mem.h"
#include "oauth2_tokens.h"
#include "secret.h"
#include "utf8.h"

#define REFRESH_FIELD "oauth2_refresh_token"
#define ACCESS_FIELD "oauth2_access_token"

void
hk_oauth2_tokens_clear(struct hk_oauth2_tokens *t)
{
	hk_free_secret(t->refresh_token);
	hk_free_secret(t->access_token);
	free(t->scope);
	free(t->last_error);
	memset(t, 0, sizeof(*t));
}

static const char *
owner_table(struct hk_oauth2_owner o)
{
	return o.kind == HK_OAUTH2_OWNER_SERVER ? "mail_servers" :
	    "mail_accounts";
}

/* The rows of one owner, with bind_owner(st, 1, owner). */
#define OF_OWNER " WHERE (account_id = ?1 OR server_id = ?2)"

/* Binds the owner to ?first (account_id) and ?first+1 (server_id). */
static void
bind_owner(struct hk_sql_stmt *st, int first, struct hk_oauth2_owner o)
{
	if (o.kind == HK_OAUTH2_OWNER_SERVER) {
		hk_sql_bind_null(st, first);
		hk_sql_bind_int64(st, first + 1, o.id);
	} else {
		hk_sql_bind_int64(st, first, o.id);
		hk_sql_bind_null(st, first + 1);
	}
}

/* The lock's name: "account:<id>" or "server:<id>". */
static void
lock_name(struct hk_oauth2_owner o, char out[40])
{
	snprintf(out, 40, "%s:%lld",
	    o.kind == HK_OAUTH2_OWNER_SERVER ? "server" : "account", o.id);
}

static int
step_done(struct hk_sql_stmt *st)
{
	int r = hk_sql_step(st);

	hk_db_done(st);
	return r == HK_SQL_DONE ? HK_SQL_OK : r;
}

/* Ends a transaction begun here: commits on HK_SQL_OK, else rolls back;
 * the outcome as a store result. */
static enum hk_store_rc
finish(struct hk_db *db, int r)
{
	if (r == HK_SQL_OK && (r = hk_db_commit(db)) == HK_SQL_OK)
		return HK_STORE_OK;
	hk_db_rollback(db);
	return hk_db_store_rc(db, r);
}

/* ---- loading ---------------------------------------------------------- */

/* A row's columns besides the tokens, as read_state reads them. */
#define STATE_COLUMNS \
	"access_expires, scope, needs_reconnect, last_error, connected_at"

/* STATE_COLUMNS, from column col on, into t (whose strings it
 * allocates). */
static void
read_state(struct hk_sql_stmt *st, int col, struct hk_oauth2_tokens *t)
{
	t->access_expires = hk_sql_column_int64(st, col);
	t->scope = hk_db_text_dup(st, col + 1);
	t->needs_reconnect = hk_sql_column_int(st, col + 2) != 0;
	if (!hk_sql_column_is_null(st, col + 3))
		t->last_error = hk_db_text_dup(st, col + 3);
	t->connected_at = hk_sql_column_int64(st, col + 4);
}

static enum hk_store_rc
open_token(const unsigned char *key, struct hk_oauth2_owner o,
    const char *field, struct hk_sql_stmt *st, int col, char **dst)
{
	size_t len = 0;
	const void *blob = hk_sql_column_blob(st, col, &len);
	enum hk_secret_rc src = hk_secret_open(key, owner_table(o), o.id, field,
	    blob, len, dst);

	if (src == HK_SECRET_OK)
		return HK_STORE_OK;
	hk_err("%s %lld: the stored OAuth 2.0 %s token cannot be decrypted "
	    "(%s)", o.kind == HK_OAUTH2_OWNER_SERVER ? "mail server" :
	    "mail account", o.id,
	    strcmp(field, REFRESH_FIELD) == 0 ? "refresh" : "access",
	    src == HK_SECRET_TAMPERED ? "wrong key or altered" : "malformed");
	return HK_STORE_ERROR;
}

enum hk_store_rc
hk_oauth2_tokens_load(struct hk_db *db, const unsigned char key[HK_KEY_LEN],
    struct hk_oauth2_owner owner, bool with_secrets,
    struct hk_oauth2_tokens *out)
{
	struct hk_sql_stmt *st = hk_db_prepare(db,
	    "SELECT refresh_token, access_token, " STATE_COLUMNS
	    " FROM oauth2_tokens" OF_OWNER);
	enum hk_store_rc rc = HK_STORE_OK;
	int r;

	memset(out, 0, sizeof(*out));
	bind_owner(st, 1, owner);
	r = hk_sql_step(st);
	if (r != HK_SQL_ROW) {
		hk_db_done(st);
		return r == HK_SQL_DONE ? HK_STORE_NOT_FOUND : hk_db_store_rc(db, r);
	}
	out->refresh_set = !hk_sql_column_is_null(st, 0);
	out->access_set = !hk_sql_column_is_null(st, 1);
	read_state(st, 2, out);
	if (with_secrets && out->refresh_set)
		rc = open_token(key, owner, REFRESH_FIELD, st, 0,
		    &out->refresh_token);
	if (with_secrets && out->access_set && rc == HK_STORE_OK)
		rc = open_token(key, owner, ACCESS_FIELD, st, 1,
		    &out->access_token);
	hk_db_done(st);
	if (rc != HK_STORE_OK)
		hk_oauth2_tokens_clear(out);
	return rc;
}

/* ---- writing ---------------------------------------------------------- */

static bool
token_ok(const char *t)
{
	return t != NULL && *t != '\0' && strlen(t) <= HK_OAUTH2_TOKEN_MAX;
}

/* Seals token for the owner and binds it to ?col (NULL: binds NULL). */
static void
bind_sealed(struct hk_sql_stmt *st, int col, const unsigned char *key,
    struct hk_oauth2_owner o, const char *field, const char *token)
{
	unsigned char *blob = NULL;
	size_t len = 0;

	if (token == NULL) {
		hk_sql_bind_null(st, col);
		return;
	}
	hk_secret_seal(key, owner_table(o), o.id, field, token, &blob, &len);
	hk_sql_bind_blob(st, col, blob, len);
	free(blob);
}

/* Begins a transaction that may seal: refuses a key that rotate-key
 * retired (the worker must restart: busy). */
static int
begin_sealing(struct hk_db *db, const unsigned char *key)
{
	int r = hk_db_begin(db);

	if (r != HK_SQL_OK)
		return r;
	switch (hk_key_check(db, key, &r)) {
	case HK_KEY_FITS:
		return HK_SQL_OK;
	case HK_KEY_RETIRED:
		hk_db_rollback(db);
		return HK_SQL_BUSY;
	default:
		hk_db_rollback(db);
		return r;
	}
}

enum hk_store_rc
hk_oauth2_tokens_connect(struct hk_db *db, const unsigned char key[HK_KEY_LEN],
    struct hk_oauth2_owner owner, const char *access, long long expires,
    const char *scope, const char *refresh, long long now)
{
	struct hk_sql_stmt *st;
	int r;

	if (!token_ok(access) || (refresh != NULL && !token_ok(refresh)))
		return HK_STORE_INVALID;
	if ((r = begin_sealing(db, key)) != HK_SQL_OK)
		return hk_db_store_rc(db, r);
	st = hk_db_prepare(db,
	    "DELETE FROM oauth2_tokens" OF_OWNER);
	bind_owner(st, 1, owner);
	r = step_done(st);
	if (r == HK_SQL_OK) {
		st = hk_db_prepare(db,
		    "INSERT INTO oauth2_tokens (account_id, server_id,"
		    " refresh_token, access_token, access_expires, scope,"
		    " needs_reconnect, last_error, connected_at, updated_at)"
		    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, 0, NULL, ?7, ?7)");
		bind_owner(st, 1, owner);
		bind_sealed(st, 3, key, owner, REFRESH_FIELD, refresh);
		bind_sealed(st, 4, key, owner, ACCESS_FIELD, access);
		hk_sql_bind_int64(st, 5, expires);
		hk_sql_bind_text(st, 6, scope != NULL ? scope : "");
		hk_sql_bind_int64(st, 7, now);
		r = step_done(st);
	}
	if (r == HK_SQL_CONSTRAINT) {	/* no such owner */
		hk_db_rollback(db);
		return HK_STORE_NOT_FOUND;
	}
	return finish(db, r);
}

enum hk_store_rc
hk_oauth2_tokens_save(struct hk_db *db, const unsigned char key[HK_KEY_LEN],
    struct hk_oauth2_owner owner, const char *access, long long expires,
    const char *scope, const char *refresh)
{
	struct hk_sql_stmt *st;
	int r;

	if (!token_ok(access) || (refresh != NULL && !token_ok(refresh)))
		return HK_STORE_INVALID;
	if ((r = begin_sealing(db, key)) != HK_SQL_OK)
		return hk_db_store_rc(db, r);
	st = hk_db_prepare(db,
	    "UPDATE oauth2_tokens SET access_token = ?3, access_expires = ?4,"
	    " scope = COALESCE(?5, scope), needs_reconnect = 0,"
	    " last_error = NULL, updated_at = ?6" OF_OWNER);
	bind_owner(st, 1, owner);
	bind_sealed(st, 3, key, owner, ACCESS_FIELD, access);
	hk_sql_bind_int64(st, 4, expires);
	if (scope != NULL)
		hk_sql_bind_text(st, 5, scope);
	else
		hk_sql_bind_null(st, 5);
	hk_sql_bind_int64(st, 6, (long long)time(NULL));
	r = step_done(st);
	if (r == HK_SQL_OK && hk_sql_changes(hk_db_sql(db)) == 0) {
		hk_db_rollback(db);
		return HK_STORE_NOT_FOUND;
	}
	/* The rotated refresh token in the same transaction. */
	if (r == HK_SQL_OK && refresh != NULL) {
		st = hk_db_prepare(db,
		    "UPDATE oauth2_tokens SET refresh_token = ?3" OF_OWNER);
		bind_owner(st, 1, owner);
		bind_sealed(st, 3, key, owner, REFRESH_FIELD, refresh);
		r = step_done(st);
	}
	return finish(db, r);
}

/* The provider's error as kept: at most HK_OAUTH2_ERROR_MAX bytes cut at
 * a character boundary, control characters as spaces, invalid UTF-8 as
 * '?'.  Caller frees. */
static char *
error_text(const char *e)
{
	size_t n = e != NULL ? strlen(e) : 0;
	char *out;

	if (n > HK_OAUTH2_ERROR_MAX) {
		n = HK_OAUTH2_ERROR_MAX;
		while (n > 0 && ((unsigned char)e[n] & 0xc0) == 0x80)
			n--;
	}
	out = hk_strndup(e != NULL ? e : "", n);
	for (size_t i = 0; i < n;) {
		size_t k = hk_utf8_seq(out + i, n - i);

		if (k == 0) {
			out[i++] = '?';
			continue;
		}
		if (k == 1 && ((unsigned char)out[i] < 0x20 || out[i] == 0x7f))
			out[i] = ' ';
		i += k;
	}
	return out;
}

enum hk_store_rc
hk_oauth2_tokens_mark_needs_reconnect(struct hk_db *db,
    struct hk_oauth2_owner owner, const char *error, long long now)
{
	char *text = error_text(error);
	struct hk_sql_stmt *st;
	int r;

	if ((r = hk_db_begin(db)) != HK_SQL_OK) {
		free(text);
		return hk_db_store_rc(db, r);
	}
	/* The refresh token stays (the admin sees what was refused); the
	 * access token goes: it must not be used any more. */
	st = hk_db_prepare(db,
	    "UPDATE oauth2_tokens SET needs_reconnect = 1, last_error = ?3,"
	    " access_token = NULL, access_expires = 0, updated_at = ?4"
	    OF_OWNER);
	bind_owner(st, 1, owner);
	hk_sql_bind_text(st, 3, text);
	hk_sql_bind_int64(st, 4, now);
	r = step_done(st);
	if (r == HK_SQL_OK && hk_sql_changes(hk_db_sql(db)) == 0) {
		st = hk_db_prepare(db,
		    "INSERT INTO oauth2_tokens (account_id, server_id,"
		    " needs_reconnect, last_error, updated_at)"
		    " VALUES (?1, ?2, 1, ?3, ?4)");
		bind_owner(st, 1, owner);
		hk_sql_bind_text(st, 3, text);
		hk_sql_bind_int64(st, 4, now);
		r = step_done(st);
		if (r == HK_SQL_CONSTRAINT) {
			free(text);
			hk_db_rollback(db);
			return HK_STORE_NOT_FOUND;
		}
	}
	free(text);
	return finish(db, r);
}

enum hk_store_rc
hk_oauth2_tokens_forget(struct hk_db *db, struct hk_oauth2_owner owner)
{
	char name[40];
	struct hk_sql_stmt *st;
	int r;

	if ((r = hk_db_begin(db)) != HK_SQL_OK)
		return hk_db_store_rc(db, r);
	st = hk_db_prepare(db,
	    "DELETE FROM oauth2_tokens" OF_OWNER);
	bind_owner(st, 1, owner);
	r = step_done(st);
	if (r == HK_SQL_OK) {
		lock_name(owner, name);
		st = hk_db_prepare(db,
		    "DELETE FROM oauth2_refresh_locks WHERE owner = ?1");
		hk_sql_bind_text(st, 1, name);
		r = step_done(st);
	}
	if (r == HK_SQL_OK && owner.kind == HK_OAUTH2_OWNER_ACCOUNT) {
		/* A sign-in in progress would connect it again. */
		st = hk_db_prepare(db,
		    "DELETE FROM oauth2_states WHERE account_id = ?1");
		hk_sql_bind_int64(st, 1, owner.id);
		r = step_done(st);
	}
	return finish(db, r);
}

/* ---- the refresh lock ------------------------------------------------- */

enum hk_store_rc
hk_oauth2_refresh_trylock(struct hk_db *db, struct hk_oauth2_owner owner,
    const char *holder, int ttl, long long now, bool *taken_r)
{
	char name[40];
	struct hk_sql_stmt *st;
	int r;

	*taken_r = false;
	lock_name(owner, name);
	if ((r = hk_db_begin(db)) != HK_SQL_OK)
		return hk_db_store_rc(db, r);
	/* Free, expired, or already ours: claim it in one statement. */
	st = hk_db_prepare(db,
	    "UPDATE oauth2_refresh_locks SET until_at = ?2, holder = ?3"
	    " WHERE owner = ?1 AND (until_at <= ?4 OR holder = ?3)");
	hk_sql_bind_text(st, 1, name);
	hk_sql_bind_int64(st, 2, now + ttl);
	hk_sql_bind_text(st, 3, holder);
	hk_sql_bind_int64(st, 4, now);
	r = step_done(st);
	if (r == HK_SQL_OK && hk_sql_changes(hk_db_sql(db)) == 1) {
		*taken_r = true;
	} else if (r == HK_SQL_OK) {
		/* No row yet, or held: the transaction is a writer's
		 * (BEGIN IMMEDIATE), so nobody inserts between the two. */
		bool held = false;

		st = hk_db_prepare(db,
		    "SELECT 1 FROM oauth2_refresh_locks WHERE owner = ?1");
		hk_sql_bind_text(st, 1, name);
		r = hk_sql_step(st);
		held = r == HK_SQL_ROW;
		hk_db_done(st);
		r = r == HK_SQL_ROW || r == HK_SQL_DONE ? HK_SQL_OK : r;
		if (r == HK_SQL_OK && !held) {
			st = hk_db_prepare(db,
			    "INSERT INTO oauth2_refresh_locks (owner, until_at,"
			    " holder) VALUES (?1, ?2, ?3)");
			hk_sql_bind_text(st, 1, name);
			hk_sql_bind_int64(st, 2, now + ttl);
			hk_sql_bind_text(st, 3, holder);
			r = step_done(st);
			*taken_r = r == HK_SQL_OK;
		}
	}
	if (r != HK_SQL_OK)
		*taken_r = false;
	return finish(db, r);
}

enum hk_store_rc
hk_oauth2_refresh_unlock(struct hk_db *db, struct hk_oauth2_owner owner,
    const char *holder)
{
	char name[40];
	struct hk_sql_stmt *st = hk_db_prepare(db,
	    "DELETE FROM oauth2_refresh_locks WHERE owner = ?1 AND holder = ?2");

	lock_name(owner, name);
	hk_sql_bind_text(st, 1, name);
	hk_sql_bind_text(st, 2, holder);
	return hk_db_store_rc(db, step_done(st));
}

enum hk_store_rc
hk_oauth2_refresh_begin(struct hk_db *db, const unsigned char key[HK_KEY_LEN],
    struct hk_oauth2_owner owner, const char *holder, int ttl, int wait_ms,
    struct hk_oauth2_tokens *out)
{
	const struct timespec pause = { 0, 50 * 1000 * 1000 };	/* 50 ms */
	enum hk_store_rc rc;
	bool taken = false;
	int waited = 0;

	memset(out, 0, sizeof(*out));
	for (;;) {
		rc = hk_oauth2_refresh_trylock(db, owner, holder, ttl,
		    (long long)time(NULL), &taken);
		if (rc != HK_STORE_OK && rc != HK_STORE_BUSY)
			return rc;
		if (taken)
			break;
		if (waited >= wait_ms)
			return HK_STORE_BUSY;
		nanosleep(&pause, NULL);
		waited += 50;
	}
	/* Read after taking it: the previous holder's result, if any. */
	rc = hk_oauth2_tokens_load(db, key, owner, true, out);
	if (rc != HK_STORE_OK)
		(void)hk_oauth2_refresh_unlock(db, owner, holder);
	return rc;
}

/* ---- for the lists ---------------------------------------------------- */

enum hk_store_rc
hk_oauth2_tokens_each_account(struct hk_db *db,
    void (*fn)(void *arg, long long account_id,
    const struct hk_oauth2_tokens *t), void *arg)
{
	struct hk_sql_stmt *st = hk_db_prepare(db,
	    "SELECT account_id,"
	    " CASE WHEN refresh_token IS NULL THEN 0 ELSE 1 END,"
	    " CASE WHEN access_token IS NULL THEN 0 ELSE 1 END,"
	    " " STATE_COLUMNS
	    " FROM oauth2_tokens WHERE account_id IS NOT NULL"
	    " ORDER BY account_id");
	int r;

	while ((r = hk_sql_step(st)) == HK_SQL_ROW) {
		struct hk_oauth2_tokens t;

		memset(&t, 0, sizeof(t));
		t.refresh_set = hk_sql_column_int(st, 1) != 0;
		t.access_set = hk_sql_column_int(st, 2) != 0;
		read_state(st, 3, &t);
		fn(arg, hk_sql_column_int64(st, 0), &t);
		hk_oauth2_tokens_clear(&t);
	}
	hk_db_done(st);
	return hk_db_store_rc(db, r);
}

enum hk_store_rc
hk_oauth2_reconnect_counts(struct hk_db *db,
    void (*fn)(void *arg, long long server_id, long long n), void *arg)
{
	struct hk_sql_stmt *st = hk_db_prepare(db,
	    "SELECT a.server_id, COUNT(*) FROM oauth2_tokens t"
	    " JOIN mail_accounts a ON a.id = t.account_id"
	    " WHERE t.needs_reconnect = 1 GROUP BY a.server_id"
	    " ORDER BY a.server_id");
	int r;

	while ((r = hk_sql_step(st)) == HK_SQL_ROW)
		fn(arg, hk_sql_column_int64(st, 0), hk_sql_column_int64(st, 1));
	hk_db_done(st);
	return hk_db_store_rc(db, r);
}
