/* i18n.c - the message catalogues, loaded once, looked up by key. */
#include "config.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "buf.h"
#include "i18n.h"
#include "mem.h"

const char *const hk_languages[HK_N_LANGS + 1] = { "en", "ja", NULL };

struct entry {
	char *key;
	char *text;
};

struct table {
	struct entry *v;
	size_t n;
};

struct hk_catalog {
	struct table lang[HK_N_LANGS];
};

static int
entry_cmp(const void *a, const void *b)
{
	return strcmp(((const struct entry *)a)->key,
	    ((const struct entry *)b)->key);
}

/* Adds the <m k="">text</m> entries of one catalogue file to t. */
static int
load_file(const char *path, struct table *t, size_t *cap, char **err_r)
{
	xmlDocPtr doc;
	xmlNodePtr root, n;
	int rc = -1;

	doc = xmlReadFile(path, "UTF-8", XML_PARSE_NONET | XML_PARSE_NOERROR |
	    XML_PARSE_NOWARNING);
	if (doc == NULL) {
		*err_r = hk_aprintf("%s: missing or not well-formed XML", path);
		goto out;
	}
	root = xmlDocGetRootElement(doc);
	if (root == NULL || !xmlStrEqual(root->name, BAD_CAST "messages")) {
		*err_r = hk_aprintf("%s: the root element must be <messages>", path);
		goto out;
	}
	for (n = root->children; n != NULL; n = n->next) {
		xmlChar *key, *text;

		if (n->type != XML_ELEMENT_NODE || !xmlStrEqual(n->name, BAD_CAST "m"))
			continue;
		key = xmlGetProp(n, BAD_CAST "k");
		if (key == NULL) {
			*err_r = hk_aprintf("%s:%ld: <m> without k=", path, xmlGetLineNo(n));
			goto out;
		}
		text = xmlNodeGetContent(n);
		if (t->n == *cap) {
			*cap = *cap ? *cap * 2 : 256;
			t->v = hk_realloc(t->v, *cap * sizeof(*t->v));
		}
		t->v[t->n].key = hk_strdup((const char *)key);
		t->v[t->n].text = hk_strdup(text ? (const char *)text : "");
		t->n++;
		xmlFree(key);
		xmlFree(text);
	}
	rc = 0;
out:
	xmlFreeDoc(doc);
	return rc;
}

/* A language's catalogue is DIR/<lang>.xml plus any DIR/<lang>-<area>.xml,
 * so that each area of the product keeps its own strings. */
static int
load_table(const char *dir, const char *lang, struct table *t, char **err_r)
{
	char *path = hk_aprintf("%s/%s.xml", dir, lang);
	size_t cap = 0, llen = strlen(lang);
	DIR *d;
	struct dirent *de;
	int rc = load_file(path, t, &cap, err_r);

	free(path);
	if (rc < 0)
		return -1;
	if ((d = opendir(dir)) == NULL)
		return 0;
	while ((de = readdir(d)) != NULL) {
		size_t n = strlen(de->d_name);

		if (n <= llen + 5 || strncmp(de->d_name, lang, llen) != 0 ||
		    de->d_name[llen] != '-' || strcmp(de->d_name + n - 4, ".xml") != 0)
			continue;
		path = hk_aprintf("%s/%s", dir, de->d_name);
		rc = load_file(path, t, &cap, err_r);
		free(path);
		if (rc < 0)
			break;
	}
	closedir(d);
	if (rc < 0)
		return -1;
	qsort(t->v, t->n, sizeof(*t->v), entry_cmp);
	for (size_t i = 1; i < t->n; i++)
		if (strcmp(t->v[i - 1].key, t->v[i].key) == 0) {
			*err_r = hk_aprintf("%s: key '%s' is defined twice in the "
			    "'%s' catalogue", dir, t->v[i].key, lang);
			return -1;
		}
	return 0;
}

struct hk_catalog *
hk_catalog_load(const char *dir, char **err_r)
{
	struct hk_catalog *cat = hk_calloc(1, sizeof(*cat));

	*err_r = NULL;
	for (size_t i = 0; i < HK_N_LANGS; i++)
		if (load_table(dir, hk_languages[i], &cat->lang[i], err_r) < 0) {
			hk_catalog_free(&cat);
			return NULL;
		}
	return cat;
}

void
hk_catalog_free(struct hk_catalog **catp)
{
	struct hk_catalog *cat = *catp;

	if (cat == NULL)
		return;
	for (size_t i = 0; i < HK_N_LANGS; i++) {
		for (size_t j = 0; j < cat->lang[i].n; j++) {
			free(cat->lang[i].v[j].key);
			free(cat->lang[i].v[j].text);
		}
		free(cat->lang[i].v);
	}
	free(cat);
	*catp = NULL;
}

static int
lang_index(const char *lang)
{
	for (int i = 0; lang != NULL && hk_languages[i] != NULL; i++)
		if (strcmp(lang, hk_languages[i]) == 0)
			return i;
	return -1;
}

int
hk_lang_supported(const char *lang)
{
	return lang_index(lang) >= 0;
}

static const char *
table_find(const struct table *t, const char *key)
{
	struct entry probe = { (char *)key, NULL };
	const struct entry *e = bsearch(&probe, t->v, t->n, sizeof(*t->v),
	    entry_cmp);

	return e != NULL ? e->text : NULL;
}

const char *
hk_msg(const struct hk_catalog *cat, const char *lang, const char *key)
{
	int i = lang_index(lang);
	const char *text = NULL;

	if (cat == NULL)
		return key;
	if (i >= 0)
		text = table_find(&cat->lang[i], key);
	if (text == NULL)
		text = table_find(&cat->lang[0], key);
	return text != NULL ? text : key;
}

char *
hk_msg_format(const struct hk_catalog *cat, const char *lang, const char *key,
    const char *const *args, size_t nargs)
{
	const char *p = hk_msg(cat, lang, key);
	struct hk_buf out = HK_BUF_INIT;

	while (*p != '\0') {
		/* {N} with N in 1..9 is replaced; anything else is literal,
		 * copied a run at a time. */
		size_t run = strcspn(p, "{");

		if (run > 0 || p[1] < '1' || p[1] > '9' || p[2] != '}') {
			run += run == 0;
			hk_buf_append(&out, p, run);
			p += run;
			continue;
		}
		size_t idx = (size_t)(p[1] - '1');

		if (idx < nargs && args[idx] != NULL)
			hk_buf_puts(&out, args[idx]);
		p += 3;
	}
	return hk_buf_steal(&out);
}
