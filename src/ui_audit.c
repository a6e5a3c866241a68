/* ui_audit.c - the audit trail screen (to be written: answers 404 until then). */
#include "config.h"

#include "app.h"
#include "ui.h"

void
ui_audit_list(struct hk_ctx *ctx)
{
	hk_fail(ctx, 404, "not-found");
}
