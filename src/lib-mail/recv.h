/* recv.h - opening a receiving session for an account: POP3 or IMAP4 as
 * its server says, with the connection security, the greeting and
 * capabilities, the login (USER/PASS, APOP through its module, or IMAP
 * LOGIN) and, for IMAP, SELECT INBOX.  Shared by fetch.c (receiving) and
 * oversized.c (deleting a refused message straight from the server).
 */
#ifndef HK_RECV_H
#define HK_RECV_H

#include <stdbool.h>

#include "accounts.h"
#include "imap.h"
#include "modload.h"
#include "net.h"
#include "pop3.h"
#include "servers.h"

struct hk_oauth2_src;		/* oauth2_token.h */

struct hk_recv {
	const struct hk_server *srv;
	bool imap;
	struct hk_conn c;
	struct hk_imap m;		/* IMAP: after SELECT, m.exists/uidvalidity */
	struct hk_pop3_caps caps;	/* POP3 */
	/* What signs in: the account's password, or its OAuth 2.0 access
	 * token (recv_auth_method xoauth2/oauthbearer), obtained from
	 * oauth2_src once the server offers the mechanism.  Borrowed; only
	 * during hk_recv_open. */
	const char *secret;
	const struct hk_oauth2_src *oauth2_src;
	bool oauth2;			/* the secret was a token */
	bool token_refreshed;		/* ... refreshed for this session */
};

/* What went wrong, for the caller's one-line error and the health. */
struct hk_recv_fail {
	int exit_code;		/* 2 settings, 4 login refused, 5 network/TLS/protocol */
	char *error;		/* one English line */
	char *reply;		/* the server's reply, if any */
	bool token;		/* getting the OAuth 2.0 token failed: not
				 * the mail server's fault */
};

/* Opens r for acct on srv.  0, or the exit code with *f filled (free with
 * hk_recv_fail_clear); r is then closed but must still be freed.  When
 * the server receives with OAuth 2.0, the access token comes from oauth2
 * (oauth2_token.h: refreshed when it expires within five minutes), just
 * before signing in, once the server is known to offer the mechanism, so
 * every new session -- a reconnection in the middle of a long fetch too
 * -- signs in with a valid token; a session already signed in stays so
 * when its token expires.  oauth2 NULL: such a server fails (exit 2). */
int hk_recv_open(struct hk_recv *r, const struct hk_server *srv,
    const struct hk_account *acct, const struct hk_modset *mods,
    const struct hk_oauth2_src *oauth2, const struct hk_net_timeouts *to,
    struct hk_recv_fail *f);
/* Ends the session: QUIT (which commits POP3 deletions) or LOGOUT when
 * the connection is still sound.  Returns 0, or -1 when a POP3 QUIT was
 * not answered +OK (deletions then did not happen). */
int hk_recv_close(struct hk_recv *r);
void hk_recv_free(struct hk_recv *r);

void hk_recv_fail_set(struct hk_recv_fail *f, int exit_code,
    const char *reply, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
void hk_recv_fail_clear(struct hk_recv_fail *f);

#endif
