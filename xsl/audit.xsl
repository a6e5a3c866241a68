<?xml version="1.0" encoding="UTF-8"?>
<!-- audit.xsl - the audit trail, newest first, one page of entries. -->
<xsl:stylesheet version="1.0"
    xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:hk="urn:hikyaku:xslt"
    exclude-result-prefixes="hk">

  <xsl:import href="layout.xsl"/>

  <xsl:variable name="log" select="/page/audit-log"/>
  <xsl:variable name="entries" select="$log/audit-entry"/>

  <xsl:template match="page" mode="hk.title">
    <xsl:value-of select="hk:msg('audit.title')"/>
  </xsl:template>

  <xsl:template match="page" mode="hk.main">
    <xsl:choose>
      <xsl:when test="$entries">
        <p class="lead"><xsl:value-of select="hk:msg('audit.intro')"/></p>
        <div class="table-wrap">
          <table class="list audit">
            <caption>
              <xsl:choose>
                <xsl:when test="number($log/@total) = 1">
                  <xsl:value-of select="hk:msg('audit.count.one')"/>
                </xsl:when>
                <xsl:otherwise>
                  <xsl:value-of select="hk:msg('audit.count', $log/@total)"/>
                </xsl:otherwise>
              </xsl:choose>
            </caption>
            <thead>
              <tr>
                <th scope="col"><xsl:value-of select="hk:msg('audit.col.at')"/></th>
                <th scope="col"><xsl:value-of select="hk:msg('audit.col.actor')"/></th>
                <th scope="col"><xsl:value-of select="hk:msg('audit.col.action')"/></th>
                <th scope="col"><xsl:value-of select="hk:msg('audit.col.object')"/></th>
                <th scope="col"><xsl:value-of select="hk:msg('audit.col.details')"/></th>
              </tr>
            </thead>
            <tbody>
              <xsl:apply-templates select="$entries"/>
            </tbody>
          </table>
        </div>
        <xsl:call-template name="pager"/>
      </xsl:when>
      <xsl:otherwise>
        <section class="empty-state" aria-labelledby="empty-title">
          <h2 id="empty-title"><xsl:value-of select="hk:msg('audit.empty.title')"/></h2>
          <p><xsl:value-of select="hk:msg('audit.empty.text')"/></p>
        </section>
      </xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <xsl:template match="audit-entry">
    <tr>
      <td data-label="{hk:msg('audit.col.at')}" class="col-at">
        <xsl:call-template name="hk.time">
          <xsl:with-param name="iso" select="at"/>
        </xsl:call-template>
      </td>
      <td data-label="{hk:msg('audit.col.actor')}"><xsl:value-of select="actor"/></td>
      <td data-label="{hk:msg('audit.col.action')}">
        <xsl:call-template name="known">
          <xsl:with-param name="key" select="concat('audit.action.', action)"/>
          <xsl:with-param name="raw" select="action"/>
        </xsl:call-template>
      </td>
      <td data-label="{hk:msg('audit.col.object')}">
        <span class="object-type">
          <xsl:call-template name="known">
            <xsl:with-param name="key" select="concat('audit.object.', object/@type)"/>
            <xsl:with-param name="raw" select="object/@type"/>
          </xsl:call-template>
        </span>
        <xsl:if test="normalize-space(object) != ''">
          <xsl:text> </xsl:text>
          <span class="object-name"><xsl:value-of select="object"/></span>
        </xsl:if>
      </td>
      <td data-label="{hk:msg('audit.col.details')}">
        <xsl:if test="normalize-space(details) != ''">
          <xsl:call-template name="lines">
            <xsl:with-param name="s" select="string(details)"/>
          </xsl:call-template>
        </xsl:if>
      </td>
    </tr>
  </xsl:template>

  <!-- A catalogue text when the key exists (hk:msg answers the key itself
       when it does not), else the stored word as it is. -->
  <xsl:template name="known">
    <xsl:param name="key"/>
    <xsl:param name="raw"/>
    <xsl:variable name="t" select="hk:msg($key)"/>
    <xsl:choose>
      <xsl:when test="$t != $key"><xsl:value-of select="$t"/></xsl:when>
      <xsl:otherwise><xsl:value-of select="$raw"/></xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <!-- One "field: old -> new" per line, as a list. -->
  <xsl:template name="lines">
    <xsl:param name="s"/>
    <ul class="details">
      <xsl:call-template name="line-items">
        <xsl:with-param name="s" select="$s"/>
      </xsl:call-template>
    </ul>
  </xsl:template>

  <xsl:template name="line-items">
    <xsl:param name="s"/>
    <xsl:choose>
      <xsl:when test="contains($s, '&#10;')">
        <li><xsl:value-of select="substring-before($s, '&#10;')"/></li>
        <xsl:call-template name="line-items">
          <xsl:with-param name="s" select="substring-after($s, '&#10;')"/>
        </xsl:call-template>
      </xsl:when>
      <xsl:when test="$s != ''">
        <li><xsl:value-of select="$s"/></li>
      </xsl:when>
    </xsl:choose>
  </xsl:template>

  <xsl:template name="pager">
    <xsl:variable name="p" select="number($log/@page)"/>
    <xsl:variable name="n" select="number($log/@pages)"/>
    <xsl:if test="$n &gt; 1">
      <nav class="pager" aria-label="{hk:msg('audit.pager.label')}">
        <xsl:if test="$p &gt; 1">
          <a class="button" rel="prev" href="{concat($base, 'audit?page=', $p - 1)}">
            <xsl:value-of select="hk:msg('audit.pager.newer')"/>
          </a>
        </xsl:if>
        <span class="pager-status" aria-current="page">
          <xsl:value-of select="hk:msg('audit.pager.status', $p, $n)"/>
        </span>
        <xsl:if test="$p &lt; $n">
          <a class="button" rel="next" href="{concat($base, 'audit?page=', $p + 1)}">
            <xsl:value-of select="hk:msg('audit.pager.older')"/>
          </a>
        </xsl:if>
      </nav>
    </xsl:if>
  </xsl:template>

</xsl:stylesheet>
