#!/usr/bin/env bash
# t-sdk.sh - the module SDK as a third party sees it (docs/MODULES.md): build
# examples/xoauth2 out of tree against the installed authmod.h and
# hikyaku-authmod.pc, drop it next to the shipped modules, and check that
# `hikyakuctl modules` lists all eight, and that broken modules in the
# directory are refused by name on stderr while the rest still load.
# Env: HK_PREFIX (a `make install`ed prefix), HK_SRCDIR, HK_TMP (scratch).
set -u
. "$HK_SRCDIR/tests/lib/tap.sh"
ctl=$HK_PREFIX/bin/hikyakuctl
T=${HK_TMP:-$(mktemp -d)}/t-sdk.$$
mkdir -p "$T"
trap 'rm -rf "$T"' EXIT
export PKG_CONFIG_PATH=$HK_PREFIX/lib/pkgconfig
CC=${CC:-cc}

# --- the installed SDK
ok "pkg-config finds hikyaku-authmod" pkg-config --exists hikyaku-authmod
cflags=$(pkg-config --cflags hikyaku-authmod)
like "its Cflags point into the prefix" "$cflags" "-I$HK_PREFIX/include"
is "its moduledir is the prefix's" \
	"$(pkg-config --variable=moduledir hikyaku-authmod)" \
	"$HK_PREFIX/lib/hikyaku/modules"
ok "authmod.h is installed" test -f "$HK_PREFIX/include/hikyaku/authmod.h"
ok "the man page is installed" test -f "$HK_PREFIX/share/man/man3/hikyaku-authmod.3"

# --- examples/xoauth2 built out of tree, with its own Makefile ...
cp -R "$HK_SRCDIR/examples/xoauth2" "$T/xoauth2"
rm -f "$T/xoauth2/xoauth2.so"
out=$(make -C "$T/xoauth2" CFLAGS="-O2 -Wall -Wextra -Werror" 2>&1); rc=$?
is "the example builds with its Makefile" "$rc" 0
[ "$rc" = 0 ] || diag "$out"
ok "... into xoauth2.so" test -f "$T/xoauth2/xoauth2.so"
exported=$(nm -D --defined-only "$T/xoauth2/xoauth2.so" 2>/dev/null |
	awk '$2 == "T" { print $3 }' | grep -v '^_' | tr '\n' ' ')
is "... exporting only the entry symbol" "$exported" "hikyaku_authmod_entry "
# ... and with the one-line command docs/REFERENCE.md promises.
ok "cc -shared -fPIC \$(pkg-config --cflags hikyaku-authmod) works too" \
	$CC -shared -fPIC $cflags -o "$T/xoauth2-direct.so" "$T/xoauth2/xoauth2.c"

# --- a module directory: the shipped eight, the example's xoauth2.so in
# place of the shipped one (same name: a third party replacing a module)
M=$T/modules
mkdir -p "$M"
cp "$HK_PREFIX"/lib/hikyaku/modules/*.so "$M/"
cp "$T/xoauth2/xoauth2.so" "$M/"
chmod 0644 "$M"/*.so
printf 'module_dir = %s\n' "$M" > "$T/hikyaku.conf"

out=$("$ctl" --config "$T/hikyaku.conf" modules 2>"$T/err"); rc=$?
err=$(cat "$T/err")
is "hikyakuctl modules exits 0" "$rc" 0
is "... and complains about nothing" "$err" ""
is "... listing eight modules" "$(printf '%s\n' "$out" | grep -c .)" 8
is "... sorted by name" "$(printf '%s\n' "$out" | cut -f1 | tr '\n' ' ')" \
	"apop cram-md5 login oauthbearer plain pop-before-smtp scram-sha-256 xoauth2 "
tab=$(printf '\t')
for line in "apop${tab}pop3-auth" "cram-md5${tab}smtp-auth" \
	"login${tab}smtp-auth" "plain${tab}smtp-auth" \
	"pop-before-smtp${tab}pre-send" "scram-sha-256${tab}smtp-auth" \
	"xoauth2${tab}smtp-auth"; do
	name=${line%%"$tab"*}
	like "$name: name, kind, ABI version, file" "$out" \
		"^$line${tab}1\.0${tab}$M/$name\.so\$"
done

# --- broken modules among good ones: refused by name, the rest load
cat > "$T/badabi.c" <<'CEOF'
#include <hikyaku/authmod.h>
static int step(void *st, const struct hk_authmod_session *s,
    const struct hk_authmod_input *in, struct hk_authmod_action *a)
{ (void)st; (void)s; (void)in; (void)a; return HK_AUTHMOD_DONE; }
static const struct hk_authmod m = {
	.abi_major = HK_AUTHMOD_ABI_MAJOR + 1, .abi_minor = 0,
	.size = sizeof(struct hk_authmod), .name = "badabi", .title = "t",
	.kind = HK_AUTHMOD_KIND_SASL, .protocols = HK_AUTHMOD_PROTO_SMTP,
	.sasl_name = "X-BAD", .step = step };
const struct hk_authmod *HK_AUTHMOD_ENTRY(void) { return &m; }
CEOF
ok "a module for another ABI major builds" \
	$CC -shared -fPIC $cflags -o "$M/badabi.so" "$T/badabi.c"
printf 'int not_a_module = 1;\n' > "$T/nosym.c"
ok "a library without the entry symbol builds" \
	$CC -shared -fPIC -o "$M/nosym.so" "$T/nosym.c"
printf 'not an ELF file\n' > "$M/garbage.so"
cp "$T/xoauth2/xoauth2.so" "$M/writable.so"
chmod 0666 "$M/writable.so"
chmod 0644 "$M/badabi.so" "$M/nosym.so" "$M/garbage.so"

out=$("$ctl" --config "$T/hikyaku.conf" modules 2>"$T/err"); rc=$?
err=$(cat "$T/err")
is "with broken modules present, hikyakuctl modules still exits 0" "$rc" 0
is "... and lists the eight good ones" \
	"$(printf '%s\n' "$out" | cut -f1 | tr '\n' ' ')" \
	"apop cram-md5 login oauthbearer plain pop-before-smtp scram-sha-256 xoauth2 "
like "the wrong ABI is refused by file name and reason" "$err" \
	"auth module $M/badabi.so refused: it is built for module ABI 2\.0, we have 1\.0"
like "the missing entry symbol is refused by file name" "$err" \
	"auth module $M/nosym.so refused: it has no entry symbol hikyaku_authmod_entry"
like "a file that is not a shared object is refused by name" "$err" \
	"auth module $M/garbage.so refused: cannot load it"
like "a world-writable module is refused by name" "$err" \
	"auth module $M/writable.so refused: it is group- or world-writable"
is "... one line per refused file" "$(printf '%s\n' "$err" | grep -c 'refused:')" 4

# --- a missing module directory is a warning, not a failure
printf 'module_dir = %s/none\n' "$T" > "$T/none.conf"
out=$("$ctl" --config "$T/none.conf" modules 2>"$T/err"); rc=$?
is "a missing module_dir: hikyakuctl modules exits 0" "$rc" 0
is "... listing nothing" "$out" ""
like "... with a warning naming the directory" "$(cat "$T/err")" "$T/none"

done_testing
