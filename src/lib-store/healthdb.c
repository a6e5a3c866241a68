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
	sqlite3_stmt *st;
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
		    " failures = failures + 1");
		sqlite3_bind_text(st, 3, end == HK_HEALTH_SEND ? "send" : "receive",
		    -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 4, error != NULL ? error : "", -1,
		    SQLITE_TRANSIENT);
		if (reply != NULL && *reply != '\0')
			sqlite3_bind_text(st, 5, reply, -1, SQLITE_TRANSIENT);
		else
			sqlite3_bind_null(st, 5);
	}
	sqlite3_bind_int64(st, 1, server_id);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)time(NULL));
	rc = sqlite3_step(st);
	hk_db_done(st);
	/* A server deleted meanwhile (foreign key) is no error. */
	if (rc != SQLITE_DONE && (rc & 0xff) != SQLITE_CONSTRAINT)
		hk_warn("recording the health of server %lld: %s", server_id,
		    hk_db_errmsg(db));
}

enum hk_store_rc
hk_healthdb_read(struct hk_db *db, long long server_id, struct hk_health *out)
{
	sqlite3_stmt *st = hk_db_prepare(db,
	    "SELECT last_send_ok, last_recv_ok, last_error_at, last_error_end,"
	    " last_error, last_error_reply, failures FROM server_health"
	    " WHERE server_id = ?1");
	enum hk_store_rc rc;
	int r;

	memset(out, 0, sizeof(*out));
	sqlite3_bind_int64(st, 1, server_id);
	r = sqlite3_step(st);
	if (r == SQLITE_ROW) {
		out->sent = sqlite3_column_type(st, 0) != SQLITE_NULL;
		out->last_send_ok = sqlite3_column_int64(st, 0);
		out->received = sqlite3_column_type(st, 1) != SQLITE_NULL;
		out->last_recv_ok = sqlite3_column_int64(st, 1);
		out->failed = sqlite3_column_type(st, 2) != SQLITE_NULL;
		out->last_error_at = sqlite3_column_int64(st, 2);
		out->last_error_end = hk_db_text_dup(st, 3);
		out->last_error = hk_db_text_dup(st, 4);
		if (sqlite3_column_type(st, 5) != SQLITE_NULL)
			out->last_error_reply = hk_db_text_dup(st, 5);
		out->failures = sqlite3_column_int64(st, 6);
		rc = HK_STORE_OK;
	} else {
		rc = r == SQLITE_DONE ? HK_STORE_NOT_FOUND :
		    hk_db_store_rc(db, r);
	}
	hk_db_done(st);
	return rc;
}

void
hk_health_clear(struct hk_health *h)
{
	free(h->last_error_end);
	free(h->last_error);
	free(h->last_error_reply);
	memset(h, 0, sizeof(*h));
}
