/* dbutil.h - what every function reading or writing the database shares:
 * one test for "the database is busy", one way to read a text column, one
 * translation of an SQLite result code into a store outcome. */
#ifndef HK_DBUTIL_H
#define HK_DBUTIL_H

#include <stdbool.h>
#include <sqlite3.h>

#include "db.h"
#include "storerc.h"

/* Whether an SQLite result (extended codes included) means another
 * connection held a lock too long: SQLITE_BUSY after the busy timeout, or
 * SQLITE_LOCKED.  Such a request is answered 503, not 500. */
bool hk_db_busy(int sqlite_rc);

/* Column col of the current row as text: "" for NULL, never NULL.  The
 * string belongs to the statement (valid until the next step, reset or
 * column call on it). */
const char *hk_db_text(sqlite3_stmt *st, int col);
/* The same, copied (caller frees). */
char *hk_db_text_dup(sqlite3_stmt *st, int col);

/* An SQLite result as a store outcome: SQLITE_OK, _ROW and _DONE are
 * HK_STORE_OK, a busy one (hk_db_busy) HK_STORE_BUSY; anything else is
 * logged with the connection's message and is HK_STORE_ERROR. */
enum hk_store_rc hk_db_store_rc(struct hk_db *db, int sqlite_rc);

#endif
