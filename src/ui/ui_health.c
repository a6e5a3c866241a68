/* ui_health.c - a mail server's health (healthdb.h) as XML, for the
 * server list:
 *   <health failing="true|false" failures="N">
 *     <last-send at="ISO 8601"/>  <last-receive at=""/>   (when known)
 *     <last-error at="" end="send|receive"><message/><reply/></last-error>
 *   </health>
 * "failing" is true while the last attempt failed.  Nothing is added for
 * a server without traffic yet, or when the health cannot be read. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "healthdb.h"
#include "ui.h"
#include "ui_server_index.h"

static void
iso(long long t, char out[32])
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (gmtime_r(&tt, &tm) == NULL ||
	    strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(out, 32, "%lld", t);
}

/* <name at="ISO 8601"/> under parent. */
static xmlNodePtr
at_elem(xmlNodePtr parent, const char *name, long long t)
{
	xmlNodePtr n = xmlNewChild(parent, NULL, BAD_CAST name, NULL);
	char at[32];

	iso(t, at);
	xmlSetProp(n, BAD_CAST "at", BAD_CAST at);
	return n;
}

static void
health_xml(const struct hk_health *hl, xmlNodePtr parent)
{
	xmlNodePtr h = xmlNewChild(parent, NULL, BAD_CAST "health", NULL);
	char num[32];

	snprintf(num, sizeof(num), "%lld", hl->failures);
	xmlSetProp(h, BAD_CAST "failing", BAD_CAST(hl->failures > 0 ?
	    "true" : "false"));
	xmlSetProp(h, BAD_CAST "failures", BAD_CAST num);
	if (hl->sent)
		at_elem(h, "last-send", hl->last_send_ok);
	if (hl->received)
		at_elem(h, "last-receive", hl->last_recv_ok);
	if (hl->failed) {
		xmlNodePtr e = at_elem(h, "last-error", hl->last_error_at);

		xmlSetProp(e, BAD_CAST "end", BAD_CAST hl->last_error_end);
		xmlNewTextChild(e, NULL, BAD_CAST "message",
		    BAD_CAST hl->last_error);
		if (hl->last_error_reply != NULL)
			xmlNewTextChild(e, NULL, BAD_CAST "reply",
			    BAD_CAST hl->last_error_reply);
	}
}

static void
each_health(void *arg, long long server_id, const struct hk_health *hl)
{
	xmlNodePtr n = ui_server_index_find(arg, server_id);

	if (n != NULL)
		health_xml(hl, n);
}

/* One query for the whole list (a query per server was a round trip per
 * row on PostgreSQL). */
void
ui_health_list_xml(struct hk_db *db, xmlNodePtr list)
{
	struct ui_server_index index;

	ui_server_index_build(&index, list);
	if (index.n > 0)
		(void)hk_healthdb_each(db, each_health, &index);
	ui_server_index_free(&index);
}
