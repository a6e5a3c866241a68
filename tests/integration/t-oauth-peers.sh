#!/usr/bin/env bash
# t-oauth-peers.sh - the real OAuth 2.0 peers answer as the OAuth tests
# expect: tokens from the test IdP (tests/peers/idp, through
# tests/lib/idp.sh) sign in to Dovecot (mailpeers with the IdP) with
# XOAUTH2 and OAUTHBEARER on IMAP, POP3 and submission; a token is only
# good for its own user, expires, dies with its grant; refresh tokens
# rotate and a spent one answers invalid_grant; app-only tokens
# (client_credentials) open any mailbox; the test controls work.
# Raw dialogues over /dev/tcp, so every reply is seen as sent.
set -u
. "$HK_SRCDIR/tests/lib/tap.sh"
. "$HK_SRCDIR/tests/lib/idp.sh"
MP=$HK_SRCDIR/tests/peers/mailpeers
H=127.0.0.1

if [ "$(id -u)" != 0 ] || [ ! -x /usr/sbin/dovecot ] || ! idp_available; then
	echo "1..0 # SKIP needs root, '$MP install' and 'npm ci' in tests/peers/idp (tests/deps)"
	exit 0
fi

if [ -n "${HK_TMP:-}" ]; then chmod o+x "$HK_TMP"; D=$(mktemp -d "$HK_TMP/oauth.XXXXXX")
else D=$(mktemp -d /tmp/hk-oauth.XXXXXX); fi
chmod o+x "$D"
trap '"$MP" stop "$D/mp" >/dev/null 2>&1; idp_stop; rm -rf "$D"' EXIT
trap 'exit 1' INT TERM HUP

t0=$EPOCHREALTIME
idp_start IDP_SHORT_AT_TTL=3 IDP_REDIRECT_URIS="http://127.0.0.1:9/hikyaku/oauth2/callback" 2>"$D/idp.err"
rc=$?
is "the IdP started" "$rc" 0
[ $rc = 0 ] || { sed 's/^/# /' "$D/idp.err"; done_testing; exit 1; }
diag "IdP up in $(awk "BEGIN { printf \"%.2f\", $EPOCHREALTIME - $t0 }") s at $IDP_ISSUER"
like "its certificate is for IP 127.0.0.1, from the test CA" \
	"$({ openssl verify -CAfile "$IDP_CA_FILE" "$IDPDIR/tls/server.pem"; openssl x509 -in "$IDPDIR/tls/server.pem" -noout -ext subjectAltName; } 2>&1 | tr -d '\n')" \
	'OK.*IP Address:127.0.0.1'
disc=$(curl -sS -m 10 --cacert "$IDP_CA_FILE" "$IDP_ISSUER/.well-known/openid-configuration")
missing=
for kv in "issuer\":\"$IDP_ISSUER\"" "authorization_endpoint\":\"$IDP_AUTH_URL\"" \
	"token_endpoint\":\"$IDP_TOKEN_URL\"" "device_authorization_endpoint\":\"$IDP_DEVICE_URL\"" \
	"introspection_endpoint\":\"$IDP_INTROSPECTION_URL\"" "revocation_endpoint\":\"$IDP_REVOCATION_URL\""; do
	[[ $disc == *"\"$kv"* ]] || missing+=" ${kv%%\"*}"
done
is "discovery names the issuer and every endpoint of idp.env" "$missing" ""

t0=$EPOCHREALTIME
out=$(env $(idp_mailpeers_vars) MAILPEERS_PORT_OFFSET=auto "$MP" start "$D/mp" 2>"$D/mp.err"); rc=$?
is "mailpeers started with the IdP" "$rc" 0
[ $rc = 0 ] || { sed 's/^/# /' "$D/mp.err"; done_testing; exit 1; }
diag "mail peers up in $(awk "BEGIN { printf \"%.2f\", $EPOCHREALTIME - $t0 }") s"
eval "$out"
is "... and say so in their env" "$OAUTH2" on

# ---- raw dialogues -------------------------------------------------------
send() { printf '%s\r\n' "$1" >&"$C"; }
line() { IFS= read -r -t 10 L <&"$C" && L=${L%$'\r'}; }
# the initial responses; \001 is ^A
xoauth2() { printf 'user=%s\001auth=Bearer %s\001\001' "$1" "$2" | base64 -w0; }
oauthbearer() { printf 'n,a=%s,\001host=%s\001port=%s\001auth=Bearer %s\001\001' "$1" "$H" "$3" "$2" | base64 -w0; }

# After a refusal both mechanisms send an error challenge (JSON) and want
# an answer before the final reply: OAUTHBEARER ^A (RFC 7628 3.2.3),
# XOAUTH2 an empty line (Google's and Microsoft's documentation).
ack() { if [ "$1" = XOAUTH2 ]; then send ""; else send AQ==; fi; }

# imap MECH USER TOKEN: the tagged reply to AUTHENTICATE (SASL-IR) without
# its CAPABILITY code; the decoded error challenge, if any, goes first
imap() {
	local ir
	if [ "$1" = XOAUTH2 ]; then ir=$(xoauth2 "$2" "$3"); else ir=$(oauthbearer "$2" "$3" "$IMAP_PORT"); fi
	exec {C}<>"/dev/tcp/$H/$IMAP_PORT"
	line; send "a AUTHENTICATE $1 $ir"
	while line; do
		case $L in
		"+ "*) printf '%s ' "$(base64 -d <<< "${L#+ }")"; ack "$1" ;;
		"a "* | "* BYE "*) echo "${L/ \[CAPABILITY *\]/}"; break ;;
		esac
	done
	send "b LOGOUT"; exec {C}<&-
}

# pop3 MECH USER TOKEN: the reply to AUTH
pop3() {
	local ir
	if [ "$1" = XOAUTH2 ]; then ir=$(xoauth2 "$2" "$3"); else ir=$(oauthbearer "$2" "$3" "$POP3_PORT"); fi
	exec {C}<>"/dev/tcp/$H/$POP3_PORT"
	line; send "AUTH $1 $ir"; line
	if [[ $L == "+ "* ]]; then printf '%s ' "$(base64 -d <<< "${L#+ }")"; ack "$1"; line; fi
	echo "$L"
	send QUIT; exec {C}<&-
}

# smtp MECH USER TOKEN: the final reply to AUTH on the submission port
smtp() {
	local ir
	if [ "$1" = XOAUTH2 ]; then ir=$(xoauth2 "$2" "$3"); else ir=$(oauthbearer "$2" "$3" "$SUBMISSION_PORT"); fi
	exec {C}<>"/dev/tcp/$H/$SUBMISSION_PORT"
	line; send "EHLO t-oauth"; while line && [[ $L == 250-* ]]; do :; done
	send "AUTH $1 $ir"; line
	if [[ $L == "334 "* ]]; then printf '%s ' "$(base64 -d <<< "${L#334 }")"; ack "$1"; line; fi
	echo "$L"
	send QUIT; exec {C}<&-
}

# ---- what the servers offer ----------------------------------------------
capa=$(exec {C}<>"/dev/tcp/$H/$IMAP_PORT"; line; send "a CAPABILITY"; line; echo "$L"; send "b LOGOUT")
like "IMAP offers AUTH=XOAUTH2 and AUTH=OAUTHBEARER, and SASL-IR" "$capa" 'SASL-IR.*AUTH=OAUTHBEARER AUTH=XOAUTH2|SASL-IR.*AUTH=XOAUTH2'
capa=$(exec {C}<>"/dev/tcp/$H/$POP3_PORT"; line; send CAPA; while line && [ "$L" != . ]; do echo "$L"; done; send QUIT)
like "POP3 CAPA lists them under SASL" "$(echo $capa)" 'SASL .*(XOAUTH2 OAUTHBEARER|OAUTHBEARER XOAUTH2)'
capa=$(exec {C}<>"/dev/tcp/$H/$SUBMISSION_PORT"; line; send "EHLO t"; while line && [[ $L == 250-* ]]; do echo "$L"; done; echo "$L"; send QUIT)
like "submission offers AUTH ... XOAUTH2 OAUTHBEARER" "$(echo $capa)" '250.AUTH( [A-Z0-9-]+)* (XOAUTH2 OAUTHBEARER|OAUTHBEARER XOAUTH2)'

# ---- alice's token -------------------------------------------------------
read -r AT RT < <(idp_token alice)
ok "the code flow with PKCE gives alice an access and a refresh token" eval '[ -n "${AT:-}" ] && [ -n "${RT:-}" ]'
like "introspection: active, sub alice, for the public client" "$(idp_introspect "$AT")" \
	'"active":true,"sub":"alice","client_id":"hikyaku-public"'
is "IMAP AUTHENTICATE XOAUTH2" "$(imap XOAUTH2 alice "$AT")" "a OK Logged in"
is "IMAP AUTHENTICATE OAUTHBEARER" "$(imap OAUTHBEARER alice "$AT")" "a OK Logged in"
like "POP3 AUTH XOAUTH2" "$(pop3 XOAUTH2 alice "$AT")" '^\+OK Logged in'
like "POP3 AUTH OAUTHBEARER" "$(pop3 OAUTHBEARER alice "$AT")" '^\+OK Logged in'
like "submission AUTH XOAUTH2" "$(smtp XOAUTH2 alice "$AT")" '^235 '
like "submission AUTH OAUTHBEARER" "$(smtp OAUTHBEARER alice "$AT")" '^235 '
like "alice@example.test is alice too" "$(imap XOAUTH2 alice@example.test "$AT")" '^a OK'

MSG=$D/msg.txt
printf 'From: <%s>\r\nTo: <%s>\r\nSubject: oauth test\r\n\r\nSent with a bearer token.\r\n' "$ALICE_ADDR" "$BOB_ADDR" > "$MSG"
curl -sS -m 15 "smtp://$H:$SUBMISSION_PORT" -u alice: --oauth2-bearer "$AT" \
	--mail-from "$ALICE_ADDR" --mail-rcpt "$BOB_ADDR" -T "$MSG"
is "curl sends through submission with --oauth2-bearer" "$?" 0
is "... and the message reaches bob" "$("$MP" wait-mail "$D/mp" bob 1 15 2>&1)" 1

# ---- the authorization endpoint's answers -----------------------------------
U="$IDP_AUTH_URL?client_id=$IDP_PUBLIC_ID&response_type=code&redirect_uri=$IDP_REDIRECT_URI&state=s1&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&code_challenge_method=S256"
like "a sign-in gives the redirect URI a code, the state and the issuer" "$(idp_authorize "$U&scope=openid" alice)" \
	"^$IDP_REDIRECT_URI\?code=[^&]+&state=s1&iss="
like "a user who aborts: error=access_denied with the state" "$(idp_deny "$U&scope=openid")" \
	"^$IDP_REDIRECT_URI\?error=access_denied&error_description=[^&]+&state=s1"
like "an unregistered redirect URI: an error page, no redirect" \
	"$(curl -sS -m 10 --cacert "$IDP_CA_FILE" -w ' %{http_code} %{redirect_url}' "${U/redirect_uri=/redirect_uri=x}&scope=openid" | tr '\n' ' ')" \
	'error: invalid_redirect_uri.* 400 $'
like "no PKCE from the public client: error=invalid_request" \
	"$(idp_authorize "${U%%&code_challenge=*}&scope=openid" alice)" "^$IDP_REDIRECT_URI\?error=invalid_request&"

# ---- refusals ------------------------------------------------------------
NO='a NO [AUTHENTICATIONFAILED] Authentication failed.'
XNO='{"status":"401","schemes":"bearer","scope":"mail"} '"$NO"
is "alice's token is refused for bob (IMAP XOAUTH2), after an error challenge" "$(imap XOAUTH2 bob "$AT")" "$XNO"
like "... and with OAUTHBEARER the error challenge comes first (RFC 7628)" \
	"$(imap OAUTHBEARER bob "$AT")" '^\{"status":"[^"]+".*\} a NO \[AUTHENTICATIONFAILED\]'
like "... POP3" "$(pop3 XOAUTH2 bob "$AT")" '^\{"status":"401".*\} -ERR \[AUTH\]'
like "... submission" "$(smtp XOAUTH2 bob "$AT")" '^\{"status":"401".*\} 535 '
is "a made-up token is refused" "$(imap XOAUTH2 alice "x${AT}x")" "$XNO"

read -r SAT SRT < <(idp_token alice "$IDP_SHORT_ID")
got_at=$SECONDS
is "a short-lived token (hikyaku-short) is good at first" "$(imap XOAUTH2 alice "$SAT")" "a OK Logged in"
w=$((got_at + IDP_SHORT_AT_TTL + 1 - SECONDS)); [ $w -le 0 ] || sleep $w
is "... and refused once expired" "$(imap XOAUTH2 alice "$SAT")" "$XNO"
is "... introspection: inactive" "$(idp_introspect "$SAT")" '{"active":false}'
j=$(idp_refresh "$SRT" "$IDP_SHORT_ID")
is "its refresh token gets a fresh one" "$(imap XOAUTH2 alice "$(idp_json_field "$j" access_token)")" "a OK Logged in"

# ---- rotation --------------------------------------------------------------
j=$(idp_refresh "$RT"); AT2=$(idp_json_field "$j" access_token) RT2=$(idp_json_field "$j" refresh_token)
ok "a refresh (with the scope, offline_access too) answers new tokens" eval '[ -n "$AT2" ] && [ -n "$RT2" ]'
ok "... and the refresh token rotated" [ "$RT2" != "$RT" ]
is "the new access token signs in" "$(imap XOAUTH2 alice "$AT2")" "a OK Logged in"
j=$(idp_refresh "$RT2"); AT3=$(idp_json_field "$j" access_token) RT3=$(idp_json_field "$j" refresh_token)
ok "the rotated refresh token works once" [ -n "$RT3" ]
like "the spent one answers invalid_grant" "$(idp_refresh "$RT2")" '"error":"invalid_grant"'
like "... which revokes the grant: the newest refresh token is dead too" "$(idp_refresh "$RT3")" '"error":"invalid_grant"'
is "... and so is its access token" "$(imap XOAUTH2 alice "$AT3")" "$XNO"

# ---- revoking the grant ----------------------------------------------------
read -r BT BRT < <(idp_token bob)
is "bob signs in with his token" "$(imap XOAUTH2 bob "$BT")" "a OK Logged in"
idp_revoke bob
is "the test control revokes bob's grant" "$?" 0
is "... his access token is refused" "$(imap XOAUTH2 bob "$BT")" "$XNO"
like "... his refresh token answers invalid_grant" "$(idp_refresh "$BRT")" '"error":"invalid_grant"'
read -r BT BRT < <(idp_token bob)
is "... and signing in again gives working tokens" "$(imap XOAUTH2 bob "$BT")" "a OK Logged in"

# ---- device authorization (RFC 8628) -----------------------------------------
j=$(curl -sS -m 10 --cacert "$IDP_CA_FILE" -d client_id=$IDP_PUBLIC_ID --data-urlencode "scope=$IDP_SCOPE" "$IDP_DEVICE_URL")
UC=$(idp_json_field "$j" user_code) DC=$(idp_json_field "$j" device_code)
dev() { curl -sS -m 10 --cacert "$IDP_CA_FILE" -d client_id=$IDP_PUBLIC_ID \
	-d grant_type=urn:ietf:params:oauth:grant-type:device_code -d "device_code=$DC" "$IDP_TOKEN_URL"; }
like "device flow: pending until the user acts" "$(dev)" '"error":"authorization_pending"'
idp_device_approve "$UC" alice
is "idp_device_approve enters the code and signs in" "$?" 0
j=$(dev)
is "... then the device code gets a token that signs in" "$(imap XOAUTH2 alice "$(idp_json_field "$j" access_token)")" "a OK Logged in"
ok "... with a refresh token" [ -n "$(idp_json_field "$j" refresh_token)" ]

# ---- confidential clients, app-only tokens ---------------------------------
j=$(idp_token_json alice "$IDP_POST_ID")
is "the client_secret_post client gets a token that signs in" \
	"$(imap XOAUTH2 alice "$(idp_json_field "$j" access_token)")" "a OK Logged in"
j=$(idp_token_json alice "$IDP_CONF_ID" wrong-secret 2>&1)
like "a wrong client secret answers invalid_client" "$j" '"error":"invalid_client"'
CC=$(idp_cc_token)
like "client_credentials: an app-only token, active for resource-server-app" \
	"$(idp_introspect "$CC" "$IDP_RS_APP_ID" "$IDP_RS_APP_SECRET")" '^\{"active":true,"client_id":"hikyaku-confidential"'
is "... inactive for resource-server" "$(idp_introspect "$CC")" '{"active":false}'
is "... and a user's token the other way round" "$(idp_introspect "$AT" "$IDP_RS_APP_ID" "$IDP_RS_APP_SECRET")" '{"active":false}'
is "... opens alice's mailbox" "$(imap XOAUTH2 alice "$CC")" "a OK Logged in"
like "... and bob's, on POP3 and submission too" "$(pop3 XOAUTH2 bob "$CC") $(smtp XOAUTH2 bob "$CC")" '^\+OK .* 235 '
# Dovecot's passdb says yes, its userdb knows no such user: "Internal
# login failure", a BYE or a tagged NO or just a closed connection
got=$(imap XOAUTH2 nobody "$CC")
unlike "... but no unknown user's" "$got" 'a OK'
for i in 1 2 3 4 5 6 7 8 9 10; do grep -q 'user=<nobody>' "$D/mp/log/dovecot.log" && break; sleep 0.2; done
like "... (Dovecot's log says why)" "$(grep 'user=<nobody>' "$D/mp/log/dovecot.log")" 'Internal login failure'
like "the public client gets no client_credentials token" \
	"$(curl -sS -m 10 --cacert "$IDP_CA_FILE" -d grant_type=client_credentials -d client_id=$IDP_PUBLIC_ID "$IDP_TOKEN_URL")" \
	'"error":"(unauthorized_client|invalid_client|invalid_request)".*not allowed'

# ---- a provider that answers badly ----------------------------------------
idp_fault 500
like "fault 500: /token answers 500 with server_error" \
	"$(curl -sS -m 10 --cacert "$IDP_CA_FILE" -w ' %{http_code}' -d grant_type=refresh_token -d "refresh_token=$BRT" -d client_id=$IDP_PUBLIC_ID "$IDP_TOKEN_URL")" \
	'"error":"server_error".* 500$'
idp_fault garbage
is "fault garbage: 200 and not JSON" "$(idp_refresh "$BRT")" "this is {not json"
idp_fault 503-html
like "fault 503-html: an HTML page" "$(idp_refresh "$BRT")" '<h1>503'
idp_fault hang
t0=$SECONDS
IDP_CURL_TIMEOUT=2 idp_refresh "$BRT" >/dev/null 2>&1
is "fault hang: no answer (curl times out)" "$?" 28
idp_fault off
j=$(idp_refresh "$BRT")
ok "fault off: the refresh works again (the faults spent nothing)" [ -n "$(idp_json_field "$j" refresh_token)" ]
like "an unknown fault mode is refused" "$(curl -sS -m 10 --cacert "$IDP_CA_FILE" -H "X-Test-Admin: $IDP_ADMIN_KEY" -d mode=odd "$IDP_ISSUER/_test/fault")" '^mode must be'
like "the controls want the admin key" "$(curl -sS -m 10 --cacert "$IDP_CA_FILE" -d sub=alice "$IDP_ISSUER/_test/revoke")" '^forbidden'

# ---- stop ------------------------------------------------------------------
[ "$tap_failed" = 0 ] || { diag "the last lines of dovecot.log:"; tail -n 25 "$D/mp/log/dovecot.log" | sed 's/^/#   /'; }
pid=$IDP_PID
idp_stop
ok "idp_stop ends the IdP" eval '! kill -0 $pid 2>/dev/null'
ok "... and its port is closed" eval '! (exec 3<>"/dev/tcp/$H/$IDP_PORT") 2>/dev/null'
done_testing
