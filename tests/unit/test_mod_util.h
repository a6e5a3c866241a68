/* test_mod_util.h - drives one auth module's step function with byte
 * buffers and a fake services table (fixed random bytes, options, a log
 * that is kept for inspection).  Included by tests/unit/test_mod_*.c,
 * each of which links exactly one module's source. */
#ifndef HK_TEST_MOD_UTIL_H
#define HK_TEST_MOD_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <openssl/crypto.h>

#include <hikyaku/authmod.h>

#include "base64.h"

struct mt {
	const struct hk_authmod *mod;
	void *state;
	struct hk_authmod_services svc;
	struct hk_authmod_session sess;
	struct hk_authmod_action act;
	int rc;
	unsigned char *input;		/* the last input, NUL-terminated */
	const unsigned char *rand;	/* bytes random() hands out */
	size_t rand_len;
	const char *opt_key[4], *opt_val[4];
	int n_opts;
	char log[2048];
	int wipes;
};

static __attribute__((unused)) void
mt_log(void *ctx, enum hk_authmod_log_level level, const char *fmt, ...)
{
	struct mt *t = ctx;
	size_t n = strlen(t->log);
	va_list ap;

	(void)level;
	va_start(ap, fmt);
	vsnprintf(t->log + n, sizeof(t->log) - n, fmt, ap);
	va_end(ap);
}

static __attribute__((unused)) void
mt_wipe(void *p, size_t n)
{
	OPENSSL_cleanse(p, n);
}

static struct mt *mt_current;

static __attribute__((unused)) void
mt_wipe_counted(void *p, size_t n)
{
	if (mt_current != NULL)
		mt_current->wipes++;
	mt_wipe(p, n);
}

static __attribute__((unused)) void
mt_random(void *ctx, void *p, size_t n)
{
	struct mt *t = ctx;
	unsigned char *o = p;

	assert_non_null(t->rand);
	for (size_t i = 0; i < n; i++)
		o[i] = t->rand[i % t->rand_len];
}

static __attribute__((unused)) const char *
mt_option(void *ctx, const char *key)
{
	struct mt *t = ctx;

	for (int i = 0; i < t->n_opts; i++)
		if (strcmp(t->opt_key[i], key) == 0)
			return t->opt_val[i];
	return NULL;
}

static __attribute__((unused)) void
mt_init(struct mt *t, const char *user, const char *password,
    const char *authzid)
{
	memset(t, 0, sizeof(*t));
	t->mod = HK_AUTHMOD_ENTRY();
	assert_non_null(t->mod);
	assert_int_equal(t->mod->abi_major, HK_AUTHMOD_ABI_MAJOR);
	assert_int_equal(t->mod->size, sizeof(struct hk_authmod));
	t->state = calloc(1, t->mod->state_size ? t->mod->state_size : 1);
	assert_non_null(t->state);
	t->svc.size = sizeof(t->svc);
	t->svc.ctx = t;
	t->svc.log = mt_log;
	t->svc.wipe = mt_wipe_counted;
	t->svc.random = mt_random;
	t->svc.option = mt_option;
	t->sess.size = sizeof(t->sess);
	t->sess.protocol = t->mod->protocols & -t->mod->protocols;
	t->sess.user = user;
	t->sess.password = password;
	t->sess.authzid = authzid;
	t->sess.host = "mail.example.net";
	t->sess.svc = &t->svc;
	mt_current = t;
}

static __attribute__((unused)) void
mt_option_set(struct mt *t, const char *key, const char *value)
{
	t->opt_key[t->n_opts] = key;
	t->opt_val[t->n_opts] = value;
	t->n_opts++;
}

/* One step; the input is copied and NUL-terminated as the core does.
 * Checks invariants every module must keep, whatever the input. */
static __attribute__((unused)) int
mt_step(struct mt *t, enum hk_authmod_event ev, int ok, const void *data,
    size_t len)
{
	struct hk_authmod_input in;

	free(t->input);
	t->input = malloc(len + 1);
	assert_non_null(t->input);
	if (len > 0)
		memcpy(t->input, data, len);
	t->input[len] = '\0';
	in.event = ev;
	in.ok = ok;
	in.data = t->input;
	in.len = len;
	memset(&t->act, 0, sizeof(t->act));
	t->rc = t->mod->step(t->state, &t->sess, &in, &t->act);
	if (t->rc >= HK_AUTHMOD_FAIL_AUTH) {
		assert_non_null(t->act.message);
		/* A module's error text never holds a secret. */
		if (t->sess.password[0] != '\0')
			assert_null(strstr(t->act.message, t->sess.password));
	}
	if (t->rc == HK_AUTHMOD_SEND) {
		assert_true(t->act.data != NULL || t->act.len == 0);
		assert_true(t->act.log_len <= t->act.len);
	}
	if (t->sess.password[0] != '\0')
		assert_null(strstr(t->log, t->sess.password));
	return t->rc;
}

static __attribute__((unused)) int
mt_steps(struct mt *t, enum hk_authmod_event ev, int ok, const char *s)
{
	return mt_step(t, ev, ok, s, strlen(s));
}

/* Asserts that the last action is SEND of exactly s. */
static __attribute__((unused)) void
mt_assert_send(const struct mt *t, const char *s)
{
	assert_int_equal(t->rc, HK_AUTHMOD_SEND);
	assert_int_equal(t->act.len, strlen(s));
	assert_memory_equal(t->act.data, s, t->act.len);
}

/* Asserts that the last action is SEND of what base64 b64 encodes. */
static __attribute__((unused)) void
mt_assert_send_b64(const struct mt *t, const char *b64)
{
	char out[512];

	assert_int_equal(t->rc, HK_AUTHMOD_SEND);
	assert_true(HK_B64_LEN(t->act.len) < sizeof(out));
	hk_b64_encode(t->act.data, t->act.len, out);
	assert_string_equal(out, b64);
}

static __attribute__((unused)) void
mt_free(struct mt *t)
{
	if (t->mod->cleanup != NULL)
		t->mod->cleanup(t->state, &t->sess);
	free(t->state);
	free(t->input);
	t->state = NULL;
	t->input = NULL;
	mt_current = NULL;
}

#endif
