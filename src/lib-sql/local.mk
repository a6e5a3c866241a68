# src/lib-sql/ - one SQL API over the store's backends (sql.h), and its
# drivers: SQLite, and PostgreSQL when built with libpq.
# May include: src/lib-sql and the layers below it (src/local.mk).

noinst_LTLIBRARIES += src/lib-sql/libhk-sql.la
src_lib_sql_libhk_sql_la_SOURCES = \
	src/lib-sql/sql.c \
	src/lib-sql/sql.h \
	src/lib-sql/sql-private.h \
	src/lib-sql/sql-placeholders.c \
	src/lib-sql/sql-placeholders.h \
	src/lib-sql/sql-sqlite.c
if HAVE_LIBPQ
src_lib_sql_libhk_sql_la_SOURCES += src/lib-sql/sql-pgsql.c
endif
src_lib_sql_libhk_sql_la_CPPFLAGS = $(HK_CPPFLAGS_BASE) $(HK_INC_sql)
src_lib_sql_libhk_sql_la_CFLAGS = $(HK_DEP_CFLAGS) $(LIBPQ_CFLAGS)
