/* routes.h - the route table: method + path pattern -> handler.
 *
 * Patterns are literal segments and "{id}" (a decimal record id, 1 to 18
 * digits, no leading zero) or a final "*" (one file name segment).  Paths
 * are matched before any percent-decoding: every route is plain ASCII, so
 * an encoded character can never select a different route.
 */
#ifndef HK_ROUTES_H
#define HK_ROUTES_H

#include <stddef.h>

struct hk_ctx;
typedef void hk_handler(struct hk_ctx *ctx);

enum {
	HK_ROUTE_PUBLIC = 1 << 0,	/* no sign-in needed */
	HK_ROUTE_RAW = 1 << 1,		/* no session, no CSRF (static files) */
	/* A GET whose HTML the page cache may keep (cachedpage.h): its
	 * handler only reads, and only what changes the data generation
	 * (datagen.h); its stylesheet only copies the session's values. */
	HK_ROUTE_CACHEABLE = 1 << 2,
};

struct hk_route {
	const char *method;
	const char *pattern;
	hk_handler *fn;
	unsigned flags;
};

enum hk_route_match {
	HK_ROUTE_FOUND,
	HK_ROUTE_NO_PATH,	/* 404 */
	HK_ROUTE_NO_METHOD,	/* 405; *allow_r lists the methods */
};

/* Looks path up in the nroutes entries of routes (the screens' table is
 * hk_ui_routes in ui/ui.h; the first entry that matches wins).  On FOUND, *route_r is set, and *id_r holds the {id} (0
 * when none) and *tail_r the "*" segment (NULL when none; points into
 * path).  On NO_METHOD, allow_r (size allow_len) gets "GET, POST"-style. */
enum hk_route_match hk_route_find(const struct hk_route *routes,
    size_t nroutes, const char *method, const char *path,
    const struct hk_route **route_r, long long *id_r, const char **tail_r,
    char *allow_r, size_t allow_len);

#endif
