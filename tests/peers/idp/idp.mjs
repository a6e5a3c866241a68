// tests/peers/idp/idp.mjs - a real OAuth 2.0 authorization server
// (oidc-provider) over HTTPS on 127.0.0.1 for hikyaku's tests.
//
//   node idp.mjs DIR
//
// DIR holds the instance: tls/ (a test CA and a server certificate for
// IP:127.0.0.1, made with openssl unless present), idp.env (KEY=VALUE
// lines, written once the server listens), idp.pid, log/idp.log.
// Environment:
//   IDP_PORT           port on 127.0.0.1 (default 0: a free one)
//   IDP_REDIRECT_URIS  space-separated redirect URIs of the clients
//                      (default http://127.0.0.1/oauth2/callback)
//   IDP_AT_TTL         access token lifetime in seconds (default 3600)
//   IDP_SHORT_AT_TTL   the same for the client hikyaku-short (default 3)
//   IDP_RT_TTL         refresh token lifetime in seconds (default 14 days)
//
// Every sign-in form accepts any password; the login becomes the subject
// `sub`.  There is no consent step: the grant is created on sign-in.
// Tokens and grants live in memory only, so a restart forgets them.
//
// Test controls (POST, header "X-Test-Admin: IDP_ADMIN_KEY" from idp.env):
//   /_test/revoke  sub=USER   destroys every grant of USER: its refresh
//                             tokens answer invalid_grant, its access
//                             tokens introspect as inactive
//   /_test/fault   mode=MODE  how /token answers from now on: off (normal),
//                             hang (never), garbage (200, not JSON),
//                             500 (a server error), 503-html (an HTML page)
// See ../README.md.
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import Provider, { interactionPolicy } from 'oidc-provider';

const dir = path.resolve(process.argv[2] || '');
if (!process.argv[2] || !existsSync(dir)) {
	console.error('usage: node idp.mjs DIR (an existing directory)');
	process.exit(2);
}
const seconds = (name, dflt) => {
	const v = process.env[name] ?? String(dflt);
	if (!/^[0-9]+$/.test(v) || Number(v) < 1) {
		console.error(`idp: ${name} must be a positive number of seconds`);
		process.exit(2);
	}
	return Number(v);
};
const atTtl = seconds('IDP_AT_TTL', 3600);
const shortTtl = seconds('IDP_SHORT_AT_TTL', 3);
const rtTtl = seconds('IDP_RT_TTL', 14 * 86400);
const redirectUris = (process.env.IDP_REDIRECT_URIS || 'http://127.0.0.1/oauth2/callback')
	.split(/\s+/).filter(Boolean);
const wantPort = Number(process.env.IDP_PORT || 0);
writeFileSync(path.join(dir, 'idp.pid'), `${process.pid}\n`);

// ---------------------------------------------------------------- TLS
// EC keys throughout: RSA ones take seconds to make on a loaded machine.
const tls = path.join(dir, 'tls');
mkdirSync(tls, { recursive: true });
const f = (n) => path.join(tls, n);
const openssl = (...args) => execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
if (!existsSync(f('ca.pem'))) {
	openssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '3650', '-sha256',
		'-subj', '/CN=hikyaku test CA', '-addext', 'basicConstraints=critical,CA:TRUE',
		'-addext', 'keyUsage=critical,keyCertSign,cRLSign',
		'-keyout', f('ca-key.pem'), '-out', f('ca.pem'));
}
if (!existsSync(f('server.pem'))) {
	openssl('req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-subj', '/CN=127.0.0.1',
		'-keyout', f('server-key.pem'), '-out', f('server.csr'));
	writeFileSync(f('server.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n' +
		'basicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n');
	openssl('x509', '-req', '-in', f('server.csr'), '-CA', f('ca.pem'), '-CAkey', f('ca-key.pem'),
		'-CAcreateserial', '-days', '3650', '-sha256', '-extfile', f('server.ext'),
		'-out', f('server.pem'));
}

// ---------------------------------------------------------------- clients
// Fixed ids and secrets: tests and docs name them.
const PUBLIC_ID = 'hikyaku-public';
const CONF_ID = 'hikyaku-confidential';
const CONF_SECRET = 'hikyaku-confidential-secret';
const SHORT_ID = 'hikyaku-short';
const POST_ID = 'hikyaku-confidential-post';
const POST_SECRET = 'hikyaku-confidential-post-secret';
const RS_ID = 'resource-server';
const RS_SECRET = 'resource-server-secret';
const RS_APP_ID = 'resource-server-app';
const RS_APP_SECRET = 'resource-server-app-secret';
const DEVICE = 'urn:ietf:params:oauth:grant-type:device_code';
const SCOPE = 'openid offline_access mail';
const adminKey = randomBytes(16).toString('hex');

const clients = [
	{	// hikyaku as a public client: PKCE alone
		client_id: PUBLIC_ID,
		token_endpoint_auth_method: 'none',
		grant_types: ['authorization_code', 'refresh_token', DEVICE],
		response_types: ['code'],
		redirect_uris: redirectUris,
		application_type: 'web',
	},
	{	// the same, but its access tokens live IDP_SHORT_AT_TTL seconds
		client_id: SHORT_ID,
		token_endpoint_auth_method: 'none',
		grant_types: ['authorization_code', 'refresh_token', DEVICE],
		response_types: ['code'],
		redirect_uris: redirectUris,
		application_type: 'web',
	},
	...[[CONF_ID, CONF_SECRET, 'client_secret_basic'], [POST_ID, POST_SECRET, 'client_secret_post']]
		.map(([id, secret, method]) => ({
			client_id: id,
			client_secret: secret,
			token_endpoint_auth_method: method,
			grant_types: ['authorization_code', 'refresh_token', 'client_credentials', DEVICE],
			response_types: ['code'],
			redirect_uris: redirectUris,
			scope: SCOPE,
		})),
	// Dovecot introspects with these
	...[[RS_ID, RS_SECRET], [RS_APP_ID, RS_APP_SECRET]].map(([id, secret]) => ({
		client_id: id,
		client_secret: secret,
		token_endpoint_auth_method: 'client_secret_basic',
		grant_types: [],
		response_types: [],
		redirect_uris: [],
	})),
];

// grants by account, so /_test/revoke can find them (the memory adapter
// cannot be searched)
const grantsOf = new Map();

const policy = interactionPolicy.base();
policy.remove('consent');

const issuerFor = (port) => `https://127.0.0.1:${port}`;

function makeProvider(issuer) {
	return new Provider(issuer, {
		clients: clients.map((c) => ({ id_token_signed_response_alg: 'ES256', ...c })),
		jwks: { keys: [{ ...generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' }), use: 'sig', alg: 'ES256', kid: 'test' }] },
		scopes: SCOPE.split(' '),
		claims: { openid: ['sub'] },
		findAccount: (ctx, sub) => ({ accountId: sub, claims: () => ({ sub }) }),
		interactions: { policy },
		// no consent step: signing in grants every scope the client asked for
		async loadExistingGrant(ctx) {
			const { provider, client, session } = ctx.oidc;
			const known = ctx.oidc.result?.consent?.grantId || session.grantIdFor(client.clientId);
			if (known) {
				const g = await provider.Grant.find(known);
				if (g) return g;
			}
			if (!session.accountId) return undefined;
			const grant = new provider.Grant({ accountId: session.accountId, clientId: client.clientId });
			grant.addOIDCScope(SCOPE);
			const id = await grant.save();
			if (!grantsOf.has(session.accountId)) grantsOf.set(session.accountId, new Set());
			grantsOf.get(session.accountId).add(id);
			return grant;
		},
		// a refresh token whenever the client may refresh, prompt or not
		issueRefreshToken: async (ctx, client) => client.grantTypeAllowed('refresh_token'),
		rotateRefreshToken: () => true,
		ttl: {
			AccessToken: (ctx, token, client) => (client.clientId === SHORT_ID ? shortTtl : atTtl),
			ClientCredentials: atTtl,
			RefreshToken: rtTtl,
			AuthorizationCode: 60,
			DeviceCode: 600,
			Grant: rtTtl,
			Interaction: 600,
			Session: 3600,
			IdToken: 3600,
		},
		pkce: { required: (ctx, client) => client.clientAuthMethod === 'none' },
		features: {
			devInteractions: { enabled: true },
			// Dovecot introspects users' tokens as resource-server and
			// app-only (client_credentials) ones as resource-server-app; to
			// the other client each kind looks inactive (README: "app-only
			// tokens and Dovecot")
			introspection: {
				enabled: true,
				allowedPolicy: (ctx, client, token) => (client.clientId === RS_APP_ID
					? token.kind === 'ClientCredentials' : client.clientId === RS_ID
						? token.kind !== 'ClientCredentials' : true),
			},
			revocation: { enabled: true },
			deviceFlow: { enabled: true },
			clientCredentials: { enabled: true },
		},
		cookies: { keys: [randomBytes(16).toString('hex')] },
		renderError(ctx, out) {
			ctx.type = 'html';
			ctx.body = `<!DOCTYPE html><title>error</title><pre>${
				Object.entries(out).map(([k, v]) => `${k}: ${String(v).replace(/[<&]/g, '')}`).join('\n')}</pre>`;
		},
	});
}

// ---------------------------------------------------------------- test controls
let fault = 'off';
const FAULTS = new Set(['off', 'hang', 'garbage', '500', '503-html']);

function readForm(req) {
	return new Promise((resolve) => {
		let body = '';
		req.on('data', (c) => { if (body.length < 4096) body += c; });
		req.on('end', () => resolve(new URLSearchParams(body)));
	});
}

async function control(req, res, provider) {
	const reply = (code, text) => { res.writeHead(code, { 'content-type': 'text/plain' }); res.end(`${text}\n`); };
	if (req.method !== 'POST' || req.headers['x-test-admin'] !== adminKey) return reply(403, 'forbidden');
	const form = await readForm(req);
	const url = new URL(req.url, 'https://x');
	if (url.pathname === '/_test/fault') {
		const mode = form.get('mode') || '';
		if (!FAULTS.has(mode)) return reply(400, `mode must be one of ${[...FAULTS].join(' ')}`);
		fault = mode;
		console.log(`fault mode ${mode}`);
		return reply(200, `fault ${mode}`);
	}
	if (url.pathname === '/_test/revoke') {
		const sub = form.get('sub') || '';
		const ids = grantsOf.get(sub) || new Set();
		let n = 0;
		for (const id of ids) {
			const g = await provider.Grant.find(id);
			if (g) { await g.destroy(); n += 1; }
		}
		grantsOf.delete(sub);
		console.log(`revoked ${n} grant(s) of ${sub}`);
		return reply(200, `revoked ${n}`);
	}
	return reply(404, 'no such control');
}

function faulty(req, res) {
	const url = new URL(req.url, 'https://x');
	if (fault === 'off' || url.pathname !== '/token') return false;
	// read the request so the client is not stopped by a reset
	req.resume();
	if (fault === 'hang') return true;	// never answer; the client must time out
	if (fault === 'garbage') {
		res.writeHead(200, { 'content-type': 'application/json' });
		res.end('this is {not json');
	} else if (fault === '500') {
		res.writeHead(500, { 'content-type': 'application/json' });
		res.end('{"error":"server_error","error_description":"the test IdP was told to fail"}');
	} else {
		res.writeHead(503, { 'content-type': 'text/html' });
		res.end('<html><body><h1>503 Service Unavailable</h1></body></html>');
	}
	return true;
}

// OpenID Connect keeps offline_access only when the authorization request
// had prompt=consent, and a refresh may not ask for a scope that was not
// granted; Microsoft keeps no such rule and wants the same scope list on
// every refresh.  So a refresh request's offline_access is taken as
// granted: the body is parsed here and handed on as req.body, which
// oidc-provider reads when the stream was consumed.
async function refreshAsMicrosoft(req) {
	const chunks = [];
	let n = 0;
	for await (const c of req) {
		n += c.length;
		if (n > 56 * 1024) throw new Error('body too large');
		chunks.push(c);
	}
	const form = new URLSearchParams(Buffer.concat(chunks).toString());
	if (form.get('grant_type') === 'refresh_token' && form.has('scope')) {
		form.set('scope', form.get('scope').split(' ').filter((x) => x && x !== 'offline_access').join(' '));
	}
	req.body = Object.fromEntries(form);
}

// ---------------------------------------------------------------- serve
const server = https.createServer({ key: readFileSync(f('server-key.pem')), cert: readFileSync(f('server.pem')) });
server.on('error', (e) => { console.error(`idp: ${e.message}`); process.exit(1); });
server.listen(wantPort, '127.0.0.1', () => {
	const { port } = server.address();
	const issuer = issuerFor(port);
	const provider = makeProvider(issuer);
	provider.on('server_error', (ctx, e) => console.error('server_error', e));
	const handle = provider.callback();
	server.on('request', (req, res) => {
		if (req.url.startsWith('/_test/')) {
			control(req, res, provider).catch((e) => { console.error(e); res.destroy(); });
		} else if (faulty(req, res)) {
			// answered (or left hanging) as told
		} else if (req.method === 'POST' && new URL(req.url, 'https://x').pathname === '/token') {
			refreshAsMicrosoft(req).then(() => handle(req, res), () => res.destroy());
		} else {
			handle(req, res);
		}
	});
	const env = {
		IDP_DIR: dir,
		IDP_PID: process.pid,
		IDP_PORT: port,
		IDP_ISSUER: issuer,
		IDP_CA_FILE: f('ca.pem'),
		IDP_AUTH_URL: `${issuer}/auth`,
		IDP_TOKEN_URL: `${issuer}/token`,
		IDP_DEVICE_URL: `${issuer}/device/auth`,
		IDP_INTROSPECTION_URL: `${issuer}/token/introspection`,
		IDP_REVOCATION_URL: `${issuer}/token/revocation`,
		IDP_SCOPE: `'${SCOPE}'`,
		IDP_AT_TTL: atTtl,
		IDP_REDIRECT_URI: redirectUris[0],
		IDP_SHORT_AT_TTL: shortTtl,
		IDP_PUBLIC_ID: PUBLIC_ID,
		IDP_SHORT_ID: SHORT_ID,
		IDP_CONF_ID: CONF_ID,
		IDP_CONF_SECRET: CONF_SECRET,
		IDP_POST_ID: POST_ID,
		IDP_POST_SECRET: POST_SECRET,
		IDP_RS_ID: RS_ID,
		IDP_RS_SECRET: RS_SECRET,
		IDP_RS_APP_ID: RS_APP_ID,
		IDP_RS_APP_SECRET: RS_APP_SECRET,
		IDP_ADMIN_KEY: adminKey,
	};
	const text = Object.entries(env).map(([k, v]) => `${k}=${v}\n`).join('');
	writeFileSync(path.join(dir, 'idp.env.tmp'), text, { mode: 0o600 });
	renameSync(path.join(dir, 'idp.env.tmp'), path.join(dir, 'idp.env'));
	console.log(`ready on ${issuer}`);
});

const quit = () => { server.close(); process.exit(0); };
process.on('SIGTERM', quit);
process.on('SIGINT', quit);
