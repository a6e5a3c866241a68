<?xml version="1.0" encoding="UTF-8"?>
<!-- error.xsl - a friendly page for <problem status="" code=""/>. -->
<xsl:stylesheet version="1.0"
    xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:hk="urn:hikyaku:xslt"
    exclude-result-prefixes="hk">

  <xsl:import href="layout.xsl"/>

  <!-- The codes the catalogue has a text for; anything else reads as
       "internal", so that an unknown code never shows a raw key. -->
  <xsl:variable name="code">
    <xsl:variable name="c" select="string(/page/problem/@code)"/>
    <xsl:choose>
      <xsl:when test="$c = 'bad-request' or $c = 'forbidden' or
          $c = 'not-found' or $c = 'method-not-allowed' or $c = 'conflict' or
          $c = 'too-large' or $c = 'unavailable' or $c = 'internal' or
          $c = 'unauthorized' or $c = 'unsupported-media-type' or
          $c = 'oauth2-state-unknown' or $c = 'oauth2-state-expired' or
          $c = 'oauth2-state-session'">
        <xsl:value-of select="$c"/>
      </xsl:when>
      <xsl:otherwise>internal</xsl:otherwise>
    </xsl:choose>
  </xsl:variable>

  <xsl:template match="page" mode="hk.title">
    <xsl:value-of select="hk:msg(concat('problem.', $code, '.title'))"/>
  </xsl:template>

  <xsl:template match="page" mode="hk.main">
    <div class="card problem">
      <xsl:if test="string(problem/@status)">
        <p class="problem-status">
          <xsl:value-of select="hk:msg('problem.status', problem/@status)"/>
        </p>
      </xsl:if>
      <p id="problem-text" class="lead">
        <xsl:value-of select="hk:msg(concat('problem.', $code, '.text'))"/>
      </p>
      <xsl:if test="normalize-space(problem) != ''">
        <p class="problem-detail"><xsl:value-of select="normalize-space(problem)"/></p>
      </xsl:if>
      <p class="form-actions">
        <xsl:choose>
          <xsl:when test="$code = 'unauthorized'">
            <a class="button primary" href="{concat($base, 'login')}">
              <xsl:value-of select="hk:msg('login.title')"/>
            </a>
          </xsl:when>
          <xsl:when test="starts-with($code, 'oauth2-')">
            <a class="button primary" href="{concat($base, 'mail-accounts')}">
              <xsl:value-of select="hk:msg('problem.back-accounts')"/>
            </a>
          </xsl:when>
          <xsl:otherwise>
            <a class="button primary" href="{concat($base, 'mail-servers')}">
              <xsl:value-of select="hk:msg('problem.back')"/>
            </a>
          </xsl:otherwise>
        </xsl:choose>
      </p>
    </div>
  </xsl:template>

</xsl:stylesheet>
