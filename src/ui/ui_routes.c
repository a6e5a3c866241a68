/* ui_routes.c - the route table: which handler answers which path. */
#include "config.h"

#include "routes.h"
#include "ui.h"

const struct hk_route hk_ui_routes[] = {
	{ "GET",  "/",				ui_root,		HK_ROUTE_PUBLIC },
	{ "GET",  "/login",			ui_login_form,		HK_ROUTE_PUBLIC },
	{ "POST", "/login",			ui_login,		HK_ROUTE_PUBLIC },
	{ "POST", "/logout",			ui_logout,		0 },
	{ "POST", "/preferences/lang",		ui_prefs_lang,		0 },

	/* ui_servers.c */
	{ "GET",  "/mail-servers",		ui_servers_list,	HK_ROUTE_CACHEABLE },
	{ "POST", "/mail-servers",		ui_server_create,	0 },
	{ "GET",  "/mail-servers/new",		ui_server_new,		HK_ROUTE_CACHEABLE },
	{ "GET",  "/mail-servers/order",	ui_servers_order_form,	0 },
	{ "POST", "/mail-servers/order",	ui_servers_order,	0 },
	{ "GET",  "/mail-servers/{id}/edit",	ui_server_edit,		0 },
	{ "POST", "/mail-servers/{id}",		ui_server_update,	0 },
	{ "GET",  "/mail-servers/{id}/delete",	ui_server_delete_form,	0 },
	{ "POST", "/mail-servers/{id}/delete",	ui_server_delete,	0 },

	/* ui_conntest.c */
	{ "POST", "/mail-servers/test",		ui_conntest_unsaved,	0 },
	{ "POST", "/mail-servers/{id}/test",	ui_conntest_saved,	0 },

	/* ui_accounts.c */
	{ "GET",  "/mail-accounts",		ui_accounts_list,	HK_ROUTE_CACHEABLE },
	{ "POST", "/mail-accounts",		ui_account_create,	0 },
	{ "GET",  "/mail-accounts/new",		ui_account_new,		HK_ROUTE_CACHEABLE },
	{ "GET",  "/mail-accounts/{id}/edit",	ui_account_edit,	0 },
	{ "POST", "/mail-accounts/{id}",	ui_account_update,	0 },
	{ "GET",  "/mail-accounts/{id}/delete",	ui_account_delete_form,	0 },
	{ "POST", "/mail-accounts/{id}/delete",	ui_account_delete,	0 },

	/* ui_oauth2_flow.c: the callback checks the session itself, as the
	 * browser may come back without its SameSite=Strict cookie. */
	{ "POST", "/mail-accounts/{id}/oauth2/connect", ui_oauth2_connect, 0 },
	{ "POST", "/mail-accounts/{id}/oauth2/disconnect", ui_oauth2_disconnect, 0 },
	{ "GET",  "/oauth2/callback",		ui_oauth2_callback,	HK_ROUTE_PUBLIC },

	/* ui_audit.c */
	{ "GET",  "/audit",			ui_audit_list,		0 },

	/* ui_oversized.c */
	{ "GET",  "/oversized",			ui_oversized_list,	0 },
	{ "POST", "/oversized/{id}/delete",	ui_oversized_delete,	0 },

	{ "GET",  "/static/*",			ui_static,		HK_ROUTE_PUBLIC | HK_ROUTE_RAW },
};

const size_t hk_ui_routes_count = sizeof(hk_ui_routes) / sizeof(hk_ui_routes[0]);
