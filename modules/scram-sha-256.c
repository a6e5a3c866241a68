/* scram-sha-256.c - the SASL SCRAM-SHA-256 mechanism (RFC 7677, RFC 5802).
 *
 * Client-first, three messages, and the only shipped mechanism in which the
 * server proves it knows the password too: success is reported only after
 * the server's signature ("v=") has been verified.  No channel binding
 * (gs2 flag "n"; the -PLUS variant is not offered).  User names are sent
 * as given (escaping '=' and ','), without SASLprep normalisation, which
 * is the identity for ASCII.
 */
#include "config.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <hikyaku/authmod.h>

#include "modutil.h"

#define SCRAM_NONCE_BYTES 15			/* 20 base64 characters */
#define SCRAM_HASH_LEN 32
#define SCRAM_MSG_MAX 4096			/* longest server message */
#define SCRAM_SALT_MAX 512			/* decoded salt bytes */
#define SCRAM_ITER_MIN 4096			/* RFC 7677 §4 */
#define SCRAM_ITER_MAX 1000000			/* bounds the PBKDF2 work */

enum scram_phase { SCRAM_INIT, SCRAM_SENT_FIRST, SCRAM_SENT_FINAL,
	SCRAM_VERIFIED, SCRAM_ACKED };

struct scram_state {
	enum scram_phase phase;
	char nonce[HK_B64_LEN(SCRAM_NONCE_BYTES) + 1];
	struct hkm_buf out;		/* what act->data points to */
	struct hkm_buf first_bare;	/* client-first-message-bare */
	struct hkm_buf gs2;		/* gs2-header */
	unsigned char server_sig[SCRAM_HASH_LEN];
	char error[160];
};

/* Appends s with '=' and ',' escaped as RFC 5802 §5.1 requires. */
static int
add_saslname(struct hkm_buf *b, const char *s)
{
	for (; *s != '\0'; s++) {
		int rc;

		if (*s == '=')
			rc = hkm_buf_adds(b, "=3D");
		else if (*s == ',')
			rc = hkm_buf_adds(b, "=2C");
		else
			rc = hkm_buf_add(b, s, 1);
		if (rc < 0)
			return -1;
	}
	return 0;
}

static int
scram_start(struct scram_state *st, const struct hk_authmod_session *sess,
    struct hk_authmod_action *act)
{
	unsigned char raw[SCRAM_NONCE_BYTES];
	int bad;

	if (sess->user[0] == '\0' || sess->password[0] == '\0') {
		act->message = "SCRAM-SHA-256 needs a user name and a password";
		return HK_AUTHMOD_FAIL_CONFIG;
	}
	sess->svc->random(sess->svc->ctx, raw, sizeof(raw));
	hk_b64_encode(raw, sizeof(raw), st->nonce);
	sess->svc->wipe(raw, sizeof(raw));

	bad = hkm_buf_adds(&st->first_bare, "n=") < 0 ||
	    add_saslname(&st->first_bare, sess->user) < 0 ||
	    hkm_buf_adds(&st->first_bare, ",r=") < 0 ||
	    hkm_buf_adds(&st->first_bare, st->nonce) < 0;
	/* gs2-header: no channel binding, optional authzid. */
	bad = bad || hkm_buf_adds(&st->gs2, "n,") < 0;
	if (!bad && sess->authzid != NULL && sess->authzid[0] != '\0')
		bad = hkm_buf_adds(&st->gs2, "a=") < 0 ||
		    add_saslname(&st->gs2, sess->authzid) < 0;
	bad = bad || hkm_buf_adds(&st->gs2, ",") < 0 ||
	    hkm_buf_add(&st->out, st->gs2.p, st->gs2.len) < 0 ||
	    hkm_buf_add(&st->out, st->first_bare.p, st->first_bare.len) < 0;
	if (bad) {
		act->message = "out of memory";
		return HK_AUTHMOD_FAIL_INTERNAL;
	}
	st->phase = SCRAM_SENT_FIRST;
	act->data = st->out.p;
	act->len = st->out.len;
	return HK_AUTHMOD_SEND;
}

/* Splits off the next "x=value" attribute of msg[*pos..len). */
static int
next_attr(const unsigned char *msg, size_t len, size_t *pos, char *name,
    const unsigned char **val, size_t *val_len)
{
	size_t p = *pos, end;

	if (p + 2 > len || msg[p + 1] != '=')
		return -1;
	*name = (char)msg[p];
	for (end = p + 2; end < len && msg[end] != ','; end++)
		;
	*val = msg + p + 2;
	*val_len = end - p - 2;
	*pos = end < len ? end + 1 : end;
	return 0;
}

static int
printable_value(const unsigned char *p, size_t n)
{
	if (n == 0)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (p[i] < 0x21 || p[i] > 0x7e || p[i] == ',')
			return 0;
	return 1;
}

static int
hmac256(const void *key, size_t key_len, const void *p, size_t n,
    unsigned char out[SCRAM_HASH_LEN])
{
	unsigned int len = 0;

	return HMAC(EVP_sha256(), key, (int)key_len, p, n, out, &len) != NULL &&
	    len == SCRAM_HASH_LEN ? 0 : -1;
}

static int
scram_server_first(struct scram_state *st,
    const struct hk_authmod_session *sess, const struct hk_authmod_input *in,
    struct hk_authmod_action *act)
{
	const unsigned char *nonce, *salt64, *iter;
	size_t nonce_len, salt64_len, iter_len, pos = 0;
	unsigned char salt[SCRAM_SALT_MAX + 3];
	unsigned char salted[SCRAM_HASH_LEN], client_key[SCRAM_HASH_LEN];
	unsigned char stored_key[SCRAM_HASH_LEN], client_sig[SCRAM_HASH_LEN];
	unsigned char server_key[SCRAM_HASH_LEN], proof[SCRAM_HASH_LEN];
	char proof64[HK_B64_LEN(SCRAM_HASH_LEN) + 1];
	struct hkm_buf auth_msg = { NULL, 0, 0 };
	unsigned long iterations = 0;
	size_t final_bare_len;
	long salt_len;
	char name, *gs2_64;
	int bad, rc = HK_AUTHMOD_FAIL_PROTOCOL;

	if (in->len == 0 || in->len > SCRAM_MSG_MAX) {
		act->message = "the server's first SCRAM message is empty or too long";
		return HK_AUTHMOD_FAIL_PROTOCOL;
	}
	if (memchr(in->data, '\0', in->len) != NULL) {
		act->message = "the server's first SCRAM message contains a NUL byte";
		return HK_AUTHMOD_FAIL_PROTOCOL;
	}
	if (in->len >= 2 && in->data[0] == 'm' && in->data[1] == '=') {
		act->message = "the server requires a SCRAM extension we do not know";
		return HK_AUTHMOD_FAIL_PROTOCOL;
	}
	if (next_attr(in->data, in->len, &pos, &name, &nonce, &nonce_len) < 0 ||
	    name != 'r' ||
	    next_attr(in->data, in->len, &pos, &name, &salt64, &salt64_len) < 0 ||
	    name != 's' ||
	    next_attr(in->data, in->len, &pos, &name, &iter, &iter_len) < 0 ||
	    name != 'i') {
		act->message = "the server's first SCRAM message is not r=...,s=...,i=...";
		return HK_AUTHMOD_FAIL_PROTOCOL;
	}
	size_t ours = strlen(st->nonce);
	if (!printable_value(nonce, nonce_len) || nonce_len <= ours ||
	    memcmp(nonce, st->nonce, ours) != 0) {
		act->message = "the server's SCRAM nonce does not extend ours";
		return HK_AUTHMOD_FAIL_PROTOCOL;
	}
	if (salt64_len == 0 || salt64_len > HK_B64_LEN(SCRAM_SALT_MAX) ||
	    (salt_len = hk_b64_decode((const char *)salt64, salt64_len,
	    salt)) <= 0) {
		act->message = "the server's SCRAM salt is not valid base64";
		return HK_AUTHMOD_FAIL_PROTOCOL;
	}
	if (iter_len == 0 || iter_len > 9) {
		act->message = "the server's SCRAM iteration count is invalid";
		return HK_AUTHMOD_FAIL_PROTOCOL;
	}
	for (size_t i = 0; i < iter_len; i++) {
		if (iter[i] < '0' || iter[i] > '9') {
			act->message = "the server's SCRAM iteration count is invalid";
			return HK_AUTHMOD_FAIL_PROTOCOL;
		}
		iterations = iterations * 10 + (unsigned long)(iter[i] - '0');
	}
	if (iterations < SCRAM_ITER_MIN || iterations > SCRAM_ITER_MAX) {
		snprintf(st->error, sizeof(st->error),
		    "the server's SCRAM iteration count %lu is outside %d-%d",
		    iterations, SCRAM_ITER_MIN, SCRAM_ITER_MAX);
		act->message = st->error;
		return HK_AUTHMOD_FAIL_PROTOCOL;
	}

	/* client-final-message-without-proof ("c=" is the gs2 header in
	 * base64), then AuthMessage. */
	gs2_64 = malloc(HK_B64_LEN(st->gs2.len) + 1);
	if (gs2_64 == NULL) {
		act->message = "out of memory";
		return HK_AUTHMOD_FAIL_INTERNAL;
	}
	hk_b64_encode(st->gs2.p, st->gs2.len, gs2_64);
	hkm_buf_clear(&st->out);
	bad = hkm_buf_adds(&st->out, "c=") < 0 ||
	    hkm_buf_adds(&st->out, gs2_64) < 0;
	free(gs2_64);
	bad = bad || hkm_buf_adds(&st->out, ",r=") < 0 ||
	    hkm_buf_add(&st->out, nonce, nonce_len) < 0;
	final_bare_len = st->out.len;
	bad = bad || hkm_buf_add(&auth_msg, st->first_bare.p,
	    st->first_bare.len) < 0 ||
	    hkm_buf_add(&auth_msg, ",", 1) < 0 ||
	    hkm_buf_add(&auth_msg, in->data, in->len) < 0 ||
	    hkm_buf_add(&auth_msg, ",", 1) < 0 ||
	    hkm_buf_add(&auth_msg, st->out.p, final_bare_len) < 0;
	if (bad) {
		act->message = "out of memory";
		rc = HK_AUTHMOD_FAIL_INTERNAL;
		goto out;
	}

	rc = HK_AUTHMOD_FAIL_INTERNAL;
	act->message = "a SCRAM-SHA-256 computation failed";
	if (PKCS5_PBKDF2_HMAC(sess->password, (int)strlen(sess->password),
	    salt, (int)salt_len, (int)iterations, EVP_sha256(),
	    SCRAM_HASH_LEN, salted) != 1 ||
	    hmac256(salted, sizeof(salted), "Client Key", 10, client_key) < 0 ||
	    EVP_Digest(client_key, sizeof(client_key), stored_key, NULL,
	    EVP_sha256(), NULL) != 1 ||
	    hmac256(stored_key, sizeof(stored_key), auth_msg.p, auth_msg.len,
	    client_sig) < 0 ||
	    hmac256(salted, sizeof(salted), "Server Key", 10, server_key) < 0 ||
	    hmac256(server_key, sizeof(server_key), auth_msg.p, auth_msg.len,
	    st->server_sig) < 0)
		goto out;
	for (size_t i = 0; i < SCRAM_HASH_LEN; i++)
		proof[i] = client_key[i] ^ client_sig[i];
	hk_b64_encode(proof, sizeof(proof), proof64);
	if (hkm_buf_adds(&st->out, ",p=") < 0 ||
	    hkm_buf_adds(&st->out, proof64) < 0) {
		act->message = "out of memory";
		goto out;
	}
	act->message = NULL;
	act->data = st->out.p;
	act->len = st->out.len;
	st->phase = SCRAM_SENT_FINAL;
	rc = HK_AUTHMOD_SEND;
out:
	sess->svc->wipe(salted, sizeof(salted));
	sess->svc->wipe(client_key, sizeof(client_key));
	sess->svc->wipe(stored_key, sizeof(stored_key));
	sess->svc->wipe(client_sig, sizeof(client_sig));
	sess->svc->wipe(server_key, sizeof(server_key));
	sess->svc->wipe(proof, sizeof(proof));
	sess->svc->wipe(proof64, sizeof(proof64));
	hkm_buf_free(&auth_msg);
	return rc;
}

static int
scram_server_final(struct scram_state *st,
    const struct hk_authmod_session *sess, const struct hk_authmod_input *in,
    struct hk_authmod_action *act)
{
	const unsigned char *val;
	size_t val_len, pos = 0;
	unsigned char sig[SCRAM_HASH_LEN + 3];
	char name;

	if (in->len == 0 || in->len > SCRAM_MSG_MAX ||
	    memchr(in->data, '\0', in->len) != NULL ||
	    next_attr(in->data, in->len, &pos, &name, &val, &val_len) < 0 ||
	    (name != 'v' && name != 'e')) {
		act->message = "the server's final SCRAM message is not v=... or e=...";
		return HK_AUTHMOD_FAIL_PROTOCOL;
	}
	if (name == 'e') {
		size_t n = val_len < 80 ? val_len : 80;

		for (size_t i = 0; i < n; i++)
			if (val[i] < 0x20 || val[i] > 0x7e)
				n = i;
		snprintf(st->error, sizeof(st->error),
		    "the server refused SCRAM authentication: %.*s", (int)n,
		    (const char *)val);
		act->message = st->error;
		return HK_AUTHMOD_FAIL_AUTH;
	}
	if (val_len != HK_B64_LEN(SCRAM_HASH_LEN) ||
	    hk_b64_decode((const char *)val, val_len, sig) != SCRAM_HASH_LEN ||
	    CRYPTO_memcmp(sig, st->server_sig, SCRAM_HASH_LEN) != 0) {
		act->message = "the server's SCRAM signature is wrong: it does not know the password (or someone is in the middle)";
		return HK_AUTHMOD_FAIL_AUTH;
	}
	st->phase = SCRAM_VERIFIED;
	/* The empty response that lets the server send its final reply. */
	hkm_buf_clear(&st->out);
	act->data = (const unsigned char *)"";
	act->len = 0;
	return HK_AUTHMOD_SEND;
}

static int
scram_step(void *state, const struct hk_authmod_session *sess,
    const struct hk_authmod_input *in, struct hk_authmod_action *act)
{
	struct scram_state *st = state;

	switch (in->event) {
	case HK_AUTHMOD_EV_START:
		return scram_start(st, sess, act);
	case HK_AUTHMOD_EV_CHALLENGE:
		if (st->phase == SCRAM_SENT_FIRST)
			return scram_server_first(st, sess, in, act);
		if (st->phase == SCRAM_SENT_FINAL)
			return scram_server_final(st, sess, in, act);
		act->message = "the server sent too many SCRAM challenges";
		return HK_AUTHMOD_FAIL_PROTOCOL;
	case HK_AUTHMOD_EV_REPLY:
		if (!in->ok) {
			act->message = "the server refused the user name or password";
			return HK_AUTHMOD_FAIL_AUTH;
		}
		if (st->phase != SCRAM_VERIFIED) {
			act->message = "the server reported success without proving it knows the password";
			return HK_AUTHMOD_FAIL_AUTH;
		}
		st->phase = SCRAM_ACKED;
		return HK_AUTHMOD_DONE;
	default:
		act->message = "unexpected event for SCRAM-SHA-256";
		return HK_AUTHMOD_FAIL_INTERNAL;
	}
}

static void
scram_cleanup(void *state, const struct hk_authmod_session *sess)
{
	struct scram_state *st = state;

	hkm_buf_free(&st->out);
	hkm_buf_free(&st->first_bare);
	hkm_buf_free(&st->gs2);
	sess->svc->wipe(st->server_sig, sizeof(st->server_sig));
}

static const struct hk_authmod scram_module = {
	HK_AUTHMOD_HEADER,
	.name = "scram-sha-256",
	.title = "SCRAM-SHA-256 (RFC 7677; the server proves it knows the password)",
	.kind = HK_AUTHMOD_KIND_SASL,
	.protocols = HK_AUTHMOD_PROTO_SMTP | HK_AUTHMOD_PROTO_POP3 |
	    HK_AUTHMOD_PROTO_IMAP,
	.sasl_name = "SCRAM-SHA-256",
	.state_size = sizeof(struct scram_state),
	.step = scram_step,
	.cleanup = scram_cleanup,
};

const struct hk_authmod *
HK_AUTHMOD_ENTRY(void)
{
	return &scram_module;
}
