/* presend.c - POP before SMTP for a stored mail server (presend.h). */
#include "config.h"

#include <stdio.h>

#include "mailopen.h"
#include "pop3.h"
#include "presend.h"
#include "servers.h"

/* The module's side connection: the opener, with a refused greeting or
 * STLS told as a protocol error. */
static int
open_side(struct hk_conn *c, const struct hk_endpoint *ep,
    struct hk_pop3_reply *greeting)
{
	struct hk_mailsess ms;
	enum hk_open_outcome out;

	hk_mailsess_init(&ms, &hk_mailproto_pop3, c, ep, NULL);
	ms.greeting_only = true;	/* the module only logs in */
	out = hk_mail_open(&ms);
	if (out == HK_OPEN_REFUSED && ms.step == HK_OPEN_GREETING)
		(void)hk_conn_fail(c, HK_NET_PROTOCOL,
		    "the POP3 server's greeting was -ERR %.200s",
		    hk_buf_str(&ms.pop3_greet.text));
	greeting->ok = ms.pop3_greet.ok;
	hk_buf_reset(&greeting->text);
	hk_buf_puts(&greeting->text, hk_buf_str(&ms.pop3_greet.text));
	hk_mailsess_free(&ms);
	if (out != HK_OPEN_OK) {
		hk_conn_close(c);
		return -1;
	}
	return 0;
}

enum hk_auth_status
hk_presend_run(const struct hk_authmod *mod, const struct hk_server *s,
    const char *user, const char *password,
    const struct hk_net_timeouts *to, struct hk_auth_result *res)
{
	struct hk_endpoint ep;
	char wait[4];
	struct hk_auth_opt opts[2] = {
		{ "wait", wait }, { "apop", s->apop ? "on" : "off" },
	};
	struct hk_authsess_params ap = {
		.mod = mod, .protocol = 0,	/* what it serves (SMTP) */
		.user = user, .password = password, .host = s->recv_host,
		.opts = opts, .n_opts = 2,
	};

	hk_mail_endpoint_recv(s, &ep);
	snprintf(wait, sizeof(wait), "%d", s->pop_before_smtp_wait);
	return hk_pop3_presend(&ap, &ep, to, open_side, res);
}
