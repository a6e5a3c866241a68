/* sql-sqlite.c - the SQLite driver of sql.h: WAL, a busy timeout, foreign
 * keys on; the online backup API for hk_sql_backup. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "mem.h"
#include "sql-private.h"

/* How long a writer waits for another process's lock before giving up
 * (the request then answers 503). */
#define SQLITE_BUSY_MS 5000
/* Pages copied per backup step; between steps the source is unlocked so
 * that the workers can go on writing (a write restarts the copy). */
#define BACKUP_STEP_PAGES 256

struct sqlite_conn {
	struct hk_sql sql;
	sqlite3 *h;
};

struct sqlite_stmt {
	struct hk_sql_stmt st;
	sqlite3_stmt *h;
};

static sqlite3 *
H(struct hk_sql *sql)
{
	return ((struct sqlite_conn *)sql)->h;
}

static sqlite3_stmt *
S(struct hk_sql_stmt *st)
{
	return ((struct sqlite_stmt *)st)->h;
}

static enum hk_sql_rc
classify(int rc)
{
	switch (rc & 0xff) {
	case SQLITE_OK:
		return HK_SQL_OK;
	case SQLITE_ROW:
		return HK_SQL_ROW;
	case SQLITE_DONE:
		return HK_SQL_DONE;
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return HK_SQL_BUSY;
	case SQLITE_CONSTRAINT:
		return rc == SQLITE_CONSTRAINT_UNIQUE ||
		    rc == SQLITE_CONSTRAINT_PRIMARYKEY ? HK_SQL_UNIQUE :
		    HK_SQL_CONSTRAINT;
	default:
		return HK_SQL_ERROR;
	}
}

static void sqlite_close(struct hk_sql *sql);

static struct hk_sql *
sqlite_open(const char *path, bool create, char **err_r)
{
	struct sqlite_conn *c = hk_calloc(1, sizeof(*c));
	int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX |
	    (create ? SQLITE_OPEN_CREATE : 0);

	c->sql.drv = &hk_sql_driver_sqlite;
	if (sqlite3_open_v2(path, &c->h, flags, NULL) != SQLITE_OK) {
		*err_r = hk_aprintf("%s: %s%s", path,
		    c->h ? sqlite3_errmsg(c->h) : "cannot open",
		    create ? "" : " (run 'hikyakuctl init' first)");
		sqlite_close(&c->sql);
		return NULL;
	}
	sqlite3_busy_timeout(c->h, SQLITE_BUSY_MS);
	sqlite3_extended_result_codes(c->h, 1);
	if (sqlite3_exec(c->h, "PRAGMA journal_mode = WAL", NULL, NULL,
	    NULL) != SQLITE_OK ||
	    sqlite3_exec(c->h, "PRAGMA synchronous = NORMAL", NULL, NULL,
	    NULL) != SQLITE_OK ||
	    sqlite3_exec(c->h, "PRAGMA foreign_keys = ON", NULL, NULL,
	    NULL) != SQLITE_OK) {
		*err_r = hk_aprintf("%s: %s", path, sqlite3_errmsg(c->h));
		sqlite_close(&c->sql);
		return NULL;
	}
	return &c->sql;
}

static void
sqlite_close(struct hk_sql *sql)
{
	sqlite3_close(H(sql));
	free(sql);
}

static const char *
sqlite_errmsg(struct hk_sql *sql)
{
	return sqlite3_errmsg(H(sql));
}

static enum hk_sql_rc
sqlite_exec(struct hk_sql *sql, const char *text)
{
	return classify(sqlite3_exec(H(sql), text, NULL, NULL, NULL));
}

static struct hk_sql_stmt *
sqlite_prepare(struct hk_sql *sql, const char *text, char **err_r)
{
	struct sqlite_stmt *st;
	sqlite3_stmt *h;

	if (sqlite3_prepare_v3(H(sql), text, -1, SQLITE_PREPARE_PERSISTENT,
	    &h, NULL) != SQLITE_OK) {
		*err_r = hk_aprintf("SQL error in \"%s\": %s", text,
		    sqlite3_errmsg(H(sql)));
		return NULL;
	}
	st = hk_calloc(1, sizeof(*st));
	st->st.sql = sql;
	st->h = h;
	return &st->st;
}

static void
sqlite_finalize(struct hk_sql_stmt *st)
{
	sqlite3_finalize(S(st));
	free(st);
}

static void
sqlite_bind_text(struct hk_sql_stmt *st, int idx, const char *value)
{
	sqlite3_bind_text(S(st), idx, value, -1, SQLITE_TRANSIENT);
}

static void
sqlite_bind_int64(struct hk_sql_stmt *st, int idx, int64_t value)
{
	sqlite3_bind_int64(S(st), idx, (sqlite3_int64)value);
}

static void
sqlite_bind_null(struct hk_sql_stmt *st, int idx)
{
	sqlite3_bind_null(S(st), idx);
}

static void
sqlite_bind_blob(struct hk_sql_stmt *st, int idx, const void *data,
    size_t len)
{
	/* A NULL pointer would bind NULL, not an empty blob. */
	sqlite3_bind_blob64(S(st), idx, data != NULL ? data : "",
	    (sqlite3_uint64)len,
	    SQLITE_TRANSIENT);
}

static enum hk_sql_rc
sqlite_step(struct hk_sql_stmt *st)
{
	return classify(sqlite3_step(S(st)));
}

static const char *
sqlite_column_text(struct hk_sql_stmt *st, int col)
{
	return (const char *)sqlite3_column_text(S(st), col);
}

static int64_t
sqlite_column_int64(struct hk_sql_stmt *st, int col)
{
	return (int64_t)sqlite3_column_int64(S(st), col);
}

static bool
sqlite_column_is_null(struct hk_sql_stmt *st, int col)
{
	return sqlite3_column_type(S(st), col) == SQLITE_NULL;
}

static const void *
sqlite_column_blob(struct hk_sql_stmt *st, int col, size_t *len_r)
{
	const void *p = sqlite3_column_blob(S(st), col);

	*len_r = (size_t)sqlite3_column_bytes(S(st), col);
	return p;
}

static void
sqlite_reset(struct hk_sql_stmt *st)
{
	sqlite3_reset(S(st));
	sqlite3_clear_bindings(S(st));
}

static int64_t
sqlite_changes(struct hk_sql *sql)
{
	return (int64_t)sqlite3_changes(H(sql));
}

static void
sqlite_lock_wait(struct hk_sql *sql, bool wait)
{
	sqlite3_busy_timeout(H(sql), wait ? SQLITE_BUSY_MS : 0);
}

static bool
sqlite_in_transaction(struct hk_sql *sql)
{
	return !sqlite3_get_autocommit(H(sql));
}

/* Copies src into the new database file dst_path. */
static int
backup_copy(sqlite3 *src, const char *dst_path, char **err_r)
{
	sqlite3 *dst = NULL;
	sqlite3_backup *b;
	int rc;

	rc = sqlite3_open_v2(dst_path, &dst, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE, NULL);
	if (rc != SQLITE_OK) {
		*err_r = hk_aprintf("cannot create %s: %s", dst_path,
		    dst != NULL ? sqlite3_errmsg(dst) : sqlite3_errstr(rc));
		sqlite3_close(dst);
		return -1;
	}
	if ((b = sqlite3_backup_init(dst, "main", src, "main")) == NULL) {
		*err_r = hk_aprintf("cannot start the copy to %s: %s",
		    dst_path, sqlite3_errmsg(dst));
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
		*err_r = hk_aprintf("cannot copy to %s: %s", dst_path,
		    sqlite3_errstr(rc));
		sqlite3_close(dst);
		return -1;
	}
	/* A copy that stands alone: one file, no -wal beside it. */
	if (sqlite3_exec(dst, "PRAGMA journal_mode = DELETE", NULL, NULL,
	    NULL) != SQLITE_OK) {
		*err_r = hk_aprintf("cannot finish %s: %s", dst_path,
		    sqlite3_errmsg(dst));
		sqlite3_close(dst);
		return -1;
	}
	if (sqlite3_close(dst) != SQLITE_OK) {
		*err_r = hk_aprintf("cannot close %s: busy", dst_path);
		return -1;
	}
	return 0;
}

/* Opens the copy read-only and runs integrity_check on it. */
static int
backup_check(const char *path, int *user_version_r, char **err_r)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	int rc, ok = 0;

	rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL);
	if (rc != SQLITE_OK) {
		*err_r = hk_aprintf("the copy does not open: %s: %s", path,
		    sqlite3_errstr(rc));
		sqlite3_close(db);
		return -1;
	}
	if (sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &st, NULL) !=
	    SQLITE_OK) {
		*err_r = hk_aprintf("cannot check %s: %s", path,
		    sqlite3_errmsg(db));
		sqlite3_close(db);
		return -1;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *line = (const char *)sqlite3_column_text(st, 0);

		if (line != NULL && strcmp(line, "ok") == 0)
			ok = 1;
		else if (*err_r == NULL)
			*err_r = hk_aprintf("the copy fails its integrity "
			    "check: %s: %s", path, line != NULL ? line : "?");
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE || !ok) {
		if (*err_r == NULL)
			*err_r = hk_aprintf("cannot check %s: %s", path,
			    sqlite3_errmsg(db));
		sqlite3_close(db);
		return -1;
	}
	if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL) ==
	    SQLITE_OK) {
		if (sqlite3_step(st) == SQLITE_ROW)
			*user_version_r = sqlite3_column_int(st, 0);
		sqlite3_finalize(st);
	}
	sqlite3_close(db);
	return 0;
}

static int
sqlite_backup(struct hk_sql *sql, const char *dst_path, int *user_version_r,
    char **err_r)
{
	if (backup_copy(H(sql), dst_path, err_r) < 0)
		return -1;
	return backup_check(dst_path, user_version_r, err_r);
}

const struct hk_sql_driver hk_sql_driver_sqlite = {
	.name = "sqlite",
	.backend = HK_SQL_SQLITE,
	.begin_sql = "BEGIN IMMEDIATE",
	.begin_read_sql = "BEGIN DEFERRED",
	.open = sqlite_open,
	.close = sqlite_close,
	.errmsg = sqlite_errmsg,
	.exec = sqlite_exec,
	.prepare = sqlite_prepare,
	.finalize = sqlite_finalize,
	.bind_text = sqlite_bind_text,
	.bind_int64 = sqlite_bind_int64,
	.bind_null = sqlite_bind_null,
	.bind_blob = sqlite_bind_blob,
	.step = sqlite_step,
	.column_text = sqlite_column_text,
	.column_int64 = sqlite_column_int64,
	.column_is_null = sqlite_column_is_null,
	.column_blob = sqlite_column_blob,
	.reset = sqlite_reset,
	.changes = sqlite_changes,
	.lock_wait = sqlite_lock_wait,
	.in_transaction = sqlite_in_transaction,
	.backup = sqlite_backup,
};
