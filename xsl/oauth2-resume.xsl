<?xml version="1.0" encoding="UTF-8"?>
<!-- oauth2-resume.xsl - the provider sent the browser back without the
     session cookie (it is SameSite=Strict, and the navigation came from
     another site): this page loads the same callback again from this
     site, which carries the cookie.  <continue> is that URL, already
     percent-encoded. -->
<xsl:stylesheet version="1.0"
    xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:hk="urn:hikyaku:xslt"
    exclude-result-prefixes="hk">

  <xsl:import href="layout.xsl"/>

  <xsl:template match="page" mode="hk.title">
    <xsl:value-of select="hk:msg('oauth2.resume.title')"/>
  </xsl:template>

  <xsl:template match="page" mode="hk.head">
    <meta http-equiv="refresh" content="{concat('0;url=', continue)}"/>
  </xsl:template>

  <xsl:template match="page" mode="hk.main">
    <div class="card">
      <p class="lead"><xsl:value-of select="hk:msg('oauth2.resume.text')"/></p>
      <p class="form-actions">
        <a class="button primary" id="oauth2-continue" href="{continue}">
          <xsl:value-of select="hk:msg('oauth2.resume.continue')"/>
        </a>
      </p>
    </div>
  </xsl:template>

</xsl:stylesheet>
