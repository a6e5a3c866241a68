/* pagecache.c - rendered pages per worker; see pagecache.h for what is
 * kept, under which key, and the invalidation rule. */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
	if (e.bytes > hk_pagecache_page_max(pc)) {
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

size_t
hk_pagecache_page_max(const struct hk_pagecache *pc)
{
	return pc->max_bytes / 4;
}
