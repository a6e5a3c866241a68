/* throttle.c - sign-in throttling by (name, address), address and name;
 * the policy is in throttle.h. */
#include "config.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "audit.h"
#include "log.h"
#include "mem.h"
#include "throttle.h"

/* What is counted for one attempt: the three keys of login_throttle. */
struct keys {
	char *pair, *addr, *name;
	char where[72];		/* the address as counted, for logs */
};

struct counter {
	long long failures, last;
};

static const struct {
	enum hk_throttle_counter which;
	long long free;
} limits[] = {
	{ HK_THROTTLE_PAIR, HK_THROTTLE_FREE_PAIR },
	{ HK_THROTTLE_ADDR, HK_THROTTLE_FREE_ADDR },
	{ HK_THROTTLE_NAME, HK_THROTTLE_FREE_NAME },
};

const char *
hk_throttle_counter_name(enum hk_throttle_counter c)
{
	switch (c) {
	case HK_THROTTLE_PAIR: return "name+address";
	case HK_THROTTLE_ADDR: return "address";
	case HK_THROTTLE_NAME: return "name";
	case HK_THROTTLE_NONE: break;
	}
	return "none";
}

static void
lower(char *s)
{
	for (; *s; s++)
		*s = (char)tolower((unsigned char)*s);
}

/* An IPv6 address by its /64 (a single host is commonly given a whole
 * /64, so counting each address would give it 2^64 fresh starts), an
 * IPv4-mapped one as IPv4, anything else as given. */
static void
addr_as_counted(const char *addr, char out[72])
{
	struct in6_addr a6;
	char text[INET6_ADDRSTRLEN];

	if (addr != NULL && inet_pton(AF_INET6, addr, &a6) == 1) {
		if (IN6_IS_ADDR_V4MAPPED(&a6)) {
			if (inet_ntop(AF_INET, &a6.s6_addr[12], out, 72) != NULL)
				return;
		} else {
			memset(&a6.s6_addr[8], 0, 8);
			if (inet_ntop(AF_INET6, &a6, text, sizeof(text)) != NULL) {
				snprintf(out, 72, "%s/64", text);
				return;
			}
		}
	}
	snprintf(out, 72, "%.64s", addr != NULL ? addr : "");
	lower(out);
}

static void
keys_make(struct keys *k, const char *user, const char *addr)
{
	char *name = hk_aprintf("%.128s", user != NULL ? user : "");

	/* Names compare without case, as admins.name does. */
	lower(name);
	addr_as_counted(addr, k->where);
	/* The address comes first and never holds a space. */
	k->pair = hk_aprintf("pair:%s %s", k->where, name);
	k->addr = hk_aprintf("ip:%s", k->where);
	k->name = hk_aprintf("user:%s", name);
	free(name);
}

static void
keys_free(struct keys *k)
{
	free(k->pair);
	free(k->addr);
	free(k->name);
}

static const char *
key_of(const struct keys *k, enum hk_throttle_counter c)
{
	return c == HK_THROTTLE_PAIR ? k->pair :
	    c == HK_THROTTLE_ADDR ? k->addr : k->name;
}

static struct counter
counter_get(struct hk_db *db, const char *key)
{
	struct hk_sql_stmt *st = hk_db_prepare(db,
	    "SELECT failures, last_at FROM login_throttle WHERE key = ?1");
	struct counter c = { 0, 0 };

	hk_sql_bind_text(st, 1, key);
	if (hk_sql_step(st) == HK_SQL_ROW) {
		c.failures = hk_sql_column_int64(st, 0);
		c.last = hk_sql_column_int64(st, 1);
	}
	hk_db_done(st);
	return c;
}

/* The delay after the last failure once failures >= free: 2 s, 4 s, ...
 * (from 2 s: with whole-second clocks, 1 s could round to no wait). */
static long long
delay_for(long long failures, long long free_tries)
{
	long long shift = failures - free_tries;

	if (shift < 0)
		return 0;
	if (shift >= 10)
		return HK_THROTTLE_MAX_SECS;
	return (2LL << shift) > HK_THROTTLE_MAX_SECS ? HK_THROTTLE_MAX_SECS :
	    (2LL << shift);
}

static long
counter_wait(struct counter c, long long free_tries, long long now)
{
	long long until = c.last + delay_for(c.failures, free_tries);

	return until > now ? (long)(until - now) : 0;
}

long
hk_throttle_wait(struct hk_db *db, const char *user, const char *addr,
    enum hk_throttle_counter *counter_r)
{
	long long now = (long long)time(NULL);
	enum hk_throttle_counter which = HK_THROTTLE_NONE;
	long longest = 0;
	struct counter pair;
	struct keys k;

	keys_make(&k, user, addr);
	pair = counter_get(db, k.pair);
	for (size_t i = 0; i < sizeof(limits) / sizeof(limits[0]); i++) {
		struct counter c;
		long w;

		/* An address that has not been guessing at this name is not
		 * held back by guessing elsewhere. */
		if (limits[i].which == HK_THROTTLE_NAME &&
		    pair.failures < HK_THROTTLE_NAME_GRACE)
			continue;
		c = limits[i].which == HK_THROTTLE_PAIR ? pair :
		    counter_get(db, key_of(&k, limits[i].which));
		w = counter_wait(c, limits[i].free, now);
		if (w > longest) {
			longest = w;
			which = limits[i].which;
		}
	}
	keys_free(&k);
	if (counter_r != NULL)
		*counter_r = which;
	return longest;
}

/* Adds one failure to key; returns the new count (0 on a database error,
 * which is logged). */
static long long
bump(struct hk_db *db, const char *key, long long now)
{
	struct hk_sql_stmt *st = hk_db_prepare(db,
	    "INSERT INTO login_throttle (key, failures, last_at) VALUES (?1, 1, ?2) "
	    "ON CONFLICT(key) DO UPDATE SET"
	    " failures = login_throttle.failures + 1, last_at = ?2 "
	    "RETURNING failures");
	long long n = 0;

	hk_sql_bind_text(st, 1, key);
	hk_sql_bind_int64(st, 2, now);
	if (hk_sql_step(st) == HK_SQL_ROW)
		n = hk_sql_column_int64(st, 0);
	else
		hk_warn("login throttle: %s", hk_db_errmsg(db));
	hk_db_done(st);
	return n;
}

/* A counter has just used up its free failures: say so once, in the log
 * and in the audit trail. */
static void
record_onset(struct hk_db *db, const struct keys *k, const char *user,
    enum hk_throttle_counter which, long long failures)
{
	const char *what = hk_throttle_counter_name(which);
	char *details;

	hk_warn("sign-in throttling: %lld failures for %s '%.64s' from %s; "
	    "further attempts wait 2 s, doubling up to %d s", failures, what,
	    user != NULL ? user : "", k->where, HK_THROTTLE_MAX_SECS);
	details = hk_aprintf("counter: %s\nfailures: %lld\naddress: %s", what,
	    failures, k->where);
	(void)hk_audit_record(db, k->where, "throttle", "sign-in", 0,
	    user != NULL ? user : "", details);
	free(details);
}

void
hk_throttle_failed(struct hk_db *db, const char *user, const char *addr)
{
	long long now = (long long)time(NULL);
	struct hk_sql_stmt *st;
	struct keys k;

	st = hk_db_prepare(db, "DELETE FROM login_throttle WHERE last_at < ?1");
	hk_sql_bind_int64(st, 1, now - HK_THROTTLE_FORGET_SECS);
	(void)hk_sql_step(st);
	hk_db_done(st);

	keys_make(&k, user, addr);
	for (size_t i = 0; i < sizeof(limits) / sizeof(limits[0]); i++) {
		long long n = bump(db, key_of(&k, limits[i].which), now);

		if (n == limits[i].free)
			record_onset(db, &k, user, limits[i].which, n);
	}
	keys_free(&k);
}

void
hk_throttle_succeeded(struct hk_db *db, const char *user, const char *addr)
{
	struct hk_sql_stmt *st = hk_db_prepare(db,
	    "DELETE FROM login_throttle WHERE key = ?1");
	struct keys k;

	keys_make(&k, user, addr);
	hk_sql_bind_text(st, 1, k.pair);
	(void)hk_sql_step(st);
	hk_db_done(st);
	keys_free(&k);
}
