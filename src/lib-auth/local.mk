# src/lib-auth/ - the auth-module loader, sessions and the SASL driver.
# May include: src/lib-auth and the layers below it (src/local.mk).

noinst_LTLIBRARIES += src/lib-auth/libhk-auth.la
src_lib_auth_libhk_auth_la_SOURCES = \
	src/lib-auth/authrun.c \
	src/lib-auth/authsess-private.h \
	src/lib-auth/authsess.c \
	src/lib-auth/modload.c \
	src/lib-auth/modload.h
src_lib_auth_libhk_auth_la_CPPFLAGS = $(HK_CPPFLAGS_BASE) $(HK_INC_auth)
src_lib_auth_libhk_auth_la_CFLAGS = $(HK_DEP_CFLAGS)
