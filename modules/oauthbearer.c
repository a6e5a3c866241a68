/* oauthbearer.c - the OAUTHBEARER SASL mechanism (RFC 7628).
 *
 * Client-first: the initial response is a GS2 header without channel
 * binding ("n,a=" authzid ","), then key=value pairs each ended by ^A:
 * host and port of the server when known (the port comes as the session
 * option "port"), and "auth=Bearer " with the access token the core hands
 * over as the session's password; a final ^A ends the message.
 *
 * A server that refuses the token sends an error challenge, a JSON object
 * with "status" (and maybe "scope", "openid-configuration"); RFC 7628
 * §3.2.3 has the client answer with a single ^A, after which the server
 * sends its final refusal.  The status and scope go into the message.
 */
#include "config.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <hikyaku/authmod.h>

#include "modutil.h"

struct oauthbearer_state {
	struct hkm_buf msg;
	int errored;		/* the server sent its error challenge */
	char status[64];
	char scope[256];
	char message[400];
};

/* The GS2 saslname (RFC 5801 §4): ',' and '=' are escaped. */
static int
add_saslname(struct hkm_buf *b, const char *s)
{
	for (; *s != '\0'; s++) {
		int rc = *s == ',' ? hkm_buf_adds(b, "=2C") :
		    *s == '=' ? hkm_buf_adds(b, "=3D") : hkm_buf_add(b, s, 1);

		if (rc < 0)
			return -1;
	}
	return 0;
}

/* Is s fit for a kvpair value (RFC 7628 §3.1: no ^A, printable)? */
static int
value_ok(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 0;
	return 1;
}

static const char *
port_option(const struct hk_authmod_session *sess)
{
	const struct hk_authmod_services *svc = sess->svc;

	if (svc == NULL || svc->size < offsetof(struct hk_authmod_services,
	    option) + sizeof(svc->option) || svc->option == NULL)
		return NULL;
	return svc->option(svc->ctx, "port");
}

static int
oauthbearer_start(struct oauthbearer_state *st,
    const struct hk_authmod_session *sess, struct hk_authmod_action *act)
{
	const char *authzid = sess->authzid != NULL && *sess->authzid != '\0' ?
	    sess->authzid : sess->user;
	const char *port = port_option(sess);
	int rc = 0;

	if (sess->password[0] == '\0') {
		act->message = "OAUTHBEARER needs an access token";
		return HK_AUTHMOD_FAIL_CONFIG;
	}
	if (!value_ok(authzid) || !value_ok(sess->password) ||
	    (sess->host != NULL && !value_ok(sess->host)) ||
	    (port != NULL && !value_ok(port))) {
		act->message = "the user name, host or access token holds a control character";
		return HK_AUTHMOD_FAIL_CONFIG;
	}
	rc |= hkm_buf_adds(&st->msg, "n,");
	if (*authzid != '\0') {
		rc |= hkm_buf_adds(&st->msg, "a=");
		rc |= add_saslname(&st->msg, authzid);
	}
	rc |= hkm_buf_adds(&st->msg, ",");
	if (sess->host != NULL && *sess->host != '\0') {
		rc |= hkm_buf_adds(&st->msg, "\001host=");
		rc |= hkm_buf_adds(&st->msg, sess->host);
	}
	if (port != NULL && *port != '\0') {
		rc |= hkm_buf_adds(&st->msg, "\001port=");
		rc |= hkm_buf_adds(&st->msg, port);
	}
	rc |= hkm_buf_adds(&st->msg, "\001auth=Bearer ");
	rc |= hkm_buf_adds(&st->msg, sess->password);
	rc |= hkm_buf_adds(&st->msg, "\001\001");
	if (rc != 0) {
		act->message = "out of memory";
		return HK_AUTHMOD_FAIL_INTERNAL;
	}
	act->data = st->msg.p;
	act->len = st->msg.len;
	return HK_AUTHMOD_SEND;
}

static int
oauthbearer_step(void *state, const struct hk_authmod_session *sess,
    const struct hk_authmod_input *in, struct hk_authmod_action *act)
{
	static const unsigned char kvsep = 0x01;
	struct oauthbearer_state *st = state;

	switch (in->event) {
	case HK_AUTHMOD_EV_START:
		return oauthbearer_start(st, sess, act);
	case HK_AUTHMOD_EV_CHALLENGE:
		hkm_buf_free(&st->msg);
		if (st->errored) {
			act->message = "the server sent a second challenge to OAUTHBEARER";
			return HK_AUTHMOD_FAIL_PROTOCOL;
		}
		st->errored = 1;
		if (hkm_json_string(in->data, in->len, "status", st->status,
		    sizeof(st->status)) < 0)
			snprintf(st->status, sizeof(st->status), "unknown");
		if (hkm_json_string(in->data, in->len, "scope", st->scope,
		    sizeof(st->scope)) < 0)
			st->scope[0] = '\0';
		/* RFC 7628 §3.2.3: the dummy response ends the exchange. */
		act->data = &kvsep;
		act->len = 1;
		return HK_AUTHMOD_SEND;
	case HK_AUTHMOD_EV_REPLY:
		hkm_buf_free(&st->msg);
		if (in->ok && !st->errored)
			return HK_AUTHMOD_DONE;
		if (!st->errored)
			snprintf(st->message, sizeof(st->message),
			    "the server refused the access token");
		else if (st->scope[0] != '\0')
			snprintf(st->message, sizeof(st->message),
			    "the server refused the access token (status %s, scope %s)",
			    st->status, st->scope);
		else
			snprintf(st->message, sizeof(st->message),
			    "the server refused the access token (status %s)",
			    st->status);
		act->message = st->message;
		/* Success after an error challenge breaks RFC 7628. */
		return in->ok ? HK_AUTHMOD_FAIL_PROTOCOL : HK_AUTHMOD_FAIL_AUTH;
	default:
		act->message = "unexpected event for OAUTHBEARER";
		return HK_AUTHMOD_FAIL_INTERNAL;
	}
}

static void
oauthbearer_cleanup(void *state, const struct hk_authmod_session *sess)
{
	struct oauthbearer_state *st = state;

	hkm_buf_free(&st->msg);
}

static const struct hk_authmod oauthbearer_module = {
	HK_AUTHMOD_HEADER,
	.name = "oauthbearer",
	.title = "OAUTHBEARER (RFC 7628)",
	.kind = HK_AUTHMOD_KIND_SASL,
	.protocols = HK_AUTHMOD_PROTO_SMTP | HK_AUTHMOD_PROTO_POP3 |
	    HK_AUTHMOD_PROTO_IMAP,
	.sasl_name = "OAUTHBEARER",
	.state_size = sizeof(struct oauthbearer_state),
	.step = oauthbearer_step,
	.cleanup = oauthbearer_cleanup,
};

const struct hk_authmod *
HK_AUTHMOD_ENTRY(void)
{
	return &oauthbearer_module;
}
