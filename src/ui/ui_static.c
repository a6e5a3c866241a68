/* ui_static.c - serving the in-memory static files. */
#include "config.h"

#include <string.h>

#include "app.h"
#include "statics.h"
#include "ui.h"

void
ui_static(struct hk_ctx *ctx)
{
	const struct hk_static_file *f = hk_statics_find(ctx->app->statics,
	    ctx->path);
	const char *inm = ctx->req->if_none_match;

	if (f == NULL) {
		hk_fail(ctx, 404, "not-found");
		return;
	}
	hk_response_header(ctx->res, "ETag", "%s", f->etag);
	hk_response_header(ctx->res, "Cache-Control", "public, max-age=3600");
	if (inm != NULL && strstr(inm, f->etag) != NULL) {
		ctx->res->status = 304;
		return;
	}
	ctx->res->content_type = f->content_type;
	hk_buf_append(&ctx->res->body, f->data, f->len);
}
