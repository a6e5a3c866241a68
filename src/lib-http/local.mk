# src/lib-http/ - one HTTP request and response; form, query, cookie and Accept parsers (all fuzzed).
# May include: src/lib-http and the layers below it (src/local.mk).

noinst_LTLIBRARIES += src/lib-http/libhk-http.la
src_lib_http_libhk_http_la_SOURCES = \
	src/lib-http/cookie.c \
	src/lib-http/cookie.h \
	src/lib-http/form.c \
	src/lib-http/form.h \
	src/lib-http/http.c \
	src/lib-http/http.h \
	src/lib-http/negotiate.c \
	src/lib-http/negotiate.h
src_lib_http_libhk_http_la_CPPFLAGS = $(HK_CPPFLAGS_BASE) $(HK_INC_http)
src_lib_http_libhk_http_la_CFLAGS = $(HK_DEP_CFLAGS)
