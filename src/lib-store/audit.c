/* audit.c - the audit trail: one row per change, written in the caller's
 * transaction. */
#include "config.h"

#include <time.h>

#include "audit.h"
#include "dbutil.h"
#include "log.h"

enum hk_store_rc
hk_audit_record(struct hk_db *db, const char *actor, const char *action,
    const char *object_type, long long object_id, const char *object_name,
    const char *details)
{
	struct hk_sql_stmt *st = hk_db_prepare(db, "INSERT INTO audit_log (at, actor, "
	    "action, object_type, object_id, object_name, details) "
	    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
	enum hk_store_rc rc = HK_STORE_OK;
	int step;

	hk_sql_bind_int64(st, 1, (long long)time(NULL));
	hk_sql_bind_text(st, 2, actor != NULL && *actor != '\0' ? actor : "?");
	hk_sql_bind_text(st, 3, action);
	hk_sql_bind_text(st, 4, object_type);
	if (object_id != 0)
		hk_sql_bind_int64(st, 5, object_id);
	if (object_name != NULL)
		hk_sql_bind_text(st, 6, object_name);
	if (details != NULL && *details != '\0')
		hk_sql_bind_text(st, 7, details);
	step = hk_sql_step(st);
	if (step != HK_SQL_DONE) {
		if (hk_db_busy(step))
			rc = HK_STORE_BUSY;
		else {
			hk_err("audit: %s", hk_db_errmsg(db));
			rc = HK_STORE_ERROR;
		}
	}
	hk_db_done(st);
	return rc;
}
