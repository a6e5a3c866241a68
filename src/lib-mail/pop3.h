/* pop3.h - a POP3 client (RFC 1939, RFC 2449 CAPA, RFC 2595 STLS):
 * greeting and its APOP timestamp, CAPA, STLS, USER/PASS or a POP3 auth
 * module (APOP) through hk_auth_run, STAT, LIST, UIDL, RETR (dot-
 * unstuffed, with a size cap), DELE, QUIT; and the POP-before-SMTP side
 * connection for a pre-send module.
 *
 * Like smtp.h: HK_NET_OK means a well-formed reply was read (r->ok says
 * +OK or -ERR); anything else is a net.h error with c->err set.
 */
#ifndef HK_POP3_H
#define HK_POP3_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"
#include "modload.h"
#include "net.h"
#include "tls.h"

/* RFC 1939 caps status lines at 512 octets and RFC 5322 message lines at
 * 998 + CRLF; we allow 8192 for either (real mail breaks the 998 rule). */
#define HK_POP3_LINE_MAX 8192
/* CAPA, LIST and UIDL answers: at most this many lines. */
#define HK_POP3_LIST_MAX 1000000

struct hk_pop3_reply {
	bool ok;		/* "+OK" */
	struct hk_buf text;	/* after "+OK " / "-ERR " */
};
#define HK_POP3_REPLY_INIT { false, HK_BUF_INIT }
void hk_pop3_reply_free(struct hk_pop3_reply *r);
/* "+OK text" / "-ERR text", appended to out. */
void hk_pop3_reply_format(const struct hk_pop3_reply *r, struct hk_buf *out);

/* Parses a status line: 0 with *ok and *text_off, or -1 when it starts
 * with neither "+OK" nor "-ERR" (followed by a space or the end). */
int hk_pop3_parse_status(const char *line, size_t len, bool *ok,
    size_t *text_off);

/* The APOP timestamp of a greeting text: the first "<...>" holding '@'
 * and only printable non-space ASCII (RFC 1939 §7; curl's rule).  Returns
 * true with *ts and *ts_len pointing into greeting. */
bool hk_pop3_timestamp(const char *greeting, const char **ts, size_t *ts_len);

/* One line of a multi-line answer (RFC 1939 §3): returns 1 for the
 * terminating ".", otherwise 0 with *out and *out_len the line without its
 * byte-stuffed leading '.' (if any). */
int hk_pop3_unstuff(const char *line, size_t len, const char **out,
    size_t *out_len);

struct hk_pop3_caps {
	bool capa;		/* CAPA answered +OK */
	bool stls, user, uidl, top, pipelining;
	bool apop;		/* the greeting has a timestamp */
	char sasl[256];		/* SASL mechanisms, as listed */
};

/* Reads one status line. */
enum hk_net_rc hk_pop3_read_status(struct hk_conn *c, struct hk_pop3_reply *r);
/* Sends line (log_len traceable bytes) and reads the status. */
enum hk_net_rc hk_pop3_command(struct hk_conn *c, struct hk_pop3_reply *r,
    const char *line, size_t log_len);

/* Reads a multi-line body after a +OK, un-stuffed, one call of line_fn
 * per line (returning -1 stops with HK_NET_PROTOCOL after draining
 * nothing: the caller closes).  At most max_lines lines and max_bytes
 * bytes (0: no cap), else HK_NET_TOO_LONG. */
enum hk_net_rc hk_pop3_read_body(struct hk_conn *c,
    int (*line_fn)(void *ctx, const char *line, size_t len), void *ctx,
    size_t max_lines, unsigned long long max_bytes);

/* Reads the greeting; fills caps->apop from it. */
enum hk_net_rc hk_pop3_greeting(struct hk_conn *c, struct hk_pop3_reply *r,
    struct hk_pop3_caps *caps);
/* CAPA (a -ERR leaves caps->capa false, still HK_NET_OK). */
enum hk_net_rc hk_pop3_capa(struct hk_conn *c, struct hk_pop3_reply *r,
    struct hk_pop3_caps *caps);
/* STLS, then the handshake; HK_NET_OK only when TLS is up (a -ERR is
 * HK_NET_PROTOCOL with r filled; STLS is tried even when CAPA did not
 * list it, since CAPA is optional).  Caller re-runs CAPA afterwards. */
enum hk_net_rc hk_pop3_stls(struct hk_conn *c, struct hk_pop3_reply *r,
    const char *host, bool verify, struct hk_tls_info *info);

/* Can s be sent as a POP3 argument: 1-255 bytes, no control characters,
 * and no space unless spaces (a password may hold spaces)? */
bool hk_pop3_arg_ok(const char *s, bool spaces);

/* USER, then PASS.  Refusal: HK_NET_OK with r->ok false. */
enum hk_net_rc hk_pop3_login(struct hk_conn *c, struct hk_pop3_reply *r,
    const char *user, const char *password);
/* Does CAPA's SASL line list mech (case-insensitive)? */
bool hk_pop3_caps_has_sasl(const struct hk_pop3_caps *caps, const char *mech);

/* A POP3-kind module (APOP) on c, greeting being the greeting's text; or
 * a SASL module as POP3 AUTH (RFC 5034, greeting unused). */
enum hk_auth_status hk_pop3_auth(struct hk_conn *c,
    const struct hk_authsess_params *p, const char *greeting,
    struct hk_auth_result *res);

/* STAT: message count and total size. */
enum hk_net_rc hk_pop3_stat(struct hk_conn *c, struct hk_pop3_reply *r,
    unsigned long *count, unsigned long long *size);
/* LIST: fn(msg number, size) per message. */
enum hk_net_rc hk_pop3_list(struct hk_conn *c, struct hk_pop3_reply *r,
    int (*fn)(void *ctx, unsigned long n, unsigned long long size),
    void *ctx);
/* UIDL: fn(msg number, unique id) per message (uid: 1-70 chars 0x21-0x7e). */
enum hk_net_rc hk_pop3_uidl(struct hk_conn *c, struct hk_pop3_reply *r,
    int (*fn)(void *ctx, unsigned long n, const char *uid), void *ctx);
/* RETR n: the message, one un-stuffed line at a time (without CRLF).  More
 * than max_bytes (counting CRLF; 0: no cap) is HK_NET_TOO_LONG. */
enum hk_net_rc hk_pop3_retr(struct hk_conn *c, struct hk_pop3_reply *r,
    unsigned long n, unsigned long long max_bytes,
    int (*line_fn)(void *ctx, const char *line, size_t len), void *ctx);
enum hk_net_rc hk_pop3_dele(struct hk_conn *c, struct hk_pop3_reply *r,
    unsigned long n);
/* QUIT (which commits DELEs); r->ok says whether the server agreed. */
enum hk_net_rc hk_pop3_quit(struct hk_conn *c, struct hk_pop3_reply *r);

/* Opens the side connection c to ep (c is hk_conn_init'ed): 0 with the
 * greeting in *greeting, or -1 with c closed and c->err set. */
typedef int (*hk_pop3_side_open_fn)(struct hk_conn *c,
    const struct hk_endpoint *ep, struct hk_pop3_reply *greeting);

/* Runs a pre-send module (POP-before-SMTP): its side connection goes to
 * ep with timeouts to, opened by open_side; its wait is a plain sleep. */
enum hk_auth_status hk_pop3_presend(const struct hk_authsess_params *p,
    const struct hk_endpoint *ep, const struct hk_net_timeouts *to,
    hk_pop3_side_open_fn open_side, struct hk_auth_result *res);

#endif
