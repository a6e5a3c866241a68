#!/usr/bin/env bash
# t-worker.sh - worker and hikyakuctl as processes (docs/REFERENCE.md): config
# errors and exit codes, init idempotence, SIGTERM with a request in
# flight, fd 0 (spawn-fcgi), base_path, trust_remote_user, HTTPS cookies.
set -u
. "$HK_SRCDIR/tests/lib/tap.sh"
. "$HK_SRCDIR/tests/lib/instance.sh"
. "$HK_SRCDIR/tests/lib/http.sh"
ctl=$HK_PREFIX/bin/hikyakuctl
fcgi=$HK_PREFIX/sbin/hikyaku-fcgi
T=$(mktemp -d)
trap 'hk_instance_stop; rm -rf "$T"' EXIT

# --- configuration errors name file and line; exit 2
printf 'database = %s/db\n# comment\nworkers = many\n' "$T" > "$T/bad.conf"
err=$("$fcgi" --config "$T/bad.conf" 2>&1); rc=$?
is "a malformed config: hikyaku-fcgi exits 2" "$rc" 2
like "... naming file and line" "$err" "$T/bad.conf:3: workers"
printf 'colour = blue\n' > "$T/unknown.conf"
err=$("$ctl" --config "$T/unknown.conf" servers 2>&1); rc=$?
is "an unknown key: hikyakuctl exits 2" "$rc" 2
like "... naming the key and line" "$err" "unknown.conf:1: unknown key 'colour'"
printf 'no equals sign here\n' > "$T/noeq.conf"
err=$("$ctl" --config "$T/noeq.conf" init 2>&1); rc=$?
is "a line without '=' is exit 2" "$rc" 2
err=$("$ctl" --config "$T/missing.conf" init 2>&1); rc=$?
is "a named config that does not exist is exit 2" "$rc" 2
like "... naming it" "$err" "missing.conf"
err=$(HIKYAKU_CONFIG="$T/bad.conf" "$ctl" servers 2>&1); rc=$?
like "HIKYAKU_CONFIG is read" "$err" "bad.conf:3"
# A database URI of another scheme than PostgreSQL's is refused by
# scheme, never made a local file named like it.
mkdir "$T/uri"
printf 'secret_key = k

database = mysql://hk@db.example/hikyaku
' > "$T/uri/pg.conf"
err=$(cd "$T/uri" && "$ctl" --config pg.conf init 2>&1); rc=$?
is "database = mysql://...: init exits 2" "$rc" 2
like "... naming file, line and scheme" "$err" "pg.conf:3: database: 'mysql://' is not a supported database"
is "... and creates nothing (no database, no key)" "$(ls -A "$T/uri")" "pg.conf"
printf 'database = data/x.db\nsecret_key = k\nmail_dir = mail\nxsl_dir = %s\nstatic_dir = %s\n' \
	"$HK_PREFIX/share/hikyaku/xsl" "$HK_PREFIX/share/hikyaku/static" > "$T/good.conf"
err=$(HIKYAKU_CONFIG="$T/bad.conf" "$ctl" --config "$T/good.conf" init 2>&1); rc=$?
is "--config wins over HIKYAKU_CONFIG" "$rc" 0

# --- hikyakuctl: init is idempotent and never replaces the key
ok "init made the database relative to the config" test -f "$T/data/x.db"
is "the key file is mode 0600" "$(stat -c %a "$T/k")" 600
key1=$(cat "$T/k")
"$ctl" --config "$T/good.conf" init >/dev/null; rc=$?
is "a second init succeeds" "$rc" 0
is "... and keeps the key" "$(cat "$T/k")" "$key1"
"$ctl" --config "$T/good.conf" >/dev/null 2>&1; is "no command: exit 1" "$?" 1
"$ctl" --config "$T/good.conf" frobnicate >/dev/null 2>&1; is "an unknown command: exit 1" "$?" 1
printf 'long-enough-pw\n' | "$ctl" --config "$T/good.conf" admin add 'bad name' >/dev/null 2>&1
is "an invalid admin name: exit 1" "$?" 1
printf 'short\n' | "$ctl" --config "$T/good.conf" admin add alice >/dev/null 2>&1
is "a too short password: exit 1" "$?" 1
err=$(head -c 5000 /dev/zero | tr '\0' x | "$ctl" --config "$T/good.conf" admin add alice 2>&1)
is "a password over 4096 bytes: exit 1" "$?" 1
like "... saying it is too long, not truncating it" "$err" 'too long'
printf 'long-enough-pw\n' | "$ctl" --config "$T/good.conf" admin add alice >/dev/null 2>&1
is "admin add: exit 0" "$?" 0
printf 'another-pw-with-crlf\r\n' | "$ctl" --config "$T/good.conf" admin passwd alice >/dev/null 2>&1
is "a CRLF line end is not part of the password" "$?" 0
err=$(printf 'long-enough-pw\n' | "$ctl" --config "$T/good.conf" admin add ALICE 2>&1); rc=$?
is "a duplicate admin (any case): exit 2" "$rc" 2
like "... saying so" "$err" "already exists"
printf 'another-password\n' | "$ctl" --config "$T/good.conf" admin passwd nobody >/dev/null 2>&1
is "passwd of an unknown admin: exit 2" "$?" 2
unlike "the password is not stored in clear" "$(strings "$T/data/x.db")" 'long-enough-pw'
is "servers on an empty database prints nothing" "$("$ctl" --config "$T/good.conf" servers)" ""
printf 'database = %s/nowhere/x.db\nsecret_key = %s/k\n' "$T" "$T" > "$T/nodb.conf"
"$ctl" --config "$T/nodb.conf" servers >/dev/null 2>&1
is "a missing database: exit 2" "$?" 2
"$fcgi" --config "$T/nodb.conf" --listen "unix:$T/s.sock" >/dev/null 2>&1
is "the worker refuses a missing database: exit 2" "$?" 2
"$fcgi" --config "$T/good.conf" </dev/null >/dev/null 2>&1
is "no --listen and stdin not a socket: exit 1" "$?" 1
"$fcgi" --workers 0 >/dev/null 2>&1; is "--workers 0: exit 1" "$?" 1

# --- no core dumps: they would hold the key and decrypted passwords.
# The soft limit is raised first, so that only the programs can bring the
# limits to 0 (HIKYAKU_CORE_DUMPS=1 would leave them: tests/unit/test_nocore).
ulimit -S -c "$(ulimit -H -c)"
core_limit() { awk '/^Max core file size/ { print $5, $6 }' "/proc/$1/limits"; }
is_core_off() { [ "$(core_limit "$1")" = "0 0" ]; }
{ sleep 1; echo; } | "$ctl" --config "$T/good.conf" admin add carol >/dev/null 2>&1 &
ok "hikyakuctl turns core dumps off (soft and hard limit 0)" hk_wait_for is_core_off $!
wait
hk_instance_start || { ok "instance" false; exit 1; }
is "the worker's master process: core limit 0" "$(core_limit "$HK_WORKER_PID")" "0 0"
hk_wait_for pgrep -P "$HK_WORKER_PID" >/dev/null
is "a worker process: core limit 0" "$(core_limit "$(pgrep -P "$HK_WORKER_PID" | head -1)")" "0 0"
hk_instance_stop

# --- SIGTERM lets a request in flight finish
hk_instance_start || { ok "instance" false; exit 1; }
new_browser
t=$(csrf_now login)
# A sign-in takes ~0.1 s of scrypt: send it, SIGTERM the master meanwhile.
( req POST login "csrf_token=$t&user=$HK_ADMIN_USER&password=$HK_ADMIN_PASS"; echo "$STATUS" > "$T/inflight" ) &
client=$!
# Signal once nginx's connection to the worker is open (the request is in
# the worker's hands), not after a fixed time a loaded machine can outlast.
for _ in $(seq 1 500); do
	ss -xH 2>/dev/null | grep -q "ESTAB.*$HK_DIR/hikyaku.sock" && break
	kill -0 "$client" 2>/dev/null || break
	sleep 0.01
done
kill -TERM "$HK_WORKER_PID"
wait "$client"
is "a request in flight during SIGTERM is answered" "$(cat "$T/inflight")" 303
wait "$HK_WORKER_PID"; rc=$?
is "the worker exits 0 after SIGTERM" "$rc" 0
ok "the unix socket is removed" test ! -e "$HK_DIR/hikyaku.sock"
like "the log says it stopped" "$(cat "$HK_WORKER_LOG")" 'info: stopped'
HK_WORKER_PID=
hk_instance_stop

# --- fd 0, the spawn-fcgi convention
HK_BASE_PATH=/hk/ hk_instance_start || { ok "instance" false; exit 1; }
kill -TERM "$HK_WORKER_PID"; wait "$HK_WORKER_PID"; HK_WORKER_PID=
sed -i '/^listen =/d' "$HK_CONFIG"
spawn-fcgi -s "$HK_DIR/hikyaku.sock" -M 0666 -P "$HK_DIR/spawn.pid" -- \
	"$fcgi" --config "$HK_CONFIG" >/dev/null 2>>"$HK_WORKER_LOG"
hk_wait_for test -s "$HK_DIR/spawn.pid"
HK_WORKER_PID=
new_browser
req GET login -H 'Accept: application/xml'
is "spawn-fcgi (fd 0): the worker answers" "$STATUS" 200
like "base_path /hk/ is in the page" "$BODY" 'base="/hk/"'
req GET mail-servers
is "base_path: redirects stay under the base" "$(header Location)" /hk/login
sign_in
is "base_path: sign-in works" "$(header Location)" /hk/mail-servers
like "base_path: cookies are scoped to it" "$(header Set-Cookie)" 'Path=/hk/;'
req GET mail-servers
like "base_path: links in the HTML use it" "$BODY" 'href="/hk/static/hikyaku.css"'
kill -TERM "$(cat "$HK_DIR/spawn.pid")"
hk_wait_for sh -c "! kill -0 $(cat "$HK_DIR/spawn.pid")"
ok "spawn-fcgi's worker stops on SIGTERM" sh -c "! kill -0 $(cat "$HK_DIR/spawn.pid") 2>/dev/null"
hk_instance_stop

# --- trust_remote_user (nginx's own basic auth sets REMOTE_USER) and HTTPS
printf 'admin:%s\n' "$(openssl passwd -apr1 web-pass)" > "$T/htpasswd"
chmod 644 "$T/htpasswd"
HK_EXTRA_CONF='trust_remote_user = yes' \
HK_NGINX_EXTRA="auth_basic hikyaku; auth_basic_user_file $T/htpasswd; fastcgi_param HTTPS on;" \
	hk_instance_start || { ok "instance" false; exit 1; }
new_browser
req GET mail-servers -H 'Accept: application/xml' -u admin:web-pass
is "trust_remote_user: REMOTE_USER signs in" "$STATUS" 200
like "... as that administrator" "$BODY" '<admin name="admin"'
like "over HTTPS the session cookie is Secure" "$(header Set-Cookie)" 'HttpOnly; SameSite=Strict; Secure'
hk_instance_stop

HK_NGINX_EXTRA="auth_basic hikyaku; auth_basic_user_file $T/htpasswd;" \
	hk_instance_start || { ok "instance" false; exit 1; }
new_browser
req GET mail-servers -H 'Accept: application/xml' -u admin:web-pass
is "without trust_remote_user, REMOTE_USER is ignored" "$STATUS" 401
hk_instance_stop

done_testing
