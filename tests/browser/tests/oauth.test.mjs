// oauth.test.mjs - connecting a mail account to its OAuth 2.0 provider in a
// real browser, in English and Japanese: Connect on the account screen,
// sign in on the test authorization server's form (tests/peers/idp), back
// on the account screen showing Connected, then Disconnect.
//
// Needs what tests/run's browser step sets up: the IdP (IDP_AUTH_URL,
// IDP_TOKEN_URL, IDP_SCOPE, IDP_PUBLIC_ID), an instance whose public_url
// is its own URL and whose ca_file trusts the IdP, and HK_PREFIX +
// HK_CONFIG to add the server and account with hikyakuctl.  The IdP's
// sign-in page links a web font that an offline machine cannot load:
// harmless, and its pages are not checked for console errors.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import {
	HK_URL, ADMIN_USER, ADMIN_PASS, missingEnv, launch, assertClean, shot,
	route, signIn, msg,
} from './helpers.mjs';

const env = process.env;
const skip = missingEnv() ||
    (env.IDP_AUTH_URL && env.HK_PREFIX && env.HK_CONFIG ? '' :
    'needs the test IdP (IDP_AUTH_URL, run by tests/run) and HK_PREFIX, HK_CONFIG');
const SERVER = 'BT OAuth server';
let browser;

function ctl(args, input) {
	return execFileSync(`${env.HK_PREFIX}/bin/hikyakuctl`,
	    ['--config', env.HK_CONFIG, ...args],
	    { encoding: 'utf8', input: input ?? '', env: { ...env, LANG: 'C', LC_ALL: 'C' } });
}

before(async () => {
	if (skip)
		return;
	ctl(['servers', 'add', '--set', `name=${SERVER}`,
	    '--set', 'smtp_host=smtp.example.test', '--set', 'recv_host=imap.example.test',
	    '--set', 'oauth2_provider=custom', '--set', `oauth2_client_id=${env.IDP_PUBLIC_ID}`,
	    '--set', `oauth2_auth_url=${env.IDP_AUTH_URL}`,
	    '--set', `oauth2_token_url=${env.IDP_TOKEN_URL}`,
	    '--set', `oauth2_scope=${env.IDP_SCOPE}`]);
	for (const lang of ['en', 'ja'])
		ctl(['accounts', 'add', '--set', `name=BT oauth ${lang}`,
		    '--set', `address=oauth-${lang}@example.test`,
		    '--set', `server_id=${SERVER}`, '--set', `username=user-${lang}`],
		    'Acct-pw-1\n');
	browser = await launch();
});

after(async () => {
	if (browser)
		await browser.close();
	if (skip)
		return;
	for (const lang of ['en', 'ja'])
		ctl(['accounts', 'delete', `BT oauth ${lang}`]);
	ctl(['servers', 'delete', SERVER]);
});

/* A page that records page errors and CSP reports of hikyaku's own pages;
 * the IdP's certificate is from the test CA, which Chromium does not know
 * (hikyaku itself trusts it through ca_file). */
async function oauthPage(locale) {
	const context = await browser.newContext({
		locale, ignoreHTTPSErrors: true, viewport: { width: 1280, height: 800 },
	});
	const page = await context.newPage();
	page.setDefaultTimeout(20000);
	page.hkProblems = [];
	const ours = () => page.url().startsWith(HK_URL);
	page.on('console', (m) => {
		if (ours() && /Content.Security.Policy/i.test(m.text()))
			page.hkProblems.push(`console: ${m.text()}`);
	});
	page.on('pageerror', (e) => {
		if (ours())
			page.hkProblems.push(`page error: ${e.message}`);
	});
	return { context, page };
}

for (const [lang, locale] of [['en', 'en-US'], ['ja', 'ja-JP']]) {
	test(`OAuth 2.0: connect and disconnect an account (${lang})`, { skip: skip || false }, async (t) => {
		const { context, page } = await oauthPage(locale);
		const name = `BT oauth ${lang}`;
		const callbacks = [];
		page.on('response', (r) => {
			if (r.url().includes('/oauth2/callback'))
				callbacks.push(`${r.status()}${r.url().includes('resumed=1') ? ' (resumed)' : ''}`);
		});

		await page.goto(`${HK_URL}login`);
		await signIn(page, ADMIN_USER, ADMIN_PASS);
		await page.goto(`${HK_URL}mail-accounts`);
		await Promise.all([
			page.waitForNavigation({ waitUntil: 'load' }),
			page.click(`table.accounts tbody tr:has-text("${name}") a[href$="/edit"]`),
		]);
		assert.match(route(page), /^mail-accounts\/\d+\/edit$/);
		const edit = route(page);
		const section = page.locator('#group-oauth2');
		assert.equal((await section.locator('h2').textContent()).trim(),
		    msg(lang, 'account.oauth2.title'));
		assert.equal((await section.locator('.oauth2-status').textContent()).trim(),
		    msg(lang, 'account.oauth2.not-connected'));
		const connect = section.locator('form.oauth2-connect button');
		assert.equal((await connect.textContent()).trim(), msg(lang, 'account.oauth2.connect'));
		assert.equal(await section.locator('form.oauth2-disconnect').count(), 0);
		await shot(page, `oauth-before-${lang}`);

		// Off to the provider: its sign-in form.
		await Promise.all([
			page.waitForURL((u) => u.href.startsWith(env.IDP_AUTH_URL.replace(/\/auth$/, '/')),
			    { waitUntil: 'domcontentloaded' }),
			connect.click(),
		]);
		await page.waitForSelector('input[name="login"]');
		await page.fill('input[name="login"]', `user-${lang}`);
		await page.fill('input[name="password"]', 'anything');
		// Back to hikyaku (through its resume page when the cookie stayed
		// behind), which lands on the account screen.
		await Promise.all([
			page.waitForURL(`${HK_URL}${edit}`, { waitUntil: 'load', timeout: 30000 }),
			page.click('button[type="submit"]'),
		]);
		// Whether the browser came back with its cookie or needed the
		// resume page (SameSite=Strict) depends on the browser's view of
		// the two sites; both must end here.
		t.diagnostic(`callback answers: ${callbacks.join(', ')}`);
		assert.equal(callbacks.at(-1), '303' + (callbacks.length > 1 ? ' (resumed)' : ''));
		assert.equal((await section.locator('.oauth2-status').textContent()).trim(),
		    msg(lang, 'account.oauth2.connected'));
		assert.match(await section.locator('.oauth2-expires').textContent(),
		    new RegExp(msg(lang, 'account.oauth2.expires', '\\d{4}-\\d\\d-\\d\\dT[\\d:]{8}Z')
		    .replace(/[()]/g, '\\$&')));
		assert.match(await section.locator('.oauth2-scope').textContent(), /mail/);
		assert.equal((await section.locator('form.oauth2-connect button').textContent()).trim(),
		    msg(lang, 'account.oauth2.reconnect'));
		await shot(page, `oauth-connected-${lang}`);

		// The list says so too.
		await page.goto(`${HK_URL}mail-accounts`);
		assert.equal(route(page), 'mail-accounts');
		await page.goto(`${HK_URL}${edit}`);

		await Promise.all([
			page.waitForNavigation({ waitUntil: 'load' }),
			section.locator('form.oauth2-disconnect button').click(),
		]);
		assert.equal(route(page), edit);
		assert.equal((await section.locator('.oauth2-status').textContent()).trim(),
		    msg(lang, 'account.oauth2.not-connected'));
		assert.equal(await section.locator('form.oauth2-disconnect').count(), 0);
		assertClean(page);
		await context.close();
	});
}
