/* xoauth2.c - the XOAUTH2 SASL mechanism of Google and Microsoft.
 *
 * Client-first: the initial response is
 *     "user=" user ^A "auth=Bearer " token ^A ^A
 * where the token (an OAuth 2.0 access token the core obtained) comes as
 * the session's password.  A server that refuses the token answers with
 * a continuation holding a base64 JSON error ({"status":"401",...}); the
 * documented answer is an empty response, after which the server sends
 * its final refusal.  The JSON's status goes into the failure message.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <hikyaku/authmod.h>

#include "modutil.h"

struct xoauth2_state {
	struct hkm_buf msg;
	int sent;		/* the initial response went out */
	int errored;		/* the server sent its error challenge */
	char status[64];	/* the error's "status" */
	char message[160];
};

static int
xoauth2_start(struct xoauth2_state *st, const struct hk_authmod_session *sess,
    struct hk_authmod_action *act)
{
	size_t ul = strlen(sess->user), tl = strlen(sess->password);

	if (ul == 0 || tl == 0) {
		act->message = "XOAUTH2 needs a user name and an access token";
		return HK_AUTHMOD_FAIL_CONFIG;
	}
	/* ^A separates the fields: neither may hold one. */
	if (!hkm_lacks(sess->user, ul, 0x01) ||
	    !hkm_lacks(sess->password, tl, 0x01)) {
		act->message = "the user name or access token holds a control character";
		return HK_AUTHMOD_FAIL_CONFIG;
	}
	if (hkm_buf_adds(&st->msg, "user=") < 0 ||
	    hkm_buf_adds(&st->msg, sess->user) < 0 ||
	    hkm_buf_adds(&st->msg, "\001auth=Bearer ") < 0 ||
	    hkm_buf_adds(&st->msg, sess->password) < 0 ||
	    hkm_buf_adds(&st->msg, "\001\001") < 0) {
		act->message = "out of memory";
		return HK_AUTHMOD_FAIL_INTERNAL;
	}
	st->sent = 1;
	act->data = st->msg.p;
	act->len = st->msg.len;
	return HK_AUTHMOD_SEND;
}

static int
xoauth2_step(void *state, const struct hk_authmod_session *sess,
    const struct hk_authmod_input *in, struct hk_authmod_action *act)
{
	struct xoauth2_state *st = state;

	switch (in->event) {
	case HK_AUTHMOD_EV_START:
		return xoauth2_start(st, sess, act);
	case HK_AUTHMOD_EV_CHALLENGE:
		hkm_buf_free(&st->msg);
		if (st->errored) {
			act->message = "the server sent a second challenge to XOAUTH2";
			return HK_AUTHMOD_FAIL_PROTOCOL;
		}
		st->errored = 1;
		if (hkm_json_string(in->data, in->len, "status", st->status,
		    sizeof(st->status)) < 0)
			snprintf(st->status, sizeof(st->status), "unknown");
		/* An empty response: the server then sends its refusal. */
		act->data = NULL;
		act->len = 0;
		return HK_AUTHMOD_SEND;
	case HK_AUTHMOD_EV_REPLY:
		hkm_buf_free(&st->msg);
		if (in->ok && !st->errored)
			return HK_AUTHMOD_DONE;
		if (st->errored)
			snprintf(st->message, sizeof(st->message),
			    "the server refused the access token (status %s)",
			    st->status);
		else
			snprintf(st->message, sizeof(st->message),
			    "the server refused the access token");
		act->message = st->message;
		return in->ok ? HK_AUTHMOD_FAIL_PROTOCOL : HK_AUTHMOD_FAIL_AUTH;
	default:
		act->message = "unexpected event for XOAUTH2";
		return HK_AUTHMOD_FAIL_INTERNAL;
	}
}

static void
xoauth2_cleanup(void *state, const struct hk_authmod_session *sess)
{
	struct xoauth2_state *st = state;

	hkm_buf_free(&st->msg);
}

static const struct hk_authmod xoauth2_module = {
	HK_AUTHMOD_HEADER,
	.name = "xoauth2",
	.title = "XOAUTH2 (OAuth 2.0 bearer token, Google and Microsoft)",
	.kind = HK_AUTHMOD_KIND_SASL,
	.protocols = HK_AUTHMOD_PROTO_SMTP | HK_AUTHMOD_PROTO_POP3 |
	    HK_AUTHMOD_PROTO_IMAP,
	.sasl_name = "XOAUTH2",
	.state_size = sizeof(struct xoauth2_state),
	.step = xoauth2_step,
	.cleanup = xoauth2_cleanup,
};

const struct hk_authmod *
HK_AUTHMOD_ENTRY(void)
{
	return &xoauth2_module;
}
