#!/usr/bin/env bash
# t-paging.sh - the mail-account list's pages and search (docs/REFERENCE.md,
# GET /mail-accounts): the paging attributes, what each page holds, the
# search over name, address, user name and server name, the bounds of
# page and per_page, the links carrying the search along, and the page
# cache keeping each page and search apart.
set -u
. "$HK_SRCDIR/tests/lib/tap.sh"
. "$HK_SRCDIR/tests/lib/instance.sh"
. "$HK_SRCDIR/tests/lib/http.sh"
HK_WORKERS=1	# the page cache is per worker
trap hk_instance_stop EXIT
hk_instance_start || { echo "not ok 1 - instance started"; exit 1; }
new_browser
XML=(-H 'Accept: application/xml')
add_server() {
	hk_sql "INSERT INTO mail_servers (position, name, smtp_host, smtp_port,
	    smtp_security, smtp_tls_verify, smtp_auth, smtp_auth_method,
	    smtp_credentials, pop_before_smtp, pop_before_smtp_wait, send_limit,
	    recv_protocol, apop, recv_host, recv_port, recv_security,
	    recv_tls_verify, recv_limit, created_at, updated_at)
	    VALUES ($2, '$1', 'smtp.example.jp', 25, 'none', 1, 0, 'login',
	    'account', 0, 0, 0, 'pop3', 0, 'pop.example.jp', 110, 'none', 1, 0,
	    0, 0) RETURNING id;"
}
# names: the account names of the XML list in BODY, comma-separated.
names() {
	printf '%s' "$BODY" | grep -oE '<mail-account id="[0-9]+" version="[0-9]+"><name>[^<]*</name>' |
		sed -E 's/.*<name>([^<]*)<\/name>/\1/' | paste -sd, -
}
count() { printf '%s' "$BODY" | grep -oE '<mail-account id=' | wc -l | tr -d ' '; }
# list QUERY: the XML list with that query string; sets STATUS and BODY.
list() { req GET "mail-accounts?$1" "${XML[@]}"; }
attrs() { printf '%s' "$BODY" | grep -oE '<mail-accounts [^>]*>' | head -1; }

S1=$(add_server 'Tokyo Office' 1)
S2=$(add_server 'Osaka Branch' 2)
# 120 accounts acct-001..acct-120 (every tenth on Osaka), inserted in a
# shuffled order so that the list's order is the name's, not the id's;
# then two with mixed case and LIKE's own characters.
{
	echo "BEGIN;"
	for i in $(seq 1 120 | shuf); do
		n=$(printf '%03d' "$i")
		s=$S1; [ $((i % 10)) = 0 ] && s=$S2
		echo "INSERT INTO mail_accounts (name, address, server_id, username, password, created_at, updated_at)
		      VALUES ('acct-$n', 'user$n@example.jp', $s, 'login$n', $(hk_sql_blob ''), 0, 0);"
	done
	echo "INSERT INTO mail_accounts (name, address, server_id, username, password, created_at, updated_at)
	      VALUES ('Mixed Case', 'Boss@Example.JP', $S1, 'chief', $(hk_sql_blob ''), 0, 0);"
	echo "INSERT INTO mail_accounts (name, address, server_id, username, password, created_at, updated_at)
	      VALUES ('under_score', 'u@example.jp', $S1, 'u1', $(hk_sql_blob ''), 0, 0);"
	echo "COMMIT;"
} | hk_sql
is "122 accounts in the store" "$(hk_sql 'SELECT count(*) FROM mail_accounts')" 122

sign_in
is "signed in" "$STATUS" 303

# --- the default page
list ""
is "the list answers 200" "$STATUS" 200
is "... <mail-accounts> with page, pages, per-page, total, q, link-query" "$(attrs)" \
	'<mail-accounts page="1" pages="3" per-page="50" total="122" q="" link-query="">'
is "... 50 accounts on page 1" "$(count)" 50
like "... by name: acct-001 to acct-050" "$(names)" '^acct-001,acct-002,.*,acct-050$'

list "page=2"
is "page 2: the attributes" "$(attrs)" \
	'<mail-accounts page="2" pages="3" per-page="50" total="122" q="" link-query="">'
is "... holds acct-051 to acct-100" "$(names)" "$(seq -f 'acct-%03g' 51 100 | paste -sd, -)"
list "page=3"
is "page 3 holds the last 22, the mixed-case names by lower(name)" "$(names)" \
	"$(seq -f 'acct-%03g' 101 120 | paste -sd, -),Mixed Case,under_score"

# --- per_page
list "per_page=500"
is "per_page=500: one page of all 122" "$(attrs)" \
	'<mail-accounts page="1" pages="1" per-page="500" total="122" q="" link-query="per_page=500">'
is "... 122 accounts" "$(count)" 122
list "per_page=1&page=122"
is "per_page=1, page 122: the last account" "$(names)" under_score
list "per_page=7&page=2"
is "per_page=7, page 2: accounts 8 to 14" "$(names)" "$(seq -f 'acct-%03g' 8 14 | paste -sd, -)"

# --- bad paging parameters: page as /audit does (404), per_page 400
for p in 0 4 -1 abc 1.5 99999999999999; do
	list "page=$p"
	is "page=$p answers 404" "$STATUS" 404
done
list "page=3&per_page=500"
is "page=3 with one page of 500 answers 404" "$STATUS" 404
for pp in 0 501 abc -5 ''; do
	list "per_page=$pp"
	is "per_page='$pp' answers 400" "$STATUS" 400
done

# --- search
list "q=ACCT-11"
is "q=ACCT-11 matches names case-insensitively" "$(names)" "$(seq -f 'acct-%03g' 110 119 | paste -sd, -)"
like "... total 10, the term echoed" "$(attrs)" 'total="10" q="ACCT-11" link-query="q=ACCT-11"'
list "q=boss%40example.jp"
is "q=boss@example.jp matches an address" "$(names)" "Mixed Case"
list "q=CHIEF"
is "q=CHIEF matches a user name" "$(names)" "Mixed Case"
list "q=osaka+branch"
is "q=osaka branch matches the server's name" "$(names)" "$(seq -f 'acct-%03g' 10 10 120 | paste -sd, -)"
like "... total 12, encoded in link-query" "$(attrs)" 'total="12" q="osaka branch" link-query="q=osaka%20branch"'
list "q=+++osaka+"
like "spaces around the term are dropped" "$(attrs)" 'total="12" q="osaka"'
list "q=_"
is "q=_ matches only a real underscore" "$(names)" under_score
list "q=%25"
like "q=% matches nothing (no account holds a %)" "$(attrs)" 'pages="1" per-page="50" total="0" q="%"'
list "q=nothing-like-this"
like "no match: one empty page" "$(attrs)" 'page="1" pages="1" per-page="50" total="0"'
# A name with a non-ASCII capital: found by the same letters on either
# store.  (PostgreSQL's lower() folds Ä, SQLite's only A-Z; the term must
# be folded by the same lower() as the column, or PostgreSQL misses it.)
hk_sql "INSERT INTO mail_accounts (name, address, server_id, username, password, created_at, updated_at)
	VALUES ('Äpfel GmbH', 'obst@example.de', $S1, 'obst', $(hk_sql_blob ''), 0, 0)"
list "q=%C3%84pfel"
is "q=Äpfel finds the account named Äpfel GmbH" "$(names)" "Äpfel GmbH"
list "q=PFEL+gmbh"
is "... as does q=PFEL gmbh (ASCII letters in any case)" "$(names)" "Äpfel GmbH"
hk_sql "DELETE FROM mail_accounts WHERE name = 'Äpfel GmbH'"
list "q=acct&page=3"
is "search and paging: q=acct, page 3" "$(names)" "$(seq -f 'acct-%03g' 101 120 | paste -sd, -)"
like "... pages of the matches only" "$(attrs)" 'page="3" pages="3" per-page="50" total="120"'
list "q=acct&page=4"
is "... page 4 of a search of 3 pages answers 404" "$STATUS" 404
long=$(head -c 255 /dev/zero | tr '\0' x)
list "q=$long"
is "a 255-byte term answers 200" "$STATUS" 200
list "q=${long}x"
is "a 256-byte term answers 400" "$STATUS" 400
list "q=%E6%9D%B1%E4%BA%AC"
like "a UTF-8 term is echoed and percent-encoded in link-query" "$(attrs)" \
	'total="0" q="東京" link-query="q=%E6%9D%B1%E4%BA%AC"'

# --- HTML: the search box and the page links keep the search
req GET 'mail-accounts?q=tokyo+office&per_page=20'
is "HTML search answers 200" "$STATUS" 200
like "... the search box holds the term" "$BODY" '<input type="search" id="account-search" name="q" value="tokyo office"'
like "... and keeps per_page" "$BODY" '<input type="hidden" name="per_page" value="20"'
like "... the caption counts the matches" "$BODY" '110 mail accounts match “tokyo office”'
like "... page 1 of 6" "$BODY" 'Page 1 of 6'
like "... next keeps q and per_page" "$BODY" 'rel="next" href="/mail-accounts\?page=2&amp;q=tokyo%20office&amp;per_page=20"'
if printf '%s' "$BODY" | grep -q 'rel="prev"'; then r=1; else r=0; fi
is "... no previous link on page 1" "$r" 0
req GET 'mail-accounts?page=2&q=tokyo%20office&per_page=20'
like "following next: page 2 of 6" "$BODY" 'Page 2 of 6'
like "... previous keeps q and per_page" "$BODY" 'rel="prev" href="/mail-accounts\?page=1&amp;q=tokyo%20office&amp;per_page=20"'
req GET 'mail-accounts?q=nothing-like-this'
like "HTML: no match says so" "$BODY" 'No mail account matches “nothing-like-this”'
like "... and offers the whole list again" "$BODY" 'href="/mail-accounts">Show all'
req GET 'mail-accounts?page=2' -H 'Accept-Language: ja'
like "Japanese: the previous link" "$BODY" 'rel="prev"[^>]*>[[:space:]]*前へ'
like "... the next link" "$BODY" 'rel="next"[^>]*>[[:space:]]*次へ'
like "... the status" "$BODY" '2 / 3 ページ'
like "... the search button" "$BODY" '>検索</button>'

# --- the page cache keeps pages and searches apart
req GET mail-accounts
req GET mail-accounts
is "page 1 again comes from the cache" "$(header X-Hikyaku-Cache)" hit
like "... holding acct-001" "$BODY" '>acct-001<'
req GET 'mail-accounts?page=2'
is "page 2 is not page 1 from the cache" "$(header X-Hikyaku-Cache)" miss
like "... it holds acct-051" "$BODY" '>acct-051<'
if printf '%s' "$BODY" | grep -q '>acct-001<'; then r=1; else r=0; fi
is "... and not acct-001" "$r" 0
req GET 'mail-accounts?page=2'
is "page 2 again: a hit" "$(header X-Hikyaku-Cache)" hit
like "... still acct-051" "$BODY" '>acct-051<'
req GET 'mail-accounts?q=osaka'
like "a search is not the cached page 1" "$BODY" '12 mail accounts match “osaka”'
hk_sql "INSERT INTO mail_accounts (name, address, server_id, username, password, created_at, updated_at)
	VALUES ('aaa-first', 'first@example.jp', $S2, 'first', $(hk_sql_blob ''), 0, 0);"
req GET mail-accounts
is "after a write page 1 is rendered afresh" "$(header X-Hikyaku-Cache)" miss
like "... with the new account first" "$BODY" '>aaa-first<'
like "... and the new total" "$BODY" '123 mail accounts'

hk_instance_stop
done_testing
