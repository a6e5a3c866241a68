// error-page.test.mjs - the friendly error screens: an unknown address
// (404) and a POST without the session's CSRF token (403).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
	HK_URL, ADMIN_USER, ADMIN_PASS, missingEnv, msg, launch, newPage,
	assertClean, shot, signIn, assertShell,
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

test('error screens explain what happened', { skip: skip || false }, async (t) => {
	const { context, page } = await newPage(browser, 'en-US');
	await page.goto(`${HK_URL}login`);
	await signIn(page, ADMIN_USER, ADMIN_PASS);

	await t.test('an unknown address answers 404 with the not-found page', async () => {
		const res = await page.goto(`${HK_URL}no-such-screen-${Date.now()}`);
		assert.equal(res.status(), 404);
		await assertShell(page, 'en');
		assert.equal((await page.textContent('main h1')).trim(), msg('en', 'problem.not-found.title'));
		assert.equal((await page.textContent('#problem-text')).trim(), msg('en', 'problem.not-found.text'));
		const back = page.locator('main a.button.primary');
		assert.ok((await back.getAttribute('href')).endsWith('/mail-servers'));
		await shot(page, 'error-404-en');
	});

	await t.test('a POST without the CSRF token is refused with 403', async () => {
		const res = await page.request.post(`${HK_URL}logout`, {
			form: { csrf_token: 'not-the-token' },
			headers: { Accept: 'text/html' },
			maxRedirects: 0,
		});
		assert.equal(res.status(), 403);
		assert.ok((await res.text()).includes(msg('en', 'problem.forbidden.title')),
		    'the forbidden page is shown');
		// Still signed in: the refused POST did nothing.
		await page.goto(`${HK_URL}mail-servers`);
		assert.equal((await page.textContent('main h1')).trim(), msg('en', 'servers.title'));
	});

	assertClean(page);
	await context.close();
});
