/* html_writer.h - a transform's result tree written as HTML straight into
 * the response buffer.
 *
 * The bytes are the ones libxslt's xsltSaveResultTo writes through libxml2
 * 2.9's HTML serialiser for <xsl:output method="html" encoding="UTF-8"
 * indent="no"/> (xsl/layout.xsl): the doctype line, the charset <meta> that
 * method adds to <head>, libxml2's void elements, its boolean attributes
 * written bare, its URI escaping of href, action, src and <a name>, its
 * escaping of text and attribute values, script and style text raw.  It
 * only reads the tree (libxml2 adds the <meta> to the tree; this writes it
 * without adding it) and copies no value to escape it.
 *
 * It handles what our stylesheets produce: elements without namespaces,
 * text, comments and the doctype.  Anything else (another output method,
 * encoding or indent, a processing instruction, a namespaced node, an
 * attribute that is not one text node, a charset <meta> already there)
 * makes it decline, so that the caller serialises with libxml2 and the
 * output never silently differs.
 */
#ifndef HK_HTML_WRITER_H
#define HK_HTML_WRITER_H

#include <libxml/tree.h>
#include <libxslt/xsltInternals.h>

#include "buf.h"

/* Appends result, produced by style, to out.  Returns 0, or -1 when it
 * declines (see above; also for a capped or secret out): out is then as
 * it was and the caller uses xsltSaveResultTo.  result is not changed. */
int hk_html_write(xsltStylesheetPtr style, xmlDocPtr result,
    struct hk_buf *out);

#endif
