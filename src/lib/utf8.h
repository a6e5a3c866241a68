/* utf8.h - strict UTF-8 validation (RFC 3629). */
#ifndef HK_UTF8_H
#define HK_UTF8_H

#include <stdbool.h>
#include <stddef.h>

/* True when the len bytes at s are well-formed UTF-8: no overlong forms,
 * no surrogates (U+D800..U+DFFF), nothing above U+10FFFF. NUL is allowed
 * here; callers that forbid it check separately. */
bool hk_utf8_valid(const char *s, size_t len);

/* The number of code points in a valid UTF-8 string of len bytes. */
size_t hk_utf8_length(const char *s, size_t len);

#endif
