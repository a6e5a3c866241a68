/* routes.c - the route table and its matcher. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "routes.h"
#include "ui.h"

static const struct hk_route routes[] = {
	{ "GET",  "/",				ui_root,		HK_ROUTE_PUBLIC },
	{ "GET",  "/login",			ui_login_form,		HK_ROUTE_PUBLIC },
	{ "POST", "/login",			ui_login,		HK_ROUTE_PUBLIC },
	{ "POST", "/logout",			ui_logout,		0 },
	{ "POST", "/preferences/lang",		ui_prefs_lang,		0 },

	/* ui_servers.c */
	{ "GET",  "/mail-servers",		ui_servers_list,	0 },
	{ "POST", "/mail-servers",		ui_server_create,	0 },
	{ "GET",  "/mail-servers/new",		ui_server_new,		0 },
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
	{ "GET",  "/mail-accounts",		ui_accounts_list,	0 },
	{ "POST", "/mail-accounts",		ui_account_create,	0 },
	{ "GET",  "/mail-accounts/new",		ui_account_new,		0 },
	{ "GET",  "/mail-accounts/{id}/edit",	ui_account_edit,	0 },
	{ "POST", "/mail-accounts/{id}",	ui_account_update,	0 },
	{ "GET",  "/mail-accounts/{id}/delete",	ui_account_delete_form,	0 },
	{ "POST", "/mail-accounts/{id}/delete",	ui_account_delete,	0 },

	/* ui_audit.c */
	{ "GET",  "/audit",			ui_audit_list,		0 },

	/* ui_oversized.c */
	{ "GET",  "/oversized",			ui_oversized_list,	0 },
	{ "POST", "/oversized/{id}/delete",	ui_oversized_delete,	0 },

	{ "GET",  "/static/*",			ui_static,		HK_ROUTE_PUBLIC | HK_ROUTE_RAW },
};

/* Matches one pattern; fills id and tail on success. */
static int
match(const char *pattern, const char *path, long long *id, const char **tail)
{
	const char *p = pattern, *s = path;

	*id = 0;
	*tail = NULL;
	while (*p != '\0') {
		if (strncmp(p, "{id}", 4) == 0) {
			long long v = 0;
			int digits = 0;

			if (*s < '1' || *s > '9')
				return 0;
			while (*s >= '0' && *s <= '9' && digits < 18) {
				v = v * 10 + (*s++ - '0');
				digits++;
			}
			if (*s >= '0' && *s <= '9')
				return 0;
			*id = v;
			p += 4;
		} else if (*p == '*') {
			/* A file name: no slash, not starting with a dot. */
			if (*s == '\0' || *s == '.' || strchr(s, '/') != NULL)
				return 0;
			*tail = s;
			return 1;
		} else if (*p++ != *s++) {
			return 0;
		}
	}
	return *s == '\0';
}

enum hk_route_match
hk_route_find(const char *method, const char *path,
    const struct hk_route **route_r, long long *id_r, const char **tail_r,
    char *allow_r, size_t allow_len)
{
	size_t used = 0;
	int path_seen = 0;

	if (allow_len > 0)
		allow_r[0] = '\0';
	for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
		long long id;
		const char *tail;

		if (!match(routes[i].pattern, path, &id, &tail))
			continue;
		if (strcmp(routes[i].method, method) == 0 ||
		    (strcmp(method, "HEAD") == 0 &&
		    strcmp(routes[i].method, "GET") == 0)) {
			*route_r = &routes[i];
			*id_r = id;
			*tail_r = tail;
			return HK_ROUTE_FOUND;
		}
		path_seen = 1;
		if (used < allow_len) {
			int n = snprintf(allow_r + used, allow_len - used, "%s%s",
			    used ? ", " : "", routes[i].method);
			if (n > 0)
				used += (size_t)n;
		}
	}
	return path_seen ? HK_ROUTE_NO_METHOD : HK_ROUTE_NO_PATH;
}
