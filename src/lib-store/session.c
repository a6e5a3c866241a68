/* session.c - sign-in sessions and CSRF tokens. */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

#include "log.h"
#include "base64.h"
#include "dbutil.h"
#include "mem.h"
#include "session.h"

void
hk_token_new(char out[HK_TOKEN_HEX + 1])
{
	unsigned char raw[HK_TOKEN_HEX / 2];

	hk_random(raw, sizeof(raw));
	hk_hex(raw, sizeof(raw), out);
	hk_wipe(raw, sizeof(raw));
}

static bool
token_wellformed(const char *t)
{
	if (t == NULL || strlen(t) != HK_TOKEN_HEX)
		return false;
	for (size_t i = 0; i < HK_TOKEN_HEX; i++)
		if (!isxdigit((unsigned char)t[i]) || isupper((unsigned char)t[i]))
			return false;
	return true;
}

bool
hk_token_equal(const char *expected, const char *given)
{
	return token_wellformed(expected) && token_wellformed(given) &&
	    hk_ct_equal(expected, given, HK_TOKEN_HEX);
}

void
hk_login_csrf(const unsigned char key[HK_KEY_LEN], const char *pre,
    char out[HK_TOKEN_HEX + 1])
{
	static const char label[] = "hikyaku login csrf\n";
	unsigned char mac[32];
	unsigned int len = 0;
	char *msg;

	/* HMAC(key, label || pre): the label keeps this use of the key apart
	 * from every other. */
	msg = hk_aprintf("%s%s", label, pre);
	if (HMAC(EVP_sha256(), key, HK_KEY_LEN, (const unsigned char *)msg,
	    strlen(msg), mac, &len) == NULL || len != sizeof(mac))
		hk_fatal("HMAC-SHA256 failed");
	free(msg);
	hk_hex(mac, sizeof(mac), out);
}

static void
hash_cookie(const char *cookie, unsigned char out[32])
{
	SHA256((const unsigned char *)cookie, strlen(cookie), out);
}

static enum hk_store_rc
load_admin(struct hk_db *db, struct hk_session *s)
{
	struct hk_sql_stmt *st = hk_db_prepare(db,
	    "SELECT name, coalesce(lang, '') FROM admins WHERE id = ?1");
	int rc;

	hk_sql_bind_int64(st, 1, s->admin_id);
	rc = hk_sql_step(st);
	if (rc == HK_SQL_ROW) {
		snprintf(s->admin_name, sizeof(s->admin_name), "%s",
		    hk_sql_column_text(st, 0));
		snprintf(s->admin_lang, sizeof(s->admin_lang), "%s",
		    hk_sql_column_text(st, 1));
	}
	hk_db_done(st);
	if (rc == HK_SQL_DONE)
		return HK_STORE_NOT_FOUND;
	return hk_db_store_rc(db, rc);
}

enum hk_store_rc
hk_session_create(struct hk_db *db, long long admin_id,
    char cookie_r[HK_TOKEN_HEX + 1], struct hk_session *s)
{
	struct hk_sql_stmt *st;
	long long now = (long long)time(NULL);
	enum hk_store_rc rc;

	memset(s, 0, sizeof(*s));
	s->admin_id = admin_id;
	hk_token_new(cookie_r);
	hk_token_new(s->csrf);
	hash_cookie(cookie_r, s->id_hash);

	/* Sessions past either limit are swept here, where we write anyway. */
	st = hk_db_prepare(db, "DELETE FROM sessions WHERE seen_at < ?1 OR created_at < ?2");
	hk_sql_bind_int64(st, 1, now - HK_SESSION_IDLE_SECS);
	hk_sql_bind_int64(st, 2, now - HK_SESSION_MAX_SECS);
	rc = hk_db_store_rc(db, hk_sql_step(st));
	hk_db_done(st);
	if (rc != HK_STORE_OK)
		return rc;

	st = hk_db_prepare(db, "INSERT INTO sessions (id_hash, admin_id, csrf, "
	    "created_at, seen_at) VALUES (?1, ?2, ?3, ?4, ?4)");
	hk_sql_bind_blob(st, 1, s->id_hash, sizeof(s->id_hash));
	hk_sql_bind_int64(st, 2, admin_id);
	hk_sql_bind_text(st, 3, s->csrf);
	hk_sql_bind_int64(st, 4, now);
	rc = hk_db_store_rc(db, hk_sql_step(st));
	hk_db_done(st);
	if (rc != HK_STORE_OK)
		return rc;
	return load_admin(db, s);
}

enum hk_store_rc
hk_session_lookup(struct hk_db *db, const char *cookie, struct hk_session *s)
{
	struct hk_sql_stmt *st;
	long long now = (long long)time(NULL), created = 0, seen = 0;
	int rc;

	memset(s, 0, sizeof(*s));
	if (!token_wellformed(cookie))
		return HK_STORE_NOT_FOUND;
	hash_cookie(cookie, s->id_hash);
	st = hk_db_prepare(db, "SELECT admin_id, csrf, created_at, seen_at "
	    "FROM sessions WHERE id_hash = ?1");
	hk_sql_bind_blob(st, 1, s->id_hash, sizeof(s->id_hash));
	rc = hk_sql_step(st);
	if (rc == HK_SQL_ROW) {
		s->admin_id = hk_sql_column_int64(st, 0);
		snprintf(s->csrf, sizeof(s->csrf), "%s",
		    hk_sql_column_text(st, 1));
		created = hk_sql_column_int64(st, 2);
		seen = hk_sql_column_int64(st, 3);
	}
	hk_db_done(st);
	if (rc == HK_SQL_DONE)
		return HK_STORE_NOT_FOUND;
	if (rc != HK_SQL_ROW)
		return hk_db_store_rc(db, rc);
	if (seen < now - HK_SESSION_IDLE_SECS || created < now - HK_SESSION_MAX_SECS) {
		(void)hk_session_destroy(db, s);
		return HK_STORE_NOT_FOUND;
	}
	/* Touch at most once a minute: a write per request would serialise
	 * every reader behind the WAL lock for nothing. */
	if (now - seen >= 60) {
		/* Best effort, and never waiting: a page view must not stall
		 * for the busy timeout behind another process's write lock.
		 * A skipped touch is retried on the next request. */
		hk_sql_lock_wait(hk_db_sql(db), false);
		st = hk_db_prepare(db, "UPDATE sessions SET seen_at = ?2 WHERE id_hash = ?1");
		hk_sql_bind_blob(st, 1, s->id_hash, sizeof(s->id_hash));
		hk_sql_bind_int64(st, 2, now);
		(void)hk_sql_step(st);
		hk_db_done(st);
		hk_sql_lock_wait(hk_db_sql(db), true);
	}
	return load_admin(db, s);
}

enum hk_store_rc
hk_session_destroy(struct hk_db *db, const struct hk_session *s)
{
	struct hk_sql_stmt *st = hk_db_prepare(db, "DELETE FROM sessions WHERE id_hash = ?1");
	enum hk_store_rc rc;

	hk_sql_bind_blob(st, 1, s->id_hash, sizeof(s->id_hash));
	rc = hk_db_store_rc(db, hk_sql_step(st));
	hk_db_done(st);
	return rc;
}
