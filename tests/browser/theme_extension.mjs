// Browser test of the Shopify theme app extension
// (integrations/shopify/extensions/affiliated-ref/): its app embed block is
// rendered the way a theme renders it, on a stand-in Shopify theme page
// served from 127.0.0.1, and its asset is served from the file in
// integrations/, as Shopify's CDN would serve it. Headless Chromium
// (Debian's /usr/bin/chromium, driven by playwright-core) runs the page.
//
// The stand-in shop answers the Ajax cart API (GET /cart.js, POST
// /cart/update.js) with Shopify's merge semantics (an attribute set to ""
// is removed), one cart per "cart" cookie, and records every update.
// The real daemon is started too, to check that the script it serves at
// /storefront/shopify.js for custom apps is the block's asset, byte for
// byte.
//
//   node theme_extension.mjs --bin build/x/affiliated --artifacts DIR
//        [--source DIR]
//
// Prints one line per check and "N passed, M failed" at the end; exits 1
// when anything failed.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { checker, daemonWarnings, launchChromium, listen, options,
	startDaemon, stopDaemon } from './lib.mjs';

const opt = options(['bin', 'artifacts']);
const checks = checker();
const { check } = checks;
const show = v => JSON.stringify(v);

const EXT = path.join(opt.source || process.cwd(),
	'integrations/shopify/extensions/affiliated-ref');
const BLOCK = path.join(EXT, 'blocks/affiliated-ref.liquid');
const ASSET = path.join(EXT, 'assets/affiliated-ref.js');
// Where Shopify's CDN would put the asset; the stand-in serves it there.
const ASSET_PATH = '/cdn/shop/t/1/assets/affiliated-ref.js';

// ------------------------------------------------------------ the block

// The block's schema, and its markup with the Liquid a theme would
// evaluate: comments and the schema go, the asset_url filter becomes the
// asset's URL. Any other Liquid is left in, and checked for below.
function renderBlock(text, assetUrl) {
	const schema = /{%-?\s*schema\s*-?%}([\s\S]*?){%-?\s*endschema\s*-?%}/
		.exec(text);
	const html = text
		.replace(/{%-?\s*comment\s*-?%}[\s\S]*?{%-?\s*endcomment\s*-?%}/g, '')
		.replace(/{%-?\s*schema\s*-?%}[\s\S]*?{%-?\s*endschema\s*-?%}/, '')
		.replace(/{{-?\s*'affiliated-ref\.js'\s*\|\s*asset_url\s*-?}}/g,
			assetUrl)
		.trim();
	return { schema: schema ? JSON.parse(schema[1]) : null, html };
}

function checkBlock(block) {
	const s = block.schema || {};
	check('block: {% schema %} is JSON with a name and "target": "body"',
		typeof s.name === 'string' && s.name.length > 0 &&
		s.target === 'body', show(s));
	check('block: settings, if any, are a list',
		s.settings === undefined || Array.isArray(s.settings),
		show(s.settings));
	check('block: no Liquid left after comments, schema and asset_url',
		!/{{|{%/.test(block.html), block.html);
	check('block: one deferred script tag for the asset and nothing else',
		/^<script src="[^"]+affiliated-ref\.js" defer><\/script>$/
			.test(block.html), block.html);
	const t = (s.name || '') + JSON.stringify(s.settings || []);
	if (/"t:/.test(t) || /^t:/.test(s.name || ''))
		check('block: t: keys have a locales file',
			fs.existsSync(path.join(EXT, 'locales/en.default.json')));
	const toml = fs.readFileSync(path.join(EXT, 'shopify.extension.toml'),
		'utf8');
	check('shopify.extension.toml: type = "theme" and a name',
		/^type\s*=\s*"theme"\s*$/m.test(toml) &&
		/^name\s*=\s*"[^"]+"\s*$/m.test(toml), toml);
}

// ------------------------------------------------------- the stand-in shop

function readBody(req) {
	return new Promise((resolve, reject) => {
		const chunks = [];
		req.on('data', c => chunks.push(c));
		req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
		req.on('error', reject);
	});
}

function cookieOf(req, name) {
	const m = new RegExp('(?:^|;\\s*)' + name + '=([^;]*)')
		.exec(req.headers.cookie || '');
	return m ? m[1] : null;
}

// A theme page with the app embed where themes put it (before </body>).
function themePage(title, embed) {
	return `<!doctype html>
<html><head><meta charset="utf-8"><title>${title}</title>
<link rel="icon" href="data:,">
<script>
window.__rejections = [];
window.addEventListener('unhandledrejection', function (e) {
  window.__rejections.push(String(e.reason));
});
window.Shopify = { routes: { root: '/' } };
</script>
</head><body>
<h1>Sally's Mugs</h1><h2>${title}</h2>
<div id="cart"></div>
<script>document.body.dataset.after = 'ran';</script>
${embed}
</body></html>`;
}

function shopifyShop(embed, asset) {
	const shop = { carts: new Map(), updates: [], assetGets: 0, next: 1 };
	const newCart = () => {
		const token = `c${shop.next++}`;
		shop.carts.set(token, { attributes: {} });
		return token;
	};
	const json = (res, headers, body) => {
		res.writeHead(200, { ...headers, 'Content-Type': 'application/json' });
		res.end(JSON.stringify(body));
	};
	shop.handler = async (req, res) => {
		const url = new URL(req.url, 'http://x');
		if (req.method === 'GET' && url.pathname === ASSET_PATH) {
			shop.assetGets++;
			res.writeHead(200, {
				'Content-Type': 'application/javascript' });
			return res.end(asset);
		}
		let token = cookieOf(req, 'cart');
		const headers = {};
		if (!token || !shop.carts.has(token)) {
			token = newCart();
			headers['Set-Cookie'] = `cart=${token}; Path=/; SameSite=Lax`;
		}
		const cart = shop.carts.get(token);
		if (req.method === 'POST' && url.pathname === '/cart/update.js') {
			const raw = await readBody(req);
			let body = null;
			try {
				body = JSON.parse(raw);
			} catch {
				res.writeHead(400);
				return res.end();
			}
			shop.updates.push({ token, body,
				type: req.headers['content-type'] });
			for (const [k, v] of Object.entries(body.attributes || {})) {
				if (v === '' || v === null)
					delete cart.attributes[k];
				else
					cart.attributes[k] = String(v);
			}
			return json(res, headers, { token, ...cart });
		}
		if (req.method === 'GET' && url.pathname === '/cart.js')
			return json(res, headers, { token, ...cart });
		if (req.method === 'GET') {
			res.writeHead(200, { ...headers,
				'Content-Type': 'text/html; charset=utf-8' });
			return res.end(themePage(url.pathname, embed));
		}
		res.writeHead(405);
		res.end();
	};
	return shop;
}

// ------------------------------------------------------------- browser

// A context in which nothing leaves 127.0.0.1; errors are recorded.
async function newContext(browser) {
	const ctx = await browser.newContext();
	const seen = { errors: [], requests: [] };
	await ctx.route(/.*/, route => {
		const u = route.request().url();
		if (u.startsWith('http://127.0.0.1:') || u.startsWith('data:'))
			return route.continue();
		return route.abort();
	});
	ctx.on('request', r => seen.requests.push(r.url()));
	ctx.on('page', p => {
		p.on('pageerror', e => seen.errors.push(String(e)));
		p.on('console', m => {
			if (m.type() === 'error' &&
			    !m.text().startsWith('Failed to load resource'))
				seen.errors.push(m.text());
		});
	});
	return { ctx, seen };
}

async function visit(page, url) {
	await page.goto(url);
	await page.waitForLoadState('networkidle');
}

async function jar(ctx, origin) {
	const out = {};
	for (const c of await ctx.cookies(origin))
		out[c.name] = decodeURIComponent(c.value);
	return out;
}

async function cleanPage(name, page, seen) {
	const rej = await page.evaluate(() => window.__rejections);
	check(`${name}: no page error, console error or unhandled rejection`,
		seen.errors.length === 0 && rej.length === 0,
		show([...seen.errors, ...rej]));
}

// ?ref= lands in the cart; a second page view does not write the cart
// again; a later visit, on a new cart and without ?ref, uses the cookie.
async function referral(browser, shop, origin) {
	const T = 'embed referral';
	const { ctx, seen } = await newContext(browser);
	const page = await ctx.newPage();
	let mark = shop.updates.length;
	await visit(page, `${origin}/products/mug?ref=SALLY20&affiliated_click=42`);
	let ups = shop.updates.slice(mark);
	const cart = shop.carts.get((await jar(ctx, origin)).cart);
	check(`${T}: the asset was loaded from the extension's file`,
		shop.assetGets > 0 && seen.requests.some(u => u.endsWith(ASSET_PATH)));
	check(`${T}: its script tag is deferred`, await page.evaluate(() => {
		const s = document.querySelector('script[src$="affiliated-ref.js"]');
		return !!s && s.defer === true;
	}));
	check(`${T}: one POST /cart/update.js with {attributes: {ref, click}}`,
		ups.length === 1 && /^application\/json/.test(ups[0].type || '') &&
		show(ups[0].body) === show({ attributes: { ref: 'SALLY20',
			affiliated_click: '42' } }), show(ups));
	check(`${T}: the cart's attributes hold ref=SALLY20, click 42`,
		cart && cart.attributes.ref === 'SALLY20' &&
		cart.attributes.affiliated_click === '42',
		show(cart && cart.attributes));
	const cookies = await jar(ctx, origin);
	check(`${T}: aff_ref and aff_click cookies set`,
		cookies.aff_ref === 'SALLY20' && cookies.aff_click === '42',
		show(cookies));
	check(`${T}: the page's own scripts still run`,
		await page.evaluate(() => document.body.dataset.after) === 'ran');
	fs.mkdirSync(opt.artifacts, { recursive: true });
	await page.evaluate(t => {
		document.querySelector('#cart').textContent = t;
	}, 'cart attributes:\n' + JSON.stringify(cart && cart.attributes));
	await page.screenshot({ path: path.join(opt.artifacts,
		'theme-extension.png'), fullPage: true });

	mark = shop.updates.length;
	await visit(page, `${origin}/collections/all`);
	await visit(page, `${origin}/products/mug?ref=SALLY20&affiliated_click=42`);
	check(`${T}: later page views do not rewrite the cart`,
		shop.updates.length === mark, show(shop.updates.slice(mark)));

	// Back later: Shopify has started a new cart, the URL has no ref.
	await ctx.clearCookies({ name: 'cart' });
	const tab = await ctx.newPage();
	mark = shop.updates.length;
	await visit(tab, `${origin}/products/teapot`);
	ups = shop.updates.slice(mark);
	const fresh = shop.carts.get((await jar(ctx, origin)).cart);
	check(`${T}: a later visit without ?ref carries the cookie's ref`,
		fresh && fresh !== cart && ups.length === 1 &&
		fresh.attributes.ref === 'SALLY20' &&
		fresh.attributes.affiliated_click === '42',
		show({ cart: fresh, updates: ups }));
	await cleanPage(T, page, seen);
	await ctx.close();
}

// A ref no affiliate code can have is passed over: not sent, not stored,
// and an earlier referral stays.
async function malformed(browser, shop, origin) {
	const T = 'embed malformed ref';
	const bad = ['a%20b%22%3Cscript%3E', '%3Cimg%20src%3Dx%3E', 'x'.repeat(65),
		'x%3B%20aff_click%3D999'];
	let { ctx, seen } = await newContext(browser);
	let page = await ctx.newPage();
	let mark = shop.updates.length;
	for (const raw of bad)
		await visit(page, `${origin}/products/mug?ref=${raw}`);
	let cookies = await jar(ctx, origin);
	check(`${T}: not sent to the cart`, shop.updates.length === mark,
		show(shop.updates.slice(mark)));
	check(`${T}: no aff_ref or aff_click cookie`,
		!('aff_ref' in cookies) && !('aff_click' in cookies), show(cookies));
	await cleanPage(T, page, seen);
	await ctx.close();

	({ ctx, seen } = await newContext(browser));
	page = await ctx.newPage();
	await visit(page, `${origin}/products/mug?ref=BOB7`);
	mark = shop.updates.length;
	for (const raw of bad)
		await visit(page, `${origin}/products/mug?ref=${raw}`);
	cookies = await jar(ctx, origin);
	const cart = shop.carts.get(cookies.cart);
	check(`${T}: an earlier referral stays, in the cookie and the cart`,
		shop.updates.length === mark && cookies.aff_ref === 'BOB7' &&
		cart && cart.attributes.ref === 'BOB7',
		show({ cookies, cart, updates: shop.updates.slice(mark) }));
	await cleanPage(`${T} (after a referral)`, page, seen);
	await ctx.close();
}

// ---------------------------------------------------------------- main

async function servedScript(asset) {
	const work = fs.mkdtempSync(path.join(os.tmpdir(), 'affiliated-theme-'));
	const conf = path.join(work, 'affiliated.conf');
	const log = path.join(work, 'stderr.log');
	fs.writeFileSync(conf, [
		'[server]', 'listen = 127.0.0.1:0', 'log_level = info',
		'[store]', `path = ${work}/affiliated.db`,
		'[security]', `key_file = ${work}/master.key`,
		'[shopify]', 'api_key = theme-key', 'api_secret = theme-secret',
		'base_url = http://127.0.0.1:9/{shop}', ''].join('\n'));
	const { proc, port } = await startDaemon(opt.bin, conf, log);
	try {
		const r = await fetch(`http://127.0.0.1:${port}/storefront/shopify.js`);
		const body = Buffer.from(await r.arrayBuffer());
		check('the daemon still serves /storefront/shopify.js',
			r.status === 200, String(r.status));
		check('/storefront/shopify.js is the extension asset, byte for byte',
			body.equals(asset), `served ${body.length} bytes, asset ` +
			`${asset.length}; run integrations/shopify/sync-asset`);
	} finally {
		await stopDaemon(proc, log, check);
		if (checks.failed)
			console.log(daemonWarnings(log));
		fs.rmSync(work, { recursive: true, force: true });
	}
}

async function main() {
	const started = Date.now();
	const asset = fs.readFileSync(ASSET);
	let browser = null;
	let srv = null;
	try {
		await servedScript(asset);
		const text = fs.readFileSync(BLOCK, 'utf8');
		// The asset's URL needs the port, known once listening.
		let live = null;
		srv = await listen((req, res) => live.handler(req, res));
		const origin = `http://127.0.0.1:${srv.address().port}`;
		const block = renderBlock(text, origin + ASSET_PATH);
		checkBlock(block);
		live = shopifyShop(block.html, asset);
		browser = await launchChromium();
		for (const step of [referral, malformed]) {
			try {
				await step(browser, live, origin);
			} catch (e) {
				check(`step ${step.name}`, false, e.stack);
			}
		}
	} catch (e) {
		check('theme extension run', false, e.stack);
	} finally {
		if (browser)
			await browser.close();
		if (srv)
			srv.close();
	}
	process.exit(checks.report(
		` (${((Date.now() - started) / 1000).toFixed(1)} s)`));
}

await main();
