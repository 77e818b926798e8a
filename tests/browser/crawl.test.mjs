// SPDX-License-Identifier: Apache-2.0
// crawl.test.mjs — the anonymous crawl of the public portal. A reader with
// no account uses every part of the portal (each filter value, each
// finding, search, both languages, every download, the proofs it links);
// every API response the pages receive is kept. None may hold:
//   - a value of a field the model flags sensitive (`remnant fields`), or
//     of `notes`, from any record;
//   - a value that only unpublished records hold (names, statements,
//     transcriptions ...), or the id of an unpublished finding;
//   - an exact coordinate (one that is not on the public grid).
// What is restricted is worked out from the database itself (`remnant
// export`), so the test follows the demo data and the model.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { launch, open, ready, shot, BASE } from './lib.mjs';

const R = process.env.REMNANT;
const run = (...args) => execFileSync(R, args, { env: process.env, encoding: 'utf8', maxBuffer: 1 << 28 });

function model() {
  const sensitive = {}; // type -> Set of field names
  const types = ['event', 'item', 'marking', 'attachment', 'entity', 'transfer', 'trace', 'finding', 'sanction', 'custody', 'claim'];
  for (const t of types) {
    sensitive[t] = new Set(['notes']);
    for (const line of run('fields', t).split('\n')) {
      const m = /^\s+(\w+)\s.*\[sensitive\]/.exec(line);
      if (m) sensitive[t].add(m[1]);
    }
  }
  const notesSensitive = run('fields', 'event').split('\n').some((l) => /^\s+notes\s.*\[sensitive\]/.test(l));
  return { sensitive, notesSensitive };
}

function strings(v, out = []) {
  if (typeof v === 'string') out.push(v);
  else if (Array.isArray(v)) v.forEach((x) => strings(x, out));
  else if (v && typeof v === 'object') Object.values(v).forEach((x) => strings(x, out));
  return out;
}

function restricted() {
  const { sensitive, notesSensitive } = model();
  const recs = run('export').trim().split('\n').map((l) => JSON.parse(l));
  const byId = new Map(recs.map((r) => [r.id, r]));
  const published = recs.filter((r) => r.type === 'finding' && r.status === 'published');
  const pub = new Set(published.map((r) => r.id));
  for (const f of published)
    for (const id of f.evidence || []) {
      const r = byId.get(id);
      if (r && r.type !== 'custody' && (r.type !== 'finding' || r.status === 'published')) pub.add(id);
    }
  const secrets = new Set();
  const publicValues = new Set();
  for (const r of recs)
    if (pub.has(r.id))
      for (const [k, v] of Object.entries(r)) if (!sensitive[r.type].has(k)) strings(v).forEach((s) => publicValues.add(s));
  const unpublished = new Set();
  const draftFindings = [];
  for (const r of recs) {
    for (const [k, v] of Object.entries(r)) if (sensitive[r.type].has(k)) strings(v).forEach((s) => s.length >= 6 && secrets.add(s));
    if (pub.has(r.id)) continue;
    if (r.type === 'finding') draftFindings.push(r.id);
    // what names an unpublished record: generic words (an item's "guidance
    // section") are no secret, a statement, an event or a transcription is
    const telling = { finding: ['statement'], event: ['name', 'context'], marking: ['text'], item: ['serial', 'lot'], trace: ['question'], transfer: ['scope'] }[r.type] || [];
    for (const k of telling)
      if (typeof r[k] === 'string' && r[k].length >= 8 && /\d|\s\S+\s/.test(r[k]) && !publicValues.has(r[k])) unpublished.add(r[k]);
  }
  const coords = new Set();
  for (const r of recs)
    for (const k of ['lat', 'lon'])
      if (typeof r[k] === 'number' && Math.abs(r[k] * 10 - Math.round(r[k] * 10)) > 1e-9) coords.add(String(r[k]));
  return { secrets, unpublished, draftFindings, coords, pub, notesSensitive };
}

let browser;
before(async () => (browser = await launch()));
after(async () => browser && (await browser.close()));

test('an anonymous reader sees nothing restricted, unpublished or exact', async () => {
  const want = restricted();
  assert.ok(want.secrets.size > 5 && want.unpublished.size > 5 && want.coords.size > 2, 'the demo holds restricted values to look for');
  const ctx = await browser.createBrowserContext();
  const page = await open(ctx);
  const bodies = new Map();
  const pending = [];
  page.on('response', (r) => {
    const u = new URL(r.url());
    if (u.origin !== new URL(BASE).origin || !u.pathname.startsWith('/api/')) return;
    pending.push(r.buffer().then((b) => bodies.set(u.pathname + u.search, b.toString('utf8'))).catch(() => {}));
  });
  const visit = async (path, view) => {
    await page.goto(BASE + path, { waitUntil: 'load' });
    await ready(page, view);
  };
  await visit('/', 'map');
  const facets = await page.evaluate(async () => (await (await fetch('/api/v1/public/findings')).json()).facets);
  for (const [k, vs] of Object.entries(facets)) for (const v of vs) await visit(`/?${k}=${encodeURIComponent(v)}`, 'map');
  await visit('/?from=2024-07&to=2024-08', 'map');
  const ids = await page.evaluate(async () => (await (await fetch('/api/v1/public/findings')).json()).findings.map((f) => f.id));
  assert.ok(ids.length >= 1);
  for (const id of ids) {
    await visit('/?finding=' + id, 'finding');
    await page.waitForFunction(() => !/…$/.test(document.querySelector('pre.checkpoint')?.textContent || ''));
    const links = await page.$$eval('a[href^="/api/"]', (as) => as.map((a) => a.getAttribute('href')));
    await page.evaluate(async (ls) => Promise.all(ls.map((l) => fetch(l).then((r) => r.text()))), links);
  }
  const searches = ['2?15', 'STM32', 'KN-23', 'Kharkiv', 'remnants', '113'];
  if (want.notesSensitive) searches.push('INVENTED', 'invented holder');
  for (const q of searches) await visit('/?q=' + encodeURIComponent(q), 'search');
  await visit('/?lang=uk', 'map');
  await page.evaluate(async () => {
    for (const a of document.querySelectorAll('.downloads a')) await (await fetch(a.href)).text();
  });
  await shot(page, 'crawl-last');
  await Promise.all(pending);
  assert.ok(bodies.size > 20, 'crawled ' + bodies.size + ' responses');
  const leaks = [];
  for (const [url, body] of bodies) {
    for (const s of want.secrets) if (body.includes(s)) leaks.push(`restricted "${s}" in ${url}`);
    for (const s of want.unpublished) if (body.includes(JSON.stringify(s).slice(1, -1))) leaks.push(`unpublished "${s.slice(0, 60)}" in ${url}`);
    for (const id of want.draftFindings) if (body.includes(id)) leaks.push(`draft finding ${id} in ${url}`);
    for (const c of want.coords) if (new RegExp(`[^0-9.]${c.replace('.', '\\.')}(?![0-9])`).test(body)) leaks.push(`exact coordinate ${c} in ${url}`);
  }
  assert.deepEqual(leaks.slice(0, 40), [], `${leaks.length} leaks`);
  await ctx.close();
});
