// SPDX-License-Identifier: Apache-2.0
// lib.mjs — what the browser tests share: Chromium through puppeteer-core
// (Debian's /usr/bin/chromium, offline flags, a fresh profile), pages that
// record console errors, failed requests and CSP violations, screenshots
// into $RN_SHOTS, axe-core checks, sign-in and small waits.
// Run by tests/browser/run.sh, which starts the server ($BASE).
import { createRequire } from 'node:module';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import assert from 'node:assert/strict';

const src = new URL('../../', import.meta.url).pathname;
const require = createRequire(join(src, 'web', 'package.json'));
const puppeteer = require('puppeteer-core');
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

export const BASE = process.env.BASE;
export const SHOTS = process.env.RN_SHOTS || tmpdir();

export async function launch() {
  const profile = mkdtempSync(join(tmpdir(), 'rn_chromium.'));
  const browser = await puppeteer.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: [
      '--headless=new', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
      '--disable-dev-shm-usage', '--disable-extensions', '--mute-audio', `--user-data-dir=${profile}`,
    ],
    defaultViewport: { width: 1280, height: 900 },
    protocolTimeout: 60000,
  });
  const close = browser.close.bind(browser);
  browser.close = async () => {
    await close();
    rmSync(profile, { recursive: true, force: true });
  };
  return browser;
}

// A page that records what went wrong: page.problems lists console errors,
// page errors, CSP violations and failed requests (other than aborted ones).
export async function open(browser, path) {
  const page = await browser.newPage();
  page.problems = [];
  page.requests = [];
  page.on('console', (m) => m.type() === 'error' && page.problems.push('console: ' + m.text()));
  page.on('pageerror', (e) => page.problems.push('pageerror: ' + e.message));
  page.on('request', (r) => page.requests.push(r.url()));
  page.on('requestfailed', (r) => {
    const f = r.failure();
    if (!f || !/ERR_ABORTED/.test(f.errorText)) page.problems.push(`requestfailed: ${r.url()} ${f && f.errorText}`);
  });
  page.setDefaultTimeout(30000);
  if (path !== undefined) await page.goto(BASE + path, { waitUntil: 'load' });
  return page;
}

// Wait until the page says its view has drawn (<body data-ready="1">).
export async function ready(page, view) {
  await page.waitForFunction(
    (v) => document.body.dataset.ready === '1' && (!v || document.body.dataset.view === v),
    { polling: 50 },
    view || null,
  );
}

export async function shot(page, name) {
  await page.screenshot({ path: join(SHOTS, name + '.png'), fullPage: false });
}

// axe-core: no serious or critical violation. It is evaluated through the
// DevTools protocol, which the page's CSP does not govern.
export async function axe(page, context) {
  await page.evaluate(axeSource);
  const r = await page.evaluate(async (ctx) => {
    // eslint-disable-next-line no-undef
    const res = await axe.run(ctx || document, { resultTypes: ['violations'] });
    return res.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map((n) => n.target.join(' ')) }));
  }, context || null);
  const bad = r.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  assert.deepEqual(bad, [], 'axe: ' + JSON.stringify(bad, null, 1));
  return r;
}

export function noProblems(page) {
  assert.deepEqual(page.problems, [], page.problems.join('\n'));
}

// A fresh browser context for one person (its own cookies and session
// storage) and a page in it (open()); page.ctx is the context, to close.
export async function person(browser) {
  const ctx = await browser.createBrowserContext();
  const page = await open(ctx);
  page.ctx = ctx;
  return page;
}

// Fill in and send the sign-in form the page shows.
export async function submitLogin(page, name, password) {
  await page.type('#login input[name=name]', name);
  await page.type('#login input[name=password]', password);
  await page.click('#login button[type=submit]');
}

// Open the workspace at path (default /app/) and sign in as name; does not
// wait for the outcome.
export async function signInAs(page, name, password, path = '/app/') {
  await page.goto(BASE + path, { waitUntil: 'load' });
  await ready(page, 'login');
  await submitLogin(page, name, password);
}

// The demo accounts: u_<role>, password password-<role> unless given.
export async function signIn(page, role, password) {
  await signInAs(page, 'u_' + role, password || 'password-' + role);
}

// A new person signed in as u_<role>, on the first view (events).
export async function staff(browser, role, password) {
  const page = await person(browser);
  await signIn(page, role, password);
  await ready(page, 'events');
  return page;
}

// Go to a view by its address (#accounts, '#event/' + id) and wait for it.
export async function go(page, hash, view) {
  await page.evaluate((h) => (location.hash = h), hash);
  await ready(page, view);
}

// An admin adds an account on the accounts page (already open).
export async function addAccount(admin, name, role, password) {
  await admin.type('#add-user input[name=name]', name);
  await admin.select('#add-user select[name=role]', role);
  await admin.type('#add-user input[name=password]', password);
  await admin.click('#add-user button[type=submit]');
}

export async function text(page, selector) {
  return page.$eval(selector, (e) => e.textContent);
}
