# tests/lib/serverpages.sh - the answers a web server makes itself carry
# the worker's security headers and no version.  Needs tap.sh.
#
#   server_pages URL WANT...   (URL ends in '/'; WANT: the statuses, in order,
#                               of: a lowercase method, TRACE, a 9000-byte
#                               URI, a 9000-byte header line, the worker's
#                               404 through the web server)
#
# The reference is the worker's own GET URL/login, through the same web
# server: each answer must carry each of its security headers exactly once
# and with the same value, a Server header without a version, and no
# version in its body.

SERVERPAGES_HEADERS="Content-Security-Policy X-Content-Type-Options X-Frame-Options Referrer-Policy"

# The value(s) of header $2 in the header block $1, one per line.
serverpages_values() {
	printf '%s\n' "$1" | grep -i "^$2:" | sed -E 's/^[^:]+: ?//'
}

server_pages() {
	local url=$1 long ref h want got hdrs body i
	shift
	long=$(head -c 9000 /dev/zero | tr '\0' a)
	body=$(mktemp)
	ref=$(curl -s -o /dev/null -D - "${url}login" | tr -d '\r')
	for h in $SERVERPAGES_HEADERS; do
		is "the worker's own answer carries $h once" \
			"$(serverpages_values "$ref" "$h" | wc -l)" 1
	done
	i=0
	for what in "a lowercase method" "TRACE" "a URI over the web server's buffer" \
	    "a header line over the web server's buffer" "the worker's 404"; do
		i=$((i + 1))
		case $i in
		1) hdrs=$(curl -s -o "$body" -D - -X get "${url}login") ;;
		2) hdrs=$(curl -s -o "$body" -D - -X TRACE "${url}login") ;;
		3) hdrs=$(curl -s -o "$body" -D - "${url}$long") ;;
		4) hdrs=$(curl -s -o "$body" -D - -H "X-Big: $long" "${url}login") ;;
		5) hdrs=$(curl -s -o "$body" -D - "${url}no-such-screen") ;;
		esac
		hdrs=$(printf '%s' "$hdrs" | tr -d '\r')
		got=$(printf '%s\n' "$hdrs" | head -1 | cut -d' ' -f2)
		is "$what: $1" "$got" "$1"
		shift
		for h in $SERVERPAGES_HEADERS; do
			want=$(serverpages_values "$ref" "$h")
			is "... $h, once, as the worker sends it" \
				"$(serverpages_values "$hdrs" "$h")" "$want"
		done
		like "... Server without a version" "$(serverpages_values "$hdrs" Server)" '^(nginx|Apache)$'
		unlike "... no version in the body" "$(cat "$body")" '(nginx|Apache)/[0-9]'
	done
	rm -f "$body"
}
