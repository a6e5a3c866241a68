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
# HK_NGINX_SERVER_EXTRA (lines inside the nginx server block),
# HK_NGINX_HTTP_EXTRA (lines at the nginx http level) and HK_FCGI_PASS
# (fastcgi_pass's target, default the worker's socket); in those two,
# @HK_DIR@ stands for the instance's folder.
#
# The store: HK_DB=sqlite (default) keeps data/hikyaku.db in the folder;
# HK_DB=postgresql gives the instance a fresh database of its own on the
# test cluster (tests/lib/pg.sh; started here unless tests/run started one)
# and sets HK_DB_URI.  `hk_sql SQL...` runs SQL on the instance's store
# with either (sqlite3 or psql; rows one a line, '|' between columns);
# `hk_sqlite_only REASON [N]` skips N TAP tests on PostgreSQL and says so.
#
# The nginx configuration takes its security headers and server_tokens
# from conf/nginx-hikyaku.conf (its map blocks and its server-level
# server_tokens and add_header lines), so the tests and scripts/demo
# answer as the shipped sample does.

HK_CONF_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../conf" && pwd)
. "$(dirname "${BASH_SOURCE[0]}")/pg.sh"
HK_DB=${HK_DB:-sqlite}

# hk_sql SQL... : runs SQL against the instance's store (or the one that
# HK_SQL_DB names: an SQLite file or a URI from hk_new_store); prints the
# rows.  Without arguments, the SQL comes from stdin.
# The tests' SQL is the common part of both dialects, plus SQLite's hex()
# and instr(), which the PostgreSQL side gets from the hk_test schema below
# (on the tests' search path only: the product never sees them).  Write a
# boolean result as CASE WHEN ... THEN 1 ELSE 0 END, and a blob literal
# with hk_sql_blob.
hk_sql() {
	case $HK_DB in
	postgresql)
		# Each argument a statement, as sqlite3 takes them; none: stdin.
		{ [ $# -gt 0 ] && printf '%s;\n' "$@" || cat; } |
			PGOPTIONS="-c client_min_messages=warning -c search_path=public,hk_test" \
			"$HK_PG_BIN/psql" -X -Atq -v ON_ERROR_STOP=1 -d "${HK_SQL_DB:-$HK_DB_URI}" -f - ;;
	*)	sqlite3 -cmd '.timeout 5000' "${HK_SQL_DB:-$HK_DIR/data/hikyaku.db}" "$@" ;;
	esac
}

# hk_new_store NAME: prints the `database =` value of another, empty store
# for a second site (SQLite: a file in HK_DIR/NAME; PostgreSQL: a fresh
# database, dropped by hk_instance_stop).
hk_new_store() {
	case $HK_DB in
	postgresql)
		local db=${HK_DB_NAME}_$1
		pg_createdb "$db" && hk_pg_test_schema "$db" &&
			echo "$db" >> "$HK_DIR/.extra-databases" ;;
	*)	mkdir -p "$HK_DIR/$1" && echo "$HK_DIR/$1/hikyaku.db" ;;
	esac
}

# hk_sql_blob HEX: a blob literal for hk_sql.
hk_sql_blob() {
	case $HK_DB in
	postgresql) printf "'\\\\x%s'::bytea" "$1" ;;
	*)	printf "x'%s'" "$1" ;;
	esac
}

# hk_store_holds TEXT: whether TEXT is anywhere in the bytes of the files
# that hold the store (SQLite: the database and its WAL, after a
# checkpoint; PostgreSQL: the cluster's folder, after a CHECKPOINT).
hk_store_holds() {
	case $HK_DB in
	postgresql)
		pg_sql CHECKPOINT >/dev/null
		grep -raqF -- "$1" "$HK_PG_DIR/data" ;;
	*)	local db=$HK_DIR/data/hikyaku.db
		hk_sql 'PRAGMA wal_checkpoint(TRUNCATE)' >/dev/null
		strings -a "$db" "$db-wal" 2>/dev/null | grep -qF -- "$1" ||
			grep -aqF -- "$1" "$db" ;;
	esac
}

# hk_store_dump [TABLE...]: the store's schema and rows as text, without
# the rows of the TABLEs named (to compare the store before and after).
hk_store_dump() {
	local t re
	case $HK_DB in
	postgresql)
		local args=()
		for t in "$@"; do args+=(--exclude-table-data="$t"); done
		"$HK_PG_BIN/pg_dump" -d "$HK_DB_URI" --inserts --no-owner -N hk_test "${args[@]}" ;;
	*)	re=$(IFS='|'; echo "$*")
		hk_sql .dump | { [ -z "$re" ] && cat || grep -vE "^INSERT INTO \"?($re)\"? "; } ;;
	esac
}

hk_store_lacks() { ! hk_store_holds "$@"; }

# The SQLite functions the tests use, for PostgreSQL (in the database DB).
hk_pg_test_schema() {
	pg_sql -d "$1" "CREATE SCHEMA hk_test;
CREATE FUNCTION hk_test.hex(bytea) RETURNS text IMMUTABLE LANGUAGE sql
	AS \$\$ SELECT upper(encode(\$1, 'hex')) \$\$;
CREATE FUNCTION hk_test.hex(text) RETURNS text IMMUTABLE LANGUAGE sql
	AS \$\$ SELECT upper(encode(convert_to(\$1, 'UTF8'), 'hex')) \$\$;
CREATE FUNCTION hk_test.instr(bytea, text) RETURNS integer IMMUTABLE LANGUAGE sql
	AS \$\$ SELECT position(convert_to(\$2, 'UTF8') IN \$1) \$\$;
CREATE FUNCTION hk_test.instr(text, text) RETURNS integer IMMUTABLE LANGUAGE sql
	AS \$\$ SELECT strpos(\$1, \$2) \$\$;
GRANT USAGE ON SCHEMA hk_test TO PUBLIC;" >/dev/null
}

# hk_sqlite_only REASON [N]: on PostgreSQL, reports N tests (default 1)
# as skipped and returns 1 (so `hk_sqlite_only "why" 3 && { tests; }`).
hk_sqlite_only() {
	[ "$HK_DB" = postgresql ] || return 0
	local i
	for i in $(seq 1 "${2:-1}"); do
		tap_n=$((tap_n + 1))
		echo "ok $tap_n # SKIP $1"
	done
	return 1
}

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

hk_wait_for() {	# CMD... : retry for up to 10 s (HK_WAIT_TENTHS tenths)
	for _ in $(seq 1 "${HK_WAIT_TENTHS:-100}"); do
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
	local database=data/hikyaku.db
	case $HK_DB in
	sqlite) HK_DB_URI= ;;
	postgresql)
		pg_start || return 1
		HK_DB_NAME=$(basename "$HK_DIR" | tr -c 'a-zA-Z0-9\n' _ | tr A-Z a-z)
		HK_DB_URI=$(pg_createdb "$HK_DB_NAME") || return 1
		hk_pg_test_schema "$HK_DB_NAME" || return 1
		database=$HK_DB_URI ;;
	*)	echo "# HK_DB must be sqlite or postgresql, not '$HK_DB'" >&2; return 1 ;;
	esac
	cat > "$HK_CONFIG" <<CONF
# test instance
database = $database
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
	local initerr
	initerr=$("$HK_PREFIX/bin/hikyakuctl" --config "$HK_CONFIG" init 2>&1 >/dev/null) || {
		echo "# hikyakuctl init failed on the $HK_DB store: $initerr" >&2; return 1; }
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
	local pass=${HK_FCGI_PASS:-unix:$HK_DIR/hikyaku.sock} http_extra=${HK_NGINX_HTTP_EXTRA:-}
	pass=${pass//@HK_DIR@/$HK_DIR}
	http_extra=${http_extra//@HK_DIR@/$HK_DIR}
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
$http_extra
	server {
		listen 127.0.0.1:$HK_PORT;
$sample_server
		location $loc/ {
			include /etc/nginx/fastcgi_params;
			fastcgi_pass $pass;
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
	export HK_DB HK_DB_URI
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
		reports=$(grep -E 'ERROR: (AddressSanitizer|LeakSanitizer)|\.[ch]:[0-9]+:[0-9]+: runtime error:|Invalid (read|write)|definitely lost: [1-9]' "${HK_WORKER_LOG:-/dev/null}" 2>/dev/null | head -5)
		is "the worker logged no sanitizer or memory error" "$reports" ""
		[ -z "$reports" ] || sed 's/^/# /' "${HK_WORKER_LOG:-/dev/null}" | tail -60
		# --- valgrind logs (tests/run --valgrind), one per process
		if compgen -G "$HK_DIR/vg.*" >/dev/null; then
			reports=$(grep -lE 'ERROR SUMMARY: [1-9]' "$HK_DIR"/vg.*)
			is "valgrind found no error in the worker's processes" "$reports" ""
			local f
			for f in $reports; do sed 's/^/# /' "$f" | head -120; done
		fi
		# --- end valgrind
	fi
	if [ "$HK_DB" = postgresql ] && [ -z "${HK_KEEP:-}" ]; then
		[ -z "${HK_DB_NAME:-}" ] || pg_dropdb "$HK_DB_NAME"
		local db
		for db in $(cat "$HK_DIR/.extra-databases" 2>/dev/null); do pg_dropdb "$db"; done
		pg_destroy
	fi
	if [ -n "${HK_KEEP:-}" ]; then
		echo "# kept $HK_DIR" >&2
	else
		rm -rf "$HK_DIR"
	fi
	HK_DIR=
}
