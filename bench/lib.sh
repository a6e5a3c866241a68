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
