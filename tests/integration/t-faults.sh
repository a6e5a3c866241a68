#!/usr/bin/env bash
# t-faults.sh - the connection test against servers that misbehave in ways
# real ones won't (tests/fakepeer.c plays them): a server that accepts and
# never answers, a 1 MB line, a garbled SASL challenge, STARTTLS refused
# or not offered, a greeting without an APOP time stamp.  Each must fail
# cleanly, at the right stage, within its timeout, and never fall back to
# something weaker (plain text, USER/PASS).
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

hk_instance_stop
done_testing
