<?xml version="1.0" encoding="UTF-8"?>
<!-- login.xsl - the sign-in screen (POST login: user, password). -->
<xsl:stylesheet version="1.0"
    xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:hk="urn:hikyaku:xslt"
    exclude-result-prefixes="hk">

  <xsl:import href="layout.xsl"/>

  <xsl:template match="page" mode="hk.title">
    <xsl:value-of select="hk:msg('login.title')"/>
  </xsl:template>

  <!-- The heading and the alerts live inside the sign-in card. -->
  <xsl:template match="page" mode="hk.heading"/>
  <xsl:template match="page" mode="hk.errors"/>

  <xsl:template match="page" mode="hk.main">
    <section class="card login-card" aria-labelledby="login-title">
      <h1 id="login-title"><xsl:value-of select="hk:msg('login.title')"/></h1>
      <p class="lead"><xsl:value-of select="hk:msg('login.intro')"/></p>
      <xsl:call-template name="hk.page-errors"/>
      <form method="post" action="{concat($base, 'login')}" class="form login-form">
        <xsl:call-template name="hk.csrf"/>
        <div class="field">
          <label for="f-user"><xsl:value-of select="hk:msg('login.user')"/></label>
          <input type="text" id="f-user" name="user" value="{login/@user}"
              autocomplete="username" autocapitalize="none" spellcheck="false"
              required="required">
            <xsl:call-template name="hk.field-aria">
              <xsl:with-param name="name" select="'user'"/>
            </xsl:call-template>
            <xsl:if test="not(string(login/@user))">
              <xsl:attribute name="autofocus">autofocus</xsl:attribute>
            </xsl:if>
          </input>
          <xsl:call-template name="hk.field-errors">
            <xsl:with-param name="name" select="'user'"/>
          </xsl:call-template>
        </div>
        <div class="field">
          <label for="f-password"><xsl:value-of select="hk:msg('login.password')"/></label>
          <input type="password" id="f-password" name="password"
              autocomplete="current-password" required="required">
            <xsl:call-template name="hk.field-aria">
              <xsl:with-param name="name" select="'password'"/>
            </xsl:call-template>
            <xsl:if test="string(login/@user)">
              <xsl:attribute name="autofocus">autofocus</xsl:attribute>
            </xsl:if>
          </input>
          <xsl:call-template name="hk.field-errors">
            <xsl:with-param name="name" select="'password'"/>
          </xsl:call-template>
        </div>
        <div class="form-actions">
          <button type="submit" class="button primary wide">
            <xsl:value-of select="hk:msg('login.submit')"/>
          </button>
        </div>
      </form>
    </section>
  </xsl:template>

</xsl:stylesheet>
