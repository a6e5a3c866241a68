/* apop.c - POP3 APOP authentication (RFC 1939 §7).
 *
 * START carries the server's greeting; its timestamp ("<pid.clock@host>")
 * and the password give MD5(timestamp || password), sent as
 * "APOP user digest".  A greeting without a valid timestamp means the
 * server does not offer APOP: that is a clear error, never a silent
 * fall-back to USER/PASS.
 */
#include "config.h"

#include <string.h>

#include <hikyaku/authmod.h>

#include "modutil.h"

#define POP3_ARG_MAX 255

struct apop_state {
	struct hkm_buf cmd;
	int sent;
};

static int
apop_start(struct apop_state *st, const struct hk_authmod_session *sess,
    const struct hk_authmod_input *in, struct hk_authmod_action *act)
{
	const char *ts;
	size_t ts_len;
	char digest[33];
	int rc = HK_AUTHMOD_SEND;

	if (!hkm_pop3_arg_ok(sess->user, POP3_ARG_MAX, 0)) {
		act->message = "the user name is empty, too long, or contains a space or control character, which APOP cannot send";
		return HK_AUTHMOD_FAIL_CONFIG;
	}
	if (sess->password[0] == '\0') {
		act->message = "APOP needs a password";
		return HK_AUTHMOD_FAIL_CONFIG;
	}
	if (hkm_apop_timestamp((const char *)in->data, in->len, &ts,
	    &ts_len) < 0) {
		act->message = "the server's greeting has no valid APOP timestamp (<...@...>): the server does not offer APOP; turn APOP off for this server";
		return HK_AUTHMOD_FAIL_PROTOCOL;
	}
	if (hkm_apop_digest(ts, ts_len, sess->password, digest) < 0) {
		act->message = "MD5 failed";
		return HK_AUTHMOD_FAIL_INTERNAL;
	}
	if (hkm_buf_adds(&st->cmd, "APOP ") < 0 ||
	    hkm_buf_adds(&st->cmd, sess->user) < 0 ||
	    hkm_buf_add(&st->cmd, " ", 1) < 0) {
		rc = HK_AUTHMOD_FAIL_INTERNAL;
	} else {
		/* Everything before the digest may be logged. */
		act->log_len = st->cmd.len;
		if (hkm_buf_adds(&st->cmd, digest) < 0)
			rc = HK_AUTHMOD_FAIL_INTERNAL;
	}
	sess->svc->wipe(digest, sizeof(digest));
	if (rc != HK_AUTHMOD_SEND) {
		act->log_len = 0;
		act->message = "out of memory";
		return rc;
	}
	st->sent = 1;
	act->data = st->cmd.p;
	act->len = st->cmd.len;
	return HK_AUTHMOD_SEND;
}

static int
apop_step(void *state, const struct hk_authmod_session *sess,
    const struct hk_authmod_input *in, struct hk_authmod_action *act)
{
	struct apop_state *st = state;

	switch (in->event) {
	case HK_AUTHMOD_EV_START:
		return apop_start(st, sess, in, act);
	case HK_AUTHMOD_EV_REPLY:
		hkm_buf_free(&st->cmd);
		if (!st->sent) {
			act->message = "unexpected reply before APOP was sent";
			return HK_AUTHMOD_FAIL_INTERNAL;
		}
		if (!in->ok) {
			act->message = "the server refused APOP: wrong user name or password, or APOP is not enabled for this mailbox";
			return HK_AUTHMOD_FAIL_AUTH;
		}
		return HK_AUTHMOD_DONE;
	default:
		act->message = "unexpected event for APOP";
		return HK_AUTHMOD_FAIL_INTERNAL;
	}
}

static void
apop_cleanup(void *state, const struct hk_authmod_session *sess)
{
	struct apop_state *st = state;

	hkm_buf_free(&st->cmd);
}

static const struct hk_authmod apop_module = {
	HK_AUTHMOD_HEADER,
	.name = "apop",
	.title = "APOP (RFC 1939 §7)",
	.kind = HK_AUTHMOD_KIND_POP3,
	.protocols = HK_AUTHMOD_PROTO_POP3,
	.sasl_name = NULL,
	.state_size = sizeof(struct apop_state),
	.step = apop_step,
	.cleanup = apop_cleanup,
};

const struct hk_authmod *
HK_AUTHMOD_ENTRY(void)
{
	return &apop_module;
}
