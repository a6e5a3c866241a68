# src/lib-web/ - the request pipeline: application, routes, view (XSLT), page cache, static files, the FastCGI server.
# May include: src/lib-web and the layers below it (src/local.mk).

noinst_LTLIBRARIES += src/lib-web/libhk-web.la
src_lib_web_libhk_web_la_SOURCES = \
	src/lib-web/app.c \
	src/lib-web/app.h \
	src/lib-web/cachedpage.c \
	src/lib-web/cachedpage.h \
	src/lib-web/html_writer.c \
	src/lib-web/html_writer.h \
	src/lib-web/msgfold.c \
	src/lib-web/msgfold.h \
	src/lib-web/page.c \
	src/lib-web/pagecache.c \
	src/lib-web/pagecache.h \
	src/lib-web/routes.c \
	src/lib-web/routes.h \
	src/lib-web/server.c \
	src/lib-web/server.h \
	src/lib-web/statics.c \
	src/lib-web/statics.h \
	src/lib-web/sheetdocs.c \
	src/lib-web/sheetdocs.h \
	src/lib-web/view.c \
	src/lib-web/view.h \
	src/lib-web/viewext.c \
	src/lib-web/viewext.h
src_lib_web_libhk_web_la_CPPFLAGS = $(HK_CPPFLAGS_BASE) $(HK_INC_web)
src_lib_web_libhk_web_la_CFLAGS = $(HK_DEP_CFLAGS)
