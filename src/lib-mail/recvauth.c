/* recvauth.c - the receive end's SASL sign-in (recvauth.h). */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "recvauth.h"

int
hk_recvauth_module(const struct hk_server *s, const struct hk_modset *mods,
    const struct hk_authmod **mod)
{
	uint32_t proto = s->recv_protocol == HK_RECV_IMAP4 ?
	    HK_AUTHMOD_PROTO_IMAP : HK_AUTHMOD_PROTO_POP3;
	const struct hk_authmod *m;

	*mod = NULL;
	if (!hk_server_recv_sasl(s))
		return 0;
	m = mods != NULL ? hk_modset_find(mods, s->recv_auth_method,
	    HK_AUTHMOD_KIND_SASL) : NULL;
	if (m == NULL || !(m->protocols & proto))
		return -1;
	*mod = m;
	return 0;
}

bool
hk_recvauth_offered(const struct hk_authmod *mod,
    const struct hk_pop3_caps *pc, const struct hk_imap_caps *ic,
    struct hk_buf *offered)
{
	const char *l = pc != NULL ? pc->sasl : ic->list;
	bool found = false;

	hk_buf_reset(offered);
	while (*l != '\0') {
		size_t n = strcspn(l, pc != NULL ? " " : " ]");
		const char *mech = l;

		if (pc == NULL) {
			/* IMAP: only the AUTH=<mechanism> atoms. */
			if (n > 5 && strncasecmp(l, "AUTH=", 5) == 0) {
				mech = l + 5;
				n -= 5;
			} else
				mech = NULL;
		}
		if (mech != NULL && n > 0) {
			if (n == strlen(mod->sasl_name) &&
			    strncasecmp(mech, mod->sasl_name, n) == 0)
				found = true;
			hk_buf_printf(offered, "%s%.*s",
			    offered->len > 0 ? " " : "", (int)n, mech);
		}
		l += n;
		if (*l == ']')
			break;
		while (*l == ' ')
			l++;
	}
	return found;
}

enum hk_auth_status
hk_recvauth_run(const struct hk_authmod *mod, const struct hk_server *s,
    struct hk_conn *c, struct hk_imap *m, const char *user,
    const char *password, struct hk_auth_result *res)
{
	char port[16];
	const struct hk_auth_opt opts[] = { { "port", port } };
	struct hk_authsess_params p = {
		.mod = mod, .user = user, .password = password,
		.host = s->recv_host, .opts = opts, .n_opts = 1,
	};

	snprintf(port, sizeof(port), "%d", s->recv_port);
	if (m != NULL)
		return hk_imap_authenticate(m, &p, res);
	return hk_pop3_auth(c, &p, NULL, res);
}
