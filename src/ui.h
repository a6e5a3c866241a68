/* ui.h - the screen handlers, one file per screen family (ui_*.c). */
#ifndef HK_UI_H
#define HK_UI_H

#include "app.h"

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

#endif
