# Talking to mail servers: network, TLS, SMTP/POP3/IMAP, the connection test.
libhikyaku_la_SOURCES += src/net.c src/net.h src/tls.c src/tls.h \
	src/smtp.c src/smtp.h src/pop3.c src/pop3.h src/imap.c src/imap.h \
	src/presend.c src/presend.h src/conntest.c src/conntest.h
libhikyaku_la_SOURCES += src/ui_conntest.c
hikyakuctl_SOURCES += src/ctl_test.c
