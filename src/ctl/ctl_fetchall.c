/* ctl_fetchall.c - hikyakuctl fetch --all [--jobs N] [--loop [--interval
 * SECONDS]] (docs/MAIL.md, "Receiving at scale").
 *
 * N worker processes (none forked for N = 1), each with its own database
 * connection and its own connections to the servers, each in a loop:
 * claim the next due account's lease (lease.h), fetch it, release the
 * lease with the account due again after the interval.  One hanging
 * server holds up one worker, until its timeout, not the others.
 *
 * Without --loop, the run fetches every account once: an account claimed
 * since the run started, by this or by any other process, counts as done;
 * it ends when nothing is left to claim and prints a total.  With --loop
 * it sleeps until the next account is due and runs until SIGTERM/SIGINT.
 *
 * Workers report each account's counts and exit status to the parent
 * through one pipe, one record per write (shorter than PIPE_BUF, so the
 * records of several workers never mix).
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "accounts.h"
#include "ctl.h"
#include "ctl_fetch.h"
#include "mem.h"

/* The longest sleep of a loop between two looks at the schedule: a new
 * account, or a lease expired, is noticed within it. */
#define LOOP_NAP_MAX 30
/* A claim that finds the database busy is tried this many times, a
 * second apart, before a run without --loop gives up. */
#define CLAIM_TRIES 10

/* One account's outcome, worker -> parent. */
struct rec {
	long long account_id;	/* 0: the worker itself failed (rc) */
	int rc;
	unsigned long fetched, oversized, failed, recovered, deleted;
};

struct tally {
	struct hk_fetch_result total;
	long long *order;	/* account ids in list order (names) */
	size_t n_order;
	size_t first_fail;	/* index into order of the first failure */
	int first_rc;		/* its status */
	int other_rc;		/* a failure outside the list (worker, new account) */
	bool loop;		/* a service: an account's failure is only logged */
};

static void
tally_add(struct tally *t, const struct rec *r)
{
	t->total.fetched += r->fetched;
	t->total.oversized += r->oversized;
	t->total.failed += r->failed;
	t->total.recovered += r->recovered;
	t->total.deleted += r->deleted;
	if (r->rc == 0 || (t->loop && r->account_id != 0))
		return;
	for (size_t i = 0; i < t->n_order; i++)
		if (t->order[i] == r->account_id) {
			if (i < t->first_fail) {
				t->first_fail = i;
				t->first_rc = r->rc;
			}
			return;
		}
	if (t->other_rc == 0)
		t->other_rc = r->rc;
}

static int
tally_rc(const struct tally *t)
{
	return t->first_rc != 0 ? t->first_rc : t->other_rc;
}

/* Where a worker's records go: the parent's pipe, or the tally itself. */
struct sink {
	int fd;			/* -1: in this process */
	struct tally *t;
};

static void
sink_put(struct sink *s, const struct rec *r)
{
	if (s->fd < 0) {
		tally_add(s->t, r);
		return;
	}
	while (write(s->fd, r, sizeof(*r)) < 0 && errno == EINTR)
		;
}

/* Sleeps up to secs seconds; a stop signal ends it at once. */
static void
nap(long long secs)
{
	struct timespec ts = { .tv_sec = (time_t)secs };

	if (secs > 0 && !ctl_fetch_stop)
		(void)nanosleep(&ts, NULL);
}

/* The claim loop of one worker.  run_start: the start of the run (without
 * --loop, what was claimed since then is done). */
static void
worker(const struct hk_config *cfg, const unsigned char key[HK_KEY_LEN],
    const struct hk_modset *mods, const struct ctl_fetch_opts *o,
    long long run_start, struct sink *out)
{
	char owner[HK_LEASE_OWNER_MAX];
	struct hk_db *db = NULL;
	char *err = NULL;
	struct rec r;
	int busy = 0;

	hk_lease_owner_make(owner, sizeof(owner));
	if ((db = hk_db_open(cfg->database, false, &err)) == NULL) {
		fprintf(stderr, "hikyakuctl: fetch: %s\n", err);
		free(err);
		memset(&r, 0, sizeof(r));
		r.rc = HK_EXIT_CONFIG;
		sink_put(out, &r);
		return;
	}
	/* What is recorded as stored must survive a power cut before the
	 * server deletes it: every commit is synced (WAL, FULL). */
	(void)hk_db_sync_full(db);
	while (!ctl_fetch_stop) {
		long long now = (long long)time(NULL), id = 0, at = 0;
		struct hk_lease_want want = {
			.due_by = o->loop ? now : HK_LEASE_ANY,
			.claimed_before = o->loop ? HK_LEASE_ANY : run_start,
		};
		struct ctl_lease lease = { .db = db, .owner = owner,
		    .lease_s = cfg->fetch_lease_seconds };
		struct hk_fetch_result res = { 0 };
		enum hk_store_rc src = hk_lease_claim(db, owner, now,
		    cfg->fetch_lease_seconds, &want, &id);

		if (src == HK_STORE_NOT_FOUND) {
			if (!o->loop)
				break;
			/* Until the next is due, looking again now and then. */
			if (hk_lease_next_due(db, &at) != HK_STORE_OK || at > now +
			    LOOP_NAP_MAX)
				at = now + LOOP_NAP_MAX;
			nap(at > now ? at - now : 1);
			continue;
		}
		if (src != HK_STORE_OK) {
			if (!o->loop && ++busy >= CLAIM_TRIES) {
				fprintf(stderr, "hikyakuctl: fetch: cannot claim an "
				    "account: %s\n", hk_db_errmsg(db));
				memset(&r, 0, sizeof(r));
				r.rc = HK_EXIT_CONFIG;
				sink_put(out, &r);
				break;
			}
			nap(1);
			continue;
		}
		busy = 0;
		lease.account_id = id;
		memset(&r, 0, sizeof(r));
		r.account_id = id;
		r.rc = ctl_fetch_one(cfg, db, key, mods, NULL, id, o, &lease, &res);
		now = (long long)time(NULL);
		/* A lease lost meanwhile belongs to its new owner: untouched.
		 * Only a service schedules; stopped half-way, the account is
		 * due again at once. */
		(void)hk_lease_release(db, owner, id, now, !o->loop ?
		    HK_LEASE_UNCHANGED : ctl_fetch_stop ? now : now + o->interval,
		    r.rc);
		r.fetched = res.fetched;
		r.oversized = res.oversized;
		r.failed = res.failed;
		r.recovered = res.recovered;
		r.deleted = res.deleted;
		fflush(stdout);
		sink_put(out, &r);
	}
	hk_db_close(&db);
}

/* The accounts in list order, for the exit status (the first failing
 * account's, as without --jobs).  0 or the exit code. */
static int
list_order(const struct hk_config *cfg, struct tally *t)
{
	unsigned char key[HK_KEY_LEN];
	struct hk_db *db = NULL;
	struct hk_account *v = NULL;
	size_t n = 0;
	int rc;

	if ((rc = ctl_open_store(cfg, key, &db)) != 0)
		return rc;
	hk_wipe(key, sizeof(key));
	if (hk_account_list(db, NULL, &v, &n) != HK_STORE_OK) {
		fprintf(stderr, "hikyakuctl: fetch: cannot list the mail "
		    "accounts\n");
		hk_db_close(&db);
		return HK_EXIT_CONFIG;
	}
	t->order = hk_calloc(n ? n : 1, sizeof(*t->order));
	for (size_t i = 0; i < n; i++)
		t->order[i] = v[i].id;
	t->n_order = n;
	t->first_fail = SIZE_MAX;
	hk_account_list_free(&v, n);
	hk_db_close(&db);
	return 0;
}

/* Forks the workers, gathers their records until every one has ended.
 * A stop signal here is passed on to them. */
static void
run_workers(const struct hk_config *cfg, const unsigned char key[HK_KEY_LEN],
    const struct hk_modset *mods, const struct ctl_fetch_opts *o,
    long long run_start, struct tally *t)
{
	pid_t *pids = hk_calloc((size_t)o->jobs, sizeof(*pids));
	pid_t parent = getpid();
	bool passed_on = false;
	struct rec r;
	int fds[2], live = 0;

	if (pipe(fds) < 0) {
		fprintf(stderr, "hikyakuctl: fetch: pipe: %s\n", strerror(errno));
		t->other_rc = HK_EXIT_CONFIG;
		free(pids);
		return;
	}
	fflush(NULL);
	for (int i = 0; i < o->jobs; i++) {
		pid_t pid = fork();

		if (pid == 0) {
			struct sink s = { .fd = fds[1], .t = NULL };

			/* A parent killed outright takes its workers along
			 * (their leases then expire as its own would). */
			if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 ||
			    getppid() != parent)
				_exit(HK_EXIT_CONFIG);
			close(fds[0]);
			worker(cfg, key, mods, o, run_start, &s);
			fflush(NULL);
			_exit(0);
		}
		if (pid < 0) {
			fprintf(stderr, "hikyakuctl: fetch: fork: %s\n",
			    strerror(errno));
			t->other_rc = HK_EXIT_CONFIG;
			break;
		}
		pids[live++] = pid;
	}
	close(fds[1]);
	for (;;) {
		ssize_t got = read(fds[0], &r, sizeof(r));

		if (got == (ssize_t)sizeof(r))
			tally_add(t, &r);
		else if (got == 0)
			break;		/* every worker has ended */
		else if (got < 0 && errno != EINTR)
			break;
		if (ctl_fetch_stop && !passed_on) {
			for (int i = 0; i < live; i++)
				kill(pids[i], SIGTERM);
			passed_on = true;
		}
	}
	close(fds[0]);
	for (int i = 0; i < live; i++) {
		int status;

		while (waitpid(pids[i], &status, 0) < 0 && errno == EINTR)
			;
		if (!(WIFEXITED(status) && WEXITSTATUS(status) == 0) &&
		    t->other_rc == 0) {
			fprintf(stderr, "hikyakuctl: fetch: a worker process "
			    "ended abnormally\n");
			t->other_rc = HK_EXIT_CONFIG;
		}
	}
	free(pids);
}

int
ctl_fetch_all(const struct hk_config *cfg, const unsigned char key[HK_KEY_LEN],
    const struct hk_modset *mods, const struct ctl_fetch_opts *o)
{
	struct tally t = { .first_fail = SIZE_MAX, .loop = o->loop };
	long long run_start = (long long)time(NULL);
	struct ctl_fetch_opts run = *o;
	int rc;

	if ((rc = list_order(cfg, &t)) != 0)
		return rc;
	/* A server that did not answer is left alone for the rest of a run,
	 * or, in a service, until its accounts' next round. */
	run.breaker = ctl_breaker_new(o->loop ? o->interval : LLONG_MAX / 2);
	o = &run;
	/* Whole lines, so that the workers' lines never mix. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (o->jobs == 1) {
		struct sink s = { .fd = -1, .t = &t };

		worker(cfg, key, mods, o, run_start, &s);
	} else
		run_workers(cfg, key, mods, o, run_start, &t);
	if (!o->loop)
		printf("total: fetched %lu, oversized %lu, failed %lu\n",
		    t.total.fetched, t.total.oversized, t.total.failed);
	ctl_breaker_free(run.breaker);
	free(t.order);
	return tally_rc(&t);
}
