# Request input parsers (form.h, cookie.h, utf8.h, negotiate.h).
libhikyaku_la_SOURCES += \
	src/form.c src/form.h \
	src/utf8.c src/utf8.h \
	src/cookie.c src/cookie.h \
	src/negotiate.c src/negotiate.h
