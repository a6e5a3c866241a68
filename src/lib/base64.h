/* base64.h - base64 (RFC 4648) and hex encoding.
 *
 * Pure functions on caller-owned buffers; nothing allocates.  Used by the
 * SASL framing of the core and linked into each shipped auth module.
 */
#ifndef HK_BASE64_H
#define HK_BASE64_H

#include <stddef.h>

/* Characters base64 needs for n bytes, without the NUL. */
#define HK_B64_LEN(n) ((((n) + 2) / 3) * 4)

/* Encodes n bytes into out, which holds HK_B64_LEN(n) + 1 bytes. */
void hk_b64_encode(const void *p, size_t n, char *out);
/* Decodes strictly (RFC 4648 alphabet, padding only at the end, length a
 * multiple of 4, no white space).  out holds len / 4 * 3 bytes.  Returns
 * the decoded length, or -1 when in is not valid base64. */
long hk_b64_decode(const char *in, size_t len, unsigned char *out);

/* Lower-case hex of n bytes into out (2n + 1 bytes). */
void hk_hex(const void *p, size_t n, char *out);

#endif
