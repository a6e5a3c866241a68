#!/usr/bin/env bash
# t-cli-move.sh - a site moved with hikyakuctl alone keeps working against
# real mail servers (tests/peers/mailpeers): a server and accounts made on
# the command line (passwords on standard input and a descriptor) sign in;
# after export --with-secrets and import into another site with its own
# key, the same accounts still sign in, with the server's fixed SMTP
# credentials too.
set -u
. "$HK_SRCDIR/tests/lib/tap.sh"
. "$HK_SRCDIR/tests/lib/instance.sh"
. "$HK_SRCDIR/tests/lib/http.sh"
. "$HK_SRCDIR/tests/lib/mail.sh"
hk_mail_start climove

ctl() { "$HK_PREFIX/bin/hikyakuctl" --config "$HK_CONFIG" "$@"; }
ctl servers add --set name=ピア \
	--set smtp_host=127.0.0.1 --set smtp_port="$SUBMISSION_PORT" --set smtp_auth=on \
	--set smtp_auth_method=login --set recv_host=127.0.0.1 --set recv_port="$POP3_PORT" >/dev/null
is "servers add: a real POP3 + submission server" "$?" 0
printf '%s\n' "$ALICE_PASS" | ctl accounts add --set name=アリス --set address="$ALICE_ADDR" \
	--set server_id=ピア --set username="$ALICE_USER" >/dev/null
is "accounts add, password on standard input" "$?" 0
ctl accounts add --set name=bob --set address="$BOB_ADDR" --set server_id=ピア \
	--set username="$BOB_USER" --password-fd 3 3< <(printf 'not-%s\n' "$BOB_PASS") >/dev/null
is "accounts add, password on descriptor 3 (a wrong one, on purpose)" "$?" 0
ctl test ピア --account アリス >/dev/null 2>&1
is "the password given on standard input signs in (test exits 0)" "$?" 0
ctl test ピア --account bob >/dev/null 2>&1
is "a wrong password does not (test exits 4)" "$?" 4
ctl accounts change bob --password-fd 3 3< <(printf '%s\n' "$BOB_PASS") >/dev/null
ctl test ピア --account bob >/dev/null 2>&1
is "accounts change --password-fd: now it signs in" "$?" 0
# Fixed SMTP credentials on the server (Bob's), password on stdin.
printf '%s\n' "$BOB_PASS" | ctl servers change ピア --set smtp_credentials=fixed \
	--set smtp_user="$BOB_USER" --password >/dev/null
is "servers change: fixed SMTP credentials" "$?" 0
ctl test ピア --account アリス >/dev/null 2>&1
is "... which sign in" "$?" 0

printf 'move phrase\n' | ctl export --with-secrets > "$HK_DIR/site.xml"
is "export --with-secrets" "$?" 0
mkdir -p "$HK_DIR/site2"
DB2=$(hk_new_store site2) || ok "a second store" false
sed -e "s|^database = .*|database = $DB2|" \
	-e "s|^secret_key = .*|secret_key = $HK_DIR/site2/secret.key|" "$HK_CONFIG" > "$HK_DIR/site2.conf"
ctl2() { "$HK_PREFIX/bin/hikyakuctl" --config "$HK_DIR/site2.conf" "$@"; }
ctl2 init >/dev/null
printf 'move phrase\n' | ctl2 import "$HK_DIR/site.xml" >/dev/null
is "import into a new site with its own key" "$?" 0
unlike "... which is another key" "$(cat "$HK_DIR/site2/secret.key")" "$(cat "$HK_DIR/secret.key")"
ctl2 test ピア --account アリス >/dev/null 2>&1
is "the moved account and the server's fixed credentials sign in" "$?" 0
ctl2 test ピア --account bob >/dev/null 2>&1
is "... and the other account too" "$?" 0

hk_mail_cleanup
trap - EXIT
done_testing
