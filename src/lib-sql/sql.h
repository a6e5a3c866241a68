/* sql.h - one SQL API over the store's backends (SQLite, PostgreSQL).
 *
 * A connection is chosen by its target: "postgresql://..." or
 * "postgres://..." (a libpq connection URI) opens PostgreSQL, anything else
 * is the path of an SQLite file.  Statements use "?" or "?N" placeholders
 * (N from 1) on both; bound values are copied.  Write SQL both backends
 * read alike: ON CONFLICT ... DO UPDATE/NOTHING, COALESCE, "RETURNING id"
 * for a new row's id (SQLite >= 3.35), no SQLite-only functions.
 *
 * Failures come in few classes (enum hk_sql_rc); the driver's own text is
 * hk_sql_errmsg's.  A lost PostgreSQL connection is HK_SQL_CONN and is
 * opened again on the next statement of the connection.
 *
 * One connection per process, never shared across fork or threads.
 */
#ifndef HK_SQL_H
#define HK_SQL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum hk_sql_rc {
	HK_SQL_OK = 0,
	HK_SQL_ROW,		/* hk_sql_step: a row is ready */
	HK_SQL_DONE,		/* hk_sql_step: no (more) rows */
	HK_SQL_BUSY,		/* lock wait / serialization: try later (503) */
	HK_SQL_UNIQUE,		/* a unique or primary key is taken */
	HK_SQL_CONSTRAINT,	/* a foreign key, check or NOT NULL refused it */
	HK_SQL_CONN,		/* the connection is lost: try later (503) */
	HK_SQL_ERROR,		/* anything else: a 500 and a log line */
};

enum hk_sql_backend {
	HK_SQL_SQLITE,
	HK_SQL_PGSQL,
};

struct hk_sql;
struct hk_sql_stmt;

/* Whether target names a PostgreSQL database (a postgresql:// or
 * postgres:// URI) rather than an SQLite file. */
bool hk_sql_target_is_pgsql(const char *target);
/* target as it may be shown in a message or log: a URI's password is
 * replaced by "***" (caller frees). */
char *hk_sql_target_shown(const char *target);

/* Opens target (creating an SQLite file when create is true).  Returns
 * NULL with *err_r set (caller frees) on failure. */
struct hk_sql *hk_sql_open(const char *target, bool create, char **err_r);
void hk_sql_close(struct hk_sql **sql);
enum hk_sql_backend hk_sql_backend(const struct hk_sql *sql);

/* The last failure's text, for logs (belongs to the connection). */
const char *hk_sql_errmsg(struct hk_sql *sql);

/* Runs one or more statements with no parameters and no result rows (a
 * literal: DDL, pragmas).  Returns HK_SQL_OK or a failure class. */
enum hk_sql_rc hk_sql_exec(struct hk_sql *sql, const char *text);

/* Compiles text.  Returns NULL with *err_r set (caller frees) when the SQL
 * is wrong.  The statement belongs to the caller (hk_sql_finalize) and
 * must be finalized before the connection is closed. */
struct hk_sql_stmt *hk_sql_prepare(struct hk_sql *sql, const char *text,
    char **err_r);
void hk_sql_finalize(struct hk_sql_stmt **st);

/* Binding, index from 1; each value is copied.  A NULL text binds NULL. */
void hk_sql_bind_text(struct hk_sql_stmt *st, int idx, const char *value);
void hk_sql_bind_int64(struct hk_sql_stmt *st, int idx, int64_t value);
void hk_sql_bind_null(struct hk_sql_stmt *st, int idx);
void hk_sql_bind_blob(struct hk_sql_stmt *st, int idx, const void *data,
    size_t len);

/* Runs the statement (first call) or moves to its next row: HK_SQL_ROW,
 * HK_SQL_DONE or a failure class. */
enum hk_sql_rc hk_sql_step(struct hk_sql_stmt *st);

/* Columns of the current row, from 0.  Text is "" for NULL, never NULL;
 * text and blob belong to the statement (valid until the next step, reset
 * or finalize).  A blob of a NULL column is NULL with *len_r 0. */
const char *hk_sql_column_text(struct hk_sql_stmt *st, int col);
int64_t hk_sql_column_int64(struct hk_sql_stmt *st, int col);
int hk_sql_column_int(struct hk_sql_stmt *st, int col);
bool hk_sql_column_is_null(struct hk_sql_stmt *st, int col);
const void *hk_sql_column_blob(struct hk_sql_stmt *st, int col,
    size_t *len_r);

/* Ends the statement's run and clears its bindings: ready to bind again. */
void hk_sql_reset(struct hk_sql_stmt *st);

/* Whether statements wait for another connection's lock (up to the
 * driver's timeout, the default) or fail at once with HK_SQL_BUSY. */
void hk_sql_lock_wait(struct hk_sql *sql, bool wait);

/* Rows changed by the connection's last INSERT, UPDATE or DELETE. */
int64_t hk_sql_changes(struct hk_sql *sql);

/* Transactions.  begin takes the write lock at once on SQLite (BEGIN
 * IMMEDIATE).  Called again inside a transaction begun here, begin opens
 * a savepoint that commit releases (nothing is durable before the
 * outermost commit) and rollback undoes alone.  begin and commit return
 * HK_SQL_OK or a failure class; rollback never fails (a lost connection
 * has rolled back already). */
enum hk_sql_rc hk_sql_begin(struct hk_sql *sql);
enum hk_sql_rc hk_sql_commit(struct hk_sql *sql);
void hk_sql_rollback(struct hk_sql *sql);
/* A read-only transaction that sees one snapshot from its first read on
 * (SQLite BEGIN DEFERRED; PostgreSQL REPEATABLE READ), ended by
 * hk_sql_commit or hk_sql_rollback.  Never nested: HK_SQL_ERROR when a
 * transaction is open already. */
enum hk_sql_rc hk_sql_begin_read(struct hk_sql *sql);
/* Whether the connection has a transaction open. */
bool hk_sql_in_transaction(struct hk_sql *sql);

/* An online copy of an SQLite database into the new file dst_path,
 * checked (integrity_check) after; *user_version_r is the copy's
 * user_version.  Returns 0, or -1 with *err_r set (caller frees); on
 * PostgreSQL always -1 (use pg_dump). */
int hk_sql_backup(struct hk_sql *sql, const char *dst_path,
    int *user_version_r, char **err_r);

#endif
