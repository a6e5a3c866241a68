/* smtp.h - an SMTP client (RFC 5321) for submission: greeting, EHLO with a
 * HELO fall-back, capabilities, STARTTLS (RFC 3207), AUTH through the
 * auth modules (RFC 4954, hk_auth_run), MAIL/RCPT/RSET/DATA/QUIT.
 *
 * The parsers (hk_smtp_parse_line, hk_smtp_caps_parse) are pure functions
 * for unit tests.  The dialogue functions return HK_NET_OK when a well-
 * formed reply was read (whatever its code: the caller decides) and a
 * net.h error otherwise, with the detail in c->err.
 */
#ifndef HK_SMTP_H
#define HK_SMTP_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"
#include "modload.h"
#include "net.h"
#include "tls.h"

/* RFC 5321 §4.5.3.1.5 allows 512 octets per reply line; real servers
 * stay far below.  We accept 2048, and at most 200 lines per reply. */
#define HK_SMTP_LINE_MAX 2048
#define HK_SMTP_REPLY_LINES_MAX 200

struct hk_smtp_reply {
	int code;		/* 200..599 */
	struct hk_buf text;	/* the lines' texts, joined by '\n' */
	size_t lines;
};
#define HK_SMTP_REPLY_INIT { 0, HK_BUF_INIT, 0 }
void hk_smtp_reply_free(struct hk_smtp_reply *r);
/* The reply as the server sent it, lines joined by " / ", for reports:
 * "250 mail.example.test / 250 8BITMIME ...".  Appends to out. */
void hk_smtp_reply_format(const struct hk_smtp_reply *r, struct hk_buf *out);

/* Parses one reply line ("250-text", "250 text", "250").  Returns 0 and
 * sets *code (200-599; 1xx is not an SMTP reply here), *more (a '-'
 * follows the code) and *text_off (where the text starts), or -1 when the
 * line is not a reply line. */
int hk_smtp_parse_line(const char *line, size_t len, int *code, bool *more,
    size_t *text_off);

/* What EHLO told us. */
struct hk_smtp_caps {
	bool ehlo;		/* false: the server only knew HELO */
	bool starttls;
	bool eightbitmime;
	bool pipelining;
	bool auth;
	bool size;		/* SIZE advertised */
	unsigned long long size_max;	/* 0: no limit given */
	char auth_mechs[512];	/* "PLAIN LOGIN CRAM-MD5", upper case */
};

/* Parses the text of a 250 reply to EHLO (lines joined by '\n'; the
 * first line is the server's name and is skipped).  Unknown keywords are
 * ignored; "AUTH=LOGIN" (old syntax) counts as AUTH LOGIN. */
void hk_smtp_caps_parse(struct hk_smtp_caps *caps, const char *text);
/* True when AUTH lists mech (case-insensitive). */
bool hk_smtp_caps_has_auth(const struct hk_smtp_caps *caps, const char *mech);

/* Reads one complete (multi-line) reply.  Lines with different codes,
 * or that are not reply lines, are HK_NET_PROTOCOL. */
enum hk_net_rc hk_smtp_read_reply(struct hk_conn *c, struct hk_smtp_reply *r);
/* Sends line (only log_len bytes traceable) and reads the reply. */
enum hk_net_rc hk_smtp_command(struct hk_conn *c, struct hk_smtp_reply *r,
    const char *line, size_t log_len);

/* The name we greet with: the local address as an RFC 5321 address
 * literal ("[192.0.2.1]", "[IPv6:2001:db8::1]"). */
void hk_smtp_helo_name(const struct hk_conn *c, char *out, size_t outlen);

/* EHLO, then HELO when the server answers EHLO with 5xx (RFC 5321
 * §3.2).  Fills caps (zeroed first).  r holds the last reply; the caller
 * checks r->code == 250. */
enum hk_net_rc hk_smtp_hello(struct hk_conn *c, struct hk_smtp_reply *r,
    struct hk_smtp_caps *caps);

/* STARTTLS, then the handshake.  HK_NET_OK only when TLS is up; a
 * server that did not offer STARTTLS, or did not answer 220, gives
 * HK_NET_PROTOCOL (r holds its reply, if any).  Never falls back to plain
 * text.  The caller must send EHLO again afterwards. */
enum hk_net_rc hk_smtp_starttls(struct hk_conn *c, struct hk_smtp_reply *r,
    const struct hk_smtp_caps *caps, const char *host, bool verify,
    struct hk_tls_info *info);

/* AUTH with the SASL module in p (p->protocol is forced to SMTP).  The
 * outcome is in *res (hk_auth_result_clear afterwards). */
enum hk_auth_status hk_smtp_auth(struct hk_conn *c,
    const struct hk_authsess_params *p, struct hk_auth_result *res);

/* MAIL FROM:<from> [SIZE=size] (size 0: no parameter); RCPT TO:<to>;
 * RSET; QUIT.  Addresses holding CR, LF, '<' or '>' are HK_NET_PROTOCOL
 * (nothing is sent). */
enum hk_net_rc hk_smtp_mail(struct hk_conn *c, struct hk_smtp_reply *r,
    const char *from, unsigned long long size);
enum hk_net_rc hk_smtp_rcpt(struct hk_conn *c, struct hk_smtp_reply *r,
    const char *to);
enum hk_net_rc hk_smtp_rset(struct hk_conn *c, struct hk_smtp_reply *r);
/* Sends QUIT and waits briefly for 221; errors are ignored. */
void hk_smtp_quit(struct hk_conn *c);

/* DATA: sends the message from read (which returns bytes read, 0 at the
 * end, -1 on error) with dot-stuffing and CRLF line ends, then
 * "<CRLF>.<CRLF>", and reads the final reply into r. */
enum hk_net_rc hk_smtp_data(struct hk_conn *c, struct hk_smtp_reply *r,
    long (*read)(void *ctx, char *buf, size_t len), void *ctx);

#endif
