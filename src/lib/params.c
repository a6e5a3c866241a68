/* params.c - an ordered list of name/value pairs. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "mem.h"
#include "params.h"

void
hk_params_add(struct hk_params *p, const char *name, const char *value)
{
	if (p->n == p->cap) {
		p->cap = p->cap ? p->cap * 2 : 8;
		p->v = hk_realloc(p->v, p->cap * sizeof(*p->v));
	}
	p->v[p->n].name = hk_strdup(name);
	p->v[p->n].value = hk_strdup(value);
	p->n++;
}

const char *
hk_params_get(const struct hk_params *p, const char *name)
{
	for (size_t i = 0; i < p->n; i++)
		if (strcmp(p->v[i].name, name) == 0)
			return p->v[i].value;
	return NULL;
}

size_t
hk_params_count(const struct hk_params *p, const char *name)
{
	size_t count = 0;

	for (size_t i = 0; i < p->n; i++)
		if (strcmp(p->v[i].name, name) == 0)
			count++;
	return count;
}

void
hk_params_free(struct hk_params *p)
{
	for (size_t i = 0; i < p->n; i++) {
		free(p->v[i].name);
		hk_free_secret(p->v[i].value);
	}
	free(p->v);
	p->v = NULL;
	p->n = p->cap = 0;
}
