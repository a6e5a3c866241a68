# src/ - the core library, the FastCGI worker and the admin command line.

noinst_LTLIBRARIES += libhikyaku.la
libhikyaku_la_SOURCES = \
	src/buf.c src/buf.h \
	src/log.c src/log.h \
	src/mem.c src/mem.h \
	src/params.c src/params.h
libhikyaku_la_CFLAGS = $(AM_CFLAGS) $(LIBXML_CFLAGS) $(LIBXSLT_CFLAGS) \
	$(SQLITE_CFLAGS) $(OPENSSL_CFLAGS) $(IDN2_CFLAGS)
libhikyaku_la_LIBADD = $(LIBXSLT_LIBS) $(LIBXML_LIBS) $(SQLITE_LIBS) \
	$(OPENSSL_LIBS) $(IDN2_LIBS) $(FCGI_LIBS)

# Request input parsers: form/query, cookies, UTF-8, negotiation.
include src/http-input.mk
# The auth module loader.
include src/modload.mk

sbin_PROGRAMS += hikyaku-fcgi
hikyaku_fcgi_SOURCES = src/hikyaku-fcgi.c
hikyaku_fcgi_CFLAGS = $(libhikyaku_la_CFLAGS)
hikyaku_fcgi_LDADD = libhikyaku.la

bin_PROGRAMS += hikyakuctl
hikyakuctl_SOURCES = src/hikyakuctl.c
hikyakuctl_CFLAGS = $(libhikyaku_la_CFLAGS)
hikyakuctl_LDADD = libhikyaku.la
