/* modload.c - loading auth modules, and running their sessions. */
#include "config.h"

#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "log.h"
#include "mem.h"
#include "modload.h"
#include "../modules/modutil.h"

/* Largest per-session state a module may ask for. */
#define MOD_STATE_MAX 65536
/* Most events one session may take: the longest shipped one takes 6. */
#define SESS_STEPS_MAX 64
/* Largest decoded server challenge the driver passes on. */
#define CHALLENGE_MAX 8192
/* Longest POP3 command line a module may send, CRLF included: RFC 2449
 * says 255, but APOP with a long user name needs more, and servers cope. */
#define POP3_CMD_MAX 512
/* Longest wait a PRESEND module may ask for, in seconds. */
#define WAIT_MAX 300

/* ---- 1. The module set ---------------------------------------------- */

struct hk_modset_ent {
	struct hk_authmod desc;	/* our copy, zero-filled past the module's size */
	char *file;
	void *handle;
};

struct hk_modset {
	struct hk_modset_ent *v;
	size_t n, cap;
};

const char *
hk_authmod_kind_name(enum hk_authmod_kind kind)
{
	switch (kind) {
	case HK_AUTHMOD_KIND_SASL:
		return "smtp-auth";
	case HK_AUTHMOD_KIND_POP3:
		return "pop3-auth";
	case HK_AUTHMOD_KIND_PRESEND:
		return "pre-send";
	}
	return "unknown";
}

static int
valid_name(const char *s)
{
	size_t n;

	if (s == NULL || !((s[0] >= 'a' && s[0] <= 'z') ||
	    (s[0] >= '0' && s[0] <= '9')))
		return 0;
	for (n = 0; s[n] != '\0'; n++) {
		char c = s[n];
		if (n >= 32 || !((c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-'))
			return 0;
	}
	return 1;
}

/* RFC 4422 §3.1: 1-20 characters of [A-Z0-9-_]. */
static int
valid_sasl_name(const char *s)
{
	size_t n;

	if (s == NULL || s[0] == '\0')
		return 0;
	for (n = 0; s[n] != '\0'; n++) {
		char c = s[n];
		if (n >= 20 || !((c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '_'))
			return 0;
	}
	return 1;
}

static int
valid_title(const char *s)
{
	size_t n;

	if (s == NULL || s[0] == '\0')
		return 0;
	for (n = 0; s[n] != '\0'; n++)
		if (n >= 200 || (unsigned char)s[n] < 0x20 || s[n] == 0x7f)
			return 0;
	return 1;
}

/* Checks what the module's entry returned and copies it into *out.
 * Returns NULL, or why the descriptor is refused. */
static const char *
check_desc(const struct hk_authmod *d, struct hk_authmod *out,
    char *why, size_t why_len)
{
	/* The three frozen members first, before anything else is read. */
	if (d->abi_major != HK_AUTHMOD_ABI_MAJOR) {
		snprintf(why, why_len,
		    "it is built for module ABI %u.%u, we have %u.%u",
		    d->abi_major, d->abi_minor, HK_AUTHMOD_ABI_MAJOR,
		    HK_AUTHMOD_ABI_MINOR);
		return why;
	}
	if (d->abi_minor > HK_AUTHMOD_ABI_MINOR) {
		snprintf(why, why_len,
		    "it needs module ABI %u.%u, newer than ours (%u.%u): upgrade hikyaku",
		    d->abi_major, d->abi_minor, HK_AUTHMOD_ABI_MAJOR,
		    HK_AUTHMOD_ABI_MINOR);
		return why;
	}
	if (d->size < HK_AUTHMOD_SIZE_1_0) {
		snprintf(why, why_len,
		    "its descriptor is %u bytes, ABI 1.0 needs at least %zu",
		    d->size, (size_t)HK_AUTHMOD_SIZE_1_0);
		return why;
	}
	memset(out, 0, sizeof(*out));
	memcpy(out, d, d->size < sizeof(*out) ? d->size : sizeof(*out));

	if (!valid_name(out->name))
		return "its name is missing or not 1-32 characters of [a-z0-9._-]";
	if (!valid_title(out->title))
		return "its title is missing, too long or holds control characters";
	if (out->kind != HK_AUTHMOD_KIND_SASL &&
	    out->kind != HK_AUTHMOD_KIND_POP3 &&
	    out->kind != HK_AUTHMOD_KIND_PRESEND)
		return "its kind is unknown";
	if (out->protocols == 0 || (out->protocols & ~(HK_AUTHMOD_PROTO_SMTP |
	    HK_AUTHMOD_PROTO_POP3 | HK_AUTHMOD_PROTO_IMAP)) != 0)
		return "its protocol set is empty or unknown";
	if (out->kind == HK_AUTHMOD_KIND_SASL ? !valid_sasl_name(out->sasl_name)
	    : out->sasl_name != NULL)
		return "its SASL mechanism name is missing, invalid, or set for a non-SASL kind";
	if (out->kind == HK_AUTHMOD_KIND_POP3 &&
	    !(out->protocols & HK_AUTHMOD_PROTO_POP3))
		return "a POP3 login module must serve POP3";
	if (out->state_size > MOD_STATE_MAX)
		return "its per-session state is larger than 64 KiB";
	if (out->step == NULL)
		return "it has no step function";
	return NULL;
}

static int
ends_with_so(const char *name)
{
	size_t n = strlen(name);

	return n > 3 && strcmp(name + n - 3, ".so") == 0;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int
cmp_ent(const void *a, const void *b)
{
	const struct hk_modset_ent *x = a, *y = b;

	return strcmp(x->desc.name, y->desc.name);
}

/* Loads one file into the set, or logs why not. */
static void
load_one(struct hk_modset *set, const char *path)
{
	const struct hk_authmod *(*entry)(void);
	const struct hk_authmod *d;
	struct hk_authmod desc;
	struct stat st;
	char why[256];
	const char *err;
	void *h;

	if (stat(path, &st) < 0) {
		hk_warn("auth module %s refused: %s", path, strerror(errno));
		return;
	}
	if (!S_ISREG(st.st_mode)) {
		hk_warn("auth module %s refused: not a regular file", path);
		return;
	}
	/* Anyone who can write the file can run code in every worker. */
	if (st.st_mode & (S_IWGRP | S_IWOTH)) {
		hk_warn("auth module %s refused: it is group- or world-writable (mode %04o)",
		    path, (unsigned)(st.st_mode & 07777));
		return;
	}
	dlerror();
	h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (h == NULL) {
		err = dlerror();
		hk_warn("auth module %s refused: cannot load it: %s", path,
		    err != NULL ? err : "unknown dlopen error");
		return;
	}
	dlerror();
	*(void **)&entry = dlsym(h, HK_AUTHMOD_ENTRY_NAME);
	if (entry == NULL) {
		hk_warn("auth module %s refused: it has no entry symbol %s (not a hikyaku module?)",
		    path, HK_AUTHMOD_ENTRY_NAME);
		dlclose(h);
		return;
	}
	d = entry();
	if (d == NULL) {
		hk_warn("auth module %s refused: its entry %s returned no descriptor",
		    path, HK_AUTHMOD_ENTRY_NAME);
		dlclose(h);
		return;
	}
	if ((err = check_desc(d, &desc, why, sizeof(why))) != NULL) {
		hk_warn("auth module %s refused: %s", path, err);
		dlclose(h);
		return;
	}
	for (size_t i = 0; i < set->n; i++) {
		if (strcmp(set->v[i].desc.name, desc.name) == 0) {
			hk_warn("auth module %s refused: the name \"%s\" is already taken by %s",
			    path, desc.name, set->v[i].file);
			dlclose(h);
			return;
		}
	}
	if (set->n == set->cap) {
		set->cap = set->cap ? set->cap * 2 : 8;
		set->v = hk_realloc(set->v, set->cap * sizeof(*set->v));
	}
	set->v[set->n].desc = desc;
	set->v[set->n].file = hk_strdup(path);
	set->v[set->n].handle = h;
	set->n++;
}

struct hk_modset *
hk_modset_load(const char *dir)
{
	struct hk_modset *set = hk_calloc(1, sizeof(*set));
	char **names = NULL;
	size_t n = 0, cap = 0;
	struct dirent *de;
	DIR *d;

	if (dir == NULL || (d = opendir(dir)) == NULL) {
		hk_warn("auth module directory %s: %s: no auth modules loaded",
		    dir != NULL ? dir : "(none)",
		    dir != NULL ? strerror(errno) : "not configured");
		return set;
	}
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.' || !ends_with_so(de->d_name))
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			names = hk_realloc(names, cap * sizeof(*names));
		}
		names[n++] = hk_strdup(de->d_name);
	}
	closedir(d);
	/* File-name order: which of two same-named modules wins does not
	 * depend on the file system. */
	if (n > 0)
		qsort(names, n, sizeof(*names), cmp_str);
	for (size_t i = 0; i < n; i++) {
		char *path = hk_aprintf("%s/%s", dir, names[i]);

		load_one(set, path);
		free(path);
		free(names[i]);
	}
	free(names);
	if (set->n > 0)
		qsort(set->v, set->n, sizeof(*set->v), cmp_ent);
	return set;
}

void
hk_modset_free(struct hk_modset **setp)
{
	struct hk_modset *set = *setp;

	if (set == NULL)
		return;
	for (size_t i = 0; i < set->n; i++) {
		free(set->v[i].file);
		dlclose(set->v[i].handle);
	}
	free(set->v);
	free(set);
	*setp = NULL;
}

size_t
hk_modset_count(const struct hk_modset *set)
{
	return set != NULL ? set->n : 0;
}

const struct hk_authmod *
hk_modset_at(const struct hk_modset *set, size_t i)
{
	return set != NULL && i < set->n ? &set->v[i].desc : NULL;
}

const char *
hk_modset_file(const struct hk_modset *set, size_t i)
{
	return set != NULL && i < set->n ? set->v[i].file : NULL;
}

const struct hk_authmod *
hk_modset_find(const struct hk_modset *set, const char *name,
    enum hk_authmod_kind kind)
{
	if (set == NULL || name == NULL)
		return NULL;
	for (size_t i = 0; i < set->n; i++) {
		const struct hk_authmod *m = &set->v[i].desc;

		if (strcmp(m->name, name) == 0 &&
		    (kind == 0 || m->kind == kind))
			return m;
	}
	return NULL;
}

void
hk_modset_print(const struct hk_modset *set, FILE *out)
{
	for (size_t i = 0; i < hk_modset_count(set); i++) {
		const struct hk_authmod *m = &set->v[i].desc;

		fprintf(out, "%s\t%s\t%u.%u\t%s\n", m->name,
		    hk_authmod_kind_name(m->kind), m->abi_major, m->abi_minor,
		    set->v[i].file);
	}
}

/* ---- 2. Sessions ---------------------------------------------------- */

struct hk_authsess {
	const struct hk_authmod *mod;
	struct hk_authmod_services svc;
	struct hk_authmod_session sess;
	char *user, *password, *authzid, *host;
	struct hk_auth_opt *opts;
	size_t n_opts;
	void (*random)(void *ctx, void *p, size_t n);
	void *random_ctx;
	void *state;
	struct hk_buf input;	/* NUL-terminated copy of the last input */
	int started, finished, steps;
};

static void
svc_log(void *ctx, enum hk_authmod_log_level level, const char *fmt, ...)
{
	struct hk_authsess *s = ctx;
	enum hk_log_level l;
	char line[1024];
	va_list ap;

	switch (level) {
	case HK_AUTHMOD_LOG_ERR: l = HK_LOG_ERR; break;
	case HK_AUTHMOD_LOG_WARN: l = HK_LOG_WARN; break;
	case HK_AUTHMOD_LOG_INFO: l = HK_LOG_INFO; break;
	default: l = HK_LOG_DEBUG; break;
	}
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	hk_log(l, "auth module %s: %s", s->mod->name, line);
}

static void
svc_wipe(void *p, size_t n)
{
	hk_wipe(p, n);
}

static void
svc_random(void *ctx, void *p, size_t n)
{
	struct hk_authsess *s = ctx;

	if (s->random != NULL)
		s->random(s->random_ctx, p, n);
	else
		hk_random(p, n);
}

static const char *
svc_option(void *ctx, const char *key)
{
	struct hk_authsess *s = ctx;

	if (key == NULL)
		return NULL;
	for (size_t i = 0; i < s->n_opts; i++)
		if (strcmp(s->opts[i].key, key) == 0)
			return s->opts[i].value;
	return NULL;
}

static char *
dup_or(const char *s, const char *dflt)
{
	if (s == NULL)
		return dflt != NULL ? hk_strdup(dflt) : NULL;
	return hk_strdup(s);
}

struct hk_authsess *
hk_authsess_new(const struct hk_authsess_params *p)
{
	struct hk_authsess *s = hk_calloc(1, sizeof(*s));

	s->mod = p->mod;
	s->user = dup_or(p->user, "");
	s->password = dup_or(p->password, "");
	s->authzid = dup_or(p->authzid, NULL);
	s->host = dup_or(p->host, NULL);
	if (p->n_opts > 0) {
		s->opts = hk_calloc(p->n_opts, sizeof(*s->opts));
		for (size_t i = 0; i < p->n_opts; i++) {
			s->opts[i].key = hk_strdup(p->opts[i].key);
			s->opts[i].value = dup_or(p->opts[i].value, "");
		}
		s->n_opts = p->n_opts;
	}
	s->random = p->random;
	s->random_ctx = p->random_ctx;

	s->svc.size = sizeof(s->svc);
	s->svc.ctx = s;
	s->svc.log = svc_log;
	s->svc.wipe = svc_wipe;
	s->svc.random = svc_random;
	s->svc.option = svc_option;

	s->sess.size = sizeof(s->sess);
	s->sess.protocol = p->protocol;
	if (s->sess.protocol == 0) {
		/* The lowest protocol bit the module serves. */
		s->sess.protocol = p->mod->protocols & -p->mod->protocols;
	}
	s->sess.user = s->user;
	s->sess.password = s->password;
	s->sess.authzid = s->authzid;
	s->sess.host = s->host;
	s->sess.svc = &s->svc;

	s->state = hk_calloc(1, p->mod->state_size ? p->mod->state_size : 1);
	return s;
}

static int
sess_fail(struct hk_authsess *s, struct hk_authmod_action *act,
    const char *why)
{
	memset(act, 0, sizeof(*act));
	act->message = why;
	s->finished = 1;
	hk_warn("auth module %s misbehaved: %s", s->mod->name, why);
	return HK_AUTHMOD_FAIL_INTERNAL;
}

int
hk_authsess_step(struct hk_authsess *s, enum hk_authmod_event ev, int ok,
    const void *data, size_t len, struct hk_authmod_action *act)
{
	struct hk_authmod_input in;
	enum hk_authmod_kind kind = s->mod->kind;
	int rc;

	memset(act, 0, sizeof(*act));
	if (s->finished) {
		act->message = "the authentication session is already over";
		return HK_AUTHMOD_FAIL_INTERNAL;
	}
	if (!s->started && ev != HK_AUTHMOD_EV_START)
		return sess_fail(s, act, "the session did not start with START");
	if (++s->steps > SESS_STEPS_MAX)
		return sess_fail(s, act, "it did not finish within 64 steps");
	s->started = 1;

	/* A private, NUL-terminated copy: the module sees stable bytes. */
	hk_buf_reset(&s->input);
	hk_buf_append(&s->input, data != NULL ? data : "", data != NULL ? len : 0);
	in.event = ev;
	in.ok = ok ? 1 : 0;
	in.data = (const unsigned char *)s->input.data;
	in.len = s->input.len;

	rc = s->mod->step(s->state, &s->sess, &in, act);
	hk_wipe(s->input.data, s->input.len);

	switch (rc) {
	case HK_AUTHMOD_SEND:
		if (act->data == NULL && act->len > 0)
			return sess_fail(s, act, "it asked to send bytes it did not give");
		if (act->data == NULL)
			act->data = (const unsigned char *)"";
		if (act->log_len > act->len)
			act->log_len = act->len;
		if (kind == HK_AUTHMOD_KIND_SASL)
			act->log_len = 0;
		else if (memchr(act->data, '\r', act->len) != NULL ||
		    memchr(act->data, '\n', act->len) != NULL ||
		    memchr(act->data, '\0', act->len) != NULL)
			return sess_fail(s, act, "it asked to send a line holding CR, LF or NUL");
		return rc;
	case HK_AUTHMOD_EXPECT:
		if (kind != HK_AUTHMOD_KIND_SASL || ev != HK_AUTHMOD_EV_START)
			return sess_fail(s, act, "EXPECT outside a SASL start");
		return rc;
	case HK_AUTHMOD_POP3_OPEN:
	case HK_AUTHMOD_POP3_CLOSE:
	case HK_AUTHMOD_WAIT:
		if (kind != HK_AUTHMOD_KIND_PRESEND)
			return sess_fail(s, act, "a side-connection action from a module that is not pre-send");
		if (rc == HK_AUTHMOD_WAIT && act->seconds > WAIT_MAX)
			act->seconds = WAIT_MAX;
		return rc;
	case HK_AUTHMOD_DONE:
		s->finished = 1;
		return rc;
	case HK_AUTHMOD_FAIL_AUTH:
	case HK_AUTHMOD_FAIL_PROTOCOL:
	case HK_AUTHMOD_FAIL_CONFIG:
	case HK_AUTHMOD_FAIL_INTERNAL:
		s->finished = 1;
		if (act->message == NULL || act->message[0] == '\0')
			act->message = "the authentication module failed without saying why";
		act->data = NULL;
		act->len = 0;
		return rc;
	default:
		return sess_fail(s, act, "it returned an unknown action code");
	}
}

void
hk_authsess_free(struct hk_authsess **sp)
{
	struct hk_authsess *s = *sp;

	if (s == NULL)
		return;
	if (s->started && s->mod->cleanup != NULL)
		s->mod->cleanup(s->state, &s->sess);
	hk_wipe(s->state, s->mod->state_size);
	free(s->state);
	hk_free_secret(s->user);
	hk_free_secret(s->password);
	hk_free_secret(s->authzid);
	free(s->host);
	for (size_t i = 0; i < s->n_opts; i++) {
		free((char *)s->opts[i].key);
		hk_free_secret((char *)s->opts[i].value);
	}
	free(s->opts);
	hk_buf_wipe_free(&s->input);
	free(s);
	*sp = NULL;
}

/* ---- 3. The driver -------------------------------------------------- */

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

/* Per-protocol SASL framing facts (curl's lib/curl_sasl.c idea). */
struct sasl_proto {
	const char *name;
	size_t max_line;	/* longest command line, CRLF included */
};

static const struct sasl_proto proto_smtp = { "SMTP", 512 };	/* RFC 5321 4.5.3.1.4 */
static const struct sasl_proto proto_pop3 = { "POP3", 255 };	/* RFC 5034 §4 */

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

/* Base64 of a SASL response into r->line ("=" for an empty initial one). */
static void
line_b64(struct run *r, const unsigned char *p, size_t n, int initial)
{
	char *enc;

	if (n == 0) {
		if (initial)
			hk_buf_putc(&r->line, '=');
		return;
	}
	enc = hk_malloc(HKM_B64_LEN(n) + 1);
	hkm_b64_encode(p, n, enc);
	hk_buf_puts(&r->line, enc);
	hk_wipe(enc, HKM_B64_LEN(n));
	free(enc);
}

/* Cancels a SASL exchange ("*") after the module gave up, and reads the
 * server's (negative) answer. */
static int
sasl_cancel(struct run *r)
{
	hk_buf_puts(&r->line, "*");
	if (send_line(r, HK_CONN_MAIN, 1) < 0 || read_reply(r, HK_CONN_MAIN) < 0)
		return -1;
	return 0;
}

static enum hk_auth_status
run_sasl(struct run *r)
{
	const struct hk_authmod *mod = r->s->mod;
	const struct sasl_proto *proto = r->s->sess.protocol ==
	    HK_AUTHMOD_PROTO_POP3 ? &proto_pop3 : &proto_smtp;
	struct hk_authmod_action act;
	unsigned char *pending = NULL;	/* an initial response too long for AUTH */
	size_t pending_len = 0, cmd_len;
	int rc;
	enum hk_auth_status st = HK_AUTH_INTERNAL;

	if (r->s->sess.protocol != HK_AUTHMOD_PROTO_SMTP &&
	    r->s->sess.protocol != HK_AUTHMOD_PROTO_POP3)
		return finish(r, HK_AUTH_CONFIG,
		    "%s: the driver speaks SASL over SMTP and POP3 only",
		    mod->name);
	rc = hk_authsess_step(r->s, HK_AUTHMOD_EV_START, 1, NULL, 0, &act);
	if (rc != HK_AUTHMOD_SEND && rc != HK_AUTHMOD_EXPECT)
		return finish(r, rc_status(rc), "%s: %s", mod->name,
		    act.message != NULL ? act.message : "did not start");

	hk_buf_printf(&r->line, "AUTH %s", mod->sasl_name);
	cmd_len = r->line.len;
	if (rc == HK_AUTHMOD_SEND) {
		if (cmd_len + 1 + (act.len ? HKM_B64_LEN(act.len) : 1) + 2 >
		    proto->max_line) {
			/* RFC 4954 §4: too long for the AUTH line, so send it
			 * after the server's empty challenge instead. */
			pending = hk_malloc(act.len + 1);
			memcpy(pending, act.data, act.len);
			pending_len = act.len;
		} else {
			hk_buf_putc(&r->line, ' ');
			line_b64(r, act.data, act.len, 1);
		}
	}
	if (send_line(r, HK_CONN_MAIN, cmd_len) < 0) {
		st = finish(r, HK_AUTH_IO, "the connection failed while sending AUTH");
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
			hk_authsess_step(r->s, HK_AUTHMOD_EV_REPLY, 0,
			    r->reply.text.data, r->reply.text.len, &act);
			st = finish(r, r->reply.code == 504 ? HK_AUTH_PROTOCOL :
			    HK_AUTH_REJECTED,
			    r->reply.code == 504 ?
			    "the server does not accept the %s mechanism: %s" :
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
		if (tl > HKM_B64_LEN(CHALLENGE_MAX)) {
			st = finish(r, HK_AUTH_PROTOCOL,
			    "the server's %s challenge is longer than %d bytes",
			    mod->sasl_name, CHALLENGE_MAX);
			if (sasl_cancel(r) < 0)
				st = finish(r, HK_AUTH_IO, NULL);
			goto out;
		}
		chal = hk_malloc(tl / 4 * 3 + 1);
		chal_len = hkm_b64_decode(t, tl, chal);
		if (chal_len < 0) {
			free(chal);
			st = finish(r, HK_AUTH_PROTOCOL,
			    "the server's %s challenge is not valid base64",
			    mod->sasl_name);
			if (sasl_cancel(r) < 0)
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
				if (sasl_cancel(r) < 0)
					st = finish(r, HK_AUTH_IO, NULL);
				goto out;
			}
			line_b64(r, pending, pending_len, 0);
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
				if (sasl_cancel(r) < 0)
					st = finish(r, HK_AUTH_IO, NULL);
				goto out;
			}
			line_b64(r, act.data, act.len, 0);
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

void
hk_auth_result_clear(struct hk_auth_result *res)
{
	free(res->message);
	res->message = NULL;
	hk_buf_free(&res->last_reply);
	res->status = HK_AUTH_OK;
}
