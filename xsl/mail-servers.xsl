<?xml version="1.0" encoding="UTF-8"?>
<!-- mail-servers.xsl - the list of mail servers, in display order. -->
<xsl:stylesheet version="1.0"
    xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:hk="urn:hikyaku:xslt"
    extension-element-prefixes="hk"
    exclude-result-prefixes="hk">

  <xsl:import href="layout.xsl"/>

  <xsl:variable name="servers" select="/page/mail-servers/mail-server"/>

  <xsl:template match="page" mode="hk.title">
    <xsl:value-of select="hk:msg('servers.title')"/>
  </xsl:template>

  <xsl:template match="page" mode="hk.actions">
    <xsl:if test="$servers">
      <a class="button primary" href="{concat($base, 'mail-servers/new')}">
        <xsl:value-of select="hk:msg('servers.add')"/>
      </a>
      <xsl:if test="count($servers) &gt;= 2">
        <a class="button" href="{concat($base, 'mail-servers/order')}">
          <xsl:value-of select="hk:msg('servers.order')"/>
        </a>
      </xsl:if>
    </xsl:if>
  </xsl:template>

  <xsl:template match="page" mode="hk.main">
    <xsl:choose>
      <xsl:when test="$servers">
        <p class="lead"><xsl:value-of select="hk:msg('servers.intro')"/></p>
        <div class="table-wrap">
          <table class="list servers">
            <caption>
              <xsl:choose>
                <xsl:when test="count($servers) = 1">
                  <xsl:value-of select="hk:msg('servers.count.one')"/>
                </xsl:when>
                <xsl:otherwise>
                  <xsl:value-of select="hk:msg('servers.count', count($servers))"/>
                </xsl:otherwise>
              </xsl:choose>
            </caption>
            <thead>
              <tr>
                <th scope="col"><xsl:value-of select="hk:msg('servers.col.name')"/></th>
                <th scope="col"><xsl:value-of select="hk:msg('servers.col.send')"/></th>
                <th scope="col"><xsl:value-of select="hk:msg('servers.col.receive')"/></th>
                <th scope="col"><xsl:value-of select="hk:msg('servers.col.limits')"/></th>
                <th scope="col"><xsl:value-of select="hk:msg('servers.col.test')"/></th>
                <th scope="col" class="col-actions"><xsl:value-of select="hk:msg('servers.col.actions')"/></th>
              </tr>
            </thead>
            <tbody>
              <!-- Already in display order (docs/REFERENCE.md). -->
              <xsl:apply-templates select="$servers"/>
            </tbody>
          </table>
        </div>
      </xsl:when>
      <xsl:otherwise>
        <section class="empty-state" aria-labelledby="empty-title">
          <h2 id="empty-title"><xsl:value-of select="hk:msg('servers.empty.title')"/></h2>
          <p><xsl:value-of select="hk:msg('servers.empty.text')"/></p>
          <p>
            <a class="button primary large" href="{concat($base, 'mail-servers/new')}">
              <xsl:value-of select="hk:msg('servers.empty.add')"/>
            </a>
          </p>
        </section>
      </xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <!-- The row's fixed texts are hk:msg() calls with literal keys, which
       become plain text when the sheet is loaded (msgfold.h): cheaper
       per row than a variable, which libxslt copies on each use.
       A child is read as "smtp_security[1]", not "smtp_security": a
       server has one of each, and the [1] lets libxml2 stop at it
       instead of walking all of the row's ~30 children on every test.
       The last test, read up to five times, is walked to once. -->
  <xsl:template match="mail-server">
    <xsl:variable name="link" select="concat($base, 'mail-servers/', @id)"/>
    <tr>
      <th scope="row" class="col-name">
        <xsl:value-of select="name[1]"/>
      </th>
      <td data-label="{hk:msg('servers.col.send')}">
        <span class="hostport">
          <xsl:apply-templates select="smtp_host[1]" mode="host"/>
          <xsl:value-of select="smtp_port[1]"/>
        </span>
        <ul class="facts">
          <li>
            <xsl:choose>
              <xsl:when test="smtp_security[1] = 'starttls'">
                <xsl:value-of select="hk:msg('security.starttls')"/>
                <xsl:if test="smtp_tls_verify[1] = 'off'">
                  <xsl:text> </xsl:text>
                  <span class="badge warn"><xsl:value-of select="hk:msg('servers.tls-unverified')"/></span>
                </xsl:if>
              </xsl:when>
              <xsl:when test="smtp_security[1] = 'tls'">
                <xsl:value-of select="hk:msg('security.tls')"/>
                <xsl:if test="smtp_tls_verify[1] = 'off'">
                  <xsl:text> </xsl:text>
                  <span class="badge warn"><xsl:value-of select="hk:msg('servers.tls-unverified')"/></span>
                </xsl:if>
              </xsl:when>
              <xsl:otherwise>
                <span class="plain"><xsl:value-of select="hk:msg('security.none')"/></span>
              </xsl:otherwise>
            </xsl:choose>
          </li>
          <li>
            <xsl:choose>
              <xsl:when test="smtp_auth[1] = 'on'">
                <xsl:value-of select="hk:msg('servers.auth', translate(smtp_auth_method[1],
                    'abcdefghijklmnopqrstuvwxyz', 'ABCDEFGHIJKLMNOPQRSTUVWXYZ'))"/>
                <xsl:if test="smtp_credentials[1] = 'fixed'">
                  <xsl:text> </xsl:text>
                  <span class="sub">
                    <xsl:value-of select="hk:msg('servers.auth.fixed', smtp_user[1])"/>
                  </span>
                </xsl:if>
              </xsl:when>
              <xsl:otherwise>
                <xsl:value-of select="hk:msg('servers.auth.none')"/>
              </xsl:otherwise>
            </xsl:choose>
          </li>
          <xsl:if test="pop_before_smtp[1] = 'on'">
            <li>
              <xsl:value-of select="hk:msg('servers.pop-before-smtp', number(pop_before_smtp_wait[1]))"/>
            </li>
          </xsl:if>
        </ul>
      </td>
      <td data-label="{hk:msg('servers.col.receive')}">
        <span class="hostport">
          <xsl:apply-templates select="recv_host[1]" mode="host"/>
          <xsl:value-of select="recv_port[1]"/>
        </span>
        <ul class="facts">
          <li>
            <xsl:choose>
              <xsl:when test="recv_protocol[1] = 'pop3'">
                <xsl:value-of select="hk:msg('protocol.pop3')"/>
              </xsl:when>
              <xsl:when test="recv_protocol[1] = 'imap4'">
                <xsl:value-of select="hk:msg('protocol.imap4')"/>
              </xsl:when>
              <xsl:otherwise>
                <xsl:value-of select="hk:msg(concat('protocol.', recv_protocol[1]))"/>
              </xsl:otherwise>
            </xsl:choose>
          </li>
          <li>
            <xsl:choose>
              <xsl:when test="recv_security[1] = 'starttls'">
                <xsl:value-of select="hk:msg('security.starttls')"/>
                <xsl:if test="recv_tls_verify[1] = 'off'">
                  <xsl:text> </xsl:text>
                  <span class="badge warn"><xsl:value-of select="hk:msg('servers.tls-unverified')"/></span>
                </xsl:if>
              </xsl:when>
              <xsl:when test="recv_security[1] = 'tls'">
                <xsl:value-of select="hk:msg('security.tls')"/>
                <xsl:if test="recv_tls_verify[1] = 'off'">
                  <xsl:text> </xsl:text>
                  <span class="badge warn"><xsl:value-of select="hk:msg('servers.tls-unverified')"/></span>
                </xsl:if>
              </xsl:when>
              <xsl:otherwise>
                <span class="plain"><xsl:value-of select="hk:msg('security.none')"/></span>
              </xsl:otherwise>
            </xsl:choose>
          </li>
          <xsl:if test="recv_protocol[1] = 'pop3' and apop[1] = 'on'">
            <li><xsl:value-of select="hk:msg('servers.apop')"/></li>
          </xsl:if>
        </ul>
      </td>
      <td data-label="{hk:msg('servers.col.limits')}">
        <dl class="limits">
          <dt><xsl:value-of select="hk:msg('servers.limit.send')"/></dt>
          <dd><xsl:apply-templates select="send_limit[1]" mode="size"/></dd>
          <dt><xsl:value-of select="hk:msg('servers.limit.receive')"/></dt>
          <dd><xsl:apply-templates select="recv_limit[1]" mode="size"/></dd>
        </dl>
      </td>
      <td data-label="{hk:msg('servers.col.test')}">
        <xsl:variable name="test" select="last-test[1]"/>
        <xsl:choose>
          <xsl:when test="$test">
            <xsl:choose>
              <xsl:when test="$test/@ok = 'true'">
                <span class="badge ok"><xsl:value-of select="hk:msg('servers.test.ok')"/></span>
              </xsl:when>
              <xsl:otherwise>
                <span class="badge bad"><xsl:value-of select="hk:msg('servers.test.failed')"/></span>
              </xsl:otherwise>
            </xsl:choose>
            <xsl:if test="string($test/@at)">
              <xsl:text> </xsl:text>
              <xsl:call-template name="hk.time">
                <xsl:with-param name="iso" select="$test/@at"/>
              </xsl:call-template>
            </xsl:if>
            <xsl:if test="normalize-space($test) != ''">
              <span class="test-summary"><xsl:value-of select="normalize-space($test)"/></span>
            </xsl:if>
          </xsl:when>
          <xsl:otherwise>
            <span class="muted"><xsl:value-of select="hk:msg('servers.test.never')"/></span>
          </xsl:otherwise>
        </xsl:choose>
        <xsl:apply-templates select="health[1]"/>
        <xsl:apply-templates select="needs-reconnect[1]"/>
      </td>
      <td class="col-actions">
        <a class="button small"
            href="{$link}/edit"
            aria-label="{hk:msg('servers.edit.label', name[1])}">
          <xsl:value-of select="hk:msg('action.change')"/>
        </a>
        <xsl:text> </xsl:text>
        <a class="button small danger"
            href="{$link}/delete"
            aria-label="{hk:msg('servers.delete.label', name[1])}">
          <xsl:value-of select="hk:msg('action.delete')"/>
        </a>
      </td>
    </tr>
  </xsl:template>

  <!-- The host part of host:port, up to the colon: what the hostport
       template shows, for a host element in context (no parameters to
       pass, so cheaper per row). -->
  <!-- Mail flow from real sending and receiving (src/lib-mail/health.c). -->
  <xsl:template match="health">
    <div class="health">
      <xsl:choose>
        <xsl:when test="@failing = 'true' and number(@failures) &gt; 1">
          <span class="badge bad"><xsl:value-of select="hk:msg('health.failing', @failures)"/></span>
        </xsl:when>
        <xsl:when test="@failing = 'true'">
          <span class="badge bad"><xsl:value-of select="hk:msg('health.failing.one')"/></span>
        </xsl:when>
        <xsl:otherwise>
          <span class="badge ok"><xsl:value-of select="hk:msg('health.ok')"/></span>
        </xsl:otherwise>
      </xsl:choose>
      <xsl:for-each select="last-send | last-receive">
        <xsl:text> </xsl:text>
        <span class="muted"><xsl:value-of select="hk:msg(concat('health.', local-name()))"/></span>
        <xsl:text> </xsl:text>
        <xsl:call-template name="hk.time">
          <xsl:with-param name="iso" select="@at"/>
        </xsl:call-template>
      </xsl:for-each>
      <xsl:if test="@failing = 'true' and last-error">
        <span class="test-summary">
          <xsl:value-of select="hk:msg('health.last-error')"/>
          <xsl:text> (</xsl:text>
          <xsl:value-of select="hk:msg(concat('health.end.', last-error/@end))"/>
          <xsl:text>): </xsl:text>
          <xsl:value-of select="last-error/message"/>
          <xsl:if test="last-error/reply">
            <xsl:text> </xsl:text>
            <xsl:value-of select="hk:msg('health.reply')"/>
            <xsl:text> </xsl:text>
            <xsl:value-of select="last-error/reply"/>
          </xsl:if>
        </span>
      </xsl:if>
    </div>
  </xsl:template>

  <xsl:template match="*" mode="host">
    <xsl:choose>
      <xsl:when test="string(@display)">
        <xsl:choose>
          <xsl:when test="contains(@display, ':')">
            <xsl:value-of select="concat('[', @display, ']:')"/>
          </xsl:when>
          <xsl:otherwise>
            <span title="{.}"><hk:break-at-dots select="@display"/></span>
            <xsl:text>:</xsl:text>
          </xsl:otherwise>
        </xsl:choose>
      </xsl:when>
      <xsl:when test="contains(., ':')">
        <xsl:value-of select="concat('[', ., ']:')"/>
      </xsl:when>
      <xsl:otherwise>
        <hk:break-at-dots select="."/>
        <xsl:text>:</xsl:text>
      </xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <!-- hk.size for a size element in context: the pulldowns' sizes from
       the messages above, anything else through hk.size. -->
  <xsl:template match="*" mode="size">
    <xsl:choose>
      <xsl:when test=". = 0"><xsl:value-of select="hk:msg('size.unlimited')"/></xsl:when>
      <xsl:when test=". = 10485760"><xsl:value-of select="hk:msg('size.mb', '10')"/></xsl:when>
      <xsl:when test=". = 5242880"><xsl:value-of select="hk:msg('size.mb', '5')"/></xsl:when>
      <xsl:when test=". = 3145728"><xsl:value-of select="hk:msg('size.mb', '3')"/></xsl:when>
      <xsl:when test=". = 1048576"><xsl:value-of select="hk:msg('size.mb', '1')"/></xsl:when>
      <xsl:when test=". = 524288"><xsl:value-of select="hk:msg('size.kb', '512')"/></xsl:when>
      <xsl:otherwise>
        <xsl:call-template name="hk.size">
          <xsl:with-param name="bytes" select="."/>
        </xsl:call-template>
      </xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <!-- host:port, with an IPv6 literal in brackets. -->
  <!-- host is the element: an internationalised name shows its Unicode
       form (display=""), with the stored A-label form as a tooltip. -->
  <xsl:template name="hostport">
    <xsl:param name="host"/>
    <xsl:param name="port"/>
    <xsl:variable name="h">
      <xsl:choose>
        <xsl:when test="string($host/@display)"><xsl:value-of select="$host/@display"/></xsl:when>
        <xsl:otherwise><xsl:value-of select="$host"/></xsl:otherwise>
      </xsl:choose>
    </xsl:variable>
    <xsl:choose>
      <xsl:when test="contains($h, ':')">
        <xsl:value-of select="concat('[', $h, ']:', $port)"/>
      </xsl:when>
      <xsl:when test="string($host/@display)">
        <span title="{$host}">
          <hk:break-at-dots select="$h"/>
        </span>
        <xsl:value-of select="concat(':', $port)"/>
      </xsl:when>
      <xsl:otherwise>
        <hk:break-at-dots select="$h"/>
        <xsl:value-of select="concat(':', $port)"/>
      </xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <!-- Lets a long host name wrap after its dots, not inside a label
       (<hk:break-at-dots>, src/lib-web/viewext.h, does it in one step;
       this name stays for stylesheets that call it). -->
  <xsl:template name="break-at-dots">
    <xsl:param name="s"/>
    <hk:break-at-dots select="$s"/>
  </xsl:template>

  <xsl:template name="security">
    <xsl:param name="mode"/>
    <xsl:param name="verify"/>
    <xsl:choose>
      <xsl:when test="$mode = 'starttls' or $mode = 'tls'">
        <xsl:value-of select="hk:msg(concat('security.', $mode))"/>
        <xsl:if test="$verify = 'off'">
          <xsl:text> </xsl:text>
          <span class="badge warn"><xsl:value-of select="hk:msg('servers.tls-unverified')"/></span>
        </xsl:if>
      </xsl:when>
      <xsl:otherwise>
        <span class="plain"><xsl:value-of select="hk:msg('security.none')"/></span>
      </xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <!-- Accounts whose OAuth 2.0 grant is gone. -->
  <xsl:template match="needs-reconnect">
    <div class="health needs-reconnect">
      <span class="badge bad"><xsl:value-of select="hk:msg('server.health.needs-reconnect', @count)"/></span>
    </div>
  </xsl:template>

</xsl:stylesheet>
