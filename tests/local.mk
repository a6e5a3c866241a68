# tests/ - unit tests (cmocka), run by `make check`.  Integration and
# browser tests are driven by tests/run (see README).
if HAVE_CMOCKA
UNIT_CFLAGS = $(libhikyaku_la_CFLAGS) $(CMOCKA_CFLAGS)
UNIT_LDADD = libhikyaku.la $(CMOCKA_LIBS)
endif
