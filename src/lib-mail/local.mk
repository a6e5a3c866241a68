# src/lib-mail/ - talking to mail servers: SMTP, POP3, IMAP, the connection test, send, fetch, Maildir, oversized mail, health.
# May include: src/lib-mail and the layers below it (src/local.mk).

noinst_LTLIBRARIES += src/lib-mail/libhk-mail.la
src_lib_mail_libhk_mail_la_SOURCES = \
	src/lib-mail/conntest.c \
	src/lib-mail/conntest.h \
	src/lib-mail/conntest-print.c \
	src/lib-mail/conntest-report.c \
	src/lib-mail/conntest-report.h \
	src/lib-mail/conntest-store.c \
	src/lib-mail/fetch.c \
	src/lib-mail/fetch.h \
	src/lib-mail/health.c \
	src/lib-mail/health.h \
	src/lib-mail/imap.c \
	src/lib-mail/imap.h \
	src/lib-mail/mailopen.c \
	src/lib-mail/mailopen.h \
	src/lib-mail/maildir.c \
	src/lib-mail/maildir.h \
	src/lib-mail/maildir_place.c \
	src/lib-mail/maildir_place.h \
	src/lib-mail/msgheaders.c \
	src/lib-mail/msgheaders.h \
	src/lib-mail/oauth2_call.c \
	src/lib-mail/oauth2_call.h \
	src/lib-mail/oauth2_token.c \
	src/lib-mail/oauth2_token.h \
	src/lib-mail/oversized.c \
	src/lib-mail/oversized.h \
	src/lib-mail/pop3.c \
	src/lib-mail/pop3.h \
	src/lib-mail/presend.c \
	src/lib-mail/presend.h \
	src/lib-mail/recv.c \
	src/lib-mail/recv.h \
	src/lib-mail/recvauth.c \
	src/lib-mail/recvauth.h \
	src/lib-mail/send.c \
	src/lib-mail/send.h \
	src/lib-mail/refusal.c \
	src/lib-mail/refusal.h \
	src/lib-mail/smtp.c \
	src/lib-mail/smtp.h \
	src/lib-mail/testaudit.c \
	src/lib-mail/testaudit.h
src_lib_mail_libhk_mail_la_CPPFLAGS = $(HK_CPPFLAGS_BASE) $(HK_INC_mail)
src_lib_mail_libhk_mail_la_CFLAGS = $(HK_DEP_CFLAGS)
