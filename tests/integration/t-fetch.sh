#!/usr/bin/env bash
# t-fetch.sh - `hikyakuctl fetch` and the /oversized screen (docs/MAIL.md,
# "Receiving") against real mail servers (tests/peers/mailpeers).
#
# Covers: mixed sizes over POP3 and IMAP4 with several recv_limits (only
# the small ones land in the Maildir, byte for byte; the big ones are
# recorded once, stay on the server and appear on /oversized through
# nginx); a second fetch downloads nothing twice; deleting an oversized
# message from the screen removes it from the server (and audits it);
# RFC 2047 subjects decoded; a message that is not RFC 5322 still lands;
# kill -9 at random points of a 200-message run, run again until done:
# every message exactly once; the per-account lock; --all; exit codes;
# recv_auth_method: PLAIN, LOGIN and CRAM-MD5 as POP3 AUTH and IMAP
# AUTHENTICATE (and the connection test naming the step), and a
# mechanism the server does not list failing before anything is sent.
set -u
. "$HK_SRCDIR/tests/lib/tap.sh"
. "$HK_SRCDIR/tests/lib/instance.sh"
. "$HK_SRCDIR/tests/lib/http.sh"
. "$HK_SRCDIR/tests/lib/mail.sh"

hk_mail_start fetch MAILPEERS_EXTRA_USERS="carol:carol-secret dave:dave-secret erin:erin-secret frank:frank-secret gina:gina-secret"
MAILDIR=$HK_DIR/data/mail
T=$HK_DIR/t-fetch
mkdir -p "$T"
DOVEADM="doveadm -c $MPDIR/etc/dovecot.conf"

seed() { "$MP" seed "$MPDIR" "$@"; }
# hashes DIR...: the sorted SHA-256 of every message file under the dirs.
hashes() { find "$@" -type f -exec sha256sum {} + 2>/dev/null | awk '{print $1}' | sort; }
# server_hashes USER MAXSIZE: hashes of USER's messages on the server
# whose wire size (CRLF) is at most MAXSIZE.
server_hashes() {
	local f
	for f in "$MPDIR/mail/$1/Maildir/new/"* "$MPDIR/mail/$1/Maildir/cur/"*; do
		[ -f "$f" ] || continue
		(( $(wc -c < "$f") + $(wc -l < "$f") <= $2 )) && sha256sum < "$f" | awk '{print $1}'
	done | sort
}
# md NAME: the Maildir of account NAME (named by the database, not by
# the account's name: docs/MAIL.md).
md() { printf '%s/%s' "$MAILDIR" "$(hk_sql "SELECT maildir FROM mail_accounts WHERE name = '$1'")"; }
msgs() { local d; d=$(md "$1"); find "$d/new" "$d/cur" -type f 2>/dev/null | wc -l; }

mkserver p3-512k recv_limit=524288
mkserver i4-1m recv_protocol=imap4 recv_port=$IMAP_PORT recv_limit=1048576
mkserver p3s-3m recv_security=tls recv_port=$POP3S_PORT recv_tls_verify=off recv_limit=3145728
mkserver p3-all
mkaccount a-pop p3-512k alice alice-secret
mkaccount a-imap i4-1m bob bob-secret
mkaccount a-tls p3s-3m carol carol-secret
mkaccount a-odd p3-all dave dave-secret
mkaccount a-crash p3-all erin erin-secret
mkaccount a-wrong p3-512k alice wrong-secret

# ----------------------------------------------------- POP3, 512 KB
seed alice 10000 3
seed alice 300000 1
seed alice 600000 2
want=$(server_hashes alice 524288)
out=$($CTL fetch --account a-pop 2>"$T/err"); rc=$?
is "POP3: fetch exits 0" "$rc" 0
[ $rc = 0 ] || sed 's/^/# /' "$T/err"
like "POP3: the summary line counts them" "$out" '^a-pop: fetched 4, oversized 2, failed 0'
is "POP3: the Maildir holds the 4 messages within 512 KB" "$(msgs a-pop)" 4
is "POP3: byte for byte the messages on the server" "$(hashes "$(md a-pop)/new" "$(md a-pop)/cur")" "$want"
is "POP3: the 2 big ones stay on the server, the rest are deleted" "$(count alice)" 2
ok "POP3: tmp/ is empty" test -z "$(ls -A "$(md a-pop)/tmp")"
out=$($CTL fetch --account a-pop 2>"$T/err"); rc=$?
like "POP3: a second fetch gets nothing new" "$out" '^a-pop: fetched 0, oversized 0, failed 0'
is "POP3: ... and the Maildir is unchanged" "$(msgs a-pop)" 4

# ----------------------------------------------------- IMAP4, 1 MB
seed bob 20000 2
seed bob 2000000 1
want=$(server_hashes bob 1048576)
out=$($CTL fetch --account a-imap 2>"$T/err"); rc=$?
is "IMAP: fetch exits 0" "$rc" 0
[ $rc = 0 ] || sed 's/^/# /' "$T/err"
like "IMAP: the summary line" "$out" '^a-imap: fetched 2, oversized 1, failed 0'
is "IMAP: byte for byte the 2 small ones" "$(hashes "$(md a-imap)/new")" "$want"
is "IMAP: the big one stays on the server" "$(count bob)" 1
out=$($CTL fetch --account a-imap 2>"$T/err")
like "IMAP: a second fetch gets nothing new" "$out" '^a-imap: fetched 0, oversized 0, failed 0'
is "IMAP: ... and the Maildir is unchanged" "$(msgs a-imap)" 2
# Another client marked the big message \Deleted (and may still undelete
# it): fetching and deleting two new ones must leave it (UID EXPUNGE of
# our own UIDs, not EXPUNGE of every \Deleted message).
$DOVEADM flags add -u bob '\Deleted' mailbox INBOX all
seed bob 5000 2
out=$($CTL fetch --account a-imap 2>"$T/err"); rc=$?
is "IMAP, another client's \\Deleted message: fetch exits 0" "$rc" 0
like "... fetched and deleted the two new ones" "$out" '^a-imap: fetched 2, oversized 0, failed 0, deleted from the server 2'
is "... the other client's message is still on the server" "$(count bob)" 1
$DOVEADM flags remove -u bob '\Deleted' mailbox INBOX all

# ----------------------------------------------------- POP3S, 3 MB, encoded words
seed carol 1000000 1
seed carol 4000000 1
{
	printf 'From: =?ISO-2022-JP?B?GyRCOzNFRBsoQg==?= <yamada@example.test>\n'
	printf 'Subject: =?UTF-8?B?5aSn44GN44Gq5re75LuY?=\n =?UTF-8?Q?_=E3=83=95=E3=82=A1=E3=82=A4=E3=83=AB?=\n'
	printf 'Date: Mon, 2 Nov 2026 10:00:00 +0900\nMessage-ID: <jp.1@example.test>\n\n'
	yes "$(printf '%076d' 0)" | head -n 45000
} > "$T/jp"
$DOVEADM save -u carol -m INBOX < "$T/jp"
out=$($CTL fetch --account a-tls 2>"$T/err"); rc=$?
is "POP3 over TLS: fetch exits 0" "$rc" 0
[ $rc = 0 ] || sed 's/^/# /' "$T/err"
like "POP3 over TLS: one fetched, two oversized" "$out" '^a-tls: fetched 1, oversized 2, failed 0'

# ----------------------------------------------------- /oversized over HTTP
req GET 'oversized?format=xml'
is "/oversized answers 200" "$STATUS" 200
xml=$(printf '%s' "$BODY" | tr '\n' ' ')
is "it lists the 5 refused messages" "$(printf '%s' "$xml" | grep -oE '<message id="[0-9]+"' | wc -l)" 5
AP=$(account_id a-pop)
like "each <message> has id, account_id and size" "$xml" "<message id=\"[0-9]+\" account_id=\"$AP\" size=\"600000\">"
like "... from, subject, date, server_id children" "$xml" '<from>seed@example.test</from> *<subject>seed [12], 600000 bytes</subject> *<date>[^<]+</date> *<server_id>[0-9]+</server_id>'
like "an RFC 2047 subject is decoded" "$xml" '<subject>大きな添付 ファイル</subject>'
like "an ISO-2022-JP sender is decoded" "$xml" '<from>山田 &lt;yamada@example.test&gt;</from>'
req GET oversized
is "the HTML screen answers 200" "$STATUS" 200
like "it shows the subject" "$BODY" 'seed 1, 600000 bytes'
like "it shows the size in human units" "$BODY" '585.9 KB'
out=$($CTL fetch --account a-pop 2>&1)
req GET 'oversized?format=xml'
is "fetching again records nothing twice" "$(printf '%s' "$BODY" | grep -oE '<message id="[0-9]+"' | wc -l)" 5

# deleting one from the POP3 server
id=$(printf '%s' "$BODY" | tr '\n' ' ' | grep -oE "<message id=\"[0-9]+\" account_id=\"$AP\"" | head -1 | sed -E 's/^<message id="([0-9]+)".*/\1/')
n0=$(count alice)
req POST "oversized/$id/delete" "csrf_token=$CSRF"
is "delete without confirm=yes: 422" "$STATUS" 422
is "... and nothing was deleted" "$(count alice)" "$n0"
req POST "oversized/$id/delete" "confirm=yes"
is "delete without the CSRF token: 403" "$STATUS" 403
req GET "oversized?delete=$id"
like "the confirmation names the message" "$BODY" 'seed [12], 600000 bytes'
req POST "oversized/$id/delete" "csrf_token=$CSRF&confirm=yes"
is "a confirmed delete answers 303" "$STATUS" 303
is "... the message is gone from the POP3 server" "$(count alice)" $((n0 - 1))
req GET 'oversized?format=xml'
unlike "... and from the list" "$BODY" "<message id=\"$id\""
req GET 'audit?format=xml'
like "... and it is in the audit trail" "$BODY" 'oversized-message'
req POST "oversized/$id/delete" "csrf_token=$CSRF&confirm=yes"
is "deleting it again: 404" "$STATUS" 404
# deleting one from the IMAP server
AI=$(account_id a-imap)
req GET 'oversized?format=xml'
id=$(printf '%s' "$BODY" | tr '\n' ' ' | grep -oE "<message id=\"[0-9]+\" account_id=\"$AI\"" | head -1 | sed -E 's/^<message id="([0-9]+)".*/\1/')
req POST "oversized/$id/delete" "csrf_token=$CSRF&confirm=yes"
is "IMAP: a confirmed delete answers 303" "$STATUS" 303
is "IMAP: the message is gone from the server" "$(count bob)" 0

# ----------------------------------------------------- not RFC 5322
{
	printf 'this is not a header\nno colon, no blank line, 8-bit: \xe9\xff\x80\n'
	head -c 12000 /dev/zero | tr '\0' 'q'; printf '\n'
	# a POP3 server ends every message with CRLF: give the last line its own
	printf '.leading dot\n..two\n.\nend\n'
} > "$T/odd"
$DOVEADM save -u dave -m INBOX < "$T/odd"
want=$(server_hashes dave 100000)
out=$($CTL fetch --account a-odd 2>"$T/err"); rc=$?
is "a message that is not RFC 5322: exit 0" "$rc" 0
like "... fetched" "$out" '^a-odd: fetched 1, oversized 0, failed 0'
is "... and it landed byte for byte" "$(hashes "$(md a-odd)/new")" "$want"

# ----------------------------------------------------- exit codes, lock, --all
out=$($CTL fetch --account a-wrong 2>"$T/err"); rc=$?
is "a refused login: exit 4" "$rc" 4
like "... one line naming the login" "$(cat "$T/err")" 'POP3 login as alice refused'
unlike "... without the password" "$(cat "$T/err")" 'wrong-secret'
$CTL fetch >/dev/null 2>&1
is "neither --account nor --all: exit 1" "$?" 1
AC=$(account_id a-crash)
seed erin 2000 1
flock "$MAILDIR/.hikyaku-fetch-$AC.lock" sleep 2 &
holder=$!
sleep 0.3
out=$($CTL fetch --account a-crash 2>&1); rc=$?
is "a locked account is skipped: exit 0" "$rc" 0
like "... saying so" "$out" 'a-crash: skipped: another fetch of this account is running'
is "... and nothing was fetched" "$(msgs a-crash)" 0
wait $holder
out=$($CTL fetch --all 2>"$T/err"); rc=$?
is "--all: exit 4 (the first failure: a-wrong's login)" "$rc" 4
like "--all: one line per account" "$out" 'a-crash: fetched 1, oversized 0, failed 0'
like "--all: and a total" "$out" 'total: fetched 1, oversized 0, failed 0'

# ----------------------------------------------------- kill -9, 200 messages
seed erin 3000 199
runs=0; kills=0
while ((runs < 200)); do
	runs=$((runs + 1))
	before=$(msgs a-crash)
	$CTL fetch --account a-crash --batch 7 > "$T/crash.out" 2>&1 &
	pid=$!
	# Kill after a random number of stored messages (not after a random
	# time, which a fast machine outruns), give or take a few ms, so the
	# kills land before, inside and after batch commits and deletions.
	target=$((before + RANDOM % 12 + 1))
	while kill -0 $pid 2>/dev/null && [ "$(msgs a-crash)" -lt "$target" ]; do
		sleep 0.002
	done
	sleep "0.0$(printf %02d $((RANDOM % 20)))"
	# still running (not a zombie waiting to be reaped): kill it
	st=$(ps -o stat= -p $pid 2>/dev/null)
	if [ -n "$st" ] && [[ $st != Z* ]] && kill -9 $pid 2>/dev/null; then
		wait $pid 2>/dev/null
		kills=$((kills + 1))
		continue
	fi
	wait $pid; rc=$?
	[ $rc = 0 ] && grep -q 'fetched 0, oversized 0, failed 0' "$T/crash.out" && [ "$(count erin)" = 0 ] && break
done
diag "$kills kill -9 in $runs runs"
ok "the crash test ran (killed at least once)" test "$kills" -ge 1
is "after the kills, every message is in the Maildir" "$(msgs a-crash)" 200
is "... exactly once (200 distinct Message-IDs)" "$(cat "$(md a-crash)"/new/* | grep -i '^Message-ID:' | sort -u | wc -l)" 200
is "... and the server is empty" "$(count erin)" 0
ok "... and tmp/ is empty" test -z "$(ls -A "$(md a-crash)/tmp")"

# ----------------------------------------------------- Maildirs never reused
# An account made under a deleted (or renamed) account's name must not
# receive into that account's Maildir: Maildirs are named by the
# database, "<id>-<random>", never by the account's name.
mkaccount a-reuse p3-all frank frank-secret
seed frank 1500 2
out=$($CTL fetch --account a-reuse 2>"$T/err"); rc=$?
is "an account fetches into its own Maildir: exit 0" "$rc" 0
old_md=$(md a-reuse)
is "... holding its 2 messages" "$(msgs a-reuse)" 2
like "... named <id>-<16 hex digits>, not after the account" "$old_md" "/$(account_id a-reuse)-[0-9a-f]{16}\$"
AR=$(account_id a-reuse)
req GET "mail-accounts/$AR/delete" -H 'Accept: application/xml'
v=$(printf '%s' "$BODY" | grep -oE "<mail-account id=\"$AR\" version=\"[0-9]+\"" | grep -oE 'version="[0-9]+"' | tr -dc 0-9)
req POST "mail-accounts/$AR/delete" "csrf_token=$CSRF&version=$v"
is "the account is deleted" "$STATUS" 303
ok "... its Maildir is left alone" test -d "$old_md/new"
mkaccount a-reuse p3-all frank frank-secret
seed frank 1600 1
out=$($CTL fetch --account a-reuse 2>"$T/err"); rc=$?
is "a new account under the same name fetches: exit 0" "$rc" 0
ok "... into another Maildir" test "$(md a-reuse)" != "$old_md"
is "... holding only its own message, none of the deleted account's" "$(msgs a-reuse)" 1
is "... which still hold theirs" "$(find "$old_md/new" "$old_md/cur" -type f | wc -l)" 2
hk_sql "UPDATE mail_accounts SET name = 'a-renamed' WHERE name = 'a-reuse'"
mkaccount a-reuse p3-all frank frank-secret
seed frank 1700 1
$CTL fetch --account a-reuse >/dev/null 2>&1
is "an account made under a renamed account's old name starts empty too" "$(msgs a-reuse)" 1
is "... and the renamed one keeps its Maildir" "$(msgs a-renamed)" 1

# Maildirs from before (named after the account): init moves them, and a
# fetch would too.
mkaccount a-legacy p3-all frank frank-secret
hk_sql "UPDATE mail_accounts SET maildir_legacy = name WHERE name = 'a-legacy'"
mkdir -p "$MAILDIR/a-legacy/new" "$MAILDIR/a-legacy/cur" "$MAILDIR/a-legacy/tmp"
echo 'Subject: old' > "$MAILDIR/a-legacy/cur/1.old:2,S"
out=$($CTL init 2>&1); rc=$?
is "init moves a pre-migration Maildir: exit 0" "$rc" 0
like "... saying so" "$out" "Maildir of mail account a-legacy: $MAILDIR/a-legacy -> $(md a-legacy)"
ok "... the old name is gone" test ! -e "$MAILDIR/a-legacy"
is "... its mail is in the account's Maildir" "$(msgs a-legacy)" 1
is "... and the account is no longer marked" "$(hk_sql "SELECT count(*) FROM mail_accounts WHERE maildir_legacy IS NOT NULL")" 0
hk_sql "UPDATE mail_accounts SET maildir_legacy = 'a-legacy' WHERE name = 'a-reuse'"
mkdir -p "$MAILDIR/a-legacy/new" "$MAILDIR/a-legacy/cur" "$MAILDIR/a-legacy/tmp"
out=$($CTL fetch --account a-reuse 2>&1); rc=$?
is "... a Maildir that would have to be merged is left in place" "$rc" 0
ok "... (still there)" test -d "$MAILDIR/a-legacy/new"
is "... and the account keeps its own" "$(msgs a-reuse)" 1

# ----------------------------------------------------- recv_auth_method
# Dovecot lists PLAIN LOGIN CRAM-MD5 SCRAM-SHA-256 (CAPA SASL, AUTH=).
for m in plain login cram-md5; do
	for p in pop3 imap4; do
		port=$POP3_PORT; [ $p = imap4 ] && port=$IMAP_PORT
		mkserver "sasl-$p-$m" recv_protocol=$p recv_port=$port recv_auth_method=$m
		mkaccount "a-sasl-$p-$m" "sasl-$p-$m" gina gina-secret
		seed gina 1500 1
		out=$($CTL fetch --account "a-sasl-$p-$m" 2>"$T/err"); rc=$?
		is "recv_auth_method=$m over $p: fetch exits 0" "$rc" 0
		[ $rc = 0 ] || sed 's/^/# /' "$T/err"
		is "... and stores the message" "$(msgs "a-sasl-$p-$m")" 1
	done
done
cmd() { [ "$1" = imap4 ] && echo AUTHENTICATE || echo AUTH; }
for p in pop3 imap4; do
	out=$($CTL test "sasl-$p-cram-md5" --account "a-sasl-$p-cram-md5" --xml 2>&1); rc=$?
	is "connection test, $p CRAM-MD5: exit 0" "$rc" 0
	like "... its login stage names $(cmd $p) CRAM-MD5" "$out" "<stage name=\"login\" method=\"$(cmd $p) CRAM-MD5\" ok=\"true\""
done
out=$($CTL test sasl-pop3-login --account a-sasl-pop3-login 2>&1)
like "... and says so in text" "$out" 'signed in with AUTH LOGIN'

# Wrong credentials through SASL: exit 4, the server's refusal quoted.
hk_sql "UPDATE mail_servers SET recv_auth_method = 'cram-md5' WHERE name = 'p3-512k'"
out=$($CTL fetch --account a-wrong 2>&1); rc=$?
is "SASL with the wrong password: exit 4" "$rc" 4
like "... naming the mechanism and the server's refusal" "$out" 'POP3 CRAM-MD5 login as alice: the server refused CRAM-MD5 authentication: -ERR'
hk_sql "UPDATE mail_servers SET recv_auth_method = 'password' WHERE name = 'p3-512k'"

# A mechanism the server does not list (XOAUTH2 here; set in the
# database, since the form wants an OAuth 2.0 provider for it): a clear
# error before any AUTH is sent, nothing stored, the mail left alone.
hk_sql "UPDATE mail_servers SET recv_auth_method = 'xoauth2' WHERE name LIKE 'sasl-%-plain'"
for p in pop3 imap4; do
	before=$(count gina)
	out=$($CTL fetch --account "a-sasl-$p-plain" 2>&1); rc=$?
	is "$p, a mechanism the server does not offer: exit 5" "$rc" 5
	like "... saying which, and what it offers" "$out" "does not offer the XOAUTH2 sign-in method \(it offers: [A-Z0-9 -]*PLAIN"
	is "... nothing stored" "$(msgs "a-sasl-$p-plain")" 1
	is "... nothing taken from the server" "$(count gina)" "$before"
	out=$($CTL test "sasl-$p-plain" --account "a-sasl-$p-plain" --xml 2>&1); rc=$?
	is "... the connection test fails too (exit 5)" "$rc" 5
	like "... at the login stage, pointing at recv_auth_method" "$out" '<stage name="login" method="[A-Z]+ XOAUTH2" ok="false"[^>]*field="recv_auth_method"'
	like "... with the explanation" "$out" 'code="conntest.login.not-offered"'
done
# A module that is not installed: a settings error (exit 2).
hk_sql "UPDATE mail_servers SET recv_auth_method = 'gone-mech' WHERE name = 'sasl-pop3-login'"
out=$($CTL fetch --account a-sasl-pop3-login 2>&1); rc=$?
is "a sign-in module that is not installed: exit 2" "$rc" 2
like "... saying so" "$out" 'sign-in method gone-mech of mail server sasl-pop3-login is not installed'
# The form refuses a method the receive protocol cannot use, and the
# OAuth 2.0 ones without a provider.
req POST mail-servers "$(server_form sasl-bad recv_auth_method=apop)"
is "the form refuses recv_auth_method=apop (not SASL): 422" "$STATUS" 422
like "... beside the field" "$BODY" 'recv_auth_method'
req POST mail-servers "$(server_form sasl-bad recv_auth_method=oauthbearer)"
is "the form refuses oauthbearer without an OAuth 2.0 provider: 422" "$STATUS" 422

hk_instance_stop
done_testing
