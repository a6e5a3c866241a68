/* presend.c - POP before SMTP for a stored mail server (presend.h). */
#include "config.h"

#include <stdio.h>

#include "pop3.h"
#include "presend.h"
#include "servers.h"

enum hk_auth_status
hk_presend_run(const struct hk_authmod *mod, const struct hk_server *s,
    const char *user, const char *password,
    const struct hk_net_timeouts *to, struct hk_auth_result *res)
{
	struct hk_endpoint ep = {
		.host = s->recv_host, .port = (unsigned)s->recv_port,
		.security = s->recv_security == HK_SEC_TLS ? HK_NET_IMPLICIT_TLS :
		    s->recv_security == HK_SEC_STARTTLS ? HK_NET_STARTTLS :
		    HK_NET_PLAIN,
		.verify = s->recv_tls_verify,
	};
	char wait[4];
	struct hk_auth_opt opts[2] = {
		{ "wait", wait }, { "apop", s->apop ? "on" : "off" },
	};
	struct hk_authsess_params ap = {
		.mod = mod, .protocol = 0,	/* what it serves (SMTP) */
		.user = user, .password = password, .host = s->recv_host,
		.opts = opts, .n_opts = 2,
	};

	snprintf(wait, sizeof(wait), "%d", s->pop_before_smtp_wait);
	return hk_pop3_presend(&ap, &ep, to, res);
}
