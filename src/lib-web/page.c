/* page.c - building the <page> documents that stylesheets render. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "mem.h"

xmlNodePtr
hk_page_new(struct hk_ctx *ctx, const char *screen)
{
	xmlDocPtr doc = xmlNewDoc(BAD_CAST "1.0");
	xmlNodePtr root = xmlNewNode(NULL, BAD_CAST "page");

	if (ctx->res->doc != NULL)
		xmlFreeDoc(ctx->res->doc);
	xmlDocSetRootElement(doc, root);
	xmlNewProp(root, BAD_CAST "screen", BAD_CAST screen);
	xmlNewProp(root, BAD_CAST "lang", BAD_CAST ctx->lang);
	xmlNewProp(root, BAD_CAST "csrf", BAD_CAST ctx->csrf);
	xmlNewProp(root, BAD_CAST "base", BAD_CAST ctx->app->cfg.base_path);
	if (ctx->signed_in) {
		xmlNodePtr admin = xmlNewChild(root, NULL, BAD_CAST "admin", NULL);

		xmlNewProp(admin, BAD_CAST "name", BAD_CAST ctx->session.admin_name);
		xmlNewProp(admin, BAD_CAST "lang-override",
		    BAD_CAST ctx->session.admin_lang);
	}
	ctx->res->doc = doc;
	snprintf(ctx->res->screen, sizeof(ctx->res->screen), "%s", screen);
	return root;
}

xmlNodePtr
hk_xml_text(xmlNodePtr parent, const char *name, const char *text)
{
	/* xmlNewTextChild escapes; xmlNewChild would parse entities. */
	return xmlNewTextChild(parent, NULL, BAD_CAST name,
	    BAD_CAST(text != NULL ? text : ""));
}

xmlNodePtr
hk_xml_int(xmlNodePtr parent, const char *name, long long v)
{
	char num[32];

	snprintf(num, sizeof(num), "%lld", v);
	return hk_xml_text(parent, name, num);
}

void
hk_xml_attr_int(xmlNodePtr node, const char *name, long long v)
{
	char num[32];

	snprintf(num, sizeof(num), "%lld", v);
	xmlSetProp(node, BAD_CAST name, BAD_CAST num);
}

void
hk_page_error(struct hk_ctx *ctx, const char *field, const char *key,
    const char *const *args, size_t nargs)
{
	xmlNodePtr root = xmlDocGetRootElement(ctx->res->doc);
	char *text = hk_msg_format(ctx->app->cat, ctx->lang, key, args, nargs);
	xmlNodePtr e = hk_xml_text(root, "error", text);

	xmlNewProp(e, BAD_CAST "field", BAD_CAST(field ? field : ""));
	xmlNewProp(e, BAD_CAST "code", BAD_CAST key);
	free(text);
}
