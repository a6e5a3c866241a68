/* authsess.c - one run of one module's state machine, with every action
 * it returns checked (modload.h, part 2). */
#include "config.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "authsess-private.h"
#include "log.h"
#include "mem.h"
#include "modload.h"

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

	/* What a module is given may be secret (a challenge to answer). */
	hk_buf_init(&s->input, 0, HK_BUF_SECRET);

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
