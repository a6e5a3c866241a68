/* oauth2_presets.h - the OAuth 2.0 providers a mail server can sign in
 * with (docs/REFERENCE.md, oauth2_provider): one row per provider holding
 * what the form fills in when it is chosen (endpoints, scopes, the mail
 * hosts), in the way curl keeps one table row per protocol.
 *
 * The rows are static and never freed.  Endpoint templates may hold
 * "{tenant}", replaced by hk_oauth2_preset_url().
 */
#ifndef HK_OAUTH2_PRESETS_H
#define HK_OAUTH2_PRESETS_H

#include <stdbool.h>
#include <stddef.h>

enum hk_oauth2_provider {
	HK_OAUTH2_NONE = 0,	/* "none": no OAuth 2.0 */
	HK_OAUTH2_MICROSOFT,	/* "microsoft": Microsoft Entra ID / 365 */
	HK_OAUTH2_GOOGLE,	/* "google": Google Workspace / Gmail */
	HK_OAUTH2_CUSTOM	/* "custom": endpoints entered by the admin */
};

enum hk_oauth2_grant {
	HK_OAUTH2_GRANT_CODE = 0,	/* "authorization_code" */
	HK_OAUTH2_GRANT_CLIENT		/* "client_credentials" */
};

/* One end's host as the provider documents it. */
struct hk_oauth2_host {
	const char *host;
	int port;
	const char *security;	/* "none", "starttls", "tls" */
};

struct hk_oauth2_preset {
	enum hk_oauth2_provider provider;
	const char *name;		/* the form and database value */
	bool has_tenant;		/* oauth2_tenant applies */
	const char *tenant;		/* its default, or NULL */
	/* Endpoint templates; NULL for custom (the admin enters them). */
	const char *auth_url;
	const char *token_url;
	const char *device_url;		/* NULL when the provider has none */
	const char *revoke_url;		/* RFC 7009 revocation; NULL: none */
	const char *scope;		/* for authorization_code */
	const char *client_scope;	/* for client_credentials, or NULL */
	/* The mail hosts; host NULL when the preset has none. */
	struct hk_oauth2_host imap, pop3, smtp;
};

/* The row of provider p (always one: none and custom have empty rows). */
const struct hk_oauth2_preset *hk_oauth2_preset(enum hk_oauth2_provider p);
/* The row named name, or NULL. */
const struct hk_oauth2_preset *hk_oauth2_preset_find(const char *name);
/* Every row, for the form's script: *n_r rows. */
const struct hk_oauth2_preset *hk_oauth2_presets(size_t *n_r);

const char *hk_oauth2_provider_name(enum hk_oauth2_provider p);
const char *hk_oauth2_grant_name(enum hk_oauth2_grant g);
/* Parsers: 0, or -1 when s is not one of the names. */
int hk_oauth2_provider_parse(const char *s, enum hk_oauth2_provider *out);
int hk_oauth2_grant_parse(const char *s, enum hk_oauth2_grant *out);

/* A template (preset endpoint) with "{tenant}" replaced by tenant (the
 * preset's default when NULL or empty).  Returns a new string (caller
 * frees); NULL when tmpl is NULL. */
char *hk_oauth2_preset_url(const char *tmpl, const char *tenant);

/* The scope a preset asks for with grant g (client_scope for client
 * credentials when the preset has one); "" when none. */
const char *hk_oauth2_preset_scope(const struct hk_oauth2_preset *p,
    enum hk_oauth2_grant g);

#endif
