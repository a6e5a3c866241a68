/* ui.h - the screen handlers, one file per screen family (ui_*.c). */
#ifndef HK_UI_H
#define HK_UI_H

#include "app.h"
#include "routes.h"

/* ui_routes.c: every screen's route, handed to hk_app_init. */
extern const struct hk_route hk_ui_routes[];
extern const size_t hk_ui_routes_count;

/* ui_login.c */
void ui_root(struct hk_ctx *ctx);
void ui_login_form(struct hk_ctx *ctx);
void ui_login(struct hk_ctx *ctx);
void ui_logout(struct hk_ctx *ctx);
void ui_prefs_lang(struct hk_ctx *ctx);

/* ui_static.c */
void ui_static(struct hk_ctx *ctx);

/* ui_servers.c */
void ui_servers_list(struct hk_ctx *ctx);
void ui_server_new(struct hk_ctx *ctx);
void ui_server_create(struct hk_ctx *ctx);
void ui_server_edit(struct hk_ctx *ctx);
void ui_server_update(struct hk_ctx *ctx);
void ui_servers_order_form(struct hk_ctx *ctx);
void ui_servers_order(struct hk_ctx *ctx);
void ui_server_delete_form(struct hk_ctx *ctx);
void ui_server_delete(struct hk_ctx *ctx);

/* ui_health.c: adds <health> (see there) to every <mail-server id="">
 * child of list that has had traffic. */
void ui_health_list_xml(struct hk_db *db, xmlNodePtr list);

/* ui_oauth2.c: the OAuth 2.0 state (see there).  Marks each server of
 * root's <mail-servers> with its provider and whether its accounts need
 * a password; adds <oauth2> to root's <mail-account> when its server
 * uses OAuth 2.0; the same for every account of a list; adds
 * <needs-reconnect count=""> to the listed servers that have such
 * accounts. */
void ui_oauth2_servers_xml(struct hk_ctx *ctx, xmlNodePtr root);
void ui_oauth2_account_xml(struct hk_ctx *ctx, xmlNodePtr root,
    long long account_id, long long server_id);
void ui_oauth2_accounts_xml(struct hk_ctx *ctx, xmlNodePtr list);
void ui_oauth2_server_counts_xml(struct hk_db *db, xmlNodePtr list);

/* ui_conntest.c */
void ui_conntest_unsaved(struct hk_ctx *ctx);
void ui_conntest_saved(struct hk_ctx *ctx);
/* Adds <mail-accounts> (id, name, address, server_id) for a test's
 * credentials pulldown. */
void ui_accounts_options_xml(struct hk_ctx *ctx, xmlNodePtr root);

/* ui_accounts.c */
void ui_accounts_list(struct hk_ctx *ctx);
void ui_account_new(struct hk_ctx *ctx);
void ui_account_create(struct hk_ctx *ctx);
void ui_account_edit(struct hk_ctx *ctx);
void ui_account_update(struct hk_ctx *ctx);
void ui_account_delete_form(struct hk_ctx *ctx);
void ui_account_delete(struct hk_ctx *ctx);

/* ui_audit.c */
void ui_audit_list(struct hk_ctx *ctx);

/* ui_oversized.c */
void ui_oversized_list(struct hk_ctx *ctx);
void ui_oversized_delete(struct hk_ctx *ctx);

#endif
