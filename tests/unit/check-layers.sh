#!/bin/sh
# check-layers.sh - the include direction of src/'s layers, in words.
#
# Each folder of src/ is a layer (src/local.mk lists them bottom first).
# A file may include headers of its own folder and of the folders below it,
# never of one above; no include climbs out with "../".  The shipped auth
# modules may use the SDK (include/), src/lib and their own folder only.
# The build enforces the same through each layer's include path; this
# check names the offending line.  TAP output, for `make check`.
srcdir=${srcdir:-.}
cd "$srcdir" || exit 1

# Bottom first; ctl sits on lib-mail, fcgi on everything.
order="lib lib-secret lib-http lib-net lib-oauth2 lib-auth lib-sql lib-store lib-model lib-mail lib-web ui fcgi"
rank() {
	case $1 in
	ctl) echo 10 ;;		# as lib-mail: the admin command line needs no web layer
	modules) echo 1 ;;	# as src/lib
	*) i=1; for l in $order; do [ "$l" = "$1" ] && { echo $i; return; }; i=$((i + 1)); done; echo 0 ;;
	esac
}
# The folder holding header $1, or "" when none does.
home_of() {
	for d in src/*/ modules/ include/hikyaku/; do
		[ -f "$d$1" ] && { d=${d%/}; echo "${d#src/}"; return; }
	done
}

n=0; bad=0
check_file() {	# FILE LAYER
	f=$1 own=$2 own_rank=$(rank "$2")
	grep -n '^#[[:space:]]*include[[:space:]]*"' "$f" | while IFS= read -r line; do
		hdr=$(printf '%s\n' "$line" | sed -E 's/.*include[[:space:]]*"([^"]+)".*/\1/')
		case $hdr in
		config.h) continue ;;
		*../*|/*) echo "$f:${line%%:*}: includes \"$hdr\" by a relative or absolute path"; continue ;;
		esac
		home=$(home_of "$hdr")
		case $home in
		"") echo "$f:${line%%:*}: \"$hdr\" is not a header of src/, modules/ or include/" ;;
		include/hikyaku) ;;		# the SDK: every layer may use it
		"$own") ;;
		modules) echo "$f:${line%%:*}: the core includes a module's header \"$hdr\"" ;;
		*) [ "$(rank "$home")" -le "$own_rank" ] ||
			echo "$f:${line%%:*}: $own includes \"$hdr\" of $home, a layer above it" ;;
		esac
	done
}

out=$(
	for d in src/*/ modules/; do
		layer=${d%/}; layer=${layer#src/}
		[ "$(rank "$layer")" -gt 0 ] || { echo "$d: a folder that is no layer (add it to src/local.mk and here)"; continue; }
		for f in "$d"*.c "$d"*.h; do
			[ -f "$f" ] && check_file "$f" "$layer"
		done
	done
)
echo "1..2"
if [ -z "$out" ]; then
	echo "ok 1 - every include of src/ and modules/ points to its own layer or one below"
else
	printf '%s\n' "$out" | sed 's/^/# /'
	echo "not ok 1 - includes that run up the layers: $(printf '%s\n' "$out" | wc -l)"
	bad=1
fi
# A header name must be unique across the layers, or the include path
# decides silently which one a file gets.
dups=$(for d in src/*/ modules/ include/hikyaku/; do ls "$d" ; done | grep '\.h$' | sort | uniq -d)
if [ -z "$dups" ]; then
	echo "ok 2 - every header name is unique across the layers"
else
	echo "not ok 2 - header names used in two layers: $dups"
	bad=1
fi
exit $bad
