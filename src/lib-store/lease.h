/* lease.h - who fetches which mail account, and when (docs/MAIL.md,
 * "Receiving at scale").  One row per account in fetch_schedule.
 *
 * A fetcher claims one account at a time: the claim gives it a lease (an
 * owner name and an end time) on an account that is due and whose lease is
 * free or expired.  While it fetches it renews the lease; when it is done
 * it releases the lease and sets when the account is due again.  A fetcher
 * that dies stops renewing: its lease expires and any other fetcher may
 * claim the account.  Two fetchers never hold one account's lease at once:
 * the claim is one conditional UPDATE that succeeds only while the lease
 * is free or expired (under SQLite's write lock; on PostgreSQL the row is
 * chosen with SELECT ... FOR UPDATE SKIP LOCKED, then the same UPDATE).
 *
 * Times are unix seconds given by the caller (the hosts' clocks must agree
 * to well within a lease).  The SQL is plain: integers for times, no
 * database-specific function.
 *
 * Every function returns HK_STORE_OK, HK_STORE_NOT_FOUND where stated,
 * HK_STORE_BUSY (the database stayed locked: try again later) or
 * HK_STORE_ERROR (logged).  None keeps a transaction open.
 */
#ifndef HK_LEASE_H
#define HK_LEASE_H

#include <stddef.h>

#include "db.h"
#include "storerc.h"

/* Room for an owner name: "host:pid:16 hex digits". */
#define HK_LEASE_OWNER_MAX 320

/* A name for this process's leases, unique among all processes on all
 * hosts: host name, process id and 64 random bits. */
void hk_lease_owner_make(char *out, size_t outlen);

/* Which accounts a claim may take: those due by due_by (next_fetch_at <=
 * due_by) and whose last claim began before claimed_before.  A service
 * passes (now, HK_LEASE_ANY); a run that fetches every account once
 * passes (HK_LEASE_ANY, its start): an account claimed since it started,
 * by whichever process, counts as done. */
#define HK_LEASE_ANY 0x7fffffffffffffffLL
struct hk_lease_want {
	long long due_by;
	long long claimed_before;
};

/* Claims the due account (earliest next_fetch_at first) whose lease is
 * free or expired at now, for lease_s seconds; *account_id_r is set.
 * Accounts without a schedule row get one (due at once) first.
 * HK_STORE_NOT_FOUND: none is due and free. */
enum hk_store_rc hk_lease_claim(struct hk_db *db, const char *owner,
    long long now, int lease_s, const struct hk_lease_want *want,
    long long *account_id_r);

/* Claims account_id whatever its schedule, unless another owner's lease
 * on it is still running (HK_STORE_NOT_FOUND). */
enum hk_store_rc hk_lease_claim_account(struct hk_db *db, const char *owner,
    long long now, int lease_s, long long account_id);

/* A crashed fetch on this host leaves its lease until it expires.  The
 * caller holding the account's fetch lock on this host (so no live fetch
 * here has it) may take such a lease over at once:
 * hk_lease_holder copies the current holder ("" when free) into out;
 * hk_lease_holder_gone is true when holder names this host and a process
 * that no longer exists; hk_lease_take_over moves the lease from dead to
 * owner (HK_STORE_NOT_FOUND: it changed hands meanwhile). */
enum hk_store_rc hk_lease_holder(struct hk_db *db, long long account_id,
    char *out, size_t outlen);
bool hk_lease_holder_gone(const char *holder);
enum hk_store_rc hk_lease_take_over(struct hk_db *db, const char *owner,
    const char *dead, long long now, int lease_s, long long account_id);

/* Moves the end of owner's lease on account_id to now + lease_s.
 * HK_STORE_NOT_FOUND: owner no longer holds it (it expired and another
 * fetcher claimed the account, or the account was deleted). */
enum hk_store_rc hk_lease_renew(struct hk_db *db, const char *owner,
    long long account_id, long long now, int lease_s);

/* Ends owner's lease on account_id: due again at next_at (or when it was
 * due before, for HK_LEASE_UNCHANGED: a one-off run leaves a service's
 * schedule alone), the run's end (now) and exit status recorded.
 * HK_STORE_NOT_FOUND: owner no longer held it (nothing is changed). */
#define HK_LEASE_UNCHANGED (-1LL)
enum hk_store_rc hk_lease_release(struct hk_db *db, const char *owner,
    long long account_id, long long now, long long next_at, int exit_code);

/* When the next claim can succeed: the earliest time at which an account
 * is due and its lease ends.  HK_STORE_NOT_FOUND: no account at all. */
enum hk_store_rc hk_lease_next_due(struct hk_db *db, long long *at_r);

#endif
