<?xml version="1.0" encoding="UTF-8"?>
<!-- mail-account-form.xsl - adding or changing a mail account.  A stored
     account (one with @id) is being changed; after a conflict (409)
     <current> holds the values stored now, shown beside the entered ones. -->
<xsl:stylesheet version="1.0"
    xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:hk="urn:hikyaku:xslt"
    exclude-result-prefixes="hk">

  <xsl:import href="layout.xsl"/>

  <xsl:variable name="a" select="/page/mail-account"/>
  <xsl:variable name="editing" select="boolean($a/@id)"/>
  <!-- The chosen server signs in with OAuth 2.0 on both ends. -->
  <xsl:variable name="no-password"
      select="/page/mail-servers/mail-server[@id = $a/server_id]/@password-optional = 'true'"/>
  <xsl:variable name="servers" select="/page/mail-servers/mail-server"/>
  <xsl:variable name="current" select="/page/current/mail-account"/>

  <xsl:template match="page" mode="hk.title">
    <xsl:choose>
      <xsl:when test="$editing"><xsl:value-of select="hk:msg('account.edit.title')"/></xsl:when>
      <xsl:otherwise><xsl:value-of select="hk:msg('account.new.title')"/></xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <xsl:template match="page" mode="hk.main">
    <xsl:if test="$current">
      <xsl:call-template name="conflict"/>
    </xsl:if>
    <xsl:if test="not($servers)">
      <div class="alert alert-warn" role="status">
        <p><xsl:value-of select="hk:msg('account.no-servers')"/></p>
        <p>
          <a href="{concat($base, 'mail-servers/new')}">
            <xsl:value-of select="hk:msg('accounts.empty.add-server')"/>
          </a>
        </p>
      </div>
    </xsl:if>
    <xsl:variable name="action">
      <xsl:choose>
        <xsl:when test="$editing"><xsl:value-of select="concat($base, 'mail-accounts/', $a/@id)"/></xsl:when>
        <xsl:otherwise><xsl:value-of select="concat($base, 'mail-accounts')"/></xsl:otherwise>
      </xsl:choose>
    </xsl:variable>
    <form method="post" action="{$action}" class="form account-form" novalidate="novalidate">
      <xsl:call-template name="hk.csrf"/>
      <xsl:if test="$editing">
        <input type="hidden" name="version" value="{$a/@version}"/>
      </xsl:if>

      <xsl:call-template name="hk.text-field">
        <xsl:with-param name="name" select="'name'"/>
        <xsl:with-param name="value" select="$a/name"/>
        <xsl:with-param name="label" select="'account.field.name.label'"/>
        <xsl:with-param name="help" select="'account.field.name.help'"/>
        <xsl:with-param name="required" select="true()"/>
        <xsl:with-param name="autocomplete" select="'off'"/>
      </xsl:call-template>

      <xsl:call-template name="hk.text-field">
        <xsl:with-param name="name" select="'address'"/>
        <xsl:with-param name="value" select="$a/address"/>
        <xsl:with-param name="label" select="'account.field.address.label'"/>
        <xsl:with-param name="help" select="'account.field.address.help'"/>
        <xsl:with-param name="type" select="'email'"/>
        <xsl:with-param name="required" select="true()"/>
        <xsl:with-param name="autocomplete" select="'off'"/>
      </xsl:call-template>

      <div class="field">
        <xsl:if test="/page/error[@field = 'server_id']">
          <xsl:attribute name="class">field has-error</xsl:attribute>
        </xsl:if>
        <label for="f-server_id">
          <xsl:value-of select="hk:msg('account.field.server_id.label')"/>
          <span class="required"><xsl:value-of select="hk:msg('form.required')"/></span>
        </label>
        <select id="f-server_id" name="server_id" required="required">
          <xsl:call-template name="hk.field-aria">
            <xsl:with-param name="name" select="'server_id'"/>
            <xsl:with-param name="help" select="true()"/>
          </xsl:call-template>
          <option value="">
            <xsl:if test="not($servers[@id = $a/server_id])">
              <xsl:attribute name="selected">selected</xsl:attribute>
            </xsl:if>
            <xsl:value-of select="hk:msg('account.server.choose')"/>
          </option>
          <!-- The document lists them in display order already. -->
          <xsl:for-each select="$servers">
            <option value="{@id}">
              <xsl:if test="string(@id) = string($a/server_id)">
                <xsl:attribute name="selected">selected</xsl:attribute>
              </xsl:if>
              <xsl:value-of select="name"/>
            </option>
          </xsl:for-each>
        </select>
        <xsl:call-template name="hk.field-errors">
          <xsl:with-param name="name" select="'server_id'"/>
        </xsl:call-template>
        <p class="help" id="f-server_id-help">
          <xsl:value-of select="hk:msg('account.field.server_id.help')"/>
        </p>
      </div>

      <xsl:call-template name="hk.text-field">
        <xsl:with-param name="name" select="'username'"/>
        <xsl:with-param name="value" select="$a/username"/>
        <xsl:with-param name="label" select="'account.field.username.label'"/>
        <xsl:with-param name="help" select="'account.field.username.help'"/>
        <xsl:with-param name="required" select="true()"/>
        <xsl:with-param name="autocomplete" select="'off'"/>
      </xsl:call-template>

      <div class="field">
        <xsl:if test="/page/error[@field = 'password']">
          <xsl:attribute name="class">field has-error</xsl:attribute>
        </xsl:if>
        <label for="f-password">
          <xsl:value-of select="hk:msg('account.field.password.label')"/>
          <xsl:if test="not($editing) and not($no-password)">
            <span class="required"><xsl:value-of select="hk:msg('form.required')"/></span>
          </xsl:if>
        </label>
        <!-- Never pre-filled: the stored password is not in the document. -->
        <input type="password" id="f-password" name="password" value=""
            autocomplete="new-password">
          <xsl:call-template name="hk.field-aria">
            <xsl:with-param name="name" select="'password'"/>
            <xsl:with-param name="help" select="true()"/>
          </xsl:call-template>
          <xsl:if test="not($editing) and not($no-password)">
            <xsl:attribute name="required">required</xsl:attribute>
          </xsl:if>
        </input>
        <xsl:call-template name="hk.field-errors">
          <xsl:with-param name="name" select="'password'"/>
        </xsl:call-template>
        <div class="help" id="f-password-help">
          <xsl:if test="$editing">
            <p class="password-state">
              <xsl:choose>
                <xsl:when test="$a/password_unreadable = 'true'">
                  <span class="badge bad"><xsl:value-of select="hk:msg('accounts.password.unreadable')"/></span>
                  <xsl:text> </xsl:text>
                  <xsl:value-of select="hk:msg('account.password-unreadable')"/>
                </xsl:when>
                <xsl:when test="$a/password_set = 'true'">
                  <xsl:value-of select="hk:msg('account.password-set')"/>
                </xsl:when>
                <xsl:otherwise>
                  <xsl:value-of select="hk:msg('account.password-unset')"/>
                </xsl:otherwise>
              </xsl:choose>
            </p>
          </xsl:if>
          <p><xsl:value-of select="hk:msg('account.field.password.help')"/></p>
          <xsl:if test="$no-password">
            <p class="oauth2-note"><xsl:value-of select="hk:msg('account.oauth2.password-optional')"/></p>
          </xsl:if>
        </div>
      </div>

      <div class="form-actions">
        <button type="submit" class="button primary">
          <xsl:choose>
            <xsl:when test="$editing"><xsl:value-of select="hk:msg('action.change')"/></xsl:when>
            <xsl:otherwise><xsl:value-of select="hk:msg('action.add')"/></xsl:otherwise>
          </xsl:choose>
        </button>
        <a class="button" href="{concat($base, 'mail-accounts')}">
          <xsl:value-of select="hk:msg('action.cancel')"/>
        </a>
      </div>
    </form>
    <xsl:if test="$editing and $a/oauth2">
      <xsl:call-template name="oauth2"/>
    </xsl:if>
  </xsl:template>

  <!-- The OAuth 2.0 connection: its state and the Connect / Reconnect /
       Disconnect forms (each its own POST with the token, outside the
       account form). -->
  <xsl:template name="oauth2">
    <xsl:variable name="o" select="$a/oauth2"/>
    <xsl:variable name="server" select="$servers[@id = $a/server_id]"/>
    <section class="group oauth2-state" id="group-oauth2" aria-labelledby="oauth2-title">
      <h2 id="oauth2-title"><xsl:value-of select="hk:msg('account.oauth2.title')"/></h2>
      <p class="oauth2-status">
        <xsl:choose>
          <xsl:when test="$o/@needs-reconnect = 'true'">
            <span class="badge bad needs-reconnect"><xsl:value-of select="hk:msg('account.oauth2.needs-reconnect')"/></span>
          </xsl:when>
          <xsl:when test="$o/@connected = 'true'">
            <span class="badge ok connected"><xsl:value-of select="hk:msg('account.oauth2.connected')"/></span>
          </xsl:when>
          <xsl:otherwise>
            <span class="muted not-connected"><xsl:value-of select="hk:msg('account.oauth2.not-connected')"/></span>
          </xsl:otherwise>
        </xsl:choose>
      </p>
      <xsl:if test="$o/@expires">
        <p class="help oauth2-expires"><xsl:value-of select="hk:msg('account.oauth2.expires', $o/@expires)"/></p>
      </xsl:if>
      <xsl:if test="$o/@scope">
        <p class="help oauth2-scope"><xsl:value-of select="hk:msg('account.oauth2.scope', $o/@scope)"/></p>
      </xsl:if>
      <xsl:if test="$o/last-error">
        <p class="alert alert-warn"><xsl:value-of select="hk:msg('account.oauth2.last-error', $o/last-error)"/></p>
      </xsl:if>
      <xsl:choose>
        <xsl:when test="$server/@oauth2-grant = 'client_credentials'">
          <p class="help"><xsl:value-of select="hk:msg('account.oauth2.app-only')"/></p>
        </xsl:when>
        <xsl:otherwise>
          <p class="help"><xsl:value-of select="hk:msg('account.oauth2.connect-help', $a/username)"/></p>
          <div class="form-actions">
            <form method="post" action="{concat($base, 'mail-accounts/', $a/@id, '/oauth2/connect')}" class="inline oauth2-connect">
              <xsl:call-template name="hk.csrf"/>
              <button type="submit" class="button primary">
                <xsl:choose>
                  <xsl:when test="$o/@connected = 'true' or $o/@needs-reconnect = 'true'">
                    <xsl:value-of select="hk:msg('account.oauth2.reconnect')"/>
                  </xsl:when>
                  <xsl:otherwise><xsl:value-of select="hk:msg('account.oauth2.connect')"/></xsl:otherwise>
                </xsl:choose>
              </button>
            </form>
            <xsl:if test="$o/@connected = 'true' or $o/@needs-reconnect = 'true'">
              <form method="post" action="{concat($base, 'mail-accounts/', $a/@id, '/oauth2/disconnect')}" class="inline oauth2-disconnect">
                <xsl:call-template name="hk.csrf"/>
                <button type="submit" class="button danger">
                  <xsl:value-of select="hk:msg('account.oauth2.disconnect')"/>
                </button>
              </form>
            </xsl:if>
          </div>
        </xsl:otherwise>
      </xsl:choose>
    </section>
  </xsl:template>

  <!-- The stored values next to the entered ones, differences marked. -->
  <xsl:template name="conflict">
    <section class="conflict" aria-labelledby="conflict-title">
      <h2 id="conflict-title"><xsl:value-of select="hk:msg('account.conflict.title')"/></h2>
      <p><xsl:value-of select="hk:msg('account.conflict.intro')"/></p>
      <div class="table-wrap">
        <table class="list compare">
          <thead>
            <tr>
              <th scope="col"><xsl:value-of select="hk:msg('account.conflict.field')"/></th>
              <th scope="col"><xsl:value-of select="hk:msg('account.conflict.stored')"/></th>
              <th scope="col"><xsl:value-of select="hk:msg('account.conflict.entered')"/></th>
            </tr>
          </thead>
          <tbody>
            <xsl:call-template name="compare-row">
              <xsl:with-param name="field" select="'name'"/>
              <xsl:with-param name="stored" select="$current/name"/>
              <xsl:with-param name="entered" select="$a/name"/>
            </xsl:call-template>
            <xsl:call-template name="compare-row">
              <xsl:with-param name="field" select="'address'"/>
              <xsl:with-param name="stored" select="$current/address"/>
              <xsl:with-param name="entered" select="$a/address"/>
            </xsl:call-template>
            <xsl:call-template name="compare-row">
              <xsl:with-param name="field" select="'server_id'"/>
              <xsl:with-param name="stored" select="$current/server_name"/>
              <xsl:with-param name="entered" select="$servers[@id = $a/server_id]/name"/>
              <xsl:with-param name="differs" select="string($current/server_id) != string($a/server_id)"/>
            </xsl:call-template>
            <xsl:call-template name="compare-row">
              <xsl:with-param name="field" select="'username'"/>
              <xsl:with-param name="stored" select="$current/username"/>
              <xsl:with-param name="entered" select="$a/username"/>
            </xsl:call-template>
          </tbody>
        </table>
      </div>
    </section>
  </xsl:template>

  <xsl:template name="compare-row">
    <xsl:param name="field"/>
    <xsl:param name="stored"/>
    <xsl:param name="entered"/>
    <xsl:param name="differs" select="string($stored) != string($entered)"/>
    <tr>
      <xsl:if test="$differs">
        <xsl:attribute name="class">differs</xsl:attribute>
      </xsl:if>
      <th scope="row"><xsl:value-of select="hk:msg(concat('account.field.', $field, '.label'))"/></th>
      <td class="stored"><xsl:value-of select="$stored"/></td>
      <td class="entered"><xsl:value-of select="$entered"/></td>
    </tr>
  </xsl:template>

</xsl:stylesheet>
