#!/usr/bin/env bash
# t-servers.sh - the mail-server screens (docs/REFERENCE.md) via a real nginx:
# list, add, change (optimistic locking), order, delete (with replacement),
# every validation rule's status and XML shape, secrets and the audit log.
set -u
. "$HK_SRCDIR/tests/lib/tap.sh"
. "$HK_SRCDIR/tests/lib/instance.sh"
. "$HK_SRCDIR/tests/lib/http.sh"
trap hk_instance_stop EXIT
hk_instance_start || { echo "not ok 1 - instance started"; exit 1; }
X=(-H 'Accept: application/xml')
PW='Pw-never-shown-7f3a'
PW2='Second-secret-91qz'

sql() { hk_sql "$@"; }
# errors: the field=code pairs of the <error> elements in BODY, sorted.
errors() {
	printf '%s' "$BODY" | grep -oE '<error field="[^"]*" code="[^"]*"' |
		sed -E 's/<error field="([^"]*)" code="([^"]*)"/\1=\2/' | sort | tr '\n' ' ' | sed 's/ $//'
}
# xml_of: the element text of the first <NAME> in BODY.
xml_of() { printf '%s' "$BODY" | grep -oE "<$1( [^>]*)?>[^<]*</$1>" | head -1 | sed -E 's/<[^>]*>//g'; }
count_servers() { sql 'SELECT count(*) FROM mail_servers'; }

# A complete valid form; later arguments override (name=value, URL-encoded).
form() {
	local -A f=(
		[name]=Main [smtp_host]=smtp.example.co.jp [smtp_port]=587
		[smtp_security]=starttls [smtp_tls_verify]=on [smtp_auth]=on
		[smtp_auth_method]=plain [smtp_credentials]=fixed [smtp_user]=relay
		[smtp_password]=$PW [pop_before_smtp_wait]=0 [send_limit]=1048576
		[recv_protocol]=pop3 [recv_host]=pop.example.co.jp [recv_port]=110
		[recv_security]=none [recv_tls_verify]=on [recv_limit]=0
	)
	local kv out="csrf_token=$T"
	for kv in "$@"; do
		if [[ $kv == *=* ]]; then f[${kv%%=*}]=${kv#*=}; else unset "f[$kv]"; fi
	done
	for kv in "${!f[@]}"; do out+="&$kv=${f[$kv]}"; done
	printf '%s' "$out"
}

new_browser
req GET mail-servers/new
is "signed out: the add screen redirects" "$STATUS" 303
req GET mail-servers/new "${X[@]}"
is "signed out: its XML is 401" "$STATUS" 401
sign_in >/dev/null
req GET mail-servers "${X[@]}"
T=$(csrf_of)
like "a fresh list is empty" "$BODY" '<mail-servers/>'
req GET mail-servers
like "the empty list says what to do first" "$BODY" 'class="empty-state"'

# ---------------------------------------------------------------- add form
req GET mail-servers/new "${X[@]}"
is "GET /mail-servers/new answers 200" "$STATUS" 200
like "... screen mail-server-form" "$BODY" '<page screen="mail-server-form"'
like "... in add mode" "$BODY" '<form mode="new"/>'
like "... with the documented defaults" "$BODY" '<mail-server><name></name><smtp_host></smtp_host><smtp_port>25</smtp_port><smtp_security>none</smtp_security><smtp_tls_verify>on</smtp_tls_verify><smtp_auth>off</smtp_auth><smtp_auth_method>login</smtp_auth_method><smtp_credentials>account</smtp_credentials><smtp_user></smtp_user><smtp_password_set>false</smtp_password_set><pop_before_smtp>off</pop_before_smtp><pop_before_smtp_wait>0</pop_before_smtp_wait><send_limit>0</send_limit><recv_protocol>pop3</recv_protocol><apop>off</apop><recv_host></recv_host><recv_port>110</recv_port><recv_security>none</recv_security><recv_tls_verify>on</recv_tls_verify><recv_limit>0</recv_limit><recv_auth_method>password</recv_auth_method><oauth2_provider>none</oauth2_provider><oauth2_tenant></oauth2_tenant><oauth2_client_id></oauth2_client_id><oauth2_client_secret_set>false</oauth2_client_secret_set><oauth2_auth_url></oauth2_auth_url><oauth2_token_url></oauth2_token_url><oauth2_device_url></oauth2_device_url><oauth2_scope></oauth2_scope><oauth2_grant>authorization_code</oauth2_grant></mail-server>'
methods=$(printf '%s' "$BODY" | grep -oE '<auth-method name="[^"]+"' | sed -E 's/.*"(.*)"/\1/' | tr '\n' ' ')
like "SMTP-AUTH methods come from the loaded modules" "$methods" '(^| )cram-md5 .*login .*plain '
unlike "... only those of the SMTP-AUTH kind" "$methods" 'apop|pop-before-smtp'
req GET mail-servers/new
html=$BODY
missing=""
for f in name smtp_host smtp_port smtp_security smtp_tls_verify smtp_auth smtp_auth_method \
    smtp_credentials smtp_user smtp_password pop_before_smtp pop_before_smtp_wait send_limit \
    recv_protocol apop recv_host recv_port recv_security recv_tls_verify recv_limit recv_auth_method \
    oauth2_provider oauth2_tenant oauth2_client_id oauth2_client_secret oauth2_grant \
    oauth2_auth_url oauth2_token_url oauth2_device_url oauth2_scope; do
	printf '%s' "$html" | grep -q "name=\"$f\"" || missing+=" $f(control)"
	printf '%s' "$html" | grep -q "id=\"f-$f-help\"" || missing+=" $f(help)"
done
is "the add form has a control and a help text for every field" "$missing" ""
like "the form loads its external scripts" "$html" '<script src="/static/hikyaku.js" defer'
like "the add form offers a connection test of its unsaved values" "$html" 'formaction="/mail-servers/test"'
like "... with test credentials fields" "$html" 'name="test_user".*name="test_password".*name="test_address"'
like "... and an account pulldown" "$html" '<select id="f-account_id" name="account_id">'
like "... with progress from conntest.js" "$html" '<script src="/static/conntest.js" defer'
unlike "the test button is the only one posting elsewhere" "$(printf '%s' "$html" | grep -o 'formaction="[^"]*"' | sort -u | wc -l)" '^[^1]$'
unlike "... and has no inline script or style" "$html" '<script>|<script [^s]|style="|<style'
req GET mail-servers/new -H 'Accept-Language: ja'
like "the add form in Japanese" "$BODY" 'メールサーバーの追加'
like "... grouped as the manual groups it" "$BODY" '送信メールサーバー\(SMTP\).*受信メールサーバー'
req GET static/hikyaku.js
is "the script is served" "$STATUS" 200

# ---------------------------------------------------------------- create
n0=$(count_servers)
req POST mail-servers "$(form | sed -E 's/csrf_token=[0-9a-f]+/csrf_token=bad/')"
is "POST without the session's csrf_token is 403" "$STATUS" 403
is "... and stores nothing" "$(count_servers)" "$n0"
req POST mail-servers "$(form recv_host=%E3%83%A1%E3%83%BC%E3%83%AB.%E4%BE%8B%E3%81%88.jp)"
is "a valid add answers 303" "$STATUS" 303
is "... to the list" "$(header Location)" /mail-servers
unlike "... never echoing the password" "$BODY$HEADERS" "$PW"
A=$(sql "SELECT id FROM mail_servers WHERE name = 'Main'")
ok "the server is stored" test -n "$A"
is "an internationalised host is stored as A-labels" "$(sql "SELECT recv_host FROM mail_servers WHERE id = $A")" 'xn--4dkua4c.xn--r8jz45g.jp'
is "the password is stored sealed, not in clear" "$(sql "SELECT CASE WHEN smtp_password IS NOT NULL AND instr(smtp_password, '$PW') = 0 THEN 1 ELSE 0 END FROM mail_servers WHERE id = $A")" 1
req GET mail-servers "${X[@]}"
like "the list holds <mail-server id version position>" "$BODY" "<mail-server id=\"$A\" version=\"1\" position=\"1\"><name>Main</name>"
like "... the password only as smtp_password_set" "$BODY" '<smtp_password_set>true</smtp_password_set>'
unlike "... never the password" "$BODY" "$PW"
like "... the IDN host as stored, shown as entered" "$BODY" '<recv_host display="メール.例え.jp">xn--4dkua4c.xn--r8jz45g.jp</recv_host>'
like "... checkboxes as on/off" "$BODY" '<smtp_tls_verify>on</smtp_tls_verify><smtp_auth>on</smtp_auth>'
req GET mail-servers
like "the list shows the IDN host in Unicode, the A-labels as a tooltip" "$BODY" 'title="xn--4dkua4c.xn--r8jz45g.jp">メール\.<wbr'

req POST mail-servers "$(form name=Backup smtp_host=192.0.2.25 smtp_port=25 smtp_security=none smtp_auth smtp_credentials=account smtp_user smtp_password recv_protocol=imap4 recv_host=%5B2001:DB8::1%5D recv_port=993 recv_security=tls)"
is "a second server (IPv4, bracketed IPv6, IMAP4) answers 303" "$STATUS" 303
B=$(sql "SELECT id FROM mail_servers WHERE name = 'Backup'")
is "... goes last" "$(sql "SELECT position FROM mail_servers WHERE id = $B")" 2
is "... with the IPv6 literal stored without brackets, canonical" "$(sql "SELECT recv_host FROM mail_servers WHERE id = $B")" '2001:db8::1'
is "... with no password (account credentials)" "$(sql "SELECT CASE WHEN smtp_password IS NULL AND smtp_user IS NULL THEN 1 ELSE 0 END FROM mail_servers WHERE id = $B")" 1
req POST mail-servers "$(form name=%E7%AC%AC%E4%B8%89 smtp_auth)"
is "a third server with a Japanese name answers 303" "$STATUS" 303
C=$(sql "SELECT id FROM mail_servers WHERE position = 3")
ok "... and goes third" test -n "$C"

# ---------------------------------------------------------------- validation
n0=$(count_servers)
check422() {	# DESC EXPECTED-ERRORS FORM-OVERRIDES...
	local desc=$1 want=$2; shift 2
	req POST mail-servers "$(form name=Fresh "$@")" "${X[@]}"
	if [ "$STATUS" != 422 ] || [ "$(errors)" != "$want" ]; then
		is "$desc: 422 with $want" "$STATUS $(errors)" "422 $want"
	else
		is "$desc: 422 with $want" 1 1
	fi
}
for p in 0 65536 8a +25 -1 ' 25' 99999 2.5; do
	check422 "smtp_port '$p'" 'smtp_port=error.port' "smtp_port=$(printf '%s' "$p" | sed 's/+/%2B/; s/ /%20/')"
done
check422 "smtp_port empty" 'smtp_port=error.required' smtp_port=
check422 "recv_port 0" 'recv_port=error.port' recv_port=0
for p in 1 65535; do
	req POST mail-servers "$(form name=Port$p smtp_port=$p recv_port=$p)" "${X[@]}"
	is "port $p is accepted" "$STATUS" 303
done
l63=$(printf 'a%.0s' $(seq 63)); l64=$(printf 'a%.0s' $(seq 64))
req POST mail-servers "$(form name=L63 smtp_host=$l63.example.jp)" "${X[@]}"
is "a 63-character label is accepted" "$STATUS" 303
check422 "a 64-character label" 'smtp_host=error.host' "smtp_host=$l64.example.jp"
h253="$l63.$l63.$l63.$(printf 'b%.0s' $(seq 61))"
h254="$l63.$l63.$l63.$(printf 'b%.0s' $(seq 62))"
req POST mail-servers "$(form name=H253 recv_host=$h253)" "${X[@]}"
is "a 253-character host name is accepted" "$STATUS" 303
check422 "a 254-character host name" 'recv_host=error.host' "recv_host=$h254"
for h in 'bad_host' '-a.jp' 'a-.jp' 'a..jp' '10.0.1' '256.1.1.1' '1.2.3.4.5' '%5B::1' 'a%20b.jp' '2001:db8::g'; do
	check422 "host '$h'" 'smtp_host=error.host' "smtp_host=$h"
done
check422 "host empty" 'smtp_host=error.required' smtp_host=%20%20
check422 "host with CR LF" 'smtp_host=error.encoding' 'smtp_host=a.jp%0D%0Ab.jp'
check422 "name with LF" 'name=error.encoding' 'name=a%0Ab'
check422 "name only spaces (incl. U+3000)" 'name=error.required' 'name=%20%E3%80%80%20'
check422 "name of 101 characters" 'name=error.too-long' "name=$(printf 'x%.0s' $(seq 101))"
n100=$(printf '%%E3%%81%%82%.0s' $(seq 100))
req POST mail-servers "$(form name=$n100)" "${X[@]}"
is "a name of 100 Japanese characters (300 bytes) is accepted" "$STATUS" 303
check422 "name taken, other case" 'name=error.name-taken' name=mAIN
for f in smtp_security recv_security; do
	check422 "$f 'ssl'" "$f=error.choice" "$f=ssl"
	check422 "$f missing" "$f=error.choice" "$f"
done
check422 "smtp_credentials 'both'" 'smtp_credentials=error.choice' smtp_credentials=both
check422 "recv_protocol 'imap'" 'recv_protocol=error.choice' recv_protocol=imap
check422 "send_limit 1000" 'send_limit=error.choice' send_limit=1000
check422 "recv_limit 01048576" 'recv_limit=error.choice' recv_limit=01048576
check422 "pop_before_smtp_wait 6" 'pop_before_smtp_wait=error.range' pop_before_smtp_wait=6
check422 "pop_before_smtp_wait -1" 'pop_before_smtp_wait=error.range' pop_before_smtp_wait=-1
check422 "a checkbox saying 'maybe'" 'apop=error.choice' apop=maybe
check422 "smtp_auth_method not loaded" 'smtp_auth_method=error.auth-method' smtp_auth_method=ntlm
check422 "smtp_auth_method of another kind (apop)" 'smtp_auth_method=error.auth-method' smtp_auth_method=apop
check422 "apop with imap4" 'apop=error.pop3-only' recv_protocol=imap4 apop=on
check422 "pop_before_smtp with imap4" 'pop_before_smtp=error.pop3-only' recv_protocol=imap4 pop_before_smtp=on
check422 "fixed credentials without user and password" 'smtp_password=error.required smtp_user=error.required' smtp_user= smtp_password=
req POST mail-servers "$(form name=Kept smtp_port=8a smtp_host=%E3%83%A1%E3%83%BC%E3%83%AB.jp)" "${X[@]}"
like "a failed POST keeps every entered value" "$BODY" '<name>Kept</name><smtp_host>メール.jp</smtp_host><smtp_port>8a</smtp_port><smtp_security>starttls</smtp_security>'
unlike "... except the password" "$BODY" "$PW"
like "... and says none is stored" "$BODY" '<smtp_password_set>false</smtp_password_set>'
req POST mail-servers "$(form name=Kept smtp_port=8a)"
is "the HTML form after a failed POST is 422 too" "$STATUS" 422
like "... with the error beside its field" "$BODY" 'id="f-smtp_port-error"'
like "... and the field marked invalid" "$BODY" 'id="f-smtp_port" name="smtp_port" value="8a" aria-describedby="f-smtp_port-help f-smtp_port-error" aria-invalid="true"'
unlike "... never the password" "$BODY" "$PW"
is "nothing invalid was stored" "$(sql "SELECT count(*) FROM mail_servers WHERE name IN ('Fresh','Kept')")" 0
sql "DELETE FROM mail_servers WHERE name LIKE 'Port%' OR name IN ('L63','H253') OR length(name) = 100"
sql "DELETE FROM audit_log WHERE object_name LIKE 'Port%' OR object_name IN ('L63','H253') OR length(object_name) = 100"

# ---------------------------------------------------------------- change
req GET mail-servers/$A/edit "${X[@]}"
is "GET edit answers 200" "$STATUS" 200
like "... in edit mode with id and version" "$BODY" "<form mode=\"edit\"/>.*<mail-server id=\"$A\" version=\"1\" position=\"1\"><name>Main</name>"
unlike "... without the password" "$BODY" "$PW"
req GET mail-servers/999999/edit "${X[@]}"
is "edit of a missing id is 404" "$STATUS" 404
req GET mail-servers/999999/edit
like "... with the not-found screen" "$BODY" '<html'
req POST mail-servers/999999 "$(form version=1)"
is "POST to a missing id is 404" "$STATUS" 404
blob=$(sql "SELECT hex(smtp_password) FROM mail_servers WHERE id = $A")
req POST mail-servers/$A "$(form version=1 smtp_port=2525 smtp_password=)"
is "a change with the current version answers 303" "$STATUS" 303
is "... the version goes up" "$(sql "SELECT version FROM mail_servers WHERE id = $A")" 2
is "... the value is changed" "$(sql "SELECT smtp_port FROM mail_servers WHERE id = $A")" 2525
is "... an empty password keeps the stored one" "$(sql "SELECT hex(smtp_password) FROM mail_servers WHERE id = $A")" "$blob"
req POST mail-servers/$A "$(form version=2 smtp_password=$PW2)"
is "a new password is accepted" "$STATUS" 303
ok "... and replaces the stored one" test "$(sql "SELECT hex(smtp_password) FROM mail_servers WHERE id = $A")" != "$blob"
is "... the audit says only (changed)" "$(sql "SELECT count(*) FROM audit_log WHERE object_id = $A AND action = 'update' AND details LIKE '%smtp_password: (changed)%'")" 1
req POST mail-servers/$A "$(form version=3 smtp_credentials=fixed smtp_user=x smtp_password=)" "${X[@]}"
is "fixed credentials with a stored password need none entered" "$STATUS" 303
req POST mail-servers/$B "$(form version=1 name=Backup smtp_credentials=fixed smtp_user=u smtp_password=)" "${X[@]}"
is "... but with none stored, it is required" "$STATUS $(errors)" '422 smtp_password=error.required'

# stale version: 409, nothing written, both value sets shown
before=$(sql "SELECT version, smtp_port, updated_at FROM mail_servers WHERE id = $A")
audits=$(sql 'SELECT count(*) FROM audit_log')
req POST mail-servers/$A "$(form version=1 smtp_port=1025 name=Stale)" "${X[@]}"
is "a stale version answers 409" "$STATUS" 409
is "... and writes nothing" "$(sql "SELECT version, smtp_port, updated_at FROM mail_servers WHERE id = $A")" "$before"
is "... not even an audit entry" "$(sql 'SELECT count(*) FROM audit_log')" "$audits"
like "... the form holds the admin's values" "$BODY" "<mail-server id=\"$A\" version=\"4\"><name>Stale</name><smtp_host>smtp.example.co.jp</smtp_host><smtp_port>1025</smtp_port>"
like "... <current> holds the stored values" "$BODY" "<current><mail-server id=\"$A\" version=\"4\" position=\"1\"><name>Main</name><smtp_host>smtp.example.co.jp</smtp_host><smtp_port>587</smtp_port>"
like "... with the stale error" "$BODY" '<error field="" code="error.stale">'
unlike "... and no password" "$BODY" "$PW|$PW2"
req POST mail-servers/$A "$(form version=1 smtp_port=1025 name=Stale)"
like "the HTML conflict screen shows the saved value beside the field" "$BODY" 'id="f-smtp_port-current"'
req POST mail-servers/$A "$(form smtp_port=1025 name=Stale | sed 's/&version=[^&]*//')" "${X[@]}"
is "a missing version is a conflict too" "$STATUS" 409

# ---------------------------------------------------------------- last test
sql "INSERT INTO server_tests (server_id, at, ok, summary, result_xml) VALUES ($B, 1767225600, 0, 'login: 535 5.7.8 rejected', '<test-result ok=\"false\"/>')"
req GET mail-servers "${X[@]}"
like "the list carries each server's last test" "$BODY" "<mail-server id=\"$B\" [^>]*>.*<last-test ok=\"false\" at=\"2026-01-01T00:00:00Z\">login: 535 5.7.8 rejected</last-test></mail-server>"
req GET mail-servers
like "... shown in the list" "$BODY" 'class="badge bad"'

# a stored method that is no longer loaded still shows
sql "UPDATE mail_servers SET smtp_auth_method = 'gone-mech', smtp_auth = 0 WHERE id = $B"
req GET mail-servers/$B/edit "${X[@]}"
like "a stored method that is not loaded is offered, marked" "$BODY" '<auth-method name="gone-mech" title="gone-mech" loaded="false"/>'
req GET mail-servers/$B/edit
like "... and selected in the pulldown" "$BODY" '<option value="gone-mech" selected'
like "the change form tests this server's route" "$BODY" "formaction=\"/mail-servers/$B/test\""
v=$(sql "SELECT version FROM mail_servers WHERE id = $B")
req POST mail-servers/$B "$(form version=$v name=Backup smtp_auth smtp_credentials=account smtp_user smtp_password smtp_auth_method=gone-mech recv_protocol=imap4 recv_host=2001:db8::1 recv_port=993 recv_security=tls)"
is "... and kept when SMTP-AUTH is off" "$STATUS" 303
sql "UPDATE mail_servers SET smtp_auth_method = 'login' WHERE id = $B"

# ---------------------------------------------------------------- order
order_now() { sql 'SELECT id FROM mail_servers ORDER BY position, id' | paste -sd' ' -; }
req GET mail-servers/order "${X[@]}"
is "GET order answers 200" "$STATUS" 200
like "... screen mail-servers-order, servers in order" "$BODY" "<page screen=\"mail-servers-order\".*<mail-server id=\"$A\".*<mail-server id=\"$B\".*<mail-server id=\"$C\""
req GET "mail-servers/order?order=$C&order=$A&order=$B" "${X[@]}"
like "a proposed order (no-script move) is shown, unsaved" "$BODY" "<mail-servers unsaved=\"true\"><mail-server id=\"$C\".*<mail-server id=\"$A\""
is "... and nothing is saved by it" "$(order_now)" "$A $B $C"
req GET mail-servers/order
like "the order screen has move buttons in GET forms" "$BODY" 'class="move-form"'
for bad in "order=$A&order=$B" "order=$A&order=$B&order=$C&order=$C" "order=$A&order=$B&order=$C&order=999" \
    "order=$A&order=$A&order=$B" "order=$A&order=x&order=$C" "order=" ""; do
	req POST mail-servers/order "csrf_token=$T&$bad" "${X[@]}"
	is "order '$bad' is 422" "$STATUS $(errors)" "422 order=error.order"
done
is "... and nothing moved" "$(order_now)" "$A $B $C"
req POST mail-servers/order "csrf_token=$T&order=$C&order=$A&order=$B"
is "a permutation answers 303" "$STATUS" 303
is "... to the list" "$(header Location)" /mail-servers
is "... and is saved" "$(order_now)" "$C $A $B"
req GET mail-servers "${X[@]}"
like "the list follows the new order" "$BODY" "<mail-server id=\"$C\" [^>]*position=\"1\".*<mail-server id=\"$A\" [^>]*position=\"2\".*<mail-server id=\"$B\" [^>]*position=\"3\""
is "the reorder is audited" "$(sql "SELECT count(*) FROM audit_log WHERE action = 'reorder' AND object_type = 'mail-server'")" 1

# ---------------------------------------------------------------- delete
now=$(date +%s)
sql "INSERT INTO mail_accounts (name, address, server_id, username, password, created_at, updated_at) VALUES
	('Support', 'support@example.jp', $A, 'support', $(hk_sql_blob 00), $now, $now),
	('Sales', 'sales@example.jp', $A, 'sales', $(hk_sql_blob 00), $now, $now)"
req GET mail-servers/$A/delete "${X[@]}"
is "GET delete answers 200" "$STATUS" 200
like "... screen mail-server-delete with the server" "$BODY" "<page screen=\"mail-server-delete\".*<mail-server id=\"$A\""
like "... the accounts that use it" "$BODY" '<mail-accounts><mail-account id="[0-9]+" version="1"><name>Sales</name>.*<name>Support</name>'
like "... and the other servers in display order for replace_with" "$BODY" "<mail-servers><mail-server id=\"$C\"[^>]*>.*<mail-server id=\"$B\"[^>]*>.*</mail-servers>"
unlike "... not itself among them" "$(printf '%s' "$BODY" | sed -n 's/.*<mail-servers>//p')" "<mail-server id=\"$A\""
req GET mail-servers/999999/delete "${X[@]}"
is "delete screen of a missing id is 404" "$STATUS" 404
req POST mail-servers/999999/delete "csrf_token=$T" "${X[@]}"
is "deleting a missing id is 404" "$STATUS" 404
req POST mail-servers/$A/delete "csrf_token=wrong"
is "delete without the token is 403" "$STATUS" 403
req POST mail-servers/$A/delete "csrf_token=$T" "${X[@]}"
is "deleting a server in use is 409" "$STATUS" 409
like "... naming its accounts" "$BODY" '<error field="replace_with" code="error.in-use">[^<]*Sales, Support[^<]*</error>'
is "... and deletes nothing" "$(sql "SELECT count(*) FROM mail_servers WHERE id = $A")" 1
req POST mail-servers/$A/delete "csrf_token=$T&replace_with=$A" "${X[@]}"
is "replace_with itself is 422" "$STATUS $(errors)" "422 replace_with=error.server-missing"
req POST mail-servers/$A/delete "csrf_token=$T&replace_with=999999" "${X[@]}"
is "replace_with a missing server is 422" "$STATUS $(errors)" "422 replace_with=error.server-missing"
req POST mail-servers/$A/delete "csrf_token=$T&replace_with=abc" "${X[@]}"
is "replace_with garbage is 422" "$STATUS" 422
is "... still nothing deleted or moved" "$(sql "SELECT count(*) FROM mail_accounts WHERE server_id = $A")" 2
req POST mail-servers/$A/delete "csrf_token=$T&replace_with=$B"
is "delete with replace_with answers 303" "$STATUS" 303
is "... the accounts moved" "$(sql "SELECT name FROM mail_accounts WHERE server_id = $B ORDER BY name" | paste -sd, -)" "Sales,Support"
is "... the server is gone" "$(sql "SELECT count(*) FROM mail_servers WHERE id = $A")" 0
like "... the audit names where they went" "$(sql "SELECT details FROM audit_log WHERE action = 'delete' AND object_id = $A")" 'moved to Backup: Sales, Support'
req GET mail-servers/$C/delete
like "an unused server's delete screen asks to confirm" "$BODY" '第三'
req POST mail-servers/$C/delete "csrf_token=$T"
is "deleting an unused server answers 303" "$STATUS" 303
is "... it is gone" "$(sql "SELECT count(*) FROM mail_servers WHERE id = $C")" 0

# ---------------------------------------------------------------- audit, secrets
is "every add, change, reorder and delete is audited" \
    "$(sql "SELECT DISTINCT action FROM audit_log WHERE object_type = 'mail-server' ORDER BY action" | paste -sd, -)" \
    "create,delete,reorder,update"
is "... by the signed-in admin" "$(sql "SELECT DISTINCT actor FROM audit_log WHERE object_type = 'mail-server'" | paste -sd, -)" "$HK_ADMIN_USER"
is "... never with a password" "$(sql "SELECT count(*) FROM audit_log WHERE details LIKE '%$PW%' OR details LIKE '%$PW2%'")" 0
ok "no password in clear in the store's files" hk_store_lacks "$PW"
ok "... nor the second one" hk_store_lacks "$PW2"
is "no password in the worker log" "$(grep -cE "$PW|$PW2" "$HK_WORKER_LOG")" 0

# ---------------------------------------------------------------- OAuth 2.0
CS='Client-secret-never-shown-5k2'
MS='https://login.microsoftonline.com'
req GET mail-servers/new
like "the form offers the providers with what each fills in" "$BODY" \
    'option value="microsoft" data-tenant="organizations" data-auth-url="https://login.microsoftonline.com/\{tenant\}/oauth2/v2.0/authorize"'
like "... and the provider's mail servers" "$BODY" 'data-smtp="smtp.office365.com 587 starttls"'
req POST mail-servers "$(form name=MS oauth2_provider=microsoft oauth2_client_id=app-1)" "${X[@]}"
is "a Microsoft server with only a client id answers 303" "$STATUS" 303
M=$(sql "SELECT id FROM mail_servers WHERE name = 'MS'")
is "... its empty endpoints take the preset's, for the default tenant" \
    "$(sql "SELECT oauth2_tenant || ' ' || oauth2_auth_url || ' ' || oauth2_token_url FROM mail_servers WHERE id = $M")" \
    "organizations $MS/organizations/oauth2/v2.0/authorize $MS/organizations/oauth2/v2.0/token"
like "... and its scope the preset's" "$(sql "SELECT oauth2_scope FROM mail_servers WHERE id = $M")" \
    '^https://outlook.office.com/IMAP.AccessAsUser.All .*SMTP.Send offline_access$'
req POST mail-servers "$(form name=G oauth2_provider=google oauth2_client_id=app-2 oauth2_client_secret=$CS)" "${X[@]}"
is "a Google server with a client secret answers 303" "$STATUS" 303
G=$(sql "SELECT id FROM mail_servers WHERE name = 'G'")
is "... the secret stored sealed" "$(sql "SELECT CASE WHEN oauth2_client_secret IS NOT NULL AND instr(oauth2_client_secret, '$CS') = 0 THEN 1 ELSE 0 END FROM mail_servers WHERE id = $G")" 1
req GET "mail-servers/$G/edit" "${X[@]}"
like "... the XML says a secret is set" "$BODY" '<oauth2_client_secret_set>true</oauth2_client_secret_set>'
unlike "... and never holds it" "$BODY" "$CS|<oauth2_client_secret>"
is "... google's token endpoint" "$(xml_of oauth2_token_url)" 'https://oauth2.googleapis.com/token'
check422 "an unknown provider" 'oauth2_provider=error.choice' oauth2_provider=yahoo
check422 "a provider without a client id" 'oauth2_client_id=error.required' oauth2_provider=google
check422 "an http:// endpoint" 'oauth2_token_url=error.https-url' oauth2_provider=google \
    oauth2_client_id=x oauth2_token_url=http://oauth2.example/token
check422 "custom endpoints are required" \
    'oauth2_auth_url=error.required oauth2_scope=error.required oauth2_token_url=error.required' \
    oauth2_provider=custom oauth2_client_id=x
check422 "client_credentials without a secret" 'oauth2_client_secret=error.oauth2-secret-needed' \
    oauth2_provider=microsoft oauth2_client_id=x oauth2_grant=client_credentials
check422 "a bad tenant" 'oauth2_tenant=error.oauth2-tenant' oauth2_provider=microsoft \
    oauth2_client_id=x oauth2_tenant=a%2Fb
req POST mail-servers "$(form name=Bad oauth2_provider=microsoft oauth2_client_id=x oauth2_grant=client_credentials oauth2_client_secret=$CS oauth2_tenant=a%2Fb)" "${X[@]}"
unlike "a refused form never echoes the client secret" "$BODY" "$CS"
like "... and keeps what was entered" "$BODY" '<oauth2_tenant>a/b</oauth2_tenant>'
# Change: an empty secret keeps the stored one, which satisfies client_credentials.
v=$(sql "SELECT version FROM mail_servers WHERE id = $G")
before=$(sql "SELECT hex(oauth2_client_secret) || oauth2_token_url FROM mail_servers WHERE id = $G")
req POST "mail-servers/$G" "$(form name=G version=$v oauth2_provider=google oauth2_client_id=app-2 oauth2_token_url=http://evil.example/t)" "${X[@]}"
is "a bad change answers 422" "$STATUS" 422
is "... and leaves the stored server as it was" "$(sql "SELECT hex(oauth2_client_secret) || oauth2_token_url FROM mail_servers WHERE id = $G")" "$before"
like "... the form still says a secret is set" "$BODY" '<oauth2_client_secret_set>true</oauth2_client_secret_set>'
req POST "mail-servers/$G" "$(form name=G version=$v oauth2_provider=google oauth2_client_id=app-2 oauth2_grant=client_credentials)" "${X[@]}"
is "client_credentials with the stored secret answers 303" "$STATUS" 303
is "... the secret kept" "$(sql "SELECT hex(oauth2_client_secret) FROM mail_servers WHERE id = $G")" "${before%https*}"
v=$(sql "SELECT version FROM mail_servers WHERE id = $G")
req POST "mail-servers/$G" "$(form name=G version=$v oauth2_provider=none)" "${X[@]}"
is "provider none answers 303" "$STATUS" 303
is "... and drops the secret and settings" "$(sql "SELECT CASE WHEN oauth2_client_secret IS NULL AND oauth2_client_id = '' THEN 1 ELSE 0 END FROM mail_servers WHERE id = $G")" 1
is "no client secret in the audit log" "$(sql "SELECT count(*) FROM audit_log WHERE details LIKE '%$CS%'")" 0
is "... which says it changed" "$(sql "SELECT CASE WHEN count(*) > 0 THEN 1 ELSE 0 END FROM audit_log WHERE details LIKE '%oauth2_client_secret: (changed)%'")" 1
# Accounts needing reconnection show on both lists.
sql "INSERT INTO mail_accounts (name, address, server_id, username, password, created_at, updated_at) VALUES ('OA', 'oa@example.jp', $M, 'oa', $(hk_sql_blob ''), 0, 0)"
OA=$(sql "SELECT id FROM mail_accounts WHERE name = 'OA'")
req GET mail-accounts "${X[@]}"
like "an OAuth server's account that never connected" "$BODY" '<oauth2 connected="false" needs-reconnect="false"/>'
sql "INSERT INTO oauth2_tokens (account_id, needs_reconnect, last_error, updated_at) VALUES ($OA, 1, 'invalid_grant: AADSTS70000', 0)"
req GET mail-accounts "${X[@]}"
like "an account whose grant is gone needs reconnecting" "$BODY" '<oauth2 connected="false" needs-reconnect="true"><last-error>invalid_grant: AADSTS70000</last-error></oauth2>'
req GET mail-accounts
like "... shown on the account list" "$BODY" 'needs-reconnect">Needs reconnecting<'
req GET mail-servers "${X[@]}"
like "... and counted on the server list" "$BODY" '<needs-reconnect count="1"/>'
req GET mail-servers
like "... in words" "$BODY" '1 account\(s\) need reconnecting'
req GET "mail-accounts/$OA/edit" "${X[@]}"
like "the account's XML holds its OAuth 2.0 state" "$BODY" '<oauth2 connected="false" needs-reconnect="true"><last-error>'
sql "DELETE FROM oauth2_tokens; DELETE FROM mail_accounts WHERE id = $OA"
is "no client secret in clear in the database files" "$(hk_store_holds "$CS" && echo 1 || echo 0)" 0
is "... nor in the worker log" "$(grep -c "$CS" "$HK_WORKER_LOG")" 0

# ---------------------------------------------------------------- busy
# Another client holds the lock that a new server's INSERT needs (on
# PostgreSQL EXCLUSIVE: reads pass, as beside SQLite's write lock).
if [ "$HK_DB" = postgresql ]; then
	hk_sql 'BEGIN; LOCK TABLE mail_servers IN EXCLUSIVE MODE; SELECT pg_sleep(12); ROLLBACK;' >/dev/null &
else
	(echo 'BEGIN IMMEDIATE; DELETE FROM login_throttle;'; sleep 7; echo 'ROLLBACK;') | hk_sql &
fi
locker=$!
sleep 0.5
if [ "$HK_DB" = postgresql ]; then	# psql may take longer to get there
	for i in $(seq 1 40); do
		[ "$(sql "SELECT count(*) FROM pg_locks WHERE relation = 'mail_servers'::regclass AND mode = 'ExclusiveLock' AND granted")" = 1 ] && break
		sleep 0.1
	done
fi
v=$(sql "SELECT version FROM mail_servers WHERE id = $B")
req POST mail-servers "$(form name=Busy)" "${X[@]}"
is "a locked database answers 503" "$STATUS" 503
wait $locker
is "... and nothing was written" "$(sql "SELECT count(*) FROM mail_servers WHERE name = 'Busy'")" 0

hk_instance_stop
done_testing
