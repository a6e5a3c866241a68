/* ui_accounts.c - the mail-account screens (to be written: answers 404 until then). */
#include "config.h"

#include "app.h"
#include "ui.h"

void
ui_accounts_list(struct hk_ctx *ctx)
{
	hk_fail(ctx, 404, "not-found");
}

void
ui_account_new(struct hk_ctx *ctx)
{
	hk_fail(ctx, 404, "not-found");
}

void
ui_account_create(struct hk_ctx *ctx)
{
	hk_fail(ctx, 404, "not-found");
}

void
ui_account_edit(struct hk_ctx *ctx)
{
	hk_fail(ctx, 404, "not-found");
}

void
ui_account_update(struct hk_ctx *ctx)
{
	hk_fail(ctx, 404, "not-found");
}

void
ui_account_delete_form(struct hk_ctx *ctx)
{
	hk_fail(ctx, 404, "not-found");
}

void
ui_account_delete(struct hk_ctx *ctx)
{
	hk_fail(ctx, 404, "not-found");
}
