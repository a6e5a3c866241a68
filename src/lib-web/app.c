/* app.c - application set-up and the request pipeline: base path, query,
 * cookies, negotiation, routing, session, body, sign-in and CSRF checks,
 * the handler, and rendering. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "cachedpage.h"
#include "cookie.h"
#include "form.h"
#include "log.h"
#include "mem.h"
#include "modload.h"
#include "negotiate.h"
#include "pagecache.h"
#include "routes.h"
#include "secmem.h"
#include "statics.h"

#define MAX_QUERY_PAIRS 64
#define MAX_FORM_PAIRS 512
#define MAX_COOKIES 32

#define SESSION_COOKIE "hikyaku_session"
#define PRE_COOKIE "hikyaku_pre"

/* The policy, in two halves around the end of form-action, where a
 * screen may add sources (hk_ctx.form_action). */
static const char csp_head[] =
	"default-src 'none'; style-src 'self'; script-src 'self'; "
	"img-src 'self'; connect-src 'self'; form-action 'self'";
static const char csp_tail[] = "; frame-ancestors 'none'; base-uri 'none'";

int
hk_app_init(struct hk_app *app, struct hk_config *cfg,
    const struct hk_route *routes, size_t nroutes, char **err_r)
{
	char *i18n_dir;

	memset(app, 0, sizeof(*app));
	app->routes = routes;
	app->nroutes = nroutes;
	app->cfg = *cfg;
	memset(cfg, 0, sizeof(*cfg));
	app->key = hk_secmem_alloc(HK_KEY_LEN);
	if (hk_keyfile_read(app->cfg.secret_key, app->key, err_r) < 0)
		return -1;
	i18n_dir = hk_aprintf("%s/i18n", app->cfg.xsl_dir);
	app->cat = hk_catalog_load(i18n_dir, err_r);
	free(i18n_dir);
	if (app->cat == NULL)
		return -1;
	if ((app->view = hk_view_load(app->cfg.xsl_dir, app->cat, err_r)) == NULL)
		return -1;
	app->statics = hk_statics_load(app->cfg.static_dir);
	/* Once, before the workers fork: never a dlopen per request. */
	app->mods = hk_modset_load(app->cfg.module_dir);
	return 0;
}

int
hk_app_open_db(struct hk_app *app, char **err_r)
{
	int v;

	if ((app->db = hk_db_open(app->cfg.database, false, err_r)) == NULL)
		return -1;
	v = hk_db_schema_version(app->db);
	if (v != hk_db_schema_latest()) {
		*err_r = hk_aprintf("%s: schema version %d, this hikyaku needs %d "
		    "(run 'hikyakuctl init')", app->cfg.database, v,
		    hk_db_schema_latest());
		hk_db_close(&app->db);
		return -1;
	}
	return 0;
}

void
hk_app_free(struct hk_app *app)
{
	hk_pagecache_free(&app->pages);
	free(app->page_refused);
	hk_db_close(&app->db);
	hk_view_free(&app->view);
	hk_catalog_free(&app->cat);
	hk_statics_free(&app->statics);
	hk_modset_free(&app->mods);
	hk_secmem_free(app->key, HK_KEY_LEN);
	app->key = NULL;
	hk_config_free(&app->cfg);
}

void
hk_redirect(struct hk_ctx *ctx, const char *route)
{
	ctx->res->status = 303;
	hk_response_header(ctx->res, "Location", "%s%s",
	    ctx->app->cfg.base_path, route);
}

void
hk_fail(struct hk_ctx *ctx, int status, const char *code)
{
	xmlNodePtr root = hk_page_new(ctx, "error");
	xmlNodePtr p = xmlNewChild(root, NULL, BAD_CAST "problem", NULL);

	hk_xml_attr_int(p, "status", status);
	xmlNewProp(p, BAD_CAST "code", BAD_CAST code);
	ctx->res->status = status;
}

void
hk_set_cookie(struct hk_ctx *ctx, const char *name, const char *value,
    long max_age)
{
	char age[48] = "";

	if (max_age >= 0)
		snprintf(age, sizeof(age), "; Max-Age=%ld", max_age);
	hk_response_header(ctx->res, "Set-Cookie",
	    "%s=%s; Path=%s; HttpOnly; SameSite=Strict%s%s", name, value,
	    ctx->app->cfg.base_path, ctx->req->https ? "; Secure" : "", age);
}

/* The route path below base_path, or NULL when the URI is outside it or
 * holds anything but plain path characters. */
static char *
route_path(const char *uri, const char *base)
{
	size_t plen, blen = strlen(base);
	const char *rest;

	if (uri == NULL || *uri == '\0')
		uri = "/";
	plen = strcspn(uri, "?#");
	if (plen == blen - 1 && strncmp(uri, base, plen) == 0)
		rest = "";
	else if (plen >= blen && strncmp(uri, base, blen) == 0)
		rest = uri + blen;
	else
		return NULL;
	plen -= (size_t)(rest - uri);
	for (size_t i = 0; i < plen; i++) {
		char c = rest[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '/' || c == '.' || c == '-' ||
		    c == '_'))
			return NULL;
		/* No empty, "." or ".." segments. */
		if (c == '/' && (i == 0 || rest[i - 1] == '/'))
			return NULL;
		if (c == '.' && (i == 0 || rest[i - 1] == '/'))
			return NULL;
	}
	return hk_aprintf("/%.*s", (int)plen, rest);
}

static bool
token_shape(const char *t)
{
	if (t == NULL || strlen(t) != HK_TOKEN_HEX)
		return false;
	return strspn(t, "0123456789abcdef") == HK_TOKEN_HEX;
}

/* Finds the session, or signs in the web server's REMOTE_USER when the
 * configuration trusts it.  Returns 0, or an HTTP status to fail with. */
static int
load_session(struct hk_ctx *ctx)
{
	struct hk_app *app = ctx->app;
	const char *cookie = hk_params_get(&ctx->cookies, SESSION_COOKIE);
	const char *ruser = ctx->req->remote_user;
	enum hk_store_rc rc = HK_STORE_NOT_FOUND;

	if (cookie != NULL) {
		rc = hk_session_lookup(app->db, cookie, &ctx->session);
		if (rc == HK_STORE_BUSY)
			return 503;
		if (rc == HK_STORE_ERROR)
			return 500;
	}
	ctx->signed_in = rc == HK_STORE_OK;
	if (app->cfg.trust_remote_user && ruser != NULL && *ruser != '\0' &&
	    (!ctx->signed_in ||
	    strcasecmp(ctx->session.admin_name, ruser) != 0)) {
		struct hk_sql_stmt *st = hk_db_prepare(app->db,
		    "SELECT id FROM admins WHERE lower(name) = lower(?1)");
		long long id = 0;
		char value[HK_TOKEN_HEX + 1];

		if (ctx->signed_in)
			(void)hk_session_destroy(app->db, &ctx->session);
		ctx->signed_in = false;
		hk_sql_bind_text(st, 1, ruser);
		if (hk_sql_step(st) == HK_SQL_ROW)
			id = hk_sql_column_int64(st, 0);
		hk_db_done(st);
		if (id == 0) {
			hk_warn("REMOTE_USER '%.64s' is not an administrator", ruser);
			return 0;
		}
		rc = hk_session_create(app->db, id, value, &ctx->session);
		if (rc != HK_STORE_OK)
			return rc == HK_STORE_BUSY ? 503 : 500;
		hk_set_cookie(ctx, SESSION_COOKIE, value, -1);
		ctx->signed_in = true;
	}
	return 0;
}

/* Sets ctx->csrf: the session's token, or before sign-in the HMAC of the
 * pre-session cookie (set here when missing). */
static void
load_csrf(struct hk_ctx *ctx)
{
	const char *pre;
	char fresh[HK_TOKEN_HEX + 1];

	if (ctx->signed_in) {
		memcpy(ctx->csrf, ctx->session.csrf, sizeof(ctx->csrf));
		return;
	}
	pre = hk_params_get(&ctx->cookies, PRE_COOKIE);
	if (!token_shape(pre)) {
		hk_token_new(fresh);
		hk_set_cookie(ctx, PRE_COOKIE, fresh, -1);
		pre = fresh;
	}
	hk_login_csrf(ctx->app->key, pre, ctx->csrf);
}

/* Parses a POST body.  Returns 0 or the status to fail with. */
static int
load_form(struct hk_ctx *ctx)
{
	const char *type = ctx->req->content_type;
	size_t tlen;

	if (ctx->req->body_too_large)
		return 413;
	if (type == NULL)
		type = "";
	tlen = strcspn(type, ";");
	while (tlen > 0 && type[tlen - 1] == ' ')
		tlen--;
	if (ctx->req->body.len > 0 &&
	    (tlen != 33 ||
	    strncasecmp(type, "application/x-www-form-urlencoded", 33) != 0))
		return 415;
	if (hk_form_parse(hk_buf_str(&ctx->req->body), ctx->req->body.len,
	    MAX_FORM_PAIRS, &ctx->form) != HK_FORM_OK)
		return 400;
	return 0;
}

static const char *
problem_code(int status)
{
	switch (status) {
	case 400: return "bad-request";
	case 401: return "unauthorized";
	case 403: return "forbidden";
	case 404: return "not-found";
	case 405: return "method-not-allowed";
	case 409: return "conflict";
	case 413: return "too-large";
	case 415: return "unsupported-media-type";
	case 503: return "unavailable";
	default: return "internal";
	}
}

static void
render(struct hk_ctx *ctx)
{
	struct hk_response *res = ctx->res;
	char *err = NULL;

	if (res->doc == NULL)
		return;
	if (ctx->want_xml) {
		res->content_type = "application/xml; charset=utf-8";
		hk_view_xml(res->doc, &res->body);
		return;
	}
	res->content_type = "text/html; charset=utf-8";
	if (hk_view_html(ctx->app->view, res->doc, res->screen, &res->body,
	    &err) < 0) {
		hk_err("%s", err);
		free(err);
		/* Fall back to a bare page: the stylesheet itself is broken. */
		hk_buf_reset(&res->body);
		res->status = 500;
		res->content_type = "text/plain; charset=utf-8";
		hk_buf_puts(&res->body, "500 Internal Server Error\n");
		return;
	}
	hk_cachedpage_fill(ctx);
}

static void
security_headers(struct hk_ctx *ctx)
{
	struct hk_response *res = ctx->res;

	hk_response_header(res, "Content-Security-Policy", "%s%s%s%s",
	    csp_head, ctx->form_action != NULL ? " " : "",
	    ctx->form_action != NULL ? ctx->form_action : "", csp_tail);
	hk_response_header(res, "X-Content-Type-Options", "nosniff");
	hk_response_header(res, "X-Frame-Options", "DENY");
	hk_response_header(res, "Referrer-Policy", "same-origin");
	if (res->doc != NULL || ctx->cache_hit || res->status == 303) {
		hk_response_header(res, "Cache-Control", "no-store");
		hk_response_header(res, "Vary", "Accept, Accept-Language, Cookie");
	}
}

void
hk_app_handle(struct hk_app *app, struct hk_request *req,
    struct hk_response *res)
{
	struct hk_ctx ctx;
	const struct hk_route *route = NULL;
	const char *tail = NULL, *format;
	char allow[64];
	enum hk_route_match match;
	int status;
	bool post = req->method != NULL && strcmp(req->method, "POST") == 0;

	memset(&ctx, 0, sizeof(ctx));
	ctx.app = app;
	ctx.req = req;
	ctx.res = res;
	ctx.lang = hk_accept_language(req->accept_language, hk_languages);
	if (ctx.lang == NULL)
		ctx.lang = hk_languages[0];
	ctx.want_xml = hk_accept_prefers_xml(req->accept);
	hk_cookie_parse(req->cookie, MAX_COOKIES, &ctx.cookies);

	/* What the web server must always send (RFC 3875 4.1.12), and a
	 * body that arrived whole: a raw FastCGI peer may send neither. */
	if (req->method == NULL || *req->method == '\0' || req->uri == NULL ||
	    req->body_bad) {
		hk_fail(&ctx, 400, "bad-request");
		goto out;
	}
	if (req->query_string != NULL && hk_form_parse(req->query_string,
	    strlen(req->query_string), MAX_QUERY_PAIRS, &ctx.query) != HK_FORM_OK) {
		hk_fail(&ctx, 400, "bad-request");
		goto out;
	}
	if ((format = hk_params_get(&ctx.query, "format")) != NULL)
		ctx.want_xml = strcmp(format, "xml") == 0;

	ctx.path = route_path(req->uri, app->cfg.base_path);
	match = ctx.path == NULL ? HK_ROUTE_NO_PATH :
	    hk_route_find(app->routes, app->nroutes,
	    req->method ? req->method : "", ctx.path, &route,
	    &ctx.id, &tail, allow, sizeof(allow));
	if (match == HK_ROUTE_FOUND && (route->flags & HK_ROUTE_RAW)) {
		/* tail points into ctx.path: copy before freeing. */
		char *file = hk_strdup(tail);

		free(ctx.path);
		ctx.path = file;
		route->fn(&ctx);
		goto out;
	}

	/* The session comes first even for errors, so that an error screen
	 * still shows who is signed in, in their language. */
	if ((status = load_session(&ctx)) != 0) {
		hk_fail(&ctx, status, problem_code(status));
		goto out;
	}
	if (ctx.signed_in && ctx.session.admin_lang[0] != '\0' &&
	    hk_lang_supported(ctx.session.admin_lang))
		ctx.lang = ctx.session.admin_lang;
	load_csrf(&ctx);

	if (match == HK_ROUTE_NO_PATH) {
		hk_fail(&ctx, 404, "not-found");
		goto out;
	}
	if (match == HK_ROUTE_NO_METHOD) {
		hk_response_header(res, "Allow", "%s", allow);
		hk_fail(&ctx, 405, "method-not-allowed");
		goto out;
	}
	/* A POST must carry the token first (docs/REFERENCE.md: a POST without
	 * the session's csrf_token is 403), signed in or not. */
	if (post) {
		if ((status = load_form(&ctx)) != 0) {
			hk_fail(&ctx, status, problem_code(status));
			goto out;
		}
		if (!hk_token_equal(ctx.csrf, hk_params_get(&ctx.form, "csrf_token"))) {
			hk_fail(&ctx, 403, "forbidden");
			goto out;
		}
	}
	if (!(route->flags & HK_ROUTE_PUBLIC) && !ctx.signed_in) {
		if (ctx.want_xml)
			hk_fail(&ctx, 401, "unauthorized");
		else
			hk_redirect(&ctx, "login");
		goto out;
	}
	/* The handler, or the same page from the cache (cachedpage.h). */
	ctx.route = route;
	hk_cachedpage_run(&ctx);
out:
	render(&ctx);
	security_headers(&ctx);
	if (req->method != NULL && strcmp(req->method, "HEAD") == 0)
		hk_buf_reset(&res->body);
	hk_params_free(&ctx.query);
	hk_params_free(&ctx.form);
	hk_params_free(&ctx.cookies);
	free(ctx.cache_key);
	free(ctx.path);
}
