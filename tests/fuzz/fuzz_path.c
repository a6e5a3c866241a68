/* fuzz_path.c - hk_path_decode (the URL path, percent-decoded).
 *
 * Input: the raw path bytes (not NUL-terminated).  Checks, against an
 * independent reference decoder of form.h's rules ('%XX' is a byte, '+'
 * stays '+', no control byte or DEL, valid UTF-8):
 * - the worker refuses exactly what the reference refuses;
 * - what it accepts is byte for byte the reference's result, valid UTF-8
 *   without NUL or controls;
 * - without any '%' the result is the input itself;
 * - percent-encoding every byte of the result decodes to it again.
 */
#include "config.h"

#include "fuzz.h"

#include "form.h"

static int
hexdig(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c |= 0x20;
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* NULL when refused; else a new string of *olen bytes. */
static char *
ref_decode(const uint8_t *s, size_t n, size_t *olen)
{
	char *o = malloc(n + 1);
	size_t k = 0;

	for (size_t i = 0; i < n; i++) {
		unsigned char c = s[i];

		if (c == '%') {
			int h, l;

			if (n - i < 3 || (h = hexdig(s[i + 1])) < 0 ||
			    (l = hexdig(s[i + 2])) < 0) {
				free(o);
				return NULL;
			}
			c = (unsigned char)(h * 16 + l);
			i += 2;
		}
		if (c < 0x20 || c == 0x7F) {
			free(o);
			return NULL;
		}
		o[k++] = (char)c;
	}
	o[k] = '\0';
	if (!fz_utf8_valid((const unsigned char *)o, k)) {
		free(o);
		return NULL;
	}
	*olen = k;
	return o;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t rlen = 0;
	char *got = hk_path_decode((const char *)data, size);
	char *want = ref_decode(data, size, &rlen);

	FZ_CHECK((got == NULL) == (want == NULL), "hk_path_decode %s, the "
	    "reference %s", got ? "accepted" : "refused",
	    want ? "accepts" : "refuses");
	if (got == NULL)
		return 0;
	FZ_CHECK(strlen(got) == rlen && memcmp(got, want, rlen) == 0,
	    "decoded %zu bytes, reference %zu", strlen(got), rlen);
	FZ_CHECK(fz_utf8_str(got), "result is not valid UTF-8");
	FZ_CHECK(fz_no_controls(got, NULL, true), "result holds a control byte");
	if (memchr(data, '%', size) == NULL)
		FZ_CHECK(rlen == size && memcmp(got, data, size) == 0,
		    "a path without escapes changed");

	/* Encode every byte and decode again. */
	size_t glen = strlen(got);
	char *enc = malloc(3 * glen + 1);
	for (size_t i = 0; i < glen; i++)
		snprintf(enc + 3 * i, 4, "%%%02x", (unsigned char)got[i]);
	char *back = hk_path_decode(enc, 3 * glen);
	FZ_CHECK(back != NULL && strcmp(back, got) == 0,
	    "a fully escaped path does not decode to itself");
	free(back);
	free(enc);
	free(want);
	free(got);
	return 0;
}
