# tests/lib/instance.sh - start and stop a complete hikyaku instance for a
# test: a fresh config, database, secret key and admin, the installed worker
# on a unix socket, and a real nginx in front of it on a free loopback port.
#
#   . tests/lib/instance.sh
#   hk_instance_start            # needs HK_PREFIX (a `make install` prefix)
#   curl "$HK_URL/login" ...
#   hk_instance_stop             # also run from an EXIT trap
#
# Sets HK_DIR, HK_CONFIG, HK_URL (ends in '/'), HK_PORT, HK_ADMIN_USER,
# HK_ADMIN_PASS, HK_WORKER_PID, HK_WORKER_LOG.  Optional inputs:
# HK_INSTANCE_DIR (use this folder, kept on stop), HK_WANT_PORT (use this
# port when free), HK_ADMIN_USER/HK_ADMIN_PASS (the admin to create),
# HK_BASE_PATH (default /), HK_WORKERS (default 2), HK_WRAP (a command to
# run the worker under, e.g. valgrind), HK_EXTRA_CONF (lines appended to
# hikyaku.conf), HK_NGINX_EXTRA (lines inside the nginx location),
# HK_NGINX_SERVER_EXTRA (lines inside the nginx server block).
#
# The nginx configuration takes its security headers and server_tokens
# from conf/nginx-hikyaku.conf (its map blocks and its server-level
# server_tokens and add_header lines), so the tests and scripts/demo
# answer as the shipped sample does.

HK_CONF_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../conf" && pwd)

# The http-level lines (map blocks) of the nginx sample.
hk_nginx_sample_http() {
	sed -n '/^map /,/^}/p' "$HK_CONF_DIR/nginx-hikyaku.conf"
}

# The server-level header lines of the nginx sample.
hk_nginx_sample_server() {
	grep -E '^[[:space:]]*(server_tokens|add_header)[[:space:]]' "$HK_CONF_DIR/nginx-hikyaku.conf"
}

hk_free_port() {
	local port
	for _ in $(seq 1 200); do
		port=$(( (RANDOM % 20000) + 20000 ))
		if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
			echo "$port"
			return 0
		fi
	done
	return 1
}

hk_wait_for() {	# CMD... : retry for up to 10 s
	for _ in $(seq 1 100); do
		"$@" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}

hk_instance_start() {
	: "${HK_PREFIX:?HK_PREFIX must name an installed prefix}"
	if [ -n "${HK_INSTANCE_DIR:-}" ]; then
		HK_DIR=$HK_INSTANCE_DIR
		HK_KEEP=1
		mkdir -p "$HK_DIR"
	else
		HK_DIR=$(mktemp -d "${TMPDIR:-/tmp}/hikyaku-test.XXXXXX")
	fi
	chmod 755 "$HK_DIR"
	HK_CONFIG=$HK_DIR/hikyaku.conf
	HK_ADMIN_USER=${HK_ADMIN_USER:-admin}
	HK_ADMIN_PASS=${HK_ADMIN_PASS:-correct-horse-battery}
	local base=${HK_BASE_PATH:-/}
	# HK_DATABASE: another store, e.g. an empty PostgreSQL database's
	# postgresql:// URI (steps that open data/hikyaku.db with sqlite3
	# by hand assume the default).
	cat > "$HK_CONFIG" <<CONF
# test instance
database = ${HK_DATABASE:-data/hikyaku.db}
secret_key = secret.key
mail_dir = data/mail
module_dir = $HK_PREFIX/lib/hikyaku/modules
xsl_dir = $HK_PREFIX/share/hikyaku/xsl
static_dir = $HK_PREFIX/share/hikyaku/static
listen = unix:$HK_DIR/hikyaku.sock
workers = ${HK_WORKERS:-2}
base_path = $base
socket_mode = 0666
${HK_EXTRA_CONF:-}
CONF
	"$HK_PREFIX/bin/hikyakuctl" --config "$HK_CONFIG" init >/dev/null || return 1
	printf '%s\n' "$HK_ADMIN_PASS" |
		"$HK_PREFIX/bin/hikyakuctl" --config "$HK_CONFIG" admin add "$HK_ADMIN_USER" >/dev/null 2>&1 ||
	printf '%s\n' "$HK_ADMIN_PASS" |
		"$HK_PREFIX/bin/hikyakuctl" --config "$HK_CONFIG" admin passwd "$HK_ADMIN_USER" >/dev/null || return 1

	HK_WORKER_LOG=$HK_DIR/worker.log
	# HK_DIR is passed on so that HK_WRAP can name it (valgrind's
	# --log-file=%q{HK_DIR}/vg.%p, see tests/run --valgrind).
	HK_DIR=$HK_DIR ${HK_WRAP:-} "$HK_PREFIX/sbin/hikyaku-fcgi" --config "$HK_CONFIG" \
		>>"$HK_WORKER_LOG" 2>&1 &
	HK_WORKER_PID=$!
	hk_wait_for test -S "$HK_DIR/hikyaku.sock" || {
		echo "# worker did not start:" >&2; sed 's/^/# /' "$HK_WORKER_LOG" >&2; return 1; }

	if [ -n "${HK_WANT_PORT:-}" ] && ! (exec 3<>"/dev/tcp/127.0.0.1/$HK_WANT_PORT") 2>/dev/null; then
		HK_PORT=$HK_WANT_PORT
	else
		HK_PORT=$(hk_free_port) || return 1
	fi
	mkdir -p "$HK_DIR/nginx"
	local sample_http sample_server
	sample_http=$(hk_nginx_sample_http)
	sample_server=$(hk_nginx_sample_server)
	[ -n "$sample_http" ] && [ -n "$sample_server" ] || {
		echo "# no security headers found in $HK_CONF_DIR/nginx-hikyaku.conf" >&2; return 1; }
	local user_line=""
	[ "$(id -u)" = 0 ] && user_line="user root root;"
	local loc=${base%/}
	cat > "$HK_DIR/nginx/nginx.conf" <<NGINX
$user_line
worker_processes 1;
pid $HK_DIR/nginx/nginx.pid;
error_log $HK_DIR/nginx/error.log warn;
events { worker_connections 512; }
http {
	access_log $HK_DIR/nginx/access.log;
	client_body_temp_path $HK_DIR/nginx/body;
	fastcgi_temp_path $HK_DIR/nginx/fastcgi;
	proxy_temp_path $HK_DIR/nginx/proxy;
	uwsgi_temp_path $HK_DIR/nginx/uwsgi;
	scgi_temp_path $HK_DIR/nginx/scgi;
	client_max_body_size 16m;
$sample_http
	server {
		listen 127.0.0.1:$HK_PORT;
$sample_server
		location $loc/ {
			include /etc/nginx/fastcgi_params;
			fastcgi_pass unix:$HK_DIR/hikyaku.sock;
			${HK_NGINX_EXTRA:-}
		}
		${HK_NGINX_SERVER_EXTRA:-}
	}
}
NGINX
	nginx -p "$HK_DIR/nginx" -c "$HK_DIR/nginx/nginx.conf" -e "$HK_DIR/nginx/error.log" || return 1
	HK_URL="http://127.0.0.1:$HK_PORT$loc/"
	hk_wait_for curl -s -o /dev/null "${HK_URL}login" || {
		echo "# nginx did not answer" >&2; return 1; }
	export HK_DIR HK_CONFIG HK_URL HK_PORT HK_ADMIN_USER HK_ADMIN_PASS HK_WORKER_PID HK_WORKER_LOG
}

hk_instance_stop() {
	[ -n "${HK_DIR:-}" ] || return 0
	local rc=0
	if [ -f "$HK_DIR/nginx/nginx.pid" ]; then
		kill "$(cat "$HK_DIR/nginx/nginx.pid")" 2>/dev/null
	fi
	if [ -n "${HK_WORKER_PID:-}" ] && kill -0 "$HK_WORKER_PID" 2>/dev/null; then
		kill -TERM "$HK_WORKER_PID"
		wait "$HK_WORKER_PID" 2>/dev/null
		rc=$?
	fi
	# Every test run doubles as a check of the worker's own hygiene.
	if [ "$(type -t ok)" = function ]; then
		is "the worker exited with status 0 on SIGTERM" "$rc" 0
		local reports
		reports=$(grep -E 'ERROR: (AddressSanitizer|LeakSanitizer)|\.[ch]:[0-9]+:[0-9]+: runtime error:|Invalid (read|write)|definitely lost: [1-9]' "$HK_WORKER_LOG" 2>/dev/null | head -5)
		is "the worker logged no sanitizer or memory error" "$reports" ""
		[ -z "$reports" ] || sed 's/^/# /' "$HK_WORKER_LOG" | tail -60
		# --- valgrind logs (tests/run --valgrind), one per process
		if compgen -G "$HK_DIR/vg.*" >/dev/null; then
			reports=$(grep -lE 'ERROR SUMMARY: [1-9]' "$HK_DIR"/vg.*)
			is "valgrind found no error in the worker's processes" "$reports" ""
			local f
			for f in $reports; do sed 's/^/# /' "$f" | head -120; done
		fi
		# --- end valgrind
	fi
	if [ -n "${HK_KEEP:-}" ]; then
		echo "# kept $HK_DIR" >&2
	else
		rm -rf "$HK_DIR"
	fi
	HK_DIR=
}
