/* ctl_fetch.h - what `hikyakuctl fetch` for one account (ctl_mail.c) and
 * for all accounts with leases (ctl_fetchall.c) share. */
#ifndef HK_CTL_FETCH_H
#define HK_CTL_FETCH_H

#include <signal.h>
#include <stdbool.h>

#include "conf.h"
#include "ctl_breaker.h"
#include "db.h"
#include "fetch.h"
#include "keyfile.h"
#include "lease.h"
#include "modload.h"

/* Set by SIGTERM and SIGINT: finish the current message's batch, then
 * stop (docs/MAIL.md). */
extern volatile sig_atomic_t ctl_fetch_stop;

/* One account's lease while it is fetched: renewed between messages. */
struct ctl_lease {
	struct hk_db *db;
	const char *owner;
	long long account_id;	/* 0: fetch_one claims it by name */
	int lease_s;
	long long renewed_at;
	bool lost;		/* another fetcher took the account over */
};

struct ctl_fetch_opts {
	bool keep;
	unsigned int batch;	/* 0: the default */
	int jobs;		/* worker processes, at least 1 */
	bool loop;
	int interval;		/* seconds between two runs of one account */
	struct ctl_breaker *breaker;	/* fetch --all: servers that did not
					 * answer (NULL: none) */
};

/* Fetches one account (by name, or by id when name is NULL) under its
 * lock file and, when lease is not NULL, renewing that lease.  Prints its
 * summary line; adds its counts to *total.  Returns its exit code. */
int ctl_fetch_one(const struct hk_config *cfg, struct hk_db *db,
    const unsigned char key[HK_KEY_LEN], const struct hk_modset *mods,
    const char *name, long long id, const struct ctl_fetch_opts *o,
    struct ctl_lease *lease, struct hk_fetch_result *total);

/* Opens the key and the database (schema current).  0 or the exit code,
 * the reason printed. */
int ctl_open_store(const struct hk_config *cfg, unsigned char key[HK_KEY_LEN],
    struct hk_db **db_r);

/* fetch --all [--jobs N] [--loop]: claims due accounts through leases and
 * fetches them, in N processes (ctl_fetchall.c).  The exit code. */
int ctl_fetch_all(const struct hk_config *cfg,
    const unsigned char key[HK_KEY_LEN], const struct hk_modset *mods,
    const struct ctl_fetch_opts *o);

#endif
