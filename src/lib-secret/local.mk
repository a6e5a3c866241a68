# src/lib-secret/ - secrets: the key file, AES-256-GCM at rest, scrypt password hashes.
# May include: src/lib-secret and the layers below it (src/local.mk).

noinst_LTLIBRARIES += src/lib-secret/libhk-secret.la
src_lib_secret_libhk_secret_la_SOURCES = \
	src/lib-secret/keyfile.c \
	src/lib-secret/keyfile.h \
	src/lib-secret/password.c \
	src/lib-secret/password.h \
	src/lib-secret/secret.c \
	src/lib-secret/secret.h
src_lib_secret_libhk_secret_la_CPPFLAGS = $(HK_CPPFLAGS_BASE) $(HK_INC_secret)
src_lib_secret_libhk_secret_la_CFLAGS = $(HK_DEP_CFLAGS)
