/* recv.c - opening a POP3 or IMAP4 session for an account. */
#include "config.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"
#include "mailopen.h"
#include "oauth2_token.h"
#include "recv.h"
#include "recvauth.h"

void
hk_recv_fail_set(struct hk_recv_fail *f, int exit_code, const char *reply,
    const char *fmt, ...)
{
	struct hk_buf b = HK_BUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	hk_buf_vprintf(&b, fmt, ap);
	va_end(ap);
	hk_recv_fail_clear(f);
	f->exit_code = exit_code;
	f->error = hk_buf_steal(&b);
	f->reply = reply != NULL && *reply != '\0' ? hk_strdup(reply) : NULL;
}

void
hk_recv_fail_clear(struct hk_recv_fail *f)
{
	free(f->error);
	free(f->reply);
	memset(f, 0, sizeof(*f));
}

static int
net_fail(struct hk_recv *r, struct hk_recv_fail *f, const char *reply)
{
	const struct hk_server *s = r->srv;

	hk_recv_fail_set(f, 5, reply, "%s %s:%d: %s", r->imap ? "IMAP" : "POP3",
	    s->recv_host, s->recv_port, hk_buf_str(&r->c.err));
	hk_conn_close(&r->c);
	return 5;
}

/* Signs in with the SASL module of recv_auth_method, once the server is
 * known to offer its mechanism.  0, or the exit code with *f filled and
 * the connection closed. */
static int
sasl_login(struct hk_recv *r, const struct hk_authmod *mod,
    const struct hk_account *acct, struct hk_recv_fail *f)
{
	const char *proto = r->imap ? "IMAP" : "POP3";
	struct hk_auth_result ar = HK_AUTH_RESULT_INIT;
	struct hk_buf offered = HK_BUF_INIT;
	struct hk_oauth2_token tok;
	enum hk_auth_status as;
	int code = 0;

	memset(&tok, 0, sizeof(tok));
	if (!hk_recvauth_offered(mod, r->imap ? NULL : &r->caps,
	    r->imap ? &r->m.caps : NULL, &offered)) {
		hk_recv_fail_set(f, 5, NULL, "the %s server %s does not offer "
		    "the %s sign-in method (it offers: %s)", proto,
		    r->srv->recv_host, mod->sasl_name,
		    offered.len > 0 ? hk_buf_str(&offered) : "none");
		code = 5;
		goto close;
	}
	if (r->oauth2_src != NULL) {
		if (hk_oauth2_token_get(r->oauth2_src, r->srv, acct, &tok) != 0) {
			hk_recv_fail_set(f, tok.exit_code, NULL, "%s", tok.error);
			f->token = true;
			code = tok.exit_code;
			goto close;
		}
		r->oauth2 = true;
		r->token_refreshed = tok.step == HK_OAUTH2_STEP_REFRESHED;
		r->secret = tok.access;
	}
	as = hk_recvauth_run(mod, r->srv, &r->c, r->imap ? &r->m : NULL,
	    acct->username, r->secret, &ar);
	if (r->oauth2_src != NULL) {
		r->secret = NULL;
		hk_oauth2_token_clear(&tok);
	}
	if (as == HK_AUTH_IO) {
		hk_auth_result_clear(&ar);
		hk_buf_free(&offered);
		return net_fail(r, f, NULL);
	}
	if (as != HK_AUTH_OK) {
		code = hk_auth_status_exit(as);
		/* IMAP: the tagged line itself ("a3 NO [AUTHENTICATIONFAILED]
		 * ..."), which says more than the driver's summary of it. */
		hk_recv_fail_set(f, code, r->imap ? hk_buf_str(&r->m.last) :
		    hk_buf_str(&ar.last_reply),
		    "%s %s login as %s: %s", proto, mod->sasl_name,
		    acct->username, ar.message ? ar.message : "refused");
	}
close:
	if (code != 0) {
		if (r->imap)
			hk_imap_logout(&r->m);
		else {
			struct hk_pop3_reply pr = HK_POP3_REPLY_INIT;

			(void)hk_pop3_quit(&r->c, &pr);
			hk_pop3_reply_free(&pr);
		}
		hk_conn_close(&r->c);
	}
	hk_auth_result_clear(&ar);
	hk_buf_free(&offered);
	hk_oauth2_token_clear(&tok);
	return code;
}

static int
open_pop3(struct hk_recv *r, const struct hk_account *acct,
    const struct hk_authmod *sasl, const struct hk_modset *mods,
    struct hk_recv_fail *f)
{
	const struct hk_server *s = r->srv;
	struct hk_endpoint ep;
	struct hk_mailsess ms;
	struct hk_pop3_reply pr = HK_POP3_REPLY_INIT;
	const struct hk_pop3_reply *greet = &ms.pop3_greet;
	struct hk_buf text = HK_BUF_INIT;
	enum hk_net_rc rc;
	int code = 0;

	hk_mail_endpoint_recv(s, &ep);
	hk_mailsess_init(&ms, &hk_mailproto_pop3, &r->c, &ep, NULL);
	switch (hk_mail_open(&ms)) {
	case HK_OPEN_OK:
		break;
	case HK_OPEN_REFUSED:
		if (ms.step == HK_OPEN_GREETING)
			(void)hk_conn_fail(&r->c, HK_NET_PROTOCOL,
			    "the POP3 server's greeting was -ERR %.200s",
			    hk_buf_str(&greet->text));
		/* fall through */
	default:
		hk_pop3_reply_format(greet, &text);
		/* CAPA in plain text was always asked after the opening. */
		code = net_fail(r, f, greet->text.len && !(ms.step ==
		    HK_OPEN_CAPS && ep.security != HK_NET_STARTTLS) ?
		    text.data : NULL);
		goto out;
	}
	r->caps = ms.pop3_caps;
	if (sasl != NULL) {
		code = sasl_login(r, sasl, acct, f);
		goto out;
	}
	if (s->apop) {
		const struct hk_authmod *mod = hk_modset_find(mods, "apop",
		    HK_AUTHMOD_KIND_POP3);
		struct hk_auth_result ar = HK_AUTH_RESULT_INIT;
		struct hk_authsess_params ap = {
			.mod = mod, .user = acct->username,
			.password = r->secret, .host = s->recv_host,
		};
		enum hk_auth_status as;

		if (mod == NULL) {
			hk_recv_fail_set(f, 2, NULL, "the apop module is not installed");
			code = 2;
			goto out;
		}
		as = hk_pop3_auth(&r->c, &ap, hk_buf_str(&greet->text), &ar);
		if (as != HK_AUTH_OK) {
			code = hk_auth_status_exit(as);
			hk_recv_fail_set(f, code, hk_buf_str(&ar.last_reply),
			    "POP3 APOP login as %s: %s", acct->username,
			    ar.message ? ar.message : "refused");
			hk_conn_close(&r->c);
		}
		hk_auth_result_clear(&ar);
		goto out;
	}
	if (!hk_pop3_arg_ok(acct->username, false) ||
	    !hk_pop3_arg_ok(r->secret, true)) {
		hk_recv_fail_set(f, 2, NULL, "the user name or password cannot be "
		    "sent over POP3 (control characters, or too long)");
		code = 2;
		goto out;
	}
	if ((rc = hk_pop3_login(&r->c, &pr, acct->username, r->secret)) !=
	    HK_NET_OK) {
		code = net_fail(r, f, NULL);
		goto out;
	}
	if (!pr.ok) {
		hk_pop3_reply_format(&pr, &text);
		hk_recv_fail_set(f, 4, text.data, "POP3 login as %s refused: %s",
		    acct->username, text.data);
		code = 4;
		(void)hk_pop3_quit(&r->c, &pr);
		hk_conn_close(&r->c);
	}
out:
	hk_mailsess_free(&ms);
	hk_pop3_reply_free(&pr);
	hk_buf_free(&text);
	return code;
}

static int
open_imap(struct hk_recv *r, const struct hk_account *acct,
    const struct hk_authmod *sasl, struct hk_recv_fail *f)
{
	const struct hk_server *s = r->srv;
	enum hk_imap_status st = HK_IMAP_OK, gst;
	struct hk_endpoint ep;
	struct hk_mailsess ms;
	enum hk_open_outcome out;

	hk_mail_endpoint_recv(s, &ep);
	hk_mailsess_init(&ms, &hk_mailproto_imap, &r->c, &ep, &r->m);
	out = hk_mail_open(&ms);
	gst = ms.imap_greeting;
	hk_mailsess_free(&ms);
	if (out == HK_OPEN_REFUSED && ms.step == HK_OPEN_GREETING) {
		hk_recv_fail_set(f, 5, hk_buf_str(&r->m.last), "the IMAP server "
		    "refused the connection");
		hk_conn_close(&r->c);
		return 5;
	}
	if (out == HK_OPEN_NOT_OFFERED) {
		hk_recv_fail_set(f, 5, NULL, "the IMAP server %s does not offer "
		    "STARTTLS, which the settings require", s->recv_host);
		hk_conn_close(&r->c);
		return 5;
	}
	if (out != HK_OPEN_OK)
		return net_fail(r, f, NULL);
	if (gst != HK_IMAP_PREAUTH && sasl != NULL) {
		int code = sasl_login(r, sasl, acct, f);

		if (code != 0)
			return code;
	} else if (gst != HK_IMAP_PREAUTH) {
		if (hk_imap_login(&r->m, acct->username, r->secret, &st) !=
		    HK_NET_OK)
			return net_fail(r, f, hk_buf_str(&r->m.last));
		if (st != HK_IMAP_OK) {
			hk_recv_fail_set(f, 4, hk_buf_str(&r->m.last), "IMAP login "
			    "as %s refused: %s", acct->username,
			    hk_buf_str(&r->m.last));
			hk_imap_logout(&r->m);
			hk_conn_close(&r->c);
			return 4;
		}
	}
	if (hk_imap_select(&r->m, "INBOX", &st) != HK_NET_OK)
		return net_fail(r, f, hk_buf_str(&r->m.last));
	if (st != HK_IMAP_OK) {
		hk_recv_fail_set(f, 5, hk_buf_str(&r->m.last), "IMAP SELECT INBOX "
		    "failed: %s", hk_buf_str(&r->m.last));
		hk_imap_logout(&r->m);
		hk_conn_close(&r->c);
		return 5;
	}
	return 0;
}

int
hk_recv_open(struct hk_recv *r, const struct hk_server *srv,
    const struct hk_account *acct, const struct hk_modset *mods,
    const struct hk_oauth2_src *oauth2, const struct hk_net_timeouts *to,
    struct hk_recv_fail *f)
{
	const struct hk_authmod *sasl;
	int code;

	memset(r, 0, sizeof(*r));
	memset(f, 0, sizeof(*f));
	r->srv = srv;
	r->imap = srv->recv_protocol == HK_RECV_IMAP4;
	hk_conn_init(&r->c, to);
	hk_imap_init(&r->m, &r->c);
	if (hk_recvauth_module(srv, mods, &sasl) < 0) {
		hk_recv_fail_set(f, 2, NULL, "the sign-in method %s of mail "
		    "server %s is not installed for %s", srv->recv_auth_method,
		    srv->name, r->imap ? "IMAP" : "POP3");
		return 2;
	}
	if (hk_oauth2_token_recv(srv)) {
		if (oauth2 == NULL) {
			hk_recv_fail_set(f, 2, NULL, "mail server %s receives with "
			    "OAuth 2.0, which this caller cannot provide", srv->name);
			return 2;
		}
		/* The token comes in sasl_login, once the server is known
		 * to take it: nothing is refreshed for a server that cannot. */
		r->oauth2_src = oauth2;
		code = r->imap ? open_imap(r, acct, sasl, f) :
		    open_pop3(r, acct, sasl, mods, f);
		r->oauth2_src = NULL;
		return code;
	}
	if (acct->password == NULL) {
		hk_recv_fail_set(f, 2, NULL, "the password of mail account %s "
		    "cannot be read (set it again)", acct->name);
		return 2;
	}
	r->secret = acct->password;
	code = r->imap ? open_imap(r, acct, sasl, f) :
	    open_pop3(r, acct, sasl, mods, f);
	r->secret = NULL;
	return code;
}

int
hk_recv_close(struct hk_recv *r)
{
	int rc = 0;

	if (r->c.fd < 0 || r->c.err.len > 0)
		return r->imap ? 0 : -1;
	if (r->imap)
		hk_imap_logout(&r->m);
	else {
		struct hk_pop3_reply pr = HK_POP3_REPLY_INIT;

		if (hk_pop3_quit(&r->c, &pr) != HK_NET_OK || !pr.ok)
			rc = -1;
		hk_pop3_reply_free(&pr);
	}
	hk_conn_close(&r->c);
	return rc;
}

void
hk_recv_free(struct hk_recv *r)
{
	hk_imap_free(&r->m);
	hk_conn_free(&r->c);
}
