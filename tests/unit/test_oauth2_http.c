/* test_oauth2_http.c - the OAuth 2.0 flows over real HTTPS against
 * tests/tokenpeer, a scripted endpoint on loopback with a certificate of
 * its own: what each request sends, and the class of every failure (a
 * hang within the timeout, garbage, a 500, invalid_grant, an oversized
 * answer, a redirect, an untrusted certificate). */
#include "config.h"

#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "base64.h"
#include "freewatch.h"
#include "mem.h"
#include "oauth2.h"
#include "secmem.h"

static char dir[64];
static pid_t peer = -1;
static int port;
static char *log_path, *ca_path, *other_ca_path;

static char *
url(const char *path)
{
	return hk_aprintf("https://127.0.0.1:%d%s", port, path);
}

/* A self-signed certificate for 127.0.0.1 (it is its own CA). */
static int
make_cert(const char *name)
{
	char *cmd = hk_aprintf("openssl req -x509 -newkey ec -pkeyopt "
	    "ec_paramgen_curve:P-256 -nodes -days 2 -subj /CN=127.0.0.1 "
	    "-addext subjectAltName=IP:127.0.0.1 -keyout %s/%s.key "
	    "-out %s/%s.pem 2>/dev/null", dir, name, dir, name);
	int rc = system(cmd);

	free(cmd);
	return rc == 0 ? 0 : -1;
}

static int
start_peer(void **state)
{
	int fds[2];
	char line[32];
	FILE *out;

	(void)state;
	/* Loopback goes direct, whatever proxy the environment names. */
	unsetenv("https_proxy");
	unsetenv("HTTPS_PROXY");
	unsetenv("all_proxy");
	unsetenv("ALL_PROXY");
	setenv("no_proxy", "127.0.0.1", 1);
	snprintf(dir, sizeof(dir), "/tmp/hk-test-oauth2.XXXXXX");
	if (mkdtemp(dir) == NULL || make_cert("server") < 0 ||
	    make_cert("other") < 0 || pipe(fds) < 0)
		return -1;
	log_path = hk_aprintf("%s/requests.log", dir);
	ca_path = hk_aprintf("%s/server.pem", dir);
	other_ca_path = hk_aprintf("%s/other.pem", dir);
	if ((peer = fork()) == 0) {
		char *key = hk_aprintf("%s/server.key", dir);

		setpgid(0, 0);
		dup2(fds[1], 1);
		close(fds[0]);
		execl(HK_TEST_BUILDDIR "/tests/tokenpeer", "tokenpeer", "-c",
		    ca_path, "-k", key, "-l", log_path, (char *)NULL);
		_exit(127);
	}
	close(fds[1]);
	out = fdopen(fds[0], "r");
	if (peer < 0 || out == NULL || fgets(line, sizeof(line), out) == NULL)
		return -1;
	fclose(out);
	port = atoi(line);
	return port > 0 ? 0 : -1;
}

static int
stop_peer(void **state)
{
	char *cmd;

	(void)state;
	if (peer > 0) {
		kill(-peer, SIGTERM);
		waitpid(peer, NULL, 0);
	}
	cmd = hk_aprintf("rm -rf %s", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
	free(cmd);
	free(log_path);
	free(ca_path);
	free(other_ca_path);
	return 0;
}

/* The last logged line starting with prefix ("REQ ", "AUTH ", "BODY "),
 * without the prefix; "" when none.  Static storage. */
static const char *
last_logged(const char *prefix)
{
	static char found[4096];
	char line[4096];
	FILE *f = fopen(log_path, "r");

	found[0] = '\0';
	if (f == NULL)
		return found;
	while (fgets(line, sizeof(line), f) != NULL)
		if (strncmp(line, prefix, strlen(prefix)) == 0) {
			line[strcspn(line, "\n")] = '\0';
			snprintf(found, sizeof(found), "%s", line + strlen(prefix));
		}
	fclose(f);
	return found;
}

static void
forget_log(void)
{
	FILE *f = fopen(log_path, "w");

	if (f != NULL)
		fclose(f);
}

static struct hk_oauth2_client
client(const char *token_path)
{
	struct hk_oauth2_client c = { 0 };
	static char *token_url;

	free(token_url);
	token_url = url(token_path);
	c.token_url = token_url;
	c.client_id = "app";
	c.client_secret = "s3cret";
	c.ca_file = ca_path;
	c.timeout_ms = 5000;
	return c;
}

static enum hk_oauth2_status
refresh_at(const char *path, struct hk_oauth2_error *err)
{
	struct hk_oauth2_client c = client(path);
	struct hk_oauth2_token_response t = HK_OAUTH2_TOKEN_RESPONSE_INIT;
	enum hk_oauth2_status st;

	st = hk_oauth2_refresh(&c, "rt-1", "mail offline_access", &t, err);
	if (st != HK_OAUTH2_OK)
		assert_int_equal(t.access_token.len, 0);
	hk_oauth2_token_response_free(&t);
	return st;
}

static void
test_refresh_sends_scope_and_reads_rotation(void **state)
{
	struct hk_oauth2_client c = client("/token");
	struct hk_oauth2_token_response t = HK_OAUTH2_TOKEN_RESPONSE_INIT;
	struct hk_oauth2_error err;
	time_t before = time(NULL);

	(void)state;
	assert_int_equal(hk_oauth2_refresh(&c, "rt-1", "mail offline_access",
	    &t, &err), HK_OAUTH2_OK);
	assert_string_equal(last_logged("REQ "), "POST /token HTTP/1.1");
	assert_string_equal(last_logged("BODY "), "grant_type=refresh_token"
	    "&refresh_token=rt-1&scope=mail%20offline_access"
	    "&client_id=app&client_secret=s3cret");
	assert_string_equal(last_logged("AUTH "), "-");
	assert_string_equal(hk_buf_str(&t.access_token), "at-1");
	assert_string_equal(hk_buf_str(&t.refresh_token), "rt-2");
	assert_string_equal(t.scope, "mail offline_access");
	assert_true(t.expires_at >= before + 3600 &&
	    t.expires_at <= time(NULL) + 3600);

	/* Not rotated: no refresh token in the answer. */
	c = client("/norotate");
	assert_int_equal(hk_oauth2_refresh(&c, "rt-1", "mail", &t, &err),
	    HK_OAUTH2_OK);
	assert_string_equal(hk_buf_str(&t.access_token), "at-3");
	assert_int_equal(t.refresh_token.len, 0);

	/* No scope: refused before anything is sent. */
	forget_log();
	assert_int_equal(hk_oauth2_refresh(&c, "rt-1", "", &t, &err),
	    HK_OAUTH2_CONFIG);
	assert_string_equal(last_logged("REQ "), "");
	hk_oauth2_token_response_free(&t);
}

static void
test_code_exchange_public_client(void **state)
{
	struct hk_oauth2_client c = client("/token");
	struct hk_oauth2_token_response t = HK_OAUTH2_TOKEN_RESPONSE_INIT;
	struct hk_oauth2_error err;

	(void)state;
	c.client_secret = NULL;
	assert_int_equal(hk_oauth2_exchange_code(&c, "c0de/+", "verifier-"
	    "0123456789012345678901234567890123456789", "https://a.example/cb",
	    &t, &err), HK_OAUTH2_OK);
	assert_string_equal(last_logged("BODY "), "grant_type=authorization_code"
	    "&code=c0de%2F%2B&redirect_uri=https%3A%2F%2Fa.example%2Fcb"
	    "&code_verifier=verifier-0123456789012345678901234567890123456789"
	    "&client_id=app");
	assert_string_equal(hk_buf_str(&t.refresh_token), "rt-2");
	hk_oauth2_token_response_free(&t);
}

/* client_secret_basic: form-encoded id and secret in Basic, no secret in
 * the body. */
static void
test_client_credentials_basic(void **state)
{
	struct hk_oauth2_client c = client("/norotate");
	struct hk_oauth2_token_response t = HK_OAUTH2_TOKEN_RESPONSE_INIT;
	struct hk_oauth2_error err;
	const char *pair = "app%3A1:s%20e";
	char want[HK_B64_LEN(13) + 7];

	(void)state;
	c.client_id = "app:1";
	c.client_secret = "s e";
	c.client_auth = HK_OAUTH2_AUTH_BASIC;
	assert_int_equal(hk_oauth2_client_credentials(&c,
	    "https://outlook.office365.com/.default", &t, &err), HK_OAUTH2_OK);
	assert_string_equal(last_logged("BODY "), "grant_type=client_credentials"
	    "&scope=https%3A%2F%2Foutlook.office365.com%2F.default"
	    "&client_id=app%3A1");
	memcpy(want, "Basic ", 6);
	hk_b64_encode(pair, strlen(pair), want + 6);
	assert_string_equal(last_logged("AUTH "), want);

	c.client_secret = NULL;
	assert_int_equal(hk_oauth2_client_credentials(&c, "x", &t, &err),
	    HK_OAUTH2_CONFIG);
	hk_oauth2_token_response_free(&t);
}

static void
test_hang_times_out(void **state)
{
	struct hk_oauth2_client c = client("/hang");
	struct hk_oauth2_token_response t = HK_OAUTH2_TOKEN_RESPONSE_INIT;
	struct hk_oauth2_error err;
	struct timespec a, b;
	long ms;

	(void)state;
	c.timeout_ms = 1500;
	clock_gettime(CLOCK_MONOTONIC, &a);
	assert_int_equal(hk_oauth2_refresh(&c, "rt-1", "mail", &t, &err),
	    HK_OAUTH2_CONN);
	clock_gettime(CLOCK_MONOTONIC, &b);
	ms = (b.tv_sec - a.tv_sec) * 1000 + (b.tv_nsec - a.tv_nsec) / 1000000;
	assert_true(ms >= 1400 && ms < 4000);
	assert_string_equal(err.description, "no answer within 1500 ms");
	assert_int_equal(err.http_status, 0);
	hk_oauth2_token_response_free(&t);
}

static void
test_garbage_500_big_redirect_are_proto(void **state)
{
	struct hk_oauth2_error err;

	(void)state;
	assert_int_equal(refresh_at("/garbage", &err), HK_OAUTH2_PROTO);
	assert_int_equal(err.http_status, 200);
	assert_string_equal(err.description, "the answer (HTTP 200) is not a JSON object");
	assert_int_equal(refresh_at("/500", &err), HK_OAUTH2_PROTO);
	assert_int_equal(err.http_status, 500);
	assert_int_equal(refresh_at("/big", &err), HK_OAUTH2_PROTO);
	assert_string_equal(err.description, "the answer is larger than 65536 bytes");
	forget_log();
	assert_int_equal(refresh_at("/redirect", &err), HK_OAUTH2_PROTO);
	assert_int_equal(err.http_status, 302);
	assert_string_equal(last_logged("REQ "), "POST /redirect HTTP/1.1");
}

static void
test_invalid_grant(void **state)
{
	struct hk_oauth2_error err;

	(void)state;
	assert_int_equal(refresh_at("/invalid_grant", &err), HK_OAUTH2_GRANT);
	assert_string_equal(err.error, "invalid_grant");
	assert_string_equal(err.description,
	    "AADSTS70008: The refresh token has expired.");
	assert_int_equal(err.http_status, 400);
}

/* The endpoint's certificate is trusted only through ca_file. */
static void
test_untrusted_certificate(void **state)
{
	struct hk_oauth2_client c = client("/token");
	struct hk_oauth2_token_response t = HK_OAUTH2_TOKEN_RESPONSE_INIT;
	struct hk_oauth2_error err;

	(void)state;
	forget_log();
	c.ca_file = NULL;
	assert_int_equal(hk_oauth2_refresh(&c, "rt-1", "mail", &t, &err),
	    HK_OAUTH2_CONN);
	assert_int_equal(t.access_token.len, 0);
	c.ca_file = other_ca_path;
	assert_int_equal(hk_oauth2_refresh(&c, "rt-1", "mail", &t, &err),
	    HK_OAUTH2_CONN);
	assert_string_equal(last_logged("REQ "), "");	/* nothing was sent */
	c.ca_file = "/nonexistent/ca.pem";
	assert_int_equal(hk_oauth2_refresh(&c, "rt-1", "mail", &t, &err),
	    HK_OAUTH2_CONFIG);
	c.ca_file = ca_path;
	assert_int_equal(hk_oauth2_refresh(&c, "rt-1", "mail", &t, &err),
	    HK_OAUTH2_OK);
	hk_oauth2_token_response_free(&t);
}

static void
test_not_https_or_no_listener(void **state)
{
	struct hk_oauth2_client c = client("/token");
	struct hk_oauth2_token_response t = HK_OAUTH2_TOKEN_RESPONSE_INIT;
	struct hk_oauth2_error err;
	char *plain = hk_aprintf("http://127.0.0.1:%d/token", port);

	(void)state;
	forget_log();
	c.token_url = plain;
	assert_int_equal(hk_oauth2_refresh(&c, "rt-1", "mail", &t, &err),
	    HK_OAUTH2_CONFIG);
	assert_string_equal(last_logged("REQ "), "");
	/* Port 1 on loopback: nobody listens. */
	c.token_url = "https://127.0.0.1:1/token";
	assert_int_equal(hk_oauth2_refresh(&c, "rt-1", "mail", &t, &err),
	    HK_OAUTH2_CONN);
	free(plain);
	hk_oauth2_token_response_free(&t);
}

static void
test_device_flow(void **state)
{
	struct hk_oauth2_client c = client("/pending");
	struct hk_oauth2_device d = HK_OAUTH2_DEVICE_INIT;
	struct hk_oauth2_token_response t = HK_OAUTH2_TOKEN_RESPONSE_INIT;
	struct hk_oauth2_error err;
	char *device_url = url("/device");

	(void)state;
	c.client_secret = NULL;
	c.device_url = device_url;
	assert_int_equal(hk_oauth2_device_start(&c, "mail", &d, &err),
	    HK_OAUTH2_OK);
	assert_string_equal(last_logged("BODY "), "scope=mail&client_id=app");
	assert_string_equal(d.user_code, "ABCD-EFGH");
	assert_string_equal(d.verification_uri, "https://127.0.0.1/device");
	assert_int_equal(d.interval, 1);

	assert_int_equal(hk_oauth2_device_poll(&c, &d, &t, &err),
	    HK_OAUTH2_PENDING);
	assert_string_equal(last_logged("BODY "), "grant_type=urn%3Aietf%3A"
	    "params%3Aoauth%3Agrant-type%3Adevice_code&device_code=dc-1"
	    "&client_id=app");
	assert_int_equal(d.interval, 1);
	c = client("/slow_down");
	c.client_secret = NULL;
	assert_int_equal(hk_oauth2_device_poll(&c, &d, &t, &err),
	    HK_OAUTH2_PENDING);
	assert_int_equal(d.interval, 6);
	c = client("/denied");
	assert_int_equal(hk_oauth2_device_poll(&c, &d, &t, &err),
	    HK_OAUTH2_REFUSED);
	assert_string_equal(err.error, "access_denied");
	assert_string_equal(err.description, "The user said no.");

	/* Waiting: done after one interval; a code about to expire is not
	 * polled at all. */
	c = client("/token");
	d.interval = 1;
	assert_int_equal(hk_oauth2_device_wait(&c, &d, &t, &err), HK_OAUTH2_OK);
	assert_string_equal(hk_buf_str(&t.access_token), "at-1");
	forget_log();
	d.expires_at = time(NULL);
	assert_int_equal(hk_oauth2_device_wait(&c, &d, &t, &err),
	    HK_OAUTH2_REFUSED);
	assert_string_equal(err.error, "expired_token");
	assert_string_equal(last_logged("REQ "), "");

	c.device_url = NULL;
	assert_int_equal(hk_oauth2_device_start(&c, "mail", &d, &err),
	    HK_OAUTH2_CONFIG);
	free(device_url);
	hk_oauth2_device_free(&d);
	hk_oauth2_token_response_free(&t);
}

static void
test_revoke(void **state)
{
	struct hk_oauth2_client c = client("/token");
	struct hk_oauth2_error err;
	char *revoke_url = url("/revoke");

	(void)state;
	assert_int_equal(hk_oauth2_revoke(&c, "rt-2", "refresh_token", &err),
	    HK_OAUTH2_CONFIG);
	c.revoke_url = revoke_url;
	assert_int_equal(hk_oauth2_revoke(&c, "rt-2", "refresh_token", &err),
	    HK_OAUTH2_OK);
	assert_string_equal(last_logged("BODY "), "token=rt-2"
	    "&token_type_hint=refresh_token&client_id=app&client_secret=s3cret");
	free(revoke_url);
}

/* The refresh token and the client secret in the request, and the tokens
 * of the answer, leave no copy in memory given back by libcurl or jansson
 * (whose frees freewatch sees through the allocator hk_oauth2_init gives
 * them; this fails when that allocator does not wipe). */
static void
test_request_memory_wiped(void **state)
{
	struct hk_oauth2_client c = client("/token");
	struct hk_oauth2_token_response t = HK_OAUTH2_TOKEN_RESPONSE_INIT;
	struct hk_oauth2_error err;
	size_t released;

	(void)state;
	hk_secmem_set_spares(0);
	c.client_secret = "NEEDLE-secret";
	freewatch_start("NEEDLE-");
	assert_int_equal(hk_oauth2_refresh(&c, "NEEDLE-refresh", "mail", &t,
	    &err), HK_OAUTH2_OK);
	hk_oauth2_token_response_free(&t);
	assert_int_equal(freewatch_stop(&released), 0);
	assert_true(released > 0);
	c.client_auth = HK_OAUTH2_AUTH_BASIC;
	freewatch_start("NEEDLE-");
	assert_int_equal(hk_oauth2_refresh(&c, "NEEDLE-refresh", "mail", &t,
	    &err), HK_OAUTH2_OK);
	hk_oauth2_token_response_free(&t);
	assert_int_equal(freewatch_stop(&released), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_refresh_sends_scope_and_reads_rotation),
		cmocka_unit_test(test_code_exchange_public_client),
		cmocka_unit_test(test_client_credentials_basic),
		cmocka_unit_test(test_hang_times_out),
		cmocka_unit_test(test_garbage_500_big_redirect_are_proto),
		cmocka_unit_test(test_invalid_grant),
		cmocka_unit_test(test_untrusted_certificate),
		cmocka_unit_test(test_not_https_or_no_listener),
		cmocka_unit_test(test_device_flow),
		cmocka_unit_test(test_revoke),
		cmocka_unit_test(test_request_memory_wiped),
	};

	return cmocka_run_group_tests(tests, start_peer, stop_peer);
}
