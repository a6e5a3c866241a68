/* sheetdocs.h - stylesheet documents kept while the view loads.
 *
 * Every screen is compiled once per language and every screen imports
 * layout.xsl, so the same files would be parsed (and folded, msgfold.h)
 * again and again: 36 parses and folds for 13 files.  A set keeps each
 * document as first read, and each folded one per language, and hands
 * out copies, which cost a fraction of a parse.
 */
#ifndef HK_SHEETDOCS_H
#define HK_SHEETDOCS_H

#include <libxml/tree.h>

struct hk_sheetdocs;

/* An empty set whose copies use dict for their names (libxslt compares
 * some names by pointer).  Freed with hk_sheetdocs_free, which frees the
 * documents kept (not the copies handed out). */
struct hk_sheetdocs *hk_sheetdocs_new(xmlDictPtr dict);
void hk_sheetdocs_free(struct hk_sheetdocs **set);

/* A copy of the document kept for (uri, lang), lang NULL for the one as
 * read; NULL when none is kept.  The caller owns the copy. */
xmlDocPtr hk_sheetdocs_get(struct hk_sheetdocs *set, const char *uri,
    const char *lang);

/* Keeps a copy of doc for (uri, lang); doc stays the caller's. */
void hk_sheetdocs_put(struct hk_sheetdocs *set, const char *uri,
    const char *lang, xmlDocPtr doc);

#endif
