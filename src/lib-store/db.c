/* db.c - the store's connection, migrations and statement cache. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "db_schema.h"
#include "log.h"
#include "mem.h"

struct cached {
	const char *sql;
	struct hk_sql_stmt *stmt;
};

struct hk_db {
	struct hk_sql *sql;
	struct cached *cache;
	size_t n, cap;
};

struct hk_db *
hk_db_open(const char *path, bool create, char **err_r)
{
	struct hk_db *db = hk_calloc(1, sizeof(*db));

	if ((db->sql = hk_sql_open(path, create, err_r)) == NULL) {
		free(db);
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
		hk_sql_finalize(&db->cache[i].stmt);
	free(db->cache);
	hk_sql_close(&db->sql);
	free(db);
	*dbp = NULL;
}

struct hk_sql *
hk_db_sql(struct hk_db *db)
{
	return db->sql;
}

const char *
hk_db_errmsg(struct hk_db *db)
{
	return hk_sql_errmsg(db->sql);
}

int
hk_db_exec(struct hk_db *db, const char *sql)
{
	return hk_sql_exec(db->sql, sql);
}

int
hk_db_schema_latest(void)
{
	return hk_db_migration_count;
}

int
hk_db_schema_version(struct hk_db *db)
{
	struct hk_sql_stmt *st = hk_db_prepare(db, "PRAGMA user_version");
	int v = -1;

	if (hk_sql_step(st) == HK_SQL_ROW)
		v = hk_sql_column_int(st, 0);
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
		    hk_db_errmsg(db));
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

		if (rc == HK_SQL_OK)
			rc = hk_db_exec(db, hk_db_migrations[v]);
		if (rc == HK_SQL_OK)
			rc = hk_db_exec(db, set);
		if (rc == HK_SQL_OK)
			rc = hk_db_commit(db);
		free(set);
		if (rc != HK_SQL_OK) {
			*err_r = hk_aprintf("migration %d failed: %s", v + 1,
			    hk_db_errmsg(db));
			hk_db_rollback(db);
			return -1;
		}
	}
	return 0;
}

struct hk_sql_stmt *
hk_db_prepare(struct hk_db *db, const char *sql)
{
	struct hk_sql_stmt *st;
	char *err;

	for (size_t i = 0; i < db->n; i++)
		if (db->cache[i].sql == sql) {
			st = db->cache[i].stmt;
			hk_sql_reset(st);
			return st;
		}
	if ((st = hk_sql_prepare(db->sql, sql, &err)) == NULL)
		hk_fatal("%s", err);
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
hk_db_done(struct hk_sql_stmt *stmt)
{
	if (stmt != NULL)
		hk_sql_reset(stmt);
}

int
hk_db_begin(struct hk_db *db)
{
	return hk_sql_begin(db->sql);
}

int
hk_db_commit(struct hk_db *db)
{
	return hk_sql_commit(db->sql);
}

void
hk_db_rollback(struct hk_db *db)
{
	hk_sql_rollback(db->sql);
}
