/* test_http.c - responses: headers, status lines and the CGI form. */
#include "config.h"

#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include <libxml/tree.h>

#include "http.h"
#include "log.h"

static void
test_init(void **state)
{
	struct hk_response res;

	(void)state;
	memset(&res, 0x5a, sizeof(res));
	hk_response_init(&res);
	assert_int_equal(res.status, 200);
	assert_null(res.content_type);
	assert_null(res.headers.data);
	assert_null(res.body.data);
	assert_null(res.doc);
	assert_string_equal(res.screen, "");
	hk_response_free(&res);
}

static void
test_serialise_redirect(void **state)
{
	struct hk_response res;
	struct hk_buf out = HK_BUF_INIT;

	(void)state;
	hk_response_init(&res);
	res.status = 303;
	res.content_type = "text/html; charset=UTF-8";
	hk_response_header(&res, "Location", "%s%s", "/hk/", "mail-servers");
	hk_response_header(&res, "Cache-Control", "no-store");
	hk_buf_puts(&res.body, "body");
	hk_response_serialise(&res, &out);
	assert_string_equal(hk_buf_str(&out),
	    "Status: 303 See Other\r\n"
	    "Content-Type: text/html; charset=UTF-8\r\n"
	    "Location: /hk/mail-servers\r\n"
	    "Cache-Control: no-store\r\n"
	    "Content-Length: 4\r\n"
	    "\r\n"
	    "body");
	hk_buf_free(&out);
	hk_response_free(&res);
	assert_null(res.body.data);
	assert_null(res.headers.data);
}

static void
test_serialise_minimal_and_binary(void **state)
{
	struct hk_response res;
	struct hk_buf out = HK_BUF_INIT;

	(void)state;
	hk_response_init(&res);
	res.status = 404;
	hk_response_serialise(&res, &out);
	assert_string_equal(hk_buf_str(&out),
	    "Status: 404 Not Found\r\nContent-Length: 0\r\n\r\n");
	hk_buf_reset(&out);

	/* Content-Length counts bytes, NULs included. */
	res.status = 200;
	res.content_type = "application/octet-stream";
	hk_buf_append(&res.body, "a\0b", 3);
	hk_response_serialise(&res, &out);
	static const char want[] = "Status: 200 OK\r\n"
	    "Content-Type: application/octet-stream\r\n"
	    "Content-Length: 3\r\n\r\na\0b";
	assert_int_equal(out.len, sizeof(want) - 1);
	assert_memory_equal(out.data, want, sizeof(want) - 1);
	hk_buf_free(&out);

	/* A rendered document is freed with the response. */
	res.doc = xmlNewDoc(BAD_CAST "1.0");
	hk_response_free(&res);
	assert_null(res.doc);
}

static void
test_status_text(void **state)
{
	static const struct { int code; const char *text; } want[] = {
		{ 200, "OK" }, { 303, "See Other" }, { 304, "Not Modified" },
		{ 400, "Bad Request" }, { 401, "Unauthorized" },
		{ 403, "Forbidden" }, { 404, "Not Found" },
		{ 405, "Method Not Allowed" }, { 409, "Conflict" },
		{ 413, "Content Too Large" },
		{ 415, "Unsupported Media Type" },
		{ 422, "Unprocessable Content" }, { 429, "Too Many Requests" },
		{ 500, "Internal Server Error" },
		{ 503, "Service Unavailable" }, { 999, "Unknown" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		assert_string_equal(hk_status_text(want[i].code), want[i].text);
}

/* Runs a header with a CR or LF in its value in a child: it must abort
 * (header injection is a programming error) rather than emit it. */
static void
expect_abort(const char *value)
{
	pid_t pid;
	int status;

	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct hk_response res;

		/* No core file, no log line in the test output. */
		if (freopen("/dev/null", "w", stderr) == NULL)
			_exit(3);
		hk_response_init(&res);
		hk_response_header(&res, "Location", "%s", value);
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGABRT);
}

static void
test_header_injection_refused(void **state)
{
	(void)state;
	expect_abort("/x\r\nSet-Cookie: a=b");
	expect_abort("/x\nX: y");
	expect_abort("/x\r");
}

static void
test_request_free(void **state)
{
	struct hk_request req;

	(void)state;
	memset(&req, 0, sizeof(req));
	hk_buf_puts(&req.body, "password=secret");
	hk_request_free(&req);
	assert_null(req.body.data);
	assert_int_equal(req.body.len, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init),
		cmocka_unit_test(test_serialise_redirect),
		cmocka_unit_test(test_serialise_minimal_and_binary),
		cmocka_unit_test(test_status_text),
		cmocka_unit_test(test_header_injection_refused),
		cmocka_unit_test(test_request_free),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
