/* fuzz_auth.c - every shipped auth module, driven by hk_auth_run against a
 * scripted, hostile mail server.
 *
 * The six modules are compiled in with their entry symbol renamed
 * (-Dhikyaku_authmod_entry=fz_entry_NAME, see tests/fuzz/build).  Each
 * module's step function is wrapped, so the harness sees what the module
 * itself returned before hk_authsess_step tidies it up.
 *
 * Input:
 *   byte 0   which module (mod 6)
 *   byte 1   flags: 0x01 SASL over POP3 instead of SMTP; 0x02 an authzid
 *            line follows; 0x04 the password comes from the input (else
 *            the fixed SECRET, which must then never leak); 0x38 the
 *            pop-before-smtp "wait" option ('0' + 0-7); 0x40 apop=on;
 *            0x80 apop=maybe (invalid)
 *   then     a user line, [a password line], [an authzid line]
 *   then     the server's lines, one per reply, in the wire syntax of the
 *            connection's protocol: SMTP "NNN text" (334 is a challenge),
 *            POP3 "+OK text", "+ challenge", anything else "-ERR".  A line
 *            "~bytes" is a challenge whose decoded payload is "bytes" (the
 *            harness does the base64).  For apop the first line is the
 *            greeting; for pop-before-smtp the side connection's greeting
 *            is the next line when it is opened.
 *
 * Invariants, beyond "no crash, no leak, no overread":
 * - a module never returns SEND with data == NULL, a FAIL_* without a
 *   one-line message, a code outside its kind (EXPECT other than at a
 *   SASL START, side-connection actions other than from pre-send, WAIT
 *   over 5 s), or a line holding CR, LF or NUL;
 * - no message (module's or driver's) and no loggable prefix of a line
 *   holds the password, unless the server's script put it there;
 * - the driver never sends a line with CR/LF/NUL or log_len > len, never
 *   uses a connection after it failed, opens the side connection only for
 *   pre-send modules and only sends on it while open;
 * - success needs the server's last word to have been positive, and
 *   comes without a message; failure always has one.
 */
#include "config.h"

#include "fuzz.h"

#include "buf.h"
#include "log.h"
#include "modload.h"
#include "base64.h"

#define SECRET "Zq7-sEcReT-9xK"

const struct hk_authmod *fz_entry_login(void);
const struct hk_authmod *fz_entry_plain(void);
const struct hk_authmod *fz_entry_cram_md5(void);
const struct hk_authmod *fz_entry_scram_sha_256(void);
const struct hk_authmod *fz_entry_apop(void);
const struct hk_authmod *fz_entry_pop_before_smtp(void);

static const struct hk_authmod *(*const entries[])(void) = {
	fz_entry_login, fz_entry_plain, fz_entry_cram_md5,
	fz_entry_scram_sha_256, fz_entry_apop, fz_entry_pop_before_smtp,
};
#define N_MODS (sizeof(entries) / sizeof(entries[0]))

/* The run in progress (libFuzzer calls us from one thread). */
static struct {
	const struct hk_authmod *real;	/* the module's own descriptor */
	struct hk_authmod wrapped;	/* the same, with step wrapped */
	const char *password;
	bool check_secret;		/* the password is SECRET */
	bool pop3;			/* SASL over POP3 */
	const uint8_t *script;		/* all server lines */
	size_t script_len, pos;
	const uint8_t *input;		/* the whole fuzz input */
	size_t input_len;
	bool main_failed, side_failed, side_open, done;
	int steps, side_opens;
	bool last_positive;
} R;

static bool
leaks(const void *p, size_t n)
{
	return R.check_secret && fz_contains(p, n, R.password) &&
	    !fz_contains(R.input, R.input_len, R.password);
}

/* ---- the wrapped step ------------------------------------------------ */

static int
wrapped_step(void *state, const struct hk_authmod_session *sess,
    const struct hk_authmod_input *in, struct hk_authmod_action *act)
{
	/* An exact-size copy: ASan sees a read past data[len]. */
	unsigned char *copy = malloc(in->len + 1);
	struct hk_authmod_input mine = *in;
	enum hk_authmod_kind kind = R.real->kind;
	int rc;

	FZ_CHECK(!R.done, "step called after DONE or FAIL");
	memcpy(copy, in->data, in->len);
	copy[in->len] = '\0';
	mine.data = copy;
	R.steps++;
	rc = R.real->step(state, sess, &mine, act);

	switch (rc) {
	case HK_AUTHMOD_SEND:
		FZ_CHECK(act->data != NULL, "%s: SEND with data == NULL (len %zu)",
		    R.real->name, act->len);
		if (kind != HK_AUTHMOD_KIND_SASL) {
			FZ_CHECK(memchr(act->data, '\r', act->len) == NULL &&
			    memchr(act->data, '\n', act->len) == NULL &&
			    memchr(act->data, '\0', act->len) == NULL,
			    "%s: a command line with CR, LF or NUL", R.real->name);
			FZ_CHECK(act->log_len <= act->len, "%s: log_len %zu > len %zu",
			    R.real->name, act->log_len, act->len);
			FZ_CHECK(!leaks(act->data, act->log_len),
			    "%s: the loggable part of a line holds the password",
			    R.real->name);
		}
		break;
	case HK_AUTHMOD_EXPECT:
		FZ_CHECK(kind == HK_AUTHMOD_KIND_SASL &&
		    in->event == HK_AUTHMOD_EV_START,
		    "%s: EXPECT outside a SASL START", R.real->name);
		break;
	case HK_AUTHMOD_POP3_OPEN:
	case HK_AUTHMOD_POP3_CLOSE:
		FZ_CHECK(kind == HK_AUTHMOD_KIND_PRESEND,
		    "%s: a side-connection action from a %s module", R.real->name,
		    hk_authmod_kind_name(kind));
		break;
	case HK_AUTHMOD_WAIT:
		FZ_CHECK(kind == HK_AUTHMOD_KIND_PRESEND && act->seconds <= 5,
		    "%s: WAIT %u s", R.real->name, act->seconds);
		break;
	case HK_AUTHMOD_DONE:
		R.done = true;
		break;
	case HK_AUTHMOD_FAIL_AUTH:
	case HK_AUTHMOD_FAIL_PROTOCOL:
	case HK_AUTHMOD_FAIL_CONFIG:
	case HK_AUTHMOD_FAIL_INTERNAL:
		R.done = true;
		FZ_CHECK(act->message != NULL && act->message[0] != '\0',
		    "%s: FAIL %d without a message", R.real->name, rc);
		FZ_CHECK(strchr(act->message, '\n') == NULL &&
		    strchr(act->message, '\r') == NULL,
		    "%s: a multi-line message", R.real->name);
		FZ_CHECK(fz_utf8_str(act->message),
		    "%s: a message that is not UTF-8", R.real->name);
		FZ_CHECK(!leaks(act->message, strlen(act->message)),
		    "%s: the password in a failure message: %s", R.real->name,
		    act->message);
		break;
	default:
		FZ_CHECK(0, "%s: unknown action code %d", R.real->name, rc);
	}
	/* The module may not keep pointers into its input. */
	memset(copy, 0xA5, in->len);
	free(copy);
	return rc;
}

/* ---- the scripted server ---------------------------------------------- */

/* The next script line, or false when the server hung up. */
static bool
next_line(const uint8_t **line, size_t *len)
{
	const uint8_t *p, *nl;

	if (R.pos >= R.script_len)
		return false;
	p = R.script + R.pos;
	nl = memchr(p, '\n', R.script_len - R.pos);
	*len = nl ? (size_t)(nl - p) : R.script_len - R.pos;
	*line = p;
	R.pos += *len + (nl ? 1 : 0);
	return true;
}

static void
fill_reply(bool pop3, const uint8_t *l, size_t n, struct hk_auth_reply *r)
{
	if (n > 0 && l[0] == '~') {
		char *enc = malloc(HK_B64_LEN(n - 1) + 1);

		hk_b64_encode(l + 1, n - 1, enc);
		r->kind = HK_REPLY_CONT;
		r->code = pop3 ? 0 : 334;
		hk_buf_puts(&r->text, enc);
		free(enc);
	} else if (pop3) {
		r->code = 0;
		if (n >= 3 && memcmp(l, "+OK", 3) == 0) {
			r->kind = HK_REPLY_OK;
			l += 3, n -= 3;
		} else if (n >= 1 && l[0] == '+') {
			r->kind = HK_REPLY_CONT;
			l += 1, n -= 1;
		} else {
			r->kind = HK_REPLY_ERR;
			if (n >= 4 && memcmp(l, "-ERR", 4) == 0)
				l += 4, n -= 4;
		}
		if (n > 0 && l[0] == ' ')
			l++, n--;
		hk_buf_append(&r->text, l, n);
	} else {
		if (n >= 3 && l[0] >= '2' && l[0] <= '5' && l[1] >= '0' &&
		    l[1] <= '9' && l[2] >= '0' && l[2] <= '9') {
			r->code = (l[0] - '0') * 100 + (l[1] - '0') * 10 + l[2] - '0';
			l += 3, n -= 3;
			if (n > 0 && (l[0] == ' ' || l[0] == '-'))
				l++, n--;
		} else
			r->code = 554;
		r->kind = r->code == 334 ? HK_REPLY_CONT :
		    r->code < 400 ? HK_REPLY_OK : HK_REPLY_ERR;
		hk_buf_append(&r->text, l, n);
	}
	R.last_positive = r->kind == HK_REPLY_OK;
}

static bool
main_is_pop3(void)
{
	return R.real->kind == HK_AUTHMOD_KIND_POP3 ||
	    (R.real->kind == HK_AUTHMOD_KIND_SASL && R.pop3);
}

static int
io_send_line(void *ctx, enum hk_auth_conn conn, const char *line, size_t len,
    size_t log_len)
{
	(void)ctx;
	FZ_CHECK(conn == HK_CONN_MAIN ? !R.main_failed : !R.side_failed,
	    "a line sent on a failed connection");
	FZ_CHECK(conn == HK_CONN_MAIN || R.side_open,
	    "a line sent on a side connection that is not open");
	FZ_CHECK(conn == HK_CONN_MAIN || R.real->kind == HK_AUTHMOD_KIND_PRESEND,
	    "a side connection for a %s module",
	    hk_authmod_kind_name(R.real->kind));
	FZ_CHECK(memchr(line, '\r', len) == NULL && memchr(line, '\n', len) ==
	    NULL && memchr(line, '\0', len) == NULL,
	    "the driver sends a line holding CR, LF or NUL");
	FZ_CHECK(log_len <= len, "log_len %zu > len %zu", log_len, len);
	FZ_CHECK(!leaks(line, log_len),
	    "the loggable part of a sent line holds the password");
	FZ_CHECK(line[len] == '\0', "the line is not NUL-terminated at len");
	return 0;
}

static int
io_read_reply(void *ctx, enum hk_auth_conn conn, struct hk_auth_reply *r)
{
	const uint8_t *l;
	size_t n;

	(void)ctx;
	FZ_CHECK(conn == HK_CONN_MAIN ? !R.main_failed : !R.side_failed,
	    "a reply read from a failed connection");
	FZ_CHECK(r->text.len == 0, "the reply buffer was not reset");
	if (!next_line(&l, &n)) {
		if (conn == HK_CONN_MAIN)
			R.main_failed = true;
		else
			R.side_failed = true;
		return -1;
	}
	fill_reply(conn == HK_CONN_SIDE || main_is_pop3(), l, n, r);
	return 0;
}

static int
io_side_open(void *ctx, struct hk_auth_reply *greeting)
{
	const uint8_t *l;
	size_t n;

	(void)ctx;
	FZ_CHECK(R.real->kind == HK_AUTHMOD_KIND_PRESEND,
	    "side_open for a %s module", hk_authmod_kind_name(R.real->kind));
	FZ_CHECK(!R.side_open, "side_open twice without closing");
	R.side_opens++;
	R.side_failed = false;
	if (!next_line(&l, &n))
		return -1;
	fill_reply(true, l, n, greeting);
	R.side_open = true;
	return 0;
}

static void
io_side_close(void *ctx)
{
	(void)ctx;
	FZ_CHECK(R.side_open, "side_close without an open connection");
	R.side_open = false;
}

static void
io_sleep(void *ctx, unsigned int seconds)
{
	(void)ctx;
	FZ_CHECK(seconds <= 5, "slept %u s", seconds);
}

static void
fixed_random(void *ctx, void *p, size_t n)
{
	(void)ctx;
	memset(p, 0, n);	/* SCRAM's nonce becomes "AAAA..." */
}

/* Cuts the next '\n'-ended field off the input into a new string. */
static char *
take_line(const uint8_t **p, size_t *n)
{
	const uint8_t *nl = memchr(*p, '\n', *n);
	size_t len = nl ? (size_t)(nl - *p) : *n;
	char *s = fz_strndup(*p, len);

	*p += len + (nl ? 1 : 0);
	*n -= len + (nl ? 1 : 0);
	return s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool quiet;
	struct hk_authsess_params p;
	struct hk_auth_result res = HK_AUTH_RESULT_INIT;
	struct hk_auth_io io = {
		.send_line = io_send_line, .read_reply = io_read_reply,
		.side_open = io_side_open, .side_close = io_side_close,
		.sleep = io_sleep,
	};
	struct hk_auth_opt opts[2];
	char wait[2], *user, *pass = NULL, *authzid = NULL;
	const uint8_t *rest;
	size_t rest_len;
	char *greeting = NULL;
	uint8_t flags;
	enum hk_auth_status st;

	if (!quiet) {
		/* Misbehaviour is checked here; the warnings are noise. */
		hk_log_set_level(HK_LOG_ERR);
		quiet = true;
	}
	if (size < 2)
		return 0;
	memset(&R, 0, sizeof(R));
	R.real = entries[data[0] % N_MODS]();
	R.wrapped = *R.real;
	R.wrapped.step = wrapped_step;
	R.input = data;
	R.input_len = size;
	flags = data[1];
	R.pop3 = (flags & 0x01) != 0;
	rest = data + 2;
	rest_len = size - 2;
	user = take_line(&rest, &rest_len);
	if (flags & 0x04)
		pass = take_line(&rest, &rest_len);
	if (flags & 0x02)
		authzid = take_line(&rest, &rest_len);
	R.password = pass != NULL ? pass : SECRET;
	R.check_secret = pass == NULL;
	R.script = rest;
	R.script_len = rest_len;

	wait[0] = (char)('0' + ((flags >> 3) & 7));
	wait[1] = '\0';
	opts[0] = (struct hk_auth_opt){ "wait", wait };
	opts[1] = (struct hk_auth_opt){ "apop", flags & 0x80 ? "maybe" :
	    flags & 0x40 ? "on" : "off" };

	memset(&p, 0, sizeof(p));
	p.mod = &R.wrapped;
	p.protocol = R.real->kind == HK_AUTHMOD_KIND_SASL ?
	    (R.pop3 ? HK_AUTHMOD_PROTO_POP3 : HK_AUTHMOD_PROTO_SMTP) : 0;
	p.user = user;
	p.password = R.password;
	p.authzid = authzid;
	p.host = "mail.example.com";
	p.opts = opts;
	p.n_opts = 2;
	p.random = fixed_random;

	if (R.real->kind == HK_AUTHMOD_KIND_POP3) {
		const uint8_t *l;
		size_t n;
		if (next_line(&l, &n)) {
			/* The text after "+OK ", as the POP3 client hands it on. */
			if (n >= 4 && memcmp(l, "+OK ", 4) == 0)
				l += 4, n -= 4;
			greeting = fz_strndup(l, n);
		}
	}

	st = hk_auth_run(&p, greeting, &io, &res);

	FZ_CHECK(st == res.status, "returned %d, result says %d", (int)st,
	    (int)res.status);
	FZ_CHECK(st >= HK_AUTH_OK && st <= HK_AUTH_INTERNAL, "status %d",
	    (int)st);
	int ex = hk_auth_status_exit(st);
	FZ_CHECK(ex == 0 || ex == 2 || ex == 4 || ex == 5, "exit status %d", ex);
	FZ_CHECK(!R.side_open, "the side connection was left open");
	FZ_CHECK(R.steps <= 64, "%d steps", R.steps);
	if (st == HK_AUTH_OK) {
		FZ_CHECK(res.message == NULL, "success with a message: %s",
		    res.message);
		FZ_CHECK(R.last_positive, "%s: success after a negative or "
		    "continuation reply (%s)", R.real->name,
		    hk_buf_str(&res.last_reply));
	} else {
		FZ_CHECK(res.message != NULL && res.message[0] != '\0',
		    "failure %d without a message", (int)st);
		FZ_CHECK(strchr(res.message, '\n') == NULL,
		    "a multi-line message: %s", res.message);
		FZ_CHECK(!leaks(res.message, strlen(res.message)),
		    "the password in the result: %s", res.message);
	}
	FZ_CHECK(!leaks(res.last_reply.data, res.last_reply.len),
	    "the password in last_reply");

	if (getenv("FZ_VERBOSE") != NULL)	/* for checking seeds */
		fprintf(stderr, "%s: status %d, %s; last reply: %s\n",
		    R.real->name, (int)st, res.message ? res.message : "ok",
		    hk_buf_str(&res.last_reply));
	hk_auth_result_clear(&res);
	free(greeting);
	free(user);
	free(pass);
	free(authzid);
	return 0;
}
