/* health.h - each mail server's health as real traffic shows it: the
 * last successful send and receive, the last error with the server's
 * reply, and how many attempts in a row have failed.  Written by send and
 * fetch (send.c, fetch.c, oversized.c); shown on the server list.
 *
 * Only what the server did counts: a message refused before connecting
 * (send_limit), a configuration problem or a local disk error is not the
 * server's failure and leaves its health alone.
 */
#ifndef HK_HEALTH_H
#define HK_HEALTH_H

#include <stdbool.h>

#include <libxml/tree.h>

#include "db.h"

enum hk_health_end {
	HK_HEALTH_SEND = 0,
	HK_HEALTH_RECEIVE
};

/* Records one attempt on server_id's end: ok resets the failure count
 * and sets the last success time; a failure keeps error (one English
 * line) and reply (what the server said; may be NULL) and counts it.
 * Runs in its own statement (autocommit); failures are logged only. */
void hk_health_record(struct hk_db *db, long long server_id,
    enum hk_health_end end, bool ok, const char *error, const char *reply);

/* Adds to parent (a <mail-server> element)
 *   <health failing="true|false" failures="N">
 *     <last-send at="ISO 8601"/>  <last-receive at=""/>   (when known)
 *     <last-error at="" end="send|receive"><message/><reply/></last-error>
 *   </health>
 * "failing" is true while the last attempt failed.  Adds nothing when the
 * server has no traffic yet. */
void hk_health_xml(struct hk_db *db, long long server_id, xmlNodePtr parent);
/* hk_health_xml for every <mail-server id=""> child of list. */
void hk_health_list_xml(struct hk_db *db, xmlNodePtr list);

#endif
