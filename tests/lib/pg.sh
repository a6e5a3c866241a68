# tests/lib/pg.sh - a throw-away PostgreSQL server for the tests: a fresh
# cluster in a temporary folder, on a free loopback port, password (SCRAM)
# authentication over TCP, the password in a PGPASSFILE so that no URI
# carries it.  One cluster serves a whole run; each instance gets its own
# database.
#
#   . tests/lib/pg.sh
#   pg_start                  # or reuse the cluster that HK_PG_DIR names
#   uri=$(pg_createdb NAME)   # a fresh, empty database owned by the
#                             # unprivileged role; prints its URI
#   pg_uri [DB]               # the URI of DB (default: the role's own)
#   pg_sql [-d DB] "SQL"      # psql -Atq as the superuser; exit status of psql
#   pg_stop / pg_restart      # stop (data kept) / stop and start again
#   pg_destroy                # stop and remove (only the shell that created
#                             # the cluster does anything)
#
# Exported: HK_PG_DIR, HK_PG_PORT, HK_PG_BIN, PGPASSFILE.  A run that starts
# the cluster once (tests/run) exports them, and every suite's pg_start
# then finds the server running and leaves it alone.  A watchdog removes
# the cluster when the shell that created it exits, whatever traps the test
# sets, so a killed test leaves no server behind.
#
# initdb and postgres refuse to run as root: as root, they run as the
# `postgres` system user (Debian's package creates it) or else `nobody`.
# The clients (psql, the worker, hikyakuctl) keep the caller's identity
# and connect over TCP.

HK_PG_BIN=${HK_PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)}
HK_PG_HOST=127.0.0.1
HK_PG_ROLE=hikyaku		# owns the test databases; not a superuser
HK_PG_SUPER=hk_super

# The OS user that runs the server, and how to run a command as it.
pg_os_user() {
	if [ "$(id -u)" != 0 ]; then
		id -un
	elif id postgres >/dev/null 2>&1; then
		echo postgres
	else
		echo nobody
	fi
}

pg_as_server() {	# CMD... : run as the server's OS user, in its folder
	if [ "$(id -u)" = 0 ]; then
		(cd "$HK_PG_DIR" && runuser -u "$(pg_os_user)" -- "$@")
	else
		(cd "$HK_PG_DIR" && "$@")
	fi
}

pg_free_port() {
	local port
	for _ in $(seq 1 200); do
		port=$(( (RANDOM % 20000) + 40000 ))
		if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
			echo "$port"
			return 0
		fi
	done
	return 1
}

pg_running() {
	[ -n "${HK_PG_DIR:-}" ] && [ -f "$HK_PG_DIR/data/postmaster.pid" ] &&
		"$HK_PG_BIN/pg_isready" -q -h "$HK_PG_HOST" -p "$HK_PG_PORT" -t 1
}

# pg_start: creates the cluster when there is none, starts it when it is
# stopped.  Returns non-zero with a message on stderr when it cannot.
pg_start() {
	if [ -n "${HK_PG_DIR:-}" ] && [ -d "$HK_PG_DIR/data" ]; then
		pg_running && return 0
		pg_server_up
		return
	fi
	[ -x "$HK_PG_BIN/initdb" ] || {
		echo "# no PostgreSQL server found (tests/deps installs the postgresql package)" >&2
		return 1; }
	local parent=${HK_TMP:-${TMPDIR:-/tmp}} osuser
	osuser=$(pg_os_user)
	HK_PG_DIR=$(mktemp -d "$parent/pg.XXXXXX") || return 1
	HK_PG_OWNER=$BASHPID
	if [ "$(id -u)" = 0 ]; then
		# The server's user must reach its folder: let it through ours.
		chmod o+x "$parent" 2>/dev/null
		chmod 755 "$HK_PG_DIR"
		runuser -u "$osuser" -- test -x "$HK_PG_DIR" || {
			echo "# $osuser cannot reach $HK_PG_DIR (a parent folder is closed to it)" >&2
			return 1; }
	fi
	mkdir -p "$HK_PG_DIR/sock"
	chown "$osuser" "$HK_PG_DIR" "$HK_PG_DIR/sock"
	local pass_super pass_role
	pass_super=$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')
	pass_role=$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')
	printf '%s\n' "$pass_super" > "$HK_PG_DIR/superpw"
	chown "$osuser" "$HK_PG_DIR/superpw"
	chmod 600 "$HK_PG_DIR/superpw"
	pg_as_server "$HK_PG_BIN/initdb" -D "$HK_PG_DIR/data" -U "$HK_PG_SUPER" \
		--pwfile="$HK_PG_DIR/superpw" --auth-host=scram-sha-256 \
		--auth-local=scram-sha-256 -E UTF8 --locale=C.UTF-8 -N \
		>"$HK_PG_DIR/initdb.log" 2>&1 || {
		echo "# initdb failed:" >&2; sed 's/^/# /' "$HK_PG_DIR/initdb.log" >&2; return 1; }
	rm -f "$HK_PG_DIR/superpw"
	# Speed over durability: the data lives as long as one test run, and
	# pg_stop's clean shutdown writes everything anyway.
	cat >> "$HK_PG_DIR/data/postgresql.conf" <<CONF
listen_addresses = '$HK_PG_HOST'
unix_socket_directories = '$HK_PG_DIR/sock'
fsync = off
full_page_writes = off
synchronous_commit = off
max_connections = 200
shared_buffers = 32MB
log_min_messages = warning
CONF
	export PGPASSFILE=$HK_PG_DIR/pgpass
	printf '%s:*:*:%s:%s\n%s:*:*:%s:%s\n' \
		"$HK_PG_HOST" "$HK_PG_SUPER" "$pass_super" \
		"$HK_PG_HOST" "$HK_PG_ROLE" "$pass_role" > "$PGPASSFILE"
	chmod 600 "$PGPASSFILE"
	pg_server_up || return 1
	pg_sql "CREATE ROLE $HK_PG_ROLE LOGIN PASSWORD '$pass_role'" || return 1
	export HK_PG_DIR HK_PG_PORT HK_PG_BIN PGPASSFILE
	pg_watchdog
}

# Starts the server of an existing cluster on a free port (a new port
# after a clash, as another test may have taken the old one meanwhile).
pg_server_up() {
	local try
	for try in 1 2 3; do
		[ -n "${HK_PG_PORT:-}" ] && [ "$try" = 1 ] || HK_PG_PORT=$(pg_free_port) || return 1
		if pg_as_server "$HK_PG_BIN/pg_ctl" -D "$HK_PG_DIR/data" -w -t 30 \
			-o "-p $HK_PG_PORT" -l "$HK_PG_DIR/server.log" start >/dev/null 2>&1; then
			export HK_PG_PORT
			return 0
		fi
		grep -q 'could not bind\|already in use' "$HK_PG_DIR/server.log" 2>/dev/null || break
	done
	echo "# PostgreSQL did not start:" >&2
	tail -20 "$HK_PG_DIR/server.log" 2>/dev/null | sed 's/^/# /' >&2
	return 1
}

# Removes the cluster when the creating shell is gone, even after kill -9.
pg_watchdog() {
	local owner=$HK_PG_OWNER dir=$HK_PG_DIR bin=$HK_PG_BIN osuser
	osuser=$(pg_os_user)
	(
		trap '' HUP INT TERM
		while kill -0 "$owner" 2>/dev/null; do sleep 1; done
		if [ -d "$dir" ]; then
			if [ "$(id -u)" = 0 ]; then
				(cd "$dir" && runuser -u "$osuser" -- "$bin/pg_ctl" -D "$dir/data" -m immediate stop)
			else
				"$bin/pg_ctl" -D "$dir/data" -m immediate stop
			fi
			rm -rf "$dir"
		fi
	) </dev/null >/dev/null 2>&1 &
	disown $! 2>/dev/null
}

# pg_stop: a clean, fast shutdown; the data stays for pg_start.
pg_stop() {
	[ -n "${HK_PG_DIR:-}" ] && [ -d "$HK_PG_DIR/data" ] || return 0
	pg_as_server "$HK_PG_BIN/pg_ctl" -D "$HK_PG_DIR/data" -m fast -w stop >/dev/null 2>&1
	return 0
}

pg_restart() {
	pg_stop && pg_server_up
}

# pg_destroy: stop and remove, when this shell created the cluster.
pg_destroy() {
	[ -n "${HK_PG_DIR:-}" ] && [ "${HK_PG_OWNER:-}" = "$BASHPID" ] || return 0
	pg_as_server "$HK_PG_BIN/pg_ctl" -D "$HK_PG_DIR/data" -m immediate stop >/dev/null 2>&1
	rm -rf "$HK_PG_DIR"
	HK_PG_DIR=
}

# pg_uri [DB]: the libpq URI of DB for the unprivileged role, no password.
pg_uri() {
	printf 'postgresql://%s@%s:%s/%s\n' "$HK_PG_ROLE" "$HK_PG_HOST" "$HK_PG_PORT" "${1:-postgres}"
}

# pg_sql [-d DB] SQL: runs SQL as the superuser (psql -Atq, stops at the
# first error); prints the rows, '|' between columns.
pg_sql() {
	local db=postgres
	[ "${1:-}" = -d ] && { db=$2; shift 2; }
	printf '%s\n' "$*" | PGOPTIONS="-c client_min_messages=warning" "$HK_PG_BIN/psql" -X -Atq -v ON_ERROR_STOP=1 \
		-h "$HK_PG_HOST" -p "$HK_PG_PORT" -U "$HK_PG_SUPER" -d "$db" -f -
}

# pg_createdb NAME: a fresh database NAME (dropped first if it exists),
# owned by the unprivileged role; prints its URI.
pg_createdb() {
	local name=$1
	pg_sql "DROP DATABASE IF EXISTS \"$name\" WITH (FORCE)" >/dev/null &&
	pg_sql "CREATE DATABASE \"$name\" OWNER $HK_PG_ROLE" >/dev/null || return 1
	pg_uri "$name"
}

# pg_dropdb NAME
pg_dropdb() {
	pg_running || return 0
	pg_sql "DROP DATABASE IF EXISTS \"$1\" WITH (FORCE)" >/dev/null
}
