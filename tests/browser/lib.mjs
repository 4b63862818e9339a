// What the browser tests share: their command line, their checks, the
// daemon they start and stop, and the local servers they stand up.

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));

export const { chromium } = await import(
	path.join(here, 'node_modules', 'playwright-core', 'index.mjs'));

// --key value pairs; each of required must be given.
export function options(required) {
	const o = {};
	const a = process.argv.slice(2);
	for (let i = 0; i + 1 < a.length; i += 2)
		o[a[i].replace(/^--/, '')] = a[i + 1];
	for (const k of required)
		if (!o[k])
			throw new Error(`missing --${k}`);
	return o;
}

// One "ok - name" or "not ok - name: detail" line per check; report()
// prints the totals and gives the exit status.
export function checker() {
	const c = { passed: 0, failed: 0, failures: [] };
	c.check = (name, ok, detail = '') => {
		if (ok) {
			c.passed++;
			console.log(`ok - ${name}`);
		} else {
			c.failed++;
			c.failures.push(name);
			console.log(`not ok - ${name}${detail ? ': ' + detail : ''}`);
		}
		return ok;
	};
	c.report = (extra = '') => {
		console.log(`\n${c.passed} passed, ${c.failed} failed${extra}`);
		if (c.failed)
			console.log('failed:\n  ' + c.failures.join('\n  '));
		return c.failed === 0 && c.passed > 0 ? 0 : 1;
	};
	return c;
}

export const sleep = ms => new Promise(r => setTimeout(r, ms));

// Debian's Chromium (or $CHROMIUM), headless, nothing fetched behind our
// back.
export function launchChromium() {
	return chromium.launch({
		executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
		headless: true,
		args: ['--headless', '--no-sandbox', '--disable-gpu',
			'--disable-quic', '--no-first-run',
			'--disable-background-networking',
			'--disable-component-update', '--disable-sync'],
	});
}

// The daemon's warnings and errors, to print when a check failed.
export function daemonWarnings(log) {
	return fs.readFileSync(log, 'utf8').split('\n')
		.filter(l => /level=(warn|error)/.test(l)).join('\n');
}

// Starts `bin serve --config conf`, its standard error appended to log;
// resolves to the process and the port it listens on.
export async function startDaemon(bin, conf, log) {
	const err = fs.openSync(log, 'a');
	const proc = spawn(bin, ['serve', '--config', conf],
		{ stdio: ['ignore', 'ignore', err] });
	fs.closeSync(err);
	for (let waited = 0; waited < 20000; waited += 50) {
		const m = /event=server\.listening.*\bport=(\d+)/
			.exec(fs.readFileSync(log, 'utf8'));
		if (m && m[1] !== '0')
			return { proc, port: Number(m[1]) };
		if (proc.exitCode !== null)
			break;
		await sleep(50);
	}
	proc.kill('SIGKILL');
	throw new Error('daemon did not start:\n' + fs.readFileSync(log, 'utf8'));
}

// Stops the daemon by its pid and checks that it ended cleanly.
export async function stopDaemon(proc, log, check) {
	if (proc.exitCode === null) {
		const done = new Promise(r => proc.once('exit', r));
		proc.kill('SIGTERM');
		await done;
	}
	const text = fs.readFileSync(log, 'utf8');
	check('daemon stopped cleanly without sanitizer reports',
		proc.exitCode === 0 && !/AddressSanitizer|LeakSanitizer|runtime error:/
			.test(text), `exit ${proc.exitCode}`);
}

// An HTTP server on 127.0.0.1 and a port of its own.
export function listen(handler) {
	return new Promise((resolve, reject) => {
		const srv = http.createServer(handler);
		srv.once('error', reject);
		srv.listen(0, '127.0.0.1', () => resolve(srv));
	});
}
