#!/usr/bin/env bash
# t-send.sh - `hikyakuctl send` (docs/MAIL.md "Sending") against real mail
# servers on loopback (tests/peers/mailpeers: Dovecot submission + Postfix).
#
# Covers: a message under send_limit arrives with exactly the bytes sent
# (modulo the trace headers the servers add), bare LF and dot-stuffing
# included; over send_limit it is refused before any connection (exit 3,
# one line naming both sizes, nothing delivered); the server's SIZE limit
# (exit 3); every recipient's reply reported, a refused one making the
# run fail while the others still get it; the account's and the fixed
# credentials; SMTP-AUTH modules over STARTTLS and implicit TLS; POP
# before SMTP on the PBS port (and its refusal without); a wrong password
# (exit 4); a closed port (exit 5); usage errors (exit 1).
set -u
. "$HK_SRCDIR/tests/lib/tap.sh"
. "$HK_SRCDIR/tests/lib/instance.sh"
. "$HK_SRCDIR/tests/lib/http.sh"
. "$HK_SRCDIR/tests/lib/mail.sh"

# Both SMTP ports advertise SIZE 5 MiB.
hk_mail_start send MAILPEERS_MAX_MESSAGE_SIZE=5242880
T=$HK_DIR/t-send
mkdir -p "$T"

# body_of FILE: a delivered message without the trace fields the servers
# put on top (Return-Path, Delivered-To, Received, with their folds).
body_of() {
	awk 'BEGIN { top = 1; skip = 0 }
	top && /^[ \t]/ { if (skip) next }
	top && /^(Return-Path|Delivered-To|Received):/ { skip = 1; next }
	top && /^[^ \t]/ { top = 0 }
	{ skip = 0; print }' "$1"
}
# newest USER: the last file delivered to USER's Maildir.
newest() {
	ls -t "$MPDIR/mail/$1/Maildir/new/"* "$MPDIR/mail/$1/Maildir/cur/"* 2>/dev/null | head -1
}
# message FILE SIZE TAG: an RFC 5322 message with LF line ends of about
# SIZE bytes, with a dot-line and a bare-dot line in it.
message() {
	{
		printf 'From: alice <%s>\nTo: bob <%s>\nSubject: t-send %s\nDate: %s\nMessage-ID: <%s.%s@example.test>\n\n' \
			"$ALICE_ADDR" "$BOB_ADDR" "$3" "$(LC_ALL=C date -R)" "$3" "$RANDOM$RANDOM"
		printf 'first line\n.a line that starts with a dot\n.\n..two dots\n'
		local line; line=$(printf '%076d' 0 | tr 0 y)
		yes "$line" | head -c "$2" | head -n $(($2 / 77))
		printf 'last line\n'
	} > "$1"
}

mkserver s-account send_limit=524288
mkserver s-fixed smtp_auth_method=plain smtp_credentials=fixed smtp_user=$BOB_USER smtp_password=$BOB_PASS send_limit=1048576
mkserver s-starttls smtp_security=starttls smtp_auth_method=cram-md5 smtp_tls_verify=off
mkserver s-tls smtp_security=tls smtp_port=$SUBMISSIONS_PORT smtp_auth_method=scram-sha-256 smtp_tls_verify=off
mkserver s-big send_limit=10485760
mkserver s-pbs smtp_port=$PBS_SMTP_PORT smtp_auth=off pop_before_smtp=on pop_before_smtp_wait=1
mkserver s-nopbs smtp_port=$PBS_SMTP_PORT smtp_auth=off
mkserver s-closed smtp_port=1
mkserver s-verify smtp_security=starttls smtp_auth_method=cram-md5 smtp_tls_verify=on
for s in account fixed starttls tls big pbs nopbs closed verify; do
	mkaccount "a-$s" "s-$s" "$ALICE_USER" "$ALICE_PASS" "$ALICE_ADDR"
done
mkaccount a-wrong s-account "$ALICE_USER" not-the-password "$ALICE_ADDR"

# ----------------------------------------------------- under the limit
message "$T/small" 20000 small
n0=$(count bob)
out=$($CTL send --account a-account --from "$ALICE_ADDR" --to "$BOB_ADDR" < "$T/small" 2>"$T/err"); rc=$?
is "under send_limit: exit 0" "$rc" 0
[ $rc = 0 ] || sed 's/^/# /' "$T/err"
like "MAIL FROM's reply is reported" "$out" "MAIL FROM:<$ALICE_ADDR>: 250"
like "the recipient's reply is reported" "$out" "RCPT TO:<$BOB_ADDR>: 250"
like "DATA's reply is reported" "$out" 'DATA: 250 '
like "a summary line ends it" "$out" '^sent [0-9]+ bytes to 1 recipient through s-account|sent [0-9]+ bytes to 1 recipient through s-account'
"$MP" wait-mail "$MPDIR" bob $((n0 + 1)) >/dev/null
is "bob received exactly one message" "$(count bob)" $((n0 + 1))
f=$(newest bob)
ok "the delivered message is byte for byte the one sent (LF, dots unstuffed)" cmp -s <(body_of "$f") "$T/small"
grep -q '^\.a line that starts with a dot$' "$f"; ok "a line starting with a dot arrived intact" test $? = 0
grep -qx '\.' "$f"; ok "a line holding one dot arrived intact (not taken as the end)" test $? = 0

# a message with CRLF and bare CR line ends is sent canonically too
printf 'From: %s\r\nTo: %s\r\nSubject: crlf\r\n\r\nline one\r\nline two\rline three\nno newline at the end' "$ALICE_ADDR" "$BOB_ADDR" > "$T/crlf"
$CTL send --account a-account --from "$ALICE_ADDR" --to "$BOB_ADDR" < "$T/crlf" >/dev/null 2>"$T/err"; rc=$?
is "mixed line ends: exit 0" "$rc" 0
"$MP" wait-mail "$MPDIR" bob $((n0 + 2)) >/dev/null
f=$(newest bob)
is "mixed line ends arrive as lines" "$(body_of "$f" | tail -4 | tr '\n' '|')" "line one|line two|line three|no newline at the end|"

# ----------------------------------------------------- over the limit
message "$T/over" 600000 over
n0=$(count bob)
t0=$(date +%s%N)
$CTL send --account a-account --from "$ALICE_ADDR" --to "$BOB_ADDR" < "$T/over" >"$T/out" 2>"$T/err"; rc=$?
is "over send_limit (512 KB): exit 3" "$rc" 3
err=$(cat "$T/err")
is "one line on stderr" "$(wc -l < "$T/err")" 1
like "it names the message's size in human units" "$err" 'the message is 59[0-9]\.[0-9] KB \([0-9]+ bytes\)'
like "and the limit" "$err" 'send limit of 512 KB \(524288 bytes\)'
is "nothing was sent (no server reply on stdout)" "$(cat "$T/out")" ""
sleep 1
is "bob's mailbox did not change" "$(count bob)" "$n0"
# exactly at the limit passes; one byte more does not
crlf_message() {	# FILE SIZE: a message with CRLF line ends of exactly SIZE bytes
	local pad= rest line
	line=$(printf '%076d' 0 | tr 0 z)
	while :; do
		printf 'From: %s\r\nTo: %s\r\nSubject: edge%s\r\n\r\n' "$ALICE_ADDR" "$BOB_ADDR" "$pad" > "$1"
		rest=$(($2 - $(stat -c %s "$1")))
		((rest % 78 == 1)) || break
		pad+=x
	done
	yes "$line" | head -n $((rest / 78)) | sed 's/$/\r/' >> "$1"
	((rest % 78 < 2)) || printf '%s\r\n' "${line:0:rest % 78 - 2}" >> "$1"
}
crlf_message "$T/edge" 524288
is "the edge message is 524288 bytes" "$(stat -c %s "$T/edge")" 524288
n0=$(count bob)
$CTL send --account a-account --from "$ALICE_ADDR" --to "$BOB_ADDR" < "$T/edge" >/dev/null 2>"$T/err"; rc=$?
is "a message of exactly send_limit: exit 0" "$rc" 0
"$MP" wait-mail "$MPDIR" bob $((n0 + 1)) >/dev/null
is "... and it arrived" "$(count bob)" $((n0 + 1))
crlf_message "$T/edge1" 524289
$CTL send --account a-account --from "$ALICE_ADDR" --to "$BOB_ADDR" < "$T/edge1" >/dev/null 2>"$T/err"; rc=$?
is "one byte more: exit 3" "$rc" 3
like "... naming 524289 bytes" "$(cat "$T/err")" '\(524289 bytes\), larger than the send limit of 512 KB'

# ----------------------------------------------------- the server's SIZE
message "$T/huge" 6000000 huge
n0=$(count bob)
$CTL send --account a-big --from "$ALICE_ADDR" --to "$BOB_ADDR" < "$T/huge" >/dev/null 2>"$T/err"; rc=$?
is "over the server's SIZE (5 MB) though under send_limit (10 MB): exit 3" "$rc" 3
like "... naming both sizes" "$(cat "$T/err")" "the message is 5\.[0-9] MB \([0-9]+ bytes\), larger than the SMTP server's SIZE limit of 5 MB \(5242880 bytes\)"
sleep 1
is "... and nothing delivered" "$(count bob)" "$n0"
# Exactly the server's SIZE: not over it, yet the server refuses it (at
# MAIL FROM, or after DATA when its Received: line tips it over).  The
# report must not say the message is larger than the limit.
crlf_message "$T/atsize" 5242880
$CTL send --account a-big --from "$ALICE_ADDR" --to "$BOB_ADDR" < "$T/atsize" >"$T/out" 2>"$T/err"; rc=$?
is "exactly the server's SIZE, refused by the server: exit 3" "$rc" 3
like "... saying the server refused it although within its limit" "$(cat "$T/err")" "the SMTP server refused the message for its size at (MAIL FROM|DATA), although it is 5 MB \\(5242880 bytes\\), within the server's SIZE limit of 5 MB \\(5242880 bytes\\)(, and the server had accepted that size at MAIL FROM)?: 552 "
unlike "... not that it is larger than the limit" "$(cat "$T/err")" 'larger than'

# ----------------------------------------------------- recipients
message "$T/two" 3000 two
na=$(count alice); nb=$(count bob)
out=$($CTL send --account a-account --from "$ALICE_ADDR" --to "$BOB_ADDR" --to "$ALICE_ADDR" < "$T/two" 2>"$T/err"); rc=$?
is "two recipients: exit 0" "$rc" 0
is "both RCPT replies are reported" "$(printf '%s\n' "$out" | grep -c '^RCPT TO:<.*>: 250')" 2
"$MP" wait-mail "$MPDIR" bob $((nb + 1)) >/dev/null; "$MP" wait-mail "$MPDIR" alice $((na + 1)) >/dev/null
is "... and both got it" "$(( $(count bob) - nb )):$(( $(count alice) - na ))" "1:1"
nb=$(count bob)
out=$($CTL send --account a-account --from "$ALICE_ADDR" --to "nobody@example.test" --to "$BOB_ADDR" < "$T/two" 2>"$T/err"); rc=$?
is "one unknown recipient: exit 5" "$rc" 5
like "... its refusal is reported" "$out" 'RCPT TO:<nobody@example.test>: 5[0-9][0-9] '
like "... and named on stderr" "$(cat "$T/err")" 'sent to 1 of 2 recipients; refused: <nobody@example.test>'
"$MP" wait-mail "$MPDIR" bob $((nb + 1)) >/dev/null
is "... the other recipient still got it" "$(( $(count bob) - nb ))" 1

# ----------------------------------------------------- credentials and security
for s in fixed starttls tls; do
	message "$T/m-$s" 4000 "$s"
	nb=$(count bob)
	$CTL send --account "a-$s" --from "$ALICE_ADDR" --to "$BOB_ADDR" < "$T/m-$s" >/dev/null 2>"$T/err"; rc=$?
	is "s-$s: exit 0" "$rc" 0
	[ $rc = 0 ] || sed 's/^/# /' "$T/err"
	"$MP" wait-mail "$MPDIR" bob $((nb + 1)) >/dev/null
	ok "s-$s: the message arrived intact" cmp -s <(body_of "$(newest bob)") "$T/m-$s"
done
grep -q "user=<$BOB_USER>.*method=PLAIN\|user=$BOB_USER" "$MPDIR/log/dovecot.log"
ok "fixed credentials: the submission server saw bob's login" test $? = 0

out=$($CTL send --account a-wrong --from "$ALICE_ADDR" --to "$BOB_ADDR" < "$T/two" 2>"$T/err"); rc=$?
is "a wrong password: exit 4" "$rc" 4
like "... one line naming SMTP AUTH" "$(cat "$T/err")" '^hikyakuctl: send: SMTP AUTH LOGIN: '
unlike "... and no password in it" "$(cat "$T/err")" 'not-the-password'

$CTL send --account a-closed --from "$ALICE_ADDR" --to "$BOB_ADDR" < "$T/two" >/dev/null 2>"$T/err"; rc=$?
is "a closed port: exit 5" "$rc" 5
like "... named on stderr" "$(cat "$T/err")" 'refused'

# ca_file: the peers' self-made certificate is trusted only through it.
$CTL send --account a-verify --from "$ALICE_ADDR" --to "$BOB_ADDR" < "$T/two" >/dev/null 2>"$T/err"; rc=$?
is "tls_verify on, the certificate not trusted: exit 5" "$rc" 5
like "... named on stderr" "$(cat "$T/err")" '[Cc]ertificate'
cp "$HK_CONFIG" "${HK_CONFIG%/*}/ca.conf"
printf 'ca_file = %s\n' "$MPDIR/tls/cert.pem" >> "${HK_CONFIG%/*}/ca.conf"
nb=$(count bob)
"$HK_PREFIX/bin/hikyakuctl" --config "${HK_CONFIG%/*}/ca.conf" send --account a-verify --from "$ALICE_ADDR" --to "$BOB_ADDR" < "$T/two" >/dev/null 2>"$T/err"; rc=$?
is "... with ca_file naming its CA: verified, exit 0" "$rc" 0
[ $rc = 0 ] || sed 's/^/# /' "$T/err"
"$MP" wait-mail "$MPDIR" bob $((nb + 1)) >/dev/null
is "... and the message arrived" "$(count bob)" $((nb + 1))
cp "$HK_CONFIG" "${HK_CONFIG%/*}/badca.conf"
printf 'ca_file = %s\n' "$T/two" >> "${HK_CONFIG%/*}/badca.conf"
"$HK_PREFIX/bin/hikyakuctl" --config "${HK_CONFIG%/*}/badca.conf" send --account a-verify --from "$ALICE_ADDR" --to "$BOB_ADDR" < "$T/two" >/dev/null 2>"$T/err"; rc=$?
is "a ca_file without a certificate: exit 2 at start" "$rc" 2
like "... naming the file" "$(cat "$T/err")" "ca_file .*no PEM certificate"

# ----------------------------------------------------- POP before SMTP
"$MP" pbs-reset "$MPDIR" >/dev/null
$CTL send --account a-nopbs --from "$ALICE_ADDR" --to "$BOB_ADDR" < "$T/two" >"$T/out" 2>"$T/err"; rc=$?
is "the PBS port without POP before SMTP: exit 4 (relay refused)" "$rc" 4
like "... the refusal is reported" "$(cat "$T/out")" 'RCPT TO:<.*>: 554 '
"$MP" pbs-reset "$MPDIR" >/dev/null
message "$T/pbs" 5000 pbs
nb=$(count bob)
t0=$(date +%s%N)
$CTL send --account a-pbs --from "$ALICE_ADDR" --to "$BOB_ADDR" < "$T/pbs" >/dev/null 2>"$T/err"; rc=$?
t1=$(date +%s%N)
is "with POP before SMTP: exit 0" "$rc" 0
[ $rc = 0 ] || sed 's/^/# /' "$T/err"
ok "... after its 1 s wait" test $(( (t1 - t0) / 1000000 )) -ge 1000
"$MP" wait-mail "$MPDIR" bob $((nb + 1)) >/dev/null
ok "... and the message arrived intact" cmp -s <(body_of "$(newest bob)") "$T/pbs"

# ----------------------------------------------------- health on the server list
req GET 'mail-servers?format=xml'
xml=$(printf '%s' "$BODY" | tr '\n' ' ')
row() { printf '%s' "$xml" | grep -oE "<mail-server id=\"[0-9]+\"[^>]*>[[:space:]]*<name>$1</name>.*" | sed 's|</mail-server>.*||'; }
like "a server that sent: health not failing, with the last send" "$(row s-tls)" '<health failing="false" failures="0"><last-send at="[0-9]{4}-[0-9]{2}-[0-9]{2}T'
like "a closed port: failing, counted, with the error" "$(row s-closed)" '<health failing="true" failures="1">.*<last-error at="[^"]+" end="send"><message>SMTP 127.0.0.1:1: [^<]*refused'
like "a refused login (the last attempt on s-account): failing, the server's reply kept" "$(row s-account)" '<health failing="true" failures="1"><last-send at="[^"]+"/><last-error at="[^"]+" end="send"><message>SMTP AUTH LOGIN: [^<]*</message><reply>535 '
$CTL send --account a-closed --from "$ALICE_ADDR" --to "$BOB_ADDR" < "$T/two" >/dev/null 2>&1
req GET 'mail-servers?format=xml'
xml=$(printf '%s' "$BODY" | tr '\n' ' ')
like "failures in a row are counted" "$(row s-closed)" '<health failing="true" failures="2">'
req GET 'mail-servers'
like "the list shows a failing server" "$BODY" 'Failing \(2 attempts in a row\)'
like "... and a working one" "$BODY" 'class="badge ok">Working<'

# ----------------------------------------------------- usage
$CTL send --account a-account --from "$ALICE_ADDR" < "$T/two" >/dev/null 2>&1
is "no --to: exit 1" "$?" 1
$CTL send --account a-account --from "$ALICE_ADDR" --to 'bob@example.test>' < "$T/two" >/dev/null 2>&1
is "a malformed --to: exit 1" "$?" 1
$CTL send --account nobody --from "$ALICE_ADDR" --to "$BOB_ADDR" < "$T/two" >/dev/null 2>&1
is "an unknown account: exit 2" "$?" 2

hk_instance_stop
done_testing
