// accounts.test.mjs - the mail-account screens in a real browser: adding
// (with the server pulldown in display order), a failed form, changing
// with a conflict, deleting, and the audit log - in English and Japanese.
//
// Needs HK_DIR (tests/lib/instance.sh exports it) to put mail servers in
// the database directly, so that this test does not depend on the server
// screens.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import {
	HK_URL, ADMIN_USER, ADMIN_PASS, missingEnv, launch, newPage,
	assertClean, shot, route, signIn, assertShell,
} from './helpers.mjs';

const skip = missingEnv() || (process.env.HK_DIR ? '' : 'needs HK_DIR');
const DB = `${process.env.HK_DIR}/data/hikyaku.db`;
let browser;

/* <lang>.xml merged with <lang>-accounts.xml, as the worker loads them. */
const catalogues = {};
function msg(lang, key, ...args) {
	if (!catalogues[lang]) {
		const map = new Map();
		for (const f of [`${lang}.xml`, `${lang}-accounts.xml`]) {
			const text = readFileSync(new URL(`../../../xsl/i18n/${f}`, import.meta.url), 'utf8');
			for (const m of text.matchAll(/<m k="([^"]+)">([\s\S]*?)<\/m>/g))
				map.set(m[1], m[2].replace(/&lt;/g, '<').replace(/&gt;/g, '>')
				    .replace(/&quot;/g, '"').replace(/&amp;/g, '&'));
		}
		catalogues[lang] = map;
	}
	const text = catalogues[lang].get(key);
	assert.ok(text !== undefined, `catalogue ${lang} has no key ${key}`);
	return text.replace(/\{(\d)\}/g, (_, n) => String(args[Number(n) - 1]));
}

function sql(statement) {
	return execFileSync('sqlite3', [DB, statement], { encoding: 'utf8' }).trim();
}

function addServer(name, position) {
	return sql(`INSERT INTO mail_servers (position, name, smtp_host, smtp_port,
	    smtp_security, smtp_tls_verify, smtp_auth, smtp_auth_method,
	    smtp_credentials, pop_before_smtp, pop_before_smtp_wait, send_limit,
	    recv_protocol, apop, recv_host, recv_port, recv_security,
	    recv_tls_verify, recv_limit, created_at, updated_at)
	    VALUES (${position}, '${name}', 'smtp.example.jp', 25, 'none', 1, 0,
	    'login', 'account', 0, 0, 0, 'pop3', 0, 'pop.example.jp', 110, 'none',
	    1, 0, 0, 0); SELECT last_insert_rowid();`);
}

/* The servers the pulldown offers, in order, without the placeholder. */
async function pulldown(page) {
	return page.$$eval('select#f-server_id option', (os) =>
	    os.filter((o) => o.value !== '').map((o) => o.textContent.trim()));
}

/* The servers in display order, as the database has them. */
function displayOrder() {
	return sql('SELECT name FROM mail_servers ORDER BY position, id').split('\n');
}

async function submit(page, selector = 'main form button[type="submit"]') {
	await Promise.all([
		page.waitForNavigation({ waitUntil: 'load' }),
		page.click(selector),
	]);
}

before(async () => {
	if (skip)
		return;
	browser = await launch();
	// Three servers whose display order differs from the order of their ids.
	const base = Number(sql('SELECT coalesce(max(position), 0) FROM mail_servers'));
	sql("DELETE FROM mail_accounts WHERE name LIKE 'BT account %'");
	addServer('BT 東京', base + 3);
	addServer('BT Osaka', base + 1);
	addServer('BT Nagoya', base + 2);
});
after(async () => {
	await browser?.close();
	if (skip)
		return;
	// Leave the servers as we found them, positions 1..n in their order.
	sql("DELETE FROM mail_accounts WHERE name LIKE 'BT account %'");
	sql("DELETE FROM mail_servers WHERE name LIKE 'BT %'");
	sql(`UPDATE mail_servers SET position = (SELECT count(*) FROM mail_servers s
	    WHERE s.position < mail_servers.position OR (s.position = mail_servers.position
	    AND s.id <= mail_servers.id))`);
});

for (const lang of ['en', 'ja']) {
	test(`mail accounts: add, conflict, delete (${lang})`, { skip: skip || false }, async () => {
		const { context, page } = await newPage(browser, lang === 'ja' ? 'ja-JP' : 'en-US');
		const name = `BT account ${lang}`;
		await page.goto(`${HK_URL}mail-accounts`);
		await signIn(page, ADMIN_USER, ADMIN_PASS);
		await page.goto(`${HK_URL}mail-accounts`);
		assert.equal(route(page), 'mail-accounts');
		await assertShell(page, lang);
		assert.equal((await page.textContent('main h1')).trim(), msg(lang, 'accounts.title'));
		assert.equal(await page.getAttribute('nav.sections a[aria-current="page"]', 'href'), '/mail-accounts');
		await shot(page, `accounts-list-before-${lang}`);

		// --- add: the form, the pulldown in display order
		await page.goto(`${HK_URL}mail-accounts/new`);
		assert.equal((await page.textContent('main h1')).trim(), msg(lang, 'account.new.title'));
		assert.deepEqual(await pulldown(page), displayOrder(), 'pulldown in display order');
		assert.equal((await page.textContent('select#f-server_id option[value=""]')).trim(),
		    msg(lang, 'account.server.choose'));
		for (const f of ['name', 'address', 'server_id', 'username', 'password'])
			assert.equal((await page.textContent(`label[for="f-${f}"]`)).trim()
			    .replace(msg(lang, 'form.required'), '').trim(),
			    msg(lang, `account.field.${f}.label`));
		assert.equal(await page.getAttribute('#f-password', 'type'), 'password');

		// a failed form: errors beside the fields, values kept, password not
		await page.fill('#f-name', name);
		await page.fill('#f-address', 'not an address');
		await page.fill('#f-password', 'typed-secret');
		await submit(page);
		assert.equal(route(page), 'mail-accounts');
		assert.equal((await page.textContent('#f-address-error')).trim(), msg(lang, 'error.address'));
		assert.equal((await page.textContent('#f-server_id-error')).trim(), msg(lang, 'error.server-missing'));
		assert.equal((await page.textContent('#f-username-error')).trim(), msg(lang, 'error.required'));
		assert.equal(await page.inputValue('#f-name'), name, 'entered name kept');
		assert.equal(await page.inputValue('#f-address'), 'not an address', 'entered address kept');
		assert.equal(await page.inputValue('#f-password'), '', 'password not kept');
		assert.equal(await page.getAttribute('#f-address', 'aria-invalid'), 'true');
		assert.ok((await page.content()).indexOf('typed-secret') < 0, 'password never echoed');
		await page.focus('#f-address');
		await shot(page, `account-form-errors-${lang}`);

		await page.fill('#f-address', `support-${lang}@example.co.jp`);
		await page.selectOption('#f-server_id', { label: 'BT Nagoya' });
		await page.fill('#f-username', `support-${lang}`);
		await page.fill('#f-password', 'first-secret');
		await submit(page);
		assert.equal(route(page), 'mail-accounts', 'back on the list');
		const row = page.locator('table.accounts tbody tr', { hasText: name });
		assert.equal(await row.count(), 1, 'the new account is listed');
		assert.match(await row.textContent(), /BT Nagoya/);
		assert.match(await row.textContent(), new RegExp(msg(lang, 'accounts.password.set')));
		await shot(page, `accounts-list-${lang}`);

		// --- reordering the servers reorders the pulldown
		// (ours swap their places among themselves: other servers keep theirs)
		const ours = sql("SELECT id || ' ' || position FROM mail_servers WHERE name LIKE 'BT %' ORDER BY position")
		    .split('\n').map((l) => l.split(' ').map(Number));
		const set = ours.map(([id], i) => `WHEN ${id} THEN ${ours[ours.length - 1 - i][1]}`).join(' ');
		sql(`UPDATE mail_servers SET position = CASE id ${set} END WHERE id IN (${ours.map(([id]) => id).join(',')})`);
		await row.locator('a', { hasText: msg(lang, 'action.change') }).click();
		await page.waitForLoadState('load');
		assert.match(route(page), /^mail-accounts\/\d+\/edit$/);
		assert.deepEqual(await pulldown(page), displayOrder(), 'new display order');
		assert.equal(await page.$eval('#f-server_id', (s) => s.selectedOptions[0].textContent.trim()), 'BT Nagoya');
		assert.match(await page.textContent('#f-password-help'), new RegExp(msg(lang, 'account.password-set')));

		// --- a conflict: someone else saves first
		const { context: ctx2, page: other } = await newPage(browser, 'en-US');
		await other.goto(`${page.url()}`);
		await signIn(other, ADMIN_USER, ADMIN_PASS);
		await other.goto(page.url());
		await other.fill('#f-username', `changed-elsewhere-${lang}`);
		await submit(other);
		assert.equal(route(other), 'mail-accounts');
		await ctx2.close();

		await page.fill('#f-address', `desk-${lang}@example.co.jp`);
		await page.selectOption('#f-server_id', { label: 'BT 東京' });
		await submit(page);
		const conflict = page.locator('section.conflict');
		assert.equal(await conflict.count(), 1, 'the conflict is shown');
		assert.equal((await page.textContent('.alert-error p')).trim(), msg(lang, 'error.account-stale'));
		const diff = await page.$$eval('table.compare tr.differs', (trs) =>
		    trs.map((tr) => [...tr.children].map((c) => c.textContent.trim())));
		assert.deepEqual(diff, [
			[msg(lang, 'account.field.address.label'), `support-${lang}@example.co.jp`, `desk-${lang}@example.co.jp`],
			[msg(lang, 'account.field.server_id.label'), 'BT Nagoya', 'BT 東京'],
			[msg(lang, 'account.field.username.label'), `changed-elsewhere-${lang}`, `support-${lang}`],
		]);
		assert.equal(await page.inputValue('#f-address'), `desk-${lang}@example.co.jp`, 'entered values kept');
		await shot(page, `account-conflict-${lang}`);
		// saving again is a deliberate overwrite
		await submit(page);
		assert.equal(route(page), 'mail-accounts');
		assert.match(await row.textContent(), /BT 東京/);

		// --- delete, after a confirmation
		await row.locator('a', { hasText: msg(lang, 'action.delete') }).click();
		await page.waitForLoadState('load');
		assert.match(route(page), /^mail-accounts\/\d+\/delete$/);
		assert.equal((await page.textContent('main h1')).trim(), msg(lang, 'account.delete.title'));
		assert.equal((await page.textContent('#confirm-text')).trim(), msg(lang, 'account.delete.confirm', name));
		await shot(page, `account-delete-${lang}`);
		await submit(page, 'main form button.danger');
		assert.equal(route(page), 'mail-accounts');
		assert.equal(await page.locator('table.accounts tbody tr', { hasText: name }).count(), 0, 'deleted');

		// --- the audit log shows what happened, newest first
		await page.goto(`${HK_URL}audit`);
		assert.equal((await page.textContent('main h1')).trim(), msg(lang, 'audit.title'));
		const mine = await page.$$eval('table.audit tbody tr', (trs, n) => trs
		    .filter((tr) => tr.textContent.includes(n))
		    .map((tr) => tr.children[2].textContent.trim()), name);
		assert.deepEqual(mine.slice(0, 4), ['delete', 'update', 'update', 'create']
		    .map((a) => msg(lang, `audit.action.${a}`)));
		assert.ok((await page.content()).indexOf('first-secret') < 0, 'no password in the log');
		await shot(page, `audit-${lang}`);
		assertClean(page);
		await context.close();
	});
}
