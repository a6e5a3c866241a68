# Unit tests of the servers area: validation rules and the model.
check_PROGRAMS += tests/unit/test_validate tests/unit/test_servers
TESTS += tests/unit/test_validate tests/unit/test_servers
tests_unit_test_validate_CFLAGS = $(HK_UNIT_CFLAGS)
tests_unit_test_validate_LDADD = $(HK_UNIT_DEPS)
tests_unit_test_servers_SOURCES = tests/unit/test_servers.c $(HK_TESTDB_SOURCES)
tests_unit_test_servers_CFLAGS = $(HK_UNIT_CFLAGS)
tests_unit_test_servers_LDADD = $(HK_UNIT_DEPS)

# OAuth 2.0 at rest: tokens, the refresh lock (two connections, two
# processes) and the single-use states.
check_PROGRAMS += tests/unit/test_oauth2_store
TESTS += tests/unit/test_oauth2_store
tests_unit_test_oauth2_store_SOURCES = tests/unit/test_oauth2_store.c $(HK_TESTDB_SOURCES)
tests_unit_test_oauth2_store_CFLAGS = $(HK_UNIT_CFLAGS)
tests_unit_test_oauth2_store_LDADD = $(HK_UNIT_DEPS)
# The session's access token (src/lib-mail/oauth2_token.c): its decisions,
# and the failures that must not ask the provider.
check_PROGRAMS += tests/unit/test_oauth2_token
TESTS += tests/unit/test_oauth2_token
tests_unit_test_oauth2_token_SOURCES = tests/unit/test_oauth2_token.c $(HK_TESTDB_SOURCES)
tests_unit_test_oauth2_token_CFLAGS = $(HK_UNIT_CFLAGS)
tests_unit_test_oauth2_token_LDADD = $(HK_UNIT_DEPS)
