/* lease.c - fetch leases in fetch_schedule (lease.h).
 *
 * Every statement here is plain SQL that PostgreSQL runs unchanged, but
 * for the choice of the row in claim_pick (see there). */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dbutil.h"
#include "lease.h"
#include "mem.h"

void
hk_lease_owner_make(char *out, size_t outlen)
{
	char host[256];
	unsigned char r[8];

	if (gethostname(host, sizeof(host)) < 0)
		strcpy(host, "?");
	host[sizeof(host) - 1] = '\0';
	hk_random(r, sizeof(r));
	snprintf(out, outlen, "%s:%ld:%02x%02x%02x%02x%02x%02x%02x%02x", host,
	    (long)getpid(), r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7]);
}

/* Gives every account without a schedule row one, due at once.  Runs
 * inside the claim's transaction; two processes doing it at once on
 * PostgreSQL meet in ON CONFLICT, not in an error. */
static int
add_missing(struct hk_db *db)
{
	struct hk_sql_stmt *st = hk_db_prepare(db,
	    "INSERT INTO fetch_schedule (account_id, next_fetch_at, lease_owner,"
	    " lease_until, claimed_at)"
	    " SELECT a.id, 0, NULL, 0, 0 FROM mail_accounts a WHERE NOT EXISTS"
	    " (SELECT 1 FROM fetch_schedule f WHERE f.account_id = a.id)"
	    " ON CONFLICT DO NOTHING");
	int rc = hk_sql_step(st);

	hk_db_done(st);
	return rc;
}

/* The candidate row.  On PostgreSQL this SELECT ends in FOR UPDATE SKIP
 * LOCKED, so that concurrent claimers pass over each other's candidates
 * instead of waiting; on SQLite the claim's BEGIN IMMEDIATE already makes
 * claimers take turns.  HK_SQL_ROW with *id_r, HK_SQL_DONE: none. */
static int
claim_pick(struct hk_db *db, long long now, const struct hk_lease_want *w,
    long long *id_r)
{
#define PICK "SELECT account_id FROM fetch_schedule" \
	    " WHERE next_fetch_at <= ?1 AND claimed_at < ?2" \
	    " AND (lease_owner IS NULL OR lease_until <= ?3)" \
	    " ORDER BY next_fetch_at, account_id LIMIT 1"
	struct hk_sql_stmt *st = hk_db_prepare(db,
	    hk_sql_backend(hk_db_sql(db)) == HK_SQL_PGSQL ?
	    PICK " FOR UPDATE SKIP LOCKED" : PICK);
#undef PICK
	int rc;

	hk_sql_bind_int64(st, 1, w->due_by);
	hk_sql_bind_int64(st, 2, w->claimed_before);
	hk_sql_bind_int64(st, 3, now);
	rc = hk_sql_step(st);
	if (rc == HK_SQL_ROW)
		*id_r = hk_sql_column_int64(st, 0);
	hk_db_done(st);
	return rc;
}

/* The claim itself: succeeds only while the lease is free or expired, so
 * that it is safe whatever chose the row.  *taken_r: whether it did. */
static int
claim_row(struct hk_db *db, const char *owner, long long now, int lease_s,
    long long id, bool *taken_r)
{
	struct hk_sql_stmt *st = hk_db_prepare(db,
	    "UPDATE fetch_schedule SET lease_owner = ?1, lease_until = ?2,"
	    " claimed_at = ?3"
	    " WHERE account_id = ?4 AND (lease_owner IS NULL OR lease_until <= ?3)");
	int rc;

	hk_sql_bind_text(st, 1, owner);
	hk_sql_bind_int64(st, 2, now + lease_s);
	hk_sql_bind_int64(st, 3, now);
	hk_sql_bind_int64(st, 4, id);
	rc = hk_sql_step(st);
	*taken_r = rc == HK_SQL_DONE &&
	    hk_sql_changes(hk_db_sql(db)) == 1;
	hk_db_done(st);
	return rc;
}

/* Ends a claim's transaction: commits when rc is a success, else rolls
 * back.  The outcome as a store result. */
static enum hk_store_rc
finish(struct hk_db *db, int rc)
{
	if (rc == HK_SQL_OK || rc == HK_SQL_DONE || rc == HK_SQL_ROW) {
		rc = hk_db_commit(db);
		if (rc == HK_SQL_OK)
			return HK_STORE_OK;
	}
	hk_db_rollback(db);
	return hk_db_store_rc(db, rc);
}

enum hk_store_rc
hk_lease_claim(struct hk_db *db, const char *owner, long long now,
    int lease_s, const struct hk_lease_want *want, long long *account_id_r)
{
	long long id = 0;
	bool taken = false;
	enum hk_store_rc src;
	int rc = hk_db_begin(db);

	if (rc != HK_SQL_OK)
		return hk_db_store_rc(db, rc);
	if ((rc = add_missing(db)) == HK_SQL_DONE &&
	    (rc = claim_pick(db, now, want, &id)) == HK_SQL_ROW)
		rc = claim_row(db, owner, now, lease_s, id, &taken);
	src = finish(db, rc);
	if (src != HK_STORE_OK)
		return src;
	if (!taken)
		return HK_STORE_NOT_FOUND;
	*account_id_r = id;
	return HK_STORE_OK;
}

enum hk_store_rc
hk_lease_claim_account(struct hk_db *db, const char *owner, long long now,
    int lease_s, long long account_id)
{
	bool taken = false;
	enum hk_store_rc src;
	int rc = hk_db_begin(db);

	if (rc != HK_SQL_OK)
		return hk_db_store_rc(db, rc);
	if ((rc = add_missing(db)) == HK_SQL_DONE)
		rc = claim_row(db, owner, now, lease_s, account_id, &taken);
	src = finish(db, rc);
	if (src != HK_STORE_OK)
		return src;
	return taken ? HK_STORE_OK : HK_STORE_NOT_FOUND;
}

/* Runs st (its parameters bound) as one statement changing at most one
 * row: HK_STORE_OK when it changed one, else HK_STORE_NOT_FOUND. */
static enum hk_store_rc
one_row(struct hk_db *db, struct hk_sql_stmt *st)
{
	int rc = hk_sql_step(st);
	bool changed = rc == HK_SQL_DONE &&
	    hk_sql_changes(hk_db_sql(db)) == 1;

	hk_db_done(st);
	if (rc != HK_SQL_DONE)
		return hk_db_store_rc(db, rc);
	return changed ? HK_STORE_OK : HK_STORE_NOT_FOUND;
}

enum hk_store_rc
hk_lease_holder(struct hk_db *db, long long account_id, char *out,
    size_t outlen)
{
	struct hk_sql_stmt *st = hk_db_prepare(db,
	    "SELECT lease_owner FROM fetch_schedule WHERE account_id = ?1");
	int rc;

	out[0] = '\0';
	hk_sql_bind_int64(st, 1, account_id);
	rc = hk_sql_step(st);
	if (rc == HK_SQL_ROW)
		snprintf(out, outlen, "%s", hk_sql_column_text(st, 0));
	hk_db_done(st);
	return rc == HK_SQL_ROW || rc == HK_SQL_DONE ? HK_STORE_OK :
	    hk_db_store_rc(db, rc);
}

bool
hk_lease_holder_gone(const char *holder)
{
	char host[256];
	const char *colon = strchr(holder, ':');
	char *end;
	long pid;

	if (colon == NULL || gethostname(host, sizeof(host)) < 0)
		return false;
	host[sizeof(host) - 1] = '\0';
	if ((size_t)(colon - holder) != strlen(host) ||
	    strncmp(holder, host, strlen(host)) != 0)
		return false;
	errno = 0;
	pid = strtol(colon + 1, &end, 10);
	if (errno != 0 || end == colon + 1 || *end != ':' || pid <= 0)
		return false;
	/* A reused pid reads as alive: the safe side (wait for the expiry). */
	return kill((pid_t)pid, 0) < 0 && errno == ESRCH;
}

enum hk_store_rc
hk_lease_take_over(struct hk_db *db, const char *owner, const char *dead,
    long long now, int lease_s, long long account_id)
{
	struct hk_sql_stmt *st = hk_db_prepare(db,
	    "UPDATE fetch_schedule SET lease_owner = ?1, lease_until = ?2,"
	    " claimed_at = ?3 WHERE account_id = ?4 AND lease_owner = ?5");

	hk_sql_bind_text(st, 1, owner);
	hk_sql_bind_int64(st, 2, now + lease_s);
	hk_sql_bind_int64(st, 3, now);
	hk_sql_bind_int64(st, 4, account_id);
	hk_sql_bind_text(st, 5, dead);
	return one_row(db, st);
}

enum hk_store_rc
hk_lease_renew(struct hk_db *db, const char *owner, long long account_id,
    long long now, int lease_s)
{
	struct hk_sql_stmt *st = hk_db_prepare(db,
	    "UPDATE fetch_schedule SET lease_until = ?1"
	    " WHERE account_id = ?2 AND lease_owner = ?3");

	hk_sql_bind_int64(st, 1, now + lease_s);
	hk_sql_bind_int64(st, 2, account_id);
	hk_sql_bind_text(st, 3, owner);
	return one_row(db, st);
}

enum hk_store_rc
hk_lease_release(struct hk_db *db, const char *owner, long long account_id,
    long long now, long long next_at, int exit_code)
{
	struct hk_sql_stmt *st = hk_db_prepare(db,
	    "UPDATE fetch_schedule SET lease_owner = NULL, lease_until = 0,"
	    " next_fetch_at = COALESCE(?1, next_fetch_at), done_at = ?2,"
	    " last_exit = ?3"
	    " WHERE account_id = ?4 AND lease_owner = ?5");

	if (next_at >= 0)
		hk_sql_bind_int64(st, 1, next_at);	/* unbound: NULL */
	hk_sql_bind_int64(st, 2, now);
	hk_sql_bind_int64(st, 3, exit_code);
	hk_sql_bind_int64(st, 4, account_id);
	hk_sql_bind_text(st, 5, owner);
	return one_row(db, st);
}

enum hk_store_rc
hk_lease_next_due(struct hk_db *db, long long *at_r)
{
	struct hk_sql_stmt *st = hk_db_prepare(db,
	    "SELECT MIN(CASE WHEN lease_owner IS NOT NULL"
	    " AND lease_until > next_fetch_at THEN lease_until"
	    " ELSE next_fetch_at END) FROM fetch_schedule");
	int rc = hk_sql_step(st);
	enum hk_store_rc src = HK_STORE_NOT_FOUND;

	if (rc == HK_SQL_ROW && !hk_sql_column_is_null(st, 0)) {
		*at_r = hk_sql_column_int64(st, 0);
		src = HK_STORE_OK;
	} else if (rc != HK_SQL_ROW)
		src = hk_db_store_rc(db, rc);
	hk_db_done(st);
	return src;
}
