/* cachedpage.c - the page cache in the request pipeline; see cachedpage.h
 * for which requests it answers and pagecache.h for what it keeps. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "cachedpage.h"
#include "datagen.h"
#include "log.h"
#include "mem.h"
#include "pagecache.h"
#include "routes.h"

/* The index of ctx->route in the app's table (for its refusal mark). */
static size_t
route_index(const struct hk_ctx *ctx)
{
	return (size_t)(ctx->route - ctx->app->routes);
}

static bool
values_ok(const char *const vals[HK_PC_NSLOTS])
{
	for (int i = 0; i < HK_PC_NSLOTS; i++)
		if (!hk_pagecache_value_ok((enum hk_pc_slot)i, vals[i]))
			return false;
	return true;
}

static bool
eligible(const struct hk_ctx *ctx)
{
	const char *m = ctx->req->method;
	const struct hk_app *app = ctx->app;

	if (!app->cfg.page_cache || ctx->route == NULL ||
	    !(ctx->route->flags & HK_ROUTE_CACHEABLE))
		return false;
	if (m == NULL || strcmp(m, "GET") != 0 || ctx->want_xml ||
	    !ctx->signed_in || ctx->path == NULL || ctx->res->doc != NULL)
		return false;
	/* The override is shown (which language button is pressed) and so
	 * part of the key: only the values a session can normally hold. */
	if (ctx->session.admin_lang[0] != '\0' &&
	    !hk_lang_supported(ctx->session.admin_lang))
		return false;
	return app->page_refused == NULL || !app->page_refused[route_index(ctx)];
}

void
hk_cachedpage_run(struct hk_ctx *ctx)
{
	struct hk_app *app = ctx->app;
	struct hk_response *res = ctx->res;
	const char *vals[HK_PC_NSLOTS] = { ctx->csrf, ctx->session.admin_name };
	long long gen = 0;
	size_t headers;
	char *key;
	bool keep;

	if (!eligible(ctx) || !values_ok(vals) ||
	    !hk_datagen_read_begin(app->db, &gen)) {
		ctx->route->fn(ctx);
		return;
	}
	if (app->pages == NULL) {
		app->pages = hk_pagecache_new(HK_PAGECACHE_ENTRIES,
		    HK_PAGECACHE_BYTES);
		app->page_refused = hk_calloc(app->nroutes,
		    sizeof(*app->page_refused));
	}
	hk_pagecache_generation(app->pages, gen);
	/* Only the query can hold a newline, so it goes last. */
	key = hk_aprintf("%lld\n%s\n%s\n%s\n%s", gen, ctx->lang,
	    ctx->session.admin_lang, ctx->path,
	    ctx->req->query_string != NULL ? ctx->req->query_string : "");
	if (hk_pagecache_get(app->pages, key, vals, &res->body)) {
		(void)hk_datagen_read_end(app->db);
		free(key);
		res->content_type = "text/html; charset=utf-8";
		ctx->cache_hit = true;
		hk_response_header(res, "X-Hikyaku-Cache", "hit");
		return;
	}
	headers = res->headers.len;
	ctx->route->fn(ctx);
	keep = hk_datagen_read_end(app->db) && res->doc != NULL &&
	    res->status == 200 && res->headers.len == headers &&
	    res->body.len == 0;
	hk_response_header(res, "X-Hikyaku-Cache", "miss");
	if (keep)
		ctx->cache_key = key;
	else
		free(key);
}

static size_t
occurrences(const char *hay, size_t len, const char *needle)
{
	size_t n = 0, nlen = strlen(needle), from = 0;
	const char *p;

	while (nlen > 0 && (p = memmem(hay + from, len - from, needle,
	    nlen)) != NULL) {
		n++;
		from = (size_t)(p - hay) + nlen;
	}
	return n;
}

void
hk_cachedpage_fill(struct hk_ctx *ctx)
{
	struct hk_response *res = ctx->res;
	struct hk_pagecache *pc = ctx->app->pages;
	const char *vals[HK_PC_NSLOTS] = { ctx->csrf, ctx->session.admin_name };
	size_t expect[HK_PC_NSLOTS];
	struct hk_buf html = HK_BUF_INIT;
	xmlNodePtr root, admin = NULL;
	enum hk_pc_put rc;
	char *err = NULL;

	if (ctx->cache_key == NULL || pc == NULL || res->doc == NULL)
		return;
	/* Too big to keep: not worth a second rendering. */
	if (res->body.len + strlen(ctx->cache_key) > hk_pagecache_page_max(pc))
		return;
	root = xmlDocGetRootElement(res->doc);
	for (xmlNodePtr n = root ? root->children : NULL; n; n = n->next)
		if (n->type == XML_ELEMENT_NODE &&
		    xmlStrcmp(n->name, BAD_CAST "admin") == 0) {
			admin = n;
			break;
		}
	if (root == NULL || admin == NULL)
		return;
	/* The token is 64 random hex digits: each occurrence in the fresh
	 * page is one the stylesheet put there (or data holding it, which
	 * the placeholder rendering would then not match). */
	expect[HK_PC_CSRF] = occurrences(res->body.data, res->body.len,
	    ctx->csrf);
	expect[HK_PC_NAME] = HK_PC_ANY;
	xmlSetProp(root, BAD_CAST "csrf",
	    BAD_CAST hk_pagecache_placeholder(pc, HK_PC_CSRF));
	xmlSetProp(admin, BAD_CAST "name",
	    BAD_CAST hk_pagecache_placeholder(pc, HK_PC_NAME));
	if (hk_view_html(ctx->app->view, res->doc, res->screen, &html,
	    &err) < 0) {
		free(err);
		hk_buf_free(&html);
		return;
	}
	rc = hk_pagecache_put(pc, ctx->cache_key, html.data, html.len, expect,
	    vals, res->body.data, res->body.len);
	if (rc == HK_PC_DIFFERS) {
		/* A stylesheet that does more than copy the session's values:
		 * stop trying (and logging) for this route. */
		ctx->app->page_refused[route_index(ctx)] = true;
		hk_warn("page cache: %s with placeholders does not match its "
		    "fresh rendering; not cached from now on", res->screen);
	}
	hk_buf_free(&html);
}
