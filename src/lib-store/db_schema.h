/* db_schema.h - the schema migrations, in order.  Append only: a released
 * migration never changes, a later one alters what an earlier one made. */
#ifndef HK_DB_SCHEMA_H
#define HK_DB_SCHEMA_H

extern const char *const hk_db_migrations[];
extern const int hk_db_migration_count;

#endif
