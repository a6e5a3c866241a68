/* ui_conntest.c - the connection test from the screens (docs/PROTOCOLS.md).
 *
 * POST /mail-servers/test: the form's unsaved values (every server field,
 * as the add/change form posts them).
 * POST /mail-servers/{id}/test: the saved server {id}; or, when the post
 * also carries the server fields (a "name"), those unsaved values, with
 * the stored SMTP password of {id} when smtp_password is left empty.
 *
 * Credentials: account_id (a mail account: its user name, password and
 * address), or test_user + test_password (+ test_address, optional).
 *
 * A stored secret goes only where it was saved to go, so that a signed-in
 * session (perhaps a stolen cookie) cannot send it to a host of its
 * choosing: an account's password only to its own server's receive host
 * and port (login, POP before SMTP) and, when SMTP AUTH uses the
 * account's credentials, its SMTP host and port; a saved server's SMTP
 * password only to the SMTP host and port it was saved with.  Otherwise
 * the request is refused (422) and the secret must be typed.  Every test,
 * and every such refusal, is recorded in the audit trail (testaudit.h).
 *
 * Answers 200 with screen "test-result" whatever the outcome of the test
 * (docs/REFERENCE.md); 422 if the form or the credentials cannot be tested (the
 * screen then shows the errors and, for a saved server, a credentials
 * form); 404 for an unknown server.  The result of a saved server's test
 * is stored as its last test.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "accounts.h"
#include "app.h"
#include "conntest.h"
#include "log.h"
#include "mem.h"
#include "oauth2_token.h"
#include "server_form.h"
#include "server_store.h"
#include "servers.h"
#include "testaudit.h"
#include "ui.h"

/* The web test must finish before the web server gives up on us (nginx's
 * fastcgi_read_timeout is 60 s by default): two ends of at most 25 s. */
static const struct hk_net_timeouts web_timeouts = {
	.resolve_ms = 5000,
	.connect_ms = 8000,
	.io_ms = 10000,
	.total_ms = 25000,
};

/* A positive integer form value, or 0. */
static long long
form_id(struct hk_ctx *ctx, const char *name)
{
	const char *v = hk_params_get(&ctx->form, name);
	size_t n = v != NULL ? strlen(v) : 0;

	if (n == 0 || n > 18 || strspn(v, "0123456789") != n)
		return 0;
	return strtoll(v, NULL, 10);
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

/* <mail-server id="" version=""><name/></mail-server> and what was asked. */
static void
context_xml(struct hk_ctx *ctx, xmlNodePtr root, const struct hk_server *s,
    bool saved)
{
	xmlNodePtr n = xmlNewChild(root, NULL, BAD_CAST "mail-server", NULL);
	xmlNodePtr q;
	const char *user = hk_params_get(&ctx->form, "test_user");
	const char *addr = hk_params_get(&ctx->form, "test_address");

	if (s->id != 0)
		hk_xml_attr_int(n, "id", s->id);
	if (s->version != 0)
		hk_xml_attr_int(n, "version", s->version);
	xmlNewProp(n, BAD_CAST "saved", BAD_CAST(saved ? "true" : "false"));
	hk_xml_text(n, "name", s->name);
	q = xmlNewChild(root, NULL, BAD_CAST "test-request", NULL);
	if (form_id(ctx, "account_id") > 0)
		hk_xml_attr_int(q, "account_id", form_id(ctx, "account_id"));
	hk_xml_text(q, "test_user", user);
	hk_xml_text(q, "test_address", addr);
}

/* The accounts, for the credentials form of a test (here and on the
 * server form). */
void
ui_accounts_options_xml(struct hk_ctx *ctx, xmlNodePtr root)
{
	struct hk_account *list = NULL;
	size_t n = 0;
	xmlNodePtr all;

	if (hk_account_list(ctx->app->db, NULL, &list, &n) != HK_STORE_OK)
		return;
	all = xmlNewChild(root, NULL, BAD_CAST "mail-accounts", NULL);
	for (size_t i = 0; i < n; i++) {
		xmlNodePtr a = xmlNewChild(all, NULL, BAD_CAST "mail-account", NULL);

		hk_xml_attr_int(a, "id", list[i].id);
		hk_xml_text(a, "name", list[i].name);
		hk_xml_text(a, "address", list[i].address);
		hk_xml_int(a, "server_id", list[i].server_id);
	}
	hk_account_list_free(&list, n);
}

/* Is host:port the place a stored secret was saved to go? */
static bool
same_place(const char *host, int port, const char *saved_host, int saved_port)
{
	return port == saved_port && host != NULL && saved_host != NULL &&
	    strcasecmp(host, saved_host) == 0;
}

/* May a test of s send the stored password of an account of server home?
 * Its receive end always gets it; its send end when SMTP AUTH uses the
 * account's credentials. */
static bool
account_secret_may_go(const struct hk_server *s, const struct hk_server *home)
{
	if (!same_place(s->recv_host, s->recv_port, home->recv_host,
	    home->recv_port))
		return false;
	return !(s->smtp_auth && s->smtp_credentials == HK_CRED_ACCOUNT) ||
	    same_place(s->smtp_host, s->smtp_port, home->smtp_host,
	    home->smtp_port);
}

/* Checks account_secret_may_go against the account's server as saved;
 * adds the page error when not. */
static bool
account_may_go(struct hk_ctx *ctx, const struct hk_server *s,
    const struct hk_account *acct)
{
	struct hk_server home;
	bool ok;

	if (hk_server_load(ctx->app->db, NULL, acct->server_id, false,
	    &home) != HK_STORE_OK) {
		hk_page_error(ctx, "account_id", "conntest.error.store", NULL, 0);
		return false;
	}
	ok = account_secret_may_go(s, &home);
	if (!ok) {
		const char *args[1] = { home.name };

		hk_page_error(ctx, "account_id",
		    "conntest.error.account-elsewhere", args, 1);
	}
	hk_server_clear(&home);
	return ok;
}

static void
audit_refusal(struct hk_ctx *ctx, const struct hk_server *s, bool saved,
    const struct hk_account *acct, bool stored_smtp_password, const char *why)
{
	struct hk_testaudit t = {
		.actor = ctx->session.admin_name, .srv = s, .saved = saved,
		.account_name = acct != NULL ? acct->name : NULL,
		.account_id = acct != NULL ? acct->id : 0,
		.stored_smtp_password = stored_smtp_password,
		.refused = why,
	};

	(void)hk_testaudit_record(ctx->app->db, &t);
}

static void
run_test(struct hk_ctx *ctx, struct hk_server *s, bool saved,
    bool stored_smtp_password)
{
	struct hk_app *app = ctx->app;
	struct hk_account acct;
	struct hk_conntest_params p;
	struct hk_conntest_result res;
	long long account_id = form_id(ctx, "account_id");
	const char *tuser = hk_params_get(&ctx->form, "test_user");
	const char *tpass = hk_params_get(&ctx->form, "test_password");
	const char *taddr = hk_params_get(&ctx->form, "test_address");
	xmlNodePtr root = hk_page_new(ctx, "test-result"), result;
	struct hk_oauth2_token tok;
	bool oauth_end = hk_oauth2_token_recv(s) || hk_oauth2_token_send(s);

	memset(&acct, 0, sizeof(acct));
	memset(&tok, 0, sizeof(tok));
	context_xml(ctx, root, s, saved);
	memset(&p, 0, sizeof(p));
	if (account_id > 0) {
		enum hk_store_rc rc = hk_account_load(app->db, app->key,
		    account_id, true, &acct);

		if (rc == HK_STORE_NOT_FOUND || (rc != HK_STORE_OK &&
		    rc != HK_STORE_INVALID)) {
			hk_page_error(ctx, "account_id", rc == HK_STORE_NOT_FOUND ?
			    "conntest.error.no-account" : "conntest.error.store",
			    NULL, 0);
			goto refuse;
		}
		/* With OAuth 2.0 the token signs in: no password needed. */
		if (acct.password == NULL && (rc != HK_STORE_OK || !oauth_end)) {
			hk_page_error(ctx, "account_id",
			    "conntest.error.unreadable-password", NULL, 0);
			goto refuse;
		}
		if (!account_may_go(ctx, s, &acct)) {
			audit_refusal(ctx, s, saved, &acct, stored_smtp_password,
			    "the account's stored password goes only to its "
			    "own server's hosts and ports");
			goto refuse;
		}
		p.user = acct.username;
		p.password = acct.password != NULL ? acct.password : "";
		if (oauth_end) {
			struct hk_oauth2_src o = { app->db, app->key,
			    app->cfg.ca_file };

			(void)hk_oauth2_token_get(&o, s, &acct, &tok);
			p.token = &tok;
		}
		p.address = taddr != NULL && *taddr != '\0' ? taddr : acct.address;
		p.cred_field = "account_id";
	} else if (tuser != NULL && *tuser != '\0') {
		if (tpass == NULL || *tpass == '\0') {
			hk_page_error(ctx, "test_password",
			    "conntest.error.no-password", NULL, 0);
			goto refuse;
		}
		p.user = tuser;
		p.password = tpass;
		p.address = taddr != NULL && *taddr != '\0' ? taddr : NULL;
		p.cred_field = "test_user";
	} else {
		hk_page_error(ctx, "account_id", "conntest.error.no-credentials",
		    NULL, 0);
		goto refuse;
	}
	if (p.address != NULL && (strlen(p.address) > 254 ||
	    strpbrk(p.address, "<>\r\n ") != NULL || strchr(p.address, '@') == NULL)) {
		hk_page_error(ctx, "test_address", "conntest.error.address", NULL, 0);
		goto refuse;
	}
	p.srv = s;
	p.mods = app->mods;
	p.to = web_timeouts;
	p.cat = app->cat;
	p.lang = ctx->lang;

	result = hk_conntest_run(&p, ctx->res->doc, &res);
	xmlAddChild(root, result);
	if (saved)
		(void)hk_conntest_store(app->db, s->id, &res, result);
	hk_info("connection test of server %lld (%s): %s", s->id,
	    saved ? "saved" : "form", res.ok ? "ok" : "failed");
	{
		struct hk_testaudit t = {
			.actor = ctx->session.admin_name, .srv = s,
			.saved = saved,
			.account_name = account_id > 0 ? acct.name : NULL,
			.account_id = account_id,
			.typed_user = account_id > 0 ? NULL : tuser,
			.stored_smtp_password = stored_smtp_password,
			.ok = res.ok, .exit_code = res.exit_code,
			.summary = res.summary,
		};

		(void)hk_testaudit_record(app->db, &t);
	}
	free(res.summary);
	hk_oauth2_token_clear(&tok);
	hk_account_clear(&acct);
	return;
refuse:
	if (saved)
		ui_accounts_options_xml(ctx, root);
	ctx->res->status = 422;
	hk_account_clear(&acct);
}

void
ui_conntest_unsaved(struct hk_ctx *ctx)
{
	struct hk_form_errors errs = HK_FORM_ERRORS_INIT;
	struct hk_server s;
	xmlNodePtr root;

	memset(&s, 0, sizeof(s));
	if (hk_server_from_form(&ctx->form, ctx->app->mods, 0, &s, &errs) > 0) {
		/* Name uniqueness does not matter for a test. */
		bool only_name = true;

		for (size_t i = 0; i < errs.n; i++)
			if (strcmp(errs.v[i].field, "name") != 0)
				only_name = false;
		if (!only_name) {
			root = hk_page_new(ctx, "test-result");
			context_xml(ctx, root, &s, false);
			errors_xml(ctx, &errs);
			ctx->res->status = 422;
			hk_server_clear(&s);
			return;
		}
	}
	run_test(ctx, &s, false, false);
	hk_server_clear(&s);
}

void
ui_conntest_saved(struct hk_ctx *ctx)
{
	struct hk_app *app = ctx->app;
	struct hk_form_errors errs = HK_FORM_ERRORS_INIT;
	struct hk_server s;
	enum hk_store_rc rc;
	xmlNodePtr root;

	memset(&s, 0, sizeof(s));
	rc = hk_server_load(app->db, app->key, ctx->id, true, &s);
	if (rc == HK_STORE_NOT_FOUND) {
		hk_fail(ctx, 404, "not-found");
		return;
	}
	if (rc != HK_STORE_OK) {
		hk_fail(ctx, rc == HK_STORE_BUSY ? 503 : 500,
		    rc == HK_STORE_BUSY ? "unavailable" : "internal");
		return;
	}
	if (hk_params_get(&ctx->form, "name") == NULL) {
		run_test(ctx, &s, true, s.smtp_password != NULL);
		hk_server_clear(&s);
		return;
	}

	/* The change form's unsaved values, tested against this server. */
	{
		struct hk_server f;
		bool only_name = true;

		memset(&f, 0, sizeof(f));
		hk_server_from_form(&ctx->form, app->mods, HK_SERVER_FORM_CHANGE,
		    &f, &errs);
		for (size_t i = 0; i < errs.n; i++)
			if (strcmp(errs.v[i].field, "name") != 0)
				only_name = false;
		f.id = s.id;
		f.version = s.version;
		if (!only_name) {
			root = hk_page_new(ctx, "test-result");
			context_xml(ctx, root, &f, false);
			errors_xml(ctx, &errs);
			ctx->res->status = 422;
		} else if (f.smtp_password == NULL && s.smtp_password != NULL &&
		    f.smtp_auth && f.smtp_credentials == HK_CRED_FIXED &&
		    !same_place(f.smtp_host, f.smtp_port, s.smtp_host,
		    s.smtp_port)) {
			/* The stored SMTP password stays with its host. */
			char *place = hk_aprintf("%s:%d", s.smtp_host,
			    s.smtp_port);
			const char *args[1] = { place };

			root = hk_page_new(ctx, "test-result");
			context_xml(ctx, root, &f, false);
			hk_page_error(ctx, "smtp_password",
			    "conntest.error.smtp-password-elsewhere", args, 1);
			ctx->res->status = 422;
			audit_refusal(ctx, &f, false, NULL, true, "the stored SMTP "
			    "password goes only to the SMTP host and port it "
			    "was saved with");
			free(place);
		} else {
			bool reuse = f.smtp_password == NULL &&
			    s.smtp_password != NULL && same_place(f.smtp_host,
			    f.smtp_port, s.smtp_host, s.smtp_port);

			if (reuse)
				f.smtp_password = hk_strdup(s.smtp_password);
			run_test(ctx, &f, false, reuse);
		}
		hk_server_clear(&f);
	}
	hk_server_clear(&s);
}
