# src/lib/ - the base: memory, logging, buffers, UTF-8, configuration, parameters, base64, message catalogues.
# May include: src/lib and the layers below it (src/local.mk).

noinst_LTLIBRARIES += src/lib/libhk-lib.la
src_lib_libhk_lib_la_SOURCES = \
	src/lib/base64.c \
	src/lib/base64.h \
	src/lib/buf.c \
	src/lib/buf.h \
	src/lib/conf.c \
	src/lib/conf.h \
	src/lib/fsyncdir.c \
	src/lib/fsyncdir.h \
	src/lib/i18n.c \
	src/lib/i18n.h \
	src/lib/log.c \
	src/lib/log.h \
	src/lib/mem.c \
	src/lib/mem.h \
	src/lib/nocore.c \
	src/lib/nocore.h \
	src/lib/params.c \
	src/lib/params.h \
	src/lib/secmem.c \
	src/lib/secmem.h \
	src/lib/sizefmt.c \
	src/lib/sizefmt.h \
	src/lib/utf8.c \
	src/lib/utf8.h
src_lib_libhk_lib_la_CPPFLAGS = $(HK_CPPFLAGS_BASE) $(HK_INC_lib)
src_lib_libhk_lib_la_CFLAGS = $(HK_DEP_CFLAGS)
