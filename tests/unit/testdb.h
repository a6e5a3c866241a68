/* testdb.h - a throw-away SQLite database for unit tests: a mkdtemp folder
 * under /tmp holding hikyaku.db, opened (and optionally migrated). */
#ifndef HK_TESTDB_H
#define HK_TESTDB_H

#include <stdbool.h>

#include "db.h"

struct hk_testdb {
	char dir[64];		/* /tmp/hk-test-TAG.XXXXXX, made by mkdtemp */
	char *path;		/* DIR/hikyaku.db; owned by the hk_testdb */
	struct hk_db *db;	/* open; a test may close and reopen it */
};

/* Makes the folder, creates and opens DIR/hikyaku.db and, when migrate is
 * true, brings its schema up to date.  Returns a new hk_testdb (the caller
 * frees it with hk_testdb_free), or NULL after printing the reason to
 * stderr and removing whatever was made. */
struct hk_testdb *hk_testdb_new(const char *tag, bool migrate);

/* Closes the database (when open), removes the database file with its
 * -wal, -shm and -journal companions and the folder, frees *t and sets it
 * to NULL.  A NULL *t is left alone. */
void hk_testdb_free(struct hk_testdb **t);

/* An uncached statement for sql on db (the caller finalizes it with
 * hk_sql_finalize); a wrong statement aborts the test program. */
struct hk_sql_stmt *hk_testdb_prepare(struct hk_db *db, const char *sql);

#endif
