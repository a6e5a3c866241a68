#!/usr/bin/env bash
# t-peers.sh - the real mail servers of tests/peers/mailpeers answer as the
# other tests expect: POP3 (USER/PASS, APOP, POP3S), IMAP (LOGIN, SELECT,
# IMAPS), submission with every SASL mechanism over plain, STARTTLS and
# implicit TLS, delivery, exact seed sizes, POP-before-SMTP, a clean stop.
# curl cannot force USER/PASS, LOGIN or SCRAM: those are raw dialogues.
set -u
. "$HK_SRCDIR/tests/lib/tap.sh"
MP=$HK_SRCDIR/tests/peers/mailpeers
H=127.0.0.1

if [ "$(id -u)" != 0 ] || [ ! -x /usr/sbin/dovecot ] || [ ! -x /usr/sbin/postfix ]; then
	echo "1..0 # SKIP needs root and '$MP install'"
	exit 0
fi

# The instance goes under HK_TMP; the daemons' users must traverse it.
if [ -n "${HK_TMP:-}" ]; then chmod o+x "$HK_TMP"; D=$(mktemp -d "$HK_TMP/peers.XXXXXX")
else D=$(mktemp -d /tmp/hk-peers.XXXXXX); fi
trap '"$MP" stop "$D" >/dev/null 2>&1; rm -rf "$D"' EXIT
trap 'exit 1' INT TERM HUP

t0=$EPOCHREALTIME
out=$(MAILPEERS_PORT_OFFSET=auto PBS_TTL_SECONDS=4 MAILPEERS_MAX_MESSAGE_SIZE=20000000 \
	"$MP" start "$D" 2>"$D.err"); rc=$?
t1=$EPOCHREALTIME
is "mailpeers start" "$rc" 0
[ $rc = 0 ] || { sed 's/^/# /' "$D.err"; rm -f "$D.err"; done_testing; exit 1; }
rm -f "$D.err"
diag "started in $(awk "BEGIN { printf \"%.2f\", $t1 - $t0 }") s"
eval "$out"
is "mailpeers.env holds what start printed" "$(cat "$D/mailpeers.env")" "$out"
ok "status: every daemon runs" eval '"$MP" status "$D" >/dev/null'
like "the certificate names localhost, mail.example.test and 127.0.0.1" \
	"$(openssl x509 -in "$TLS_CA_FILE" -noout -ext subjectAltName 2>&1 | tr -d "\n")" \
	"DNS:localhost, DNS:mail.example.test, IP Address:127.0.0.1"

CURL=(curl -sS -m 15)
MSG=$D/msg.txt
printf 'From: <%s>\r\nTo: <%s>\r\nSubject: peers test\r\n\r\nHello Bob.\r\n' "$ALICE_ADDR" "$BOB_ADDR" > "$MSG"
A=(-u "$ALICE_USER:$ALICE_PASS" --mail-from "$ALICE_ADDR" --mail-rcpt "$BOB_ADDR" -T "$MSG")

# ---- raw dialogues ------------------------------------------------------
# open_conn plain|starttls|tls PORT: sets IN and OUT to the descriptors of
# a connection (TLS through openssl s_client); plain and tls ate no line.
open_conn() {
	case $1 in
	plain) exec {IN}<>"/dev/tcp/$H/$2"; OUT=$IN ;;
	starttls) coproc S { exec openssl s_client -quiet -starttls smtp -connect "$H:$2" 2>/dev/null; }
		IN=${S[0]} OUT=${S[1]} ;;
	tls) coproc S { exec openssl s_client -quiet -connect "$H:$2" 2>/dev/null; }
		IN=${S[0]} OUT=${S[1]} ;;
	esac
}
close_conn() {
	exec {OUT}>&- 2>/dev/null; exec {IN}<&- 2>/dev/null
	[ -z "${S_PID:-}" ] || wait "$S_PID" 2>/dev/null
}
send() { printf '%s\r\n' "$1" >&"$OUT"; }
line() { IFS= read -r -t 5 L <&"$IN" && L=${L%$'\r'}; }
# reply: reads an SMTP reply, leaves its last line in L
reply() { while line; do [[ $L =~ ^[0-9]{3}\  ]] && return 0; done; return 1; }

pop3_userpass() {	# USER PASS: prints the reply to PASS
	open_conn plain "$POP3_PORT"
	line; send "USER $1"; line; send "PASS $2"; line; echo "$L"
	send QUIT; line; close_conn
}

imap_login() {	# USER PASS: prints the tagged replies to LOGIN and SELECT
	open_conn plain "$IMAP_PORT"
	line; send "a LOGIN \"$1\" \"$2\""
	while line && [[ $L != "a "* ]]; do :; done; echo "$L"
	send "b SELECT INBOX"
	while line && [[ $L != "b "* ]]; do :; done; echo "$L"
	send "c LOGOUT"; close_conn
}

# SCRAM-SHA-256 (RFC 5802, 7677) with openssl; hex strings throughout.
hex2bin() { printf "$(sed 's/../\\x&/g')"; }
hmac() { printf '%s' "$2" | openssl dgst -sha256 -mac HMAC -macopt "hexkey:$1" -r | cut -d' ' -f1; }
xor() { local i r=; for ((i = 0; i < ${#1}; i += 2)); do printf -v r '%s%02x' "$r" $((16#${1:i:2} ^ 16#${2:i:2})); done; echo "$r"; }

# smtp_scram plain|starttls|tls PORT USER PASS: prints the final reply;
# exit 0 when the server accepted the proof and proved itself in turn
smtp_scram() {
	local cnonce first sfirst nonce salt iter salted ckey skey final auth proof v
	open_conn "$1" "$2"
	[ "$1" = starttls ] || reply
	send "EHLO t-peers"; reply
	cnonce=$(openssl rand -hex 12)
	first="n=$3,r=$cnonce"
	send "AUTH SCRAM-SHA-256 $(printf 'n,,%s' "$first" | base64 -w0)"; reply
	[[ $L == "334 "* ]] || { echo "$L"; close_conn; return 1; }
	sfirst=$(base64 -d <<< "${L#334 }")
	local f
	for f in ${sfirst//,/ }; do
		case $f in r=*) nonce=${f#r=} ;; s=*) salt=${f#s=} ;; i=*) iter=${f#i=} ;; esac
	done
	salt=$(base64 -d <<< "$salt" | od -An -tx1 | tr -d ' \n')
	salted=$(openssl kdf -keylen 32 -kdfopt digest:SHA256 -kdfopt "pass:$4" -kdfopt "hexsalt:$salt" \
		-kdfopt "iter:$iter" PBKDF2 | tr -d ':' | tr A-F a-f)
	ckey=$(hmac "$salted" "Client Key")
	final="c=biws,r=$nonce"
	auth="$first,$sfirst,$final"
	proof=$(xor "$ckey" "$(hmac "$(hex2bin <<< "$ckey" | openssl dgst -sha256 -r | cut -d' ' -f1)" "$auth")")
	send "$(printf '%s,p=%s' "$final" "$(hex2bin <<< "$proof" | base64 -w0)" | base64 -w0)"; reply
	if [[ $L == "334 "* ]]; then
		v=$(base64 -d <<< "${L#334 }")
		skey=$(hmac "$salted" "Server Key")
		[ "$v" = "v=$(hex2bin <<< "$(hmac "$skey" "$auth")" | base64 -w0)" ] || { echo "bad server signature"; close_conn; return 1; }
		send ""; reply
	fi
	echo "$L"
	send QUIT; reply; close_conn
	[[ $L == 221* ]]
}

ehlo_size() {	# PORT: the SIZE an SMTP server advertises
	open_conn plain "$1"; reply; send "EHLO t-peers"
	while line; do [[ $L =~ ^250.SIZE\ ([0-9]+) ]] && echo "${BASH_REMATCH[1]}"; [[ $L == "250 "* ]] && break; done
	send QUIT; reply; close_conn
}

# ---- POP3 ----------------------------------------------------------------
"$MP" seed "$D" bob 2000 >/dev/null
like "POP3 USER/PASS" "$(pop3_userpass bob bob-secret)" '^\+OK'
like "POP3 USER/PASS, wrong password refused" "$(pop3_userpass bob wrong)" '^-ERR'
like "POP3 APOP (curl AUTH=+APOP)" "$("${CURL[@]}" "pop3://$H:$POP3_PORT/" --login-options AUTH=+APOP -u bob:bob-secret 2>&1)" '^1 2000'
"${CURL[@]}" "pop3://$H:$POP3_PORT/" --login-options AUTH=+APOP -u bob:wrong >/dev/null 2>&1
is "POP3 APOP, wrong password refused" "$?" 67
like "POP3S" "$("${CURL[@]}" "pop3s://$H:$POP3S_PORT/" --cacert "$TLS_CA_FILE" -u bob:bob-secret 2>&1)" '^1 2000'

# ---- IMAP ----------------------------------------------------------------
like "IMAP LOGIN + SELECT INBOX" "$(imap_login bob bob-secret | tr '\n' ' ')" '^a OK .*b OK \[READ-WRITE\]'
like "IMAP LOGIN, wrong password refused" "$(imap_login bob wrong | head -1)" '^a NO'
like "IMAPS (CA verified, host localhost)" \
	"$("${CURL[@]}" "imaps://localhost:$IMAPS_PORT/INBOX" --cacert "$TLS_CA_FILE" -u bob:bob-secret -X 'STATUS INBOX (MESSAGES)' 2>&1)" 'MESSAGES 1'

# ---- submission ------------------------------------------------------------
sent=0
for mech in PLAIN LOGIN CRAM-MD5; do
	"${CURL[@]}" "smtp://$H:$SUBMISSION_PORT" --login-options "AUTH=$mech" "${A[@]}"
	is "submission AUTH $mech, no TLS" "$?" 0
	"${CURL[@]}" "smtp://localhost:$SUBMISSION_PORT" --ssl-reqd --cacert "$TLS_CA_FILE" --login-options "AUTH=$mech" "${A[@]}"
	is "submission AUTH $mech, STARTTLS" "$?" 0
	"${CURL[@]}" "smtps://localhost:$SUBMISSIONS_PORT" --cacert "$TLS_CA_FILE" --login-options "AUTH=$mech" "${A[@]}"
	is "submission AUTH $mech, implicit TLS" "$?" 0
	sent=$((sent + 3))
done
like "submission AUTH SCRAM-SHA-256, no TLS" "$(smtp_scram plain "$SUBMISSION_PORT" alice alice-secret)" '^235'
like "submission AUTH SCRAM-SHA-256, STARTTLS" "$(smtp_scram starttls "$SUBMISSION_PORT" alice alice-secret)" '^235'
like "submission AUTH SCRAM-SHA-256, implicit TLS" "$(smtp_scram tls "$SUBMISSIONS_PORT" alice alice-secret)" '^235'
like "submission AUTH SCRAM-SHA-256, wrong password refused" "$(smtp_scram plain "$SUBMISSION_PORT" alice wrong)" '^535'
"${CURL[@]}" "smtp://$H:$SUBMISSION_PORT" --login-options AUTH=PLAIN -u alice:wrong \
	--mail-from "$ALICE_ADDR" --mail-rcpt "$BOB_ADDR" -T "$MSG" 2>/dev/null
is "submission, wrong password refused" "$?" 67
"${CURL[@]}" "smtp://$H:$SUBMISSION_PORT" -u alice:alice-secret --mail-from "$ALICE_ADDR" \
	--mail-rcpt "nobody@$MAIL_DOMAIN" -T "$MSG" 2>/dev/null
is "submission, unknown local user refused" "$?" 55
is "submission advertises SIZE MAILPEERS_MAX_MESSAGE_SIZE" "$(ehlo_size "$SUBMISSION_PORT")" 20000000
is "POP-before-SMTP port advertises the same SIZE" "$(ehlo_size "$PBS_SMTP_PORT")" 20000000
got=$("$MP" wait-mail "$D" bob $((1 + sent)) 15 2>&1)
is "all $sent messages alice sent reached bob's Maildir" "$got" $((1 + sent))
like "... and bob reads them over IMAP" \
	"$("${CURL[@]}" "imap://$H:$IMAP_PORT/INBOX;UID=2" -u bob:bob-secret 2>&1)" 'Subject: peers test'

# ---- seed ----------------------------------------------------------------
"$MP" seed "$D" alice 100000 2 && "$MP" seed "$D" alice 381 && "$MP" seed "$D" alice 1048577
is "seed" "$?" 0
is "seed sizes are exact in POP3 LIST" \
	"$("${CURL[@]}" "pop3://$H:$POP3_PORT/" -u alice:alice-secret 2>&1 | tr -d '\r' | tr '\n' ' ')" \
	"1 100000 2 100000 3 381 4 1048577 "
like "... and in IMAP RFC822.SIZE" \
	"$("${CURL[@]}" "imap://$H:$IMAP_PORT/INBOX" -u alice:alice-secret -X 'FETCH 3 RFC822.SIZE' 2>&1)" 'RFC822.SIZE 381\)'
is "count" "$("$MP" count "$D" alice)" 4

# ---- POP-before-SMTP -----------------------------------------------------
PBS=(--mail-from "$ALICE_ADDR" --mail-rcpt "$BOB_ADDR" -T "$MSG")
"$MP" pbs-reset "$D"
err=$("${CURL[@]}" "smtp://$H:$PBS_SMTP_PORT" "${PBS[@]}" 2>&1)
is "PBS: refused before a POP3 login" "$?" 55
like "... with 554" "$err" '554'
"${CURL[@]}" "pop3://$H:$POP3_PORT/" -u alice:wrong >/dev/null 2>&1
"${CURL[@]}" "smtp://$H:$PBS_SMTP_PORT" "${PBS[@]}" 2>/dev/null
is "PBS: a failed POP3 login grants nothing" "$?" 55
login_at=$SECONDS
ok "PBS: POP3 login (USER/PASS)" eval '[[ $(pop3_userpass alice alice-secret) == +OK* ]]'
"${CURL[@]}" "smtp://$H:$PBS_SMTP_PORT" "${PBS[@]}"
is "PBS: accepted after the POP3 login" "$?" 0
"${CURL[@]}" "smtp://$H:$PBS_SMTP_PORT" --mail-from "$ALICE_ADDR" --mail-rcpt someone@example.org -T "$MSG"
is "PBS: other domains accepted (and discarded)" "$?" 0
"${CURL[@]}" --interface 127.0.0.2 "smtp://$H:$PBS_SMTP_PORT" "${PBS[@]}" 2>/dev/null
is "PBS: refused from 127.0.0.2" "$?" 55
got=$("$MP" wait-mail "$D" bob $((2 + sent)) 10 2>&1)
is "PBS: the message reached bob" "$got" $((2 + sent))
# PBS_TTL_SECONDS=4; the expire loop runs twice a second
w=$((login_at + 6 - SECONDS)); [ $w -le 0 ] || sleep $w
"${CURL[@]}" "smtp://$H:$PBS_SMTP_PORT" "${PBS[@]}" 2>/dev/null
is "PBS: refused again once PBS_TTL_SECONDS passed" "$?" 55

# ---- stop ----------------------------------------------------------------
sids=$(cat "$D/run/sessions")
t0=$EPOCHREALTIME
"$MP" stop "$D"
is "mailpeers stop" "$?" 0
diag "stopped in $(awk "BEGIN { printf \"%.2f\", $EPOCHREALTIME - $t0 }") s"
left=
for sid in $sids; do left+=$(ps -o pid=,stat=,args= -s "$sid" | grep -v ' Z') || true; done
is "stop leaves no process" "$left" ""
open=
for p in $POP3_PORT $POP3S_PORT $IMAP_PORT $IMAPS_PORT $SUBMISSION_PORT $SUBMISSIONS_PORT \
	$PBS_SMTP_PORT $RELAY_SMTP_PORT $LMTP_PORT; do
	(exec 3<>"/dev/tcp/$H/$p") 2>/dev/null && open+=" $p"
done
is "every port is closed" "$open" ""
"$MP" stop "$D"
is "a second stop does nothing" "$?" 0
done_testing
