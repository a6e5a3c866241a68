/* pagecache.h - the rendered HTML of a few signed-in GET screens, kept per
 * worker process so that a repeated request skips building the document,
 * the XSLT transform and the serialisation.
 *
 * Ownership: struct hk_app holds one struct hk_pagecache (app->pages),
 * created on the first cacheable request, i.e. in the worker after the
 * fork, so that every worker draws its own placeholders; hk_app_free frees
 * it.  The cache owns its entries; nothing it returns outlives a call.
 *
 * What is cached: GET /mail-servers, /mail-servers/new, /mail-accounts and
 * /mail-accounts/new as HTML (never XML, never an error page, a POST
 * result, or a response whose handler added a header), for a signed-in
 * admin, keyed on the data generation, the page language, the admin's
 * language override, the route path and the raw query string.  At most
 * HK_PAGECACHE_ENTRIES entries and HK_PAGECACHE_BYTES bytes, least
 * recently used out first; a page over a quarter of the byte cap is not
 * kept.
 *
 * Invalidation rule: the table data_generation holds one number that
 * triggers (migration 5, db_schema.c) set to a fresh random value in the
 * same transaction as every INSERT, UPDATE or DELETE of mail_servers,
 * mail_accounts, server_tests and server_health, whoever writes them (any
 * worker, hikyakuctl, sqlite3).  A cacheable request opens a read
 * transaction, reads the generation first and runs the handler inside
 * the same transaction, so a page is stored under exactly the generation
 * whose data it shows.  A generation other than the last one seen drops
 * every entry.  Sessions, login_throttle, admins, audit_log, fetch_seen
 * and oversized do not change it: the cached screens do not read them
 * (the admin's name and language come from the session on every request
 * and are per-session parts or keys).  A handler made cacheable must only
 * read, and only from those four tables (plus static state: catalogues,
 * stylesheets, modules, configuration).
 *
 * Per-session parts: the page's csrf attribute and the admin's name.  A
 * missed page is rendered as usual, for the response, and once more with
 * two random per-process placeholders (32 hex characters each) in their
 * place; it is kept only when each placeholder occurs as often as the
 * real value did and substituting the real values into the placeholder
 * rendering gives the fresh response byte for byte.  Serving a page puts
 * the requesting session's values where the placeholders were.  The
 * values are checked first (the token: hex; the name: [A-Za-z0-9._@-]),
 * so they need no HTML escaping; any other value means a full render.
 *
 * Responses consulted the cache carry "X-Hikyaku-Cache: hit" or "miss"
 * (harmless: it says only whether this worker had the page).
 */
#ifndef HK_PAGECACHE_H
#define HK_PAGECACHE_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"

#define HK_PAGECACHE_ENTRIES 32
#define HK_PAGECACHE_BYTES (4u << 20)
#define HK_PAGECACHE_PH_LEN 32

enum hk_pc_slot { HK_PC_CSRF, HK_PC_NAME, HK_PC_NSLOTS };

enum hk_pc_put {
	HK_PC_STORED,
	HK_PC_BAD_VALUE,	/* a value outside its allowed characters */
	HK_PC_COUNT,		/* a placeholder occurs an unexpected number of times */
	HK_PC_DIFFERS,		/* substituted, it is not the check page */
	HK_PC_TOO_BIG,		/* over a quarter of the byte cap */
};

/* Any number of occurrences (for hk_pagecache_put's expect). */
#define HK_PC_ANY ((size_t)-1)

struct hk_pagecache;
struct hk_ctx;

/* A cache of at most max_entries pages and max_bytes bytes, with fresh
 * random placeholders. */
struct hk_pagecache *hk_pagecache_new(size_t max_entries, size_t max_bytes);
void hk_pagecache_free(struct hk_pagecache **pcp);

/* The placeholder of a slot (HK_PAGECACHE_PH_LEN hex characters). */
const char *hk_pagecache_placeholder(const struct hk_pagecache *pc,
    enum hk_pc_slot slot);
/* True when v may be put into a page as is: 1 to 128 lowercase hex
 * characters (CSRF), 1 to 64 of [A-Za-z0-9._@-] (name). */
bool hk_pagecache_value_ok(enum hk_pc_slot slot, const char *v);

/* Tells the cache the current data generation: when it differs from the
 * last one, every entry is dropped. */
void hk_pagecache_generation(struct hk_pagecache *pc, long long gen);

/* Appends the page stored under key to out with vals in place of the
 * placeholders.  False (out untouched) when there is none, or when a
 * value is not hk_pagecache_value_ok. */
bool hk_pagecache_get(struct hk_pagecache *pc, const char *key,
    const char *const vals[HK_PC_NSLOTS], struct hk_buf *out);

/* Stores html (rendered with the placeholders) under key, replacing any
 * page there, after checking that placeholder i occurs expect[i] times
 * (HK_PC_ANY: any number) and, when check is not NULL, that putting vals
 * in place of the placeholders gives check byte for byte. */
enum hk_pc_put hk_pagecache_put(struct hk_pagecache *pc, const char *key,
    const char *html, size_t len, const size_t expect[HK_PC_NSLOTS],
    const char *const vals[HK_PC_NSLOTS], const char *check, size_t check_len);

/* Entries held, and the bytes counted against the cap. */
size_t hk_pagecache_count(const struct hk_pagecache *pc);
size_t hk_pagecache_bytes(const struct hk_pagecache *pc);

/* --- the request pipeline (app.c) --- */

/* Runs the route's handler, or, for a cacheable request whose page is
 * kept, fills ctx->res->body from the cache instead (ctx->cache_hit). */
void hk_pagecache_run(struct hk_ctx *ctx, void (*fn)(struct hk_ctx *));
/* After the page has been rendered into ctx->res->body: keeps it when
 * hk_pagecache_run marked it (ctx->cache_key).  Changes the document. */
void hk_pagecache_fill(struct hk_ctx *ctx);

#endif
