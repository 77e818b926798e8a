// SPDX-License-Identifier: Apache-2.0
// portal.js — the public portal at `/`: the map and list of published
// findings with their filters and downloads (?country=..&weapon_system=..),
// one finding's page (?finding=ID), and search of published markings
// (?q=TEXT, `?` for an illegible character). Reads only the public API:
// /api/v1/public/findings[.geojson|.csv|.jsonl], /api/v1/public/findings/ID,
// /api/v1/search, /api/v1/decode, /api/v1/log/checkpoint.
// When a view has drawn, <body data-view="..." data-ready="1"> says so (the
// browser tests and the benchmark wait for it); data-points counts the map's.

import { get, qs, ApiError } from './api.js';
import * as i18n from './i18n.js';
import { t } from './i18n.js';
import * as dates from './dates.js';
import { makeMap, pointLayer, fit, settings } from './map.js';
import * as chart from './chart.js';

const FILTERS = ['country', 'weapon_system', 'producing_state', 'manufacturer_country', 'from', 'to'];
const $ = (s, r = document) => r.querySelector(s);

function el(tag, attrs = {}, ...kids) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') e.className = v;
    else if (k === 'text') e.textContent = v;
    else e.setAttribute(k, v === true ? '' : v);
  }
  for (const k of kids) if (k !== null && k !== undefined) e.append(k);
  return e;
}

// A gallery image: the photo's thumbnail, or the photo (the public copy)
// itself when the server can make no thumbnail of it (409).
function thumb(a) {
  const img = el('img', { src: `/api/v1/attachments/${a.id}/thumbnail`, alt: a.filename || t('finding.photo'), loading: 'lazy' });
  img.addEventListener('error', () => { img.src = `/api/v1/attachments/${a.id}/content`; }, { once: true });
  return img;
}

const regionNames = new Map(); // "lang:code" -> name: Intl.DisplayNames is slow to make
function regionName(code) {
  if (!code) return '';
  const key = i18n.currentLang() + ':' + code;
  if (!regionNames.has(key)) {
    let name = code;
    try {
      const n = new Intl.DisplayNames([i18n.currentLang()], { type: 'region' }).of(code);
      if (n && n !== code) name = `${n} (${code})`;
    } catch (e) {
      /* an unknown code shows as it is */
    }
    regionNames.set(key, name);
  }
  return regionNames.get(key);
}

function busy(on) {
  document.body.dataset.ready = on ? '0' : '1';
  $('#main').setAttribute('aria-busy', on ? 'true' : 'false');
}

function showError(where, e) {
  const msg = e instanceof ApiError ? `${e.message} (${e.status})` : String(e.message || e);
  where.replaceChildren(el('p', { class: 'error', role: 'alert', text: t('error.load', { message: msg }) }));
}

function show(view) {
  for (const s of document.querySelectorAll('main > section')) s.hidden = s.id !== 'view-' + view;
  document.body.dataset.view = view;
}

// ---- navigation ------------------------------------------------------------------

function go(url) {
  history.pushState(null, '', url);
  route();
}

document.addEventListener('click', (ev) => {
  const a = ev.target.closest('a[data-nav]');
  if (!a || ev.ctrlKey || ev.metaKey || ev.shiftKey || ev.button !== 0) return;
  ev.preventDefault();
  go(a.getAttribute('href'));
});
window.addEventListener('popstate', () => route());

async function route() {
  const p = new URLSearchParams(location.search);
  if (p.get('finding')) return showFinding(p.get('finding'));
  if (p.get('preview')) return showFinding(p.get('preview'), true);
  if (p.get('q')) return showSearch(p.get('q'));
  return showMapView(p);
}

// ---- map and list ------------------------------------------------------------------

let map = null;
let layer = null;

function filterParams(p) {
  const o = {};
  for (const k of FILTERS) if (p.get(k)) o[k] = p.get(k);
  return o;
}

function fillSelect(sel, values, current, label) {
  const keep = current || '';
  sel.replaceChildren(el('option', { value: '', text: t('filters.any') }));
  for (const v of values) sel.append(el('option', { value: v, text: label ? label(v) : v }));
  if (keep && !values.includes(keep)) sel.append(el('option', { value: keep, text: keep }));
  sel.value = keep;
}

function placeLine(pl) {
  const when = pl.incident || pl.documented;
  return [pl.place || pl.name, regionName(pl.country), when ? dates.format(when) : ''].filter(Boolean).join(' · ');
}

function listItem(f) {
  const text = f.statement || '';
  const short = text.length > 220 ? text.slice(0, 217) + '…' : text;
  const meta = [];
  for (const pl of f.places || []) meta.push(placeLine(pl));
  if (f.weapon_systems.length) meta.push(t('list.weapons', { list: f.weapon_systems.join(', ') }));
  if (f.manufacturer_countries.length)
    meta.push(t('list.makers', { list: f.manufacturer_countries.map(regionName).join(', ') }));
  return el(
    'li',
    { 'data-id': f.id },
    el('a', { href: '/?finding=' + encodeURIComponent(f.id), 'data-nav': true, text: short }),
    el('p', { class: 'meta', text: meta.join(' — ') }),
  );
}

// The list shows its first LIST_PAGE findings, and more on request: ten
// thousand rows at once would hold the page up for seconds.
const LIST_PAGE = 100;

function showList(findings) {
  const list = $('#list');
  const more = $('#list-more');
  let shown = 0;
  const next = () => {
    const part = findings.slice(shown, shown + LIST_PAGE);
    list.append(...part.map(listItem));
    shown += part.length;
    more.hidden = shown >= findings.length;
    more.textContent = t('list.more', { n: Math.min(LIST_PAGE, findings.length - shown), left: findings.length - shown });
  };
  list.replaceChildren();
  more.onclick = () => {
    const first = shown;
    next();
    list.children[first]?.querySelector('a')?.focus();
  };
  next();
  if (!findings.length) list.append(el('li', { class: 'empty', text: t('list.none') }));
}

async function showMapView(p) {
  show('map');
  busy(true);
  const form = $('#filters');
  const f = filterParams(p);
  for (const k of FILTERS) if (form.elements[k]) form.elements[k].value = f[k] || '';
  const q = qs(f);
  for (const [id, ext] of [['#dl-geojson', 'geojson'], ['#dl-csv', 'csv'], ['#dl-jsonl', 'jsonl']])
    $(id).href = `/api/v1/public/findings.${ext}${q}`;
  let data;
  performance.mark('rn:fetch');
  // the base map is drawn while the findings come
  const mapReady = map ? Promise.resolve(map) : makeMap($('#map'), { label: t('map.label'), missing: t('map.missing') });
  try {
    const first = early && early.q === q ? early.data : null;
    early = null;
    data = await (first || get('/api/v1/public/findings' + q));
  } catch (e) {
    showError($('#list'), e);
    busy(false);
    return;
  }
  performance.mark('rn:data');
  const fc = data.facets;
  fillSelect(form.elements.country, fc.country, f.country, regionName);
  fillSelect(form.elements.weapon_system, fc.weapon_system, f.weapon_system);
  fillSelect(form.elements.producing_state, fc.producing_state, f.producing_state, regionName);
  fillSelect(form.elements.manufacturer_country, fc.manufacturer_country, f.manufacturer_country, regionName);
  $('#count').textContent = String(data.findings.length);
  showList(data.findings);
  const points = [];
  for (const fd of data.findings)
    for (const pl of fd.places)
      points.push({
        id: fd.id,
        lat: pl.lat,
        lon: pl.lon,
        title: `${pl.place || pl.name}: ${(fd.statement || '').slice(0, 90)}`,
        href: '/?finding=' + encodeURIComponent(fd.id),
      });
  performance.mark('rn:list');
  map = await mapReady;
  performance.mark('rn:base');
  if (map) {
    map.invalidateSize();
    if (layer) map.removeLayer(layer);
    fit(map, points); // first: clustering is done once, at the final zoom
    const r = pointLayer(map, points, { onClick: (pt) => go(pt.href), clusterTitle: (n) => t('map.cluster', { n }) });
    layer = r.layer;
    document.body.dataset.points = String(r.count);
  }
  performance.mark('rn:points');
  busy(false);
}

function bindFilters() {
  const form = $('#filters');
  const apply = () => {
    const o = {};
    for (const k of FILTERS) if (form.elements[k].value.trim()) o[k] = form.elements[k].value.trim();
    for (const k of ['from', 'to']) {
      if (o[k] && !dates.parse(o[k])) {
        form.elements[k].setAttribute('aria-invalid', 'true');
        $('#filter-error').textContent = t('filters.baddate', { value: o[k] });
        return;
      }
      form.elements[k].removeAttribute('aria-invalid');
    }
    $('#filter-error').textContent = '';
    history.pushState(null, '', '/' + qs(o));
    route();
  };
  form.addEventListener('change', (e) => {
    if (e.target.tagName === 'SELECT') apply();
  });
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    apply();
  });
  form.addEventListener('reset', () => setTimeout(apply, 0));
}

// ---- one finding ---------------------------------------------------------------------

function dl(pairs) {
  const d = el('dl', { class: 'facts' });
  for (const [k, v] of pairs) if (v !== undefined && v !== null && v !== '') d.append(el('dt', { text: k }), el('dd', { text: v }));
  return d;
}

function section(title, ...kids) {
  const id = 'h-' + title.toLowerCase().replace(/[^a-z0-9а-яіїєґ]+/gi, '-');
  return el('section', { class: 'block', 'aria-labelledby': id }, el('h2', { id, text: title }), ...kids);
}

function table(head, rows) {
  const tb = el('table', { class: 'data' });
  const tr = el('tr');
  for (const h of head) tr.append(el('th', { scope: 'col', text: h }));
  tb.append(el('thead', {}, tr));
  const body = el('tbody');
  for (const r of rows) {
    const row = el('tr');
    for (const c of r) row.append(el('td', {}, c instanceof Node ? c : document.createTextNode(c ?? '')));
    body.append(row);
  }
  tb.append(body);
  return tb;
}

function dayParam(d) {
  const x = dates.parse(d);
  return x && x.latest !== null ? dates.isoDay(x.latest) : undefined;
}

async function decodeAll(markings, items, events) {
  const out = new Map();
  await Promise.all(
    markings.map(async (m) => {
      const it = items.get(m.item);
      const ev = it && events.get(it.event);
      try {
        const r = await get('/api/v1/decode' + qs({ text: m.text, category: it && it.category, state: it && it.producing_state, documented: ev && dayParam(ev.documented) }));
        out.set(m.id, r.candidates || []);
      } catch (e) {
        out.set(m.id, []);
      }
    }),
  );
  return out;
}

function best(cands, field) {
  return cands.filter((c) => c.field === field).sort((a, b) => b.confidence - a.confidence)[0];
}

// One finding; `preview`: a finding not yet published, as the public will
// see it once it is (for staff: /api/v1/findings/ID/preview needs an account).
async function showFinding(id, preview) {
  show('finding');
  busy(true);
  const root = $('#finding');
  root.replaceChildren(el('p', { text: t('loading') }));
  let doc;
  try {
    const eid = encodeURIComponent(id);
    doc = preview
      ? await get(`/api/v1/findings/${eid}/preview`)
      : await get(`/api/v1/public/findings/${eid}`);
    if (doc.public_grid === undefined) doc.public_grid = (await settings()).public_grid;
  } catch (e) {
    showError(root, e);
    busy(false);
    return;
  }
  const f = doc.finding;
  const byType = (ty) => doc.records.filter((r) => r.type === ty);
  const events = new Map(byType('event').map((r) => [r.id, r]));
  const items = new Map(byType('item').map((r) => [r.id, r]));
  const markings = byType('marking');
  const photos = byType('attachment').filter((a) => /^image\//.test(a.media_type || ''));
  const decoded = await decodeAll(markings, items, events);
  const itemName = (it) => (it ? it.name || it.category || it.kind : '');

  const kids = [];
  kids.push(el('p', {}, el('a', { href: '/', 'data-nav': true, text: t('finding.back') })));
  if (preview) kids.push(el('p', { class: 'preview-banner', role: 'note', id: 'preview-banner', text: t('finding.preview') }));
  kids.push(el('h1', { id: 'finding-title', tabindex: '-1', text: t('finding.title') }));
  kids.push(el('blockquote', { class: 'statement', text: f.statement }));
  kids.push(el('p', { class: 'meta', text: t('finding.status', { status: f.status || '', id: f.id }) }));

  // places
  const places = [...events.values()];
  if (places.length) {
    const mapEl = el('div', { class: 'map small', id: 'finding-map' });
    kids.push(
      section(
        t('finding.places'),
        el('ul', {}, ...places.map((e) => el('li', { text: [e.name, e.place, regionName(e.country), dates.format(e.incident || e.documented)].filter(Boolean).join(' · ') }))),
        el('p', { class: 'note', text: t('finding.grid', { km: Math.round((doc.public_grid || 0) * 111) }) }),
        mapEl,
      ),
    );
    setTimeout(async () => {
      const m = await makeMap(mapEl, { label: t('finding.places'), zoom: 6 });
      if (!m) return;
      const pts = places.map((e) => ({ id: e.id, lat: e.lat, lon: e.lon, title: e.name }));
      fit(m, pts);
      pointLayer(m, pts, { clusterTitle: (n) => t('map.cluster', { n }) });
    }, 0);
  }

  // items and markings
  if (items.size)
    kids.push(
      section(
        t('finding.items'),
        table(
          [t('col.item'), t('col.kind'), t('col.weapon'), t('col.producer'), t('col.maker'), t('col.serial')],
          [...items.values()].map((it) => [
            itemName(it),
            it.kind,
            it.weapon_system || '',
            regionName(it.producing_state),
            [it.manufacturer, regionName(it.manufacturer_country)].filter(Boolean).join(', '),
            [it.serial, it.lot].filter(Boolean).join(' / '),
          ]),
        ),
      ),
    );
  if (markings.length) {
    const rows = markings.map((m) => {
      const cands = (decoded.get(m.id) || []).slice().sort((a, b) => b.confidence - a.confidence);
      const ul = el('ul', { class: 'readings' });
      const seen = new Set();
      for (const c of cands) {
        if (seen.has(c.field)) continue;
        seen.add(c.field);
        ul.append(
          el(
            'li',
            {},
            el('strong', { text: `${t('field.' + c.field)}: ${c.value}${c.country ? ' (' + c.country + ')' : ''}` }),
            ` — ${Math.round(c.confidence * 100)}% · ${c.rule}`,
            el('details', {}, el('summary', { text: t('finding.why') }), el('p', { text: c.explanation }), el('p', { class: 'source', text: t('finding.source', { source: c.source || '' }) })),
          ),
        );
      }
      if (!cands.length) ul.append(el('li', { text: t('finding.noreading') }));
      return [el('code', { text: m.text }), itemName(items.get(m.item)), [m.method, m.location].filter(Boolean).join(', '), ul];
    });
    kids.push(section(t('finding.markings'), table([t('col.marking'), t('col.item'), t('col.how'), t('col.readings')], rows)));
  }
  if (photos.length)
    kids.push(
      section(
        t('finding.photos'),
        // thumbnails (.../thumbnail: of the public copy), each a link to the public copy itself
        el('div', { class: 'gallery' }, ...photos.map((a) => el('figure', {}, el('a', { href: `/api/v1/attachments/${a.id}/content`, target: '_blank', rel: 'noopener', title: t('photos.full') }, thumb(a)), el('figcaption', { text: a.filename || '' })))),
      ),
    );

  // production to use, and component origin
  const spans = [];
  const origin = new Map();
  for (const it of items.values()) {
    const ev = events.get(it.event);
    const use = ev && (ev.incident || ev.documented);
    let produced = it.produced, basis = t('basis.field');
    const ms = markings.filter((m) => m.item === it.id);
    if (!produced) {
      const c = ms.map((m) => ({ m, c: best(decoded.get(m.id) || [], 'production_date') })).filter((x) => x.c).sort((a, b) => b.c.confidence - a.c.confidence)[0];
      if (c) {
        produced = { earliest: c.c.earliest, latest: c.c.latest, precision: 'day' };
        basis = t('basis.decoder', { rule: c.c.rule, text: c.m.text });
      }
    }
    if (produced && use) {
      const s = dates.span(produced, use);
      if (s && s.min !== null && s.max !== null) {
        const a = dates.months(s.min), b = dates.months(s.max);
        spans.push({ label: itemName(it), min: a, max: b, text: t('span.months', { min: a, max: b }) + ' — ' + basis });
      }
    }
    let country = it.manufacturer_country;
    if (!country) {
      const c = ms.map((m) => best(decoded.get(m.id) || [], 'manufacturer')).filter(Boolean).sort((a, b) => b.confidence - a.confidence)[0];
      if (c) country = c.country;
    }
    if (country && it.kind === 'component') origin.set(country, (origin.get(country) || 0) + 1);
  }
  if (spans.length)
    kids.push(section(t('finding.interval'), chart.intervals(t('finding.interval'), spans, { axisLabel: t('span.axis'), head: [t('col.item'), t('col.interval')] })));
  if (origin.size)
    kids.push(
      section(
        t('finding.origin'),
        chart.bars(
          t('finding.origin'),
          [...origin.entries()].sort((a, b) => b[1] - a[1]).map(([k, v]) => ({ label: regionName(k), value: v })),
          { head: [t('col.country'), t('col.count')] },
        ),
      ),
    );

  // how to verify
  const pre = el('pre', { class: 'checkpoint', text: t('loading') });
  const proofs = el('ul', { class: 'proofs' }, ...[f, ...doc.records].map((r) => el('li', {}, el('a', { href: `/api/v1/log/proof/${r.id}`, text: `${r.type} ${r.id}` }))));
  kids.push(
    section(
      t('verify.title'),
      el('p', { text: t('verify.intro') }),
      el('h3', { text: t('verify.checkpoint') }),
      pre,
      el('h3', { text: t('verify.proofs') }),
      proofs,
      el('h3', { text: t('verify.bundle') }),
      el('p', { text: t('verify.bundle.text') }),
      el('p', {}, el('a', { href: `/api/v1/findings/${f.id}/bundle`, download: `finding-${f.id}-public.rnb`, text: t('verify.bundle.download') })),
      el('h3', { text: t('report.title') }),
      el('p', {},
        el('a', { href: `/api/v1/findings/${f.id}/report.pdf?lang=${i18n.currentLang() === 'uk' ? 'uk' : 'en'}`, text: t('report.pdf') }),
        ' · ',
        el('a', { href: `/api/v1/findings/${f.id}/report.html?lang=${i18n.currentLang() === 'uk' ? 'uk' : 'en'}`, text: t('report.html') })),
      el('pre', { class: 'cmd', text: `remnant-verify --key VERIFIER_KEY finding-${f.id}-public.rnb` }),
      el('p', {}, el('a', { href: `/api/v1/public/findings/${f.id}`, download: `finding-${f.id}.json`, text: t('verify.json') })),
    ),
  );
  root.replaceChildren(...kids);
  document.title = t('finding.title') + ' — Remnant';
  get('/api/v1/log/checkpoint')
    .then((txt) => (pre.textContent = typeof txt === 'string' ? txt : JSON.stringify(txt)))
    .catch(() => (pre.textContent = t('verify.nocheckpoint')));
  $('#finding-title').focus({ preventScroll: true });
  busy(false);
}

// ---- search -----------------------------------------------------------------------------

async function showSearch(text) {
  show('search');
  busy(true);
  $('#search-q').value = text;
  $('#search-title').textContent = t('search.results', { q: text });
  const out = $('#search-results');
  try {
    const r = await get('/api/v1/search' + qs({ q: text, limit: 100 }));
    out.replaceChildren(
      ...r.hits.map((h) =>
        el('li', {}, el('code', { text: h.text }), ` — ${t('type.' + h.type)} (${h.field}) `, h.type === 'finding' ? el('a', { href: '/?finding=' + h.id, 'data-nav': true, text: t('search.open') }) : el('a', { href: `/api/v1/${h.type === 'entity' ? 'entities' : h.type + 's'}/${h.id}`, text: h.id })),
      ),
    );
    if (!r.hits.length) out.append(el('li', { text: t('search.none') }));
  } catch (e) {
    showError(out, e);
  }
  busy(false);
}

// ---- start ---------------------------------------------------------------------------

// The first map view's list is asked for at once, while the catalogue and
// the base map load (the map's points wait for it and nothing else).
let early = null;
{
  const p = new URLSearchParams(location.search);
  if (!p.get('finding') && !p.get('preview') && !p.get('q')) {
    const q = qs(filterParams(p));
    early = { q, data: get('/api/v1/public/findings' + q) };
    early.data.catch(() => {}); // told when awaited (showMapView)
  }
}

async function start() {
  await i18n.load();
  i18n.apply();
  i18n.bindPicker($('#lang'), () => route());
  bindFilters();
  $('#search-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const v = $('#search-q').value.trim();
    if (v) go('/?q=' + encodeURIComponent(v));
  });
  await route();
}

start();
