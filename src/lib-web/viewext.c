/* viewext.c - the hk: extension elements (viewext.h). */
#include "config.h"

#include <string.h>

#include <libxml/xpath.h>
#include <libxslt/extensions.h>
#include <libxslt/templates.h>
#include <libxslt/transform.h>
#include <libxslt/xsltutils.h>

#include "log.h"
#include "view.h"
#include "viewext.h"

/* The compiled select of one <hk:break-at-dots>; libxslt frees it with
 * the stylesheet (xsltInitElemPreComp links it into the sheet). */
struct dots_comp {
	xsltElemPreComp comp;	/* first, as libxslt casts to it */
	xmlXPathCompExprPtr select;
};

static void
dots_free(xsltElemPreCompPtr comp)
{
	struct dots_comp *c = (struct dots_comp *)comp;

	if (c->select != NULL)
		xmlXPathFreeCompExpr(c->select);
	xmlFree(c);
}

static xsltElemPreCompPtr
dots_compile(xsltStylesheetPtr style, xmlNodePtr inst,
    xsltTransformFunction function)
{
	struct dots_comp *c;
	xmlChar *expr;

	if ((expr = xmlGetNsProp(inst, BAD_CAST "select", NULL)) == NULL) {
		xsltTransformError(NULL, style, inst,
		    "hk:break-at-dots: select is required\n");
		style->errors++;
		return NULL;
	}
	if ((c = xmlMalloc(sizeof(*c))) == NULL)
		hk_fatal("out of memory");
	memset(c, 0, sizeof(*c));
	xsltInitElemPreComp(&c->comp, style, inst, function, dots_free);
	if ((c->select = xsltXPathCompile(style, expr)) == NULL) {
		xsltTransformError(NULL, style, inst,
		    "hk:break-at-dots: bad select '%s'\n", expr);
		style->errors++;
	}
	xmlFree(expr);
	return &c->comp;
}

/* Text goes through libxslt's own text writer, which merges it with the
 * text before as a literal's value-of would; <wbr> is a plain element
 * without a namespace, like the literal <wbr/> of a stylesheet. */
static void
dots_run(xsltTransformContextPtr ctxt, xmlNodePtr node, xmlNodePtr inst,
    xsltElemPreCompPtr comp)
{
	struct dots_comp *c = (struct dots_comp *)comp;
	xmlChar *s, *p, *dot;
	xmlNodePtr wbr;

	(void)inst;
	if (c == NULL || c->select == NULL || ctxt->insert == NULL)
		return;
	ctxt->node = node;
	if ((s = xsltEvalXPathString(ctxt, c->select)) == NULL)
		return;
	for (p = s; (dot = (xmlChar *)strchr((char *)p, '.')) != NULL;
	    p = dot + 1) {
		xmlChar keep = dot[1];

		dot[1] = '\0';
		xsltCopyTextString(ctxt, ctxt->insert, p, 0);
		dot[1] = keep;
		wbr = xmlNewDocNode(ctxt->output, NULL, BAD_CAST "wbr", NULL);
		if (wbr == NULL || xmlAddChild(ctxt->insert, wbr) == NULL)
			hk_fatal("out of memory");
	}
	if (*p != '\0')
		xsltCopyTextString(ctxt, ctxt->insert, p, 0);
	xmlFree(s);
}

void
hk_viewext_register(void)
{
	if (xsltRegisterExtModuleElement(BAD_CAST "break-at-dots",
	    BAD_CAST HK_XSLT_NS, dots_compile, dots_run) != 0)
		hk_fatal("cannot register hk:break-at-dots");
}
