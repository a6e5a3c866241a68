/* throttle.h - sign-in throttling: slows password guessing, from one
 * address or from many, without handing anyone a way to keep an
 * administrator out (docs/CONFIGURATION.md, "Sign-in throttling").
 *
 * Three counters of failed sign-ins, kept in login_throttle:
 *
 *   pair     one name from one address        HK_THROTTLE_FREE_PAIR free
 *   address  any names from one address       HK_THROTTLE_FREE_ADDR free
 *   name     one name from every address      HK_THROTTLE_FREE_NAME free
 *
 * Past its free failures, a counter makes the next attempt wait
 * 2^(failures - free + 1) seconds after its last failure (2, 4, 8 ...), at
 * most HK_THROTTLE_MAX_SECS.  The pair and address counters hold back every
 * attempt they cover.  The name counter (distributed guessing) holds back
 * only attempts from addresses that have failed for that name at least
 * HK_THROTTLE_NAME_GRACE times themselves: an attacker elsewhere cannot
 * keep the administrator out of an address that has not been guessing
 * (one typo allowed).  A day without any failure forgets every counter; a
 * sign-in clears its own pair counter only.
 *
 * An IPv6 address counts by its /64 (one host usually holds all of it);
 * other addresses count as given.  Errors of the database are logged and
 * never block a sign-in: the throttle is a brake, not a lock.
 */
#ifndef HK_THROTTLE_H
#define HK_THROTTLE_H

#include "db.h"

#define HK_THROTTLE_FREE_PAIR 5
#define HK_THROTTLE_FREE_ADDR 20
#define HK_THROTTLE_FREE_NAME 50
#define HK_THROTTLE_NAME_GRACE 2
#define HK_THROTTLE_MAX_SECS 900
#define HK_THROTTLE_FORGET_SECS 86400

enum hk_throttle_counter {
	HK_THROTTLE_NONE,
	HK_THROTTLE_PAIR,
	HK_THROTTLE_ADDR,
	HK_THROTTLE_NAME,
};

/* Seconds an attempt to sign in as user from addr (either may be NULL)
 * must still wait, 0 to go ahead; *counter_r (may be NULL) names the
 * counter that holds it back (the longest wait). */
long hk_throttle_wait(struct hk_db *db, const char *user, const char *addr,
    enum hk_throttle_counter *counter_r);

/* Counts a failed sign-in.  A counter that reaches its free failures is
 * recorded in the audit trail (actor: the address; action "throttle";
 * object: the name tried), once per episode. */
void hk_throttle_failed(struct hk_db *db, const char *user, const char *addr);

/* A sign-in succeeded: forgets this name's failures from this address. */
void hk_throttle_succeeded(struct hk_db *db, const char *user,
    const char *addr);

/* "name+address", "address", "name" or "none" (for logs). */
const char *hk_throttle_counter_name(enum hk_throttle_counter c);

#endif
