/* ui_server_index.h - the <mail-server id=""> elements of a list, by id.
 *
 * The server list attaches rows of other tables (last tests, health,
 * accounts needing reconnecting) to its servers; each row looks its
 * server up here instead of walking the list, which grew with the square
 * of the list's length.
 */
#ifndef HK_UI_SERVER_INDEX_H
#define HK_UI_SERVER_INDEX_H

#include <stddef.h>

#include <libxml/tree.h>

struct ui_server_node {
	long long id;
	xmlNodePtr node;	/* the document's; not owned */
};

struct ui_server_index {
	struct ui_server_node *v;	/* sorted by id; owned */
	size_t n;
};

/* Indexes the element children of list that carry an id attribute.  The
 * caller frees with ui_server_index_free. */
void ui_server_index_build(struct ui_server_index *ix, xmlNodePtr list);
void ui_server_index_free(struct ui_server_index *ix);

/* The element of server id, or NULL. */
xmlNodePtr ui_server_index_find(const struct ui_server_index *ix,
    long long id);

#endif
