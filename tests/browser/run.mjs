// Browser tests of the pages: the real daemon on a loopback port with a
// temporary data directory, driven through headless Chromium (Debian's
// /usr/bin/chromium) by playwright-core. Every request that would leave
// the machine is answered locally: the shop's storefront by a stub page,
// anything else is aborted.
//
//   node run.mjs --bin build/x/affiliated --helper build/x/.../browser_helper
//                --sim build/x/tests/sim --source . --artifacts DIR
//
// Prints one line per check and "N passed, M failed" at the end; exits 1
// when anything failed. Screenshots go to --artifacts.

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { checker, daemonWarnings, launchChromium, options, sleep,
	startDaemon, stopDaemon } from './lib.mjs';

const SECRET = 'browser-secret-7';
const SHOP = 'sally.myshopify.com';
const SHOP_NAME = "Sally's <b>Mugs</b>";
const HOSTILE = 'Ann "<script>alert(1)</script>"';

const opt = options(['bin', 'helper', 'sim', 'source', 'artifacts']);
const checks = checker();
const { check } = checks;

function freePort() {
	return new Promise((resolve, reject) => {
		const s = net.createServer();
		s.once('error', reject);
		s.listen(0, '127.0.0.1', () => {
			const { port } = s.address();
			s.close(() => resolve(port));
		});
	});
}

function run(cmd, args) {
	const r = spawnSync(cmd, args, { encoding: 'utf8' });
	if (r.status !== 0)
		throw new Error(`${path.basename(cmd)} ${args[0]} failed ` +
			`(${r.status}): ${r.stderr}`);
	return r.stdout;
}

// A browser context that answers the storefront locally and lets nothing
// else leave the machine.
async function newContext(browser, base, extra = {}) {
	const ctx = await browser.newContext({ ...extra });
	await ctx.route(/^https?:\/\//, route => {
		const url = route.request().url();
		if (url.startsWith(base))
			return route.continue();
		if (url.startsWith(`https://${SHOP}/`))
			return route.fulfill({
				status: 200, contentType: 'text/html',
				body: '<!doctype html><title>Storefront</title>' +
					'<h1>Sally\'s storefront</h1>',
			});
		return route.abort();
	});
	return ctx;
}

async function shot(page, name) {
	fs.mkdirSync(opt.artifacts, { recursive: true });
	await page.screenshot({ path: path.join(opt.artifacts, name),
		fullPage: true });
}

async function text(page, selector) {
	return (await page.locator(selector).first().innerText()).trim();
}

// The merchant signs in with an admin link and goes through the wizard.
async function wizard(ctx, base, link) {
	const page = await ctx.newPage();
	await page.goto(link);
	await page.getByRole('button', { name: 'Sign in' }).click();
	await page.waitForURL(`${base}/wizard`);
	check('admin link signs in and opens the wizard',
		(await text(page, '.step')) === 'Step 1 of 7');
	check('program name defaults to the shop name',
		await page.inputValue('#f-name') === SHOP_NAME);
	await shot(page, 'wizard-step1.png');

	// Wrong CSRF token: refused, nothing changed.
	await page.evaluate(() => {
		document.querySelector('form[action="/wizard"] ' +
			'input[name=csrf]').value = 'forged';
	});
	const refused = await Promise.all([
		page.waitForResponse(r => r.url() === `${base}/wizard` &&
			r.request().method() === 'POST'),
		page.getByRole('button', { name: 'Next' }).click(),
	]);
	check('wizard refuses a forged CSRF token with 403',
		refused[0].status() === 403 &&
		(await text(page, 'h1')) === 'This form has expired');
	await page.goto(`${base}/wizard`);

	const next = () => page.getByRole('button', { name: 'Next' }).click();
	await next();                                   // name (default)
	await page.getByLabel('Customer referral').check();
	await next();                                   // kind
	await page.fill('#f-landing', 'https://evil.example.com/');
	await next();
	check('landing page off the shop is refused next to the field',
		(await text(page, '#f-landing-err')).includes(SHOP));
	check('typed value is kept after the error',
		await page.inputValue('#f-landing') === 'https://evil.example.com/');
	await page.fill('#f-landing', `https://${SHOP}/collections/mugs`);
	await next();                                   // landing
	await shot(page, 'wizard-commission.png');
	await page.fill('#f-rate', '15');
	await next();                                   // commission
	await next();                                   // friend (10%)
	await next();                                   // window (30)
	await page.getByLabel('LinkedIn').uncheck();
	await page.getByRole('button', { name: 'Create program' }).click();
	await page.waitForURL(/\/wizard\/done\?program=\d+$/);
	const signup = await page.inputValue('#signup-link');
	check('last step shows the signup link',
		signup === `${base}/a/${SHOP}/signup`, signup);
	await page.getByRole('button', { name: 'Copy' }).click();
	/* The clipboard write settles after the click returns; the label
	 * changes then, and changes back two seconds later. */
	const copied = await page.waitForFunction(() =>
		document.querySelector('[data-copy]').innerText === 'Copied',
		null, { timeout: 1500 }).then(() => true, () => false);
	check('copy button answers', copied);
	await shot(page, 'wizard-done.png');
	await page.close();
	return signup;
}

async function signup(ctx, url, name, email, password) {
	const page = await ctx.newPage();
	page.on('dialog', d => {
		check('no script from a name runs', false, d.message());
		d.dismiss();
	});
	await page.goto(url);
	await page.fill('#f-name', name);
	await page.fill('#f-email', email);
	await page.fill('#f-password', password);
	await page.getByRole('button', { name: 'Create my account' }).click();
	await page.waitForLoadState();
	return page;
}

async function affiliate(browser, base, signupUrl) {
	const ctx = await newContext(browser, base);
	let page = await signup(ctx, signupUrl, HOSTILE, 'ann@example.com',
		'short');
	check('weak password is refused next to the field',
		(await text(page, '#f-password-err')) ===
		'Use at least 10 characters.');
	check('name and email are kept after an error',
		await page.inputValue('#f-name') === HOSTILE &&
		await page.inputValue('#f-email') === 'ann@example.com');
	await page.fill('#f-password', 'a long enough password');
	await page.getByRole('button', { name: 'Create my account' }).click();
	// Signup signs nobody in (a known email is answered alike): log in.
	await page.waitForURL(`${base}/a/${SHOP}/login?joined=1`);
	check('signup leads to the login page with a thank-you',
		(await text(page, 'p.banner')).startsWith('Thank you'));
	await page.fill('#f-email', 'ann@example.com');
	await page.fill('#f-password', 'a long enough password');
	await page.getByRole('button', { name: 'Log in' }).click();
	await page.waitForURL(`${base}/a/${SHOP}/`);
	check('signup opens the affiliate page with the name escaped',
		(await text(page, 'h1')) === `Hello, ${HOSTILE}`);
	const link = await page.inputValue('#my-link');
	check('the page shows the referral link',
		link.startsWith(`${base}/r/`), link);
	const fb = await page.locator('a.share-facebook').getAttribute('href');
	check('share button opens Facebook with the link tagged via=facebook',
		fb.startsWith('https://www.facebook.com/sharer/sharer.php?u=') &&
		decodeURIComponent(fb.split('u=')[1]) === `${link}?via=facebook`);
	check('no LinkedIn button when the program does not offer it',
		await page.locator('a.share-linkedin').count() === 0);

	// Following the link: a click is counted and the storefront opens
	// with ref and the click id.
	const shopper = await newContext(browser, base);
	const visit = await shopper.newPage();
	// Chromium does not hand redirects to the router: follow by hand.
	const [hop] = await Promise.all([
		visit.waitForResponse(r => r.url().startsWith(link)),
		visit.goto(`${link}?via=facebook`).catch(() => null),
	]);
	check('the link answers 302 and sets the aff_ref cookie',
		hop.status() === 302 &&
		(await shopper.cookies(base)).some(c => c.name === 'aff_ref'));
	const store = await shopper.newPage();
	await store.goto(hop.headers()['location']);
	const landed = new URL(store.url());
	const code = link.split('/r/')[1];
	check('the link leads to the landing page with ref',
		landed.host === SHOP && landed.pathname === '/collections/mugs' &&
		landed.searchParams.get('ref') === code, store.url());
	const clickId = landed.searchParams.get('affiliated_click');
	check('the landing URL carries the click id', /^\d+$/.test(clickId || ''));
	await shopper.close();

	await page.reload();
	check('the click appears on the affiliate page',
		(await text(page, '.figures li:first-child strong')) === '1');
	await page.close();
	return { ctx, code, clickId };
}

async function duplicateAndForged(browser, base, signupUrl) {
	const ctx = await newContext(browser, base);
	let page = await signup(ctx, signupUrl, 'Another Ann', 'ANN@example.com',
		'another long password');
	check('a second signup for the same email is answered as a new one',
		page.url() === `${base}/a/${SHOP}/login?joined=1` &&
		(await text(page, 'p.banner')).startsWith('Thank you'));
	await page.goto(`${base}/a/${SHOP}/login`);
	await page.fill('#f-email', 'ann@example.com');
	await page.fill('#f-password', 'a long enough password');
	await page.evaluate(() => {
		document.querySelector('input[name=csrf]').value = '0'.repeat(64);
	});
	await page.getByRole('button', { name: 'Log in' }).click();
	await page.waitForLoadState();
	check('login with a forged CSRF token is refused',
		(await text(page, 'h1')) === 'This form has expired');
	await page.goto(`${base}/a/${SHOP}/login`);
	await page.fill('#f-email', 'ann@example.com');
	await page.fill('#f-password', 'a long enough password');
	await page.getByRole('button', { name: 'Log in' }).click();
	await page.waitForURL(`${base}/a/${SHOP}/`);
	check('login with the right password opens the page', true);
	await ctx.close();
}

function sendOrder(base, code, clickId, work) {
	const fixture = path.join(opt.source,
		'tests/fixtures/shopify/order_note_attribute.json');
	const order = JSON.parse(fs.readFileSync(fixture, 'utf8'));
	const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
	order.created_at = order.processed_at = order.updated_at = now;
	// The fixture's order status page is sally-mugs': ours is SHOP's.
	order.order_status_url = order.order_status_url.replace(
		'sally-mugs.myshopify.com', SHOP);
	order.note_attributes = [
		{ name: 'ref', value: code },
		{ name: 'affiliated_click', value: clickId },
	];
	const file = path.join(work, 'order.json');
	fs.writeFileSync(file, JSON.stringify(order));
	return run(path.join(opt.sim, 'sim_shopify'), ['send', '--url',
		`${base}/webhooks/shopify`, '--secret', SECRET, '--shop', SHOP,
		'--topic', 'orders/paid', '--file', file]).trim();
}

async function sale(browser, base, aff, work) {
	const status = sendOrder(base, aff.code, aff.clickId, work);
	check('the order webhook is accepted', status === '200', status);
	const page = await aff.ctx.newPage();
	let orders = '';
	for (let i = 0; i < 100 && orders !== '1'; i++) {
		await page.goto(`${base}/a/${SHOP}/`);
		orders = await text(page, '.figures li:nth-child(2) strong');
		if (orders !== '1')
			await sleep(200);
	}
	check('the sale appears on the affiliate page', orders === '1');
	check('the affiliate page shows the sale amount',
		(await text(page, '.figures li:nth-child(4) strong')) === '$59.00');
	await page.setViewportSize({ width: 390, height: 844 });
	await shot(page, 'affiliate-page.png');
	await page.close();
}

async function report(ctx, base) {
	const page = await ctx.newPage();
	await page.goto(`${base}/admin`);
	check('the merchant report counts the order',
		(await text(page, '.figures li:nth-child(2) strong')) === '1');
	check('the merchant report shows the sales',
		(await text(page, '.figures li:nth-child(4) strong')) === '$59.00');
	check('the chart is drawn with a title',
		(await page.locator('svg title').first().textContent()) ===
		'Sales per day');
	await shot(page, 'report.png');
	const csv = await page.evaluate(async () => {
		const r = await fetch('/admin/reports?days=30&table=affiliates' +
			'&format=csv');
		return r.text();
	});
	check('the CSV export lists the affiliate, quoted',
		csv.split('\r\n')[1].startsWith(
			'"Ann ""<script>alert(1)</script>""",1,1,100.0%,59.00'), csv);
	await page.goto(`${base}/admin/orders`);
	check('the order list shows the attribution reason',
		(await page.locator('td').allInnerTexts()).some(
			t => t.includes('ref=')));
	await page.close();
}

async function main() {
	const work = fs.mkdtempSync(path.join(os.tmpdir(), 'affiliated-browser-'));
	const port = await freePort();
	const base = `http://127.0.0.1:${port}`;
	const conf = path.join(work, 'affiliated.conf');
	const log = path.join(work, 'stderr.log');
	fs.writeFileSync(conf, [
		'[server]', `listen = 127.0.0.1:${port}`, `public_url = ${base}`,
		'log_level = info', '[store]', `path = ${work}/affiliated.db`,
		'[security]', `key_file = ${work}/master.key`, '[shopify]',
		'api_key = browser-key', `api_secret = ${SECRET}`,
		'base_url = http://127.0.0.1:9/{shop}', ''].join('\n'));
	run(opt.bin, ['shops', 'add', '--platform', 'shopify', '--shop', SHOP,
		'--token', 'shpat_browser', '--name', SHOP_NAME, '--currency',
		'USD', '--config', conf]);
	const link = run(opt.helper, ['admin-link', '--shop', SHOP, '--config',
		conf]).trim();
	const { proc: daemon } = await startDaemon(opt.bin, conf, log);
	const browser = await launchChromium();
	try {
		const merchant = await newContext(browser, base);
		const signupUrl = await wizard(merchant, base, link);
		const aff = await affiliate(browser, base, signupUrl);
		await duplicateAndForged(browser, base, signupUrl);
		await sale(browser, base, aff, work);
		await report(merchant, base);
	} catch (e) {
		check('browser run', false, e.stack);
	} finally {
		await browser.close();
		await stopDaemon(daemon, log, check);
		if (checks.failed)
			console.log(daemonWarnings(log));
		if (!process.env.AFFILIATED_KEEP_TMP)
			fs.rmSync(work, { recursive: true, force: true });
	}
	process.exit(checks.report());
}

await main();
