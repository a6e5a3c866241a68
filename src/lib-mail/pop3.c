/* pop3.c - the POP3 client and the POP-before-SMTP side connection. */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "mem.h"
#include "pop3.h"

void
hk_pop3_reply_free(struct hk_pop3_reply *r)
{
	hk_buf_free(&r->text);
	r->ok = false;
}

void
hk_pop3_reply_format(const struct hk_pop3_reply *r, struct hk_buf *out)
{
	hk_buf_puts(out, r->ok ? "+OK" : "-ERR");
	if (r->text.len > 0)
		hk_buf_printf(out, " %s", hk_buf_str(&r->text));
}

int
hk_pop3_parse_status(const char *line, size_t len, bool *ok, size_t *text_off)
{
	size_t n;

	if (len >= 3 && memcmp(line, "+OK", 3) == 0) {
		*ok = true;
		n = 3;
	} else if (len >= 4 && memcmp(line, "-ERR", 4) == 0) {
		*ok = false;
		n = 4;
	} else
		return -1;
	if (len > n && line[n] != ' ')
		return -1;
	*text_off = len > n ? n + 1 : n;
	return 0;
}

bool
hk_pop3_timestamp(const char *greeting, const char **ts, size_t *ts_len)
{
	const char *lt = strchr(greeting, '<'), *gt;
	bool at = false;

	if (lt == NULL || (gt = strchr(lt, '>')) == NULL)
		return false;
	for (const char *p = lt + 1; p < gt; p++) {
		if (*p <= ' ' || *p > '~' || *p == '<')
			return false;
		if (*p == '@')
			at = true;
	}
	if (!at || gt - lt < 4)
		return false;
	*ts = lt;
	*ts_len = (size_t)(gt - lt) + 1;
	return true;
}

int
hk_pop3_unstuff(const char *line, size_t len, const char **out,
    size_t *out_len)
{
	if (len == 1 && line[0] == '.')
		return 1;
	if (len > 0 && line[0] == '.') {
		*out = line + 1;
		*out_len = len - 1;
	} else {
		*out = line;
		*out_len = len;
	}
	return 0;
}

enum hk_net_rc
hk_pop3_read_status(struct hk_conn *c, struct hk_pop3_reply *r)
{
	struct hk_buf line = HK_BUF_INIT;
	enum hk_net_rc rc;
	size_t off;

	hk_buf_reset(&r->text);
	r->ok = false;
	rc = hk_conn_read_line(c, &line, HK_POP3_LINE_MAX);
	if (rc == HK_NET_OK) {
		if (hk_pop3_parse_status(line.data, line.len, &r->ok, &off) < 0)
			rc = hk_conn_fail(c, HK_NET_PROTOCOL,
			    "not a POP3 reply: \"%.80s\"", hk_buf_str(&line));
		else
			hk_buf_append(&r->text, line.data + off, line.len - off);
	}
	hk_buf_free(&line);
	return rc;
}

enum hk_net_rc
hk_pop3_command(struct hk_conn *c, struct hk_pop3_reply *r, const char *line,
    size_t log_len)
{
	enum hk_net_rc rc = hk_conn_send_line(c, line, strlen(line), log_len);

	if (rc != HK_NET_OK)
		return rc;
	return hk_pop3_read_status(c, r);
}

enum hk_net_rc
hk_pop3_read_body(struct hk_conn *c,
    int (*line_fn)(void *ctx, const char *line, size_t len), void *ctx,
    size_t max_lines, unsigned long long max_bytes)
{
	struct hk_buf line = HK_BUF_INIT;
	unsigned long long bytes = 0;
	size_t lines = 0;
	enum hk_net_rc rc;
	const char *p;
	size_t n;

	for (;;) {
		if ((rc = hk_conn_read_line(c, &line, HK_POP3_LINE_MAX)) != HK_NET_OK)
			break;
		if (hk_pop3_unstuff(line.data ? line.data : "", line.len, &p,
		    &n) == 1)
			break;
		bytes += n + 2;
		if (++lines > max_lines || (max_bytes > 0 && bytes > max_bytes)) {
			rc = hk_conn_fail(c, HK_NET_TOO_LONG,
			    "a POP3 answer longer than allowed (%zu lines, %llu bytes)",
			    lines, bytes);
			break;
		}
		if (line_fn != NULL && line_fn(ctx, p, n) < 0) {
			rc = hk_conn_fail(c, HK_NET_PROTOCOL,
			    "a POP3 answer line was refused: \"%.80s\"", p);
			break;
		}
	}
	hk_buf_free(&line);
	return rc;
}

enum hk_net_rc
hk_pop3_greeting(struct hk_conn *c, struct hk_pop3_reply *r,
    struct hk_pop3_caps *caps)
{
	const char *ts;
	size_t tl;
	enum hk_net_rc rc = hk_pop3_read_status(c, r);

	if (rc == HK_NET_OK)
		caps->apop = hk_pop3_timestamp(hk_buf_str(&r->text), &ts, &tl);
	return rc;
}

static int
capa_line(void *ctx, const char *line, size_t len)
{
	struct hk_pop3_caps *caps = ctx;
	size_t kl = strcspn(line, " ");

	if (kl > len)
		kl = len;
	if (kl == 4 && strncasecmp(line, "STLS", 4) == 0)
		caps->stls = true;
	else if (kl == 4 && strncasecmp(line, "USER", 4) == 0)
		caps->user = true;
	else if (kl == 4 && strncasecmp(line, "UIDL", 4) == 0)
		caps->uidl = true;
	else if (kl == 3 && strncasecmp(line, "TOP", 3) == 0)
		caps->top = true;
	else if (kl == 10 && strncasecmp(line, "PIPELINING", 10) == 0)
		caps->pipelining = true;
	else if (kl == 4 && strncasecmp(line, "SASL", 4) == 0 && len > 5)
		snprintf(caps->sasl, sizeof(caps->sasl), "%.*s",
		    (int)(len - 5), line + 5);
	return 0;
}

bool
hk_pop3_caps_has_sasl(const struct hk_pop3_caps *caps, const char *mech)
{
	size_t ml = strlen(mech);

	for (const char *l = caps->sasl; *l != '\0';) {
		size_t n = strcspn(l, " ");

		if (n == ml && strncasecmp(l, mech, ml) == 0)
			return true;
		l += n;
		while (*l == ' ')
			l++;
	}
	return false;
}

enum hk_net_rc
hk_pop3_capa(struct hk_conn *c, struct hk_pop3_reply *r,
    struct hk_pop3_caps *caps)
{
	enum hk_net_rc rc;
	bool apop = caps->apop;

	memset(caps, 0, sizeof(*caps));
	caps->apop = apop;
	if ((rc = hk_pop3_command(c, r, "CAPA", 4)) != HK_NET_OK || !r->ok)
		return rc;
	caps->capa = true;
	return hk_pop3_read_body(c, capa_line, caps, 1000, 0);
}

enum hk_net_rc
hk_pop3_stls(struct hk_conn *c, struct hk_pop3_reply *r, const char *host,
    bool verify, struct hk_tls_info *info)
{
	enum hk_net_rc rc;

	if ((rc = hk_pop3_command(c, r, "STLS", 4)) != HK_NET_OK)
		return rc;
	if (!r->ok)
		return hk_conn_fail(c, HK_NET_PROTOCOL,
		    "the server refused STLS: -ERR %.200s", hk_buf_str(&r->text));
	return hk_tls_start(c, host, verify, info);
}

/* A POP3 argument must be 1-255 bytes without CR, LF, NUL (and for user
 * names, without spaces). */
bool
hk_pop3_arg_ok(const char *s, bool spaces)
{
	size_t n = s != NULL ? strlen(s) : 0;

	if (n == 0 || n > 255)
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f ||
		    (!spaces && s[i] == ' '))
			return false;
	return true;
}

enum hk_net_rc
hk_pop3_login(struct hk_conn *c, struct hk_pop3_reply *r, const char *user,
    const char *password)
{
	char *line;
	enum hk_net_rc rc;

	if (!hk_pop3_arg_ok(user, false) || !hk_pop3_arg_ok(password, true))
		return hk_conn_fail(c, HK_NET_PROTOCOL,
		    "the user name or password cannot be sent over POP3");
	line = hk_aprintf("USER %s", user);
	rc = hk_pop3_command(c, r, line, strlen(line));
	free(line);
	if (rc != HK_NET_OK || !r->ok)
		return rc;
	line = hk_aprintf("PASS %s", password);
	rc = hk_pop3_command(c, r, line, 5);
	hk_free_secret(line);
	return rc;
}

/* ---- modules: APOP on the main connection, pre-send on a side one ---- */

struct pop3_io {
	struct hk_conn *main;
	struct hk_conn side;
	bool side_init;
	const struct hk_endpoint *ep;
	const struct hk_net_timeouts *to;
	hk_pop3_side_open_fn open_side;
};

static int
io_send(void *ctx, enum hk_auth_conn conn, const char *line, size_t len,
    size_t log_len)
{
	struct pop3_io *io = ctx;
	struct hk_conn *c = conn == HK_CONN_SIDE ? &io->side : io->main;

	if (c == NULL || c->fd < 0)
		return -1;
	return hk_conn_send_line(c, line, len, log_len) == HK_NET_OK ? 0 : -1;
}

/* One reply, read as the driver's POP3 row says: "+OK", "-ERR", or a
 * SASL continuation "+ " (RFC 5034). */
static int
io_read(void *ctx, enum hk_auth_conn conn, struct hk_auth_reply *out)
{
	struct pop3_io *io = ctx;
	struct hk_conn *c = conn == HK_CONN_SIDE ? &io->side : io->main;
	struct hk_buf line = HK_BUF_INIT;
	const char *l;
	int ret = -1;

	if (c == NULL || c->fd < 0)
		return -1;
	if (hk_conn_read_line(c, &line, HK_POP3_LINE_MAX) == HK_NET_OK) {
		l = hk_buf_str(&line);
		if (hk_auth_reply_parse(HK_AUTHMOD_PROTO_POP3, NULL, l, out) == 0 &&
		    (out->kind != HK_REPLY_ERR || (strncmp(l, "-ERR", 4) == 0 &&
		    (l[4] == ' ' || l[4] == '\0'))))
			ret = 0;
		else
			(void)hk_conn_fail(c, HK_NET_PROTOCOL,
			    "not a POP3 reply: \"%.80s\"", l);
	}
	hk_buf_wipe_free(&line);
	return ret;
}

static int
io_side_open(void *ctx, struct hk_auth_reply *greeting)
{
	struct pop3_io *io = ctx;
	struct hk_pop3_reply r = HK_POP3_REPLY_INIT;
	int rc;

	if (io->side_init)
		hk_conn_free(&io->side);
	hk_conn_init(&io->side, io->to);
	io->side_init = true;
	rc = io->open_side(&io->side, io->ep, &r);
	if (rc == 0) {
		greeting->kind = r.ok ? HK_REPLY_OK : HK_REPLY_ERR;
		hk_buf_append(&greeting->text, r.text.data, r.text.len);
	}
	hk_pop3_reply_free(&r);
	return rc == 0 ? 0 : -1;
}

static void
io_side_close(void *ctx)
{
	struct pop3_io *io = ctx;
	struct hk_pop3_reply r = HK_POP3_REPLY_INIT;

	if (io->side.fd >= 0)
		(void)hk_pop3_quit(&io->side, &r);
	hk_pop3_reply_free(&r);
	hk_conn_close(&io->side);
}

enum hk_auth_status
hk_pop3_auth(struct hk_conn *c, const struct hk_authsess_params *p,
    const char *greeting, struct hk_auth_result *res)
{
	struct pop3_io pio = { .main = c };
	struct hk_authsess_params q = *p;
	struct hk_auth_io io = {
		.ctx = &pio,
		.send_line = io_send,
		.read_reply = io_read,
	};

	q.protocol = HK_AUTHMOD_PROTO_POP3;
	return hk_auth_run(&q, greeting, &io, res);
}

enum hk_auth_status
hk_pop3_presend(const struct hk_authsess_params *p,
    const struct hk_endpoint *ep, const struct hk_net_timeouts *to,
    hk_pop3_side_open_fn open_side, struct hk_auth_result *res)
{
	struct pop3_io pio = { .main = NULL, .ep = ep, .to = to,
	    .open_side = open_side };
	struct hk_auth_io io = {
		.ctx = &pio,
		.send_line = io_send,
		.read_reply = io_read,
		.side_open = io_side_open,
		.side_close = io_side_close,
	};
	enum hk_auth_status st;

	st = hk_auth_run(p, NULL, &io, res);
	if (pio.side_init) {
		if (st != HK_AUTH_OK && pio.side.err.len > 0 &&
		    res->message != NULL) {
			/* Say what went wrong on the wire, too. */
			char *m = hk_aprintf("%s (%s)", res->message,
			    hk_buf_str(&pio.side.err));

			free(res->message);
			res->message = m;
		}
		hk_conn_free(&pio.side);
	}
	return st;
}

/* ---- mailbox commands ------------------------------------------------ */

static bool
parse_ulong(const char **p, unsigned long long *v)
{
	const char *s = *p;
	unsigned long long x = 0;

	if (!isdigit((unsigned char)*s))
		return false;
	for (; isdigit((unsigned char)*s); s++) {
		if (x > (~0ULL - 9) / 10)
			return false;
		x = x * 10 + (unsigned)(*s - '0');
	}
	*v = x;
	*p = s;
	return true;
}

enum hk_net_rc
hk_pop3_stat(struct hk_conn *c, struct hk_pop3_reply *r, unsigned long *count,
    unsigned long long *size)
{
	unsigned long long n, sz;
	const char *p;
	enum hk_net_rc rc = hk_pop3_command(c, r, "STAT", 4);

	if (rc != HK_NET_OK || !r->ok)
		return rc;
	p = hk_buf_str(&r->text);
	if (!parse_ulong(&p, &n) || *p++ != ' ' || !parse_ulong(&p, &sz) ||
	    n > 0xffffffffUL)
		return hk_conn_fail(c, HK_NET_PROTOCOL, "a malformed STAT answer");
	*count = (unsigned long)n;
	*size = sz;
	return HK_NET_OK;
}

struct list_ctx {
	int (*fn)(void *, unsigned long, unsigned long long);
	int (*ufn)(void *, unsigned long, const char *);
	void *ctx;
};

static int
list_line(void *ctx, const char *line, size_t len)
{
	struct list_ctx *lc = ctx;
	unsigned long long n, sz;
	const char *p = line;

	if (!parse_ulong(&p, &n) || *p++ != ' ' || n == 0 || n > 0xffffffffUL)
		return -1;
	if (lc->fn != NULL) {
		if (!parse_ulong(&p, &sz) || (*p != '\0' && *p != ' '))
			return -1;
		return lc->fn(lc->ctx, (unsigned long)n, sz);
	}
	/* UIDL: 1-70 characters 0x21-0x7e (RFC 1939 §7). */
	size_t ul = strlen(p);
	if (ul == 0 || ul > 70 || (size_t)(p - line) + ul != len)
		return -1;
	for (size_t i = 0; i < ul; i++)
		if (p[i] < 0x21 || p[i] > 0x7e)
			return -1;
	return lc->ufn(lc->ctx, (unsigned long)n, p);
}

enum hk_net_rc
hk_pop3_list(struct hk_conn *c, struct hk_pop3_reply *r,
    int (*fn)(void *ctx, unsigned long n, unsigned long long size), void *ctx)
{
	struct list_ctx lc = { .fn = fn, .ctx = ctx };
	enum hk_net_rc rc = hk_pop3_command(c, r, "LIST", 4);

	if (rc != HK_NET_OK || !r->ok)
		return rc;
	return hk_pop3_read_body(c, list_line, &lc, HK_POP3_LIST_MAX, 0);
}

enum hk_net_rc
hk_pop3_uidl(struct hk_conn *c, struct hk_pop3_reply *r,
    int (*fn)(void *ctx, unsigned long n, const char *uid), void *ctx)
{
	struct list_ctx lc = { .ufn = fn, .ctx = ctx };
	enum hk_net_rc rc = hk_pop3_command(c, r, "UIDL", 4);

	if (rc != HK_NET_OK || !r->ok)
		return rc;
	return hk_pop3_read_body(c, list_line, &lc, HK_POP3_LIST_MAX, 0);
}

enum hk_net_rc
hk_pop3_retr(struct hk_conn *c, struct hk_pop3_reply *r, unsigned long n,
    unsigned long long max_bytes,
    int (*line_fn)(void *ctx, const char *line, size_t len), void *ctx)
{
	char cmd[32];
	enum hk_net_rc rc;

	snprintf(cmd, sizeof(cmd), "RETR %lu", n);
	rc = hk_pop3_command(c, r, cmd, strlen(cmd));
	if (rc != HK_NET_OK || !r->ok)
		return rc;
	return hk_pop3_read_body(c, line_fn, ctx, (size_t)-1, max_bytes);
}

enum hk_net_rc
hk_pop3_dele(struct hk_conn *c, struct hk_pop3_reply *r, unsigned long n)
{
	char cmd[32];

	snprintf(cmd, sizeof(cmd), "DELE %lu", n);
	return hk_pop3_command(c, r, cmd, strlen(cmd));
}

enum hk_net_rc
hk_pop3_quit(struct hk_conn *c, struct hk_pop3_reply *r)
{
	return hk_pop3_command(c, r, "QUIT", 4);
}
