# tests/lib/idp.sh - a real OAuth 2.0 authorization server for the tests
# (tests/peers/idp: oidc-provider over HTTPS on 127.0.0.1, its own test CA).
# Needs node and `npm ci` in tests/peers/idp (tests/deps does both).
# Source it; the functions use HK_SRCDIR (default: this checkout).
#
#   idp_available                 exit 0 when node and the npm package are there
#   idp_start [VAR=value...]      start one; VARs: IDP_AT_TTL (s, default 3600),
#                                 IDP_SHORT_AT_TTL (the client hikyaku-short's,
#                                 default 3), IDP_RT_TTL, IDP_REDIRECT_URIS
#                                 (space-separated),
#                                 IDP_PORT (default: a free one), IDP_DIR (default:
#                                 a new directory under HK_TMP or /tmp).  Loads
#                                 DIR/idp.env into the shell: IDP_ISSUER, IDP_PORT,
#                                 IDP_CA_FILE, IDP_*_URL, IDP_SCOPE, the client ids
#                                 and secrets (README).  Returns 1 (log on stderr)
#                                 when it did not come up within 20 s.
#   idp_stop                      stop it and remove its directory (idempotent)
#   idp_authorize URL USER        follow an authorization URL (hikyaku's connect
#                                 redirect, say), sign in as USER on the dev form,
#                                 print the URL the browser would be sent back to
#                                 (REDIRECT?code=...&state=... or ?error=...)
#   idp_deny URL                  the same, but the user aborts the sign-in:
#                                 prints REDIRECT?error=access_denied&...&state=...
#   idp_token USER [CLIENT [SECRET]]
#                                 the authorization code flow with PKCE S256 for
#                                 USER: prints "ACCESS_TOKEN REFRESH_TOKEN"
#                                 (CLIENT default: the public client)
#   idp_token_json USER [CLIENT [SECRET]]   the same; the token response as is
#   idp_refresh REFRESH_TOKEN [CLIENT [SECRET]]
#                                 a refresh request; prints the response body
#                                 (the new tokens, or {"error":"invalid_grant",...})
#   idp_device_approve USER_CODE USER
#                                 what the user does in the browser for the
#                                 device flow (RFC 8628): enter USER_CODE at
#                                 /device, confirm, sign in as USER
#   idp_cc_token [CLIENT SECRET]  a client_credentials access token (default:
#                                 the client_secret_basic confidential client)
#   idp_introspect TOKEN [RS_ID RS_SECRET]
#                                 the introspection answer as Dovecot sees it
#                                 (default: as resource-server, for users' tokens)
#   idp_revoke USER               destroy every grant of USER (the user revoked
#                                 the app): refresh → invalid_grant, access
#                                 tokens inactive
#   idp_fault off|hang|garbage|500|503-html
#                                 how the token endpoint answers from now on
#   idp_mailpeers_vars            the settings that make `mailpeers start` (or
#                                 hk_mail_start) accept this IdP's tokens:
#                                 hk_mail_start TAG $(idp_mailpeers_vars)
#   idp_json_field JSON NAME      a string field of a flat JSON object
#
# Every request has a limit of IDP_CURL_TIMEOUT seconds (default 10).
# Tokens pass through curl's arguments: fine for short-lived test tokens.

: "${HK_SRCDIR:=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
IDP_HOME=$HK_SRCDIR/tests/peers/idp

idp_available() {
	command -v node >/dev/null && command -v curl >/dev/null &&
		[ -d "$IDP_HOME/node_modules/oidc-provider" ]
}

idp_start() {
	local kv settings=() dir=
	for kv in "$@"; do
		case ${kv%%=*} in
		IDP_AT_TTL | IDP_SHORT_AT_TTL | IDP_RT_TTL | IDP_REDIRECT_URIS | IDP_PORT) settings+=("$kv") ;;
		IDP_DIR) dir=${kv#*=} ;;
		*) echo "idp_start: unknown setting '$kv'" >&2; return 1 ;;
		esac
	done
	idp_available || { echo "idp_start: needs node and 'npm ci' in $IDP_HOME" >&2; return 1; }
	IDPDIR=${dir:-$(mktemp -d "${HK_TMP:-/tmp}/idp.XXXXXX")}
	mkdir -p "$IDPDIR/log"
	chmod 755 "$IDPDIR"
	# In a session of its own, holding no descriptor of ours beyond stdio
	# (a caller's $(...) or tests/run's log would otherwise stay open).
	(
		cd "$IDP_HOME" || exit 1
		for fd in /proc/$BASHPID/fd/*; do
			fd=${fd##*/}
			((fd > 2)) && eval "exec $fd>&-" 2>/dev/null
		done
		exec env "${settings[@]}" setsid node idp.mjs "$IDPDIR" < /dev/null > "$IDPDIR/log/idp.log" 2>&1
	) &
	local starter=$! i
	for ((i = 0; i < 200; i++)); do
		[ -s "$IDPDIR/idp.env" ] && break
		if [ -s "$IDPDIR/idp.pid" ]; then kill -0 "$(tr -dc 0-9 < "$IDPDIR/idp.pid")" 2>/dev/null || break
		else kill -0 "$starter" 2>/dev/null || break; fi
		sleep 0.1
	done
	if [ ! -s "$IDPDIR/idp.env" ]; then
		echo "idp_start: the IdP did not start; its log:" >&2
		sed 's/^/  /' "$IDPDIR/log/idp.log" >&2
		idp_stop
		return 1
	fi
	. "$IDPDIR/idp.env"
}

idp_stop() {
	[ -n "${IDPDIR:-}" ] || return 0
	local pid
	pid=$(tr -dc 0-9 < "$IDPDIR/idp.pid" 2>/dev/null)
	# only our node: its command line names this directory
	if [ -n "$pid" ] && [[ $(tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null) == *"idp.mjs $IDPDIR"* ]] &&
		kill -TERM "$pid" 2>/dev/null; then
		local i
		for ((i = 0; i < 50; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
		kill -KILL "$pid" 2>/dev/null
	fi
	rm -rf "$IDPDIR"
	IDPDIR=
}

_idp_curl() { curl -sS -m "${IDP_CURL_TIMEOUT:-10}" --cacert "$IDP_CA_FILE" "$@"; }

# a flat JSON object's string (or number) field; enough for token answers
idp_json_field() {
	printf '%s' "$1" | grep -oE "\"$2\"[[:space:]]*:[[:space:]]*(\"[^\"]*\"|[0-9]+|true|false)" |
		head -1 | sed -E 's/^"[^"]*"[[:space:]]*:[[:space:]]*"?//; s/"$//'
}

idp_authorize() {
	local url=$1 user=$2 jar loc n
	jar=$(mktemp "$IDPDIR/jar.XXXXXX")
	for ((n = 0; n < 10; n++)); do
		if [[ $url == */interaction/* && $user == - ]]; then
			loc=$(_idp_curl -b "$jar" -c "$jar" -o /dev/null -w '%{redirect_url}' "${url%/}/abort")
		elif [[ $url == */interaction/* ]]; then
			loc=$(idp_authorize_step "$jar" "$url" "$user")
		else
			loc=$(_idp_curl -b "$jar" -c "$jar" -o /dev/null -w '%{redirect_url}' "$url")
		fi
		[ -n "$loc" ] || { echo "idp_authorize: no redirect from $url" >&2; rm -f "$jar"; return 1; }
		if [[ $loc != "$IDP_ISSUER"/* ]]; then
			rm -f "$jar"
			printf '%s\n' "$loc"
			return 0
		fi
		url=$loc
	done
	rm -f "$jar"
	echo "idp_authorize: too many redirects" >&2
	return 1
}

idp_deny() { idp_authorize "$1" -; }

_idp_urlenc() { local LC_ALL=C s=$1 i c o=; for ((i = 0; i < ${#s}; i++)); do c=${s:i:1}; case $c in [A-Za-z0-9._~-]) o+=$c ;; *) printf -v c '%%%02X' "'$c"; o+=$c ;; esac; done; printf '%s' "$o"; }

# _idp_client_auth CLIENT SECRET: curl arguments that authenticate CLIENT
# the way it was registered
_idp_client_auth() {
	case $1 in
	"$IDP_PUBLIC_ID" | "$IDP_SHORT_ID") printf '%s\0' --data-urlencode "client_id=$1" ;;
	"$IDP_POST_ID") printf '%s\0' --data-urlencode "client_id=$1" --data-urlencode "client_secret=$2" ;;
	*) printf '%s\0' -u "$1:$2" ;;
	esac
}

idp_token_json() {
	local user=$1 client=${2:-$IDP_PUBLIC_ID} secret=${3:-} verifier challenge state back code
	[ -n "$secret" ] || case $client in
		"$IDP_CONF_ID") secret=$IDP_CONF_SECRET ;; "$IDP_POST_ID") secret=$IDP_POST_SECRET ;;
	esac
	verifier=$(openssl rand -hex 32)
	challenge=$(printf '%s' "$verifier" | openssl dgst -sha256 -binary | base64 -w0 | tr '+/' '-_' | tr -d =)
	state=$(openssl rand -hex 8)
	back=$(idp_authorize "$IDP_AUTH_URL?client_id=$(_idp_urlenc "$client")&response_type=code&redirect_uri=$(_idp_urlenc "$IDP_REDIRECT_URI")&scope=$(_idp_urlenc "$IDP_SCOPE")&state=$state&code_challenge=$challenge&code_challenge_method=S256&login_hint=$(_idp_urlenc "$user")" "$user") || return 1
	[[ $back == *"state=$state"* ]] || { echo "idp_token: bad callback $back" >&2; return 1; }
	code=$(printf '%s' "$back" | grep -oE '[?&]code=[^&]+' | cut -d= -f2)
	[ -n "$code" ] || { echo "idp_token: no code in $back" >&2; return 1; }
	local auth=()
	mapfile -d '' auth < <(_idp_client_auth "$client" "$secret")
	_idp_curl "${auth[@]}" --data-urlencode grant_type=authorization_code \
		--data-urlencode "code=$code" --data-urlencode "redirect_uri=$IDP_REDIRECT_URI" \
		--data-urlencode "code_verifier=$verifier" "$IDP_TOKEN_URL"
}

idp_token() {
	local j at rt
	j=$(idp_token_json "$@") || return 1
	at=$(idp_json_field "$j" access_token) rt=$(idp_json_field "$j" refresh_token)
	[ -n "$at" ] && [ -n "$rt" ] || { echo "idp_token: $j" >&2; return 1; }
	printf '%s %s\n' "$at" "$rt"
}

idp_refresh() {
	local rt=$1 client=${2:-$IDP_PUBLIC_ID} secret=${3:-} auth=()
	[ -n "$secret" ] || case $client in
		"$IDP_CONF_ID") secret=$IDP_CONF_SECRET ;; "$IDP_POST_ID") secret=$IDP_POST_SECRET ;;
	esac
	mapfile -d '' auth < <(_idp_client_auth "$client" "$secret")
	_idp_curl "${auth[@]}" --data-urlencode grant_type=refresh_token \
		--data-urlencode "refresh_token=$rt" --data-urlencode "scope=$IDP_SCOPE" "$IDP_TOKEN_URL"
}

_idp_xsrf() { grep -o 'name="xsrf" value="[^"]*"' | head -1 | cut -d'"' -f4; }

idp_device_approve() {
	local code=$1 user=$2 jar x loc rc=1
	jar=$(mktemp "$IDPDIR/jar.XXXXXX")
	x=$(_idp_curl -b "$jar" -c "$jar" "$IDP_ISSUER/device" | _idp_xsrf)
	x=$(_idp_curl -b "$jar" -c "$jar" --data-urlencode "xsrf=$x" --data-urlencode "user_code=$code" \
		"$IDP_ISSUER/device" | _idp_xsrf)
	loc=$(_idp_curl -b "$jar" -c "$jar" --data-urlencode "xsrf=$x" --data-urlencode "user_code=$code" \
		-d confirm=yes -o /dev/null -w '%{redirect_url}' "$IDP_ISSUER/device")
	if [[ $loc == */interaction/* ]] && loc=$(idp_authorize_step "$jar" "$loc" "$user") &&
		_idp_curl -b "$jar" -c "$jar" "$loc" | grep -q 'Sign-in Success'; then
		rc=0
	else
		echo "idp_device_approve: user code $code was not accepted" >&2
	fi
	rm -f "$jar"
	return $rc
}

# idp_authorize_step JAR URL USER: post the sign-in form at URL; print
# where it leads
idp_authorize_step() {
	_idp_curl -b "$1" -c "$1" -o /dev/null -w '%{redirect_url}' --data-urlencode prompt=login \
		--data-urlencode "login=$3" --data-urlencode password=any "$2"
}

idp_cc_token() {
	local client=${1:-$IDP_CONF_ID} secret=${2:-$IDP_CONF_SECRET} auth=() j
	mapfile -d '' auth < <(_idp_client_auth "$client" "$secret")
	j=$(_idp_curl "${auth[@]}" --data-urlencode grant_type=client_credentials \
		--data-urlencode scope=mail "$IDP_TOKEN_URL") || return 1
	idp_json_field "$j" access_token | grep . || { echo "idp_cc_token: $j" >&2; return 1; }
}

idp_introspect() {
	_idp_curl -u "${2:-$IDP_RS_ID}:${3:-$IDP_RS_SECRET}" --data-urlencode "token=$1" "$IDP_INTROSPECTION_URL"
}

_idp_control() {	# PATH FIELD=VALUE
	_idp_curl -f -H "X-Test-Admin: $IDP_ADMIN_KEY" --data-urlencode "$2" "$IDP_ISSUER/_test/$1" >/dev/null
}
idp_revoke() { _idp_control revoke "sub=$1"; }
idp_fault() { _idp_control fault "mode=$1"; }

idp_mailpeers_vars() {
	local base=127.0.0.1:$IDP_PORT/token/introspection
	printf '%s\n' "MAILPEERS_OAUTH2_INTROSPECTION_URL=https://$IDP_RS_ID:$IDP_RS_SECRET@$base" \
		"MAILPEERS_OAUTH2_APP_INTROSPECTION_URL=https://$IDP_RS_APP_ID:$IDP_RS_APP_SECRET@$base" \
		"MAILPEERS_OAUTH2_CA_FILE=$IDP_CA_FILE"
}
