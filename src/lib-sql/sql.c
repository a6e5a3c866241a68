/* sql.c - the backend-neutral half of sql.h: choosing the driver,
 * dispatching, and nested transactions as savepoints. */
#include "config.h"

#include <string.h>

#include "log.h"
#include "mem.h"
#include "sql-private.h"

bool
hk_sql_target_is_pgsql(const char *target)
{
	return strncmp(target, "postgresql://", 13) == 0 ||
	    strncmp(target, "postgres://", 11) == 0;
}

char *
hk_sql_target_shown(const char *target)
{
	const char *auth, *end, *at, *colon;

	if (!hk_sql_target_is_pgsql(target))
		return hk_strdup(target);
	auth = strstr(target, "://") + 3;
	end = auth + strcspn(auth, "/?");
	/* The last '@' of the authority ends the user info. */
	for (at = NULL; auth < end; auth++)
		if (*auth == '@')
			at = auth;
	if (at == NULL)
		return hk_strdup(target);
	colon = memchr(strstr(target, "://") + 3, ':',
	    (size_t)(at - (strstr(target, "://") + 3)));
	if (colon == NULL)
		return hk_strdup(target);
	return hk_aprintf("%.*s***%s", (int)(colon + 1 - target), target, at);
}

struct hk_sql *
hk_sql_open(const char *target, bool create, char **err_r)
{
	*err_r = NULL;
	if (hk_sql_target_is_pgsql(target)) {
#ifdef HAVE_LIBPQ
		return hk_sql_driver_pgsql.open(target, create, err_r);
#else
		*err_r = hk_strdup("this hikyaku was built without "
		    "PostgreSQL support (libpq)");
		return NULL;
#endif
	}
	return hk_sql_driver_sqlite.open(target, create, err_r);
}

void
hk_sql_close(struct hk_sql **sqlp)
{
	struct hk_sql *sql = *sqlp;

	if (sql == NULL)
		return;
	*sqlp = NULL;
	sql->drv->close(sql);
}

enum hk_sql_backend
hk_sql_backend(const struct hk_sql *sql)
{
	return sql->drv->backend;
}

const char *
hk_sql_errmsg(struct hk_sql *sql)
{
	return sql->drv->errmsg(sql);
}

enum hk_sql_rc
hk_sql_exec(struct hk_sql *sql, const char *text)
{
	enum hk_sql_rc rc = sql->drv->exec(sql, text);

	if (rc != HK_SQL_OK)
		hk_warn("database: %s", sql->drv->errmsg(sql));
	return rc;
}

struct hk_sql_stmt *
hk_sql_prepare(struct hk_sql *sql, const char *text, char **err_r)
{
	*err_r = NULL;
	return sql->drv->prepare(sql, text, err_r);
}

void
hk_sql_finalize(struct hk_sql_stmt **stp)
{
	struct hk_sql_stmt *st = *stp;

	if (st == NULL)
		return;
	*stp = NULL;
	st->sql->drv->finalize(st);
}

void
hk_sql_bind_text(struct hk_sql_stmt *st, int idx, const char *value)
{
	if (value == NULL)
		st->sql->drv->bind_null(st, idx);
	else
		st->sql->drv->bind_text(st, idx, value);
}

void
hk_sql_bind_int64(struct hk_sql_stmt *st, int idx, int64_t value)
{
	st->sql->drv->bind_int64(st, idx, value);
}

void
hk_sql_bind_null(struct hk_sql_stmt *st, int idx)
{
	st->sql->drv->bind_null(st, idx);
}

void
hk_sql_bind_blob(struct hk_sql_stmt *st, int idx, const void *data,
    size_t len)
{
	st->sql->drv->bind_blob(st, idx, data, len);
}

enum hk_sql_rc
hk_sql_step(struct hk_sql_stmt *st)
{
	return st->sql->drv->step(st);
}

const char *
hk_sql_column_text(struct hk_sql_stmt *st, int col)
{
	const char *t = st->sql->drv->column_text(st, col);

	return t != NULL ? t : "";
}

int64_t
hk_sql_column_int64(struct hk_sql_stmt *st, int col)
{
	return st->sql->drv->column_int64(st, col);
}

int
hk_sql_column_int(struct hk_sql_stmt *st, int col)
{
	return (int)st->sql->drv->column_int64(st, col);
}

bool
hk_sql_column_is_null(struct hk_sql_stmt *st, int col)
{
	return st->sql->drv->column_is_null(st, col);
}

const void *
hk_sql_column_blob(struct hk_sql_stmt *st, int col, size_t *len_r)
{
	*len_r = 0;
	return st->sql->drv->column_blob(st, col, len_r);
}

void
hk_sql_reset(struct hk_sql_stmt *st)
{
	st->sql->drv->reset(st);
}

int64_t
hk_sql_changes(struct hk_sql *sql)
{
	return sql->drv->changes(sql);
}

void
hk_sql_lock_wait(struct hk_sql *sql, bool wait)
{
	sql->drv->lock_wait(sql, wait);
}

enum hk_sql_rc
hk_sql_begin(struct hk_sql *sql)
{
	enum hk_sql_rc rc;

	if (sql->depth > 0 && !sql->drv->in_transaction(sql))
		sql->depth = 0;		/* ended under us (connection lost) */
	if (sql->depth == 0) {
		rc = hk_sql_exec(sql, sql->drv->begin_sql);
		if (rc == HK_SQL_OK)
			sql->depth = 1;
		return rc;
	}
	/* Inside one: a savepoint, so that the inner work can roll back
	 * alone while nothing commits before the outer COMMIT. */
	rc = hk_sql_exec(sql, "SAVEPOINT hk_nested");
	if (rc == HK_SQL_OK)
		sql->depth++;
	return rc;
}

enum hk_sql_rc
hk_sql_commit(struct hk_sql *sql)
{
	enum hk_sql_rc rc;

	if (sql->depth <= 1) {
		rc = hk_sql_exec(sql, "COMMIT");
		if (rc == HK_SQL_OK || !sql->drv->in_transaction(sql))
			sql->depth = 0;
		return rc;
	}
	rc = hk_sql_exec(sql, "RELEASE SAVEPOINT hk_nested");
	if (rc == HK_SQL_OK)
		sql->depth--;
	return rc;
}

void
hk_sql_rollback(struct hk_sql *sql)
{
	bool open = sql->drv->in_transaction(sql);

	if (sql->depth > 1 && open) {
		(void)sql->drv->exec(sql, "ROLLBACK TO SAVEPOINT hk_nested");
		(void)sql->drv->exec(sql, "RELEASE SAVEPOINT hk_nested");
		sql->depth--;
		return;
	}
	if (open)
		(void)sql->drv->exec(sql, "ROLLBACK");
	sql->depth = 0;
}

enum hk_sql_rc
hk_sql_begin_read(struct hk_sql *sql)
{
	enum hk_sql_rc rc;

	if (sql->drv->in_transaction(sql))
		return HK_SQL_ERROR;
	rc = hk_sql_exec(sql, sql->drv->begin_read_sql);
	sql->depth = rc == HK_SQL_OK ? 1 : 0;
	return rc;
}

bool
hk_sql_in_transaction(struct hk_sql *sql)
{
	return sql->drv->in_transaction(sql);
}

int
hk_sql_backup(struct hk_sql *sql, const char *dst_path, int *user_version_r,
    char **err_r)
{
	*err_r = NULL;
	*user_version_r = 0;
	if (sql->drv->backup == NULL) {
		*err_r = hk_aprintf("%s: backup copies an SQLite database "
		    "only; for PostgreSQL use pg_dump", dst_path);
		return -1;
	}
	return sql->drv->backup(sql, dst_path, user_version_r, err_r);
}
