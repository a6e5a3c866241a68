#!/usr/bin/env bash
# t-migrate.sh - `hikyakuctl migrate-db --to URI` (hikyakuctl(8)): a site
# built on SQLite copied into an empty PostgreSQL database; a second
# configuration on that database sees the same servers, accounts, versions
# and audit trail, its passwords still open under the same secret.key, and
# new rows get fresh ids.  A non-empty target and a bad URI are refused
# with nothing changed.
set -u
. "$HK_SRCDIR/tests/lib/tap.sh"
. "$HK_SRCDIR/tests/lib/instance.sh"
. "$HK_SRCDIR/tests/lib/http.sh"
. "$HK_SRCDIR/tests/lib/pg.sh"
trap 'hk_instance_stop; pg_destroy' EXIT
pg_start || { echo "1..0 # SKIP no PostgreSQL server"; exit 0; }
# The source is SQLite whatever store the run is testing.
HK_DATABASE= hk_instance_start || { echo "not ok 1 - instance started"; exit 1; }
DB=$HK_DIR/data/hikyaku.db

sql() { sqlite3 -cmd '.timeout 5000' "$DB" "$@"; }
ctl() { LC_ALL=C LANG=C "$HK_PREFIX/bin/hikyakuctl" --config "$HK_CONFIG" "$@"; }
pgctl() { LC_ALL=C LANG=C "$HK_PREFIX/bin/hikyakuctl" --config "$PG_CONFIG" "$@"; }
# run CTL ARGS...: OUT, ERR and RC of a run (standard input kept).
run() {
	local e
	e=$(mktemp)
	OUT=$("$@" 2>"$e"); RC=$?
	ERR=$(cat "$e"); rm -f "$e"
}

server_add() {	# NAME
	ctl servers add --set name="$1" --set smtp_host="smtp.$1.example.jp" \
		--set smtp_port=587 --set smtp_security=starttls --set smtp_auth=on \
		--set smtp_auth_method=plain --set smtp_credentials=fixed \
		--set smtp_user=relay --set recv_protocol=pop3 \
		--set recv_host="pop.$1.example.jp" --set recv_port=110 \
		--set recv_security=none --password <<<"relay-$1-pw" >/dev/null
}
account_add() {	# NAME SERVER
	ctl accounts add --set name="$1" --set address="$1@example.jp" \
		--set server_id="$2" --set username="$1" <<<"pw-of-$1" >/dev/null
}

# ------------------------------------------------------------ a site on SQLite
for s in Alpha Beta Gamma; do server_add $s; done
for a in taro hanako jiro; do account_add $a Beta; done
account_add saburo Gamma
ctl servers delete Alpha --version 1 >/dev/null
ctl servers change Gamma --version 1 --set smtp_port=465 >/dev/null
ctl accounts change taro --version 1 --set address=taro2@example.jp >/dev/null
new_browser
sign_in >/dev/null
is "the SQLite site is built (servers, accounts, versions, a session)" \
	"$(sql "SELECT count(*), sum(version) FROM mail_servers; SELECT count(*), sum(version) FROM mail_accounts; SELECT count(*) FROM sessions")" \
	"$(printf '2|3\n4|5\n1')"
audit_rows=$(sql "SELECT count(*) FROM audit_log")

TARGET=$(pg_createdb hk_migrate) || { echo "not ok 2 - database created"; exit 1; }
PG_CONFIG=$HK_DIR/hikyaku-pg.conf
sed "s|^database = .*|database = $TARGET|" "$HK_CONFIG" > "$PG_CONFIG"

# ------------------------------------------------------------ refusals
run ctl migrate-db --to "$HK_DIR/other.db"
is "a target that is no PostgreSQL URI: exit 1" "$RC" 1
like "... says a URI is needed" "$ERR" 'needs a postgresql:// or postgres:// URI'
run ctl migrate-db --to "postgresql://hikyaku@127.0.0.1:1/nowhere?connect_timeout=2"
is "an unreachable URI: exit 2" "$RC" 2
like "... with libpq's reason" "$ERR" '^hikyakuctl: migrate-db: .*(refused|connect)'
run ctl migrate-db --to "$(pg_uri hk_no_such_db)"
is "a database that does not exist: exit 2" "$RC" 2
run pgctl migrate-db --to "$TARGET"
is "a PostgreSQL source is refused: exit 2" "$RC" 2
like "... the source must be SQLite" "$ERR" 'source must be SQLite'
is "... and the target is still empty" \
	"$(pg_sql -d hk_migrate "SELECT count(*) FROM pg_class WHERE relnamespace = 'public'::regnamespace")" 0

# A table the PostgreSQL schema lacks would be left behind: refused, and
# the schema made meanwhile is rolled back with the rest.
sql "CREATE TABLE notes (id INTEGER PRIMARY KEY, t TEXT); INSERT INTO notes VALUES (1, 'x')"
run ctl migrate-db --to "$TARGET"
is "a SQLite table without a PostgreSQL counterpart: exit 2" "$RC" 2
like "... naming it" "$ERR" 'SQLite table notes has no counterpart'
is "... and the target is empty again (the schema rolled back too)" \
	"$(pg_sql -d hk_migrate "SELECT count(*) FROM pg_class WHERE relnamespace = 'public'::regnamespace")" 0
sql "DROP TABLE notes"

# ------------------------------------------------------------ the copy
run ctl migrate-db --to "$TARGET"
is "migrate-db: exit 0" "$RC $ERR" "0 "
like "... prints a summary that says verified" "$OUT" '^migrate-db: [0-9]+ tables, [0-9]+ rows copied to postgresql://.* verified$'
like "... row counts per table" "$OUT" 'mail_accounts +4 rows'
unlike "... never a password in the URI shown" "$OUT" ':[^@/]*@127'

is "the server list is the same on PostgreSQL" "$(pgctl servers list)" "$(ctl servers list)"
is "the account list is the same on PostgreSQL" "$(pgctl accounts list)" "$(ctl accounts list)"
is "ids and versions kept" \
	"$(pg_sql -d hk_migrate "SELECT id, version FROM mail_servers ORDER BY id; SELECT id, version, maildir FROM mail_accounts ORDER BY id")" \
	"$(sql "SELECT id, version FROM mail_servers ORDER BY id; SELECT id, version, maildir FROM mail_accounts ORDER BY id")"
is "the audit trail kept" "$(pg_sql -d hk_migrate "SELECT count(*) FROM audit_log")" "$audit_rows"
is "the data generation kept" "$(pg_sql -d hk_migrate "SELECT n FROM data_generation")" \
	"$(sql "SELECT n FROM data_generation")"
is "the administrators and their sessions kept" \
	"$(pg_sql -d hk_migrate "SELECT count(*) FROM admins; SELECT count(*) FROM sessions")" \
	"$(sql "SELECT count(*) FROM admins; SELECT count(*) FROM sessions")"
is "the schema version is the SQLite one" "$(pg_sql -d hk_migrate "SELECT version FROM hk_schema")" \
	"$(sql "PRAGMA user_version")"

# The sealed passwords are bound to their row's id: they open only if
# the ids came across unchanged (accounts list says "password unreadable"
# of one that does not).
run pgctl accounts list
is "every account password opens on PostgreSQL" "$RC $(grep -c unreadable <<<"$OUT")" "0 0"
run pgctl export --with-secrets <<<"a passphrase for this test"
is "... and export --with-secrets reads them all" "$RC $ERR" "0 "
# The control: a password moved to another account's row does not open.
pg_sql -d hk_migrate "UPDATE mail_accounts SET password = (SELECT password FROM mail_accounts WHERE name = 'hanako') WHERE name = 'jiro'"
like "... (control: a password under another id does not open)" "$(pgctl accounts list 2>/dev/null)" '^jiro.*password unreadable'
pg_sql -d hk_migrate "UPDATE mail_accounts SET password = decode('$(sql "SELECT hex(password) FROM mail_accounts WHERE name = 'jiro'")', 'hex') WHERE name = 'jiro'"

max_id=$(sql "SELECT max(id) FROM mail_servers")
PGCTL_OUT=$(pgctl servers add --set name=Delta --set smtp_host=smtp.delta.example.jp \
	--set recv_host=imap.delta.example.jp --set recv_protocol=imap4 --set recv_security=tls 2>&1)
is "a new server on PostgreSQL gets an id past the copied ones" \
	"$(pg_sql -d hk_migrate "SELECT id > $max_id FROM mail_servers WHERE name = 'Delta'")" "t"
[ "$(pg_sql -d hk_migrate "SELECT count(*) FROM mail_servers WHERE name = 'Delta'")" = 1 ] ||
	echo "# $PGCTL_OUT"

# ------------------------------------------------------------ a non-empty target
before=$(pg_sql -d hk_migrate "SELECT count(*) FROM mail_servers; SELECT count(*) FROM audit_log; SELECT n FROM data_generation")
run ctl migrate-db --to "$TARGET"
is "a non-empty target: exit 2" "$RC" 2
like "... says it is not empty" "$ERR" 'is not empty'
is "... and nothing changed there" \
	"$(pg_sql -d hk_migrate "SELECT count(*) FROM mail_servers; SELECT count(*) FROM audit_log; SELECT n FROM data_generation")" "$before"

hk_instance_stop
done_testing
