// SPDX-License-Identifier: Apache-2.0
// bench/staff_load.mjs RUNS — the figures of bench/staff.sh for the server
// at $BASE: sign in as u_bench, then RUNS rounds of
//   search: each query typed in the header's search box and submitted;
//     "hits" until the hits are listed (app.js's mark rn:search-hits),
//     "full" until every hit shows its item, event and place (rn:search-done);
//   decode: each marking text put in an item's marking box (one input
//     event, as a paste); until the decoder's candidates for exactly that
//     text are shown.
// Prints one line per figure: NAME<TAB>median ms.
import { launch } from '../tests/browser/lib.mjs';

const runs = Number(process.argv[2] || 5);
const QUERIES = ['2315', 'SN74', '주체113', '2?15', 'KN-2?', '1?48'];
const MARKINGS = ['SN74HC00N 2315', 'TPS54331DR 0412', 'XC7A100T 2315', '주체112.5.17', 'STM32F103C8T6 1845'];
const median = (xs) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const browser = await launch();
const out = {};
const add = (k, v) => (out[k] ||= []).push(v);
try {
  const page = await browser.newPage();
  page.setDefaultTimeout(120000);
  await page.goto(process.env.BASE + '/app/', { waitUntil: 'load' });
  await page.waitForFunction(() => document.body.dataset.view === 'login' && document.body.dataset.ready === '1');
  await page.type('#login input[name=name]', 'u_bench');
  await page.type('#login input[name=password]', 'bench-password-1');
  await page.click('#login button[type=submit]');
  await page.waitForFunction(() => document.body.dataset.view === 'events' && document.body.dataset.ready === '1');
  for (let r = 0; r < runs; r++) {
    for (const q of QUERIES) {
      const m = await page.evaluate(async (text) => {
        performance.clearMarks();
        const input = document.querySelector('#app-q');
        input.value = text;
        const t0 = performance.now();
        document.querySelector('#app-search').requestSubmit();
        const mark = (name) => new Promise((res) => {
          const have = () => performance.getEntriesByName(name, 'mark')[0];
          const tick = () => (have() ? res(have().startTime) : setTimeout(tick, 2));
          tick();
        });
        const hits = await mark('rn:search-hits');
        const full = await mark('rn:search-done');
        return { hits: hits - t0, full: full - t0, n: document.querySelectorAll('#search-table tbody tr[data-id]').length };
      }, q);
      add(`search ${q}: hits shown`, m.hits);
      add(`search ${q}: number of hits`, m.n);
      add(`search ${q}: with item, event`, m.full);
    }
  }
  // an item with a marking box: a chip of the first event's tree
  const chip = await page.evaluate(async () => (await (await fetch('/api/v1/items?category=ic&limit=1')).json()).items[0]);
  await page.evaluate((c) => (location.hash = `#event/${c.event}/${c.id}`), chip);
  await page.waitForSelector('#marking-text');
  for (let r = 0; r < runs; r++) {
    for (const text of MARKINGS) {
      const ms = await page.evaluate(async (want) => {
        const input = document.querySelector('#marking-text');
        const out = document.querySelector('#decode-out');
        input.value = '';
        input.dispatchEvent(new Event('input'));
        await new Promise((res) => setTimeout(res, 30));
        return new Promise((res) => {
          let t0 = 0;
          const obs = new MutationObserver(() => {
            if (out.dataset.text === want) {
              obs.disconnect();
              res(performance.now() - t0);
            }
          });
          obs.observe(out, { attributes: true, childList: true, subtree: true });
          input.value = want;
          t0 = performance.now();
          input.dispatchEvent(new Event('input'));
        });
      }, text);
      add(`decode ${text}`, ms);
    }
  }
} finally {
  await browser.close();
}
for (const [k, v] of Object.entries(out)) console.log(`${k}\t${median(v).toFixed(1)}`);
