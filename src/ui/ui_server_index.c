/* ui_server_index.c - the <mail-server id=""> elements of a list, by id
 * (ui_server_index.h). */
#include "config.h"

#include <stdlib.h>

#include "mem.h"
#include "ui_server_index.h"

static int
by_id(const void *a, const void *b)
{
	long long x = ((const struct ui_server_node *)a)->id;
	long long y = ((const struct ui_server_node *)b)->id;

	return (x > y) - (x < y);
}

void
ui_server_index_build(struct ui_server_index *ix, xmlNodePtr list)
{
	size_t cap = 0;

	ix->n = 0;
	for (xmlNodePtr s = list != NULL ? list->children : NULL; s != NULL;
	    s = s->next)
		cap++;
	ix->v = hk_calloc(cap > 0 ? cap : 1, sizeof(*ix->v));
	for (xmlNodePtr s = list != NULL ? list->children : NULL; s != NULL;
	    s = s->next) {
		xmlChar *sid;

		if (s->type != XML_ELEMENT_NODE ||
		    (sid = xmlGetProp(s, BAD_CAST "id")) == NULL)
			continue;
		ix->v[ix->n].id = strtoll((const char *)sid, NULL, 10);
		ix->v[ix->n++].node = s;
		xmlFree(sid);
	}
	qsort(ix->v, ix->n, sizeof(*ix->v), by_id);
}

void
ui_server_index_free(struct ui_server_index *ix)
{
	free(ix->v);
	ix->v = NULL;
	ix->n = 0;
}

xmlNodePtr
ui_server_index_find(const struct ui_server_index *ix, long long id)
{
	struct ui_server_node key = { id, NULL };
	const struct ui_server_node *hit = bsearch(&key, ix->v, ix->n,
	    sizeof(*ix->v), by_id);

	return hit != NULL ? hit->node : NULL;
}
