/* conntest.c - the staged connection test: both ends of a mail server,
 * every stage timed and explained. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "conntest.h"
#include "db.h"
#include "imap.h"
#include "log.h"
#include "mem.h"
#include "modload.h"
#include "pop3.h"
#include "presend.h"
#include "smtp.h"
#include "tls.h"
#include "utf8.h"

/* One test run. */
struct run {
	const struct hk_conntest_params *p;
	xmlDocPtr doc;
	xmlNodePtr root;
	int exit_code;		/* of the first failure; 0 while none */
	char *first_fail;	/* summary of the first failure */
	const char *secrets[3];	/* redacted from every reply */
};

/* One stage being run. */
struct stage {
	struct run *r;
	xmlNodePtr node;
	long long t0;
	const char *field;	/* default field for this stage */
	const char *end;	/* "receive" / "send" */
};

static char *
msg(struct run *r, const char *key, const char *const *args, size_t n)
{
	if (r->p->cat == NULL) {
		struct hk_buf b = HK_BUF_INIT;

		hk_buf_puts(&b, key);
		for (size_t i = 0; i < n; i++)
			hk_buf_printf(&b, " %s", args[i]);
		return hk_buf_steal(&b);
	}
	return hk_msg_format(r->p->cat, r->p->lang ? r->p->lang : "en", key,
	    args, n);
}

/* text with every secret replaced by ********; the caller frees. */
static char *
redact(struct run *r, const char *text)
{
	struct hk_buf b = HK_BUF_INIT;
	const char *t = text;

	hk_buf_puts(&b, "");
	while (*t != '\0') {
		size_t best = 0;

		for (size_t i = 0; i < sizeof(r->secrets) / sizeof(r->secrets[0]); i++) {
			const char *s = r->secrets[i];
			size_t n = s != NULL ? strlen(s) : 0;

			if (n >= 3 && strncmp(t, s, n) == 0 && n > best)
				best = n;
		}
		if (best > 0) {
			hk_buf_puts(&b, "********");
			t += best;
		} else
			hk_buf_putc(&b, *t++);
	}
	return hk_buf_steal(&b);
}

/* Adds <name>text</name> to parent, text redacted and kept to valid
 * UTF-8-ish printable content (server replies are untrusted bytes). */
static xmlNodePtr
add_text(struct run *r, xmlNodePtr parent, const char *name, const char *text)
{
	char *red = redact(r, text != NULL ? text : "");
	xmlNodePtr n;

	/* XML 1.0 cannot carry most C0 controls, and libxml2 would write
	 * invalid UTF-8 as is: keep printable ASCII and tabs, and pass
	 * UTF-8 sequences only when they are well-formed. */
	for (unsigned char *p = (unsigned char *)red; *p != '\0'; ) {
		if (*p < 0x20 && *p != '\t' && *p != '\n') {
			*p++ = '?';
			continue;
		}
		if (*p < 0x80) {
			p++;
			continue;
		}
		size_t len = (*p & 0xe0) == 0xc0 ? 2 : (*p & 0xf0) == 0xe0 ? 3 :
		    (*p & 0xf8) == 0xf0 ? 4 : 0;

		/* strnlen stops at the string's end; hk_utf8_valid refuses
		 * overlongs, surrogates and code points past U+10FFFF. */
		if (len == 0 || strnlen((char *)p, len) < len ||
		    !hk_utf8_valid((char *)p, len)) {
			*p++ = '?';
			continue;
		}
		p += len;
	}
	n = xmlNewDocNode(r->doc, NULL, BAD_CAST name, NULL);
	xmlAddChild(n, xmlNewDocText(r->doc, BAD_CAST red));
	xmlAddChild(parent, n);
	free(red);
	return n;
}

static void
set_attr(xmlNodePtr n, const char *name, const char *v)
{
	xmlSetProp(n, BAD_CAST name, BAD_CAST(v != NULL ? v : ""));
}

static void
set_attr_ll(xmlNodePtr n, const char *name, long long v)
{
	char num[32];

	snprintf(num, sizeof(num), "%lld", v);
	set_attr(n, name, num);
}

static xmlNodePtr
new_end(struct run *r, const char *name)
{
	xmlNodePtr n = xmlNewDocNode(r->doc, NULL, BAD_CAST "end", NULL);

	set_attr(n, "name", name);
	xmlAddChild(r->root, n);
	return n;
}

static void
stage_begin(struct stage *st, struct run *r, xmlNodePtr end, const char *name,
    const char *field)
{
	st->r = r;
	st->node = xmlNewDocNode(r->doc, NULL, BAD_CAST "stage", NULL);
	st->t0 = hk_net_now_ms();
	st->field = field;
	st->end = (const char *)xmlGetProp(end, BAD_CAST "name");
	set_attr(st->node, "name", name);
	xmlAddChild(end, st->node);
}

static void
stage_reply(struct stage *st, const char *reply)
{
	if (reply != NULL && *reply != '\0')
		add_text(st->r, st->node, "reply", reply);
}

static void
stage_warn(struct stage *st, const char *field, const char *key,
    const char *const *args, size_t n)
{
	char *text = msg(st->r, key, args, n);
	xmlNodePtr w = add_text(st->r, st->node, "warning", text);

	set_attr(w, "code", key);
	set_attr(w, "field", field);
	free(text);
}

static void
stage_ok(struct stage *st)
{
	set_attr(st->node, "ok", "true");
	set_attr_ll(st->node, "ms", hk_net_now_ms() - st->t0);
	set_attr(st->node, "field", st->field);
	xmlFree((xmlChar *)st->end);
	st->end = NULL;
}

/* Ends a stage as failed.  detail: technical text (may be NULL). */
static void
stage_fail(struct stage *st, int exit_code, const char *field,
    const char *key, const char *const *args, size_t n, const char *detail)
{
	struct run *r = st->r;
	char *text = msg(r, key, args, n);
	xmlNodePtr e;

	set_attr(st->node, "ok", "false");
	set_attr_ll(st->node, "ms", hk_net_now_ms() - st->t0);
	set_attr(st->node, "field", field != NULL ? field : st->field);
	e = add_text(r, st->node, "explanation", text);
	set_attr(e, "code", key);
	if (detail != NULL && *detail != '\0')
		add_text(r, st->node, "detail", detail);
	if (r->exit_code == 0) {
		xmlChar *sname = xmlGetProp(st->node, BAD_CAST "name");
		char *end_label = hk_aprintf("conntest.end.%s", st->end);
		char *stage_label = hk_aprintf("conntest.stage.%s", (char *)sname);
		char *el = msg(r, end_label, NULL, 0);
		char *sl = msg(r, stage_label, NULL, 0);
		const char *sargs[3] = { el, sl, text };

		r->exit_code = exit_code;
		r->first_fail = msg(r, "conntest.summary.failed", sargs, 3);
		xmlFree(sname);
		free(end_label);
		free(stage_label);
		free(el);
		free(sl);
	}
	free(text);
	xmlFree((xmlChar *)st->end);
	st->end = NULL;
}

/* ---- shared stages ---------------------------------------------------- */

/* What went wrong on the network, as an explanation key and exit code. */
static const char *
net_key(enum hk_net_rc rc, const char *stage, bool greeted)
{
	switch (rc) {
	case HK_NET_RESOLVE: return "conntest.resolve.failed";
	case HK_NET_REFUSED: return "conntest.connect.refused";
	case HK_NET_UNREACHABLE: return "conntest.connect.unreachable";
	case HK_NET_TIMEOUT:
		if (strcmp(stage, "resolve") == 0)
			return "conntest.resolve.timeout";
		if (strcmp(stage, "connect") == 0)
			return "conntest.connect.timeout";
		/* Once the greeting line has come, silence or a hang-up is
		 * no longer "said nothing" / "without greeting". */
		if (strcmp(stage, "greeting") == 0 && !greeted)
			return "conntest.greeting.timeout";
		return "conntest.timeout";
	case HK_NET_CLOSED:
		return strcmp(stage, "greeting") == 0 && !greeted ?
		    "conntest.greeting.closed" : "conntest.closed";
	case HK_NET_TOO_LONG: return "conntest.protocol.too-long";
	case HK_NET_PROTOCOL: return "conntest.protocol.bad";
	case HK_NET_TLS: return "conntest.tls.failed";
	case HK_NET_TLS_PLAIN: return "conntest.tls.plain-port";
	case HK_NET_TLS_VERIFY: return "conntest.tls.untrusted";
	case HK_NET_IO:
	case HK_NET_OK:
		break;
	}
	return "conntest.io";
}

static void
stage_net_fail(struct stage *st, struct hk_conn *c, enum hk_net_rc rc,
    const char *field, const char *stage)
{
	stage_fail(st, 5, field, net_key(rc, stage, c->lines_in > 0), NULL, 0,
	    hk_buf_str(&c->err));
}

/* resolve + connect.  Returns false on failure (stages recorded). */
static bool
stages_connect(struct run *r, xmlNodePtr end, struct hk_conn *c,
    const char *host, int port, const char *host_field,
    const char *port_field)
{
	struct stage st;
	struct hk_addrs addrs;
	enum hk_net_rc rc;
	char a[64];

	stage_begin(&st, r, end, "resolve", host_field);
	rc = hk_net_resolve(c, host, (unsigned)port, &addrs);
	if (rc != HK_NET_OK) {
		stage_net_fail(&st, c, rc, host_field, "resolve");
		return false;
	}
	for (size_t i = 0; i < addrs.n; i++) {
		hk_net_addr_str((struct sockaddr *)&addrs.sa[i], a, sizeof(a));
		add_text(r, st.node, "address", a);
	}
	stage_ok(&st);

	stage_begin(&st, r, end, "connect", port_field);
	rc = hk_conn_connect(c, &addrs);
	if (rc != HK_NET_OK) {
		stage_net_fail(&st, c, rc, rc == HK_NET_REFUSED ||
		    rc == HK_NET_TIMEOUT ? port_field : host_field, "connect");
		return false;
	}
	add_text(r, st.node, "address", c->peer);
	stage_ok(&st);
	return true;
}

static void
tls_xml(struct run *r, xmlNodePtr stage, const struct hk_tls_info *ti)
{
	xmlNodePtr n = xmlNewDocNode(r->doc, NULL, BAD_CAST "certificate", NULL);

	xmlAddChild(stage, n);
	add_text(r, n, "version", ti->version);
	add_text(r, n, "cipher", ti->cipher);
	if (!ti->have_cert)
		return;
	add_text(r, n, "subject", ti->subject);
	add_text(r, n, "issuer", ti->issuer);
	add_text(r, n, "not-after", ti->not_after);
	add_text(r, n, "sha256", ti->sha256);
	add_text(r, n, "verified", ti->verified ? "true" : "false");
	if (!ti->verified)
		add_text(r, n, "verify-error", ti->verify_text);
}

/* A failed handshake or a refused certificate. */
static void
tls_fail(struct stage *st, struct hk_conn *c, enum hk_net_rc rc,
    const struct hk_tls_info *ti, const char *sec_field,
    const char *verify_field, const char *host_field)
{
	if (ti->version[0] != '\0' || ti->have_cert)
		tls_xml(st->r, st->node, ti);
	if (rc == HK_NET_TLS_VERIFY) {
		switch (hk_tls_verify_kind(ti->verify_error)) {
		case HK_TLS_VERIFY_NAME:
			stage_fail(st, 5, host_field, "conntest.tls.name", NULL, 0,
			    hk_buf_str(&c->err));
			return;
		case HK_TLS_VERIFY_EXPIRED:
			stage_fail(st, 5, verify_field, "conntest.tls.expired",
			    NULL, 0, hk_buf_str(&c->err));
			return;
		default:
			stage_fail(st, 5, verify_field, "conntest.tls.untrusted",
			    NULL, 0, hk_buf_str(&c->err));
			return;
		}
	}
	stage_net_fail(st, c, rc, sec_field, "tls");
}

static void
caps_xml(struct run *r, xmlNodePtr stage, const char *name, const char *value)
{
	xmlNodePtr n = add_text(r, stage, "capability", value ? value : "");

	set_attr(n, "name", name);
}

/* ---- the receive end: POP3 -------------------------------------------- */

static void
pop3_reply_text(const struct hk_pop3_reply *pr, struct hk_buf *out)
{
	hk_buf_reset(out);
	hk_pop3_reply_format(pr, out);
}

static void
end_pop3(struct run *r, xmlNodePtr end)
{
	const struct hk_conntest_params *p = r->p;
	const struct hk_server *s = p->srv;
	struct hk_conn c;
	struct hk_pop3_reply pr = HK_POP3_REPLY_INIT, greet = HK_POP3_REPLY_INIT;
	struct hk_pop3_caps caps;
	struct hk_tls_info ti;
	struct hk_buf text = HK_BUF_INIT;
	struct stage st;
	enum hk_net_rc rc;
	bool ok = false;

	hk_conn_init(&c, &p->to);
	memset(&caps, 0, sizeof(caps));
	if (!stages_connect(r, end, &c, s->recv_host, s->recv_port, "recv_host",
	    "recv_port"))
		goto out;

	if (s->recv_security != HK_SEC_NONE) {
		stage_begin(&st, r, end, "tls", "recv_security");
		if (s->recv_security == HK_SEC_STARTTLS) {
			/* The plain-text greeting comes first. */
			rc = hk_pop3_greeting(&c, &greet, &caps);
			if (rc == HK_NET_OK && !greet.ok)
				rc = hk_conn_fail(&c, HK_NET_PROTOCOL,
				    "the greeting was -ERR");
			if (rc != HK_NET_OK) {
				pop3_reply_text(&greet, &text);
				stage_reply(&st, text.data);
				stage_net_fail(&st, &c, rc, "recv_port", "greeting");
				goto out;
			}
			/* CAPA is optional (RFC 2449): without it, try STLS. */
			if ((rc = hk_pop3_capa(&c, &pr, &caps)) != HK_NET_OK) {
				stage_net_fail(&st, &c, rc, "recv_port", "greeting");
				goto out;
			}
			if (caps.capa && !caps.stls) {
				stage_fail(&st, 5, "recv_security",
				    "conntest.starttls.not-offered", NULL, 0, NULL);
				goto out;
			}
			rc = hk_pop3_stls(&c, &pr, s->recv_host,
			    s->recv_tls_verify, &ti);
			pop3_reply_text(&pr, &text);
			stage_reply(&st, text.data);
			if (rc == HK_NET_PROTOCOL && !hk_conn_has_layer(&c)) {
				stage_fail(&st, 5, "recv_security",
				    "conntest.starttls.refused", NULL, 0,
				    hk_buf_str(&c.err));
				goto out;
			}
		} else
			rc = hk_tls_start(&c, s->recv_host, s->recv_tls_verify, &ti);
		if (rc != HK_NET_OK) {
			tls_fail(&st, &c, rc, &ti, "recv_security",
			    "recv_tls_verify", "recv_host");
			goto out;
		}
		tls_xml(r, st.node, &ti);
		stage_ok(&st);
	}

	stage_begin(&st, r, end, "greeting", "recv_port");
	if (s->recv_security != HK_SEC_STARTTLS) {
		rc = hk_pop3_greeting(&c, &greet, &caps);
		if (rc != HK_NET_OK) {
			stage_net_fail(&st, &c, rc, s->recv_security == HK_SEC_NONE &&
			    rc == HK_NET_TIMEOUT ? "recv_security" : "recv_port",
			    "greeting");
			goto out;
		}
	}
	pop3_reply_text(&greet, &text);
	stage_reply(&st, text.data);
	if (!greet.ok) {
		stage_fail(&st, 5, "recv_host", "conntest.greeting.refused", NULL, 0,
		    NULL);
		goto out;
	}
	if ((rc = hk_pop3_capa(&c, &pr, &caps)) != HK_NET_OK) {
		stage_net_fail(&st, &c, rc, "recv_port", "greeting");
		goto out;
	}
	if (caps.capa) {
		if (caps.user) caps_xml(r, st.node, "USER", NULL);
		if (caps.stls) caps_xml(r, st.node, "STLS", NULL);
		if (caps.uidl) caps_xml(r, st.node, "UIDL", NULL);
		if (caps.top) caps_xml(r, st.node, "TOP", NULL);
		if (caps.pipelining) caps_xml(r, st.node, "PIPELINING", NULL);
		if (caps.sasl[0]) caps_xml(r, st.node, "SASL", caps.sasl);
	}
	if (caps.apop)
		caps_xml(r, st.node, "APOP", NULL);
	if (s->apop && !caps.apop)
		stage_warn(&st, "apop", "conntest.warn.no-apop", NULL, 0);
	if (caps.capa && !caps.uidl)
		stage_warn(&st, "recv_protocol", "conntest.warn.no-uidl", NULL, 0);
	stage_ok(&st);

	stage_begin(&st, r, end, "login", p->cred_field);
	if (s->apop) {
		const struct hk_authmod *mod = hk_modset_find(p->mods, "apop",
		    HK_AUTHMOD_KIND_POP3);
		struct hk_auth_result ar = HK_AUTH_RESULT_INIT;
		struct hk_authsess_params ap = {
			.mod = mod, .user = p->user, .password = p->password,
			.host = s->recv_host,
		};
		enum hk_auth_status as;

		if (mod == NULL) {
			stage_fail(&st, 2, "apop", "conntest.module.missing",
			    (const char *[]){ "apop" }, 1, NULL);
			goto out;
		}
		as = hk_pop3_auth(&c, &ap, hk_buf_str(&greet.text), &ar);
		stage_reply(&st, hk_buf_str(&ar.last_reply));
		if (as != HK_AUTH_OK) {
			const char *detail = ar.message ? ar.message : "";

			if (as == HK_AUTH_IO)
				stage_net_fail(&st, &c, HK_NET_IO, "recv_port", "login");
			else if (as == HK_AUTH_REJECTED)
				stage_fail(&st, 4, p->cred_field,
				    "conntest.login.refused", NULL, 0, detail);
			else if (as == HK_AUTH_PROTOCOL && !caps.apop)
				stage_fail(&st, 5, "apop", "conntest.login.no-apop",
				    NULL, 0, detail);
			else
				stage_fail(&st, as == HK_AUTH_CONFIG ? 2 : 5,
				    as == HK_AUTH_CONFIG ? p->cred_field : "apop",
				    as == HK_AUTH_CONFIG ? "conntest.login.unusable" :
				    "conntest.protocol.bad", NULL, 0, detail);
			hk_auth_result_clear(&ar);
			goto out;
		}
		hk_auth_result_clear(&ar);
	} else {
		if (!hk_pop3_arg_ok(p->user, false) ||
		    !hk_pop3_arg_ok(p->password, true)) {
			stage_fail(&st, 2, p->cred_field, "conntest.login.unusable",
			    NULL, 0, NULL);
			goto out;
		}
		rc = hk_pop3_login(&c, &pr, p->user, p->password);
		pop3_reply_text(&pr, &text);
		stage_reply(&st, text.data);
		if (rc != HK_NET_OK) {
			stage_net_fail(&st, &c, rc, "recv_port", "login");
			goto out;
		}
		if (!pr.ok) {
			stage_fail(&st, 4, p->cred_field, "conntest.login.refused",
			    NULL, 0, NULL);
			goto out;
		}
	}
	{
		unsigned long count;
		unsigned long long size;

		rc = hk_pop3_stat(&c, &pr, &count, &size);
		if (rc != HK_NET_OK) {
			stage_net_fail(&st, &c, rc, "recv_port", "login");
			goto out;
		}
		if (pr.ok) {
			xmlNodePtr mb = xmlNewDocNode(r->doc, NULL,
			    BAD_CAST "mailbox", NULL);

			set_attr_ll(mb, "messages", (long long)count);
			set_attr_ll(mb, "size", (long long)size);
			xmlAddChild(st.node, mb);
		}
	}
	stage_ok(&st);
	ok = true;
out:
	/* Say goodbye only to a server that is still talking sense: not
	 * after a timeout (another wait), a protocol error, or a refused
	 * certificate (nothing goes over a connection we do not trust). */
	if (c.fd >= 0 && c.err.len == 0)
		(void)hk_pop3_quit(&c, &pr);
	set_attr(end, "ok", ok ? "true" : "false");
	hk_pop3_reply_free(&pr);
	hk_pop3_reply_free(&greet);
	hk_buf_free(&text);
	hk_conn_free(&c);
}

/* ---- the receive end: IMAP4 -------------------------------------------- */

static void
end_imap(struct run *r, xmlNodePtr end)
{
	const struct hk_conntest_params *p = r->p;
	const struct hk_server *s = p->srv;
	struct hk_conn c;
	struct hk_imap m;
	struct hk_tls_info ti;
	struct hk_buf greet = HK_BUF_INIT;
	struct stage st;
	enum hk_imap_status ist = HK_IMAP_OK;
	enum hk_net_rc rc;
	bool ok = false;

	hk_conn_init(&c, &p->to);
	hk_imap_init(&m, &c);
	if (!stages_connect(r, end, &c, s->recv_host, s->recv_port, "recv_host",
	    "recv_port"))
		goto out;

	if (s->recv_security != HK_SEC_NONE) {
		stage_begin(&st, r, end, "tls", "recv_security");
		if (s->recv_security == HK_SEC_STARTTLS) {
			rc = hk_imap_greeting(&m, &ist);
			hk_buf_puts(&greet, hk_buf_str(&m.last));
			if (rc == HK_NET_OK && ist == HK_IMAP_BYE)
				rc = hk_conn_fail(&c, HK_NET_PROTOCOL,
				    "the greeting was BYE");
			if (rc != HK_NET_OK) {
				stage_reply(&st, greet.data);
				stage_net_fail(&st, &c, rc, "recv_port", "greeting");
				goto out;
			}
			if (!m.caps_known &&
			    (rc = hk_imap_capability(&m, &ist)) != HK_NET_OK) {
				stage_net_fail(&st, &c, rc, "recv_port", "greeting");
				goto out;
			}
			if (!m.caps.starttls) {
				stage_fail(&st, 5, "recv_security",
				    "conntest.starttls.not-offered", NULL, 0, NULL);
				goto out;
			}
			rc = hk_imap_starttls(&m, s->recv_host, s->recv_tls_verify,
			    &ti);
			stage_reply(&st, hk_buf_str(&m.last));
			if (rc == HK_NET_PROTOCOL && !hk_conn_has_layer(&c)) {
				stage_fail(&st, 5, "recv_security",
				    "conntest.starttls.refused", NULL, 0,
				    hk_buf_str(&c.err));
				goto out;
			}
		} else
			rc = hk_tls_start(&c, s->recv_host, s->recv_tls_verify, &ti);
		if (rc != HK_NET_OK) {
			tls_fail(&st, &c, rc, &ti, "recv_security",
			    "recv_tls_verify", "recv_host");
			goto out;
		}
		tls_xml(r, st.node, &ti);
		stage_ok(&st);
	}

	stage_begin(&st, r, end, "greeting", "recv_port");
	if (s->recv_security != HK_SEC_STARTTLS) {
		rc = hk_imap_greeting(&m, &ist);
		if (rc != HK_NET_OK) {
			stage_net_fail(&st, &c, rc, s->recv_security == HK_SEC_NONE &&
			    rc == HK_NET_TIMEOUT ? "recv_security" : "recv_port",
			    "greeting");
			goto out;
		}
		hk_buf_puts(&greet, hk_buf_str(&m.last));
	}
	stage_reply(&st, greet.data);
	if (ist == HK_IMAP_BYE) {
		stage_fail(&st, 5, "recv_host", "conntest.greeting.refused", NULL, 0,
		    NULL);
		goto out;
	}
	/* After STARTTLS, or when the greeting did not list them. */
	if (s->recv_security == HK_SEC_STARTTLS || !m.caps_known) {
		rc = hk_imap_capability(&m, &ist);
		if (rc != HK_NET_OK) {
			stage_net_fail(&st, &c, rc, "recv_port", "greeting");
			goto out;
		}
	}
	{
		const char *l = m.caps.list;

		while (*l != '\0') {
			size_t n = strcspn(l, " ");
			char *atom = hk_strndup(l, n);

			caps_xml(r, st.node, atom, NULL);
			free(atom);
			l += n;
			while (*l == ' ')
				l++;
		}
	}
	if (!m.caps.imap4rev1)
		stage_warn(&st, "recv_protocol", "conntest.warn.not-imap4rev1",
		    NULL, 0);
	stage_ok(&st);

	stage_begin(&st, r, end, "login", p->cred_field);
	if (ist == HK_IMAP_PREAUTH) {
		stage_reply(&st, greet.data);
	} else {
		rc = hk_imap_login(&m, p->user, p->password, &ist);
		stage_reply(&st, hk_buf_str(&m.last));
		if (rc != HK_NET_OK) {
			if (m.caps.logindisabled)
				stage_fail(&st, 5, "recv_security",
				    "conntest.login.disabled", NULL, 0,
				    hk_buf_str(&c.err));
			else
				stage_net_fail(&st, &c, rc, "recv_port", "login");
			goto out;
		}
		if (ist != HK_IMAP_OK) {
			stage_fail(&st, 4, p->cred_field, "conntest.login.refused",
			    NULL, 0, NULL);
			goto out;
		}
	}
	rc = hk_imap_select(&m, "INBOX", &ist);
	stage_reply(&st, hk_buf_str(&m.last));
	if (rc != HK_NET_OK) {
		stage_net_fail(&st, &c, rc, "recv_port", "login");
		goto out;
	}
	if (ist != HK_IMAP_OK) {
		stage_fail(&st, 5, "recv_protocol", "conntest.login.no-inbox", NULL,
		    0, NULL);
		goto out;
	}
	{
		xmlNodePtr mb = xmlNewDocNode(r->doc, NULL, BAD_CAST "mailbox", NULL);

		set_attr_ll(mb, "messages", (long long)m.exists);
		set_attr_ll(mb, "uidvalidity", (long long)m.uidvalidity);
		xmlAddChild(st.node, mb);
	}
	stage_ok(&st);
	ok = true;
out:
	if (c.err.len == 0)
		hk_imap_logout(&m);
	set_attr(end, "ok", ok ? "true" : "false");
	hk_imap_free(&m);
	hk_buf_free(&greet);
	hk_conn_free(&c);
}

/* ---- the send end ------------------------------------------------------ */

static void
smtp_text(const struct hk_smtp_reply *sr, struct hk_buf *out)
{
	hk_buf_reset(out);
	hk_smtp_reply_format(sr, out);
}

/* Greeting + EHLO (+ STARTTLS + EHLO) on a connected c.  With st NULL the
 * stages were already reported (the second connection after POP before
 * SMTP): failures then go to fail_st. */
struct smtp_open {
	struct hk_smtp_caps caps;
	struct hk_smtp_reply greet, ehlo;
	struct hk_tls_info ti;
};

static enum hk_net_rc
smtp_start(struct run *r, xmlNodePtr end, struct hk_conn *c,
    struct smtp_open *so, struct stage *fail_st)
{
	const struct hk_server *s = r->p->srv;
	struct hk_smtp_reply sr = HK_SMTP_REPLY_INIT;
	struct hk_buf text = HK_BUF_INIT;
	struct stage st, *cur = fail_st;
	enum hk_net_rc rc = HK_NET_OK;
	bool report = fail_st == NULL;

	if (s->smtp_security != HK_SEC_NONE) {
		if (report) {
			stage_begin(&st, r, end, "tls", "smtp_security");
			cur = &st;
		}
		if (s->smtp_security == HK_SEC_STARTTLS) {
			if ((rc = hk_smtp_read_reply(c, &so->greet)) != HK_NET_OK ||
			    so->greet.code != 220) {
				smtp_text(&so->greet, &text);
				stage_reply(cur, text.data);
				if (rc == HK_NET_OK)
					stage_fail(cur, 5, "smtp_host",
					    "conntest.greeting.refused", NULL, 0, NULL);
				else
					stage_net_fail(cur, c, rc, "smtp_port", "greeting");
				goto out;
			}
			if ((rc = hk_smtp_hello(c, &so->ehlo, &so->caps)) != HK_NET_OK) {
				stage_net_fail(cur, c, rc, "smtp_port", "greeting");
				goto out;
			}
			if (!so->caps.starttls) {
				smtp_text(&so->ehlo, &text);
				stage_reply(cur, text.data);
				stage_fail(cur, 5, "smtp_security",
				    "conntest.starttls.not-offered", NULL, 0, NULL);
				rc = HK_NET_PROTOCOL;
				goto out;
			}
			rc = hk_smtp_starttls(c, &sr, &so->caps, s->smtp_host,
			    s->smtp_tls_verify, &so->ti);
			smtp_text(&sr, &text);
			stage_reply(cur, text.data);
			if (rc == HK_NET_PROTOCOL && !hk_conn_has_layer(c)) {
				stage_fail(cur, 5, "smtp_security",
				    "conntest.starttls.refused", NULL, 0,
				    hk_buf_str(&c->err));
				goto out;
			}
		} else
			rc = hk_tls_start(c, s->smtp_host, s->smtp_tls_verify,
			    &so->ti);
		if (rc != HK_NET_OK) {
			tls_fail(cur, c, rc, &so->ti, "smtp_security",
			    "smtp_tls_verify", "smtp_host");
			goto out;
		}
		if (report) {
			tls_xml(r, st.node, &so->ti);
			stage_ok(&st);
		}
	}

	if (report) {
		stage_begin(&st, r, end, "greeting", "smtp_port");
		cur = &st;
	}
	if (s->smtp_security != HK_SEC_STARTTLS) {
		rc = hk_smtp_read_reply(c, &so->greet);
		if (rc != HK_NET_OK) {
			stage_net_fail(cur, c, rc, s->smtp_security == HK_SEC_NONE &&
			    rc == HK_NET_TIMEOUT ? "smtp_security" : "smtp_port",
			    "greeting");
			goto out;
		}
		if (so->greet.code != 220) {
			smtp_text(&so->greet, &text);
			stage_reply(cur, text.data);
			stage_fail(cur, 5, "smtp_host", "conntest.greeting.refused",
			    NULL, 0, NULL);
			rc = HK_NET_PROTOCOL;
			goto out;
		}
	}
	rc = hk_smtp_hello(c, &so->ehlo, &so->caps);
	if (report) {
		smtp_text(&so->greet, &text);
		hk_buf_puts(&text, " / ");
		hk_smtp_reply_format(&so->ehlo, &text);
		stage_reply(cur, text.data);
	}
	if (rc != HK_NET_OK) {
		stage_net_fail(cur, c, rc, "smtp_port", "greeting");
		goto out;
	}
	if (so->ehlo.code != 250) {
		stage_fail(cur, 5, "smtp_host", "conntest.greeting.helo-refused",
		    NULL, 0, NULL);
		rc = HK_NET_PROTOCOL;
		goto out;
	}
	if (report) {
		const struct hk_smtp_caps *k = &so->caps;
		char num[32];

		if (!k->ehlo)
			caps_xml(r, st.node, "HELO", NULL);
		if (k->auth)
			caps_xml(r, st.node, "AUTH", k->auth_mechs);
		if (k->size) {
			snprintf(num, sizeof(num), "%llu", k->size_max);
			caps_xml(r, st.node, "SIZE", num);
		}
		if (k->starttls)
			caps_xml(r, st.node, "STARTTLS", NULL);
		if (k->eightbitmime)
			caps_xml(r, st.node, "8BITMIME", NULL);
		if (k->pipelining)
			caps_xml(r, st.node, "PIPELINING", NULL);
		/* Warnings that do not stop the test. */
		if (s->send_limit > 0 && k->size && k->size_max > 0 &&
		    k->size_max < (unsigned long long)s->send_limit) {
			char a1[32], a2[32];
			const char *args[2] = { a1, a2 };

			snprintf(a1, sizeof(a1), "%llu", k->size_max);
			snprintf(a2, sizeof(a2), "%lld", s->send_limit);
			stage_warn(&st, "send_limit", "conntest.warn.size", args, 2);
		}
		if (s->smtp_auth) {
			const struct hk_authmod *mod = hk_modset_find(r->p->mods,
			    s->smtp_auth_method, HK_AUTHMOD_KIND_SASL);
			const char *mech = mod != NULL && mod->sasl_name ?
			    mod->sasl_name : s->smtp_auth_method;

			if (!k->auth)
				stage_warn(&st, "smtp_auth", "conntest.warn.no-auth",
				    NULL, 0);
			else if (!hk_smtp_caps_has_auth(k, mech)) {
				const char *args[2] = { mech, k->auth_mechs };

				stage_warn(&st, "smtp_auth_method",
				    "conntest.warn.method", args, 2);
			}
		}
		stage_ok(&st);
	}
out:
	hk_smtp_reply_free(&sr);
	hk_buf_free(&text);
	return rc;
}

static void
smtp_open_free(struct smtp_open *so)
{
	hk_smtp_reply_free(&so->greet);
	hk_smtp_reply_free(&so->ehlo);
}

static bool
stage_presend(struct run *r, xmlNodePtr end)
{
	const struct hk_conntest_params *p = r->p;
	const struct hk_server *s = p->srv;
	const struct hk_authmod *mod = hk_modset_find(p->mods, "pop-before-smtp",
	    HK_AUTHMOD_KIND_PRESEND);
	struct hk_auth_result ar = HK_AUTH_RESULT_INIT;
	struct stage st;
	enum hk_auth_status as;
	bool ok = false;

	stage_begin(&st, r, end, "pop-before-smtp", "pop_before_smtp");
	if (mod == NULL) {
		stage_fail(&st, 2, "pop_before_smtp", "conntest.module.missing",
		    (const char *[]){ "pop-before-smtp" }, 1, NULL);
		return false;
	}
	as = hk_presend_run(mod, s, p->user, p->password, &p->to, &ar);
	stage_reply(&st, hk_buf_str(&ar.last_reply));
	if (s->pop_before_smtp_wait > 0) {
		xmlNodePtr w = xmlNewDocNode(r->doc, NULL, BAD_CAST "wait", NULL);

		set_attr_ll(w, "seconds", s->pop_before_smtp_wait);
		xmlAddChild(st.node, w);
	}
	switch (as) {
	case HK_AUTH_OK:
		stage_ok(&st);
		ok = true;
		break;
	case HK_AUTH_REJECTED:
		stage_fail(&st, 4, p->cred_field, "conntest.pbs.refused", NULL, 0,
		    ar.message);
		break;
	case HK_AUTH_CONFIG:
		stage_fail(&st, 2, p->cred_field, "conntest.login.unusable", NULL,
		    0, ar.message);
		break;
	case HK_AUTH_PROTOCOL:
		stage_fail(&st, 5, s->apop ? "apop" : "recv_port",
		    s->apop ? "conntest.login.no-apop" : "conntest.protocol.bad",
		    NULL, 0, ar.message);
		break;
	default:
		stage_fail(&st, 5, "recv_host", "conntest.pbs.failed", NULL, 0,
		    ar.message);
		break;
	}
	hk_auth_result_clear(&ar);
	return ok;
}

static bool
stage_auth(struct run *r, xmlNodePtr end, struct hk_conn *c,
    const struct smtp_open *so)
{
	const struct hk_conntest_params *p = r->p;
	const struct hk_server *s = p->srv;
	const struct hk_authmod *mod = hk_modset_find(p->mods,
	    s->smtp_auth_method, HK_AUTHMOD_KIND_SASL);
	bool fixed = s->smtp_credentials == HK_CRED_FIXED;
	struct hk_auth_result ar = HK_AUTH_RESULT_INIT;
	struct hk_authsess_params ap = {
		.mod = mod, .protocol = HK_AUTHMOD_PROTO_SMTP,
		.user = fixed ? s->smtp_user : p->user,
		.password = fixed ? s->smtp_password : p->password,
		.host = s->smtp_host,
	};
	const char *cred_field = fixed ? "smtp_password" : p->cred_field;
	struct stage st;
	enum hk_auth_status as;
	bool ok = false;

	stage_begin(&st, r, end, "auth", "smtp_auth_method");
	if (mod == NULL) {
		stage_fail(&st, 2, "smtp_auth_method", "conntest.module.missing",
		    (const char *[]){ s->smtp_auth_method }, 1, NULL);
		return false;
	}
	if (fixed && (s->smtp_password == NULL || *s->smtp_password == '\0')) {
		stage_fail(&st, 2, "smtp_password", "conntest.auth.no-password",
		    NULL, 0, NULL);
		return false;
	}
	as = hk_smtp_auth(c, &ap, &ar);
	stage_reply(&st, hk_buf_str(&ar.last_reply));
	switch (as) {
	case HK_AUTH_OK:
		stage_ok(&st);
		ok = true;
		break;
	case HK_AUTH_REJECTED:
		stage_fail(&st, 4, cred_field, "conntest.auth.refused", NULL, 0,
		    ar.message);
		break;
	case HK_AUTH_PROTOCOL:
		if (!hk_smtp_caps_has_auth(&so->caps, mod->sasl_name))
			stage_fail(&st, 5, "smtp_auth_method",
			    "conntest.auth.not-offered",
			    (const char *[]){ mod->sasl_name }, 1, ar.message);
		else
			stage_fail(&st, 5, "smtp_auth_method",
			    "conntest.auth.protocol", NULL, 0, ar.message);
		break;
	case HK_AUTH_CONFIG:
		stage_fail(&st, 2, cred_field, "conntest.login.unusable", NULL, 0,
		    ar.message);
		break;
	case HK_AUTH_IO:
		stage_net_fail(&st, c, HK_NET_IO, "smtp_port", "auth");
		break;
	default:
		stage_fail(&st, 5, "smtp_auth_method", "conntest.auth.module",
		    NULL, 0, ar.message);
		break;
	}
	hk_auth_result_clear(&ar);
	return ok;
}

static bool
stage_relay(struct run *r, xmlNodePtr end, struct hk_conn *c)
{
	const struct hk_conntest_params *p = r->p;
	const struct hk_server *s = p->srv;
	struct hk_smtp_reply sr = HK_SMTP_REPLY_INIT;
	struct hk_buf text = HK_BUF_INIT;
	const char *field = s->smtp_auth ? "smtp_credentials" :
	    s->pop_before_smtp ? "pop_before_smtp" : "smtp_auth";
	struct stage st;
	enum hk_net_rc rc;
	bool ok = false;

	stage_begin(&st, r, end, "relay", field);
	rc = hk_smtp_mail(c, &sr, p->address, 0);
	smtp_text(&sr, &text);
	if (rc == HK_NET_OK && sr.code / 100 == 2) {
		hk_buf_puts(&text, " / ");
		rc = hk_smtp_rcpt(c, &sr, p->address);
		hk_smtp_reply_format(&sr, &text);
		if (rc == HK_NET_OK && sr.code / 100 == 2) {
			hk_buf_puts(&text, " / ");
			rc = hk_smtp_rset(c, &sr);
			hk_smtp_reply_format(&sr, &text);
			stage_reply(&st, text.data);
			if (rc != HK_NET_OK)
				stage_net_fail(&st, c, rc, "smtp_port", "relay");
			else {
				stage_ok(&st);
				ok = true;
			}
			goto out;
		}
		stage_reply(&st, text.data);
		if (rc != HK_NET_OK)
			stage_net_fail(&st, c, rc, "smtp_port", "relay");
		else
			stage_fail(&st, 4, field, "conntest.relay.refused",
			    (const char *[]){ p->address }, 1, NULL);
		goto out;
	}
	stage_reply(&st, text.data);
	if (rc != HK_NET_OK)
		stage_net_fail(&st, c, rc, "smtp_port", "relay");
	else
		stage_fail(&st, 4, field, "conntest.relay.sender-refused",
		    (const char *[]){ p->address }, 1, NULL);
out:
	hk_smtp_reply_free(&sr);
	hk_buf_free(&text);
	return ok;
}

static void
end_smtp(struct run *r, xmlNodePtr end)
{
	const struct hk_conntest_params *p = r->p;
	const struct hk_server *s = p->srv;
	struct hk_conn c;
	struct smtp_open so;
	bool ok = false;

	memset(&so, 0, sizeof(so));
	hk_conn_init(&c, &p->to);
	if (!stages_connect(r, end, &c, s->smtp_host, s->smtp_port, "smtp_host",
	    "smtp_port"))
		goto out;
	if (smtp_start(r, end, &c, &so, NULL) != HK_NET_OK)
		goto out;

	if (s->pop_before_smtp) {
		struct hk_addrs addrs;
		struct stage st;
		enum hk_net_rc rc;

		/* The POP3 login must come before the connection that sends
		 * (a server reads its grants when a session starts): say
		 * goodbye, log in, wait, and connect again. */
		hk_smtp_quit(&c);
		hk_conn_close(&c);
		if (!stage_presend(r, end))
			goto out;
		hk_conn_free(&c);
		hk_conn_init(&c, &p->to);
		smtp_open_free(&so);
		memset(&so, 0, sizeof(so));
		/* Problems reconnecting are reported by the next stage. */
		stage_begin(&st, r, end, s->smtp_auth ? "auth" : "relay",
		    "smtp_host");
		if ((rc = hk_net_resolve(&c, s->smtp_host, (unsigned)s->smtp_port,
		    &addrs)) != HK_NET_OK ||
		    (rc = hk_conn_connect(&c, &addrs)) != HK_NET_OK) {
			stage_net_fail(&st, &c, rc, "smtp_host", "connect");
			goto out;
		}
		if (smtp_start(r, end, &c, &so, &st) != HK_NET_OK)
			goto out;
		/* The real stage follows; drop the placeholder. */
		xmlUnlinkNode(st.node);
		xmlFreeNode(st.node);
		xmlFree((xmlChar *)st.end);
	}
	if (s->smtp_auth && !stage_auth(r, end, &c, &so))
		goto out;
	if (p->address != NULL && *p->address != '\0' &&
	    !stage_relay(r, end, &c))
		goto out;
	ok = true;
out:
	if (c.err.len == 0)
		hk_smtp_quit(&c);
	set_attr(end, "ok", ok ? "true" : "false");
	smtp_open_free(&so);
	hk_conn_free(&c);
}

/* ---- the run ----------------------------------------------------------- */

xmlNodePtr
hk_conntest_run(const struct hk_conntest_params *p, xmlDocPtr doc,
    struct hk_conntest_result *res)
{
	struct run r;
	xmlNodePtr end;

	memset(&r, 0, sizeof(r));
	memset(res, 0, sizeof(*res));
	r.p = p;
	r.doc = doc;
	r.secrets[0] = p->password;
	r.secrets[1] = p->srv->smtp_password;
	r.root = xmlNewDocNode(doc, NULL, BAD_CAST "test-result", NULL);

	end = new_end(&r, "receive");
	set_attr(end, "protocol", p->srv->recv_protocol == HK_RECV_IMAP4 ?
	    "imap4" : "pop3");
	if (p->srv->recv_protocol == HK_RECV_IMAP4)
		end_imap(&r, end);
	else
		end_pop3(&r, end);
	end = new_end(&r, "send");
	set_attr(end, "protocol", "smtp");
	end_smtp(&r, end);

	res->ok = r.exit_code == 0;
	res->exit_code = r.exit_code;
	res->summary = r.first_fail != NULL ? r.first_fail :
	    msg(&r, "conntest.summary.ok", NULL, 0);
	set_attr(r.root, "ok", res->ok ? "true" : "false");
	set_attr_ll(r.root, "exit", res->exit_code);
	{
		char at[32];
		time_t now = time(NULL);
		struct tm tm;

		gmtime_r(&now, &tm);
		strftime(at, sizeof(at), "%Y-%m-%dT%H:%M:%SZ", &tm);
		set_attr(r.root, "at", at);
	}
	add_text(&r, r.root, "summary", res->summary);
	return r.root;
}

int
hk_conntest_store(struct hk_db *db, long long server_id,
    const struct hk_conntest_result *res, xmlNodePtr result)
{
	xmlBufferPtr xb = xmlBufferCreate();
	sqlite3_stmt *st;
	int rc;

	xmlNodeDump(xb, result->doc, result, 0, 0);
	st = hk_db_prepare(db,
	    "INSERT INTO server_tests (server_id, at, ok, summary, result_xml)"
	    " VALUES (?1, ?2, ?3, ?4, ?5)"
	    " ON CONFLICT (server_id) DO UPDATE SET at = excluded.at,"
	    " ok = excluded.ok, summary = excluded.summary,"
	    " result_xml = excluded.result_xml");
	sqlite3_bind_int64(st, 1, server_id);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)time(NULL));
	sqlite3_bind_int(st, 3, res->ok ? 1 : 0);
	sqlite3_bind_text(st, 4, res->summary ? res->summary : "", -1,
	    SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 5, (const char *)xmlBufferContent(xb),
	    xmlBufferLength(xb), SQLITE_TRANSIENT);
	rc = sqlite3_step(st);
	hk_db_done(st);
	xmlBufferFree(xb);
	if (rc != SQLITE_DONE) {
		/* A server deleted meanwhile (foreign key) is no error. */
		if (rc != SQLITE_CONSTRAINT)
			hk_err("storing the connection test of server %lld: %s",
			    server_id, hk_db_errmsg(db));
		return -1;
	}
	return 0;
}

static char *
prop(xmlNodePtr n, const char *name)
{
	xmlChar *v = xmlGetProp(n, BAD_CAST name);
	char *s = hk_strdup(v != NULL ? (const char *)v : "");

	xmlFree(v);
	return s;
}

static char *
child_text(xmlNodePtr n, const char *name)
{
	for (xmlNodePtr c = n->children; c != NULL; c = c->next)
		if (c->type == XML_ELEMENT_NODE &&
		    strcmp((const char *)c->name, name) == 0) {
			xmlChar *t = xmlNodeGetContent(c);
			char *s = hk_strdup(t ? (const char *)t : "");

			xmlFree(t);
			return s;
		}
	return NULL;
}

void
hk_conntest_print(xmlNodePtr result, FILE *out)
{
	for (xmlNodePtr end = result->children; end != NULL; end = end->next) {
		char *ename;

		if (end->type != XML_ELEMENT_NODE ||
		    strcmp((const char *)end->name, "end") != 0)
			continue;
		ename = prop(end, "name");
		for (xmlNodePtr s = end->children; s != NULL; s = s->next) {
			char *name, *ok, *ms, *field, *reply, *expl, *detail;

			if (s->type != XML_ELEMENT_NODE)
				continue;
			name = prop(s, "name");
			ok = prop(s, "ok");
			ms = prop(s, "ms");
			field = prop(s, "field");
			reply = child_text(s, "reply");
			expl = child_text(s, "explanation");
			detail = child_text(s, "detail");
			fprintf(out, "%-8s %-16s %-4s %6s ms  %s\n", ename, name,
			    strcmp(ok, "true") == 0 ? "ok" : "FAIL", ms,
			    reply ? reply : "");
			for (xmlNodePtr k = s->children; k != NULL; k = k->next) {
				if (k->type != XML_ELEMENT_NODE)
					continue;
				if (strcmp((const char *)k->name, "certificate") == 0) {
					char *subj = child_text(k, "subject");
					char *iss = child_text(k, "issuer");
					char *na = child_text(k, "not-after");
					char *fp = child_text(k, "sha256");
					char *ver = child_text(k, "version");

					fprintf(out, "%27s %s, subject %s, issuer %s, "
					    "expires %s\n%27s SHA-256 %s\n", "",
					    ver ? ver : "", subj ? subj : "-",
					    iss ? iss : "-", na ? na : "-", "",
					    fp ? fp : "-");
					free(subj); free(iss); free(na); free(fp);
					free(ver);
				} else if (strcmp((const char *)k->name, "warning") == 0) {
					xmlChar *t = xmlNodeGetContent(k);
					char *wf = prop(k, "field");

					fprintf(out, "%27s warning: %s [%s]\n", "",
					    (const char *)t, wf);
					xmlFree(t);
					free(wf);
				}
			}
			if (expl != NULL)
				fprintf(out, "%27s %s [%s]\n", "", expl, field);
			if (detail != NULL)
				fprintf(out, "%27s (%s)\n", "", detail);
			free(name); free(ok); free(ms); free(field);
			free(reply); free(expl); free(detail);
		}
		free(ename);
	}
}
