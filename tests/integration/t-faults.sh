#!/usr/bin/env bash
# t-faults.sh - the connection test against servers that misbehave in ways
# real ones won't (tests/fakepeer.c plays them): a server that accepts and
# never answers, a 1 MB line, a garbled SASL challenge, STARTTLS refused
# or not offered, a greeting without an APOP time stamp.  Each must fail
# cleanly, at the right stage, within its timeout, and never fall back to
# something weaker (plain text, USER/PASS).  And `hikyakuctl fetch`
# against servers that lie (the section at the end).
set -u
. "$HK_SRCDIR/tests/lib/tap.sh"
. "$HK_SRCDIR/tests/lib/instance.sh"
. "$HK_SRCDIR/tests/lib/http.sh"

T=${HK_TMP:-$(mktemp -d)}
mkdir -p "$T"
PIDS=()
cleanup() {
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
	hk_instance_stop
}
trap cleanup EXIT
cc -O1 -o "$T/fakepeer" "$HK_SRCDIR/tests/fakepeer.c" || { echo "not ok 1 - fakepeer builds"; exit 1; }

# peer NAME: starts fakepeer on the script in $T/NAME.fp; sets PORT.
peer() {
	"$T/fakepeer" -l "$T/$1.log" "$T/$1.fp" > "$T/$1.port" &
	PIDS+=($!)
	hk_wait_for test -s "$T/$1.port" || { echo "# fakepeer $1 did not start"; return 1; }
	PORT=$(head -1 "$T/$1.port")
}

hk_instance_start || { echo "not ok 1 - instance started"; exit 1; }
new_browser
sign_in >/dev/null
CTL="$HK_PREFIX/bin/hikyakuctl --config $HK_CONFIG"
CSRF=$(csrf_now mail-servers)

mkserver() {	# NAME field=value...
	local name=$1; shift
	local -A f=(
		[smtp_host]=127.0.0.1 [smtp_port]=25 [smtp_security]=none
		[smtp_auth]=on [smtp_auth_method]=cram-md5 [smtp_credentials]=account
		[pop_before_smtp_wait]=0 [send_limit]=0 [recv_protocol]=pop3
		[recv_host]=127.0.0.1 [recv_port]=110 [recv_security]=none
		[recv_limit]=0
	)
	local kv body="csrf_token=$CSRF&name=$name"
	for kv in "$@"; do f[${kv%%=*}]=${kv#*=}; done
	for kv in "${!f[@]}"; do
		[ "${f[$kv]}" = off ] && continue
		body="$body&$kv=${f[$kv]}"
	done
	req POST mail-servers "$body"
	[ "$STATUS" = 303 ] || diag "adding $name: $STATUS"
}
stages() {
	grep -oE '<end name="[a-z]+"|<stage name="[a-z-]+" ok="[a-z]+"' | sed -E 's/<end name="([a-z]+)"/\1/; s/<stage name="([a-z-]+)" ok="([a-z]+)"/\1=\2/' | tr '\n' ' ' | sed 's/ $//'
}
run() {	# SERVER [ctl args]: sets OUT, RC, MS
	local s=$1; shift
	local t0 t1
	t0=$(date +%s%N)
	OUT=$(printf 'pw\n' | $CTL test "$s" --user u --address u@example.test --xml "$@" 2>"$T/err")
	RC=$?
	t1=$(date +%s%N)
	MS=$(( (t1 - t0) / 1000000 ))
}

# A well-behaved POP3 server, for the end not under test.
cat > "$T/pop-good.fp" <<'EOF'
send +OK fake POP3 ready <1.2@fake>
expect CAPA
send -ERR no CAPA here
expect USER u
send +OK
expect PASS pw
send +OK logged in
expect STAT
send +OK 0 0
expect QUIT
send +OK bye
EOF
peer pop-good; POP_GOOD=$PORT

# ------------------------------------------------ accepts, never answers
printf 'hang\n' > "$T/hang.fp"
peer hang; HANG=$PORT
mkserver hang recv_port=$HANG smtp_port=$HANG
run hang --timeout 2
is "a server that never answers: exit 5" "$RC" 5
ok "... within its timeouts (2 s a step: took ${MS} ms)" test "$MS" -lt 7000
ok "... not before them" test "$MS" -ge 3900
is "... both greetings fail" "$(printf '%s' "$OUT" | stages)" "receive resolve=true connect=true greeting=false send resolve=true connect=true greeting=false"
like "... explained as a server that said nothing" "$OUT" 'code="conntest.greeting.timeout"'
like "... suggesting SSL/TLS (the field is the security)" "$OUT" 'field="recv_security"'

# ------------------------------------------------------------ 1 MB line
cat > "$T/long.fp" <<'EOF'
repeat 1048576 A
send
hang
EOF
peer long; LONG=$PORT
mkserver long recv_port=$LONG smtp_port=$LONG
run long --timeout 5
is "a 1 MB greeting line: exit 5" "$RC" 5
is "... both greetings fail" "$(printf '%s' "$OUT" | stages)" "receive resolve=true connect=true greeting=false send resolve=true connect=true greeting=false"
like "... as a line far too long" "$OUT" 'code="conntest.protocol.too-long"'
like "... with the cap in the detail" "$OUT" '<detail>the server sent a line longer than [0-9]+ bytes</detail>'
ok "... at once, without waiting for the rest (${MS} ms)" test "$MS" -lt 3000

# ------------------------------------------- invalid base64 challenge
cat > "$T/b64.fp" <<'EOF'
send 220 fake ESMTP
expect EHLO
send 250-fake
send 250 AUTH CRAM-MD5 PLAIN
expect AUTH CRAM-MD5
send 334 !!!this-is*not=base64!!!
expect *
send 501 5.7.0 authentication cancelled
expect QUIT
send 221 bye
EOF
peer b64; B64=$PORT
mkserver b64 recv_port=$POP_GOOD smtp_port=$B64
run b64
is "a garbled SASL challenge: exit 5" "$RC" 5
is "... the auth stage fails, the receive end is fine" "$(printf '%s' "$OUT" | stages)" "receive resolve=true connect=true greeting=true login=true send resolve=true connect=true greeting=true auth=false"
like "... as a protocol error" "$OUT" 'code="conntest.auth.protocol"'
like "... saying why" "$OUT" 'not valid base64'
like "... the exchange was cancelled with *" "$(cat "$T/b64.log")" 'C: \*'
unlike "... no response to the garbage was sent" "$(grep -A1 'AUTH CRAM-MD5' "$T/b64.log" | tail -1)" '^C: [A-Za-z0-9+/=]{8,}$'
req POST "mail-servers/$(req GET 'mail-servers?format=xml'; printf '%s' "$BODY" | tr '\n' ' ' | grep -oE '<mail-server id="[0-9]+"[^>]*>[[:space:]]*<name>b64</name>' | grep -oE 'id="[0-9]+"' | tr -dc 0-9)/test" \
	"csrf_token=$CSRF&test_user=u&test_password=pw&test_address=u@example.test" -H 'Accept: application/xml'
is "... the screen answers 200" "$STATUS" 200
is "... with the same stages" "$(printf '%s' "$BODY" | stages)" "receive resolve=true connect=true greeting=true login=true send resolve=true connect=true greeting=true auth=false"

# -------------------------------------------------- STARTTLS answers 454
cat > "$T/tls454.fp" <<'EOF'
send 220 fake ESMTP
expect EHLO
send 250-fake
send 250-AUTH CRAM-MD5
send 250 STARTTLS
expect STARTTLS
send 454 4.7.0 TLS not available due to temporary reason
hang
EOF
peer tls454; TLS454=$PORT
mkserver tls454 recv_port=$POP_GOOD smtp_port=$TLS454 smtp_security=starttls
run tls454 --timeout 3
is "STARTTLS answered with 454: exit 5" "$RC" 5
is "... the tls stage fails" "$(printf '%s' "$OUT" | stages)" "receive resolve=true connect=true greeting=true login=true send resolve=true connect=true tls=false"
like "... as refused" "$OUT" 'code="conntest.starttls.refused"'
like "... with the server's reply" "$OUT" '<reply>454 4.7.0 TLS not available'
unlike "... and nothing more than QUIT in plain text (no AUTH, no MAIL)" "$(cat "$T/tls454.log")" 'C: (AUTH|MAIL|RCPT)'

cat > "$T/notls.fp" <<'EOF'
send 220 fake ESMTP
expect EHLO
send 250-fake
send 250 AUTH CRAM-MD5
hang
EOF
peer notls; NOTLS=$PORT
mkserver notls recv_port=$POP_GOOD smtp_port=$NOTLS smtp_security=starttls
run notls --timeout 3
is "STARTTLS not offered: exit 5" "$RC" 5
like "... explained as not offered" "$OUT" 'code="conntest.starttls.not-offered"'
unlike "... never falling back to plain text" "$(cat "$T/notls.log")" 'C: (STARTTLS|AUTH|MAIL)'

# A refused greeting on a STARTTLS port ends the send end there: nothing
# else (no AUTH in plain text) may follow.
cat > "$T/greet554.fp" <<'EOF'
send 554 5.3.2 no service here
hang
EOF
peer greet554; GREET554=$PORT
mkserver greet554 recv_port=$POP_GOOD smtp_port=$GREET554 smtp_security=starttls
run greet554 --timeout 2
is "a refused greeting before STARTTLS: exit 5" "$RC" 5
is "... the send end stops at its tls stage" "$(printf '%s' "$OUT" | stages)" "receive resolve=true connect=true greeting=true login=true send resolve=true connect=true tls=false"
like "... explained as a refused greeting" "$OUT" 'code="conntest.greeting.refused"'
unlike "... nothing but QUIT sent (no EHLO, no AUTH)" "$(cat "$T/greet554.log")" 'C: (EHLO|HELO|AUTH|MAIL)'

cat > "$T/stls-err.fp" <<'EOF'
send +OK fake POP3 ready
expect CAPA
send +OK
send STLS
send USER
send .
expect STLS
send -ERR not now
hang
EOF
peer stls-err; STLSERR=$PORT
mkserver stls-err recv_port=$STLSERR recv_security=starttls smtp_port=$HANG
run stls-err --timeout 2
is "POP3 STLS answered -ERR: exit 5" "$RC" 5
like "... the receive tls stage fails as refused" "$OUT" '<stage name="tls" ok="false" ms="[0-9]+" field="recv_security">.*'
like "... (code)" "$OUT" 'code="conntest.starttls.refused"'
unlike "... no USER/PASS in plain text" "$(cat "$T/stls-err.log")" 'C: (USER|PASS)'

# ------------------------------------------ no APOP time stamp, APOP on
cat > "$T/noapop.fp" <<'EOF'
send +OK fake POP3 ready, no time stamp here
expect CAPA
send -ERR no
hang
EOF
peer noapop; NOAPOP=$PORT
mkserver noapop recv_port=$NOAPOP apop=on smtp_port=$HANG
run noapop --timeout 2
is "a greeting without an APOP time stamp, APOP on: exit 5" "$RC" 5
like "... the greeting warns" "$OUT" '<warning code="conntest.warn.no-apop" field="apop">'
like "... the login fails pointing at apop" "$OUT" '<stage name="login" ok="false" ms="[0-9]+" field="apop">'
like "... explained" "$OUT" 'code="conntest.login.no-apop"'
unlike "... never falling back to USER/PASS" "$(cat "$T/noapop.log")" 'C: (USER|PASS|APOP)'

# ------------------------------------------- not a mail server at all
cat > "$T/http.fp" <<'EOF'
read
send HTTP/1.1 400 Bad Request
close
EOF
peer http; HTTPP=$PORT
mkserver http recv_port=$HTTPP smtp_port=$HTTPP
run http --timeout 2
is "an HTTP server on the port: exit 5" "$RC" 5

# ---------------------- a reply with malformed UTF-8 and control bytes
# Surrogate (ED A0 80), overlong (C0 AF, E0 80 AF, F0 80 80 AF), past
# U+10FFFF (F4 90 80 80) and a bell: the result must still be well-formed
# XML and carry none of them.
printf 'send +OK bad \355\240\200 \300\257 \340\200\257 \360\200\200\257 \364\220\200\200 \a ok \343\203\241 <1.2@x>\nexpect CAPA\nsend -ERR no\nhang\n' > "$T/badutf8.fp"
peer badutf8; BADU=$PORT
mkserver badutf8 recv_port=$BADU smtp_port=$HANG
run badutf8 --timeout 2
ok "a reply with malformed UTF-8: the result is well-formed XML" sh -c 'printf "%s" "$1" | xmllint --noout -' _ "$OUT"
like "... the good character survives" "$OUT" 'ok メ &lt;1.2@x&gt;'
unlike "... no malformed sequence survives" "$(printf '%s' "$OUT" | LC_ALL=C grep -aoE $'\xed\xa0|\xc0\xaf|\xe0\x80|\xf0\x80|\xf4\x90|\x07' | head -1)" '.'

# ============================================ fetching from hostile servers
# `hikyakuctl fetch` against servers that lie about sizes, repeat bodies or
# list two messages under one unique id.  What they may never cause: more
# than recv_limit stored, or a message deleted whose bytes were not stored.
MAILDIR=$HK_DIR/data/mail
list_id() {	# KIND NAME: the id on the mail-KINDs list screen
	req GET "mail-$1s?format=xml"
	printf '%s' "$BODY" | tr '\n' ' ' | grep -oE "<mail-$1 id=\"[0-9]+\"[^>]*>[[:space:]]*<name>$2</name>" | grep -oE 'id="[0-9]+"' | head -1 | tr -dc 0-9
}
mkaccount() {	# NAME SERVER: user u, password pw
	req POST mail-accounts "csrf_token=$CSRF&name=$1&address=u@example.test&server_id=$(list_id server "$2")&username=u&password=pw"
	[ "$STATUS" = 303 ] || diag "adding account $1: $STATUS"
}
fetch() {	# ACCOUNT [args]: sets OUT, RC, ERR
	OUT=$($CTL fetch --account "$@" 2>"$T/err"); RC=$?
	ERR=$(cat "$T/err")
}
# An account's Maildir is named by a name never reused (docs/MAIL.md).
md() { printf '%s/%s' "$MAILDIR" "$(hk_sql "SELECT maildir FROM mail_accounts WHERE name = '$1'")"; }
stored() { local d; d=$(md "$1"); find "$d/new" "$d/cur" -type f 2>/dev/null; }
# imap_open FILE: the start of an IMAP fetch (one message listed: UID 1 of
# SIZE bytes), up to the UID FETCH of its body.
imap_open() {	# FILE SIZE
	cat > "$1" <<EOS
send * OK fake IMAP ready
expect h1 CAPABILITY
send * CAPABILITY IMAP4rev1
send h1 OK done
expect h2 LOGIN
send h2 OK logged in
expect h3 SELECT
send * 1 EXISTS
send * OK [UIDVALIDITY 42] ok
send h3 OK [READ-WRITE] done
expect h4 UID FETCH 1:*
send * 1 FETCH (UID 1 RFC822.SIZE $2)
send h4 OK done
expect h5 UID FETCH 1 BODY.PEEK[]
EOS
}

# ---------------- one body asked for, twenty sent (announced: 100 bytes)
imap_open "$T/bodies.fp" 100
for i in $(seq 20); do
	printf 'send * 1 FETCH (UID 1 BODY[] {60000}\nrepeat 60000 x\nsend )\n'
done >> "$T/bodies.fp"
printf 'send h5 OK done\nexpect h6 LOGOUT\nsend * BYE\nsend h6 OK bye\n' >> "$T/bodies.fp"
peer bodies
mkserver bodies recv_protocol=imap4 recv_port=$PORT recv_limit=524288 smtp_port=$HANG
mkaccount f-bodies bodies
fetch f-bodies --keep
is "IMAP, the same body sent 20 times: exit 0" "$RC" 0
like "... one message fetched" "$OUT" '^f-bodies: fetched 1, oversized 0, failed 0'
is "... stored once: 60000 bytes, not 1.2 MB past the 512 KB limit" "$(stored f-bodies | xargs -r stat -c %s)" 60000

# ----------- more bytes than announced and than recv_limit (POP3, IMAP)
# Announced 500000, sent 530000 under a limit of 524288: the limit holds
# on what arrives, not on what the server said.
cat > "$T/overrun.fp" <<'EOS'
send +OK fake POP3 ready
expect CAPA
send -ERR no CAPA
expect USER u
send +OK
expect PASS pw
send +OK logged in
expect UIDL
send +OK
send 1 big-one
send .
expect LIST
send +OK
send 1 500000
send .
expect RETR 1
send +OK
repeat 530000 x
send
send .
hang
EOS
peer overrun
mkserver overrun recv_port=$PORT recv_limit=524288 smtp_port=$HANG
mkaccount f-overrun overrun
fetch f-overrun
is "POP3, 530000 bytes sent for 500000 announced, limit 524288: exit 5" "$RC" 5
like "... the message failed" "$OUT" '^f-overrun: fetched 0, oversized 0, failed 1'
like "... reported as longer than allowed" "$ERR" 'message big-one \(500000 bytes\) failed: .*longer'
is "... and nothing stored" "$(stored f-overrun | wc -l)" 0
unlike "... nor deleted" "$(cat "$T/overrun.log")" 'C: DELE'

imap_open "$T/ioverrun.fp" 500000
printf 'send * 1 FETCH (UID 1 BODY[] {530000}\nrepeat 530000 x\nsend )\nsend h5 OK done\nhang\n' >> "$T/ioverrun.fp"
peer ioverrun
mkserver ioverrun recv_protocol=imap4 recv_port=$PORT recv_limit=524288 smtp_port=$HANG
mkaccount f-ioverrun ioverrun
fetch f-ioverrun
is "IMAP, a {530000} body for 500000 announced, limit 524288: exit 5" "$RC" 5
like "... the message failed" "$OUT" '^f-ioverrun: fetched 0, oversized 0, failed 1'
is "... and nothing stored" "$(stored f-ioverrun | wc -l)" 0
unlike "... nor deleted" "$(cat "$T/ioverrun.log")" 'C: h[0-9]+ UID STORE'

# --------------------------------- two messages under one unique id
# They would share one Maildir name: neither may be deleted, since
# storing one would pass for storing both.  The third is fetched as usual.
cat > "$T/dupuidl.fp" <<'EOS'
send +OK fake POP3 ready
expect CAPA
send -ERR no CAPA
expect USER u
send +OK
expect PASS pw
send +OK logged in
expect UIDL
send +OK
send 1 same-uid
send 2 other-uid
send 3 same-uid
send .
expect LIST
send +OK
send 1 30
send 2 31
send 3 32
send .
expect RETR 2
send +OK
send Subject: two
send
send body two
send .
expect DELE 2
send +OK
expect QUIT
send +OK bye
EOS
peer dupuidl
mkserver dupuidl recv_port=$PORT smtp_port=$HANG
mkaccount f-dupuidl dupuidl
fetch f-dupuidl
is "POP3, two messages with one UIDL: exit 5" "$RC" 5
like "... the other one fetched, the two failed" "$OUT" '^f-dupuidl: fetched 1, oversized 0, failed 2'
like "... reported, saying they stay on the server" "$ERR" 'message same-uid \(30 bytes\) failed: the server lists 2 messages with this unique id.*stay on the server'
is "... the dialogue went as scripted (RETR 2, DELE 2, QUIT only)" "$(grep -E '^(C: (RETR|DELE|QUIT)|MISMATCH)' "$T/dupuidl.log" | tr '\n' ' ')" "C: RETR 2 C: DELE 2 C: QUIT "
is "... one message stored" "$(stored f-dupuidl | wc -l)" 1

imap_open "$T/dupuid.fp" 20
# the listing names UID 1 twice (messages 1 and 2)
sed -i 's/^send \* 1 FETCH (UID 1 RFC822.SIZE 20)$/&\nsend * 2 FETCH (UID 1 RFC822.SIZE 25)/; s/^expect h5 UID FETCH 1 BODY.PEEK\[\]$/expect h5 LOGOUT/' "$T/dupuid.fp"
printf 'send * BYE\nsend h5 OK bye\n' >> "$T/dupuid.fp"
peer dupuid
mkserver dupuid recv_protocol=imap4 recv_port=$PORT smtp_port=$HANG
mkaccount f-dupuid dupuid
fetch f-dupuid
is "IMAP, one UID listed for two messages: exit 5" "$RC" 5
like "... both failed" "$OUT" '^f-dupuid: fetched 0, oversized 0, failed 2'
unlike "... neither fetched nor deleted" "$(cat "$T/dupuid.log")" 'C: h[0-9]+ UID (FETCH 1 |STORE)|EXPUNGE|MISMATCH'

# ------------- no UIDPLUS: EXPUNGE only when no other \Deleted message
# A 20-byte message, fetched and flagged; CAPABILITY again (still no
# UIDPLUS); then UID SEARCH DELETED finds another client's \Deleted
# message (UID 7): no EXPUNGE, which would remove it too.  Then the same
# with only ours: EXPUNGE.
for who in other ours; do
	imap_open "$T/nouidplus-$who.fp" 20
	cat >> "$T/nouidplus-$who.fp" <<'EOS'
send * 1 FETCH (UID 1 BODY[] {20}
raw Subject: x\r\n\r\nbody\r\n
send )
send h5 OK done
expect h6 UID STORE 1 +FLAGS.SILENT (\Deleted)
send h6 OK stored
expect h7 CAPABILITY
send * CAPABILITY IMAP4rev1
send h7 OK done
expect h8 UID SEARCH DELETED
EOS
	if [ $who = other ]; then
		printf 'send * SEARCH 1 7\nsend h8 OK done\nexpect h9 LOGOUT\nsend * BYE\nsend h9 OK bye\n'
	else
		printf 'send * SEARCH 1\nsend h8 OK done\nexpect h9 EXPUNGE\nsend * 1 EXPUNGE\nsend h9 OK done\nexpect h10 LOGOUT\nsend * BYE\nsend h10 OK bye\n'
	fi >> "$T/nouidplus-$who.fp"
	peer nouidplus-$who
	mkserver nouidplus-$who recv_protocol=imap4 recv_port=$PORT smtp_port=$HANG
	mkaccount f-nouidplus-$who nouidplus-$who
	fetch f-nouidplus-$who
	is "IMAP without UIDPLUS ($who \\Deleted messages): exit 0" "$RC" 0
	[ "$RC" = 0 ] || diag "$ERR"
	is "... the message stored" "$(stored f-nouidplus-$who | wc -l)" 1
	unlike "... the dialogue went as scripted" "$(cat "$T/nouidplus-$who.log")" MISMATCH
	if [ $who = other ]; then
		unlike "... no EXPUNGE" "$(cat "$T/nouidplus-$who.log")" EXPUNGE
		unlike "... and not counted as deleted" "$OUT" 'deleted from the server'
	else
		like "... EXPUNGE" "$(cat "$T/nouidplus-$who.log")" 'C: h9 EXPUNGE'
		like "... counted as deleted" "$OUT" 'deleted from the server 1'
	fi
done

# ------------------ 552 after DATA, for a message within the SIZE limit
# The server announces 10 MB, accepts SIZE=1468006 at MAIL FROM, then
# refuses that 1.3 MB message for its size after DATA: the report says
# so, not that the message is larger than 10 MB.
cat > "$T/data552.fp" <<'EOS'
send 220 fake ESMTP
expect EHLO
send 250-fake
send 250 SIZE 10485760
expect MAIL FROM:<u@example.test> SIZE=1468006
send 250 2.1.0 ok
expect RCPT TO:<v@example.test>
send 250 2.1.5 ok
expect DATA
send 354 go ahead
data
send 552 5.3.4 Message size exceeds fixed limit
expect QUIT
send 221 bye
EOS
peer data552
mkserver data552 recv_port=$HANG smtp_port=$PORT smtp_auth=off
mkaccount s-data552 data552
{ printf 'Subject: big\r\n\r\n'; yes "$(printf '%098d' 0)" | head -n 14679 | sed 's/$/\r/'; printf '%088d\r\n' 0; } > "$T/big.eml"
size=$(stat -c %s "$T/big.eml")
$CTL send --account s-data552 --from u@example.test --to v@example.test < "$T/big.eml" >"$T/out" 2>"$T/err"; RC=$?
is "552 after DATA (1.3 MB within a 10 MB SIZE): exit 3" "$RC" 3
is "... the message is the 1468006 bytes announced" "$size" 1468006
like "... the server's reply is printed" "$(cat "$T/out")" '^DATA: 552 5.3.4'
like "... saying what happened" "$(cat "$T/err")" "the SMTP server refused the message for its size at DATA, although it is 1\\.3 MB \\(1468006 bytes\\), within the server's SIZE limit of 10 MB \\(10485760 bytes\\), and the server had accepted that size at MAIL FROM: 552 5\\.3\\.4"
unlike "... not that it is larger than the limit" "$(cat "$T/err")" 'larger than'
unlike "... the dialogue went as scripted" "$(cat "$T/data552.log")" MISMATCH

# ------------------------- a relay refusal without an enhanced status code
# "550 relay not permitted" refuses us for whom we write to: exit 4 in
# send as in the connection test (one classification for both).
cat > "$T/relay550.fp" <<'EOS'
send 220 fake ESMTP
expect EHLO
send 250 fake
expect MAIL FROM:<u@example.test>
send 250 ok
expect RCPT TO:
send 550 relay not permitted
read
send 250 ok
read
send 221 bye
EOS
peer relay550
mkserver relay550 recv_port=$POP_GOOD smtp_port=$PORT smtp_auth=off
mkaccount s-relay550 relay550
printf 'Subject: hi\r\n\r\nhello\r\n' > "$T/small.eml"
$CTL send --account s-relay550 --from u@example.test --to v@example.test < "$T/small.eml" >"$T/out" 2>"$T/err"; RC=$?
is "send: a recipient refused with a bare 550: exit 4" "$RC" 4
like "... with the server's reply in the message" "$(cat "$T/err")" '550 relay not permitted'
run relay550
is "test: the same refusal: exit 4" "$RC" 4
like "... at the relay stage" "$(printf '%s' "$OUT" | stages)" 'relay=false'
like "... explained as a refused recipient" "$OUT" 'code="conntest.relay.refused"'

cat > "$T/sender553.fp" <<'EOS'
send 220 fake ESMTP
expect EHLO
send 250 fake
expect MAIL FROM:<u@example.test>
send 553 sender address rejected
read
send 221 bye
EOS
peer sender553
mkserver sender553 recv_port=$POP_GOOD smtp_port=$PORT smtp_auth=off
mkaccount s-sender553 sender553
$CTL send --account s-sender553 --from u@example.test --to v@example.test < "$T/small.eml" >"$T/out" 2>"$T/err"; RC=$?
is "send: a sender refused with a bare 553: exit 4" "$RC" 4
like "... naming the sender and the reply" "$(cat "$T/err")" 'refused the sender <u@example.test>: 553 sender address rejected'

# ------------------------------- AUTH on a connection that offers none
# EHLO lists no AUTH and AUTH gets "503 ... not enabled": that is the
# connection's fault (no TLS yet, or the wrong port), not the password's.
cat > "$T/noauth.fp" <<'EOS'
send 220 fake ESMTP
expect EHLO
send 250-fake
send 250 8BITMIME
expect AUTH
send 503 5.5.1 Error: authentication not enabled
read
send 221 bye
EOS
peer noauth
mkserver noauth recv_port=$POP_GOOD smtp_port=$PORT
mkaccount s-noauth noauth
$CTL send --account s-noauth --from u@example.test --to v@example.test < "$T/small.eml" >"$T/out" 2>"$T/err"; RC=$?
is "send: AUTH where EHLO offered none: exit 5, not a wrong password" "$RC" 5
like "... saying the server offers no authentication here" "$(cat "$T/err")" 'offers no authentication on this connection'
like "... and pointing at the security setting" "$(cat "$T/err")" 'security setting'
unlike "... not blaming the password" "$(cat "$T/err")" 'refused .* authentication'
run noauth
is "test: the same: exit 5" "$RC" 5
like "... the auth stage fails" "$(printf '%s' "$OUT" | stages)" 'auth=false'
like "... explained as no authentication on a plain connection" "$OUT" 'code="conntest.auth.none-here-plain"'
like "... pointing at the SMTP security field" "$OUT" '<stage name="auth" ok="false"[^>]*field="smtp_security"'

# ----------------------- IMAP capabilities, and a completion that says so
# "h1 OK CAPABILITY Completed" after "* CAPABILITY IMAP4rev1 ...": the
# list stands (the completion's text is no list).
cat > "$T/capdone.fp" <<'EOS'
send * OK fake IMAP ready
expect h1 CAPABILITY
send * CAPABILITY IMAP4rev1 AUTH=PLAIN
send h1 OK CAPABILITY Completed
expect h2 LOGIN
send h2 OK logged in
expect h3 SELECT
send * 0 EXISTS
send h3 OK [READ-WRITE] done
read
send * BYE bye
send h4 OK bye
EOS
peer capdone; CAPDONE=$PORT
cat > "$T/smtp-good.fp" <<'EOS'
send 220 fake ESMTP
expect EHLO
send 250 fake
expect MAIL
send 250 ok
expect RCPT
send 250 ok
expect RSET
send 250 ok
read
send 221 bye
EOS
peer smtp-good
mkserver capdone recv_protocol=imap4 recv_port=$CAPDONE smtp_port=$PORT smtp_auth=off
run capdone
is "IMAP 'OK CAPABILITY Completed': the test passes" "$RC" 0
unlike "... no warning that the server does not speak IMAP4rev1" "$OUT" 'conntest.warn.not-imap4rev1'
unlike "... the dialogue went as scripted" "$(cat "$T/capdone.log")" MISMATCH

hk_instance_stop
done_testing
