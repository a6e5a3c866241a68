# src/ - the core, one folder per layer, listed here from the bottom up.
#
# Each layer is a convenience library compiled with the include path of
# its own folder and the folders below it only (HK_INC_<layer>), so a
# header of a higher layer cannot be included from a lower one: the
# compiler does not find it.  tests/unit/check-layers.sh says it in words
# (and catches "../" includes).  Order, bottom first:
#   lib < lib-secret < lib-http < lib-net < lib-oauth2 < lib-auth < lib-sql < lib-store < lib-model < lib-mail < lib-web < ui < fcgi, ctl

# Compiler flags for the libraries every layer may use.
HK_DEP_CFLAGS = $(AM_CFLAGS) $(LIBXML_CFLAGS) $(LIBXSLT_CFLAGS) \
	$(SQLITE_CFLAGS) $(OPENSSL_CFLAGS) $(IDN2_CFLAGS)

HK_INC_lib = -I$(top_srcdir)/src/lib
HK_INC_secret = $(HK_INC_lib) -I$(top_srcdir)/src/lib-secret
HK_INC_http = $(HK_INC_secret) -I$(top_srcdir)/src/lib-http
HK_INC_net = $(HK_INC_http) -I$(top_srcdir)/src/lib-net
HK_INC_oauth2 = $(HK_INC_net) -I$(top_srcdir)/src/lib-oauth2
HK_INC_auth = $(HK_INC_oauth2) -I$(top_srcdir)/src/lib-auth
HK_INC_sql = $(HK_INC_auth) -I$(top_srcdir)/src/lib-sql
HK_INC_store = $(HK_INC_sql) -I$(top_srcdir)/src/lib-store
HK_INC_model = $(HK_INC_store) -I$(top_srcdir)/src/lib-model
HK_INC_mail = $(HK_INC_model) -I$(top_srcdir)/src/lib-mail
HK_INC_web = $(HK_INC_mail) -I$(top_srcdir)/src/lib-web
HK_INC_ui = $(HK_INC_web) -I$(top_srcdir)/src/ui

include src/lib/local.mk
include src/lib-secret/local.mk
include src/lib-http/local.mk
include src/lib-net/local.mk
include src/lib-oauth2/local.mk
include src/lib-auth/local.mk
include src/lib-sql/local.mk
include src/lib-store/local.mk
include src/lib-model/local.mk
include src/lib-mail/local.mk
include src/lib-web/local.mk
include src/ui/local.mk

# Everything the programs and the unit tests link: the layers, top first.
noinst_LTLIBRARIES += libhikyaku.la
libhikyaku_la_SOURCES =
libhikyaku_la_LIBADD = src/ui/libhk-ui.la src/lib-web/libhk-web.la src/lib-mail/libhk-mail.la src/lib-model/libhk-model.la src/lib-store/libhk-store.la src/lib-sql/libhk-sql.la src/lib-auth/libhk-auth.la src/lib-oauth2/libhk-oauth2.la src/lib-net/libhk-net.la src/lib-http/libhk-http.la src/lib-secret/libhk-secret.la src/lib/libhk-lib.la \
	$(LIBXSLT_LIBS) $(LIBXML_LIBS) $(SQLITE_LIBS) $(LIBPQ_LIBS) $(OPENSSL_LIBS) \
	$(IDN2_LIBS) $(CURL_LIBS) $(JANSSON_LIBS) $(FCGI_LIBS)

include src/fcgi/local.mk
include src/ctl/local.mk
