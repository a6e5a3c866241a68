/* oauth2-pkce.c - PKCE (RFC 7636) with S256, and the state value: random
 * strings in base64url without padding. */
#include "config.h"

#include <string.h>

#include <openssl/sha.h>

#include "base64.h"
#include "log.h"
#include "mem.h"
#include "oauth2-private.h"

/* base64url (RFC 4648 section 5) of n bytes without '=' into out, which
 * holds HK_B64_LEN(n) + 1 bytes. */
static void
b64url(const unsigned char *p, size_t n, char *out)
{
	char *c;

	hk_b64_encode(p, n, out);
	for (c = out; *c != '\0'; c++) {
		if (*c == '+')
			*c = '-';
		else if (*c == '/')
			*c = '_';
		else if (*c == '=') {
			*c = '\0';
			break;
		}
	}
}

int
hk_oauth2_pkce_challenge(const char *verifier, char challenge[44])
{
	unsigned char md[SHA256_DIGEST_LENGTH];
	char out[HK_B64_LEN(SHA256_DIGEST_LENGTH) + 1];
	size_t n = strlen(verifier);

	/* RFC 7636 4.1: 43 to 128 unreserved characters. */
	if (n < 43 || n > 128 || strspn(verifier, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789-._~") != n)
		return -1;
	SHA256((const unsigned char *)verifier, n, md);
	b64url(md, sizeof(md), out);
	memcpy(challenge, out, 44);	/* 43 characters and the NUL */
	hk_wipe(md, sizeof(md));
	return 0;
}

void
hk_oauth2_pkce_new(struct hk_oauth2_pkce *p)
{
	unsigned char raw[48];		/* 64 characters */

	hk_random(raw, sizeof(raw));
	b64url(raw, sizeof(raw), p->verifier);
	hk_wipe(raw, sizeof(raw));
	if (hk_oauth2_pkce_challenge(p->verifier, p->challenge) < 0)
		hk_fatal("oauth2: a PKCE verifier of the wrong form");
}

void
hk_oauth2_state_new(char state[44])
{
	unsigned char raw[32];
	char out[HK_B64_LEN(32) + 1];

	hk_random(raw, sizeof(raw));
	b64url(raw, sizeof(raw), out);
	memcpy(state, out, 44);
	hk_wipe(raw, sizeof(raw));
	hk_wipe(out, sizeof(out));
}
