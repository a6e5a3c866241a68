/* xoauth2.c - an example third-party hikyaku auth module: SASL XOAUTH2.
 *
 * XOAUTH2 (Google, Microsoft) sends a bearer token instead of a password:
 *
 *     user=<user>\x01auth=Bearer <token>\x01\x01
 *
 * as the initial response.  When the server refuses the token it first
 * sends a challenge holding a JSON error; the client answers with an
 * empty response and the server then sends its final failure reply.
 *
 * Configure the account's password as the access token.  Built out of
 * tree against the installed SDK only (see Makefile): it uses nothing of
 * hikyaku but <hikyaku/authmod.h> and the services table.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hikyaku/authmod.h>

struct xoauth2_state {
	unsigned char *msg;	/* the initial response */
	size_t len;
	int refused;		/* the server sent its error challenge */
	char error[120];
};

static int
xoauth2_start(struct xoauth2_state *st, const struct hk_authmod_session *sess,
    struct hk_authmod_action *act)
{
	static const char a[] = "user=", b[] = "\001auth=Bearer ",
	    c[] = "\001\001";
	size_t ul = strlen(sess->user), tl = strlen(sess->password);

	if (ul == 0 || tl == 0) {
		act->message = "XOAUTH2 needs a user name and an access token (the password field)";
		return HK_AUTHMOD_FAIL_CONFIG;
	}
	/* \001 would end a field early. */
	if (strchr(sess->user, '\001') != NULL ||
	    strchr(sess->password, '\001') != NULL) {
		act->message = "the user name or token contains a ^A byte";
		return HK_AUTHMOD_FAIL_CONFIG;
	}
	st->len = sizeof(a) - 1 + ul + sizeof(b) - 1 + tl + sizeof(c) - 1;
	st->msg = malloc(st->len);
	if (st->msg == NULL) {
		act->message = "out of memory";
		return HK_AUTHMOD_FAIL_INTERNAL;
	}
	unsigned char *p = st->msg;
	memcpy(p, a, sizeof(a) - 1);
	p += sizeof(a) - 1;
	memcpy(p, sess->user, ul);
	p += ul;
	memcpy(p, b, sizeof(b) - 1);
	p += sizeof(b) - 1;
	memcpy(p, sess->password, tl);
	p += tl;
	memcpy(p, c, sizeof(c) - 1);
	act->data = st->msg;
	act->len = st->len;
	return HK_AUTHMOD_SEND;
}

/* Keeps the JSON error's "status" value (e.g. 401) for the message.  The
 * core NUL-terminates in->data, so string functions are safe on it. */
static void
xoauth2_error(struct xoauth2_state *st, const unsigned char *p)
{
	const char *s = strstr((const char *)p, "\"status\"");
	size_t k = 0;

	if (s != NULL && (s = strchr(s, ':')) != NULL) {
		for (s++; *s == ' ' || *s == '"'; s++)
			;
		while (k < 3 && s[k] >= '0' && s[k] <= '9')
			k++;
	}
	if (k > 0)
		snprintf(st->error, sizeof(st->error),
		    "the server refused the access token (status %.*s)",
		    (int)k, s);
	else
		snprintf(st->error, sizeof(st->error),
		    "the server refused the access token");
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
		if (st->refused) {
			act->message = "the server sent a second XOAUTH2 challenge";
			return HK_AUTHMOD_FAIL_PROTOCOL;
		}
		/* The error challenge (in->data is NUL-terminated). */
		st->refused = 1;
		xoauth2_error(st, in->data);
		sess->svc->log(sess->svc->ctx, HK_AUTHMOD_LOG_DEBUG, "%s",
		    st->error);
		act->data = (const unsigned char *)"";
		act->len = 0;
		return HK_AUTHMOD_SEND;
	case HK_AUTHMOD_EV_REPLY:
		if (in->ok && !st->refused)
			return HK_AUTHMOD_DONE;
		act->message = st->refused ? st->error :
		    "the server refused the access token";
		return HK_AUTHMOD_FAIL_AUTH;
	default:
		act->message = "unexpected event for XOAUTH2";
		return HK_AUTHMOD_FAIL_INTERNAL;
	}
}

static void
xoauth2_cleanup(void *state, const struct hk_authmod_session *sess)
{
	struct xoauth2_state *st = state;

	if (st->msg != NULL) {
		sess->svc->wipe(st->msg, st->len);	/* holds the token */
		free(st->msg);
		st->msg = NULL;
	}
}

static const struct hk_authmod xoauth2_module = {
	HK_AUTHMOD_HEADER,
	.name = "xoauth2",
	.title = "XOAUTH2 (OAuth 2.0 bearer token; example module)",
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
