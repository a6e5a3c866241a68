/* sheetdocs.c - stylesheet documents kept while the view loads
 * (sheetdocs.h). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "mem.h"
#include "sheetdocs.h"

struct kept {
	char *uri;
	char *lang;		/* NULL: as read */
	xmlDocPtr doc;
};

struct hk_sheetdocs {
	xmlDictPtr dict;
	struct kept *v;
	size_t n, cap;
};

struct hk_sheetdocs *
hk_sheetdocs_new(xmlDictPtr dict)
{
	struct hk_sheetdocs *set = hk_calloc(1, sizeof(*set));

	set->dict = dict;
	return set;
}

void
hk_sheetdocs_free(struct hk_sheetdocs **set)
{
	if (*set == NULL)
		return;
	for (size_t i = 0; i < (*set)->n; i++) {
		free((*set)->v[i].uri);
		free((*set)->v[i].lang);
		xmlFreeDoc((*set)->v[i].doc);
	}
	free((*set)->v);
	free(*set);
	*set = NULL;
}

/* A copy of src whose names come from dict, as a parse with dict gives. */
static xmlDocPtr
copy_doc(xmlDocPtr src, xmlDictPtr dict)
{
	xmlDocPtr d = xmlCopyDoc(src, 0);	/* the shell: URL, encoding */
	xmlNodePtr kids;

	if (d == NULL)
		hk_fatal("xmlCopyDoc failed");
	if (dict != NULL) {
		d->dict = dict;
		xmlDictReference(dict);
	}
	kids = xmlDocCopyNodeList(d, src->children);
	if (kids == NULL && src->children != NULL)
		hk_fatal("xmlDocCopyNodeList failed");
	d->children = kids;
	for (xmlNodePtr n = kids; n != NULL; n = n->next) {
		n->parent = (xmlNodePtr)d;
		d->last = n;
	}
	return d;
}

static struct kept *
find(struct hk_sheetdocs *set, const char *uri, const char *lang)
{
	for (size_t i = 0; i < set->n; i++) {
		struct kept *k = &set->v[i];

		if (strcmp(k->uri, uri) == 0 && (lang == NULL ?
		    k->lang == NULL : k->lang != NULL &&
		    strcmp(k->lang, lang) == 0))
			return k;
	}
	return NULL;
}

xmlDocPtr
hk_sheetdocs_get(struct hk_sheetdocs *set, const char *uri, const char *lang)
{
	struct kept *k = find(set, uri, lang);

	return k != NULL ? copy_doc(k->doc, set->dict) : NULL;
}

void
hk_sheetdocs_put(struct hk_sheetdocs *set, const char *uri, const char *lang,
    xmlDocPtr doc)
{
	if (find(set, uri, lang) != NULL)
		return;
	if (set->n == set->cap) {
		set->cap = set->cap ? set->cap * 2 : 16;
		set->v = hk_realloc(set->v, set->cap * sizeof(*set->v));
	}
	set->v[set->n].uri = hk_strdup(uri);
	set->v[set->n].lang = lang != NULL ? hk_strdup(lang) : NULL;
	set->v[set->n].doc = copy_doc(doc, set->dict);
	set->n++;
}
