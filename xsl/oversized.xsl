<?xml version="1.0" encoding="UTF-8"?>
<!-- oversized.xsl - received messages refused by the receive limit, and
     deleting one straight from its mail server (after a confirmation). -->
<xsl:stylesheet version="1.0"
    xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:hk="urn:hikyaku:xslt"
    exclude-result-prefixes="hk">

  <xsl:import href="layout.xsl"/>

  <xsl:variable name="messages" select="/page/oversized-messages/message"/>
  <xsl:variable name="confirm" select="$messages[@id = /page/confirm/@id]"/>

  <xsl:key name="account" match="/page/mail-accounts/mail-account" use="@id"/>
  <xsl:key name="server" match="/page/mail-servers/mail-server" use="@id"/>

  <xsl:template match="page" mode="hk.title">
    <xsl:value-of select="hk:msg('oversized.title')"/>
  </xsl:template>

  <xsl:template match="page" mode="hk.main">
    <xsl:if test="$confirm">
      <xsl:apply-templates select="$confirm" mode="confirm"/>
    </xsl:if>
    <xsl:choose>
      <xsl:when test="$messages">
        <p class="lead"><xsl:value-of select="hk:msg('oversized.intro')"/></p>
        <div class="table-wrap">
          <table class="list oversized">
            <caption>
              <xsl:choose>
                <xsl:when test="count($messages) = 1">
                  <xsl:value-of select="hk:msg('oversized.count.one')"/>
                </xsl:when>
                <xsl:otherwise>
                  <xsl:value-of select="hk:msg('oversized.count', count($messages))"/>
                </xsl:otherwise>
              </xsl:choose>
            </caption>
            <thead>
              <tr>
                <th scope="col"><xsl:value-of select="hk:msg('oversized.col.subject')"/></th>
                <th scope="col"><xsl:value-of select="hk:msg('oversized.col.from')"/></th>
                <th scope="col"><xsl:value-of select="hk:msg('oversized.col.date')"/></th>
                <th scope="col"><xsl:value-of select="hk:msg('oversized.col.size')"/></th>
                <th scope="col"><xsl:value-of select="hk:msg('oversized.col.account')"/></th>
                <th scope="col" class="col-actions"><xsl:value-of select="hk:msg('oversized.col.actions')"/></th>
              </tr>
            </thead>
            <tbody>
              <xsl:apply-templates select="$messages"/>
            </tbody>
          </table>
        </div>
      </xsl:when>
      <xsl:otherwise>
        <section class="empty-state" aria-labelledby="empty-title">
          <h2 id="empty-title"><xsl:value-of select="hk:msg('oversized.empty.title')"/></h2>
          <p><xsl:value-of select="hk:msg('oversized.empty.text')"/></p>
        </section>
      </xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <xsl:template name="subject">
    <xsl:choose>
      <xsl:when test="normalize-space(subject) != ''">
        <xsl:value-of select="subject"/>
      </xsl:when>
      <xsl:otherwise>
        <span class="muted"><xsl:value-of select="hk:msg('oversized.no-subject')"/></span>
      </xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <xsl:template name="size-error">
    <xsl:variable name="limit" select="key('server', server_id)/recv_limit"/>
    <span class="badge bad">
      <xsl:choose>
        <xsl:when test="number($limit) &gt; 0">
          <xsl:variable name="l">
            <xsl:call-template name="hk.size">
              <xsl:with-param name="bytes" select="$limit"/>
            </xsl:call-template>
          </xsl:variable>
          <xsl:value-of select="hk:msg('oversized.over-limit', $l)"/>
        </xsl:when>
        <xsl:otherwise>
          <xsl:value-of select="hk:msg('oversized.over-limit.changed')"/>
        </xsl:otherwise>
      </xsl:choose>
    </span>
  </xsl:template>

  <xsl:template match="message">
    <xsl:variable name="acct" select="key('account', @account_id)"/>
    <tr>
      <th scope="row" class="col-name"><xsl:call-template name="subject"/></th>
      <td data-label="{hk:msg('oversized.col.from')}"><xsl:value-of select="from"/></td>
      <td data-label="{hk:msg('oversized.col.date')}"><xsl:value-of select="date"/></td>
      <td data-label="{hk:msg('oversized.col.size')}">
        <xsl:call-template name="hk.size">
          <xsl:with-param name="bytes" select="@size"/>
        </xsl:call-template>
        <br/>
        <xsl:call-template name="size-error"/>
      </td>
      <td data-label="{hk:msg('oversized.col.account')}">
        <xsl:value-of select="$acct/name"/>
        <xsl:if test="key('server', server_id)">
          <br/>
          <span class="muted"><xsl:value-of select="key('server', server_id)/name"/></span>
        </xsl:if>
      </td>
      <td class="col-actions">
        <a class="button small danger"
            href="{concat($base, 'oversized?delete=', @id, '#confirm')}"
            aria-label="{hk:msg('oversized.delete.label', subject)}">
          <xsl:value-of select="hk:msg('oversized.delete')"/>
        </a>
      </td>
    </tr>
  </xsl:template>

  <xsl:template match="message" mode="confirm">
    <section id="confirm" class="card confirm" aria-labelledby="confirm-text">
      <h2 id="confirm-text"><xsl:value-of select="hk:msg('oversized.confirm.title')"/></h2>
      <p class="lead"><xsl:value-of select="hk:msg('oversized.confirm.text')"/></p>
      <dl class="summary">
        <dt><xsl:value-of select="hk:msg('oversized.col.subject')"/></dt>
        <dd><xsl:call-template name="subject"/></dd>
        <dt><xsl:value-of select="hk:msg('oversized.col.from')"/></dt>
        <dd><xsl:value-of select="from"/></dd>
        <dt><xsl:value-of select="hk:msg('oversized.col.date')"/></dt>
        <dd><xsl:value-of select="date"/></dd>
        <dt><xsl:value-of select="hk:msg('oversized.col.size')"/></dt>
        <dd>
          <xsl:call-template name="hk.size">
            <xsl:with-param name="bytes" select="@size"/>
          </xsl:call-template>
        </dd>
        <dt><xsl:value-of select="hk:msg('oversized.col.account')"/></dt>
        <dd><xsl:value-of select="key('account', @account_id)/name"/></dd>
      </dl>
      <p class="help"><xsl:value-of select="hk:msg('oversized.confirm.note')"/></p>
      <form method="post" action="{concat($base, 'oversized/', @id, '/delete')}">
        <xsl:call-template name="hk.csrf"/>
        <input type="hidden" name="confirm" value="yes"/>
        <div class="form-actions">
          <button type="submit" class="button danger">
            <xsl:value-of select="hk:msg('oversized.confirm.yes')"/>
          </button>
          <a class="button" href="{concat($base, 'oversized')}">
            <xsl:value-of select="hk:msg('action.cancel')"/>
          </a>
        </div>
      </form>
    </section>
  </xsl:template>

</xsl:stylesheet>
