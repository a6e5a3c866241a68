# xsl/ and static/ - stylesheets, message catalogues and CSS/JS.
xsldir = $(pkgdatadir)/xsl
dist_xsl_DATA =
i18ndir = $(xsldir)/i18n
dist_i18n_DATA =
staticdir = $(pkgdatadir)/static
dist_static_DATA =
