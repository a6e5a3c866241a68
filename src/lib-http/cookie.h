/* cookie.h - parsing the Cookie request header (RFC 6265 §5.4 form:
 * "a=1; b=2").  Pairs without '=' and pairs with an empty name are
 * skipped; surrounding spaces are trimmed; a value in double quotes loses
 * them; values are not percent-decoded.  A cookie name or value holding a
 * control byte or invalid UTF-8 is skipped rather than failing the header,
 * as browsers do.  At most max_pairs cookies are kept.
 */
#ifndef HK_COOKIE_H
#define HK_COOKIE_H

#include <stddef.h>

#include "params.h"

/* Parses header (may be NULL) into out, which must be empty. */
void hk_cookie_parse(const char *header, size_t max_pairs, struct hk_params *out);

#endif
