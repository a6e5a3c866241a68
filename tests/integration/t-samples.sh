#!/usr/bin/env bash
# t-samples.sh - the deployment samples in conf/ work as shipped:
# hikyaku.conf.sample with every key uncommented is accepted, the worker
# runs under conf/spawn-fcgi.sh behind nginx configured with
# conf/nginx-hikyaku.conf (only paths and port substituted), the systemd
# units pass systemd-analyze verify, and the cron line is well-formed.
# The man pages document every configuration key.
set -u
. "$HK_SRCDIR/tests/lib/tap.sh"
. "$HK_SRCDIR/tests/lib/instance.sh"
. "$HK_SRCDIR/tests/lib/http.sh"
. "$HK_SRCDIR/tests/lib/serverpages.sh"
ctl=$HK_PREFIX/bin/hikyakuctl
C=$HK_SRCDIR/conf
T=$(mktemp -d)
chmod 755 "$T"
HK_DIR=$T	# for http.sh's cookie jars
nginx_pid=
cleanup() {
	[ -z "$nginx_pid" ] || kill "$nginx_pid" 2>/dev/null
	HIKYAKU_PIDFILE=$T/run/hikyaku-fcgi.pid HIKYAKU_SOCKET=$T/run/hikyaku.sock \
		sh "$C/spawn-fcgi.sh" stop >/dev/null 2>&1
	rm -rf "$T"
}
trap cleanup EXIT

# --- hikyaku.conf.sample: every key, uncommented, is valid
keys=$(sed -nE 's/^[[:space:]]*\{ "([a-z_]+)",.*K_[A-Z]+.*/\1/p' "$HK_SRCDIR/src/lib/conf.c")
ok "the key list was read from src/lib/conf.c" test "$(printf '%s\n' "$keys" | wc -l)" -ge 12
missing=
for k in $keys; do
	grep -Eq "^#$k = " "$C/hikyaku.conf.sample" || missing="$missing $k"
done
is "hikyaku.conf.sample shows every key of src/lib/conf.c" "$missing" ""
missing=
for k in $keys; do
	grep -Eq "^\.B $k\$" "$HK_SRCDIR/docs/hikyaku.conf.5" || missing="$missing $k"
done
is "hikyaku.conf(5) documents every key of src/lib/conf.c" "$missing" ""

mkdir -p "$T/etc" "$T/var/mail" "$T/run"
# ca_file must name a readable PEM file (checked at start): the system's.
cp /etc/ssl/certs/ca-certificates.crt "$T/etc/ca.pem"
sed -E -e 's/^#([a-z_]+ = )/\1/' \
	-e "s|/usr/local/var/lib/hikyaku|$T/var|g" \
	-e "s|/usr/local/etc/hikyaku|$T/etc|g" \
	-e "s|/usr/local/|$HK_PREFIX/|g" \
	-e "s|/run/hikyaku/|$T/run/|g" "$C/hikyaku.conf.sample" > "$T/etc/all.conf"
is "every commented key was uncommented" \
	"$(grep -cE '^[a-z_]+ = ' "$T/etc/all.conf")" "$(printf '%s\n' "$keys" | wc -l)"
out=$("$ctl" --config "$T/etc/all.conf" init 2>&1); rc=$?
is "hikyakuctl --config accepts the uncommented sample (init)" "$rc" 0
[ $rc -eq 0 ] || diag "$out"
out=$("$ctl" --config "$T/etc/all.conf" servers 2>&1); rc=$?
is "... and opens its database (servers)" "$rc" 0
out=$("$ctl" --config "$T/etc/all.conf" modules 2>&1)
like "... and loads the modules from its module_dir" "$out" 'login	smtp-auth'
printf 'correct-horse-battery\n' | "$ctl" --config "$T/etc/all.conf" admin add admin >/dev/null 2>&1
is "admin add with the sample" "$?" 0
out=$(grep -vE '^#|^$' "$C/hikyaku.conf.sample")
is "as shipped, the sample sets nothing" "$out" ""
"$ctl" --config "$C/hikyaku.conf.sample" modules >/dev/null 2>&1
is "as shipped, the sample is a valid (empty) configuration" "$?" 0

# --- spawn-fcgi.sh + the nginx sample (its map blocks are http-level)
grep -v '^listen = ' "$T/etc/all.conf" > "$T/etc/fd0.conf"
export HIKYAKU_PREFIX=$HK_PREFIX HIKYAKU_CONFIG=$T/etc/fd0.conf \
	HIKYAKU_SOCKET=$T/run/hikyaku.sock HIKYAKU_PIDFILE=$T/run/hikyaku-fcgi.pid \
	HIKYAKU_LOG=$T/worker.log HIKYAKU_USER= HIKYAKU_SOCKET_GROUP=
sh "$C/spawn-fcgi.sh" start; rc=$?
is "spawn-fcgi.sh start" "$rc" 0
ok "... writes the pid file" hk_wait_for test -s "$HIKYAKU_PIDFILE"
ok "... creates the socket" test -S "$HIKYAKU_SOCKET"
is "... mode 0660" "$(stat -c %a "$HIKYAKU_SOCKET")" 660
like "spawn-fcgi.sh status" "$(sh "$C/spawn-fcgi.sh" status)" 'is running'
HIKYAKU_CONFIG=$T/etc/all.conf sh "$C/spawn-fcgi.sh" start 2>/dev/null
is "start refuses nothing while one runs (idempotent)" "$?" 0
cp "$T/etc/all.conf" "$T/etc/listen.conf"
mv "$HIKYAKU_PIDFILE" "$T/pid.save"
err=$(HIKYAKU_CONFIG=$T/etc/listen.conf sh "$C/spawn-fcgi.sh" start 2>&1); rc=$?
mv "$T/pid.save" "$HIKYAKU_PIDFILE"
is "a config with listen is refused by spawn-fcgi.sh" "$rc" 1
like "... saying why" "$err" 'sets listen'

PORT=$(hk_free_port)
mkdir -p "$T/nginx"
cp /etc/nginx/fastcgi_params "$T/nginx/"
user_line=; [ "$(id -u)" = 0 ] && user_line="user root root;"
{
	cat <<NGINX
$user_line
worker_processes 1;
pid $T/nginx/nginx.pid;
error_log $T/nginx/error.log warn;
events { worker_connections 64; }
http {
	access_log $T/nginx/access.log;
	client_body_temp_path $T/nginx/body;
	fastcgi_temp_path $T/nginx/fastcgi;
	proxy_temp_path $T/nginx/proxy;
	uwsgi_temp_path $T/nginx/uwsgi;
	scgi_temp_path $T/nginx/scgi;
NGINX
	# The sample, with this test's socket and port.
	sed -e "s|unix:/run/hikyaku/hikyaku.sock|unix:$HIKYAKU_SOCKET|" \
	    -e "s|listen 127.0.0.1:8080;|listen 127.0.0.1:$PORT;|" "$C/nginx-hikyaku.conf"
	echo "}"
} > "$T/nginx/nginx.conf"
ok "the nginx sample's socket and port were substituted" \
	grep -q "fastcgi_pass unix:$HIKYAKU_SOCKET;" "$T/nginx/nginx.conf"
out=$(nginx -t -p "$T/nginx" -c "$T/nginx/nginx.conf" -e "$T/nginx/error.log" 2>&1); rc=$?
is "nginx -t accepts the sample" "$rc" 0
[ $rc -eq 0 ] || diag "$out"
nginx -p "$T/nginx" -c "$T/nginx/nginx.conf" -e "$T/nginx/error.log"
hk_wait_for test -s "$T/nginx/nginx.pid" && nginx_pid=$(cat "$T/nginx/nginx.pid")
HK_URL="http://127.0.0.1:$PORT/"
HK_ADMIN_USER=admin HK_ADMIN_PASS=correct-horse-battery
new_browser
ok "nginx + spawn-fcgi answer" hk_wait_for curl -sf -o /dev/null "${HK_URL}login"
req GET login
is "GET /login through the nginx sample: 200" "$STATUS" 200
req GET 'login?format=xml'
like "?format=xml reaches the worker" "$BODY" '<page screen="login"'
sign_in
is "sign-in: 303" "$STATUS" 303
is "... to the list" "$(header Location)" /mail-servers
req GET mail-servers
is "the list: 200" "$STATUS" 200
like "... as HTML" "$BODY" '<html lang="en"'
req GET 'mail-servers?format=xml'
like "... and as XML" "$BODY" '<page screen="mail-servers"'
# nginx's own answers through the sample: the worker's headers, no version.
server_pages "$HK_URL" 400 405 414 400 404
like "the worker says it accepts on standard input" "$(cat "$HIKYAKU_LOG")" 'accepting on standard input'
kill "$nginx_pid" 2>/dev/null; nginx_pid=

pid=$(cat "$HIKYAKU_PIDFILE")
sh "$C/spawn-fcgi.sh" stop
is "spawn-fcgi.sh stop" "$?" 0
ok "... the worker is gone" sh -c "! kill -0 $pid 2>/dev/null"
ok "... the socket and pid file are removed" test ! -e "$HIKYAKU_SOCKET" -a ! -e "$HIKYAKU_PIDFILE"
like "... after a clean stop" "$(cat "$HIKYAKU_LOG")" 'info: stopped'
reports=$(grep -E 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:' "$HIKYAKU_LOG" | head -3)
is "the worker logged no sanitizer error" "$reports" ""

# --- systemd units
if command -v systemd-analyze >/dev/null 2>&1; then
	mkdir -p "$T/units"
	for u in "$C"/systemd/*; do
		sed -e "s|/usr/local/sbin/|$HK_PREFIX/sbin/|g" -e "s|/usr/local/bin/|$HK_PREFIX/bin/|g" \
			"$u" > "$T/units/$(basename "$u")"
	done
	# verify exits 0 on unknown values too; any output is a finding.
	out=$(cd "$T/units" && timeout 120 systemd-analyze verify --man=no \
		./hikyaku.socket ./hikyaku.service ./hikyaku-fetch.service ./hikyaku-fetch.timer 2>&1); rc=$?
	is "systemd-analyze verify: the units are valid" "$rc:$out" "0:"
else
	echo "ok $((tap_n += 1)) # SKIP systemd-analyze is not installed"
fi
ok "hikyaku.service takes the socket on standard input" grep -qx 'StandardInput=socket' "$C/systemd/hikyaku.service"
ok "... and never logs to it" grep -qx 'StandardOutput=journal' "$C/systemd/hikyaku.service"
ok "hikyaku.socket: one service for all connections (Accept=no)" grep -qx 'Accept=no' "$C/systemd/hikyaku.socket"
like "the timer runs every 5 minutes" "$(cat "$C/systemd/hikyaku-fetch.timer")" 'OnUnitActiveSec=5min'
like "the fetch service runs fetch --all" "$(grep ^ExecStart= "$C/systemd/hikyaku-fetch.service")" 'hikyakuctl --config .* fetch --all$'

# --- cron sample: "m h dom mon dow user command", every 5 minutes
line=$(grep -vE '^#|^$|^[A-Z]+=' "$C/hikyaku-fetch.cron")
is "the cron sample holds one job" "$(printf '%s\n' "$line" | wc -l)" 1
like "... every 5 minutes, as user hikyaku, fetch --all" "$line" \
	'^\*/5 \* \* \* \*[[:space:]]+hikyaku[[:space:]]+.*hikyakuctl --config [^ ]+ fetch --all$'
ok "... ending in a newline (cron ignores a last line without one)" \
	sh -c "tail -c 1 '$C/hikyaku-fetch.cron' | od -An -c | grep -q '\\\\n'"

# --- man pages: no groff warnings
if command -v groff >/dev/null 2>&1; then
	for m in hikyaku-fcgi.8 hikyakuctl.8 hikyaku.conf.5 hikyaku-authmod.3; do
		out=$(groff -man -Tutf8 -ww -z "$HK_SRCDIR/docs/$m" 2>&1)
		is "groff -man -ww: $m has no warnings" "$out" ""
	done
fi
done_testing
