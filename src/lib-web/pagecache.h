/* pagecache.h - the rendered HTML of a few signed-in GET screens, kept per
 * worker process so that a repeated request skips building the document,
 * the XSLT transform and the serialisation.
 *
 * Ownership: struct hk_app holds one struct hk_pagecache (app->pages),
 * created on the first cacheable request, i.e. in the worker after the
 * fork, so that every worker draws its own placeholders; hk_app_free frees
 * it.  The cache owns its entries; nothing it returns outlives a call.
 *
 * What is cached: pages of the routes flagged HK_ROUTE_CACHEABLE
 * (routes.h), chosen and rendered by the pipeline (cachedpage.h), under
 * keys that begin with the data generation (datagen.h).  At most
 * HK_PAGECACHE_ENTRIES entries and HK_PAGECACHE_BYTES bytes, least
 * recently used out first; a page over a quarter of the byte cap is not
 * kept.
 *
 * Invalidation rule: a generation other than the last one seen drops
 * every entry (hk_pagecache_generation).  The generation changes with
 * every write of mail_servers, mail_accounts, server_tests and
 * server_health; sessions, login_throttle, admins, audit_log, fetch_seen
 * and oversized do not change it.  So a route flagged cacheable must only
 * read, and only from those four tables (plus static state: catalogues,
 * stylesheets, modules, configuration); the admin's name and language
 * come from the session on every request and are per-session parts or
 * keys.
 *
 * Per-session parts: the page's csrf attribute and the admin's name.  A
 * page is stored as rendered with two random per-process placeholders
 * (32 hex characters each) in their place; it is kept only when each
 * placeholder occurs as often as expected and substituting the real
 * values into it gives the fresh response byte for byte.  Serving a page
 * puts the requesting session's values where the placeholders were.  The
 * values are checked first (the token: hex; the name: [A-Za-z0-9._@-]),
 * so they need no HTML escaping.
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
/* The largest page kept, in bytes counted against the cap (a quarter of
 * it). */
size_t hk_pagecache_page_max(const struct hk_pagecache *pc);

#endif
