#!/usr/bin/env bash
# t-apache.sh - conf/apache-hikyaku.conf in a real Apache httpd 2.4
# (mod_proxy_fcgi) in front of the installed worker: the sample's own
# directives, with only its socket path, address and file names
# substituted, serve sign-in, the list, query strings, REMOTE_USER (its
# commented Basic-auth block, uncommented) and HTTPS (its commented TLS
# block, uncommented).
set -u
. "$HK_SRCDIR/tests/lib/tap.sh"
. "$HK_SRCDIR/tests/lib/instance.sh"
. "$HK_SRCDIR/tests/lib/http.sh"
. "$HK_SRCDIR/tests/lib/serverpages.sh"

APACHE=$(command -v apache2 || ls /usr/sbin/apache2 2>/dev/null)
MODS=/usr/lib/apache2/modules
if [ -z "$APACHE" ] || [ ! -f "$MODS/mod_proxy_fcgi.so" ]; then
	echo "ok 1 # SKIP apache2 with mod_proxy_fcgi is not installed (tests/deps installs it)"
	done_testing
	exit 0
fi
SAMPLE=$HK_SRCDIR/conf/apache-hikyaku.conf
T=$(mktemp -d)
chmod 755 "$T"
apache_pid=
apache_stop() {
	if [ -n "$apache_pid" ]; then
		kill -TERM "$apache_pid" 2>/dev/null
		wait "$apache_pid" 2>/dev/null
		apache_pid=
	fi
}
trap 'apache_stop; hk_instance_stop; rm -rf "$T"' EXIT

HK_EXTRA_CONF='trust_remote_user = yes' hk_instance_start ||
	{ echo "not ok 1 - instance started"; exit 1; }
# The instance's nginx is not used here: every request below goes
# through Apache.
PORT=$(hk_free_port); APORT=$(hk_free_port); SPORT=$(hk_free_port)
while [ "$APORT" = "$PORT" ]; do APORT=$(hk_free_port); done
while [ "$SPORT" = "$PORT" ] || [ "$SPORT" = "$APORT" ]; do SPORT=$(hk_free_port); done

# The sample with an installation's paths: only these strings change.
subst() {	# PORT
	sed -e "s|/run/hikyaku/hikyaku.sock|$HK_DIR/hikyaku.sock|g" \
	    -e "s|127\.0\.0\.1:8080|127.0.0.1:$1|g" \
	    -e "s|/etc/hikyaku/htpasswd|$T/htpasswd|g" \
	    -e "s|/etc/ssl/certs/mail-admin.pem|$T/cert.pem|g" \
	    -e "s|/etc/ssl/private/mail-admin.key|$T/key.pem|g" \
	    -e "s|^#\\{0,1\\}Listen 443\$|#Listen 127.0.0.1:$SPORT|" \
	    -e "s|\\*:443|127.0.0.1:$SPORT|g" "$SAMPLE"
}
mkdir -p "$T/apache/run"
# 1. as shipped: everything commented stays commented.
subst "$PORT" > "$T/apache/site-plain.conf"
# 2. its Basic-auth block uncommented (REMOTE_USER).
subst "$APORT" | sed '/^\t#<Location/,/^\t#<\/Location>/ s/^\t#/\t/' |
	sed -n '/^Listen/,/^<\/VirtualHost>/p' > "$T/apache/site-auth.conf"
# 3. only its TLS block, uncommented.
subst 0 | sed -n '/^#Listen 127.0.0.1:/,/^#<\/VirtualHost>/p' | sed 's/^#//' \
	> "$T/apache/site-tls.conf"
ok "the sample's auth block was found and uncommented" grep -q '^	<Location "/">' "$T/apache/site-auth.conf"
ok "the sample's TLS block was found and uncommented" grep -q '^	SSLEngine on' "$T/apache/site-tls.conf"

printf 'admin:%s\n' "$(openssl passwd -apr1 web-pass)" > "$T/htpasswd"
chmod 644 "$T/htpasswd"
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=localhost \
	-keyout "$T/key.pem" -out "$T/cert.pem" >/dev/null 2>&1

user_lines=
[ "$(id -u)" = 0 ] && user_lines=$'User www-data\nGroup www-data'
{
	cat <<CONF
# A private Apache for this test; the site files are conf/apache-hikyaku.conf.
ServerRoot "$T/apache"
ServerName localhost
PidFile "$T/apache/httpd.pid"
DefaultRuntimeDir "$T/apache/run"
Mutex file:$T/apache/run default
ErrorLog "$T/apache/error.log"
LogLevel warn
$user_lines
StartServers 1
ServerLimit 1
ThreadLimit 8
ThreadsPerChild 8
MaxRequestWorkers 8
CONF
	for m in mpm_event authz_core authn_core authn_file authz_user auth_basic \
		proxy proxy_fcgi headers ssl socache_shmcb; do
		echo "LoadModule ${m}_module $MODS/mod_$m.so"
	done
	echo "LogFormat \"%h %u \\\"%r\\\" %>s\" short"
	echo "CustomLog \"$T/apache/access.log\" short"
	echo "Include \"$T/apache/site-*.conf\""
} > "$T/apache/httpd.conf"

out=$("$APACHE" -f "$T/apache/httpd.conf" -t 2>&1); rc=$?
is "apache2 -t accepts the sample's directives" "$rc" 0
[ $rc -eq 0 ] || diag "$out"
"$APACHE" -f "$T/apache/httpd.conf" -DFOREGROUND 2>>"$T/apache/error.log" &
apache_pid=$!
HK_URL="http://127.0.0.1:$PORT/"
if ! hk_wait_for curl -s -o /dev/null "${HK_URL}login"; then
	ok "Apache answers" false
	sed 's/^/# /' "$T/apache/error.log"
	exit 1
fi

# --- through the sample as shipped
new_browser
req GET login
is "GET /login through Apache answers 200" "$STATUS" 200
like "... HTML from the worker" "$(header Content-Type)" '^text/html; charset=utf-8'
like "... with the worker's security headers" "$(header Content-Security-Policy)" "default-src 'none'"
req GET 'login?format=xml'
like "?format=xml (QUERY_STRING) reaches the worker" "$BODY" '<page screen="login" lang="en" csrf="[0-9a-f]{64}" base="/">'
req GET mail-servers
is "signed out: a screen redirects (303, not followed by Apache)" "$STATUS" 303
is "... to /login" "$(header Location)" /login
sign_in
is "sign-in (POST body, CSRF cookie) through Apache: 303" "$STATUS" 303
is "... to the list" "$(header Location)" /mail-servers
like "... setting the session cookie" "$(header Set-Cookie)" '^hikyaku_session=[0-9a-f]{64}; Path=/; HttpOnly; SameSite=Strict'
unlike "... not Secure over plain HTTP" "$(header Set-Cookie)" 'Secure'
req GET mail-servers
is "the list answers 200" "$STATUS" 200
like "... as HTML" "$BODY" '<html lang="en"'
req GET 'mail-servers?format=xml'
like "the list as XML by query string" "$BODY" '<page screen="mail-servers" lang="en"'
like "... signed in as the admin" "$BODY" "<admin name=\"$HK_ADMIN_USER\""
req GET 'mail-servers?x=%E3%81%82&format=xml'
like "an escaped query is passed on unharmed" "$BODY" '<page screen="mail-servers"'
req GET mail-servers -H 'Accept: application/xml' -H 'Accept-Language: ja'
like "Accept and Accept-Language reach the worker" "$BODY" '<page screen="mail-servers" lang="ja"'
like "the worker saw REQUEST_URI with the query" "$(cat "$HK_WORKER_LOG")" 'GET /mail-servers\?format=xml 200'
req GET no-such-screen
is "an unknown path is the worker's 404" "$STATUS" 404
like "... its page, not Apache's" "$(header Content-Security-Policy)" "default-src 'none'"
head -c 1200000 /dev/zero | tr '\0' a > "$T/big"
req POST login "@$T/big"
is "a body over max_body is the worker's 413 (Apache's limit is higher)" "$STATUS" 413
req GET static/hikyaku.css
is "the worker serves its CSS through Apache" "$STATUS" 200

# Apache's own answers through the sample: the worker's headers, no
# version.  A lowercase method is no error to Apache: the worker answers.
server_pages "$HK_URL" 405 405 414 400 404

# --- REMOTE_USER from Apache's Basic auth
HK_URL="http://127.0.0.1:$APORT/"
new_browser
req GET mail-servers -H 'Accept: application/xml'
is "the auth block: no credentials is Apache's 401" "$STATUS" 401
like "... with the worker's security headers" "$(header Content-Security-Policy)" "^default-src 'none'"
is "... once" "$(printf '%s\n' "$HEADERS" | grep -ci '^X-Frame-Options:')" 1
req GET mail-servers -H 'Accept: application/xml' -u admin:web-pass
is "REMOTE_USER (trust_remote_user = yes) signs in" "$STATUS" 200
like "... as that administrator" "$BODY" '<admin name="admin"'

# --- HTTPS: mod_ssl's HTTPS=on and REQUEST_SCHEME reach the worker
HK_URL="https://127.0.0.1:$SPORT/"
new_browser
req GET 'login?format=xml' -k
is "the TLS block answers" "$STATUS" 200
is "... with the worker's frame protection, once" "$(printf '%s\n' "$HEADERS" | grep -i '^X-Frame-Options:')" "X-Frame-Options: DENY"
like "over HTTPS the pre-session cookie is Secure" "$(header Set-Cookie)" 'HttpOnly; SameSite=Strict; Secure'

apache_stop
# (but for the TRACE refused above, on purpose: TraceEnable Off)
unlike "Apache logged no proxy error" "$(grep -v 'AH01139: TRACE forbidden' "$T/apache/error.log")" 'AH0[0-9]+: .*(error|failed)|\[proxy[_a-z]*:error\]'
hk_instance_stop
done_testing
