// Browser tests of the storefront snippets (/storefront/shopify.js and
// /storefront/ecwid.js): the real daemon on a loopback port serves them,
// and headless Chromium (Debian's /usr/bin/chromium, driven by
// playwright-core) runs them inside two fake storefronts served from
// 127.0.0.1 by this file:
//
//   - a Shopify theme page that includes shopify.js and answers the Ajax
//     cart API (POST /cart/update.js, GET /cart.js) with Shopify's merge
//     semantics (an attribute set to "" or null is removed), one cart per
//     "cart" cookie, recording every update it receives;
//   - an Ecwid storefront page with a minimal window.Ecwid
//     (OnAPILoaded.add, refreshConfig) and window.ec.order.extraFields,
//     whose "API loaded" moment the test triggers by hand.
//
//   node storefront.mjs --bin build/x/affiliated --artifacts DIR
//
// Prints one line per check and "N passed, M failed" at the end; exits 1
// when anything failed. Screenshots of both storefronts go to --artifacts.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { checker, daemonWarnings, launchChromium, listen, options,
	startDaemon, stopDaemon } from './lib.mjs';

const DAY = 86400;

const opt = options(['bin', 'artifacts']);
const checks = checker();
const { check } = checks;

const show = v => JSON.stringify(v);

// --------------------------------------------------------- fake storefronts

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

// Shared by both pages: records errors the snippet could leave behind.
const PAGE_GUARD = `<script>
window.__rejections = [];
window.addEventListener('unhandledrejection', function (e) {
  window.__rejections.push(String(e.reason));
});
</script>`;

// The Shopify shop: theme pages with the snippet, the Ajax cart API.
function shopifyShop(daemon) {
	const shop = {
		carts: new Map(), // token -> {attributes}
		updates: [],      // every POST /cart/update.js
		fail: 0,          // answer the next N updates with 500
		next: 1,
	};
	const newCart = () => {
		const token = `c${shop.next++}`;
		shop.carts.set(token, { attributes: {} });
		return token;
	};
	const page = (title) => `<!doctype html>
<html><head><meta charset="utf-8"><title>${title}</title>
<link rel="icon" href="data:,">
<style>body{font:16px sans-serif;margin:2em}#cart{border:1px solid #999;
padding:.5em;white-space:pre}</style>
${PAGE_GUARD}
<script src="${daemon}/storefront/shopify.js"></script>
</head><body>
<h1>Sally's Mugs</h1><h2>${title}</h2>
<p><button id="buy" onclick="this.textContent='Added'">Add to cart</button></p>
<div id="cart"></div>
<script>document.body.dataset.after = 'ran';</script>
</body></html>`;
	shop.handler = async (req, res) => {
		const url = new URL(req.url, 'http://x');
		let token = cookieOf(req, 'cart');
		const headers = {};
		if (!token || !shop.carts.has(token)) {
			token = newCart();
			headers['Set-Cookie'] = `cart=${token}; Path=/; SameSite=Lax`;
		}
		const cart = shop.carts.get(token);
		if (req.method === 'POST' && url.pathname === '/cart/update.js') {
			const raw = await readBody(req);
			const rec = { token, raw, type: req.headers['content-type'],
				status: 200, body: null };
			shop.updates.push(rec);
			try {
				rec.body = JSON.parse(raw);
			} catch {
				rec.status = 400;
			}
			if (rec.status === 200 && shop.fail > 0) {
				shop.fail--;
				rec.status = 500;
			}
			if (rec.status !== 200) {
				res.writeHead(rec.status, { ...headers,
					'Content-Type': 'application/json' });
				return res.end('{"status":500,"message":"boom"}');
			}
			const attrs = (rec.body && rec.body.attributes) || {};
			for (const [k, v] of Object.entries(attrs)) {
				if (v === '' || v === null)
					delete cart.attributes[k];
				else
					cart.attributes[k] = String(v);
			}
			res.writeHead(200, { ...headers,
				'Content-Type': 'application/json' });
			return res.end(JSON.stringify({ token, ...cart }));
		}
		if (req.method === 'GET' && url.pathname === '/cart.js') {
			res.writeHead(200, { ...headers,
				'Content-Type': 'application/json' });
			return res.end(JSON.stringify({ token, ...cart }));
		}
		if (req.method === 'GET' &&
		    url.pathname.startsWith('/checkouts/') &&
		    url.pathname.endsWith('/thank_you')) {
			// The order is placed: Shopify starts the visitor on a new,
			// empty cart.
			const fresh = newCart();
			res.writeHead(200, { 'Content-Type': 'text/html',
				'Set-Cookie': `cart=${fresh}; Path=/; SameSite=Lax` });
			return res.end('<!doctype html><title>Thank you</title>' +
				'<link rel="icon" href="data:,"><h1>Thank you</h1>');
		}
		if (req.method === 'GET') {
			res.writeHead(200, { ...headers,
				'Content-Type': 'text/html; charset=utf-8' });
			return res.end(page(url.pathname));
		}
		res.writeHead(405);
		res.end();
	};
	return shop;
}

// The Ecwid store: a page with a stand-in for Ecwid's storefront JS API.
function ecwidShop(daemon) {
	const page = (late) => `<!doctype html>
<html><head><meta charset="utf-8"><title>Zed's Ecwid store</title>
<link rel="icon" href="data:,">
<style>body{font:16px sans-serif;margin:2em}#fields{border:1px solid #999;
padding:.5em;white-space:pre}</style>
${PAGE_GUARD}
<script>
window.__ecwid = { registered: 0, refreshed: 0, atRefresh: [] };
var callbacks = [];
window.ec = { order: { extraFields: {
  gift_note: { title: 'Gift note', type: 'text',
               checkoutDisplaySection: 'order_comments' } } } };
function defineEcwid() {
  window.Ecwid = {
    OnAPILoaded: { add: function (fn) {
      window.__ecwid.registered++; callbacks.push(fn); } },
    refreshConfig: function () {
      window.__ecwid.refreshed++;
      window.__ecwid.atRefresh.push(JSON.stringify(ec.order.extraFields));
    }
  };
}
/* Ecwid's storefront has finished loading: its callbacks run. */
window.__ecwidApiLoaded = function () {
  callbacks.forEach(function (fn) { fn(); });
};
${late ? 'setTimeout(defineEcwid, 600);' : 'defineEcwid();'}
</script>
<script src="${daemon}/storefront/ecwid.js"></script>
</head><body>
<h1>Zed's Ecwid store</h1>
<div id="fields"></div>
<script>document.body.dataset.after = 'ran';</script>
</body></html>`;
	return {
		handler(req, res) {
			const url = new URL(req.url, 'http://x');
			if (req.method !== 'GET') {
				res.writeHead(405);
				return res.end();
			}
			res.writeHead(200, {
				'Content-Type': 'text/html; charset=utf-8' });
			res.end(page(url.searchParams.get('late') === '1'));
		},
	};
}

// ------------------------------------------------------------- browser

// A context in which every request is recorded and nothing leaves
// 127.0.0.1; the page watches for errors and dialogs.
async function newContext(browser, env) {
	const ctx = await browser.newContext();
	const seen = { requests: [], errors: [], console: [], dialogs: [] };
	await ctx.route(/.*/, route => {
		const u = route.request().url();
		if (u.startsWith('http://127.0.0.1:') || u.startsWith('data:'))
			return route.continue();
		return route.abort();
	});
	ctx.on('request', r => seen.requests.push({
		method: r.method(), url: r.url(),
		frame: r.frame() ? r.frame().url() : '',
	}));
	ctx.on('page', p => watch(p, seen));
	return { ctx, seen, env };
}

function watch(page, seen) {
	page.on('pageerror', e => seen.errors.push(String(e)));
	page.on('console', m => {
		// Chromium's own line for a failed request (the 500 from the
		// cart, an aborted request) is not a script error.
		if (m.type() === 'error' &&
		    !m.text().startsWith('Failed to load resource'))
			seen.console.push(m.text());
	});
	page.on('dialog', d => {
		seen.dialogs.push(d.message());
		d.dismiss().catch(() => {});
	});
}

async function visit(page, url) {
	await page.goto(url);
	await page.waitForLoadState('networkidle');
}

async function cookieMap(ctx, origin) {
	const out = {};
	for (const c of await ctx.cookies(origin))
		out[c.name] = c;
	return out;
}

function cookieValue(c) {
	if (!c)
		return null;
	try {
		return decodeURIComponent(c.value);
	} catch {
		return `<undecodable ${c.value}>`;
	}
}

// 30 days from now, give or take a day: expires is in seconds.
function thirtyDays(c) {
	const want = Date.now() / 1000 + 30 * DAY;
	return c && c.path === '/' && Math.abs(c.expires - want) < DAY;
}

function cleanPage(name, seen, extraErrors = []) {
	const all = [...seen.errors, ...seen.console, ...extraErrors];
	check(`${name}: no page error, console error or dialog`,
		all.length === 0 && seen.dialogs.length === 0,
		show({ errors: all, dialogs: seen.dialogs }));
}

// The snippet itself is fetched from the daemon; every other request is
// to the storefront's own origin.
function ownOrigin(name, seen, origin, daemon) {
	const script = new RegExp(`^${daemon}/storefront/(shopify|ecwid)\\.js$`);
	const other = seen.requests.filter(r =>
		!r.url.startsWith(origin + '/') && !script.test(r.url));
	check(`${name}: no request leaves the storefront's origin`,
		other.length === 0, show(other));
}

async function shot(page, name, box, value) {
	fs.mkdirSync(opt.artifacts, { recursive: true });
	await page.evaluate(([sel, text]) => {
		document.querySelector(sel).textContent = text;
	}, [box, value]);
	await page.screenshot({ path: path.join(opt.artifacts, name),
		fullPage: true });
}

// ------------------------------------------------------------ Shopify

async function shopifyLanding(browser, shop, origin, daemon) {
	const T = 'shopify landing';
	const { ctx, seen } = await newContext(browser);
	const page = await ctx.newPage();
	const before = shop.updates.length;
	await visit(page, `${origin}/products/mug?ref=SALLY20&affiliated_click=42`);
	const ups = shop.updates.slice(before);
	check(`${T}: exactly one POST /cart/update.js`, ups.length === 1,
		show(ups));
	const up = ups[0] || {};
	check(`${T}: the update is JSON {attributes: {ref, affiliated_click}}`,
		/^application\/json/.test(up.type || '') &&
		show(up.body) === show({ attributes: { ref: 'SALLY20',
			affiliated_click: '42' } }), show(up));
	const cart = shop.carts.get(up.token) || { attributes: {} };
	check(`${T}: the shop's cart (the visitor's cart cookie) holds both`,
		cart.attributes.ref === 'SALLY20' &&
		cart.attributes.affiliated_click === '42',
		show(cart.attributes));
	const jar = await cookieMap(ctx, origin);
	check(`${T}: aff_ref and aff_click cookies set, path /, ~30 days`,
		cookieValue(jar.aff_ref) === 'SALLY20' &&
		cookieValue(jar.aff_click) === '42' &&
		thirtyDays(jar.aff_ref) && thirtyDays(jar.aff_click),
		show([jar.aff_ref, jar.aff_click]));
	check(`${T}: the cookies are first-party and SameSite=Lax`,
		jar.aff_ref && jar.aff_ref.domain === '127.0.0.1' &&
		jar.aff_ref.sameSite === 'Lax' && !jar.aff_ref.httpOnly,
		show(jar.aff_ref));
	check(`${T}: the page's own scripts still run`,
		await page.evaluate(() => document.body.dataset.after) === 'ran');
	await shot(page, 'storefront-shopify.png', '#cart',
		'cart attributes (as the shop received them):\n' +
		JSON.stringify(cart.attributes, null, 2) + '\ncookies: ' +
		await page.evaluate(() => document.cookie));

	// Navigation in the same tab (same session): no ref in the URL.
	const mark = shop.updates.length;
	await visit(page, `${origin}/collections/all`);
	await visit(page, `${origin}/cart`);
	check(`${T}: later page views in the session do not POST again`,
		shop.updates.length === mark, show(shop.updates.slice(mark)));
	check(`${T}: the cart still carries the ref after navigation`,
		cart.attributes.ref === 'SALLY20', show(cart.attributes));
	const jar2 = await cookieMap(ctx, origin);
	check(`${T}: the cookies survive navigation`,
		cookieValue(jar2.aff_ref) === 'SALLY20' &&
		cookieValue(jar2.aff_click) === '42');

	// The visitor comes back later (new tab: a new session) and the shop
	// has started a new cart; no ref in the URL: the ref and click id
	// from our cookies reach the new cart.
	await ctx.clearCookies({ name: 'cart' });
	const tab = await ctx.newPage();
	const mark2 = shop.updates.length;
	await visit(tab, `${origin}/products/teapot`);
	const again = shop.updates.slice(mark2);
	const fresh = shop.carts.get((await cookieMap(ctx, origin)).cart?.value);
	check(`${T}: a new session carries the ref from the cookie to its cart`,
		fresh && fresh !== cart && fresh.attributes.ref === 'SALLY20' &&
		fresh.attributes.affiliated_click === '42' && again.length === 1,
		show({ cart: fresh, updates: again }));
	cleanPage(T, seen);
	ownOrigin(T, seen, origin, daemon);
	await ctx.close();
}

async function shopifyReplace(browser, shop, origin) {
	const T = 'shopify new ref';
	const { ctx, seen } = await newContext(browser);
	const page = await ctx.newPage();
	await visit(page, `${origin}/products/mug?ref=SALLY20&affiliated_click=42`);
	const token = shop.updates.at(-1).token;
	const cart = shop.carts.get(token);

	// A second referral link, this one without a click id (e.g. a plain
	// ?ref= link from a newsletter).
	let mark = shop.updates.length;
	await visit(page, `${origin}/products/mug?ref=BOB7`);
	let ups = shop.updates.slice(mark);
	check(`${T}: a new ref in the URL is sent to the cart`,
		ups.length === 1 && ups[0].body.attributes.ref === 'BOB7',
		show(ups));
	let jar = await cookieMap(ctx, origin);
	check(`${T}: a new ref replaces the aff_ref cookie`,
		cookieValue(jar.aff_ref) === 'BOB7', show(jar.aff_ref));
	check(`${T}: the old click id is not paired with the new ref in the cart`,
		cart.attributes.ref === 'BOB7' &&
		cart.attributes.affiliated_click !== '42',
		`cart attributes ${show(cart.attributes)}; update sent ` +
		show(ups[0] && ups[0].body));
	check(`${T}: the old click id is not kept in aff_click for the new ref`,
		cookieValue(jar.aff_click) !== '42', show(jar.aff_click));

	// Same ref, a newer click (the visitor followed the link again).
	mark = shop.updates.length;
	await visit(page, `${origin}/products/mug?ref=BOB7&affiliated_click=77`);
	ups = shop.updates.slice(mark);
	jar = await cookieMap(ctx, origin);
	check(`${T}: a newer click id for the same ref reaches the cart`,
		cart.attributes.affiliated_click === '77',
		`cart attributes ${show(cart.attributes)}; updates ${show(ups)}; ` +
		`aff_click cookie ${show(cookieValue(jar.aff_click))}`);
	cleanPage(T, seen);
	await ctx.close();
}

async function shopifyNone(browser, shop, origin, daemon) {
	const T = 'shopify no ref';
	const { ctx, seen } = await newContext(browser);
	const page = await ctx.newPage();
	const mark = shop.updates.length;
	await visit(page, `${origin}/products/mug`);
	await visit(page, `${origin}/collections/all?ref=`);
	await visit(page, `${origin}/collections/all?utm_source=x`);
	check(`${T}: no POST /cart/update.js`, shop.updates.length === mark,
		show(shop.updates.slice(mark)));
	const jar = await cookieMap(ctx, origin);
	check(`${T}: no aff_ref / aff_click cookie`,
		!jar.aff_ref && !jar.aff_click, show(Object.keys(jar)));
	cleanPage(T, seen);
	ownOrigin(T, seen, origin, daemon);
	await ctx.close();
}

async function shopifyFailure(browser, shop, origin, daemon) {
	const T = 'shopify cart failure';
	const { ctx, seen } = await newContext(browser);
	const page = await ctx.newPage();
	shop.fail = 1;
	let mark = shop.updates.length;
	await visit(page, `${origin}/products/mug?ref=SALLY20&affiliated_click=42`);
	const first = shop.updates.slice(mark);
	check(`${T}: the update was tried and answered 500`,
		first.length === 1 && first[0].status === 500, show(first));
	await page.click('#buy');
	check(`${T}: the page keeps working`,
		await page.evaluate(() => document.body.dataset.after) === 'ran' &&
		(await page.innerText('#buy')) === 'Added');
	const rejections = await page.evaluate(() => window.__rejections);

	mark = shop.updates.length;
	await visit(page, `${origin}/collections/all`);
	const retry = shop.updates.slice(mark);
	check(`${T}: the next page view retries (ref from the cookie)`,
		retry.length === 1 && retry[0].status === 200 &&
		retry[0].body.attributes.ref === 'SALLY20', show(retry));
	mark = shop.updates.length;
	await visit(page, `${origin}/cart`);
	check(`${T}: once it succeeded, no more updates in this session`,
		shop.updates.length === mark, show(shop.updates.slice(mark)));

	// The cart endpoint unreachable (connection refused / blocked).
	const tab = await ctx.newPage();
	await tab.route('**/cart/update.js', r => r.abort('connectionrefused'));
	await visit(tab, `${origin}/products/mug?ref=NET1`);
	const rej2 = await tab.evaluate(() => window.__rejections);
	check(`${T}: an unreachable cart endpoint is swallowed too`,
		await tab.evaluate(() => document.body.dataset.after) === 'ran');
	cleanPage(T, seen, [...rejections, ...rej2]);
	ownOrigin(T, seen, origin, daemon);
	await ctx.close();
}

async function shopifyOdd(browser, shop, origin) {
	const T = 'shopify odd ref';
	const { ctx, seen } = await newContext(browser);
	const page = await ctx.newPage();
	await visit(page, `${origin}/products/plain`);
	const baseline = await page.evaluate(() => document.scripts.length);
	// A code with every character affiliate codes may have.
	let mark = shop.updates.length;
	await visit(page, `${origin}/products/mug?ref=Sally_20-x&affiliated_click=7`);
	let ups = shop.updates.slice(mark);
	check(`${T}: a code with _ and - is sent exactly`,
		ups.length === 1 && ups[0].body.attributes.ref === 'Sally_20-x' &&
		ups[0].body.attributes.affiliated_click === '7', show(ups));
	// Values no affiliate code can have: like Ecwid's, the Shopify script
	// takes only code-shaped values ([A-Za-z0-9._~-]{1,64}), so such a ref
	// is passed over, never sent mangled, and the earlier referral stays.
	const cases = [
		['a%20b%22%3Cscript%3E', 'a b"<script>'],
		['%3Cimg%20src%3Dx%20onerror%3Dwindow.__pwned%3D1%3E',
			'<img src=x onerror=window.__pwned=1>'],
		['x%3B%20aff_click%3D999%3B%20path%3D%2F', 'x; aff_click=999; path=/'],
	];
	for (const [raw, want] of cases) {
		mark = shop.updates.length;
		await visit(page, `${origin}/products/mug?ref=${raw}`);
		ups = shop.updates.slice(mark);
		check(`${T}: ${show(want)} is not sent`,
			ups.every(u => u.body.attributes.ref === 'Sally_20-x'),
			show(ups));
		const jar = await cookieMap(ctx, origin);
		check(`${T}: ${show(want)} does not replace the earlier referral`,
			cookieValue(jar.aff_ref) === 'Sally_20-x' &&
			cookieValue(jar.aff_click) === '7',
			show(Object.values(jar).map(c => [c.name, c.value])));
		const dom = await page.evaluate(() => ({
			scripts: document.scripts.length,
			imgs: document.images.length,
			pwned: window.__pwned,
		}));
		check(`${T}: ${show(want)} puts nothing into the page`,
			dom.scripts === baseline && dom.imgs === 0 && dom.pwned === undefined,
			show(dom));
	}
	// The stored referral is then carried by a page view without ref,
	// into a new cart.
	await ctx.clearCookies({ name: 'cart' });
	const tab = await ctx.newPage();
	await visit(tab, `${origin}/cart`);
	const fresh = shop.carts.get((await cookieMap(ctx, origin)).cart?.value);
	check(`${T}: the cookie value is carried exactly on the next session`,
		fresh && fresh.attributes.ref === 'Sally_20-x', show(fresh));
	cleanPage(T, seen);
	await ctx.close();
}

async function shopifyBadCookie(browser, shop, origin) {
	const T = 'shopify foreign cookie';
	const { ctx, seen } = await newContext(browser);
	// Another script on the shop left an aff_ref that is not
	// percent-encoding (aff_ref is a common name).
	await ctx.addCookies([{ name: 'aff_ref', value: '50%off',
		url: origin }]);
	const page = await ctx.newPage();
	await visit(page, `${origin}/products/mug`);
	check(`${T}: a malformed aff_ref cookie does not throw`,
		seen.errors.length === 0, show(seen.errors));
	await ctx.close();
}

async function shopifyNewCart(browser, shop, origin) {
	const T = 'shopify new cart';
	const { ctx, seen } = await newContext(browser);
	const page = await ctx.newPage();
	await visit(page, `${origin}/products/mug?ref=SALLY20&affiliated_click=42`);
	const first = shop.updates.at(-1).token;
	// The visitor checks out; Shopify answers the thank-you page with a
	// new, empty cart, and the visitor goes on shopping in the same tab.
	await visit(page, `${origin}/checkouts/abc/thank_you`);
	await visit(page, `${origin}/products/teapot`);
	const jar = await cookieMap(ctx, origin);
	const token = jar.cart && jar.cart.value;
	const cart = shop.carts.get(token) || { attributes: {} };
	check(`${T}: the cart after a completed checkout gets the ref too`,
		token !== first && cart.attributes.ref === 'SALLY20',
		`first cart ${first}, now ${token} with ${show(cart.attributes)}`);
	cleanPage(T, seen);
	await ctx.close();
}

// -------------------------------------------------------------- Ecwid

const ecwidState = page => page.evaluate(() => ({
	fields: JSON.parse(JSON.stringify(window.ec.order.extraFields)),
	registered: window.__ecwid.registered,
	refreshed: window.__ecwid.refreshed,
	atRefresh: window.__ecwid.atRefresh,
	rejections: window.__rejections,
}));

async function ecwidLoaded(page) {
	await page.evaluate(() => window.__ecwidApiLoaded());
	return ecwidState(page);
}

// Hidden: a value and no checkoutDisplaySection (Ecwid shows such a
// field to nobody at checkout), and no input type.
function hidden(f, value) {
	return !!f && f.value === value && !('checkoutDisplaySection' in f) &&
		(!('type' in f) || f.type === 'hidden');
}

async function ecwidLanding(browser, origin, daemon) {
	const T = 'ecwid landing';
	const { ctx, seen } = await newContext(browser);
	const page = await ctx.newPage();
	await visit(page, `${origin}/store?ref=ZED99&affiliated_click=42`);
	const early = await ecwidState(page);
	check(`${T}: the script registers with Ecwid.OnAPILoaded`,
		early.registered === 1, show(early));
	const st = await ecwidLoaded(page);
	check(`${T}: extraFields.ref is a hidden field holding the ref`,
		hidden(st.fields.ref, 'ZED99'), show(st.fields.ref));
	check(`${T}: extraFields.affiliated_click holds the click id`,
		hidden(st.fields.affiliated_click, '42'),
		show(st.fields.affiliated_click));
	check(`${T}: the merchant's own extra fields are left alone`,
		show(st.fields.gift_note) === show({ title: 'Gift note',
			type: 'text', checkoutDisplaySection: 'order_comments' }),
		show(st.fields.gift_note));
	check(`${T}: Ecwid.refreshConfig() called after the fields are set`,
		st.refreshed >= 1 && st.atRefresh.length >= 1 &&
		JSON.parse(st.atRefresh.at(-1)).ref?.value === 'ZED99',
		show({ refreshed: st.refreshed, atRefresh: st.atRefresh }));
	const jar = await cookieMap(ctx, origin);
	check(`${T}: aff_ref and aff_click cookies set, path /, ~30 days`,
		cookieValue(jar.aff_ref) === 'ZED99' &&
		cookieValue(jar.aff_click) === '42' &&
		thirtyDays(jar.aff_ref) && thirtyDays(jar.aff_click),
		show([jar.aff_ref, jar.aff_click]));
	await shot(page, 'storefront-ecwid.png', '#fields',
		'ec.order.extraFields after OnAPILoaded:\n' +
		JSON.stringify(st.fields, null, 2) + `\nrefreshConfig() calls: ` +
		`${st.refreshed}\ncookies: ` +
		await page.evaluate(() => document.cookie));

	// A later page without ref: the cookie carries it.
	await visit(page, `${origin}/store/Mug-p42`);
	const later = await ecwidLoaded(page);
	check(`${T}: a later page view without ref carries it from the cookie`,
		hidden(later.fields.ref, 'ZED99') &&
		hidden(later.fields.affiliated_click, '42') && later.refreshed >= 1,
		show(later));

	// A new referral replaces the pair: ref without click id.
	await visit(page, `${origin}/store?ref=NEW1`);
	const repl = await ecwidLoaded(page);
	const jar2 = await cookieMap(ctx, origin);
	check(`${T}: a new ref replaces the old one (and drops the old click)`,
		hidden(repl.fields.ref, 'NEW1') && !repl.fields.affiliated_click &&
		cookieValue(jar2.aff_ref) === 'NEW1' && !jar2.aff_click,
		show({ fields: repl.fields, cookies: Object.keys(jar2) }));
	cleanPage(T, seen, [...st.rejections, ...repl.rejections]);
	ownOrigin(T, seen, origin, daemon);
	await ctx.close();
}

async function ecwidLate(browser, origin) {
	const T = 'ecwid loads late';
	const { ctx, seen } = await newContext(browser);
	const page = await ctx.newPage();
	await visit(page, `${origin}/store?late=1&ref=ZED99`);
	await page.waitForFunction(() => window.Ecwid);
	await page.waitForFunction(() => window.__ecwid.registered > 0,
		null, { timeout: 3000 }).catch(() => {});
	const st = await ecwidLoaded(page);
	check(`${T}: the script waits for window.Ecwid and still registers`,
		st.registered === 1 && hidden(st.fields.ref, 'ZED99') &&
		st.refreshed >= 1, show(st));
	cleanPage(T, seen);
	await ctx.close();
}

async function ecwidNone(browser, origin, daemon) {
	const T = 'ecwid no ref';
	const { ctx, seen } = await newContext(browser);
	const page = await ctx.newPage();
	for (const q of ['', '?ref=', '?utm_source=x']) {
		await visit(page, `${origin}/store${q}`);
		const st = await ecwidLoaded(page);
		check(`${T}${q ? ' (' + q + ')' : ''}: no extra fields set`,
			!('ref' in st.fields) && !('affiliated_click' in st.fields) &&
			Object.keys(st.fields).length === 1, show(st.fields));
	}
	const jar = await cookieMap(ctx, origin);
	check(`${T}: no aff_ref / aff_click cookie`,
		!jar.aff_ref && !jar.aff_click, show(Object.keys(jar)));
	cleanPage(T, seen);
	ownOrigin(T, seen, origin, daemon);
	await ctx.close();
}

async function ecwidOdd(browser, origin) {
	const T = 'ecwid odd ref';
	const { ctx, seen } = await newContext(browser);
	const page = await ctx.newPage();
	await visit(page, `${origin}/store`);
	const baseline = await page.evaluate(() => document.scripts.length);
	// A code with every character affiliate codes may have.
	await visit(page, `${origin}/store?ref=Sally_20-x&affiliated_click=7`);
	let st = await ecwidLoaded(page);
	check(`${T}: a code with _ and - is kept exactly`,
		hidden(st.fields.ref, 'Sally_20-x') &&
		hidden(st.fields.affiliated_click, '7'), show(st.fields));
	// Values no affiliate code can have: the Ecwid script takes only
	// code-shaped values ([A-Za-z0-9._~-]{1,64}), so such a ref is passed
	// over, never stored mangled, and the earlier referral stays.
	for (const [raw, want] of [
		['a%20b%22%3Cscript%3E', 'a b"<script>'],
		['%3Cimg%20src%3Dx%20onerror%3Dwindow.__pwned%3D1%3E',
			'<img src=x onerror=window.__pwned=1>'],
		['%E0%A4%A', '(bad escape)'],
	]) {
		await visit(page, `${origin}/store?ref=${raw}`);
		st = await ecwidLoaded(page);
		const dom = await page.evaluate(() => ({
			scripts: document.scripts.length,
			imgs: document.images.length,
			pwned: window.__pwned,
		}));
		check(`${T}: ${show(want)} puts nothing into the page`,
			dom.scripts === baseline && dom.imgs === 0 && dom.pwned === undefined,
			show(dom));
		check(`${T}: ${show(want)} is stored exactly or not at all`,
			!st.fields.ref || st.fields.ref.value === want ||
			st.fields.ref.value === 'Sally_20-x', show(st.fields.ref));
		check(`${T}: ${show(want)} does not replace the earlier referral`,
			st.fields.ref && st.fields.ref.value === 'Sally_20-x',
			show(st.fields.ref));
	}
	cleanPage(T, seen);
	await ctx.close();
}

// --------------------------------------------------------------- main

async function main() {
	const started = Date.now();
	const work = fs.mkdtempSync(path.join(os.tmpdir(),
		'affiliated-storefront-'));
	const conf = path.join(work, 'affiliated.conf');
	const log = path.join(work, 'stderr.log');
	fs.writeFileSync(conf, [
		'[server]', 'listen = 127.0.0.1:0', 'log_level = info',
		'[store]', `path = ${work}/affiliated.db`,
		'[security]', `key_file = ${work}/master.key`,
		'[shopify]', 'api_key = storefront-key',
		'api_secret = storefront-secret',
		'base_url = http://127.0.0.1:9/{shop}',
		'[ecwid]', 'client_id = storefront-client',
		'client_secret = storefront-ecwid-secret',
		'api_base = http://127.0.0.1:9/api/v3',
		'oauth_base = http://127.0.0.1:9/api/oauth', ''].join('\n'));
	const { proc: daemonProc, port } =
		await startDaemon(opt.bin, conf, log);
	const daemon = `http://127.0.0.1:${port}`;
	const sfy = shopifyShop(daemon);
	const shopSrv = await listen(sfy.handler);
	const shopOrigin = `http://127.0.0.1:${shopSrv.address().port}`;
	const ecw = ecwidShop(daemon);
	const ecwidSrv = await listen(ecw.handler);
	const ecwidOrigin = `http://127.0.0.1:${ecwidSrv.address().port}`;
	let browser = null;
	try {
		for (const p of ['shopify', 'ecwid']) {
			const r = await fetch(`${daemon}/storefront/${p}.js`);
			await r.text();
			check(`daemon serves /storefront/${p}.js as JavaScript`,
				r.status === 200 && /^application\/javascript/
					.test(r.headers.get('content-type') || ''),
				`${r.status} ${r.headers.get('content-type')}`);
		}
		const nf = await fetch(`${daemon}/storefront/woocommerce.js`);
		await nf.text();
		check('no script for a platform that is not configured',
			nf.status === 404, String(nf.status));

		browser = await launchChromium();
		const steps = [
			() => shopifyLanding(browser, sfy, shopOrigin, daemon),
			() => shopifyReplace(browser, sfy, shopOrigin),
			() => shopifyNone(browser, sfy, shopOrigin, daemon),
			() => shopifyFailure(browser, sfy, shopOrigin, daemon),
			() => shopifyOdd(browser, sfy, shopOrigin),
			() => shopifyBadCookie(browser, sfy, shopOrigin),
			() => shopifyNewCart(browser, sfy, shopOrigin),
			() => ecwidLanding(browser, ecwidOrigin, daemon),
			() => ecwidLate(browser, ecwidOrigin),
			() => ecwidNone(browser, ecwidOrigin, daemon),
			() => ecwidOdd(browser, ecwidOrigin),
		];
		for (const step of steps) {
			try {
				await step();
			} catch (e) {
				check(`step ${step.toString().slice(6, 40)}`, false, e.stack);
			}
		}
	} catch (e) {
		check('storefront run', false, e.stack);
	} finally {
		if (browser)
			await browser.close();
		shopSrv.close();
		ecwidSrv.close();
		await stopDaemon(daemonProc, log, check);
		if (checks.failed)
			console.log(daemonWarnings(log));
		if (!process.env.AFFILIATED_KEEP_TMP)
			fs.rmSync(work, { recursive: true, force: true });
	}
	process.exit(checks.report(
		` (${((Date.now() - started) / 1000).toFixed(1)} s)`));
}

await main();
