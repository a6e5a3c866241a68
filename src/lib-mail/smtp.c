/* smtp.c - the SMTP client: replies, EHLO, STARTTLS, AUTH, envelope, DATA. */
#include "config.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "mem.h"
#include "smtp.h"

void
hk_smtp_reply_free(struct hk_smtp_reply *r)
{
	hk_buf_free(&r->text);
	r->code = 0;
	r->lines = 0;
}

void
hk_smtp_reply_format(const struct hk_smtp_reply *r, struct hk_buf *out)
{
	const char *t = hk_buf_str(&r->text), *nl;

	if (r->code == 0)
		return;
	for (;;) {
		nl = strchr(t, '\n');
		hk_buf_printf(out, "%d", r->code);
		if (nl != NULL ? nl > t : *t != '\0')
			hk_buf_printf(out, " %.*s", (int)(nl ? nl - t : (long)strlen(t)), t);
		if (nl == NULL)
			break;
		hk_buf_puts(out, " / ");
		t = nl + 1;
	}
}

int
hk_smtp_parse_line(const char *line, size_t len, int *code, bool *more,
    size_t *text_off)
{
	if (len < 3 || line[0] < '2' || line[0] > '5' ||
	    line[1] < '0' || line[1] > '9' || line[2] < '0' || line[2] > '9')
		return -1;
	*code = (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
	if (len == 3) {
		*more = false;
		*text_off = 3;
		return 0;
	}
	if (line[3] != ' ' && line[3] != '-')
		return -1;
	*more = line[3] == '-';
	*text_off = 4;
	return 0;
}

enum hk_net_rc
hk_smtp_read_reply(struct hk_conn *c, struct hk_smtp_reply *r)
{
	struct hk_buf line = HK_BUF_INIT;
	enum hk_net_rc rc;
	int code;
	bool more = true;
	size_t off;

	hk_buf_reset(&r->text);
	r->code = 0;
	r->lines = 0;
	while (more) {
		if ((rc = hk_conn_read_line(c, &line, HK_SMTP_LINE_MAX)) != HK_NET_OK)
			goto out;
		if (hk_smtp_parse_line(line.data, line.len, &code, &more,
		    &off) < 0) {
			rc = hk_conn_fail(c, HK_NET_PROTOCOL,
			    "not an SMTP reply: \"%.80s\"", hk_buf_str(&line));
			goto out;
		}
		if (r->lines > 0 && code != r->code) {
			rc = hk_conn_fail(c, HK_NET_PROTOCOL,
			    "an SMTP reply changed its code from %d to %d",
			    r->code, code);
			goto out;
		}
		if (++r->lines > HK_SMTP_REPLY_LINES_MAX) {
			rc = hk_conn_fail(c, HK_NET_TOO_LONG,
			    "an SMTP reply of more than %d lines",
			    HK_SMTP_REPLY_LINES_MAX);
			goto out;
		}
		r->code = code;
		if (r->lines > 1)
			hk_buf_putc(&r->text, '\n');
		hk_buf_append(&r->text, line.data + off, line.len - off);
	}
	rc = HK_NET_OK;
out:
	hk_buf_free(&line);
	if (rc != HK_NET_OK)
		r->code = 0;
	return rc;
}

enum hk_net_rc
hk_smtp_command(struct hk_conn *c, struct hk_smtp_reply *r, const char *line,
    size_t log_len)
{
	enum hk_net_rc rc = hk_conn_send_line(c, line, strlen(line), log_len);

	if (rc != HK_NET_OK) {
		r->code = 0;
		return rc;
	}
	return hk_smtp_read_reply(c, r);
}

/* Does the space-separated list hold word (case-insensitive)? */
static bool
list_has(const char *list, const char *word)
{
	size_t wl = strlen(word);

	while (*list != '\0') {
		size_t n;

		while (*list == ' ')
			list++;
		n = strcspn(list, " ");
		if (n == wl && n > 0 && strncasecmp(list, word, n) == 0)
			return true;
		list += n;
	}
	return false;
}

static void
add_mechs(struct hk_smtp_caps *caps, const char *p, size_t n)
{
	while (n > 0) {
		size_t w, used = strlen(caps->auth_mechs);

		while (n > 0 && (*p == ' ' || *p == '\t')) {
			p++;
			n--;
		}
		for (w = 0; w < n && p[w] != ' ' && p[w] != '\t'; w++)
			;
		if (w == 0)
			break;
		/* A mechanism name is 1-20 of [A-Z0-9-_] (RFC 4422). */
		bool good = w <= 20;
		for (size_t i = 0; good && i < w; i++)
			good = isalnum((unsigned char)p[i]) || p[i] == '-' ||
			    p[i] == '_';
		if (good && used + w + 2 < sizeof(caps->auth_mechs)) {
			char m[21];

			for (size_t i = 0; i < w; i++)
				m[i] = (char)toupper((unsigned char)p[i]);
			m[w] = '\0';
			if (!list_has(caps->auth_mechs, m)) {
				if (used > 0)
					caps->auth_mechs[used++] = ' ';
				memcpy(caps->auth_mechs + used, m, w + 1);
			}
		}
		p += w;
		n -= w;
	}
}

void
hk_smtp_caps_parse(struct hk_smtp_caps *caps, const char *text)
{
	const char *line = strchr(text, '\n');

	/* The first line is the server's name and greeting. */
	while (line != NULL) {
		const char *kw = line + 1, *end = strchr(kw, '\n');
		size_t len = end != NULL ? (size_t)(end - kw) : strlen(kw);
		size_t kl = strcspn(kw, " =\n");

		if (kl > len)
			kl = len;
		if (kl == 8 && strncasecmp(kw, "STARTTLS", 8) == 0)
			caps->starttls = true;
		else if (kl == 8 && strncasecmp(kw, "8BITMIME", 8) == 0)
			caps->eightbitmime = true;
		else if (kl == 10 && strncasecmp(kw, "PIPELINING", 10) == 0)
			caps->pipelining = true;
		else if (kl == 4 && strncasecmp(kw, "AUTH", 4) == 0) {
			caps->auth = true;
			if (kl < len)
				add_mechs(caps, kw + kl + 1, len - kl - 1);
		} else if (kl == 4 && strncasecmp(kw, "SIZE", 4) == 0) {
			unsigned long long v = 0;
			size_t i = kl;
			bool digits = false;

			caps->size = true;
			while (i < len && kw[i] == ' ')
				i++;
			for (; i < len && isdigit((unsigned char)kw[i]); i++) {
				digits = true;
				if (v > (~0ULL - 9) / 10) {
					digits = false;	/* absurd: treat as none */
					break;
				}
				v = v * 10 + (unsigned)(kw[i] - '0');
			}
			caps->size_max = digits && i == len ? v : 0;
		}
		line = end;
	}
}

bool
hk_smtp_caps_has_auth(const struct hk_smtp_caps *caps, const char *mech)
{
	return caps->auth && list_has(caps->auth_mechs, mech);
}

void
hk_smtp_helo_name(const struct hk_conn *c, char *out, size_t outlen)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	char a[64];

	if (c->fd < 0 || getsockname(c->fd, (struct sockaddr *)&ss, &sl) < 0) {
		snprintf(out, outlen, "[127.0.0.1]");
		return;
	}
	hk_net_addr_str((struct sockaddr *)&ss, a, sizeof(a));
	snprintf(out, outlen, ss.ss_family == AF_INET6 ? "[IPv6:%s]" : "[%s]", a);
}

enum hk_net_rc
hk_smtp_hello(struct hk_conn *c, struct hk_smtp_reply *r,
    struct hk_smtp_caps *caps)
{
	char name[80], *line;
	enum hk_net_rc rc;

	memset(caps, 0, sizeof(*caps));
	hk_smtp_helo_name(c, name, sizeof(name));
	line = hk_aprintf("EHLO %s", name);
	rc = hk_smtp_command(c, r, line, strlen(line));
	free(line);
	if (rc != HK_NET_OK)
		return rc;
	if (r->code == 250) {
		caps->ehlo = true;
		hk_smtp_caps_parse(caps, hk_buf_str(&r->text));
		return rc;
	}
	if (r->code < 500)
		return rc;
	line = hk_aprintf("HELO %s", name);
	rc = hk_smtp_command(c, r, line, strlen(line));
	free(line);
	return rc;
}

enum hk_net_rc
hk_smtp_starttls(struct hk_conn *c, struct hk_smtp_reply *r,
    const struct hk_smtp_caps *caps, const char *host, bool verify,
    struct hk_tls_info *info)
{
	enum hk_net_rc rc;

	r->code = 0;
	hk_buf_reset(&r->text);
	if (!caps->starttls)
		return hk_conn_fail(c, HK_NET_PROTOCOL,
		    "the server does not offer STARTTLS");
	if ((rc = hk_smtp_command(c, r, "STARTTLS", 8)) != HK_NET_OK)
		return rc;
	if (r->code != 220)
		return hk_conn_fail(c, HK_NET_PROTOCOL,
		    "the server refused STARTTLS: %d %.200s", r->code,
		    hk_buf_str(&r->text));
	return hk_tls_start(c, host, verify, info);
}

/* ---- AUTH through the module driver --------------------------------- */

static int
io_send(void *ctx, enum hk_auth_conn conn, const char *line, size_t len,
    size_t log_len)
{
	struct hk_conn *c = ctx;

	if (conn != HK_CONN_MAIN)
		return -1;
	return hk_conn_send_line(c, line, len, log_len) == HK_NET_OK ? 0 : -1;
}

static int
io_read(void *ctx, enum hk_auth_conn conn, struct hk_auth_reply *out)
{
	struct hk_conn *c = ctx;
	struct hk_smtp_reply r = HK_SMTP_REPLY_INIT;
	int ret = -1;

	if (conn != HK_CONN_MAIN)
		return -1;
	if (hk_smtp_read_reply(c, &r) == HK_NET_OK) {
		out->code = r.code;
		out->kind = r.code == 334 ? HK_REPLY_CONT :
		    r.code < 400 ? HK_REPLY_OK : HK_REPLY_ERR;
		hk_buf_append(&out->text, r.text.data, r.text.len);
		ret = 0;
	}
	hk_buf_wipe_free(&r.text);
	return ret;
}

enum hk_auth_status
hk_smtp_auth(struct hk_conn *c, const struct hk_authsess_params *p,
    struct hk_auth_result *res)
{
	struct hk_authsess_params q = *p;
	struct hk_auth_io io = {
		.ctx = c,
		.send_line = io_send,
		.read_reply = io_read,
	};

	q.protocol = HK_AUTHMOD_PROTO_SMTP;
	return hk_auth_run(&q, NULL, &io, res);
}

/* ---- the envelope ---------------------------------------------------- */

static bool
address_ok(const char *a)
{
	return a != NULL && strlen(a) <= 512 && strpbrk(a, "\r\n<>") == NULL;
}

enum hk_net_rc
hk_smtp_mail(struct hk_conn *c, struct hk_smtp_reply *r, const char *from,
    unsigned long long size)
{
	char *line;
	enum hk_net_rc rc;

	if (!address_ok(from))
		return hk_conn_fail(c, HK_NET_PROTOCOL, "unusable sender address");
	line = size > 0 ? hk_aprintf("MAIL FROM:<%s> SIZE=%llu", from, size) :
	    hk_aprintf("MAIL FROM:<%s>", from);
	rc = hk_smtp_command(c, r, line, strlen(line));
	free(line);
	return rc;
}

enum hk_net_rc
hk_smtp_rcpt(struct hk_conn *c, struct hk_smtp_reply *r, const char *to)
{
	char *line;
	enum hk_net_rc rc;

	if (!address_ok(to) || *to == '\0')
		return hk_conn_fail(c, HK_NET_PROTOCOL, "unusable recipient address");
	line = hk_aprintf("RCPT TO:<%s>", to);
	rc = hk_smtp_command(c, r, line, strlen(line));
	free(line);
	return rc;
}

enum hk_net_rc
hk_smtp_rset(struct hk_conn *c, struct hk_smtp_reply *r)
{
	return hk_smtp_command(c, r, "RSET", 4);
}

void
hk_smtp_quit(struct hk_conn *c)
{
	struct hk_smtp_reply r = HK_SMTP_REPLY_INIT;

	if (c->fd < 0)
		return;
	/* Do not wait long for a polite goodbye. */
	if (c->to.io_ms > 2000)
		c->to.io_ms = 2000;
	(void)hk_smtp_command(c, &r, "QUIT", 4);
	hk_smtp_reply_free(&r);
}

enum hk_net_rc
hk_smtp_data(struct hk_conn *c, struct hk_smtp_reply *r,
    long (*read)(void *ctx, char *buf, size_t len), void *ctx)
{
	struct hk_buf out = HK_BUF_INIT;
	char in[8192];
	bool bol = true, cr = false;
	enum hk_net_rc rc;
	long n;

	if ((rc = hk_smtp_command(c, r, "DATA", 4)) != HK_NET_OK)
		return rc;
	if (r->code != 354)
		return HK_NET_OK;
	while ((n = read(ctx, in, sizeof(in))) > 0) {
		hk_buf_reset(&out);
		for (long i = 0; i < n; i++) {
			char ch = in[i];

			if (ch == '\n') {
				if (!cr)
					hk_buf_putc(&out, '\r');
				hk_buf_putc(&out, '\n');
				bol = true;
				cr = false;
				continue;
			}
			if (cr) {	/* a bare CR: make it a line end */
				hk_buf_putc(&out, '\n');
				bol = true;
			}
			if (bol && ch == '.')
				hk_buf_putc(&out, '.');
			cr = ch == '\r';
			hk_buf_putc(&out, ch);
			bol = false;
		}
		if ((rc = hk_conn_write(c, out.data, out.len)) != HK_NET_OK)
			goto out;
	}
	if (n < 0) {
		rc = hk_conn_fail(c, HK_NET_IO, "reading the message failed");
		goto out;
	}
	hk_buf_reset(&out);
	if (cr)
		hk_buf_putc(&out, '\n');
	else if (!bol)
		hk_buf_puts(&out, "\r\n");
	hk_buf_puts(&out, ".\r\n");
	if ((rc = hk_conn_write(c, out.data, out.len)) != HK_NET_OK)
		goto out;
	rc = hk_smtp_read_reply(c, r);
out:
	hk_buf_free(&out);
	return rc;
}
