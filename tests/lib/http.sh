# tests/lib/http.sh - small curl wrappers for integration tests.
#
#   req GET  PATH [curl args...]    sets STATUS, HEADERS, BODY
#   req POST PATH 'a=1&b=2' [curl args...]   (data '@FILE' sends a file;
#                                             CT=type overrides the type)
# Cookies persist in $HK_JAR (one browser); `new_browser` starts afresh.
# PATH is relative to $HK_URL.

new_browser() {
	HK_JAR=$(mktemp "${HK_DIR:-/tmp}/jar.XXXXXX")
}

req() {
	local method=$1 path=$2 hdr body
	shift 2
	hdr=$(mktemp); body=$(mktemp)
	if [ "$method" = POST ]; then
		local data=$1; shift
		STATUS=$(curl -s -o "$body" -D "$hdr" -w '%{http_code}' -b "$HK_JAR" -c "$HK_JAR" \
			-X POST --data-binary "$data" \
			-H "Content-Type: ${CT:-application/x-www-form-urlencoded}" "$@" "$HK_URL$path")
	else
		STATUS=$(curl -s -o "$body" -D "$hdr" -w '%{http_code}' -b "$HK_JAR" -c "$HK_JAR" \
			-X "$method" "$@" "$HK_URL$path")
	fi
	HEADERS=$(tr -d '\r' < "$hdr")
	BODY=$(cat "$body")
	rm -f "$hdr" "$body"
}

# header NAME: the value of a response header from the last req (first one).
header() {
	printf '%s\n' "$HEADERS" | grep -i "^$1:" | head -1 | sed -E 's/^[^:]+: ?//'
}

# csrf_of: the csrf attribute of the XML page in BODY.
csrf_of() {
	printf '%s' "$BODY" | grep -oE 'csrf="[0-9a-f]+"' | head -1 | sed -E 's/csrf="(.*)"/\1/'
}

# csrf_now PATH: fetches PATH as XML and prints its csrf token.
csrf_now() {
	req GET "${1:-login}" -H 'Accept: application/xml'
	csrf_of
}

# sign_in [USER] [PASS]: signs in through the form; leaves STATUS.
sign_in() {
	local token
	token=$(csrf_now login)
	req POST login "csrf_token=$token&user=${1:-$HK_ADMIN_USER}&password=${2:-$HK_ADMIN_PASS}"
}
