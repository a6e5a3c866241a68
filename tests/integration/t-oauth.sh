#!/usr/bin/env bash
# t-oauth.sh - OAuth 2.0 end to end (docs/OAUTH2.md) with hikyakuctl,
# against the real test authorization server (tests/peers/idp, through
# tests/lib/idp.sh) and Dovecot/Postfix checking its tokens.
#
# Covers: an account that was never connected (exit 4, "connect it
# first"); `oauth2 connect` by pasted redirect (a wrong state refused,
# nothing stored) and by device authorization; `test`, `send` and
# `fetch` signing in with XOAUTH2 (IMAP, SMTP) and OAUTHBEARER (POP3);
# no token in the clear in the store; expiry and refresh with 3-second
# tokens, the rotated refresh token saved (the next refresh works, the
# old one answers invalid_grant); three processes needing a refresh at
# once (one refresh); a revoked grant (exit 4, "needs reconnecting" in
# `oauth2 status` and on the account list, the provider not asked again);
# the token endpoint hanging, answering garbage or 500 (exit 5, nothing
# stored changed); client credentials (app-only token).
set -u
. "$HK_SRCDIR/tests/lib/tap.sh"
. "$HK_SRCDIR/tests/lib/instance.sh"
. "$HK_SRCDIR/tests/lib/http.sh"
. "$HK_SRCDIR/tests/lib/mail.sh"
. "$HK_SRCDIR/tests/lib/idp.sh"

if [ "$(id -u)" != 0 ] || ! idp_available; then
	echo "1..0 # SKIP needs root and 'npm ci' in tests/peers/idp (tests/deps)"
	exit 0
fi
REDIRECT=http://127.0.0.1/oauth2/callback
idp_start IDP_AT_TTL=600 IDP_SHORT_AT_TTL=3 IDP_REDIRECT_URIS="$REDIRECT" >/dev/null 2>&1 ||
	{ echo "not ok 1 - the IdP started"; exit 1; }
# A short provider timeout: the hanging token endpoint below costs 3 s
# instead of the default 30.
HK_EXTRA_CONF="ca_file = $IDP_CA_FILE
oauth2_timeout = 3"
hk_mail_start oauth $(idp_mailpeers_vars)
T=$HK_DIR/t-oauth
mkdir -p "$T"
KEYFILE=$HK_DIR/$(sed -n 's/^secret_key *= *//p' "$HK_CONFIG")
[ -f "$KEYFILE" ] || KEYFILE=$(sed -n 's/^secret_key *= *//p' "$HK_CONFIG")

enc() { local LC_ALL=C s=$1 i c o=; for ((i = 0; i < ${#s}; i++)); do c=${s:i:1}; case $c in [A-Za-z0-9._~-]) o+=$c ;; *) printf -v c '%%%02X' "'$c"; o+=$c ;; esac; done; printf '%s' "$o"; }
SCOPE=$(enc "$IDP_SCOPE")
# oauth_server NAME CLIENT [field=value...]: IMAP with XOAUTH2 on both
# ends, provider custom at the IdP, no device URL (pasted redirect).
oauth_server() {
	local name=$1 client=$2; shift 2
	mkserver "$name" recv_protocol=imap4 recv_port="$IMAP_PORT" \
		recv_auth_method=xoauth2 smtp_auth_method=xoauth2 \
		oauth2_provider=custom oauth2_client_id="$client" \
		oauth2_auth_url="$(enc "$IDP_AUTH_URL")" oauth2_token_url="$(enc "$IDP_TOKEN_URL")" \
		oauth2_scope="$SCOPE" "$@"
}
aid() { hk_sql "SELECT id FROM mail_accounts WHERE name = '$1'"; }
row() { hk_sql "SELECT hex(refresh_token), hex(access_token), access_expires, needs_reconnect, updated_at FROM oauth2_tokens WHERE account_id = $(aid "$1")"; }
expire_soon() { hk_sql "UPDATE oauth2_tokens SET access_expires = $(($(date +%s) + 10)) WHERE account_id = $(aid "$1")"; }
# stored FIELD ACCOUNT: a stored token in the clear (refresh or access),
# opened as src/lib-secret/secret.h says (AES-256-GCM, 'h' 'k' 1 || nonce
# || ciphertext || tag, associated data "hk\001mail_accounts:ID:FIELD").
stored() {
	local id; id=$(aid "$2")
	python3 - "$KEYFILE" "$id" "oauth2_$1_token" "$(hk_sql "SELECT hex($1_token) FROM oauth2_tokens WHERE account_id = $id")" <<'EOF'
import sys
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
key = bytes.fromhex(open(sys.argv[1]).read().strip())
blob = bytes.fromhex(sys.argv[4])
ad = ("hk\001mail_accounts:%s:%s" % (sys.argv[2], sys.argv[3])).encode()
print(AESGCM(key).decrypt(blob[3:15], blob[15:], ad).decode())
EOF
}
have_crypto() { python3 -c 'import cryptography' 2>/dev/null; }
skip() { local i; for ((i = 0; i < $2; i++)); do ok "# SKIP $1" true; done; }

# connect_paste ACCOUNT [PASTE]: oauth2 connect by pasted redirect, the
# browser's part done by idp_authorize (as alice) unless PASTE is given.
connect_paste() {
	local acct=$1 paste=${2:-} url n
	rm -f "$T/in" "$T/out"; mkfifo "$T/in"
	$CTL oauth2 connect --account "$acct" --redirect-uri "$REDIRECT" <"$T/in" >"$T/out" 2>"$T/err" &
	local pid=$!
	exec {W}>"$T/in"
	for ((n = 0; n < 100; n++)); do grep -q '^https://' "$T/out" 2>/dev/null && break; sleep 0.1; done
	url=$(grep -m1 '^https://' "$T/out")
	[ -n "$paste" ] || paste=$(idp_authorize "$url" alice)
	printf '%s\n' "$paste" >&"$W"
	exec {W}>&-
	wait $pid
}

msg() { printf 'From: alice@%s\r\nTo: bob@%s\r\nSubject: %s\r\n\r\nbody\r\n' "$MAIL_DOMAIN" "$MAIL_DOMAIN" "$1"; }

# ----------------------------------------------------- never connected
oauth_server o-imap "$IDP_PUBLIC_ID"
mkaccount a-imap o-imap alice ""
ok "an account of a server with OAuth 2.0 on both ends needs no password" test -n "$(aid a-imap)"
out=$($CTL fetch --account a-imap 2>&1); rc=$?
is "fetch before connecting: exit 4" "$rc" 4
like "... saying to connect first" "$out" 'mail account a-imap is not connected: connect it first \(docs/OAUTH2.md\)'
like "oauth2 status: not connected" "$($CTL oauth2 status --account a-imap)" $'^a-imap\tnot connected\t-'

# ----------------------------------------------------- pasted redirect
connect_paste a-imap "$REDIRECT?code=forged&state=not-ours"; rc=$?
is "a pasted redirect with another state: exit 1" "$rc" 1
like "... saying so" "$(cat "$T/err")" 'state differs.*nothing stored'
like "... the URL asked for PKCE S256 and the login hint" "$(cat "$T/out")" 'code_challenge_method=S256.*login_hint=alice|login_hint=alice.*code_challenge_method=S256'
is "... nothing stored" "$(hk_sql "SELECT count(*) FROM oauth2_tokens")" 0
connect_paste a-imap; rc=$?
is "oauth2 connect by pasted redirect: exit 0" "$rc" 0
[ $rc = 0 ] || sed 's/^/# /' "$T/err"
like "... connected, with the expiry" "$(cat "$T/out")" '^a-imap: connected; access token valid until 20[0-9-]+T'
like "oauth2 status: connected, expiry, scope" "$($CTL oauth2 status --account a-imap)" \
	$'^a-imap\tconnected\t20[0-9-]+T[0-9:]+Z\t.*mail'
if have_crypto; then
	RT=$(stored refresh a-imap); AT=$(stored access a-imap)
	like "the stored access token is alice's at the IdP" "$(idp_introspect "$AT")" '"active":true,"sub":"alice"'
	ok "... and no token is in the store in the clear" eval 'hk_store_lacks "$RT" && hk_store_lacks "$AT"'
else
	skip "python3 cryptography missing: stored tokens not opened" 2
fi

# ----------------------------------------------------- test, send, fetch
out=$($CTL test o-imap --account a-imap --address "bob@$MAIL_DOMAIN" 2>&1); rc=$?
is "hikyakuctl test with the token: exit 0" "$rc" 0
[ $rc = 0 ] || printf '%s\n' "$out" | sed 's/^/# /'
like "... a token stage on each end" "$(printf '%s\n' "$out" | grep -c '^[a-z]* *token  *ok')" '^2$'
like "... the token valid" "$out" 'The stored access token is valid until 20'
like "... signed in with AUTHENTICATE XOAUTH2" "$out" 'signed in with AUTHENTICATE XOAUTH2'
before=$(count bob)
out=$(msg "via xoauth2" | $CTL send --account a-imap --from "alice@$MAIL_DOMAIN" --to "bob@$MAIL_DOMAIN" 2>&1); rc=$?
is "send with SMTP AUTH XOAUTH2: exit 0" "$rc" 0
[ $rc = 0 ] || printf '%s\n' "$out" | sed 's/^/# /'
for ((n = 0; n < 50; n++)); do [ "$(count bob)" -gt "$before" ] && break; sleep 0.1; done
is "... the message arrived in bob's mailbox" "$(count bob)" $((before + 1))
"$MP" seed "$MPDIR" alice 2000 2
out=$($CTL fetch --account a-imap 2>&1); rc=$?
is "fetch over IMAP with XOAUTH2: exit 0" "$rc" 0
like "... the messages stored" "$out" '^a-imap: fetched 2, '

# ----------------------------------------------------- device flow, OAUTHBEARER on POP3
mkserver o-pop recv_auth_method=oauthbearer smtp_auth_method=xoauth2 \
	oauth2_provider=custom oauth2_client_id="$IDP_PUBLIC_ID" \
	oauth2_auth_url="$(enc "$IDP_AUTH_URL")" oauth2_token_url="$(enc "$IDP_TOKEN_URL")" \
	oauth2_device_url="$(enc "$IDP_DEVICE_URL")" oauth2_scope="$SCOPE"
mkaccount a-pop o-pop bob ""
$CTL oauth2 connect --account a-pop </dev/null >"$T/dev.out" 2>"$T/dev.err" &
pid=$!
for ((n = 0; n < 100; n++)); do grep -q 'enter the code' "$T/dev.out" 2>/dev/null && break; sleep 0.1; done
code=$(sed -n 's/.*enter the code \([^ ]*\) (valid until.*/\1/p' "$T/dev.out")
like "device flow: the verification URL and the code are shown" "$(cat "$T/dev.out")" "open $IDP_ISSUER/device.* enter the code [A-Z0-9-]+"
idp_device_approve "$code" bob 2>"$T/err"
wait $pid; rc=$?
is "oauth2 connect by device authorization: exit 0" "$rc" 0
[ $rc = 0 ] || sed 's/^/# /' "$T/dev.err"
like "... connected" "$(cat "$T/dev.out")" '^a-pop: connected'
out=$($CTL fetch --account a-pop 2>&1); rc=$?
is "fetch over POP3 with OAUTHBEARER: exit 0" "$rc" 0
like "... bob's message stored" "$out" '^a-pop: fetched 1, '

# ----------------------------------------------------- expiry, refresh, rotation
oauth_server o-short "$IDP_SHORT_ID"
mkaccount a-short o-short alice ""
connect_paste a-short >/dev/null
is "a-short connected (3-second access tokens)" "$?" 0
have_crypto && RT1=$(stored refresh a-short)
blob1=$(hk_sql "SELECT hex(refresh_token) FROM oauth2_tokens WHERE account_id = $(aid a-short)")
sleep 4
"$MP" seed "$MPDIR" alice 1000 1
out=$($CTL fetch --account a-short 2>&1); rc=$?
is "past the expiry, fetch refreshes and works: exit 0" "$rc" 0
[ $rc = 0 ] || printf '%s\n' "$out" | sed 's/^/# /'
like "... and says it refreshed" "$out" 'fetched 1, .*OAuth 2.0 token refreshed'
blob2=$(hk_sql "SELECT hex(refresh_token) FROM oauth2_tokens WHERE account_id = $(aid a-short)")
ok "... the rotated refresh token was stored" test "$blob1" != "$blob2"
out=$($CTL test o-short --account a-short 2>&1); rc=$?
is "the next refresh (with the rotated token) works too" "$rc" 0
like "... the test shows the token step" "$out" 'Token refreshed: the new access token is valid until'
if have_crypto; then
	RT3=$(stored refresh a-short)
	# Last: presenting a spent token revokes the grant at the IdP.
	like "the old refresh token answers invalid_grant at the IdP" "$(idp_refresh "$RT1" "$IDP_SHORT_ID")" '"error":"invalid_grant"'
	ok "... ours was a different one" test "$RT1" != "$RT3"
else
	skip "python3 cryptography missing" 2
fi

# ----------------------------------------------------- concurrent refreshes
expire_soon a-imap
"$MP" seed "$MPDIR" alice 1000 1
$CTL fetch --account a-imap >"$T/c1" 2>&1 & p1=$!
$CTL test o-imap --account a-imap >"$T/c2" 2>&1 & p2=$!
msg concurrent | $CTL send --account a-imap --from "alice@$MAIL_DOMAIN" --to "bob@$MAIL_DOMAIN" >"$T/c3" 2>&1 & p3=$!
wait $p1; r1=$?; wait $p2; r2=$?; wait $p3; r3=$?
is "three processes needing a refresh at once all succeed" "$r1 $r2 $r3" "0 0 0"
# (the test shows its token stage on both ends: one token, two lines)
is "... and exactly one of them refreshed" "$(grep -lE 'token refreshed|Token refreshed' "$T/c1" "$T/c2" "$T/c3" | wc -l)" 1
grep -hE 'refreshed|token  ' "$T/c1" "$T/c2" "$T/c3" | sed 's/^/# /'
if have_crypto; then
	like "... with a token the IdP still accepts" "$(idp_introspect "$(stored access a-imap)")" '"active":true'
else
	skip "python3 cryptography missing" 1
fi

# ----------------------------------------------------- token endpoint faults
expire_soon a-pop
before=$(row a-pop)
for f in garbage 500; do
	idp_fault "$f"
	out=$($CTL fetch --account a-pop 2>&1); rc=$?
	is "token endpoint answering $f: exit 5" "$rc" 5
	like "... with a clear message" "$out" 'the token endpoint of mail server o-pop gave no usable answer: .*nothing stored changed'
	is "... and nothing stored changed" "$(row a-pop)" "$before"
done
idp_fault hang
t0=$SECONDS
out=$($CTL fetch --account a-pop 2>&1); rc=$?
is "token endpoint hanging: exit 5" "$rc" 5
like "... after the request's time limit (oauth2_timeout = 3)" "$out" 'gave no usable answer: no answer within 3000 ms'
ok "... within about 3 s" test $((SECONDS - t0)) -le 8
is "... nothing stored changed" "$(row a-pop)" "$before"
idp_fault off
out=$($CTL fetch --account a-pop 2>&1); rc=$?
is "with the endpoint back, the refresh works" "$rc" 0

# ----------------------------------------------------- revoked grant
idp_revoke alice
expire_soon a-imap
out=$($CTL fetch --account a-imap 2>&1); rc=$?
is "a revoked grant: fetch exits 4" "$rc" 4
like "... needs reconnecting, with the provider's words" "$out" 'a-imap needs reconnecting: the provider refused its refresh token \(invalid_grant'
like "oauth2 status says needs reconnecting" "$($CTL oauth2 status --account a-imap)" $'^a-imap\tneeds reconnecting\t.*invalid_grant'
req GET "mail-accounts?format=xml"
like "the account list shows it" "$(printf '%s' "$BODY" | tr '\n' ' ')" "<name>a-imap</name>.*<oauth2 connected=\"false\" needs-reconnect=\"true\""
idp_fault 500
out=$($CTL fetch --account a-imap 2>&1); rc=$?
is "the next fetch fails at once with exit 4 (the provider is not asked)" "$rc" 4
like "... still saying why" "$out" 'needs reconnecting: invalid_grant'
out=$(msg x | $CTL send --account a-imap --from "alice@$MAIL_DOMAIN" --to "bob@$MAIL_DOMAIN" 2>&1); rc=$?
is "... and so does send" "$rc" 4
idp_fault off

# ----------------------------------------------------- client credentials
oauth_server o-cc "$IDP_POST_ID" oauth2_grant=client_credentials \
	oauth2_client_secret="$IDP_POST_SECRET" oauth2_scope=mail smtp_auth=off
mkaccount a-cc o-cc bob ""
out=$($CTL oauth2 connect --account a-cc 2>&1); rc=$?
is "client credentials: connect fetches the server's token: exit 0" "$rc" 0
like "... and says accounts need no connecting" "$out" 'uses client credentials: accounts need no connecting'
"$MP" seed "$MPDIR" bob 1000 1
out=$($CTL fetch --account a-cc 2>&1); rc=$?
is "fetch with the app-only token: exit 0" "$rc" 0
[ $rc = 0 ] || printf '%s\n' "$out" | sed 's/^/# /'
like "... bob's mail stored" "$out" '^a-cc: fetched [1-9]'
like "oauth2 status: connected (client credentials)" "$($CTL oauth2 status --account a-cc)" $'^a-cc\tconnected \\(client credentials\\)'

hk_instance_stop
done_testing
