# src/lib-model/ - mail servers and accounts: fields, validation, storage.
# May include: src/lib-model and the layers below it (src/local.mk).

noinst_LTLIBRARIES += src/lib-model/libhk-model.la
src_lib_model_libhk_model_la_SOURCES = \
	src/lib-model/accounts.c \
	src/lib-model/accounts.h \
	src/lib-model/oauth2_presets.c \
	src/lib-model/oauth2_presets.h \
	src/lib-model/server_form.c \
	src/lib-model/server_form.h \
	src/lib-model/server_store.c \
	src/lib-model/server_store.h \
	src/lib-model/servers.c \
	src/lib-model/servers.h \
	src/lib-model/validate.c \
	src/lib-model/validate.h
src_lib_model_libhk_model_la_CPPFLAGS = $(HK_CPPFLAGS_BASE) $(HK_INC_model)
src_lib_model_libhk_model_la_CFLAGS = $(HK_DEP_CFLAGS)
