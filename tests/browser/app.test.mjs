// SPDX-License-Identifier: Apache-2.0
// app.test.mjs — the staff workspace as its people use it, on the demo
// database with one account per role (run.sh): a wrong password is told
// as such; an investigator creates an event by clicking the map, builds an
// item tree weapon → section → board → chip, types a marking and sees the
// decoder's candidates live, then saves it; an investigator cannot see the
// admin pages; an analyst drafts a finding, a reviewer reviews and
// publishes it, and it appears on the public map; an expired session
// brings back the sign-in form saying so. A screenshot of each step.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  launch, person, staff, signIn, submitLogin, go, addAccount, ready, shot, axe, noProblems, text, BASE,
} from './lib.mjs';

let browser;
before(async () => (browser = await launch()));
after(async () => browser && (await browser.close()));

const shared = {}; // what one step leaves for the next

test('a wrong password is refused and said so', async () => {
  const page = await person(browser);
  await signIn(page, 'investigator', 'not-the-password');
  await page.waitForFunction(() => document.querySelector('#login-msg').textContent.length > 0);
  assert.equal(await text(page, '#login-msg'), 'Wrong name or password.');
  assert.equal(await page.evaluate(() => document.body.dataset.view), 'login');
  await shot(page, 'app-wrong-password');
  await axe(page);
  noProblems({ problems: page.problems.filter((p) => !/401/.test(p)) });
  await page.ctx.close();
});

test('an investigator creates an event on the map, its item tree and a decoded marking', async () => {
  const page = await staff(browser, 'investigator');
  assert.match(await text(page, '#who'), /u_investigator \(investigator\)/);
  assert.ok((await page.$$('#events-table tbody tr')).length >= 4, 'the demo events are listed');
  // place the new event by clicking the map
  // near a corner, away from the demo's points (a click on a point opens it)
  const box = await (await page.$('#events-map')).boundingBox();
  await page.mouse.click(box.x + box.width * 0.12, box.y + box.height * 0.88);
  await page.waitForFunction(() => document.querySelector('#new-event input[name=coords]').value !== '');
  const coords = await page.$eval('#new-event input[name=coords]', (e) => e.value);
  assert.match(coords, /^-?\d+(\.\d+)?, -?\d+(\.\d+)?$/);
  assert.match(await text(page, '#coords-out'), /°/, 'shown back in DMS');
  // typed in DMS instead, it is read as decimal degrees
  await page.$eval('#new-event input[name=coords]', (e) => (e.value = ''));
  await page.type('#new-event input[name=coords]', `46°28'12"N 30°43'48"E`);
  await page.waitForFunction(() => document.querySelector('#coords-out').textContent.includes('46.47, 30.73'));
  await page.type('#new-event input[name=name]', 'Browser test: Odesa remnants');
  await page.type('#new-event input[name=country]', 'ua');
  await page.type('#new-event input[name=documented]', '2024-09');
  await shot(page, 'app-new-event');
  await axe(page);
  await page.click('#new-event button[type=submit]');
  await ready(page, 'event');
  await page.waitForFunction(() => document.querySelector('#h-event').textContent === 'Browser test: Odesa remnants');
  assert.match(await text(page, '#event-meta'), /46\.47, 30\.73/);
  shared.event = page.url().split('#event/')[1];
  // edit it: a place name, the incident date, and the coordinates in DMS
  await page.click('#edit-event summary');
  await page.type('#edit-event-form input[name=place]', 'Odesa');
  await page.type('#edit-event-form input[name=incident]', '2024-08/2024-09');
  await page.$eval('#edit-event-form input[name=coords]', (e) => (e.value = ''));
  await page.type('#edit-event-form input[name=coords]', `46°28'30"N 30°44'E`);
  await page.click('#edit-event-form button[type=submit]');
  await page.waitForFunction(() => /Saved/.test(document.querySelector('#event-meta').textContent));
  const meta = await text(page, '#event-meta');
  assert.match(meta, /Odesa/);
  assert.match(meta, /46\.475, 30\.733333/);
  const saved = await page.evaluate(async (id) => (await fetch('/api/v1/events/' + id)).json(), shared.event);
  assert.equal(saved.incident.earliest, '2024-08-01');
  assert.equal(saved.incident.latest, '2024-09-30');
  assert.equal(saved.name, 'Browser test: Odesa remnants', 'what was not changed stays');
  // the item tree: weapon → section → board → chip (each goes inside the last)
  const add = async (kind, category, name, weapon) => {
    await page.select('#new-item select[name=kind]', kind);
    await page.type('#new-item input[name=category]', category);
    await page.type('#new-item input[name=name]', name);
    if (weapon) await page.type('#new-item input[name=weapon_system]', weapon);
    const before = (await page.$$('#tree button.node')).length;
    await page.click('#new-item button[type=submit]');
    await page.waitForFunction((n) => document.querySelectorAll('#tree button.node').length === n + 1, {}, before);
  };
  await add('weapon', 'missile', 'test missile', 'KN-23');
  await add('remnant', 'missile-section', 'guidance section');
  await add('component', 'circuit-board', 'control board');
  await add('component', 'ic', 'logic chip');
  const depth = await page.$eval('#tree', (t) => {
    let d = 0;
    for (const b of t.querySelectorAll('button.node')) {
      let n = 0;
      for (let e = b; e && e !== t; e = e.parentElement) if (e.tagName === 'UL') n++;
      d = Math.max(d, n);
    }
    return d;
  });
  assert.equal(depth, 3, 'four levels: the chip is three lists deep');
  shared.items = await page.$$eval('#tree button.node', (bs) => bs.map((b) => b.dataset.id));
  // edit the chip: its manufacturer, country and lot
  await page.click('#edit-item summary');
  await page.type('#edit-item-form input[name=manufacturer]', 'Texas Instruments');
  await page.type('#edit-item-form input[name=manufacturer_country]', 'us');
  await page.type('#edit-item-form input[name=lot]', 'LOT-77');
  await page.click('#edit-item-form button[type=submit]');
  await page.waitForFunction(() => /Texas Instruments · US/.test(document.querySelector('#item-pane .meta')?.textContent || ''));
  const chip = await page.evaluate(async (id) => (await fetch('/api/v1/items/' + id)).json(), shared.items[3]);
  assert.equal(chip.manufacturer_country, 'US');
  assert.equal(chip.lot, 'LOT-77');
  assert.equal(chip.name, 'logic chip', 'what was not changed stays');
  // the chip is selected: type its marking and see the candidates live
  await page.waitForSelector('#marking-text');
  await page.type('#marking-text', 'SN74HC00N 2315');
  await page.waitForFunction(() => document.querySelector('#decode-out').dataset.text === 'SN74HC00N 2315');
  const cands = await text(page, '#candidates');
  assert.match(cands, /2023-W15/);
  assert.match(cands, /yyww/);
  assert.match(cands, /Texas Instruments/);
  await shot(page, 'app-marking-decoded');
  await axe(page);
  await page.select('#marking-method', 'printed');
  await page.click('#new-marking button[type=submit]');
  await page.waitForFunction(() => /SN74HC00N 2315/.test(document.querySelector('#markings').textContent));
  // it is in the database, with the decoder's candidates stored beside it
  const ms = await page.evaluate(async (item) => (await (await fetch('/api/v1/markings?item=' + item)).json()).items, shared.items[3]);
  assert.equal(ms.length, 1);
  assert.equal(ms[0].text, 'SN74HC00N 2315');
  shared.marking = ms[0].id;
  await shot(page, 'app-event-tree');
  noProblems(page);
  await page.ctx.close();
});

test('an investigator uploads two photos of an item at once and sees them', async () => {
  assert.ok(shared.items, 'the items of the earlier step');
  const page = await staff(browser, 'investigator');
  await go(page, '#event/' + shared.event, 'event');
  await page.click(`#tree button.node[data-id="${shared.items[2]}"]`);
  await page.waitForSelector('#photo-input');
  // two small PNGs (1x1 pixel, red and blue)
  const files = [
    ['board-front.png', 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGM4IScHAAK2AQU0pnWqAAAAAElFTkSuQmCC'],
    ['board-back.png', 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGOQkzsBAAFiAQURG6MhAAAAAElFTkSuQmCC'],
  ].map(([name, b64]) => {
    const p = join(process.env.RN_WORK || '/tmp', name);
    writeFileSync(p, Buffer.from(b64, 'base64'));
    return p;
  });
  const input = await page.$('#photo-input');
  await input.uploadFile(...files);
  await page.waitForFunction(() => document.querySelector('#photos')?.dataset.uploaded === '2');
  await page.waitForFunction(() => {
    const imgs = [...document.querySelectorAll('#gallery img')];
    return imgs.length === 2 && imgs.every((i) => i.complete && i.naturalWidth === 1);
  });
  // the gallery's images are thumbnails (.../thumbnail), never the photos themselves
  assert.deepEqual(await page.$$eval('#gallery img', (is) => is.map((i) => new URL(i.src).pathname.split('/').pop())), ['thumbnail', 'thumbnail']);
  const photoRequests = () => page.requests.filter((u) => /\/api\/v1\/attachments\/[^/]+\/(content|thumbnail)/.test(u));
  assert.ok(photoRequests().filter((u) => /\/thumbnail(\?|$)/.test(u)).length >= 2, photoRequests().join(' '));
  assert.deepEqual(photoRequests().filter((u) => !/\/thumbnail(\?|$)/.test(u)), []);
  assert.deepEqual(await page.$$eval('#uploads progress', (ps) => ps.map((p) => p.value)), [1, 1]);
  const names = await page.$$eval('#gallery li span', (ss) => ss.map((s) => s.textContent).sort());
  assert.deepEqual(names, ['board-back.png', 'board-front.png']);
  await shot(page, 'app-photos');
  // and one of the whole event, in the event's gallery
  const evInput = await page.$('#ev-photo-input');
  await evInput.uploadFile(files[0]);
  await page.waitForFunction(() => document.querySelector('#ev-photos')?.dataset.uploaded === '1');
  await page.waitForFunction(() => [...document.querySelectorAll('#ev-gallery img')].some((i) => i.complete && i.naturalWidth === 1));
  assert.deepEqual(photoRequests().filter((u) => !/\/thumbnail(\?|$)/.test(u)), [], 'the event gallery too');
  await axe(page);
  noProblems(page);
  await page.ctx.close();
});

test('search finds markings and shows their item, event and place', async () => {
  const page = await staff(browser, 'analyst');
  await page.type('#app-q', '23?5');
  await page.keyboard.press('Enter');
  await ready(page, 'search');
  const rows = await page.$$eval('#search-table tbody tr', (trs) => trs.map((tr) => [...tr.cells].map((c) => c.textContent)));
  const row = rows.find((r) => r[0].includes('XC7A100T 2315'));
  assert.ok(row, 'the FPGA marking: ' + JSON.stringify(rows.slice(0, 3)));
  assert.match(row[1], /FPGA/, 'its item');
  assert.match(row[2], /Kharkiv: missile remnants after a strike/, 'its event');
  assert.match(row[3], /Kharkiv · UA · 2024-07-09/, 'its place and date');
  await shot(page, 'app-search');
  await axe(page);
  // the item link opens the event with the item chosen
  await page.click('#search-table tbody tr td:nth-child(2) a');
  await ready(page, 'event');
  await page.waitForSelector('#h-item');
  assert.match(await text(page, '#h-item'), /component: /);
  noProblems(page);
  await page.ctx.close();
});

test('the analysis pages show each figure down to its items and basis', async () => {
  const page = await staff(browser, 'reviewer');
  await page.click('#nav a[data-view=analysis]');
  await ready(page, 'analysis');
  const bars = await page.$$eval('#analysis figure.chart', (fs) => fs.map((f) => f.querySelectorAll('rect.bar').length));
  assert.equal(bars.length, 4, 'timeline, by country, by manufacturer, by year');
  assert.ok(bars.every((n) => n >= 1), 'bars: ' + bars);
  const tl = await text(page, '#analysis figure.chart table');
  assert.match(tl, /rule juche-word|rule yyww/, 'the basis of a production date');
  assert.ok((await page.$$('#sanctions-table tbody tr')).length >= 1, 'sanctions leads');
  await shot(page, 'app-analysis');
  await axe(page);
  // a figure's item opens in its event
  await page.click('#sanctions-table tbody tr a');
  await ready(page, 'event');
  await page.waitForSelector('#h-item');
  assert.match(await text(page, '#h-event'), /\(demo\)/);
  noProblems(page);
  await page.ctx.close();
});

test('trace requests as a board: the demo request is overdue, and an analyst marks it answered', async () => {
  const page = await staff(browser, 'analyst');
  await page.click('#nav a[data-view=traces]');
  await ready(page, 'traces');
  // the demo's request was sent in 2024 and is due long before today
  const id = await page.$eval('.cards[data-column=overdue] li[data-id]', (l) => l.dataset.id);
  assert.match(await text(page, '.cards[data-column=overdue]'), /Analog Devices/, 'its recipient by name');
  await shot(page, 'app-traces');
  await axe(page);
  await page.type(`.cards[data-column=overdue] li[data-id="${id}"] textarea`, 'Shipped to a distributor in 2023 (invented).');
  await page.click(`.cards[data-column=overdue] li[data-id="${id}"] button`);
  await page.waitForSelector(`.cards[data-column=answered] li[data-id="${id}"]`);
  const tr = await page.evaluate(async (i) => (await fetch('/api/v1/traces/' + i)).json(), id);
  assert.equal(tr.status, 'answered');
  assert.equal(tr.answer, 'Shipped to a distributor in 2023 (invented).');
  // a server without POST .../move answers 404 and the board falls back to PATCH
  noProblems({ problems: page.problems.filter((p) => !/404/.test(p)) });
  await page.ctx.close();
});

test('an analyst accepts one reading and overrides another, each a claim with its reason', async () => {
  const page = await staff(browser, 'analyst');
  // the demo's FPGA (XC7A100T 2315), in the Kharkiv event
  await go(page, '#item/01J3DEM0000000000000000023', 'event');
  await page.waitForSelector('#readings li[data-field=production_date] button');
  await page.click('#readings li[data-field=production_date] button');
  await page.waitForFunction(() => /2023-W15/.test(document.querySelector('#claims')?.textContent || ''));
  await page.select('#claim-field', 'manufacturer');
  await page.type('#claim-value', 'Xilinx');
  await page.type('#claim-country', 'us');
  await page.type('#claim-reason', 'The package shows the Xilinx logo (photo 3).');
  await page.click('#new-claim button[type=submit]');
  await page.waitForFunction(() => /Xilinx/.test(document.querySelector('#claims')?.textContent || ''));
  const cs = await page.evaluate(async () => (await (await fetch('/api/v1/claims?item=01J3DEM0000000000000000023')).json()).items);
  const date = cs.find((c) => c.field === 'production_date');
  const maker = cs.find((c) => c.field === 'manufacturer');
  assert.equal(date.date.earliest, '2023-04-10');
  assert.match(date.reason, /yyww/);
  assert.equal(maker.value, 'Xilinx');
  assert.equal(maker.country, 'US');
  assert.match(maker.overrides, /prefix/);
  await shot(page, 'app-claims');
  await axe(page);
  noProblems(page);
  await page.ctx.close();
});

test('links across events: a lot seen again in another event is found from the first', async () => {
  assert.ok(shared.event, 'the event of the earlier step');
  const page = await staff(browser, 'investigator');
  // the same lot as the demo FPGA in Kharkiv, now found in the test's event
  const made = await page.evaluate(async (ev) => {
    const r = await fetch('/api/v1/items', { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': sessionStorage.getItem('remnant.csrf') }, body: JSON.stringify({ kind: 'component', event: ev, category: 'ic', name: 'FPGA (second)', lot: 'D4417283A' }) });
    return r.status;
  }, shared.event);
  assert.equal(made, 201);
  await go(page, '#item/01J3DEM0000000000000000023', 'event');
  await page.waitForSelector('#links-go');
  await page.click('#links-go');
  await page.waitForSelector('#links li');
  const got = await text(page, '#links');
  assert.match(got, /FPGA \(second\)/);
  assert.match(got, /Browser test: Odesa remnants/);
  await shot(page, 'app-links');
  await axe(page);
  noProblems(page);
  await page.ctx.close();
});

test('an investigator cannot see the admin pages', async () => {
  const page = await staff(browser, 'investigator');
  assert.equal(await page.$eval('#nav a[data-view=accounts]', (a) => a.hidden), true, 'no Accounts link');
  await go(page, '#accounts', 'denied');
  const users = await page.evaluate(async () => (await fetch('/api/v1/users')).status);
  assert.equal(users, 403);
  await shot(page, 'app-denied');
  noProblems({ problems: page.problems.filter((p) => !/403/.test(p)) });
  await page.ctx.close();
  // an admin sees them
  const admin = await staff(browser, 'admin');
  await admin.click('#nav a[data-view=accounts]');
  await ready(admin, 'accounts');
  assert.match(await text(admin, '#accounts'), /u_reviewer/);
  await axe(admin);
  await admin.ctx.close();
});

test('draft, review and publish a finding, and see it on the public map', async () => {
  assert.ok(shared.event, 'the event of the earlier step');
  const statement = 'Browser test finding: a KN-23 remnant documented in Odesa holds a 2023 logic chip.';
  const analyst = await staff(browser, 'analyst');
  await analyst.click('#nav a[data-view=findings]');
  await ready(analyst, 'findings');
  assert.equal(await analyst.$eval('#new-finding', (f) => f.hidden), false);
  await analyst.type('#new-finding textarea[name=statement]', statement);
  await analyst.type('#new-finding input[name=evidence]', [shared.event, ...shared.items, shared.marking].join(' '));
  await analyst.click('#new-finding button[type=submit]');
  await analyst.waitForFunction((s) => [...document.querySelectorAll('.cards[data-status=draft] li')].some((l) => l.textContent.includes(s)), {}, statement);
  assert.equal((await analyst.$$('.cards button')).length, 0, 'an analyst does not review');
  await analyst.ctx.close();

  const reviewer = await staff(browser, 'reviewer');
  assert.equal(await reviewer.$eval('#new-event', (f) => f.hidden), true, 'a reviewer creates no events');
  await reviewer.click('#nav a[data-view=findings]');
  await ready(reviewer, 'findings');
  const step = async (from, to) => {
    const li = await reviewer.waitForSelector(`.cards[data-status=${from}] li[data-id] ::-p-text(${statement.slice(0, 40)})`);
    const id = await li.evaluate((e) => e.closest('li[data-id]').dataset.id);
    await reviewer.click(`.cards[data-status=${from}] li[data-id="${id}"] button`);
    await reviewer.waitForSelector(`.cards[data-status=${to}] li[data-id="${id}"]`);
    return id;
  };
  const rid = await step('draft', 'reviewed');
  // before publishing: a preview of exactly what the public will see
  await reviewer.click(`.cards[data-status=reviewed] li[data-id="${rid}"] a.preview`);
  await ready(reviewer, 'finding');
  assert.ok(await reviewer.$('#preview-banner'), 'marked as a preview');
  const pv = await text(reviewer, '#finding');
  assert.ok(pv.includes(statement), 'the statement, as it will read');
  assert.doesNotMatch(pv, /undefined/, 'every field rendered');
  assert.doesNotMatch(pv, /Kharkiv/, 'only what this finding brings in');
  assert.match(pv, /SN74HC00N 2315/, 'the cited marking');
  assert.match(pv, /Odesa remnants/, 'the cited event');
  assert.doesNotMatch(pv, /46\.47|30\.73/, 'no exact coordinate');
  await shot(reviewer, 'app-preview');
  await axe(reviewer);
  const anon = await reviewer.evaluate(async (u) => (await fetch(u, { credentials: 'omit' })).status, '/api/v1/public/preview/' + rid);
  assert.equal(anon, 401, 'the preview is for staff');
  await reviewer.goto(BASE + '/app/#findings', { waitUntil: 'load' });
  await ready(reviewer, 'findings');
  const id = await step('reviewed', 'published');
  assert.equal(id, rid);
  await shot(reviewer, 'app-findings-board');
  await axe(reviewer);
  await reviewer.ctx.close();

  const pub = await person(browser);
  await pub.goto(BASE + '/', { waitUntil: 'load' });
  await ready(pub, 'map');
  assert.equal(await pub.evaluate(() => Number(document.body.dataset.points)), 3, 'the new place is on the map');
  assert.ok(await pub.$(`#list li[data-id="${id}"]`), 'and in the list');
  await shot(pub, 'portal-after-publish');
  await pub.click(`#list li[data-id="${id}"] a`);
  await ready(pub, 'finding');
  assert.match(await text(pub, '#finding'), /SN74HC00N 2315/);
  assert.doesNotMatch(await text(pub, '#finding'), /46\.47|30\.73/, 'no exact coordinate');
  await pub.ctx.close();
});

test('an admin adds an account; its holder changes the password and makes a token', async () => {
  const admin = await staff(browser, 'admin');
  await go(admin, '#accounts', 'accounts');
  await addAccount(admin, 'u_newcomer', 'investigator', 'first-password-1');
  await admin.waitForSelector('tr[data-user=u_newcomer]');
  await admin.type('tr[data-user=u_newcomer] input', 'reset-password-2');
  await admin.click('tr[data-user=u_newcomer] button');
  await admin.waitForFunction(() => /done/.test(document.querySelector('tr[data-user=u_newcomer]').textContent));
  await shot(admin, 'app-accounts');
  await axe(admin);
  await admin.ctx.close();

  const page = await staff(browser, 'newcomer', 'reset-password-2');
  await page.click('#nav a[data-view=account]');
  await ready(page, 'account');
  // a wrong current password is said so, and the session stays
  await page.type('#my-password input[name=password]', 'not-it-at-all');
  await page.type('#my-password input[name=new_password]', 'my-own-password-3');
  await page.click('#my-password button[type=submit]');
  await page.waitForFunction(() => /current password is wrong/.test(document.querySelector('#my-password-msg').textContent));
  assert.equal(await page.evaluate(() => document.body.dataset.view), 'account');
  await page.type('#my-token input[name=label]', 'field laptop');
  await page.click('#my-token button[type=submit]');
  await page.waitForSelector('#new-token');
  const tok = await text(page, '#new-token');
  const who = await page.evaluate(async (t) => (await (await fetch('/api/v1/me', { credentials: 'omit', headers: { Authorization: 'Bearer ' + t } })).json()).user, tok);
  assert.equal(who, 'u_newcomer', 'the token works');
  await shot(page, 'app-account');
  await axe(page);
  await page.$eval('#my-password input[name=password]', (e) => (e.value = ''));
  await page.type('#my-password input[name=password]', 'reset-password-2');
  await page.$eval('#my-password input[name=new_password]', (e) => (e.value = ''));
  await page.type('#my-password input[name=new_password]', 'my-own-password-3');
  await page.click('#my-password button[type=submit]');
  await ready(page, 'login');
  assert.equal(await text(page, '#login-msg'), 'Password changed: sign in with the new one.');
  assert.equal(await page.$eval('#login input[name=name]', (e) => e.value), 'u_newcomer', 'the name is kept');
  await page.type('#login input[name=password]', 'my-own-password-3');
  await page.click('#login button[type=submit]');
  await ready(page, 'account'); // back where they were
  assert.match(await text(page, '#who'), /u_newcomer \(investigator\)/);
  noProblems({ problems: page.problems.filter((p) => !/422/.test(p)) });
  await page.ctx.close();
});

test('an expired session brings back the sign-in, saying so', async () => {
  const page = await staff(browser, 'investigator');
  // the session ends on the server (a password change ends every session)
  execFileSync(process.env.REMNANT, ['user', 'passwd', 'u_investigator'], { input: 'password-investigator\n', env: process.env });
  await page.type('#new-event input[name=name]', 'After expiry');
  await page.click('#new-event button[type=submit]');
  await ready(page, 'login');
  assert.equal(await text(page, '#login-msg'), 'Your session has expired: sign in again.');
  // and on reload too, while this tab remembers it was signed in
  await page.reload({ waitUntil: 'load' });
  await ready(page, 'login');
  await shot(page, 'app-expired');
  // signing in again works
  await submitLogin(page, 'u_investigator', 'password-investigator');
  await ready(page, 'events');
  await page.ctx.close();
});
