/* imap.h - the little IMAP4rev1 client we need (RFC 3501; docs/PROTOCOLS.md:
 * INBOX only): greeting, CAPABILITY, STARTTLS, LOGIN with proper quoting
 * or literals (LITERAL+ when offered), SELECT, UID FETCH of sizes and of
 * whole messages, UID STORE \Deleted, UID EXPUNGE (UIDPLUS) or a
 * guarded EXPUNGE, LOGOUT.
 *
 * Responses are read as logical lines: a line ending in a literal
 * "{n}" / "{n+}" continues after the n bytes of the literal.  The literal
 * bytes go to the command's sink (message bodies) or are skipped (at most
 * HK_IMAP_SKIP_MAX bytes); the logical line keeps the "{n}" marker.
 *
 * Like smtp.h: HK_NET_OK means the command completed (its tagged status
 * in *st); anything else is a net.h error with the detail in c->err.
 */
#ifndef HK_IMAP_H
#define HK_IMAP_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"
#include "modload.h"
#include "net.h"
#include "tls.h"

#define HK_IMAP_LINE_MAX 16384		/* one physical response line */
#define HK_IMAP_LOGICAL_MAX 65536	/* one logical line, literals excluded */
#define HK_IMAP_SKIP_MAX (1024 * 1024)	/* an unexpected literal we skip */
#define HK_IMAP_LIST_MAX 1000000	/* messages in one size listing */

enum hk_imap_status {
	HK_IMAP_OK = 0,
	HK_IMAP_NO,
	HK_IMAP_BAD,
	HK_IMAP_BYE,
	HK_IMAP_PREAUTH
};

struct hk_imap_caps {
	bool imap4rev1, starttls, logindisabled, literal_plus, uidplus;
	char list[1024];	/* the CAPABILITY atoms as sent */
};

struct hk_imap {
	struct hk_conn *c;		/* borrowed */
	unsigned int tag;
	struct hk_imap_caps caps;
	bool caps_known;
	unsigned long exists;		/* from SELECT */
	unsigned long long uidvalidity;
	struct hk_buf last;		/* the last status line (for reports) */
	unsigned long list_max;		/* HK_IMAP_LIST_MAX; lower in tests */
};

void hk_imap_init(struct hk_imap *m, struct hk_conn *c);
void hk_imap_free(struct hk_imap *m);

/* ---- pure parsers (unit-tested) ---- */

/* Does line end with a literal marker "{n}" or "{n+}"?  1 with *n and
 * *nonsync set; 0 when it does not; -1 when the marker is malformed
 * ("{}", "{12x}", a number over 2^32). */
int hk_imap_literal_len(const char *line, size_t len, unsigned long long *n,
    bool *nonsync);

/* Appends s as an IMAP quoted string ("..." with \" and \\) and returns
 * 0, or returns 1 (nothing appended) when s needs a literal: it holds CR,
 * LF, NUL or 8-bit bytes, or is longer than 1000 bytes. */
int hk_imap_quote(struct hk_buf *out, const char *s);

/* Parses the atoms of a CAPABILITY list ("IMAP4rev1 STARTTLS ..."). */
void hk_imap_caps_parse(struct hk_imap_caps *caps, const char *list,
    size_t len);

/* Does the CAPABILITY list hold atom (case-insensitive), e.g.
 * "AUTH=PLAIN" or "SASL-IR"? */
bool hk_imap_caps_has(const struct hk_imap_caps *caps, const char *atom);

/* Finds "UID n" and "RFC822.SIZE n" in an untagged FETCH response's
 * text ("3 FETCH (UID 17 RFC822.SIZE 2345)").  0; 1 when it has no
 * RFC822.SIZE (a flag update: "3 FETCH (FLAGS (\Seen))"); -1 when it is
 * malformed or has a size but no UID. */
int hk_imap_parse_fetch(const char *line, unsigned long *seq,
    unsigned long long *uid, unsigned long long *size);

/* ---- the dialogue ---- */

/* Reads the greeting: OK or PREAUTH is usable, BYE not. */
enum hk_net_rc hk_imap_greeting(struct hk_imap *m, enum hk_imap_status *st);
enum hk_net_rc hk_imap_capability(struct hk_imap *m, enum hk_imap_status *st);
/* STARTTLS, then the handshake; HK_NET_OK only when TLS is up (not
 * offered, or NO/BAD: HK_NET_PROTOCOL).  The caller asks CAPABILITY again. */
enum hk_net_rc hk_imap_starttls(struct hk_imap *m, const char *host,
    bool verify, struct hk_tls_info *info);
/* LOGIN user password (quoted, or as literals when they need it). */
enum hk_net_rc hk_imap_login(struct hk_imap *m, const char *user,
    const char *password, enum hk_imap_status *st);
/* AUTHENTICATE with a SASL module (p->protocol is set to IMAP), through
 * the driver's IMAP row: the initial response on the command line when
 * the server listed SASL-IR.  m->last holds the tagged completion (a
 * [CAPABILITY] code in it is noted).  Fills *res (hk_auth_result_clear
 * it); HK_AUTH_IO leaves the detail in m->c->err. */
enum hk_auth_status hk_imap_authenticate(struct hk_imap *m,
    const struct hk_authsess_params *p, struct hk_auth_result *res);
/* SELECT mailbox (sets m->exists and m->uidvalidity). */
enum hk_net_rc hk_imap_select(struct hk_imap *m, const char *mailbox,
    enum hk_imap_status *st);
/* UID FETCH 1:* (UID RFC822.SIZE): fn(uid, size) per message; FETCH
 * responses without a size (flag updates) are ignored.  More than
 * m->list_max messages is HK_NET_TOO_LONG. */
enum hk_net_rc hk_imap_uid_fetch_sizes(struct hk_imap *m,
    int (*fn)(void *ctx, unsigned long long uid, unsigned long long size),
    void *ctx, enum hk_imap_status *st);
/* UID FETCH uid BODY.PEEK[]: the message's bytes to sink; a literal over
 * max (0: no cap) is HK_NET_TOO_LONG before any byte is read.  Only the
 * BODY[] of the FETCH response for uid reaches the sink, once: other
 * literals (a repeated body, another message's) are skipped, and a body
 * whose response names no UID or another one is HK_NET_PROTOCOL (the
 * caller drops what the sink got). */
enum hk_net_rc hk_imap_uid_fetch_message(struct hk_imap *m,
    unsigned long long uid, unsigned long long max,
    int (*sink)(void *ctx, const char *p, size_t len), void *ctx,
    enum hk_imap_status *st);
enum hk_net_rc hk_imap_uid_store_deleted(struct hk_imap *m,
    unsigned long long uid, enum hk_imap_status *st);
/* Removes the messages uids[0..n) (flagged \Deleted by the caller) and
 * no other client's: UID EXPUNGE (RFC 4315) when the server has UIDPLUS
 * (asked again with CAPABILITY when not known: servers may list it only
 * after login); without it, UID SEARCH DELETED and a plain EXPUNGE only
 * when it finds
 * no \Deleted message but these (else nothing is expunged: they stay
 * flagged for the server or another client to remove).  *expunged: an
 * expunge was sent and answered OK; *st: the last command's status. */
enum hk_net_rc hk_imap_expunge_uids(struct hk_imap *m,
    const unsigned long long *uids, size_t n, enum hk_imap_status *st,
    bool *expunged);
/* LOGOUT, waiting briefly; errors ignored. */
void hk_imap_logout(struct hk_imap *m);

#endif
