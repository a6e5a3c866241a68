/* brokenmod.c - modules the loader must refuse, one per BROKEN_* switch
 * (see tests/unit/modules.mk), and one that loads but misbehaves at run
 * time (GOOD_MISBEHAVES) for the session checks. */
#include "config.h"

#include <stddef.h>

#include <hikyaku/authmod.h>

static int
broken_step(void *state, const struct hk_authmod_session *sess,
    const struct hk_authmod_input *in, struct hk_authmod_action *act)
{
#ifdef GOOD_MISBEHAVES
	/* Each event gets a different wrong answer; state counts calls. */
	int *calls = state;

	switch (in->event) {
	case HK_AUTHMOD_EV_START:
		if (sess->user[0] == 'e') {	/* an empty initial response */
			act->data = (const unsigned char *)"";
			act->len = 0;
			return HK_AUTHMOD_SEND;
		}
		return HK_AUTHMOD_EXPECT;
	case HK_AUTHMOD_EV_CHALLENGE:
		if (in->len == 1 && in->data[0] == 'n') {
			act->data = NULL;	/* SEND without data */
			act->len = 5;
			return HK_AUTHMOD_SEND;
		}
		if (in->len == 1 && in->data[0] == 'w')
			return HK_AUTHMOD_WAIT;	/* not pre-send */
		if (in->len == 1 && in->data[0] == 'f')
			return HK_AUTHMOD_FAIL_AUTH;	/* no message */
		if (in->len == 1 && in->data[0] == 'u')
			return 4242;
		(*calls)++;
		(void)sess;
		act->data = (const unsigned char *)"again";
		act->len = 5;
		return HK_AUTHMOD_SEND;		/* forever */
	default:
		return HK_AUTHMOD_DONE;
	}
#else
	(void)state; (void)sess; (void)in; (void)act;
	return HK_AUTHMOD_DONE;
#endif
}

#if defined(BROKEN_UNDEF)
/* Resolved nowhere: dlopen(RTLD_NOW) must fail. */
extern int hk_no_such_symbol_anywhere(void);
#endif

static const struct hk_authmod broken_module __attribute__((unused)) = {
#if defined(BROKEN_MAJOR)
	.abi_major = HK_AUTHMOD_ABI_MAJOR + 1,
	.abi_minor = 0,
	.size = sizeof(struct hk_authmod),
#elif defined(BROKEN_MINOR)
	.abi_major = HK_AUTHMOD_ABI_MAJOR,
	.abi_minor = HK_AUTHMOD_ABI_MINOR + 7,
	.size = sizeof(struct hk_authmod),
#elif defined(BROKEN_SIZE)
	.abi_major = HK_AUTHMOD_ABI_MAJOR,
	.abi_minor = HK_AUTHMOD_ABI_MINOR,
	.size = 16,
#else
	HK_AUTHMOD_HEADER,
#endif
#if defined(BROKEN_DUP)
	.name = "plain",		/* taken by the shipped module */
#elif defined(BROKEN_NAME)
	.name = "Bad Name",
#elif defined(GOOD_MISBEHAVES)
	.name = "zz-misbehaves",
#else
	.name = "broken",
#endif
	.title = "a module for the loader tests",
	.kind = HK_AUTHMOD_KIND_SASL,
	.protocols = HK_AUTHMOD_PROTO_SMTP,
	.sasl_name = "X-BROKEN",
	.state_size = sizeof(int),
	.step = broken_step,
	.cleanup = NULL,
};

#if defined(BROKEN_NOSYM)
/* Exports something, but not the entry point. */
HK_AUTHMOD_EXPORT const struct hk_authmod *not_the_entry(void);
HK_AUTHMOD_EXPORT const struct hk_authmod *
not_the_entry(void)
{
	return &broken_module;
}
#else
const struct hk_authmod *
HK_AUTHMOD_ENTRY(void)
{
#if defined(BROKEN_NULL)
	return NULL;
#elif defined(BROKEN_UNDEF)
	return hk_no_such_symbol_anywhere() ? &broken_module : NULL;
#else
	return &broken_module;
#endif
}
#endif
