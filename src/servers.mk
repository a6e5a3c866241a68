# Mail servers: model, validation, screens.
libhikyaku_la_SOURCES += src/ui_servers.c \
	src/servers.c src/servers.h \
	src/validate.c src/validate.h
