# Mail servers: model, validation, screens.
libhikyaku_la_SOURCES += src/ui_servers.c
