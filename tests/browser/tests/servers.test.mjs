// servers.test.mjs - the mail-server screens in Chromium: add (with the
// script's field logic), a failed POST, change with a conflict, reorder
// (with and without script), delete with replacement; English and Japanese.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import {
	HK_URL, ADMIN_USER, ADMIN_PASS, missingEnv, launch, newPage,
	assertClean, shot, route, signIn, assertShell,
} from './helpers.mjs';

const skip = missingEnv();
const run = Date.now().toString(36).slice(-5);
let browser;

// Messages from <lang>.xml and every <lang>-<area>.xml (helpers.mjs reads
// only <lang>.xml).
const cats = {};
function t(lang, key, ...args) {
	if (!cats[lang]) {
		const dir = new URL('../../../xsl/i18n/', import.meta.url);
		const map = new Map();
		for (const f of readdirSync(dir).filter((f) => f === `${lang}.xml` ||
		    (f.startsWith(`${lang}-`) && f.endsWith('.xml')))) {
			const text = readFileSync(new URL(f, dir), 'utf8');
			for (const m of text.matchAll(/<m k="([^"]+)">([\s\S]*?)<\/m>/g))
				map.set(m[1], m[2].replace(/&lt;/g, '<').replace(/&gt;/g, '>')
				    .replace(/&quot;/g, '"').replace(/&amp;/g, '&'));
		}
		cats[lang] = map;
	}
	const text = cats[lang].get(key);
	assert.ok(text !== undefined, `catalogue ${lang} has no key ${key}`);
	return text.replace(/\{(\d)\}/g, (_, n) => String(args[Number(n) - 1]));
}

// The instance database, for the accounts another screen would create.
function sql(statement) {
	const db = process.env.HK_DIR ? `${process.env.HK_DIR}/data/hikyaku.db` : '';
	return execFileSync('sqlite3', ['-cmd', '.timeout 5000', db, statement]).toString().trim();
}

before(async () => {
	if (!skip)
		browser = await launch();
});
after(async () => {
	await browser?.close();
});

async function go(page, action) {
	await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), action()]);
}

async function fillServer(page, name, { smtp = 'smtp.example.co.jp', recv = 'pop.example.co.jp' } = {}) {
	await page.fill('#f-name', name);
	await page.fill('#f-smtp_host', smtp);
	await page.fill('#f-recv_host', recv);
}

async function rowNames(page) {
	return page.$$eval('table.servers tbody th.col-name', (ths) => ths.map((th) => th.textContent.trim()));
}

test('mail servers in English: add, change with a conflict, order, delete', { skip: skip || false }, async (tt) => {
	const { context, page } = await newPage(browser, 'en-US');
	await page.goto(`${HK_URL}login`);
	await signIn(page, ADMIN_USER, ADMIN_PASS);
	const main = `Head office ${run}`, branch = `Branch ${run}`;

	await tt.test('the add form shows defaults, help and only what applies', async () => {
		await page.goto(`${HK_URL}mail-servers/new`);
		await assertShell(page, 'en');
		assert.equal((await page.textContent('main h1')).trim(), t('en', 'server.new.title'));
		// The seed's three groups and OAuth 2.0, then the connection test of the form.
		assert.deepEqual(await page.$$eval('fieldset.group:not(.conntest-group) > legend', (ls) => ls.map((l) => l.textContent.trim())),
		    ['server.section.name', 'server.section.send', 'server.section.receive', 'server.section.oauth2'].map((k) => t('en', k)));
		assert.equal((await page.textContent('fieldset.conntest-group > legend')).trim(), t('en', 'conntest.cred.title'));
		assert.equal(await page.inputValue('#f-smtp_port'), '25');
		assert.equal(await page.inputValue('#f-recv_port'), '110');
		assert.equal(await page.isChecked('#f-smtp_tls_verify'), true);
		assert.equal(await page.isChecked('#f-recv_protocol-pop3'), true);
		assert.equal((await page.textContent('#f-smtp_host-help')).trim(), t('en', 'server.field.smtp_host.help'));
		// SMTP-AUTH details appear only when SMTP-AUTH is on.
		assert.equal(await page.isVisible('#f-smtp_auth_method'), false);
		await page.check('#f-smtp_auth');
		assert.equal(await page.isVisible('#f-smtp_auth_method'), true);
		const methods = await page.$$eval('#f-smtp_auth_method option', (os) => os.map((o) => o.value));
		for (const m of ['login', 'plain', 'cram-md5'])
			assert.ok(methods.includes(m), `method ${m} offered`);
		assert.ok(!methods.includes('apop'), 'APOP is not an SMTP-AUTH method');
		// Fixed credentials appear only with "fixed".
		assert.equal(await page.isVisible('#f-smtp_user'), false);
		await page.check('#f-smtp_credentials-fixed');
		assert.equal(await page.isVisible('#f-smtp_user'), true);
		// The wait appears with POP before SMTP.
		assert.equal(await page.isVisible('#f-pop_before_smtp_wait'), false);
		await page.check('#f-pop_before_smtp');
		assert.equal(await page.isVisible('#f-pop_before_smtp_wait'), true);
		await page.uncheck('#f-pop_before_smtp');
		// Ports follow security and protocol until one is typed.
		await page.selectOption('#f-smtp_security', 'starttls');
		assert.equal(await page.inputValue('#f-smtp_port'), '587');
		await page.selectOption('#f-smtp_security', 'tls');
		assert.equal(await page.inputValue('#f-smtp_port'), '465');
		await page.check('#f-recv_protocol-imap4');
		assert.equal(await page.inputValue('#f-recv_port'), '143');
		assert.equal(await page.isVisible('#f-apop'), false, 'APOP only with POP3');
		assert.equal(await page.isVisible('#f-pop_before_smtp'), false, 'POP before SMTP only with POP3');
		await page.selectOption('#f-recv_security', 'tls');
		assert.equal(await page.inputValue('#f-recv_port'), '993');
		await page.check('#f-recv_protocol-pop3');
		assert.equal(await page.inputValue('#f-recv_port'), '995');
		assert.equal(await page.isVisible('#f-apop'), true);
		await page.fill('#f-smtp_port', '2525');
		await page.selectOption('#f-smtp_security', 'starttls');
		assert.equal(await page.inputValue('#f-smtp_port'), '2525', 'a typed port stays');
		await shot(page, 'server-add-en');
	});

	await tt.test('a failed add keeps the values and shows each error beside its field', async () => {
		await fillServer(page, main, { recv: 'pop_bad.example' });
		await page.fill('#f-smtp_user', 'relay');
		await page.fill('#f-smtp_password', 'browser-secret-1');
		await page.fill('#f-smtp_port', '70000');
		await go(page, () => page.click('.form-actions button[type="submit"]'));
		assert.equal(route(page), 'mail-servers');
		assert.equal(await page.inputValue('#f-name'), main);
		assert.equal(await page.inputValue('#f-smtp_port'), '70000');
		assert.equal(await page.inputValue('#f-smtp_password'), '', 'the password is not sent back');
		assert.equal((await page.textContent('#f-smtp_port-error')).trim(), t('en', 'error.port'));
		assert.equal((await page.textContent('#f-recv_host-error')).trim(), t('en', 'error.host'));
		assert.equal(await page.getAttribute('#f-smtp_port', 'aria-invalid'), 'true');
		assert.equal(await page.isVisible('#f-smtp_user'), true, 'the fixed credentials stay shown');
		await shot(page, 'server-add-errors-en');
		await page.fill('#f-smtp_port', '587');
		await page.fill('#f-recv_host', 'メール.例え.jp');
		await page.fill('#f-smtp_password', 'browser-secret-1');
		await go(page, () => page.click('.form-actions button[type="submit"]'));
		assert.equal(route(page), 'mail-servers');
		assert.ok((await rowNames(page)).includes(main));
		assert.ok((await page.content()).includes('メール.<wbr>'), 'the IDN host is shown in Unicode');
	});

	await tt.test('a second server from the empty-state-free list', async () => {
		await go(page, () => page.click('.page-actions a[href$="mail-servers/new"]'));
		await fillServer(page, branch, { smtp: '192.0.2.25', recv: '[2001:db8::25]' });
		await go(page, () => page.click('.form-actions button[type="submit"]'));
		assert.equal(route(page), 'mail-servers');
		await shot(page, 'servers-list-en');
	});

	await tt.test('a change that someone else overtook answers with both values', async () => {
		const row = page.locator('table.servers tbody tr', { hasText: main });
		await go(page, () => row.locator('a', { hasText: t('en', 'action.change') }).click());
		assert.equal((await page.textContent('main h1')).trim(), t('en', 'server.edit.title'));
		assert.equal(await page.inputValue('#f-recv_host'), 'メール.例え.jp', 'shown as entered');
		assert.match(await page.textContent('#f-smtp_password-help'), new RegExp(t('en', 'server.password.stored')));
		// Another administrator saves first, from another browser.
		const other = await newPage(browser, 'en-US');
		await other.page.goto(page.url());
		await signIn(other.page, ADMIN_USER, ADMIN_PASS);
		await other.page.goto(page.url());
		await other.page.fill('#f-smtp_port', '2587');
		await go(other.page, () => other.page.click('.form-actions button[type="submit"]'));
		assert.equal(route(other.page), 'mail-servers');
		await other.context.close();
		// Our save is refused with 409; nothing of ours was written.
		await page.fill('#f-smtp_port', '1587');
		const [res] = await Promise.all([
			page.waitForNavigation({ waitUntil: 'load' }),
			page.click('.form-actions button[type="submit"]'),
		]);
		assert.equal(res.status(), 409);
		assert.equal((await page.textContent('.conflict .alert-title')).trim(), t('en', 'server.conflict.title'));
		assert.equal(await page.inputValue('#f-smtp_port'), '1587', 'our value is kept');
		assert.match(await page.textContent('#f-smtp_port-current'), /2587/, 'the stored value is shown');
		await shot(page, 'server-conflict-en');
		// Saving again deliberately overwrites.
		await go(page, () => page.click('.form-actions button[type="submit"]'));
		assert.equal(route(page), 'mail-servers');
		const text = await page.textContent('table.servers');
		assert.match(text, /1587/);
	});

	await tt.test('reorder with the buttons (script) and save', async () => {
		// Other test files add and reorder servers at the same time, so
		// this swaps only our two servers, and tries again when another
		// server appeared between showing the order and saving it (422).
		let wasBefore;
		for (let attempt = 0; attempt < 4; attempt++) {
			await page.goto(`${HK_URL}mail-servers/order`);
			assert.equal((await page.textContent('main h1')).trim(), t('en', 'server.order.title'));
			const names = async () => page.$$eval('.order-item .order-name strong', (s) => s.map((x) => x.textContent));
			let now = await names();
			wasBefore = now.indexOf(branch) < now.indexOf(main);
			const dir = wasBefore ? 'down' : 'up';
			const item = page.locator('.order-item', { hasText: branch });
			let first = true;
			while ((now.indexOf(branch) < now.indexOf(main)) === wasBefore) {
				const from = now.indexOf(branch);
				await item.locator(`button.move-${dir}`).click();
				assert.equal(route(page), 'mail-servers/order', 'moved in place, no reload');
				now = await names();
				assert.equal(now.indexOf(branch), dir === 'up' ? from - 1 : from + 1);
				if (first) {
					assert.equal((await page.textContent('#order-status')).trim(),
					    `${t('en', 'server.order.moved', branch, now.indexOf(branch) + 1)} ${t('en', 'server.order.unsaved')}`);
					await shot(page, 'servers-order-en');
					first = false;
				}
			}
			await go(page, () => page.click('#order-form button[type="submit"]'));
			if (route(page) === 'mail-servers')
				break;
		}
		assert.equal(route(page), 'mail-servers', 'the order was saved');
		const names = await rowNames(page);
		assert.equal(names.indexOf(branch) < names.indexOf(main), !wasBefore,
		    'the list follows the saved order');
	});

	await tt.test('delete with replacement moves the accounts', { skip: process.env.HK_DIR ? false : 'needs HK_DIR' }, async () => {
		const id = sql(`SELECT id FROM mail_servers WHERE name = '${main}'`);
		const other = sql(`SELECT id FROM mail_servers WHERE name = '${branch}'`);
		const now = Math.floor(Date.now() / 1000);
		sql(`INSERT INTO mail_accounts (name, address, server_id, username, password, created_at, updated_at)
		    VALUES ('Support ${run}', 'support@example.jp', ${id}, 'support', x'00', ${now}, ${now}),
		    ('Sales ${run}', 'sales@example.jp', ${id}, 'sales', x'00', ${now}, ${now})`);
		await page.goto(`${HK_URL}mail-servers`);
		const row = page.locator('table.servers tbody tr', { hasText: main });
		await go(page, () => row.locator('a.danger').click());
		assert.equal((await page.textContent('main h1')).trim(), t('en', 'server.delete.title'));
		assert.match(await page.textContent('.in-use'), new RegExp(`Sales ${run}`));
		const opts = await page.$$eval('#f-replace_with option', (os) => os.map((o) => o.textContent.trim()));
		assert.ok(!opts.includes(main), 'not offered as its own replacement');
		assert.ok(opts.includes(branch));
		await shot(page, 'server-delete-en');
		// Without a choice the browser's own check stops the form; a
		// request without replace_with answers 409 naming the accounts.
		const res = await page.request.post(`${HK_URL}mail-servers/${id}/delete`, {
			form: { csrf_token: await page.getAttribute('input[name="csrf_token"]', 'value') },
			maxRedirects: 0,
		});
		assert.equal(res.status(), 409);
		assert.match(await res.text(), new RegExp(`Sales ${run}, Support ${run}`));
		await page.selectOption('#f-replace_with', other);
		await go(page, () => page.click('.delete-form button[type="submit"]'));
		assert.equal(route(page), 'mail-servers');
		assert.ok(!(await rowNames(page)).includes(main));
		assert.equal(sql(`SELECT count(*) FROM mail_accounts WHERE server_id = ${other} AND name LIKE '% ${run}'`), '2');
	});

	assertClean(page);
	await context.close();
});

test('reordering works without script', { skip: skip || false }, async () => {
	const context = await browser.newContext({ locale: 'en-US', javaScriptEnabled: false,
	    viewport: { width: 1280, height: 800 } });
	const page = await context.newPage();
	await page.goto(`${HK_URL}login`);
	await signIn(page, ADMIN_USER, ADMIN_PASS);
	// Add two servers through the form, which works without script too:
	// every field is visible.
	for (const n of [`No script A ${run}`, `No script B ${run}`]) {
		await page.goto(`${HK_URL}mail-servers/new`);
		for (const id of ['#f-smtp_auth_method', '#f-smtp_user', '#f-apop', '#f-pop_before_smtp_wait'])
			assert.equal(await page.isVisible(id), true, `${id} visible without script`);
		await fillServer(page, n);
		if (n.endsWith(`A ${run}`))
			await shot(page, 'server-add-noscript-en');
		await go(page, () => page.click('.form-actions button[type="submit"]'));
		assert.equal(route(page), 'mail-servers');
	}
	// Move A past B with the GET forms, then save; other test files change
	// servers meanwhile, so only A and B are compared, and a save that
	// raced with another server's arrival (422) is tried again.
	const na = `No script A ${run}`, nb = `No script B ${run}`;
	const names = async () => page.$$eval('.order-item .order-name strong', (s) => s.map((x) => x.textContent));
	for (let attempt = 0; attempt < 4; attempt++) {
		await page.goto(`${HK_URL}mail-servers/order`);
		let now = await names();
		assert.ok(now.indexOf(na) < now.indexOf(nb), 'A starts before B');
		let first = true;
		while (now.indexOf(na) < now.indexOf(nb)) {
			const from = now.indexOf(na);
			await go(page, () => page.locator('.order-item', { hasText: na }).locator('button.move-down').click());
			now = await names();
			assert.equal(now.indexOf(na), from + 1, 'each move is one place');
			assert.equal((await page.textContent('#order-status')).trim(), t('en', 'server.order.unsaved'));
			if (first)
				await shot(page, 'servers-order-noscript-en');
			first = false;
		}
		await go(page, () => page.click('#order-form button[type="submit"]'));
		if (route(page) === 'mail-servers')
			break;
	}
	assert.equal(route(page), 'mail-servers', 'the order was saved');
	const list = await page.$$eval('table.servers tbody th.col-name', (s) => s.map((x) => x.textContent.trim()));
	assert.ok(list.indexOf(nb) < list.indexOf(na), 'the list follows the new order');
	for (const n of [na, nb]) {
		await page.goto(`${HK_URL}mail-servers`);
		await go(page, () => page.locator('table.servers tbody tr', { hasText: n }).locator('a.danger').click());
		await go(page, () => page.click('.delete-form button[type="submit"]'));
	}
	await context.close();
});

test('mail servers in Japanese', { skip: skip || false }, async (tt) => {
	const { context, page } = await newPage(browser, 'ja-JP');
	await page.goto(`${HK_URL}login`);
	await signIn(page, ADMIN_USER, ADMIN_PASS);
	const name = `大阪支社 ${run}`;

	await tt.test('the add form in Japanese, with a Japanese error', async () => {
		await page.goto(`${HK_URL}mail-servers/new`);
		await assertShell(page, 'ja');
		assert.equal((await page.textContent('main h1')).trim(), 'メールサーバーの追加');
		assert.equal((await page.textContent('label[for="f-smtp_port"]')).trim().replace(/必須$/, ''), t('ja', 'server.field.smtp_port.label'));
		await page.fill('#f-name', name);
		await page.fill('#f-smtp_host', 'smtp.example.co.jp');
		await page.fill('#f-recv_host', '');
		await go(page, () => page.evaluate(() => {
			document.getElementById('f-recv_host').removeAttribute('required');
			document.querySelector('.form-actions button[type="submit"]').click();
		}));
		assert.equal((await page.textContent('#f-recv_host-error')).trim(), t('ja', 'error.required'));
		await shot(page, 'server-add-errors-ja');
		await page.fill('#f-recv_host', 'pop.example.co.jp');
		await page.check('#f-smtp_auth');
		await shot(page, 'server-add-ja');
		await go(page, () => page.click('.form-actions button[type="submit"]'));
		assert.equal(route(page), 'mail-servers');
		assert.ok((await rowNames(page)).includes(name));
		await shot(page, 'servers-list-ja');
	});

	await tt.test('the order and delete screens in Japanese', async () => {
		await page.goto(`${HK_URL}mail-servers/order`);
		assert.equal((await page.textContent('main h1')).trim(), 'メールサーバーの順番変更');
		await shot(page, 'servers-order-ja');
		const row = page.locator('table.servers tbody tr', { hasText: name });
		await page.goto(`${HK_URL}mail-servers`);
		await go(page, () => row.locator('a.danger').click());
		assert.equal((await page.textContent('main h1')).trim(), 'メールサーバーの削除');
		assert.equal((await page.textContent('.delete-question')).trim(), t('ja', 'server.delete.confirm', name));
		await shot(page, 'server-delete-ja');
		await go(page, () => page.click('.delete-form button[type="submit"]'));
		assert.ok(!(await rowNames(page)).includes(name));
	});

	assertClean(page);
	await context.close();
});
