/* conntest.c - running the staged connection test (conntest.h): both
 * ends of a mail server, every stage timed and explained.  The opening
 * stages (resolve, connect, tls, greeting) are the opener's (mailopen.h),
 * reported through its hook; the stages after them (login, pop-before-
 * smtp, auth, relay) are run here.  conntest-report.c writes the XML. */
#include "config.h"

#include <stdio.h>
#include <time.h>
#include <stdlib.h>
#include <string.h>

#include "conntest-report.h"
#include "conntest.h"
#include "imap.h"
#include "mailopen.h"
#include "mem.h"
#include "modload.h"
#include "oauth2_token.h"
#include "pop3.h"
#include "presend.h"
#include "recvauth.h"
#include "refusal.h"
#include "smtp.h"
#include "tls.h"

/* One test run. */
struct run {
	const struct hk_conntest_params *p;
	struct hk_ctreport rep;
};

/* ---- the opening stages, from the opener's hook ------------------------ */

/* The form fields an end's opening failures name. */
struct end_fields {
	const char *host, *port, *security, *verify;
};

static const struct end_fields recv_fields = {
	"recv_host", "recv_port", "recv_security", "recv_tls_verify",
};
static const struct end_fields smtp_fields = {
	"smtp_host", "smtp_port", "smtp_security", "smtp_tls_verify",
};

struct open_report;

/* What a passed greeting stage reports: its reply, the capabilities and
 * the warnings they raise (per protocol). */
typedef void (*greeting_fn)(struct open_report *o, struct hk_ctstage *st,
    const struct hk_mailsess *s);

/* The hook's context for one opening. */
struct open_report {
	struct run *r;
	xmlNodePtr end;
	const struct end_fields *f;
	greeting_fn greeting;
	struct hk_ctstage st;	/* the stage being run */
	/* Not NULL: the opening was reported already (the connection again
	 * after POP before SMTP); its failures, and nothing else, go to this
	 * stand-in stage. */
	struct hk_ctstage *standin;
};

static void
open_report_init(struct open_report *o, struct run *r, xmlNodePtr end,
    const struct end_fields *f, greeting_fn greeting)
{
	memset(o, 0, sizeof(*o));
	o->r = r;
	o->end = end;
	o->f = f;
	o->greeting = greeting;
}

static const char *
stage_field(const struct end_fields *f, const char *stage)
{
	if (strcmp(stage, "resolve") == 0)
		return f->host;
	if (strcmp(stage, "tls") == 0)
		return f->security;
	return f->port;		/* connect, greeting */
}

/* SMTP's greeting stage shows the greeting and the EHLO reply. */
static void
greeting_reply(const struct hk_mailsess *s, const char *reply,
    struct hk_buf *out)
{
	hk_buf_puts(out, hk_buf_str(&s->greeting));
	if (s->proto == &hk_mailproto_smtp) {
		hk_buf_puts(out, " / ");
		hk_buf_puts(out, reply);
	}
}

static void
open_passed(struct open_report *o, const struct hk_open_event *ev)
{
	struct hk_ctstage *st = &o->st;
	const struct hk_mailsess *s = ev->s;
	char a[64];

	if (strcmp(ev->stage, "resolve") == 0) {
		for (size_t i = 0; i < s->addrs.n; i++) {
			hk_net_addr_str((const struct sockaddr *)&s->addrs.sa[i],
			    a, sizeof(a));
			hk_ctstage_address(st, a);
		}
	} else if (strcmp(ev->stage, "connect") == 0) {
		hk_ctstage_address(st, s->c->peer);
	} else if (strcmp(ev->stage, "tls") == 0) {
		hk_ctstage_reply(st, ev->reply);	/* STARTTLS's */
		hk_ctstage_tls(st, &s->tls);
	} else {
		struct hk_buf text = HK_BUF_INIT;

		greeting_reply(s, ev->reply, &text);
		hk_ctstage_reply(st, hk_buf_str(&text));
		hk_buf_free(&text);
		o->greeting(o, st, s);
	}
	hk_ctstage_ok(st);
}

/* A failed handshake or a refused certificate. */
static void
tls_failed(struct open_report *o, struct hk_ctstage *st,
    const struct hk_mailsess *s, enum hk_net_rc rc)
{
	const struct hk_tls_info *ti = &s->tls;
	const char *detail = hk_buf_str(&s->c->err);

	if (ti->version[0] != '\0' || ti->have_cert)
		hk_ctstage_tls(st, ti);
	if (rc != HK_NET_TLS_VERIFY) {
		hk_ctstage_net_fail(st, s->c, rc, o->f->security, "tls");
		return;
	}
	switch (hk_tls_verify_kind(ti->verify_error)) {
	case HK_TLS_VERIFY_NAME:
		hk_ctstage_fail(st, 5, o->f->host, "conntest.tls.name", NULL, 0,
		    detail);
		break;
	case HK_TLS_VERIFY_EXPIRED:
		hk_ctstage_fail(st, 5, o->f->verify, "conntest.tls.expired",
		    NULL, 0, detail);
		break;
	default:
		hk_ctstage_fail(st, 5, o->f->verify, "conntest.tls.untrusted",
		    NULL, 0, detail);
		break;
	}
}

/* The greeting, capabilities or STARTTLS before TLS failed ("tls"). */
static void
starttls_failed(struct open_report *o, struct hk_ctstage *st,
    const struct hk_open_event *ev)
{
	struct hk_mailsess *s = ev->s;
	bool smtp = s->proto == &hk_mailproto_smtp;

	switch (ev->step) {
	case HK_OPEN_GREETING:
		hk_ctstage_reply(st, ev->reply);
		if (ev->outcome == HK_OPEN_NET)
			hk_ctstage_net_fail(st, s->c, ev->rc, o->f->port,
			    "greeting");
		else if (smtp)
			hk_ctstage_fail(st, 5, o->f->host,
			    "conntest.greeting.refused", NULL, 0, NULL);
		else
			/* POP3's -ERR and IMAP's BYE before STARTTLS read as
			 * a server not speaking the protocol expected. */
			hk_ctstage_net_fail(st, s->c, hk_conn_fail(s->c,
			    HK_NET_PROTOCOL, "the greeting was %s",
			    s->proto->greeting_no), o->f->port, "greeting");
		break;
	case HK_OPEN_CAPS:
		if (ev->outcome == HK_OPEN_NET) {
			hk_ctstage_net_fail(st, s->c, ev->rc, o->f->port,
			    "greeting");
			break;
		}
		/* Not offered, or (SMTP) neither EHLO nor HELO accepted. */
		if (smtp)
			hk_ctstage_reply(st, ev->reply);
		hk_ctstage_fail(st, 5, o->f->security,
		    "conntest.starttls.not-offered", NULL, 0, NULL);
		break;
	case HK_OPEN_STARTTLS:
		hk_ctstage_reply(st, ev->reply);
		hk_ctstage_fail(st, 5, o->f->security,
		    "conntest.starttls.refused", NULL, 0,
		    hk_buf_str(&s->c->err));
		break;
	default:	/* the handshake after STARTTLS */
		hk_ctstage_reply(st, ev->reply);
		tls_failed(o, st, s, ev->rc);
		break;
	}
}

/* The greeting or the capabilities failed ("greeting"). */
static void
greeting_failed(struct open_report *o, struct hk_ctstage *st,
    const struct hk_open_event *ev)
{
	struct hk_mailsess *s = ev->s;

	if (ev->step == HK_OPEN_GREETING) {
		if (ev->outcome == HK_OPEN_NET) {
			/* On a plain connection a silent server may be
			 * waiting for a TLS handshake. */
			hk_ctstage_net_fail(st, s->c, ev->rc,
			    s->ep.security == HK_NET_PLAIN &&
			    ev->rc == HK_NET_TIMEOUT ? o->f->security :
			    o->f->port, "greeting");
			return;
		}
		hk_ctstage_reply(st, ev->reply);
		hk_ctstage_fail(st, 5, o->f->host, "conntest.greeting.refused",
		    NULL, 0, NULL);
		return;
	}
	if (o->standin == NULL) {
		struct hk_buf text = HK_BUF_INIT;

		greeting_reply(s, ev->reply, &text);
		hk_ctstage_reply(st, hk_buf_str(&text));
		hk_buf_free(&text);
	}
	if (ev->outcome == HK_OPEN_NET)
		hk_ctstage_net_fail(st, s->c, ev->rc, o->f->port, "greeting");
	else	/* SMTP: neither EHLO nor HELO accepted */
		hk_ctstage_fail(st, 5, o->f->host,
		    "conntest.greeting.helo-refused", NULL, 0, NULL);
}

static void
open_failed(struct open_report *o, struct hk_ctstage *st,
    const struct hk_open_event *ev)
{
	struct hk_conn *c = ev->s->c;

	if (ev->step == HK_OPEN_RESOLVE || ev->step == HK_OPEN_CONNECT) {
		if (o->standin != NULL)
			hk_ctstage_net_fail(st, c, ev->rc, o->f->host,
			    "connect");
		else if (ev->step == HK_OPEN_RESOLVE)
			hk_ctstage_net_fail(st, c, ev->rc, o->f->host,
			    "resolve");
		else	/* nobody there: the port; unreachable: the host */
			hk_ctstage_net_fail(st, c, ev->rc,
			    ev->rc == HK_NET_REFUSED ||
			    ev->rc == HK_NET_TIMEOUT ? o->f->port : o->f->host,
			    "connect");
	} else if (strcmp(ev->stage, "tls") != 0)
		greeting_failed(o, st, ev);
	else if (ev->s->ep.security == HK_NET_STARTTLS)
		starttls_failed(o, st, ev);
	else
		tls_failed(o, st, ev->s, ev->rc);
}

static void
open_hook(void *ctx, const struct hk_open_event *ev)
{
	struct open_report *o = ctx;

	if (o->standin != NULL) {
		if (!ev->done)
			return;
		if (ev->outcome != HK_OPEN_OK)
			open_failed(o, o->standin, ev);
		else if (strcmp(ev->stage, "tls") == 0)
			hk_ctstage_reply(o->standin, ev->reply);
		return;
	}
	if (!ev->done)
		hk_ctstage_begin(&o->st, &o->r->rep, o->end, ev->stage,
		    stage_field(o->f, ev->stage));
	else if (ev->outcome == HK_OPEN_OK)
		open_passed(o, ev);
	else
		open_failed(o, &o->st, ev);
}

/* Opens s with its stages reported; true when it is open. */
static bool
open_reported(struct hk_mailsess *s, struct open_report *o)
{
	s->hook = open_hook;
	s->hook_ctx = o;
	return hk_mail_open(s) == HK_OPEN_OK;
}

/* ---- the receive end: POP3 -------------------------------------------- */

static void
pop3_greeting(struct open_report *o, struct hk_ctstage *st,
    const struct hk_mailsess *s)
{
	const struct hk_pop3_caps *caps = &s->pop3_caps;

	if (caps->capa) {
		if (caps->user) hk_ctstage_cap(st, "USER", NULL);
		if (caps->stls) hk_ctstage_cap(st, "STLS", NULL);
		if (caps->uidl) hk_ctstage_cap(st, "UIDL", NULL);
		if (caps->top) hk_ctstage_cap(st, "TOP", NULL);
		if (caps->pipelining) hk_ctstage_cap(st, "PIPELINING", NULL);
		if (caps->sasl[0]) hk_ctstage_cap(st, "SASL", caps->sasl);
	}
	if (caps->apop)
		hk_ctstage_cap(st, "APOP", NULL);
	if (o->r->p->srv->apop && !caps->apop)
		hk_ctstage_warn(st, "apop", "conntest.warn.no-apop", NULL, 0);
	if (caps->capa && !caps->uidl)
		hk_ctstage_warn(st, "recv_protocol", "conntest.warn.no-uidl",
		    NULL, 0);
}

/* APOP through the "apop" module.  Returns false on failure (reported). */
static bool
pop3_apop(struct run *r, struct hk_ctstage *st, struct hk_mailsess *s)
{
	const struct hk_conntest_params *p = r->p;
	const struct hk_authmod *mod = hk_modset_find(p->mods, "apop",
	    HK_AUTHMOD_KIND_POP3);
	struct hk_auth_result ar = HK_AUTH_RESULT_INIT;
	struct hk_authsess_params ap = {
		.mod = mod, .user = p->user, .password = p->password,
		.host = p->srv->recv_host,
	};
	enum hk_auth_status as;
	const char *detail;

	if (mod == NULL) {
		hk_ctstage_fail(st, 2, "apop", "conntest.module.missing",
		    (const char *[]){ "apop" }, 1, NULL);
		return false;
	}
	as = hk_pop3_auth(s->c, &ap, hk_buf_str(&s->pop3_greet.text), &ar);
	hk_ctstage_reply(st, hk_buf_str(&ar.last_reply));
	detail = ar.message ? ar.message : "";
	if (as == HK_AUTH_OK)
		;
	else if (as == HK_AUTH_IO)
		hk_ctstage_net_fail(st, s->c, HK_NET_IO, "recv_port", "login");
	else if (as == HK_AUTH_REJECTED)
		hk_ctstage_fail(st, 4, p->cred_field, "conntest.login.refused",
		    NULL, 0, detail);
	else if (as == HK_AUTH_PROTOCOL && !s->pop3_caps.apop)
		hk_ctstage_fail(st, 5, "apop", "conntest.login.no-apop", NULL,
		    0, detail);
	else if (as == HK_AUTH_CONFIG)
		hk_ctstage_fail(st, 2, p->cred_field, "conntest.login.unusable",
		    NULL, 0, detail);
	else
		hk_ctstage_fail(st, 5, "apop", "conntest.protocol.bad", NULL, 0,
		    detail);
	hk_auth_result_clear(&ar);
	return as == HK_AUTH_OK;
}

/* ---- the token stage (OAuth 2.0) ---------------------------------------- */

/* Reports how the end's access token was obtained; false (reported) when
 * there is none, and the end stops there. */
static bool
stage_token(struct run *r, xmlNodePtr end)
{
	const struct hk_oauth2_token *t = r->p->token;
	struct hk_ctstage st;
	const char *key, *field = "account_id";
	char until[32] = "-";
	const char *args[1];

	hk_ctstage_begin(&st, &r->rep, end, "token", "oauth2_provider");
	if (t == NULL) {
		hk_ctstage_fail(&st, 2, r->p->cred_field,
		    "conntest.token.no-account", NULL, 0, NULL);
		return false;
	}
	if (t->exit_code == 0) {
		xmlNodePtr n;

		if (t->expires > 0) {
			time_t e = (time_t)t->expires;
			struct tm tm;

			gmtime_r(&e, &tm);
			strftime(until, sizeof(until), "%Y-%m-%dT%H:%M:%SZ", &tm);
		}
		args[0] = until;
		key = t->step == HK_OAUTH2_STEP_REFRESHED ?
		    "conntest.token.refreshed" : t->step == HK_OAUTH2_STEP_SHARED ?
		    "conntest.token.shared" : "conntest.token.valid";
		n = hk_ctstage_note(&st, "token", key, args, 1);
		if (t->expires > 0)
			hk_ctreport_attr(n, "expires", until);
		hk_ctstage_ok(&st);
		return true;
	}
	args[0] = t->provider_error != NULL ? t->provider_error : "-";
	switch (t->step) {
	case HK_OAUTH2_STEP_NOT_CONNECTED:
		key = "conntest.token.not-connected";
		break;
	case HK_OAUTH2_STEP_RECONNECT:
		key = "conntest.token.reconnect";
		break;
	case HK_OAUTH2_STEP_REFUSED:
		key = "conntest.token.refused";
		field = "oauth2_client_id";
		break;
	case HK_OAUTH2_STEP_UNREACHABLE:
		key = "conntest.token.unreachable";
		field = "oauth2_token_url";
		break;
	case HK_OAUTH2_STEP_CONFIG:
		key = "conntest.token.config";
		field = "oauth2_provider";
		break;
	default:
		key = "conntest.token.store";
		field = NULL;
		break;
	}
	hk_ctstage_fail(&st, t->exit_code, field, key, args, 1, t->error);
	return false;
}

/* Whether an end that signs in with a token (oauth) gets a token stage:
 * with a provider set.  Without one (a setting the form refuses) the
 * sign-in stage says so, after checking the server offers the
 * mechanism at all. */
static bool
token_stage(const struct hk_server *s, bool oauth)
{
	return oauth && s->oauth2_provider != HK_OAUTH2_NONE;
}

/* An OAuth end without a usable token at its sign-in: fails the stage. */
static bool
no_token(struct run *r, struct hk_ctstage *st)
{
	const struct hk_oauth2_token *t = r->p->token;

	if (t != NULL && t->exit_code == 0 && t->access != NULL)
		return false;
	hk_ctstage_fail(st, 2, "oauth2_provider", "conntest.token.config",
	    NULL, 0, t != NULL ? t->error : NULL);
	return true;
}

/* What the receive end signs in with: the token or the password. */
static const char *
recv_secret(const struct run *r)
{
	const struct hk_conntest_params *p = r->p;

	if (hk_oauth2_token_recv(p->srv))
		return p->token != NULL ? p->token->access : NULL;
	return p->password;
}

/* The SASL module of recv_auth_method, as POP3 AUTH or IMAP
 * AUTHENTICATE (s->imap).  The stage names the command and mechanism
 * (method="AUTHENTICATE PLAIN") and shows the server's last reply.
 * Returns false on failure (reported). */
static bool
recv_sasl(struct run *r, struct hk_ctstage *st, struct hk_mailsess *s,
    const struct hk_authmod *mod)
{
	const struct hk_conntest_params *p = r->p;
	struct hk_imap *m = s->imap;
	struct hk_auth_result ar = HK_AUTH_RESULT_INIT;
	struct hk_buf offered = HK_BUF_INIT, method = HK_BUF_INIT;
	enum hk_auth_status as;
	const char *detail;

	hk_buf_printf(&method, "%s %s", m != NULL ? "AUTHENTICATE" : "AUTH",
	    mod->sasl_name);
	hk_ctreport_attr(st->node, "method", hk_buf_str(&method));
	hk_buf_free(&method);
	if (!hk_recvauth_offered(mod, m != NULL ? NULL : &s->pop3_caps,
	    m != NULL ? &m->caps : NULL, &offered)) {
		hk_ctstage_fail(st, 5, "recv_auth_method",
		    "conntest.login.not-offered", (const char *[]){
		    mod->sasl_name, offered.len > 0 ? hk_buf_str(&offered) :
		    "-" }, 2, NULL);
		hk_buf_free(&offered);
		return false;
	}
	hk_buf_free(&offered);
	if (hk_oauth2_token_recv(p->srv) && no_token(r, st))
		return false;
	as = hk_recvauth_run(mod, p->srv, s->c, m, p->user, recv_secret(r), &ar);
	hk_ctstage_reply(st, m != NULL ? hk_buf_str(&m->last) :
	    hk_buf_str(&ar.last_reply));
	detail = ar.message ? ar.message : "";
	switch (as) {
	case HK_AUTH_OK:
		break;
	case HK_AUTH_IO:
		hk_ctstage_net_fail(st, s->c, HK_NET_IO, "recv_port", "login");
		break;
	case HK_AUTH_REJECTED:
		hk_ctstage_fail(st, 4, p->cred_field, "conntest.login.refused",
		    NULL, 0, detail);
		break;
	case HK_AUTH_CONFIG:
		hk_ctstage_fail(st, 2, p->cred_field, "conntest.login.unusable",
		    NULL, 0, detail);
		break;
	default:
		hk_ctstage_fail(st, 5, "recv_auth_method",
		    "conntest.protocol.bad", NULL, 0, detail);
		break;
	}
	hk_auth_result_clear(&ar);
	return as == HK_AUTH_OK;
}

/* The module recv_auth_method names, or NULL for the password; false
 * (reported) when it is not installed for the receive protocol. */
static bool
recv_module(struct run *r, struct hk_ctstage *st,
    const struct hk_authmod **mod)
{
	if (hk_recvauth_module(r->p->srv, r->p->mods, mod) == 0)
		return true;
	hk_ctstage_fail(st, 2, "recv_auth_method", "conntest.module.missing",
	    (const char *[]){ r->p->srv->recv_auth_method }, 1, NULL);
	return false;
}

/* USER and PASS.  Returns false on failure (reported). */
static bool
pop3_user_pass(struct run *r, struct hk_ctstage *st, struct hk_conn *c,
    struct hk_pop3_reply *pr)
{
	const struct hk_conntest_params *p = r->p;
	struct hk_buf text = HK_BUF_INIT;
	enum hk_net_rc rc;

	if (!hk_pop3_arg_ok(p->user, false) ||
	    !hk_pop3_arg_ok(p->password, true)) {
		hk_ctstage_fail(st, 2, p->cred_field, "conntest.login.unusable",
		    NULL, 0, NULL);
		return false;
	}
	rc = hk_pop3_login(c, pr, p->user, p->password);
	hk_pop3_reply_format(pr, &text);
	hk_ctstage_reply(st, hk_buf_str(&text));
	hk_buf_free(&text);
	if (rc != HK_NET_OK)
		hk_ctstage_net_fail(st, c, rc, "recv_port", "login");
	else if (!pr->ok)
		hk_ctstage_fail(st, 4, p->cred_field, "conntest.login.refused",
		    NULL, 0, NULL);
	return rc == HK_NET_OK && pr->ok;
}

static void
end_pop3(struct run *r, xmlNodePtr end)
{
	const struct hk_conntest_params *p = r->p;
	struct hk_conn c;
	struct hk_endpoint ep;
	struct hk_mailsess s;
	struct open_report o;
	struct hk_pop3_reply pr = HK_POP3_REPLY_INIT;
	struct hk_ctstage st;
	const struct hk_authmod *sasl;
	unsigned long count;
	unsigned long long size;
	enum hk_net_rc rc;
	bool ok = false;

	hk_conn_init(&c, &p->to);
	hk_mail_endpoint_recv(p->srv, &ep);
	hk_mailsess_init(&s, &hk_mailproto_pop3, &c, &ep, NULL);
	s.probe = true;		/* CAPA says whether STLS is offered */
	open_report_init(&o, r, end, &recv_fields, pop3_greeting);
	if (token_stage(p->srv, hk_oauth2_token_recv(p->srv)) &&
	    !stage_token(r, end))
		goto out;
	if (!open_reported(&s, &o))
		goto out;

	hk_ctstage_begin(&st, &r->rep, end, "login", p->cred_field);
	if (!recv_module(r, &st, &sasl))
		goto out;
	if (sasl != NULL ? !recv_sasl(r, &st, &s, sasl) :
	    p->srv->apop ? !pop3_apop(r, &st, &s) :
	    !pop3_user_pass(r, &st, &c, &pr))
		goto out;
	rc = hk_pop3_stat(&c, &pr, &count, &size);
	if (rc != HK_NET_OK) {
		hk_ctstage_net_fail(&st, &c, rc, "recv_port", "login");
		goto out;
	}
	if (pr.ok) {
		xmlNodePtr mb = xmlNewDocNode(r->rep.doc, NULL,
		    BAD_CAST "mailbox", NULL);

		hk_ctreport_attr_ll(mb, "messages", (long long)count);
		hk_ctreport_attr_ll(mb, "size", (long long)size);
		xmlAddChild(st.node, mb);
	}
	hk_ctstage_ok(&st);
	ok = true;
out:
	/* Say goodbye only to a server that is still talking sense: not
	 * after a timeout (another wait), a protocol error, or a refused
	 * certificate (nothing goes over a connection we do not trust). */
	if (c.fd >= 0 && c.err.len == 0)
		(void)hk_pop3_quit(&c, &pr);
	hk_ctreport_end_done(end, ok);
	hk_pop3_reply_free(&pr);
	hk_mailsess_free(&s);
	hk_conn_free(&c);
}

/* ---- the receive end: IMAP4 -------------------------------------------- */

static void
imap_greeting(struct open_report *o, struct hk_ctstage *st,
    const struct hk_mailsess *s)
{
	const char *l = s->imap->caps.list;

	(void)o;
	while (*l != '\0') {
		size_t n = strcspn(l, " ");
		char *atom = hk_strndup(l, n);

		hk_ctstage_cap(st, atom, NULL);
		free(atom);
		l += n;
		while (*l == ' ')
			l++;
	}
	if (!s->imap->caps.imap4rev1)
		hk_ctstage_warn(st, "recv_protocol",
		    "conntest.warn.not-imap4rev1", NULL, 0);
}

/* LOGIN, unless the server greeted with PREAUTH.  Returns false on
 * failure (reported). */
static bool
imap_login(struct run *r, struct hk_ctstage *st, struct hk_mailsess *s)
{
	const struct hk_conntest_params *p = r->p;
	struct hk_imap *m = s->imap;
	const struct hk_authmod *sasl;
	enum hk_imap_status ist;
	enum hk_net_rc rc;

	/* The status of the last command of the opening: the greeting's
	 * when it listed the capabilities. */
	if (s->imap_last == HK_IMAP_PREAUTH) {
		hk_ctstage_reply(st, hk_buf_str(&s->greeting));
		return true;
	}
	if (!recv_module(r, st, &sasl))
		return false;
	if (sasl != NULL)
		return recv_sasl(r, st, s, sasl);
	rc = hk_imap_login(m, p->user, p->password, &ist);
	hk_ctstage_reply(st, hk_buf_str(&m->last));
	if (rc != HK_NET_OK) {
		if (m->caps.logindisabled)
			hk_ctstage_fail(st, 5, "recv_security",
			    "conntest.login.disabled", NULL, 0,
			    hk_buf_str(&s->c->err));
		else
			hk_ctstage_net_fail(st, s->c, rc, "recv_port", "login");
		return false;
	}
	if (ist != HK_IMAP_OK) {
		hk_ctstage_fail(st, 4, p->cred_field, "conntest.login.refused",
		    NULL, 0, NULL);
		return false;
	}
	return true;
}

static void
end_imap(struct run *r, xmlNodePtr end)
{
	const struct hk_conntest_params *p = r->p;
	struct hk_conn c;
	struct hk_imap m;
	struct hk_endpoint ep;
	struct hk_mailsess s;
	struct open_report o;
	struct hk_ctstage st;
	enum hk_imap_status ist;
	enum hk_net_rc rc;
	bool ok = false;

	hk_conn_init(&c, &p->to);
	hk_imap_init(&m, &c);
	hk_mail_endpoint_recv(p->srv, &ep);
	hk_mailsess_init(&s, &hk_mailproto_imap, &c, &ep, &m);
	open_report_init(&o, r, end, &recv_fields, imap_greeting);
	if (token_stage(p->srv, hk_oauth2_token_recv(p->srv)) &&
	    !stage_token(r, end))
		goto out;
	if (!open_reported(&s, &o))
		goto out;

	hk_ctstage_begin(&st, &r->rep, end, "login", p->cred_field);
	if (!imap_login(r, &st, &s))
		goto out;
	rc = hk_imap_select(&m, "INBOX", &ist);
	hk_ctstage_reply(&st, hk_buf_str(&m.last));
	if (rc != HK_NET_OK) {
		hk_ctstage_net_fail(&st, &c, rc, "recv_port", "login");
		goto out;
	}
	if (ist != HK_IMAP_OK) {
		hk_ctstage_fail(&st, 5, "recv_protocol",
		    "conntest.login.no-inbox", NULL, 0, NULL);
		goto out;
	}
	{
		xmlNodePtr mb = xmlNewDocNode(r->rep.doc, NULL,
		    BAD_CAST "mailbox", NULL);

		hk_ctreport_attr_ll(mb, "messages", (long long)m.exists);
		hk_ctreport_attr_ll(mb, "uidvalidity", (long long)m.uidvalidity);
		xmlAddChild(st.node, mb);
	}
	hk_ctstage_ok(&st);
	ok = true;
out:
	if (c.fd >= 0 && c.err.len == 0)
		hk_imap_logout(&m);
	hk_ctreport_end_done(end, ok);
	hk_mailsess_free(&s);
	hk_imap_free(&m);
	hk_conn_free(&c);
}

/* ---- the send end ------------------------------------------------------ */

static void
smtp_greeting(struct open_report *o, struct hk_ctstage *st,
    const struct hk_mailsess *s)
{
	const struct hk_conntest_params *p = o->r->p;
	const struct hk_server *srv = p->srv;
	const struct hk_smtp_caps *k = &s->smtp_caps;
	char num[32];

	if (!k->ehlo)
		hk_ctstage_cap(st, "HELO", NULL);
	if (k->auth)
		hk_ctstage_cap(st, "AUTH", k->auth_mechs);
	if (k->size) {
		snprintf(num, sizeof(num), "%llu", k->size_max);
		hk_ctstage_cap(st, "SIZE", num);
	}
	if (k->starttls)
		hk_ctstage_cap(st, "STARTTLS", NULL);
	if (k->eightbitmime)
		hk_ctstage_cap(st, "8BITMIME", NULL);
	if (k->pipelining)
		hk_ctstage_cap(st, "PIPELINING", NULL);
	/* Warnings that do not stop the test. */
	if (srv->send_limit > 0 && k->size && k->size_max > 0 &&
	    k->size_max < (unsigned long long)srv->send_limit) {
		char a1[32], a2[32];
		const char *args[2] = { a1, a2 };

		snprintf(a1, sizeof(a1), "%llu", k->size_max);
		snprintf(a2, sizeof(a2), "%lld", srv->send_limit);
		hk_ctstage_warn(st, "send_limit", "conntest.warn.size", args, 2);
	}
	if (srv->smtp_auth) {
		const struct hk_authmod *mod = hk_modset_find(p->mods,
		    srv->smtp_auth_method, HK_AUTHMOD_KIND_SASL);
		const char *mech = mod != NULL && mod->sasl_name ?
		    mod->sasl_name : srv->smtp_auth_method;

		if (!k->auth)
			hk_ctstage_warn(st, "smtp_auth", "conntest.warn.no-auth",
			    NULL, 0);
		else if (!hk_smtp_caps_has_auth(k, mech)) {
			const char *args[2] = { mech, k->auth_mechs };

			hk_ctstage_warn(st, "smtp_auth_method",
			    "conntest.warn.method", args, 2);
		}
	}
}

static bool
stage_presend(struct run *r, xmlNodePtr end)
{
	const struct hk_conntest_params *p = r->p;
	const struct hk_server *s = p->srv;
	const struct hk_authmod *mod = hk_modset_find(p->mods, "pop-before-smtp",
	    HK_AUTHMOD_KIND_PRESEND);
	struct hk_auth_result ar = HK_AUTH_RESULT_INIT;
	struct hk_ctstage st;
	enum hk_auth_status as;

	hk_ctstage_begin(&st, &r->rep, end, "pop-before-smtp",
	    "pop_before_smtp");
	if (mod == NULL) {
		hk_ctstage_fail(&st, 2, "pop_before_smtp",
		    "conntest.module.missing",
		    (const char *[]){ "pop-before-smtp" }, 1, NULL);
		return false;
	}
	as = hk_presend_run(mod, s, p->user, p->password, &p->to, &ar);
	hk_ctstage_reply(&st, hk_buf_str(&ar.last_reply));
	if (s->pop_before_smtp_wait > 0) {
		xmlNodePtr w = xmlNewDocNode(r->rep.doc, NULL, BAD_CAST "wait",
		    NULL);

		hk_ctreport_attr_ll(w, "seconds", s->pop_before_smtp_wait);
		xmlAddChild(st.node, w);
	}
	switch (as) {
	case HK_AUTH_OK:
		hk_ctstage_ok(&st);
		break;
	case HK_AUTH_REJECTED:
		hk_ctstage_fail(&st, 4, p->cred_field, "conntest.pbs.refused",
		    NULL, 0, ar.message);
		break;
	case HK_AUTH_CONFIG:
		hk_ctstage_fail(&st, 2, p->cred_field, "conntest.login.unusable",
		    NULL, 0, ar.message);
		break;
	case HK_AUTH_PROTOCOL:
		hk_ctstage_fail(&st, 5, s->apop ? "apop" : "recv_port",
		    s->apop ? "conntest.login.no-apop" : "conntest.protocol.bad",
		    NULL, 0, ar.message);
		break;
	default:
		hk_ctstage_fail(&st, 5, "recv_host", "conntest.pbs.failed", NULL,
		    0, ar.message);
		break;
	}
	hk_auth_result_clear(&ar);
	return as == HK_AUTH_OK;
}

static bool
stage_auth(struct run *r, xmlNodePtr end, struct hk_mailsess *sess)
{
	const struct hk_conntest_params *p = r->p;
	const struct hk_server *s = p->srv;
	const struct hk_authmod *mod = hk_modset_find(p->mods,
	    s->smtp_auth_method, HK_AUTHMOD_KIND_SASL);
	/* With OAuth 2.0 the credentials are always the account's token. */
	bool token = hk_oauth2_token_send(s);
	bool fixed = !token && s->smtp_credentials == HK_CRED_FIXED;
	struct hk_auth_result ar = HK_AUTH_RESULT_INIT;
	char port[16];
	/* OAUTHBEARER sends the server's port (RFC 7628 §3.1). */
	const struct hk_auth_opt opts[] = { { "port", port } };
	struct hk_authsess_params ap = {
		.mod = mod, .protocol = HK_AUTHMOD_PROTO_SMTP,
		.user = fixed ? s->smtp_user : p->user,
		.password = token ? (p->token ? p->token->access : NULL) :
		    fixed ? s->smtp_password : p->password,
		.host = s->smtp_host, .opts = opts, .n_opts = 1,
	};
	const char *cred_field = fixed ? "smtp_password" : p->cred_field;
	struct hk_ctstage st;
	enum hk_auth_status as;

	snprintf(port, sizeof(port), "%d", s->smtp_port);
	hk_ctstage_begin(&st, &r->rep, end, "auth", "smtp_auth_method");
	if (mod == NULL) {
		hk_ctstage_fail(&st, 2, "smtp_auth_method",
		    "conntest.module.missing",
		    (const char *[]){ s->smtp_auth_method }, 1, NULL);
		return false;
	}
	if (token && no_token(r, &st))
		return false;
	if (fixed && (s->smtp_password == NULL || *s->smtp_password == '\0')) {
		hk_ctstage_fail(&st, 2, "smtp_password",
		    "conntest.auth.no-password", NULL, 0, NULL);
		return false;
	}
	as = hk_smtp_auth(sess->c, &ap, &ar);
	hk_ctstage_reply(&st, hk_buf_str(&ar.last_reply));
	if (as != HK_AUTH_OK && hk_refusal_auth_unavailable(&sess->smtp_caps,
	    hk_buf_str(&ar.last_reply))) {
		/* Not the password's fault: there is no AUTH to use here. */
		hk_ctstage_fail(&st, 5, "smtp_security",
		    s->smtp_security == HK_SEC_NONE ?
		    "conntest.auth.none-here-plain" : "conntest.auth.none-here",
		    NULL, 0, ar.message);
		hk_auth_result_clear(&ar);
		return false;
	}
	switch (as) {
	case HK_AUTH_OK:
		hk_ctstage_ok(&st);
		break;
	case HK_AUTH_REJECTED:
		hk_ctstage_fail(&st, 4, cred_field, "conntest.auth.refused",
		    NULL, 0, ar.message);
		break;
	case HK_AUTH_PROTOCOL:
		if (!hk_smtp_caps_has_auth(&sess->smtp_caps, mod->sasl_name))
			hk_ctstage_fail(&st, 5, "smtp_auth_method",
			    "conntest.auth.not-offered",
			    (const char *[]){ mod->sasl_name }, 1, ar.message);
		else
			hk_ctstage_fail(&st, 5, "smtp_auth_method",
			    "conntest.auth.protocol", NULL, 0, ar.message);
		break;
	case HK_AUTH_CONFIG:
		hk_ctstage_fail(&st, 2, cred_field, "conntest.login.unusable",
		    NULL, 0, ar.message);
		break;
	case HK_AUTH_IO:
		hk_ctstage_net_fail(&st, sess->c, HK_NET_IO, "smtp_port",
		    "auth");
		break;
	default:
		hk_ctstage_fail(&st, 5, "smtp_auth_method",
		    "conntest.auth.module", NULL, 0, ar.message);
		break;
	}
	hk_auth_result_clear(&ar);
	return as == HK_AUTH_OK;
}

/* MAIL FROM, RCPT TO and RSET: would the server take mail for the
 * address?  Returns false on failure (reported). */
static bool
stage_relay(struct run *r, xmlNodePtr end, struct hk_conn *c)
{
	const struct hk_conntest_params *p = r->p;
	const struct hk_server *s = p->srv;
	struct hk_smtp_reply sr = HK_SMTP_REPLY_INIT;
	struct hk_buf text = HK_BUF_INIT;
	const char *field = s->smtp_auth ? "smtp_credentials" :
	    s->pop_before_smtp ? "pop_before_smtp" : "smtp_auth";
	const char *refused = "conntest.relay.sender-refused";
	int exit_code = 4;
	struct hk_ctstage st;
	enum hk_net_rc rc;
	bool ok = false;

	hk_ctstage_begin(&st, &r->rep, end, "relay", field);
	rc = hk_smtp_mail(c, &sr, p->address, 0);
	hk_smtp_reply_format(&sr, &text);
	if (rc == HK_NET_OK && sr.code / 100 != 2)
		exit_code = hk_refusal_exit(hk_refusal_of(&sr, HK_SMTP_AT_MAIL));
	if (rc == HK_NET_OK && sr.code / 100 == 2) {
		refused = "conntest.relay.refused";
		hk_buf_puts(&text, " / ");
		rc = hk_smtp_rcpt(c, &sr, p->address);
		hk_smtp_reply_format(&sr, &text);
		if (rc == HK_NET_OK && sr.code / 100 != 2)
			exit_code = hk_refusal_exit(hk_refusal_of(&sr,
			    HK_SMTP_AT_RCPT));
		if (rc == HK_NET_OK && sr.code / 100 == 2) {
			refused = NULL;
			hk_buf_puts(&text, " / ");
			rc = hk_smtp_rset(c, &sr);
			hk_smtp_reply_format(&sr, &text);
		}
	}
	hk_ctstage_reply(&st, hk_buf_str(&text));
	if (rc != HK_NET_OK)
		hk_ctstage_net_fail(&st, c, rc, "smtp_port", "relay");
	else if (refused != NULL)
		hk_ctstage_fail(&st, exit_code, field, refused,
		    (const char *[]){ p->address }, 1, NULL);
	else {
		hk_ctstage_ok(&st);
		ok = true;
	}
	hk_smtp_reply_free(&sr);
	hk_buf_free(&text);
	return ok;
}

/* POP before SMTP: the POP3 login must come before the connection that
 * sends (a server reads its grants when a session starts), so say
 * goodbye, log in, wait, and open again.  Failures of the second opening
 * are reported by a stand-in for the stage that follows.  Returns false
 * on failure (reported). */
static bool
pop_then_reopen(struct run *r, xmlNodePtr end, struct hk_mailsess *s,
    struct open_report *o)
{
	const struct hk_conntest_params *p = r->p;
	struct hk_conn *c = s->c;
	struct hk_endpoint ep = s->ep;
	struct hk_ctstage standin;
	bool ok;

	hk_smtp_quit(c);
	hk_conn_close(c);
	if (!stage_presend(r, end))
		return false;
	hk_conn_free(c);
	hk_conn_init(c, &p->to);
	hk_mailsess_free(s);
	hk_mailsess_init(s, &hk_mailproto_smtp, c, &ep, NULL);
	hk_ctstage_begin(&standin, &r->rep, end,
	    p->srv->smtp_auth ? "auth" : "relay", "smtp_host");
	o->standin = &standin;
	ok = open_reported(s, o);
	o->standin = NULL;
	if (ok)
		hk_ctstage_drop(&standin);
	return ok;
}

static void
end_smtp(struct run *r, xmlNodePtr end)
{
	const struct hk_conntest_params *p = r->p;
	struct hk_conn c;
	struct hk_endpoint ep;
	struct hk_mailsess s;
	struct open_report o;
	bool ok = false;

	hk_conn_init(&c, &p->to);
	hk_mail_endpoint_smtp(p->srv, &ep);
	hk_mailsess_init(&s, &hk_mailproto_smtp, &c, &ep, NULL);
	open_report_init(&o, r, end, &smtp_fields, smtp_greeting);
	if (token_stage(p->srv, hk_oauth2_token_send(p->srv)) &&
	    !stage_token(r, end))
		goto out;
	if (!open_reported(&s, &o))
		goto out;
	if (p->srv->pop_before_smtp && !pop_then_reopen(r, end, &s, &o))
		goto out;
	if (p->srv->smtp_auth && !stage_auth(r, end, &s))
		goto out;
	if (p->address != NULL && *p->address != '\0' &&
	    !stage_relay(r, end, &c))
		goto out;
	ok = true;
out:
	if (c.fd >= 0 && c.err.len == 0)
		hk_smtp_quit(&c);
	hk_ctreport_end_done(end, ok);
	hk_mailsess_free(&s);
	hk_conn_free(&c);
}

/* ---- the run ----------------------------------------------------------- */

xmlNodePtr
hk_conntest_run(const struct hk_conntest_params *p, xmlDocPtr doc,
    struct hk_conntest_result *res)
{
	struct run r;
	xmlNodePtr end;
	bool imap = p->srv->recv_protocol == HK_RECV_IMAP4;

	memset(res, 0, sizeof(*res));
	r.p = p;
	hk_ctreport_init(&r.rep, p, doc);
	end = hk_ctreport_end(&r.rep, "receive", imap ? "imap4" : "pop3");
	if (imap)
		end_imap(&r, end);
	else
		end_pop3(&r, end);
	end = hk_ctreport_end(&r.rep, "send", "smtp");
	end_smtp(&r, end);
	return hk_ctreport_finish(&r.rep, res);
}
