/* oauth2-device.c - device authorization (RFC 8628): the code the user
 * types in elsewhere, and the polling of the token endpoint meanwhile. */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <time.h>

#include "oauth2-private.h"

#define DEVICE_GRANT "urn:ietf:params:oauth:grant-type:device_code"

enum hk_oauth2_status
hk_oauth2_device_start(const struct hk_oauth2_client *c, const char *scope,
    struct hk_oauth2_device *d, struct hk_oauth2_error *err)
{
	struct hk_buf form, body = HK_BUF_INIT;
	time_t now = time(NULL);
	enum hk_oauth2_status st;
	long status;

	hk_oauth2_device_free(d);
	if ((st = hk_oauth2_check_client(c, c->device_url,
	    "device authorization", err)) != HK_OAUTH2_OK)
		return st;
	hk_buf_init(&form, 0, HK_BUF_SECRET);
	hk_oauth2_form_add(&form, "scope", scope);
	hk_oauth2_form_client(&form, c);
	st = hk_oauth2_post(c, c->device_url, &form, &status, &body, err);
	if (st == HK_OAUTH2_OK)
		st = hk_oauth2_parse_device(status, hk_buf_str(&body), body.len,
		    now, d, err);
	/* A device authorization answer is never "pending". */
	if (st == HK_OAUTH2_PENDING)
		st = HK_OAUTH2_REFUSED;
	hk_buf_wipe_free(&body);
	hk_buf_wipe_free(&form);
	return st;
}

enum hk_oauth2_status
hk_oauth2_device_poll(const struct hk_oauth2_client *c,
    struct hk_oauth2_device *d, struct hk_oauth2_token_response *t,
    struct hk_oauth2_error *err)
{
	struct hk_buf form;
	enum hk_oauth2_status st;

	if ((st = hk_oauth2_check_client(c, c->token_url, "token", err)) !=
	    HK_OAUTH2_OK)
		return st;
	if (d->device_code.len == 0) {
		hk_oauth2_err_set(err, 0, NULL, "no device code to poll with");
		return HK_OAUTH2_CONFIG;
	}
	hk_buf_init(&form, 0, HK_BUF_SECRET);
	hk_oauth2_form_add(&form, "grant_type", DEVICE_GRANT);
	hk_oauth2_form_add(&form, "device_code", hk_buf_str(&d->device_code));
	st = hk_oauth2_token_request(c, c->token_url, &form, t, err);
	/* RFC 8628 3.5: slow_down adds 5 seconds to every later poll. */
	if (st == HK_OAUTH2_PENDING && strcmp(err->error, "slow_down") == 0 &&
	    d->interval < 3600)
		d->interval += 5;
	return st;
}

static void
sleep_seconds(int s)
{
	struct timespec ts = { s, 0 };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

enum hk_oauth2_status
hk_oauth2_device_wait(const struct hk_oauth2_client *c,
    struct hk_oauth2_device *d, struct hk_oauth2_token_response *t,
    struct hk_oauth2_error *err)
{
	enum hk_oauth2_status st;

	for (;;) {
		if (time(NULL) + d->interval >= d->expires_at) {
			hk_oauth2_err_set(err, 0, "expired_token", "the code "
			    "expired before the sign-in was finished");
			return HK_OAUTH2_REFUSED;
		}
		sleep_seconds(d->interval);
		if ((st = hk_oauth2_device_poll(c, d, t, err)) !=
		    HK_OAUTH2_PENDING)
			return st;
	}
}
