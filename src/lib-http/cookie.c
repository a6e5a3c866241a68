/* cookie.c - lenient parsing of the Cookie request header. */
#include "config.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "cookie.h"
#include "mem.h"
#include "utf8.h"

static bool
is_ows(char c)
{
	return c == ' ' || c == '\t';
}

static void
trim(const char **s, size_t *len)
{
	while (*len > 0 && is_ows(**s)) {
		(*s)++;
		(*len)--;
	}
	while (*len > 0 && is_ows((*s)[*len - 1]))
		(*len)--;
}

/* No NUL, C0 control or DEL, and valid UTF-8. */
static bool
acceptable(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x20 || c == 0x7F)
			return false;
	}
	return hk_utf8_valid(s, len);
}

void
hk_cookie_parse(const char *header, size_t max_pairs, struct hk_params *out)
{
	const char *p = header;

	if (header == NULL)
		return;
	while (*p != '\0' && out->n < max_pairs) {
		const char *semi = strchr(p, ';');
		size_t plen = semi ? (size_t)(semi - p) : strlen(p);
		const char *eq = memchr(p, '=', plen);
		const char *name = p, *value;
		size_t nlen, vlen;

		p += plen + (semi ? 1 : 0);
		if (eq == NULL)
			continue;
		nlen = (size_t)(eq - name);
		value = eq + 1;
		vlen = plen - nlen - 1;
		trim(&name, &nlen);
		trim(&value, &vlen);
		if (nlen == 0)
			continue;
		/* RFC 6265 allows a DQUOTE-wrapped value; the quotes are
		 * not part of it. */
		if (vlen >= 2 && value[0] == '"' && value[vlen - 1] == '"') {
			value++;
			vlen -= 2;
		}
		if (!acceptable(name, nlen) || !acceptable(value, vlen))
			continue;
		char *n = hk_strndup(name, nlen);
		char *v = hk_strndup(value, vlen);
		hk_params_add(out, n, v);
		free(n);
		hk_free_secret(v);	/* session tokens are secrets */
	}
}
