#!/usr/bin/env bash
# t-multihost.sh - two hikyaku-fcgi hosts (two processes, two sockets, one
# hikyaku.conf database and secret.key) behind one nginx upstream, as a
# load balancer runs them: a session signed in through one host works on
# the other, a CSRF token issued by one is accepted by the other, a save
# through one host is on the other's next page (its page cache does not
# serve the old list), and a stale version through one host after a save
# through the other answers 409.  With HK_DB=postgresql also: the
# PostgreSQL server stopped and started under load (503s meanwhile, never
# a 500 or a dead worker; then everything recovers and nothing saved is
# lost).
#
# nginx balances over both hosts; a request with "X-Test-Host: a" or "b"
# goes to that host only, so each check knows which host answered (and
# the first checks prove that the routing does what it says).
set -u
. "$HK_SRCDIR/tests/lib/tap.sh"
. "$HK_SRCDIR/tests/lib/instance.sh"
. "$HK_SRCDIR/tests/lib/http.sh"
HK_WORKERS=1
HK_NGINX_HTTP_EXTRA='
	upstream hk_hosts { server unix:@HK_DIR@/hikyaku.sock; server unix:@HK_DIR@/host-b.sock; }
	upstream hk_host_a { server unix:@HK_DIR@/hikyaku.sock; }
	upstream hk_host_b { server unix:@HK_DIR@/host-b.sock; }
	map $http_x_test_host $hk_upstream { default hk_hosts; a hk_host_a; b hk_host_b; }'
HK_FCGI_PASS='$hk_upstream'

B_PID=
stop_b() {
	[ -n "$B_PID" ] || return 0
	local rc=0
	if kill -0 "$B_PID" 2>/dev/null; then
		kill -TERM "$B_PID"; wait "$B_PID"; rc=$?
	fi
	is "host B exited with status 0 on SIGTERM" "$rc" 0
	B_PID=
}
trap 'stop_b; hk_instance_stop' EXIT
hk_instance_start || { echo "not ok 1 - instance started"; exit 1; }

# Host B: the same configuration, its own socket and log.
B_CONF=$HK_DIR/host-b.conf
B_LOG=$HK_DIR/host-b.log
sed "s|^listen = .*|listen = unix:$HK_DIR/host-b.sock|" "$HK_CONFIG" > "$B_CONF"
HK_DIR=$HK_DIR ${HK_WRAP:-} "$HK_PREFIX/sbin/hikyaku-fcgi" --config "$B_CONF" >>"$B_LOG" 2>&1 &
B_PID=$!
hk_wait_for test -S "$HK_DIR/host-b.sock" || { echo "not ok 1 - host B started"; sed 's/^/# /' "$B_LOG"; exit 1; }
diag "store: $HK_DB"

# The request lines a host logged.
logged() { grep -cE '\[[0-9]+\] [a-z]+: [A-Z]+ /' "$1"; }
log_of() { case $1 in a) echo "$HK_WORKER_LOG" ;; b) echo "$B_LOG" ;; esac; }
# via HOST METHOD PATH [DATA] [curl args]: req through that host only.
via() {
	local h=$1 m=$2 p=$3
	shift 3
	if [ "$m" = POST ]; then
		local d=$1; shift
		req POST "$p" "$d" -H "X-Test-Host: $h" "$@"
	else
		req "$m" "$p" -H "X-Test-Host: $h" "$@"
	fi
}
X=(-H 'Accept: application/xml')
# answered_by HOST METHOD PATH...: via, and true when HOST logged it and
# the other host did not.
answered_by() {
	local h=$1 o na nb
	o=$([ "$h" = a ] && echo b || echo a)
	na=$(logged "$(log_of "$h")"); nb=$(logged "$(log_of "$o")")
	via "$@"
	hk_wait_for test "$(logged "$(log_of "$h")")" -gt "$na" &&
		[ "$(logged "$(log_of "$o")")" = "$nb" ]
}
# A valid new server; NAME, then name=value overrides.
server_form() {
	local name=$1; shift
	local out="csrf_token=$T&name=$name&smtp_host=smtp.example.jp&smtp_port=25&smtp_security=none"
	out+="&smtp_tls_verify=on&smtp_auth_method=plain&smtp_credentials=account&pop_before_smtp_wait=0"
	out+="&send_limit=0&recv_protocol=pop3&recv_host=pop.example.jp&recv_port=110&recv_security=none"
	out+="&recv_tls_verify=on&recv_limit=0"
	local kv
	for kv in "$@"; do out+="&$kv"; done
	printf '%s' "$out"
}

# ------------------------------------------------------------ routing
new_browser
ok "X-Test-Host: a reaches host A only" answered_by a GET login
ok "X-Test-Host: b reaches host B only" answered_by b GET login
na=$(logged "$HK_WORKER_LOG"); nb=$(logged "$B_LOG")
for _ in 1 2 3 4; do req GET login; done
ok "without it, nginx balances over both hosts" \
	test "$(logged "$HK_WORKER_LOG")" -gt "$na" -a "$(logged "$B_LOG")" -gt "$nb"

# ------------------------------------------------------------ sessions
via a GET login "${X[@]}"
T=$(csrf_of)
via a POST login "csrf_token=$T&user=$HK_ADMIN_USER&password=$HK_ADMIN_PASS"
is "signed in through host A" "$STATUS" 303
via b GET mail-servers "${X[@]}"
is "... the session works on host B" "$STATUS" 200
like "... B's page names the admin" "$BODY" "$HK_ADMIN_USER"
J1=$HK_JAR
new_browser
via b GET mail-servers "${X[@]}"
is "a browser without the cookie is refused by B (the check above can fail)" "$STATUS" 401
HK_JAR=$J1

# ------------------------------------------------------------ CSRF
via a GET mail-servers "${X[@]}"
T=$(csrf_of)
ok "host A issued a CSRF token" test -n "$T"
via b POST mail-servers "$(server_form First | sed 's/csrf_token=[0-9a-f]*/csrf_token=00ff/')"
is "B refuses a wrong token (403)" "$STATUS" 403
via b POST mail-servers "$(server_form First)"
is "B accepts the token that A issued: the save answers 303" "$STATUS" 303
S1=$(hk_sql "SELECT id FROM mail_servers WHERE name = 'First'")
ok "... and the server is stored" test -n "$S1"

# ------------------------------------------------------------ page cache
via b GET mail-servers
via b GET mail-servers
is "B's list page comes from its cache when nothing changed" "$(header X-Hikyaku-Cache)" hit
via a GET mail-servers
via a GET mail-servers
is "... so does A's" "$(header X-Hikyaku-Cache)" hit
via a POST mail-servers "$(server_form Second)"
is "a second server saved through A" "$STATUS" 303
via b GET mail-servers
is "B's next list answers 200" "$STATUS" 200
like "... and shows the server saved through A (no stale page)" "$BODY" '>Second<'
via a POST "mail-servers/$S1" "$(server_form Renamed-on-A version=1)"
is "a change saved through A" "$STATUS" 303
via b GET mail-servers
like "... is on B's next list" "$BODY" '>Renamed-on-A<'
via b POST "mail-servers/$S1" "$(server_form Renamed-on-B version=2)"
is "a change saved through B" "$STATUS" 303
via a GET mail-servers
like "... is on A's next list" "$BODY" '>Renamed-on-B<'
unlike "... not the old name" "$BODY" '>Renamed-on-A<'

# ------------------------------------------------------------ 409
via a POST "mail-servers/$S1" "$(server_form Renamed-on-B version=3 smtp_port=2525)"
is "a save through A with the current version answers 303" "$STATUS" 303
before=$(hk_sql "SELECT version, smtp_port, smtp_host FROM mail_servers WHERE id = $S1")
via b POST "mail-servers/$S1" "$(server_form Renamed-on-B version=3 smtp_port=1025)" "${X[@]}"
is "the same version through B afterwards answers 409" "$STATUS" 409
like "... the stale error" "$BODY" '<error field="" code="error.stale">'
is "... and B wrote nothing" "$(hk_sql "SELECT version, smtp_port, smtp_host FROM mail_servers WHERE id = $S1")" "$before"

# ------------------------------------------------------------ sign-out
via b GET mail-servers "${X[@]}"
via b POST logout "csrf_token=$(csrf_of)"
is "signed out through B" "$STATUS" 303
via a GET mail-servers "${X[@]}"
is "... the session is gone on A as well" "$STATUS" 401

# ------------------------------------------------------------ PostgreSQL restart
if [ "$HK_DB" != postgresql ]; then
	tap_n=$((tap_n + 1)); echo "ok $tap_n # SKIP the PostgreSQL restart needs HK_DB=postgresql"
	stop_b; hk_instance_stop
	done_testing
	exit
fi

new_browser
sign_in >/dev/null
via a GET mail-servers "${X[@]}"
T=$(csrf_of)
L=$HK_DIR/load
mkdir -p "$L"
# The loads read a copy of the cookie jar: curl rewrites $HK_JAR in place
# after each of this shell's requests, and a load's curl reading it then
# would send no session at all (and be refused 403, rightly).
cp "$HK_JAR" "$L/jar"
# load N: saves servers load-N-I through either host while $L/run exists;
# each line of $L/N.log is "STATUS NAME" (STATUS 000: no answer in 10 s).
load() {
	local n=$1 i=0 code
	while [ -e "$L/run" ]; do
		i=$((i + 1))
		code=$(curl -s -o /dev/null -w '%{http_code}' -m 10 -b "$L/jar" \
			-H "X-Test-Host: $([ $((i % 2)) = 0 ] && echo a || echo b)" \
			--data-binary "$(server_form "load-$n-$i")" "${HK_URL}mail-servers")
		echo "$code load-$n-$i" >> "$L/$n.log"
		code=$(curl -s -o /dev/null -w '%{http_code}' -m 10 -b "$L/jar" "${HK_URL}mail-servers")
		echo "$code read" >> "$L/$n.log"
		sleep 0.05
	done
}
touch "$L/run"
load 1 & l1=$!
load 2 & l2=$!
sleep 2
pg_stop
ok "PostgreSQL stopped under load" sh -c "! \"$HK_PG_BIN/pg_isready\" -q -h $HK_PG_HOST -p $HK_PG_PORT"
sleep 1
during=
for h in a b; do
	via $h GET mail-servers "${X[@]}"; during+=" $h:GET:$STATUS"
	via $h POST mail-servers "$(server_form "during-$h")"; during+=" $h:POST:$STATUS"
done
is "while it is down, both hosts answer 503 to reads and writes" "$during" \
	" a:GET:503 a:POST:503 b:GET:503 b:POST:503"
sleep 1
pg_start
ok "PostgreSQL started again on the same port" "$HK_PG_BIN/pg_isready" -q -h "$HK_PG_HOST" -p "$HK_PG_PORT"
up() { via "$1" GET mail-servers "${X[@]}"; [ "$STATUS" = 200 ]; }
ok "host A recovers within 10 s" hk_wait_for up a
ok "host B recovers within 10 s" hk_wait_for up b
sleep 1
rm -f "$L/run"
wait "$l1" "$l2"
codes=$(cat "$L"/*.log | cut -d' ' -f1 | sort | uniq -c | tr -s ' \n' ' ')
diag "answers under load: $codes"
is "under load, nothing but 200, 303 and 503 (no 500, no 502 from a dead worker)" \
	"$(cat "$L"/*.log | cut -d' ' -f1 | grep -cvxE '200|303|503')" 0
ok "... and some requests did meet the outage (503)" grep -q '^503 ' "$L/1.log" "$L/2.log"
saved=$(grep -h '^303 ' "$L"/*.log | cut -d' ' -f2 | sort)
stored=$(hk_sql "SELECT name FROM mail_servers WHERE name LIKE 'load-%'" | sort)
ok "saves were answered 303 before and after the outage" test "$(printf '%s\n' "$saved" | wc -l)" -ge 4
missing=$(comm -23 <(printf '%s\n' "$saved") <(printf '%s\n' "$stored"))
is "every save answered 303 is stored (nothing lost)" "$missing" ""
is "... and nothing answered 503 was stored" \
	"$(comm -12 <(grep -h '^503 load' "$L"/*.log | cut -d' ' -f2 | sort) <(printf '%s\n' "$stored"))" ""
is "the servers saved before the outage are still there" \
	"$(hk_sql "SELECT name FROM mail_servers WHERE name IN ('Renamed-on-B', 'Second') ORDER BY name" | tr '\n' ' ')" "Renamed-on-B Second "
via b GET mail-servers "${X[@]}"
is "the session signed in before the outage still works" "$STATUS" 200
via a POST mail-servers "$(server_form After)"
is "a save after the recovery answers 303" "$STATUS" 303
via b GET mail-servers
like "... and B's list shows it" "$BODY" '>After<'
ok "host A's worker is still running" kill -0 "$HK_WORKER_PID"
ok "host B's worker is still running" kill -0 "$B_PID"

stop_b; hk_instance_stop
done_testing
