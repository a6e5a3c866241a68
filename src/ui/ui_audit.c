/* ui_audit.c - the audit trail screen: newest first, 50 a page.
 *
 *   <audit-log page="N" pages="M" per-page="50" total="T">
 *     <audit-entry id="">
 *       <at>2026-11-27T21:47:39Z</at> <actor/> <action/>
 *       <object type="mail-account" id="3">name</object> <details/>
 *     </audit-entry>...
 *   </audit-log>
 *
 * ?page=N picks a page (1 when absent); anything but a number from 1 to the
 * last page answers 404 (an empty log has one, empty, page).
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app.h"
#include "dbutil.h"
#include "ui.h"

#define PER_PAGE 50

static void
iso_time(long long t, char out[32])
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (gmtime_r(&tt, &tm) == NULL ||
	    strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(out, 32, "%lld", t);
}

/* The requested page number, or 0 when malformed. */
static long long
page_number(struct hk_ctx *ctx)
{
	const char *s = hk_params_get(&ctx->query, "page");
	char *end;
	long long v;

	if (s == NULL)
		return 1;
	if (*s < '1' || *s > '9' || strlen(s) > 12)
		return 0;
	errno = 0;
	v = strtoll(s, &end, 10);
	return errno == 0 && *end == '\0' ? v : 0;
}

static void
db_fail(struct hk_ctx *ctx, int step)
{
	if (hk_db_busy(step))
		hk_fail(ctx, 503, "unavailable");
	else
		hk_fail(ctx, 500, "internal");
}

void
ui_audit_list(struct hk_ctx *ctx)
{
	struct hk_db *db = ctx->app->db;
	struct hk_sql_stmt *st;
	long long page = page_number(ctx), total = 0, pages;
	xmlNodePtr root, log;
	int step;

	st = hk_db_prepare(db, "SELECT count(*) FROM audit_log");
	step = hk_sql_step(st);
	if (step == HK_SQL_ROW)
		total = hk_sql_column_int64(st, 0);
	hk_db_done(st);
	if (step != HK_SQL_ROW) {
		db_fail(ctx, step);
		return;
	}
	pages = total == 0 ? 1 : (total + PER_PAGE - 1) / PER_PAGE;
	if (page < 1 || page > pages) {
		hk_fail(ctx, 404, "not-found");
		return;
	}
	root = hk_page_new(ctx, "audit");
	log = xmlNewChild(root, NULL, BAD_CAST "audit-log", NULL);
	hk_xml_attr_int(log, "page", page);
	hk_xml_attr_int(log, "pages", pages);
	hk_xml_attr_int(log, "per-page", PER_PAGE);
	hk_xml_attr_int(log, "total", total);

	st = hk_db_prepare(db, "SELECT id, at, actor, action, object_type, "
	    "object_id, object_name, details FROM audit_log "
	    "ORDER BY at DESC, id DESC LIMIT ?1 OFFSET ?2");
	hk_sql_bind_int64(st, 1, PER_PAGE);
	hk_sql_bind_int64(st, 2, (page - 1) * PER_PAGE);
	while ((step = hk_sql_step(st)) == HK_SQL_ROW) {
		xmlNodePtr e = xmlNewChild(log, NULL, BAD_CAST "audit-entry", NULL);
		xmlNodePtr o;
		char at[32];

		hk_xml_attr_int(e, "id", hk_sql_column_int64(st, 0));
		iso_time(hk_sql_column_int64(st, 1), at);
		hk_xml_text(e, "at", at);
		hk_xml_text(e, "actor", hk_sql_column_text(st, 2));
		hk_xml_text(e, "action", hk_sql_column_text(st, 3));
		o = hk_xml_text(e, "object",
		    hk_sql_column_text(st, 6));
		xmlNewProp(o, BAD_CAST "type",
		    BAD_CAST hk_sql_column_text(st, 4));
		if (!hk_sql_column_is_null(st, 5))
			hk_xml_attr_int(o, "id", hk_sql_column_int64(st, 5));
		hk_xml_text(e, "details", hk_sql_column_text(st, 7));
	}
	hk_db_done(st);
	if (step != HK_SQL_DONE)
		db_fail(ctx, step);
}
