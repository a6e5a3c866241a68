/* fuzz_cookie.c - hk_cookie_parse (the Cookie request header).
 *
 * Input: byte 0 is max_pairs (0-31); the rest, cut at its first NUL (a
 * FastCGI parameter is a C string), is the header.  Checks, against an
 * independent reference of cookie.h's rules:
 * - the same cookies in the same order;
 * - names are non-empty; names and values hold no control byte, DEL,
 *   ';' or leading/trailing space, names no '=', and are valid UTF-8;
 * - at most max_pairs; a NULL header gives nothing.
 */
#include "config.h"

#include "fuzz.h"

#include "cookie.h"
#include "params.h"

static bool
ok_bytes(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7F)
			return false;
	return fz_utf8_valid((const unsigned char *)s, n);
}

static void
trim(const char **s, size_t *n)
{
	while (*n > 0 && (**s == ' ' || **s == '\t'))
		(*s)++, (*n)--;
	while (*n > 0 && ((*s)[*n - 1] == ' ' || (*s)[*n - 1] == '\t'))
		(*n)--;
}

struct ref {
	const char *name, *value;
	size_t nlen, vlen;
};

static size_t
ref_parse(const char *h, size_t max, struct ref *out)
{
	size_t n = 0, len = strlen(h), pos = 0;

	while (pos < len && n < max) {
		size_t end = pos;
		while (end < len && h[end] != ';')
			end++;
		const char *item = h + pos;
		size_t ilen = end - pos, eq = 0;
		pos = end + 1;
		while (eq < ilen && item[eq] != '=')
			eq++;
		if (eq == ilen)
			continue;
		const char *nm = item, *val = item + eq + 1;
		size_t nlen = eq, vlen = ilen - eq - 1;
		trim(&nm, &nlen);
		trim(&val, &vlen);
		if (nlen == 0)
			continue;
		if (vlen >= 2 && val[0] == '"' && val[vlen - 1] == '"')
			val++, vlen -= 2;
		if (!ok_bytes(nm, nlen) || !ok_bytes(val, vlen))
			continue;
		out[n++] = (struct ref){ nm, val, nlen, vlen };
	}
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hk_params out = HK_PARAMS_INIT;
	size_t max, nref;
	struct ref *ref;
	char *h;

	hk_cookie_parse(NULL, 8, &out);
	FZ_CHECK(out.n == 0, "a NULL header gave cookies");
	if (size < 1)
		return 0;
	max = data[0] % 32;
	h = fz_strndup(data + 1, size - 1);
	ref = calloc(size + 1, sizeof(*ref));

	hk_cookie_parse(h, max, &out);
	nref = ref_parse(h, max, ref);
	FZ_CHECK(out.n == nref, "%zu cookies, reference %zu", out.n, nref);
	FZ_CHECK(out.n <= max, "%zu cookies, max %zu", out.n, max);
	for (size_t i = 0; i < out.n; i++) {
		const char *nm = out.v[i].name, *val = out.v[i].value;
		size_t nl = strlen(nm), vl = strlen(val);

		FZ_CHECK(nl == ref[i].nlen && memcmp(nm, ref[i].name, nl) == 0,
		    "cookie %zu: name differs from the reference", i);
		FZ_CHECK(vl == ref[i].vlen && memcmp(val, ref[i].value, vl) == 0,
		    "cookie %zu: value differs from the reference", i);
		FZ_CHECK(nl > 0, "cookie %zu: empty name", i);
		FZ_CHECK(fz_no_controls(nm, NULL, true) &&
		    fz_no_controls(val, NULL, true), "cookie %zu: control byte", i);
		FZ_CHECK(fz_utf8_str(nm) && fz_utf8_str(val),
		    "cookie %zu: invalid UTF-8", i);
		FZ_CHECK(strchr(nm, '=') == NULL && strchr(nm, ';') == NULL &&
		    strchr(val, ';') == NULL, "cookie %zu: a separator inside", i);
		FZ_CHECK(nm[0] != ' ' && nm[nl - 1] != ' ' && nm[0] != '\t' &&
		    nm[nl - 1] != '\t', "cookie %zu: name not trimmed", i);
		FZ_CHECK(strstr(h, nm) != NULL && strstr(h, val) != NULL,
		    "cookie %zu: not from the header", i);
	}
	hk_params_free(&out);
	free(ref);
	free(h);
	return 0;
}
