/* pagecache.c - rendered pages per worker; see pagecache.h for what is
 * kept, under which key, and the invalidation rule. */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "log.h"
#include "base64.h"
#include "mem.h"
#include "pagecache.h"

/* Where a value goes: at offset `at` of the page with the placeholders
 * cut out, the value of `slot`. */
struct cut {
	size_t at;
	unsigned slot;
};

struct entry {
	char *key;
	uint64_t hash;
	char *html;		/* the page without its placeholders */
	size_t len;
	struct cut *cuts;
	size_t ncuts;
	size_t bytes;		/* counted against the cap */
	unsigned long long used;
};

struct hk_pagecache {
	struct entry *v;
	size_t n, max_entries;
	size_t bytes, max_bytes;
	unsigned long long tick;
	long long gen;
	bool have_gen;
	char ph[HK_PC_NSLOTS][HK_PAGECACHE_PH_LEN + 1];
	/* Pipeline: the cacheable screens whose placeholder rendering did not
	 * match their fresh one, never tried again in this process. */
	unsigned refused;
};

static uint64_t
hash_key(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	for (; *s != '\0'; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ULL;
	}
	return h;
}

struct hk_pagecache *
hk_pagecache_new(size_t max_entries, size_t max_bytes)
{
	struct hk_pagecache *pc = hk_calloc(1, sizeof(*pc));
	unsigned char raw[HK_PAGECACHE_PH_LEN / 2];

	pc->max_entries = max_entries > 0 ? max_entries : 1;
	pc->max_bytes = max_bytes;
	pc->v = hk_calloc(pc->max_entries, sizeof(*pc->v));
	do {
		for (int i = 0; i < HK_PC_NSLOTS; i++) {
			hk_random(raw, sizeof(raw));
			hk_hex(raw, sizeof(raw), pc->ph[i]);
		}
		/* Two equal (or overlapping) placeholders could not be told
		 * apart: draw again (odds 2^-128). */
	} while (strstr(pc->ph[HK_PC_CSRF], pc->ph[HK_PC_NAME]) != NULL);
	return pc;
}

static void
entry_free(struct entry *e)
{
	free(e->key);
	free(e->html);
	free(e->cuts);
	memset(e, 0, sizeof(*e));
}

/* Removes entry i (the last one takes its place). */
static void
remove_at(struct hk_pagecache *pc, size_t i)
{
	pc->bytes -= pc->v[i].bytes;
	entry_free(&pc->v[i]);
	pc->n--;
	if (i != pc->n) {
		pc->v[i] = pc->v[pc->n];
		memset(&pc->v[pc->n], 0, sizeof(pc->v[pc->n]));
	}
}

static void
clear(struct hk_pagecache *pc)
{
	while (pc->n > 0)
		remove_at(pc, pc->n - 1);
}

void
hk_pagecache_free(struct hk_pagecache **pcp)
{
	struct hk_pagecache *pc = *pcp;

	if (pc == NULL)
		return;
	clear(pc);
	free(pc->v);
	free(pc);
	*pcp = NULL;
}

const char *
hk_pagecache_placeholder(const struct hk_pagecache *pc, enum hk_pc_slot slot)
{
	return pc->ph[slot];
}

bool
hk_pagecache_value_ok(enum hk_pc_slot slot, const char *v)
{
	size_t n = v != NULL ? strlen(v) : 0;

	if (n == 0)
		return false;
	if (slot == HK_PC_CSRF)
		return n <= 128 && strspn(v, "0123456789abcdef") == n;
	return n <= 64 && strspn(v, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789._@-") == n;
}

static bool
values_ok(const char *const vals[HK_PC_NSLOTS])
{
	for (int i = 0; i < HK_PC_NSLOTS; i++)
		if (!hk_pagecache_value_ok((enum hk_pc_slot)i, vals[i]))
			return false;
	return true;
}

void
hk_pagecache_generation(struct hk_pagecache *pc, long long gen)
{
	if (pc->have_gen && pc->gen == gen)
		return;
	clear(pc);
	pc->gen = gen;
	pc->have_gen = true;
}

static struct entry *
find(struct hk_pagecache *pc, const char *key, size_t *index_r)
{
	uint64_t h = hash_key(key);

	for (size_t i = 0; i < pc->n; i++)
		if (pc->v[i].hash == h && strcmp(pc->v[i].key, key) == 0) {
			if (index_r != NULL)
				*index_r = i;
			return &pc->v[i];
		}
	return NULL;
}

static void
expand(const struct entry *e, const char *const vals[HK_PC_NSLOTS],
    struct hk_buf *out)
{
	size_t from = 0, need = e->len;

	for (size_t i = 0; i < e->ncuts; i++)
		need += strlen(vals[e->cuts[i].slot]);
	/* One allocation at most: the buffer grows to the page at once. */
	hk_buf_reserve(out, need);
	for (size_t i = 0; i < e->ncuts; i++) {
		hk_buf_append(out, e->html + from, e->cuts[i].at - from);
		hk_buf_puts(out, vals[e->cuts[i].slot]);
		from = e->cuts[i].at;
	}
	hk_buf_append(out, e->html + from, e->len - from);
}

bool
hk_pagecache_get(struct hk_pagecache *pc, const char *key,
    const char *const vals[HK_PC_NSLOTS], struct hk_buf *out)
{
	struct entry *e;

	if (!values_ok(vals) || (e = find(pc, key, NULL)) == NULL)
		return false;
	e->used = ++pc->tick;
	expand(e, vals, out);
	return true;
}

/* The next placeholder at or after html + from: its offset and slot, or
 * false when there is none. */
static bool
next_placeholder(const struct hk_pagecache *pc, const char *html, size_t len,
    size_t from, size_t *at_r, unsigned *slot_r)
{
	const char *best = NULL;

	for (unsigned s = 0; s < HK_PC_NSLOTS; s++) {
		const char *p = memmem(html + from, len - from, pc->ph[s],
		    HK_PAGECACHE_PH_LEN);

		if (p != NULL && (best == NULL || p < best)) {
			best = p;
			*slot_r = s;
		}
	}
	if (best == NULL)
		return false;
	*at_r = (size_t)(best - html);
	return true;
}

enum hk_pc_put
hk_pagecache_put(struct hk_pagecache *pc, const char *key, const char *html,
    size_t len, const size_t expect[HK_PC_NSLOTS],
    const char *const vals[HK_PC_NSLOTS], const char *check, size_t check_len)
{
	struct entry e = { 0 };
	struct hk_buf page = HK_BUF_INIT;
	size_t count[HK_PC_NSLOTS] = { 0 }, from = 0, at, cap = 0, i;
	unsigned slot;

	if (vals != NULL && !values_ok(vals))
		return HK_PC_BAD_VALUE;
	while (next_placeholder(pc, html, len, from, &at, &slot)) {
		hk_buf_append(&page, html + from, at - from);
		if (e.ncuts == cap) {
			cap = cap ? cap * 2 : 8;
			e.cuts = hk_realloc(e.cuts, cap * sizeof(*e.cuts));
		}
		e.cuts[e.ncuts].at = page.len;
		e.cuts[e.ncuts].slot = slot;
		e.ncuts++;
		count[slot]++;
		from = at + HK_PAGECACHE_PH_LEN;
	}
	hk_buf_append(&page, html + from, len - from);
	e.len = page.len;
	e.html = hk_buf_steal(&page);
	e.key = hk_strdup(key);
	e.hash = hash_key(key);
	e.bytes = sizeof(e) + strlen(key) + 1 + e.len + 1 +
	    e.ncuts * sizeof(*e.cuts);
	for (i = 0; i < HK_PC_NSLOTS; i++)
		if (expect != NULL && expect[i] != HK_PC_ANY &&
		    expect[i] != count[i]) {
			entry_free(&e);
			return HK_PC_COUNT;
		}
	if (check != NULL) {
		struct hk_buf got = HK_BUF_INIT;
		bool same;

		expand(&e, vals, &got);
		same = got.len == check_len &&
		    memcmp(got.data, check, check_len) == 0;
		hk_buf_free(&got);
		if (!same) {
			entry_free(&e);
			return HK_PC_DIFFERS;
		}
	}
	if (e.bytes > pc->max_bytes / 4) {
		entry_free(&e);
		return HK_PC_TOO_BIG;
	}
	if (find(pc, key, &i) != NULL)
		remove_at(pc, i);
	/* Least recently used out until the new one fits. */
	while (pc->n > 0 && (pc->n >= pc->max_entries ||
	    pc->bytes + e.bytes > pc->max_bytes)) {
		size_t lru = 0;

		for (i = 1; i < pc->n; i++)
			if (pc->v[i].used < pc->v[lru].used)
				lru = i;
		remove_at(pc, lru);
	}
	e.used = ++pc->tick;
	pc->v[pc->n++] = e;
	pc->bytes += e.bytes;
	return HK_PC_STORED;
}

size_t
hk_pagecache_count(const struct hk_pagecache *pc)
{
	return pc->n;
}

size_t
hk_pagecache_bytes(const struct hk_pagecache *pc)
{
	return pc->bytes;
}

/* ---- the request pipeline ------------------------------------------- */

/* The screens kept: each handler only reads, and only tables whose
 * writes change the generation (see pagecache.h). */
static const char *const cacheable[] = {
	"/mail-servers", "/mail-servers/new",
	"/mail-accounts", "/mail-accounts/new",
};

/* hk_db_prepare caches statements by the address of their text. */
static const char sql_begin[] = "BEGIN DEFERRED";
static const char sql_commit[] = "COMMIT";
static const char sql_generation[] = "SELECT n FROM data_generation";

/* The index of ctx->path in cacheable[], or -1. */
static int
cacheable_index(const struct hk_ctx *ctx)
{
	for (size_t i = 0; i < sizeof(cacheable) / sizeof(cacheable[0]); i++)
		if (strcmp(ctx->path, cacheable[i]) == 0)
			return (int)i;
	return -1;
}

static bool
eligible(const struct hk_ctx *ctx)
{
	const char *m = ctx->req->method;
	const struct hk_pagecache *pc = ctx->app->pages;
	int i;

	if (m == NULL || strcmp(m, "GET") != 0 || ctx->want_xml ||
	    !ctx->signed_in || ctx->path == NULL || ctx->res->doc != NULL)
		return false;
	/* The override is shown (which language button is pressed) and so
	 * part of the key: only the values a session can normally hold. */
	if (ctx->session.admin_lang[0] != '\0' &&
	    !hk_lang_supported(ctx->session.admin_lang))
		return false;
	i = cacheable_index(ctx);
	return i >= 0 && (pc == NULL || !(pc->refused & (1u << i)));
}

static int
step_once(struct hk_db *db, const char *sql)
{
	sqlite3_stmt *st = hk_db_prepare(db, sql);
	int rc = sqlite3_step(st);

	hk_db_done(st);
	return rc;
}

/* Opens a read transaction and reads the generation as its first read,
 * which fixes the snapshot every later read of the handler sees.  False
 * (no transaction left open) when either fails, e.g. busy. */
static bool
begin_read(struct hk_db *db, long long *gen_r)
{
	sqlite3_stmt *st;
	int rc;

	if (!sqlite3_get_autocommit(hk_db_handle(db)))
		return false;
	if (step_once(db, sql_begin) != SQLITE_DONE) {
		hk_db_rollback(db);
		return false;
	}
	st = hk_db_prepare(db, sql_generation);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*gen_r = sqlite3_column_int64(st, 0);
	hk_db_done(st);
	if (rc != SQLITE_ROW) {
		hk_db_rollback(db);
		return false;
	}
	return true;
}

/* Ends the read transaction; false when it had already ended (an error
 * inside rolled it back) or does not commit. */
static bool
end_read(struct hk_db *db)
{
	if (sqlite3_get_autocommit(hk_db_handle(db)))
		return false;
	if (step_once(db, sql_commit) != SQLITE_DONE) {
		hk_db_rollback(db);
		return false;
	}
	return true;
}

void
hk_pagecache_run(struct hk_ctx *ctx, void (*fn)(struct hk_ctx *))
{
	struct hk_app *app = ctx->app;
	struct hk_response *res = ctx->res;
	const char *vals[HK_PC_NSLOTS] = { ctx->csrf, ctx->session.admin_name };
	long long gen = 0;
	size_t headers;
	char *key;
	bool keep;

	if (!eligible(ctx) || !values_ok(vals) ||
	    !begin_read(app->db, &gen)) {
		fn(ctx);
		return;
	}
	if (app->pages == NULL)
		app->pages = hk_pagecache_new(HK_PAGECACHE_ENTRIES,
		    HK_PAGECACHE_BYTES);
	hk_pagecache_generation(app->pages, gen);
	/* Only the query can hold a newline, so it goes last. */
	key = hk_aprintf("%lld\n%s\n%s\n%s\n%s", gen, ctx->lang,
	    ctx->session.admin_lang, ctx->path,
	    ctx->req->query_string != NULL ? ctx->req->query_string : "");
	if (hk_pagecache_get(app->pages, key, vals, &res->body)) {
		(void)end_read(app->db);
		free(key);
		res->content_type = "text/html; charset=utf-8";
		ctx->cache_hit = true;
		hk_response_header(res, "X-Hikyaku-Cache", "hit");
		return;
	}
	headers = res->headers.len;
	fn(ctx);
	keep = end_read(app->db) && res->doc != NULL && res->status == 200 &&
	    res->headers.len == headers && res->body.len == 0;
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
hk_pagecache_fill(struct hk_ctx *ctx)
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
	if (res->body.len + strlen(ctx->cache_key) > pc->max_bytes / 4)
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
		 * stop trying (and logging) for this screen. */
		int i = cacheable_index(ctx);

		if (i >= 0)
			pc->refused |= 1u << i;
		hk_warn("page cache: %s with placeholders does not match its "
		    "fresh rendering; not cached from now on", res->screen);
	}
	hk_buf_free(&html);
}
