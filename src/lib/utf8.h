/* utf8.h - strict UTF-8 (RFC 3629): the one walker every caller shares. */
#ifndef HK_UTF8_H
#define HK_UTF8_H

#include <stdbool.h>
#include <stddef.h>

/* The length (1 to 4) of the well-formed UTF-8 sequence that starts at s,
 * of which n bytes may be read; 0 when it is not one: a byte that cannot
 * lead, a bad or missing continuation byte, an overlong form, a surrogate
 * (U+D800..U+DFFF) or a code point above U+10FFFF.  0 too when n is 0.
 * Any byte below 0x80 is a sequence of 1, NUL included. */
size_t hk_utf8_seq(const char *s, size_t n);

/* True when the len bytes at s are well-formed UTF-8 (hk_utf8_seq over
 * the whole length).  NUL is allowed here; callers that forbid it check
 * separately. */
bool hk_utf8_valid(const char *s, size_t len);

/* The number of code points in a valid UTF-8 string of len bytes. */
size_t hk_utf8_length(const char *s, size_t len);

#endif
