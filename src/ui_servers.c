/* ui_servers.c - the mail-server screens. */
#include "config.h"

#include <string.h>

#include "app.h"
#include "ui.h"

/* Columns in the order the list query selects them; checkboxes (flag) are
 * shown as on/off, secrets only as whether one is set. */
enum col_kind { TEXT, INT, FLAG, SECRET_SET };
static const struct {
	const char *name;
	enum col_kind kind;
} server_cols[] = {
	{ "name", TEXT }, { "smtp_host", TEXT }, { "smtp_port", INT },
	{ "smtp_security", TEXT }, { "smtp_tls_verify", FLAG },
	{ "smtp_auth", FLAG }, { "smtp_auth_method", TEXT },
	{ "smtp_credentials", TEXT }, { "smtp_user", TEXT },
	{ "smtp_password_set", SECRET_SET }, { "pop_before_smtp", FLAG },
	{ "pop_before_smtp_wait", INT }, { "send_limit", INT },
	{ "recv_protocol", TEXT }, { "apop", FLAG }, { "recv_host", TEXT },
	{ "recv_port", INT }, { "recv_security", TEXT },
	{ "recv_tls_verify", FLAG }, { "recv_limit", INT },
};

static const char list_sql[] =
	"SELECT id, version, position, name, smtp_host, smtp_port, smtp_security,"
	" smtp_tls_verify, smtp_auth, smtp_auth_method, smtp_credentials,"
	" smtp_user, smtp_password IS NOT NULL, pop_before_smtp,"
	" pop_before_smtp_wait, send_limit, recv_protocol, apop, recv_host,"
	" recv_port, recv_security, recv_tls_verify, recv_limit"
	" FROM mail_servers ORDER BY position, id";

void
ui_servers_list(struct hk_ctx *ctx)
{
	xmlNodePtr root = hk_page_new(ctx, "mail-servers");
	xmlNodePtr list = xmlNewChild(root, NULL, BAD_CAST "mail-servers", NULL);
	sqlite3_stmt *st = hk_db_prepare(ctx->app->db, list_sql);
	int rc;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		xmlNodePtr s = xmlNewChild(list, NULL, BAD_CAST "mail-server", NULL);

		hk_xml_attr_int(s, "id", sqlite3_column_int64(st, 0));
		hk_xml_attr_int(s, "version", sqlite3_column_int64(st, 1));
		hk_xml_attr_int(s, "position", sqlite3_column_int64(st, 2));
		for (size_t i = 0; i < sizeof(server_cols) / sizeof(server_cols[0]); i++) {
			int c = (int)i + 3;

			switch (server_cols[i].kind) {
			case TEXT:
				hk_xml_text(s, server_cols[i].name,
				    (const char *)sqlite3_column_text(st, c));
				break;
			case INT:
				hk_xml_int(s, server_cols[i].name,
				    sqlite3_column_int64(st, c));
				break;
			case FLAG:
				hk_xml_text(s, server_cols[i].name,
				    sqlite3_column_int(st, c) ? "on" : "off");
				break;
			case SECRET_SET:
				hk_xml_text(s, server_cols[i].name,
				    sqlite3_column_int(st, c) ? "true" : "false");
				break;
			}
		}
	}
	hk_db_done(st);
	if (rc != SQLITE_DONE)
		hk_fail(ctx, (rc & 0xff) == SQLITE_BUSY ? 503 : 500,
		    (rc & 0xff) == SQLITE_BUSY ? "unavailable" : "internal");
}

void
ui_server_new(struct hk_ctx *ctx)
{
	hk_fail(ctx, 404, "not-found");
}

void
ui_server_create(struct hk_ctx *ctx)
{
	hk_fail(ctx, 404, "not-found");
}

void
ui_server_edit(struct hk_ctx *ctx)
{
	hk_fail(ctx, 404, "not-found");
}

void
ui_server_update(struct hk_ctx *ctx)
{
	hk_fail(ctx, 404, "not-found");
}

void
ui_servers_order_form(struct hk_ctx *ctx)
{
	hk_fail(ctx, 404, "not-found");
}

void
ui_servers_order(struct hk_ctx *ctx)
{
	hk_fail(ctx, 404, "not-found");
}

void
ui_server_delete_form(struct hk_ctx *ctx)
{
	hk_fail(ctx, 404, "not-found");
}

void
ui_server_delete(struct hk_ctx *ctx)
{
	hk_fail(ctx, 404, "not-found");
}
