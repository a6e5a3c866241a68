/* ui_conntest.c - the staged connection test from the screens (to be written: answers 404 until then). */
#include "config.h"

#include "app.h"
#include "ui.h"

void
ui_conntest_unsaved(struct hk_ctx *ctx)
{
	hk_fail(ctx, 404, "not-found");
}

void
ui_conntest_saved(struct hk_ctx *ctx)
{
	hk_fail(ctx, 404, "not-found");
}
