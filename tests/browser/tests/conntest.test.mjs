// conntest.test.mjs - the connection test started from the add form, with
// conntest.js (progress, then the result replaces the page's <main>) and
// without script (a plain POST to the test route).  The servers point at
// closed loopback ports, so the stages must end at "connect", refused.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import {
	HK_URL, ADMIN_USER, ADMIN_PASS, missingEnv, launch, newPage,
	assertClean, shot, route, signIn, msg,
} from './helpers.mjs';

const skip = missingEnv();
let browser;
before(async () => { if (!skip) browser = await launch(); });
after(async () => { await browser?.close(); });

/* A loopback port that nothing listens on (bound, then released). */
function closedPort() {
	return new Promise((resolve) => {
		const s = net.createServer().listen(0, '127.0.0.1', () => {
			const { port } = s.address();
			s.close(() => resolve(port));
		});
	});
}

async function fillUnsaved(page, port) {
	await page.goto(`${HK_URL}mail-servers/new`);
	await page.fill('#f-name', `Unsaved ${Date.now()}`);
	await page.fill('#f-smtp_host', '127.0.0.1');
	await page.fill('#f-smtp_port', String(port));
	await page.fill('#f-recv_host', '127.0.0.1');
	await page.fill('#f-recv_port', String(port));
	await page.fill('#f-test_user', 'someone');
	await page.fill('#f-test_password', 'not-a-real-password');
}

for (const script of [true, false]) {
	test(`the add form's connection test (${script ? 'with' : 'without'} script)`,
	    { skip: skip || false }, async () => {
		const { context, page } = await newPage(browser, 'en-US');
		if (!script)
			await context.route('**/static/conntest.js', (r) => r.abort());
		await page.goto(`${HK_URL}login`);
		await signIn(page, ADMIN_USER, ADMIN_PASS);
		const port = await closedPort();
		await fillUnsaved(page, port);
		const before = route(page);
		await page.click('button[data-conntest]');
		// Both ways end on the result; with script the URL stays put.
		await page.waitForSelector(`text=${msg('en', 'conntest.failed')}`, { timeout: 30000 });
		if (script)
			assert.equal(route(page), before, 'the script kept the page and swapped <main>');
		else
			assert.equal(route(page), 'mail-servers/test', 'a plain POST to the test route');
		const text = await page.textContent('main');
		assert.ok(text.includes(msg('en', 'conntest.stage.resolve')), 'the resolve stage is shown');
		assert.ok(text.includes(msg('en', 'conntest.stage.connect')), 'the connect stage is shown');
		assert.ok(!text.includes('not-a-real-password'), 'the password is never echoed');
		await shot(page, `conntest-${script ? 'script' : 'plain'}`);
		assertClean(page);
		// Nothing was saved by testing an unsaved form.
		await page.goto(`${HK_URL}mail-servers?format=xml`);
		assert.ok(!(await page.content()).includes('Unsaved '), 'testing does not save');
		await context.close();
	});
}
