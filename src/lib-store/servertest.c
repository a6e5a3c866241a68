/* servertest.c - a mail server's last connection test (servertest.h). */
#include "config.h"

#include <stdlib.h>
#include <time.h>

#include "log.h"
#include "mem.h"
#include "servertest.h"

int
hk_servertest_put(struct hk_db *db, long long server_id, bool ok,
    const char *summary, const char *xml, size_t xml_len)
{
	struct hk_sql_stmt *st;
	char *copy;
	int rc;

	st = hk_db_prepare(db,
	    "INSERT INTO server_tests (server_id, at, ok, summary, result_xml)"
	    " VALUES (?1, ?2, ?3, ?4, ?5)"
	    " ON CONFLICT (server_id) DO UPDATE SET at = excluded.at,"
	    " ok = excluded.ok, summary = excluded.summary,"
	    " result_xml = excluded.result_xml");
	hk_sql_bind_int64(st, 1, server_id);
	hk_sql_bind_int64(st, 2, (int64_t)time(NULL));
	hk_sql_bind_int64(st, 3, ok ? 1 : 0);
	hk_sql_bind_text(st, 4, summary ? summary : "");
	copy = hk_strndup(xml, xml_len);
	hk_sql_bind_text(st, 5, copy);
	free(copy);
	rc = hk_sql_step(st);
	hk_db_done(st);
	if (rc != HK_SQL_DONE) {
		/* A server deleted meanwhile (foreign key) is no error. */
		if (rc != HK_SQL_CONSTRAINT)
			hk_err("storing the connection test of server %lld: %s",
			    server_id, hk_db_errmsg(db));
		return -1;
	}
	return 0;
}
