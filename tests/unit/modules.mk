# Unit tests of the auth modules and their loader.
#
# test_mod_*: each links one module's source directly and drives its step
# function with byte buffers (RFC vectors, hostile challenges).
# test_modload: the loader against the built modules and deliberately
# broken ones (below), and the session driver against scripted servers.

HK_MOD_TEST_CFLAGS = $(AM_CFLAGS) $(OPENSSL_CFLAGS) $(CMOCKA_CFLAGS)
HK_MOD_TEST_LDADD = modules/libhkmodutil.la $(OPENSSL_LIBS) $(CMOCKA_LIBS)
EXTRA_DIST += tests/unit/test_mod_util.h

check_PROGRAMS += tests/unit/test_mod_login tests/unit/test_mod_plain \
	tests/unit/test_mod_cram_md5 tests/unit/test_mod_scram \
	tests/unit/test_mod_apop tests/unit/test_mod_pbs \
	tests/unit/test_mod_xoauth2 tests/unit/test_mod_oauthbearer
TESTS += tests/unit/test_mod_login tests/unit/test_mod_plain \
	tests/unit/test_mod_cram_md5 tests/unit/test_mod_scram \
	tests/unit/test_mod_apop tests/unit/test_mod_pbs \
	tests/unit/test_mod_xoauth2 tests/unit/test_mod_oauthbearer

tests_unit_test_mod_login_SOURCES = tests/unit/test_mod_login.c modules/login.c
tests_unit_test_mod_login_CFLAGS = $(HK_MOD_TEST_CFLAGS)
tests_unit_test_mod_login_LDADD = $(HK_MOD_TEST_LDADD)

tests_unit_test_mod_plain_SOURCES = tests/unit/test_mod_plain.c modules/plain.c
tests_unit_test_mod_plain_CFLAGS = $(HK_MOD_TEST_CFLAGS)
tests_unit_test_mod_plain_LDADD = $(HK_MOD_TEST_LDADD)

tests_unit_test_mod_cram_md5_SOURCES = tests/unit/test_mod_cram_md5.c \
	modules/cram-md5.c
tests_unit_test_mod_cram_md5_CFLAGS = $(HK_MOD_TEST_CFLAGS)
tests_unit_test_mod_cram_md5_LDADD = $(HK_MOD_TEST_LDADD)

tests_unit_test_mod_scram_SOURCES = tests/unit/test_mod_scram.c \
	modules/scram-sha-256.c
tests_unit_test_mod_scram_CFLAGS = $(HK_MOD_TEST_CFLAGS)
tests_unit_test_mod_scram_LDADD = $(HK_MOD_TEST_LDADD)

tests_unit_test_mod_apop_SOURCES = tests/unit/test_mod_apop.c modules/apop.c
tests_unit_test_mod_apop_CFLAGS = $(HK_MOD_TEST_CFLAGS)
tests_unit_test_mod_apop_LDADD = $(HK_MOD_TEST_LDADD)

tests_unit_test_mod_pbs_SOURCES = tests/unit/test_mod_pbs.c \
	modules/pop-before-smtp.c
tests_unit_test_mod_pbs_CFLAGS = $(HK_MOD_TEST_CFLAGS)
tests_unit_test_mod_pbs_LDADD = $(HK_MOD_TEST_LDADD)

tests_unit_test_mod_xoauth2_SOURCES = tests/unit/test_mod_xoauth2.c \
	modules/xoauth2.c
tests_unit_test_mod_xoauth2_CFLAGS = $(HK_MOD_TEST_CFLAGS)
tests_unit_test_mod_xoauth2_LDADD = $(HK_MOD_TEST_LDADD)

tests_unit_test_mod_oauthbearer_SOURCES = tests/unit/test_mod_oauthbearer.c \
	modules/oauthbearer.c
tests_unit_test_mod_oauthbearer_CFLAGS = $(HK_MOD_TEST_CFLAGS)
tests_unit_test_mod_oauthbearer_LDADD = $(HK_MOD_TEST_LDADD)

# Broken modules, one per way the loader must refuse a file; all built
# from tests/unit/brokenmod.c with a different BROKEN_* switch.
HK_BROKEN_LDFLAGS = -module -avoid-version -shared -rpath /nowhere
check_LTLIBRARIES += tests/unit/bad_nosym.la tests/unit/bad_major.la \
	tests/unit/bad_minor.la tests/unit/bad_dup.la tests/unit/bad_null.la \
	tests/unit/bad_name.la tests/unit/bad_size.la tests/unit/bad_undef.la \
	tests/unit/good_newer.la

tests_unit_bad_nosym_la_SOURCES = tests/unit/brokenmod.c
tests_unit_bad_nosym_la_CPPFLAGS = $(AM_CPPFLAGS) -DBROKEN_NOSYM
tests_unit_bad_nosym_la_LDFLAGS = $(HK_BROKEN_LDFLAGS)
tests_unit_bad_major_la_SOURCES = tests/unit/brokenmod.c
tests_unit_bad_major_la_CPPFLAGS = $(AM_CPPFLAGS) -DBROKEN_MAJOR
tests_unit_bad_major_la_LDFLAGS = $(HK_BROKEN_LDFLAGS)
tests_unit_bad_minor_la_SOURCES = tests/unit/brokenmod.c
tests_unit_bad_minor_la_CPPFLAGS = $(AM_CPPFLAGS) -DBROKEN_MINOR
tests_unit_bad_minor_la_LDFLAGS = $(HK_BROKEN_LDFLAGS)
tests_unit_bad_dup_la_SOURCES = tests/unit/brokenmod.c
tests_unit_bad_dup_la_CPPFLAGS = $(AM_CPPFLAGS) -DBROKEN_DUP
tests_unit_bad_dup_la_LDFLAGS = $(HK_BROKEN_LDFLAGS)
tests_unit_bad_null_la_SOURCES = tests/unit/brokenmod.c
tests_unit_bad_null_la_CPPFLAGS = $(AM_CPPFLAGS) -DBROKEN_NULL
tests_unit_bad_null_la_LDFLAGS = $(HK_BROKEN_LDFLAGS)
tests_unit_bad_name_la_SOURCES = tests/unit/brokenmod.c
tests_unit_bad_name_la_CPPFLAGS = $(AM_CPPFLAGS) -DBROKEN_NAME
tests_unit_bad_name_la_LDFLAGS = $(HK_BROKEN_LDFLAGS)
tests_unit_bad_size_la_SOURCES = tests/unit/brokenmod.c
tests_unit_bad_size_la_CPPFLAGS = $(AM_CPPFLAGS) -DBROKEN_SIZE
tests_unit_bad_size_la_LDFLAGS = $(HK_BROKEN_LDFLAGS)
tests_unit_bad_undef_la_SOURCES = tests/unit/brokenmod.c
tests_unit_bad_undef_la_CPPFLAGS = $(AM_CPPFLAGS) -DBROKEN_UNDEF
tests_unit_bad_undef_la_LDFLAGS = $(HK_BROKEN_LDFLAGS)
# Not broken: a module built for a newer descriptor size but our minor,
# and one that misbehaves at run time (checked by hk_authsess_step).
tests_unit_good_newer_la_SOURCES = tests/unit/brokenmod.c
tests_unit_good_newer_la_CPPFLAGS = $(AM_CPPFLAGS) -DGOOD_MISBEHAVES
tests_unit_good_newer_la_LDFLAGS = $(HK_BROKEN_LDFLAGS)

check_PROGRAMS += tests/unit/test_modload
TESTS += tests/unit/test_modload
tests_unit_test_modload_SOURCES = tests/unit/test_modload.c
tests_unit_test_modload_CPPFLAGS = $(AM_CPPFLAGS) \
	-DHK_TEST_BUILDDIR='"$(abs_top_builddir)"'
tests_unit_test_modload_CFLAGS = $(HK_UNIT_CFLAGS)
tests_unit_test_modload_LDADD = $(HK_UNIT_DEPS)
