/* ctl_xfer.c - the export document's names and its encrypted secrets
 * (ctl_xfer.h). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "base64.h"
#include "ctl_xfer.h"
#include "mem.h"
#include "secret.h"

const char *const hk_xfer_server_fields[] = {
	"name", "smtp_host", "smtp_port", "smtp_security", "smtp_tls_verify",
	"smtp_auth", "smtp_auth_method", "smtp_credentials", "smtp_user",
	"smtp_password", "pop_before_smtp", "pop_before_smtp_wait",
	"send_limit", "recv_protocol", "apop", "recv_host", "recv_port",
	"recv_security", "recv_tls_verify", "recv_limit", "recv_auth_method",
	NULL
};

const char *const hk_xfer_account_fields[] = {
	"name", "address", "server_name", "username", "password", NULL
};

/* The associated data's "table" and record id (secret.h). */
#define XFER_TABLE "hikyaku-export"
#define SEALED_HDR 3	/* 'h' 'k' 1 */
#define SEALED_NONCE 12

int
hk_xfer_derive(const char *passphrase, const unsigned char *salt,
    size_t salt_len, unsigned long long n, unsigned long long r,
    unsigned long long p, unsigned char key[HK_KEY_LEN])
{
	/* A document names its own cost: bound it, so that a hostile one
	 * cannot ask for gigabytes (N * r * 128 bytes). */
	if (n < 2 || n > (1ULL << 20) || (n & (n - 1)) != 0 || r < 1 ||
	    r > 32 || p < 1 || p > 16 || n * r * 128 > (256ULL << 20))
		return -1;
	return EVP_PBE_scrypt(passphrase, strlen(passphrase), salt, salt_len,
	    n, r, p, 300ULL << 20, key, HK_KEY_LEN) == 1 ? 0 : -1;
}

char *
hk_xfer_b64(const void *p, size_t n)
{
	char *out = hk_malloc(HK_B64_LEN(n) + 1);

	hk_b64_encode(p, n, out);
	return out;
}

unsigned char *
hk_xfer_unb64(const char *s, size_t *n_r)
{
	size_t len = s != NULL ? strlen(s) : 0;
	unsigned char *out = hk_malloc(len / 4 * 3 + 1);
	long n = hk_b64_decode(s != NULL ? s : "", len, out);

	if (n < 0) {
		free(out);
		return NULL;
	}
	*n_r = (size_t)n;
	return out;
}

char *
hk_xfer_where(const char *kind, const char *name, const char *field)
{
	return hk_aprintf("%s/%s/%s", kind, name, field);
}

xmlNodePtr
hk_xfer_seal(xmlNodePtr parent, const char *name,
    const unsigned char key[HK_KEY_LEN], const char *where, const char *plain)
{
	unsigned char *blob;
	size_t len;
	char *nonce, *value;
	xmlNodePtr e;

	hk_secret_seal(key, XFER_TABLE, 0, where, plain, &blob, &len);
	nonce = hk_xfer_b64(blob + SEALED_HDR, SEALED_NONCE);
	value = hk_xfer_b64(blob + SEALED_HDR + SEALED_NONCE,
	    len - SEALED_HDR - SEALED_NONCE);
	e = xmlNewTextChild(parent, NULL, BAD_CAST name, BAD_CAST value);
	xmlNewProp(e, BAD_CAST "nonce", BAD_CAST nonce);
	free(blob);
	free(nonce);
	free(value);
	return e;
}

char *
hk_xfer_open(const xmlNode *e, const unsigned char key[HK_KEY_LEN],
    const char *where)
{
	xmlChar *nonce_s = xmlGetProp(e, BAD_CAST "nonce");
	xmlChar *value_s = xmlNodeGetContent(e);
	unsigned char *nonce = NULL, *value = NULL, *blob = NULL;
	size_t nn = 0, nv = 0;
	char *plain = NULL;

	nonce = hk_xfer_unb64((const char *)nonce_s, &nn);
	value = hk_xfer_unb64((const char *)value_s, &nv);
	if (nonce != NULL && value != NULL && nn == SEALED_NONCE) {
		blob = hk_malloc(SEALED_HDR + nn + nv);
		memcpy(blob, "hk\001", SEALED_HDR);
		memcpy(blob + SEALED_HDR, nonce, nn);
		memcpy(blob + SEALED_HDR + nn, value, nv);
		if (hk_secret_open(key, XFER_TABLE, 0, where, blob,
		    SEALED_HDR + nn + nv, &plain) != HK_SECRET_OK)
			plain = NULL;
	}
	free(blob);
	free(nonce);
	free(value);
	xmlFree(nonce_s);
	xmlFree(value_s);
	return plain;
}
