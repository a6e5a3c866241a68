# Unit tests of the net area: the line reader, the SMTP/POP3/IMAP parsers
# and clients against scripted byte streams (test_net_util.h), hostile
# input included.  tests/fakepeer is the scripted server of t-faults.sh.
HK_NET_TESTS = tests/unit/test_net tests/unit/test_smtp tests/unit/test_pop3 \
	tests/unit/test_imap
check_PROGRAMS += $(HK_NET_TESTS) tests/fakepeer
TESTS += $(HK_NET_TESTS)
EXTRA_DIST += tests/unit/test_net_util.h
tests_unit_test_net_CFLAGS = $(HK_UNIT_CFLAGS)
tests_unit_test_net_LDADD = $(HK_UNIT_DEPS)
tests_unit_test_smtp_CFLAGS = $(HK_UNIT_CFLAGS)
tests_unit_test_smtp_LDADD = $(HK_UNIT_DEPS)
tests_unit_test_pop3_CFLAGS = $(HK_UNIT_CFLAGS)
tests_unit_test_pop3_LDADD = $(HK_UNIT_DEPS)
tests_unit_test_imap_CFLAGS = $(HK_UNIT_CFLAGS)
tests_unit_test_imap_LDADD = $(HK_UNIT_DEPS)
tests_fakepeer_SOURCES = tests/fakepeer.c
