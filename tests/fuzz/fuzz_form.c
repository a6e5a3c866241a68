/* fuzz_form.c - hk_form_parse (query strings and POST bodies) and
 * hk_utf8_valid.
 *
 * Input: byte 0 is max_pairs (0-63), the rest is the urlencoded text (not
 * NUL-terminated, as the parser allows).  Checks:
 * - the result equals an independent reference parse of form.h's rules
 *   (same status class, same pairs in the same order);
 * - every name and value is valid UTF-8 without NUL; names hold no control
 *   byte, values none but TAB, CR and LF;
 * - on error *out is empty;
 * - re-encoding the pairs and parsing again gives the same pairs;
 * - hk_utf8_valid agrees with the harness's own decoder on the raw input.
 */
#include "config.h"

#include "fuzz.h"

#include "form.h"
#include "params.h"
#include "utf8.h"

struct ref_pair {
	char *name, *value;
	size_t nlen, vlen;
};

static int
hexdig(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c |= 0x20;
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Decodes s[0..n) into a fresh buffer; -1: bad escape. */
static int
ref_unescape(const uint8_t *s, size_t n, char **out, size_t *olen)
{
	char *o = malloc(n + 1);
	size_t k = 0;

	for (size_t i = 0; i < n; i++) {
		if (s[i] == '%') {
			if (n - i < 3) {
				free(o);
				return -1;
			}
			int h = hexdig(s[i + 1]), l = hexdig(s[i + 2]);
			if (h < 0 || l < 0) {
				free(o);
				return -1;
			}
			o[k++] = (char)(h * 16 + l);
			i += 2;
		} else
			o[k++] = s[i] == '+' ? ' ' : (char)s[i];
	}
	o[k] = '\0';
	*out = o;
	*olen = k;
	return 0;
}

/* 0 ok, 1 control/NUL, 2 bad UTF-8. */
static int
ref_check(const char *s, size_t n, bool is_name)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x20 && (is_name || (c != '\t' && c != '\r' && c != '\n')))
			return 1;
	}
	return fz_utf8_valid((const unsigned char *)s, n) ? 0 : 2;
}

/* The reference parser: returns an enum hk_form_status. */
static int
ref_parse(const uint8_t *s, size_t len, size_t max, struct ref_pair **pairs,
    size_t *np)
{
	size_t pos = 0, n = 0;
	struct ref_pair *v = calloc(len + 1, sizeof(*v));
	int st = HK_FORM_OK;

	while (pos < len) {
		size_t end = pos;
		while (end < len && s[end] != '&')
			end++;
		size_t plen = end - pos;
		const uint8_t *pair = s + pos;
		pos = end + 1;
		if (plen == 0)
			continue;
		if (n >= max) {
			st = HK_FORM_TOO_MANY;
			break;
		}
		size_t eq = 0;
		while (eq < plen && pair[eq] != '=')
			eq++;
		struct ref_pair *p = &v[n];
		int c;
		if (ref_unescape(pair, eq, &p->name, &p->nlen) < 0) {
			st = HK_FORM_BAD_ESCAPE;
			break;
		}
		if ((c = ref_check(p->name, p->nlen, true)) != 0) {
			st = c == 1 ? HK_FORM_BAD_NUL : HK_FORM_BAD_UTF8;
			free(p->name);
			break;
		}
		if (eq < plen) {
			if (ref_unescape(pair + eq + 1, plen - eq - 1, &p->value,
			    &p->vlen) < 0) {
				st = HK_FORM_BAD_ESCAPE;
				free(p->name);
				break;
			}
		} else {
			p->value = calloc(1, 1);
			p->vlen = 0;
		}
		if ((c = ref_check(p->value, p->vlen, false)) != 0) {
			st = c == 1 ? HK_FORM_BAD_NUL : HK_FORM_BAD_UTF8;
			free(p->name);
			free(p->value);
			break;
		}
		n++;
	}
	if (st != HK_FORM_OK) {
		for (size_t i = 0; i < n; i++) {
			free(v[i].name);
			free(v[i].value);
		}
		n = 0;
	}
	*pairs = v;
	*np = n;
	return st;
}

static void
append_escaped(char **buf, size_t *len, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";

	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || *p == '-' || *p == '_' ||
		    *p == '.')
			(*buf)[(*len)++] = (char)*p;
		else if (*p == ' ')
			(*buf)[(*len)++] = '+';
		else {
			(*buf)[(*len)++] = '%';
			(*buf)[(*len)++] = hex[*p >> 4];
			(*buf)[(*len)++] = hex[*p & 15];
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hk_params out = HK_PARAMS_INIT, again = HK_PARAMS_INIT;
	struct ref_pair *ref;
	size_t max, nref;
	enum hk_form_status st;
	int rst;

	if (size < 1)
		return 0;
	max = data[0] % 64;
	data++;
	size--;

	FZ_CHECK(hk_utf8_valid((const char *)data, size) ==
	    fz_utf8_valid(data, size), "hk_utf8_valid disagrees on %zu bytes",
	    size);

	st = hk_form_parse((const char *)data, size, max, &out);
	FZ_CHECK(hk_form_strerror(st) != NULL && *hk_form_strerror(st) != '\0',
	    "no description for status %d", (int)st);
	rst = ref_parse(data, size, max, &ref, &nref);
	/* Which error wins when a pair has two faults is the parser's
	 * business; that it fails is not. */
	FZ_CHECK((st == HK_FORM_OK) == (rst == HK_FORM_OK),
	    "status %d (%s), reference %d", (int)st, hk_form_strerror(st), rst);
	if (st == HK_FORM_TOO_MANY || rst == HK_FORM_TOO_MANY)
		FZ_CHECK((int)st == rst, "status %d, reference %d (too many)",
		    (int)st, rst);
	if (st != HK_FORM_OK) {
		FZ_CHECK(out.n == 0 && out.v == NULL,
		    "an error left %zu pairs in *out", out.n);
		free(ref);
		return 0;
	}
	FZ_CHECK(out.n == nref, "%zu pairs, reference %zu", out.n, nref);
	FZ_CHECK(out.n <= max, "%zu pairs with max_pairs %zu", out.n, max);

	size_t enc_cap = 1;
	for (size_t i = 0; i < out.n; i++) {
		const char *nm = out.v[i].name, *val = out.v[i].value;

		FZ_CHECK(strlen(nm) == ref[i].nlen && memcmp(nm, ref[i].name,
		    ref[i].nlen) == 0, "pair %zu: name differs from reference", i);
		FZ_CHECK(strlen(val) == ref[i].vlen && memcmp(val, ref[i].value,
		    ref[i].vlen) == 0, "pair %zu: value differs from reference "
		    "(a NUL inside?)", i);
		FZ_CHECK(fz_utf8_str(nm) && fz_utf8_str(val),
		    "pair %zu is not valid UTF-8", i);
		FZ_CHECK(fz_no_controls(nm, NULL, false),
		    "pair %zu: a control byte in the name", i);
		FZ_CHECK(fz_no_controls(val, "\t\r\n", false),
		    "pair %zu: a forbidden control byte in the value", i);
		FZ_CHECK(hk_params_count(&out, nm) >= 1, "count of a present name");
		enc_cap += 3 * (strlen(nm) + strlen(val)) + 2;
	}
	for (size_t i = 0; i < out.n; i++) {
		/* get() finds the first pair of that name. */
		size_t first = 0;
		while (strcmp(out.v[first].name, out.v[i].name) != 0)
			first++;
		FZ_CHECK(hk_params_get(&out, out.v[i].name) == out.v[first].value,
		    "hk_params_get is not the first value");
	}

	/* Round trip. */
	char *enc = malloc(enc_cap);
	size_t elen = 0;
	for (size_t i = 0; i < out.n; i++) {
		if (i > 0)
			enc[elen++] = '&';
		append_escaped(&enc, &elen, out.v[i].name);
		enc[elen++] = '=';
		append_escaped(&enc, &elen, out.v[i].value);
	}
	st = hk_form_parse(enc, elen, max, &again);
	FZ_CHECK(st == HK_FORM_OK, "re-encoded pairs do not parse: %s",
	    hk_form_strerror(st));
	/* An empty name re-encodes as "=value", which is one pair too. */
	FZ_CHECK(again.n == out.n, "round trip: %zu pairs, then %zu", out.n,
	    again.n);
	for (size_t i = 0; i < out.n; i++)
		FZ_CHECK(strcmp(out.v[i].name, again.v[i].name) == 0 &&
		    strcmp(out.v[i].value, again.v[i].value) == 0,
		    "round trip changed pair %zu", i);
	free(enc);
	for (size_t i = 0; i < nref; i++) {
		free(ref[i].name);
		free(ref[i].value);
	}
	free(ref);
	hk_params_free(&again);
	hk_params_free(&out);
	return 0;
}
