#!/usr/bin/env bash
# t-hostile.sh - hostile HTTP/FastCGI input (docs/REFERENCE.md: "a clear error,
# never a crash, never a partial write").  Through nginx: bodies that lie
# about their length, chunked bodies over max_body, a body exactly at it,
# huge headers and cookies, cookies with invalid UTF-8, random bytes as
# body and query, other sessions' CSRF tokens, path tricks, odd methods.
# Straight at the worker's socket (tests/fcgi-raw.c), what nginx would
# never send: params with NUL bytes, no REQUEST_METHOD or REQUEST_URI,
# 64 KiB params, records cut short or of an unknown type, overflowing
# lengths, a peer that stalls mid-request.  Throughout: every answer is a
# 4xx (or nginx's, or a closed connection), the workers never restart,
# and the stored data is unchanged.
set -u
. "$HK_SRCDIR/tests/lib/tap.sh"
. "$HK_SRCDIR/tests/lib/instance.sh"
. "$HK_SRCDIR/tests/lib/http.sh"

T=${HK_TMP:-$(mktemp -d)}
mkdir -p "$T"
trap hk_instance_stop EXIT
cc -O1 -o "$T/fcgi-raw" "$HK_SRCDIR/tests/fcgi-raw.c" || { echo "not ok 1 - fcgi-raw builds"; exit 1; }
# Short nginx timeouts, so a body that never comes is answered at once.
HK_WORKERS=2 HK_NGINX_SERVER_EXTRA='client_body_timeout 2s; client_header_timeout 2s;' \
	hk_instance_start || { echo "not ok 1 - instance started"; exit 1; }
CTL="$HK_PREFIX/bin/hikyakuctl --config $HK_CONFIG"
SOCK=$HK_DIR/hikyaku.sock
X=(-H 'Accept: application/xml')

sql() { hk_sql "$@"; }
# The stored data: everything but the tables that requests may touch
# legitimately (sessions are refreshed, failed sign-ins counted).
dump() { hk_store_dump sessions login_throttle; }
# The master's worker processes: a crash would replace one.
workers() { pgrep -P "$HK_WORKER_PID" | sort -n | tr '\n' ' '; }
# Every status given is in the allowed set (an extended regex).
all_in() { local bad; bad=$(printf '%s\n' $1 | grep -vxE "$2" | sort | uniq -c | tr '\n' ' '); [ -z "$bad" ] || { diag "unexpected: $bad"; return 1; }; }
crashes() { grep -cE 'ended \(signal|starting another|AddressSanitizer|runtime error' "$HK_WORKER_LOG"; }

# ------------------------------------------------------------- set-up
printf 'bob-password-long\n' | $CTL admin add bob >/dev/null
new_browser; JAR_B=$HK_JAR
sign_in bob bob-password-long >/dev/null
TB=$(csrf_now mail-servers)
new_browser; JAR_PRE=$HK_JAR
PRE=$(csrf_now login)
sign_in >/dev/null
TPRE_SESSION=$(csrf_now mail-servers)
new_browser; JAR_A=$HK_JAR
sign_in >/dev/null
is "admin A is signed in" "$STATUS" 303
TA=$(csrf_now mail-servers)
server_form() {
	printf 'csrf_token=%s&name=%s&smtp_host=smtp.example.jp&smtp_port=25&smtp_security=none&smtp_tls_verify=on&smtp_credentials=account&smtp_auth_method=login&pop_before_smtp_wait=0&send_limit=0&recv_protocol=pop3&recv_host=pop.example.jp&recv_port=110&recv_security=none&recv_tls_verify=on&recv_limit=0' "$TA" "$1"
}
req POST mail-servers "$(server_form First)"
req POST mail-servers "$(server_form Second)"
S1=$(sql "SELECT id FROM mail_servers WHERE name = 'First'")
S2=$(sql "SELECT id FROM mail_servers WHERE name = 'Second'")
ok "two servers to work on" test -n "$S1" -a -n "$S2"
W0=$(workers)
dump > "$T/before.sql"
C0=$(crashes)

# ------------------------------------------------- CSRF across sessions
req POST preferences/lang "csrf_token=$TB&lang=ja"
is "signed in as A with B's token: 403" "$STATUS" 403
req POST mail-servers/order "csrf_token=$TB&order=$S2&order=$S1"
is "... on a write too" "$STATUS" 403
HK_JAR=$JAR_PRE
req POST preferences/lang "csrf_token=$PRE&lang=ja"
is "the pre-login token after sign-in: 403" "$STATUS" 403
ok "... (the session has a token of its own)" test "$PRE" != "$TPRE_SESSION"
HK_JAR=$JAR_A
req POST preferences/lang "csrf_token=$TA$TA&lang=ja"
is "a token doubled: 403" "$STATUS" 403
req POST preferences/lang "csrf_token=${TA^^}&lang=ja"
is "the token in upper case: 403" "$STATUS" 403
req POST preferences/lang "csrf_token=$TB&csrf_token=$TA&lang=ja"
is "someone else's token first, ours second: 403" "$STATUS" 403

# ---------------------------------------------------- body sizes (nginx)
form_ct=(-H 'Content-Type: application/x-www-form-urlencoded')
# exact SIZE FILE: a no-op reorder (the current order) padded to SIZE bytes.
exact() {
	local head="csrf_token=$TA&order=$S1&order=$S2&pad="
	{ printf '%s' "$head"; head -c $(( $1 - ${#head} )) /dev/zero | tr '\0' a; } > "$2"
}
post_file() {	# FILE [curl args]: prints the status
	local f=$1; shift
	curl -s -o /dev/null -w '%{http_code}' -b "$HK_JAR" "${form_ct[@]}" --data-binary "@$f" "$@" "${HK_URL}mail-servers/order"
}
exact 1048576 "$T/exact"
exact 1048577 "$T/over"
is "a body of exactly max_body is handled" "$(post_file "$T/exact")" 303
is "one byte over is 413" "$(post_file "$T/over")" 413
is "chunked, exactly max_body: handled" "$(post_file "$T/exact" -H 'Transfer-Encoding: chunked')" 303
is "chunked, one byte over: 413" "$(post_file "$T/over" -H 'Transfer-Encoding: chunked')" 413
exact 3000000 "$T/big"
is "chunked, 3 MB: 413" "$(post_file "$T/big" -H 'Transfer-Encoding: chunked')" 413
is "... with Expect: 100-continue too" "$(post_file "$T/big" -H 'Expect: 100-continue')" 413
head -c 20000000 /dev/zero > "$T/huge"
like "20 MB (over nginx's own limit): nginx's 413" "$(post_file "$T/huge")" '^413$'

# raw HTTP over /dev/tcp: every status line nginx sends back.
raw_http() {
	timeout 10 bash -c "exec 3<>/dev/tcp/127.0.0.1/$HK_PORT; cat >&3; cat <&3" 2>/dev/null |
		grep -aoE '^HTTP/1\.[01] [0-9]{3}' | sed 's/^HTTP\/1\.[01] //' | tr '\n' ' ' | sed 's/ $//'
}
cookie_a=$(awk '$6 == "hikyaku_session" { print $7 }' "$JAR_A")
body="csrf_token=$TA&order=$S2&order=$S1"
t0=$(date +%s)
got=$(printf 'POST /mail-servers/order HTTP/1.1\r\nHost: x\r\nCookie: hikyaku_session=%s\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: %d\r\n\r\n%s' \
	"$cookie_a" $(( ${#body} + 50 )) "$body" | raw_http)
# nginx logs a 408 and closes without an answer.
like "Content-Length longer than the body: nginx gives up (closes, or a 4xx)" "${got:-closed}" '^(4[0-9][0-9]|closed)$'
ok "... within nginx's body timeout, not the worker's" test $(( $(date +%s) - t0 )) -le 6
got=$(printf 'POST /mail-servers/order HTTP/1.1\r\nHost: x\r\nCookie: hikyaku_session=%s\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 20\r\n\r\n%s' \
	"$cookie_a" "$body" | raw_http)
like "Content-Length shorter than the body: the cut form is refused (403), the rest is garbage (400)" "$got" '^403( 400)?$'
got=$(printf 'POST /mail-servers/order HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 7\r\n\r\nabcdefg' | raw_http)
like "two Content-Lengths: 400" "$got" '^400$'
got=$(printf 'POST /mail-servers/order HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n' | raw_http)
like "a negative Content-Length: 400" "$got" '^400$'
got=$(printf 'POST /mail-servers/order HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n' | raw_http)
like "a malformed chunk size: 400" "$got" '^400$'
got=$(printf 'GET /login HTTP/1.1\r\nHost: x\r\nX-Nul: a\0b\r\n\r\n' | raw_http)
like "a NUL in a header: nginx's 400" "$got" '^400$'
got=$(printf 'GET /log\0in HTTP/1.1\r\nHost: x\r\n\r\n' | raw_http)
like "a NUL in the request line: nginx's 400" "$got" '^400$'

# ------------------------------------------------- headers and cookies
st() { curl -s -o /dev/null -w '%{http_code}' -b "$HK_JAR" "$@"; }
big=$(head -c 20000 /dev/zero | tr '\0' x)
like "a 20 KB header: nginx's 4xx" "$(st -H "X-Big: $big" "${HK_URL}mail-servers")" '^4[0-9][0-9]$'
like "a 20 KB cookie: nginx's 4xx" "$(st -H "Cookie: a=$big" "${HK_URL}mail-servers")" '^4[0-9][0-9]$'
is "a 7 KB cookie reaches the worker: just signed out" "$(curl -s -o /dev/null -w '%{http_code}' -H "Cookie: hikyaku_session=${big:0:7000}" "${HK_URL}mail-servers")" 303
many=$(for i in $(seq 1 400); do printf 'c%d=%d; ' "$i" "$i"; done)
is "400 cookies before the session's: 200 or signed out, never an error" \
	"$(curl -s -o /dev/null -w '%{http_code}' -H "Cookie: ${many}hikyaku_session=$cookie_a" "${HK_URL}mail-servers" | sed -E 's/^(200|303)$/ok/')" ok
is "the session cookie first, then 400 more: still signed in" \
	"$(curl -s -o /dev/null -w '%{http_code}' -H "Cookie: hikyaku_session=$cookie_a; $many" "${HK_URL}mail-servers")" 200
for c in "hikyaku_session=$(printf '\xff\xfe\xc0\xaf')" "hikyaku_session=%00%00; hikyaku_pre=%00" \
    "$(printf 'hikyaku_session=\x01\x02\x7f')" "hikyaku_session=\"$cookie_a" "=; ; ;;=;=x" \
    "hikyaku_session=$cookie_a$(printf '\xed\xa0\x80')"; do
	is "a cookie with $(printf '%q' "$c" | cut -c1-40): signed out, no error" \
		"$(curl -s -o /dev/null -w '%{http_code}' -H "Cookie: $c" "${HK_URL}mail-servers")" 303
done
is "a valid session cookie repeated with garbage: still served" \
	"$(curl -s -o /dev/null -w '%{http_code}' -H "Cookie: x=$(printf '\xff'); hikyaku_session=$cookie_a" "${HK_URL}mail-servers" | sed -E 's/^(200|303)$/ok/')" ok

# ------------------------------------------------- random bytes (nginx)
# A curl config of many requests, one status per line: few processes.
ROUNDS=${HK_HOSTILE_ROUNDS:-300}
cfg=$T/random.curl; : > "$cfg"
for i in $(seq 1 "$ROUNDS"); do
	case $((i % 3)) in
	0) head -c $(( RANDOM % 2000 + 1 )) /dev/urandom > "$T/rand.$i" ;;
	1)	# a valid token, then noise that may well parse
		{ printf 'csrf_token=%s&order=' "$TA"; head -c 4000 /dev/urandom |
			tr -dc 'a-z0-9&=%+' | head -c $(( RANDOM % 300 + 1 )); } > "$T/rand.$i" ;;
	2)	# the same, the noise all valid escapes of random bytes
		{ printf 'csrf_token=%s&' "$TA"; head -c $(( RANDOM % 100 + 1 )) /dev/urandom |
			od -An -tx1 | tr -d ' \n' | sed 's/../%&/g; s/%3[dD]/=/g; s/%26/\&/g'; } > "$T/rand.$i" ;;
	esac
	printf 'url = "%smail-servers/order"\noutput = "/dev/null"\ndata-binary = "@%s"\nheader = "Content-Type: application/x-www-form-urlencoded"\ncookie = "%s"\nwrite-out = "%%{http_code}\\n"\nsilent\nnext\n' \
		"$HK_URL" "$T/rand.$i" "$JAR_A" >> "$cfg"
done
codes=$(curl -K "$cfg" 2>/dev/null)
is "$ROUNDS random bodies: one answer each" "$(printf '%s\n' $codes | wc -l)" "$ROUNDS"
ok "... each a 4xx (400 bad form, 403 no token, 422 bad order)" all_in "$codes" '400|403|422'
diag "random bodies: $(printf '%s\n' $codes | sort | uniq -c | tr '\n' ' ')"
: > "$cfg"
for i in $(seq 1 "$ROUNDS"); do
	case $((i % 3)) in
	0) q=$(head -c $(( RANDOM % 300 + 1 )) /dev/urandom | od -An -tx1 | tr -d ' \n' | sed 's/../%&/g') ;;
	1) q=$(head -c 2000 /dev/urandom | tr -dc 'a-z0-9%&=+;.' | head -c $(( RANDOM % 200 + 1 ))) ;;
	2) q="format=xml&order=$(head -c 64 /dev/urandom | od -An -tx1 | tr -d ' \n' | sed 's/../%&/g')" ;;
	esac
	for p in mail-servers mail-servers/new mail-servers/order login; do
		printf 'url = "%s%s?%s"\noutput = "/dev/null"\ncookie = "%s"\nwrite-out = "%%{http_code}\\n"\nsilent\ngloboff\npath-as-is\nnext\n' \
			"$HK_URL" "$p" "$q" "$JAR_A" >> "$cfg"
	done
done
codes=$(curl -K "$cfg" 2>/dev/null)
is "$ROUNDS random queries on 4 screens: one answer each" "$(printf '%s\n' $codes | wc -l)" $((ROUNDS * 4))
ok "... each a page (200), the list for a signed-in /login (303), or 400" all_in "$codes" '200|303|400'
diag "random queries: $(printf '%s\n' $codes | sort | uniq -c | tr '\n' ' ')"

# ------------------------------------------------------------ paths
for p in '..%2f' '..%2f..%2fdata/hikyaku.db' '/mail-servers' 'mail-servers/./new' 'mail-servers/../mail-servers' \
    'mail-servers/01/edit' "mail-servers/0$S1/edit" 'mail-servers/99999999999999999999/edit' \
    'mail-servers/18446744073709551617/edit' 'mail-servers/-1/edit' 'mail-servers/+1/edit' \
    "mail-servers/$S1/edit/" "mail-servers//$S1/edit" 'mail-servers/%C0%AFnew' 'mail-servers/%C0%AE%C0%AE/' \
    "mail-servers/$(printf '\xc0\xaf')new" "mail-servers/$(printf '\xe0\x80\xae')" 'mail-servers%00' \
    'mail-servers/%00/edit' "mail-servers/$S1%00/edit" 'mail-servers%2Fnew' 'static/%2e%2e/%2e%2e/data/hikyaku.db' \
    "mail-servers/$S1/edit;x=1" 'mail-servers/new%20'; do
	s=$(curl -s -o /dev/null -w '%{http_code}' -b "$JAR_A" -g --path-as-is "${HK_URL}$p")
	like "GET $(printf '%q' "$p"): a 4xx" "$s" '^4[0-9][0-9]$'
done
req GET "mail-servers/$S1/edit" "${X[@]}"
is "... while the real one answers" "$STATUS" 200

# ---------------------------------------------------------- methods
for m in PUT DELETE PATCH OPTIONS TRACE PROPFIND; do
	s=$(curl -s -o /dev/null -w '%{http_code}' -b "$JAR_A" -X "$m" -d "csrf_token=$TA&order=$S2&order=$S1" "${HK_URL}mail-servers/order")
	like "$m /mail-servers/order: 405 (TRACE: nginx's)" "$s" '^405$'
done
s=$(curl -s -o /dev/null -w '%{http_code}' -b "$JAR_A" -X DELETE "${HK_URL}mail-servers/$S1")
is "DELETE on a server: 405" "$s" 405

# ------------------------------------------- raw FastCGI at the worker
# case:expected (a regex over fcgi-raw's one-line answer)
fcgi_expect=(
	"ok:status 200" "post-ok:status 403"
	# libfcgi keeps parameters as C strings, so a NUL ends the value:
	# the worker sees the part before it, never past it.
	"nul-uri:status 200" "nul-name:status 200" "nul-method:status 200" "nul-cookie:status 200"
	"no-method:status 400" "no-uri:status 400" "empty-method:status 400"
	"bogus-method:status 405" "big-cookie:status 200" "big-uri:status 404"
	"big-name:status 200" "many-params:status 200"
	"truncated-header:status 400|closed" "truncated-params:status 400|closed"
	"truncated-body:status 400" "bogus-type:status 400|closed" "bogus-first:status 400|closed"
	"bad-version:closed" "get-values:unknown-type|closed" "wrong-id:status 200"
	"overflow-lengths:closed" "huge-length:closed"
	"cl-lies-long:status 400" "cl-lies-short:status 400" "cl-garbage:status 400"
	"abort:status 200|closed" "two-begins:status 400|closed"
)
for e in "${fcgi_expect[@]}"; do
	c=${e%%:*}
	like "FastCGI $c: ${e#*:}" "$("$T/fcgi-raw" "$SOCK" "$c" 5)" "^(${e#*:})\$"
done
is "every case is checked" "$("$T/fcgi-raw" "$SOCK" list | grep -cv '^stall-')" "${#fcgi_expect[@]}"
for i in 1 2 3; do
	for c in $("$T/fcgi-raw" "$SOCK" list | grep -v '^stall-'); do "$T/fcgi-raw" "$SOCK" "$c" 5; done
done > "$T/fcgi-rounds"
is "... and again three times over, always an answer or a close" "$(grep -cvxE 'status [0-9]{3}|closed|unknown-type' "$T/fcgi-rounds")" 0

# A peer that stalls holds a worker only until the worker's I/O timeout
# (10 s), not for good: with every worker stalled, nginx still gets an
# answer within it.
stallers=()
for i in 1 2; do
	"$T/fcgi-raw" "$SOCK" stall-params 30 > "$T/stall-params.$i" &
	stallers+=($!)
done
"$T/fcgi-raw" "$SOCK" stall-body 30 > "$T/stall-body" &
stallers+=($!)
sleep 0.5
t0=$(date +%s%N)
s=$(curl -s -o /dev/null -m 30 -w '%{http_code}' "${HK_URL}login")
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
wait "${stallers[@]}"
is "with every worker held by a stalled peer, a request is still answered" "$s" 200
ok "... once the worker's I/O timeout drops the stalled peers (${ms} ms)" test "$ms" -lt 15000
is "the stalled params: the connection is closed" "$(cat "$T/stall-params.1" "$T/stall-params.2" | sort -u)" closed
is "the stalled body: 400, nothing handled with half a form" "$(cat "$T/stall-body")" "status 400"

# ---------------------------------------------------------- afterwards
is "the workers never restarted" "$(workers)" "$W0"
is "no crash in the log" "$(crashes)" "$C0"
dump > "$T/after.sql"
ok "the stored data is unchanged (a dump without sessions and throttling)" cmp -s "$T/before.sql" "$T/after.sql"
diff "$T/before.sql" "$T/after.sql" | head -20 | sed 's/^/# /'
req GET mail-servers "${X[@]}" -b "$JAR_A"
is "and the list still answers" "$STATUS" 200

hk_instance_stop
done_testing
