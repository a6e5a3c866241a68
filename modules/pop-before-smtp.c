/* pop-before-smtp.c - POP before SMTP: a POP3 login, then a wait.
 *
 * Some servers relay mail only for an address that logged in by POP3 a
 * moment before.  The module asks the core to open a POP3 connection to
 * the account's receiving server, logs in (USER/PASS, or APOP when the
 * option "apop" is "on"), closes it, and waits the option "wait" seconds
 * (0-5, default 0) before the core goes on to SMTP.
 *
 * Options: wait = 0..5, apop = on|off.
 */
#include "config.h"

#include <string.h>

#include <hikyaku/authmod.h>

#include "modutil.h"

#define POP3_ARG_MAX 255
#define PBS_WAIT_MAX 5

enum pbs_phase { PBS_INIT, PBS_OPENING, PBS_SENT_USER, PBS_SENT_PASS,
	PBS_SENT_APOP, PBS_CLOSING, PBS_WAITING };

struct pbs_state {
	enum pbs_phase phase;
	unsigned int wait;
	int apop;
	struct hkm_buf cmd;
};

static int
pbs_options(struct pbs_state *st, const struct hk_authmod_session *sess,
    struct hk_authmod_action *act)
{
	const struct hk_authmod_services *svc = sess->svc;
	const char *wait = svc->option(svc->ctx, "wait");
	const char *apop = svc->option(svc->ctx, "apop");

	st->wait = 0;
	if (wait != NULL && wait[0] != '\0') {
		if (wait[1] != '\0' || wait[0] < '0' ||
		    wait[0] > '0' + PBS_WAIT_MAX) {
			act->message = "the POP-before-SMTP wait must be a whole number of seconds from 0 to 5";
			return -1;
		}
		st->wait = (unsigned int)(wait[0] - '0');
	}
	if (apop == NULL || strcmp(apop, "off") == 0 || apop[0] == '\0')
		st->apop = 0;
	else if (strcmp(apop, "on") == 0)
		st->apop = 1;
	else {
		act->message = "the POP-before-SMTP apop option must be on or off";
		return -1;
	}
	return 0;
}

/* Builds "VERB arg" in st->cmd; the argument is logged unless secret. */
static int
pbs_command(struct pbs_state *st, const char *verb, const char *arg,
    int secret, struct hk_authmod_action *act)
{
	hkm_buf_clear(&st->cmd);
	if (hkm_buf_adds(&st->cmd, verb) < 0 ||
	    hkm_buf_add(&st->cmd, " ", 1) < 0) {
		act->message = "out of memory";
		return HK_AUTHMOD_FAIL_INTERNAL;
	}
	act->log_len = secret ? st->cmd.len : st->cmd.len + strlen(arg);
	if (hkm_buf_adds(&st->cmd, arg) < 0) {
		act->log_len = 0;
		act->message = "out of memory";
		return HK_AUTHMOD_FAIL_INTERNAL;
	}
	act->data = st->cmd.p;
	act->len = st->cmd.len;
	return HK_AUTHMOD_SEND;
}

static int
pbs_opened(struct pbs_state *st, const struct hk_authmod_session *sess,
    const struct hk_authmod_input *in, struct hk_authmod_action *act)
{
	const char *ts;
	size_t ts_len;
	char digest[33];
	int rc;

	if (!in->ok) {
		act->message = "the POP3 server's greeting was not +OK";
		return HK_AUTHMOD_FAIL_PROTOCOL;
	}
	if (!st->apop) {
		st->phase = PBS_SENT_USER;
		return pbs_command(st, "USER", sess->user, 0, act);
	}
	if (hkm_apop_timestamp((const char *)in->data, in->len, &ts,
	    &ts_len) < 0) {
		act->message = "the POP3 server's greeting has no valid APOP timestamp (<...@...>): it does not offer APOP; turn APOP off for this server";
		return HK_AUTHMOD_FAIL_PROTOCOL;
	}
	if (hkm_apop_digest(ts, ts_len, sess->password, digest) < 0) {
		act->message = "MD5 failed";
		return HK_AUTHMOD_FAIL_INTERNAL;
	}
	hkm_buf_clear(&st->cmd);
	rc = hkm_buf_adds(&st->cmd, "APOP ") < 0 ||
	    hkm_buf_adds(&st->cmd, sess->user) < 0 ||
	    hkm_buf_add(&st->cmd, " ", 1) < 0;
	/* "APOP user " may be logged, the digest not. */
	act->log_len = st->cmd.len;
	rc = rc || hkm_buf_adds(&st->cmd, digest) < 0;
	sess->svc->wipe(digest, sizeof(digest));
	if (rc) {
		act->log_len = 0;
		act->message = "out of memory";
		return HK_AUTHMOD_FAIL_INTERNAL;
	}
	st->phase = PBS_SENT_APOP;
	act->data = st->cmd.p;
	act->len = st->cmd.len;
	return HK_AUTHMOD_SEND;
}

static int
pbs_step(void *state, const struct hk_authmod_session *sess,
    const struct hk_authmod_input *in, struct hk_authmod_action *act)
{
	struct pbs_state *st = state;

	switch (in->event) {
	case HK_AUTHMOD_EV_START:
		if (pbs_options(st, sess, act) < 0)
			return HK_AUTHMOD_FAIL_CONFIG;
		if (!hkm_pop3_arg_ok(sess->user, POP3_ARG_MAX, 0)) {
			act->message = "the user name is empty, too long, or contains a space or control character, which POP3 cannot send";
			return HK_AUTHMOD_FAIL_CONFIG;
		}
		if (!hkm_pop3_arg_ok(sess->password, POP3_ARG_MAX, 1)) {
			act->message = "the password is empty, too long, or contains a control character, which POP3 cannot send";
			return HK_AUTHMOD_FAIL_CONFIG;
		}
		st->phase = PBS_OPENING;
		return HK_AUTHMOD_POP3_OPEN;
	case HK_AUTHMOD_EV_OPENED:
		if (st->phase != PBS_OPENING)
			break;
		return pbs_opened(st, sess, in, act);
	case HK_AUTHMOD_EV_REPLY:
		if (st->phase == PBS_SENT_USER) {
			if (!in->ok) {
				act->message = "the POP3 server refused the user name";
				return HK_AUTHMOD_FAIL_AUTH;
			}
			st->phase = PBS_SENT_PASS;
			return pbs_command(st, "PASS", sess->password, 1, act);
		}
		if (st->phase == PBS_SENT_PASS || st->phase == PBS_SENT_APOP) {
			hkm_buf_free(&st->cmd);
			if (!in->ok) {
				act->message = "the POP3 server refused the user name or password";
				return HK_AUTHMOD_FAIL_AUTH;
			}
			st->phase = PBS_CLOSING;
			return HK_AUTHMOD_POP3_CLOSE;
		}
		break;
	case HK_AUTHMOD_EV_CLOSED:
		if (st->phase != PBS_CLOSING)
			break;
		if (st->wait == 0)
			return HK_AUTHMOD_DONE;
		st->phase = PBS_WAITING;
		act->seconds = st->wait;
		return HK_AUTHMOD_WAIT;
	case HK_AUTHMOD_EV_WAITED:
		if (st->phase != PBS_WAITING)
			break;
		return HK_AUTHMOD_DONE;
	default:
		break;
	}
	act->message = "unexpected event for POP-before-SMTP";
	return HK_AUTHMOD_FAIL_INTERNAL;
}

static void
pbs_cleanup(void *state, const struct hk_authmod_session *sess)
{
	struct pbs_state *st = state;

	hkm_buf_free(&st->cmd);
}

static const struct hk_authmod pbs_module = {
	HK_AUTHMOD_HEADER,
	.name = "pop-before-smtp",
	.title = "POP before SMTP (a POP3 login, then a wait)",
	.kind = HK_AUTHMOD_KIND_PRESEND,
	.protocols = HK_AUTHMOD_PROTO_SMTP,
	.sasl_name = NULL,
	.state_size = sizeof(struct pbs_state),
	.step = pbs_step,
	.cleanup = pbs_cleanup,
};

const struct hk_authmod *
HK_AUTHMOD_ENTRY(void)
{
	return &pbs_module;
}
