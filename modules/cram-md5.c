/* cram-md5.c - the SASL CRAM-MD5 mechanism (RFC 2195).
 *
 * Server-first: the server's challenge is a msg-id such as
 * "<1896.697170952@postoffice.reston.mci.net>"; the response is the user
 * name, a space, and HMAC-MD5 keyed with the password over the challenge
 * in lower-case hex.  Historic (RFC 2195 is obsolete and Cyrus SASL
 * dropped it) but still what many servers offer.
 */
#include "config.h"

#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <hikyaku/authmod.h>

#include "modutil.h"

/* A challenge is a short msg-id; anything much longer is hostile. */
#define CRAM_CHALLENGE_MAX 1024

struct cram_state {
	struct hkm_buf resp;
	int answered;
};

static int
cram_challenge_ok(const unsigned char *p, size_t n)
{
	if (n == 0 || n > CRAM_CHALLENGE_MAX)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (p[i] < 0x20 || p[i] >= 0x7f)
			return 0;
	return 1;
}

static int
cram_step(void *state, const struct hk_authmod_session *sess,
    const struct hk_authmod_input *in, struct hk_authmod_action *act)
{
	struct cram_state *st = state;
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int md_len = 0;
	char hex[2 * 16 + 1];
	int rc;

	switch (in->event) {
	case HK_AUTHMOD_EV_START:
		if (sess->user[0] == '\0') {
			act->message = "CRAM-MD5 needs a user name";
			return HK_AUTHMOD_FAIL_CONFIG;
		}
		return HK_AUTHMOD_EXPECT;
	case HK_AUTHMOD_EV_CHALLENGE:
		if (st->answered) {
			act->message = "the server sent a second CRAM-MD5 challenge";
			return HK_AUTHMOD_FAIL_PROTOCOL;
		}
		if (!cram_challenge_ok(in->data, in->len)) {
			act->message = in->len == 0 ?
			    "the server's CRAM-MD5 challenge is empty" :
			    "the server's CRAM-MD5 challenge is not printable text of at most 1024 bytes";
			return HK_AUTHMOD_FAIL_PROTOCOL;
		}
		st->answered = 1;
		if (HMAC(EVP_md5(), sess->password, (int)strlen(sess->password),
		    in->data, in->len, md, &md_len) == NULL || md_len != 16) {
			act->message = "HMAC-MD5 failed";
			return HK_AUTHMOD_FAIL_INTERNAL;
		}
		hk_hex(md, 16, hex);
		rc = HK_AUTHMOD_SEND;
		if (hkm_buf_adds(&st->resp, sess->user) < 0 ||
		    hkm_buf_add(&st->resp, " ", 1) < 0 ||
		    hkm_buf_adds(&st->resp, hex) < 0) {
			act->message = "out of memory";
			rc = HK_AUTHMOD_FAIL_INTERNAL;
		} else {
			act->data = st->resp.p;
			act->len = st->resp.len;
		}
		sess->svc->wipe(md, sizeof(md));
		sess->svc->wipe(hex, sizeof(hex));
		return rc;
	case HK_AUTHMOD_EV_REPLY:
		hkm_buf_free(&st->resp);
		if (!in->ok) {
			act->message = "the server refused the user name or password";
			return HK_AUTHMOD_FAIL_AUTH;
		}
		if (!st->answered) {
			act->message = "the server accepted CRAM-MD5 without a challenge";
			return HK_AUTHMOD_FAIL_PROTOCOL;
		}
		return HK_AUTHMOD_DONE;
	default:
		act->message = "unexpected event for CRAM-MD5";
		return HK_AUTHMOD_FAIL_INTERNAL;
	}
}

static void
cram_cleanup(void *state, const struct hk_authmod_session *sess)
{
	struct cram_state *st = state;

	hkm_buf_free(&st->resp);
}

static const struct hk_authmod cram_module = {
	HK_AUTHMOD_HEADER,
	.name = "cram-md5",
	.title = "CRAM-MD5 (RFC 2195; historic)",
	.kind = HK_AUTHMOD_KIND_SASL,
	.protocols = HK_AUTHMOD_PROTO_SMTP | HK_AUTHMOD_PROTO_POP3 |
	    HK_AUTHMOD_PROTO_IMAP,
	.sasl_name = "CRAM-MD5",
	.state_size = sizeof(struct cram_state),
	.step = cram_step,
	.cleanup = cram_cleanup,
};

const struct hk_authmod *
HK_AUTHMOD_ENTRY(void)
{
	return &cram_module;
}
