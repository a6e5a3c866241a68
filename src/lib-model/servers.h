/* servers.h - the mail-server model:
 * the record, the names of its choices and its defaults.
 *
 * Reading one from a form with every check is server_form.h; loading,
 * listing and the audited writes are server_store.h.  Used by the screens
 * (ui_servers.c), the connection test, send/fetch (a loaded record) and
 * hikyakuctl.
 *
 * Hosts are stored as entered except that internationalised names are
 * stored as A-labels and IPv6 literals without brackets (validate.h); use
 * hk_host_display() to show one.  The SMTP password is stored only
 * encrypted (secret.h); it is in a struct hk_server in clear only when
 * loaded with_secrets or read from a form, and hk_server_clear wipes it.
 */
#ifndef HK_SERVERS_H
#define HK_SERVERS_H

#include <stdbool.h>
#include <stddef.h>

#include "oauth2_presets.h"

enum hk_security {
	HK_SEC_NONE = 0,	/* "none" */
	HK_SEC_STARTTLS,	/* "starttls" */
	HK_SEC_TLS		/* "tls": implicit TLS */
};

enum hk_recv_protocol {
	HK_RECV_POP3 = 0,	/* "pop3" */
	HK_RECV_IMAP4		/* "imap4" */
};

enum hk_credentials {
	HK_CRED_ACCOUNT = 0,	/* "account": the mail account's own */
	HK_CRED_FIXED		/* "fixed": smtp_user / smtp_password */
};

#define HK_SERVER_NAME_MAX 100		/* characters, after trimming */
#define HK_SERVER_USER_MAX 255		/* characters */
#define HK_SERVER_PASSWORD_MAX 1024	/* bytes */
#define HK_SERVER_WAIT_MAX 5		/* pop_before_smtp_wait, seconds */
#define HK_OAUTH2_TENANT_MAX 255	/* characters */
#define HK_OAUTH2_CLIENT_ID_MAX 255	/* characters */
#define HK_OAUTH2_SECRET_MAX 1024	/* bytes */
#define HK_OAUTH2_URL_MAX 2048		/* bytes */
#define HK_OAUTH2_SCOPE_MAX 2048	/* bytes */

/* The allowed send_limit / recv_limit values, 0 = unlimited. */
extern const long long hk_server_limits[];
extern const size_t hk_server_limit_count;

struct hk_server {
	long long id;			/* 0: not stored yet */
	long long version;		/* optimistic locking; 0 when new */
	long long position;		/* display order, 1-based */

	char *name;			/* trimmed */
	/* sending */
	char *smtp_host;		/* stored form (A-labels) */
	int smtp_port;
	enum hk_security smtp_security;
	bool smtp_tls_verify;
	bool smtp_auth;
	char *smtp_auth_method;		/* a module name, e.g. "login" */
	enum hk_credentials smtp_credentials;
	char *smtp_user;		/* "" unless fixed */
	/* The password in clear: from a form (NULL when left empty) or from
	 * hk_server_load(with_secrets) (NULL when none is stored).  Wiped by
	 * hk_server_clear. */
	char *smtp_password;
	bool smtp_password_set;		/* one is stored */
	bool pop_before_smtp;
	int pop_before_smtp_wait;	/* 0-5 */
	long long send_limit;		/* bytes, 0 = unlimited */
	/* receiving */
	enum hk_recv_protocol recv_protocol;
	bool apop;
	char *recv_host;		/* stored form (A-labels) */
	int recv_port;
	enum hk_security recv_security;
	bool recv_tls_verify;
	long long recv_limit;		/* bytes, 0 = unlimited */
	/* How the receive end signs in: HK_RECV_AUTH_PASSWORD (USER/PASS,
	 * APOP per its checkbox, IMAP LOGIN) or the name of a SASL module
	 * serving the receive protocol (POP3 AUTH, IMAP AUTHENTICATE). */
	char *recv_auth_method;
	/* OAuth 2.0 (oauth2_presets.h); strings "" when unused. */
	enum hk_oauth2_provider oauth2_provider;
	char *oauth2_tenant;		/* microsoft only */
	char *oauth2_client_id;
	/* The client secret in clear, like smtp_password: from a form (NULL
	 * when left empty) or a load with_secrets.  Wiped by clear. */
	char *oauth2_client_secret;
	bool oauth2_client_secret_set;	/* one is stored */
	char *oauth2_auth_url;		/* https:// only */
	char *oauth2_token_url;
	char *oauth2_device_url;	/* "" when the provider has none */
	char *oauth2_scope;		/* space-separated */
	enum hk_oauth2_grant oauth2_grant;
};

#define HK_RECV_AUTH_PASSWORD "password"

/* Does s sign in on its receive end through a SASL module? */
bool hk_server_recv_sasl(const struct hk_server *s);

/* ---- names of the choices (the form and database values) ---- */

const char *hk_security_name(enum hk_security s);		/* "none"... */
const char *hk_recv_protocol_name(enum hk_recv_protocol p);	/* "pop3"... */
const char *hk_credentials_name(enum hk_credentials c);	/* "account"... */
/* Parsers: 0, or -1 when s is not one of the names. */
int hk_security_parse(const char *s, enum hk_security *out);
int hk_recv_protocol_parse(const char *s, enum hk_recv_protocol *out);
int hk_credentials_parse(const char *s, enum hk_credentials *out);

/* The receiving port to use when the admin typed none: 110/143, or 995/993
 * with implicit TLS. */
int hk_recv_default_port(enum hk_recv_protocol p, enum hk_security s);

/* Whether the server signs in with OAuth 2.0 on the sending end: SMTP
 * AUTH off (nothing to sign in with) or with xoauth2 / oauthbearer. */
bool hk_server_smtp_oauth2(const struct hk_server *s);
/* Whether the receiving end signs in with OAuth 2.0.  Always false until
 * the receive side has an authentication method field (recv_auth_method):
 * it then answers whether that names an OAuth module. */
bool hk_server_recv_oauth2(const struct hk_server *s);
/* Whether the server uses OAuth 2.0 on both ends (a provider is set and
 * both predicates above hold): its mail accounts then need no password. */
bool hk_server_oauth2_both_ends(const struct hk_server *s);

/* ---- the record ---- */

/* Fills s with the documented defaults (strings allocated, name and hosts "").
 * s must not hold anything that needs freeing. */
void hk_server_defaults(struct hk_server *s);
/* Frees every string (wiping the password) and zeroes s. */
void hk_server_clear(struct hk_server *s);

#endif
