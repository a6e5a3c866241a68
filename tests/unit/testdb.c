/* testdb.c - a throw-away SQLite database for unit tests (testdb.h). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "mem.h"
#include "testdb.h"

struct hk_testdb *
hk_testdb_new(const char *tag, bool migrate)
{
	struct hk_testdb *t = hk_calloc(1, sizeof(*t));
	char *err = NULL;
	int n;

	n = snprintf(t->dir, sizeof(t->dir), "/tmp/hk-test-%s.XXXXXX", tag);
	if (n < 0 || (size_t)n >= sizeof(t->dir) || mkdtemp(t->dir) == NULL) {
		fprintf(stderr, "testdb: cannot make a folder for %s\n", tag);
		free(t);
		return NULL;
	}
	t->path = hk_aprintf("%s/hikyaku.db", t->dir);
	if ((t->db = hk_db_open(t->path, true, &err)) == NULL ||
	    (migrate && hk_db_migrate(t->db, &err) != 0)) {
		fprintf(stderr, "%s\n", err);
		free(err);
		hk_testdb_free(&t);
		return NULL;
	}
	return t;
}

void
hk_testdb_free(struct hk_testdb **tp)
{
	static const char *const suffixes[] = { "", "-wal", "-shm", "-journal" };
	struct hk_testdb *t = *tp;

	if (t == NULL)
		return;
	hk_db_close(&t->db);
	for (size_t i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++) {
		char *p = hk_aprintf("%s%s", t->path, suffixes[i]);

		unlink(p);
		free(p);
	}
	rmdir(t->dir);
	free(t->path);
	free(t);
	*tp = NULL;
}

struct hk_sql_stmt *
hk_testdb_prepare(struct hk_db *db, const char *sql)
{
	char *err = NULL;
	struct hk_sql_stmt *st = hk_sql_prepare(hk_db_sql(db), sql, &err);

	if (st == NULL) {
		fprintf(stderr, "%s\n", err);
		abort();
	}
	return st;
}
