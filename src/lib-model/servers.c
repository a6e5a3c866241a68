/* servers.c - the mail-server record: the names of its choices, its
 * defaults, and freeing it.  Reading one from a form is server_form.c,
 * storing it server_store.c. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "mem.h"
#include "servers.h"

const long long hk_server_limits[] = {
	0, 524288, 1048576, 3145728, 5242880, 10485760
};
const size_t hk_server_limit_count =
	sizeof(hk_server_limits) / sizeof(hk_server_limits[0]);

static const char *const security_names[] = { "none", "starttls", "tls" };
static const char *const protocol_names[] = { "pop3", "imap4" };
static const char *const credentials_names[] = { "account", "fixed" };

const char *
hk_security_name(enum hk_security s)
{
	return (unsigned)s < 3 ? security_names[s] : "none";
}

const char *
hk_recv_protocol_name(enum hk_recv_protocol p)
{
	return (unsigned)p < 2 ? protocol_names[p] : "pop3";
}

const char *
hk_credentials_name(enum hk_credentials c)
{
	return (unsigned)c < 2 ? credentials_names[c] : "account";
}

static int
parse_name(const char *s, const char *const *names, int n)
{
	if (s == NULL)
		return -1;
	for (int i = 0; i < n; i++)
		if (strcmp(s, names[i]) == 0)
			return i;
	return -1;
}

int
hk_security_parse(const char *s, enum hk_security *out)
{
	int i = parse_name(s, security_names, 3);

	if (i < 0)
		return -1;
	*out = (enum hk_security)i;
	return 0;
}

int
hk_recv_protocol_parse(const char *s, enum hk_recv_protocol *out)
{
	int i = parse_name(s, protocol_names, 2);

	if (i < 0)
		return -1;
	*out = (enum hk_recv_protocol)i;
	return 0;
}

int
hk_credentials_parse(const char *s, enum hk_credentials *out)
{
	int i = parse_name(s, credentials_names, 2);

	if (i < 0)
		return -1;
	*out = (enum hk_credentials)i;
	return 0;
}

int
hk_recv_default_port(enum hk_recv_protocol p, enum hk_security s)
{
	if (p == HK_RECV_IMAP4)
		return s == HK_SEC_TLS ? 993 : 143;
	return s == HK_SEC_TLS ? 995 : 110;
}

/* ---- OAuth 2.0 on each end ----------------------------------------- */

static bool
oauth_module(const char *name)
{
	return name != NULL && (strcmp(name, "xoauth2") == 0 ||
	    strcmp(name, "oauthbearer") == 0);
}

bool
hk_server_smtp_oauth2(const struct hk_server *s)
{
	return !s->smtp_auth || oauth_module(s->smtp_auth_method);
}

bool
hk_server_recv_oauth2(const struct hk_server *s)
{
	return s->recv_auth_method != NULL && oauth_module(s->recv_auth_method);
}

bool
hk_server_oauth2_both_ends(const struct hk_server *s)
{
	return s->oauth2_provider != HK_OAUTH2_NONE &&
	    hk_server_smtp_oauth2(s) && hk_server_recv_oauth2(s);
}

/* ---- the record ------------------------------------------------------- */

void
hk_server_defaults(struct hk_server *s)
{
	memset(s, 0, sizeof(*s));
	s->name = hk_strdup("");
	s->smtp_host = hk_strdup("");
	s->smtp_port = 25;
	s->smtp_security = HK_SEC_NONE;
	s->smtp_tls_verify = true;
	s->smtp_auth = false;
	s->smtp_auth_method = hk_strdup("login");
	s->smtp_credentials = HK_CRED_ACCOUNT;
	s->smtp_user = hk_strdup("");
	s->pop_before_smtp = false;
	s->pop_before_smtp_wait = 0;
	s->send_limit = 0;
	s->recv_protocol = HK_RECV_POP3;
	s->apop = false;
	s->recv_host = hk_strdup("");
	s->recv_port = 110;
	s->recv_security = HK_SEC_NONE;
	s->recv_tls_verify = true;
	s->recv_limit = 0;
	s->recv_auth_method = hk_strdup(HK_RECV_AUTH_PASSWORD);
	s->oauth2_provider = HK_OAUTH2_NONE;
	s->oauth2_tenant = hk_strdup("");
	s->oauth2_client_id = hk_strdup("");
	s->oauth2_auth_url = hk_strdup("");
	s->oauth2_token_url = hk_strdup("");
	s->oauth2_device_url = hk_strdup("");
	s->oauth2_scope = hk_strdup("");
	s->oauth2_grant = HK_OAUTH2_GRANT_CODE;
}

bool
hk_server_recv_sasl(const struct hk_server *s)
{
	return s->recv_auth_method != NULL && *s->recv_auth_method != '\0' &&
	    strcmp(s->recv_auth_method, HK_RECV_AUTH_PASSWORD) != 0;
}

void
hk_server_clear(struct hk_server *s)
{
	free(s->name);
	free(s->smtp_host);
	free(s->smtp_auth_method);
	free(s->smtp_user);
	hk_free_secret(s->smtp_password);
	free(s->recv_host);
	free(s->recv_auth_method);
	free(s->oauth2_tenant);
	free(s->oauth2_client_id);
	hk_free_secret(s->oauth2_client_secret);
	free(s->oauth2_auth_url);
	free(s->oauth2_token_url);
	free(s->oauth2_device_url);
	free(s->oauth2_scope);
	hk_wipe(s, sizeof(*s));
	memset(s, 0, sizeof(*s));
}
