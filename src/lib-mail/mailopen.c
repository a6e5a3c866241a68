/* mailopen.c - the one opener of a mail-server session (mailopen.h), and
 * the protocol rows it runs. */
#include "config.h"

#include <string.h>

#include "mailopen.h"
#include "servers.h"

/* ---- SMTP (RFC 5321, RFC 3207) ---------------------------------------- */

static enum hk_net_rc
smtp_greeting(struct hk_mailsess *s, bool *usable)
{
	enum hk_net_rc rc = hk_smtp_read_reply(s->c, &s->smtp_greet);

	s->smtp_last = &s->smtp_greet;
	hk_smtp_reply_format(&s->smtp_greet, &s->reply);
	*usable = s->smtp_greet.code == 220;
	return rc;
}

/* EHLO, or HELO after a 5xx (hk_smtp_hello). */
static enum hk_net_rc
smtp_caps(struct hk_mailsess *s, bool *usable)
{
	enum hk_net_rc rc = hk_smtp_hello(s->c, &s->smtp_ehlo, &s->smtp_caps);

	s->smtp_last = &s->smtp_ehlo;
	hk_smtp_reply_format(&s->smtp_ehlo, &s->reply);
	*usable = s->smtp_ehlo.code == 250;
	return rc;
}

static bool
smtp_offers_starttls(const struct hk_mailsess *s)
{
	return s->smtp_caps.starttls;
}

static enum hk_net_rc
smtp_starttls(struct hk_mailsess *s)
{
	enum hk_net_rc rc = hk_smtp_starttls(s->c, &s->smtp_tls, &s->smtp_caps,
	    s->ep.host, s->ep.verify, &s->tls);

	s->smtp_last = &s->smtp_tls;
	hk_smtp_reply_format(&s->smtp_tls, &s->reply);
	return rc;
}

const struct hk_mailproto hk_mailproto_smtp = {
	.name = "SMTP",
	.sasl = HK_AUTHMOD_PROTO_SMTP,
	.capa_cmd = "EHLO",
	.starttls_cmd = "STARTTLS",
	.starttls_ok = "220",
	.greeting_no = NULL,		/* any code but 220 */
	.caps_before_starttls = true,
	.greeting = smtp_greeting,
	.caps = smtp_caps,
	.offers_starttls = smtp_offers_starttls,
	.starttls = smtp_starttls,
};

/* ---- POP3 (RFC 1939, RFC 2449, RFC 2595) ------------------------------- */

static enum hk_net_rc
pop3_greeting(struct hk_mailsess *s, bool *usable)
{
	enum hk_net_rc rc = hk_pop3_greeting(s->c, &s->pop3_greet,
	    &s->pop3_caps);

	hk_pop3_reply_format(&s->pop3_greet, &s->reply);
	*usable = s->pop3_greet.ok;
	return rc;
}

/* CAPA; a -ERR is an answer too (CAPA is optional). */
static enum hk_net_rc
pop3_caps(struct hk_mailsess *s, bool *usable)
{
	enum hk_net_rc rc = hk_pop3_capa(s->c, &s->pop3_reply, &s->pop3_caps);

	hk_pop3_reply_format(&s->pop3_reply, &s->reply);
	*usable = true;
	return rc;
}

/* Without a CAPA answer STLS is simply tried. */
static bool
pop3_offers_starttls(const struct hk_mailsess *s)
{
	return !s->pop3_caps.capa || s->pop3_caps.stls;
}

static enum hk_net_rc
pop3_starttls(struct hk_mailsess *s)
{
	enum hk_net_rc rc = hk_pop3_stls(s->c, &s->pop3_reply, s->ep.host,
	    s->ep.verify, &s->tls);

	hk_pop3_reply_format(&s->pop3_reply, &s->reply);
	return rc;
}

const struct hk_mailproto hk_mailproto_pop3 = {
	.name = "POP3",
	.sasl = HK_AUTHMOD_PROTO_POP3,
	.capa_cmd = "CAPA",
	.starttls_cmd = "STLS",
	.starttls_ok = "+OK",
	.greeting_no = "-ERR",
	.caps_before_starttls = false,
	.greeting = pop3_greeting,
	.caps = pop3_caps,
	.offers_starttls = pop3_offers_starttls,
	.starttls = pop3_starttls,
};

/* ---- IMAP (RFC 3501) ---------------------------------------------------- */

static enum hk_net_rc
imap_greeting(struct hk_mailsess *s, bool *usable)
{
	enum hk_imap_status st = HK_IMAP_OK;
	enum hk_net_rc rc = hk_imap_greeting(s->imap, &st);

	s->imap_greeting = s->imap_last = st;
	hk_buf_puts(&s->reply, hk_buf_str(&s->imap->last));
	*usable = st != HK_IMAP_BYE;
	return rc;
}

/* CAPABILITY, unless the greeting (or the last one) listed them. */
static enum hk_net_rc
imap_caps(struct hk_mailsess *s, bool *usable)
{
	enum hk_net_rc rc = HK_NET_OK;

	if (!s->imap->caps_known)
		rc = hk_imap_capability(s->imap, &s->imap_last);
	hk_buf_puts(&s->reply, hk_buf_str(&s->imap->last));
	*usable = true;
	return rc;
}

static bool
imap_offers_starttls(const struct hk_mailsess *s)
{
	return s->imap->caps.starttls;
}

static enum hk_net_rc
imap_starttls(struct hk_mailsess *s)
{
	enum hk_net_rc rc = hk_imap_starttls(s->imap, s->ep.host, s->ep.verify,
	    &s->tls);

	hk_buf_puts(&s->reply, hk_buf_str(&s->imap->last));
	/* A PREAUTH greeting does not outlive the change to TLS. */
	s->imap_greeting = HK_IMAP_OK;
	return rc;
}

const struct hk_mailproto hk_mailproto_imap = {
	.name = "IMAP",
	.sasl = HK_AUTHMOD_PROTO_IMAP,
	.capa_cmd = "CAPABILITY",
	.starttls_cmd = "STARTTLS",
	.starttls_ok = "OK",
	.greeting_no = "BYE",
	.caps_before_starttls = true,
	.greeting = imap_greeting,
	.caps = imap_caps,
	.offers_starttls = imap_offers_starttls,
	.starttls = imap_starttls,
};

/* ---- the opener --------------------------------------------------------- */

void
hk_mailsess_init(struct hk_mailsess *s, const struct hk_mailproto *proto,
    struct hk_conn *c, const struct hk_endpoint *ep, struct hk_imap *imap)
{
	memset(s, 0, sizeof(*s));
	s->proto = proto;
	s->c = c;
	s->ep = *ep;
	s->imap = imap;	/* the rest: zero is every reply's INIT */
}

void
hk_mailsess_free(struct hk_mailsess *s)
{
	hk_buf_free(&s->greeting);
	hk_buf_free(&s->reply);
	hk_smtp_reply_free(&s->smtp_greet);
	hk_smtp_reply_free(&s->smtp_ehlo);
	hk_smtp_reply_free(&s->smtp_tls);
	hk_pop3_reply_free(&s->pop3_greet);
	hk_pop3_reply_free(&s->pop3_reply);
}

/* One stage: its name and start, for the hook. */
struct stage {
	struct hk_mailsess *s;
	const char *name;
	long long t0;
};

static void
stage_begin(struct stage *st, struct hk_mailsess *s, const char *name)
{
	st->s = s;
	st->name = name;
	st->t0 = hk_net_now_ms();
	if (s->hook != NULL) {
		struct hk_open_event ev = { .stage = name, .s = s };

		s->hook(s->hook_ctx, &ev);
	}
}

/* Ends the stage with outcome (rc for HK_OPEN_NET) at step; returns it. */
static enum hk_open_outcome
stage_end(struct stage *st, enum hk_open_step step,
    enum hk_open_outcome outcome, enum hk_net_rc rc)
{
	struct hk_mailsess *s = st->s;

	s->step = step;
	s->outcome = outcome;
	if (s->hook != NULL) {
		struct hk_open_event ev = {
			.stage = st->name, .done = true, .step = step,
			.outcome = outcome, .rc = rc,
			.ms = hk_net_now_ms() - st->t0,
			.reply = hk_buf_str(&s->reply), .s = s,
		};

		s->hook(s->hook_ctx, &ev);
	}
	return outcome;
}

/* Runs one server-facing step; *outcome is set when it stops the stage. */
static bool
step_ok(struct hk_mailsess *s, enum hk_open_step step,
    enum hk_net_rc (*fn)(struct hk_mailsess *, bool *),
    enum hk_open_outcome *outcome, enum hk_net_rc *rc)
{
	bool usable = false;

	hk_buf_reset(&s->reply);
	s->step = step;
	*rc = fn(s, &usable);
	if (step == HK_OPEN_GREETING) {
		hk_buf_reset(&s->greeting);
		hk_buf_puts(&s->greeting, hk_buf_str(&s->reply));
	}
	if (*rc != HK_NET_OK)
		*outcome = HK_OPEN_NET;
	else if (!usable)
		*outcome = HK_OPEN_REFUSED;
	else
		return true;
	return false;
}

/* STARTTLS with what must come before it, inside the "tls" stage. */
static enum hk_open_outcome
open_starttls(struct stage *st)
{
	struct hk_mailsess *s = st->s;
	const struct hk_mailproto *p = s->proto;
	enum hk_open_outcome out = HK_OPEN_OK;
	enum hk_net_rc rc = HK_NET_OK;

	if (!step_ok(s, HK_OPEN_GREETING, p->greeting, &out, &rc))
		return stage_end(st, HK_OPEN_GREETING, out, rc);
	if (p->caps_before_starttls || s->probe) {
		if (!step_ok(s, HK_OPEN_CAPS, p->caps, &out, &rc))
			return stage_end(st, HK_OPEN_CAPS, out, rc);
		if (!p->offers_starttls(s))
			return stage_end(st, HK_OPEN_CAPS, HK_OPEN_NOT_OFFERED,
			    HK_NET_PROTOCOL);
	}
	hk_buf_reset(&s->reply);
	rc = p->starttls(s);
	if (rc == HK_NET_PROTOCOL && !hk_conn_has_layer(s->c))
		return stage_end(st, HK_OPEN_STARTTLS, HK_OPEN_REFUSED, rc);
	if (rc != HK_NET_OK)
		return stage_end(st, HK_OPEN_HANDSHAKE, HK_OPEN_NET, rc);
	s->starttls_done = true;
	return HK_OPEN_OK;
}

enum hk_open_outcome
hk_mail_open(struct hk_mailsess *s)
{
	const struct hk_mailproto *p = s->proto;
	enum hk_open_outcome out = HK_OPEN_OK;
	enum hk_net_rc rc;
	struct stage st;

	stage_begin(&st, s, "resolve");
	rc = hk_net_resolve(s->c, s->ep.host, s->ep.port, &s->addrs);
	if (rc != HK_NET_OK)
		return stage_end(&st, HK_OPEN_RESOLVE, HK_OPEN_NET, rc);
	stage_end(&st, HK_OPEN_RESOLVE, HK_OPEN_OK, rc);

	stage_begin(&st, s, "connect");
	rc = hk_conn_connect(s->c, &s->addrs);
	if (rc != HK_NET_OK)
		return stage_end(&st, HK_OPEN_CONNECT, HK_OPEN_NET, rc);
	stage_end(&st, HK_OPEN_CONNECT, HK_OPEN_OK, rc);

	if (s->ep.security != HK_NET_PLAIN) {
		stage_begin(&st, s, "tls");
		if (s->ep.security == HK_NET_STARTTLS) {
			if ((out = open_starttls(&st)) != HK_OPEN_OK)
				return out;
		} else {
			hk_buf_reset(&s->reply);
			rc = hk_tls_start(s->c, s->ep.host, s->ep.verify,
			    &s->tls);
			if (rc != HK_NET_OK)
				return stage_end(&st, HK_OPEN_HANDSHAKE,
				    HK_OPEN_NET, rc);
		}
		stage_end(&st, HK_OPEN_HANDSHAKE, HK_OPEN_OK, HK_NET_OK);
	}

	stage_begin(&st, s, "greeting");
	if (s->ep.security != HK_NET_STARTTLS &&
	    !step_ok(s, HK_OPEN_GREETING, p->greeting, &out, &rc))
		return stage_end(&st, HK_OPEN_GREETING, out, rc);
	if (s->greeting_only && !s->starttls_done)
		return stage_end(&st, HK_OPEN_GREETING, HK_OPEN_OK, HK_NET_OK);
	if (!step_ok(s, HK_OPEN_CAPS, p->caps, &out, &rc))
		return stage_end(&st, HK_OPEN_CAPS, out, rc);
	return stage_end(&st, HK_OPEN_CAPS, HK_OPEN_OK, HK_NET_OK);
}

static enum hk_net_security
security(enum hk_security sec)
{
	return sec == HK_SEC_TLS ? HK_NET_IMPLICIT_TLS :
	    sec == HK_SEC_STARTTLS ? HK_NET_STARTTLS : HK_NET_PLAIN;
}

void
hk_mail_endpoint_recv(const struct hk_server *srv, struct hk_endpoint *ep)
{
	ep->host = srv->recv_host;
	ep->port = (unsigned)srv->recv_port;
	ep->security = security(srv->recv_security);
	ep->verify = srv->recv_tls_verify;
}

void
hk_mail_endpoint_smtp(const struct hk_server *srv, struct hk_endpoint *ep)
{
	ep->host = srv->smtp_host;
	ep->port = (unsigned)srv->smtp_port;
	ep->security = security(srv->smtp_security);
	ep->verify = srv->smtp_tls_verify;
}
