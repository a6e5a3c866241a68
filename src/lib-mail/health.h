/* health.h - recording each mail server's health as real traffic shows
 * it (the table and reading it: healthdb.h).  Written by send and fetch
 * (fetch.c, oversized.c, hikyakuctl); shown on the server list.
 *
 * Only what the server did counts: a message refused before connecting
 * (send_limit), a configuration problem or a local disk error is not the
 * server's failure and leaves its health alone.
 */
#ifndef HK_HEALTH_H
#define HK_HEALTH_H

#include <stdbool.h>

#include "db.h"
#include "healthdb.h"

/* Records one attempt on server_id's end: ok resets the failure count
 * and sets the last success time; a failure keeps error (one English
 * line) and reply (what the server said; may be NULL) and counts it.
 * Both are untrusted bytes, stored as valid UTF-8 without control
 * characters (hk_header_clean).  Failures to store are logged only. */
void hk_health_record(struct hk_db *db, long long server_id,
    enum hk_health_end end, bool ok, const char *error, const char *reply);

#endif
