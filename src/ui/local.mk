# src/ui/ - the screens: one handler file per screen family and the route table.
# May include: src/ui and the layers below it (src/local.mk).

noinst_LTLIBRARIES += src/ui/libhk-ui.la
src_ui_libhk_ui_la_SOURCES = \
	src/ui/ui.h \
	src/ui/ui_accounts.c \
	src/ui/ui_audit.c \
	src/ui/ui_conntest.c \
	src/ui/ui_health.c \
	src/ui/ui_login.c \
	src/ui/ui_oauth2.c \
	src/ui/ui_oauth2_flow.c \
	src/ui/ui_oversized.c \
	src/ui/ui_routes.c \
	src/ui/ui_server_index.c \
	src/ui/ui_server_index.h \
	src/ui/ui_servers.c \
	src/ui/ui_static.c
src_ui_libhk_ui_la_CPPFLAGS = $(HK_CPPFLAGS_BASE) $(HK_INC_ui)
src_ui_libhk_ui_la_CFLAGS = $(HK_DEP_CFLAGS)
