<?xml version="1.0" encoding="UTF-8"?>
<!--
  test-result.xsl - the staged connection test (docs/PROTOCOLS.md).

  Input: <page screen="test-result"> with
    <mail-server id="" saved="true|false"><name/></mail-server>
    <test-request account_id=""><test_user/><test_address/></test-request>
    <test-result ok="" exit="" at="">  (absent when the request itself
      was refused: then <error field=""> elements explain why)
    <mail-accounts><mail-account id=""><name/><address/><server_id/>
      </mail-account></mail-accounts>  (saved servers, for the form)
  docs/PROTOCOLS.md describes <test-result>.

  Works without script.  static/conntest.js (optional) submits the
  credentials form with fetch and shows progress while the test runs.
-->
<xsl:stylesheet version="1.0"
    xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:hk="urn:hikyaku:xslt"
    exclude-result-prefixes="hk">

  <xsl:import href="layout.xsl"/>

  <xsl:variable name="srv" select="/page/mail-server"/>
  <xsl:variable name="tr" select="/page/test-result"/>
  <xsl:variable name="saved" select="$srv/@saved = 'true'"/>

  <xsl:template match="page" mode="hk.title">
    <xsl:choose>
      <xsl:when test="string($srv/name) != ''">
        <xsl:value-of select="hk:msg('conntest.title.server', $srv/name)"/>
      </xsl:when>
      <xsl:otherwise><xsl:value-of select="hk:msg('conntest.title')"/></xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <xsl:template match="page" mode="hk.actions">
    <a class="button" href="{concat($base, 'mail-servers')}">
      <xsl:value-of select="hk:msg('conntest.back')"/>
    </a>
    <xsl:if test="$srv/@id">
      <a class="button" href="{concat($base, 'mail-servers/', $srv/@id, '/edit')}">
        <xsl:value-of select="hk:msg('conntest.edit')"/>
      </a>
    </xsl:if>
  </xsl:template>

  <xsl:template match="page" mode="hk.main">
    <div id="conntest-result" aria-live="polite">
      <xsl:if test="not($saved) and $tr">
        <p class="lead muted"><xsl:value-of select="hk:msg('conntest.unsaved')"/></p>
      </xsl:if>
      <xsl:apply-templates select="$tr"/>
    </div>
    <xsl:if test="$saved">
      <xsl:call-template name="credentials-form"/>
    </xsl:if>
    <script src="{concat($base, 'static/conntest.js')}" defer="defer"></script>
  </xsl:template>

  <xsl:template match="test-result">
    <xsl:choose>
      <xsl:when test="@ok = 'true'">
        <div class="alert alert-success test-passed" role="status">
          <p class="alert-title">
            <span class="badge ok"><xsl:value-of select="hk:msg('conntest.ok')"/></span>
            <xsl:text> </xsl:text>
            <xsl:value-of select="hk:msg('conntest.passed')"/>
          </p>
        </div>
      </xsl:when>
      <xsl:otherwise>
        <div class="alert alert-error test-failed" role="alert">
          <p class="alert-title"><xsl:value-of select="hk:msg('conntest.failed')"/></p>
          <p class="test-summary"><xsl:value-of select="summary"/></p>
        </div>
      </xsl:otherwise>
    </xsl:choose>
    <xsl:apply-templates select="end"/>
  </xsl:template>

  <xsl:template match="end">
    <section class="card test-end" aria-labelledby="end-{@name}">
      <h2 id="end-{@name}">
        <xsl:value-of select="hk:msg(concat('conntest.end.', @name))"/>
        <xsl:text> (</xsl:text>
        <xsl:value-of select="translate(@protocol, 'abcdefghijklmnopqrstuvwxyz', 'ABCDEFGHIJKLMNOPQRSTUVWXYZ')"/>
        <xsl:text>)</xsl:text>
      </h2>
      <div class="table-wrap">
        <table class="list test-stages">
          <thead>
            <tr>
              <th scope="col"><xsl:value-of select="hk:msg('conntest.col.stage')"/></th>
              <th scope="col"><xsl:value-of select="hk:msg('conntest.col.result')"/></th>
              <th scope="col"><xsl:value-of select="hk:msg('conntest.col.time')"/></th>
              <th scope="col"><xsl:value-of select="hk:msg('conntest.col.details')"/></th>
            </tr>
          </thead>
          <tbody>
            <xsl:apply-templates select="stage"/>
          </tbody>
        </table>
      </div>
      <xsl:if test="@ok = 'false'">
        <p class="muted"><xsl:value-of select="hk:msg('conntest.not-run')"/></p>
      </xsl:if>
    </section>
  </xsl:template>

  <xsl:template match="stage">
    <tr class="stage stage-{@name}" data-ok="{@ok}">
      <th scope="row"><xsl:value-of select="hk:msg(concat('conntest.stage.', @name))"/></th>
      <td>
        <xsl:choose>
          <xsl:when test="@ok = 'true' and warning">
            <span class="badge warn"><xsl:value-of select="hk:msg('conntest.warning')"/></span>
          </xsl:when>
          <xsl:when test="@ok = 'true'">
            <span class="badge ok"><xsl:value-of select="hk:msg('conntest.ok')"/></span>
          </xsl:when>
          <xsl:otherwise>
            <span class="badge bad"><xsl:value-of select="hk:msg('conntest.fail')"/></span>
          </xsl:otherwise>
        </xsl:choose>
      </td>
      <td><xsl:value-of select="hk:msg('conntest.ms', @ms)"/></td>
      <td>
        <xsl:if test="explanation">
          <p class="field-error">
            <xsl:value-of select="explanation"/>
          </p>
          <xsl:if test="string(@field) != ''">
            <p class="help">
              <xsl:variable name="label">
                <xsl:choose>
                  <xsl:when test="@field = 'account_id' or starts-with(@field, 'test_')">
                    <xsl:value-of select="hk:msg(concat('conntest.field.', @field))"/>
                  </xsl:when>
                  <xsl:otherwise>
                    <xsl:value-of select="hk:msg(concat('server.field.', @field, '.label'))"/>
                  </xsl:otherwise>
                </xsl:choose>
              </xsl:variable>
              <xsl:value-of select="hk:msg('conntest.fix', string($label))"/>
            </p>
          </xsl:if>
        </xsl:if>
        <xsl:for-each select="warning">
          <p class="alert alert-warn"><xsl:value-of select="."/></p>
        </xsl:for-each>
        <xsl:if test="reply">
          <p class="reply">
            <span class="muted"><xsl:value-of select="hk:msg('conntest.reply')"/>: </span>
            <code><xsl:value-of select="reply"/></code>
          </p>
        </xsl:if>
        <xsl:if test="address">
          <p>
            <span class="muted"><xsl:value-of select="hk:msg('conntest.address')"/>: </span>
            <xsl:for-each select="address">
              <xsl:if test="position() &gt; 1">, </xsl:if>
              <code><xsl:value-of select="."/></code>
            </xsl:for-each>
          </p>
        </xsl:if>
        <xsl:apply-templates select="certificate"/>
        <xsl:if test="capability">
          <p>
            <span class="muted"><xsl:value-of select="hk:msg('conntest.capabilities')"/>: </span>
            <xsl:for-each select="capability">
              <xsl:if test="position() &gt; 1">, </xsl:if>
              <code>
                <xsl:value-of select="@name"/>
                <xsl:if test="string(.) != ''">
                  <xsl:value-of select="concat(' ', .)"/>
                </xsl:if>
              </code>
            </xsl:for-each>
          </p>
        </xsl:if>
        <xsl:if test="token">
          <p class="token"><xsl:value-of select="token"/></p>
        </xsl:if>
        <xsl:if test="mailbox">
          <p><xsl:value-of select="hk:msg('conntest.mailbox', mailbox/@messages)"/></p>
        </xsl:if>
        <xsl:if test="wait">
          <p><xsl:value-of select="hk:msg('conntest.wait', wait/@seconds)"/></p>
        </xsl:if>
        <xsl:if test="detail">
          <p class="muted">
            <xsl:value-of select="hk:msg('conntest.detail')"/>: <xsl:value-of select="detail"/>
          </p>
        </xsl:if>
      </td>
    </tr>
  </xsl:template>

  <xsl:template match="certificate">
    <dl class="certificate">
      <dt><xsl:value-of select="hk:msg('conntest.cert.version')"/></dt>
      <dd><xsl:value-of select="concat(version, ' ', cipher)"/></dd>
      <xsl:if test="subject">
        <dt><xsl:value-of select="hk:msg('conntest.cert.subject')"/></dt>
        <dd><xsl:value-of select="subject"/></dd>
        <dt><xsl:value-of select="hk:msg('conntest.cert.issuer')"/></dt>
        <dd><xsl:value-of select="issuer"/></dd>
        <dt><xsl:value-of select="hk:msg('conntest.cert.not-after')"/></dt>
        <dd>
          <xsl:call-template name="hk.time">
            <xsl:with-param name="iso" select="not-after"/>
          </xsl:call-template>
        </dd>
        <dt><xsl:value-of select="hk:msg('conntest.cert.sha256')"/></dt>
        <dd><code><xsl:value-of select="sha256"/></code></dd>
        <dt><xsl:value-of select="hk:msg('conntest.certificate')"/></dt>
        <dd>
          <xsl:choose>
            <xsl:when test="verified = 'true'">
              <xsl:value-of select="hk:msg('conntest.cert.verified')"/>
            </xsl:when>
            <xsl:otherwise>
              <xsl:value-of select="hk:msg('conntest.cert.not-verified', verify-error)"/>
            </xsl:otherwise>
          </xsl:choose>
        </dd>
      </xsl:if>
    </dl>
  </xsl:template>

  <!-- Credentials for a saved server: an account, or a user name and
       password just for this test.  Posts to this server's test route. -->
  <xsl:template name="credentials-form">
    <xsl:variable name="req" select="/page/test-request"/>
    <section class="card" aria-labelledby="cred-title">
      <h2 id="cred-title"><xsl:value-of select="hk:msg('conntest.cred.title')"/></h2>
      <p class="help"><xsl:value-of select="hk:msg('conntest.cred.intro')"/></p>
      <form class="form conntest-form" method="post"
          action="{concat($base, 'mail-servers/', $srv/@id, '/test')}">
        <xsl:call-template name="hk.csrf"/>
        <div class="field">
          <label for="f-account_id"><xsl:value-of select="hk:msg('conntest.field.account_id')"/></label>
          <select id="f-account_id" name="account_id">
            <xsl:call-template name="hk.field-aria">
              <xsl:with-param name="name" select="'account_id'"/>
            </xsl:call-template>
            <option value=""><xsl:value-of select="hk:msg('conntest.field.account_id.none')"/></option>
            <!-- This server's accounts first, then the others. -->
            <xsl:for-each select="/page/mail-accounts/mail-account[server_id = $srv/@id]">
              <xsl:call-template name="account-option">
                <xsl:with-param name="req" select="$req"/>
              </xsl:call-template>
            </xsl:for-each>
            <xsl:for-each select="/page/mail-accounts/mail-account[server_id != $srv/@id]">
              <xsl:call-template name="account-option">
                <xsl:with-param name="req" select="$req"/>
              </xsl:call-template>
            </xsl:for-each>
          </select>
          <xsl:call-template name="hk.field-errors">
            <xsl:with-param name="name" select="'account_id'"/>
          </xsl:call-template>
        </div>
        <xsl:call-template name="hk.text-field">
          <xsl:with-param name="name" select="'test_user'"/>
          <xsl:with-param name="value" select="$req/test_user"/>
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
          <xsl:with-param name="value" select="$req/test_address"/>
          <xsl:with-param name="label" select="'conntest.field.test_address'"/>
          <xsl:with-param name="help" select="'conntest.field.test_address.help'"/>
          <xsl:with-param name="type" select="'email'"/>
        </xsl:call-template>
        <div class="form-actions">
          <button type="submit" class="button primary">
            <xsl:choose>
              <xsl:when test="$tr"><xsl:value-of select="hk:msg('conntest.again')"/></xsl:when>
              <xsl:otherwise><xsl:value-of select="hk:msg('conntest.submit')"/></xsl:otherwise>
            </xsl:choose>
          </button>
          <p class="conntest-progress muted" hidden="hidden" role="status">
            <xsl:value-of select="hk:msg('conntest.running')"/>
          </p>
        </div>
      </form>
    </section>
  </xsl:template>

  <xsl:template name="account-option">
    <xsl:param name="req"/>
    <option value="{@id}">
      <xsl:if test="@id = $req/@account_id">
        <xsl:attribute name="selected">selected</xsl:attribute>
      </xsl:if>
      <xsl:value-of select="concat(name, ' &lt;', address, '&gt;')"/>
    </option>
  </xsl:template>

</xsl:stylesheet>
