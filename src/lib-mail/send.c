/* send.c - sending one message through an account's mail server. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "mailopen.h"
#include "oauth2_token.h"
#include "mem.h"
#include "presend.h"
#include "refusal.h"
#include "send.h"
#include "sizefmt.h"
#include "smtp.h"

/* ---- canonical form ------------------------------------------------ */

void
hk_send_canon_init(struct hk_send_canon *k, unsigned long long keep)
{
	memset(k, 0, sizeof(*k));
	k->bol = true;
	k->keep = keep;
}

static void
put(struct hk_send_canon *k, struct hk_buf *out, const char *p, size_t n)
{
	k->size += n;
	if (k->keep == 0)
		hk_buf_append(out, p, n);
	else if (out->len < k->keep) {
		size_t room = (size_t)(k->keep - out->len);

		hk_buf_append(out, p, n < room ? n : room);
	}
}

void
hk_send_canon_feed(struct hk_send_canon *k, const char *p, size_t n,
    struct hk_buf *out)
{
	size_t run = 0;		/* bytes of p[i - run .. i) still to copy */

	for (size_t i = 0; i < n; i++) {
		char c = p[i];

		if (c != '\r' && c != '\n') {
			if (k->cr) {
				/* A bare CR before this byte: a line end. */
				put(k, out, "\r\n", 2);
				k->cr = false;
			}
			run++;
			k->bol = false;
			continue;
		}
		put(k, out, p + i - run, run);
		run = 0;
		if (c == '\r') {
			if (k->cr)	/* CR CR: the first one was bare */
				put(k, out, "\r\n", 2);
			k->cr = true;
			continue;
		}
		/* LF, after a CR or bare */
		put(k, out, "\r\n", 2);
		k->cr = false;
		k->bol = true;
	}
	put(k, out, p + n - run, run);
}

void
hk_send_canon_end(struct hk_send_canon *k, struct hk_buf *out)
{
	if (k->cr) {
		put(k, out, "\r\n", 2);
		k->cr = false;
		k->bol = true;
	}
	if (!k->bol) {
		put(k, out, "\r\n", 2);
		k->bol = true;
	}
	if (out->data == NULL)
		hk_buf_puts(out, "");
}

/* ---- results ----------------------------------------------------------- */

void
hk_send_result_clear(struct hk_send_result *res)
{
	free(res->error);
	free(res->reply);
	memset(res, 0, sizeof(*res));
}

char *
hk_send_size_error(unsigned long long size, const char *what,
    unsigned long long limit)
{
	char a[32], b[32];

	return hk_aprintf("the message is %s (%llu bytes), larger than %s of "
	    "%s (%llu bytes)", hk_size_format(size, a, sizeof(a)), size, what,
	    hk_size_format(limit, b, sizeof(b)), limit);
}

static int
fail(struct hk_send_result *res, int code, bool server_fault,
    const char *reply, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

static int
fail(struct hk_send_result *res, int code, bool server_fault,
    const char *reply, const char *fmt, ...)
{
	struct hk_buf b = HK_BUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	hk_buf_vprintf(&b, fmt, ap);
	va_end(ap);
	free(res->error);
	res->error = hk_buf_steal(&b);
	free(res->reply);
	res->reply = reply != NULL && *reply != '\0' ? hk_strdup(reply) : NULL;
	res->exit_code = code;
	res->server_fault = server_fault;
	return code;
}

/* The reply as one line. */
static char *
reply_line(const struct hk_smtp_reply *r)
{
	struct hk_buf b = HK_BUF_INIT;

	hk_smtp_reply_format(r, &b);
	return hk_buf_steal(&b);
}

static void
report(const struct hk_send_params *p, const char *what,
    const struct hk_smtp_reply *r)
{
	char *l;

	if (p->report == NULL)
		return;
	l = reply_line(r);
	fprintf(p->report, "%s: %s\n", what, l);
	free(l);
}

/* The server refused the message for its size (552 or 5.3.4) at stage
 * ("MAIL FROM", "RCPT TO" or "DATA").  A SIZE limit the server announced
 * is never below the message here (that is refused before MAIL FROM), so
 * the text says what happened: refused although within its own limit,
 * and, after DATA, after accepting the announced size. */
static char *
server_size_error(unsigned long long size, const struct hk_smtp_caps *caps,
    const char *stage)
{
	bool data = strcmp(stage, "DATA") == 0;
	char a[32], b[32];

	if (caps->size && caps->size_max > 0)
		return hk_aprintf("the SMTP server refused the message for its "
		    "size at %s, although it is %s (%llu bytes), within the "
		    "server's SIZE limit of %s (%llu bytes)%s", stage,
		    hk_size_format(size, a, sizeof(a)), size,
		    hk_size_format(caps->size_max, b, sizeof(b)), caps->size_max,
		    data ? ", and the server had accepted that size at MAIL FROM" :
		    "");
	return hk_aprintf("the SMTP server refused the message for its size "
	    "at %s: it is %s (%llu bytes)%s", stage,
	    hk_size_format(size, a, sizeof(a)), size, data && caps->size ?
	    ", a size the server had accepted at MAIL FROM" : "");
}

/* ---- the dialogue ------------------------------------------------------ */


/* resolve, connect, TLS, greeting, EHLO (+ STARTTLS + EHLO): the opener,
 * with send's own words for a refusal. */
static int
smtp_open(const struct hk_send_params *p, struct hk_conn *c,
    struct hk_smtp_caps *caps, struct hk_send_result *res)
{
	const struct hk_server *s = p->srv;
	struct hk_endpoint ep;
	struct hk_mailsess ms;
	char *l = NULL;
	int code = 0;

	hk_mail_endpoint_smtp(s, &ep);
	hk_mailsess_init(&ms, &hk_mailproto_smtp, c, &ep, NULL);
	switch (hk_mail_open(&ms)) {
	case HK_OPEN_OK:
		break;
	case HK_OPEN_NET:
		if (ms.smtp_last != NULL && ms.smtp_last->code != 0)
			l = reply_line(ms.smtp_last);
		code = fail(res, 5, true, l, "SMTP %s:%d: %s", s->smtp_host,
		    s->smtp_port, hk_buf_str(&c->err));
		break;
	case HK_OPEN_NOT_OFFERED:
		code = fail(res, 5, true, NULL, "the SMTP server %s does not "
		    "offer STARTTLS, which the settings require", s->smtp_host);
		break;
	case HK_OPEN_REFUSED:
		if (ms.step == HK_OPEN_STARTTLS) {
			/* As the dialogue error it always was. */
			l = reply_line(ms.smtp_last);
			code = fail(res, 5, true, l, "SMTP %s:%d: %s",
			    s->smtp_host, s->smtp_port, hk_buf_str(&c->err));
			break;
		}
		l = reply_line(ms.smtp_last);
		if (ms.step == HK_OPEN_GREETING)
			code = fail(res, 5, true, l, "the SMTP server %s refused "
			    "the connection", s->smtp_host);
		else
			code = fail(res, 5, true, l, ms.starttls_done ?
			    "the SMTP server refused EHLO after STARTTLS" :
			    "the SMTP server refused EHLO and HELO");
		break;
	}
	*caps = ms.smtp_caps;
	free(l);
	hk_mailsess_free(&ms);
	return code;
}

static int
presend(const struct hk_send_params *p, struct hk_send_result *res)
{
	const struct hk_server *s = p->srv;
	const struct hk_authmod *mod = hk_modset_find(p->mods, "pop-before-smtp",
	    HK_AUTHMOD_KIND_PRESEND);
	struct hk_auth_result ar = HK_AUTH_RESULT_INIT;
	enum hk_auth_status as;
	int code = 0;

	if (mod == NULL)
		return fail(res, 2, false, NULL, "the pop-before-smtp module is "
		    "not installed");
	as = hk_presend_run(mod, s, p->acct->username, p->acct->password,
	    &p->to_ms, &ar);
	if (as != HK_AUTH_OK)
		code = fail(res, hk_auth_status_exit(as), as != HK_AUTH_CONFIG,
		    hk_buf_str(&ar.last_reply), "POP before SMTP: %s",
		    ar.message != NULL ? ar.message : "the POP3 login failed");
	hk_auth_result_clear(&ar);
	return code;
}

/* SMTP AUTH with the server's module: with token (OAuth 2.0) always as
 * the account, else with the credentials the server says. */
static int
smtp_auth(const struct hk_send_params *p, struct hk_conn *c,
    const struct hk_smtp_caps *caps, const char *token,
    struct hk_send_result *res)
{
	const struct hk_server *s = p->srv;
	const struct hk_authmod *mod = hk_modset_find(p->mods,
	    s->smtp_auth_method, HK_AUTHMOD_KIND_SASL);
	bool fixed = token == NULL && s->smtp_credentials == HK_CRED_FIXED;
	struct hk_auth_result ar = HK_AUTH_RESULT_INIT;
	char port[16];
	/* OAUTHBEARER sends the server's port (RFC 7628 §3.1). */
	const struct hk_auth_opt opts[] = { { "port", port } };
	struct hk_authsess_params ap = {
		.mod = mod, .protocol = HK_AUTHMOD_PROTO_SMTP,
		.user = fixed ? s->smtp_user : p->acct->username,
		.password = token != NULL ? token : fixed ? s->smtp_password :
		    p->acct->password,
		.host = s->smtp_host, .opts = opts, .n_opts = 1,
	};
	enum hk_auth_status as;
	int code = 0;

	snprintf(port, sizeof(port), "%d", s->smtp_port);

	if (mod == NULL)
		return fail(res, 2, false, NULL, "the SMTP-AUTH module '%s' is not "
		    "installed", s->smtp_auth_method);
	if (fixed && (s->smtp_password == NULL || *s->smtp_password == '\0'))
		return fail(res, 2, false, NULL, "the server's fixed SMTP password "
		    "is not set or cannot be decrypted");
	as = hk_smtp_auth(c, &ap, &ar);
	if (as != HK_AUTH_OK && hk_refusal_auth_unavailable(caps,
	    hk_buf_str(&ar.last_reply)))
		code = fail(res, 5, true, hk_buf_str(&ar.last_reply),
		    "the SMTP server %s offers no authentication on this "
		    "connection (its EHLO reply lists no AUTH)%s", s->smtp_host,
		    s->smtp_security == HK_SEC_NONE && caps->starttls ?
		    "; it offers STARTTLS, and many servers offer AUTH only "
		    "after it: check the server's SMTP security setting" :
		    s->smtp_security == HK_SEC_NONE ? "; many servers offer "
		    "AUTH only over TLS: check the server's SMTP security "
		    "setting" : "");
	else if (as != HK_AUTH_OK)
		code = fail(res, hk_auth_status_exit(as), as != HK_AUTH_CONFIG,
		    hk_buf_str(&ar.last_reply), "SMTP AUTH %s: %s",
		    mod->sasl_name ? mod->sasl_name : s->smtp_auth_method,
		    ar.message != NULL ? ar.message : "refused");
	hk_auth_result_clear(&ar);
	return code;
}

struct msg_reader {
	const char *p;
	size_t left;
};

static long
read_msg(void *ctx, char *buf, size_t len)
{
	struct msg_reader *m = ctx;
	size_t n = m->left < len ? m->left : len;

	memcpy(buf, m->p, n);
	m->p += n;
	m->left -= n;
	return (long)n;
}

int
hk_send_run(const struct hk_send_params *p, struct hk_send_result *res)
{
	const struct hk_server *s = p->srv;
	struct hk_conn c;
	struct hk_smtp_caps caps;
	struct hk_smtp_reply r = HK_SMTP_REPLY_INIT;
	struct hk_buf refusals = HK_BUF_INIT;
	struct msg_reader mr = { p->msg, p->len };
	enum hk_net_rc rc;
	bool policy = false, sizeref = false, said_hello = false;
	enum hk_refusal k;
	struct hk_oauth2_token tok;
	char *l = NULL, *what = NULL;
	int code;

	memset(res, 0, sizeof(*res));
	memset(&tok, 0, sizeof(tok));
	memset(&caps, 0, sizeof(caps));
	/* The limit first: nothing goes on the network for a refused message. */
	if (s->send_limit > 0 && p->len > (unsigned long long)s->send_limit) {
		char *e = hk_send_size_error(p->len, "the send limit",
		    (unsigned long long)s->send_limit);

		fail(res, 3, false, NULL, "%s", e);
		free(e);
		return 3;
	}
	/* With OAuth 2.0 the token signs in; a password is needed only for
	 * POP before SMTP then. */
	if (p->acct->password == NULL && (!hk_oauth2_token_send(s) ||
	    s->pop_before_smtp))
		return fail(res, 2, false, NULL, "the password of the mail "
		    "account cannot be read (set it again)");
	if (hk_oauth2_token_send(s)) {
		if (p->oauth2 == NULL)
			return fail(res, 2, false, NULL, "mail server %s sends "
			    "with OAuth 2.0, which this caller cannot provide",
			    s->name);
		if (hk_oauth2_token_get(p->oauth2, s, p->acct, &tok) != 0) {
			code = fail(res, tok.exit_code, false, NULL, "%s",
			    tok.error);
			hk_oauth2_token_clear(&tok);
			return code;
		}
		res->token_refreshed = tok.step == HK_OAUTH2_STEP_REFRESHED;
	}
	if (s->pop_before_smtp && (code = presend(p, res)) != 0)
		goto out_token;

	hk_conn_init(&c, &p->to_ms);
	if ((code = smtp_open(p, &c, &caps, res)) != 0)
		goto out;
	said_hello = true;
	if (s->smtp_auth && (code = smtp_auth(p, &c, &caps, tok.access,
	    res)) != 0)
		goto out;
	if (caps.size && caps.size_max > 0 && p->len > caps.size_max) {
		char *e = hk_send_size_error(p->len, "the SMTP server's SIZE limit",
		    caps.size_max);

		code = fail(res, 3, false, NULL, "%s", e);
		free(e);
		goto out;
	}

	rc = hk_smtp_mail(&c, &r, p->from, caps.size ? p->len : 0);
	what = hk_aprintf("MAIL FROM:<%s>", p->from);
	if (rc != HK_NET_OK)
		goto net;
	report(p, what, &r);
	if (r.code / 100 != 2) {
		l = reply_line(&r);
		k = hk_refusal_of(&r, HK_SMTP_AT_MAIL);
		if (k == HK_REFUSED_SIZE) {
			char *e = server_size_error(p->len, &caps, "MAIL FROM");

			code = fail(res, 3, false, l, "%s: %s", e, l);
			free(e);
		} else
			code = fail(res, hk_refusal_exit(k), true, l,
			    "the SMTP server refused the sender <%s>: %s",
			    p->from, l);
		goto out;
	}
	for (size_t i = 0; i < p->n_to; i++) {
		free(what);
		what = hk_aprintf("RCPT TO:<%s>", p->to[i]);
		if ((rc = hk_smtp_rcpt(&c, &r, p->to[i])) != HK_NET_OK)
			goto net;
		report(p, what, &r);
		if (r.code / 100 == 2) {
			res->accepted++;
			continue;
		}
		res->refused++;
		k = hk_refusal_of(&r, HK_SMTP_AT_RCPT);
		policy = policy || k == HK_REFUSED_POLICY;
		sizeref = sizeref || k == HK_REFUSED_SIZE;
		free(l);
		l = reply_line(&r);
		hk_buf_printf(&refusals, "%s<%s>: %s", refusals.len ? "; " : "",
		    p->to[i], l);
	}
	if (res->accepted == 0) {
		if (sizeref) {
			char *e = server_size_error(p->len, &caps, "RCPT TO");

			code = fail(res, 3, false, l, "%s: %s", e, hk_buf_str(&refusals));
			free(e);
		} else
			code = fail(res, policy ? 4 : 5, true, l,
			    "the SMTP server refused every recipient: %s",
			    hk_buf_str(&refusals));
		(void)hk_smtp_rset(&c, &r);
		goto out;
	}
	free(what);
	what = hk_strdup("DATA");
	if ((rc = hk_smtp_data(&c, &r, read_msg, &mr)) != HK_NET_OK)
		goto net;
	report(p, what, &r);
	free(l);
	l = reply_line(&r);
	if (r.code / 100 != 2) {
		k = hk_refusal_of(&r, HK_SMTP_AT_DATA);
		if (k == HK_REFUSED_SIZE) {
			char *e = server_size_error(p->len, &caps, "DATA");

			code = fail(res, 3, false, l, "%s: %s", e, l);
			free(e);
		} else
			code = fail(res, hk_refusal_exit(k), true, l,
			    "the SMTP server refused the message: %s", l);
		goto out;
	}
	if (res->refused > 0) {
		/* Sent, but not to everyone: the caller must know. */
		code = fail(res, policy ? 4 : 5, false, l, "sent to %zu of %zu "
		    "recipients; refused: %s", res->accepted, p->n_to,
		    hk_buf_str(&refusals));
		goto out;
	}
	free(res->reply);
	res->reply = hk_strdup(l);
	code = 0;
	goto out;
net:
	free(l);
	l = r.code != 0 ? reply_line(&r) : NULL;
	code = fail(res, 5, true, l, "SMTP %s:%d, %s: %s", s->smtp_host,
	    s->smtp_port, what != NULL ? what : "", hk_buf_str(&c.err));
out:
	if (said_hello && c.fd >= 0 && c.err.len == 0)
		hk_smtp_quit(&c);
	hk_conn_free(&c);
	hk_smtp_reply_free(&r);
	hk_buf_free(&refusals);
	free(l);
	free(what);
out_token:
	hk_oauth2_token_clear(&tok);
	res->exit_code = code;
	return code;
}
