/* authsess-private.h - the inside of a module session, shared by the
 * session code (authsess.c) and the driver that runs it (authrun.c); not
 * for anyone else. */
#ifndef HK_AUTHSESS_PRIVATE_H
#define HK_AUTHSESS_PRIVATE_H

#include "buf.h"
#include "modload.h"

/* Most events one session may take: the longest shipped one takes 6. */
#define SESS_STEPS_MAX 64
/* Longest wait a PRESEND module may ask for, in seconds. */
#define WAIT_MAX 300

struct hk_authsess {
	const struct hk_authmod *mod;
	struct hk_authmod_services svc;
	struct hk_authmod_session sess;
	char *user, *password, *authzid, *host;
	struct hk_auth_opt *opts;
	size_t n_opts;
	void (*random)(void *ctx, void *p, size_t n);
	void *random_ctx;
	void *state;
	struct hk_buf input;	/* NUL-terminated copy of the last input */
	int started, finished, steps;
};

#endif
