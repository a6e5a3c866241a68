/* healthdb.c - recording and reading a mail server's health (healthdb.h). */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dbutil.h"
#include "healthdb.h"
#include "log.h"
#include "mem.h"

void
hk_healthdb_record(struct hk_db *db, long long server_id,
    enum hk_health_end end, bool ok, const char *error, const char *reply)
{
	struct hk_sql_stmt *st;
	int rc;

	if (ok)
		st = hk_db_prepare(db, end == HK_HEALTH_SEND ?
		    "INSERT INTO server_health (server_id, last_send_ok, failures)"
		    " VALUES (?1, ?2, 0) ON CONFLICT (server_id) DO UPDATE SET"
		    " last_send_ok = excluded.last_send_ok, failures = 0" :
		    "INSERT INTO server_health (server_id, last_recv_ok, failures)"
		    " VALUES (?1, ?2, 0) ON CONFLICT (server_id) DO UPDATE SET"
		    " last_recv_ok = excluded.last_recv_ok, failures = 0");
	else {
		st = hk_db_prepare(db,
		    "INSERT INTO server_health (server_id, last_error_at,"
		    " last_error_end, last_error, last_error_reply, failures)"
		    " VALUES (?1, ?2, ?3, ?4, ?5, 1) ON CONFLICT (server_id) DO"
		    " UPDATE SET last_error_at = excluded.last_error_at,"
		    " last_error_end = excluded.last_error_end,"
		    " last_error = excluded.last_error,"
		    " last_error_reply = excluded.last_error_reply,"
		    " failures = server_health.failures + 1");
		hk_sql_bind_text(st, 3, end == HK_HEALTH_SEND ? "send" : "receive");
		hk_sql_bind_text(st, 4, error != NULL ? error : "");
		if (reply != NULL && *reply != '\0')
			hk_sql_bind_text(st, 5, reply);
		else
			hk_sql_bind_null(st, 5);
	}
	hk_sql_bind_int64(st, 1, server_id);
	hk_sql_bind_int64(st, 2, (int64_t)time(NULL));
	rc = hk_sql_step(st);
	hk_db_done(st);
	/* A server deleted meanwhile (foreign key) is no error. */
	if (rc != HK_SQL_DONE && (rc != HK_SQL_UNIQUE && rc != HK_SQL_CONSTRAINT))
		hk_warn("recording the health of server %lld: %s", server_id,
		    hk_db_errmsg(db));
}

#define HEALTH_COLUMNS "last_send_ok, last_recv_ok, last_error_at, " \
	"last_error_end, last_error, last_error_reply, failures"

/* The HEALTH_COLUMNS of the current row into *out (zeroed first). */
static void
read_row(struct hk_sql_stmt *st, struct hk_health *out)
{
	memset(out, 0, sizeof(*out));
	out->sent = !hk_sql_column_is_null(st, 0);
	out->last_send_ok = hk_sql_column_int64(st, 0);
	out->received = !hk_sql_column_is_null(st, 1);
	out->last_recv_ok = hk_sql_column_int64(st, 1);
	out->failed = !hk_sql_column_is_null(st, 2);
	out->last_error_at = hk_sql_column_int64(st, 2);
	out->last_error_end = hk_db_text_dup(st, 3);
	out->last_error = hk_db_text_dup(st, 4);
	if (!hk_sql_column_is_null(st, 5))
		out->last_error_reply = hk_db_text_dup(st, 5);
	out->failures = hk_sql_column_int64(st, 6);
}

enum hk_store_rc
hk_healthdb_read(struct hk_db *db, long long server_id, struct hk_health *out)
{
	struct hk_sql_stmt *st = hk_db_prepare(db,
	    "SELECT " HEALTH_COLUMNS " FROM server_health WHERE server_id = ?1");
	enum hk_store_rc rc;
	int r;

	memset(out, 0, sizeof(*out));
	hk_sql_bind_int64(st, 1, server_id);
	r = hk_sql_step(st);
	if (r == HK_SQL_ROW) {
		read_row(st, out);
		rc = HK_STORE_OK;
	} else {
		rc = r == HK_SQL_DONE ? HK_STORE_NOT_FOUND :
		    hk_db_store_rc(db, r);
	}
	hk_db_done(st);
	return rc;
}

enum hk_store_rc
hk_healthdb_each(struct hk_db *db,
    void (*fn)(void *arg, long long server_id, const struct hk_health *h),
    void *arg)
{
	/* The id last: read_row's columns keep their numbers. */
	struct hk_sql_stmt *st = hk_db_prepare(db,
	    "SELECT " HEALTH_COLUMNS ", server_id FROM server_health");
	int r;

	while ((r = hk_sql_step(st)) == HK_SQL_ROW) {
		struct hk_health h;

		read_row(st, &h);
		fn(arg, hk_sql_column_int64(st, 7), &h);
		hk_health_clear(&h);
	}
	hk_db_done(st);
	return r == HK_SQL_DONE ? HK_STORE_OK : hk_db_store_rc(db, r);
}

void
hk_health_clear(struct hk_health *h)
{
	free(h->last_error_end);
	free(h->last_error);
	free(h->last_error_reply);
	memset(h, 0, sizeof(*h));
}
