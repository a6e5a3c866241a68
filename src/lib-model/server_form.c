/* server_form.c - a mail server from a submitted form: every field
 * checked, the valid ones kept (server_form.h). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "mem.h"
#include "modload.h"
#include "server_form.h"

static const char *
text_error_key(enum hk_valid v)
{
	switch (v) {
	case HK_VALID_EMPTY: return "error.required";
	case HK_VALID_TOO_LONG: return "error.too-long";
	case HK_VALID_CONTROL: return "error.encoding";
	default: return "error.choice";
	}
}

static void
read_host(const struct hk_params *form, const char *field, char **dst,
    struct hk_form_errors *errs)
{
	char *h = NULL;
	enum hk_valid v = hk_valid_host(hk_params_get(form, field), &h);

	switch (v) {
	case HK_VALID_OK:
		free(*dst);
		*dst = h;
		return;
	case HK_VALID_EMPTY:
		hk_form_error(errs, field, "error.required", NULL, NULL);
		return;
	case HK_VALID_CONTROL:
		hk_form_error(errs, field, "error.encoding", NULL, NULL);
		return;
	default:
		hk_form_error(errs, field, "error.host", NULL, NULL);
		return;
	}
}

static void
read_port(const struct hk_params *form, const char *field, int *dst,
    struct hk_form_errors *errs)
{
	const char *s = hk_params_get(form, field);

	switch (hk_valid_port(s, dst)) {
	case HK_VALID_OK:
		return;
	case HK_VALID_EMPTY:
		hk_form_error(errs, field, "error.required", NULL, NULL);
		return;
	default:
		hk_form_error(errs, field, "error.port", NULL, NULL);
		return;
	}
}

static void
read_security(const struct hk_params *form, const char *field,
    enum hk_security *dst, struct hk_form_errors *errs)
{
	if (hk_security_parse(hk_params_get(form, field), dst) < 0)
		hk_form_error(errs, field, "error.choice", NULL, NULL);
}

/* A checkbox: absent is off; present must say "on" (what browsers send)
 * or "1"/"true"/"yes" for scripts. */
static void
read_flag(const struct hk_params *form, const char *field, bool *dst,
    struct hk_form_errors *errs)
{
	const char *v = hk_params_get(form, field);

	if (v == NULL) {
		*dst = false;
		return;
	}
	if (strcmp(v, "on") == 0 || strcmp(v, "1") == 0 ||
	    strcmp(v, "true") == 0 || strcmp(v, "yes") == 0) {
		*dst = true;
		return;
	}
	if (strcmp(v, "off") == 0 || strcmp(v, "0") == 0 ||
	    strcmp(v, "false") == 0 || strcmp(v, "no") == 0) {
		*dst = false;
		return;
	}
	hk_form_error(errs, field, "error.choice", NULL, NULL);
}

static void
read_limit(const struct hk_params *form, const char *field, long long *dst,
    struct hk_form_errors *errs)
{
	const char *v = hk_params_get(form, field);

	if (v != NULL && *v != '\0' && strlen(v) <= 12 &&
	    strspn(v, "0123456789") == strlen(v) && (v[0] != '0' || v[1] == '\0')) {
		long long n = strtoll(v, NULL, 10);

		for (size_t i = 0; i < hk_server_limit_count; i++)
			if (hk_server_limits[i] == n) {
				*dst = n;
				return;
			}
	}
	hk_form_error(errs, field, "error.choice", NULL, NULL);
}

/* A module name as the SDK allows it: 1-32 of [a-z0-9._-], starting with
 * a letter or digit. */
static bool
module_name_shape(const char *s)
{
	size_t n = strlen(s);

	if (n < 1 || n > 32 || strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789._-") != n)
		return false;
	return (s[0] >= 'a' && s[0] <= 'z') || (s[0] >= '0' && s[0] <= '9');
}

static bool
smtp_auth_module(const struct hk_modset *mods, const char *name)
{
	const struct hk_authmod *m;

	if (mods == NULL)
		return module_name_shape(name);
	m = hk_modset_find(mods, name, HK_AUTHMOD_KIND_SASL);
	return m != NULL && (m->protocols & HK_AUTHMOD_PROTO_SMTP) != 0;
}

/* A SASL module that can sign in on the receive end of protocol p. */
static bool
recv_auth_module(const struct hk_modset *mods, const char *name,
    enum hk_recv_protocol p)
{
	const struct hk_authmod *m;

	if (mods == NULL)
		return module_name_shape(name);
	m = hk_modset_find(mods, name, HK_AUTHMOD_KIND_SASL);
	return m != NULL && (m->protocols & (p == HK_RECV_IMAP4 ?
	    HK_AUTHMOD_PROTO_IMAP : HK_AUTHMOD_PROTO_POP3)) != 0;
}

/* Methods whose credential is an OAuth 2.0 access token. */
static bool
oauth2_method(const char *name)
{
	return strcmp(name, "xoauth2") == 0 || strcmp(name, "oauthbearer") == 0;
}

/* Is the server being read set up for OAuth 2.0 (oauth2_provider other
 * than none)?  read_oauth2 has run before. */
static bool
server_uses_oauth2(const struct hk_server *s)
{
	return s->oauth2_provider != HK_OAUTH2_NONE;
}

/* ---- OAuth 2.0 ------------------------------------------------------- */

/* An endpoint: "https://", a host, then anything printable ASCII without
 * spaces. */
static bool
https_url_shape(const char *v)
{
	size_t n = strlen(v);

	if (n <= 8 || n > HK_OAUTH2_URL_MAX || strncmp(v, "https://", 8) != 0 ||
	    v[8] == '/' || v[8] == ':' || v[8] == '?' || v[8] == '#')
		return false;
	for (const unsigned char *p = (const unsigned char *)v; *p; p++)
		if (*p <= 0x20 || *p >= 0x7f)
			return false;
	return true;
}

/* A Microsoft endpoint of some tenant (login.microsoftonline.com/X/oauth2/
 * v2.0/...) follows the tenant field: the value for this tenant, or NULL
 * when v is not such an endpoint. */
static char *
follow_tenant(const char *v, const char *tmpl, const char *tenant)
{
	static const char host[] = "https://login.microsoftonline.com/";
	const char *rest = strchr(tmpl, '}');
	const char *slash;

	if (rest == NULL || strncmp(v, host, sizeof(host) - 1) != 0)
		return NULL;
	slash = strchr(v + sizeof(host) - 1, '/');
	if (slash == NULL || slash == v + sizeof(host) - 1 ||
	    strcmp(slash, rest + 1) != 0)
		return NULL;
	return hk_oauth2_preset_url(tmpl, tenant);
}

/* An endpoint field: empty takes the preset's (custom: required when
 * need), otherwise https only. */
static void
read_endpoint(const struct hk_params *form, const char *field,
    const char *tmpl, const char *tenant, bool need, char **dst,
    struct hk_form_errors *errs)
{
	const char *v = hk_params_get(form, field);
	char *t;

	if (v == NULL || *v == '\0') {
		if (tmpl != NULL) {
			free(*dst);
			*dst = hk_oauth2_preset_url(tmpl, tenant);
		} else if (need) {
			hk_form_error(errs, field, "error.required", NULL, NULL);
		}
		return;
	}
	if (!https_url_shape(v)) {
		hk_form_error(errs, field, strlen(v) > HK_OAUTH2_URL_MAX ?
		    "error.too-long" : "error.https-url",
		    strlen(v) > HK_OAUTH2_URL_MAX ? "2048" : NULL, NULL);
		return;
	}
	t = tmpl != NULL ? follow_tenant(v, tmpl, tenant) : NULL;
	free(*dst);
	*dst = t != NULL ? t : hk_strdup(v);
}

/* A tenant: a directory id or domain, or organizations / common /
 * consumers: 1-255 of [A-Za-z0-9.-]. */
static bool
tenant_shape(const char *v)
{
	size_t n = strlen(v);

	return n >= 1 && n <= HK_OAUTH2_TENANT_MAX && strspn(v,
	    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-") == n;
}

/* Scopes (RFC 6749 3.3): tokens of %x21 / %x23-5B / %x5D-7E separated
 * by spaces; stored with single spaces.  NULL when malformed. */
static char *
scope_normal(const char *v)
{
	struct hk_buf b = HK_BUF_INIT;

	for (const unsigned char *p = (const unsigned char *)v; *p; p++) {
		if (*p == ' ' || *p == '\t') {
			if (b.len > 0 && b.data[b.len - 1] != ' ')
				hk_buf_putc(&b, ' ');
		} else if (*p < 0x21 || *p > 0x7e || *p == '"' || *p == '\\') {
			hk_buf_free(&b);
			return NULL;
		} else {
			hk_buf_putc(&b, (char)*p);
		}
	}
	if (b.len > 0 && b.data[b.len - 1] == ' ')
		b.len--;
	hk_buf_putc(&b, '\0');
	return hk_buf_steal(&b);
}

static void
read_oauth2(const struct hk_params *form, unsigned flags,
    struct hk_server *out, struct hk_form_errors *errs)
{
	const struct hk_oauth2_preset *pre;
	const char *v = hk_params_get(form, "oauth2_provider");
	const char *tenant;
	char *t = NULL;
	enum hk_valid tv;

	/* Absent (a form from before OAuth 2.0): none. */
	if (v != NULL && *v != '\0' &&
	    hk_oauth2_provider_parse(v, &out->oauth2_provider) < 0) {
		hk_form_error(errs, "oauth2_provider", "error.choice", NULL, NULL);
		return;
	}
	if (out->oauth2_provider == HK_OAUTH2_NONE)
		return;		/* the rest stays empty */
	pre = hk_oauth2_preset(out->oauth2_provider);

	v = hk_params_get(form, "oauth2_grant");
	if (v != NULL && *v != '\0' &&
	    hk_oauth2_grant_parse(v, &out->oauth2_grant) < 0)
		hk_form_error(errs, "oauth2_grant", "error.choice", NULL, NULL);

	if (pre->has_tenant) {
		v = hk_params_get(form, "oauth2_tenant");
		if (v == NULL || *v == '\0')
			v = pre->tenant;
		if (!tenant_shape(v)) {
			hk_form_error(errs, "oauth2_tenant", "error.oauth2-tenant",
			    NULL, NULL);
		} else {
			free(out->oauth2_tenant);
			out->oauth2_tenant = hk_strdup(v);
		}
	}
	tenant = out->oauth2_tenant;

	tv = hk_valid_text(hk_params_get(form, "oauth2_client_id"),
	    HK_OAUTH2_CLIENT_ID_MAX, &t);
	if (tv == HK_VALID_OK) {
		free(out->oauth2_client_id);
		out->oauth2_client_id = t;
	} else {
		hk_form_error(errs, "oauth2_client_id", text_error_key(tv),
		    tv == HK_VALID_TOO_LONG ? "255" : NULL, NULL);
	}

	v = hk_params_get(form, "oauth2_client_secret");
	if (v != NULL && *v != '\0') {
		if (hk_has_control(v))
			hk_form_error(errs, "oauth2_client_secret",
			    "error.encoding", NULL, NULL);
		else if (strlen(v) > HK_OAUTH2_SECRET_MAX)
			hk_form_error(errs, "oauth2_client_secret",
			    "error.too-long", "1024", NULL);
		else
			out->oauth2_client_secret = hk_strdup(v);
	} else if (out->oauth2_grant == HK_OAUTH2_GRANT_CLIENT &&
	    !(flags & HK_SERVER_FORM_CHANGE)) {
		/* On change the stored one may do: hk_server_form_stored. */
		hk_form_error(errs, "oauth2_client_secret",
		    "error.oauth2-secret-needed", NULL, NULL);
	}

	read_endpoint(form, "oauth2_auth_url", pre->auth_url, tenant,
	    out->oauth2_grant == HK_OAUTH2_GRANT_CODE, &out->oauth2_auth_url,
	    errs);
	read_endpoint(form, "oauth2_token_url", pre->token_url, tenant, true,
	    &out->oauth2_token_url, errs);
	read_endpoint(form, "oauth2_device_url", pre->device_url, tenant, false,
	    &out->oauth2_device_url, errs);

	v = hk_params_get(form, "oauth2_scope");
	/* Empty, or the preset's scope for the other grant: the preset's
	 * for this one (Microsoft's app-only scope differs). */
	if (v == NULL || *v == '\0' || (pre->client_scope != NULL &&
	    (strcmp(v, pre->scope) == 0 || strcmp(v, pre->client_scope) == 0)))
		v = hk_oauth2_preset_scope(pre, out->oauth2_grant);
	if (strlen(v) > HK_OAUTH2_SCOPE_MAX) {
		hk_form_error(errs, "oauth2_scope", "error.too-long", "2048", NULL);
	} else if ((t = scope_normal(v)) == NULL) {
		hk_form_error(errs, "oauth2_scope", "error.oauth2-scope", NULL, NULL);
	} else if (*t == '\0') {
		free(t);
		hk_form_error(errs, "oauth2_scope", "error.required", NULL, NULL);
	} else {
		free(out->oauth2_scope);
		out->oauth2_scope = t;
	}
}

void
hk_server_form_stored(const struct hk_server *s, const struct hk_server *cur,
    struct hk_form_errors *errs)
{
	if (s->smtp_auth && s->smtp_credentials == HK_CRED_FIXED &&
	    s->smtp_password == NULL && !cur->smtp_password_set &&
	    !hk_form_has_error(errs, "smtp_password"))
		hk_form_error(errs, "smtp_password", "error.required", NULL, NULL);
	if (s->oauth2_provider != HK_OAUTH2_NONE &&
	    s->oauth2_grant == HK_OAUTH2_GRANT_CLIENT &&
	    s->oauth2_client_secret == NULL &&
	    !(cur->oauth2_client_secret_set &&
	    cur->oauth2_provider != HK_OAUTH2_NONE) &&
	    !hk_form_has_error(errs, "oauth2_client_secret"))
		hk_form_error(errs, "oauth2_client_secret",
		    "error.oauth2-secret-needed", NULL, NULL);
}

size_t
hk_server_from_form(const struct hk_params *form,
    const struct hk_modset *mods, unsigned flags, struct hk_server *out,
    struct hk_form_errors *errs)
{
	size_t before = errs->n;
	const char *v;
	char *t = NULL;
	enum hk_valid tv;

	hk_server_defaults(out);

	/* name */
	tv = hk_valid_text(hk_params_get(form, "name"), HK_SERVER_NAME_MAX, &t);
	if (tv == HK_VALID_OK) {
		free(out->name);
		out->name = t;
	} else {
		hk_form_error(errs, "name", text_error_key(tv),
		    tv == HK_VALID_TOO_LONG ? "100" : NULL, NULL);
	}

	/* sending */
	read_host(form, "smtp_host", &out->smtp_host, errs);
	read_port(form, "smtp_port", &out->smtp_port, errs);
	read_security(form, "smtp_security", &out->smtp_security, errs);
	read_flag(form, "smtp_tls_verify", &out->smtp_tls_verify, errs);
	read_flag(form, "smtp_auth", &out->smtp_auth, errs);

	v = hk_params_get(form, "smtp_auth_method");
	if (v == NULL || *v == '\0') {
		if (out->smtp_auth)
			hk_form_error(errs, "smtp_auth_method", "error.auth-method",
			    NULL, NULL);
	} else if (out->smtp_auth ? !smtp_auth_module(mods, v) :
	    !module_name_shape(v)) {
		/* Off, a stored method that is no longer loaded may stay. */
		hk_form_error(errs, "smtp_auth_method", "error.auth-method",
		    NULL, NULL);
	} else {
		free(out->smtp_auth_method);
		out->smtp_auth_method = hk_strdup(v);
	}

	if (hk_credentials_parse(hk_params_get(form, "smtp_credentials"),
	    &out->smtp_credentials) < 0)
		hk_form_error(errs, "smtp_credentials", "error.choice", NULL, NULL);

	/* The fixed credentials: required only when they are used. */
	{
		bool need = out->smtp_auth && out->smtp_credentials == HK_CRED_FIXED;
		const char *user = hk_params_get(form, "smtp_user");
		const char *pw = hk_params_get(form, "smtp_password");

		if (out->smtp_credentials == HK_CRED_FIXED) {
			tv = hk_valid_text(user, HK_SERVER_USER_MAX, &t);
			if (tv == HK_VALID_OK) {
				free(out->smtp_user);
				out->smtp_user = t;
			} else if (tv != HK_VALID_EMPTY || need) {
				hk_form_error(errs, "smtp_user", text_error_key(tv),
				    tv == HK_VALID_TOO_LONG ? "255" : NULL, NULL);
			}
			if (pw != NULL && *pw != '\0') {
				if (hk_has_control(pw))
					hk_form_error(errs, "smtp_password",
					    "error.encoding", NULL, NULL);
				else if (strlen(pw) > HK_SERVER_PASSWORD_MAX)
					hk_form_error(errs, "smtp_password",
					    "error.too-long", "1024", NULL);
				else
					out->smtp_password = hk_strdup(pw);
			} else if (need && !(flags & HK_SERVER_FORM_CHANGE)) {
				hk_form_error(errs, "smtp_password",
				    "error.required", NULL, NULL);
			}
		}
	}

	if (hk_recv_protocol_parse(hk_params_get(form, "recv_protocol"),
	    &out->recv_protocol) < 0)
		hk_form_error(errs, "recv_protocol", "error.choice", NULL, NULL);

	read_flag(form, "pop_before_smtp", &out->pop_before_smtp, errs);
	if (out->pop_before_smtp && out->recv_protocol != HK_RECV_POP3 &&
	    !hk_form_has_error(errs, "recv_protocol"))
		hk_form_error(errs, "pop_before_smtp", "error.pop3-only", NULL, NULL);
	v = hk_params_get(form, "pop_before_smtp_wait");
	if (v != NULL && strlen(v) == 1 && v[0] >= '0' &&
	    v[0] <= '0' + HK_SERVER_WAIT_MAX)
		out->pop_before_smtp_wait = v[0] - '0';
	else
		hk_form_error(errs, "pop_before_smtp_wait", "error.range", "0", "5");
	read_limit(form, "send_limit", &out->send_limit, errs);

	/* receiving */
	read_flag(form, "apop", &out->apop, errs);
	if (out->apop && out->recv_protocol != HK_RECV_POP3 &&
	    !hk_form_has_error(errs, "recv_protocol"))
		hk_form_error(errs, "apop", "error.pop3-only", NULL, NULL);
	read_host(form, "recv_host", &out->recv_host, errs);
	read_security(form, "recv_security", &out->recv_security, errs);
	read_port(form, "recv_port", &out->recv_port, errs);
	read_flag(form, "recv_tls_verify", &out->recv_tls_verify, errs);
	read_limit(form, "recv_limit", &out->recv_limit, errs);

	read_oauth2(form, flags, out, errs);

	/* Absent from older forms and documents: the password, as before. */
	v = hk_params_get(form, "recv_auth_method");
	if (v != NULL && *v != '\0' && strcmp(v, HK_RECV_AUTH_PASSWORD) != 0) {
		if (!recv_auth_module(mods, v, out->recv_protocol))
			hk_form_error(errs, "recv_auth_method",
			    "error.recv-auth-method", NULL, NULL);
		else if (oauth2_method(v) && !server_uses_oauth2(out))
			hk_form_error(errs, "recv_auth_method",
			    "error.recv-auth-oauth2", NULL, NULL);
		else if (out->apop)
			hk_form_error(errs, "apop", "error.apop-password-only",
			    NULL, NULL);
		else {
			free(out->recv_auth_method);
			out->recv_auth_method = hk_strdup(v);
		}
	}

	return errs->n - before;
}
