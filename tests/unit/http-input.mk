# Unit tests of the request input parsers.
check_PROGRAMS += tests/unit/test_form tests/unit/test_utf8 \
	tests/unit/test_cookie tests/unit/test_negotiate
TESTS += tests/unit/test_form tests/unit/test_utf8 \
	tests/unit/test_cookie tests/unit/test_negotiate
tests_unit_test_form_SOURCES = tests/unit/test_form.c $(HK_FREEWATCH_FILES)
tests_unit_test_form_CFLAGS = $(HK_UNIT_CFLAGS)
tests_unit_test_form_LDFLAGS = $(HK_FREEWATCH_LINK)
tests_unit_test_form_LDADD = $(HK_UNIT_DEPS)
tests_unit_test_utf8_CFLAGS = $(HK_UNIT_CFLAGS)
tests_unit_test_utf8_LDADD = $(HK_UNIT_DEPS)
tests_unit_test_cookie_CFLAGS = $(HK_UNIT_CFLAGS)
tests_unit_test_cookie_LDADD = $(HK_UNIT_DEPS)
tests_unit_test_negotiate_CFLAGS = $(HK_UNIT_CFLAGS)
tests_unit_test_negotiate_LDADD = $(HK_UNIT_DEPS)
