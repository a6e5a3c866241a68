<?xml version="1.0" encoding="UTF-8"?>
<!-- mail-accounts.xsl - the list of mail accounts, with each one's server. -->
<xsl:stylesheet version="1.0"
    xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:hk="urn:hikyaku:xslt"
    exclude-result-prefixes="hk">

  <xsl:import href="layout.xsl"/>

  <xsl:variable name="accounts" select="/page/mail-accounts/mail-account"/>

  <xsl:template match="page" mode="hk.title">
    <xsl:value-of select="hk:msg('accounts.title')"/>
  </xsl:template>

  <xsl:template match="page" mode="hk.actions">
    <xsl:if test="$accounts">
      <a class="button primary" href="{concat($base, 'mail-accounts/new')}">
        <xsl:value-of select="hk:msg('accounts.add')"/>
      </a>
    </xsl:if>
  </xsl:template>

  <xsl:template match="page" mode="hk.main">
    <xsl:choose>
      <xsl:when test="$accounts">
        <p class="lead"><xsl:value-of select="hk:msg('accounts.intro')"/></p>
        <div class="table-wrap">
          <table class="list accounts">
            <caption>
              <xsl:choose>
                <xsl:when test="count($accounts) = 1">
                  <xsl:value-of select="hk:msg('accounts.count.one')"/>
                </xsl:when>
                <xsl:otherwise>
                  <xsl:value-of select="hk:msg('accounts.count', count($accounts))"/>
                </xsl:otherwise>
              </xsl:choose>
            </caption>
            <thead>
              <tr>
                <th scope="col"><xsl:value-of select="hk:msg('accounts.col.name')"/></th>
                <th scope="col"><xsl:value-of select="hk:msg('accounts.col.address')"/></th>
                <th scope="col"><xsl:value-of select="hk:msg('accounts.col.server')"/></th>
                <th scope="col"><xsl:value-of select="hk:msg('accounts.col.username')"/></th>
                <th scope="col"><xsl:value-of select="hk:msg('accounts.col.password')"/></th>
                <th scope="col" class="col-actions"><xsl:value-of select="hk:msg('accounts.col.actions')"/></th>
              </tr>
            </thead>
            <tbody>
              <xsl:apply-templates select="$accounts"/>
            </tbody>
          </table>
        </div>
      </xsl:when>
      <xsl:when test="number(/page/server-count) = 0">
        <section class="empty-state" aria-labelledby="empty-title">
          <h2 id="empty-title"><xsl:value-of select="hk:msg('accounts.empty.title')"/></h2>
          <p><xsl:value-of select="hk:msg('accounts.empty.no-servers')"/></p>
          <p>
            <a class="button primary large" href="{concat($base, 'mail-servers/new')}">
              <xsl:value-of select="hk:msg('accounts.empty.add-server')"/>
            </a>
          </p>
        </section>
      </xsl:when>
      <xsl:otherwise>
        <section class="empty-state" aria-labelledby="empty-title">
          <h2 id="empty-title"><xsl:value-of select="hk:msg('accounts.empty.title')"/></h2>
          <p><xsl:value-of select="hk:msg('accounts.empty.text')"/></p>
          <p>
            <a class="button primary large" href="{concat($base, 'mail-accounts/new')}">
              <xsl:value-of select="hk:msg('accounts.empty.add')"/>
            </a>
          </p>
        </section>
      </xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <xsl:template match="mail-account">
    <tr>
      <th scope="row" class="col-name"><xsl:value-of select="name"/></th>
      <td data-label="{hk:msg('accounts.col.address')}">
        <span class="address"><xsl:value-of select="address"/></span>
      </td>
      <td data-label="{hk:msg('accounts.col.server')}">
        <xsl:value-of select="server_name"/>
        <xsl:apply-templates select="oauth2"/>
      </td>
      <td data-label="{hk:msg('accounts.col.username')}">
        <span class="username"><xsl:value-of select="username"/></span>
      </td>
      <td data-label="{hk:msg('accounts.col.password')}">
        <xsl:choose>
          <xsl:when test="password_unreadable = 'true'">
            <span class="badge bad"><xsl:value-of select="hk:msg('accounts.password.unreadable')"/></span>
          </xsl:when>
          <xsl:when test="password_set = 'true'">
            <span class="badge ok"><xsl:value-of select="hk:msg('accounts.password.set')"/></span>
          </xsl:when>
          <xsl:otherwise>
            <span class="muted"><xsl:value-of select="hk:msg('accounts.password.unset')"/></span>
          </xsl:otherwise>
        </xsl:choose>
      </td>
      <td class="col-actions">
        <a class="button small"
            href="{concat($base, 'mail-accounts/', @id, '/edit')}"
            aria-label="{hk:msg('accounts.edit.label', name)}">
          <xsl:value-of select="hk:msg('action.change')"/>
        </a>
        <xsl:text> </xsl:text>
        <a class="button small danger"
            href="{concat($base, 'mail-accounts/', @id, '/delete')}"
            aria-label="{hk:msg('accounts.delete.label', name)}">
          <xsl:value-of select="hk:msg('action.delete')"/>
        </a>
      </td>
    </tr>
  </xsl:template>

  <!-- An OAuth 2.0 server's account: connected, or to be (re)connected. -->
  <xsl:template match="oauth2">
    <div class="oauth2-state">
      <xsl:choose>
        <xsl:when test="@needs-reconnect = 'true'">
          <span class="badge bad needs-reconnect"><xsl:value-of select="hk:msg('account.oauth2.needs-reconnect')"/></span>
        </xsl:when>
        <xsl:when test="@connected = 'true'">
          <span class="badge ok"><xsl:value-of select="hk:msg('account.oauth2.connected')"/></span>
        </xsl:when>
        <xsl:otherwise>
          <span class="muted"><xsl:value-of select="hk:msg('account.oauth2.not-connected')"/></span>
        </xsl:otherwise>
      </xsl:choose>
    </div>
  </xsl:template>

</xsl:stylesheet>
