/* dbutil.c - the shared helpers of the store functions (dbutil.h). */
#include "config.h"

#include "dbutil.h"
#include "log.h"
#include "mem.h"

bool
hk_db_busy(int rc)
{
	return rc == HK_SQL_BUSY || rc == HK_SQL_CONN;
}

const char *
hk_db_text(struct hk_sql_stmt *st, int col)
{
	return hk_sql_column_text(st, col);
}

char *
hk_db_text_dup(struct hk_sql_stmt *st, int col)
{
	return hk_strdup(hk_sql_column_text(st, col));
}

enum hk_store_rc
hk_db_store_rc(struct hk_db *db, int rc)
{
	if (rc == HK_SQL_OK || rc == HK_SQL_ROW || rc == HK_SQL_DONE)
		return HK_STORE_OK;
	if (hk_db_busy(rc))
		return HK_STORE_BUSY;
	hk_err("database: %s", hk_db_errmsg(db));
	return HK_STORE_ERROR;
}
