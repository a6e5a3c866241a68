/* datagen.c - a read snapshot pinned to the data generation (datagen.h). */
#include "config.h"

#include "datagen.h"

/* hk_db_prepare caches statements by the address of their text. */
static const char sql_begin[] = "BEGIN DEFERRED";
static const char sql_commit[] = "COMMIT";
static const char sql_generation[] = "SELECT n FROM data_generation";

static int
step_once(struct hk_db *db, const char *sql)
{
	sqlite3_stmt *st = hk_db_prepare(db, sql);
	int rc = sqlite3_step(st);

	hk_db_done(st);
	return rc;
}

bool
hk_datagen_read_begin(struct hk_db *db, long long *gen_r)
{
	sqlite3_stmt *st;
	int rc;

	if (!sqlite3_get_autocommit(hk_db_handle(db)))
		return false;
	if (step_once(db, sql_begin) != SQLITE_DONE) {
		hk_db_rollback(db);
		return false;
	}
	/* A deferred transaction takes its snapshot at its first read. */
	st = hk_db_prepare(db, sql_generation);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*gen_r = sqlite3_column_int64(st, 0);
	hk_db_done(st);
	if (rc != SQLITE_ROW) {
		hk_db_rollback(db);
		return false;
	}
	return true;
}

bool
hk_datagen_read_end(struct hk_db *db)
{
	if (sqlite3_get_autocommit(hk_db_handle(db)))
		return false;
	if (step_once(db, sql_commit) != SQLITE_DONE) {
		hk_db_rollback(db);
		return false;
	}
	return true;
}
