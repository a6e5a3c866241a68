# src/lib-store/ - the database: connection, schema, administrators, sign-in sessions and throttling,
# audit trail, server health, last connection tests, key check, the data generation, OAuth 2.0
# tokens and states, the shared DB helpers and store result.
# May include: src/lib-store and the layers below it (src/local.mk).

noinst_LTLIBRARIES += src/lib-store/libhk-store.la
src_lib_store_libhk_store_la_SOURCES = \
	src/lib-store/admins.c \
	src/lib-store/admins.h \
	src/lib-store/audit.c \
	src/lib-store/audit.h \
	src/lib-store/datagen.c \
	src/lib-store/datagen.h \
	src/lib-store/db.c \
	src/lib-store/db.h \
	src/lib-store/db_schema.c \
	src/lib-store/db_schema_pg.c \
	src/lib-store/db_schema.h \
	src/lib-store/dbutil.c \
	src/lib-store/dbutil.h \
	src/lib-store/healthdb.c \
	src/lib-store/healthdb.h \
	src/lib-store/keycheck.c \
	src/lib-store/keycheck.h \
	src/lib-store/oauth2_state.c \
	src/lib-store/oauth2_state.h \
	src/lib-store/oauth2_tokens.c \
	src/lib-store/oauth2_tokens.h \
	src/lib-store/lease.c \
	src/lib-store/lease.h \
	src/lib-store/servertest.c \
	src/lib-store/servertest.h \
	src/lib-store/session.c \
	src/lib-store/session.h \
	src/lib-store/throttle.c \
	src/lib-store/throttle.h \
	src/lib-store/storerc.h
src_lib_store_libhk_store_la_CPPFLAGS = $(HK_CPPFLAGS_BASE) $(HK_INC_store)
src_lib_store_libhk_store_la_CFLAGS = $(HK_DEP_CFLAGS)
