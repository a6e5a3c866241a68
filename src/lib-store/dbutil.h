/* dbutil.h - what every function reading or writing the database shares:
 * one test for "the database is busy", one way to read a text column, one
 * translation of an hk_sql_rc into a store outcome. */
#ifndef HK_DBUTIL_H
#define HK_DBUTIL_H

#include <stdbool.h>
#include "db.h"
#include "storerc.h"

/* Whether an hk_sql_rc means "try again later": another connection held
 * a lock too long (HK_SQL_BUSY), or the connection to the database server
 * is lost (HK_SQL_CONN, opened again on the next request).  Such a
 * request is answered 503, not 500. */
bool hk_db_busy(int rc);

/* Column col of the current row as text: "" for NULL, never NULL.  The
 * string belongs to the statement (valid until the next step, reset or
 * column call on it). */
const char *hk_db_text(struct hk_sql_stmt *st, int col);
/* The same, copied (caller frees). */
char *hk_db_text_dup(struct hk_sql_stmt *st, int col);

/* An hk_sql_rc as a store outcome: HK_SQL_OK, _ROW and _DONE are
 * HK_STORE_OK, a busy one (hk_db_busy) HK_STORE_BUSY; anything else is
 * logged with the connection's message and is HK_STORE_ERROR. */
enum hk_store_rc hk_db_store_rc(struct hk_db *db, int rc);

#endif
