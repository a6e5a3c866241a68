# src/ - the core library, the FastCGI worker and the admin command line.

noinst_LTLIBRARIES += libhikyaku.la
libhikyaku_la_SOURCES = \
	src/admins.c src/admins.h \
	src/app.c src/app.h \
	src/buf.c src/buf.h \
	src/conf.c src/conf.h \
	src/db.c src/db.h \
	src/db_schema.c src/db_schema.h \
	src/http.c src/http.h \
	src/i18n.c src/i18n.h \
	src/keyfile.c src/keyfile.h \
	src/log.c src/log.h \
	src/mem.c src/mem.h \
	src/page.c \
	src/pagecache.c src/pagecache.h \
	src/params.c src/params.h \
	src/password.c src/password.h \
	src/routes.c src/routes.h \
	src/server.c src/server.h \
	src/session.c src/session.h \
	src/statics.c src/statics.h \
	src/ui.h \
	src/ui_login.c \
	src/ui_static.c \
	src/view.c src/view.h
libhikyaku_la_CFLAGS = $(AM_CFLAGS) $(LIBXML_CFLAGS) $(LIBXSLT_CFLAGS) \
	$(SQLITE_CFLAGS) $(OPENSSL_CFLAGS) $(IDN2_CFLAGS)
libhikyaku_la_LIBADD = $(LIBXSLT_LIBS) $(LIBXML_LIBS) $(SQLITE_LIBS) \
	$(OPENSSL_LIBS) $(IDN2_LIBS) $(FCGI_LIBS)

sbin_PROGRAMS += hikyaku-fcgi
hikyaku_fcgi_SOURCES = src/hikyaku-fcgi.c
hikyaku_fcgi_CFLAGS = $(libhikyaku_la_CFLAGS)
hikyaku_fcgi_LDADD = libhikyaku.la

bin_PROGRAMS += hikyakuctl
hikyakuctl_SOURCES = src/hikyakuctl.c src/ctl.h src/ctl_input.c
hikyakuctl_CFLAGS = $(libhikyaku_la_CFLAGS)
hikyakuctl_LDADD = libhikyaku.la

# Each area keeps its own list of files:
# mail servers (model, validation, screens)
include src/servers.mk
# mail accounts, secrets at rest, the audit trail, key rotation
include src/accounts.mk
# talking to mail servers: network, TLS, SMTP/POP3/IMAP, connection test
include src/net.mk
# sending and receiving: send/fetch, Maildir, oversized mail
include src/mail.mk
# Request input parsers: form/query, cookies, UTF-8, negotiation.
include src/http-input.mk
# The auth module loader.
include src/modload.mk
