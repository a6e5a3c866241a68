# src/ctl/ - the admin command line (hikyakuctl).
# May include the layers up to src/lib-mail; the web layers are not its
# business.
bin_PROGRAMS += hikyakuctl
hikyakuctl_SOURCES = src/ctl/ctl.h src/ctl/ctl_accounts.c src/ctl/ctl_backup.c src/ctl/ctl_breaker.c src/ctl/ctl_breaker.h src/ctl/ctl_export.c src/ctl/ctl_fetch.h src/ctl/ctl_fetchall.c src/ctl/ctl_fields.c src/ctl/ctl_fields.h src/ctl/ctl_import.c src/ctl/ctl_input.c src/ctl/ctl_keys.c src/ctl/ctl_mail.c src/ctl/ctl_migrate.c src/ctl/ctl_oauth2.c src/ctl/ctl_servers.c src/ctl/ctl_test.c src/ctl/ctl_xfer.c src/ctl/ctl_xfer.h src/ctl/hikyakuctl.c
hikyakuctl_CPPFLAGS = $(HK_CPPFLAGS_BASE) $(HK_INC_mail)
hikyakuctl_CFLAGS = $(HK_DEP_CFLAGS)
hikyakuctl_LDADD = libhikyaku.la
