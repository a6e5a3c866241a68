/* oauth2_presets.c - the OAuth 2.0 provider table (oauth2_presets.h).
 *
 * Microsoft: the v2.0 endpoints under login.microsoftonline.com/{tenant};
 * the delegated scopes of outlook.office.com for IMAP, POP and SMTP plus
 * offline_access (for a refresh token); app-only access (client
 * credentials) asks for outlook.office365.com/.default.  Google: the
 * endpoints of accounts.google.com / oauth2.googleapis.com, the one full
 * mail scope and its revocation endpoint (Microsoft has none: its
 * grants are removed in the account's "My Apps" page).  The hosts are those each provider documents for mail
 * clients. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "mem.h"
#include "oauth2_presets.h"

#define MS_BASE "https://login.microsoftonline.com/{tenant}/oauth2/v2.0/"

static const struct hk_oauth2_preset presets[] = {
	{ .provider = HK_OAUTH2_NONE, .name = "none" },
	{
		.provider = HK_OAUTH2_MICROSOFT,
		.name = "microsoft",
		.has_tenant = true,
		.tenant = "organizations",
		.auth_url = MS_BASE "authorize",
		.token_url = MS_BASE "token",
		.device_url = MS_BASE "devicecode",
		.scope = "https://outlook.office.com/IMAP.AccessAsUser.All"
		    " https://outlook.office.com/POP.AccessAsUser.All"
		    " https://outlook.office.com/SMTP.Send offline_access",
		.client_scope = "https://outlook.office365.com/.default",
		.imap = { "outlook.office365.com", 993, "tls" },
		.pop3 = { "outlook.office365.com", 995, "tls" },
		.smtp = { "smtp.office365.com", 587, "starttls" },
	},
	{
		.provider = HK_OAUTH2_GOOGLE,
		.name = "google",
		.auth_url = "https://accounts.google.com/o/oauth2/v2/auth",
		.token_url = "https://oauth2.googleapis.com/token",
		/* Google's device flow does not grant the Gmail scope, so the
		 * command line uses the pasted redirect (docs/OAUTH2.md). */
		.device_url = "",
		.revoke_url = "https://oauth2.googleapis.com/revoke",
		.scope = "https://mail.google.com/",
		.imap = { "imap.gmail.com", 993, "tls" },
		.pop3 = { "pop.gmail.com", 995, "tls" },
		.smtp = { "smtp.gmail.com", 587, "starttls" },
	},
	{ .provider = HK_OAUTH2_CUSTOM, .name = "custom" },
};

#define N_PRESETS (sizeof(presets) / sizeof(presets[0]))

static const char *const grant_names[] = {
	"authorization_code", "client_credentials"
};

const struct hk_oauth2_preset *
hk_oauth2_preset(enum hk_oauth2_provider p)
{
	for (size_t i = 0; i < N_PRESETS; i++)
		if (presets[i].provider == p)
			return &presets[i];
	return &presets[0];
}

const struct hk_oauth2_preset *
hk_oauth2_preset_find(const char *name)
{
	if (name == NULL)
		return NULL;
	for (size_t i = 0; i < N_PRESETS; i++)
		if (strcmp(presets[i].name, name) == 0)
			return &presets[i];
	return NULL;
}

const struct hk_oauth2_preset *
hk_oauth2_presets(size_t *n_r)
{
	*n_r = N_PRESETS;
	return presets;
}

const char *
hk_oauth2_provider_name(enum hk_oauth2_provider p)
{
	return hk_oauth2_preset(p)->name;
}

const char *
hk_oauth2_grant_name(enum hk_oauth2_grant g)
{
	return (unsigned)g < 2 ? grant_names[g] : grant_names[0];
}

int
hk_oauth2_provider_parse(const char *s, enum hk_oauth2_provider *out)
{
	const struct hk_oauth2_preset *p = hk_oauth2_preset_find(s);

	if (p == NULL)
		return -1;
	*out = p->provider;
	return 0;
}

int
hk_oauth2_grant_parse(const char *s, enum hk_oauth2_grant *out)
{
	if (s == NULL)
		return -1;
	for (int i = 0; i < 2; i++)
		if (strcmp(s, grant_names[i]) == 0) {
			*out = (enum hk_oauth2_grant)i;
			return 0;
		}
	return -1;
}

char *
hk_oauth2_preset_url(const char *tmpl, const char *tenant)
{
	static const char mark[] = "{tenant}";
	struct hk_buf b = HK_BUF_INIT;
	const char *p;

	if (tmpl == NULL)
		return NULL;
	if (tenant == NULL || *tenant == '\0')
		tenant = "organizations";
	while ((p = strstr(tmpl, mark)) != NULL) {
		hk_buf_append(&b, tmpl, (size_t)(p - tmpl));
		hk_buf_puts(&b, tenant);
		tmpl = p + sizeof(mark) - 1;
	}
	hk_buf_puts(&b, tmpl);
	return hk_buf_steal(&b);
}

const char *
hk_oauth2_preset_scope(const struct hk_oauth2_preset *p,
    enum hk_oauth2_grant g)
{
	if (g == HK_OAUTH2_GRANT_CLIENT && p->client_scope != NULL)
		return p->client_scope;
	return p->scope != NULL ? p->scope : "";
}
