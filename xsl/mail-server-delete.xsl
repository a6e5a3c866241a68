<?xml version="1.0" encoding="UTF-8"?>
<!--
  mail-server-delete.xsl - confirm deleting a mail server.

  <page screen="mail-server-delete">
    <mail-server id="">…</mail-server>         the server to delete
    <mail-accounts><mail-account id="">…       the accounts that use it
    <mail-servers><mail-server>…               the others, for replace_with
    <error field="replace_with">…</error>      409 in use / 422 bad choice
-->
<xsl:stylesheet version="1.0"
    xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:hk="urn:hikyaku:xslt"
    exclude-result-prefixes="hk">

  <xsl:import href="mail-servers.xsl"/>

  <xsl:variable name="srv" select="/page/mail-server"/>
  <xsl:variable name="users" select="/page/mail-accounts/mail-account"/>
  <xsl:variable name="others" select="/page/mail-servers/mail-server"/>

  <xsl:template match="page" mode="hk.title">
    <xsl:value-of select="hk:msg('server.delete.title')"/>
  </xsl:template>

  <xsl:template match="page" mode="hk.actions"/>

  <!-- The in-use error is shown beside the pulldown it points at. -->
  <xsl:template match="page" mode="hk.errors">
    <xsl:if test="/page/error[@field != 'replace_with']">
      <xsl:call-template name="hk.page-errors"/>
    </xsl:if>
  </xsl:template>

  <xsl:template match="page" mode="hk.main">
    <section class="card delete-card" aria-labelledby="delete-q">
      <p id="delete-q" class="delete-question">
        <xsl:value-of select="hk:msg('server.delete.confirm', $srv/name)"/>
      </p>
      <dl class="delete-summary">
        <dt><xsl:value-of select="hk:msg('servers.col.send')"/></dt>
        <dd class="hostport">
          <xsl:call-template name="hostport">
            <xsl:with-param name="host" select="$srv/smtp_host"/>
            <xsl:with-param name="port" select="$srv/smtp_port"/>
          </xsl:call-template>
        </dd>
        <dt><xsl:value-of select="hk:msg('servers.col.receive')"/></dt>
        <dd>
          <span class="hostport">
            <xsl:call-template name="hostport">
              <xsl:with-param name="host" select="$srv/recv_host"/>
              <xsl:with-param name="port" select="$srv/recv_port"/>
            </xsl:call-template>
          </span>
          <xsl:text> </xsl:text>
          <span class="muted">(<xsl:value-of select="hk:msg(concat('protocol.', $srv/recv_protocol))"/>)</span>
        </dd>
      </dl>

      <form method="post" action="{concat($base, 'mail-servers/', $srv/@id, '/delete')}"
          class="form delete-form">
        <xsl:call-template name="hk.csrf"/>
        <xsl:if test="$users">
          <section class="in-use" aria-labelledby="in-use-title">
            <h2 id="in-use-title">
              <xsl:value-of select="hk:msg('server.delete.accounts.title', count($users))"/>
            </h2>
            <ul class="account-list">
              <xsl:for-each select="$users">
                <li>
                  <strong><xsl:value-of select="name"/></strong>
                  <xsl:if test="string(address)">
                    <xsl:text> </xsl:text>
                    <span class="muted">&lt;<xsl:value-of select="address"/>&gt;</span>
                  </xsl:if>
                </li>
              </xsl:for-each>
            </ul>
            <xsl:choose>
              <xsl:when test="$others">
                <div class="field">
                  <xsl:if test="/page/error[@field = 'replace_with']">
                    <xsl:attribute name="class">field has-error</xsl:attribute>
                  </xsl:if>
                  <label for="f-replace_with">
                    <xsl:value-of select="hk:msg('server.delete.replace_with')"/>
                    <span class="required"><xsl:value-of select="hk:msg('form.required')"/></span>
                  </label>
                  <select id="f-replace_with" name="replace_with" required="required">
                    <xsl:call-template name="hk.field-aria">
                      <xsl:with-param name="name" select="'replace_with'"/>
                      <xsl:with-param name="help" select="true()"/>
                    </xsl:call-template>
                    <option value=""><xsl:value-of select="hk:msg('server.delete.replace.choose')"/></option>
                    <xsl:for-each select="$others">
                      <option value="{@id}"><xsl:value-of select="name"/></option>
                    </xsl:for-each>
                  </select>
                  <xsl:call-template name="hk.field-errors">
                    <xsl:with-param name="name" select="'replace_with'"/>
                  </xsl:call-template>
                  <p class="help" id="f-replace_with-help">
                    <xsl:value-of select="hk:msg('server.delete.replace.help', count($users))"/>
                  </p>
                </div>
              </xsl:when>
              <xsl:otherwise>
                <xsl:call-template name="hk.field-errors">
                  <xsl:with-param name="name" select="'replace_with'"/>
                </xsl:call-template>
                <p class="alert alert-warn"><xsl:value-of select="hk:msg('server.delete.no-other')"/></p>
              </xsl:otherwise>
            </xsl:choose>
          </section>
        </xsl:if>
        <div class="form-actions">
          <xsl:if test="not($users) or $others">
            <button type="submit" class="button danger-solid">
              <xsl:choose>
                <xsl:when test="$users"><xsl:value-of select="hk:msg('server.delete.move-and-delete')"/></xsl:when>
                <xsl:otherwise><xsl:value-of select="hk:msg('action.yes')"/></xsl:otherwise>
              </xsl:choose>
            </button>
          </xsl:if>
          <a class="button" href="{concat($base, 'mail-servers')}">
            <xsl:value-of select="hk:msg('action.cancel')"/>
          </a>
        </div>
      </form>
    </section>
  </xsl:template>

</xsl:stylesheet>
