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

static bool is_pg(struct hk_db *db);

int
hk_db_sync_full(struct hk_db *db)
{
	if (is_pg(db))
		return HK_SQL_OK;
	return hk_sql_exec(db->sql, "PRAGMA synchronous = FULL");
}

int
hk_db_schema_latest(void)
{
	return hk_db_migration_count;
}

static bool
is_pg(struct hk_db *db)
{
	return hk_sql_backend(db->sql) == HK_SQL_PGSQL;
}

/* The version table of PostgreSQL: made by the first `hikyakuctl init`
 * (version 0), so that its absence means an empty database. */
static const char pg_schema_table[] =
	"CREATE TABLE IF NOT EXISTS hk_schema ("
	"  id BIGINT PRIMARY KEY CHECK (id = 1),"
	"  version BIGINT NOT NULL);"
	"INSERT INTO hk_schema (id, version) VALUES (1, 0)"
	"  ON CONFLICT (id) DO NOTHING";

int
hk_db_schema_version(struct hk_db *db)
{
	struct hk_sql_stmt *st;
	int v = -1;

	if (!is_pg(db))
		st = hk_db_prepare(db, "PRAGMA user_version");
	else {
		st = hk_db_prepare(db, "SELECT to_regclass('hk_schema') IS NULL");
		if (hk_sql_step(st) == HK_SQL_ROW && hk_sql_column_int(st, 0)) {
			hk_db_done(st);
			return 0;	/* never initialised */
		}
		hk_db_done(st);
		st = hk_db_prepare(db, "SELECT version FROM hk_schema");
	}
	if (hk_sql_step(st) == HK_SQL_ROW)
		v = hk_sql_column_int(st, 0);
	hk_db_done(st);
	return v;
}

int
hk_db_migrate(struct hk_db *db, char **err_r)
{
	const char *const *steps = hk_db_migrations;
	int v;

	*err_r = NULL;
	if (is_pg(db)) {
		steps = hk_db_migrations_pg;
		if (hk_db_migration_count_pg != hk_db_migration_count) {
			*err_r = hk_strdup("internal error: the PostgreSQL "
			    "schema lags behind SQLite's");
			return -1;
		}
		if (hk_db_exec(db, pg_schema_table) != HK_SQL_OK) {
			*err_r = hk_aprintf("cannot make the schema version "
			    "table: %s", hk_db_errmsg(db));
			return -1;
		}
	}
	v = hk_db_schema_version(db);
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
		char *set = hk_aprintf(is_pg(db) ?
		    "UPDATE hk_schema SET version = %d" :
		    "PRAGMA user_version = %d", v + 1);
		int rc = hk_db_begin(db);

		if (rc == HK_SQL_OK)
			rc = hk_db_exec(db, steps[v]);
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
