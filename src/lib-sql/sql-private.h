/* sql-private.h - what a driver of sql.h provides: a table of functions
 * (one row per backend) and the two structures it embeds first. */
#ifndef HK_SQL_PRIVATE_H
#define HK_SQL_PRIVATE_H

#include "sql.h"

struct hk_sql_driver {
	const char *name;
	enum hk_sql_backend backend;
	/* How the outermost transaction starts. */
	const char *begin_sql;
	/* How a read snapshot starts (hk_sql_begin_read). */
	const char *begin_read_sql;
	struct hk_sql *(*open)(const char *target, bool create, char **err_r);
	void (*close)(struct hk_sql *sql);
	const char *(*errmsg)(struct hk_sql *sql);
	enum hk_sql_rc (*exec)(struct hk_sql *sql, const char *text);
	struct hk_sql_stmt *(*prepare)(struct hk_sql *sql, const char *text,
	    char **err_r);
	void (*finalize)(struct hk_sql_stmt *st);
	void (*bind_text)(struct hk_sql_stmt *st, int idx, const char *value);
	void (*bind_int64)(struct hk_sql_stmt *st, int idx, int64_t value);
	void (*bind_null)(struct hk_sql_stmt *st, int idx);
	void (*bind_blob)(struct hk_sql_stmt *st, int idx, const void *data,
	    size_t len);
	enum hk_sql_rc (*step)(struct hk_sql_stmt *st);
	const char *(*column_text)(struct hk_sql_stmt *st, int col);
	int64_t (*column_int64)(struct hk_sql_stmt *st, int col);
	bool (*column_is_null)(struct hk_sql_stmt *st, int col);
	const void *(*column_blob)(struct hk_sql_stmt *st, int col,
	    size_t *len_r);
	void (*reset)(struct hk_sql_stmt *st);
	int64_t (*changes)(struct hk_sql *sql);
	void (*lock_wait)(struct hk_sql *sql, bool wait);
	/* Whether the server still has a transaction open (a lost
	 * connection or a failed COMMIT may have ended it). */
	bool (*in_transaction)(struct hk_sql *sql);
	int (*backup)(struct hk_sql *sql, const char *dst_path,
	    int *user_version_r, char **err_r);
};

/* Every driver's connection and statement start with these. */
struct hk_sql {
	const struct hk_sql_driver *drv;
	int depth;	/* hk_sql_begin nesting: 1 = the transaction itself */
};

struct hk_sql_stmt {
	struct hk_sql *sql;
};

extern const struct hk_sql_driver hk_sql_driver_sqlite;
#ifdef HAVE_LIBPQ
extern const struct hk_sql_driver hk_sql_driver_pgsql;
#endif

#endif
