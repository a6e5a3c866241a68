/* negotiate.h - content and language negotiation from request headers.
 *
 * Both parse the RFC 9110 list form with q-values ("a;q=0.5, b") and are
 * forgiving: a malformed element is ignored, never an error.
 */
#ifndef HK_NEGOTIATE_H
#define HK_NEGOTIATE_H

#include <stdbool.h>

/* True when Accept prefers application/xml (or text/xml) over text/html:
 * the highest q among the XML types is greater than the highest q among
 * text/html, application/xhtml+xml and wildcard matches.  NULL or empty
 * header: false (HTML). Ties go to HTML. */
bool hk_accept_prefers_xml(const char *accept);

/* Picks the best of the supported languages (a NULL-terminated list of
 * primary tags such as {"en", "ja", NULL}) for an Accept-Language header:
 * "ja-JP" matches "ja", "*" matches the first supported one, q=0 excludes.
 * Returns one of supported[], or supported[0] when nothing matches. */
const char *hk_accept_language(const char *header, const char *const supported[]);

#endif
