# src/fcgi/ - the FastCGI worker program (hikyaku-fcgi).
# May include every layer (it is the top, beside src/ctl).
sbin_PROGRAMS += hikyaku-fcgi
hikyaku_fcgi_SOURCES = src/fcgi/hikyaku-fcgi.c
hikyaku_fcgi_CPPFLAGS = $(HK_CPPFLAGS_BASE) $(HK_INC_ui)
hikyaku_fcgi_CFLAGS = $(HK_DEP_CFLAGS)
hikyaku_fcgi_LDADD = libhikyaku.la
