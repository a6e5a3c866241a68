# tests/ - unit tests (cmocka), run by `make check`.  Integration and
# browser tests are driven by tests/run (see README).
if HAVE_CMOCKA
HK_UNIT_CFLAGS = $(HK_DEP_CFLAGS) $(CMOCKA_CFLAGS)
HK_UNIT_DEPS = libhikyaku.la $(CMOCKA_LIBS)
# Tests that check a secret is wiped before its memory is released link
# tests/unit/freewatch.c, which wraps these (freewatch.h).
HK_FREEWATCH_FILES = tests/unit/freewatch.c tests/unit/freewatch.h
HK_FREEWATCH_LINK = -Wl,--wrap=free -Wl,--wrap=realloc -Wl,--wrap=munmap
# The temporary-database fixture (testdb.h) the store tests share.
HK_TESTDB_SOURCES = tests/unit/testdb.c tests/unit/testdb.h

include tests/unit/core.mk
include tests/unit/http-input.mk
include tests/unit/modules.mk
include tests/unit/servers.mk
include tests/unit/accounts.mk
include tests/unit/net.mk
include tests/unit/mail.mk
include tests/unit/oauth2.mk
endif

# The layers of src/ include only downwards (src/local.mk).
TESTS += tests/unit/check-layers.sh
EXTRA_DIST += tests/unit/check-layers.sh

# tests/peers ships whole, but the IdP's npm packages are installed by
# tests/deps (npm ci), never shipped.
dist-hook:
	rm -rf $(distdir)/tests/peers/idp/node_modules
