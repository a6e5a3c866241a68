# Sending and receiving: send/fetch, Maildir delivery, oversized mail.
libhikyaku_la_SOURCES += src/ui_oversized.c
hikyakuctl_SOURCES += src/ctl_mail.c
