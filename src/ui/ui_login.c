/* ui_login.c - signing in and out, the start page, the language choice. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "admins.h"
#include "app.h"
#include "log.h"
#include "throttle.h"
#include "ui.h"

#define SESSION_COOKIE "hikyaku_session"
#define PRE_COOKIE "hikyaku_pre"
#define MAX_USER_LEN 64

void
ui_root(struct hk_ctx *ctx)
{
	hk_redirect(ctx, "mail-servers");
}

static xmlNodePtr
login_page(struct hk_ctx *ctx, const char *user)
{
	xmlNodePtr root = hk_page_new(ctx, "login");
	xmlNodePtr login = xmlNewChild(root, NULL, BAD_CAST "login", NULL);

	xmlNewProp(login, BAD_CAST "user", BAD_CAST(user ? user : ""));
	return root;
}

void
ui_login_form(struct hk_ctx *ctx)
{
	if (ctx->signed_in) {
		hk_redirect(ctx, "mail-servers");
		return;
	}
	login_page(ctx, NULL);
}

void
ui_login(struct hk_ctx *ctx)
{
	struct hk_db *db = ctx->app->db;
	const char *user = hk_params_get(&ctx->form, "user");
	const char *password = hk_params_get(&ctx->form, "password");
	const char *addr = ctx->req->remote_addr ? ctx->req->remote_addr : "";
	char cookie[HK_TOKEN_HEX + 1];
	long long id = 0;
	long wait;
	enum hk_throttle_counter counter;
	enum hk_store_rc rc;

	if (user == NULL || password == NULL || strlen(user) > MAX_USER_LEN) {
		login_page(ctx, NULL);
		hk_page_error(ctx, "", "error.login.failed", NULL, 0);
		ctx->res->status = 422;
		return;
	}
	if ((wait = hk_throttle_wait(db, user, addr, &counter)) > 0) {
		char secs[24];
		const char *args[] = { secs };

		snprintf(secs, sizeof(secs), "%ld", wait);
		login_page(ctx, user);
		hk_page_error(ctx, "", "error.login.throttled", args, 1);
		hk_response_header(ctx->res, "Retry-After", "%ld", wait);
		ctx->res->status = 429;
		hk_info("sign-in of '%s' from %s refused: throttled by the %s "
		    "counter for %lds", user, addr,
		    hk_throttle_counter_name(counter), wait);
		return;
	}
	rc = hk_admin_check(db, user, password, &id);
	if (rc == HK_STORE_NOT_FOUND) {
		hk_throttle_failed(db, user, addr);
		login_page(ctx, user);
		hk_page_error(ctx, "", "error.login.failed", NULL, 0);
		ctx->res->status = 422;
		hk_info("sign-in of '%s' from %s failed", user, addr);
		return;
	}
	if (rc == HK_STORE_OK)
		rc = hk_session_create(db, id, cookie, &ctx->session);
	if (rc != HK_STORE_OK) {
		hk_fail(ctx, rc == HK_STORE_BUSY ? 503 : 500,
		    rc == HK_STORE_BUSY ? "unavailable" : "internal");
		return;
	}
	hk_throttle_succeeded(db, user, addr);
	/* A new session id and a new CSRF token: nothing from before
	 * sign-in carries over (session fixation). */
	hk_set_cookie(ctx, SESSION_COOKIE, cookie, -1);
	hk_set_cookie(ctx, PRE_COOKIE, "", 0);
	hk_info("admin '%s' signed in from %s", ctx->session.admin_name, addr);
	hk_redirect(ctx, "mail-servers");
}

void
ui_logout(struct hk_ctx *ctx)
{
	(void)hk_session_destroy(ctx->app->db, &ctx->session);
	hk_set_cookie(ctx, SESSION_COOKIE, "", 0);
	hk_info("admin '%s' signed out", ctx->session.admin_name);
	hk_redirect(ctx, "login");
}

void
ui_prefs_lang(struct hk_ctx *ctx)
{
	const char *lang = hk_params_get(&ctx->form, "lang");

	if (lang == NULL || (*lang != '\0' && !hk_lang_supported(lang))) {
		hk_fail(ctx, 400, "bad-request");
		return;
	}
	if (hk_admin_set_lang(ctx->app->db, ctx->session.admin_id, lang) !=
	    HK_STORE_OK) {
		hk_fail(ctx, 503, "unavailable");
		return;
	}
	hk_redirect(ctx, "mail-servers");
}
