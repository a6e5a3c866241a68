/* authrun.c - the driver: runs a module session over a connection given as
 * callbacks, owning the SASL/POP3 framing (modload.h, part 3). */
#include "config.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "authsess-private.h"
#include "log.h"
#include "mem.h"
#include "modload.h"
#include "base64.h"

/* Largest decoded server challenge the driver passes on. */
#define CHALLENGE_MAX 8192
/* Longest POP3 command line a module may send, CRLF included: RFC 2449
 * says 255, but APOP with a long user name needs more, and servers cope. */
#define POP3_CMD_MAX 512

int
hk_auth_status_exit(enum hk_auth_status st)
{
	switch (st) {
	case HK_AUTH_OK:
		return 0;
	case HK_AUTH_REJECTED:
		return 4;
	case HK_AUTH_CONFIG:
		return 2;
	default:
		return 5;
	}
}

/* How each protocol frames a SASL exchange (curl's struct SASLproto
 * idea): one row per protocol, so that the exchange is written once. */
enum sasl_ir {
	IR_ALWAYS,		/* SMTP (RFC 4954), POP3 (RFC 5034) */
	IR_IF_ANNOUNCED		/* IMAP: only with SASL-IR (RFC 4959) */
};

struct sasl_proto {
	uint32_t id;		/* HK_AUTHMOD_PROTO_* */
	const char *name;
	const char *cmd;	/* the command that starts the exchange */
	bool tagged;		/* the command carries the client's tag */
	bool coded;		/* replies are numbered and read by code by
				 * the protocol's client (smtp.c) */
	const char *cont;	/* how a server's continuation begins */
	const char *final_ok;	/* how a final reply of success begins */
	enum sasl_ir ir;	/* may the command carry an initial response? */
	size_t max_line;	/* longest command line, CRLF included */
	const char *empty_ir;	/* an empty initial response on that line */
	const char *cancel;	/* the client's answer that ends it */
	int no_mech;		/* the refusal that means an unknown
				 * mechanism (SMTP 504); 0: none */
};

static const struct sasl_proto sasl_protos[] = {
	{	/* RFC 4954.  smtp.c reads its replies by code: 334 goes on,
		 * any other below 400 ends well. */
		.id = HK_AUTHMOD_PROTO_SMTP, .name = "SMTP", .cmd = "AUTH",
		.coded = true, .cont = "334 ", .final_ok = "235 ",
		.ir = IR_ALWAYS,
		.max_line = 512,	/* RFC 5321 4.5.3.1.4 */
		.empty_ir = "=", .cancel = "*",
		.no_mech = 504,
	},
	{	/* RFC 5034 */
		.id = HK_AUTHMOD_PROTO_POP3, .name = "POP3", .cmd = "AUTH",
		.cont = "+ ", .final_ok = "+OK",
		.ir = IR_ALWAYS,
		.max_line = 255,	/* RFC 5034 section 4 */
		.empty_ir = "=", .cancel = "*",
	},
	{	/* RFC 3501 6.2.2, RFC 4959 */
		.id = HK_AUTHMOD_PROTO_IMAP, .name = "IMAP",
		.cmd = "AUTHENTICATE", .tagged = true,
		.cont = "+ ", .final_ok = "OK",
		.ir = IR_IF_ANNOUNCED,
		/* No limit of its own; RFC 7162 section 4 asks clients to
		 * keep lines to 8192 octets. */
		.max_line = 8192,
		.empty_ir = "=", .cancel = "*",
	},
};

static const struct sasl_proto *
sasl_proto_find(uint32_t id)
{
	for (size_t i = 0; i < sizeof(sasl_protos) / sizeof(sasl_protos[0]); i++)
		if (sasl_protos[i].id == id)
			return &sasl_protos[i];
	return NULL;
}

struct run {
	struct hk_authsess *s;
	const struct hk_auth_io *io;
	struct hk_auth_result *res;
	struct hk_auth_reply reply;
	struct hk_buf line;
	int side_open;
};

static enum hk_auth_status
finish(struct run *r, enum hk_auth_status st, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static enum hk_auth_status
finish(struct run *r, enum hk_auth_status st, const char *fmt, ...)
{
	va_list ap;
	struct hk_buf b = HK_BUF_INIT;

	r->res->status = st;
	if (fmt != NULL) {
		va_start(ap, fmt);
		hk_buf_vprintf(&b, fmt, ap);
		va_end(ap);
		free(r->res->message);
		r->res->message = hk_buf_steal(&b);
	}
	return st;
}

static enum hk_auth_status
rc_status(int rc)
{
	switch (rc) {
	case HK_AUTHMOD_DONE:
		return HK_AUTH_OK;
	case HK_AUTHMOD_FAIL_AUTH:
		return HK_AUTH_REJECTED;
	case HK_AUTHMOD_FAIL_PROTOCOL:
		return HK_AUTH_PROTOCOL;
	case HK_AUTHMOD_FAIL_CONFIG:
		return HK_AUTH_CONFIG;
	default:
		return HK_AUTH_INTERNAL;
	}
}

/* Sends r->line; its first log_len bytes may be logged. */
static int
send_line(struct run *r, enum hk_auth_conn conn, size_t log_len)
{
	int rc = r->io->send_line(r->io->ctx, conn, hk_buf_str(&r->line),
	    r->line.len, log_len);

	hk_wipe(r->line.data, r->line.len);
	hk_buf_reset(&r->line);
	return rc;
}

static int
read_reply(struct run *r, enum hk_auth_conn conn)
{
	hk_buf_reset(&r->reply.text);
	r->reply.kind = HK_REPLY_ERR;
	r->reply.code = 0;
	if (r->io->read_reply(r->io->ctx, conn, &r->reply) < 0)
		return -1;
	/* Keep the reply for the staged test, in its wire-like form. */
	hk_buf_reset(&r->res->last_reply);
	if (r->reply.code != 0)
		hk_buf_printf(&r->res->last_reply, "%d %s", r->reply.code,
		    hk_buf_str(&r->reply.text));
	else
		hk_buf_printf(&r->res->last_reply, "%s %s",
		    r->reply.kind == HK_REPLY_OK ? "+OK" :
		    r->reply.kind == HK_REPLY_CONT ? "+" : "-ERR",
		    hk_buf_str(&r->reply.text));
	return 0;
}

/* Base64 of a SASL response into r->line; empty_ir: what an empty
 * initial response is on the command line (NULL: not initial). */
static void
line_b64(struct run *r, const unsigned char *p, size_t n, const char *empty_ir)
{
	char *enc;

	if (n == 0) {
		if (empty_ir != NULL)
			hk_buf_puts(&r->line, empty_ir);
		return;
	}
	enc = hk_malloc(HK_B64_LEN(n) + 1);
	hk_b64_encode(p, n, enc);
	hk_buf_puts(&r->line, enc);
	hk_wipe(enc, HK_B64_LEN(n));
	free(enc);
}

/* Cancels a SASL exchange after the module gave up, and reads the
 * server's (negative) answer. */
static int
sasl_cancel(struct run *r, const struct sasl_proto *proto)
{
	hk_buf_puts(&r->line, proto->cancel);
	if (send_line(r, HK_CONN_MAIN, 1) < 0 || read_reply(r, HK_CONN_MAIN) < 0)
		return -1;
	return 0;
}

static enum hk_auth_status
run_sasl(struct run *r)
{
	const struct hk_authmod *mod = r->s->mod;
	const struct sasl_proto *proto = sasl_proto_find(r->s->sess.protocol);
	struct hk_authmod_action act;
	unsigned char *pending = NULL;	/* an initial response too long for AUTH */
	size_t pending_len = 0, cmd_len;
	int rc;
	bool answered = false;	/* the module answered a challenge */
	enum hk_auth_status st = HK_AUTH_INTERNAL;

	if (proto == NULL)
		return finish(r, HK_AUTH_CONFIG,
		    "%s: the driver speaks SASL over SMTP, POP3 and IMAP only",
		    mod->name);
	if (proto->tagged && (r->io->tag == NULL || *r->io->tag == '\0'))
		return finish(r, HK_AUTH_INTERNAL,
		    "%s: %s needs a command tag", mod->name, proto->name);
	rc = hk_authsess_step(r->s, HK_AUTHMOD_EV_START, 1, NULL, 0, &act);
	if (rc != HK_AUTHMOD_SEND && rc != HK_AUTHMOD_EXPECT)
		return finish(r, rc_status(rc), "%s: %s", mod->name,
		    act.message != NULL ? act.message : "did not start");

	if (proto->tagged)
		hk_buf_printf(&r->line, "%s ", r->io->tag);
	hk_buf_printf(&r->line, "%s %s", proto->cmd, mod->sasl_name);
	cmd_len = r->line.len;
	if (rc == HK_AUTHMOD_SEND) {
		if ((proto->ir == IR_IF_ANNOUNCED && !r->io->sasl_ir) ||
		    cmd_len + 1 + (act.len ? HK_B64_LEN(act.len) :
		    strlen(proto->empty_ir)) + 2 > proto->max_line) {
			/* Not allowed or too long on the command line (RFC
			 * 4954 section 4): send it after the server's empty
			 * challenge instead. */
			pending = hk_malloc(act.len + 1);
			memcpy(pending, act.data, act.len);
			pending_len = act.len;
		} else {
			hk_buf_putc(&r->line, ' ');
			line_b64(r, act.data, act.len, proto->empty_ir);
		}
	}
	if (send_line(r, HK_CONN_MAIN, cmd_len) < 0) {
		st = finish(r, HK_AUTH_IO, "the connection failed while sending %s",
		    proto->cmd);
		goto out;
	}

	for (;;) {
		if (read_reply(r, HK_CONN_MAIN) < 0) {
			st = finish(r, HK_AUTH_IO, "the connection failed during %s authentication",
			    mod->sasl_name);
			goto out;
		}
		if (r->reply.kind == HK_REPLY_ERR) {
			/* Let the module clean up; the server has spoken. */
			rc = hk_authsess_step(r->s, HK_AUTHMOD_EV_REPLY, 0,
			    r->reply.text.data, r->reply.text.len, &act);
			bool no_mech = proto->no_mech != 0 &&
			    r->reply.code == proto->no_mech;

			if (no_mech)
				st = finish(r, HK_AUTH_PROTOCOL,
				    "the server does not accept the %s mechanism: %s",
				    mod->sasl_name, hk_buf_str(&r->res->last_reply));
			else if (answered && rc == HK_AUTHMOD_FAIL_AUTH)
				/* The module's reading of the challenge it
				 * answered (an OAuth 2.0 error's status)
				 * says more than the final refusal. */
				st = finish(r, HK_AUTH_REJECTED,
				    "the server refused %s authentication: %s; %s",
				    mod->sasl_name,
				    hk_buf_str(&r->res->last_reply), act.message);
			else
				st = finish(r, HK_AUTH_REJECTED,
				    "the server refused %s authentication: %s",
				    mod->sasl_name, hk_buf_str(&r->res->last_reply));
			goto out;
		}
		if (r->reply.kind == HK_REPLY_OK) {
			rc = hk_authsess_step(r->s, HK_AUTHMOD_EV_REPLY, 1,
			    r->reply.text.data, r->reply.text.len, &act);
			if (rc == HK_AUTHMOD_DONE) {
				st = finish(r, HK_AUTH_OK, NULL);
				goto out;
			}
			/* E.g. SCRAM: the server said yes without proof.  The
			 * caller must not trust this connection. */
			st = finish(r, rc == HK_AUTHMOD_SEND ? HK_AUTH_INTERNAL :
			    rc_status(rc), "%s: %s", mod->name,
			    act.message != NULL ? act.message :
			    "wanted to go on after the server's final reply");
			goto out;
		}

		/* A continuation: decode the challenge. */
		size_t tl = r->reply.text.len;
		const char *t = hk_buf_str(&r->reply.text);
		unsigned char *chal;
		long chal_len;

		while (tl > 0 && (t[tl - 1] == ' ' || t[tl - 1] == '\t'))
			tl--;
		if (tl > HK_B64_LEN(CHALLENGE_MAX)) {
			st = finish(r, HK_AUTH_PROTOCOL,
			    "the server's %s challenge is longer than %d bytes",
			    mod->sasl_name, CHALLENGE_MAX);
			if (sasl_cancel(r, proto) < 0)
				st = finish(r, HK_AUTH_IO, NULL);
			goto out;
		}
		chal = hk_malloc(tl / 4 * 3 + 1);
		chal_len = hk_b64_decode(t, tl, chal);
		if (chal_len < 0) {
			free(chal);
			st = finish(r, HK_AUTH_PROTOCOL,
			    "the server's %s challenge is not valid base64",
			    mod->sasl_name);
			if (sasl_cancel(r, proto) < 0)
				st = finish(r, HK_AUTH_IO, NULL);
			goto out;
		}
		if (pending != NULL) {
			/* The empty challenge that asks for the initial
			 * response we could not fit on the AUTH line. */
			free(chal);
			if (chal_len != 0) {
				st = finish(r, HK_AUTH_PROTOCOL,
				    "the server sent a non-empty challenge where %s expects an empty one",
				    mod->sasl_name);
				if (sasl_cancel(r, proto) < 0)
					st = finish(r, HK_AUTH_IO, NULL);
				goto out;
			}
			line_b64(r, pending, pending_len, NULL);
			hk_wipe(pending, pending_len);
			free(pending);
			pending = NULL;
		} else {
			rc = hk_authsess_step(r->s, HK_AUTHMOD_EV_CHALLENGE, 1,
			    chal, (size_t)chal_len, &act);
			hk_wipe(chal, (size_t)chal_len);
			free(chal);
			if (rc != HK_AUTHMOD_SEND) {
				st = finish(r, rc == HK_AUTHMOD_DONE ?
				    HK_AUTH_INTERNAL : rc_status(rc), "%s: %s",
				    mod->name, act.message != NULL ?
				    act.message : "ended before the server did");
				if (sasl_cancel(r, proto) < 0)
					st = finish(r, HK_AUTH_IO, NULL);
				goto out;
			}
			line_b64(r, act.data, act.len, NULL);
			answered = true;
		}
		if (send_line(r, HK_CONN_MAIN, 0) < 0) {
			st = finish(r, HK_AUTH_IO,
			    "the connection failed during %s authentication",
			    mod->sasl_name);
			goto out;
		}
	}
out:
	if (pending != NULL) {
		hk_wipe(pending, pending_len);
		free(pending);
	}
	return st;
}

/* POP3 logins (APOP) and pre-send actions: one command line per SEND. */
static enum hk_auth_status
run_lines(struct run *r, const char *greeting)
{
	const struct hk_authmod *mod = r->s->mod;
	enum hk_auth_conn conn = mod->kind == HK_AUTHMOD_KIND_PRESEND ?
	    HK_CONN_SIDE : HK_CONN_MAIN;
	struct hk_authmod_action act;
	enum hk_authmod_event ev = HK_AUTHMOD_EV_START;
	const char *data = mod->kind == HK_AUTHMOD_KIND_POP3 && greeting != NULL
	    ? greeting : "";
	size_t len = strlen(data);
	int ok = 1, rc;

	for (;;) {
		rc = hk_authsess_step(r->s, ev, ok, data, len, &act);
		switch (rc) {
		case HK_AUTHMOD_SEND:
			if (conn == HK_CONN_SIDE && !r->side_open)
				return finish(r, HK_AUTH_INTERNAL,
				    "%s: wanted to send before opening its connection",
				    mod->name);
			if (act.len + 2 > POP3_CMD_MAX)
				return finish(r, HK_AUTH_INTERNAL,
				    "%s: its command line is too long", mod->name);
			hk_buf_append(&r->line, act.data, act.len);
			if (send_line(r, conn, act.log_len) < 0 ||
			    read_reply(r, conn) < 0)
				return finish(r, HK_AUTH_IO,
				    "the POP3 connection failed during %s",
				    mod->name);
			if (r->reply.kind == HK_REPLY_CONT)
				return finish(r, HK_AUTH_PROTOCOL,
				    "the POP3 server sent a continuation where +OK or -ERR belongs");
			ev = HK_AUTHMOD_EV_REPLY;
			ok = r->reply.kind == HK_REPLY_OK;
			data = hk_buf_str(&r->reply.text);
			len = r->reply.text.len;
			break;
		case HK_AUTHMOD_POP3_OPEN:
			if (r->side_open || r->io->side_open == NULL)
				return finish(r, HK_AUTH_INTERNAL,
				    "%s: cannot open a POP3 connection here",
				    mod->name);
			hk_buf_reset(&r->reply.text);
			r->reply.kind = HK_REPLY_ERR;
			r->reply.code = 0;
			if (r->io->side_open(r->io->ctx, &r->reply) < 0)
				return finish(r, HK_AUTH_IO,
				    "%s: could not connect to the POP3 server",
				    mod->name);
			r->side_open = 1;
			hk_buf_reset(&r->res->last_reply);
			hk_buf_printf(&r->res->last_reply, "%s %s",
			    r->reply.kind == HK_REPLY_OK ? "+OK" : "-ERR",
			    hk_buf_str(&r->reply.text));
			ev = HK_AUTHMOD_EV_OPENED;
			ok = r->reply.kind == HK_REPLY_OK;
			data = hk_buf_str(&r->reply.text);
			len = r->reply.text.len;
			break;
		case HK_AUTHMOD_POP3_CLOSE:
			if (!r->side_open || r->io->side_close == NULL)
				return finish(r, HK_AUTH_INTERNAL,
				    "%s: closed a connection it had not opened",
				    mod->name);
			r->io->side_close(r->io->ctx);
			r->side_open = 0;
			ev = HK_AUTHMOD_EV_CLOSED;
			ok = 1;
			data = "";
			len = 0;
			break;
		case HK_AUTHMOD_WAIT:
			if (act.seconds > 0) {
				if (r->io->sleep != NULL)
					r->io->sleep(r->io->ctx, act.seconds);
				else
					sleep(act.seconds);
			}
			ev = HK_AUTHMOD_EV_WAITED;
			ok = 1;
			data = "";
			len = 0;
			break;
		case HK_AUTHMOD_DONE:
			return finish(r, HK_AUTH_OK, NULL);
		default:
			return finish(r, rc_status(rc), "%s: %s", mod->name,
			    act.message);
		}
	}
}

enum hk_auth_status
hk_auth_run(const struct hk_authsess_params *p, const char *greeting,
    const struct hk_auth_io *io, struct hk_auth_result *res)
{
	struct run r;
	enum hk_auth_status st;

	memset(&r, 0, sizeof(r));
	/* Command lines carry credentials (AUTH PLAIN's initial response). */
	hk_buf_init(&r.line, 0, HK_BUF_SECRET);
	r.io = io;
	r.res = res;
	res->status = HK_AUTH_INTERNAL;
	r.s = hk_authsess_new(p);
	if (!(p->mod->protocols & r.s->sess.protocol))
		st = finish(&r, HK_AUTH_CONFIG,
		    "%s: this method does not serve that protocol",
		    p->mod->name);
	else if (p->mod->kind == HK_AUTHMOD_KIND_SASL)
		st = run_sasl(&r);
	else
		st = run_lines(&r, greeting);
	if (r.side_open && io->side_close != NULL)
		io->side_close(io->ctx);
	hk_authsess_free(&r.s);
	hk_buf_wipe_free(&r.line);
	hk_buf_wipe_free(&r.reply.text);
	return st;
}

int
hk_auth_reply_parse(uint32_t protocol, const char *tag, const char *line,
    struct hk_auth_reply *r)
{
	const struct sasl_proto *proto = sasl_proto_find(protocol);
	size_t cl, fl;

	if (proto == NULL || proto->coded)
		return -1;
	hk_buf_reset(&r->text);
	r->code = 0;
	cl = strlen(proto->cont);
	/* A continuation; a bare "+" is one with an empty challenge. */
	if (strncmp(line, proto->cont, cl) == 0 ||
	    (strncmp(line, proto->cont, cl - 1) == 0 && line[cl - 1] == '\0')) {
		r->kind = HK_REPLY_CONT;
		hk_buf_puts(&r->text, line[cl - 1] == '\0' ? "" : line + cl);
		return 0;
	}
	if (proto->tagged) {
		size_t tl = strlen(tag != NULL ? tag : "");

		if (tl == 0 || strncmp(line, tag, tl) != 0 || line[tl] != ' ')
			return 1;	/* untagged: not the reply yet */
		line += tl + 1;
	}
	fl = strlen(proto->final_ok);
	r->kind = strncmp(line, proto->final_ok, fl) == 0 &&
	    (line[fl] == ' ' || line[fl] == '\0') ? HK_REPLY_OK : HK_REPLY_ERR;
	line += strcspn(line, " ");
	hk_buf_puts(&r->text, *line == ' ' ? line + 1 : line);
	return 0;
}

void
hk_auth_result_clear(struct hk_auth_result *res)
{
	free(res->message);
	res->message = NULL;
	hk_buf_free(&res->last_reply);
	res->status = HK_AUTH_OK;
}
