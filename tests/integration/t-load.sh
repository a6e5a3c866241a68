#!/usr/bin/env bash
# t-load.sh - 200 concurrent clients on the screens for a minute (wrk):
# the list, the add form and a POST that fails validation, mixed.  No
# answer but 200 and the expected 422, no worker restarted, and each
# worker's memory flat (RSS after vs before within 1 MiB).
#   HK_LOAD_SECONDS   the run's length (default 60)
#   HK_LOAD_CLIENTS   concurrent connections (default 200)
set -u
. "$HK_SRCDIR/tests/lib/tap.sh"
. "$HK_SRCDIR/tests/lib/instance.sh"
. "$HK_SRCDIR/tests/lib/http.sh"

T=${HK_TMP:-$(mktemp -d)}
mkdir -p "$T"
trap hk_instance_stop EXIT
SECS=${HK_LOAD_SECONDS:-60}
CLIENTS=${HK_LOAD_CLIENTS:-200}
command -v wrk >/dev/null || { echo "not ok 1 - wrk is installed (tests/deps)"; exit 1; }
# The product's default worker count; nginx must hold the client and the
# upstream connections.
HK_WORKERS=4 hk_instance_start || { echo "not ok 1 - instance started"; exit 1; }
sed -i "s/worker_connections 512;/worker_connections $(( CLIENTS * 2 + 64 ));/" "$HK_DIR/nginx/nginx.conf"
nginx -p "$HK_DIR/nginx" -c "$HK_DIR/nginx/nginx.conf" -e "$HK_DIR/nginx/error.log" -s reload
sleep 0.5

new_browser
sign_in >/dev/null
is "signed in" "$STATUS" 303
CSRF=$(csrf_now mail-servers)
COOKIE=$(awk '$6 == "hikyaku_session" { print $7 }' "$HK_JAR")
# A list worth rendering: ten servers.
for i in $(seq 1 10); do
	req POST mail-servers "csrf_token=$CSRF&name=Load-$i&smtp_host=smtp$i.example.jp&smtp_port=587&smtp_security=starttls&smtp_tls_verify=on&smtp_auth=on&smtp_auth_method=plain&smtp_credentials=account&pop_before_smtp_wait=0&send_limit=1048576&recv_protocol=pop3&recv_host=pop$i.example.jp&recv_port=110&recv_security=none&recv_tls_verify=on&recv_limit=0"
done
is "ten servers to list" "$STATUS" 303

cat > "$T/load.lua" <<'LUA'
-- One request in three each: the list, the add form, a failed POST (422).
-- Counts every status over all threads and prints them at the end.
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args)
	counts = {}
	n = 0
	local c = "hikyaku_session=" .. os.getenv("HK_LOAD_COOKIE")
	local base = os.getenv("HK_LOAD_BASE")
	reqs = {
		wrk.format("GET", base .. "mail-servers", { Cookie = c }),
		wrk.format("GET", base .. "mail-servers/new", { Cookie = c }),
		wrk.format("POST", base .. "mail-servers",
			{ Cookie = c, ["Content-Type"] = "application/x-www-form-urlencoded" },
			"csrf_token=" .. os.getenv("HK_LOAD_CSRF") .. "&name=&smtp_host=bad_host" ..
			"&smtp_port=0&smtp_security=none&smtp_credentials=account" ..
			"&smtp_auth_method=login&pop_before_smtp_wait=0&send_limit=0" ..
			"&recv_protocol=pop3&recv_host=pop.example.jp&recv_port=110" ..
			"&recv_security=none&recv_limit=0"),
	}
end
function request()
	n = n + 1
	return reqs[n % 3 + 1]
end
function response(status, headers, body)
	counts[status] = (counts[status] or 0) + 1
end
function done(summary, latency, requests)
	local total = {}
	for _, t in ipairs(threads) do
		for k, v in pairs(t:get("counts")) do total[k] = (total[k] or 0) + v end
	end
	for k, v in pairs(total) do io.write(string.format("status %d %d\n", k, v)) end
	local e = summary.errors
	io.write(string.format("socket-errors %d\n", e.connect + e.read + e.write + e.timeout))
	io.write(string.format("requests %d\n", summary.requests))
	io.write(string.format("p99-ms %d\n", latency:percentile(99) / 1000))
end
LUA
load() {	# SECONDS CLIENTS OUTFILE
	HK_LOAD_COOKIE=$COOKIE HK_LOAD_CSRF=$CSRF HK_LOAD_BASE=/ \
		wrk -t 2 -c "$2" -d "${1}s" --timeout 30s -s "$T/load.lua" "http://127.0.0.1:$HK_PORT/" > "$3" 2>&1
}
rss() { for p in $W0; do awk '/^VmRSS/ { print $2 }' "/proc/$p/status"; done | tr '\n' ' '; }

# A short warm-up first, so that every worker has built its caches
# (statements, stylesheet runs, malloc arenas) before memory is measured.
W0=$(pgrep -P "$HK_WORKER_PID" | sort -n | tr '\n' ' ')
load 5 "$CLIENTS" "$T/warm.out"
R0=$(rss)
load "$SECS" "$CLIENTS" "$T/run.out"
R1=$(rss)
W1=$(pgrep -P "$HK_WORKER_PID" | sort -n | tr '\n' ' ')
sed 's/^/# /' "$T/run.out"

requests=$(awk '$1 == "requests" { print $2 }' "$T/run.out")
s200=$(awk '$1 == "status" && $2 == 200 { print $3 }' "$T/run.out")
s422=$(awk '$1 == "status" && $2 == 422 { print $3 }' "$T/run.out")
other=$(awk '$1 == "status" && $2 != 200 && $2 != 422 { n += $3 } END { print n + 0 }' "$T/run.out")
ok "$CLIENTS clients for ${SECS} s: requests served (${requests:-0})" test "${requests:-0}" -ge $(( SECS * 10 ))
is "... no answer but 200 and the expected 422" "$other" 0
is "... no socket error (connect, read, write, timeout)" "$(awk '$1 == "socket-errors" { print $2 }' "$T/run.out")" 0
ok "... the failed POSTs were a third: 422 (${s422:-0} of ${requests:-0})" \
	test "$(( ${s422:-0} * 3 ))" -ge "$(( ${requests:-1} - 3 * CLIENTS ))" -a "$(( ${s422:-0} * 3 ))" -le "$(( ${requests:-0} + 3 * CLIENTS ))"
is "nginx never failed to reach a worker" "$(grep -c 'connect() to unix' "$HK_DIR/nginx/error.log")" 0
is "no worker was restarted" "$W1" "$W0"
diag "worker RSS (KiB) before: $R0 after: $R1"
grown=""
set -- $R1
for r0 in $R0; do
	[ $(( $1 - r0 )) -le 1024 ] || grown+="$r0->$1 "
	shift
done
if [ "${HK_LABEL:-}" = asan ] || [ -n "${HK_WRAP:-}" ]; then
	# ASan's quarantine and valgrind hold freed memory on purpose.
	echo "ok $((tap_n += 1)) - each worker's RSS after is within 1 MiB of before # SKIP under ${HK_WRAP:+valgrind}${HK_WRAP:-ASan}"
else
	is "each worker's RSS after is within 1 MiB of before" "$grown" ""
fi
is "nothing was written by the failed POSTs" "$(hk_sql 'SELECT count(*) FROM mail_servers')" 10
req GET mail-servers -H 'Accept: application/xml'
is "the list still answers" "$STATUS" 200

hk_instance_stop
done_testing
