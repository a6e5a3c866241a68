/* refusal.c - what an SMTP refusal means (refusal.h). */
#include "config.h"

#include <string.h>

#include "buf.h"
#include "refusal.h"

/* The subject of the reply's enhanced status code ("5.7.1" gives 7;
 * RFC 3463: class "." 1-3 digits "." 1-3 digits), or -1 when the text
 * does not start with one. */
static int
enhanced_subject(const struct hk_smtp_reply *r)
{
	const char *t = hk_buf_str(&r->text);
	int subject = 0;
	size_t i = 2;

	if ((t[0] != '2' && t[0] != '4' && t[0] != '5') || t[1] != '.')
		return -1;
	while (i < 5 && t[i] >= '0' && t[i] <= '9')
		subject = subject * 10 + (t[i++] - '0');
	if (i == 2 || t[i] != '.' || t[i + 1] < '0' || t[i + 1] > '9')
		return -1;
	return subject;
}

enum hk_refusal
hk_refusal_of(const struct hk_smtp_reply *r, enum hk_smtp_step step)
{
	const char *t = hk_buf_str(&r->text);
	int subject = enhanced_subject(r);

	if (r->code == 552 || strncmp(t, "5.3.4", 5) == 0)
		return HK_REFUSED_SIZE;
	if (r->code == 530 || r->code == 535 || subject == 7)
		return HK_REFUSED_POLICY;
	/* Without an enhanced status code a permanent refusal of the sender
	 * or a recipient cannot be told from a relay denial, which servers
	 * often send as a bare "550 relay not permitted": say policy.  With
	 * one, x.1.x (an address the server does not know) and the rest
	 * are not about who we are. */
	if (r->code / 100 == 5 && step != HK_SMTP_AT_DATA && subject < 0)
		return HK_REFUSED_POLICY;
	return HK_REFUSED_OTHER;
}

int
hk_refusal_exit(enum hk_refusal k)
{
	switch (k) {
	case HK_REFUSED_SIZE:
		return 3;
	case HK_REFUSED_POLICY:
		return 4;
	default:
		return 5;
	}
}

bool
hk_refusal_auth_unavailable(const struct hk_smtp_caps *caps,
    const char *last_reply)
{
	if (caps->auth || last_reply == NULL)
		return false;
	return strncmp(last_reply, "500", 3) == 0 ||
	    strncmp(last_reply, "502", 3) == 0 ||
	    strncmp(last_reply, "503", 3) == 0 ||
	    strncmp(last_reply, "504", 3) == 0;
}
