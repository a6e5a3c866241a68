# src/lib-net/ - a connection to a mail server: resolve, connect, bounded reads and writes; TLS as a layer on it.
# May include: src/lib-net and the layers below it (src/local.mk).

noinst_LTLIBRARIES += src/lib-net/libhk-net.la
src_lib_net_libhk_net_la_SOURCES = \
	src/lib-net/net.c \
	src/lib-net/net.h \
	src/lib-net/tls.c \
	src/lib-net/tls.h
src_lib_net_libhk_net_la_CPPFLAGS = $(HK_CPPFLAGS_BASE) $(HK_INC_net)
src_lib_net_libhk_net_la_CFLAGS = $(HK_DEP_CFLAGS)
