/* ui_oversized.c - received mail refused by recv_limit (docs/MAIL.md):
 *
 *   GET  /oversized                 the list; ?delete=ID adds the
 *                                   confirmation for message ID
 *   POST /oversized/{id}/delete     confirm=yes: delete it straight from
 *                                   its mail server, then 303 to the list
 *
 * Document:
 *   <oversized-messages>
 *     <message id="" account_id="" size="">   (docs/REFERENCE.md)
 *       <from/> <subject/> <date/> <server_id/>
 *     </message>...
 *   </oversized-messages>
 *   <mail-accounts><mail-account id=""><name/><address/></mail-account>...
 *   <mail-servers><mail-server id=""><name/><recv_protocol/><recv_limit/>...
 *   <confirm id=""/>                 (the message asked about)
 *   <error field="">...</error>      (a failed deletion: 502, the server's
 *                                     reply in the message)
 * A POST without confirm=yes answers 422 with the confirmation shown.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "accounts.h"
#include "app.h"
#include "log.h"
#include "mem.h"
#include "msgheaders.h"
#include "oversized.h"
#include "server_store.h"
#include "servers.h"
#include "ui.h"

/* As the connection test's screens: answer before nginx gives up. */
static const struct hk_net_timeouts web_timeouts = {
	.resolve_ms = 5000,
	.connect_ms = 8000,
	.io_ms = 10000,
	.total_ms = 25000,
};

static void
store_fail(struct hk_ctx *ctx, enum hk_store_rc rc)
{
	if (rc == HK_STORE_NOT_FOUND)
		hk_fail(ctx, 404, "not-found");
	else if (rc == HK_STORE_BUSY)
		hk_fail(ctx, 503, "unavailable");
	else
		hk_fail(ctx, 500, "internal");
}

/* The list page; confirm_id (0: none) asks about one message.  False
 * when the page became an error page. */
static bool
render(struct hk_ctx *ctx, long long confirm_id)
{
	struct hk_db *db = ctx->app->db;
	struct hk_oversized *v = NULL;
	struct hk_account *acc = NULL;
	struct hk_server *srv = NULL;
	size_t n = 0, na = 0, ns = 0;
	enum hk_store_rc rc;
	xmlNodePtr root, list;
	bool confirm_found = false;

	if ((rc = hk_oversized_list(db, &v, &n)) != HK_STORE_OK ||
	    (rc = hk_account_list(db, NULL, &acc, &na)) != HK_STORE_OK ||
	    (rc = hk_server_list(db, &srv, &ns)) != HK_STORE_OK) {
		hk_oversized_list_free(&v, n);
		hk_account_list_free(&acc, na);
		store_fail(ctx, rc);
		return false;
	}
	root = hk_page_new(ctx, "oversized");
	list = xmlNewChild(root, NULL, BAD_CAST "oversized-messages", NULL);
	for (size_t i = 0; i < n; i++) {
		xmlNodePtr m = xmlNewChild(list, NULL, BAD_CAST "message", NULL);

		hk_xml_attr_int(m, "id", v[i].id);
		hk_xml_attr_int(m, "account_id", v[i].account_id);
		hk_xml_attr_int(m, "size", v[i].size);
		hk_xml_text(m, "from", v[i].from);
		hk_xml_text(m, "subject", v[i].subject);
		hk_xml_text(m, "date", v[i].date);
		hk_xml_int(m, "server_id", v[i].server_id);
		if (v[i].id == confirm_id)
			confirm_found = true;
	}
	list = xmlNewChild(root, NULL, BAD_CAST "mail-accounts", NULL);
	for (size_t i = 0; i < na; i++) {
		xmlNodePtr a = xmlNewChild(list, NULL, BAD_CAST "mail-account", NULL);

		hk_xml_attr_int(a, "id", acc[i].id);
		hk_xml_text(a, "name", acc[i].name);
		hk_xml_text(a, "address", acc[i].address);
	}
	list = xmlNewChild(root, NULL, BAD_CAST "mail-servers", NULL);
	for (size_t i = 0; i < ns; i++) {
		xmlNodePtr s = xmlNewChild(list, NULL, BAD_CAST "mail-server", NULL);

		hk_xml_attr_int(s, "id", srv[i].id);
		hk_xml_text(s, "name", srv[i].name);
		hk_xml_text(s, "recv_protocol",
		    hk_recv_protocol_name(srv[i].recv_protocol));
		hk_xml_int(s, "recv_limit", srv[i].recv_limit);
	}
	if (confirm_found) {
		xmlNodePtr c = xmlNewChild(root, NULL, BAD_CAST "confirm", NULL);

		hk_xml_attr_int(c, "id", confirm_id);
	}
	hk_oversized_list_free(&v, n);
	hk_account_list_free(&acc, na);
	hk_server_list_free(&srv, ns);
	return true;
}

/* ?delete=N: a positive number, else 0. */
static long long
query_id(struct hk_ctx *ctx)
{
	const char *s = hk_params_get(&ctx->query, "delete");
	char *end;
	long long v;

	if (s == NULL || *s < '1' || *s > '9' || strlen(s) > 18)
		return 0;
	errno = 0;
	v = strtoll(s, &end, 10);
	return errno == 0 && *end == '\0' ? v : 0;
}

void
ui_oversized_list(struct hk_ctx *ctx)
{
	(void)render(ctx, query_id(ctx));
}

void
ui_oversized_delete(struct hk_ctx *ctx)
{
	const char *confirm = hk_params_get(&ctx->form, "confirm");
	char *error = NULL, *reply = NULL;
	enum hk_oversized_rc rc;
	struct hk_oversized o;
	enum hk_store_rc src;

	/* Only a listed message may be asked about. */
	src = hk_oversized_load(ctx->app->db, ctx->id, &o);
	if (src != HK_STORE_OK) {
		store_fail(ctx, src);
		return;
	}
	hk_oversized_clear(&o);
	if (confirm == NULL || strcmp(confirm, "yes") != 0) {
		if (render(ctx, ctx->id)) {
			hk_page_error(ctx, "confirm", "oversized.error.confirm", NULL, 0);
			ctx->res->status = 422;
		}
		return;
	}
	rc = hk_oversized_delete(ctx->app->db, ctx->app->key,
	    ctx->app->cfg.ca_file, ctx->app->mods,
	    &web_timeouts, ctx->id, ctx->session.admin_name, &error, &reply);
	switch (rc) {
	case HK_OVERSIZED_DELETED:
	case HK_OVERSIZED_GONE:
		hk_info("%s deleted oversized message %lld from its server%s",
		    ctx->session.admin_name, ctx->id,
		    rc == HK_OVERSIZED_GONE ? " (it was no longer there)" : "");
		hk_redirect(ctx, "oversized");
		break;
	case HK_OVERSIZED_NOT_FOUND:
		hk_fail(ctx, 404, "not-found");
		break;
	case HK_OVERSIZED_BUSY:
		hk_fail(ctx, 503, "unavailable");
		break;
	case HK_OVERSIZED_FAILED:
		hk_warn("deleting oversized message %lld failed: %s", ctx->id,
		    error ? error : "");
		if (render(ctx, ctx->id)) {
			/* What servers say is untrusted: valid UTF-8 only. */
			char *e = hk_header_clean(error ? error : "",
			    error ? strlen(error) : 0);
			char *r = hk_header_clean(reply ? reply : "",
			    reply ? strlen(reply) : 0);
			const char *args[2] = { e, r };

			hk_page_error(ctx, "", reply != NULL ?
			    "oversized.error.failed-reply" : "oversized.error.failed",
			    args, 2);
			free(e);
			free(r);
			ctx->res->status = 502;
		}
		break;
	default:
		hk_fail(ctx, 500, "internal");
		break;
	}
	free(error);
	free(reply);
}
