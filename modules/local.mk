# modules/ - the shipped auth modules and the module SDK.
#
# Each module is a libtool module exporting one symbol, the entry point
# (HK_AUTHMOD_ENTRY_NAME in authmod.h); --no-undefined makes sure no module
# leans on a symbol of the core: everything it needs from hikyaku comes
# through the services table.

hikyakuincludedir = $(includedir)/hikyaku
hikyakuinclude_HEADERS = include/hikyaku/authmod.h
dist_man3_MANS = docs/hikyaku-authmod.3
dist_doc_DATA += docs/MODULES.md

# Modules build on the SDK (include/) and the core's base layer (src/lib)
# only: never on anything above it.
HK_MOD_CPPFLAGS = $(HK_CPPFLAGS_BASE) $(HK_INC_lib) -I$(top_srcdir)/modules

# Helpers linked into every module: their own, and the core's base64.
noinst_LTLIBRARIES += modules/libhkmodutil.la
modules_libhkmodutil_la_SOURCES = modules/modutil.c modules/modutil.h \
	src/lib/base64.c src/lib/base64.h
modules_libhkmodutil_la_CPPFLAGS = $(HK_MOD_CPPFLAGS)
modules_libhkmodutil_la_CFLAGS = $(AM_CFLAGS) $(OPENSSL_CFLAGS)

HK_MOD_CFLAGS = $(AM_CFLAGS) $(OPENSSL_CFLAGS) -fvisibility=hidden
HK_MOD_LDFLAGS = -module -avoid-version -shared \
	-export-symbols-regex '^hikyaku_authmod_entry$$' -Wl,--no-undefined
HK_MOD_LIBADD = modules/libhkmodutil.la $(OPENSSL_LIBS)

modules_LTLIBRARIES += modules/login.la modules/plain.la \
	modules/cram-md5.la modules/scram-sha-256.la modules/apop.la \
	modules/pop-before-smtp.la modules/xoauth2.la modules/oauthbearer.la

modules_login_la_SOURCES = modules/login.c
modules_login_la_CFLAGS = $(HK_MOD_CFLAGS)
modules_login_la_CPPFLAGS = $(HK_MOD_CPPFLAGS)
modules_login_la_LDFLAGS = $(HK_MOD_LDFLAGS)
modules_login_la_LIBADD = $(HK_MOD_LIBADD)

modules_plain_la_SOURCES = modules/plain.c
modules_plain_la_CFLAGS = $(HK_MOD_CFLAGS)
modules_plain_la_CPPFLAGS = $(HK_MOD_CPPFLAGS)
modules_plain_la_LDFLAGS = $(HK_MOD_LDFLAGS)
modules_plain_la_LIBADD = $(HK_MOD_LIBADD)

modules_cram_md5_la_SOURCES = modules/cram-md5.c
modules_cram_md5_la_CFLAGS = $(HK_MOD_CFLAGS)
modules_cram_md5_la_CPPFLAGS = $(HK_MOD_CPPFLAGS)
modules_cram_md5_la_LDFLAGS = $(HK_MOD_LDFLAGS)
modules_cram_md5_la_LIBADD = $(HK_MOD_LIBADD)

modules_scram_sha_256_la_SOURCES = modules/scram-sha-256.c
modules_scram_sha_256_la_CFLAGS = $(HK_MOD_CFLAGS)
modules_scram_sha_256_la_CPPFLAGS = $(HK_MOD_CPPFLAGS)
modules_scram_sha_256_la_LDFLAGS = $(HK_MOD_LDFLAGS)
modules_scram_sha_256_la_LIBADD = $(HK_MOD_LIBADD)

modules_apop_la_SOURCES = modules/apop.c
modules_apop_la_CFLAGS = $(HK_MOD_CFLAGS)
modules_apop_la_CPPFLAGS = $(HK_MOD_CPPFLAGS)
modules_apop_la_LDFLAGS = $(HK_MOD_LDFLAGS)
modules_apop_la_LIBADD = $(HK_MOD_LIBADD)

modules_pop_before_smtp_la_SOURCES = modules/pop-before-smtp.c
modules_pop_before_smtp_la_CFLAGS = $(HK_MOD_CFLAGS)
modules_pop_before_smtp_la_CPPFLAGS = $(HK_MOD_CPPFLAGS)
modules_pop_before_smtp_la_LDFLAGS = $(HK_MOD_LDFLAGS)
modules_pop_before_smtp_la_LIBADD = $(HK_MOD_LIBADD)

modules_xoauth2_la_SOURCES = modules/xoauth2.c
modules_xoauth2_la_CFLAGS = $(HK_MOD_CFLAGS)
modules_xoauth2_la_CPPFLAGS = $(HK_MOD_CPPFLAGS)
modules_xoauth2_la_LDFLAGS = $(HK_MOD_LDFLAGS)
modules_xoauth2_la_LIBADD = $(HK_MOD_LIBADD)

modules_oauthbearer_la_SOURCES = modules/oauthbearer.c
modules_oauthbearer_la_CFLAGS = $(HK_MOD_CFLAGS)
modules_oauthbearer_la_CPPFLAGS = $(HK_MOD_CPPFLAGS)
modules_oauthbearer_la_LDFLAGS = $(HK_MOD_LDFLAGS)
modules_oauthbearer_la_LIBADD = $(HK_MOD_LIBADD)

# libtool leaves .la files next to the modules; the loader only looks at
# *.so, but drop them so the directory holds exactly the modules.
install-data-hook: install-modules-drop-la
install-modules-drop-la:
	rm -f $(DESTDIR)$(modulesdir)/*.la
# Without the .la files libtool cannot uninstall the .so files itself.
uninstall-hook: uninstall-modules-so
uninstall-modules-so:
	for m in $(modules_LTLIBRARIES); do \
		rm -f "$(DESTDIR)$(modulesdir)/`basename $$m .la`.so"; \
	done
.PHONY: install-modules-drop-la uninstall-modules-so
