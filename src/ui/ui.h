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
/* The token store's side of the routes below, each write with its audit
 * row in one transaction (false: nothing stored, logged).  store: a new
 * connection of account a (refresh may be NULL); forget: disconnect.
 * refresh_token: the stored refresh token (else the access token) of
 * account_id in clear, for revoking it; NULL when none; the caller frees
 * it with hk_free_secret. */
struct hk_account;
bool ui_oauth2_store(struct hk_ctx *ctx, const struct hk_account *a,
    const char *access, long long expires, const char *scope,
    const char *refresh);
bool ui_oauth2_forget(struct hk_ctx *ctx, const struct hk_account *a);
char *ui_oauth2_refresh_token(struct hk_ctx *ctx, long long account_id);

/* ui_oauth2_flow.c: connecting an account in the browser (see there). */
void ui_oauth2_connect(struct hk_ctx *ctx);
void ui_oauth2_callback(struct hk_ctx *ctx);
void ui_oauth2_disconnect(struct hk_ctx *ctx);

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
/* Account id's edit screen answered with status and a page-level error
 * (message key; args fill {1}..{n}): how the OAuth 2.0 routes say why
 * connecting failed, beside the connection state. */
void ui_account_edit_error(struct hk_ctx *ctx, long long id, int status,
    const char *key, const char *const *args, size_t nargs);

/* ui_audit.c */
void ui_audit_list(struct hk_ctx *ctx);

/* ui_oversized.c */
void ui_oversized_list(struct hk_ctx *ctx);
void ui_oversized_delete(struct hk_ctx *ctx);

#endif
