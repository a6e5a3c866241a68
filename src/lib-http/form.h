/* form.h - application/x-www-form-urlencoded parsing (query strings and
 * POST bodies), the way browsers encode it (WHATWG URL, "urlencoded").
 *
 * Pairs are split on '&'; an empty pair is skipped; a pair without '='
 * has an empty value; '+' means space; %XX is a byte.  The input is
 * refused (HK_FORM_BAD_*), and *out left empty, when:
 *   - a '%' is not followed by two hex digits,
 *   - a decoded name or value contains a NUL byte or another C0 control
 *     other than TAB, CR and LF (names: no controls at all),
 *   - a decoded name or value is not valid UTF-8 (overlongs, surrogates
 *     and code points above U+10FFFF are invalid),
 *   - there are more than max_pairs pairs.
 */
#ifndef HK_FORM_H
#define HK_FORM_H

#include <stddef.h>

#include "params.h"

enum hk_form_status {
	HK_FORM_OK = 0,
	HK_FORM_BAD_ESCAPE,	/* '%' not followed by two hex digits */
	HK_FORM_BAD_NUL,	/* a NUL or forbidden control byte */
	HK_FORM_BAD_UTF8,	/* invalid UTF-8 after decoding */
	HK_FORM_TOO_MANY,	/* more than max_pairs pairs */
};

/* Parses len bytes of s (need not be NUL-terminated) into out, which must
 * be empty (HK_PARAMS_INIT).  On error out stays empty. */
enum hk_form_status hk_form_parse(const char *s, size_t len, size_t max_pairs,
    struct hk_params *out);

/* A short English description for logs, never shown to users. */
const char *hk_form_strerror(enum hk_form_status st);

/* Percent-decodes a URL path (no '+' rule).  Returns a new string the caller
 * frees, or NULL when an escape is malformed, the result holds a NUL or
 * control byte, or is not valid UTF-8. */
char *hk_path_decode(const char *s, size_t len);

#endif
