#!/usr/bin/env bash
# t-cli.sh - the operators' command line (hikyakuctl(8)): servers and
# accounts with the screens' fields, validation, messages, optimistic
# locking and audit entries; passwords never from arguments; backup.
set -u
. "$HK_SRCDIR/tests/lib/tap.sh"
. "$HK_SRCDIR/tests/lib/instance.sh"
. "$HK_SRCDIR/tests/lib/http.sh"
trap hk_instance_stop EXIT
hk_instance_start || { echo "not ok 1 - instance started"; exit 1; }
DB=$HK_DIR/data/hikyaku.db
X=(-H 'Accept: application/xml')
PW='Relay-secret-4b2x'
ME=$(id -un)

sql() { hk_sql "$@"; }
ctl() { LC_ALL=C LANG=C "$HK_PREFIX/bin/hikyakuctl" --config "$HK_CONFIG" "$@"; }
# run CMD...: OUT, ERR and RC of a hikyakuctl run (standard input kept).
run() {
	local e
	e=$(mktemp)
	OUT=$(ctl "$@" 2>"$e"); RC=$?
	ERR=$(cat "$e"); rm -f "$e"
}
snapshot() { sql "SELECT * FROM mail_servers; SELECT * FROM mail_accounts; SELECT count(*) FROM audit_log"; }
# The field names of ERR's "field: message" lines, sorted, space-separated.
fields_of() { printf '%s\n' "$ERR" | sed -nE 's/^([a-z_]+): .*/\1/p' | sort | tr '\n' ' ' | sed 's/ $//'; }

# A complete valid server; later FIELD=VALUE arguments override.
server_sets() {
	local -A f=(
		[name]=Main [smtp_host]=smtp.example.co.jp [smtp_port]=587
		[smtp_security]=starttls [smtp_tls_verify]=on [smtp_auth]=on
		[smtp_auth_method]=plain [smtp_credentials]=fixed [smtp_user]=relay
		[pop_before_smtp_wait]=0 [send_limit]=1048576
		[recv_protocol]=pop3 [recv_host]=pop.example.co.jp [recv_port]=110
		[recv_security]=none [recv_tls_verify]=on [recv_limit]=0
	)
	local kv
	for kv in "$@"; do f[${kv%%=*}]=${kv#*=}; done
	SETS=()
	for kv in "${!f[@]}"; do SETS+=(--set "$kv=${f[$kv]}"); done
}

# ------------------------------------------------------------ servers add
server_sets
run servers add "${SETS[@]}" --password <<<"$PW"
is "servers add: exit 0" "$RC $ERR" "0 "
like "... says what it added" "$OUT" '^mail server Main added \(id [0-9]+, version 1\)$'
is "... stored the fields" "$(sql "SELECT smtp_host, smtp_port, smtp_security, smtp_auth, smtp_credentials, smtp_user, send_limit FROM mail_servers WHERE name='Main'")" \
	"smtp.example.co.jp|587|starttls|1|fixed|relay|1048576"
pwcol=$(sql "SELECT hex(smtp_password) FROM mail_servers WHERE name='Main'")
like "... with the password sealed, not in clear" "$pwcol" '^686B01'
unlike "... (the clear text is nowhere in the row)" "$(sql "SELECT * FROM mail_servers" | tr -d '\0')" "$PW"
is "... audited as cli:$ME" "$(sql "SELECT actor, action, object_type, object_name FROM audit_log ORDER BY id DESC LIMIT 1")" \
	"cli:$ME|create|mail-server|Main"

new_browser
sign_in >/dev/null
req GET mail-servers "${X[@]}"
like "the screens show the server added from the command line" "$BODY" '<name>Main</name>'

run servers add --set name=Defaults --set smtp_host=smtp.example.jp --set recv_host=imap.example.jp \
	--set recv_protocol=imap4 --set recv_security=tls
is "servers add with the form's defaults: exit 0" "$RC" 0
is "... port 25, imap4 on 993 (the add screen's defaults)" \
	"$(sql "SELECT smtp_port, smtp_security, smtp_auth, recv_port FROM mail_servers WHERE name='Defaults'")" "25|none|0|993"

# ------------------------------------------------------- servers validation
# The bad inputs of t-servers.sh's validation table, as --set pairs:
# EXPECTED-FIELD<TAB>FIELD=VALUE[<TAB>FIELD=VALUE...]
before=$(snapshot)
while IFS=$'\t' read -r want sets; do
	[ -n "$want" ] || continue
	IFS=$'\t' read -ra kvs <<<"$sets"
	server_sets name=Fresh "${kvs[@]}"
	run servers add "${SETS[@]}" --password <<<"$PW"
	is "servers add ${sets//$'\t'/ }: exit 1, error on $want" "$RC $(fields_of)" "1 $want"
done <<'TABLE'
smtp_port	smtp_port=0
smtp_port	smtp_port=65536
smtp_port	smtp_port=8a
smtp_port	smtp_port=+25
smtp_port	smtp_port= 25
smtp_port	smtp_port=
recv_port	recv_port=0
smtp_host	smtp_host=bad_host
smtp_host	smtp_host=-a.jp
smtp_host	smtp_host=a..jp
smtp_host	smtp_host=256.1.1.1
smtp_host	smtp_host=2001:db8::g
smtp_host	smtp_host=  
name	name=  
name	name=mAIN
smtp_security	smtp_security=ssl
recv_security	recv_security=ssl
smtp_credentials	smtp_credentials=both
recv_protocol	recv_protocol=imap
send_limit	send_limit=1000
recv_limit	recv_limit=01048576
pop_before_smtp_wait	pop_before_smtp_wait=6
apop	apop=maybe
smtp_auth_method	smtp_auth_method=ntlm
smtp_auth_method	smtp_auth_method=apop
apop	recv_protocol=imap4	apop=on
TABLE
server_sets name=Fresh smtp_host=$'a.jp\r\nb.jp'
run servers add "${SETS[@]}" --password <<<"$PW"
is "a host with CR LF: exit 1, encoding error" "$RC $ERR" "1 smtp_host: The input contains characters that are not allowed."
server_sets name=Fresh smtp_port=0 smtp_host=bad_host recv_host= apop=maybe
run servers add "${SETS[@]}" --password <<<"$PW"
is "several errors: each field reported" "$RC $(fields_of)" "1 apop recv_host smtp_host smtp_port"
like "... with the screens' message" "$ERR" '^smtp_port: Enter a port number from 1 to 65535\.$'
ERR=$(LANG=ja_JP.UTF-8 "$HK_PREFIX/bin/hikyakuctl" --config "$HK_CONFIG" servers add "${SETS[@]}" 2>&1 </dev/null)
like "... in Japanese when LANG says ja" "$ERR" '^smtp_port: .*ポート'
server_sets name=Fresh
run servers add "${SETS[@]}" </dev/null
is "fixed credentials without a password: smtp_password required" "$RC $(fields_of)" "1 smtp_password"
is "no failed add stored or audited anything" "$(snapshot)" "$before"

run servers add --set name=X --set smtp_password=$PW
is "a password in the arguments is refused: exit 1" "$RC" 1
like "... pointing at --password" "$ERR" 'never taken from the command line'
unlike "... and never echoed" "$ERR" "$PW"
run servers add --set nosuch=1
is "an unknown field: exit 1" "$RC" 1
is "nothing stored by refused arguments" "$(snapshot)" "$before"

# ------------------------------------------------------------ change
v=$(ctl servers show Main | sed -n 's/^version=//p')
is "servers show prints the version" "$v" 1
unlike "servers show never prints the password" "$(ctl servers show Main)" "$PW"
run servers change Main --version "$v" --set smtp_port=465 --set smtp_security=tls
is "servers change --version current: exit 0" "$RC $ERR" "0 "
is "... only the named fields changed, the password kept" \
	"$(sql "SELECT smtp_port, smtp_security, smtp_user, CASE WHEN hex(smtp_password) = '$pwcol' THEN 1 ELSE 0 END, version FROM mail_servers WHERE name='Main'")" "465|tls|relay|1|2"
before=$(snapshot)
run servers change Main --version "$v" --set smtp_port=25
is "servers change --version stale: exit 1" "$RC" 1
like "... saying someone else changed it" "$ERR" 'changed this'
run servers change Main --set smtp_port=99999 --set recv_host=
is "servers change invalid: exit 1 with each error" "$RC $(fields_of)" "1 recv_host smtp_port"
run servers change Main --set name=defaults
is "servers change to another server's name (other case)" "$RC $(fields_of)" "1 name"
is "no failed change wrote anything" "$(snapshot)" "$before"
run servers change Main --password <<<"New-$PW"
is "servers change --password (standard input): exit 0" "$RC" 0
unlike "... a new sealed value" "$(sql "SELECT hex(smtp_password) FROM mail_servers WHERE name='Main'")" "^$pwcol\$"
is "... audited as cli:$ME" "$(sql "SELECT actor, action, object_name FROM audit_log ORDER BY id DESC LIMIT 1")" "cli:$ME|update|Main"

# ------------------------------------------------------------ accounts
run accounts add --set name=営業 --set address=sales@example.jp \
	--set server_id=Main --set username=sales <<<'Acct-pw-1'
is "accounts add (server by name, password on stdin): exit 0" "$RC $ERR" "0 "
run accounts add --set name=support --set address=support@example.jp \
	--set server_id="$(sql "SELECT id FROM mail_servers WHERE name='Defaults'")" --set username=support \
	--password-fd 3 3< <(printf 'Fd-pw-2\n')
is "accounts add --password-fd 3: exit 0" "$RC $ERR" "0 "
is "... both stored, the Japanese name intact" "$(sql "SELECT a.name, s.name, a.username, CASE WHEN length(a.password) > 28 THEN 1 ELSE 0 END FROM mail_accounts a JOIN mail_servers s ON s.id = a.server_id ORDER BY a.id")" \
	"営業|Main|sales|1
support|Defaults|support|1"
like "accounts list shows them" "$(ctl accounts list)" $'営業\tsales@example.jp\tMain\tsales\tid [0-9]+\tversion 1'
before=$(snapshot)
run accounts add --set name=営業 --set address=bad --set server_id=Nowhere --set username= <<<x
is "accounts add invalid: every error, exit 1" "$RC $(fields_of)" "1 address name server_id username"
run accounts add --set name=nopw --set address=n@example.jp --set server_id=Main --set username=n </dev/null
is "accounts add without a password on stdin: exit 1" "$RC" 1
run accounts add --set name=n --set password=secret
is "accounts add with the password in the arguments: exit 1" "$RC" 1
run accounts change 営業 --version 7 --set username=other
is "accounts change stale: exit 1" "$RC" 1
is "no failed account command wrote anything" "$(snapshot)" "$before"
run accounts change 営業 --version 1 --set username=sales2
is "accounts change current: exit 0" "$RC $ERR" "0 "
is "... audited as cli:$ME" "$(sql "SELECT actor, action, object_type, object_name FROM audit_log ORDER BY id DESC LIMIT 1")" \
	"cli:$ME|update|mail-account|営業"

# ------------------------------------------------------------ order, delete
run servers order Defaults Main
is "servers order: exit 0" "$RC $ERR" "0 "
is "... stored" "$(sql "SELECT name FROM mail_servers ORDER BY position" | tr '\n' ' ')" "Defaults Main "
before=$(snapshot)
run servers order Defaults
is "servers order missing one: exit 1, the order error" "$RC $(printf '%s' "$ERR" | cut -d: -f1)" "1 order"
run servers delete Main
is "servers delete of a server in use: exit 1" "$RC" 1
like "... naming its accounts" "$ERR" '^replace_with: .*営業'
run servers delete Main --version 1
is "servers delete --version stale: exit 1" "$RC" 1
run accounts delete support --version 9
is "accounts delete --version stale: exit 1" "$RC" 1
is "nothing changed by the refusals" "$(snapshot)" "$before"
run servers delete Main --replace-with Defaults
is "servers delete --replace-with: exit 0" "$RC $ERR" "0 "
is "... the account moved" "$(sql "SELECT s.name FROM mail_accounts a JOIN mail_servers s ON s.id = a.server_id WHERE a.name='営業'")" Defaults
run accounts delete support --version 1
is "accounts delete: exit 0" "$RC $ERR" "0 "
is "the audit trail holds every change, all by cli:$ME" \
	"$(sql "SELECT action || ' ' || object_type FROM audit_log WHERE actor = 'cli:$ME' ORDER BY id" | tr '\n' ',')" \
	"create mail-server,create mail-server,update mail-server,update mail-server,create mail-account,create mail-account,update mail-account,reorder mail-server,delete mail-server,delete mail-account,"

# ------------------------------------------------------------ export
run servers add --set name=二番 --set smtp_host=smtp2.example.jp --set recv_host=pop2.example.jp
run servers order 二番 Defaults
run servers change Defaults --set smtp_auth=on --set smtp_auth_method=plain \
	--set smtp_credentials=fixed --set smtp_user=relay --password <<<"$PW"
run servers change 二番 --set oauth2_client_secret=x
is "servers: the client secret is never taken from --set" "$RC" 1
run servers change 二番 --set oauth2_provider=google --set oauth2_client_id=cli-app \
	--client-secret <<<'Cli-client-secret-3'
is "servers change --client-secret: exit 0" "$RC $ERR" "0 "
run servers show 二番
like "... the preset's endpoint filled in" "$OUT" '^oauth2_token_url=https://oauth2.googleapis.com/token$'
like "... the secret shown only as set" "$OUT" '^oauth2_client_secret_set=yes$'
run export
is "export: exit 0" "$RC $ERR" "0 "
EXPORT1=$OUT
ok "... a well-formed document" xmllint --noout - <<<"$EXPORT1"
like "... root hikyaku-export version 1" "$EXPORT1" '<hikyaku-export version="1">'
like "... the servers with the form's field names" "$EXPORT1" '<smtp_credentials>fixed</smtp_credentials>'
like "... the accounts, Japanese names intact" "$EXPORT1" '<name>営業</name>'
# (recv_auth_method may say "password": a choice, not a secret.)
unlike "... no secret without --with-secrets" "$EXPORT1" '<(smtp_)?password[ >]|secrets|nonce'
run export --with-secrets <<<'Pass phrase 1'
is "export --with-secrets: exit 0" "$RC $ERR" "0 "
EXPORT_S=$OUT
like "... names its construction" "$EXPORT_S" '<secrets [^>]*kdf="scrypt"'
like "... the SMTP password sealed" "$EXPORT_S" '<smtp_password nonce="[A-Za-z0-9+/=]+">[A-Za-z0-9+/=]+</smtp_password>'
like "... the account password sealed" "$EXPORT_S" '<password nonce="[A-Za-z0-9+/=]+">[A-Za-z0-9+/=]+</password>'
unlike "... never in clear" "$EXPORT_S" "$PW|Acct-pw-1|Cli-client-secret-3"
like "... the OAuth 2.0 client secret sealed" "$EXPORT_S" '<oauth2_client_secret nonce="[A-Za-z0-9+/=]+">[A-Za-z0-9+/=]+</oauth2_client_secret>'
ok "... valid against the export schema" xmllint --noout --schema "$HK_SRCDIR/schema/hikyaku-export.xsd" - <<<"$EXPORT_S"
run export --with-secrets </dev/null
is "export --with-secrets without a passphrase: exit 1" "$RC" 1

# ------------------------------------------------------------ import
# A second site: its own empty database and its own key.
mkdir -p "$HK_DIR/site2"
DB2=$(hk_new_store site2) || ok "a second store" false
sed -e "s|^database = .*|database = $DB2|" \
	-e "s|^secret_key = .*|secret_key = $HK_DIR/site2/secret.key|" "$HK_CONFIG" > "$HK_DIR/site2.conf"
ctl2() { LC_ALL=C LANG=C "$HK_PREFIX/bin/hikyakuctl" --config "$HK_DIR/site2.conf" "$@"; }
run2() {
	local e
	e=$(mktemp)
	OUT=$(ctl2 "$@" 2>"$e"); RC=$?
	ERR=$(cat "$e"); rm -f "$e"
}
ctl2 init >/dev/null
sql2() { HK_SQL_DB=$DB2 hk_sql "$@"; }
snap2() { sql2 "SELECT * FROM mail_servers; SELECT * FROM mail_accounts; SELECT count(*) FROM audit_log"; }
printf '%s\n' "$EXPORT_S" > "$HK_DIR/with-secrets.xml"
printf '%s\n' "$EXPORT1" > "$HK_DIR/plain.xml"
empty=$(snap2)

run2 import "$HK_DIR/plain.xml"
is "import without secrets into an empty site: exit 1 (the accounts need passwords)" "$RC" 1
like "... each at its line: FILE:LINE: mail-account 'NAME': password: message" "$ERR" \
	"plain.xml:[0-9]+: mail-account '営業': password: This item is required"
like "... the server with fixed credentials too" "$ERR" "plain.xml:[0-9]+: mail-server 'Defaults': smtp_password: "
is "... and nothing changed" "$(snap2)" "$empty"
run2 import "$HK_DIR/with-secrets.xml" <<<'wrong phrase'
is "a wrong passphrase: exit 1, nothing changed" "$RC $(snap2)" "1 $empty"
like "... said at the <secrets> line" "$ERR" 'with-secrets.xml:3: the passphrase does not open'
run2 import "$HK_DIR/with-secrets.xml" </dev/null
is "no passphrase: exit 1" "$RC" 1
run2 import --dry-run "$HK_DIR/with-secrets.xml" <<<'Pass phrase 1'
is "import --dry-run: exit 0, nothing changed" "$RC $(snap2)" "0 $empty"
like "... says it is valid" "$OUT" 'valid: 2 mail servers, 1 mail accounts'

# Broken documents: every problem with its line, nothing changed.
sed -e '0,/<smtp_port>[0-9]*</s//<smtp_port>0</' -e 's|<address>sales@example.jp</address>|<address>bad address</address>|' \
	"$HK_DIR/with-secrets.xml" > "$HK_DIR/bad-values.xml"
run2 import "$HK_DIR/bad-values.xml" <<<'Pass phrase 1'
is "invalid values: exit 1, nothing changed" "$RC $(snap2)" "1 $empty"
is "... each problem on its own line, at the field's line" \
	"$(printf '%s\n' "$ERR" | grep -oE '^[^:]+:[0-9]+: [a-z-]+ '"'"'[^'"'"']+'"'"': [a-z_]+' | sed 's|.*/||')" \
	"bad-values.xml:$(grep -n '<smtp_port>0<' "$HK_DIR/bad-values.xml" | cut -d: -f1): mail-server '二番': smtp_port
bad-values.xml:$(grep -n 'bad address' "$HK_DIR/bad-values.xml" | cut -d: -f1): mail-account '営業': address"
sed -e 's|version="1"|version="9"|' -e 's|</recv_limit>|</recv_limit><colour>red</colour>|' \
	"$HK_DIR/with-secrets.xml" > "$HK_DIR/bad-shape.xml"
run2 import "$HK_DIR/bad-shape.xml" <<<'Pass phrase 1'
is "a document against the schema: exit 1, nothing changed" "$RC $(snap2)" "1 $empty"
like "... the version reported" "$ERR" "bad-shape.xml:2: .*'version'"
like "... the unknown element reported at its line" "$ERR" "bad-shape.xml:[0-9]+: Element 'colour'"
head -c 300 "$HK_DIR/with-secrets.xml" > "$HK_DIR/cut.xml"
run2 import "$HK_DIR/cut.xml"
is "a truncated document: exit 1, nothing changed" "$RC $(snap2)" "1 $empty"
# A secret moved to another record does not open there.
a=$(grep -o '<password nonce="[^"]*">[^<]*</password>' "$HK_DIR/with-secrets.xml" | head -1)
s=$(grep -o '<smtp_password nonce="[^"]*">[^<]*</smtp_password>' "$HK_DIR/with-secrets.xml" | head -1)
moved=${a//password/smtp_password}
awk -v old="$s" -v new="$moved" '{ i = index($0, old); if (i) $0 = substr($0, 1, i - 1) new substr($0, i + length(old)); print }' \
	"$HK_DIR/with-secrets.xml" > "$HK_DIR/moved.xml"
run2 import "$HK_DIR/moved.xml" <<<'Pass phrase 1'
is "a secret moved to another record: exit 1, nothing changed" "$RC $(snap2)" "1 $empty"
like "... said so" "$ERR" "smtp_password: does not decrypt"

run2 import "$HK_DIR/with-secrets.xml" <<<'Pass phrase 1'
is "import --with-secrets document into the empty site: exit 0" "$RC $ERR" "0 "
run2 export
is "export -> import -> export gives the same document" "$OUT" "$EXPORT1"
is "... Japanese names intact in the database" "$(sql2 "SELECT name FROM mail_accounts")" 営業
is "... audited as cli:$ME" "$(sql2 "SELECT DISTINCT actor FROM audit_log")" "cli:$ME"
is "... the passwords sealed under the new site's key" \
	"$(sql2 "SELECT count(*) FROM mail_accounts WHERE length(password) > 28")" 1
run2 export --with-secrets <<<'Other phrase'
is "... and they open under it (export --with-secrets reads them)" "$RC" 0

before=$(snap2)
run2 import "$HK_DIR/with-secrets.xml" <<<'Pass phrase 1'
is "import again without --replace: exit 1 (names taken), nothing changed" "$RC $(snap2)" "1 $before"
like "... each name reported" "$ERR" "mail-server '二番': name: This name is already used"
# --replace: the document becomes the whole set, in its order.
run2 servers add --set name=Extra --set smtp_host=x.example.jp --set recv_host=y.example.jp
run2 servers order Defaults Extra 二番
run2 import --replace "$HK_DIR/plain.xml"
is "import --replace without secrets keeps the stored passwords: exit 0" "$RC $ERR" "0 "
is "... the server not in the document is gone, the order is the document's" \
	"$(sql2 "SELECT name FROM mail_servers ORDER BY position" | tr '\n' ' ')" "二番 Defaults "
run2 export
is "... and the site exports as the document again" "$OUT" "$EXPORT1"

# ------------------------------------------------------------ backup
# backup copies an SQLite file; a PostgreSQL site is backed up with
# PostgreSQL's own tools.
if ! hk_sqlite_only "backup and restore copy an SQLite database file" 8; then
	hk_instance_stop
	done_testing
	exit
fi
# While the worker runs (and keeps the database open in WAL mode).
req GET mail-servers "${X[@]}"
run backup "$HK_DIR/copy.db"
is "backup: exit 0" "$RC $ERR" "0 "
like "... says the copy passed its check" "$OUT" 'integrity ok'
is "... the copy opens and passes integrity_check" "$(sqlite3 "$HK_DIR/copy.db" 'PRAGMA integrity_check')" ok
is "... holds the data, Japanese names intact" "$(sqlite3 "$HK_DIR/copy.db" "SELECT name FROM mail_accounts")" 営業
is "... stands alone (not WAL), readable by its owner only" \
	"$(sqlite3 "$HK_DIR/copy.db" 'PRAGMA journal_mode') $(stat -c %a "$HK_DIR/copy.db")" "delete 600"
run backup "$HK_DIR/copy.db"
is "backup over an existing file: exit 2, the file kept" "$RC $(sqlite3 "$HK_DIR/copy.db" 'SELECT count(*) FROM mail_accounts')" "2 1"
run backup "$DB"
is "backup over the database itself: refused" "$RC $(sql 'PRAGMA integrity_check')" "2 ok"
# The restore of hikyakuctl(8): copy back (here into a new place), check.
mkdir -p "$HK_DIR/restored"
cp "$HK_DIR/copy.db" "$HK_DIR/restored/hikyaku.db"
sed "s|^database = .*|database = $HK_DIR/restored/hikyaku.db|" "$HK_CONFIG" > "$HK_DIR/restored.conf"
is "a restored copy serves the commands" \
	"$("$HK_PREFIX/bin/hikyakuctl" --config "$HK_DIR/restored.conf" accounts list | cut -f1,3)" $'営業\tDefaults'

hk_instance_stop
done_testing
