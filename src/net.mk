# Talking to mail servers: network, TLS, SMTP/POP3/IMAP, the connection test.
libhikyaku_la_SOURCES += src/ui_conntest.c
hikyakuctl_SOURCES += src/ctl_test.c
