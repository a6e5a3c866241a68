<?xml version="1.0" encoding="UTF-8"?>
<!--
  layout.xsl - the HTML shell every screen shares.

  A screen stylesheet (xsl/<screen>.xsl) imports this file and overrides
  these modes on the <page> element (all optional except hk.title/hk.main):

    hk.title    plain text: the screen's title (<title> and the <h1>)
    hk.actions  buttons/links shown beside the <h1> (default: none)
    hk.main     the screen's content inside <main>
    hk.heading  the whole heading block (override to place the <h1> yourself)
    hk.errors   page-level error alerts (default: hk.page-errors)

  Helpers for forms (ids follow one convention: the control of field F has
  id="f-F", its help text "f-F-help", its errors "f-F-error"):

    hk.page-errors       alert for <error field="">, plus a summary linking to
                         the fields that have errors
    hk.field-aria        call first inside an <input>/<select>/<textarea>:
                         adds aria-describedby (help, errors) and aria-invalid
    hk.field-errors      the field's error messages, to place beside it
    hk.text-field        label + input + help + errors in one block
    hk.csrf              the hidden csrf_token input
    hk.size              bytes in human units (0 = unlimited)
    hk.url               concat(/page/@base, $path)

  All text comes from the catalogues through hk:msg(); nothing here is
  written in a human language.
-->
<xsl:stylesheet version="1.0"
    xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:hk="urn:hikyaku:xslt"
    exclude-result-prefixes="hk">

  <xsl:output method="html" doctype-system="about:legacy-compat"
      encoding="UTF-8" indent="no"/>

  <xsl:variable name="base" select="/page/@base"/>
  <xsl:variable name="signed-in" select="boolean(/page/admin)"/>

  <!-- Which navigation section a screen belongs to; a section's id is also
       its route (relative to base) and the screen name of its list. -->
  <xsl:variable name="section">
    <xsl:variable name="s" select="/page/@screen"/>
    <xsl:choose>
      <xsl:when test="starts-with($s, 'mail-server')">mail-servers</xsl:when>
      <xsl:when test="starts-with($s, 'mail-account')">mail-accounts</xsl:when>
      <xsl:when test="starts-with($s, 'oversized')">oversized</xsl:when>
      <xsl:when test="starts-with($s, 'audit')">audit</xsl:when>
      <xsl:otherwise/>
    </xsl:choose>
  </xsl:variable>

  <xsl:template match="/">
    <xsl:apply-templates select="page"/>
  </xsl:template>

  <xsl:template match="page">
    <xsl:variable name="title">
      <xsl:apply-templates select="." mode="hk.title"/>
    </xsl:variable>
    <html lang="{@lang}">
      <head>
        <!-- libxslt's html output adds the charset <meta> itself. -->
        <meta name="viewport" content="width=device-width, initial-scale=1"/>
        <meta name="referrer" content="same-origin"/>
        <title>
          <xsl:value-of select="hk:msg('app.title', normalize-space($title))"/>
        </title>
        <link rel="stylesheet" href="{concat($base, 'static/hikyaku.css')}"/>
        <xsl:apply-templates select="." mode="hk.head"/>
      </head>
      <body class="screen-{@screen}">
        <a class="skip-link" href="#main">
          <xsl:value-of select="hk:msg('layout.skip')"/>
        </a>
        <xsl:call-template name="hk.header"/>
        <div class="shell">
          <xsl:if test="$signed-in">
            <xsl:call-template name="hk.nav"/>
          </xsl:if>
          <main id="main" tabindex="-1">
            <xsl:apply-templates select="." mode="hk.heading">
              <xsl:with-param name="title" select="normalize-space($title)"/>
            </xsl:apply-templates>
            <xsl:apply-templates select="." mode="hk.errors"/>
            <xsl:apply-templates select="." mode="hk.main"/>
          </main>
        </div>
        <footer class="site-footer">
          <p><xsl:value-of select="hk:msg('layout.footer')"/></p>
        </footer>
      </body>
    </html>
  </xsl:template>

  <!-- Defaults for the screen hooks. -->
  <xsl:template match="page" mode="hk.title">
    <xsl:value-of select="hk:msg('app.name')"/>
  </xsl:template>
  <xsl:template match="page" mode="hk.actions"/>
  <xsl:template match="page" mode="hk.main"/>
  <!-- Extra <head> content of a screen (none by default). -->
  <xsl:template match="page" mode="hk.head"/>

  <xsl:template match="page" mode="hk.heading">
    <xsl:param name="title"/>
    <xsl:variable name="actions">
      <xsl:apply-templates select="." mode="hk.actions"/>
    </xsl:variable>
    <div class="page-head">
      <h1><xsl:value-of select="$title"/></h1>
      <xsl:if test="normalize-space($actions) != ''">
        <div class="page-actions">
          <xsl:apply-templates select="." mode="hk.actions"/>
        </div>
      </xsl:if>
    </div>
  </xsl:template>

  <xsl:template match="page" mode="hk.errors">
    <xsl:call-template name="hk.page-errors"/>
  </xsl:template>

  <!-- Header: product name, where we are, who is signed in. -->
  <xsl:template name="hk.header">
    <header class="site-header">
      <div class="brand-row">
        <p class="brand">
          <xsl:choose>
            <xsl:when test="$signed-in">
              <a href="{concat($base, 'mail-servers')}">
                <xsl:value-of select="hk:msg('app.name')"/>
              </a>
            </xsl:when>
            <xsl:otherwise>
              <xsl:value-of select="hk:msg('app.name')"/>
            </xsl:otherwise>
          </xsl:choose>
        </p>
        <xsl:if test="$signed-in">
          <nav class="crumbs" aria-label="{hk:msg('layout.breadcrumb')}">
            <ol>
              <li><xsl:value-of select="hk:msg('layout.system-settings')"/></li>
              <xsl:if test="$section != ''">
                <li>
                  <a href="{concat($base, $section)}">
                    <xsl:if test="/page/@screen = $section">
                      <xsl:attribute name="aria-current">page</xsl:attribute>
                    </xsl:if>
                    <xsl:value-of select="hk:msg(concat('nav.', $section))"/>
                  </a>
                </li>
              </xsl:if>
            </ol>
          </nav>
        </xsl:if>
      </div>
      <xsl:if test="$signed-in">
        <div class="session">
          <p class="who">
            <xsl:value-of select="hk:msg('layout.signed-in-as', /page/admin/@name)"/>
          </p>
          <xsl:call-template name="hk.lang-switch"/>
          <form class="logout" method="post" action="{concat($base, 'logout')}">
            <xsl:call-template name="hk.csrf"/>
            <button type="submit" class="button quiet">
              <xsl:value-of select="hk:msg('layout.sign-out')"/>
            </button>
          </form>
        </div>
      </xsl:if>
    </header>
  </xsl:template>

  <!-- Language switch: one click, no script.  '' = follow the browser. -->
  <xsl:template name="hk.lang-switch">
    <xsl:variable name="current" select="string(/page/admin/@lang-override)"/>
    <form class="lang-switch" method="post"
        action="{concat($base, 'preferences/lang')}">
      <xsl:call-template name="hk.csrf"/>
      <fieldset>
        <legend><xsl:value-of select="hk:msg('layout.language')"/></legend>
        <xsl:call-template name="hk.lang-button">
          <xsl:with-param name="value" select="''"/>
          <xsl:with-param name="current" select="$current"/>
        </xsl:call-template>
        <xsl:call-template name="hk.lang-button">
          <xsl:with-param name="value" select="'ja'"/>
          <xsl:with-param name="current" select="$current"/>
        </xsl:call-template>
        <xsl:call-template name="hk.lang-button">
          <xsl:with-param name="value" select="'en'"/>
          <xsl:with-param name="current" select="$current"/>
        </xsl:call-template>
      </fieldset>
    </form>
  </xsl:template>

  <xsl:template name="hk.lang-button">
    <xsl:param name="value"/>
    <xsl:param name="current"/>
    <button type="submit" name="lang" value="{$value}" class="lang-option">
      <xsl:attribute name="aria-pressed">
        <xsl:value-of select="$value = $current"/>
      </xsl:attribute>
      <xsl:choose>
        <xsl:when test="$value = ''">
          <xsl:value-of select="hk:msg('layout.language.auto')"/>
        </xsl:when>
        <xsl:otherwise>
          <!-- A language's own name, marked up in that language. -->
          <xsl:attribute name="lang"><xsl:value-of select="$value"/></xsl:attribute>
          <xsl:value-of select="hk:msg(concat('layout.language.', $value))"/>
        </xsl:otherwise>
      </xsl:choose>
    </button>
  </xsl:template>

  <xsl:template name="hk.nav">
    <nav class="sections" aria-label="{hk:msg('nav.label')}">
      <ul>
        <xsl:call-template name="hk.nav-item">
          <xsl:with-param name="id" select="'mail-servers'"/>
        </xsl:call-template>
        <xsl:call-template name="hk.nav-item">
          <xsl:with-param name="id" select="'mail-accounts'"/>
        </xsl:call-template>
        <xsl:call-template name="hk.nav-item">
          <xsl:with-param name="id" select="'oversized'"/>
        </xsl:call-template>
        <xsl:call-template name="hk.nav-item">
          <xsl:with-param name="id" select="'audit'"/>
        </xsl:call-template>
      </ul>
    </nav>
  </xsl:template>

  <xsl:template name="hk.nav-item">
    <xsl:param name="id"/>
    <li>
      <a href="{concat($base, $id)}">
        <xsl:if test="$section = $id">
          <xsl:attribute name="aria-current">
            <xsl:choose>
              <xsl:when test="/page/@screen = $id">page</xsl:when>
              <xsl:otherwise>true</xsl:otherwise>
            </xsl:choose>
          </xsl:attribute>
        </xsl:if>
        <xsl:value-of select="hk:msg(concat('nav.', $id))"/>
      </a>
    </li>
  </xsl:template>

  <!-- ============ helpers for screens ============ -->

  <xsl:template name="hk.url">
    <xsl:param name="path"/>
    <xsl:value-of select="concat($base, $path)"/>
  </xsl:template>

  <xsl:template name="hk.csrf">
    <input type="hidden" name="csrf_token" value="{/page/@csrf}"/>
  </xsl:template>

  <!-- General errors as an alert; field errors summarised with links. -->
  <xsl:template name="hk.page-errors">
    <xsl:if test="/page/error[@field = '' or not(@field)]">
      <div class="alert alert-error" role="alert">
        <xsl:for-each select="/page/error[@field = '' or not(@field)]">
          <p><xsl:value-of select="."/></p>
        </xsl:for-each>
      </div>
    </xsl:if>
    <xsl:variable name="fe" select="/page/error[@field != '']"/>
    <xsl:if test="$fe">
      <div class="alert alert-error error-summary" role="alert">
        <p class="alert-title">
          <xsl:value-of select="hk:msg('form.error-summary', count($fe))"/>
        </p>
        <ul>
          <xsl:for-each select="$fe">
            <li><a href="#f-{@field}"><xsl:value-of select="."/></a></li>
          </xsl:for-each>
        </ul>
      </div>
    </xsl:if>
  </xsl:template>

  <!-- Attributes tying a control to its help and errors.  Call it before
       any child content of the control. -->
  <xsl:template name="hk.field-aria">
    <xsl:param name="name"/>
    <xsl:param name="help" select="false()"/>
    <xsl:variable name="has-error" select="boolean(/page/error[@field = $name])"/>
    <xsl:variable name="ids">
      <xsl:if test="$help">
        <xsl:value-of select="concat('f-', $name, '-help')"/>
      </xsl:if>
      <xsl:text> </xsl:text>
      <xsl:if test="$has-error">
        <xsl:value-of select="concat('f-', $name, '-error')"/>
      </xsl:if>
    </xsl:variable>
    <xsl:if test="normalize-space($ids) != ''">
      <xsl:attribute name="aria-describedby">
        <xsl:value-of select="normalize-space($ids)"/>
      </xsl:attribute>
    </xsl:if>
    <xsl:if test="$has-error">
      <xsl:attribute name="aria-invalid">true</xsl:attribute>
    </xsl:if>
  </xsl:template>

  <xsl:template name="hk.field-errors">
    <xsl:param name="name"/>
    <xsl:if test="/page/error[@field = $name]">
      <p class="field-error" id="f-{$name}-error">
        <xsl:for-each select="/page/error[@field = $name]">
          <span><xsl:value-of select="."/></span>
        </xsl:for-each>
      </p>
    </xsl:if>
  </xsl:template>

  <!-- A labelled text-like input with its help and errors.
       label/help are catalogue keys; help may be empty. -->
  <xsl:template name="hk.text-field">
    <xsl:param name="name"/>
    <xsl:param name="value"/>
    <xsl:param name="label"/>
    <xsl:param name="help" select="''"/>
    <xsl:param name="type" select="'text'"/>
    <xsl:param name="required" select="false()"/>
    <xsl:param name="autocomplete" select="''"/>
    <xsl:param name="extra-class" select="''"/>
    <div class="field {$extra-class}">
      <xsl:if test="/page/error[@field = $name]">
        <xsl:attribute name="class">
          <xsl:value-of select="concat('field has-error ', $extra-class)"/>
        </xsl:attribute>
      </xsl:if>
      <label for="f-{$name}">
        <xsl:value-of select="hk:msg($label)"/>
        <xsl:if test="$required">
          <span class="required"><xsl:value-of select="hk:msg('form.required')"/></span>
        </xsl:if>
      </label>
      <input type="{$type}" id="f-{$name}" name="{$name}" value="{$value}">
        <xsl:call-template name="hk.field-aria">
          <xsl:with-param name="name" select="$name"/>
          <xsl:with-param name="help" select="$help != ''"/>
        </xsl:call-template>
        <xsl:if test="$required">
          <xsl:attribute name="required">required</xsl:attribute>
        </xsl:if>
        <xsl:if test="$autocomplete != ''">
          <xsl:attribute name="autocomplete">
            <xsl:value-of select="$autocomplete"/>
          </xsl:attribute>
        </xsl:if>
      </input>
      <xsl:call-template name="hk.field-errors">
        <xsl:with-param name="name" select="$name"/>
      </xsl:call-template>
      <xsl:if test="$help != ''">
        <p class="help" id="f-{$name}-help"><xsl:value-of select="hk:msg($help)"/></p>
      </xsl:if>
    </div>
  </xsl:template>

  <!-- Bytes in the units the size pulldowns use. -->
  <xsl:template name="hk.size">
    <xsl:param name="bytes"/>
    <xsl:variable name="b" select="number($bytes)"/>
    <xsl:choose>
      <xsl:when test="string($b) = 'NaN'">
        <xsl:value-of select="$bytes"/>
      </xsl:when>
      <xsl:when test="$b = 0">
        <xsl:value-of select="hk:msg('size.unlimited')"/>
      </xsl:when>
      <xsl:when test="$b &gt;= 1048576">
        <xsl:value-of select="hk:msg('size.mb', format-number($b div 1048576, '#,##0.#'))"/>
      </xsl:when>
      <xsl:when test="$b &gt;= 1024">
        <xsl:value-of select="hk:msg('size.kb', format-number($b div 1024, '#,##0.#'))"/>
      </xsl:when>
      <xsl:otherwise>
        <xsl:value-of select="hk:msg('size.bytes', format-number($b, '#,##0'))"/>
      </xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <!-- An ISO 8601 time as "YYYY-MM-DD hh:mm" inside <time>. -->
  <xsl:template name="hk.time">
    <xsl:param name="iso"/>
    <time datetime="{$iso}" title="{$iso}">
      <xsl:value-of select="substring(translate($iso, 'T', ' '), 1, 16)"/>
    </time>
  </xsl:template>

</xsl:stylesheet>
