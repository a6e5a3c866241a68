# xsl/ and static/ - stylesheets, message catalogues and CSS/JS.
xsldir = $(pkgdatadir)/xsl
dist_xsl_DATA =
i18ndir = $(xsldir)/i18n
dist_i18n_DATA =
staticdir = $(pkgdatadir)/static
dist_static_DATA =
# The XML Schema of hikyakuctl's export document (import checks against it).
schemadir = $(pkgdatadir)/schema
dist_schema_DATA = schema/hikyaku-export.xsd

# The shared shell and the screens.
dist_xsl_DATA += xsl/layout.xsl xsl/login.xsl xsl/mail-servers.xsl xsl/error.xsl
# Message catalogues: every user-visible string, both languages.
dist_i18n_DATA += xsl/i18n/en.xml xsl/i18n/ja.xml
dist_static_DATA += static/hikyaku.css
# Mail accounts and the audit log.
dist_xsl_DATA += xsl/mail-accounts.xsl xsl/mail-account-form.xsl \
	xsl/mail-account-delete.xsl xsl/audit.xsl
dist_i18n_DATA += xsl/i18n/en-accounts.xml xsl/i18n/ja-accounts.xml
# The mail-server screens (add/change, order, delete), their messages and script.
dist_xsl_DATA += xsl/mail-server-form.xsl xsl/mail-servers-order.xsl xsl/mail-server-delete.xsl
dist_i18n_DATA += xsl/i18n/en-servers.xml xsl/i18n/ja-servers.xml
dist_i18n_DATA += xsl/i18n/en-oauth2.xml xsl/i18n/ja-oauth2.xml
# Back from the OAuth 2.0 provider without the session cookie.
dist_xsl_DATA += xsl/oauth2-resume.xsl
dist_static_DATA += static/hikyaku.js
# The connection test (src/lib-mail/conntest.c): its screen, catalogues and script.
dist_xsl_DATA += xsl/test-result.xsl
dist_i18n_DATA += xsl/i18n/en-conntest.xml xsl/i18n/ja-conntest.xml
dist_static_DATA += static/conntest.js
# Sending and receiving: the oversized-mail screen and its messages.
dist_xsl_DATA += xsl/oversized.xsl
dist_i18n_DATA += xsl/i18n/en-mail.xml xsl/i18n/ja-mail.xml
