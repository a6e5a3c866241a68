// signin.test.mjs - signing in and out, the empty server list, and the
// interface language (Accept-Language, then the per-admin switch).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
	HK_URL, ADMIN_USER, ADMIN_PASS, missingEnv, msg, launch, newPage,
	assertClean, shot, route, signIn, assertShell,
} from './helpers.mjs';

const skip = missingEnv();
let browser;

before(async () => {
	if (!skip)
		browser = await launch();
});
after(async () => {
	await browser?.close();
});

async function assertLoginScreen(page, lang) {
	assert.equal(route(page), 'login', 'on the sign-in screen');
	await assertShell(page, lang);
	assert.equal((await page.textContent('h1')).trim(), msg(lang, 'login.title'));
	assert.equal(await page.getAttribute('label[for="f-user"]', 'for'), 'f-user');
	assert.equal((await page.textContent('label[for="f-user"]')).trim(), msg(lang, 'login.user'));
	assert.equal((await page.textContent('label[for="f-password"]')).trim(), msg(lang, 'login.password'));
	const token = await page.getAttribute('form[action$="login"] input[name="csrf_token"]', 'value');
	assert.ok(token && token.length >= 16, 'the sign-in form carries a CSRF token');
	assert.equal(await page.getAttribute('input[name="password"]', 'type'), 'password');
}

async function assertServerList(page, lang) {
	assert.equal(route(page), 'mail-servers', 'on the mail-server list');
	await assertShell(page, lang);
	assert.equal((await page.textContent('main h1')).trim(), msg(lang, 'servers.title'));
	assert.match(await page.textContent('.session .who'),
	    new RegExp(msg(lang, 'layout.signed-in-as', ADMIN_USER).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
	// Navigation: the four sections, the current one marked.
	const nav = await page.$$eval('nav.sections a', (as) => as.map((a) => ({
		text: a.textContent.trim(), href: a.getAttribute('href'),
		current: a.getAttribute('aria-current'),
	})));
	assert.deepEqual(nav.map((a) => a.text), ['mail-servers', 'mail-accounts', 'oversized', 'audit']
	    .map((s) => msg(lang, `nav.${s}`)));
	assert.equal(nav[0].current, 'page');
	assert.ok(nav[0].href.endsWith('/mail-servers'));
	const rows = await page.$$('table.servers tbody tr');
	if (rows.length === 0) {
		// A fresh instance: the empty state says what to do first.
		assert.equal((await page.textContent('.empty-state h2')).trim(), msg(lang, 'servers.empty.title'));
		assert.equal((await page.textContent('.empty-state p')).trim(), msg(lang, 'servers.empty.text'));
		const add = page.locator('.empty-state a.button.primary');
		assert.equal((await add.textContent()).trim(), msg(lang, 'servers.empty.add'));
		assert.ok((await add.getAttribute('href')).endsWith('/mail-servers/new'));
		assert.equal(await page.locator('a[href$="mail-servers/order"]').count(), 0,
		    'no "change order" with fewer than two servers');
	} else {
		// Other tests may have added servers already.
		const caption = (await page.textContent('table.servers caption')).trim();
		assert.equal(caption, rows.length === 1 ? msg(lang, 'servers.count.one')
		    : msg(lang, 'servers.count', rows.length));
	}
}

test('sign-in, empty list, language and sign-out', { skip: skip || false }, async (t) => {
	const en = await newPage(browser, 'en-US');
	const page = en.page;

	await t.test('a signed-out visit to the list lands on the sign-in form', async () => {
		const res = await page.goto(`${HK_URL}mail-servers`);
		assert.equal(res.status(), 200);
		await assertLoginScreen(page, 'en');
		assert.equal(await page.locator('nav.sections').count(), 0, 'no navigation when signed out');
		await shot(page, 'login-en');
	});

	await t.test('a wrong password shows the error and stays on sign-in', async () => {
		await signIn(page, ADMIN_USER, `${ADMIN_PASS}-wrong`);
		await assertLoginScreen(page, 'en');
		const alert = (await page.textContent('[role="alert"]')).trim();
		assert.equal(alert, msg('en', 'error.login.failed'));
		assert.equal(await page.inputValue('input[name="user"]'), ADMIN_USER,
		    'the entered user name is kept');
		assert.equal(await page.inputValue('input[name="password"]'), '',
		    'the password is never sent back');
		await shot(page, 'login-failed-en');
	});

	await t.test('signing in shows the mail-server list', async () => {
		await signIn(page, ADMIN_USER, ADMIN_PASS);
		await assertServerList(page, 'en');
		await shot(page, 'mail-servers-en');
	});

	await t.test('signing out returns to sign-in and the list is closed again', async () => {
		await Promise.all([
			page.waitForNavigation(),
			page.click('form[action$="logout"] button[type="submit"]'),
		]);
		await assertLoginScreen(page, 'en');
		await page.goto(`${HK_URL}mail-servers`);
		assert.equal(route(page), 'login');
	});

	assertClean(page);
	await en.context.close();
});

test('Japanese from Accept-Language, and the language switch', { skip: skip || false }, async (t) => {
	const ja = await newPage(browser, 'ja-JP');
	const page = ja.page;

	await t.test('the sign-in screen is in Japanese', async () => {
		await page.goto(`${HK_URL}mail-servers`);
		await assertLoginScreen(page, 'ja');
		await shot(page, 'login-ja');
	});

	await t.test('the list is in Japanese', async () => {
		await signIn(page, ADMIN_USER, ADMIN_PASS);
		await assertServerList(page, 'ja');
		// Sanity: a string that exists only in Japanese.
		assert.equal((await page.textContent('main h1')).trim(), 'メールサーバーの設定');
		const pressed = await page.getAttribute('.lang-switch button[value=""]', 'aria-pressed');
		assert.equal(pressed, 'true', 'no override: the browser setting is current');
		await shot(page, 'mail-servers-ja');
	});

	await t.test('switching to English sticks after a reload', async () => {
		await Promise.all([
			page.waitForNavigation(),
			page.click('.lang-switch button[value="en"]'),
		]);
		await page.goto(`${HK_URL}mail-servers`);
		await assertServerList(page, 'en');
		await page.reload();
		await assertServerList(page, 'en');
		assert.equal(await page.getAttribute('.lang-switch button[value="en"]', 'aria-pressed'), 'true');
		await shot(page, 'mail-servers-ja-browser-switched-to-en');
	});

	await t.test('back to the browser setting gives Japanese again', async () => {
		await Promise.all([
			page.waitForNavigation(),
			page.click('.lang-switch button[value=""]'),
		]);
		await page.goto(`${HK_URL}mail-servers`);
		await assertServerList(page, 'ja');
	});

	await t.test('signing out returns to the Japanese sign-in', async () => {
		await Promise.all([
			page.waitForNavigation(),
			page.click('form[action$="logout"] button[type="submit"]'),
		]);
		await assertLoginScreen(page, 'ja');
	});

	assertClean(page);
	await ja.context.close();
});
