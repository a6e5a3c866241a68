/* login.c - the SASL LOGIN mechanism (draft-murchison-sasl-login).
 *
 * Server-first: the server prompts twice ("Username:", "Password:") and we
 * answer with the user name, then the password.  The prompts' wording is
 * not checked (servers vary), only their number.
 */
#include "config.h"

#include <string.h>

#include <hikyaku/authmod.h>

struct login_state {
	int prompts;	/* challenges answered so far */
};

static int
login_step(void *state, const struct hk_authmod_session *sess,
    const struct hk_authmod_input *in, struct hk_authmod_action *act)
{
	struct login_state *st = state;

	switch (in->event) {
	case HK_AUTHMOD_EV_START:
		if (sess->user[0] == '\0') {
			act->message = "LOGIN needs a user name";
			return HK_AUTHMOD_FAIL_CONFIG;
		}
		return HK_AUTHMOD_EXPECT;
	case HK_AUTHMOD_EV_CHALLENGE:
		if (st->prompts == 0) {
			st->prompts++;
			act->data = (const unsigned char *)sess->user;
			act->len = strlen(sess->user);
			return HK_AUTHMOD_SEND;
		}
		if (st->prompts == 1) {
			st->prompts++;
			/* The core's copy; it wipes it after the session. */
			act->data = (const unsigned char *)sess->password;
			act->len = strlen(sess->password);
			return HK_AUTHMOD_SEND;
		}
		act->message = "the server sent a third LOGIN prompt";
		return HK_AUTHMOD_FAIL_PROTOCOL;
	case HK_AUTHMOD_EV_REPLY:
		if (!in->ok) {
			act->message = "the server refused the user name or password";
			return HK_AUTHMOD_FAIL_AUTH;
		}
		if (st->prompts < 2) {
			act->message = "the server accepted LOGIN before asking for the password";
			return HK_AUTHMOD_FAIL_PROTOCOL;
		}
		return HK_AUTHMOD_DONE;
	default:
		act->message = "unexpected event for LOGIN";
		return HK_AUTHMOD_FAIL_INTERNAL;
	}
}

static const struct hk_authmod login_module = {
	HK_AUTHMOD_HEADER,
	.name = "login",
	.title = "LOGIN (user name and password, base64)",
	.kind = HK_AUTHMOD_KIND_SASL,
	/* The draft describes IMAP AUTHENTICATE LOGIN too (section 3),
	 * and servers (Dovecot, Exchange) offer it there. */
	.protocols = HK_AUTHMOD_PROTO_SMTP | HK_AUTHMOD_PROTO_POP3 |
	    HK_AUTHMOD_PROTO_IMAP,
	.sasl_name = "LOGIN",
	.state_size = sizeof(struct login_state),
	.step = login_step,
	.cleanup = NULL,
};

const struct hk_authmod *
HK_AUTHMOD_ENTRY(void)
{
	return &login_module;
}
