/* servertest.c - a mail server's last connection test (servertest.h). */
#include "config.h"

#include <time.h>

#include "log.h"
#include "servertest.h"

int
hk_servertest_put(struct hk_db *db, long long server_id, bool ok,
    const char *summary, const char *xml, size_t xml_len)
{
	sqlite3_stmt *st;
	int rc;

	st = hk_db_prepare(db,
	    "INSERT INTO server_tests (server_id, at, ok, summary, result_xml)"
	    " VALUES (?1, ?2, ?3, ?4, ?5)"
	    " ON CONFLICT (server_id) DO UPDATE SET at = excluded.at,"
	    " ok = excluded.ok, summary = excluded.summary,"
	    " result_xml = excluded.result_xml");
	sqlite3_bind_int64(st, 1, server_id);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)time(NULL));
	sqlite3_bind_int(st, 3, ok ? 1 : 0);
	sqlite3_bind_text(st, 4, summary ? summary : "", -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 5, xml, (int)xml_len, SQLITE_TRANSIENT);
	rc = sqlite3_step(st);
	hk_db_done(st);
	if (rc != SQLITE_DONE) {
		/* A server deleted meanwhile (foreign key) is no error. */
		if (rc != SQLITE_CONSTRAINT)
			hk_err("storing the connection test of server %lld: %s",
			    server_id, hk_db_errmsg(db));
		return -1;
	}
	return 0;
}
