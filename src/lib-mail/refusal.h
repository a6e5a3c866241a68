/* refusal.h - what an SMTP server's refusal means, one rule for sending
 * (send.c) and for the connection test (conntest.c), so that the same
 * reply gives the same exit status and words in both (docs/PROTOCOLS.md,
 * "Refusals").
 *
 * Pure functions on replies the caller owns; nothing allocates.
 */
#ifndef HK_REFUSAL_H
#define HK_REFUSAL_H

#include <stdbool.h>

#include "smtp.h"

/* The command a reply answered. */
enum hk_smtp_step {
	HK_SMTP_AT_MAIL,	/* MAIL FROM */
	HK_SMTP_AT_RCPT,	/* RCPT TO */
	HK_SMTP_AT_DATA,	/* the end of DATA */
};

enum hk_refusal {
	/* 552 or x.3.4: the message's size (exit 3). */
	HK_REFUSED_SIZE,
	/* Who we are or whom we may write to: 530/535, any x.7.x, and at
	 * MAIL FROM or RCPT TO a permanent (5xx) refusal without an enhanced
	 * status code ("550 relay not permitted", "550 Invalid recipient"),
	 * which cannot be told from a relay denial (exit 4). */
	HK_REFUSED_POLICY,
	/* Anything else, e.g. "550 5.1.1 user unknown", a temporary 451, or
	 * a 554 at DATA without a policy code (exit 5). */
	HK_REFUSED_OTHER,
};

/* What the refusal r (code 400..599) at step means. */
enum hk_refusal hk_refusal_of(const struct hk_smtp_reply *r,
    enum hk_smtp_step step);
/* hikyakuctl's exit status for it: 3, 4 or 5. */
int hk_refusal_exit(enum hk_refusal k);

/* True when AUTH failed because the server offers no authentication on
 * this connection: its EHLO listed no AUTH and it answered AUTH with 500,
 * 502, 503 or 504 ("command not supported").  Many servers offer AUTH
 * only after STARTTLS, so the fault is the security setting, not the
 * password.  last_reply is the server's last reply line ("503 5.5.1 ..."). */
bool hk_refusal_auth_unavailable(const struct hk_smtp_caps *caps,
    const char *last_reply);

#endif
