/* ui_oversized.c - received mail refused for its size (to be written: answers 404 until then). */
#include "config.h"

#include "app.h"
#include "ui.h"

void
ui_oversized_list(struct hk_ctx *ctx)
{
	hk_fail(ctx, 404, "not-found");
}

void
ui_oversized_delete(struct hk_ctx *ctx)
{
	hk_fail(ctx, 404, "not-found");
}
