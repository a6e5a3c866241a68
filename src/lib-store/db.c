/* db.c - the SQLite connection, migrations and statement cache. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "db_schema.h"
#include "log.h"
#include "mem.h"

struct cached {
	const char *sql;
	sqlite3_stmt *stmt;
};

struct hk_db {
	sqlite3 *h;
	struct cached *cache;
	size_t n, cap;
	int depth;	/* hk_db_begin nesting: 1 = the transaction itself */
};

struct hk_db *
hk_db_open(const char *path, bool create, char **err_r)
{
	struct hk_db *db = hk_calloc(1, sizeof(*db));
	int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX |
	    (create ? SQLITE_OPEN_CREATE : 0);

	*err_r = NULL;
	if (sqlite3_open_v2(path, &db->h, flags, NULL) != SQLITE_OK) {
		*err_r = hk_aprintf("%s: %s%s", path,
		    db->h ? sqlite3_errmsg(db->h) : "cannot open",
		    create ? "" : " (run 'hikyakuctl init' first)");
		hk_db_close(&db);
		return NULL;
	}
	sqlite3_busy_timeout(db->h, HK_DB_BUSY_MS);
	sqlite3_extended_result_codes(db->h, 1);
	if (hk_db_exec(db, "PRAGMA journal_mode = WAL") != SQLITE_OK ||
	    hk_db_exec(db, "PRAGMA synchronous = NORMAL") != SQLITE_OK ||
	    hk_db_exec(db, "PRAGMA foreign_keys = ON") != SQLITE_OK) {
		*err_r = hk_aprintf("%s: %s", path, sqlite3_errmsg(db->h));
		hk_db_close(&db);
		return NULL;
	}
	return db;
}

void
hk_db_close(struct hk_db **dbp)
{
	struct hk_db *db = *dbp;

	if (db == NULL)
		return;
	for (size_t i = 0; i < db->n; i++)
		sqlite3_finalize(db->cache[i].stmt);
	free(db->cache);
	sqlite3_close(db->h);
	free(db);
	*dbp = NULL;
}

sqlite3 *
hk_db_handle(struct hk_db *db)
{
	return db->h;
}

const char *
hk_db_errmsg(struct hk_db *db)
{
	return sqlite3_errmsg(db->h);
}

int
hk_db_exec(struct hk_db *db, const char *sql)
{
	char *msg = NULL;
	int rc = sqlite3_exec(db->h, sql, NULL, NULL, &msg);

	if (rc != SQLITE_OK)
		hk_warn("database: %s", msg ? msg : sqlite3_errstr(rc));
	sqlite3_free(msg);
	return rc;
}

int
hk_db_schema_latest(void)
{
	return hk_db_migration_count;
}

int
hk_db_schema_version(struct hk_db *db)
{
	sqlite3_stmt *st = hk_db_prepare(db, "PRAGMA user_version");
	int v = -1;

	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int(st, 0);
	hk_db_done(st);
	return v;
}

int
hk_db_migrate(struct hk_db *db, char **err_r)
{
	int v = hk_db_schema_version(db);

	*err_r = NULL;
	if (v < 0) {
		*err_r = hk_aprintf("cannot read the schema version: %s",
		    sqlite3_errmsg(db->h));
		return -1;
	}
	if (v > hk_db_migration_count) {
		*err_r = hk_aprintf("the database has schema version %d, newer than "
		    "this hikyaku (%d)", v, hk_db_migration_count);
		return -1;
	}
	for (; v < hk_db_migration_count; v++) {
		char *set = hk_aprintf("PRAGMA user_version = %d", v + 1);
		int rc = hk_db_begin(db);

		if (rc == SQLITE_OK)
			rc = hk_db_exec(db, hk_db_migrations[v]);
		if (rc == SQLITE_OK)
			rc = hk_db_exec(db, set);
		if (rc == SQLITE_OK)
			rc = hk_db_commit(db);
		free(set);
		if (rc != SQLITE_OK) {
			*err_r = hk_aprintf("migration %d failed: %s", v + 1,
			    sqlite3_errmsg(db->h));
			hk_db_rollback(db);
			return -1;
		}
	}
	return 0;
}

sqlite3_stmt *
hk_db_prepare(struct hk_db *db, const char *sql)
{
	sqlite3_stmt *st;

	for (size_t i = 0; i < db->n; i++)
		if (db->cache[i].sql == sql) {
			st = db->cache[i].stmt;
			sqlite3_reset(st);
			sqlite3_clear_bindings(st);
			return st;
		}
	if (sqlite3_prepare_v3(db->h, sql, -1, SQLITE_PREPARE_PERSISTENT, &st,
	    NULL) != SQLITE_OK)
		hk_fatal("SQL error in \"%s\": %s", sql, sqlite3_errmsg(db->h));
	if (db->n == db->cap) {
		db->cap = db->cap ? db->cap * 2 : 32;
		db->cache = hk_realloc(db->cache, db->cap * sizeof(*db->cache));
	}
	db->cache[db->n].sql = sql;
	db->cache[db->n].stmt = st;
	db->n++;
	return st;
}

void
hk_db_done(sqlite3_stmt *stmt)
{
	if (stmt != NULL) {
		sqlite3_reset(stmt);
		sqlite3_clear_bindings(stmt);
	}
}

int
hk_db_begin(struct hk_db *db)
{
	int rc;

	if (db->depth == 0) {
		rc = hk_db_exec(db, "BEGIN IMMEDIATE");
		if (rc == SQLITE_OK)
			db->depth = 1;
		return rc;
	}
	/* Inside one: a savepoint, so that the inner work can roll back
	 * alone while nothing commits before the outer COMMIT. */
	rc = hk_db_exec(db, "SAVEPOINT hk_nested");
	if (rc == SQLITE_OK)
		db->depth++;
	return rc;
}

int
hk_db_commit(struct hk_db *db)
{
	int rc;

	if (db->depth <= 1) {
		rc = hk_db_exec(db, "COMMIT");
		if (rc == SQLITE_OK)
			db->depth = 0;
		return rc;
	}
	rc = hk_db_exec(db, "RELEASE hk_nested");
	if (rc == SQLITE_OK)
		db->depth--;
	return rc;
}

void
hk_db_rollback(struct hk_db *db)
{
	if (db->depth > 1 && !sqlite3_get_autocommit(db->h)) {
		(void)sqlite3_exec(db->h, "ROLLBACK TO hk_nested", NULL, NULL,
		    NULL);
		(void)sqlite3_exec(db->h, "RELEASE hk_nested", NULL, NULL, NULL);
		db->depth--;
		return;
	}
	if (!sqlite3_get_autocommit(db->h))
		(void)sqlite3_exec(db->h, "ROLLBACK", NULL, NULL, NULL);
	db->depth = 0;
}
