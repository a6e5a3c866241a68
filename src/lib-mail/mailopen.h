/* mailopen.h - opening a session with a mail server, written once for
 * SMTP, POP3 and IMAP: resolve, connect, implicit TLS, greeting,
 * capabilities, STARTTLS and the capabilities again.
 *
 * What differs between the protocols is a row of struct hk_mailproto
 * (curl's struct SASLproto idea): the commands, the replies that mean
 * yes, and the few steps written against each protocol's client (smtp.h,
 * pop3.h, imap.h).  The SASL framing of each protocol is the auth
 * driver's row (modload.h), named here by its HK_AUTHMOD_PROTO_* value.
 *
 * A hook, when given, hears every stage begin and end, with the stage's
 * name ("resolve", "connect", "tls", "greeting"), its duration, the
 * server's reply and the outcome: the connection test turns these into
 * its report, the others pass no hook and read the outcome.  With
 * STARTTLS the plain-text greeting, the first capabilities and the
 * STARTTLS command belong to the "tls" stage, and the "greeting" stage
 * then holds only the capabilities asked again over TLS.
 *
 * Ownership: the caller owns the connection (hk_conn_init before) and,
 * for IMAP, the struct hk_imap (hk_imap_init on that connection); the
 * session owns its replies: hk_mailsess_free.
 */
#ifndef HK_MAILOPEN_H
#define HK_MAILOPEN_H

#include <stdbool.h>
#include <stdint.h>

#include "buf.h"
#include "imap.h"
#include "net.h"
#include "pop3.h"
#include "smtp.h"
#include "tls.h"

struct hk_mailsess;

/* One protocol's facts and its steps.  Each step returns a net.h error,
 * or HK_NET_OK with *usable saying whether the server's answer lets the
 * opening go on, and leaves the formatted reply in s->reply. */
struct hk_mailproto {
	const char *name;		/* "SMTP", "POP3", "IMAP" */
	uint32_t sasl;			/* HK_AUTHMOD_PROTO_*: the SASL row */
	const char *capa_cmd;		/* "EHLO", "CAPA", "CAPABILITY" */
	const char *starttls_cmd;	/* "STARTTLS", "STLS" */
	const char *starttls_ok;	/* the reply that starts TLS */
	const char *greeting_no;	/* a greeting that refuses: "-ERR" */
	/* Capabilities must be known before STARTTLS (EHLO must come
	 * first; IMAP's list says whether STARTTLS exists).  POP3's CAPA is
	 * optional there (RFC 2449), asked only when the caller probes. */
	bool caps_before_starttls;
	enum hk_net_rc (*greeting)(struct hk_mailsess *s, bool *usable);
	enum hk_net_rc (*caps)(struct hk_mailsess *s, bool *usable);
	bool (*offers_starttls)(const struct hk_mailsess *s);
	enum hk_net_rc (*starttls)(struct hk_mailsess *s);
};

extern const struct hk_mailproto hk_mailproto_smtp;
extern const struct hk_mailproto hk_mailproto_pop3;
extern const struct hk_mailproto hk_mailproto_imap;

/* The step an opening was at when a stage ended. */
enum hk_open_step {
	HK_OPEN_RESOLVE = 0,
	HK_OPEN_CONNECT,
	HK_OPEN_HANDSHAKE,	/* implicit TLS, or TLS after STARTTLS */
	HK_OPEN_GREETING,
	HK_OPEN_CAPS,
	HK_OPEN_STARTTLS	/* the STARTTLS command itself */
};

/* How a stage ended. */
enum hk_open_outcome {
	HK_OPEN_OK = 0,
	HK_OPEN_NET,		/* a net.h error: ev->rc, detail in c->err */
	HK_OPEN_REFUSED,	/* the server said no (greeting, EHLO and
				 * HELO, STARTTLS); c->err is left empty */
	HK_OPEN_NOT_OFFERED	/* STARTTLS required but not offered */
};

struct hk_open_event {
	const char *stage;	/* "resolve", "connect", "tls", "greeting" */
	bool done;		/* false: the stage begins */
	enum hk_open_step step;	/* done: the step that ended it */
	enum hk_open_outcome outcome;
	enum hk_net_rc rc;	/* HK_OPEN_NET */
	long long ms;		/* done: how long the stage took */
	const char *reply;	/* done: the last step's reply ("" if none) */
	struct hk_mailsess *s;
};

typedef void (*hk_open_hook)(void *ctx, const struct hk_open_event *ev);

struct hk_mailsess {
	const struct hk_mailproto *proto;
	struct hk_conn *c;		/* borrowed */
	struct hk_endpoint ep;		/* host borrowed */
	bool probe;			/* ask capabilities before any STARTTLS */
	bool greeting_only;		/* no capabilities unless after STARTTLS */
	hk_open_hook hook;		/* NULL: none */
	void *hook_ctx;

	/* Filled while opening. */
	struct hk_addrs addrs;
	struct hk_tls_info tls;
	enum hk_open_step step;		/* where the opening stopped */
	enum hk_open_outcome outcome;
	bool starttls_done;
	struct hk_buf greeting;		/* the greeting, formatted */
	struct hk_buf reply;		/* the last step's reply, formatted */

	/* Per protocol. */
	struct hk_smtp_caps smtp_caps;
	struct hk_smtp_reply smtp_greet, smtp_ehlo, smtp_tls;
	const struct hk_smtp_reply *smtp_last;	/* the last one read */
	struct hk_pop3_caps pop3_caps;
	struct hk_pop3_reply pop3_greet, pop3_reply;
	struct hk_imap *imap;		/* borrowed */
	enum hk_imap_status imap_greeting;	/* OK after STARTTLS */
	enum hk_imap_status imap_last;	/* of the last command */
};

/* Prepares s for proto over c to ep (copied; ep->host borrowed).  imap:
 * the IMAP client on c (IMAP only, else NULL). */
void hk_mailsess_init(struct hk_mailsess *s, const struct hk_mailproto *proto,
    struct hk_conn *c, const struct hk_endpoint *ep, struct hk_imap *imap);
void hk_mailsess_free(struct hk_mailsess *s);

/* Runs the opening as ep says.  Returns the outcome (also in s->outcome,
 * with s->step); HK_OPEN_NET leaves the error's detail in c->err.  The
 * connection is left as it is: the caller says goodbye or closes. */
enum hk_open_outcome hk_mail_open(struct hk_mailsess *s);

/* The endpoint of a stored server's receiving or sending side. */
struct hk_server;
void hk_mail_endpoint_recv(const struct hk_server *srv,
    struct hk_endpoint *ep);
void hk_mail_endpoint_smtp(const struct hk_server *srv,
    struct hk_endpoint *ep);

#endif
