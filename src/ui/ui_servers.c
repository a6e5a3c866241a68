/* ui_servers.c - the mail-server screens: list, add/change, order, delete.
 *
 * Screens (= stylesheet names): mail-servers, mail-server-form,
 * mail-servers-order, mail-server-delete.  Every <mail-server> carries
 * its stored values (hosts in their stored, A-label form, with
 * display="..." holding the Unicode form when it differs), except on a
 * form re-rendered after a failed POST, which holds what was entered.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app.h"
#include "dbutil.h"
#include "log.h"
#include "mem.h"
#include "modload.h"
#include "server_form.h"
#include "server_store.h"
#include "servers.h"
#include "ui.h"
#include "ui_server_index.h"

#define MAX_ORDER 10000

/* ---- XML ------------------------------------------------------------- */

static void
host_xml(xmlNodePtr parent, const char *name, const char *stored)
{
	xmlNodePtr n = hk_xml_text(parent, name, stored);
	char *shown = hk_host_display(stored);

	if (strcmp(shown, stored) != 0)
		xmlNewProp(n, BAD_CAST "display", BAD_CAST shown);
	free(shown);
}

static void
flag_xml(xmlNodePtr parent, const char *name, bool on)
{
	hk_xml_text(parent, name, on ? "on" : "off");
}

/* <mail-server id version position> with the values of s (stored). */
static xmlNodePtr
server_xml(xmlNodePtr parent, const struct hk_server *s)
{
	xmlNodePtr e = xmlNewChild(parent, NULL, BAD_CAST "mail-server", NULL);

	if (s->id != 0) {
		hk_xml_attr_int(e, "id", s->id);
		hk_xml_attr_int(e, "version", s->version);
		hk_xml_attr_int(e, "position", s->position);
	}
	hk_xml_text(e, "name", s->name);
	host_xml(e, "smtp_host", s->smtp_host);
	hk_xml_int(e, "smtp_port", s->smtp_port);
	hk_xml_text(e, "smtp_security", hk_security_name(s->smtp_security));
	flag_xml(e, "smtp_tls_verify", s->smtp_tls_verify);
	flag_xml(e, "smtp_auth", s->smtp_auth);
	hk_xml_text(e, "smtp_auth_method", s->smtp_auth_method);
	hk_xml_text(e, "smtp_credentials", hk_credentials_name(s->smtp_credentials));
	hk_xml_text(e, "smtp_user", s->smtp_user);
	hk_xml_text(e, "smtp_password_set", s->smtp_password_set ? "true" : "false");
	flag_xml(e, "pop_before_smtp", s->pop_before_smtp);
	hk_xml_int(e, "pop_before_smtp_wait", s->pop_before_smtp_wait);
	hk_xml_int(e, "send_limit", s->send_limit);
	hk_xml_text(e, "recv_protocol", hk_recv_protocol_name(s->recv_protocol));
	flag_xml(e, "apop", s->apop);
	host_xml(e, "recv_host", s->recv_host);
	hk_xml_int(e, "recv_port", s->recv_port);
	hk_xml_text(e, "recv_security", hk_security_name(s->recv_security));
	flag_xml(e, "recv_tls_verify", s->recv_tls_verify);
	hk_xml_int(e, "recv_limit", s->recv_limit);
	hk_xml_text(e, "recv_auth_method", s->recv_auth_method);
	hk_xml_text(e, "oauth2_provider",
	    hk_oauth2_provider_name(s->oauth2_provider));
	hk_xml_text(e, "oauth2_tenant", s->oauth2_tenant);
	hk_xml_text(e, "oauth2_client_id", s->oauth2_client_id);
	hk_xml_text(e, "oauth2_client_secret_set",
	    s->oauth2_client_secret_set ? "true" : "false");
	hk_xml_text(e, "oauth2_auth_url", s->oauth2_auth_url);
	hk_xml_text(e, "oauth2_token_url", s->oauth2_token_url);
	hk_xml_text(e, "oauth2_device_url", s->oauth2_device_url);
	hk_xml_text(e, "oauth2_scope", s->oauth2_scope);
	hk_xml_text(e, "oauth2_grant", hk_oauth2_grant_name(s->oauth2_grant));
	return e;
}

/* The form fields, in documented order: text ones are echoed as entered,
 * checkboxes as on/off; the secrets never. */
static const struct {
	const char *name;
	bool flag;
} form_fields[] = {
	{ "name", false }, { "smtp_host", false }, { "smtp_port", false },
	{ "smtp_security", false }, { "smtp_tls_verify", true },
	{ "smtp_auth", true }, { "smtp_auth_method", false },
	{ "smtp_credentials", false }, { "smtp_user", false },
	{ "pop_before_smtp", true }, { "pop_before_smtp_wait", false },
	{ "send_limit", false }, { "recv_protocol", false }, { "apop", true },
	{ "recv_host", false }, { "recv_port", false },
	{ "recv_security", false }, { "recv_tls_verify", true },
	{ "recv_limit", false }, { "recv_auth_method", false },
	{ "recv_limit", false }, { "oauth2_provider", false },
	{ "oauth2_tenant", false }, { "oauth2_client_id", false },
	{ "oauth2_auth_url", false }, { "oauth2_token_url", false },
	{ "oauth2_device_url", false }, { "oauth2_scope", false },
	{ "oauth2_grant", false },
};

static bool
flag_value(const char *v)
{
	return v != NULL && (strcmp(v, "on") == 0 || strcmp(v, "1") == 0 ||
	    strcmp(v, "true") == 0 || strcmp(v, "yes") == 0);
}

/* <mail-server> holding what the admin entered. */
static xmlNodePtr
entered_xml(xmlNodePtr parent, const struct hk_params *form, long long id,
    long long version, bool password_set, bool secret_set)
{
	xmlNodePtr e = xmlNewChild(parent, NULL, BAD_CAST "mail-server", NULL);

	if (id != 0) {
		hk_xml_attr_int(e, "id", id);
		hk_xml_attr_int(e, "version", version);
	}
	for (size_t i = 0; i < sizeof(form_fields) / sizeof(form_fields[0]); i++) {
		const char *v = hk_params_get(form, form_fields[i].name);

		if (form_fields[i].flag)
			flag_xml(e, form_fields[i].name, flag_value(v));
		else
			hk_xml_text(e, form_fields[i].name, v);
		if (strcmp(form_fields[i].name, "smtp_user") == 0)
			hk_xml_text(e, "smtp_password_set",
			    password_set ? "true" : "false");
		if (strcmp(form_fields[i].name, "oauth2_client_id") == 0)
			hk_xml_text(e, "oauth2_client_secret_set",
			    secret_set ? "true" : "false");
	}
	return e;
}

/* <auth-methods>: the loaded SMTP-AUTH modules, plus the current method
 * when it is no longer loaded (loaded="false"), so it still shows. */
/* <recv-auth-methods>: the loaded SASL modules that can sign in on the
 * receive end, with the protocols they serve there ("password" is the
 * form's own choice, not a module). */
static void
recv_auth_methods_xml(struct hk_ctx *ctx, xmlNodePtr root)
{
	const struct hk_modset *mods = ctx->app->mods;
	xmlNodePtr list = xmlNewChild(root, NULL, BAD_CAST "recv-auth-methods",
	    NULL);
	size_t n = mods != NULL ? hk_modset_count(mods) : 0;

	for (size_t i = 0; i < n; i++) {
		const struct hk_authmod *m = hk_modset_at(mods, i);
		uint32_t rp = m->protocols &
		    (HK_AUTHMOD_PROTO_POP3 | HK_AUTHMOD_PROTO_IMAP);
		xmlNodePtr e;

		if (m->kind != HK_AUTHMOD_KIND_SASL || rp == 0)
			continue;
		e = xmlNewChild(list, NULL, BAD_CAST "auth-method", NULL);
		xmlNewProp(e, BAD_CAST "name", BAD_CAST m->name);
		xmlNewProp(e, BAD_CAST "title", BAD_CAST(m->title ? m->title : m->name));
		xmlNewProp(e, BAD_CAST "pop3", BAD_CAST
		    (rp & HK_AUTHMOD_PROTO_POP3 ? "true" : "false"));
		xmlNewProp(e, BAD_CAST "imap4", BAD_CAST
		    (rp & HK_AUTHMOD_PROTO_IMAP ? "true" : "false"));
	}
}

static void
auth_methods_xml(struct hk_ctx *ctx, xmlNodePtr root, const char *current)
{
	const struct hk_modset *mods = ctx->app->mods;
	xmlNodePtr list = xmlNewChild(root, NULL, BAD_CAST "auth-methods", NULL);
	bool seen = current == NULL || *current == '\0';
	size_t n = mods != NULL ? hk_modset_count(mods) : 0;

	for (size_t i = 0; i < n; i++) {
		const struct hk_authmod *m = hk_modset_at(mods, i);
		xmlNodePtr e;

		if (m->kind != HK_AUTHMOD_KIND_SASL ||
		    !(m->protocols & HK_AUTHMOD_PROTO_SMTP))
			continue;
		e = xmlNewChild(list, NULL, BAD_CAST "auth-method", NULL);
		xmlNewProp(e, BAD_CAST "name", BAD_CAST m->name);
		xmlNewProp(e, BAD_CAST "title", BAD_CAST(m->title ? m->title : m->name));
		if (m->sasl_name != NULL)
			xmlNewProp(e, BAD_CAST "sasl", BAD_CAST m->sasl_name);
		xmlNewProp(e, BAD_CAST "loaded", BAD_CAST "true");
		if (!seen && strcmp(m->name, current) == 0)
			seen = true;
	}
	if (!seen) {
		xmlNodePtr e = xmlNewChild(list, NULL, BAD_CAST "auth-method", NULL);

		xmlNewProp(e, BAD_CAST "name", BAD_CAST current);
		xmlNewProp(e, BAD_CAST "title", BAD_CAST current);
		xmlNewProp(e, BAD_CAST "loaded", BAD_CAST "false");
	}
}

static void
errors_xml(struct hk_ctx *ctx, const struct hk_form_errors *errs)
{
	for (size_t i = 0; i < errs->n; i++) {
		const struct hk_field_error *fe = &errs->v[i];
		const char *args[2] = { fe->args[0], fe->args[1] };

		hk_page_error(ctx, fe->field, fe->key, args, fe->nargs);
	}
}

static void
fail_store(struct hk_ctx *ctx, enum hk_server_rc rc)
{
	switch (rc) {
	case HK_SERVER_NOT_FOUND:
		hk_fail(ctx, 404, "not-found");
		break;
	case HK_SERVER_BUSY:
		hk_fail(ctx, 503, "unavailable");
		break;
	case HK_SERVER_STALE:
	case HK_SERVER_IN_USE:
		hk_fail(ctx, 409, "conflict");
		break;
	default:
		hk_fail(ctx, 500, "internal");
		break;
	}
}

/* ---- the list --------------------------------------------------------- */

static void
iso_time(long long t, char *out, size_t len)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (gmtime_r(&tt, &tm) == NULL ||
	    strftime(out, len, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(out, len, "%s", "");
}

/* Adds <last-test ok at>summary</last-test> to each listed server. */
static int
last_tests_xml(struct hk_ctx *ctx, xmlNodePtr list)
{
	struct hk_sql_stmt *st = hk_db_prepare(ctx->app->db,
	    "SELECT server_id, at, ok, summary FROM server_tests");
	struct ui_server_index index = { NULL, 0 };	/* for the first row */
	int rc;

	while ((rc = hk_sql_step(st)) == HK_SQL_ROW) {
		xmlNodePtr s, t;
		char at[32];

		if (index.v == NULL)
			ui_server_index_build(&index, list);
		if ((s = ui_server_index_find(&index,
		    hk_sql_column_int64(st, 0))) == NULL)
			continue;
		t = hk_xml_text(s, "last-test",
		    hk_sql_column_text(st, 3));
		xmlNewProp(t, BAD_CAST "ok",
		    BAD_CAST(hk_sql_column_int(st, 2) ? "true" : "false"));
		iso_time(hk_sql_column_int64(st, 1), at, sizeof(at));
		xmlNewProp(t, BAD_CAST "at", BAD_CAST at);
	}
	ui_server_index_free(&index);
	hk_db_done(st);
	return rc == HK_SQL_DONE ? HK_SQL_OK : rc;
}

/* <mail-servers> with every server in display order; NULL after failing
 * the request. */
static xmlNodePtr
servers_xml(struct hk_ctx *ctx, xmlNodePtr root, long long except_id)
{
	xmlNodePtr list = xmlNewChild(root, NULL, BAD_CAST "mail-servers", NULL);
	struct hk_server *v = NULL;
	size_t n = 0;
	enum hk_store_rc rc = hk_server_list(ctx->app->db, &v, &n);

	if (rc != HK_STORE_OK) {
		fail_store(ctx, hk_server_rc_from_store(rc));
		return NULL;
	}
	for (size_t i = 0; i < n; i++)
		if (v[i].id != except_id)
			server_xml(list, &v[i]);
	hk_server_list_free(&v, n);
	return list;
}

void
ui_servers_list(struct hk_ctx *ctx)
{
	xmlNodePtr root = hk_page_new(ctx, "mail-servers");
	xmlNodePtr list = servers_xml(ctx, root, 0);
	int rc;

	if (list == NULL)
		return;
	if ((rc = last_tests_xml(ctx, list)) != HK_SQL_OK)
		fail_store(ctx, hk_db_busy(rc) ? HK_SERVER_BUSY :
		    HK_SERVER_ERROR);
	else
	{
		ui_health_list_xml(ctx->app->db, list);	/* send/fetch */
		ui_oauth2_server_counts_xml(ctx->app->db, list);
	}
}

/* ---- add / change ----------------------------------------------------- */

/* Adds the name-taken error to the others when the name is valid but
 * used.  False when the request has been failed (database busy). */
static bool
check_name(struct hk_ctx *ctx, const struct hk_server *s, long long except_id,
    struct hk_form_errors *errs)
{
	bool used = false;
	enum hk_store_rc rc;

	if (hk_form_has_error(errs, "name") || s->name == NULL || *s->name == '\0')
		return true;
	rc = hk_server_name_used(ctx->app->db, s->name, except_id, &used);
	if (rc != HK_STORE_OK) {
		fail_store(ctx, hk_server_rc_from_store(rc));
		return false;
	}
	if (used)
		hk_form_error(errs, "name", "error.name-taken", NULL, NULL);
	return true;
}

/* <oauth2-presets>: what choosing a provider fills in, for the form's
 * script (the server fills empty fields the same way on save). */
static void
presets_xml(xmlNodePtr root)
{
	xmlNodePtr list = xmlNewChild(root, NULL, BAD_CAST "oauth2-presets",
	    NULL);
	size_t n;
	const struct hk_oauth2_preset *v = hk_oauth2_presets(&n);

	for (size_t i = 0; i < n; i++) {
		const struct hk_oauth2_preset *p = &v[i];
		xmlNodePtr e = xmlNewChild(list, NULL, BAD_CAST "preset", NULL);
		const struct {
			const char *end;
			const struct hk_oauth2_host *h;
		} hosts[] = { { "imap4", &p->imap }, { "pop3", &p->pop3 },
		    { "smtp", &p->smtp } };

		xmlNewProp(e, BAD_CAST "name", BAD_CAST p->name);
		if (p->tenant != NULL)
			xmlNewProp(e, BAD_CAST "tenant", BAD_CAST p->tenant);
		if (p->auth_url != NULL)
			xmlNewProp(e, BAD_CAST "auth_url", BAD_CAST p->auth_url);
		if (p->token_url != NULL)
			xmlNewProp(e, BAD_CAST "token_url", BAD_CAST p->token_url);
		if (p->device_url != NULL)
			xmlNewProp(e, BAD_CAST "device_url",
			    BAD_CAST p->device_url);
		if (p->scope != NULL)
			xmlNewProp(e, BAD_CAST "scope", BAD_CAST p->scope);
		if (p->client_scope != NULL)
			xmlNewProp(e, BAD_CAST "client_scope",
			    BAD_CAST p->client_scope);
		for (size_t j = 0; j < 3; j++) {
			xmlNodePtr h;

			if (hosts[j].h->host == NULL)
				continue;
			h = xmlNewChild(e, NULL, BAD_CAST "host", NULL);
			xmlNewProp(h, BAD_CAST "end", BAD_CAST hosts[j].end);
			xmlNewProp(h, BAD_CAST "name", BAD_CAST hosts[j].h->host);
			hk_xml_attr_int(h, "port", hosts[j].h->port);
			xmlNewProp(h, BAD_CAST "security",
			    BAD_CAST hosts[j].h->security);
		}
	}
}

static xmlNodePtr
form_page(struct hk_ctx *ctx, const char *mode)
{
	xmlNodePtr root = hk_page_new(ctx, "mail-server-form");
	xmlNodePtr f = xmlNewChild(root, NULL, BAD_CAST "form", NULL);

	xmlNewProp(f, BAD_CAST "mode", BAD_CAST mode);
	presets_xml(root);
	/* For the form's own "test connection" part. */
	ui_accounts_options_xml(ctx, root);
	return root;
}

void
ui_server_new(struct hk_ctx *ctx)
{
	xmlNodePtr root = form_page(ctx, "new");
	struct hk_server s;

	hk_server_defaults(&s);
	server_xml(root, &s);
	auth_methods_xml(ctx, root, s.smtp_auth_method);
	recv_auth_methods_xml(ctx, root);
	hk_server_clear(&s);
}

void
ui_server_edit(struct hk_ctx *ctx)
{
	struct hk_server s;
	enum hk_store_rc rc = hk_server_load(ctx->app->db, ctx->app->key,
	    ctx->id, false, &s);
	xmlNodePtr root;

	if (rc != HK_STORE_OK) {
		fail_store(ctx, hk_server_rc_from_store(rc));
		return;
	}
	root = form_page(ctx, "edit");
	server_xml(root, &s);
	auth_methods_xml(ctx, root, s.smtp_auth_method);
	recv_auth_methods_xml(ctx, root);
	hk_server_clear(&s);
}

/* The version field: a positive integer, or 0 when malformed. */
static long long
form_version(struct hk_ctx *ctx)
{
	const char *v = hk_params_get(&ctx->form, "version");
	size_t n = v != NULL ? strlen(v) : 0;

	if (n == 0 || n > 18 || strspn(v, "0123456789") != n)
		return 0;
	return strtoll(v, NULL, 10);
}

/* Re-renders the form with what was entered (status 422 or 409). */
static xmlNodePtr
form_again(struct hk_ctx *ctx, int status, const struct hk_form_errors *errs,
    long long id, long long version, const struct hk_server *cur)
{
	xmlNodePtr root = form_page(ctx, id != 0 ? "edit" : "new");

	entered_xml(root, &ctx->form, id, version,
	    cur != NULL && cur->smtp_password_set,
	    cur != NULL && cur->oauth2_client_secret_set);
	auth_methods_xml(ctx, root, hk_params_get(&ctx->form, "smtp_auth_method"));
	recv_auth_methods_xml(ctx, root);
	errors_xml(ctx, errs);
	ctx->res->status = status;
	return root;
}

void
ui_server_create(struct hk_ctx *ctx)
{
	struct hk_form_errors errs = HK_FORM_ERRORS_INIT;
	struct hk_server s;
	enum hk_server_rc rc;

	hk_server_from_form(&ctx->form, ctx->app->mods, 0, &s, &errs);
	if (!check_name(ctx, &s, 0, &errs)) {
		hk_server_clear(&s);
		return;
	}
	if (errs.n > 0) {
		form_again(ctx, 422, &errs, 0, 0, NULL);
		hk_server_clear(&s);
		return;
	}
	rc = hk_server_create(ctx->app->db, ctx->app->key,
	    ctx->session.admin_name, &s);
	if (rc == HK_SERVER_OK) {
		hk_info("%s added mail server %lld", ctx->session.admin_name, s.id);
		hk_redirect(ctx, "mail-servers");
	} else if (rc == HK_SERVER_NAME_TAKEN) {
		hk_form_error(&errs, "name", "error.name-taken", NULL, NULL);
		form_again(ctx, 422, &errs, 0, 0, NULL);
	} else {
		fail_store(ctx, rc);
	}
	hk_server_clear(&s);
}

void
ui_server_update(struct hk_ctx *ctx)
{
	struct hk_form_errors errs = HK_FORM_ERRORS_INIT;
	struct hk_server s, cur;
	enum hk_store_rc src;
	enum hk_server_rc rc;
	long long version = form_version(ctx);
	xmlNodePtr root, current;

	/* The stored record first: a missing id is 404 whatever was sent. */
	src = hk_server_load(ctx->app->db, ctx->app->key, ctx->id, false, &cur);
	if (src != HK_STORE_OK) {
		fail_store(ctx, hk_server_rc_from_store(src));
		return;
	}
	/* A missing or malformed version can only be stale (409 below). */
	hk_server_from_form(&ctx->form, ctx->app->mods, HK_SERVER_FORM_CHANGE,
	    &s, &errs);
	/* Secrets entered now or stored (fixed credentials, client
	 * credentials). */
	hk_server_form_stored(&s, &cur, &errs);
	if (!check_name(ctx, &s, ctx->id, &errs))
		goto out;
	if (errs.n > 0) {
		form_again(ctx, 422, &errs, ctx->id, version, &cur);
		goto out;
	}
	s.id = ctx->id;
	s.version = version;
	rc = hk_server_update(ctx->app->db, ctx->app->key,
	    ctx->session.admin_name, &s);
	switch (rc) {
	case HK_SERVER_OK:
		hk_info("%s changed mail server %lld", ctx->session.admin_name, s.id);
		hk_redirect(ctx, "mail-servers");
		break;
	case HK_SERVER_NAME_TAKEN:
		hk_form_error(&errs, "name", "error.name-taken", NULL, NULL);
		form_again(ctx, 422, &errs, ctx->id, version, &cur);
		break;
	case HK_SERVER_STALE:
		/* Someone saved first.  Show the admin's values beside the
		 * stored ones; the form now carries the current version, so
		 * sending it again deliberately overwrites. */
		hk_server_clear(&cur);
		src = hk_server_load(ctx->app->db, ctx->app->key, ctx->id, false,
		    &cur);
		if (src != HK_STORE_OK) {
			fail_store(ctx, hk_server_rc_from_store(src));
			break;
		}
		root = form_again(ctx, 409, &errs, ctx->id, cur.version, &cur);
		hk_page_error(ctx, "", "error.stale", NULL, 0);
		current = xmlNewChild(root, NULL, BAD_CAST "current", NULL);
		server_xml(current, &cur);
		break;
	default:
		fail_store(ctx, rc);
		break;
	}
out:
	hk_server_clear(&s);
	hk_server_clear(&cur);
}

/* ---- order ------------------------------------------------------------ */

/* Reads the repeated "order" values from params.  Returns how many were
 * read into *ids_r (caller frees), or -1 when one is not a positive
 * integer. */
static long
read_order(const struct hk_params *p, long long **ids_r)
{
	long long *ids = NULL;
	size_t n = 0;

	*ids_r = NULL;
	for (size_t i = 0; i < p->n; i++) {
		const char *v = p->v[i].value;
		size_t len = strlen(v);

		if (strcmp(p->v[i].name, "order") != 0)
			continue;
		if (len == 0 || len > 18 || strspn(v, "0123456789") != len ||
		    v[0] == '0' || n >= MAX_ORDER) {
			free(ids);
			return -1;
		}
		ids = hk_realloc(ids, (n + 1) * sizeof(*ids));
		ids[n++] = strtoll(v, NULL, 10);
	}
	*ids_r = ids;
	return (long)n;
}

/* The order screen; proposed (may be NULL) is an order to show instead
 * of the stored one, used when it is a permutation of the servers. */
static void
order_page(struct hk_ctx *ctx, const long long *proposed, long nproposed)
{
	xmlNodePtr root = hk_page_new(ctx, "mail-servers-order");
	xmlNodePtr list = xmlNewChild(root, NULL, BAD_CAST "mail-servers", NULL);
	struct hk_server *v = NULL;
	size_t n = 0;
	enum hk_store_rc rc = hk_server_list(ctx->app->db, &v, &n);
	bool use = false;

	if (rc != HK_STORE_OK) {
		fail_store(ctx, hk_server_rc_from_store(rc));
		return;
	}
	if (proposed != NULL && nproposed == (long)n && n > 0) {
		use = true;
		for (size_t i = 0; use && i < n; i++) {
			size_t hits = 0;

			for (size_t j = 0; j < n; j++)
				if (v[j].id == proposed[i])
					hits++;
			for (size_t j = 0; j < i; j++)
				if (proposed[j] == proposed[i])
					hits = 0;
			use = hits == 1;
		}
	}
	if (use) {
		bool differs = false;

		for (size_t i = 0; i < n; i++) {
			for (size_t j = 0; j < n; j++)
				if (v[j].id == proposed[i])
					server_xml(list, &v[j]);
			if (v[i].id != proposed[i])
				differs = true;
		}
		if (differs)
			xmlNewProp(list, BAD_CAST "unsaved", BAD_CAST "true");
	} else {
		for (size_t i = 0; i < n; i++)
			server_xml(list, &v[i]);
	}
	hk_server_list_free(&v, n);
}

void
ui_servers_order_form(struct hk_ctx *ctx)
{
	long long *ids = NULL;
	long n = read_order(&ctx->query, &ids);

	/* ?order=...: the no-script move buttons propose an order (nothing
	 * is saved until the order is POSTed). */
	order_page(ctx, n > 0 ? ids : NULL, n);
	free(ids);
}

void
ui_servers_order(struct hk_ctx *ctx)
{
	long long *ids = NULL;
	long n = read_order(&ctx->form, &ids);
	enum hk_server_rc rc;

	rc = n < 0 ? HK_SERVER_BAD_ORDER :
	    hk_server_reorder(ctx->app->db, ctx->session.admin_name, ids,
	    (size_t)n);
	if (rc == HK_SERVER_OK) {
		hk_info("%s reordered the mail servers", ctx->session.admin_name);
		hk_redirect(ctx, "mail-servers");
	} else if (rc == HK_SERVER_BAD_ORDER) {
		order_page(ctx, NULL, 0);
		if (ctx->res->status < 400) {
			hk_page_error(ctx, "order", "error.order", NULL, 0);
			ctx->res->status = 422;
		}
	} else {
		fail_store(ctx, rc);
	}
	free(ids);
}

/* ---- delete ----------------------------------------------------------- */

/* <mail-accounts> using server id; returns how many, -1 on failure
 * (after failing the request). */
static long
users_xml(struct hk_ctx *ctx, xmlNodePtr root, long long id, struct hk_buf *names)
{
	struct hk_sql_stmt *st = hk_db_prepare(ctx->app->db,
	    "SELECT id, version, name, address FROM mail_accounts"
	    " WHERE server_id = ?1 ORDER BY name, id");
	xmlNodePtr list = xmlNewChild(root, NULL, BAD_CAST "mail-accounts", NULL);
	long n = 0;
	int rc;

	hk_sql_bind_int64(st, 1, id);
	while ((rc = hk_sql_step(st)) == HK_SQL_ROW) {
		xmlNodePtr a = xmlNewChild(list, NULL, BAD_CAST "mail-account", NULL);
		const char *name = hk_sql_column_text(st, 2);

		hk_xml_attr_int(a, "id", hk_sql_column_int64(st, 0));
		hk_xml_attr_int(a, "version", hk_sql_column_int64(st, 1));
		hk_xml_text(a, "name", name);
		hk_xml_text(a, "address", hk_sql_column_text(st, 3));
		if (names != NULL)
			hk_buf_printf(names, "%s%s", n ? ", " : "", name ? name : "");
		n++;
	}
	hk_db_done(st);
	if (rc != HK_SQL_DONE) {
		fail_store(ctx, hk_db_busy(rc) ? HK_SERVER_BUSY :
		    HK_SERVER_ERROR);
		return -1;
	}
	return n;
}

/* The confirmation screen.  Returns the number of accounts using the
 * server, or -1 when the request has been failed. */
static long
delete_page(struct hk_ctx *ctx, struct hk_buf *names)
{
	struct hk_server s;
	enum hk_store_rc rc = hk_server_load(ctx->app->db, ctx->app->key,
	    ctx->id, false, &s);
	xmlNodePtr root;
	long n;

	if (rc != HK_STORE_OK) {
		fail_store(ctx, hk_server_rc_from_store(rc));
		return -1;
	}
	root = hk_page_new(ctx, "mail-server-delete");
	server_xml(root, &s);
	hk_server_clear(&s);
	if ((n = users_xml(ctx, root, ctx->id, names)) < 0)
		return -1;
	/* The servers the accounts can move to, in display order. */
	if (servers_xml(ctx, root, ctx->id) == NULL)
		return -1;
	return n;
}

void
ui_server_delete_form(struct hk_ctx *ctx)
{
	(void)delete_page(ctx, NULL);
}

void
ui_server_delete(struct hk_ctx *ctx)
{
	const char *rw = hk_params_get(&ctx->form, "replace_with");
	long long replace_with = 0;
	struct hk_buf names = HK_BUF_INIT;
	enum hk_server_rc rc;
	size_t len = rw != NULL ? strlen(rw) : 0;

	if (len > 0) {
		if (len > 18 || strspn(rw, "0123456789") != len || rw[0] == '0')
			replace_with = -1;
		else
			replace_with = strtoll(rw, NULL, 10);
	}
	rc = replace_with < 0 ? HK_SERVER_BAD_REPLACEMENT :
	    hk_server_delete(ctx->app->db, ctx->session.admin_name, ctx->id,
	    replace_with, NULL);
	switch (rc) {
	case HK_SERVER_OK:
		hk_info("%s deleted mail server %lld", ctx->session.admin_name,
		    ctx->id);
		hk_redirect(ctx, "mail-servers");
		break;
	case HK_SERVER_IN_USE:
	case HK_SERVER_BAD_REPLACEMENT:
		if (delete_page(ctx, &names) < 0)
			break;
		if (rc == HK_SERVER_IN_USE) {
			const char *args[1] = { hk_buf_str(&names) };

			hk_page_error(ctx, "replace_with", "error.in-use", args, 1);
			ctx->res->status = 409;
		} else {
			hk_page_error(ctx, "replace_with", "error.server-missing",
			    NULL, 0);
			ctx->res->status = 422;
		}
		break;
	default:
		fail_store(ctx, rc);
		break;
	}
	hk_buf_free(&names);
}
