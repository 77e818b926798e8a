// SPDX-License-Identifier: Apache-2.0
// portal.test.mjs — the public portal as a reader uses it, on the demo
// database (two findings published after review): the map shows the
// published places, a filter narrows the list and the map, a finding's page
// shows its evidence, readings and charts, the downloads hold exactly the
// list, search finds a marking with ? for an illegible character, and the
// page reads in Ukrainian. Every page: no console error, no CSP violation,
// no serious or critical axe violation; a screenshot of each step.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { launch, open, ready, shot, axe, noProblems, BASE } from './lib.mjs';

const uk = JSON.parse(readFileSync(new URL('../../web/i18n/uk.json', import.meta.url), 'utf8'));
let browser;
before(async () => (browser = await launch()));
after(async () => browser && (await browser.close()));

const listIds = (page) => page.$$eval('#list li[data-id]', (ls) => ls.map((l) => l.dataset.id).sort());
const points = (page) => page.evaluate(() => Number(document.body.dataset.points));

test('the public map loads and shows the published findings', async () => {
  const page = await open(browser, '/');
  await ready(page, 'map');
  assert.equal(await points(page), 2, 'two published places on the map');
  assert.deepEqual(await listIds(page), ['01J3DEM0000000000000000152', '01J3DEM0000000000000000153']);
  assert.ok((await page.$$('.leaflet-marker-icon')).length >= 1, 'markers drawn');
  const html = await page.content();
  assert.ok(!html.includes('01J3DEM0000000000000000151'), 'the draft finding is not shown');
  await shot(page, 'portal-map');
  await axe(page);
  noProblems(page);
  await page.close();
});

test('a filter changes the list and the map', async () => {
  const page = await open(browser, '/');
  await ready(page, 'map');
  await page.select('#filters select[name=weapon_system]', 'KN-24');
  await page.waitForFunction(() => location.search.includes('weapon_system=KN-24') && document.body.dataset.ready === '1');
  assert.deepEqual(await listIds(page), ['01J3DEM0000000000000000153']);
  assert.equal(await points(page), 1);
  assert.match(await page.$eval('#dl-geojson', (a) => a.href), /weapon_system=KN-24/);
  await shot(page, 'portal-filtered');
  // a date range that holds neither finding empties both
  await page.goto(BASE + '/?from=2025', { waitUntil: 'load' });
  await ready(page, 'map');
  assert.deepEqual(await listIds(page), []);
  assert.equal(await points(page), 0);
  // a malformed date is refused in the form, naming it
  await page.type('#filters input[name=to]', 'July');
  await page.click('#filters button[type=submit]');
  await page.waitForFunction(() => document.querySelector('#filter-error').textContent.includes('July'));
  assert.equal(await page.$eval('#filters input[name=to]', (e) => e.getAttribute('aria-invalid')), 'true');
  noProblems(page);
  await page.close();
});

test('a finding page shows its evidence, readings and charts', async () => {
  const page = await open(browser, '/');
  await ready(page, 'map');
  await page.click('#list li[data-id="01J3DEM0000000000000000152"] a');
  await ready(page, 'finding');
  assert.match(page.url(), /\?finding=01J3DEM0000000000000000152$/);
  const body = await page.$eval('#finding', (e) => e.innerText);
  assert.match(body, /KN-23 missile remnant documented in Kharkiv/);
  assert.match(body, /XC7A100T 2315/, 'a cited marking');
  assert.match(body, /2023-W15/, 'its decoded production week');
  assert.match(body, /yyww/, 'with the rule that read it');
  assert.match(body, /Texas Instruments/);
  const charts = await page.$$eval('figure.chart', (fs) => fs.map((f) => f.querySelectorAll('rect.bar').length));
  assert.equal(charts.length, 2, 'interval and origin charts');
  assert.ok(charts[0] >= 5 && charts[1] >= 2, 'bars: ' + charts);
  await page.waitForFunction(() => !/Loading/.test(document.querySelector('pre.checkpoint').textContent));
  assert.match(await page.$eval('pre.checkpoint', (e) => e.textContent), /\n— /, 'a signed checkpoint');
  assert.match(body, /remnant-verify --key/);
  // the public evidence bundle and the briefing report, as linked
  const links = await page.$$eval('a[href*="/bundle"], a[href*="/report."]', (as) => as.map((a) => a.getAttribute('href')));
  assert.equal(links.length, 3, 'bundle, PDF and HTML report: ' + links);
  const heads = await page.evaluate(async (hs) => Promise.all(hs.map(async (h) => {
    const r = await fetch(h);
    const b = new Uint8Array(await r.arrayBuffer());
    return [r.status, new TextDecoder().decode(b.slice(0, 24))];
  })), links);
  assert.deepEqual(heads.map((h) => h[0]), [200, 200, 200], 'links answer: ' + JSON.stringify(heads));
  assert.match(heads[0][1], /^remnant-bundle v2 public/);
  assert.match(heads[1][1], /^%PDF-/);
  await shot(page, 'portal-finding');
  await page.screenshot({ path: process.env.RN_SHOTS + '/portal-finding-full.png', fullPage: true });
  await axe(page);
  // an unpublished finding is not there
  await page.goto(BASE + '/?finding=01J3DEM0000000000000000151', { waitUntil: 'load' });
  await ready(page, 'finding');
  assert.match(await page.$eval('#finding', (e) => e.innerText), /\(404\)/);
  noProblems(page.problems.length ? { problems: page.problems.filter((p) => !/404/.test(p)) } : page);
  await page.close();
});

test('the downloads hold exactly the list', async () => {
  const page = await open(browser, '/?country=UA');
  await ready(page, 'map');
  const ids = await listIds(page);
  const got = await page.evaluate(async () => {
    const g = await (await fetch(document.querySelector('#dl-geojson').href)).json();
    const c = await (await fetch(document.querySelector('#dl-csv').href)).text();
    const j = await (await fetch(document.querySelector('#dl-jsonl').href)).text();
    return { g, c, j };
  });
  assert.equal(got.g.type, 'FeatureCollection');
  assert.deepEqual([...new Set(got.g.features.map((f) => f.properties.finding))].sort(), ids);
  for (const f of got.g.features) {
    assert.equal(f.type, 'Feature');
    assert.equal(f.geometry.type, 'Point');
    const [lon, lat] = f.geometry.coordinates;
    assert.ok(Math.abs(lat * 10 - Math.round(lat * 10)) < 1e-6 && Math.abs(lon * 10 - Math.round(lon * 10)) < 1e-6, 'on the public grid: ' + [lon, lat]);
  }
  const rows = got.c.trim().split('\r\n');
  assert.match(rows[0], /^finding,statement,/);
  assert.deepEqual([...new Set(rows.slice(1).map((r) => r.slice(0, 26)))].sort(), ids);
  const recs = got.j.trim().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual(recs.filter((r) => r.type === 'finding').map((r) => r.id).sort(), ids);
  // names are withheld: a reviewed finding's author and reviewer read as
  // placeholders (docs/PUBLIC.md, F4), never as names
  const placeholder = (v) => v === undefined || /^\[withheld/.test(v);
  assert.ok(recs.every((r) => !('notes' in r) && placeholder(r.author) &&
                              placeholder(r.reviewer) && !('investigators' in r)));
  await shot(page, 'portal-downloads');
  noProblems(page);
  await page.close();
});

test('search finds a published marking with ? for an illegible character', async () => {
  const page = await open(browser, '/');
  await ready(page, 'map');
  await page.type('#search-q', '23?5');
  await page.keyboard.press('Enter');
  await ready(page, 'search');
  const hits = await page.$eval('#search-results', (e) => e.innerText);
  assert.match(hits, /XC7A100T 2315/);
  assert.match(hits, /SN74LVC245APWR 2315/);
  await shot(page, 'portal-search');
  await axe(page);
  noProblems(page);
  await page.close();
});

test('the portal reads in Ukrainian', async () => {
  const page = await open(browser, '/');
  await ready(page, 'map');
  await page.select('#lang', 'uk');
  await page.waitForFunction((want) => document.querySelector('#h-map').textContent === want, {}, uk['portal.title']);
  assert.equal(await page.evaluate(() => document.documentElement.lang), 'uk');
  await ready(page, 'map');
  assert.equal(await page.$eval('#filters legend', (e) => e.textContent), uk['filters.legend']);
  await shot(page, 'portal-uk');
  await axe(page);
  noProblems(page);
  await page.close();
});

test('at a phone width nothing runs off the side', async () => {
  const page = await open(browser);
  await page.setViewport({ width: 390, height: 844, isMobile: true, hasTouch: true });
  for (const [path, view, name] of [['/', 'map', 'phone-portal'],
    ['/?finding=01J3DEM0000000000000000152', 'finding', 'phone-finding']]) {
    await page.goto(BASE + path, { waitUntil: 'load' });
    await ready(page, view);
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= 390, `${path}: the page is ${width} px wide`);
    await shot(page, name);
  }
  noProblems(page);
  await page.close();
});

// The map's own clustering (map.js pointLayer), on invented points in a map
// of their own: dense points are few markers that count them all; a cluster
// zooms in when clicked or chosen by keyboard; points on one spot, which no
// zoom separates, open a list of links instead.
test('dense points are clustered, and clusters open by mouse and keyboard', async () => {
  const page = await open(browser, '/');
  await ready(page, 'map');
  const r = await page.evaluate(async () => {
    const { makeMap, pointLayer } = await import('/assets/js/map.js');
    const box = document.createElement('div');
    box.id = 'test-map';
    box.className = 'map';
    document.querySelector('main').prepend(box);
    const map = await makeMap(box, { label: 'test map', center: [48.5, 32], zoom: 5 });
    const pts = [];
    let s = 7; // a fixed pseudo-random sequence: invented points in a box over Ukraine
    const rnd = () => ((s = (s * 16807) % 2147483647) / 2147483647);
    for (let i = 0; i < 2000; i++) pts.push({ id: 'p' + i, lat: 46 + rnd() * 5, lon: 25 + rnd() * 12, title: 'invented ' + i, href: '#p' + i });
    for (let i = 0; i < 30; i++) pts.push({ id: 's' + i, lat: 45.1, lon: 36.1, title: 'same spot ' + i, href: '#s' + i });
    const t0 = performance.now();
    const { layer, count } = pointLayer(map, pts, { onClick: (p) => (window.rnClicked = p.id), clusterTitle: (n) => `${n} places` });
    const ms = performance.now() - t0;
    window.rnTestMap = map;
    window.rnZoomed = 0;
    map.on('zoomend', () => window.rnZoomed++);
    const ms2 = [...box.querySelectorAll('.leaflet-marker-icon')];
    const total = ms2.reduce((a, e) => a + (e.classList.contains('rn-cluster') ? Number(e.textContent) : 1), 0);
    return { count, shown: layer.rnShown, markers: ms2.length, clusters: box.querySelectorAll('.rn-cluster').length, total, ms, zoom: map.getZoom() };
  });
  assert.equal(r.count, 2030);
  assert.ok(r.markers < 400, `few markers: ${r.markers}`);
  assert.ok(r.clusters > 0);
  assert.equal(r.markers, r.shown);
  assert.equal(r.total, 2030, 'the clusters count every point in view');
  // a cluster chosen by keyboard zooms in
  const z0 = r.zoom;
  const big = await page.evaluateHandle(() => [...document.querySelectorAll('#test-map .rn-cluster')].sort((a, b) => Number(b.textContent) - Number(a.textContent)).find((e) => !/^30$/.test(e.textContent)));
  assert.match(await big.evaluate((e) => e.getAttribute('title')), /^\d+ places$/);
  assert.equal(await big.evaluate((e) => e.tabIndex), 0, 'reachable by Tab');
  await big.focus();
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => window.rnZoomed > 0);
  assert.ok(await page.evaluate(() => window.rnTestMap.getZoom()) > z0, 'zoomed in');
  // the 30 on one spot: at the last zoom a list of links, a link follows its point
  await page.evaluate(() => window.rnTestMap.setView([45.1, 36.1], window.rnTestMap.getMaxZoom(), { animate: false }));
  await page.waitForFunction(() => [...document.querySelectorAll('#test-map .rn-cluster')].some((e) => e.textContent === '30'));
  await page.evaluate(() => [...document.querySelectorAll('#test-map .rn-cluster')].find((e) => e.textContent === '30').click());
  await page.waitForSelector('#test-map .rn-cluster-list');
  assert.equal(await page.$$eval('#test-map .rn-cluster-list a', (as) => as.length), 30);
  await page.click('#test-map .rn-cluster-list a');
  assert.match(await page.evaluate(() => window.rnClicked), /^s\d+$/);
  await shot(page, 'portal-clusters');
  noProblems(page);
  await page.close();
});
