#!/bin/sh
# spawn-fcgi.sh - run hikyaku-fcgi under spawn-fcgi, for systems without
# systemd (see conf/systemd/ otherwise).  spawn-fcgi creates the unix
# socket, hands it to the worker as fd 0 and detaches; the worker's own
# master then forks `workers` processes that share that socket.
#
#   spawn-fcgi.sh start | stop | restart | status
#
# Settings come from the environment (defaults in brackets):
#   HIKYAKU_PREFIX   the installation prefix                [/usr/local]
#   HIKYAKU_CONFIG   hikyaku.conf; it must NOT set `listen`, or the worker
#                    would open its own socket instead of using fd 0
#                                           [$HIKYAKU_PREFIX/etc/hikyaku/hikyaku.conf]
#   HIKYAKU_SOCKET   the socket the web server connects to
#                                                  [/run/hikyaku/hikyaku.sock]
#   HIKYAKU_PIDFILE  [/run/hikyaku/hikyaku-fcgi.pid]
#   HIKYAKU_LOG      where the worker's log lines go   [/var/log/hikyaku.log]
#   HIKYAKU_USER     run the worker as this user (when started as root)
#                                                                [hikyaku]
#   HIKYAKU_SOCKET_GROUP  the socket's group: the web server's  [www-data]
#   HIKYAKU_SOCKET_MODE   [0660]
#
# As root, the worker runs as HIKYAKU_USER (which must own the database
# folder and be able to read secret.key); set HIKYAKU_USER= (empty) to keep
# the current user.
set -eu

prefix=${HIKYAKU_PREFIX:-/usr/local}
config=${HIKYAKU_CONFIG:-$prefix/etc/hikyaku/hikyaku.conf}
socket=${HIKYAKU_SOCKET:-/run/hikyaku/hikyaku.sock}
pidfile=${HIKYAKU_PIDFILE:-/run/hikyaku/hikyaku-fcgi.pid}
log=${HIKYAKU_LOG:-/var/log/hikyaku.log}
user=${HIKYAKU_USER-hikyaku}
group=${HIKYAKU_SOCKET_GROUP-www-data}
mode=${HIKYAKU_SOCKET_MODE:-0660}
fcgi=$prefix/sbin/hikyaku-fcgi

running() {
	[ -s "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null
}

start() {
	if running; then
		echo "hikyaku-fcgi is already running (pid $(cat "$pidfile"))" >&2
		return 0
	fi
	if grep -Eq '^[[:space:]]*listen[[:space:]]*=' "$config" 2>/dev/null; then
		echo "$config sets listen: remove it, spawn-fcgi provides the socket" >&2
		return 1
	fi
	mkdir -p "$(dirname "$socket")" "$(dirname "$pidfile")"
	set -- -s "$socket" -M "$mode" -P "$pidfile"
	if [ "$(id -u)" = 0 ]; then
		[ -z "$user" ] || set -- "$@" -u "$user" -U "$user"
		[ -z "$group" ] || set -- "$@" -G "$group"
	fi
	# The worker logs to stderr, which spawn-fcgi points at /dev/null:
	# a shell in between sends it to the log file instead.
	# shellcheck disable=SC2016
	spawn-fcgi "$@" -- /bin/sh -c 'exec "$@" 2>>"$0"' "$log" \
		"$fcgi" --config "$config" >/dev/null
}

stop() {
	if ! running; then
		rm -f "$pidfile"
		return 0
	fi
	pid=$(cat "$pidfile")
	# SIGTERM: requests in flight finish (a connection test can take a
	# couple of minutes at worst), then the worker exits.
	kill -TERM "$pid"
	i=0
	while kill -0 "$pid" 2>/dev/null; do
		i=$((i + 1))
		if [ $i -gt 1500 ]; then
			echo "hikyaku-fcgi (pid $pid) did not stop in 150 s" >&2
			return 1
		fi
		sleep 0.1
	done
	rm -f "$pidfile" "$socket"
}

case ${1:-} in
start) start ;;
stop) stop ;;
restart) stop && start ;;
status)
	if running; then
		echo "hikyaku-fcgi is running (pid $(cat "$pidfile"))"
	else
		echo "hikyaku-fcgi is not running"
		exit 3
	fi ;;
*) echo "usage: $0 start|stop|restart|status" >&2; exit 1 ;;
esac
