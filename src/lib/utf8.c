/* utf8.c - strict UTF-8 validation and code point counting (RFC 3629). */
#include "config.h"

#include "utf8.h"

bool
hk_utf8_valid(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;

	while (i < len) {
		unsigned char c = p[i];
		unsigned char lo = 0x80, hi = 0xBF;	/* range of 2nd byte */
		size_t n;

		if (c < 0x80) {
			i++;
			continue;
		}
		/* The RFC 3629 table: lead byte decides length and the
		 * allowed range of the second byte, which is what rules out
		 * overlongs (E0, F0), surrogates (ED) and > U+10FFFF (F4). */
		if (c >= 0xC2 && c <= 0xDF)
			n = 1;
		else if (c >= 0xE0 && c <= 0xEF) {
			n = 2;
			if (c == 0xE0)
				lo = 0xA0;
			else if (c == 0xED)
				hi = 0x9F;
		} else if (c >= 0xF0 && c <= 0xF4) {
			n = 3;
			if (c == 0xF0)
				lo = 0x90;
			else if (c == 0xF4)
				hi = 0x8F;
		} else
			return false;	/* 80..C1, F5..FF never lead */
		if (len - i - 1 < n)
			return false;	/* truncated */
		if (p[i + 1] < lo || p[i + 1] > hi)
			return false;
		for (size_t k = 2; k <= n; k++)
			if (p[i + k] < 0x80 || p[i + k] > 0xBF)
				return false;
		i += n + 1;
	}
	return true;
}

size_t
hk_utf8_length(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t count = 0;

	/* In valid UTF-8 every byte that is not a continuation starts one. */
	for (size_t i = 0; i < len; i++)
		if ((p[i] & 0xC0) != 0x80)
			count++;
	return count;
}
