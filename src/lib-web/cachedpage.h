/* cachedpage.h - the page cache (pagecache.h) in the request pipeline:
 * which requests it answers, and keeping what a handler rendered.
 *
 * Eligible: a GET of a route flagged HK_ROUTE_CACHEABLE (routes.h), as
 * HTML (never XML), for a signed-in admin whose CSRF token and name pass
 * hk_pagecache_value_ok.  The key is the data generation (datagen.h), the
 * page language, the admin's language override, the route path and the
 * raw query string.  The handler runs inside the read snapshot that
 * hk_datagen_read_begin opened, so a page is stored under exactly the
 * generation whose data it shows.
 *
 * Kept: a 200 page whose handler added no header and wrote no body of
 * its own.  A missed page is rendered as usual, for the response, and
 * once more with the placeholders in place of the csrf attribute and the
 * admin's name; a route whose placeholder rendering does not match its
 * fresh one is not tried again in this process (logged once).
 *
 * Responses that consulted the cache carry "X-Hikyaku-Cache: hit" or
 * "miss" (harmless: it says only whether this worker had the page).
 */
#ifndef HK_CACHEDPAGE_H
#define HK_CACHEDPAGE_H

#include "app.h"

/* Runs the handler of ctx->route or, for an eligible request whose page
 * is kept, fills ctx->res->body from the cache instead (ctx->cache_hit). */
void hk_cachedpage_run(struct hk_ctx *ctx);
/* After the page has been rendered into ctx->res->body: keeps it when
 * hk_cachedpage_run marked it (ctx->cache_key).  Changes the document. */
void hk_cachedpage_fill(struct hk_ctx *ctx);

#endif
