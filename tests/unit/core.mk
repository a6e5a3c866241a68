# Unit tests of the core (buf, config, store, sessions, ...).
# Tests that need fixture files get HK_TEST_SRCDIR (the source tree) and
# make their own temporary files under a mkdtemp folder they remove.
HK_CORE_TESTS = tests/unit/test_conf tests/unit/test_i18n \
	tests/unit/test_view tests/unit/test_html_writer tests/unit/test_password \
	tests/unit/test_keyfile tests/unit/test_session tests/unit/test_throttle \
	tests/unit/test_admins tests/unit/test_routes tests/unit/test_db \
	tests/unit/test_buf tests/unit/test_http tests/unit/test_nocore \
	tests/unit/test_sql tests/unit/test_lease
check_PROGRAMS += $(HK_CORE_TESTS)
TESTS += $(HK_CORE_TESTS)

HK_CORE_CFLAGS = $(HK_UNIT_CFLAGS) -DHK_TEST_SRCDIR='"$(abs_top_srcdir)"'

tests_unit_test_conf_CFLAGS = $(HK_UNIT_CFLAGS)
tests_unit_test_conf_LDADD = $(HK_UNIT_DEPS)
tests_unit_test_i18n_CFLAGS = $(HK_CORE_CFLAGS)
tests_unit_test_i18n_LDADD = $(HK_UNIT_DEPS)
tests_unit_test_view_CFLAGS = $(HK_CORE_CFLAGS)
tests_unit_test_view_LDADD = $(HK_UNIT_DEPS)
tests_unit_test_html_writer_CFLAGS = $(HK_UNIT_CFLAGS)
tests_unit_test_html_writer_LDADD = $(HK_UNIT_DEPS)
tests_unit_test_password_CFLAGS = $(HK_UNIT_CFLAGS)
tests_unit_test_password_LDADD = $(HK_UNIT_DEPS)
tests_unit_test_keyfile_CFLAGS = $(HK_UNIT_CFLAGS)
tests_unit_test_keyfile_LDADD = $(HK_UNIT_DEPS)
tests_unit_test_session_SOURCES = tests/unit/test_session.c $(HK_TESTDB_SOURCES)
tests_unit_test_session_CFLAGS = $(HK_UNIT_CFLAGS)
tests_unit_test_session_LDADD = $(HK_UNIT_DEPS)
tests_unit_test_throttle_SOURCES = tests/unit/test_throttle.c $(HK_TESTDB_SOURCES)
tests_unit_test_throttle_CFLAGS = $(HK_UNIT_CFLAGS)
tests_unit_test_throttle_LDADD = $(HK_UNIT_DEPS)
tests_unit_test_admins_SOURCES = tests/unit/test_admins.c $(HK_TESTDB_SOURCES)
tests_unit_test_admins_CFLAGS = $(HK_UNIT_CFLAGS)
tests_unit_test_admins_LDADD = $(HK_UNIT_DEPS)
tests_unit_test_routes_CFLAGS = $(HK_UNIT_CFLAGS)
tests_unit_test_routes_LDADD = $(HK_UNIT_DEPS)
tests_unit_test_sql_CFLAGS = $(HK_UNIT_CFLAGS)
tests_unit_test_sql_LDADD = $(HK_UNIT_DEPS)
tests_unit_test_db_SOURCES = tests/unit/test_db.c $(HK_TESTDB_SOURCES)
tests_unit_test_db_CFLAGS = $(HK_UNIT_CFLAGS)
tests_unit_test_db_LDADD = $(HK_UNIT_DEPS)
tests_unit_test_buf_SOURCES = tests/unit/test_buf.c $(HK_FREEWATCH_FILES)
tests_unit_test_buf_CFLAGS = $(HK_UNIT_CFLAGS)
tests_unit_test_buf_LDFLAGS = $(HK_FREEWATCH_LINK)
tests_unit_test_buf_LDADD = $(HK_UNIT_DEPS)
tests_unit_test_nocore_CFLAGS = $(HK_UNIT_CFLAGS)
tests_unit_test_nocore_LDADD = $(HK_UNIT_DEPS)
tests_unit_test_http_CFLAGS = $(HK_UNIT_CFLAGS)
tests_unit_test_http_LDADD = $(HK_UNIT_DEPS)

# The rendered-page cache (src/lib-web/pagecache.c) and the data generation
# (its triggers, and src/lib-store/datagen.c's read snapshot).
check_PROGRAMS += tests/unit/test_pagecache
TESTS += tests/unit/test_pagecache
tests_unit_test_pagecache_SOURCES = tests/unit/test_pagecache.c $(HK_TESTDB_SOURCES)
tests_unit_test_pagecache_CFLAGS = $(HK_UNIT_CFLAGS)
tests_unit_test_pagecache_LDADD = $(HK_UNIT_DEPS)
tests_unit_test_lease_SOURCES = tests/unit/test_lease.c $(HK_TESTDB_SOURCES)
tests_unit_test_lease_CFLAGS = $(HK_UNIT_CFLAGS)
tests_unit_test_lease_LDADD = $(HK_UNIT_DEPS)
