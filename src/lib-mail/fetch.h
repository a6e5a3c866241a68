/* fetch.h - receiving one account's mail into its Maildir (docs/MAIL.md
 * "Receiving").  The crash-safety design is in docs/MAIL.md; in short:
 *
 *   list (UIDL + LIST, or UIDVALIDITY + UID FETCH RFC822.SIZE)
 *   -> per batch of N new messages within recv_limit:
 *        record them as "delivering" (commit)
 *        download each into tmp/, fsync, link to new/<deterministic name>
 *        fsync new/; record them as "stored" (commit, synchronous=FULL)
 *        only then DELE / UID STORE \Deleted (+ EXPUNGE)
 *   -> messages over recv_limit: headers only (TOP n 0 / BODY.PEEK[
 *      HEADER.FIELDS]), recorded once for /oversized, left on the server.
 *
 * A message is "never downloaded twice": a stored UID is never fetched
 * again, and a "delivering" one left by a crash is first looked for in
 * the Maildir under its deterministic name.  A message whose download
 * fails is reported and skipped; when it broke the connection, a new
 * session carries on with the rest.
 */
#ifndef HK_FETCH_H
#define HK_FETCH_H

#include <signal.h>
#include <stdbool.h>
#include <stdio.h>

#include "accounts.h"
#include "db.h"
#include "modload.h"
#include "net.h"
#include "servers.h"

struct hk_oauth2_src;		/* oauth2_token.h */

struct hk_fetch_params {
	struct hk_db *db;
	const struct hk_server *srv;
	const struct hk_account *acct;	/* loaded with secrets */
	const struct hk_modset *mods;
	/* Where an OAuth 2.0 receive end gets its token (NULL: none).  Each
	 * session gets a valid one, a new session after a broken connection
	 * too; a session already signed in is not cut off when its token
	 * expires (IMAP and POP3 check the token at sign-in only). */
	const struct hk_oauth2_src *oauth2;
	const char *maildir;		/* the account's Maildir */
	struct hk_net_timeouts to_ms;
	bool keep;			/* leave stored messages on the server */
	unsigned int batch;		/* messages per commit; 0: 100 */
	volatile sig_atomic_t *stop;	/* non-zero: stop after this message */
	/* Called before each message and each batch (a fetcher renews its
	 * lease there: docs/MAIL.md); false stops the run as *stop does.
	 * May be NULL. */
	bool (*going_on)(void *arg);
	void *going_on_arg;
	FILE *report;			/* one line per failed message; may be NULL */
};

struct hk_fetch_result {
	unsigned long fetched;		/* delivered into the Maildir */
	unsigned long oversized;	/* newly recorded as over recv_limit */
	unsigned long failed;		/* reported and skipped */
	unsigned long deleted;		/* removed from the server */
	unsigned long recovered;	/* found delivered after a crash */
	int exit_code;			/* 0, 2, 4, 5 (docs/REFERENCE.md) */
	char *error;			/* one English line when exit_code != 0 */
	char *reply;			/* the server's reply behind it, if any */
	bool server_fault;		/* counts against the server's health */
	bool token_refreshed;		/* an OAuth 2.0 token was refreshed */
};

int hk_fetch_run(const struct hk_fetch_params *p, struct hk_fetch_result *res);
void hk_fetch_result_clear(struct hk_fetch_result *res);

/* The Maildir of an account: mail_dir/<name>, the name with every byte
 * outside [A-Za-z0-9._@+-] (and a leading '.') as %XX.  Caller frees. */
char *hk_fetch_maildir_path(const char *mail_dir, const char *account_name);

/* The Maildir base name of a message: deterministic in (account, uid),
 * "<32 hex of SHA-256>.A<account id>.hikyaku".  out: at least 80 bytes. */
void hk_fetch_msg_name(long long account_id, const char *uid, char *out,
    size_t outlen);

#endif
