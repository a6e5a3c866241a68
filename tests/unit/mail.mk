# Unit tests of the mail area.
HK_MAIL_TESTS = tests/unit/test_mail_send tests/unit/test_msgheaders \
	tests/unit/test_maildir tests/unit/test_refusal
check_PROGRAMS += $(HK_MAIL_TESTS)
TESTS += $(HK_MAIL_TESTS)
tests_unit_test_mail_send_CFLAGS = $(HK_UNIT_CFLAGS)
tests_unit_test_mail_send_LDADD = $(HK_UNIT_DEPS)
tests_unit_test_msgheaders_CFLAGS = $(HK_UNIT_CFLAGS)
tests_unit_test_msgheaders_LDADD = $(HK_UNIT_DEPS)
tests_unit_test_maildir_CFLAGS = $(HK_UNIT_CFLAGS)
tests_unit_test_maildir_LDADD = $(HK_UNIT_DEPS)
tests_unit_test_refusal_CFLAGS = $(HK_UNIT_CFLAGS)
tests_unit_test_refusal_LDADD = $(HK_UNIT_DEPS)
