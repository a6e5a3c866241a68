# The auth module loader (modload.h): loads modules/*.so, runs sessions.
libhikyaku_la_SOURCES += src/modload.c src/modload.h \
	src/authsess.c src/authsess-private.h src/authrun.c
# The SASL framing shares the modules' strict base64 (modules/modutil.c).
libhikyaku_la_LIBADD += modules/libhkmodutil.la
