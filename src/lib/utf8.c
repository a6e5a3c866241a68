/* utf8.c - strict UTF-8 validation and code point counting (RFC 3629). */
#include "config.h"

#include "utf8.h"

size_t
hk_utf8_seq(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	unsigned char lo = 0x80, hi = 0xBF;	/* range of the 2nd byte */
	size_t len;

	if (n == 0)
		return 0;
	if (p[0] < 0x80)
		return 1;
	/* The RFC 3629 table: the lead byte decides the length and the
	 * allowed range of the second byte, which is what rules out
	 * overlongs (E0, F0), surrogates (ED) and > U+10FFFF (F4). */
	if (p[0] >= 0xC2 && p[0] <= 0xDF)
		len = 2;
	else if (p[0] >= 0xE0 && p[0] <= 0xEF) {
		len = 3;
		if (p[0] == 0xE0)
			lo = 0xA0;
		else if (p[0] == 0xED)
			hi = 0x9F;
	} else if (p[0] >= 0xF0 && p[0] <= 0xF4) {
		len = 4;
		if (p[0] == 0xF0)
			lo = 0x90;
		else if (p[0] == 0xF4)
			hi = 0x8F;
	} else
		return 0;	/* 80..C1, F5..FF never lead */
	if (n < len)
		return 0;	/* truncated */
	if (p[1] < lo || p[1] > hi)
		return 0;
	for (size_t k = 2; k < len; k++)
		if (p[k] < 0x80 || p[k] > 0xBF)
			return 0;
	return len;
}

bool
hk_utf8_valid(const char *s, size_t len)
{
	size_t i = 0;

	while (i < len) {
		size_t n = hk_utf8_seq(s + i, len - i);

		if (n == 0)
			return false;
		i += n;
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
