/* servertest.h - a mail server's last connection test (server_tests):
 * one row per server, replaced by each new test. */
#ifndef HK_SERVERTEST_H
#define HK_SERVERTEST_H

#include <stdbool.h>
#include <stddef.h>

#include "db.h"

/* Stores the test that ended now for server_id: whether it passed, its
 * one-line summary (NULL: "") and its report (xml_len bytes of XML, all
 * copied).  Returns 0, or -1 when the database refused (logged, except
 * for a server deleted meanwhile). */
int hk_servertest_put(struct hk_db *db, long long server_id, bool ok,
    const char *summary, const char *xml, size_t xml_len);

#endif
