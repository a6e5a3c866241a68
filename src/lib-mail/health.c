/* health.c - each mail server's health from real sending and receiving. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "health.h"
#include "log.h"
#include "msgheaders.h"

void
hk_health_record(struct hk_db *db, long long server_id,
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
		/* Server replies are untrusted bytes: valid UTF-8 only. */
		char *e = hk_header_clean(error ? error : "", error ? strlen(error) : 0);
		char *r = reply != NULL ? hk_header_clean(reply, strlen(reply)) : NULL;

		sqlite3_bind_text(st, 4, e, -1, free);
		if (r != NULL && *r != '\0')
			sqlite3_bind_text(st, 5, r, -1, free);
		else {
			free(r);
			sqlite3_bind_null(st, 5);
		}
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

static void
iso(long long t, char out[32])
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (gmtime_r(&tt, &tm) == NULL ||
	    strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(out, 32, "%lld", t);
}

static void
at_elem(xmlNodePtr parent, const char *name, sqlite3_stmt *st, int col)
{
	char t[32];
	xmlNodePtr n;

	if (sqlite3_column_type(st, col) == SQLITE_NULL)
		return;
	iso(sqlite3_column_int64(st, col), t);
	n = xmlNewChild(parent, NULL, BAD_CAST name, NULL);
	xmlSetProp(n, BAD_CAST "at", BAD_CAST t);
}

void
hk_health_xml(struct hk_db *db, long long server_id, xmlNodePtr parent)
{
	sqlite3_stmt *st = hk_db_prepare(db,
	    "SELECT last_send_ok, last_recv_ok, last_error_at, last_error_end,"
	    " last_error, last_error_reply, failures FROM server_health"
	    " WHERE server_id = ?1");

	sqlite3_bind_int64(st, 1, server_id);
	if (sqlite3_step(st) == SQLITE_ROW) {
		xmlNodePtr h = xmlNewChild(parent, NULL, BAD_CAST "health", NULL);
		long long failures = sqlite3_column_int64(st, 6);
		char num[32];

		snprintf(num, sizeof(num), "%lld", failures);
		xmlSetProp(h, BAD_CAST "failing", BAD_CAST(failures > 0 ?
		    "true" : "false"));
		xmlSetProp(h, BAD_CAST "failures", BAD_CAST num);
		at_elem(h, "last-send", st, 0);
		at_elem(h, "last-receive", st, 1);
		if (sqlite3_column_type(st, 2) != SQLITE_NULL) {
			xmlNodePtr e;
			char t[32];

			iso(sqlite3_column_int64(st, 2), t);
			e = xmlNewChild(h, NULL, BAD_CAST "last-error", NULL);
			xmlSetProp(e, BAD_CAST "at", BAD_CAST t);
			xmlSetProp(e, BAD_CAST "end", sqlite3_column_text(st, 3) ?
			    sqlite3_column_text(st, 3) : BAD_CAST "");
			xmlNewTextChild(e, NULL, BAD_CAST "message",
			    sqlite3_column_text(st, 4) ? sqlite3_column_text(st, 4) :
			    BAD_CAST "");
			if (sqlite3_column_type(st, 5) != SQLITE_NULL)
				xmlNewTextChild(e, NULL, BAD_CAST "reply",
				    sqlite3_column_text(st, 5));
		}
	}
	hk_db_done(st);
}

void
hk_health_list_xml(struct hk_db *db, xmlNodePtr list)
{
	for (xmlNodePtr n = list != NULL ? list->children : NULL; n != NULL;
	    n = n->next) {
		xmlChar *id;

		if (n->type != XML_ELEMENT_NODE ||
		    xmlStrcmp(n->name, BAD_CAST "mail-server") != 0)
			continue;
		if ((id = xmlGetProp(n, BAD_CAST "id")) != NULL) {
			hk_health_xml(db, strtoll((const char *)id, NULL, 10), n);
			xmlFree(id);
		}
	}
}
