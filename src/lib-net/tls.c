/* tls.c - OpenSSL client sessions as a layer on net.h connections: once
 * the handshake starts, the connection's reads and writes go through
 * tls_ops below.  net.c knows nothing of this file. */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "log.h"
#include "mem.h"
#include "tls.h"

/* One context per process, made on first use (after fork in the worker,
 * and never shared across processes' OpenSSL state in a harmful way:
 * the context is read-only once built). */
static SSL_CTX *tls_ctx;
/* The extra trust anchors of ca_file, read at start-up; NULL: none. */
static X509_STORE *extra_anchors;

static enum hk_net_rc tls_read(struct hk_conn *c, void *p, size_t len,
    size_t *got);
static enum hk_net_rc tls_write(struct hk_conn *c, const void *p,
    size_t len);
static void tls_close(struct hk_conn *c);

static const struct hk_conn_ops tls_ops = {
	.name = "tls",
	.read = tls_read,
	.write = tls_write,
	.close = tls_close,
};

static SSL_CTX *
ctx_get(void)
{
	if (tls_ctx != NULL)
		return tls_ctx;
	tls_ctx = SSL_CTX_new(TLS_client_method());
	if (tls_ctx == NULL)
		return NULL;
	SSL_CTX_set_min_proto_version(tls_ctx, TLS1_2_VERSION);
	SSL_CTX_set_options(tls_ctx, SSL_OP_NO_COMPRESSION |
	    SSL_OP_NO_RENEGOTIATION);
	SSL_CTX_set_mode(tls_ctx, SSL_MODE_ENABLE_PARTIAL_WRITE |
	    SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
	if (SSL_CTX_set_default_verify_paths(tls_ctx) != 1)
		hk_warn("TLS: cannot load the system CA store");
	if (extra_anchors != NULL) {
		X509_STORE *store = SSL_CTX_get_cert_store(tls_ctx);
		STACK_OF(X509_OBJECT) *objs = X509_STORE_get0_objects(extra_anchors);

		for (int i = 0; i < sk_X509_OBJECT_num(objs); i++) {
			X509 *x = X509_OBJECT_get0_X509(sk_X509_OBJECT_value(objs, i));

			if (x != NULL)
				(void)X509_STORE_add_cert(store, x);
		}
	}
	/* We verify ourselves after the handshake (see tls.h): the
	 * handshake must finish for the certificate to be described. */
	SSL_CTX_set_verify(tls_ctx, SSL_VERIFY_NONE, NULL);
	return tls_ctx;
}

int
hk_tls_trust_file(const char *path, char **err_r)
{
	X509_STORE *store = X509_STORE_new();

	*err_r = NULL;
	if (store == NULL || X509_STORE_load_file(store, path) != 1 ||
	    sk_X509_OBJECT_num(X509_STORE_get0_objects(store)) == 0) {
		*err_r = hk_aprintf("ca_file %s: no PEM certificate could be "
		    "read from it", path);
		X509_STORE_free(store);
		ERR_clear_error();
		return -1;
	}
	X509_STORE_free(extra_anchors);
	extra_anchors = store;
	return 0;
}

enum hk_tls_verify_kind
hk_tls_verify_kind(int e)
{
	switch (e) {
	case X509_V_OK:
		return HK_TLS_VERIFY_OK;
	case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
	case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
	case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
	case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
	case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
	case X509_V_ERR_CERT_UNTRUSTED:
	case X509_V_ERR_INVALID_CA:
		return HK_TLS_VERIFY_UNTRUSTED;
	case X509_V_ERR_HOSTNAME_MISMATCH:
	case X509_V_ERR_IP_ADDRESS_MISMATCH:
	case X509_V_ERR_EMAIL_MISMATCH:
		return HK_TLS_VERIFY_NAME;
	case X509_V_ERR_CERT_HAS_EXPIRED:
	case X509_V_ERR_CERT_NOT_YET_VALID:
		return HK_TLS_VERIFY_EXPIRED;
	default:
		return HK_TLS_VERIFY_OTHER;
	}
}

/* The OpenSSL error queue as one line (and emptied). */
static void
err_text(char *out, size_t outlen)
{
	unsigned long e = ERR_get_error();

	if (e == 0)
		snprintf(out, outlen, "no detail");
	else
		ERR_error_string_n(e, out, outlen);
	ERR_clear_error();
}

static void
name_line(X509_NAME *n, char *out, size_t outlen)
{
	BIO *b = BIO_new(BIO_s_mem());
	char *p;
	long len;

	out[0] = '\0';
	if (b == NULL)
		return;
	X509_NAME_print_ex(b, n, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB);
	len = BIO_get_mem_data(b, &p);
	if (len > 0)
		snprintf(out, outlen, "%.*s", (int)len, p);
	BIO_free(b);
}

static void
cert_info(SSL *ssl, struct hk_tls_info *info)
{
	X509 *cert = SSL_get1_peer_certificate(ssl);
	const ASN1_TIME *na;
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	struct tm tm;
	long vr;

	snprintf(info->version, sizeof(info->version), "%s",
	    SSL_get_version(ssl));
	snprintf(info->cipher, sizeof(info->cipher), "%s",
	    SSL_get_cipher_name(ssl) ? SSL_get_cipher_name(ssl) : "");
	vr = SSL_get_verify_result(ssl);
	if (cert == NULL) {
		info->verify_error = X509_V_ERR_UNSPECIFIED;
		snprintf(info->verify_text, sizeof(info->verify_text),
		    "the server sent no certificate");
		return;
	}
	info->have_cert = true;
	name_line(X509_get_subject_name(cert), info->subject,
	    sizeof(info->subject));
	name_line(X509_get_issuer_name(cert), info->issuer, sizeof(info->issuer));
	na = X509_get0_notAfter(cert);
	memset(&tm, 0, sizeof(tm));
	if (na != NULL && ASN1_TIME_to_tm(na, &tm) == 1)
		strftime(info->not_after, sizeof(info->not_after),
		    "%Y-%m-%dT%H:%M:%SZ", &tm);
	if (X509_digest(cert, EVP_sha256(), md, &mdlen) == 1) {
		size_t o = 0;

		for (unsigned int i = 0; i < mdlen &&
		    o + 3 < sizeof(info->sha256); i++)
			o += (size_t)snprintf(info->sha256 + o,
			    sizeof(info->sha256) - o, "%s%02X", i ? ":" : "",
			    md[i]);
	}
	info->verify_error = (int)vr;
	info->verified = vr == X509_V_OK;
	snprintf(info->verify_text, sizeof(info->verify_text), "%s",
	    X509_verify_cert_error_string(vr));
	X509_free(cert);
}

enum hk_net_rc
hk_tls_start(struct hk_conn *c, const char *host, bool verify,
    struct hk_tls_info *info)
{
	struct hk_tls_info dummy;
	SSL_CTX *ctx;
	SSL *ssl;
	char h[256], err[256];
	enum hk_net_rc rc;
	int r;

	if (info == NULL)
		info = &dummy;
	memset(info, 0, sizeof(*info));
	if (c->fd < 0)
		return hk_conn_fail(c, HK_NET_CLOSED, "the connection is closed");
	if (host == NULL || *host == '\0' ||
	    hk_net_strip_brackets(host, h, sizeof(h)) < 0)
		return hk_conn_fail(c, HK_NET_TLS, "invalid host name for TLS");
	if ((ctx = ctx_get()) == NULL || (ssl = SSL_new(ctx)) == NULL) {
		err_text(err, sizeof(err));
		return hk_conn_fail(c, HK_NET_TLS, "TLS set-up failed: %s", err);
	}
	/* From here on the connection owns ssl (freed by hk_conn_close);
	 * whatever arrived in plain text before the handshake (after
	 * STARTTLS) is dropped, not read as if it came over TLS. */
	hk_conn_push_layer(c, &tls_ops, ssl);
	SSL_set_fd(ssl, c->fd);
	if (hk_net_is_ip_literal(h)) {
		X509_VERIFY_PARAM *vp = SSL_get0_param(ssl);

		if (X509_VERIFY_PARAM_set1_ip_asc(vp, h) != 1)
			return hk_conn_fail(c, HK_NET_TLS, "invalid IP address");
	} else {
		SSL_set_hostflags(ssl, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
		if (SSL_set1_host(ssl, h) != 1 ||
		    SSL_set_tlsext_host_name(ssl, h) != 1)
			return hk_conn_fail(c, HK_NET_TLS, "invalid host name");
	}
	ERR_clear_error();
	for (;;) {
		r = SSL_connect(ssl);
		if (r == 1)
			break;
		switch (SSL_get_error(ssl, r)) {
		case SSL_ERROR_WANT_READ:
			if ((rc = hk_conn_wait(c, false)) != HK_NET_OK)
				return rc;
			continue;
		case SSL_ERROR_WANT_WRITE:
			if ((rc = hk_conn_wait(c, true)) != HK_NET_OK)
				return rc;
			continue;
		case SSL_ERROR_ZERO_RETURN:
			return hk_conn_fail(c, HK_NET_CLOSED,
			    "the server closed the connection during the TLS handshake");
		case SSL_ERROR_SYSCALL:
			if (ERR_peek_error() == 0) {
				ERR_clear_error();
				return hk_conn_fail(c, HK_NET_CLOSED,
				    "the server closed the connection during the TLS handshake");
			}
			/* fall through */
		default: {
			unsigned long e = ERR_peek_error();
			int reason = ERR_GET_REASON(e);

			err_text(err, sizeof(err));
			if (reason == SSL_R_WRONG_VERSION_NUMBER ||
			    reason == SSL_R_PACKET_LENGTH_TOO_LONG ||
			    reason == SSL_R_UNKNOWN_PROTOCOL)
				return hk_conn_fail(c, HK_NET_TLS_PLAIN,
				    "the server did not answer in TLS (%s)", err);
			return hk_conn_fail(c, HK_NET_TLS,
			    "TLS handshake failed: %s", err);
		}
		}
	}
	cert_info(ssl, info);
	if (verify && !info->verified)
		return hk_conn_fail(c, HK_NET_TLS_VERIFY,
		    "certificate refused: %s", info->verify_text);
	return HK_NET_OK;
}

static enum hk_net_rc
tls_read(struct hk_conn *c, void *p, size_t len, size_t *got)
{
	SSL *ssl = c->layer;
	enum hk_net_rc rc;
	char err[256];
	int r;

	*got = 0;
	for (;;) {
		ERR_clear_error();
		r = SSL_read_ex(ssl, p, len, got);
		if (r == 1)
			return HK_NET_OK;
		switch (SSL_get_error(ssl, 0)) {
		case SSL_ERROR_WANT_READ:
			if ((rc = hk_conn_wait(c, false)) != HK_NET_OK)
				return rc;
			continue;
		case SSL_ERROR_WANT_WRITE:
			if ((rc = hk_conn_wait(c, true)) != HK_NET_OK)
				return rc;
			continue;
		case SSL_ERROR_ZERO_RETURN:
			return hk_conn_fail(c, HK_NET_CLOSED,
			    "the server closed the TLS connection");
		case SSL_ERROR_SYSCALL:
			if (ERR_peek_error() == 0) {
				ERR_clear_error();
				return hk_conn_fail(c, HK_NET_CLOSED,
				    "the server closed the connection");
			}
			/* fall through */
		default:
			err_text(err, sizeof(err));
			return hk_conn_fail(c, HK_NET_TLS, "TLS read: %s", err);
		}
	}
}

static enum hk_net_rc
tls_write(struct hk_conn *c, const void *p, size_t len)
{
	const char *s = p;
	SSL *ssl = c->layer;
	enum hk_net_rc rc;
	char err[256];
	size_t done;

	while (len > 0) {
		ERR_clear_error();
		if (SSL_write_ex(ssl, s, len, &done) == 1) {
			s += done;
			len -= done;
			continue;
		}
		switch (SSL_get_error(ssl, 0)) {
		case SSL_ERROR_WANT_READ:
			if ((rc = hk_conn_wait(c, false)) != HK_NET_OK)
				return rc;
			continue;
		case SSL_ERROR_WANT_WRITE:
			if ((rc = hk_conn_wait(c, true)) != HK_NET_OK)
				return rc;
			continue;
		case SSL_ERROR_ZERO_RETURN:
			return hk_conn_fail(c, HK_NET_CLOSED,
			    "the server closed the TLS connection");
		default:
			err_text(err, sizeof(err));
			return hk_conn_fail(c, HK_NET_TLS, "TLS write: %s", err);
		}
	}
	return HK_NET_OK;
}

static void
tls_close(struct hk_conn *c)
{
	SSL *ssl = c->layer;

	if (ssl == NULL)
		return;
	/* One close_notify, no waiting for the peer's. */
	(void)SSL_shutdown(ssl);
	SSL_free(ssl);
	c->layer = NULL;
	ERR_clear_error();
}
