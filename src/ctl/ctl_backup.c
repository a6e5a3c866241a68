/* ctl_backup.c - `hikyakuctl backup FILE`: a consistent copy of the
 * SQLite database taken while the site runs (SQLite's online backup API,
 * which copies one snapshot even when workers write meanwhile), then
 * opened again and checked with PRAGMA integrity_check (hk_sql_backup).
 * A PostgreSQL store is copied with pg_dump instead.  Restoring is
 * documented in hikyakuctl(8): stop, copy back, check. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ctl.h"
#include "db.h"

static int
say(const char *what, const char *path, const char *why)
{
	fprintf(stderr, "hikyakuctl: %s %s: %s\n", what, path, why);
	return HK_EXIT_CONFIG;
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
	if (hk_sql_backup(hk_db_sql(db), dst, &version, &err) < 0) {
		fprintf(stderr, "hikyakuctl: %s\n", err);
		free(err);
		hk_db_close(&db);
		unlink(dst);
		return HK_EXIT_CONFIG;
	}
	hk_db_close(&db);
	printf("backup: %s (schema %d, integrity ok)\n", dst, version);
	return HK_EXIT_OK;
}
