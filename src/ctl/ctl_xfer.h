/* ctl_xfer.h - the export document of `hikyakuctl export` and `import`
 * (docs/REFERENCE.md, "The export document"): its names, and the secrets
 * in it, encrypted for a passphrase.
 *
 * A secret is sealed with secret.h (AES-256-GCM, a fresh random nonce)
 * under a key derived from the passphrase with scrypt (a random salt per
 * document), with "hikyaku-export:0:<where>" as associated data, where
 * <where> names its place (e.g. "mail-server/Main/smtp_password"), so a
 * value moved to another record or field does not open.  In the document
 * a secret is an element holding base64(ciphertext || tag) with the
 * nonce in a base64 attribute "nonce"; the <secrets> element names the
 * parameters and carries a sealed check value, so that a wrong passphrase
 * is told at once. */
#ifndef HK_CTL_XFER_H
#define HK_CTL_XFER_H

#include <stdbool.h>
#include <stddef.h>

#include <libxml/tree.h>

#include "keyfile.h"

#define HK_XFER_VERSION "1"
#define HK_XFER_ROOT "hikyaku-export"

/* scrypt's cost: N = 2^15, r = 8, p = 1 (32 MiB, about 0.1 s). */
#define HK_XFER_SCRYPT_N 32768ULL
#define HK_XFER_SCRYPT_R 8ULL
#define HK_XFER_SCRYPT_P 1ULL
#define HK_XFER_SALT_LEN 16

/* The children of <mail-server>, in document order: the form's fields
 * with the password where the screens show smtp_password_set. */
extern const char *const hk_xfer_server_fields[];
/* The children of <mail-account>. */
extern const char *const hk_xfer_account_fields[];

/* The key for a passphrase, salt and cost.  0, or -1 when the cost is
 * out of bounds or OpenSSL fails.  The caller wipes key. */
int hk_xfer_derive(const char *passphrase, const unsigned char *salt,
    size_t salt_len, unsigned long long n, unsigned long long r,
    unsigned long long p, unsigned char key[HK_KEY_LEN]);

/* Adds <name nonce="...">...</name> sealing plain for where. */
xmlNodePtr hk_xfer_seal(xmlNodePtr parent, const char *name,
    const unsigned char key[HK_KEY_LEN], const char *where,
    const char *plain);
/* Opens the sealed element e for where.  The clear text (hk_free_secret),
 * or NULL when it is malformed or does not open (wrong passphrase, moved
 * or altered). */
char *hk_xfer_open(const xmlNode *e, const unsigned char key[HK_KEY_LEN],
    const char *where);

/* The place of a secret: "<kind>/<name>/<field>" (caller frees). */
char *hk_xfer_where(const char *kind, const char *name, const char *field);

/* Base64 of n bytes (caller frees); and the decoding of s into a new
 * buffer of *n_r bytes (NULL when s is not base64). */
char *hk_xfer_b64(const void *p, size_t n);
unsigned char *hk_xfer_unb64(const char *s, size_t *n_r);

#endif
