/* recvauth.h - signing in on the receive end through a SASL module
 * (the server's recv_auth_method): which module, whether the server
 * offers its mechanism, and the run as POP3 AUTH (RFC 5034) or IMAP
 * AUTHENTICATE (RFC 3501, SASL-IR per RFC 4959), both through the auth
 * driver's protocol rows (modload.h).  Shared by recv.c (fetching,
 * deleting oversized mail) and conntest.c (the staged test).
 */
#ifndef HK_RECVAUTH_H
#define HK_RECVAUTH_H

#include <stdbool.h>

#include "buf.h"
#include "imap.h"
#include "modload.h"
#include "net.h"
#include "pop3.h"
#include "servers.h"

/* The SASL module s->recv_auth_method names: 0 with *mod NULL when the
 * server signs in with its password, 0 with the module, or -1 when no
 * loaded SASL module of that name serves the receive protocol. */
int hk_recvauth_module(const struct hk_server *s, const struct hk_modset *mods,
    const struct hk_authmod **mod);

/* Does the server offer mod's mechanism: POP3 CAPA "SASL ..." (pc), or
 * IMAP CAPABILITY "AUTH=..." (ic; give the one of the protocol, the other
 * NULL)?  offered gets the mechanisms it does list, space-separated, for
 * the error message ("" when none). */
bool hk_recvauth_offered(const struct hk_authmod *mod,
    const struct hk_pop3_caps *pc, const struct hk_imap_caps *ic,
    struct hk_buf *offered);

/* Signs in as user with mod on the open session: POP3 on c when m is
 * NULL, else IMAP on m.  The module learns the server's host and port
 * (OAUTHBEARER sends them).  Fills *res (hk_auth_result_clear it).  The
 * password (or access token) is copied into the session and wiped. */
enum hk_auth_status hk_recvauth_run(const struct hk_authmod *mod,
    const struct hk_server *s, struct hk_conn *c, struct hk_imap *m,
    const char *user, const char *password, struct hk_auth_result *res);

#endif
