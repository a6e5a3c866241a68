/* imap.c - the IMAP4rev1 client: logical lines, literals, commands. */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "imap.h"
#include "mem.h"

void
hk_imap_init(struct hk_imap *m, struct hk_conn *c)
{
	memset(m, 0, sizeof(*m));
	m->c = c;
	m->list_max = HK_IMAP_LIST_MAX;
}

void
hk_imap_free(struct hk_imap *m)
{
	hk_buf_free(&m->last);
}

/* ---- pure parsers ------------------------------------------------------ */

int
hk_imap_literal_len(const char *line, size_t len, unsigned long long *n,
    bool *nonsync)
{
	size_t i, end;
	unsigned long long v = 0;

	if (len < 3 || line[len - 1] != '}')
		return 0;
	end = len - 1;
	*nonsync = false;
	if (line[end - 1] == '+') {
		*nonsync = true;
		end--;
	}
	for (i = end; i > 0 && isdigit((unsigned char)line[i - 1]); i--)
		;
	if (i == 0 || line[i - 1] != '{') {
		/* "...}" that is not a literal: only a problem when it looks
		 * like one ("{12x}", "{}"). */
		const char *open = NULL;

		for (size_t j = len; j > 0; j--)
			if (line[j - 1] == '{') {
				open = line + j - 1;
				break;
			} else if (line[j - 1] == ' ')
				break;
		return open != NULL ? -1 : 0;
	}
	if (i == end || end - i > 10)
		return -1;
	for (size_t j = i; j < end; j++)
		v = v * 10 + (unsigned)(line[j] - '0');
	if (v > 0xffffffffULL)
		return -1;
	*n = v;
	return 1;
}

int
hk_imap_quote(struct hk_buf *out, const char *s)
{
	size_t n = strlen(s);

	if (n > 1000)
		return 1;
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];

		if (ch == '\r' || ch == '\n' || ch >= 0x80)
			return 1;
	}
	hk_buf_putc(out, '"');
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '"' || s[i] == '\\')
			hk_buf_putc(out, '\\');
		hk_buf_putc(out, s[i]);
	}
	hk_buf_putc(out, '"');
	return 0;
}

static bool
atom_is(const char *a, size_t n, const char *word)
{
	return strlen(word) == n && strncasecmp(a, word, n) == 0;
}

void
hk_imap_caps_parse(struct hk_imap_caps *caps, const char *list, size_t len)
{
	size_t i = 0;

	memset(caps, 0, sizeof(*caps));
	snprintf(caps->list, sizeof(caps->list), "%.*s", (int)len, list);
	while (i < len) {
		size_t s;

		while (i < len && list[i] == ' ')
			i++;
		s = i;
		while (i < len && list[i] != ' ' && list[i] != ']')
			i++;
		if (atom_is(list + s, i - s, "IMAP4rev1"))
			caps->imap4rev1 = true;
		else if (atom_is(list + s, i - s, "STARTTLS"))
			caps->starttls = true;
		else if (atom_is(list + s, i - s, "LOGINDISABLED"))
			caps->logindisabled = true;
		else if (atom_is(list + s, i - s, "LITERAL+"))
			caps->literal_plus = true;
		else if (atom_is(list + s, i - s, "UIDPLUS"))
			caps->uidplus = true;
		if (i < len && list[i] == ']')
			break;
	}
}

bool
hk_imap_caps_has(const struct hk_imap_caps *caps, const char *atom)
{
	size_t al = strlen(atom);

	for (const char *l = caps->list; *l != '\0';) {
		size_t n = strcspn(l, " ]");

		if (n == al && strncasecmp(l, atom, al) == 0)
			return true;
		l += n;
		if (*l == ']')
			break;
		while (*l == ' ')
			l++;
	}
	return false;
}

static bool
num_after(const char *text, const char *key, unsigned long long *v)
{
	size_t kl = strlen(key);
	const char *p = text;

	/* key must start a token: after '(' or ' '. */
	while ((p = strcasestr(p, key)) != NULL) {
		if ((p == text || p[-1] == '(' || p[-1] == ' ') && p[kl] == ' ')
			break;
		p += kl;
	}
	if (p == NULL)
		return false;
	p += kl + 1;
	if (!isdigit((unsigned char)*p))
		return false;
	*v = 0;
	for (; isdigit((unsigned char)*p); p++) {
		if (*v > (~0ULL - 9) / 10)
			return false;
		*v = *v * 10 + (unsigned)(*p - '0');
	}
	return *p == ' ' || *p == ')';
}

int
hk_imap_parse_fetch(const char *line, unsigned long *seq,
    unsigned long long *uid, unsigned long long *size)
{
	unsigned long long s = 0;
	const char *p = line;

	if (!isdigit((unsigned char)*p))
		return -1;
	for (; isdigit((unsigned char)*p); p++) {
		if (s > 0xffffffffULL)
			return -1;
		s = s * 10 + (unsigned)(*p - '0');
	}
	if (strncasecmp(p, " FETCH (", 8) != 0)
		return -1;
	p += 7;
	if (!num_after(p, "RFC822.SIZE", size))
		return strcasestr(p, "RFC822.SIZE") != NULL ? -1 : 1;
	if (!num_after(p, "UID", uid))
		return -1;
	*seq = (unsigned long)s;
	return 0;
}

/* ---- reading responses ------------------------------------------------ */

struct resp {
	struct hk_buf line;	/* the logical line */
	char kind;		/* '*', '+', or 't' (tagged) */
	enum hk_imap_status st;	/* for tagged and untagged status lines */
	bool is_status;
	size_t text;		/* offset of the text after tag/'*' (and status) */
};

static int
parse_status_word(const char *p, enum hk_imap_status *st, size_t *len)
{
	static const struct { const char *w; enum hk_imap_status st; } words[] = {
		{ "OK", HK_IMAP_OK }, { "NO", HK_IMAP_NO }, { "BAD", HK_IMAP_BAD },
		{ "BYE", HK_IMAP_BYE }, { "PREAUTH", HK_IMAP_PREAUTH },
	};

	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
		size_t n = strlen(words[i].w);

		if (strncasecmp(p, words[i].w, n) == 0 &&
		    (p[n] == ' ' || p[n] == '\0')) {
			*st = words[i].st;
			*len = p[n] == ' ' ? n + 1 : n;
			return 0;
		}
	}
	return -1;
}

/* The one message body a UID FETCH may store.  Only the BODY[] literal
 * of the FETCH response for uid fills the sink, and only once: a server
 * that repeats the body, or sends bodies of other messages, cannot grow
 * what is stored past the one literal that max allowed. */
struct body_want {
	unsigned long long uid;
	unsigned long long max;		/* 0: no cap */
	int (*sink)(void *ctx, const char *p, size_t len);
	void *ctx;
	bool got;			/* the body arrived */
};

/* Is the logical line so far ("* 3 FETCH (UID 7 BODY[] {n}") the body
 * bw asks for?  *uid_later: the line has no UID yet (it may follow the
 * body); the caller checks it when the line is complete. */
static bool
is_wanted_body(const struct body_want *bw, const char *line, size_t len,
    bool *uid_later)
{
	const char *p = line, *open;
	unsigned long long v;
	size_t i = len;

	if (bw == NULL || bw->got || strncmp(p, "* ", 2) != 0)
		return false;
	for (p += 2; isdigit((unsigned char)*p); p++)
		;
	if (p == line + 2 || strncasecmp(p, " FETCH (", 8) != 0)
		return false;
	/* The literal must be the BODY[] item's value: "... BODY[] {n}". */
	while (i > 0 && line[i - 1] != '{')
		i--;
	if (i < 9 || (strncasecmp(line + i - 9, " BODY[] ", 8) != 0 &&
	    strncasecmp(line + i - 9, "(BODY[] ", 8) != 0))
		return false;
	open = p + 7;
	*uid_later = !num_after(open, "UID", &v);
	return *uid_later || v == bw->uid;
}

/* Reads one logical response.  A literal in it goes to bw's sink when it
 * is the body bw asks for (see struct body_want), else it is skipped. */
static enum hk_net_rc
read_resp(struct hk_imap *m, struct resp *r, struct body_want *bw)
{
	struct hk_conn *c = m->c;
	struct hk_buf phys = HK_BUF_INIT;
	unsigned long long n, v;
	bool nonsync, uid_later = false, check_uid = false;
	enum hk_net_rc rc;
	const char *l;
	size_t sl;
	int lit;

	hk_buf_reset(&r->line);
	r->is_status = false;
	for (;;) {
		if ((rc = hk_conn_read_line(c, &phys, HK_IMAP_LINE_MAX)) != HK_NET_OK)
			goto out;
		if (r->line.len + phys.len > HK_IMAP_LOGICAL_MAX) {
			rc = hk_conn_fail(c, HK_NET_TOO_LONG,
			    "an IMAP response longer than %d bytes",
			    HK_IMAP_LOGICAL_MAX);
			goto out;
		}
		hk_buf_append(&r->line, phys.data, phys.len);
		lit = hk_imap_literal_len(phys.data ? phys.data : "", phys.len,
		    &n, &nonsync);
		if (lit < 0) {
			rc = hk_conn_fail(c, HK_NET_PROTOCOL,
			    "a malformed IMAP literal: \"%.80s\"", hk_buf_str(&phys));
			goto out;
		}
		if (lit == 0)
			break;
		if (is_wanted_body(bw, hk_buf_str(&r->line), r->line.len,
		    &uid_later)) {
			if (bw->max > 0 && n > bw->max) {
				rc = hk_conn_fail(c, HK_NET_TOO_LONG,
				    "an IMAP literal of %llu bytes (the cap is %llu)",
				    n, bw->max);
				goto out;
			}
			bw->got = true;
			check_uid = uid_later;
			rc = hk_conn_read_n(c, n, bw->sink, bw->ctx);
		} else {
			if (n > HK_IMAP_SKIP_MAX) {
				rc = hk_conn_fail(c, HK_NET_TOO_LONG,
				    "an unexpected IMAP literal of %llu bytes", n);
				goto out;
			}
			rc = hk_conn_read_n(c, n, NULL, NULL);
		}
		if (rc != HK_NET_OK)
			goto out;
	}
	if (check_uid && (!num_after(strchr(hk_buf_str(&r->line), '('), "UID",
	    &v) || v != bw->uid)) {
		/* The body went to the sink: fail, so that it is not kept. */
		rc = hk_conn_fail(c, HK_NET_PROTOCOL, "the IMAP server sent a "
		    "message body without the UID %llu asked for", bw->uid);
		goto out;
	}
	l = hk_buf_str(&r->line);
	if (l[0] == '*' && l[1] == ' ') {
		r->kind = '*';
		r->text = 2;
	} else if (l[0] == '+' && (l[1] == ' ' || l[1] == '\0')) {
		r->kind = '+';
		r->text = l[1] ? 2 : 1;
		goto out;
	} else {
		size_t t = strcspn(l, " ");

		if (t == 0 || l[t] != ' ') {
			rc = hk_conn_fail(c, HK_NET_PROTOCOL,
			    "not an IMAP response: \"%.80s\"", l);
			goto out;
		}
		r->kind = 't';
		r->text = t + 1;
	}
	if (parse_status_word(l + r->text, &r->st, &sl) == 0) {
		r->is_status = true;
		r->text += sl;
	} else if (r->kind == 't') {
		rc = hk_conn_fail(c, HK_NET_PROTOCOL,
		    "a tagged IMAP response without OK/NO/BAD: \"%.80s\"", l);
	}
out:
	hk_buf_free(&phys);
	return rc;
}

/* A CAPABILITY list: the untagged CAPABILITY response, or a [CAPABILITY]
 * response code of a status response (greeting, or the completion of
 * LOGIN/AUTHENTICATE).  The free text of a status response is never a list:
 * "h1 OK CAPABILITY completed" must not replace what "* CAPABILITY" said. */
static void
note_caps(struct hk_imap *m, const char *text, bool is_status)
{
	const char *p = NULL;

	if (!is_status && strncasecmp(text, "CAPABILITY ", 11) == 0)
		p = text + 11;
	else if (is_status && strncasecmp(text, "[CAPABILITY ", 12) == 0)
		p = text + 12;
	if (p == NULL)
		return;
	hk_imap_caps_parse(&m->caps, p, strcspn(p, "]"));
	m->caps_known = true;
}

/* Called with an untagged response's text: after "* ", and after the
 * status word for status responses ("* OK [UIDVALIDITY 3] ..." gives
 * "[UIDVALIDITY 3] ...").  Returns 0 to go on, -1 to refuse the response
 * (HK_NET_PROTOCOL), or a net.h error it has set with hk_conn_fail. */
typedef int (*untagged_fn)(void *ctx, struct hk_imap *m, const char *text);

/* Runs to the tagged completion of tag, passing untagged responses to fn
 * (and noting capabilities).  A BYE followed by the close is CLOSED. */
static enum hk_net_rc
complete(struct hk_imap *m, const char *tag, enum hk_imap_status *st,
    untagged_fn fn, void *ctx, struct body_want *bw)
{
	struct resp r = { HK_BUF_INIT, 0, 0, false, 0 };
	enum hk_net_rc rc;
	size_t tl = strlen(tag);
	int fr;

	for (;;) {
		if ((rc = read_resp(m, &r, bw)) != HK_NET_OK)
			break;
		const char *l = hk_buf_str(&r.line);

		if (r.kind == 't') {
			if (strncmp(l, tag, tl) != 0 || l[tl] != ' ') {
				rc = hk_conn_fail(m->c, HK_NET_PROTOCOL,
				    "an IMAP response with an unknown tag: \"%.80s\"", l);
				break;
			}
			hk_buf_reset(&m->last);
			hk_buf_append(&m->last, r.line.data, r.line.len);
			note_caps(m, l + r.text, true);
			*st = r.st;
			break;
		}
		if (r.kind == '+') {
			rc = hk_conn_fail(m->c, HK_NET_PROTOCOL,
			    "an unexpected IMAP continuation");
			break;
		}
		if (r.is_status && r.st == HK_IMAP_BYE) {
			hk_buf_reset(&m->last);
			hk_buf_append(&m->last, r.line.data, r.line.len);
			continue;
		}
		note_caps(m, l + r.text, r.is_status);
		if (fn != NULL && (fr = fn(ctx, m, l + r.text)) != 0) {
			rc = fr > 0 ? (enum hk_net_rc)fr : hk_conn_fail(m->c,
			    HK_NET_PROTOCOL, "an IMAP response was refused: "
			    "\"%.80s\"", l);
			break;
		}
	}
	hk_buf_free(&r.line);
	return rc;
}

static void
next_tag(struct hk_imap *m, char *tag, size_t len)
{
	snprintf(tag, len, "h%u", ++m->tag);
}

/* Sends "tag " + args, where args is built by the caller; a simple
 * command without literals. */
static enum hk_net_rc
simple(struct hk_imap *m, const char *cmd, enum hk_imap_status *st,
    untagged_fn fn, void *ctx)
{
	char tag[16], *line;
	enum hk_net_rc rc;

	next_tag(m, tag, sizeof(tag));
	line = hk_aprintf("%s %s", tag, cmd);
	rc = hk_conn_send_line(m->c, line, strlen(line), strlen(line));
	free(line);
	if (rc != HK_NET_OK)
		return rc;
	return complete(m, tag, st, fn, ctx, NULL);
}

enum hk_net_rc
hk_imap_greeting(struct hk_imap *m, enum hk_imap_status *st)
{
	struct resp r = { HK_BUF_INIT, 0, 0, false, 0 };
	enum hk_net_rc rc = read_resp(m, &r, NULL);

	if (rc == HK_NET_OK) {
		if (r.kind != '*' || !r.is_status || (r.st != HK_IMAP_OK &&
		    r.st != HK_IMAP_PREAUTH && r.st != HK_IMAP_BYE))
			rc = hk_conn_fail(m->c, HK_NET_PROTOCOL,
			    "not an IMAP greeting: \"%.80s\"", hk_buf_str(&r.line));
		else {
			*st = r.st;
			hk_buf_reset(&m->last);
			hk_buf_append(&m->last, r.line.data, r.line.len);
			note_caps(m, hk_buf_str(&r.line) + r.text, true);
		}
	}
	hk_buf_free(&r.line);
	return rc;
}

enum hk_net_rc
hk_imap_capability(struct hk_imap *m, enum hk_imap_status *st)
{
	m->caps_known = false;
	return simple(m, "CAPABILITY", st, NULL, NULL);
}

enum hk_net_rc
hk_imap_starttls(struct hk_imap *m, const char *host, bool verify,
    struct hk_tls_info *info)
{
	enum hk_imap_status st;
	enum hk_net_rc rc;

	if (m->caps_known && !m->caps.starttls)
		return hk_conn_fail(m->c, HK_NET_PROTOCOL,
		    "the server does not offer STARTTLS");
	if ((rc = simple(m, "STARTTLS", &st, NULL, NULL)) != HK_NET_OK)
		return rc;
	if (st != HK_IMAP_OK)
		return hk_conn_fail(m->c, HK_NET_PROTOCOL,
		    "the server refused STARTTLS: %.200s", hk_buf_str(&m->last));
	m->caps_known = false;
	return hk_tls_start(m->c, host, verify, info);
}

/* Appends an astring argument to cmd.  When it must be a literal, sends
 * cmd up to and including the "{n}" marker, waits for the continuation
 * (unless LITERAL+), and leaves the literal's bytes at the start of cmd.
 * *logged is how much of what was sent so far may be traced. */
static enum hk_net_rc
add_astring(struct hk_imap *m, struct hk_buf *cmd, const char *s,
    bool secret, size_t *log_len, const char *tag, enum hk_imap_status *st,
    bool *done)
{
	struct resp r = { HK_BUF_INIT, 0, 0, false, 0 };
	size_t n = strlen(s), before = cmd->len;
	enum hk_net_rc rc;

	*done = false;
	if (hk_imap_quote(cmd, s) == 0) {
		if (!secret)
			*log_len = cmd->len;
		return HK_NET_OK;
	}
	if (memchr(s, '\r', n) != NULL || memchr(s, '\n', n) != NULL)
		/* Could be sent as a literal, but no server would take it
		 * as a user name or password: refuse early. */
		return hk_conn_fail(m->c, HK_NET_PROTOCOL,
		    "the user name or password holds a line break");
	hk_buf_printf(cmd, "{%zu%s}", n, m->caps.literal_plus ? "+" : "");
	if (!secret)
		*log_len = cmd->len;
	else if (*log_len > before)
		*log_len = before;
	rc = hk_conn_send_line(m->c, cmd->data, cmd->len, cmd->len);
	hk_wipe(cmd->data, cmd->len);
	hk_buf_reset(cmd);
	if (rc != HK_NET_OK)
		return rc;
	if (!m->caps.literal_plus) {
		rc = read_resp(m, &r, NULL);
		if (rc == HK_NET_OK && r.kind == 't') {
			/* Refused instead of continued. */
			hk_buf_reset(&m->last);
			hk_buf_append(&m->last, r.line.data, r.line.len);
			*st = r.st;
			*done = true;
		} else if (rc == HK_NET_OK && r.kind != '+')
			rc = hk_conn_fail(m->c, HK_NET_PROTOCOL,
			    "expected an IMAP continuation, got \"%.80s\"",
			    hk_buf_str(&r.line));
		hk_buf_free(&r.line);
		if (rc != HK_NET_OK || *done)
			return rc;
	}
	hk_buf_append(cmd, s, n);
	*log_len = secret ? 0 : n;
	(void)tag;
	return HK_NET_OK;
}

enum hk_net_rc
hk_imap_login(struct hk_imap *m, const char *user, const char *password,
    enum hk_imap_status *st)
{
	struct hk_buf cmd;
	char tag[16];
	size_t log_len;
	enum hk_net_rc rc;
	bool done = false;

	if (m->caps_known && m->caps.logindisabled)
		return hk_conn_fail(m->c, HK_NET_PROTOCOL,
		    "the server does not allow LOGIN here (LOGINDISABLED)");
	hk_buf_init(&cmd, 0, HK_BUF_SECRET);	/* it will hold the password */
	next_tag(m, tag, sizeof(tag));
	hk_buf_printf(&cmd, "%s LOGIN ", tag);
	log_len = cmd.len;
	rc = add_astring(m, &cmd, user, false, &log_len, tag, st, &done);
	if (rc != HK_NET_OK || done)
		goto out;
	hk_buf_putc(&cmd, ' ');
	log_len = cmd.len;
	rc = add_astring(m, &cmd, password, true, &log_len, tag, st, &done);
	if (rc != HK_NET_OK || done)
		goto out;
	rc = hk_conn_send_line(m->c, cmd.data, cmd.len, log_len);
	if (rc == HK_NET_OK)
		rc = complete(m, tag, st, NULL, NULL, NULL);
out:
	hk_buf_wipe_free(&cmd);
	return rc;
}

static int
select_untagged(void *ctx, struct hk_imap *m, const char *text)
{
	unsigned long long v = 0;
	const char *p = text;

	if (isdigit((unsigned char)*p)) {
		for (; isdigit((unsigned char)*p) && v <= 0xffffffffULL; p++)
			v = v * 10 + (unsigned)(*p - '0');
		if (strcasecmp(p, " EXISTS") == 0 && v <= 0xffffffffULL)
			m->exists = (unsigned long)v;
	} else if (strncasecmp(p, "[UIDVALIDITY ", 13) == 0) {
		/* "* OK [UIDVALIDITY n]": the status word is already gone. */
		p += 13;
		for (v = 0; isdigit((unsigned char)*p) && v <= 0xffffffffULL; p++)
			v = v * 10 + (unsigned)(*p - '0');
		if (*p == ']')
			m->uidvalidity = v;
	}
	return 0;
}

/* ---- AUTHENTICATE through the auth driver ----------------------------- */

struct imap_auth_io {
	struct hk_imap *m;
	char tag[16];
};

static int
auth_io_send(void *ctx, enum hk_auth_conn conn, const char *line,
    size_t len, size_t log_len)
{
	struct imap_auth_io *io = ctx;

	if (conn != HK_CONN_MAIN)
		return -1;
	return hk_conn_send_line(io->m->c, line, len, log_len) == HK_NET_OK ?
	    0 : -1;
}

/* One reply of the exchange: a continuation or the tagged completion;
 * untagged responses on the way only update the capabilities. */
static int
auth_io_read(void *ctx, enum hk_auth_conn conn, struct hk_auth_reply *out)
{
	struct imap_auth_io *io = ctx;
	struct hk_imap *m = io->m;
	struct resp r = { HK_BUF_INIT, 0, 0, false, 0 };
	int ret = -1, pr;

	if (conn != HK_CONN_MAIN)
		return -1;
	for (;;) {
		if (read_resp(m, &r, NULL) != HK_NET_OK)
			break;
		pr = hk_auth_reply_parse(HK_AUTHMOD_PROTO_IMAP, io->tag,
		    hk_buf_str(&r.line), out);
		if (pr == 1) {
			if (r.kind == 't') {
				(void)hk_conn_fail(m->c, HK_NET_PROTOCOL,
				    "an IMAP response with an unknown tag: \"%.80s\"",
				    hk_buf_str(&r.line));
				break;
			}
			note_caps(m, hk_buf_str(&r.line) + r.text, r.is_status);
			continue;
		}
		if (pr == 0) {
			if (out->kind != HK_REPLY_CONT) {
				hk_buf_reset(&m->last);
				hk_buf_append(&m->last, r.line.data, r.line.len);
				note_caps(m, hk_buf_str(&r.line) + r.text, true);
			}
			ret = 0;
		}
		break;
	}
	hk_buf_wipe_free(&r.line);
	return ret;
}

enum hk_auth_status
hk_imap_authenticate(struct hk_imap *m, const struct hk_authsess_params *p,
    struct hk_auth_result *res)
{
	struct imap_auth_io aio = { .m = m };
	struct hk_authsess_params q = *p;
	struct hk_auth_io io = {
		.ctx = &aio,
		.send_line = auth_io_send,
		.read_reply = auth_io_read,
		.tag = aio.tag,
		.sasl_ir = hk_imap_caps_has(&m->caps, "SASL-IR"),
	};

	next_tag(m, aio.tag, sizeof(aio.tag));
	q.protocol = HK_AUTHMOD_PROTO_IMAP;
	m->caps_known = false;	/* a server may list more after sign-in */
	return hk_auth_run(&q, NULL, &io, res);
}

enum hk_net_rc
hk_imap_select(struct hk_imap *m, const char *mailbox, enum hk_imap_status *st)
{
	struct hk_buf cmd = HK_BUF_INIT;
	enum hk_net_rc rc;

	m->exists = 0;
	m->uidvalidity = 0;
	hk_buf_puts(&cmd, "SELECT ");
	if (hk_imap_quote(&cmd, mailbox) != 0) {
		hk_buf_free(&cmd);
		return hk_conn_fail(m->c, HK_NET_PROTOCOL,
		    "unusable mailbox name");
	}
	rc = simple(m, hk_buf_str(&cmd), st, select_untagged, NULL);
	hk_buf_free(&cmd);
	return rc;
}

struct sizes_ctx {
	int (*fn)(void *, unsigned long long, unsigned long long);
	void *ctx;
	unsigned long n;
};

static int
sizes_untagged(void *ctx, struct hk_imap *m, const char *text)
{
	struct sizes_ctx *sc = ctx;
	unsigned long seq;
	unsigned long long uid, size;
	const char *p = text;
	int prc;

	while (isdigit((unsigned char)*p))
		p++;
	if (p == text || strncasecmp(p, " FETCH ", 7) != 0)
		return 0;	/* EXISTS, RECENT...: not ours */
	/* A FETCH without a size is a flag update, which a server may send
	 * at any time (RFC 3501 7.4.2): not ours either. */
	if ((prc = hk_imap_parse_fetch(text, &seq, &uid, &size)) != 0)
		return prc > 0 ? 0 : -1;
	if (++sc->n > m->list_max)
		return hk_conn_fail(m->c, HK_NET_TOO_LONG, "the IMAP server "
		    "listed more than %lu messages", m->list_max);
	return sc->fn(sc->ctx, uid, size);
}

enum hk_net_rc
hk_imap_uid_fetch_sizes(struct hk_imap *m,
    int (*fn)(void *ctx, unsigned long long uid, unsigned long long size),
    void *ctx, enum hk_imap_status *st)
{
	struct sizes_ctx sc = { fn, ctx, 0 };

	return simple(m, "UID FETCH 1:* (UID RFC822.SIZE)", st, sizes_untagged,
	    &sc);
}

enum hk_net_rc
hk_imap_uid_fetch_message(struct hk_imap *m, unsigned long long uid,
    unsigned long long max,
    int (*sink)(void *ctx, const char *p, size_t len), void *ctx,
    enum hk_imap_status *st)
{
	struct body_want bw = { uid, max, sink, ctx, false };
	char tag[16], *line;
	enum hk_net_rc rc;

	next_tag(m, tag, sizeof(tag));
	line = hk_aprintf("%s UID FETCH %llu BODY.PEEK[]", tag, uid);
	rc = hk_conn_send_line(m->c, line, strlen(line), strlen(line));
	free(line);
	if (rc != HK_NET_OK)
		return rc;
	return complete(m, tag, st, NULL, NULL, &bw);
}

enum hk_net_rc
hk_imap_uid_store_deleted(struct hk_imap *m, unsigned long long uid,
    enum hk_imap_status *st)
{
	char cmd[64];

	snprintf(cmd, sizeof(cmd), "UID STORE %llu +FLAGS.SILENT (\\Deleted)",
	    uid);
	return simple(m, cmd, st, NULL, NULL);
}

/* Is uid one of uids[0..n)? */
static bool
uid_in(unsigned long long uid, const unsigned long long *uids, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (uids[i] == uid)
			return true;
	return false;
}

struct search_ctx {
	const unsigned long long *uids;
	size_t n;
	bool seen;		/* a SEARCH response arrived */
	bool foreign;		/* a \Deleted message that is not ours */
};

/* "* SEARCH 3 7 9": notes a UID that is not one of ours. */
static int
search_untagged(void *ctx, struct hk_imap *m, const char *text)
{
	struct search_ctx *sc = ctx;
	const char *p = text;

	(void)m;
	if (strncasecmp(p, "SEARCH", 6) != 0 || (p[6] != ' ' && p[6] != '\0'))
		return 0;
	sc->seen = true;
	for (p += 6; *p == ' '; ) {
		unsigned long long v = 0;

		if (*++p == '\0')
			break;		/* a trailing space */
		if (!isdigit((unsigned char)*p))
			return -1;
		for (; isdigit((unsigned char)*p); p++) {
			if (v > 0xffffffffULL)
				return -1;
			v = v * 10 + (unsigned)(*p - '0');
		}
		if (!uid_in(v, sc->uids, sc->n))
			sc->foreign = true;
	}
	return *p == '\0' ? 0 : -1;
}

/* Commands stay short: at most this many UIDs in one UID EXPUNGE. */
#define EXPUNGE_UIDS_MAX 64

enum hk_net_rc
hk_imap_expunge_uids(struct hk_imap *m, const unsigned long long *uids,
    size_t n, enum hk_imap_status *st, bool *expunged)
{
	struct search_ctx sc = { uids, n, false, false };
	enum hk_net_rc rc = HK_NET_OK;

	*expunged = false;
	*st = HK_IMAP_OK;
	if (n == 0)
		return HK_NET_OK;
	/* Servers may list UIDPLUS only after login, without saying so in
	 * the login's answer (RFC 3501 6.2.3): ask before doing without. */
	if (!m->caps.uidplus &&
	    (rc = simple(m, "CAPABILITY", st, NULL, NULL)) != HK_NET_OK)
		return rc;
	*st = HK_IMAP_OK;
	if (m->caps.uidplus) {
		for (size_t i = 0; i < n && rc == HK_NET_OK &&
		    *st == HK_IMAP_OK; i += EXPUNGE_UIDS_MAX) {
			struct hk_buf cmd = HK_BUF_INIT;

			hk_buf_puts(&cmd, "UID EXPUNGE ");
			for (size_t k = i; k < n && k < i + EXPUNGE_UIDS_MAX; k++)
				hk_buf_printf(&cmd, "%s%llu", k > i ? "," : "", uids[k]);
			rc = simple(m, hk_buf_str(&cmd), st, NULL, NULL);
			hk_buf_free(&cmd);
		}
		*expunged = rc == HK_NET_OK && *st == HK_IMAP_OK;
		return rc;
	}
	/* Without UIDPLUS, EXPUNGE removes every \Deleted message: only when
	 * the search found none but ours (one round trip of race remains). */
	rc = simple(m, "UID SEARCH DELETED", st, search_untagged, &sc);
	if (rc != HK_NET_OK || *st != HK_IMAP_OK || !sc.seen || sc.foreign)
		return rc;
	rc = simple(m, "EXPUNGE", st, NULL, NULL);
	*expunged = rc == HK_NET_OK && *st == HK_IMAP_OK;
	return rc;
}

void
hk_imap_logout(struct hk_imap *m)
{
	enum hk_imap_status st;

	if (m->c->fd < 0)
		return;
	if (m->c->to.io_ms > 2000)
		m->c->to.io_ms = 2000;
	(void)simple(m, "LOGOUT", &st, NULL, NULL);
}
