/* dbutil.c - the shared helpers of the store functions (dbutil.h). */
#include "config.h"

#include "dbutil.h"
#include "log.h"
#include "mem.h"

bool
hk_db_busy(int sqlite_rc)
{
	int primary = sqlite_rc & 0xff;

	return primary == SQLITE_BUSY || primary == SQLITE_LOCKED;
}

const char *
hk_db_text(sqlite3_stmt *st, int col)
{
	const unsigned char *t = sqlite3_column_text(st, col);

	return t != NULL ? (const char *)t : "";
}

char *
hk_db_text_dup(sqlite3_stmt *st, int col)
{
	return hk_strdup(hk_db_text(st, col));
}

enum hk_store_rc
hk_db_store_rc(struct hk_db *db, int sqlite_rc)
{
	if (sqlite_rc == SQLITE_OK || sqlite_rc == SQLITE_ROW ||
	    sqlite_rc == SQLITE_DONE)
		return HK_STORE_OK;
	if (hk_db_busy(sqlite_rc))
		return HK_STORE_BUSY;
	hk_err("database: %s", hk_db_errmsg(db));
	return HK_STORE_ERROR;
}
