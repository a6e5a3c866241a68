// catalogue.test.mjs - the message catalogues agree with each other and
// with the stylesheets.  Needs no running instance.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';

const xslDir = new URL('../../../xsl/', import.meta.url);

// A language's catalogue is i18n/<lang>.xml plus every i18n/<lang>-<area>.xml
// (each area keeps its own file), merged as the worker merges them: a key
// defined twice, in one file or across files, is an error.
function load(lang) {
	const files = [`${lang}.xml`, ...readdirSync(new URL('i18n/', xslDir))
	    .filter((f) => f.startsWith(`${lang}-`) && f.endsWith('.xml')).sort()];
	const map = new Map();
	for (const f of files) {
		const text = readFileSync(new URL(`i18n/${f}`, xslDir), 'utf8');
		assert.match(text, new RegExp(`<messages lang="${lang}">`), `${f}: lang="${lang}"`);
		const keys = [...text.matchAll(/<m k="([^"]+)">([\s\S]*?)<\/m>/g)];
		for (const [, k, v] of keys) {
			assert.ok(!map.has(k), `${lang}: key ${k} defined twice (${f})`);
			map.set(k, v);
		}
		// Every <m> was matched (none malformed or nested).
		assert.equal(keys.length, (text.match(/<m /g) || []).length, `${f}: every <m> is k="…">text</m>`);
	}
	return map;
}

const en = load('en');
const ja = load('ja');

test('both languages have the same keys', () => {
	assert.deepEqual([...ja.keys()].filter((k) => !en.has(k)), [], 'keys only in ja');
	assert.deepEqual([...en.keys()].filter((k) => !ja.has(k)), [], 'keys only in en');
});

test('placeholders match between the languages', () => {
	const ph = (s) => [...new Set(s.match(/\{\d\}/g) || [])].sort();
	for (const [k, v] of en)
		assert.deepEqual(ph(ja.get(k)), ph(v), `placeholders of ${k}`);
});

test('no message is empty and none is left untranslated by accident', () => {
	for (const [lang, map] of [['en', en], ['ja', ja]])
		for (const [k, v] of map)
			assert.ok(v.trim() !== '', `${lang}: ${k} is empty`);
	// Japanese texts that are full sentences contain Japanese.
	for (const k of ['login.title', 'servers.title', 'servers.empty.text',
	    'error.login.failed', 'error.login.throttled', 'error.csrf'])
		assert.match(ja.get(k), /[\u3040-\u30ff\u4e00-\u9fff]/, `ja: ${k} is Japanese`);
});

test('every key a stylesheet names exists', () => {
	const missing = [];
	for (const f of readdirSync(xslDir).filter((f) => f.endsWith('.xsl'))) {
		const text = readFileSync(new URL(f, xslDir), 'utf8');
		for (const [, k] of text.matchAll(/hk:msg\('([^']+)'/g))
			if (!en.has(k))
				missing.push(`${f}: ${k}`);
	}
	assert.deepEqual(missing, []);
});

test('the keys the C core and the screens build at run time exist', () => {
	const need = ['error.login.failed', 'error.login.throttled', 'error.csrf'];
	for (const code of ['bad-request', 'forbidden', 'not-found', 'method-not-allowed',
	    'conflict', 'too-large', 'unavailable', 'internal', 'unauthorized',
	    'unsupported-media-type'])
		need.push(`problem.${code}.title`, `problem.${code}.text`);
	for (const s of ['mail-servers', 'mail-accounts', 'oversized', 'audit'])
		need.push(`nav.${s}`);
	for (const s of ['none', 'starttls', 'tls'])
		need.push(`security.${s}`);
	need.push('protocol.pop3', 'protocol.imap4', 'layout.language.en', 'layout.language.ja');
	// The errors src/lib-model/servers.c and src/ui/ui_servers.c report.
	for (const e of ['required', 'too-long', 'name-taken', 'host', 'port', 'choice', 'range',
	    'auth-method', 'pop3-only', 'encoding', 'order', 'stale', 'in-use', 'server-missing'])
		need.push(`error.${e}`);
	for (const f of ['name', 'smtp_host', 'smtp_port', 'smtp_security', 'smtp_tls_verify',
	    'smtp_auth', 'smtp_auth_method', 'smtp_credentials', 'smtp_user', 'smtp_password',
	    'pop_before_smtp', 'pop_before_smtp_wait', 'send_limit', 'recv_protocol', 'apop',
	    'recv_host', 'recv_port', 'recv_security', 'recv_tls_verify', 'recv_limit'])
		need.push(`server.field.${f}.label`, `server.field.${f}.help`);
	for (const f of ['name', 'address', 'server_id', 'username', 'password'])
		need.push(`account.field.${f}.label`, `account.field.${f}.help`);
	assert.deepEqual(need.filter((k) => !en.has(k)), []);
	assert.equal(en.get('error.login.failed'), 'The user name or password is incorrect.');
	assert.equal(en.get('error.login.throttled'), 'Too many failed sign-ins. Try again in {1} seconds.');
});
