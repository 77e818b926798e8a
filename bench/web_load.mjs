// SPDX-License-Identifier: Apache-2.0
// bench/web_load.mjs N RUNS — one figure of bench/web.sh: load $BASE/ in
// a fresh browser context RUNS times; print the median bytes transferred
// (encoded, from the DevTools protocol) and the median milliseconds from
// navigation start until the map shows N points; on stderr, the median
// time of each of portal.js's performance marks (rn:fetch ... rn:points).
import { launch } from '../tests/browser/lib.mjs';

const n = Number(process.argv[2]);
const runs = Number(process.argv[3] || 5);
const median = (xs) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const browser = await launch();
const bytes = [], ms = [];
const marks = {}; // name -> ms of each run (portal.js's performance marks)
try {
  for (let i = 0; i < runs; i++) {
    const ctx = await browser.createBrowserContext();
    const page = await ctx.newPage();
    const cdp = await page.createCDPSession();
    await cdp.send('Network.enable');
    await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
    let total = 0;
    cdp.on('Network.loadingFinished', (e) => (total += e.encodedDataLength));
    await page.goto(process.env.BASE + '/', { waitUntil: 'load' });
    await page.waitForFunction((want) => document.body.dataset.ready === '1' && Number(document.body.dataset.points) === want, { polling: 10, timeout: 120000 }, n);
    ms.push(await page.evaluate(() => performance.now()));
    for (const [k, v] of await page.evaluate(() => performance.getEntriesByType('mark').map((m) => [m.name, m.startTime]))) (marks[k] ||= []).push(v);
    await new Promise((r) => setTimeout(r, 300)); // late requests (tiles of the shapes) counted
    bytes.push(total);
    await ctx.close();
  }
} finally {
  await browser.close();
}
console.log(`${median(bytes)} ${Math.round(median(ms))}`);
console.error(Object.entries(marks).map(([k, v]) => `${k} ${Math.round(median(v))}`).join(', '));
