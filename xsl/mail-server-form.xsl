<?xml version="1.0" encoding="UTF-8"?>
<!--
  mail-server-form.xsl - add or change a mail server.

  <page screen="mail-server-form">
    <form mode="new|edit"/>
    <mail-server id="" version="">  the values to show (defaults, stored
                                    or entered); hosts may carry display=""
    <auth-methods><auth-method name="" title="" loaded="true|false"/>…
    <recv-auth-methods><auth-method name="" title="" pop3="" imap4=""/>…
    <oauth2-presets><preset name="" tenant="" auth_url="" …><host end=""
        name="" port="" security=""/>…</preset>…   what a provider fills in
    <current><mail-server>…</mail-server></current>   after a 409 only
    <error field="">…</error>…

  Works without script; static/hikyaku.js only shows and hides the parts
  that do not apply and follows the default ports.
-->
<xsl:stylesheet version="1.0"
    xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:hk="urn:hikyaku:xslt"
    exclude-result-prefixes="hk">

  <xsl:import href="layout.xsl"/>

  <xsl:variable name="s" select="/page/mail-server"/>
  <xsl:variable name="cur" select="/page/current/mail-server"/>
  <xsl:variable name="edit" select="/page/form/@mode = 'edit'"/>

  <xsl:template match="page" mode="hk.title">
    <xsl:choose>
      <xsl:when test="$edit"><xsl:value-of select="hk:msg('server.edit.title')"/></xsl:when>
      <xsl:otherwise><xsl:value-of select="hk:msg('server.new.title')"/></xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <xsl:template match="page" mode="hk.errors">
    <xsl:if test="$cur">
      <div class="alert alert-warn conflict" role="alert">
        <p class="alert-title"><xsl:value-of select="hk:msg('server.conflict.title')"/></p>
        <p><xsl:value-of select="hk:msg('server.conflict.text')"/></p>
      </div>
    </xsl:if>
    <!-- A 409 comes only after the values passed validation, so its one
         error (error.stale) is what the box above explains. -->
    <xsl:if test="not($cur)">
      <xsl:call-template name="hk.page-errors"/>
    </xsl:if>
  </xsl:template>

  <xsl:template match="page" mode="hk.main">
    <xsl:variable name="action">
      <xsl:choose>
        <xsl:when test="$edit"><xsl:value-of select="concat($base, 'mail-servers/', $s/@id)"/></xsl:when>
        <xsl:otherwise><xsl:value-of select="concat($base, 'mail-servers')"/></xsl:otherwise>
      </xsl:choose>
    </xsl:variable>
    <p class="lead">
      <xsl:value-of select="hk:msg('server.form.intro')"/>
      <xsl:text> </xsl:text>
      <xsl:value-of select="hk:msg('server.form.required-note')"/>
    </p>
    <form method="post" action="{$action}" class="form server-form" id="server-form">
      <xsl:call-template name="hk.csrf"/>
      <xsl:if test="$edit">
        <input type="hidden" name="version" value="{$s/@version}"/>
      </xsl:if>

      <fieldset class="group" id="group-name">
        <legend><xsl:value-of select="hk:msg('server.section.name')"/></legend>
        <xsl:call-template name="text">
          <xsl:with-param name="f" select="'name'"/>
          <xsl:with-param name="required" select="true()"/>
          <xsl:with-param name="maxlength" select="'100'"/>
        </xsl:call-template>
      </fieldset>

      <fieldset class="group" id="group-send">
        <legend><xsl:value-of select="hk:msg('server.section.send')"/></legend>
        <div class="row">
          <xsl:call-template name="text">
            <xsl:with-param name="f" select="'smtp_host'"/>
            <xsl:with-param name="required" select="true()"/>
            <xsl:with-param name="extra-class" select="'grow'"/>
            <xsl:with-param name="autocomplete" select="'off'"/>
          </xsl:call-template>
          <xsl:call-template name="text">
            <xsl:with-param name="f" select="'smtp_port'"/>
            <xsl:with-param name="required" select="true()"/>
            <xsl:with-param name="extra-class" select="'port'"/>
            <xsl:with-param name="numeric" select="true()"/>
          </xsl:call-template>
        </div>
        <xsl:call-template name="select">
          <xsl:with-param name="f" select="'smtp_security'"/>
          <xsl:with-param name="options" select="'none starttls tls'"/>
          <xsl:with-param name="prefix" select="'security.'"/>
        </xsl:call-template>
        <xsl:call-template name="checkbox">
          <xsl:with-param name="f" select="'smtp_tls_verify'"/>
          <xsl:with-param name="extra-class" select="'when-smtp-tls'"/>
        </xsl:call-template>

        <xsl:call-template name="checkbox">
          <xsl:with-param name="f" select="'smtp_auth'"/>
        </xsl:call-template>
        <div class="sub when-smtp-auth" id="smtp-auth-details">
          <xsl:call-template name="auth-method"/>
          <xsl:call-template name="radios">
            <xsl:with-param name="f" select="'smtp_credentials'"/>
            <xsl:with-param name="options" select="'account fixed'"/>
          </xsl:call-template>
          <div class="sub when-fixed" id="smtp-fixed">
            <xsl:call-template name="text">
              <xsl:with-param name="f" select="'smtp_user'"/>
              <xsl:with-param name="autocomplete" select="'off'"/>
              <xsl:with-param name="marker" select="'fixed'"/>
            </xsl:call-template>
            <xsl:call-template name="password"/>
          </div>
        </div>

        <xsl:call-template name="checkbox">
          <xsl:with-param name="f" select="'pop_before_smtp'"/>
          <xsl:with-param name="extra-class" select="'when-pop3'"/>
        </xsl:call-template>
        <div class="sub when-pbs" id="pbs-wait">
          <xsl:call-template name="select">
            <xsl:with-param name="f" select="'pop_before_smtp_wait'"/>
            <xsl:with-param name="options" select="'0 1 2 3 4 5'"/>
            <xsl:with-param name="prefix" select="'#seconds'"/>
          </xsl:call-template>
        </div>
        <xsl:call-template name="select">
          <xsl:with-param name="f" select="'send_limit'"/>
          <xsl:with-param name="options" select="'0 524288 1048576 3145728 5242880 10485760'"/>
          <xsl:with-param name="prefix" select="'#size'"/>
        </xsl:call-template>
      </fieldset>

      <fieldset class="group" id="group-receive">
        <legend><xsl:value-of select="hk:msg('server.section.receive')"/></legend>
        <xsl:call-template name="radios">
          <xsl:with-param name="f" select="'recv_protocol'"/>
          <xsl:with-param name="options" select="'pop3 imap4'"/>
          <xsl:with-param name="prefix" select="'protocol.'"/>
        </xsl:call-template>
        <xsl:call-template name="checkbox">
          <xsl:with-param name="f" select="'apop'"/>
          <xsl:with-param name="extra-class" select="'when-pop3'"/>
        </xsl:call-template>
        <xsl:call-template name="recv-auth-method"/>
        <div class="row">
          <xsl:call-template name="text">
            <xsl:with-param name="f" select="'recv_host'"/>
            <xsl:with-param name="required" select="true()"/>
            <xsl:with-param name="extra-class" select="'grow'"/>
            <xsl:with-param name="autocomplete" select="'off'"/>
          </xsl:call-template>
          <xsl:call-template name="text">
            <xsl:with-param name="f" select="'recv_port'"/>
            <xsl:with-param name="required" select="true()"/>
            <xsl:with-param name="extra-class" select="'port'"/>
            <xsl:with-param name="numeric" select="true()"/>
          </xsl:call-template>
        </div>
        <xsl:call-template name="select">
          <xsl:with-param name="f" select="'recv_security'"/>
          <xsl:with-param name="options" select="'none starttls tls'"/>
          <xsl:with-param name="prefix" select="'security.'"/>
        </xsl:call-template>
        <xsl:call-template name="checkbox">
          <xsl:with-param name="f" select="'recv_tls_verify'"/>
          <xsl:with-param name="extra-class" select="'when-recv-tls'"/>
        </xsl:call-template>
        <xsl:call-template name="select">
          <xsl:with-param name="f" select="'recv_limit'"/>
          <xsl:with-param name="options" select="'0 524288 1048576 3145728 5242880 10485760'"/>
          <xsl:with-param name="prefix" select="'#size'"/>
        </xsl:call-template>
      </fieldset>

      <fieldset class="group" id="group-oauth2">
        <legend><xsl:value-of select="hk:msg('server.section.oauth2')"/></legend>
        <p class="help"><xsl:value-of select="hk:msg('server.oauth2.intro')"/></p>
        <xsl:call-template name="provider"/>
        <div class="sub when-oauth2" id="oauth2-details">
          <xsl:call-template name="text">
            <xsl:with-param name="f" select="'oauth2_tenant'"/>
            <xsl:with-param name="extra-class" select="'when-tenant'"/>
            <xsl:with-param name="autocomplete" select="'off'"/>
            <xsl:with-param name="maxlength" select="'255'"/>
          </xsl:call-template>
          <xsl:call-template name="text">
            <xsl:with-param name="f" select="'oauth2_client_id'"/>
            <xsl:with-param name="autocomplete" select="'off'"/>
            <xsl:with-param name="maxlength" select="'255'"/>
          </xsl:call-template>
          <xsl:call-template name="client-secret"/>
          <xsl:call-template name="radios">
            <xsl:with-param name="f" select="'oauth2_grant'"/>
            <xsl:with-param name="options" select="'authorization_code client_credentials'"/>
          </xsl:call-template>
          <xsl:call-template name="text">
            <xsl:with-param name="f" select="'oauth2_auth_url'"/>
            <xsl:with-param name="autocomplete" select="'off'"/>
            <xsl:with-param name="extra-class" select="'url'"/>
          </xsl:call-template>
          <xsl:call-template name="text">
            <xsl:with-param name="f" select="'oauth2_token_url'"/>
            <xsl:with-param name="autocomplete" select="'off'"/>
            <xsl:with-param name="extra-class" select="'url'"/>
          </xsl:call-template>
          <xsl:call-template name="text">
            <xsl:with-param name="f" select="'oauth2_device_url'"/>
            <xsl:with-param name="autocomplete" select="'off'"/>
            <xsl:with-param name="extra-class" select="'url'"/>
          </xsl:call-template>
          <xsl:call-template name="text">
            <xsl:with-param name="f" select="'oauth2_scope'"/>
            <xsl:with-param name="autocomplete" select="'off'"/>
          </xsl:call-template>
        </div>
      </fieldset>

      <div class="form-actions">
        <button type="submit" class="button primary">
          <xsl:choose>
            <xsl:when test="$cur"><xsl:value-of select="hk:msg('server.form.submit.overwrite')"/></xsl:when>
            <xsl:when test="$edit"><xsl:value-of select="hk:msg('server.form.submit.edit')"/></xsl:when>
            <xsl:otherwise><xsl:value-of select="hk:msg('server.form.submit.new')"/></xsl:otherwise>
          </xsl:choose>
        </button>
        <a class="button" href="{concat($base, 'mail-servers')}">
          <xsl:value-of select="hk:msg('action.cancel')"/>
        </a>
      </div>

      <!-- The staged connection test of these (possibly unsaved) values:
           the same form, posted to the test route by its own button.  It
           comes after Save so that Enter still saves (the first submit
           button is the default). -->
      <fieldset class="group conntest-group" id="group-test">
        <legend><xsl:value-of select="hk:msg('conntest.cred.title')"/></legend>
        <p class="help"><xsl:value-of select="hk:msg('conntest.cred.intro')"/></p>
        <div class="field">
          <label for="f-account_id"><xsl:value-of select="hk:msg('conntest.field.account_id')"/></label>
          <select id="f-account_id" name="account_id">
            <option value=""><xsl:value-of select="hk:msg('conntest.field.account_id.none')"/></option>
            <!-- This server's accounts first, then the others. -->
            <xsl:for-each select="/page/mail-accounts/mail-account[$edit and server_id = $s/@id]">
              <option value="{@id}"><xsl:value-of select="concat(name, ' &lt;', address, '&gt;')"/></option>
            </xsl:for-each>
            <xsl:for-each select="/page/mail-accounts/mail-account[not($edit) or server_id != $s/@id]">
              <option value="{@id}"><xsl:value-of select="concat(name, ' &lt;', address, '&gt;')"/></option>
            </xsl:for-each>
          </select>
        </div>
        <xsl:call-template name="hk.text-field">
          <xsl:with-param name="name" select="'test_user'"/>
          <xsl:with-param name="value" select="''"/>
          <xsl:with-param name="label" select="'conntest.field.test_user'"/>
          <xsl:with-param name="autocomplete" select="'off'"/>
        </xsl:call-template>
        <xsl:call-template name="hk.text-field">
          <xsl:with-param name="name" select="'test_password'"/>
          <xsl:with-param name="value" select="''"/>
          <xsl:with-param name="label" select="'conntest.field.test_password'"/>
          <xsl:with-param name="type" select="'password'"/>
          <xsl:with-param name="autocomplete" select="'off'"/>
        </xsl:call-template>
        <xsl:call-template name="hk.text-field">
          <xsl:with-param name="name" select="'test_address'"/>
          <xsl:with-param name="value" select="''"/>
          <xsl:with-param name="label" select="'conntest.field.test_address'"/>
          <xsl:with-param name="help" select="'conntest.field.test_address.help'"/>
          <xsl:with-param name="type" select="'email'"/>
        </xsl:call-template>
        <div class="form-actions">
          <button type="submit" class="button" formnovalidate="formnovalidate"
              data-conntest="data-conntest" data-conntest-running="{hk:msg('conntest.running')}">
            <xsl:attribute name="formaction">
              <xsl:choose>
                <xsl:when test="$edit"><xsl:value-of select="concat($base, 'mail-servers/', $s/@id, '/test')"/></xsl:when>
                <xsl:otherwise><xsl:value-of select="concat($base, 'mail-servers/test')"/></xsl:otherwise>
              </xsl:choose>
            </xsl:attribute>
            <xsl:value-of select="hk:msg('conntest.submit')"/>
          </button>
          <p class="conntest-progress muted" hidden="hidden" role="status">
            <xsl:value-of select="hk:msg('conntest.running')"/>
          </p>
        </div>
      </fieldset>

    </form>
    <script src="{concat($base, 'static/hikyaku.js')}" defer="defer"></script>
    <script src="{concat($base, 'static/conntest.js')}" defer="defer"></script>
  </xsl:template>

  <!-- ============ field helpers ============ -->

  <!-- The value to show: a host's display form, else the text. -->
  <xsl:template name="value">
    <xsl:param name="node"/>
    <xsl:choose>
      <xsl:when test="string($node/@display)"><xsl:value-of select="$node/@display"/></xsl:when>
      <xsl:otherwise><xsl:value-of select="$node"/></xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <xsl:template name="field-class">
    <xsl:param name="f"/>
    <xsl:param name="extra" select="''"/>
    <xsl:attribute name="class">
      <xsl:text>field</xsl:text>
      <xsl:if test="/page/error[@field = $f]"> has-error</xsl:if>
      <xsl:if test="$cur">
        <xsl:variable name="differs">
          <xsl:call-template name="differs">
            <xsl:with-param name="f" select="$f"/>
          </xsl:call-template>
        </xsl:variable>
        <xsl:if test="$differs = 'yes'"> has-conflict</xsl:if>
      </xsl:if>
      <xsl:if test="$extra != ''"><xsl:value-of select="concat(' ', $extra)"/></xsl:if>
    </xsl:attribute>
  </xsl:template>

  <xsl:template name="label-text">
    <xsl:param name="f"/>
    <xsl:param name="required" select="false()"/>
    <xsl:param name="marker" select="''"/>
    <xsl:value-of select="hk:msg(concat('server.field.', $f, '.label'))"/>
    <xsl:if test="$required">
      <span class="required"><xsl:value-of select="hk:msg('form.required')"/></span>
    </xsl:if>
  </xsl:template>

  <xsl:template name="help">
    <xsl:param name="f"/>
    <xsl:call-template name="hk.field-errors">
      <xsl:with-param name="name" select="$f"/>
    </xsl:call-template>
    <xsl:call-template name="conflict">
      <xsl:with-param name="f" select="$f"/>
    </xsl:call-template>
    <p class="help" id="f-{$f}-help">
      <xsl:value-of select="hk:msg(concat('server.field.', $f, '.help'))"/>
    </p>
  </xsl:template>

  <!-- After a 409: the value stored now, when it differs from the form. -->
  <!-- 'yes' when the stored value of f differs from the form's; a host
       is compared in the form people read it (display), as entered. -->
  <xsl:template name="differs">
    <xsl:param name="f"/>
    <xsl:variable name="c" select="$cur/*[local-name() = $f]"/>
    <xsl:variable name="shown">
      <xsl:choose>
        <xsl:when test="string($c/@display)"><xsl:value-of select="$c/@display"/></xsl:when>
        <xsl:otherwise><xsl:value-of select="$c"/></xsl:otherwise>
      </xsl:choose>
    </xsl:variable>
    <xsl:if test="$c and $shown != string($s/*[local-name() = $f]) and
        string($c) != string($s/*[local-name() = $f])">yes</xsl:if>
  </xsl:template>

  <xsl:template name="conflict">
    <xsl:param name="f"/>
    <xsl:variable name="c" select="$cur/*[local-name() = $f]"/>
    <xsl:variable name="differs">
      <xsl:call-template name="differs">
        <xsl:with-param name="f" select="$f"/>
      </xsl:call-template>
    </xsl:variable>
    <xsl:if test="$differs = 'yes'">
      <p class="conflict-note" id="f-{$f}-current">
        <span class="conflict-label"><xsl:value-of select="hk:msg('server.conflict.current')"/></span>
        <xsl:text> </xsl:text>
        <span class="conflict-value">
          <xsl:call-template name="show">
            <xsl:with-param name="f" select="$f"/>
            <xsl:with-param name="node" select="$c"/>
          </xsl:call-template>
        </span>
      </p>
    </xsl:if>
  </xsl:template>

  <!-- A stored value as words. -->
  <xsl:template name="show">
    <xsl:param name="f"/>
    <xsl:param name="node"/>
    <xsl:variable name="v" select="string($node)"/>
    <xsl:choose>
      <xsl:when test="$v = 'on' or $v = 'off'">
        <xsl:value-of select="hk:msg(concat('value.', $v))"/>
      </xsl:when>
      <xsl:when test="$f = 'smtp_security' or $f = 'recv_security'">
        <xsl:value-of select="hk:msg(concat('security.', $v))"/>
      </xsl:when>
      <xsl:when test="$f = 'recv_protocol'">
        <xsl:value-of select="hk:msg(concat('protocol.', $v))"/>
      </xsl:when>
      <xsl:when test="$f = 'smtp_credentials' or $f = 'oauth2_grant'">
        <xsl:value-of select="hk:msg(concat('server.field.', $f, '.', $v))"/>
      </xsl:when>
      <xsl:when test="$f = 'oauth2_provider'">
        <xsl:value-of select="hk:msg(concat('oauth2.provider.', $v))"/>
      </xsl:when>
      <xsl:when test="$f = 'send_limit' or $f = 'recv_limit'">
        <xsl:call-template name="hk.size">
          <xsl:with-param name="bytes" select="$v"/>
        </xsl:call-template>
      </xsl:when>
      <xsl:when test="$f = 'pop_before_smtp_wait'">
        <xsl:call-template name="seconds">
          <xsl:with-param name="n" select="$v"/>
        </xsl:call-template>
      </xsl:when>
      <xsl:when test="$v = ''">
        <xsl:value-of select="hk:msg('server.conflict.empty')"/>
      </xsl:when>
      <xsl:otherwise>
        <xsl:call-template name="value">
          <xsl:with-param name="node" select="$node"/>
        </xsl:call-template>
      </xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <xsl:template name="seconds">
    <xsl:param name="n"/>
    <xsl:choose>
      <xsl:when test="$n = '1'"><xsl:value-of select="hk:msg('unit.second', $n)"/></xsl:when>
      <xsl:otherwise><xsl:value-of select="hk:msg('unit.seconds', $n)"/></xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <xsl:template name="text">
    <xsl:param name="f"/>
    <xsl:param name="required" select="false()"/>
    <xsl:param name="extra-class" select="''"/>
    <xsl:param name="autocomplete" select="''"/>
    <xsl:param name="numeric" select="false()"/>
    <xsl:param name="maxlength" select="''"/>
    <xsl:param name="marker" select="''"/>
    <div>
      <xsl:call-template name="field-class">
        <xsl:with-param name="f" select="$f"/>
        <xsl:with-param name="extra" select="$extra-class"/>
      </xsl:call-template>
      <label for="f-{$f}">
        <xsl:call-template name="label-text">
          <xsl:with-param name="f" select="$f"/>
          <xsl:with-param name="required" select="$required"/>
        </xsl:call-template>
      </label>
      <input type="text" id="f-{$f}" name="{$f}">
        <xsl:attribute name="value">
          <xsl:call-template name="value">
            <xsl:with-param name="node" select="$s/*[local-name() = $f]"/>
          </xsl:call-template>
        </xsl:attribute>
        <xsl:call-template name="hk.field-aria">
          <xsl:with-param name="name" select="$f"/>
          <xsl:with-param name="help" select="true()"/>
        </xsl:call-template>
        <xsl:if test="$required">
          <xsl:attribute name="required">required</xsl:attribute>
        </xsl:if>
        <xsl:if test="$autocomplete != ''">
          <xsl:attribute name="autocomplete"><xsl:value-of select="$autocomplete"/></xsl:attribute>
          <xsl:attribute name="autocapitalize">none</xsl:attribute>
          <xsl:attribute name="spellcheck">false</xsl:attribute>
        </xsl:if>
        <xsl:if test="$numeric">
          <xsl:attribute name="inputmode">numeric</xsl:attribute>
          <xsl:attribute name="pattern">[0-9]*</xsl:attribute>
          <xsl:attribute name="maxlength">5</xsl:attribute>
          <xsl:attribute name="autocomplete">off</xsl:attribute>
        </xsl:if>
        <xsl:if test="$maxlength != ''">
          <xsl:attribute name="maxlength"><xsl:value-of select="$maxlength"/></xsl:attribute>
        </xsl:if>
      </input>
      <xsl:call-template name="help">
        <xsl:with-param name="f" select="$f"/>
      </xsl:call-template>
    </div>
  </xsl:template>

  <xsl:template name="password">
    <xsl:variable name="f" select="'smtp_password'"/>
    <xsl:variable name="set" select="$s/smtp_password_set = 'true'"/>
    <div>
      <xsl:call-template name="field-class">
        <xsl:with-param name="f" select="$f"/>
      </xsl:call-template>
      <label for="f-{$f}">
        <xsl:value-of select="hk:msg('server.field.smtp_password.label')"/>
      </label>
      <input type="password" id="f-{$f}" name="{$f}" value=""
          autocomplete="new-password">
        <xsl:call-template name="hk.field-aria">
          <xsl:with-param name="name" select="$f"/>
          <xsl:with-param name="help" select="true()"/>
        </xsl:call-template>
      </input>
      <xsl:call-template name="hk.field-errors">
        <xsl:with-param name="name" select="$f"/>
      </xsl:call-template>
      <p class="help password-state" id="f-{$f}-help">
        <xsl:choose>
          <xsl:when test="$set">
            <span class="badge ok"><xsl:value-of select="hk:msg('server.password.stored')"/></span>
            <xsl:text> </xsl:text>
            <xsl:value-of select="hk:msg('server.password-set')"/>
          </xsl:when>
          <xsl:when test="$edit">
            <xsl:value-of select="hk:msg('server.password-unset')"/>
            <xsl:text> </xsl:text>
          </xsl:when>
        </xsl:choose>
        <xsl:if test="not($set)">
          <xsl:value-of select="hk:msg('server.field.smtp_password.help')"/>
        </xsl:if>
      </p>
    </div>
  </xsl:template>

  <!-- The provider pulldown; each option carries what choosing it fills
       in (static/hikyaku.js), and the server fills empty fields the same
       way on save, so the form works without script too. -->
  <xsl:template name="provider">
    <xsl:variable name="f" select="'oauth2_provider'"/>
    <xsl:variable name="v" select="string($s/oauth2_provider)"/>
    <div>
      <xsl:call-template name="field-class">
        <xsl:with-param name="f" select="$f"/>
      </xsl:call-template>
      <label for="f-{$f}">
        <xsl:value-of select="hk:msg('server.field.oauth2_provider.label')"/>
      </label>
      <select id="f-{$f}" name="{$f}">
        <xsl:call-template name="hk.field-aria">
          <xsl:with-param name="name" select="$f"/>
          <xsl:with-param name="help" select="true()"/>
        </xsl:call-template>
        <xsl:for-each select="/page/oauth2-presets/preset">
          <option value="{@name}">
            <xsl:if test="@name = $v or ($v = '' and @name = 'none')">
              <xsl:attribute name="selected">selected</xsl:attribute>
            </xsl:if>
            <xsl:for-each select="@*[local-name() != 'name']">
              <xsl:attribute name="{concat('data-', translate(local-name(), '_', '-'))}">
                <xsl:value-of select="."/>
              </xsl:attribute>
            </xsl:for-each>
            <xsl:for-each select="host">
              <xsl:attribute name="{concat('data-', @end)}">
                <xsl:value-of select="concat(@name, ' ', @port, ' ', @security)"/>
              </xsl:attribute>
            </xsl:for-each>
            <xsl:value-of select="hk:msg(concat('oauth2.provider.', @name))"/>
          </option>
        </xsl:for-each>
      </select>
      <xsl:call-template name="help">
        <xsl:with-param name="f" select="$f"/>
      </xsl:call-template>
    </div>
  </xsl:template>

  <!-- The client secret: never shown, only whether one is stored. -->
  <xsl:template name="client-secret">
    <xsl:variable name="f" select="'oauth2_client_secret'"/>
    <xsl:variable name="set" select="$s/oauth2_client_secret_set = 'true'"/>
    <div>
      <xsl:call-template name="field-class">
        <xsl:with-param name="f" select="$f"/>
      </xsl:call-template>
      <label for="f-{$f}">
        <xsl:value-of select="hk:msg('server.field.oauth2_client_secret.label')"/>
      </label>
      <input type="password" id="f-{$f}" name="{$f}" value=""
          autocomplete="new-password">
        <xsl:call-template name="hk.field-aria">
          <xsl:with-param name="name" select="$f"/>
          <xsl:with-param name="help" select="true()"/>
        </xsl:call-template>
      </input>
      <xsl:call-template name="hk.field-errors">
        <xsl:with-param name="name" select="$f"/>
      </xsl:call-template>
      <p class="help password-state" id="f-{$f}-help">
        <xsl:if test="$set">
          <span class="badge ok"><xsl:value-of select="hk:msg('server.password.stored')"/></span>
          <xsl:text> </xsl:text>
          <xsl:value-of select="hk:msg('server.oauth2.secret-set')"/>
          <xsl:text> </xsl:text>
        </xsl:if>
        <xsl:value-of select="hk:msg('server.field.oauth2_client_secret.help')"/>
      </p>
    </div>
  </xsl:template>

  <xsl:template name="checkbox">
    <xsl:param name="f"/>
    <xsl:param name="extra-class" select="''"/>
    <div>
      <xsl:call-template name="field-class">
        <xsl:with-param name="f" select="$f"/>
        <xsl:with-param name="extra" select="concat('check ', $extra-class)"/>
      </xsl:call-template>
      <input type="checkbox" id="f-{$f}" name="{$f}" value="on">
        <xsl:call-template name="hk.field-aria">
          <xsl:with-param name="name" select="$f"/>
          <xsl:with-param name="help" select="true()"/>
        </xsl:call-template>
        <xsl:if test="$s/*[local-name() = $f] = 'on'">
          <xsl:attribute name="checked">checked</xsl:attribute>
        </xsl:if>
      </input>
      <label for="f-{$f}">
        <xsl:value-of select="hk:msg(concat('server.field.', $f, '.label'))"/>
      </label>
      <xsl:call-template name="help">
        <xsl:with-param name="f" select="$f"/>
      </xsl:call-template>
    </div>
  </xsl:template>

  <!-- A pulldown.  prefix: a catalogue key prefix for option texts, or
       '#size' / '#seconds' for formatted numbers. -->
  <xsl:template name="select">
    <xsl:param name="f"/>
    <xsl:param name="options"/>
    <xsl:param name="prefix"/>
    <xsl:variable name="v" select="string($s/*[local-name() = $f])"/>
    <div>
      <xsl:call-template name="field-class">
        <xsl:with-param name="f" select="$f"/>
      </xsl:call-template>
      <label for="f-{$f}">
        <xsl:value-of select="hk:msg(concat('server.field.', $f, '.label'))"/>
      </label>
      <select id="f-{$f}" name="{$f}">
        <xsl:call-template name="hk.field-aria">
          <xsl:with-param name="name" select="$f"/>
          <xsl:with-param name="help" select="true()"/>
        </xsl:call-template>
        <xsl:call-template name="options">
          <xsl:with-param name="list" select="concat(normalize-space($options), ' ')"/>
          <xsl:with-param name="v" select="$v"/>
          <xsl:with-param name="prefix" select="$prefix"/>
        </xsl:call-template>
      </select>
      <xsl:call-template name="help">
        <xsl:with-param name="f" select="$f"/>
      </xsl:call-template>
    </div>
  </xsl:template>

  <xsl:template name="options">
    <xsl:param name="list"/>
    <xsl:param name="v"/>
    <xsl:param name="prefix"/>
    <xsl:if test="$list != ''">
      <xsl:variable name="o" select="substring-before($list, ' ')"/>
      <option value="{$o}">
        <xsl:if test="$o = $v"><xsl:attribute name="selected">selected</xsl:attribute></xsl:if>
        <xsl:call-template name="option-text">
          <xsl:with-param name="o" select="$o"/>
          <xsl:with-param name="prefix" select="$prefix"/>
        </xsl:call-template>
      </option>
      <xsl:call-template name="options">
        <xsl:with-param name="list" select="substring-after($list, ' ')"/>
        <xsl:with-param name="v" select="$v"/>
        <xsl:with-param name="prefix" select="$prefix"/>
      </xsl:call-template>
    </xsl:if>
  </xsl:template>

  <xsl:template name="option-text">
    <xsl:param name="o"/>
    <xsl:param name="prefix"/>
    <xsl:choose>
      <xsl:when test="$prefix = '#size'">
        <xsl:call-template name="hk.size">
          <xsl:with-param name="bytes" select="$o"/>
        </xsl:call-template>
      </xsl:when>
      <xsl:when test="$prefix = '#seconds'">
        <xsl:call-template name="seconds">
          <xsl:with-param name="n" select="$o"/>
        </xsl:call-template>
      </xsl:when>
      <xsl:otherwise>
        <xsl:value-of select="hk:msg(concat($prefix, $o))"/>
      </xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <!-- Radio buttons in a fieldset; option texts from prefix, or from
       server.field.F.VALUE when prefix is empty. -->
  <xsl:template name="radios">
    <xsl:param name="f"/>
    <xsl:param name="options"/>
    <xsl:param name="prefix" select="''"/>
    <xsl:variable name="v" select="string($s/*[local-name() = $f])"/>
    <fieldset id="f-{$f}">
      <xsl:call-template name="field-class">
        <xsl:with-param name="f" select="$f"/>
        <xsl:with-param name="extra" select="'choices'"/>
      </xsl:call-template>
      <xsl:call-template name="hk.field-aria">
        <xsl:with-param name="name" select="$f"/>
        <xsl:with-param name="help" select="true()"/>
      </xsl:call-template>
      <legend><xsl:value-of select="hk:msg(concat('server.field.', $f, '.label'))"/></legend>
      <xsl:call-template name="radio-items">
        <xsl:with-param name="f" select="$f"/>
        <xsl:with-param name="list" select="concat(normalize-space($options), ' ')"/>
        <xsl:with-param name="v" select="$v"/>
        <xsl:with-param name="prefix" select="$prefix"/>
      </xsl:call-template>
      <xsl:call-template name="help">
        <xsl:with-param name="f" select="$f"/>
      </xsl:call-template>
    </fieldset>
  </xsl:template>

  <xsl:template name="radio-items">
    <xsl:param name="f"/>
    <xsl:param name="list"/>
    <xsl:param name="v"/>
    <xsl:param name="prefix"/>
    <xsl:if test="$list != ''">
      <xsl:variable name="o" select="substring-before($list, ' ')"/>
      <div class="choice">
        <input type="radio" id="f-{$f}-{$o}" name="{$f}" value="{$o}">
          <xsl:if test="$o = $v"><xsl:attribute name="checked">checked</xsl:attribute></xsl:if>
        </input>
        <label for="f-{$f}-{$o}">
          <xsl:choose>
            <xsl:when test="$prefix != ''"><xsl:value-of select="hk:msg(concat($prefix, $o))"/></xsl:when>
            <xsl:otherwise><xsl:value-of select="hk:msg(concat('server.field.', $f, '.', $o))"/></xsl:otherwise>
          </xsl:choose>
        </label>
      </div>
      <xsl:call-template name="radio-items">
        <xsl:with-param name="f" select="$f"/>
        <xsl:with-param name="list" select="substring-after($list, ' ')"/>
        <xsl:with-param name="v" select="$v"/>
        <xsl:with-param name="prefix" select="$prefix"/>
      </xsl:call-template>
    </xsl:if>
  </xsl:template>

  <!-- The SMTP-AUTH method: the loaded modules; a stored method that is
       no longer installed still shows, marked. -->
  <xsl:template name="auth-method">
    <xsl:variable name="f" select="'smtp_auth_method'"/>
    <xsl:variable name="v" select="string($s/smtp_auth_method)"/>
    <div>
      <xsl:call-template name="field-class">
        <xsl:with-param name="f" select="$f"/>
      </xsl:call-template>
      <label for="f-{$f}">
        <xsl:value-of select="hk:msg('server.field.smtp_auth_method.label')"/>
      </label>
      <select id="f-{$f}" name="{$f}">
        <xsl:call-template name="hk.field-aria">
          <xsl:with-param name="name" select="$f"/>
          <xsl:with-param name="help" select="true()"/>
        </xsl:call-template>
        <xsl:for-each select="/page/auth-methods/auth-method">
          <option value="{@name}">
            <xsl:if test="@name = $v"><xsl:attribute name="selected">selected</xsl:attribute></xsl:if>
            <xsl:choose>
              <xsl:when test="@loaded = 'false'">
                <xsl:value-of select="hk:msg('server.auth-method.unloaded', @name)"/>
              </xsl:when>
              <xsl:otherwise>
                <!-- The mechanism's own name (LOGIN, PLAIN, CRAM-MD5) reads
                     the same in every language; the module's English
                     description goes in the tooltip. -->
                <xsl:attribute name="title"><xsl:value-of select="@title"/></xsl:attribute>
                <xsl:choose>
                  <xsl:when test="string(@sasl)"><xsl:value-of select="@sasl"/></xsl:when>
                  <xsl:otherwise><xsl:value-of select="@name"/></xsl:otherwise>
                </xsl:choose>
              </xsl:otherwise>
            </xsl:choose>
          </option>
        </xsl:for-each>
      </select>
      <xsl:call-template name="help">
        <xsl:with-param name="f" select="$f"/>
      </xsl:call-template>
    </div>
  </xsl:template>

  <!-- How the receive end signs in: the password (USER/PASS, APOP, IMAP
       LOGIN), or a loaded SASL module serving POP3 or IMAP4. -->
  <xsl:template name="recv-auth-method">
    <xsl:variable name="f" select="'recv_auth_method'"/>
    <xsl:variable name="v" select="string($s/recv_auth_method)"/>
    <div>
      <xsl:call-template name="field-class">
        <xsl:with-param name="f" select="$f"/>
      </xsl:call-template>
      <label for="f-{$f}">
        <xsl:value-of select="hk:msg('server.field.recv_auth_method.label')"/>
      </label>
      <select id="f-{$f}" name="{$f}">
        <xsl:call-template name="hk.field-aria">
          <xsl:with-param name="name" select="$f"/>
          <xsl:with-param name="help" select="true()"/>
        </xsl:call-template>
        <option value="password">
          <xsl:if test="$v = '' or $v = 'password'"><xsl:attribute name="selected">selected</xsl:attribute></xsl:if>
          <xsl:value-of select="hk:msg('server.recv-auth.password')"/>
        </option>
        <xsl:for-each select="/page/recv-auth-methods/auth-method">
          <option value="{@name}" title="{@title}">
            <xsl:if test="@name = $v"><xsl:attribute name="selected">selected</xsl:attribute></xsl:if>
            <xsl:value-of select="@name"/>
          </option>
        </xsl:for-each>
        <xsl:if test="$v != '' and $v != 'password' and not(/page/recv-auth-methods/auth-method[@name = $v])">
          <option value="{$v}" selected="selected">
            <xsl:value-of select="hk:msg('server.auth-method.unloaded', $v)"/>
          </option>
        </xsl:if>
      </select>
      <xsl:call-template name="help">
        <xsl:with-param name="f" select="$f"/>
      </xsl:call-template>
    </div>
  </xsl:template>

</xsl:stylesheet>
