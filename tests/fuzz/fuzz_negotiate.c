/* fuzz_negotiate.c - Accept (XML or HTML) and Accept-Language.
 *
 * Input: the header value, cut at its first NUL; the same bytes are tried
 * as Accept and as Accept-Language.  Checks (negotiate.h):
 * - the language is always one of the supported tags (the pointer itself);
 * - a header that names neither "ja" nor "*" gives the first tag;
 * - a header without "xml" never prefers XML;
 * - an element in front wins: "text/html, H" is HTML, "ja;q=1, H" is ja
 *   and "en;q=1, H" is en, whatever H holds (quotes, junk, q=0 ...);
 * - the answers are the same when asked twice.
 */
#include "config.h"

#include <strings.h>

#include "fuzz.h"

#include "negotiate.h"

static const char *const langs[] = { "en", "ja", NULL };

static bool
has_ci(const char *h, const char *needle)
{
	size_t n = strlen(needle);

	for (; *h; h++)
		if (strncasecmp(h, needle, n) == 0)
			return true;
	return false;
}

static char *
prefixed(const char *pre, const char *h)
{
	size_t a = strlen(pre), b = strlen(h);
	char *s = malloc(a + b + 1);

	memcpy(s, pre, a);
	memcpy(s + a, h, b + 1);
	return s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *h = fz_strndup(data, size), *p;
	bool xml = hk_accept_prefers_xml(h);
	const char *lang = hk_accept_language(h, langs);

	FZ_CHECK(lang == langs[0] || lang == langs[1],
	    "the language is not one of the supported tags");
	if (!has_ci(h, "ja") && strchr(h, '*') == NULL)
		FZ_CHECK(lang == langs[0], "no ja and no *, yet %s", lang);
	if (!has_ci(h, "xml"))
		FZ_CHECK(!xml, "XML preferred by a header without xml");
	FZ_CHECK(hk_accept_prefers_xml(h) == xml, "Accept is not deterministic");
	FZ_CHECK(hk_accept_language(h, langs) == lang,
	    "Accept-Language is not deterministic");

	p = prefixed("text/html, ", h);
	FZ_CHECK(!hk_accept_prefers_xml(p), "text/html with q=1 first lost");
	free(p);
	p = prefixed("ja;q=1, ", h);
	FZ_CHECK(hk_accept_language(p, langs) == langs[1], "ja;q=1 first lost");
	free(p);
	p = prefixed("en;q=1, ", h);
	FZ_CHECK(hk_accept_language(p, langs) == langs[0], "en;q=1 first lost");
	free(p);
	/* An empty supported list is answered with its terminator. */
	{
		static const char *const none[] = { NULL };
		FZ_CHECK(hk_accept_language(h, none) == NULL,
		    "an empty supported list gave a language");
	}
	free(h);
	return 0;
}
