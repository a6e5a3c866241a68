/* params.h - an ordered list of name/value pairs (query, form, cookies).
 *
 * The list owns every name and value (NUL-terminated copies).  Repeated
 * names are kept, in the order they arrived.  Values never contain NUL
 * bytes: the parsers refuse input that would put one there.
 */
#ifndef HK_PARAMS_H
#define HK_PARAMS_H

#include <stddef.h>

struct hk_param {
	char *name;
	char *value;
};

struct hk_params {
	struct hk_param *v;
	size_t n;
	size_t cap;
};

#define HK_PARAMS_INIT { NULL, 0, 0 }

/* Appends copies of name and value. */
void hk_params_add(struct hk_params *p, const char *name, const char *value);
/* The first value for name, or NULL when absent. */
const char *hk_params_get(const struct hk_params *p, const char *name);
/* How many times name occurs. */
size_t hk_params_count(const struct hk_params *p, const char *name);
/* Frees every pair; secrets are wiped first (form bodies carry passwords). */
void hk_params_free(struct hk_params *p);

#endif
