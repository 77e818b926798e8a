// SPDX-License-Identifier: Apache-2.0
// staff.test.mjs — the workspace's record history and account pages, on
// the demo database with one account per role (run.sh): an investigator
// changes an event and reads its history (every change from the evidence
// log, who and when, each field before and after), the item's and a
// marking's too; moves an item in its tree and reads that in its history; an analyst makes two API tokens, sees them listed and
// revokes one (which then stops working, the other still works); an admin
// gives an account another role, sees everyone's tokens and removes the
// account; a record that is not there and a failed page say so on the
// page; the history reads in Ukrainian and at a phone's width; every
// workspace page fits a phone; the workspace works by keyboard alone. A
// screenshot of each step.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  launch, person, staff, signIn, signInAs, go, addAccount, ready, shot, axe, noProblems, text, BASE,
} from './lib.mjs';

let browser;
before(async () => (browser = await launch()));
after(async () => browser && (await browser.close()));

const DEMO_EVENT = '01J3DEM0000000000000000015'; // Kharkiv, in the demo data

test('a record\'s history: every change, who and when, as a diff', async () => {
  const page = await staff(browser, 'investigator');
  await go(page, '#event/' + DEMO_EVENT, 'event');
  // change the place, through the edit form
  await page.click('#edit-event summary');
  await page.$eval('#edit-event-form input[name=place]', (e) => (e.value = ''));
  await page.type('#edit-event-form input[name=place]', 'Kharkiv, north');
  await page.click('#edit-event-form button[type=submit]');
  await page.waitForFunction(() => /Saved/.test(document.querySelector('#event-meta').textContent));
  // the event's history: newest first, the change with its author and both values
  await page.click('#event-history');
  await ready(page, 'history');
  assert.match(await text(page, '#h-history'), /Kharkiv: missile remnants after a strike \(demo\)/);
  const changes = await page.$$eval('#changes > li.change', (ls) =>
    ls.map((l) => ({ op: l.dataset.op, head: l.querySelector('h2').textContent, fields: [...l.querySelectorAll('tr[data-field]')].map((r) => [r.dataset.field, r.querySelector('td.from').textContent, r.querySelector('td.to').textContent]) })),
  );
  assert.ok(changes.length >= 2, 'the creation and the change');
  assert.equal(changes[0].op, 'update');
  assert.match(changes[0].head, /^Changed · \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC · u_investigator$/);
  assert.deepEqual(changes[0].fields, [['place', 'Kharkiv', 'Kharkiv, north']], 'only what changed, before and after');
  const created = changes[changes.length - 1];
  assert.equal(created.op, 'create');
  assert.match(created.head, /remnant demo/);
  const place = created.fields.find((f) => f[0] === 'place');
  assert.deepEqual(place, ['place', '—', 'Kharkiv'], 'a creation: every field, from nothing');
  const doc = created.fields.find((f) => f[0] === 'documented');
  assert.equal(doc[2], '2024-07-09', 'a date shown as the interval it is');
  // it is the API's history, change for change
  const api = await page.evaluate(async (id) => (await fetch(`/api/v1/records/${id}/history`)).json(), DEMO_EVENT);
  assert.equal(api.changes.length, changes.length);
  await shot(page, 'app-history');
  await axe(page);
  // back to the event; an item's and a marking's history from there
  await page.click('#history-back');
  await ready(page, 'event');
  await page.click('#tree button.node');
  await page.waitForSelector('#item-history');
  const item = await page.$eval('#tree button.node', (b) => b.dataset.id);
  await page.click('#item-history');
  await ready(page, 'history');
  assert.equal(await page.$eval('#changes > li.change:last-child', (l) => l.dataset.op), 'create');
  assert.match(await text(page, '#history > p.meta'), new RegExp(item));
  await page.click('#history-back');
  await ready(page, 'event');
  await page.waitForSelector('#item-pane #h-item');
  await page.evaluate(() => window.scrollTo(0, 0));
  const marking = await page.$('#markings a.history-link');
  if (marking) {
    await marking.click();
    await ready(page, 'history');
    assert.match(await text(page, '#h-history'), /marking/);
  }
  // at a phone's width the diff stays inside the page
  await go(page, '#history/' + DEMO_EVENT, 'history');
  await page.setViewport({ width: 375, height: 740 });
  const wide = await page.evaluate(() => [document.documentElement.scrollWidth, [...document.querySelectorAll('body *')].filter((e) => e.getBoundingClientRect().right > 376).map((e) => e.tagName + '#' + e.id + '.' + e.className).slice(0, 8)]);
  assert.ok(wide[0] <= 375, 'no sideways scrolling at 375 px: ' + JSON.stringify(wide));
  await shot(page, 'app-history-phone');
  noProblems(page);
  await page.ctx.close();
});

test('an item moves in its tree, and its history says from where to where', async () => {
  const page = await staff(browser, 'investigator');
  await go(page, '#event/' + DEMO_EVENT, 'event');
  // the deepest part of the tree, moved to sit right under the top item
  const { id, parent, top, depth } = await page.$eval('#tree', (t) => {
    let best = null;
    for (const b of t.querySelectorAll('button.node')) {
      let n = 0;
      for (let e = b; e && e !== t; e = e.parentElement) if (e.tagName === 'UL') n++;
      if (!best || n > best.depth) best = { id: b.dataset.id, depth: n, parent: b.closest('ul').closest('li')?.querySelector('button.node')?.dataset.id };
    }
    return { ...best, top: t.querySelector('button.node').dataset.id };
  });
  assert.ok(depth >= 2, 'a part at least two levels down');
  await page.click(`#tree button.node[data-id="${id}"]`);
  await page.waitForSelector('#edit-item-parent');
  const offered = await page.$$eval('#edit-item-parent option', (os) => os.map((o) => o.value));
  assert.ok(!offered.includes(id), 'not inside itself');
  await page.click('#edit-item summary');
  await page.select('#edit-item-parent', top);
  await page.click('#edit-item-form button[type=submit]');
  await page.waitForFunction(() => /Saved/.test(document.querySelector('#item-pane').textContent));
  const moved = await page.evaluate(async (i) => (await fetch('/api/v1/items/' + i)).json(), id);
  assert.equal(moved.parent, top);
  const d2 = await page.$eval(`#tree button.node[data-id="${id}"]`, (b) => {
    let n = 0;
    for (let e = b; e && e.id !== 'tree'; e = e.parentElement) if (e.tagName === 'UL') n++;
    return n;
  });
  assert.equal(d2, 1, 'now one level down');
  await page.click('#item-history');
  await ready(page, 'history');
  const first = await page.$$eval('#changes > li.change:first-child tr[data-field]', (rs) => rs.map((r) => [r.dataset.field, r.querySelector('td.from').textContent, r.querySelector('td.to').textContent]));
  assert.deepEqual(first, [['parent', parent, top]]);
  noProblems(page);
  await page.ctx.close();
});

test('a record that is not there, or a page that fails, says so', async () => {
  const page = await staff(browser, 'reviewer');
  await go(page, '#history/01J3NOSUCHRECORD0000000000', 'history');
  assert.match(await text(page, '#history .error'), /No history: there is no record 01J3NOSUCHRECORD0000000000/);
  // a view whose request fails tells the person, not only the console
  await page.setRequestInterception(true);
  page.on('request', (r) => (r.url().includes('/api/v1/analysis/') ? r.respond({ status: 503, contentType: 'application/json', body: '{"error":{"code":"busy","message":"the database is busy"}}' }) : r.continue()));
  await page.evaluate(() => (location.hash = '#analysis'));
  await page.waitForFunction(() => document.querySelector('#app-error').textContent.length > 0);
  assert.match(await text(page, '#app-error'), /could not be shown: .*the database is busy/);
  await shot(page, 'app-error');
  await axe(page);
  // the next page clears it
  await go(page, '#findings', 'findings');
  assert.equal(await text(page, '#app-error'), '');
  await page.ctx.close();
});

test('a user lists their API tokens, makes one and revokes another', async () => {
  const page = await staff(browser, 'analyst');
  await page.click('#nav a[data-view=account]');
  await ready(page, 'account');
  const make = async (label) => {
    await page.type('#my-token input[name=label]', label);
    await page.click('#my-token button[type=submit]');
    await page.waitForFunction((l) => [...document.querySelectorAll('#my-tokens-table td')].some((td) => td.textContent === l), {}, label);
    return text(page, '#new-token');
  };
  const keep = await make('stays');
  const gone = await make('to revoke');
  assert.notEqual(keep, gone);
  const rows = await page.$$eval('#my-tokens-table tbody tr', (rs) => rs.map((r) => r.cells[0].textContent));
  // exactly the two made, once each (a token made twice would survive its revoke)
  assert.deepEqual([...rows].sort(), ['stays', 'to revoke'], 'the tokens listed: ' + rows.join());
  const useToken = (tok) => page.evaluate(async (t) => {
    const r = await fetch('/api/v1/me', { credentials: 'omit', headers: { Authorization: 'Bearer ' + t } });
    return { status: r.status, ...(await r.json()) };
  }, tok);
  assert.equal((await useToken(gone)).user, 'u_analyst');
  await shot(page, 'app-my-tokens');
  await axe(page);
  // revoke "to revoke" by its labelled button
  await page.click('button[aria-label="Revoke the token to revoke"]');
  await page.waitForFunction(() => /revoked/.test(document.querySelector('#my-tokens').textContent));
  const left = await page.$$eval('#my-tokens-table tbody tr', (rs) => rs.map((r) => r.cells[0].textContent));
  assert.ok(!left.includes('to revoke') && left.includes('stays'), left.join());
  assert.equal((await useToken(gone)).status, 401, 'the revoked token no longer signs in');
  assert.equal((await useToken(keep)).user, 'u_analyst', 'the other still works');
  noProblems({ problems: page.problems.filter((p) => !/401/.test(p)) });
  await page.ctx.close();
});

test('an admin changes a role, sees everyone\'s tokens and removes an account', async () => {
  const admin = await staff(browser, 'admin');
  await go(admin, '#accounts', 'accounts');
  await addAccount(admin, 'u_temp', 'investigator', 'temp-password-1');
  await admin.waitForSelector('tr[data-user=u_temp] select.role');
  // everyone's tokens: the analyst's from the test before is listed with its user
  const owners = await admin.$$eval('#all-tokens-table tbody tr', (rs) => rs.map((r) => r.cells[0].textContent));
  assert.ok(owners.includes('u_analyst'), owners.join());
  // no role select and no remove button for the admin's own row
  assert.equal(await admin.$('tr[data-user=u_admin] select.role'), null);
  assert.equal(await admin.$('tr[data-user=u_admin] button.danger'), null);
  await admin.select('tr[data-user=u_temp] select.role', 'reviewer');
  await admin.waitForFunction(() => /u_temp is now reviewer/.test(document.querySelector('#accounts-said').textContent));
  const users = await admin.evaluate(async () => (await fetch('/api/v1/users')).json());
  assert.equal(users.items.find((u) => u.name === 'u_temp').role, 'reviewer');
  // the account signs in with its new role
  const temp = await person(browser);
  await signInAs(temp, 'u_temp', 'temp-password-1');
  await ready(temp, 'events');
  assert.match(await text(temp, '#who'), /u_temp \(reviewer\)/);
  await temp.ctx.close();
  await shot(admin, 'app-accounts-admin');
  await axe(admin);
  // remove it: two steps
  await admin.click('tr[data-user=u_temp] button.secondary.danger');
  await admin.click('tr[data-user=u_temp] button.danger:not(.secondary)');
  await admin.waitForFunction(() => /Account u_temp removed/.test(document.querySelector('#accounts-said').textContent));
  assert.equal(await admin.$('tr[data-user=u_temp]'), null);
  noProblems(admin);
  await admin.ctx.close();
});

test('the history in Ukrainian', async () => {
  const page = await person(browser);
  await signInAs(page, 'u_reviewer', 'password-reviewer', '/app/?lang=uk');
  await ready(page, 'events');
  await go(page, '#history/' + DEMO_EVENT, 'history');
  assert.match(await text(page, '#h-history'), /^Історія запису \(подія\)/);
  assert.match(await page.$eval('#changes > li.change:last-child h2', (h) => h.textContent), /^Створено/);
  assert.equal(await page.$eval('#changes th', (h) => h.textContent), 'Поле');
  await shot(page, 'app-history-uk');
  noProblems(page);
  await page.ctx.close();
});

test('every workspace page fits a phone\'s width', async () => {
  const page = await person(browser);
  await page.setViewport({ width: 375, height: 740, isMobile: true, hasTouch: true });
  await signIn(page, 'admin');
  await ready(page, 'events');
  const wide = [];
  for (const [hash, view] of [['#events', 'events'], ['#event/' + DEMO_EVENT, 'event'], ['#findings', 'findings'], ['#traces', 'traces'],
    ['#analysis', 'analysis'], ['#accounts', 'accounts'], ['#account', 'account'], ['#search/2315', 'search'], ['#history/' + DEMO_EVENT, 'history']]) {
    await go(page, hash, view);
    const w = await page.evaluate(() => [document.documentElement.scrollWidth, [...document.querySelectorAll('main *')].filter((e) => e.getBoundingClientRect().right > 376 && !e.closest('.scroll, table.data, .leaflet-container')).map((e) => e.tagName + '#' + e.id + '.' + e.className).slice(0, 5)]);
    if (w[0] > 375) wide.push(`${hash}: ${w[0]} px ${JSON.stringify(w[1])}`);
    await shot(page, 'phone-app-' + view);
  }
  assert.deepEqual(wide, [], wide.join('\n'));
  noProblems(page);
  await page.ctx.close();
});

// Keyboard only: sign in, open an event, choose an item in its tree, open
// its history and come back, with Tab, Enter and Space.
test('the workspace by keyboard alone', async () => {
  const page = await person(browser);
  await page.goto(BASE + '/app/', { waitUntil: 'load' });
  await ready(page, 'login');
  assert.equal(await page.evaluate(() => document.activeElement.name), 'name', 'the sign-in form has the focus');
  await page.keyboard.type('u_investigator');
  await page.keyboard.press('Tab');
  await page.keyboard.type('password-investigator');
  await page.keyboard.press('Enter');
  await ready(page, 'events');
  const tabTo = async (selector, max = 80) => {
    for (let i = 0; i < max; i++) {
      await page.keyboard.press('Tab');
      if (await page.evaluate((s) => document.activeElement && document.activeElement.matches(s), selector)) return;
    }
    assert.fail('Tab never reached ' + selector);
  };
  await tabTo('#events-table a');
  await page.keyboard.press('Enter');
  await ready(page, 'event');
  await tabTo('#tree button.node');
  await page.keyboard.press('Space');
  await page.waitForSelector('#item-pane #h-item');
  assert.equal(await page.$eval('#tree button.node[aria-pressed="true"]', (b) => b === document.activeElement), true, 'the chosen item keeps the focus');
  await tabTo('#item-history');
  await page.keyboard.press('Enter');
  await ready(page, 'history');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'h-history', 'the history heading has the focus');
  // the Back button is just before the heading
  await page.keyboard.down('Shift');
  await page.keyboard.press('Tab');
  await page.keyboard.up('Shift');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'history-back');
  await page.keyboard.press('Enter');
  await ready(page, 'event');
  noProblems(page);
  await page.ctx.close();
});
