/* msgfold.h - resolving a stylesheet's constant hk:msg() calls at load time.
 *
 * A call whose key and arguments are all string literals, such as
 * hk:msg('servers.title') or hk:msg('size.mb', '5'), gives the same text on
 * every request in one language; view.c compiles each screen once per
 * language, and this replaces such calls in the parsed stylesheet document
 * before it is compiled:
 *   <xsl:value-of select="hk:msg('k')"/>  becomes  <xsl:text>text</xsl:text>
 *   attr="{hk:msg('k')}"                  becomes  attr="text" (braces doubled)
 *   any other XPath use (select, test, inside an attribute value template)
 *                                         becomes  the string literal
 * Calls with a computed key or a computed argument stay extension calls.
 * The text is exactly what hk:msg() would return (hk_msg_format), so the
 * output does not change.
 */
#ifndef HK_MSGFOLD_H
#define HK_MSGFOLD_H

#include <libxml/tree.h>

#include "i18n.h"

/* Rewrites doc in place for lang.  Returns the number of calls resolved.
 * A document without the hk namespace is left alone. */
size_t hk_msgfold(xmlDocPtr doc, const struct hk_catalog *cat,
    const char *lang);

#endif
