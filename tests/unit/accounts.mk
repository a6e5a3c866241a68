# Unit tests of the accounts area.
HK_ACCOUNTS_TESTS = tests/unit/test_secret tests/unit/test_audit \
	tests/unit/test_accounts
check_PROGRAMS += $(HK_ACCOUNTS_TESTS)
TESTS += $(HK_ACCOUNTS_TESTS)

tests_unit_test_secret_CFLAGS = $(HK_UNIT_CFLAGS)
tests_unit_test_secret_LDADD = $(HK_UNIT_DEPS)
tests_unit_test_audit_SOURCES = tests/unit/test_audit.c $(HK_TESTDB_SOURCES)
tests_unit_test_audit_CFLAGS = $(HK_UNIT_CFLAGS)
tests_unit_test_audit_LDADD = $(HK_UNIT_DEPS)
tests_unit_test_accounts_SOURCES = tests/unit/test_accounts.c $(HK_TESTDB_SOURCES)
tests_unit_test_accounts_CFLAGS = $(HK_UNIT_CFLAGS)
tests_unit_test_accounts_LDADD = $(HK_UNIT_DEPS)
