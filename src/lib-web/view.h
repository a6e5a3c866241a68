/* view.h - turning page documents into responses: XSLT to HTML, or the
 * document itself as XML.
 *
 * Every xsl/<screen>.xsl is parsed once, at start-up, before any request
 * (and before the worker processes fork, so they share the parsed trees).
 * Transforms run with security preferences that forbid reading or writing
 * files, creating directories and network access, and with bounded template
 * depth and XPath operation counts.  User data reaches a stylesheet only
 * through the document, never through parameters.
 *
 * Stylesheets get localised text through the extension function
 * hk:msg(key [, arg...]) (xmlns:hk="urn:hikyaku:xslt"), in the language of
 * /page/@lang.
 */
#ifndef HK_VIEW_H
#define HK_VIEW_H

#include <libxml/tree.h>

#include "buf.h"
#include "i18n.h"

#define HK_XSLT_NS "urn:hikyaku:xslt"

struct hk_view;

/* Parses every *.xsl in xsl_dir.  The catalogue is borrowed and must
 * outlive the view.  NULL with *err_r set (caller frees) on failure. */
struct hk_view *hk_view_load(const char *xsl_dir, const struct hk_catalog *cat,
    char **err_r);
void hk_view_free(struct hk_view **view);

/* True when a stylesheet for screen was loaded. */
int hk_view_has(const struct hk_view *view, const char *screen);

/* Appends the HTML for doc, rendered by <screen>.xsl, to out.  Returns 0, or
 * -1 with *err_r set (caller frees) when the screen is unknown or the
 * transform fails (the details are logged). */
int hk_view_html(struct hk_view *view, xmlDocPtr doc, const char *screen,
    struct hk_buf *out, char **err_r);

/* Appends doc serialised as UTF-8 XML to out. */
void hk_view_xml(xmlDocPtr doc, struct hk_buf *out);

#endif
