/* db_schema.h - the schema migrations, in order.  Append only: a released
 * migration never changes, a later one alters what an earlier one made. */
#ifndef HK_DB_SCHEMA_H
#define HK_DB_SCHEMA_H

/* SQLite's (db_schema.c); the version is PRAGMA user_version. */
extern const char *const hk_db_migrations[];
extern const int hk_db_migration_count;
/* PostgreSQL's (db_schema_pg.c): as many, the same meaning each; the
 * version is the row of hk_schema. */
extern const char *const hk_db_migrations_pg[];
extern const int hk_db_migration_count_pg;

#endif
