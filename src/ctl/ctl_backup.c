/* ctl_backup.c - `hikyakuctl backup FILE`: a consistent copy of the
 * SQLite database taken while the site runs (SQLite's online backup API,
 * which copies one snapshot even when workers write meanwhile), then
 * opened again and checked with PRAGMA integrity_check.  Restoring is
 * documented in hikyakuctl(8): stop, copy back, check. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#include "ctl.h"
#include "db.h"

/* Pages copied per step; between steps the source is unlocked so that
 * the workers can go on writing (a write restarts the copy). */
#define BACKUP_STEP_PAGES 256

static int
say(const char *what, const char *path, const char *why)
{
	fprintf(stderr, "hikyakuctl: %s %s: %s\n", what, path, why);
	return HK_EXIT_CONFIG;
}

/* Copies src into the new database file dst. */
static int
copy(sqlite3 *src, const char *dst_path)
{
	sqlite3 *dst = NULL;
	sqlite3_backup *b;
	int rc;

	rc = sqlite3_open_v2(dst_path, &dst, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE, NULL);
	if (rc != SQLITE_OK) {
		say("cannot create", dst_path, dst != NULL ?
		    sqlite3_errmsg(dst) : sqlite3_errstr(rc));
		sqlite3_close(dst);
		return -1;
	}
	if ((b = sqlite3_backup_init(dst, "main", src, "main")) == NULL) {
		say("cannot start the copy to", dst_path, sqlite3_errmsg(dst));
		sqlite3_close(dst);
		return -1;
	}
	do {
		rc = sqlite3_backup_step(b, BACKUP_STEP_PAGES);
		if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
			sqlite3_sleep(50);
	} while (rc == SQLITE_OK || rc == SQLITE_BUSY || rc == SQLITE_LOCKED);
	sqlite3_backup_finish(b);
	if (rc != SQLITE_DONE) {
		say("cannot copy to", dst_path, sqlite3_errstr(rc));
		sqlite3_close(dst);
		return -1;
	}
	/* A copy that stands alone: one file, no -wal beside it. */
	if (sqlite3_exec(dst, "PRAGMA journal_mode = DELETE", NULL, NULL,
	    NULL) != SQLITE_OK) {
		say("cannot finish", dst_path, sqlite3_errmsg(dst));
		sqlite3_close(dst);
		return -1;
	}
	if (sqlite3_close(dst) != SQLITE_OK) {
		say("cannot close", dst_path, "busy");
		return -1;
	}
	return 0;
}

/* Opens the copy read-only and runs integrity_check on it. */
static int
check(const char *path, int *user_version_r)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	int rc, ok = 0;

	rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL);
	if (rc != SQLITE_OK) {
		say("the copy does not open:", path, sqlite3_errstr(rc));
		sqlite3_close(db);
		return -1;
	}
	if (sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &st, NULL) !=
	    SQLITE_OK) {
		say("cannot check", path, sqlite3_errmsg(db));
		sqlite3_close(db);
		return -1;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *line = (const char *)sqlite3_column_text(st, 0);

		if (line != NULL && strcmp(line, "ok") == 0)
			ok = 1;
		else
			say("the copy fails its integrity check:", path,
			    line != NULL ? line : "?");
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE || !ok) {
		sqlite3_close(db);
		return -1;
	}
	*user_version_r = 0;
	if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL) ==
	    SQLITE_OK) {
		if (sqlite3_step(st) == SQLITE_ROW)
			*user_version_r = sqlite3_column_int(st, 0);
		sqlite3_finalize(st);
	}
	sqlite3_close(db);
	return 0;
}

int
ctl_backup(const struct hk_config *cfg, int argc, char **argv)
{
	struct hk_db *db;
	char *err = NULL;
	int fd, version = 0;
	const char *dst;

	if (argc != 2 || argv[1][0] == '-') {
		fputs("usage: hikyakuctl backup FILE\n", stderr);
		return HK_EXIT_USAGE;
	}
	dst = argv[1];
	/* A new file, readable by its owner only: it holds the (encrypted)
	 * passwords and the administrators' password hashes.  Never over an
	 * existing file, which may be the database itself. */
	if ((fd = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600)) < 0)
		return say("cannot create", dst, strerror(errno));
	close(fd);
	if ((db = hk_db_open(cfg->database, false, &err)) == NULL) {
		fprintf(stderr, "hikyakuctl: %s\n", err);
		free(err);
		unlink(dst);
		return HK_EXIT_CONFIG;
	}
	if (copy(hk_db_handle(db), dst) < 0 || check(dst, &version) < 0) {
		hk_db_close(&db);
		unlink(dst);
		return HK_EXIT_CONFIG;
	}
	hk_db_close(&db);
	printf("backup: %s (schema %d, integrity ok)\n", dst, version);
	return HK_EXIT_OK;
}
