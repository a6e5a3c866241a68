#!/usr/bin/env bash
# t-fetchscale.sh - receiving at scale (docs/MAIL.md, "Receiving at
# scale"): `hikyakuctl fetch --all --jobs N` and `--loop` splitting the
# accounts through leases in the database, against the real Dovecot of
# tests/peers/mailpeers, and one server that never answers
# (tests/fakepeer.c: a real server cannot be made to hang).
#
# Covers: --jobs 4 with a hanging server: every other account's mail is
# stored while the hanging one is still pending, the run then ends with
# its failure (exit 5) and a total; three `fetch --all --loop` services
# at once, one killed -9 while it holds leases, mail arriving all along:
# every message stored exactly once, the dead one's accounts taken over
# once its leases expire (fetch_lease_seconds), the others stopping
# cleanly on SIGTERM; mail_dir that cannot take files refused at start.
set -u
. "$HK_SRCDIR/tests/lib/tap.sh"
. "$HK_SRCDIR/tests/lib/instance.sh"
. "$HK_SRCDIR/tests/lib/http.sh"
. "$HK_SRCDIR/tests/lib/mail.sh"

USERS=""
for i in 1 2 3 4 5 6; do USERS="$USERS s$i:s$i-secret"; done
hk_mail_start fetchscale MAILPEERS_EXTRA_USERS="${USERS# }"
MAILDIR=$HK_DIR/data/mail
T=$HK_DIR/t-fetchscale
mkdir -p "$T"
PIDS=()
cleanup_more() {
	local p
	for p in "${PIDS[@]}"; do kill -9 -- "-$p" "$p" 2>/dev/null; done
	hk_mail_cleanup
}
trap cleanup_more EXIT

seed() { "$MP" seed "$MPDIR" "$@"; }
md() { printf '%s/%s' "$MAILDIR" "$(hk_sql "SELECT maildir FROM mail_accounts WHERE name = '$1'")"; }
MDS=()	# the six accounts' Maildirs, once they exist
all_msgs() { find "${MDS[@]/%//new}" "${MDS[@]/%//cur}" -type f 2>/dev/null | wc -l; }
ids() { find "${MDS[@]/%//new}" -type f -exec cat {} + 2>/dev/null | grep -i '^Message-ID:' | sort -u | wc -l; }

# The hanging server: accepts, never says a word.
cc -O1 -o "$T/fakepeer" "$HK_SRCDIR/tests/fakepeer.c" || { echo "not ok 1 - fakepeer builds"; exit 1; }
printf 'hang\n' > "$T/hang.fp"
"$T/fakepeer" "$T/hang.fp" > "$T/hang.port" &
FP=$!
PIDS+=($FP)
hk_wait_for test -s "$T/hang.port" || { echo "not ok 1 - fakepeer started"; exit 1; }
HANG=$(head -1 "$T/hang.port")

# The hanging account first: the first claimed (account ids in order).
mkserver hang recv_port=$HANG
mkaccount a-hang hang u pw u@example.test
mkserver dove
for i in 1 2 3 4 5 6; do mkaccount a-s$i dove s$i s$i-secret; MDS+=("$(md a-s$i)"); done

# --------------------------------------------- --jobs 4, one server hangs
for i in 1 2 3 4 5 6; do seed s$i 2000 5; done
$CTL fetch --all --jobs 4 > "$T/jobs.out" 2> "$T/jobs.err" &
jobs_pid=$!
# The others are fetched by the other workers meanwhile: all 30 messages
# stored while the run still waits on the hanging server (its dialogue
# timeout is 30 s; this waits for at most 25).
for _ in $(seq 250); do [ "$(all_msgs)" -ge 30 ] && break; sleep 0.1; done
is "--jobs 4: the other accounts' 30 messages are stored" "$(all_msgs)" 30
ok "... while the hanging server's account is still pending" kill -0 $jobs_pid
is "... and the other servers are empty" "$(for i in 1 2 3 4 5 6; do count s$i; done | sort -u)" 0
wait $jobs_pid; rc=$?
is "--jobs 4: the run exits 5 (the hanging server's timeout)" "$rc" 5
like "... naming the hanging account" "$(cat "$T/jobs.err")" 'fetch a-hang: .*(time|answer)'
like "... one line per account" "$(cat "$T/jobs.out")" 'a-s6: fetched 5, oversized 0, failed 0'
like "... and the total" "$(cat "$T/jobs.out")" 'total: fetched 30, oversized 0, failed 0'
is "... every account released" "$(hk_sql 'SELECT count(*) FROM fetch_schedule WHERE lease_owner IS NULL')" 7

# --------------------------------------------- one hanging server, many accounts
# Two more accounts on the hanging server.  The first account's timeout
# trips the server for the rest of the run: the others are not tried
# (each would hold a worker for the whole timeout, one after another).
# This waits one timeout, 30 s, so it runs in the plain pass only: what
# trips a server is kept in the process, not in the store, and its code
# is a few lines of atomics that the sanitizers have nothing to say about.
mkaccount a-hang2 hang u2 pw u2@example.test
mkaccount a-hang3 hang u3 pw u3@example.test
if [ "$HK_DB" = postgresql ] || [ "${HK_LABEL:-plain}" != plain ]; then
	for _ in 1 2 3 4 5; do
		tap_n=$((tap_n + 1))
		echo "ok $tap_n # SKIP the breaker runs in the plain pass (30 s of waiting)"
	done
else
	t0=$SECONDS
	$CTL fetch --all --jobs 1 > "$T/trip.out" 2> "$T/trip.err"; rc=$?
	el=$((SECONDS - t0))
	is "three accounts on a hanging server: exit 5" "$rc" 5
	ok "... after one timeout, not three (${el} s)" test "$el" -lt 55
	like "... the later ones not tried, saying why" "$(cat "$T/trip.err")" \
		'fetch a-hang[23]: not tried: mail server hang did not answer another account in this run'
	is "... both of them" "$(grep -c 'not tried: mail server hang' "$T/trip.err")" 2
	like "... the other accounts fetched as usual" "$(cat "$T/trip.out")" 'a-s6: fetched 0, oversized 0, failed 0'
fi

# --------------------------------------------- mail_dir refused at start
chmod 500 "$MAILDIR"
if [ "$(id -u)" = 0 ] && touch "$MAILDIR/.w" 2>/dev/null; then
	rm -f "$MAILDIR/.w"
	# root writes anyway: a mail_dir on a file stands in for an unusable one
	chmod 700 "$MAILDIR"
	sed "s|^mail_dir = .*|mail_dir = $T/hang.fp|" "$HK_CONFIG" > "$HK_DIR/bad.conf"
else
	cp "$HK_CONFIG" "$HK_DIR/bad.conf"
fi
out=$("$HK_PREFIX/bin/hikyakuctl" --config "$HK_DIR/bad.conf" fetch --all 2>&1); rc=$?
chmod 700 "$MAILDIR"
is "an unusable mail_dir: exit 2" "$rc" 2
like "... saying what it needs" "$out" 'mail_dir'

# --------------------------------------------- three services, one killed
# Short leases for the test; the services look every second.
# (SQLite enforces the foreign keys, and so the cascade, per connection.)
if [ "$HK_DB" = postgresql ]; then
	hk_sql "DELETE FROM mail_accounts WHERE name LIKE 'a-hang%'"
else
	hk_sql "PRAGMA foreign_keys = ON; DELETE FROM mail_accounts WHERE name LIKE 'a-hang%'"
fi
echo "fetch_lease_seconds = 3" >> "$HK_CONFIG"
for i in 1 2 3 4 5 6; do seed s$i 3000 40; done
sent=$((30 + 6 * 40))
for n in 1 2 3; do
	setsid $CTL fetch --all --loop --interval 1 --jobs 2 --batch 3 \
		> "$T/loop$n.out" 2> "$T/loop$n.err" &
	PIDS+=($!)
	eval "loop$n=$!"
done
# Kill one service (its whole process group) at a random moment while it
# holds a lease.
victim=$((RANDOM % 3 + 1)); eval "vpid=\$loop$victim"
sleep "0.$((RANDOM % 9))"
held=""
for _ in $(seq 300); do
	owners=$(pgrep -g "$vpid" | sed 's/.*/:&:/' | paste -sd'|')
	held=$(hk_sql "SELECT account_id, lease_owner FROM fetch_schedule WHERE lease_owner IS NOT NULL" |
		grep -E "$owners" | cut -d'|' -f1 | paste -sd' ')
	[ -n "$held" ] && break
	sleep 0.01
done
kill -9 -- "-$vpid"
wait "$vpid" 2>/dev/null
killed_at=$(date +%s)
ok "a service was killed -9 holding leases (accounts: $held)" test -n "$held"
# Mail keeps arriving, also for the dead service's accounts.
for i in 1 2 3 4 5 6; do seed s$i 1000 3; done
sent=$((sent + 18))
for _ in $(seq 600); do [ "$(all_msgs)" -ge $sent ] && break; sleep 0.1; done
is "every message stored ($sent sent)" "$(all_msgs)" $sent ||
	{ tail -n 5 "$T"/loop*.err | sed 's/^/# /'; hk_sql 'SELECT * FROM fetch_schedule' | sed 's/^/# /'; }
is "... exactly once ($sent distinct Message-IDs)" "$(ids)" $sent
is "... and the servers are empty" "$(for i in 1 2 3 4 5 6; do count s$i; done | sort -u)" 0
ok "... and every tmp/ is empty" test -z "$(ls -A "${MDS[@]/%//tmp}" | grep -v ':$' | grep .)"
later=0
for a in $held; do
	[ "$(hk_sql "SELECT CASE WHEN claimed_at >= $killed_at THEN 1 ELSE 0 END FROM fetch_schedule WHERE account_id = $a")" = 1 ] && later=$((later + 1))
done
is "the dead service's accounts were claimed again by the others" "$later" "$(echo $held | wc -w)"
# The survivors stop on SIGTERM, cleanly and soon.
for n in 1 2 3; do
	[ $n = $victim ] && continue
	eval "p=\$loop$n"
	kill -TERM "$p"
	for _ in $(seq 100); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
	wait "$p"; rc=$?
	is "service $n: SIGTERM ends it with exit 0" "$rc" 0
done
is "no lease is left held" "$(hk_sql "SELECT count(*) FROM fetch_schedule WHERE lease_owner IS NOT NULL AND lease_until > $(date +%s)")" 0
grep -h 'fetched [1-9]' "$T"/loop*.out | head -3 | sed 's/^/# /'
kill "$FP"; wait "$FP" 2>/dev/null

hk_instance_stop
done_testing
