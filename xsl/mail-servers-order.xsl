<?xml version="1.0" encoding="UTF-8"?>
<!--
  mail-servers-order.xsl - the display order of the mail servers.

  <page screen="mail-servers-order">
    <mail-servers unsaved="true"?>  in the order to show
    <error field="order">…</error>

  Without script, each move button is a small GET form carrying the whole
  new order (order=ID, repeated): the screen comes back with that order
  proposed, and "Save order" POSTs it.  static/hikyaku.js moves the rows
  in place instead, and adds drag and drop.
-->
<xsl:stylesheet version="1.0"
    xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:hk="urn:hikyaku:xslt"
    exclude-result-prefixes="hk">

  <xsl:import href="mail-servers.xsl"/>

  <xsl:variable name="list" select="/page/mail-servers/mail-server"/>

  <xsl:template match="page" mode="hk.title">
    <xsl:value-of select="hk:msg('server.order.title')"/>
  </xsl:template>

  <xsl:template match="page" mode="hk.actions"/>

  <xsl:template match="page" mode="hk.main">
    <p class="lead"><xsl:value-of select="hk:msg('server.order.intro')"/></p>
    <xsl:choose>
      <xsl:when test="count($list) &lt; 2">
        <p><xsl:value-of select="hk:msg('server.order.too-few')"/></p>
        <p>
          <a class="button" href="{concat($base, 'mail-servers')}">
            <xsl:value-of select="hk:msg('server.order.back')"/>
          </a>
        </p>
      </xsl:when>
      <xsl:otherwise>
        <p class="order-status" id="order-status" role="status" aria-live="polite">
          <xsl:if test="/page/mail-servers/@unsaved = 'true'">
            <xsl:attribute name="class">order-status unsaved</xsl:attribute>
            <xsl:value-of select="hk:msg('server.order.unsaved')"/>
          </xsl:if>
        </p>
        <ol class="order-list" id="f-order" aria-label="{hk:msg('server.order.list')}"
            data-msg-unsaved="{hk:msg('server.order.unsaved')}"
            data-msg-moved="{hk:msg('server.order.moved', '{1}', '{2}')}">
          <xsl:for-each select="$list">
            <xsl:variable name="i" select="position()"/>
            <li class="order-item" data-id="{@id}">
              <span class="order-handle" aria-hidden="true"></span>
              <span class="order-pos"><xsl:value-of select="$i"/></span>
              <div class="order-name">
                <strong><xsl:value-of select="name"/></strong>
                <span class="order-hosts">
                  <xsl:call-template name="hostport">
                    <xsl:with-param name="host" select="smtp_host"/>
                    <xsl:with-param name="port" select="smtp_port"/>
                  </xsl:call-template>
                  <xsl:text> / </xsl:text>
                  <xsl:call-template name="hostport">
                    <xsl:with-param name="host" select="recv_host"/>
                    <xsl:with-param name="port" select="recv_port"/>
                  </xsl:call-template>
                </span>
              </div>
              <div class="order-moves">
                <xsl:call-template name="move">
                  <xsl:with-param name="i" select="$i"/>
                  <xsl:with-param name="j" select="$i - 1"/>
                  <xsl:with-param name="dir" select="'up'"/>
                </xsl:call-template>
                <xsl:call-template name="move">
                  <xsl:with-param name="i" select="$i"/>
                  <xsl:with-param name="j" select="$i + 1"/>
                  <xsl:with-param name="dir" select="'down'"/>
                </xsl:call-template>
              </div>
            </li>
          </xsl:for-each>
        </ol>
        <form method="post" action="{concat($base, 'mail-servers/order')}"
            class="form order-form" id="order-form">
          <xsl:call-template name="hk.csrf"/>
          <div id="order-inputs">
            <xsl:for-each select="$list">
              <input type="hidden" name="order" value="{@id}"/>
            </xsl:for-each>
          </div>
          <div class="form-actions">
            <button type="submit" class="button primary">
              <xsl:value-of select="hk:msg('action.save-order')"/>
            </button>
            <a class="button" href="{concat($base, 'mail-servers')}">
              <xsl:value-of select="hk:msg('action.cancel')"/>
            </a>
          </div>
        </form>
        <script src="{concat($base, 'static/hikyaku.js')}" defer="defer"></script>
      </xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <!-- A move button: the order with rows i and j swapped.  At the ends
       the button is there but disabled, so the rows line up. -->
  <xsl:template name="move">
    <xsl:param name="i"/>
    <xsl:param name="j"/>
    <xsl:param name="dir"/>
    <xsl:variable name="name" select="$list[$i]/name"/>
    <form method="get" action="{concat($base, 'mail-servers/order')}" class="move-form">
      <xsl:for-each select="$list">
        <xsl:variable name="q" select="position()"/>
        <xsl:choose>
          <xsl:when test="$q = $i and $list[$j]">
            <input type="hidden" name="order" value="{$list[$j]/@id}"/>
          </xsl:when>
          <xsl:when test="$q = $j">
            <input type="hidden" name="order" value="{$list[$i]/@id}"/>
          </xsl:when>
          <xsl:otherwise>
            <input type="hidden" name="order" value="{@id}"/>
          </xsl:otherwise>
        </xsl:choose>
      </xsl:for-each>
      <button type="submit" class="button small move-{$dir}" data-move="{$dir}"
          aria-label="{hk:msg(concat('server.order.move-', $dir, '.label'), $name)}">
        <xsl:if test="not($list[$j])">
          <xsl:attribute name="disabled">disabled</xsl:attribute>
        </xsl:if>
        <span aria-hidden="true" class="arrow">
          <xsl:choose>
            <xsl:when test="$dir = 'up'">↑</xsl:when>
            <xsl:otherwise>↓</xsl:otherwise>
          </xsl:choose>
        </span>
        <xsl:text> </xsl:text>
        <xsl:value-of select="hk:msg(concat('action.move-', $dir))"/>
      </button>
    </form>
  </xsl:template>

</xsl:stylesheet>
