# Sending and receiving: send/fetch, Maildir delivery, oversized mail.
libhikyaku_la_SOURCES += src/ui_oversized.c
hikyakuctl_SOURCES += src/ctl_mail.c
# The engine: message sizes, headers, Maildir delivery, server health,
# sending, receiving sessions, fetching, oversized records.
libhikyaku_la_SOURCES += src/sizefmt.c src/sizefmt.h \
	src/msgheaders.c src/msgheaders.h \
	src/maildir.c src/maildir.h \
	src/health.c src/health.h \
	src/send.c src/send.h \
	src/recv.c src/recv.h \
	src/fetch.c src/fetch.h \
	src/oversized.c src/oversized.h
