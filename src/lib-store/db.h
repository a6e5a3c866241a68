/* db.h - the store: opening, schema migrations, cached statements.
 *
 * One connection per process (never shared across fork), on either
 * backend of sql.h (the configured database: an SQLite file or a
 * postgresql:// URI).  hk_db_migrate brings the schema up to date, and the
 * worker refuses to start on a database that is behind (run
 * `hikyakuctl init`).
 */
#ifndef HK_DB_H
#define HK_DB_H

#include <stdbool.h>
#include "sql.h"

struct hk_db;

/* Opens (creating when create is true) the database at path.  Returns NULL
 * with *err_r set (caller frees) on failure. */
struct hk_db *hk_db_open(const char *path, bool create, char **err_r);
void hk_db_close(struct hk_db **db);
/* The connection, for what the store's functions do not wrap. */
struct hk_sql *hk_db_sql(struct hk_db *db);

/* The schema version this build expects, and the database's. */
int hk_db_schema_latest(void);
int hk_db_schema_version(struct hk_db *db);
/* Applies every missing migration, each in its own transaction.  Returns 0
 * or -1 with *err_r set. */
int hk_db_migrate(struct hk_db *db, char **err_r);

/* A prepared statement for sql, cached per connection (sql should be a
 * string literal: it is kept by pointer).  Ready to bind; call hk_db_done
 * when finished with it so that no read transaction lingers.  An SQL error
 * here is a programming error and fatal. */
struct hk_sql_stmt *hk_db_prepare(struct hk_db *db, const char *sql);
void hk_db_done(struct hk_sql_stmt *stmt);

/* hk_sql_begin / _commit / _rollback.  Return an enum hk_sql_rc
 * (HK_SQL_OK, or HK_SQL_BUSY when another writer held the lock too long).
 * Called again inside a transaction begun here, begin opens a savepoint
 * that commit releases (nothing is durable before the outermost commit)
 * and rollback undoes alone; so a caller can run several of the model's
 * writes, each its own transaction, as one (hikyakuctl import). */
int hk_db_begin(struct hk_db *db);
int hk_db_commit(struct hk_db *db);
void hk_db_rollback(struct hk_db *db);

/* Runs one statement with no result rows (a literal; no user data). */
int hk_db_exec(struct hk_db *db, const char *sql);

/* Makes every later commit of this connection durable before it returns
 * (SQLite: synchronous = FULL; PostgreSQL's commits already are). */
int hk_db_sync_full(struct hk_db *db);

/* The last error's message, for logs. */
const char *hk_db_errmsg(struct hk_db *db);

#endif
