// SPDX-License-Identifier: Apache-2.0
// sync.test.mjs — the workspace's sync view (#sync, web/assets/js/sync.js;
// issue 13: "the web app shows the sync state: last sync per peer, open
// conflicts"). On the demo database (run.sh) with no peer, the view says
// so; then a field instance (invented, made here with the real binary)
// registers with it both ways, receives the demo log, edits the event that
// headquarters edits too, and sends it back: the view lists the peer with
// its last sync and one open conflict, the event with both versions of the
// place side by side, as GET /api/v1/sync/peers and /conflicts say; in
// Ukrainian too. A screenshot of each step.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { launch, open, ready, shot, axe, noProblems, signIn, text } from './lib.mjs';

const R = process.env.REMNANT;
const HQ = process.env.REMNANT_DB;
const FIELD = join(process.env.RN_WORK, 'field.db');
const DEMO_EVENT = '01J3DEM0000000000000000015'; // Kharkiv, in the demo data
const rn = (...args) => execFileSync(R, args, { encoding: 'utf8', env: { ...process.env, REMNANT_AUTHOR: 'field-tester' }, stdio: ['ignore', 'pipe', 'pipe'] });

let browser;
before(async () => (browser = await launch()));
after(async () => browser && (await browser.close()));

test('the sync view: no peer, then a peer with its last sync and an open conflict', async () => {
  const page = await open(browser);
  await signIn(page, 'analyst');
  await ready(page, 'events');
  await page.evaluate(() => (location.hash = '#sync'));
  await ready(page, 'sync');
  assert.match(await text(page, '#sync-no-peers'), /No peers registered/);
  assert.match(await text(page, '#sync-no-conflicts'), /No open conflicts/);
  assert.equal(await page.$eval('#nav a[data-view=sync]', (a) => a.getAttribute('aria-current')), 'page');
  await shot(page, 'sync-empty');

  // a field laptop: registered both ways, gets the demo log, both sides edit the event
  rn('init', FIELD);
  rn('--db', HQ, 'peer', 'add', 'field-a', '-', '--key', rn('--db', FIELD, 'key', 'show').trim());
  rn('--db', FIELD, 'peer', 'add', 'hq', '-', '--key', rn('--db', HQ, 'key', 'show').trim());
  const p1 = join(process.env.RN_WORK, 'p1.sync');
  const p2 = join(process.env.RN_WORK, 'p2.sync');
  rn('--db', HQ, 'sync', 'export', '--peer', 'field-a', '-o', p1);
  rn('--db', FIELD, 'sync', 'import', p1);
  rn('--db', HQ, 'edit', DEMO_EVENT, 'place=Kharkiv, as HQ has it');
  rn('--db', FIELD, 'edit', DEMO_EVENT, 'place=Kharkiv, as the field team has it');
  rn('--db', FIELD, 'sync', 'export', '--peer', 'hq', '-o', p2);
  rn('--db', HQ, 'sync', 'import', p2);

  await page.reload({ waitUntil: 'load' });
  await ready(page, 'sync');
  const peers = await page.evaluate(async () => (await fetch('/api/v1/sync/peers')).json());
  assert.equal(peers.length, 1);
  const row = await page.$eval('#sync-peers tr[data-peer="field-a"]', (r) => ({
    origin: r.querySelector('.origin').textContent,
    last: r.querySelector('.last').textContent,
    seen: r.querySelector('.seen').textContent,
    open: r.querySelector('.open').textContent,
  }));
  assert.equal(row.origin, peers[0].origin, 'the peer\'s log');
  assert.match(row.last, /^\d{4}-\d\d-\d\dT\d\d:\d\d/, 'when the last package from it was accepted');
  assert.equal(row.last, peers[0].last_sync);
  assert.equal(row.seen, String(peers[0].seen_size));
  assert.ok(peers[0].seen_size > 0);
  assert.equal(row.open, '1', 'one open conflict from it');

  const conflicts = await page.evaluate(async () => (await fetch('/api/v1/sync/conflicts')).json());
  assert.equal(conflicts.length, 1);
  assert.equal(await text(page, '#h-sync-conflicts'), 'Open conflicts: 1');
  const c = await page.$eval(`#sync-conflicts li.conflict[data-id="${DEMO_EVENT}"]`, (li) => ({
    head: li.querySelector('h3').textContent,
    link: li.querySelector('h3 a').getAttribute('href'),
    fields: [...li.querySelectorAll('tr[data-field]')].map((r) => [r.dataset.field, r.querySelector('.mine').textContent, r.querySelector('.theirs').textContent]),
    note: li.textContent,
  }));
  assert.equal(c.head, `event ${DEMO_EVENT}`);
  assert.equal(c.link, '#history/' + DEMO_EVENT);
  assert.deepEqual(c.fields, [['place', 'Kharkiv, as HQ has it', 'Kharkiv, as the field team has it']], 'only what differs, mine and theirs');
  assert.match(c.note, /by field-tester/);
  assert.match(c.note, new RegExp(`remnant resolve ${DEMO_EVENT} --take mine\\|theirs\\|EDITED`));
  await shot(page, 'sync-conflict');
  await axe(page, '#view-sync');

  // the same in Ukrainian
  await page.select('#lang', 'uk');
  await ready(page, 'sync');
  await page.waitForFunction(() => /Відкриті конфлікти: 1/.test(document.querySelector('#h-sync-conflicts').textContent));
  assert.equal(await text(page, '#h-sync'), 'Синхронізація');
  await shot(page, 'sync-uk');
  noProblems(page);
});

test('the sync API needs an account', async () => {
  const ctx = await browser.createBrowserContext(); // no session
  const page = await open(ctx, '/app/');
  const st = await page.evaluate(async () => [(await fetch('/api/v1/sync/peers')).status, (await fetch('/api/v1/sync/conflicts')).status]);
  assert.deepEqual(st, [401, 401]);
  await ctx.close();
});
