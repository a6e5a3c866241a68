/* ctl_mail.c - hikyakuctl send and fetch (docs/MAIL.md).
 *
 *   hikyakuctl send --account NAME --from ADDR --to ADDR [--to ADDR...]
 *   hikyakuctl fetch (--account NAME | --all [--jobs N] [--loop
 *       [--interval SECONDS]]) [--keep] [--batch N]
 *
 * send reads the RFC 5322 message on standard input, prints each reply of
 * the server (MAIL, every RCPT, DATA) on standard output and one line on
 * standard error when it fails.  fetch prints one summary line per
 * account ("ACCOUNT: fetched N, oversized M, failed K") and, with --all,
 * a total; each failed message and each failed account gets one line on
 * standard error.  Both record the server's health (health.h).  fetch
 * --all is ctl_fetchall.c: leases, worker processes, the service loop.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "accounts.h"
#include "ctl.h"
#include "ctl_fetch.h"
#include "db.h"
#include "fetch.h"
#include "health.h"
#include "maildir_place.h"
#include "keyfile.h"
#include "mem.h"
#include "modload.h"
#include "oauth2_token.h"
#include "send.h"
#include "server_store.h"
#include "servers.h"
#include "validate.h"

/* Sending allows more time than one connection test's end: the message
 * may be large.  Receiving many messages takes longer still. */
#define SEND_TOTAL_MS (10 * 60 * 1000)
#define FETCH_TOTAL_MS (30 * 60 * 1000)

volatile sig_atomic_t ctl_fetch_stop;

static void
on_stop(int sig)
{
	(void)sig;
	ctl_fetch_stop = 1;
}

int
ctl_open_store(const struct hk_config *cfg, unsigned char key[HK_KEY_LEN],
    struct hk_db **db_r)
{
	char *err = NULL;

	if (hk_keyfile_read(cfg->secret_key, key, &err) < 0) {
		fprintf(stderr, "hikyakuctl: %s\n", err);
		free(err);
		return HK_EXIT_CONFIG;
	}
	if ((*db_r = hk_db_open(cfg->database, false, &err)) == NULL) {
		fprintf(stderr, "hikyakuctl: %s\n", err);
		free(err);
		return HK_EXIT_CONFIG;
	}
	if (hk_db_schema_version(*db_r) != hk_db_schema_latest()) {
		fprintf(stderr, "hikyakuctl: %s: the schema is not current "
		    "(run 'hikyakuctl init')\n", cfg->database);
		hk_db_close(db_r);
		return HK_EXIT_CONFIG;
	}
	return 0;
}

/* Loads account name and its server, both with secrets.  0 or the exit
 * code (the line printed). */
static int
load_account(struct hk_db *db, const unsigned char key[HK_KEY_LEN],
    const char *name, long long id, struct hk_account *a, struct hk_server *s)
{
	enum hk_store_rc rc = name != NULL ?
	    hk_account_find_by_name(db, key, name, true, a) :
	    hk_account_load(db, key, id, true, a);

	if (rc == HK_STORE_NOT_FOUND) {
		fprintf(stderr, "hikyakuctl: no mail account '%s'\n",
		    name ? name : "?");
		return HK_EXIT_CONFIG;
	}
	/* No password at all is for the send and receive paths to judge:
	 * an account of a server that signs in with OAuth 2.0 needs none. */
	if (rc != HK_STORE_OK) {
		fprintf(stderr, "hikyakuctl: the password of mail account '%s' "
		    "cannot be read (set it again)\n", a->name ? a->name : name);
		return HK_EXIT_CONFIG;
	}
	rc = hk_server_load(db, key, a->server_id, true, s);
	if (rc != HK_STORE_OK) {
		fprintf(stderr, "hikyakuctl: the mail server of account '%s' "
		    "cannot be read%s\n", a->name, rc == HK_STORE_ERROR ?
		    " (its stored SMTP password does not decrypt: set it again)" :
		    "");
		return HK_EXIT_CONFIG;
	}
	return 0;
}

/* ---- send ------------------------------------------------------------------- */

static int
send_usage(void)
{
	fputs("usage: hikyakuctl send --account NAME --from ADDR --to ADDR "
	    "[--to ADDR...] < message\n", stderr);
	return HK_EXIT_USAGE;
}

int
ctl_send(const struct hk_config *cfg, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "account", required_argument, NULL, 'a' },
		{ "from", required_argument, NULL, 'f' },
		{ "to", required_argument, NULL, 't' },
		{ NULL, 0, NULL, 0 },
	};
	const char *account = NULL, *from = NULL;
	char **to = NULL;
	size_t n_to = 0;
	unsigned char key[HK_KEY_LEN];
	struct hk_db *db = NULL;
	struct hk_account a = { 0 };
	struct hk_server s = { 0 };
	struct hk_modset *mods = NULL;
	struct hk_buf msg = HK_BUF_INIT;
	struct hk_send_canon k;
	struct hk_send_params p;
	struct hk_oauth2_src oauth2;
	struct hk_send_result res = { 0 };
	char buf[65536];
	size_t n;
	int c, rc = HK_EXIT_USAGE;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'a': account = optarg; break;
		case 'f': from = optarg; break;
		case 't':
			to = hk_realloc(to, (n_to + 1) * sizeof(*to));
			to[n_to++] = optarg;
			break;
		default:
			free(to);
			return send_usage();
		}
	}
	if (optind != argc || account == NULL || from == NULL || n_to == 0) {
		free(to);
		return send_usage();
	}
	/* Addresses: RFC 5321 mailboxes (the sender may be empty: <>). */
	if (*from != '\0' && !hk_valid_mailbox(from)) {
		fprintf(stderr, "hikyakuctl: send: --from '%s' is not a mail "
		    "address\n", from);
		goto out_usage;
	}
	for (size_t i = 0; i < n_to; i++)
		if (!hk_valid_mailbox(to[i])) {
			fprintf(stderr, "hikyakuctl: send: --to '%s' is not a mail "
			    "address\n", to[i]);
			goto out_usage;
		}
	signal(SIGPIPE, SIG_IGN);
	if ((rc = ctl_open_store(cfg, key, &db)) != 0)
		goto out;
	if ((rc = load_account(db, key, account, 0, &a, &s)) != 0)
		goto out;

	/* The message, in canonical form; past the limit only counted. */
	hk_send_canon_init(&k, s.send_limit > 0 ?
	    (unsigned long long)s.send_limit + 1 : 0);
	while ((n = fread(buf, 1, sizeof(buf), stdin)) > 0)
		hk_send_canon_feed(&k, buf, n, &msg);
	if (ferror(stdin)) {
		fprintf(stderr, "hikyakuctl: send: reading the message: %s\n",
		    strerror(errno));
		rc = HK_EXIT_CONFIG;
		goto out;
	}
	hk_send_canon_end(&k, &msg);
	if (k.size == 0 || msg.len == 0) {
		fprintf(stderr, "hikyakuctl: send: the message on standard input "
		    "is empty\n");
		rc = HK_EXIT_USAGE;
		goto out;
	}

	mods = hk_modset_load(cfg->module_dir);
	oauth2 = (struct hk_oauth2_src){ db, key, cfg->ca_file };
	memset(&p, 0, sizeof(p));
	p.srv = &s;
	p.acct = &a;
	p.mods = mods;
	p.oauth2 = &oauth2;
	p.from = from;
	p.to = (const char *const *)to;
	p.n_to = n_to;
	p.msg = msg.data;
	/* Over the limit, msg holds only the start: the size is k.size. */
	p.len = k.keep > 0 && k.size > msg.len ? (size_t)k.size : msg.len;
	p.to_ms = hk_net_timeouts_default;
	p.to_ms.total_ms = SEND_TOTAL_MS;
	p.report = stdout;
	rc = hk_send_run(&p, &res);
	if (rc == 0) {
		printf("sent %llu bytes to %zu recipient%s through %s%s\n",
		    k.size, res.accepted, res.accepted == 1 ? "" : "s", s.name,
		    res.token_refreshed ? " (OAuth 2.0 token refreshed)" : "");
		hk_health_record(db, s.id, HK_HEALTH_SEND, true, NULL, NULL);
	} else {
		fprintf(stderr, "hikyakuctl: send: %s\n", res.error ? res.error :
		    "failed");
		if (res.server_fault)
			hk_health_record(db, s.id, HK_HEALTH_SEND, false, res.error,
			    res.reply);
		else if (rc == HK_EXIT_SIZE && res.reply != NULL)
			/* The server answered: it is alive, the message too big. */
			hk_health_record(db, s.id, HK_HEALTH_SEND, true, NULL, NULL);
	}
	goto out;
out_usage:
	rc = HK_EXIT_USAGE;
out:
	hk_send_result_clear(&res);
	hk_buf_free(&msg);
	hk_account_clear(&a);
	hk_server_clear(&s);
	hk_modset_free(&mods);
	hk_db_close(&db);
	hk_wipe(key, sizeof(key));
	free(to);
	return rc;
}

/* ---- fetch -------------------------------------------------------------------- */

static int
fetch_usage(void)
{
	fputs("usage: hikyakuctl fetch (--account NAME | --all [--jobs N] "
	    "[--loop [--interval SECONDS]]) [--keep] [--batch N]\n", stderr);
	return HK_EXIT_USAGE;
}

/* Renews the lease now and then (a third of its length apart), so that
 * a slow fetch that is alive keeps its account; false once another
 * fetcher has taken the account over (the lease had expired). */
static bool
lease_going_on(void *arg)
{
	struct ctl_lease *l = arg;
	long long now = (long long)time(NULL);
	int every = l->lease_s / 3 > 0 ? l->lease_s / 3 : 1;
	enum hk_store_rc rc;

	if (l->lost)
		return false;
	if (now - l->renewed_at < every)
		return true;
	rc = hk_lease_renew(l->db, l->owner, l->account_id, now, l->lease_s);
	if (rc == HK_STORE_OK)
		l->renewed_at = now;
	else if (rc == HK_STORE_NOT_FOUND)
		l->lost = true;
	/* Busy: try again at the next message; the lease runs a while. */
	return !l->lost;
}

int
ctl_fetch_one(const struct hk_config *cfg, struct hk_db *db,
    const unsigned char key[HK_KEY_LEN], const struct hk_modset *mods,
    const char *name, long long id, const struct ctl_fetch_opts *o,
    struct ctl_lease *lease, struct hk_fetch_result *total)
{
	struct hk_account a = { 0 };
	struct hk_server s = { 0 };
	struct hk_fetch_params p;
	struct hk_oauth2_src oauth2 = { db, key, cfg->ca_file };
	struct hk_fetch_result res = { 0 };
	char *lockpath = NULL, *maildir = NULL, *err = NULL;
	int lockfd = -1, rc;
	bool claimed_here = false;
	long long since = 0, started;

	if ((rc = load_account(db, key, name, id, &a, &s)) != 0)
		goto out;
	if (ctl_breaker_tripped(o->breaker, s.id, (long long)time(NULL),
	    &since)) {
		fprintf(stderr, "hikyakuctl: fetch %s: not tried: mail server %s "
		    "did not answer another account in this run (%lld s ago); "
		    "it is tried again on the next\n", a.name, s.name,
		    (long long)time(NULL) - since);
		rc = HK_EXIT_NET;
		goto out;
	}
	/* One run per account at a time: a lock file beside the Maildirs,
	 * named by the account's id (renaming it does not matter). */
	lockpath = hk_aprintf("%s/.hikyaku-fetch-%lld.lock", cfg->mail_dir, a.id);
	lockfd = open(lockpath, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (lockfd < 0) {
		fprintf(stderr, "hikyakuctl: fetch %s: cannot open %s: %s\n", a.name,
		    lockpath, strerror(errno));
		rc = HK_EXIT_CONFIG;
		goto out;
	}
	if (flock(lockfd, LOCK_EX | LOCK_NB) < 0) {
		printf("%s: skipped: another fetch of this account is running\n",
		    a.name);
		rc = 0;
		goto out;
	}
	/* By name: its lease too, against fetchers on other hosts. */
	if (lease != NULL && lease->account_id == 0) {
		enum hk_store_rc lrc = hk_lease_claim_account(db, lease->owner,
		    (long long)time(NULL), lease->lease_s, a.id);

		if (lrc == HK_STORE_NOT_FOUND) {
			/* We hold the account's lock here: a holder on this
			 * host whose process is gone crashed mid-fetch. */
			char holder[HK_LEASE_OWNER_MAX];

			if (hk_lease_holder(db, a.id, holder, sizeof(holder)) ==
			    HK_STORE_OK && hk_lease_holder_gone(holder))
				lrc = hk_lease_take_over(db, lease->owner, holder,
				    (long long)time(NULL), lease->lease_s, a.id);
		}
		if (lrc == HK_STORE_NOT_FOUND) {
			printf("%s: skipped: another fetch of this account is "
			    "running\n", a.name);
			rc = 0;
			goto out;
		}
		if (lrc != HK_STORE_OK) {
			fprintf(stderr, "hikyakuctl: fetch %s: the database is busy "
			    "or failing (%s)\n", a.name, hk_db_errmsg(db));
			rc = HK_EXIT_CONFIG;
			goto out;
		}
		lease->account_id = a.id;
		claimed_here = true;
	}
	if (lease != NULL)
		lease->renewed_at = (long long)time(NULL);
	/* Under the lock: a pre-migration Maildir may be moved here. */
	if ((maildir = hk_maildir_place(db, cfg->mail_dir, a.id, &err)) == NULL) {
		fprintf(stderr, "hikyakuctl: fetch %s: %s\n", a.name, err);
		free(err);
		rc = HK_EXIT_CONFIG;
		goto out;
	}
	memset(&p, 0, sizeof(p));
	p.db = db;
	p.srv = &s;
	p.acct = &a;
	p.mods = mods;
	p.oauth2 = &oauth2;
	p.maildir = maildir;
	p.to_ms = hk_net_timeouts_default;
	p.to_ms.total_ms = FETCH_TOTAL_MS;
	p.keep = o->keep;
	p.batch = o->batch;
	p.stop = &ctl_fetch_stop;
	if (lease != NULL) {
		p.going_on = lease_going_on;
		p.going_on_arg = lease;
	}
	p.report = stderr;
	started = (long long)time(NULL);
	rc = hk_fetch_run(&p, &res);
	if (rc == HK_EXIT_NET && res.server_fault &&
	    (long long)time(NULL) - started >= CTL_BREAKER_SLOW_S)
		ctl_breaker_trip(o->breaker, s.id, (long long)time(NULL));
	printf("%s: fetched %lu, oversized %lu, failed %lu", a.name, res.fetched,
	    res.oversized, res.failed);
	if (res.recovered > 0)
		printf(", recovered %lu", res.recovered);
	if (res.deleted > 0)
		printf(", deleted from the server %lu", res.deleted);
	if (res.token_refreshed)
		printf(", OAuth 2.0 token refreshed");
	putchar('\n');
	if (rc != 0)
		fprintf(stderr, "hikyakuctl: fetch %s: %s\n", a.name,
		    res.error ? res.error : "failed");
	if (lease != NULL && lease->lost)
		fprintf(stderr, "hikyakuctl: fetch %s: stopped: its lease expired "
		    "and another fetcher took the account over\n", a.name);
	if (rc == 0 || (res.server_fault && res.fetched + res.recovered > 0))
		hk_health_record(db, s.id, HK_HEALTH_RECEIVE, true, NULL, NULL);
	if (rc != 0 && res.server_fault)
		hk_health_record(db, s.id, HK_HEALTH_RECEIVE, false, res.error,
		    res.reply);
	total->fetched += res.fetched;
	total->oversized += res.oversized;
	total->failed += res.failed;
	total->recovered += res.recovered;
	total->deleted += res.deleted;
out:
	if (claimed_here) {
		long long now = (long long)time(NULL);

		(void)hk_lease_release(db, lease->owner, a.id, now,
		    HK_LEASE_UNCHANGED, rc);
		lease->account_id = 0;
	}
	hk_fetch_result_clear(&res);
	if (lockfd >= 0)
		close(lockfd);	/* releases the lock */
	free(lockpath);
	free(maildir);
	hk_account_clear(&a);
	hk_server_clear(&s);
	return rc;
}

/* A number option within [min, max], or -1. */
static long
number_arg(const char *v, long min, long max)
{
	char *end;
	long n;

	errno = 0;
	n = strtol(v, &end, 10);
	if (errno != 0 || end == v || *end != '\0' || n < min || n > max)
		return -1;
	return n;
}

/* mail_dir must take files, hard links and renames (the Maildir delivery
 * needs them; docs/MAIL.md): one probe file, linked and removed.  0 or
 * the exit code, the reason printed. */
static int
check_mail_dir(const char *dir)
{
	char *a = hk_aprintf("%s/.hikyaku-probe-%ld", dir, (long)getpid());
	char *b = hk_aprintf("%s.link", a);
	const char *what = "create a file in";
	int fd, rc = 0;

	(void)unlink(a);
	(void)unlink(b);
	if ((fd = open(a, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600)) < 0)
		rc = HK_EXIT_CONFIG;
	else {
		close(fd);
		what = "make a hard link in";
		if (link(a, b) < 0)
			rc = HK_EXIT_CONFIG;
	}
	if (rc != 0)
		fprintf(stderr, "hikyakuctl: fetch: cannot %s mail_dir %s: %s (it "
		    "must be a writable folder with hard links and atomic "
		    "rename, shared by every host that fetches: docs/MAIL.md)\n",
		    what, dir, strerror(errno));
	(void)unlink(b);
	(void)unlink(a);
	free(a);
	free(b);
	return rc;
}

int
ctl_fetch(const struct hk_config *cfg, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "account", required_argument, NULL, 'a' },
		{ "all", no_argument, NULL, 'A' },
		{ "keep", no_argument, NULL, 'k' },
		{ "batch", required_argument, NULL, 'b' },
		{ "jobs", required_argument, NULL, 'j' },
		{ "loop", no_argument, NULL, 'l' },
		{ "interval", required_argument, NULL, 'i' },
		{ NULL, 0, NULL, 0 },
	};
	const char *account = NULL;
	bool all = false, interval_set = false;
	struct ctl_fetch_opts o = { .jobs = 1, .interval = 300 };
	unsigned char key[HK_KEY_LEN];
	struct hk_db *db = NULL;
	struct hk_modset *mods = NULL;
	struct hk_fetch_result total = { 0 };
	struct sigaction sa;
	long n;
	int c, rc;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'a': account = optarg; break;
		case 'A': all = true; break;
		case 'k': o.keep = true; break;
		case 'l': o.loop = true; break;
		case 'b':
			if ((n = number_arg(optarg, 1, 10000)) < 0)
				return fetch_usage();
			o.batch = (unsigned)n;
			break;
		case 'j':
			if ((n = number_arg(optarg, 1, 256)) < 0)
				return fetch_usage();
			o.jobs = (int)n;
			break;
		case 'i':
			if ((n = number_arg(optarg, 1, 7 * 86400)) < 0)
				return fetch_usage();
			o.interval = (int)n;
			interval_set = true;
			break;
		default:
			return fetch_usage();
		}
	}
	if (optind != argc || (account == NULL) == !all ||
	    (!all && (o.jobs > 1 || o.loop)) || (interval_set && !o.loop))
		return fetch_usage();

	signal(SIGPIPE, SIG_IGN);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop;	/* no SA_RESTART: a wait ends at once */
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	if ((rc = ctl_open_store(cfg, key, &db)) != 0)
		return rc;
	if (mkdir(cfg->mail_dir, 0700) < 0 && errno != EEXIST) {
		fprintf(stderr, "hikyakuctl: fetch: cannot create %s: %s\n",
		    cfg->mail_dir, strerror(errno));
		rc = HK_EXIT_CONFIG;
		goto out;
	}
	if ((rc = check_mail_dir(cfg->mail_dir)) != 0)
		goto out;
	mods = hk_modset_load(cfg->module_dir);
	if (account != NULL) {
		char owner[HK_LEASE_OWNER_MAX];
		struct ctl_lease lease = { .db = db, .owner = owner,
		    .lease_s = cfg->fetch_lease_seconds };

		/* What is recorded as stored must survive a power cut before
		 * the server deletes it: every commit is synced (WAL, FULL). */
		(void)hk_db_sync_full(db);
		hk_lease_owner_make(owner, sizeof(owner));
		rc = ctl_fetch_one(cfg, db, key, mods, account, 0, &o, &lease,
		    &total);
	} else {
		/* Each worker opens its own connection. */
		hk_db_close(&db);
		rc = ctl_fetch_all(cfg, key, mods, &o);
	}
out:
	hk_modset_free(&mods);
	hk_db_close(&db);
	hk_wipe(key, sizeof(key));
	return rc;
}
