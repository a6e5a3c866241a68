/* app.h - the application: what a worker holds for its whole life, and the
 * per-request context that handlers work with.
 *
 * hk_app_init runs in the master before the workers fork, so that parsed
 * stylesheets, catalogues, modules and static files are shared; each worker
 * then calls hk_app_open_db for its own SQLite connection.
 */
#ifndef HK_APP_H
#define HK_APP_H

#include <stdbool.h>

#include "conf.h"
#include "db.h"
#include "http.h"
#include "i18n.h"
#include "keyfile.h"
#include "session.h"
#include "view.h"

struct hk_modset;
struct hk_route;
struct hk_pagecache;
struct hk_statics;

struct hk_app {
	struct hk_config cfg;		/* owned */
	struct hk_catalog *cat;
	struct hk_view *view;
	struct hk_modset *mods;
	struct hk_statics *statics;
	const struct hk_route *routes;	/* the route table (not owned) */
	size_t nroutes;
	/* HK_KEY_LEN bytes in a block of its own (secmem.h: out of core
	 * dumps), wiped and released by hk_app_free. */
	unsigned char *key;
	struct hk_db *db;		/* per worker */
	struct hk_pagecache *pages;	/* per worker, made on first use */
	/* Per route (same index as routes), made with pages: its page did
	 * not survive the placeholder check, never cached again. */
	bool *page_refused;
};

/* Takes ownership of cfg; routes (nroutes entries) is borrowed for the
 * app's life.  0, or -1 with *err_r (caller frees). */
int hk_app_init(struct hk_app *app, struct hk_config *cfg,
    const struct hk_route *routes, size_t nroutes, char **err_r);
/* Opens the worker's connection and checks the schema is current. */
int hk_app_open_db(struct hk_app *app, char **err_r);
void hk_app_free(struct hk_app *app);

/* Everything about one request that handlers need. */
struct hk_ctx {
	struct hk_app *app;
	struct hk_request *req;
	struct hk_response *res;
	char *path;			/* route path below base, starts with '/' */
	struct hk_params query;
	struct hk_params form;
	struct hk_params cookies;
	bool want_xml;
	bool signed_in;
	struct hk_session session;
	const char *lang;
	char csrf[HK_TOKEN_HEX + 1];	/* the token for the next POST */
	const struct hk_route *route;	/* the one matched; NULL: none */
	long long id;			/* the {id} of the route, if any */
	char *cache_key;		/* keep the rendered page (cachedpage.h) */
	bool cache_hit;			/* res->body came from the page cache */
	/* More CSP form-action sources for this answer (a static string,
	 * e.g. "https:"), NULL: 'self' only.  Browsers check form-action on
	 * every redirect a form's POST leads to, so a form whose answer
	 * sends the browser to another site needs its target here. */
	const char *form_action;
};

/* Handles one request completely: routing, sessions, CSRF, the handler,
 * and rendering into res->body. */
void hk_app_handle(struct hk_app *app, struct hk_request *req,
    struct hk_response *res);

/* --- helpers for handlers (app.c) --- */

/* A 303 to a route path below base (e.g. "mail-servers"). */
void hk_redirect(struct hk_ctx *ctx, const char *route);
/* An error screen: status with a problem code (see xsl/error.xsl). */
void hk_fail(struct hk_ctx *ctx, int status, const char *code);
/* Sets a cookie scoped to the base path; max_age < 0: a session cookie,
 * 0: delete it. */
void hk_set_cookie(struct hk_ctx *ctx, const char *name, const char *value,
    long max_age);

/* --- page documents (page.c) --- */

/* Starts ctx->res->doc as <page screen lang csrf base> (+ <admin>) and
 * returns its root. */
xmlNodePtr hk_page_new(struct hk_ctx *ctx, const char *screen);
/* Adds <name>text</name> under parent (text escaped; NULL text: empty). */
xmlNodePtr hk_xml_text(xmlNodePtr parent, const char *name, const char *text);
xmlNodePtr hk_xml_int(xmlNodePtr parent, const char *name, long long v);
void hk_xml_attr_int(xmlNodePtr node, const char *name, long long v);
/* Adds <error field="field">message for key</error> to the page; args
 * fill {1}..{n}. */
void hk_page_error(struct hk_ctx *ctx, const char *field, const char *key,
    const char *const *args, size_t nargs);

#endif
