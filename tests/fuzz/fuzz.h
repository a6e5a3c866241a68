/* fuzz.h - helpers shared by the libFuzzer harnesses in tests/fuzz/.
 *
 * A harness checks what the code under test promises (its header's
 * comment), not only that it does not crash: FZ_CHECK aborts with the
 * broken invariant, which libFuzzer reports as a crash and saves the
 * input.  The reference functions here are written independently of
 * src/ so that they can serve as oracles.
 */
#ifndef HK_FUZZ_H
#define HK_FUZZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FZ_CHECK(cond, ...) do {					\
	if (!(cond)) {							\
		fprintf(stderr, "\nINVARIANT BROKEN (%s:%d): %s\n  ",	\
		    __FILE__, __LINE__, #cond);				\
		fprintf(stderr, __VA_ARGS__);				\
		fputc('\n', stderr);					\
		abort();						\
	}								\
} while (0)

/* Strict UTF-8 (RFC 3629): no overlongs, no surrogates, nothing above
 * U+10FFFF.  Decodes each code point and checks it, a different method
 * from src/utf8.c's lead-byte table, so the two can be compared. */
static inline bool
fz_utf8_valid(const unsigned char *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		unsigned char c = s[i];
		uint32_t cp, min;
		size_t len;

		if (c < 0x80) {
			i++;
			continue;
		}
		if ((c & 0xE0) == 0xC0)
			len = 2, cp = c & 0x1F, min = 0x80;
		else if ((c & 0xF0) == 0xE0)
			len = 3, cp = c & 0x0F, min = 0x800;
		else if ((c & 0xF8) == 0xF0)
			len = 4, cp = c & 0x07, min = 0x10000;
		else
			return false;
		if (n - i < len)
			return false;
		for (size_t k = 1; k < len; k++) {
			if ((s[i + k] & 0xC0) != 0x80)
				return false;
			cp = cp << 6 | (s[i + k] & 0x3F);
		}
		if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
			return false;
		i += len;
	}
	return true;
}

static inline bool
fz_utf8_str(const char *s)
{
	return fz_utf8_valid((const unsigned char *)s, strlen(s));
}

/* True when no byte of s is below 0x20 (except those in allow) or DEL
 * (when no_del). */
static inline bool
fz_no_controls(const char *s, const char *allow, bool no_del)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == 0x7F && no_del)
			return false;
		if (*p < 0x20 && (allow == NULL || strchr(allow, *p) == NULL))
			return false;
	}
	return true;
}

/* memmem for possibly non-terminated buffers. */
static inline bool
fz_contains(const void *hay, size_t hlen, const char *needle)
{
	size_t nlen = strlen(needle);

	if (nlen == 0 || nlen > hlen)
		return nlen == 0;
	for (size_t i = 0; i + nlen <= hlen; i++)
		if (memcmp((const char *)hay + i, needle, nlen) == 0)
			return true;
	return false;
}

/* A NUL-terminated heap copy of n bytes, exactly n + 1 long, so that
 * AddressSanitizer sees any read past the end. */
static inline char *
fz_strndup(const uint8_t *p, size_t n)
{
	char *s = malloc(n + 1);

	if (s == NULL)
		abort();
	memcpy(s, p, n);
	s[n] = '\0';
	return s;
}

#endif
