/* conntest-report.c - the connection test's XML report
 * (conntest-report.h). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "conntest-report.h"
#include "mem.h"
#include "oauth2_token.h"
#include "utf8.h"

static char *
msg(struct hk_ctreport *rep, const char *key, const char *const *args,
    size_t n)
{
	if (rep->cat == NULL) {
		struct hk_buf b = HK_BUF_INIT;

		hk_buf_puts(&b, key);
		for (size_t i = 0; i < n; i++)
			hk_buf_printf(&b, " %s", args[i]);
		return hk_buf_steal(&b);
	}
	return hk_msg_format(rep->cat, rep->lang ? rep->lang : "en", key,
	    args, n);
}

/* text with every secret replaced by ********; the caller frees. */
static char *
redact(struct hk_ctreport *rep, const char *text)
{
	struct hk_buf b = HK_BUF_INIT;
	const char *t = text;

	hk_buf_puts(&b, "");
	while (*t != '\0') {
		size_t best = 0;

		for (size_t i = 0; i < sizeof(rep->secrets) / sizeof(rep->secrets[0]); i++) {
			const char *s = rep->secrets[i];
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

/* XML 1.0 cannot carry most C0 controls, and libxml2 would write invalid
 * UTF-8 as is: keeps printable ASCII, tabs and newlines, and UTF-8
 * sequences only when they are well-formed; the rest becomes '?'. */
static void
xml_safe(char *text)
{
	for (unsigned char *p = (unsigned char *)text; *p != '\0'; ) {
		/* strnlen: a sequence never runs past the string's end. */
		size_t len = hk_utf8_seq((char *)p, strnlen((char *)p, 4));

		if (len == 0 || (*p < 0x20 && *p != '\t' && *p != '\n'))
			*p++ = '?';
		else
			p += len;
	}
}

xmlNodePtr
hk_ctreport_text(struct hk_ctreport *rep, xmlNodePtr parent, const char *name,
    const char *text)
{
	char *red = redact(rep, text != NULL ? text : "");
	xmlNodePtr n;

	xml_safe(red);
	n = xmlNewDocNode(rep->doc, NULL, BAD_CAST name, NULL);
	xmlAddChild(n, xmlNewDocText(rep->doc, BAD_CAST red));
	xmlAddChild(parent, n);
	free(red);
	return n;
}

void
hk_ctreport_attr(xmlNodePtr n, const char *name, const char *v)
{
	xmlSetProp(n, BAD_CAST name, BAD_CAST(v != NULL ? v : ""));
}

void
hk_ctreport_attr_ll(xmlNodePtr n, const char *name, long long v)
{
	char num[32];

	snprintf(num, sizeof(num), "%lld", v);
	hk_ctreport_attr(n, name, num);
}

void
hk_ctreport_init(struct hk_ctreport *rep, const struct hk_conntest_params *p,
    xmlDocPtr doc)
{
	memset(rep, 0, sizeof(*rep));
	rep->cat = p->cat;
	rep->lang = p->lang;
	rep->doc = doc;
	rep->secrets[0] = p->password;
	rep->secrets[1] = p->srv->smtp_password;
	rep->secrets[2] = p->token != NULL ? p->token->access : NULL;
	rep->root = xmlNewDocNode(doc, NULL, BAD_CAST "test-result", NULL);
}

xmlNodePtr
hk_ctreport_end(struct hk_ctreport *rep, const char *name,
    const char *protocol)
{
	xmlNodePtr n = xmlNewDocNode(rep->doc, NULL, BAD_CAST "end", NULL);

	hk_ctreport_attr(n, "name", name);
	xmlAddChild(rep->root, n);
	hk_ctreport_attr(n, "protocol", protocol);
	return n;
}

void
hk_ctreport_end_done(xmlNodePtr end, bool ok)
{
	hk_ctreport_attr(end, "ok", ok ? "true" : "false");
}

xmlNodePtr
hk_ctreport_finish(struct hk_ctreport *rep, struct hk_conntest_result *res)
{
	char at[32];
	time_t now = time(NULL);
	struct tm tm;

	res->ok = rep->exit_code == 0;
	res->exit_code = rep->exit_code;
	res->summary = rep->first_fail != NULL ? rep->first_fail :
	    msg(rep, "conntest.summary.ok", NULL, 0);
	rep->first_fail = NULL;
	hk_ctreport_attr(rep->root, "ok", res->ok ? "true" : "false");
	hk_ctreport_attr_ll(rep->root, "exit", res->exit_code);
	gmtime_r(&now, &tm);
	strftime(at, sizeof(at), "%Y-%m-%dT%H:%M:%SZ", &tm);
	hk_ctreport_attr(rep->root, "at", at);
	hk_ctreport_text(rep, rep->root, "summary", res->summary);
	return rep->root;
}

/* ---- stages ------------------------------------------------------------- */

void
hk_ctstage_begin(struct hk_ctstage *st, struct hk_ctreport *rep,
    xmlNodePtr end, const char *name, const char *field)
{
	st->rep = rep;
	st->node = xmlNewDocNode(rep->doc, NULL, BAD_CAST "stage", NULL);
	st->t0 = hk_net_now_ms();
	st->field = field;
	st->end = xmlGetProp(end, BAD_CAST "name");
	hk_ctreport_attr(st->node, "name", name);
	xmlAddChild(end, st->node);
}

void
hk_ctstage_reply(struct hk_ctstage *st, const char *reply)
{
	if (reply != NULL && *reply != '\0')
		hk_ctreport_text(st->rep, st->node, "reply", reply);
}

void
hk_ctstage_address(struct hk_ctstage *st, const char *addr)
{
	hk_ctreport_text(st->rep, st->node, "address", addr);
}

void
hk_ctstage_cap(struct hk_ctstage *st, const char *name, const char *value)
{
	xmlNodePtr n = hk_ctreport_text(st->rep, st->node, "capability",
	    value ? value : "");

	hk_ctreport_attr(n, "name", name);
}

void
hk_ctstage_tls(struct hk_ctstage *st, const struct hk_tls_info *ti)
{
	struct hk_ctreport *rep = st->rep;
	xmlNodePtr n = xmlNewDocNode(rep->doc, NULL, BAD_CAST "certificate",
	    NULL);

	xmlAddChild(st->node, n);
	hk_ctreport_text(rep, n, "version", ti->version);
	hk_ctreport_text(rep, n, "cipher", ti->cipher);
	if (!ti->have_cert)
		return;
	hk_ctreport_text(rep, n, "subject", ti->subject);
	hk_ctreport_text(rep, n, "issuer", ti->issuer);
	hk_ctreport_text(rep, n, "not-after", ti->not_after);
	hk_ctreport_text(rep, n, "sha256", ti->sha256);
	hk_ctreport_text(rep, n, "verified", ti->verified ? "true" : "false");
	if (!ti->verified)
		hk_ctreport_text(rep, n, "verify-error", ti->verify_text);
}

void
hk_ctstage_warn(struct hk_ctstage *st, const char *field, const char *key,
    const char *const *args, size_t n)
{
	char *text = msg(st->rep, key, args, n);
	xmlNodePtr w = hk_ctreport_text(st->rep, st->node, "warning", text);

	hk_ctreport_attr(w, "code", key);
	hk_ctreport_attr(w, "field", field);
	free(text);
}

xmlNodePtr
hk_ctstage_note(struct hk_ctstage *st, const char *name, const char *key,
    const char *const *args, size_t n)
{
	char *text = msg(st->rep, key, args, n);
	xmlNodePtr e = hk_ctreport_text(st->rep, st->node, name, text);

	hk_ctreport_attr(e, "code", key);
	free(text);
	return e;
}

static void
stage_close(struct hk_ctstage *st, bool ok, const char *field)
{
	hk_ctreport_attr(st->node, "ok", ok ? "true" : "false");
	hk_ctreport_attr_ll(st->node, "ms", hk_net_now_ms() - st->t0);
	hk_ctreport_attr(st->node, "field", field);
}

void
hk_ctstage_ok(struct hk_ctstage *st)
{
	stage_close(st, true, st->field);
	xmlFree(st->end);
	st->end = NULL;
}

/* The run's one-line summary: which end, which stage, what went wrong. */
static char *
summary(struct hk_ctreport *rep, const char *end, const char *stage,
    const char *text)
{
	char *end_label = hk_aprintf("conntest.end.%s", end);
	char *stage_label = hk_aprintf("conntest.stage.%s", stage);
	char *el = msg(rep, end_label, NULL, 0);
	char *sl = msg(rep, stage_label, NULL, 0);
	const char *args[3] = { el, sl, text };
	char *s = msg(rep, "conntest.summary.failed", args, 3);

	free(end_label);
	free(stage_label);
	free(el);
	free(sl);
	return s;
}

void
hk_ctstage_fail(struct hk_ctstage *st, int exit_code, const char *field,
    const char *key, const char *const *args, size_t n, const char *detail)
{
	struct hk_ctreport *rep = st->rep;
	char *text = msg(rep, key, args, n);
	xmlNodePtr e;

	stage_close(st, false, field != NULL ? field : st->field);
	e = hk_ctreport_text(rep, st->node, "explanation", text);
	hk_ctreport_attr(e, "code", key);
	if (detail != NULL && *detail != '\0')
		hk_ctreport_text(rep, st->node, "detail", detail);
	if (rep->exit_code == 0) {
		xmlChar *sname = xmlGetProp(st->node, BAD_CAST "name");

		rep->exit_code = exit_code;
		rep->first_fail = summary(rep, (const char *)st->end,
		    (const char *)sname, text);
		xmlFree(sname);
	}
	free(text);
	xmlFree(st->end);
	st->end = NULL;
}

/* What went wrong on the network, as an explanation key. */
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

void
hk_ctstage_net_fail(struct hk_ctstage *st, struct hk_conn *c,
    enum hk_net_rc rc, const char *field, const char *stage)
{
	hk_ctstage_fail(st, 5, field, net_key(rc, stage, c->lines_in > 0), NULL,
	    0, hk_buf_str(&c->err));
}

void
hk_ctstage_drop(struct hk_ctstage *st)
{
	xmlUnlinkNode(st->node);
	xmlFreeNode(st->node);
	st->node = NULL;
	xmlFree(st->end);
	st->end = NULL;
}
