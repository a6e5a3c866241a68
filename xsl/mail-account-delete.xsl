<?xml version="1.0" encoding="UTF-8"?>
<!-- mail-account-delete.xsl - confirming that a mail account is deleted. -->
<xsl:stylesheet version="1.0"
    xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:hk="urn:hikyaku:xslt"
    exclude-result-prefixes="hk">

  <xsl:import href="layout.xsl"/>

  <xsl:variable name="a" select="/page/mail-account"/>

  <xsl:template match="page" mode="hk.title">
    <xsl:value-of select="hk:msg('account.delete.title')"/>
  </xsl:template>

  <xsl:template match="page" mode="hk.main">
    <section class="card confirm" aria-labelledby="confirm-text">
      <p id="confirm-text" class="lead">
        <xsl:value-of select="hk:msg('account.delete.confirm', $a/name)"/>
      </p>
      <dl class="summary">
        <dt><xsl:value-of select="hk:msg('account.field.address.label')"/></dt>
        <dd><xsl:value-of select="$a/address"/></dd>
        <dt><xsl:value-of select="hk:msg('account.field.server_id.label')"/></dt>
        <dd><xsl:value-of select="$a/server_name"/></dd>
        <dt><xsl:value-of select="hk:msg('account.field.username.label')"/></dt>
        <dd><xsl:value-of select="$a/username"/></dd>
      </dl>
      <p class="help"><xsl:value-of select="hk:msg('account.delete.note')"/></p>
      <form method="post" action="{concat($base, 'mail-accounts/', $a/@id, '/delete')}">
        <xsl:call-template name="hk.csrf"/>
        <input type="hidden" name="version" value="{$a/@version}"/>
        <div class="form-actions">
          <button type="submit" class="button danger">
            <xsl:value-of select="hk:msg('action.yes')"/>
          </button>
          <a class="button" href="{concat($base, 'mail-accounts')}">
            <xsl:value-of select="hk:msg('action.cancel')"/>
          </a>
        </div>
      </form>
    </section>
  </xsl:template>

</xsl:stylesheet>
