<?xml version="1.0" encoding="UTF-8"?>
<!-- mail-servers.xsl - the list of mail servers, in display order. -->
<xsl:stylesheet version="1.0"
    xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:hk="urn:hikyaku:xslt"
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
              <xsl:apply-templates select="$servers">
                <xsl:sort select="@position" data-type="number"/>
              </xsl:apply-templates>
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

  <xsl:template match="mail-server">
    <tr>
      <th scope="row" class="col-name">
        <xsl:value-of select="name"/>
      </th>
      <td data-label="{hk:msg('servers.col.send')}">
        <span class="hostport">
          <xsl:call-template name="hostport">
            <xsl:with-param name="host" select="smtp_host"/>
            <xsl:with-param name="port" select="smtp_port"/>
          </xsl:call-template>
        </span>
        <ul class="facts">
          <li>
            <xsl:call-template name="security">
              <xsl:with-param name="mode" select="smtp_security"/>
              <xsl:with-param name="verify" select="smtp_tls_verify"/>
            </xsl:call-template>
          </li>
          <li>
            <xsl:choose>
              <xsl:when test="smtp_auth = 'on'">
                <xsl:value-of select="hk:msg('servers.auth', translate(smtp_auth_method,
                    'abcdefghijklmnopqrstuvwxyz', 'ABCDEFGHIJKLMNOPQRSTUVWXYZ'))"/>
                <xsl:if test="smtp_credentials = 'fixed'">
                  <xsl:text> </xsl:text>
                  <span class="sub">
                    <xsl:value-of select="hk:msg('servers.auth.fixed', smtp_user)"/>
                  </span>
                </xsl:if>
              </xsl:when>
              <xsl:otherwise>
                <xsl:value-of select="hk:msg('servers.auth.none')"/>
              </xsl:otherwise>
            </xsl:choose>
          </li>
          <xsl:if test="pop_before_smtp = 'on'">
            <li>
              <xsl:value-of select="hk:msg('servers.pop-before-smtp', number(pop_before_smtp_wait))"/>
            </li>
          </xsl:if>
        </ul>
      </td>
      <td data-label="{hk:msg('servers.col.receive')}">
        <span class="hostport">
          <xsl:call-template name="hostport">
            <xsl:with-param name="host" select="recv_host"/>
            <xsl:with-param name="port" select="recv_port"/>
          </xsl:call-template>
        </span>
        <ul class="facts">
          <li>
            <xsl:value-of select="hk:msg(concat('protocol.', recv_protocol))"/>
          </li>
          <li>
            <xsl:call-template name="security">
              <xsl:with-param name="mode" select="recv_security"/>
              <xsl:with-param name="verify" select="recv_tls_verify"/>
            </xsl:call-template>
          </li>
          <xsl:if test="recv_protocol = 'pop3' and apop = 'on'">
            <li><xsl:value-of select="hk:msg('servers.apop')"/></li>
          </xsl:if>
        </ul>
      </td>
      <td data-label="{hk:msg('servers.col.limits')}">
        <dl class="limits">
          <dt><xsl:value-of select="hk:msg('servers.limit.send')"/></dt>
          <dd>
            <xsl:call-template name="hk.size">
              <xsl:with-param name="bytes" select="send_limit"/>
            </xsl:call-template>
          </dd>
          <dt><xsl:value-of select="hk:msg('servers.limit.receive')"/></dt>
          <dd>
            <xsl:call-template name="hk.size">
              <xsl:with-param name="bytes" select="recv_limit"/>
            </xsl:call-template>
          </dd>
        </dl>
      </td>
      <td data-label="{hk:msg('servers.col.test')}">
        <xsl:choose>
          <xsl:when test="last-test">
            <span class="badge ok">
              <xsl:if test="last-test/@ok != 'true'">
                <xsl:attribute name="class">badge bad</xsl:attribute>
              </xsl:if>
              <xsl:choose>
                <xsl:when test="last-test/@ok = 'true'">
                  <xsl:value-of select="hk:msg('servers.test.ok')"/>
                </xsl:when>
                <xsl:otherwise>
                  <xsl:value-of select="hk:msg('servers.test.failed')"/>
                </xsl:otherwise>
              </xsl:choose>
            </span>
            <xsl:if test="string(last-test/@at)">
              <xsl:text> </xsl:text>
              <xsl:call-template name="hk.time">
                <xsl:with-param name="iso" select="last-test/@at"/>
              </xsl:call-template>
            </xsl:if>
            <xsl:if test="normalize-space(last-test) != ''">
              <span class="test-summary"><xsl:value-of select="normalize-space(last-test)"/></span>
            </xsl:if>
          </xsl:when>
          <xsl:otherwise>
            <span class="muted"><xsl:value-of select="hk:msg('servers.test.never')"/></span>
          </xsl:otherwise>
        </xsl:choose>
      </td>
      <td class="col-actions">
        <a class="button small"
            href="{concat($base, 'mail-servers/', @id, '/edit')}"
            aria-label="{hk:msg('servers.edit.label', name)}">
          <xsl:value-of select="hk:msg('action.change')"/>
        </a>
        <xsl:text> </xsl:text>
        <a class="button small danger"
            href="{concat($base, 'mail-servers/', @id, '/delete')}"
            aria-label="{hk:msg('servers.delete.label', name)}">
          <xsl:value-of select="hk:msg('action.delete')"/>
        </a>
      </td>
    </tr>
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
          <xsl:call-template name="break-at-dots">
            <xsl:with-param name="s" select="string($h)"/>
          </xsl:call-template>
        </span>
        <xsl:value-of select="concat(':', $port)"/>
      </xsl:when>
      <xsl:otherwise>
        <xsl:call-template name="break-at-dots">
          <xsl:with-param name="s" select="string($h)"/>
        </xsl:call-template>
        <xsl:value-of select="concat(':', $port)"/>
      </xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <!-- Lets a long host name wrap after its dots, not inside a label. -->
  <xsl:template name="break-at-dots">
    <xsl:param name="s"/>
    <xsl:choose>
      <xsl:when test="contains($s, '.')">
        <xsl:value-of select="concat(substring-before($s, '.'), '.')"/>
        <wbr/>
        <xsl:call-template name="break-at-dots">
          <xsl:with-param name="s" select="substring-after($s, '.')"/>
        </xsl:call-template>
      </xsl:when>
      <xsl:otherwise><xsl:value-of select="$s"/></xsl:otherwise>
    </xsl:choose>
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

</xsl:stylesheet>
