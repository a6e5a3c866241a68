/* tls.h - TLS on a connection (net.h) through OpenSSL: implicit TLS and
 * the handshake after STARTTLS/STLS.  TLS is a layer: hk_tls_start
 * installs its read/write/close operations on the connection, and
 * hk_conn_close frees the session.
 *
 * Policy (docs/PROTOCOLS.md): TLS 1.2 or newer; the system CA store (OpenSSL's
 * default paths, so SSL_CERT_FILE / SSL_CERT_DIR apply); the chain and the
 * host name verified unless verification is off for that server; a host
 * given as an IP literal is checked against the certificate's IP SANs;
 * SNI is sent for DNS names only.  The handshake always completes far
 * enough to read the certificate, so that a refused one can still be
 * described (subject, issuer, expiry, SHA-256 fingerprint); nothing is
 * sent over a connection whose certificate was refused.
 */
#ifndef HK_TLS_H
#define HK_TLS_H

#include <stdbool.h>
#include <stddef.h>

#include "net.h"

/* What the connection test reports of a TLS session. */
struct hk_tls_info {
	char version[16];	/* "TLSv1.3" */
	char cipher[64];
	char subject[256];	/* RFC 2253 one-line form */
	char issuer[256];
	char not_after[32];	/* ISO 8601 UTC, "2027-11-27T21:47:39Z" */
	char sha256[96];	/* "AB:CD:..." (32 bytes) */
	bool have_cert;
	bool verified;		/* chain and name checked and good */
	int verify_error;	/* X509_V_ERR_*, 0 when good */
	char verify_text[128];	/* X509_verify_cert_error_string */
};

/* Why a certificate was refused, coarsely, for explanations. */
enum hk_tls_verify_kind {
	HK_TLS_VERIFY_OK = 0,
	HK_TLS_VERIFY_UNTRUSTED,	/* self-signed, unknown issuer */
	HK_TLS_VERIFY_NAME,		/* the name or IP does not match */
	HK_TLS_VERIFY_EXPIRED,		/* expired or not yet valid */
	HK_TLS_VERIFY_OTHER
};
enum hk_tls_verify_kind hk_tls_verify_kind(int verify_error);

/* Adds the CA certificates of the PEM file path (hikyaku.conf ca_file)
 * to the trust anchors of every later handshake, beside the system's
 * store, never instead of it.  Call once at start-up, before the first
 * hk_tls_start.  The file is read now, so a bad one is found at start:
 * 0, or -1 with *err_r set (caller frees). */
int hk_tls_trust_file(const char *path, char **err_r);

/* Runs the TLS handshake on c's connected socket for host (as
 * configured: a DNS name or an IP literal, brackets allowed).  Fills
 * *info (may be NULL) as far as the handshake got.  Returns HK_NET_OK,
 * HK_NET_TLS_VERIFY when verify is on and the certificate was refused,
 * HK_NET_TLS_PLAIN when the server answered in plain text, HK_NET_TLS for
 * other handshake failures, or a network error. */
enum hk_net_rc hk_tls_start(struct hk_conn *c, const char *host, bool verify,
    struct hk_tls_info *info);

#endif
