/* plain.c - the SASL PLAIN mechanism (RFC 4616).
 *
 * Client-first: the initial response is authzid NUL authcid NUL passwd,
 * with an empty authzid unless one is configured.  The server should send
 * no challenge; if it sends an empty one (a server that does not take
 * initial responses, or a core that could not fit it on the AUTH line),
 * the same message is sent again.
 */
#include "config.h"

#include <string.h>

#include <hikyaku/authmod.h>

#include "modutil.h"

/* RFC 4616 §2: the fields are at most 255 octets. */
#define PLAIN_FIELD_MAX 255

struct plain_state {
	struct hkm_buf msg;
	int sent;
};

static int
plain_build(struct plain_state *st, const struct hk_authmod_session *sess,
    struct hk_authmod_action *act)
{
	const char *authzid = sess->authzid != NULL ? sess->authzid : "";

	if (sess->user[0] == '\0' || sess->password[0] == '\0') {
		act->message = "PLAIN needs a user name and a password";
		return HK_AUTHMOD_FAIL_CONFIG;
	}
	if (strlen(authzid) > PLAIN_FIELD_MAX ||
	    strlen(sess->user) > PLAIN_FIELD_MAX ||
	    strlen(sess->password) > PLAIN_FIELD_MAX) {
		act->message = "PLAIN allows at most 255 bytes per field";
		return HK_AUTHMOD_FAIL_CONFIG;
	}
	hkm_buf_clear(&st->msg);
	if (hkm_buf_adds(&st->msg, authzid) < 0 ||
	    hkm_buf_add(&st->msg, "", 1) < 0 ||
	    hkm_buf_adds(&st->msg, sess->user) < 0 ||
	    hkm_buf_add(&st->msg, "", 1) < 0 ||
	    hkm_buf_adds(&st->msg, sess->password) < 0) {
		act->message = "out of memory";
		return HK_AUTHMOD_FAIL_INTERNAL;
	}
	act->data = st->msg.p;
	act->len = st->msg.len;
	return HK_AUTHMOD_SEND;
}

static int
plain_step(void *state, const struct hk_authmod_session *sess,
    const struct hk_authmod_input *in, struct hk_authmod_action *act)
{
	struct plain_state *st = state;

	switch (in->event) {
	case HK_AUTHMOD_EV_START:
		st->sent = 1;
		return plain_build(st, sess, act);
	case HK_AUTHMOD_EV_CHALLENGE:
		if (in->len != 0 || st->sent > 1) {
			act->message = "the server sent a challenge to PLAIN";
			return HK_AUTHMOD_FAIL_PROTOCOL;
		}
		st->sent++;
		return plain_build(st, sess, act);
	case HK_AUTHMOD_EV_REPLY:
		hkm_buf_free(&st->msg);
		if (!in->ok) {
			act->message = "the server refused the user name or password";
			return HK_AUTHMOD_FAIL_AUTH;
		}
		return HK_AUTHMOD_DONE;
	default:
		act->message = "unexpected event for PLAIN";
		return HK_AUTHMOD_FAIL_INTERNAL;
	}
}

static void
plain_cleanup(void *state, const struct hk_authmod_session *sess)
{
	struct plain_state *st = state;

	hkm_buf_free(&st->msg);
}

static const struct hk_authmod plain_module = {
	HK_AUTHMOD_HEADER,
	.name = "plain",
	.title = "PLAIN (RFC 4616)",
	.kind = HK_AUTHMOD_KIND_SASL,
	.protocols = HK_AUTHMOD_PROTO_SMTP | HK_AUTHMOD_PROTO_POP3 |
	    HK_AUTHMOD_PROTO_IMAP,
	.sasl_name = "PLAIN",
	.state_size = sizeof(struct plain_state),
	.step = plain_step,
	.cleanup = plain_cleanup,
};

const struct hk_authmod *
HK_AUTHMOD_ENTRY(void)
{
	return &plain_module;
}
