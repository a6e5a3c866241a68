# src/lib-oauth2/ - the OAuth 2.0 client: token requests over HTTPS (libcurl), their JSON answers (jansson), PKCE, the authorization URL, device authorization, revocation.
# May include: src/lib-oauth2 and the layers below it (src/local.mk).

noinst_LTLIBRARIES += src/lib-oauth2/libhk-oauth2.la
src_lib_oauth2_libhk_oauth2_la_SOURCES = \
	src/lib-oauth2/oauth2.h \
	src/lib-oauth2/oauth2-private.h \
	src/lib-oauth2/oauth2-alloc.c \
	src/lib-oauth2/oauth2-device.c \
	src/lib-oauth2/oauth2-flows.c \
	src/lib-oauth2/oauth2-form.c \
	src/lib-oauth2/oauth2-http.c \
	src/lib-oauth2/oauth2-json.c \
	src/lib-oauth2/oauth2-pkce.c \
	src/lib-oauth2/oauth2-result.c \
	src/lib-oauth2/oauth2-url.c
src_lib_oauth2_libhk_oauth2_la_CPPFLAGS = $(HK_CPPFLAGS_BASE) $(HK_INC_oauth2)
src_lib_oauth2_libhk_oauth2_la_CFLAGS = $(HK_DEP_CFLAGS) $(CURL_CFLAGS) $(JANSSON_CFLAGS)
