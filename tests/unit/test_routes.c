/* test_routes.c - the route matcher: methods, 405 Allow lists, HEAD,
 * and the static file name segment. */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "routes.h"
#include "ui.h"

struct found {
	enum hk_route_match m;
	const struct hk_route *route;
	long long id;
	const char *tail;
	char allow[64];
};

static struct found
find(const char *method, const char *path)
{
	struct found r;

	memset(&r, 0, sizeof(r));
	r.id = -1;
	r.tail = (const char *)&r;	/* must be overwritten on FOUND */
	r.m = hk_route_find(hk_ui_routes, hk_ui_routes_count, method, path, &r.route, &r.id, &r.tail, r.allow,
	    sizeof(r.allow));
	return r;
}

static void
test_login(void **state)
{
	struct found r;

	(void)state;
	r = find("GET", "/login");
	assert_int_equal(r.m, HK_ROUTE_FOUND);
	assert_string_equal(r.route->method, "GET");
	assert_string_equal(r.route->pattern, "/login");
	assert_ptr_equal(r.route->fn, ui_login_form);
	assert_int_equal(r.route->flags, HK_ROUTE_PUBLIC);
	assert_int_equal(r.id, 0);
	assert_null(r.tail);

	r = find("POST", "/login");
	assert_int_equal(r.m, HK_ROUTE_FOUND);
	assert_string_equal(r.route->method, "POST");
	assert_ptr_equal(r.route->fn, ui_login);
	assert_int_equal(r.route->flags, HK_ROUTE_PUBLIC);

	/* HEAD is GET without the body. */
	r = find("HEAD", "/login");
	assert_int_equal(r.m, HK_ROUTE_FOUND);
	assert_string_equal(r.route->method, "GET");
	assert_ptr_equal(r.route->fn, ui_login_form);
}

static void
test_no_method(void **state)
{
	struct found r;

	(void)state;
	r = find("DELETE", "/login");
	assert_int_equal(r.m, HK_ROUTE_NO_METHOD);
	assert_string_equal(r.allow, "GET, POST");
	/* Methods are case-sensitive (RFC 9110). */
	r = find("get", "/login");
	assert_int_equal(r.m, HK_ROUTE_NO_METHOD);
	assert_string_equal(r.allow, "GET, POST");
	/* HEAD maps only to GET. */
	r = find("HEAD", "/logout");
	assert_int_equal(r.m, HK_ROUTE_NO_METHOD);
	assert_string_equal(r.allow, "POST");
	r = find("GET", "/logout");
	assert_int_equal(r.m, HK_ROUTE_NO_METHOD);
	assert_string_equal(r.allow, "POST");
}

static void
test_allow_buffer_small(void **state)
{
	const struct hk_route *route = NULL;
	long long id;
	const char *tail;
	char allow[5];

	(void)state;
	memset(allow, 'Z', sizeof(allow));
	assert_int_equal(hk_route_find(hk_ui_routes, hk_ui_routes_count, "PUT", "/login", &route, &id, &tail,
	    allow, sizeof(allow)), HK_ROUTE_NO_METHOD);
	/* Truncated, terminated, and never written past its end. */
	assert_string_equal(allow, "GET,");
	assert_int_equal(hk_route_find(hk_ui_routes, hk_ui_routes_count, "PUT", "/login", &route, &id, &tail,
	    NULL, 0), HK_ROUTE_NO_METHOD);
	assert_null(route);
}

static void
test_root_and_others(void **state)
{
	struct found r;

	(void)state;
	r = find("GET", "/");
	assert_int_equal(r.m, HK_ROUTE_FOUND);
	assert_ptr_equal(r.route->fn, ui_root);
	/* Public: it only redirects to the list, which checks sign-in. */
	assert_int_equal(r.route->flags, HK_ROUTE_PUBLIC);
	r = find("POST", "/logout");
	assert_int_equal(r.m, HK_ROUTE_FOUND);
	assert_ptr_equal(r.route->fn, ui_logout);
	assert_int_equal(r.route->flags, 0);
	r = find("GET", "/mail-servers");
	assert_int_equal(r.m, HK_ROUTE_FOUND);
	assert_ptr_equal(r.route->fn, ui_servers_list);
	/* Signed in only; its page may come from the page cache. */
	assert_int_equal(r.route->flags, HK_ROUTE_CACHEABLE);
}

static void
test_ids(void **state)
{
	struct found r;

	(void)state;
	r = find("GET", "/mail-servers/12/edit");
	assert_int_equal(r.m, HK_ROUTE_FOUND);
	assert_ptr_equal(r.route->fn, ui_server_edit);
	assert_int_equal(r.id, 12);
	assert_null(r.tail);
	r = find("POST", "/mail-servers/7");
	assert_int_equal(r.m, HK_ROUTE_FOUND);
	assert_ptr_equal(r.route->fn, ui_server_update);
	assert_int_equal(r.id, 7);
	/* 18 digits is the most. */
	r = find("GET", "/mail-servers/999999999999999999/edit");
	assert_int_equal(r.m, HK_ROUTE_FOUND);
	assert_int_equal(r.id, 999999999999999999LL);
	r = find("GET", "/mail-servers/1000000000000000000/edit");
	assert_int_equal(r.m, HK_ROUTE_NO_PATH);
	/* No zero, no leading zero, no sign, no empty id. */
	r = find("GET", "/mail-servers/0/edit");
	assert_int_equal(r.m, HK_ROUTE_NO_PATH);
	r = find("GET", "/mail-servers/012/edit");
	assert_int_equal(r.m, HK_ROUTE_NO_PATH);
	r = find("GET", "/mail-servers/+1/edit");
	assert_int_equal(r.m, HK_ROUTE_NO_PATH);
	r = find("GET", "/mail-servers//edit");
	assert_int_equal(r.m, HK_ROUTE_NO_PATH);
	r = find("GET", "/mail-servers/1x/edit");
	assert_int_equal(r.m, HK_ROUTE_NO_PATH);
	/* Literal segments are not ids: order is its own route. */
	r = find("POST", "/mail-servers/order");
	assert_int_equal(r.m, HK_ROUTE_FOUND);
	assert_ptr_equal(r.route->fn, ui_servers_order);
	assert_int_equal(r.id, 0);
	/* A known path with another method: 405 naming the right ones. */
	r = find("GET", "/mail-servers/7");
	assert_int_equal(r.m, HK_ROUTE_NO_METHOD);
	assert_string_equal(r.allow, "POST");
	r = find("DELETE", "/mail-servers");
	assert_int_equal(r.m, HK_ROUTE_NO_METHOD);
	assert_string_equal(r.allow, "GET, POST");
}

static void
test_static(void **state)
{
	static const char path[] = "/static/hikyaku.css";
	struct found r;

	(void)state;
	r = find("GET", path);
	assert_int_equal(r.m, HK_ROUTE_FOUND);
	assert_ptr_equal(r.route->fn, ui_static);
	assert_int_equal(r.route->flags, HK_ROUTE_PUBLIC | HK_ROUTE_RAW);
	assert_string_equal(r.tail, "hikyaku.css");
	/* The tail points into the path. */
	assert_ptr_equal(r.tail, path + strlen("/static/"));
	assert_int_equal(r.id, 0);

	r = find("HEAD", "/static/app.js");
	assert_int_equal(r.m, HK_ROUTE_FOUND);
	assert_string_equal(r.tail, "app.js");
	r = find("POST", "/static/hikyaku.css");
	assert_int_equal(r.m, HK_ROUTE_NO_METHOD);
	assert_string_equal(r.allow, "GET");
}

static void
test_static_refuses_other_names(void **state)
{
	static const char *const bad[] = {
		"/static/../x", "/static/..", "/static/.hidden", "/static/a/b",
		"/static/", "/static", "/static//x", "/static/a/",
		/* Not decoded, but two segments all the same. */
		"/static/%2e%2e/x",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct found r = find("GET", bad[i]);

		if (r.m != HK_ROUTE_NO_PATH)
			fail_msg("%s: matched", bad[i]);
		assert_string_equal(r.allow, "");
	}
}

static void
test_unknown(void **state)
{
	static const char *const bad[] = {
		"/nope", "", "/login/", "/LOGIN", "/login?x=1", "//login",
		"/login/x", "/mail-servers/", "login", "/log",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct found r = find("GET", bad[i]);

		if (r.m != HK_ROUTE_NO_PATH)
			fail_msg("'%s': matched", bad[i]);
	}
}

/* The page cache keeps exactly the list and new-record screens of
 * servers and accounts: read-only GETs of tables that change the data
 * generation. */
static void
test_cacheable(void **state)
{
	static const char *const want[] = {
		"/mail-servers", "/mail-servers/new",
		"/mail-accounts", "/mail-accounts/new",
	};
	size_t found = 0;

	(void)state;
	for (size_t i = 0; i < hk_ui_routes_count; i++) {
		const struct hk_route *r = &hk_ui_routes[i];
		bool listed = false;

		if (!(r->flags & HK_ROUTE_CACHEABLE))
			continue;
		for (size_t j = 0; j < sizeof(want) / sizeof(want[0]); j++)
			listed = listed || strcmp(r->pattern, want[j]) == 0;
		if (!listed || strcmp(r->method, "GET") != 0 ||
		    (r->flags & (HK_ROUTE_PUBLIC | HK_ROUTE_RAW)))
			fail_msg("%s %s: cacheable", r->method, r->pattern);
		found++;
	}
	assert_int_equal(found, sizeof(want) / sizeof(want[0]));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_login),
		cmocka_unit_test(test_no_method),
		cmocka_unit_test(test_allow_buffer_small),
		cmocka_unit_test(test_root_and_others),
		cmocka_unit_test(test_ids),
		cmocka_unit_test(test_static),
		cmocka_unit_test(test_static_refuses_other_names),
		cmocka_unit_test(test_unknown),
		cmocka_unit_test(test_cacheable),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
