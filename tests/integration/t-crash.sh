#!/usr/bin/env bash
# t-crash.sh - faults around the worker: workers SIGKILLed in the middle of
# writes (no half-applied change, the master replaces them), two admins
# saving the same server at once (one wins, one gets 409), a database
# locked by another process (503 within the busy timeout, reads go on),
# and mail servers that reset the connection mid-dialogue or answer one
# byte at a time (tests/rudepeer.c; the dialogue deadline holds).
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
cc -O1 -o "$T/rudepeer" "$HK_SRCDIR/tests/rudepeer.c" || { echo "not ok 1 - rudepeer builds"; exit 1; }
WORKERS=3
HK_WORKERS=$WORKERS hk_instance_start || { echo "not ok 1 - instance started"; exit 1; }
CTL="$HK_PREFIX/bin/hikyakuctl --config $HK_CONFIG"
X=(-H 'Accept: application/xml')
sql() { hk_sql "$@"; }
workers() { pgrep -P "$HK_WORKER_PID" | sort -n | tr '\n' ' ' | sed 's/ $//'; }
ms_since() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }

printf 'bob-password-long\n' | $CTL admin add bob >/dev/null
new_browser; JAR_B=$HK_JAR
sign_in bob bob-password-long >/dev/null
TB=$(csrf_now mail-servers)
new_browser; JAR_A=$HK_JAR
sign_in >/dev/null
is "signed in" "$STATUS" 303
TA=$(csrf_now mail-servers)

# form TOKEN NAME [field=value...]: a complete valid server form.
form() {
	local token=$1 name=$2; shift 2
	local -A f=(
		[smtp_host]=smtp.example.jp [smtp_port]=25 [smtp_security]=none
		[smtp_tls_verify]=on [smtp_credentials]=account [smtp_auth_method]=login
		[pop_before_smtp_wait]=0 [send_limit]=0 [recv_protocol]=pop3
		[recv_host]=pop.example.jp [recv_port]=110 [recv_security]=none
		[recv_tls_verify]=on [recv_limit]=0
	)
	local kv out="csrf_token=$token&name=$name"
	for kv in "$@"; do f[${kv%%=*}]=${kv#*=}; done
	for kv in "${!f[@]}"; do out+="&$kv=${f[$kv]}"; done
	printf '%s' "$out"
}

# ------------------------------------------------ rude mail servers
# peer NAME STEP...: starts rudepeer; sets PORT.
peer() {
	local name=$1; shift
	"$T/rudepeer" "$@" > "$T/$name.port" &
	PIDS+=($!)
	hk_wait_for test -s "$T/$name.port" || { diag "rudepeer $name did not start"; return 1; }
	PORT=$(head -1 "$T/$name.port")
}
stages() {
	grep -oE '<end name="[a-z]+"|<stage name="[a-z-]+" ok="[a-z]+"' | sed -E 's/<end name="([a-z]+)"/\1/; s/<stage name="([a-z-]+)" ok="([a-z]+)"/\1=\2/' | tr '\n' ' ' | sed 's/ $//'
}
run_test() {	# SERVER: sets OUT, RC, MS (--timeout 2: 2 s a step, 8 s an end)
	local t0
	t0=$(date +%s%N)
	OUT=$(printf 'pw\n' | $CTL test "$1" --user u --address u@example.test --xml --timeout 2 2>"$T/err")
	RC=$?
	MS=$(ms_since "$t0")
}

peer pop-reset 'send +OK rude POP3 <1.2@rude>' read 'send -ERR no CAPA' read reset; POP_RESET=$PORT
peer smtp-reset 'send 220 rude ESMTP' read reset; SMTP_RESET=$PORT
req POST mail-servers "$(form "$TA" reset smtp_host=127.0.0.1 smtp_port=$SMTP_RESET recv_host=127.0.0.1 recv_port=$POP_RESET)"
is "a server that resets is added" "$STATUS" 303
run_test reset
is "a reset mid-dialogue: exit 5" "$RC" 5
ok "... at once (${MS} ms)" test "$MS" -lt 3000
is "... each end fails at the stage it reached" "$(printf '%s' "$OUT" | stages)" \
	"receive resolve=true connect=true greeting=true login=false send resolve=true connect=true greeting=false"
like "... saying the connection was reset" "$OUT" 'Connection reset by peer'
unlike "... not that the SMTP server never greeted (it did)" "$OUT" 'code="conntest.greeting.closed"'
like "... one line on stderr naming the stage" "$(cat "$T/err")" '^hikyakuctl: test reset: Receiving, Sign in: '

# One byte every 200 ms: no single read waits 2 s, but an end's whole
# dialogue may take only 4 x 2 s.  POP3: a greeting line that never
# ends; SMTP: a multi-line greeting that never ends.
peer pop-drip 'drip 200 +OK slow slow slow '; POP_DRIP=$PORT
peer smtp-drip $'drip 200 220-slow\n'; SMTP_DRIP=$PORT
req POST mail-servers "$(form "$TA" drip smtp_host=127.0.0.1 smtp_port=$SMTP_DRIP recv_host=127.0.0.1 recv_port=$POP_DRIP)"
run_test drip
is "a server answering a byte per 200 ms: exit 5" "$RC" 5
ok "... within the two ends' deadlines, 2 x 8 s (${MS} ms)" test "$MS" -lt 19000
ok "... and not before them: the per-read timeout alone never fires" test "$MS" -ge 15500
is "... the greetings fail" "$(printf '%s' "$OUT" | stages)" \
	"receive resolve=true connect=true greeting=false send resolve=true connect=true greeting=false"
is "... both for the dialogue's deadline" "$(printf '%s' "$OUT" | grep -c '<detail>the dialogue took longer than 8000 ms</detail>')" 2
is "... the SMTP one, whose greeting lines did come, as stopping mid-way" \
	"$(printf '%s' "$OUT" | sed -n '/<end name="send"/,/<\/end>/p' | grep -o 'explanation code="[^"]*"')" 'explanation code="conntest.timeout"'
like "... named on stderr" "$(cat "$T/err")" '^hikyakuctl: test drip: Receiving, Greeting'
for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
PIDS=()

# ------------------------------------- two admins save the same server
req POST mail-servers "$(form "$TA" Contested)"
S=$(sql "SELECT id FROM mail_servers WHERE name = 'Contested'")
ROUNDS=${HK_CONTEST_ROUNDS:-20}
outcomes=""; lost=0; versions_ok=0; audits0=$(sql "SELECT count(*) FROM audit_log WHERE action = 'update' AND object_id = $S")
for i in $(seq 1 "$ROUNDS"); do
	v=$(sql "SELECT version FROM mail_servers WHERE id = $S")
	curl -s -o /dev/null -w '%{http_code}' -b "$JAR_A" -H 'Content-Type: application/x-www-form-urlencoded' \
		--data-binary "$(form "$TA" Contested version=$v smtp_port=$((10000 + i)))" "${HK_URL}mail-servers/$S" > "$T/a" &
	a=$!
	curl -s -o /dev/null -w '%{http_code}' -b "$JAR_B" -H 'Content-Type: application/x-www-form-urlencoded' \
		--data-binary "$(form "$TB" Contested version=$v smtp_port=$((20000 + i)))" "${HK_URL}mail-servers/$S" > "$T/b" &
	b=$!
	wait "$a" "$b"
	sa=$(cat "$T/a"); sb=$(cat "$T/b")
	outcomes+="$(printf '%s\n' "$sa" "$sb" | sort | tr '\n' ' ')|"
	port=$(sql "SELECT smtp_port FROM mail_servers WHERE id = $S")
	{ [ "$sa" = 303 ] && [ "$port" = $((10000 + i)) ]; } || { [ "$sb" = 303 ] && [ "$port" = $((20000 + i)) ]; } || lost=$((lost + 1))
	[ "$(sql "SELECT version FROM mail_servers WHERE id = $S")" = $((v + 1)) ] && versions_ok=$((versions_ok + 1))
done
is "$ROUNDS rounds of two concurrent saves: each time one 303 and one 409" \
	"$(printf '%s' "$outcomes" | tr '|' '\n' | sort | uniq -c | sed -E 's/^ +//')" "$ROUNDS 303 409 "
is "... the winner's values are the stored ones" "$lost" 0
is "... the version went up once per round" "$versions_ok" "$ROUNDS"
is "... one audited update per round" "$(sql "SELECT count(*) FROM audit_log WHERE action = 'update' AND object_id = $S")" $((audits0 + ROUNDS))

# ------------------------------------------ SIGKILL during writes
SECONDS_KILL=${HK_CRASH_SECONDS:-20}
for i in 1 2 3 4; do req POST mail-servers "$(form "$TA" Base-$i)"; done
: > "$T/killed"
writer() {	# ID: creates, updates and reorders until $T/stop exists
	local id=$1 n=0 op sid v ids body
	while [ ! -e "$T/stop" ]; do
		n=$((n + 1))
		op=$((RANDOM % 3))
		case $op in
		0) body=$(form "$TA" "K-$id-$n" smtp_port=$((RANDOM % 60000 + 1))); path=mail-servers ;;
		1) read -r sid v <<< "$(sql "SELECT id, version FROM mail_servers ORDER BY random() LIMIT 1" | tr '|' ' ')"
		   body=$(form "$TA" "$(sql "SELECT name FROM mail_servers WHERE id = $sid")" version=$v smtp_port=$((RANDOM % 60000 + 1)) recv_port=$((RANDOM % 60000 + 1)))
		   path=mail-servers/$sid ;;
		2) ids=$(sql "SELECT id FROM mail_servers ORDER BY random()" | sed 's/^/\&order=/' | tr -d '\n')
		   body="csrf_token=$TA$ids"; path=mail-servers/order ;;
		esac
		printf '%s %s\n' "$op" "$(curl -s -o /dev/null -m 30 -w '%{http_code}' -b "$JAR_A" \
			-H 'Content-Type: application/x-www-form-urlencoded' --data-binary "$body" "$HK_URL$path")"
	done > "$T/writer.$id"
}
rm -f "$T/stop"
wpids=()
for i in 1 2 3; do writer $i & wpids+=($!); done
end=$(( $(date +%s) + SECONDS_KILL ))
while [ "$(date +%s)" -lt "$end" ]; do
	sleep "0.$(( RANDOM % 4 + 1 ))"
	set -- $(workers)
	[ $# -gt 0 ] || continue
	victim=$(eval "echo \${$(( RANDOM % $# + 1 ))}")
	kill -9 "$victim" 2>/dev/null && echo "$victim" >> "$T/killed"
done
touch "$T/stop"
wait "${wpids[@]}"
# A killed worker stays a zombie until the master reaps it, and may be
# "killed" again meanwhile: count each process once.
kills=$(sort -u "$T/killed" | wc -l)
codes=$(cat "$T/writer."* | awk '{ print $2 }')
diag "$kills workers killed; writes: $(cat "$T/writer."* | awk '{ print (($1 == 0) ? "create" : ($1 == 1) ? "update" : "reorder") ":" $2 }' | sort | uniq -c | tr '\n' ' ')"
ok "workers were killed during the writes" test "$kills" -ge 5
ok "writes were done meanwhile" test "$(printf '%s\n' $codes | grep -c '^303$')" -ge 20
is "no write answered anything but 303, 409, 422, 503 or nginx's 502" \
	"$(printf '%s\n' $codes | grep -cvxE '303|409|422|502|503')" 0

if hk_sqlite_only "PRAGMA integrity_check and foreign_key_check are SQLite's" 2; then
	is "PRAGMA integrity_check: ok" "$(sql 'PRAGMA integrity_check')" ok
	is "PRAGMA foreign_key_check: nothing" "$(sql 'PRAGMA foreign_key_check')" ""
fi
is "every server row is valid (names, hosts, ports, version, position)" \
	"$(sql "SELECT count(*) FROM mail_servers WHERE length(trim(name)) = 0 OR smtp_host = '' OR recv_host = '' OR smtp_port NOT BETWEEN 1 AND 65535 OR recv_port NOT BETWEEN 1 AND 65535 OR version < 1 OR position < 1 OR created_at > updated_at")" 0
is "positions are a permutation of 1..n (a reorder is all or nothing)" \
	"$(sql 'SELECT CASE WHEN count(DISTINCT position) = count(*) AND min(position) = 1 AND max(position) = count(*) THEN 1 ELSE 0 END FROM mail_servers')" 1
is "every server has its create in the audit log" \
	"$(sql "SELECT count(*) FROM mail_servers s WHERE NOT EXISTS (SELECT 1 FROM audit_log a WHERE a.action = 'create' AND a.object_type = 'mail-server' AND a.object_id = s.id)")" 0
is "... and every audited create its server" \
	"$(sql "SELECT count(*) FROM audit_log a WHERE a.action = 'create' AND a.object_type = 'mail-server' AND a.object_id NOT IN (SELECT id FROM mail_servers)")" 0
is "every version step has its audited update, and no more" \
	"$(sql "SELECT count(*) FROM mail_servers s WHERE s.version - 1 != (SELECT count(*) FROM audit_log a WHERE a.action = 'update' AND a.object_type = 'mail-server' AND a.object_id = s.id)")" 0
# The last audited reorder's new order is the stored one (servers added
# after it follow it).
last=$(sql "SELECT details FROM audit_log WHERE action = 'reorder' ORDER BY id DESC LIMIT 1" | sed -E 's/.* -> //' | sed 's/, /\n/g')
now=$(sql "SELECT name FROM mail_servers ORDER BY position, id" | head -n "$(printf '%s\n' "$last" | wc -l)")
ok "reorders were audited" test -n "$last"
is "... and the last one is the stored order" "$now" "$last"

# After many quick deaths the master slows its restarts down (a crash
# loop guard), and a sanitizer build starts slowly: wait, within reason.
for _ in $(seq 1 150); do [ "$(workers | wc -w)" = "$WORKERS" ] && break; sleep 0.1; done
is "the master replaced every killed worker" "$(workers | wc -w)" "$WORKERS"
is "... none of the killed ones is left" "$(for p in $(workers); do grep -qx "$p" "$T/killed" && echo "$p"; done)" ""
is "... and logged each death" "$(grep -c 'ended (signal 9); starting another' "$HK_WORKER_LOG")" "$kills"
req GET mail-servers "${X[@]}"
is "the instance still answers" "$STATUS" 200
req POST mail-servers "$(form "$TA" After-the-storm)"
is "... and still writes" "$STATUS" 303

# ------------------------------------------- a locked database
# SQLite's own locking: WAL readers beside a writer, the busy timeout, the
# EXCLUSIVE mode.  PostgreSQL locks rows, not the file: nothing of this
# applies there.
if ! hk_sqlite_only "SQLite's file locking (WAL, busy timeout, EXCLUSIVE mode)" 11; then
	hk_instance_stop
	done_testing
	exit
fi
# "At once" is well under the 5 s busy timeout: 3 s leaves room for a
# sanitizer build on a busy machine and still proves no read waited on the lock.
# Sessions last seen over a minute ago are touched on the next request: that
# write must not make a page view wait for the lock.
sql "UPDATE sessions SET seen_at = seen_at - 120" >/dev/null
# The lock is held until $T/hold goes, not for a fixed time: on a loaded
# machine the reads below can take long enough to outlast any fixed span.
touch "$T/hold"
(echo 'BEGIN IMMEDIATE; DELETE FROM login_throttle;'; while [ -e "$T/hold" ]; do sleep 0.1; done; echo 'ROLLBACK;') | hk_sql &
locker=$!
db_locked() { sqlite3 "$HK_DIR/data/hikyaku.db" 'BEGIN IMMEDIATE; ROLLBACK;' 2>&1 | grep -q locked; }
hk_wait_for db_locked || diag "the locker did not take the lock"
reads=""
for p in mail-servers mail-servers/new "mail-servers/$S/edit" mail-servers/order audit; do
	t0=$(date +%s%N)
	req GET "$p"
	ms=$(ms_since "$t0")
	reads+="$p=$STATUS($(( ms < 3000 ))) "
	diag "GET $p with the lock held: $ms ms"
done
is "with a writer holding the lock, the screens still answer 200 at once (WAL)" "$reads" \
	"mail-servers=200(1) mail-servers/new=200(1) mail-servers/$S/edit=200(1) mail-servers/order=200(1) audit=200(1) "
t0=$(date +%s%N)
req POST mail-servers "$(form "$TA" Locked-out)" "${X[@]}"
ms=$(ms_since "$t0")
is "... a write answers 503" "$STATUS" 503
ok "... after the 5 s busy timeout, not a hang (${ms} ms)" test "$ms" -ge 4500 -a "$ms" -lt 7500
like "... saying so" "$BODY" 'code="unavailable"'
rm -f "$T/hold"
wait "$locker"
req POST mail-servers "$(form "$TA" Locked-out)"
is "once the lock is gone, the same write succeeds" "$STATUS" 303

# EXCLUSIVE locking mode: while the workers have the database open,
# another process cannot take the lock at all (so readers never starve);
# taken while hikyaku is down, the worker cannot start and says so.
out=$( (echo '.timeout 2000'; echo 'PRAGMA locking_mode=EXCLUSIVE; BEGIN IMMEDIATE; DELETE FROM login_throttle;'; sleep 1; echo 'ROLLBACK;') | sqlite3 "$HK_DIR/data/hikyaku.db" 2>&1)
like "an EXCLUSIVE lock cannot be taken while the workers run" "$out" 'database is locked'
req GET mail-servers
is "... and the screens answer meanwhile" "$STATUS" 200
kill -TERM "$HK_WORKER_PID"; wait "$HK_WORKER_PID"
is "hikyaku stops cleanly" "$?" 0
HK_WORKER_PID=
(echo 'PRAGMA locking_mode=EXCLUSIVE; BEGIN IMMEDIATE; DELETE FROM login_throttle; SELECT 1;'; sleep 12; echo 'ROLLBACK;') | sqlite3 "$HK_DIR/data/hikyaku.db" > "$T/excl.out" 2>&1 &
locker=$!
hk_wait_for grep -q 1 "$T/excl.out"
t0=$(date +%s%N)
timeout 30 "$HK_PREFIX/sbin/hikyaku-fcgi" --config "$HK_CONFIG" --listen "unix:$T/locked.sock" > "$T/locked.log" 2>&1
rc=$?
ms=$(ms_since "$t0")
is "with the database EXCLUSIVE-locked, the worker does not start: exit 2" "$rc" 2
ok "... after the busy timeout, not a hang (${ms} ms)" test "$ms" -lt 8000
like "... naming the database and the lock" "$(cat "$T/locked.log")" 'hikyaku.db: database is locked'
wait "$locker"

hk_instance_stop
done_testing
