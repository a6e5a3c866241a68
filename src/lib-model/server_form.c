/* server_form.c - a mail server from a submitted form: every field
 * checked, the valid ones kept (server_form.h). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

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

/* Does the form set the server up for OAuth 2.0 (oauth2_provider other
 * than none)?  The oauth2_* fields are not part of this form yet: until
 * they are, no server does, and the OAuth methods are refused. */
static bool
server_uses_oauth2(const struct hk_params *form)
{
	(void)form;
	return false;
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

	/* Absent from older forms and documents: the password, as before. */
	v = hk_params_get(form, "recv_auth_method");
	if (v != NULL && *v != '\0' && strcmp(v, HK_RECV_AUTH_PASSWORD) != 0) {
		if (!recv_auth_module(mods, v, out->recv_protocol))
			hk_form_error(errs, "recv_auth_method",
			    "error.recv-auth-method", NULL, NULL);
		else if (oauth2_method(v) && !server_uses_oauth2(form))
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
