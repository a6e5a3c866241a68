# Unit tests of src/lib-oauth2: test_oauth2 without a network (PKCE, the
# authorization URL, the JSON answers); test_oauth2_http runs the flows
# against tests/tokenpeer, a scripted HTTPS endpoint that misbehaves on
# request (hangs, garbage, 500, invalid_grant, an untrusted certificate).
HK_OAUTH2_TESTS = tests/unit/test_oauth2 tests/unit/test_oauth2_http
check_PROGRAMS += $(HK_OAUTH2_TESTS) tests/tokenpeer
TESTS += $(HK_OAUTH2_TESTS)
tests_unit_test_oauth2_SOURCES = tests/unit/test_oauth2.c $(HK_FREEWATCH_FILES)
tests_unit_test_oauth2_CFLAGS = $(HK_UNIT_CFLAGS)
tests_unit_test_oauth2_LDFLAGS = $(HK_FREEWATCH_LINK)
tests_unit_test_oauth2_LDADD = $(HK_UNIT_DEPS)
tests_unit_test_oauth2_http_SOURCES = tests/unit/test_oauth2_http.c \
	$(HK_FREEWATCH_FILES)
tests_unit_test_oauth2_http_LDFLAGS = $(HK_FREEWATCH_LINK)
tests_unit_test_oauth2_http_CFLAGS = $(HK_UNIT_CFLAGS) \
	-DHK_TEST_BUILDDIR='"$(abs_top_builddir)"'
tests_unit_test_oauth2_http_LDADD = $(HK_UNIT_DEPS)
tests_tokenpeer_SOURCES = tests/tokenpeer.c
tests_tokenpeer_CFLAGS = $(AM_CFLAGS) $(OPENSSL_CFLAGS)
tests_tokenpeer_LDADD = $(OPENSSL_LIBS)
