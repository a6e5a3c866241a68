<?xml version="1.0" encoding="UTF-8"?>
<!-- mail-accounts.xsl - the list of mail accounts, with each one's server:
     one page of it, a search box, and links to the other pages. -->
<xsl:stylesheet version="1.0"
    xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:hk="urn:hikyaku:xslt"
    exclude-result-prefixes="hk">

  <xsl:import href="layout.xsl"/>

  <xsl:variable name="list" select="/page/mail-accounts"/>
  <xsl:variable name="accounts" select="$list/mail-account"/>
  <xsl:variable name="q" select="string($list/@q)"/>
  <!-- Any account at all: a search that matches none still shows the box. -->
  <xsl:variable name="any" select="$accounts or $q != '' or number($list/@page) &gt; 1"/>

  <xsl:template match="page" mode="hk.title">
    <xsl:value-of select="hk:msg('accounts.title')"/>
  </xsl:template>

  <xsl:template match="page" mode="hk.actions">
    <xsl:if test="$any">
      <a class="button primary" href="{concat($base, 'mail-accounts/new')}">
        <xsl:value-of select="hk:msg('accounts.add')"/>
      </a>
    </xsl:if>
  </xsl:template>

  <xsl:template match="page" mode="hk.main">
    <xsl:choose>
      <xsl:when test="$any">
        <p class="lead"><xsl:value-of select="hk:msg('accounts.intro')"/></p>
        <xsl:call-template name="search"/>
        <xsl:if test="not($accounts)">
          <p class="empty-search" role="status">
            <xsl:value-of select="hk:msg('accounts.search.none', $q)"/>
          </p>
        </xsl:if>
        <xsl:if test="$accounts">
        <div class="table-wrap">
          <table class="list accounts">
            <caption>
              <xsl:choose>
                <xsl:when test="$q != ''">
                  <xsl:value-of select="hk:msg('accounts.search.count', $list/@total, $q)"/>
                </xsl:when>
                <xsl:when test="number($list/@total) = 1">
                  <xsl:value-of select="hk:msg('accounts.count.one')"/>
                </xsl:when>
                <xsl:otherwise>
                  <xsl:value-of select="hk:msg('accounts.count', $list/@total)"/>
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
        <xsl:call-template name="pager"/>
        </xsl:if>
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

  <!-- The search box (GET, so a search is a link like any page). -->
  <xsl:template name="search">
    <form class="search" method="get" action="{concat($base, 'mail-accounts')}" role="search">
      <label for="account-search"><xsl:value-of select="hk:msg('accounts.search.label')"/></label>
      <input type="search" id="account-search" name="q" value="{$q}" maxlength="255"
          placeholder="{hk:msg('accounts.search.placeholder')}"/>
      <xsl:if test="number($list/@per-page) != 50">
        <input type="hidden" name="per_page" value="{$list/@per-page}"/>
      </xsl:if>
      <button type="submit" class="button"><xsl:value-of select="hk:msg('accounts.search.submit')"/></button>
      <xsl:if test="$q != ''">
        <xsl:text> </xsl:text>
        <a class="button" href="{concat($base, 'mail-accounts')}">
          <xsl:value-of select="hk:msg('accounts.search.clear')"/>
        </a>
      </xsl:if>
    </form>
  </xsl:template>

  <!-- Previous / "page P of N" / next; the search and page size carried
       along in link-query (already percent-encoded). -->
  <xsl:template name="pager">
    <xsl:variable name="p" select="number($list/@page)"/>
    <xsl:variable name="n" select="number($list/@pages)"/>
    <xsl:variable name="keep">
      <xsl:if test="string($list/@link-query) != ''">
        <xsl:value-of select="concat('&amp;', $list/@link-query)"/>
      </xsl:if>
    </xsl:variable>
    <xsl:if test="$n &gt; 1">
      <nav class="pager" aria-label="{hk:msg('accounts.pager.label')}">
        <xsl:if test="$p &gt; 1">
          <a class="button" rel="prev" href="{concat($base, 'mail-accounts?page=', $p - 1, $keep)}">
            <xsl:value-of select="hk:msg('accounts.pager.prev')"/>
          </a>
        </xsl:if>
        <span class="pager-status" aria-current="page">
          <xsl:value-of select="hk:msg('accounts.pager.status', $p, $n)"/>
        </span>
        <xsl:if test="$p &lt; $n">
          <a class="button" rel="next" href="{concat($base, 'mail-accounts?page=', $p + 1, $keep)}">
            <xsl:value-of select="hk:msg('accounts.pager.next')"/>
          </a>
        </xsl:if>
      </nav>
    </xsl:if>
  </xsl:template>

</xsl:stylesheet>
