# bench/lib.sh - shared set-up for the benchmarks: an optimised build of the
# current tree in _bench/, and an instance behind nginx (tests/lib/instance.sh).
BENCH_SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BENCH_OUT=$BENCH_SRC/_bench

bench_build() {
	mkdir -p "$BENCH_OUT/build"
	( cd "$BENCH_SRC" && { [ -x configure ] || autoreconf -fi; } ) >/dev/null 2>&1
	( cd "$BENCH_OUT/build" &&
	  { [ -f Makefile ] || "$BENCH_SRC/configure" -q --prefix="$BENCH_OUT/prefix" CFLAGS="-O2 -g"; } &&
	  make -s -j2 && make -s install ) >"$BENCH_OUT/build.log" 2>&1 ||
		{ tail -20 "$BENCH_OUT/build.log"; return 1; }
	cc -O2 -o "$BENCH_OUT/fcgi-ceiling" "$BENCH_SRC/bench/fcgi-ceiling.c" -lfcgi || return 1
	HK_PREFIX=$BENCH_OUT/prefix
}

# The page cache is off unless BENCH_CACHE=yes: the goals are about
# rendering (issue 15), and a cache hit measures only the cache.
bench_cache_conf() {
	[ "${BENCH_CACHE:-no}" = yes ] || echo 'page_cache = no'
}

# bench_goal NAME FIGURE BASELINE GOAL: one row of the table bench/run
# prints at the end (issue 15's goals), kept in $BENCH_OUT/goals.
bench_goal() {
	mkdir -p "$BENCH_OUT"
	printf '%s|%s|%s|%s\n' "$@" >> "$BENCH_OUT/goals"
}

# ratio A B: A/B with two decimals.
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }

# wrk_rps URL [wrk args]: requests per second (median-free single run; the
# caller repeats and takes the best of N to damp noise).
wrk_rps() {
	local url=$1; shift
	wrk -t2 -c16 -d"${BENCH_SECS:-10}"s "$@" "$url" 2>/dev/null |
		awk '/^Requests\/sec:/ { print $2 }'
}

# rss_kb PID: resident set size in KiB.
rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }

# bench_add_servers DB N: N mail servers written straight into the database
# the screens read (what bench/screens and bench/memory list).
bench_add_servers() {
	local db=$1 n=$2 i
	{
		echo "BEGIN;"
		for i in $(seq 1 "$n"); do
			echo "INSERT INTO mail_servers (position, name, smtp_host, smtp_port, smtp_security,
				smtp_tls_verify, smtp_auth, smtp_auth_method, smtp_credentials, pop_before_smtp,
				pop_before_smtp_wait, send_limit, recv_protocol, apop, recv_host, recv_port,
				recv_security, recv_tls_verify, recv_limit, created_at, updated_at)
				VALUES ($i, 'Support desk $i', 'smtp$i.example.jp', 587, 'starttls', 1, 1, 'cram-md5',
				'account', 0, 0, 10485760, 'pop3', 1, 'pop$i.example.jp', 995, 'tls', 1, 5242880, 0, 0);"
		done
		echo "COMMIT;"
	} | sqlite3 "$db"
}

# bench_session: signs in (tests/lib/http.sh) and prints the Cookie value.
bench_session() {
	new_browser
	sign_in >/dev/null
	echo "hikyaku_session=$(awk '$6 == "hikyaku_session" { print $7 }' "$HK_JAR")"
}
