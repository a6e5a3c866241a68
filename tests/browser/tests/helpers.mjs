// helpers.mjs - shared set-up for the browser tests (not a test file).
//
// Environment: HK_URL (base URL of a running instance, ending in "/"),
// HK_ADMIN_USER, HK_ADMIN_PASS, HK_ARTIFACTS (a folder for screenshots).
import { readFileSync, readdirSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';

export const HK_URL = process.env.HK_URL || '';
export const ADMIN_USER = process.env.HK_ADMIN_USER || '';
export const ADMIN_PASS = process.env.HK_ADMIN_PASS || '';
export const ARTIFACTS = process.env.HK_ARTIFACTS || '';

/* Why a suite cannot run, or '' when it can. */
export function missingEnv() {
	const missing = ['HK_URL', 'HK_ADMIN_USER', 'HK_ADMIN_PASS']
	    .filter((k) => !process.env[k]);
	if (missing.length)
		return `needs ${missing.join(', ')} (tests/lib/instance.sh sets them)`;
	if (!HK_URL.endsWith('/'))
		return 'HK_URL must end in "/"';
	return '';
}

/* The message catalogues (<lang>.xml and every <lang>-<area>.xml, merged
 * as the worker merges them), so that the tests assert on the very strings
 * the screens are meant to show instead of copies of them. */
const catalogues = {};
export function msg(lang, key, ...args) {
	if (!catalogues[lang]) {
		const dir = new URL('../../../xsl/i18n/', import.meta.url);
		const map = new Map();
		for (const f of readdirSync(dir).filter((f) => f === `${lang}.xml` ||
		    (f.startsWith(`${lang}-`) && f.endsWith('.xml')))) {
			const text = readFileSync(new URL(f, dir), 'utf8');
			for (const m of text.matchAll(/<m k="([^"]+)">([\s\S]*?)<\/m>/g))
				map.set(m[1], m[2].replace(/&lt;/g, '<').replace(/&gt;/g, '>')
				    .replace(/&quot;/g, '"').replace(/&apos;/g, "'")
				    .replace(/&amp;/g, '&'));
		}
		catalogues[lang] = map;
	}
	const text = catalogues[lang].get(key);
	assert.ok(text !== undefined, `catalogue ${lang} has no key ${key}`);
	return text.replace(/\{(\d)\}/g, (_, n) => String(args[Number(n) - 1]));
}

export async function launch() {
	return chromium.launch({
		executablePath: process.env.HK_CHROMIUM || '/usr/bin/chromium',
		args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic',
		    '--no-first-run', '--disable-background-networking',
		    '--disable-component-update', '--disable-sync'],
	});
}

/* A page that records every Content-Security-Policy violation and page
 * error; call assertClean(page) to fail on any of them. */
export async function newPage(browser, locale) {
	const context = await browser.newContext({
		locale,
		viewport: { width: 1280, height: 800 },
	});
	const page = await context.newPage();
	page.setDefaultTimeout(15000);
	page.hkProblems = [];
	page.on('console', (m) => {
		if (/Content.Security.Policy/i.test(m.text()))
			page.hkProblems.push(`console: ${m.text()}`);
	});
	page.on('pageerror', (e) => page.hkProblems.push(`page error: ${e.message}`));
	// Also catch violations that are only reported as DOM events.  Init
	// scripts run through the DevTools protocol, outside the page's CSP.
	await context.addInitScript(() => {
		document.addEventListener('securitypolicyviolation', (e) => {
			console.error(`Content Security Policy violation: ${e.violatedDirective} ${e.blockedURI}`);
		});
	});
	return { context, page };
}

export function assertClean(page) {
	assert.deepEqual(page.hkProblems, [], 'no CSP violations or page errors');
}

export async function shot(page, name) {
	if (!ARTIFACTS)
		return;
	mkdirSync(ARTIFACTS, { recursive: true });
	await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
}

/* Path of the current page relative to HK_URL, without query. */
export function route(page) {
	const u = new URL(page.url());
	const base = new URL(HK_URL);
	assert.ok(u.pathname.startsWith(base.pathname),
	    `${u.pathname} is under the base ${base.pathname}`);
	return u.pathname.slice(base.pathname.length);
}

export async function signIn(page, user, password) {
	await page.fill('input[name="user"]', user);
	await page.fill('input[name="password"]', password);
	await Promise.all([
		page.waitForNavigation({ waitUntil: 'load' }),
		page.click('form[action$="login"] button[type="submit"]'),
	]);
}

/* Checks the things every rendered screen shares. */
export async function assertShell(page, lang) {
	assert.equal(await page.getAttribute('html', 'lang'), lang, 'html lang');
	// The stylesheet was served and applied (the CSP allows 'self' only).
	const font = await page.evaluate(() => getComputedStyle(document.body).fontFamily);
	assert.match(font, /Noto Sans CJK JP/, 'hikyaku.css is applied');
}
