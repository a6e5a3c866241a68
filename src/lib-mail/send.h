/* send.h - sending one message through an account's mail server (docs/MAIL.md
 * "Sending"): the size check before any connection, POP before SMTP with
 * its wait, the SMTP session (plain, STARTTLS or implicit TLS), SMTP AUTH
 * through the chosen module with the server's credentials choice, SIZE=
 * on MAIL FROM when offered, every recipient's reply, DATA.
 *
 * The message is first put in canonical form (hk_send_canon_*): every
 * line ends in CRLF (a bare LF or a bare CR becomes CRLF) and the last
 * line too.  Its size in that form is what send_limit and SIZE= compare;
 * dot-stuffing happens on the wire (hk_smtp_data) and is not counted
 * (RFC 1870 §4).
 */
#ifndef HK_SEND_H
#define HK_SEND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "accounts.h"
#include "buf.h"
#include "modload.h"
#include "net.h"
#include "servers.h"

/* ---- canonical form ---- */

struct hk_oauth2_src;		/* oauth2_token.h */

struct hk_send_canon {
	bool cr;		/* the last byte fed was a CR */
	bool bol;		/* at the start of a line */
	unsigned long long size;	/* canonical bytes so far (all of them) */
	unsigned long long keep;	/* append at most this many to out (0: all) */
};

void hk_send_canon_init(struct hk_send_canon *k, unsigned long long keep);
/* Feeds n bytes; appends their canonical form to out (while out holds
 * fewer than keep bytes; the size is counted regardless). */
void hk_send_canon_feed(struct hk_send_canon *k, const char *p, size_t n,
    struct hk_buf *out);
/* Ends the message: a last line without a line end gets CRLF. */
void hk_send_canon_end(struct hk_send_canon *k, struct hk_buf *out);

/* ---- sending ---- */

struct hk_send_params {
	const struct hk_server *srv;	/* loaded with secrets */
	const struct hk_account *acct;	/* loaded with secrets */
	const struct hk_modset *mods;
	/* Where SMTP AUTH by xoauth2/oauthbearer gets the account's token
	 * (NULL: none; such a server then fails with exit 2). */
	const struct hk_oauth2_src *oauth2;
	const char *from;		/* "" for the null reverse path */
	const char *const *to;
	size_t n_to;
	const char *msg;		/* canonical form */
	size_t len;
	struct hk_net_timeouts to_ms;
	FILE *report;			/* one line per reply; may be NULL */
};

struct hk_send_result {
	int exit_code;		/* docs/REFERENCE.md: 0, 2, 3, 4 or 5 */
	char *error;		/* one English line when exit_code != 0 */
	char *reply;		/* the server's reply that decided it, if any */
	size_t accepted;	/* recipients the server accepted */
	size_t refused;
	bool server_fault;	/* counts against the server's health */
	bool token_refreshed;	/* an OAuth 2.0 token was refreshed */
};

/* The one-line refusal of a message over a limit, e.g. "the message is
 * 1.4 MB (1468006 bytes), larger than the send limit of 1 MB (1048576
 * bytes)".  what names the limit ("the send limit", "the server's SIZE
 * limit").  Caller frees. */
char *hk_send_size_error(unsigned long long size, const char *what,
    unsigned long long limit);

/* Sends p->msg; fills *res (free with hk_send_result_clear).  A message
 * larger than send_limit is refused (exit 3) before any connection.
 * Returns res->exit_code. */
int hk_send_run(const struct hk_send_params *p, struct hk_send_result *res);
void hk_send_result_clear(struct hk_send_result *res);

#endif
