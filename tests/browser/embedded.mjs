// Browser test of the app inside the platform's admin: Ecwid's Control
// Panel shows a native app in a frame, at its iframe URL with ?payload=.
// A stand-in Control Panel on 127.0.0.1 frames the real daemon, reached
// as http://localhost:<port> so that the frame is another site, as it is
// in production. The merchant must be signed in inside the frame and stay
// signed in from page to page (the session cookie has to come back in a
// cross-site frame), only the configured admin origins may frame the app,
// and the frame's session must not leak into a visit at the top level.
//
//   node embedded.mjs --bin build/x/affiliated --artifacts DIR
//
// Prints one line per check and "N passed, M failed" at the end; exits 1
// when anything failed. Screenshots of the framed wizard and of the
// sign-in the merchant confirms go to --artifacts.

import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { checker, daemonWarnings, launchChromium, listen, options,
	startDaemon, stopDaemon } from './lib.mjs';

const opt = options(['bin', 'artifacts']);
const checks = checker();
const { check, report } = checks;
const failed = () => checks.failed > 0;

const CLIENT_SECRET = 'embedded-client-secret-42';
const STORE = '4242';

// What Ecwid appends to the iframe URL: URL-safe base64 of IV || AES-128-
// CBC(JSON), keyed with the first 16 characters of the client secret.
function payload(json) {
	const key = Buffer.from(CLIENT_SECRET).subarray(0, 16);
	const iv = crypto.randomBytes(16);
	const c = crypto.createCipheriv('aes-128-cbc', key, iv);
	const body = Buffer.concat([c.update(JSON.stringify(json)), c.final()]);
	return Buffer.concat([iv, body]).toString('base64url');
}

// A stand-in for the Control Panel's JS SDK, which the app's pages load
// from it: EcwidApp.init tells the page around the frame, which keeps
// what it heard in window.__inits.
const FAKE_SDK = `window.EcwidApp = { init: function (o) {
  window.parent.postMessage(JSON.stringify({ ecwidAppNs: o.app_id,
    method: 'init', data: o }), '*');
} };`;

// A Control Panel page that shows the app in a frame.
function controlPanel(appUrl) {
	return (req, res) => {
		if (req.url === '/sdk.js') {
			res.writeHead(200, { 'Content-Type': 'application/javascript' });
			return res.end(FAKE_SDK);
		}
		res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
		res.end(`<!doctype html><html><head><meta charset="utf-8">
<title>Control Panel</title><link rel="icon" href="data:,">
<script>window.__inits = []; window.addEventListener('message',
  function (e) { window.__inits.push(e.data); });</script></head>
<body style="margin:0;font:14px sans-serif">
<header style="padding:8px;background:#223;color:#fff">My Store</header>
<iframe id="app" src="${appUrl}" style="width:100%;height:900px;border:0">
</iframe></body></html>`);
	};
}

const frameOf = (page, port) =>
	page.frames().find(f => f.url().startsWith(`http://localhost:${port}/`));

async function waitForFrame(page, port, pathname) {
	for (let i = 0; i < 100; i++) {
		const f = frameOf(page, port);
		if (f && new URL(f.url()).pathname === pathname)
			return f;
		await page.waitForTimeout(50);
	}
	return null;
}

async function main() {
	const work = fs.mkdtempSync(path.join(os.tmpdir(),
		'affiliated-embedded-'));
	const conf = path.join(work, 'affiliated.conf');
	const log = path.join(work, 'stderr.log');
	fs.mkdirSync(opt.artifacts, { recursive: true });
	let appUrl = '';
	const cp = await listen((req, res) => controlPanel(appUrl)(req, res));
	const elsewhere = await listen((req, res) =>
		controlPanel(appUrl)(req, res));
	const cpOrigin = `http://127.0.0.1:${cp.address().port}`;
	const elsewhereOrigin = `http://127.0.0.1:${elsewhere.address().port}`;

	fs.writeFileSync(conf, `[server]
listen = 127.0.0.1:0
public_url = http://localhost:9
reconcile_interval = 0
[store]
path = ${work}/affiliated.db
[security]
key_file = ${work}/master.key
[ecwid]
client_id = embedded-app
client_secret = ${CLIENT_SECRET}
admin_origins = ${cpOrigin}
sdk_url = ${cpOrigin}/sdk.js
`);
	const add = spawnSync(opt.bin, ['shops', 'add', '--config', conf,
		'--platform', 'ecwid', '--shop', STORE, '--token', 'secure_cp',
		'--currency', 'USD', '--name', 'Sally Mugs'], { encoding: 'utf8' });
	check('the store is added by hand', add.status === 0, add.stderr);

	const { proc, port } = await startDaemon(opt.bin, conf, log);
	appUrl = `http://localhost:${port}/app/ecwid?payload=` +
		payload({ store_id: Number(STORE), lang: 'en',
			access_token: 'secure_cp', view_mode: 'PAGE' }) +
		'&app_state=&cache-killer=1';
	const browser = await launchChromium();
	try {
		const ctx = await browser.newContext();
		const page = await ctx.newPage();
		await page.goto(`${cpOrigin}/`);
		const wizard = await waitForFrame(page, port, '/wizard');
		const first = wizard ? await wizard.textContent('body') : '';
		const signedIn = check(
			'the Control Panel frames the app, signed in to the wizard',
			/What should the program be called/.test(first),
			wizard ? first.slice(0, 200) : 'no frame at /wizard');
		const inits = await page.evaluate(() => window.__inits);
		check('the framed page initializes the admin\'s SDK with the ' +
			'client id', inits.some(m => {
				const o = JSON.parse(m);
				return o.method === 'init' &&
					o.data.app_id === 'embedded-app' && o.data.autoheight;
			}), JSON.stringify(inits));
		check('in the frame the page shows its tabs, not a header of ' +
			'its own', wizard !== null &&
			await wizard.locator('nav a').count() > 0 &&
			await wizard.locator('.brand, form[action="/admin/logout"]')
				.count() === 0);
		if (signedIn) {
			await page.screenshot({
				path: path.join(opt.artifacts, 'embedded-wizard.png'),
				fullPage: true });
			await wizard.getByRole('button', { name: 'Next' }).click();
			// waitForLoadState alone returns at once when the old page
			// is still the loaded one: wait for the next step instead
			// (or the timeout, after which the check below fails).
			await wizard.getByText(/Who will share your shop/)
				.waitFor({ timeout: 10000 }).catch(() => {});
			check('the next step comes back signed in, inside the frame',
				/Who will share your shop/
					.test(await wizard.textContent('body')),
				(await wizard.textContent('body')).slice(0, 200));
		}
		const cookies = await ctx.cookies(`http://localhost:${port}`);
		const m = cookies.find(c => c.name === 'affiliated_m');
		check('the frame\'s session cookie is SameSite=None, Secure, ' +
			'partitioned', m && m.sameSite === 'None' && m.secure &&
			m.partitionKey !== undefined, JSON.stringify(m));

		// The same browser at the top level: the frame's cookie stays
		// with the Control Panel's site.
		const top = await ctx.newPage();
		const r = await top.goto(`http://localhost:${port}/admin`);
		check('a top-level visit does not get the frame\'s session',
			r.status() === 401, `status ${r.status()}`);

		// The app's URL as a link, opened at the top level: it could be
		// anybody's store, so the page names it and asks.
		await top.goto(appUrl);
		const asked = await top.textContent('main');
		check('opened as a link, the app names the store and asks first',
			new URL(top.url()).pathname === '/admin/signin' &&
			asked.includes('Sally Mugs') && asked.includes(STORE),
			`${top.url()}: ${asked.slice(0, 120)}`);
		await top.screenshot({
			path: path.join(opt.artifacts, 'signin-offer.png') });
		await top.getByRole('button', { name: 'Sign in' }).click();
		await top.waitForURL(/\/wizard$/);
		check('confirmed, the merchant is signed in at the top level, ' +
			'with the header and without the admin\'s SDK',
			/What should the program be called/
				.test(await top.textContent('body')) &&
			await top.locator('form[action="/admin/logout"]').count() ===
				1 &&
			await top.evaluate(() =>
				!document.querySelector('script[src$="/sdk.js"]')));
		const embed = await fetch(`http://127.0.0.1:${port}/embed/ecwid.js`);
		const none = await fetch(
			`http://127.0.0.1:${port}/embed/shopify.js`);
		check('/embed/ecwid.js is served; Shopify needs no such script',
			embed.status === 200 &&
			/EcwidApp\.init/.test(await embed.text()) &&
			none.status === 404, `${embed.status} ${none.status}`);
		await top.close();

		// A site that is not an admin origin cannot frame the app.
		const other = await ctx.newPage();
		const refused = [];
		other.on('console', msg => {
			if (/frame-ancestors/.test(msg.text()))
				refused.push(msg.text());
		});
		await other.goto(`${elsewhereOrigin}/`);
		await other.waitForTimeout(1500);
		const f = frameOf(other, port);
		const shown = f ? await f.evaluate(() =>
			document.body ? document.body.innerText : '')
			.catch(() => '') : '';
		check('another site cannot frame the app (CSP frame-ancestors)',
			refused.length > 0 && !/program/.test(shown),
			`console: ${refused.length}, frame text: ${shown.slice(0, 80)}`);
		await ctx.close();
	} finally {
		await browser.close();
		cp.close();
		elsewhere.close();
		await stopDaemon(proc, log, check);
		if (failed())
			console.log(daemonWarnings(log));
		if (!process.env.AFFILIATED_KEEP_TMP)
			fs.rmSync(work, { recursive: true, force: true });
	}
}

await main();
process.exit(report());
