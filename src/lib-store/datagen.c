/* datagen.c - a read snapshot pinned to the data generation (datagen.h). */
#include "config.h"

#include "datagen.h"

/* hk_db_prepare caches statements by the address of their text. */
static const char sql_generation[] = "SELECT n FROM data_generation";

bool
hk_datagen_read_begin(struct hk_db *db, long long *gen_r)
{
	struct hk_sql_stmt *st;
	int rc;

	if (hk_sql_in_transaction(hk_db_sql(db)))
		return false;
	if (hk_sql_begin_read(hk_db_sql(db)) != HK_SQL_OK) {
		hk_db_rollback(db);
		return false;
	}
	/* A deferred transaction takes its snapshot at its first read. */
	st = hk_db_prepare(db, sql_generation);
	rc = hk_sql_step(st);
	if (rc == HK_SQL_ROW)
		*gen_r = hk_sql_column_int64(st, 0);
	hk_db_done(st);
	if (rc != HK_SQL_ROW) {
		hk_db_rollback(db);
		return false;
	}
	return true;
}

bool
hk_datagen_read_end(struct hk_db *db)
{
	if (!hk_sql_in_transaction(hk_db_sql(db)))
		return false;
	if (hk_db_commit(db) != HK_SQL_OK) {
		hk_db_rollback(db);
		return false;
	}
	return true;
}
