/* viewext.h - the hk: extension elements the stylesheets may use.
 *
 *   <hk:break-at-dots select="EXPR"/>
 *       the string value of EXPR with an empty <wbr> element after each
 *       dot, so that a long host name wraps after a dot, not inside a
 *       label; what a recursive named template did with one template call,
 *       three XPath evaluations and two string copies per label.
 *
 * A stylesheet using one declares extension-element-prefixes="hk".
 */
#ifndef HK_VIEWEXT_H
#define HK_VIEWEXT_H

/* Registers the elements with libxslt (process-wide); call before the
 * stylesheets are compiled.  Aborts if libxslt cannot register them. */
void hk_viewext_register(void);

#endif
