// SPDX-License-Identifier: Apache-2.0
// app.js — the staff workspace at /app/: sign-in, documentation events
// (list, map, create with a place picked on the map or typed in decimal
// degrees or DMS), one event's item tree (weapon → section → board → chip)
// with markings and the decoder's candidates live as a marking is typed,
// the findings board (draft → reviewed → published) and accounts (admin).
// Views by hash: #events, #event/ID, #findings, #accounts. What a role may
// not do is not offered (data-role), and the API refuses it anyway.
// An expired session (401, or /me turning anonymous while this tab holds a
// CSRF token) brings back the sign-in form saying so.

import * as api from './api.js';
import { ApiError, qs } from './api.js';
import * as i18n from './i18n.js';
import { t } from './i18n.js';
import * as dates from './dates.js';
import { parsePair, formatDMS } from './coords.js';
import { makeMap, pointLayer, fit } from './map.js';
import * as chart from './chart.js';
import * as syncView from './sync.js';

const $ = (s, r = document) => r.querySelector(s);
const ROLE_SETS = { investigator: ['investigator', 'admin'], analyst: ['analyst', 'admin'], reviewer: ['reviewer', 'admin'], admin: ['admin'] };
let me = { user: null, role: 'public' };

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

const may = (what) => (ROLE_SETS[what] || []).includes(me.role);

function busy(on) {
  document.body.dataset.ready = on ? '0' : '1';
  $('#main').setAttribute('aria-busy', on ? 'true' : 'false');
}

function show(view) {
  for (const s of document.querySelectorAll('main > section')) s.hidden = s.id !== 'view-' + view;
  document.body.dataset.view = view;
  for (const a of document.querySelectorAll('#nav a')) {
    if (a.dataset.view === view.replace(/^event$/, 'events')) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
}

function applyRoles() {
  for (const e of document.querySelectorAll('[data-role]')) e.hidden = !may(e.dataset.role);
  $('#nav').hidden = me.role === 'public';
  $('#app-search').hidden = me.role === 'public';
  $('#logout').hidden = me.role === 'public';
  $('#who').textContent = me.user ? t('app.who', { user: me.user, role: t('role.' + me.role) }) : '';
}

function message(where, e) {
  where.textContent = e ? (e instanceof ApiError ? errorText(e) : String(e.message || e)) : '';
}

function errorText(e) {
  if (e.status === 401) return t('error.session');
  if (e.status === 403) return t('error.forbidden');
  return t('error.api', { message: e.message, field: e.field ? ` (${e.field})` : '' });
}

// Any call: a 401 means the session is gone (expired or ended elsewhere).
async function call(fn) {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof ApiError && e.status === 401 && me.role !== 'public') {
      expired();
      throw e;
    }
    throw e;
  }
}

function expired() {
  me = { user: null, role: 'public' };
  api.setCsrfToken('');
  applyRoles();
  showLogin(t('login.expired'));
}

function showLogin(msg) {
  show('login');
  $('#login-msg').textContent = msg || '';
  busy(false);
  $('#login').elements.name.focus();
}

// ---- sign-in ------------------------------------------------------------------------

async function whoAmI() {
  me = await api.get('/api/v1/me');
  if (me.role === 'public' && api.csrfToken()) {
    expired();
    return false;
  }
  applyRoles();
  return me.role !== 'public';
}

function bindLogin() {
  $('#login').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const f = ev.target;
    busy(true);
    try {
      const r = await api.post('/api/v1/login', { name: f.elements.name.value, password: f.elements.password.value });
      api.setCsrfToken(r.csrf_token);
      f.elements.password.value = '';
      me = { user: r.user, role: r.role };
      applyRoles();
      route();
    } catch (e) {
      $('#login-msg').textContent = e.status === 401 ? t('login.wrong') : errorText(e);
      f.elements.password.value = '';
      f.elements.password.focus();
      busy(false);
    }
  });
  $('#logout').addEventListener('click', async () => {
    try {
      await api.post('/api/v1/logout', {});
    } catch (e) {
      /* gone already */
    }
    api.setCsrfToken('');
    me = { user: null, role: 'public' };
    applyRoles();
    location.hash = '';
    showLogin(t('login.bye'));
  });
}

// ---- events -------------------------------------------------------------------------

let eventsMap = null;
let pickMarker = null;

async function showEvents() {
  show('events');
  busy(true);
  const r = await call(() => api.get('/api/v1/events?limit=1000'));
  const tb = $('#events-table tbody');
  tb.replaceChildren(
    ...r.items.map((e) =>
      el('tr', {}, el('td', {}, el('a', { href: '#event/' + e.id, text: e.name })), el('td', { text: e.country || '' }), el('td', { text: dates.format(e.documented) })),
    ),
  );
  if (!r.items.length) tb.append(el('tr', {}, el('td', { colspan: '3', class: 'note', text: t(may('investigator') ? 'events.none.add' : 'events.none') })));
  if (!eventsMap) {
    eventsMap = await makeMap($('#events-map'), { label: t('events.map') });
    if (eventsMap && may('investigator')) eventsMap.on('click', (ev) => place(ev.latlng.lat, ev.latlng.lng, true));
  }
  if (eventsMap) {
    eventsMap.invalidateSize();
    if (eventsMap.rnLayer) eventsMap.removeLayer(eventsMap.rnLayer);
    const pts = r.items.map((e) => ({ id: e.id, lat: e.lat, lon: e.lon, title: e.name }));
    fit(eventsMap, pts);
    eventsMap.rnLayer = pointLayer(eventsMap, pts, { onClick: (p) => (location.hash = '#event/' + p.id), clusterTitle: (n) => t('map.cluster', { n }) }).layer;
  }
  busy(false);
}

// Set the new event's place (from a map click, or typed).
function place(lat, lon, fromMap) {
  const L = window.L;
  const f = $('#new-event');
  lat = Math.round(lat * 1e6) / 1e6;
  lon = Math.round(lon * 1e6) / 1e6;
  if (fromMap) f.elements.coords.value = `${lat}, ${lon}`;
  f.elements.coords.removeAttribute('aria-invalid');
  $('#coords-out').textContent = t('coords.read', { lat, lon, dms: `${formatDMS(lat, 'lat')} ${formatDMS(lon, 'lon')}` });
  f.dataset.lat = lat;
  f.dataset.lon = lon;
  if (eventsMap && L) {
    if (!pickMarker) pickMarker = L.marker([lat, lon], { icon: L.divIcon({ className: 'rn-pin draft', iconSize: [16, 16] }), title: t('events.newplace'), keyboard: false }).addTo(eventsMap);
    else pickMarker.setLatLng([lat, lon]);
  }
}

function bindNewEvent() {
  const f = $('#new-event');
  f.elements.coords.addEventListener('input', () => {
    const v = f.elements.coords.value.trim();
    delete f.dataset.lat;
    delete f.dataset.lon;
    if (!v) {
      $('#coords-out').textContent = '';
      return;
    }
    try {
      const p = parsePair(v);
      place(p.lat, p.lon, false);
    } catch (e) {
      f.elements.coords.setAttribute('aria-invalid', 'true');
      $('#coords-out').textContent = e.message;
    }
  });
  f.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const body = { name: f.elements.name.value.trim() };
    for (const k of ['place', 'country', 'documented']) if (f.elements[k].value.trim()) body[k] = f.elements[k].value.trim();
    if (body.country) body.country = body.country.toUpperCase();
    if (f.elements.coords.value.trim()) {
      if (f.dataset.lat === undefined) {
        $('#new-event-msg').textContent = t('coords.bad');
        f.elements.coords.focus();
        return;
      }
      body.lat = Number(f.dataset.lat);
      body.lon = Number(f.dataset.lon);
    }
    try {
      const e = await call(() => api.post('/api/v1/events', body));
      message($('#new-event-msg'));
      f.reset();
      $('#coords-out').textContent = '';
      if (pickMarker) {
        pickMarker.remove();
        pickMarker = null;
      }
      location.hash = '#event/' + e.id;
    } catch (e) {
      message($('#new-event-msg'), e);
    }
  });
}

// ---- editing an event: only what changed is sent (JSON merge patch) ------------------------

function fillEdit(ev) {
  const f = $('#edit-event-form');
  for (const k of ['name', 'place', 'country']) f.elements[k].value = ev[k] || '';
  for (const k of ['documented', 'incident']) f.elements[k].value = ev[k] ? dates.format(ev[k]) : '';
  f.elements.coords.value = typeof ev.lat === 'number' ? `${ev.lat}, ${ev.lon}` : '';
  $('#edit-coords-out').textContent = '';
  $('#edit-event-msg').textContent = '';
  f.elements.coords.removeAttribute('aria-invalid');
}

function bindEditEvent() {
  const f = $('#edit-event-form');
  f.elements.coords.addEventListener('input', () => {
    const v = f.elements.coords.value.trim();
    try {
      if (v) {
        const p = parsePair(v);
        $('#edit-coords-out').textContent = t('coords.read', { lat: p.lat, lon: p.lon, dms: `${formatDMS(p.lat, 'lat')} ${formatDMS(p.lon, 'lon')}` });
      } else $('#edit-coords-out').textContent = '';
      f.elements.coords.removeAttribute('aria-invalid');
    } catch (e) {
      f.elements.coords.setAttribute('aria-invalid', 'true');
      $('#edit-coords-out').textContent = e.message;
    }
  });
  f.addEventListener('submit', async (e) => {
    e.preventDefault();
    const ev = current.event;
    const patch = {};
    for (const k of ['name', 'place', 'country']) {
      const v = f.elements[k].value.trim();
      if (v !== (ev[k] || '')) patch[k] = v ? (k === 'country' ? v.toUpperCase() : v) : null;
    }
    for (const k of ['documented', 'incident']) {
      const v = f.elements[k].value.trim();
      if (v !== (ev[k] ? dates.format(ev[k]) : '')) patch[k] = v || null;
    }
    const c = f.elements.coords.value.trim();
    const was = typeof ev.lat === 'number' ? `${ev.lat}, ${ev.lon}` : '';
    if (c !== was) {
      if (!c) {
        patch.lat = null;
        patch.lon = null;
      } else {
        try {
          const p = parsePair(c);
          patch.lat = p.lat;
          patch.lon = p.lon;
        } catch (err) {
          $('#edit-event-msg').textContent = t('coords.bad');
          return;
        }
      }
    }
    if (!Object.keys(patch).length) return;
    try {
      await call(() => api.patch('/api/v1/events/' + ev.id, patch));
      $('#edit-event').open = false;
      await showEvent(ev.id);
      $('#event-meta').prepend(el('span', { class: 'ok', role: 'status', text: t('event.saved') + ' ' }));
    } catch (err) {
      message($('#edit-event-msg'), err);
    }
  });
}

// ---- one event: the item tree, markings, live decoding ------------------------------------

let current = { event: null, items: [], selected: null };

function treeOf(items) {
  const kids = new Map();
  const ids = new Set(items.map((i) => i.id));
  for (const it of items) {
    const p = it.parent && ids.has(it.parent) ? it.parent : '';
    if (!kids.has(p)) kids.set(p, []);
    kids.get(p).push(it);
  }
  const build = (p) => {
    const list = kids.get(p) || [];
    return list.map((it) => {
      const label = `${t('kind.' + it.kind)}: ${it.name || it.category || it.id}${it.weapon_system ? ' (' + it.weapon_system + ')' : ''}`;
      const li = el('li', {}, el('button', { type: 'button', class: 'node', 'data-id': it.id, 'aria-pressed': String(current.selected === it.id), text: label }));
      const sub = build(it.id);
      if (sub.length) li.append(el('ul', {}, ...sub));
      return li;
    });
  };
  return build('');
}

async function showEvent(id, item) {
  show('event');
  busy(true);
  let ev;
  try {
    ev = await call(() => api.get('/api/v1/events/' + encodeURIComponent(id)));
  } catch (e) {
    $('#h-event').textContent = errorText(e);
    busy(false);
    return;
  }
  if (current.event?.id !== ev.id) current.selected = item || null;
  current.event = ev;
  $('#h-event').textContent = ev.name;
  const where = typeof ev.lat === 'number' ? `${ev.lat}, ${ev.lon} (${formatDMS(ev.lat, 'lat')} ${formatDMS(ev.lon, 'lon')})` : '';
  $('#event-meta').textContent = [ev.place, ev.country, dates.format(ev.documented), where].filter(Boolean).join(' · ');
  $('#event-history').href = '#history/' + encodeURIComponent(ev.id);
  fillEdit(ev);
  $('#event-photos').replaceChildren(await photos(ev, true));
  await loadTree();
  if (current.selected) await showItem(current.selected);
  else $('#item-pane').replaceChildren(el('p', { class: 'note', text: t('item.pick') }));
  busy(false);
}

async function loadTree() {
  const r = await call(() => api.get('/api/v1/items' + qs({ event: current.event.id, limit: 1000 })));
  current.items = r.items;
  $('#tree').replaceChildren(...treeOf(r.items));
  if (!r.items.length) $('#tree').append(el('li', { class: 'note', text: t('event.noitems') }));
  const sel = $('#new-item').elements.parent;
  const keep = sel.value;
  sel.replaceChildren(el('option', { value: '', text: '—' }), ...r.items.map((it) => el('option', { value: it.id, text: `${t('kind.' + it.kind)}: ${it.name || it.category || it.id}` })));
  sel.value = current.items.some((i) => i.id === keep) ? keep : '';
}

// The item kinds' and marking methods' labels in the interface language
// (the values sent stay the API's).
function labelOptions(sel, prefix) {
  for (const o of sel.options) if (o.value) o.textContent = t(prefix + o.value);
}

function bindTree() {
  $('#tree').addEventListener('click', (ev) => {
    const b = ev.target.closest('button.node');
    if (!b) return;
    current.selected = b.dataset.id;
    for (const x of document.querySelectorAll('#tree button.node')) x.setAttribute('aria-pressed', String(x === b));
    showItem(b.dataset.id);
  });
  const f = $('#new-item');
  f.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const body = { kind: f.elements.kind.value, event: current.event.id };
    for (const k of ['parent', 'category', 'name', 'weapon_system']) if (f.elements[k].value.trim()) body[k] = f.elements[k].value.trim();
    try {
      const it = await call(() => api.post('/api/v1/items', body));
      message($('#new-item-msg'));
      for (const k of ['category', 'name', 'weapon_system']) f.elements[k].value = '';
      current.selected = it.id;
      await loadTree();
      f.elements.parent.value = it.id; // the next item goes inside this one
      await showItem(it.id);
    } catch (e) {
      message($('#new-item-msg'), e);
    }
  });
}

function candidateList(cands) {
  const ul = el('ul', { class: 'candidates', id: 'candidates' });
  for (const c of cands)
    ul.append(
      el(
        'li',
        {},
        el('strong', { text: `${t('field.' + c.field)}: ${c.value}${c.country ? ' (' + c.country + ')' : ''}` }),
        ` — ${Math.round(c.confidence * 100)}% · ${t('decode.rule')} ${c.rule}`,
        el('details', {}, el('summary', { text: t('finding.why') }), el('p', { text: c.explanation }), el('p', { class: 'source', text: t('finding.source', { source: c.source || '' }) })),
      ),
    );
  if (!cands.length) ul.append(el('li', { class: 'note', text: t('decode.none') }));
  return ul;
}

let decodeSeq = 0;

async function showItem(id) {
  const it = current.items.find((i) => i.id === id);
  if (!it) return;
  const pane = $('#item-pane');
  const r = await call(() => api.get('/api/v1/markings' + qs({ item: id, limit: 1000 })));
  const list = el('ul', { id: 'markings' }, ...r.items.map((m) => el('li', {}, el('code', { text: m.text }), m.method ? ` (${m.method})` : '', ' ', historyLink(m.id, m.text))));
  if (!r.items.length) list.append(el('li', { class: 'note', text: t('item.nomarkings') }));
  const kids = [el('h2', { id: 'h-item', text: `${t('kind.' + it.kind)}: ${it.name || it.category || it.id}` }), el('p', { class: 'meta', text: [it.category, it.weapon_system, it.manufacturer, it.manufacturer_country].filter(Boolean).join(' · ') }), el('p', {}, el('a', { href: '#history/' + encodeURIComponent(it.id), id: 'item-history', text: t('history.item') })), el('h3', { text: t('item.markings') }), list];
  if (may('investigator')) kids.push(editItem(it));
  kids.push(await claims(it, r.items));
  kids.push(whereElse(it));
  kids.push(await photos(it));
  if (may('investigator')) {
    const input = el('input', { name: 'text', id: 'marking-text', required: true, maxlength: '1000', autocomplete: 'off', 'aria-describedby': 'marking-hint' });
    const method = el('select', { name: 'method', id: 'marking-method' }, ...['', 'printed', 'stamped', 'painted', 'label', 'engraved', 'cast', 'etched', 'other'].map((m) => el('option', { value: m, text: m ? t('method.' + m) : '—' })));
    const out = el('div', { id: 'decode-out', 'aria-live': 'polite' });
    const msg = el('p', { class: 'error', role: 'alert' });
    const form = el(
      'form',
      { class: 'form', id: 'new-marking', 'aria-labelledby': 'h-new-marking' },
      el('h3', { id: 'h-new-marking', text: t('marking.new') }),
      el('label', {}, el('span', { text: t('marking.text') }), input),
      el('p', { class: 'note', id: 'marking-hint', text: t('marking.hint') }),
      el('label', {}, el('span', { text: t('marking.method') }), method),
      el('h4', { text: t('decode.title') }),
      out,
      msg,
      el('button', { type: 'submit', text: t('marking.add') }),
    );
    // Each keystroke is decoded at once, with no wait: while one request is
    // out, only the latest text waits for it, so fast typing never queues
    // requests and the last text is always decoded.
    let inflight = false;
    let pending = null;
    const decode = async (text) => {
      inflight = true;
      const seq = ++decodeSeq;
      try {
        const d = await api.get('/api/v1/decode' + qs({ text, category: it.category, state: it.producing_state }));
        if (seq === decodeSeq && input.value.trim() === text) {
          out.replaceChildren(candidateList(d.candidates || []));
          out.dataset.text = text;
        }
      } catch (e) {
        if (seq === decodeSeq) out.replaceChildren(el('p', { class: 'error', text: errorText(e) }));
      } finally {
        inflight = false;
        if (pending !== null) {
          const next = pending;
          pending = null;
          decode(next);
        }
      }
    };
    input.addEventListener('input', () => {
      const text = input.value.trim();
      if (!text) {
        pending = null;
        ++decodeSeq;
        out.replaceChildren();
        delete out.dataset.text;
        return;
      }
      if (inflight) pending = text;
      else decode(text);
    });
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      const body = { item: id, text: input.value.trim() };
      if (method.value) body.method = method.value;
      try {
        await call(() => api.post('/api/v1/markings', body));
        await showItem(id);
        $('#item-pane').prepend(el('p', { class: 'ok', role: 'status', text: t('marking.saved', { text: body.text }) }));
      } catch (e) {
        message(msg, e);
      }
    });
    kids.push(form);
  }
  pane.replaceChildren(...kids);
}

// ---- readings: the decoder's, accepted or overridden by an analyst as a claim ---------------

const CLAIM_FIELDS = ['production_date', 'manufacturer', 'factory', 'part_number', 'serial', 'lot', 'weapon_system', 'producing_state'];

async function claims(it, markings) {
  const box = el('section', { class: 'readings-box', 'aria-labelledby': 'h-readings' }, el('h3', { id: 'h-readings', text: t('claims.title') }));
  const [have, decoded] = await Promise.all([
    call(() => api.get('/api/v1/claims' + qs({ item: it.id, limit: 1000 }))),
    Promise.all(markings.map((m) => api.get('/api/v1/decode' + qs({ text: m.text, category: it.category, state: it.producing_state })).then((d) => ({ m, c: d.candidates || [] })).catch(() => ({ m, c: [] })))),
  ]);
  const list = el('ul', { id: 'claims' }, ...have.items.map((c) => el('li', {}, el('strong', { text: `${t('field.' + c.field)}: ${c.value || dates.format(c.date) || ''}${c.country ? ' (' + c.country + ')' : ''}` }), ` — ${t('claims.reason')}: ${c.reason}${c.overrides ? ' · ' + t('claims.overrides', { rule: c.overrides }) : ''}`)));
  if (!have.items.length) list.append(el('li', { class: 'note', text: t('claims.none') }));
  box.append(el('h4', { text: t('claims.made') }), list);
  const post = async (body, msg) => {
    try {
      await call(() => api.post('/api/v1/claims', body));
      await showItem(it.id);
    } catch (e) {
      message(msg, e);
    }
  };
  // each marking's best reading per field, with Accept for an analyst
  const rows = el('ul', { id: 'readings' });
  const best = new Map(); // field -> best candidate over the item's markings
  for (const { m, c } of decoded)
    for (const x of c.slice().sort((a, b) => b.confidence - a.confidence)) {
      if (!best.has(x.field) || best.get(x.field).confidence < x.confidence) best.set(x.field, { ...x, marking: m });
    }
  const msg = el('p', { class: 'error', role: 'alert' });
  for (const [field, x] of best) {
    const li = el('li', { 'data-field': field }, el('strong', { text: `${t('field.' + field)}: ${x.value}${x.country ? ' (' + x.country + ')' : ''}` }), ` — ${Math.round(x.confidence * 100)}% · ${t('decode.rule')} ${x.rule} · «${x.marking.text}» `);
    if (may('analyst')) {
      const b = el('button', { type: 'button', class: 'secondary', text: t('claims.accept') });
      b.addEventListener('click', () => {
        const body = { item: it.id, field, reason: t('claims.accepted', { rule: x.rule }), marking: x.marking.id };
        if (field === 'production_date') body.date = x.value;
        else body.value = x.value;
        if (x.country && ['manufacturer', 'factory', 'producing_state'].includes(field)) body.country = x.country;
        post(body, msg);
      });
      li.append(b);
    }
    rows.append(li);
  }
  if (!best.size) rows.append(el('li', { class: 'note', text: t('decode.none') }));
  box.append(el('h4', { text: t('claims.decoder') }), rows, msg);
  if (may('analyst')) {
    const field = el('select', { name: 'field', id: 'claim-field' }, ...CLAIM_FIELDS.map((f) => el('option', { value: f, text: t('field.' + f) })));
    const value = el('input', { name: 'value', id: 'claim-value', required: true, maxlength: '500' });
    const country = el('input', { name: 'country', id: 'claim-country', size: '3', maxlength: '2' });
    const reason = el('textarea', { name: 'reason', id: 'claim-reason', rows: '2', required: true });
    const m2 = el('p', { class: 'error', role: 'alert' });
    const form = el('form', { class: 'form', id: 'new-claim', 'aria-labelledby': 'h-new-claim' },
      el('h4', { id: 'h-new-claim', text: t('claims.new') }),
      el('div', { class: 'row' },
        el('label', {}, el('span', { text: t('claims.field') }), field),
        el('label', {}, el('span', { text: t('claims.value') }), value),
        el('label', {}, el('span', { text: t('f.country') }), country)),
      el('label', {}, el('span', { text: t('claims.reason') }), reason),
      m2,
      el('button', { type: 'submit', text: t('claims.save') }));
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      const f = field.value;
      const body = { item: it.id, field: f, reason: reason.value.trim() };
      if (f === 'production_date') body.date = value.value.trim();
      else body.value = value.value.trim();
      if (country.value.trim()) body.country = country.value.trim().toUpperCase();
      if (best.has(f)) {
        body.overrides = best.get(f).rule;
        body.marking = best.get(f).marking.id;
      }
      post(body, m2);
    });
    box.append(form);
  }
  return box;
}

// ---- editing an item: only what changed is sent -----------------------------------------------

const ITEM_FIELDS = ['category', 'name', 'weapon_system', 'producing_state', 'manufacturer', 'manufacturer_country', 'produced', 'serial', 'lot'];

function editItem(it) {
  const shown = (k) => (k === 'produced' ? (it[k] ? dates.format(it[k]) : '') : it[k] || '');
  const inputs = ITEM_FIELDS.map((k) => el('label', {}, el('span', { text: t('item.f.' + k) }), el('input', { name: k, value: shown(k), size: k.endsWith('country') || k === 'producing_state' ? '3' : '14' })));
  // where it sits in the tree: any item of the event but itself and its own parts
  const own = new Set([it.id]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const x of current.items) if (x.parent && own.has(x.parent) && !own.has(x.id)) grew = own.add(x.id) && true;
  }
  const parent = el('select', { name: 'parent', id: 'edit-item-parent' }, el('option', { value: '', text: '—' }),
    ...current.items.filter((x) => !own.has(x.id)).map((x) => el('option', { value: x.id, text: `${t('kind.' + x.kind)}: ${x.name || x.category || x.id}` })));
  parent.value = it.parent || '';
  const msg = el('p', { class: 'error', role: 'alert' });
  const form = el('form', { class: 'form', id: 'edit-item-form' }, el('div', { class: 'row' }, el('label', {}, el('span', { text: t('f.parent') }), parent), ...inputs), msg, el('button', { type: 'submit', text: t('event.save') }));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const patch = {};
    for (const k of ITEM_FIELDS) {
      let v = form.elements[k].value.trim();
      if (v && (k === 'producing_state' || k === 'manufacturer_country')) v = v.toUpperCase();
      if (v !== shown(k)) patch[k] = v || null;
    }
    if (parent.value !== (it.parent || '')) patch.parent = parent.value || null;
    if (!Object.keys(patch).length) return;
    try {
      await call(() => api.patch('/api/v1/items/' + it.id, patch));
      await loadTree();
      await showItem(it.id);
      $('#item-pane').prepend(el('p', { class: 'ok', role: 'status', text: t('event.saved') }));
    } catch (err) {
      message(msg, err);
    }
  });
  return el('details', { id: 'edit-item' }, el('summary', { text: t('item.edit') }), form);
}

// ---- links across events: where else did this part or lot turn up ----------------------------

function whereElse(it) {
  const out = el('div', { id: 'links-out', 'aria-live': 'polite' });
  const b = el('button', { type: 'button', class: 'secondary', id: 'links-go', text: t('links.go') });
  b.addEventListener('click', async () => {
    try {
      const d = await call(() => api.get('/api/v1/analysis/links' + qs({ q: it.id })));
      const ul = el('ul', { id: 'links' });
      for (const l of d.linked || []) {
        ul.append(
          el('li', {},
            itemLink(l.item, `${t('kind.' + l.kind)}: ${l.name || l.item}`),
            ` — ${[l.event_name, l.place, l.country, dates.format(l.date)].filter(Boolean).join(' · ')}`,
            l.reasons && l.reasons.length ? el('p', { class: 'meta', text: t('links.why', { why: l.reasons.map((x) => (typeof x === 'string' ? x : x.reason || JSON.stringify(x))).join('; ') }) }) : ''),
        );
      }
      if (!(d.linked || []).length) ul.append(el('li', { class: 'note', text: t('links.none') }));
      out.replaceChildren(el('p', { class: 'note', text: d.rules }), ul);
    } catch (e) {
      out.replaceChildren(el('p', { class: 'error', role: 'alert', text: errorText(e) }));
    }
  });
  return el('section', { class: 'links-box', 'aria-labelledby': 'h-links' }, el('h3', { id: 'h-links', text: t('links.title') }), b, out);
}

// ---- photos: a gallery per item, several files dropped or chosen at once -------------------

// `it`: the item, or with `ev` set the event (its gallery holds the photos
// of the event and of its items); ids get the prefix `p` ('' or 'ev-').
// The gallery shows thumbnails (.../thumbnail); each links to the photo.
// A gallery image: the photo's thumbnail, or the photo itself when the
// server can make no thumbnail of it (409: a format it does not read).
function thumb(a) {
  const img = el('img', { src: `/api/v1/attachments/${a.id}/thumbnail`, alt: a.filename || t('finding.photo'), loading: 'lazy' });
  img.addEventListener('error', () => { img.src = `/api/v1/attachments/${a.id}/content`; }, { once: true });
  return img;
}

async function photos(it, ev) {
  const p = ev ? 'ev-' : '';
  const box = el('section', { class: 'photos', id: p + 'photos', 'aria-labelledby': p + 'h-photos' }, el(ev ? 'h2' : 'h3', { id: p + 'h-photos', text: t(ev ? 'photos.event' : 'photos.title') }));
  const gallery = el('ul', { class: 'gallery', id: p + 'gallery' });
  const fill = async () => {
    const r = await call(() => api.get('/api/v1/attachments' + qs({ [ev ? 'event' : 'item']: it.id, limit: 1000 })));
    const imgs = r.items.filter((a) => /^image\//.test(a.media_type || ''));
    gallery.replaceChildren(
      ...imgs.map((a) =>
        el('li', {}, el('a', { href: `/api/v1/attachments/${a.id}/content`, target: '_blank', rel: 'noopener', title: t('photos.full') },
          thumb(a)), el('span', { text: a.filename || '' })),
      ),
    );
    if (!imgs.length) gallery.append(el('li', { class: 'note', text: t('photos.none') }));
  };
  await fill();
  box.append(gallery);
  if (!may('investigator')) return box;
  const input = el('input', { type: 'file', id: p + 'photo-input', multiple: true, accept: 'image/*' });
  const progress = el('ul', { class: 'uploads', id: p + 'uploads', 'aria-live': 'polite' });
  const zone = el('div', { class: 'dropzone', id: p + 'dropzone' }, el('label', { for: p + 'photo-input', text: t('photos.drop') }), input);
  const send = async (files) => {
    const jobs = [...files].map((f) => {
      const bar = el('progress', { max: '1', value: '0', 'aria-label': f.name });
      const li = el('li', {}, `${f.name} `, bar);
      progress.append(li);
      return api
        .uploadFile(`/api/v1/${ev ? 'events' : 'items'}/${it.id}/attachments`, f, (x) => (bar.value = x))
        .then(() => {
          bar.value = 1;
          li.append(' ', el('span', { class: 'ok', text: t('photos.done') }));
        })
        .catch((e) => li.append(' ', el('span', { class: 'error', role: 'alert', text: errorText(e) })));
    });
    await Promise.all(jobs);
    await fill();
    box.dataset.uploaded = String((box.dataset.uploaded | 0) + jobs.length);
  };
  input.addEventListener('change', () => input.files.length && send(input.files));
  zone.addEventListener('dragover', (e) => {
    e.preventDefault();
    zone.classList.add('over');
  });
  zone.addEventListener('dragleave', () => zone.classList.remove('over'));
  zone.addEventListener('drop', (e) => {
    e.preventDefault();
    zone.classList.remove('over');
    if (e.dataTransfer.files.length) send(e.dataTransfer.files);
  });
  box.append(zone, progress);
  return box;
}

// ---- findings board ------------------------------------------------------------------------

async function showFindings() {
  show('findings');
  busy(true);
  const r = await call(() => api.get('/api/v1/findings?limit=1000'));
  const cols = ['draft', 'reviewed', 'published'];
  const board = el('div', { class: 'workspace board' });
  for (const st of cols) {
    const items = r.items.filter((f) => (f.status || 'draft') === st);
    const ul = el('ul', { class: 'cards', 'data-status': st });
    for (const f of items) {
      const li = el('li', { 'data-id': f.id }, el('p', { text: f.statement }), el('p', { class: 'meta', text: t('findings.meta', { n: (f.evidence || []).length, id: f.id }) }, ' ', historyLink(f.id, (f.statement || '').slice(0, 60))));
      const next = st === 'draft' ? 'reviewed' : st === 'reviewed' ? 'published' : null;
      if (next) li.append(el('p', {}, el('a', { href: '/?preview=' + encodeURIComponent(f.id), class: 'preview', text: t('findings.preview') })));
      if (next && may('reviewer')) {
        const b = el('button', { type: 'button', text: t('findings.to.' + next) });
        b.addEventListener('click', async () => {
          try {
            // the review acts (POST .../review, .../publish) where the server
            // has them; else the status itself (older servers)
            await call(() =>
              api.post(`/api/v1/findings/${f.id}/${next === 'reviewed' ? 'review' : 'publish'}`, {}).catch((e) => {
                if (e.status === 404 || e.status === 405) return api.patch('/api/v1/findings/' + f.id, { status: next });
                throw e;
              }),
            );
            showFindings();
          } catch (e) {
            li.append(el('p', { class: 'error', role: 'alert', text: errorText(e) }));
          }
        });
        li.append(b);
      }
      ul.append(li);
    }
    if (!items.length) ul.append(el('li', { class: 'note', text: t('findings.empty') }));
    board.append(el('section', { 'aria-labelledby': 'h-col-' + st }, el('h2', { id: 'h-col-' + st, text: t('status.' + st) + ` (${items.length})` }), ul));
  }
  $('#board').replaceChildren(board);
  busy(false);
}

function bindNewFinding() {
  const f = $('#new-finding');
  f.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const body = { statement: f.elements.statement.value.trim(), status: 'draft' };
    const ids = f.elements.evidence.value.split(/[\s,;]+/).filter(Boolean);
    if (ids.length) body.evidence = ids;
    try {
      await call(() => api.post('/api/v1/findings', body));
      f.reset();
      message($('#new-finding-msg'));
      showFindings();
    } catch (e) {
      message($('#new-finding-msg'), e);
    }
  });
}

// ---- accounts --------------------------------------------------------------------------------

async function showAccounts(msg) {
  if (!may('admin')) {
    show('denied');
    busy(false);
    return;
  }
  show('accounts');
  busy(true);
  const r = await call(() => api.get('/api/v1/users'));
  const resetCell = (u) => {
    const input = el('input', { type: 'password', autocomplete: 'new-password', minlength: '8', 'aria-label': t('accounts.newpw', { name: u.name }) });
    const b = el('button', { type: 'button', class: 'secondary', text: t('accounts.reset') });
    const out = el('span', { role: 'status' });
    b.addEventListener('click', async () => {
      try {
        await call(() => api.post(`/api/v1/users/${encodeURIComponent(u.name)}/password`, { password: input.value }));
        input.value = '';
        out.textContent = ' ' + t('accounts.done');
        out.className = 'ok';
      } catch (e) {
        out.textContent = ' ' + errorText(e);
        out.className = 'error';
      }
    });
    return el('td', {}, input, ' ', b, out);
  };
  const said = el('p', { role: 'status', id: 'accounts-said' });
  const roleCell = (u) => {
    if (u.name === me.user) return el('td', { text: t('role.' + u.role) });
    const sel = el('select', { 'aria-label': t('accounts.roleof', { name: u.name }), class: 'role' }, ...['investigator', 'analyst', 'reviewer', 'admin'].map((x) => el('option', { value: x, text: t('role.' + x) })));
    sel.value = u.role;
    sel.addEventListener('change', async () => {
      try {
        await call(() => api.patch(`/api/v1/users/${encodeURIComponent(u.name)}`, { role: sel.value }));
        said.className = 'ok';
        said.textContent = t('accounts.rolechanged', { name: u.name, role: t('role.' + sel.value) });
        u.role = sel.value;
      } catch (e) {
        sel.value = u.role;
        said.className = 'error';
        said.textContent = errorText(e);
      }
    });
    return el('td', {}, sel);
  };
  const rmCell = (u) => {
    if (u.name === me.user) return el('td');
    const b = el('button', { type: 'button', class: 'secondary danger', 'aria-label': t('accounts.rmone', { name: u.name }), text: t('accounts.rm') });
    const sure = el('button', { type: 'button', class: 'danger', hidden: true, text: t('accounts.rmsure', { name: u.name }) });
    b.addEventListener('click', () => {
      sure.hidden = false;
      sure.focus();
    });
    sure.addEventListener('click', async () => {
      try {
        await call(() => api.del(`/api/v1/users/${encodeURIComponent(u.name)}`));
        await showAccounts(t('accounts.removed', { name: u.name }));
      } catch (e) {
        said.className = 'error';
        said.textContent = errorText(e);
      }
    });
    return el('td', {}, b, ' ', sure);
  };
  const tb = el('tbody', {}, ...r.items.map((u) => el('tr', { 'data-user': u.name }, el('td', { text: u.name }), roleCell(u), el('td', { text: String(u.tokens) }), resetCell(u), rmCell(u))));
  const toks = await call(() => api.get('/api/v1/tokens'));
  const add = el('form', { class: 'form', id: 'add-user', 'aria-labelledby': 'h-add-user' },
    el('h2', { id: 'h-add-user', text: t('accounts.add') }),
    el('div', { class: 'row' },
      el('label', {}, el('span', { text: t('col.name') }), el('input', { name: 'name', required: true, maxlength: '64' })),
      el('label', {}, el('span', { text: t('col.role') }), el('select', { name: 'role' }, ...['investigator', 'analyst', 'reviewer', 'admin'].map((x) => el('option', { value: x, text: t('role.' + x) })))),
      el('label', {}, el('span', { text: t('login.password') }), el('input', { name: 'password', type: 'password', autocomplete: 'new-password', minlength: '8', required: true }))),
    el('p', { class: 'error', role: 'alert', id: 'add-user-msg' }),
    el('button', { type: 'submit', text: t('accounts.addbtn') }));
  add.addEventListener('submit', async (e) => {
    e.preventDefault();
    try {
      await call(() => api.post('/api/v1/users', { name: add.elements.name.value.trim(), role: add.elements.role.value, password: add.elements.password.value }));
      showAccounts();
    } catch (err) {
      add.elements.password.value = '';
      message($('#add-user-msg'), err);
    }
  });
  if (msg) {
    said.className = 'ok';
    said.textContent = msg;
  }
  $('#accounts').replaceChildren(
    said,
    el('div', { class: 'scroll' }, el('table', { class: 'data', id: 'users-table' }, el('caption', { class: 'visually-hidden', text: t('accounts.title') }), el('thead', {}, el('tr', {}, el('th', { scope: 'col', text: t('col.name') }), el('th', { scope: 'col', text: t('col.role') }), el('th', { scope: 'col', text: t('col.tokens') }), el('th', { scope: 'col', text: t('accounts.reset') }), el('th', { scope: 'col', text: t('accounts.rm') }))), tb)),
    add,
    el('section', { 'aria-labelledby': 'h-all-tokens' }, el('h2', { id: 'h-all-tokens', text: t('accounts.tokens') }),
      el('div', { class: 'scroll' }, tokenTable(toks.items, true, showAccounts, 'all-tokens-table'))),
  );
  busy(false);
}

// ---- search: each hit with its item, event and place ----------------------------------------

const PLURAL = { event: 'events', item: 'items', marking: 'markings', attachment: 'attachments', entity: 'entities', transfer: 'transfers', trace: 'traces', finding: 'findings', sanction: 'sanctions', custody: 'custody', claim: 'claims' };

async function showSearch(text) {
  show('search');
  busy(true);
  $('#app-q').value = text;
  const cache = new Map();
  const rec = (type, id) => {
    if (!id) return Promise.resolve(null);
    if (!cache.has(id)) cache.set(id, api.get(`/api/v1/${PLURAL[type]}/${encodeURIComponent(id)}`).catch(() => null));
    return cache.get(id);
  };
  // context=1: each hit comes with its item and event (one answer); a
  // server without it gets them read one record at a time
  const r = await call(() => api.get('/api/v1/search' + qs({ q: text, limit: 100, context: 1 })));
  if ($('#app-q').value !== text) return; // another search took its place
  // the hits are shown at once; each row's item, event and place follow as
  // they are read (<tbody data-complete="1"> once all are)
  const tb = $('#search-table tbody');
  delete tb.dataset.complete;
  const rows = r.hits.map((h) => {
    const cells = [el('td'), el('td'), el('td')];
    const tr = el('tr', { 'data-id': h.id }, el('td', {}, el('code', { text: h.text }), ` (${t('type.' + h.type)}, ${h.field})`), ...cells);
    return { h, tr, cells };
  });
  tb.replaceChildren(...rows.map((x) => x.tr));
  if (!rows.length) tb.append(el('tr', {}, el('td', { colspan: '4', text: t('search.none.staff') })));
  performance.mark('rn:search-hits');
  await Promise.all(
    rows.map(async ({ h, cells }) => {
      let item = h.item || null;
      let event = h.event || null;
      if (!item && !event) {
        const self = await rec(h.type, h.id);
        item = h.type === 'item' ? self : null;
        if (!item && self && self.item) item = await rec('item', self.item);
        event = h.type === 'event' ? self : null;
        if (!event) event = await rec('event', (item && item.event) || (self && self.event));
      }
      if (item) cells[0].append(el('a', { href: `#event/${item.event || ''}/${item.id}`, text: `${t('kind.' + item.kind)}: ${item.name || item.category || item.id}` }));
      if (event) {
        cells[1].append(el('a', { href: '#event/' + event.id, text: event.name }));
        cells[2].textContent = [event.place, event.country, dates.format(event.documented)].filter(Boolean).join(' · ');
      }
    }),
  );
  tb.dataset.complete = '1';
  performance.mark('rn:search-done');
  busy(false);
}

// ---- trace requests as a board ---------------------------------------------------------------

function traceColumn(tr, today) {
  const st = tr.status || 'draft';
  if (st === 'sent' || st === 'acknowledged') {
    const due = dates.parse(tr.due);
    return due && due.latest !== null && due.latest < today ? 'overdue' : 'sent';
  }
  if (st === 'answered' || st === 'refused' || st === 'no-answer') return 'answered';
  return 'draft';
}

async function showTraces() {
  show('traces');
  busy(true);
  const [r, ents] = await Promise.all([call(() => api.get('/api/v1/traces?limit=1000')), call(() => api.get('/api/v1/entities?limit=1000'))]);
  const names = new Map(ents.items.map((e) => [e.id, e.name]));
  const today = Math.floor(Date.now() / 86400000);
  const board = el('div', { class: 'workspace board four' });
  for (const col of ['draft', 'sent', 'overdue', 'answered']) {
    const list = r.items.filter((x) => traceColumn(x, today) === col);
    const ul = el('ul', { class: 'cards', 'data-column': col });
    for (const x of list) {
      const li = el('li', { 'data-id': x.id },
        el('p', {}, el('strong', { text: names.get(x.recipient) || x.recipient })),
        el('p', { text: x.question || '' }),
        el('p', { class: 'meta', text: [t('traces.status', { status: x.status || 'draft' }), x.sent ? t('traces.sent', { date: dates.format(x.sent) }) : '', x.due ? t('traces.due', { date: dates.format(x.due) }) : '', t('traces.items', { n: (x.items || []).length })].filter(Boolean).join(' · ') }));
      const next = col === 'draft' ? 'sent' : col === 'sent' || col === 'overdue' ? 'answered' : null;
      if (next && may('analyst')) {
        const answer = next === 'answered' ? el('textarea', { rows: '2', 'aria-label': t('traces.answer'), placeholder: t('traces.answer') }) : null;
        if (answer) li.append(answer);
        const b = el('button', { type: 'button', text: t('traces.to.' + next) });
        b.addEventListener('click', async () => {
          const day = new Date().toISOString().slice(0, 10);
          const move = { to: next, date: day };
          const body = { status: next, [next === 'sent' ? 'sent' : 'answered']: day };
          if (answer && answer.value.trim()) move.answer = body.answer = answer.value.trim();
          try {
            // one move of the trace's lifecycle (POST .../move) where the
            // server has it; else the status itself (older servers)
            await call(() =>
              api.post(`/api/v1/traces/${x.id}/move`, move).catch((e) => {
                if (e.status === 404 || e.status === 405) return api.patch('/api/v1/traces/' + x.id, body);
                throw e;
              }),
            );
            showTraces();
          } catch (e) {
            li.append(el('p', { class: 'error', role: 'alert', text: errorText(e) }));
          }
        });
        li.append(b);
      }
      ul.append(li);
    }
    if (!list.length) ul.append(el('li', { class: 'note', text: t('findings.empty') }));
    board.append(el('section', { 'aria-labelledby': 'h-tcol-' + col }, el('h2', { id: 'h-tcol-' + col, text: t('traces.col.' + col) + ` (${list.length})` }), ul));
  }
  $('#traces').replaceChildren(board);
  busy(false);
}

// ---- analysis: the library's documents, each figure down to its items and basis --------------

// A link to an item (#item/ID opens its event with the item chosen).
const itemLink = (id, label) => el('a', { href: '#item/' + id, text: label || id });

function itemList(ids) {
  const d = el('details', {}, el('summary', { text: t('analysis.items', { n: ids.length }) }));
  const ul = el('ul', { class: 'ids' });
  for (const id of ids.slice(0, 200)) ul.append(el('li', {}, itemLink(id)));
  d.append(ul);
  return d;
}

async function showAnalysis() {
  show('analysis');
  busy(true);
  const [tl, org, san] = await Promise.all(['timeline', 'origin', 'sanctions'].map((a) => call(() => api.get('/api/v1/analysis/' + a))));
  const kids = [];
  // timeline: each item's interval from production to use, uncertainty as the bar's length
  const items = (tl.items || []).filter((i) => Array.isArray(i.interval_days)).slice(0, 60);
  const rows = items.map((i) => ({
    label: `${i.weapon_system || ''} ${i.kind || ''} ${i.item.slice(-6)}`.trim(),
    cell: itemLink(i.item, `${i.weapon_system || ''} ${i.kind || ''} ${i.item}`.trim()),
    min: Math.round(i.interval_days[0] / 30.44),
    max: Math.round(i.interval_days[1] / 30.44),
    text: t('span.months', { min: Math.round(i.interval_days[0] / 30.44), max: Math.round(i.interval_days[1] / 30.44) }),
    extra: [`${dates.format(i.produced)} — ${i.produced_basis}`, `${dates.format(i.used)} — ${i.used_basis}`],
  }));
  kids.push(
    el('section', { class: 'block', 'aria-labelledby': 'h-tl' }, el('h2', { id: 'h-tl', text: t('analysis.timeline') }), el('p', { class: 'note', text: tl.precedence }),
      rows.length ? chart.intervals(t('analysis.timeline'), rows, { axisLabel: t('span.axis'), head: [t('col.item'), t('col.interval'), t('col.produced'), t('col.used')] }) : el('p', { text: t('analysis.none') })),
  );
  // origin: by country, by manufacturer, date codes by year; each bar's items
  const bars = (title, list, label) =>
    chart.bars(title, list.map((r) => ({ label: label(r), value: r.count, extra: [itemList(r.items || [])] })), { head: [title, t('col.count'), t('col.items')] });
  kids.push(
    el('section', { class: 'block', 'aria-labelledby': 'h-org' }, el('h2', { id: 'h-org', text: t('analysis.origin') }), el('p', { class: 'note', text: org.precedence }),
      bars(t('analysis.bycountry'), org.by_country || [], (r) => r.country),
      bars(t('analysis.bymaker'), org.by_manufacturer || [], (r) => `${r.manufacturer} (${r.countries})`),
      bars(t('analysis.byyear'), org.date_codes_by_year || [], (r) => r.year)),
  );
  // sanctions leads
  const flags = san.flags || [];
  kids.push(
    el('section', { class: 'block', 'aria-labelledby': 'h-san' }, el('h2', { id: 'h-san', text: t('analysis.sanctions') }), el('p', { class: 'note', text: san.notice }),
      el('table', { class: 'data', id: 'sanctions-table' },
        el('caption', { class: 'visually-hidden', text: t('analysis.sanctions') }),
        el('thead', {}, el('tr', {}, ...[t('col.item'), t('col.maker'), t('col.produced'), t('col.weapon'), t('col.measure'), t('col.place')].map((h) => el('th', { scope: 'col', text: h })))),
        el('tbody', {}, ...flags.map((f) => el('tr', {},
          el('td', {}, itemLink(f.component, f.component_name || f.component)),
          el('td', { text: `${f.manufacturer || ''} (${f.manufacturer_country || ''}) — ${f.manufacturer_basis || ''}` }),
          el('td', { text: `${dates.format(f.produced)} — ${f.produced_basis || ''}` }),
          el('td', { text: `${f.weapon_system || ''} (${f.target || ''})` }),
          el('td', { text: f.measure ? `${f.measure.instrument || ''}, ${dates.format(f.measure.adopted)}` : '' }),
          el('td', { text: f.place || '' }))))),
      flags.length ? null : el('p', { text: t('analysis.none') })),
  );
  $('#analysis').replaceChildren(...kids);
  busy(false);
}

// #item/ID: the item's event, with the item chosen.
async function showItemById(id) {
  const it = await call(() => api.get('/api/v1/items/' + encodeURIComponent(id)));
  location.replace('#event/' + encodeURIComponent(it.event || '') + '/' + encodeURIComponent(id));
}

// ---- a record's history: every change from the evidence log, who and when, as a diff ----------

const historyLink = (id, label) => el('a', { href: '#history/' + encodeURIComponent(id), class: 'history-link', text: t('history.link'), 'aria-label': label ? t('history.of', { what: label }) : null });

// A field's value as text: dates as the intervals they are, unset as a dash.
function valueText(v) {
  if (v === null || v === undefined) return '—';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return v.map(valueText).join(', ');
  if (typeof v === 'object' && 'earliest' in v) return dates.format(v) || JSON.stringify(v);
  return JSON.stringify(v);
}

const timeText = (s) => (typeof s === 'string' ? s.replace('T', ' ').replace(/(\.\d+)?Z$/, ' UTC') : String(s ?? ''));

async function showHistory(id) {
  show('history');
  busy(true);
  const box = $('#history');
  box.replaceChildren();
  let h;
  try {
    h = await call(() => api.get(`/api/v1/records/${encodeURIComponent(id)}/history`));
  } catch (e) {
    $('#h-history').textContent = t('history.title');
    box.replaceChildren(el('p', { class: 'error', role: 'alert', text: e.status === 404 ? t('history.none', { id }) : errorText(e) }));
    busy(false);
    return;
  }
  // the record's name as its last change left it
  let name = '';
  for (const c of h.changes) for (const k of ['name', 'statement', 'text', 'question', 'filename']) if (c.changed[k] && typeof c.changed[k].to === 'string') name = c.changed[k].to;
  if (name.length > 80) name = name.slice(0, 77) + '…';
  $('#h-history').textContent = t('history.heading', { type: t('type.' + h.type), name: name || h.id });
  const ol = el('ol', { class: 'changes', id: 'changes', reversed: true });
  for (const c of h.changes.slice().reverse()) {
    const rows = Object.entries(c.changed).map(([k, v]) =>
      el('tr', { 'data-field': k }, el('th', { scope: 'row', text: k }),
        el('td', { class: 'from' }, v.from === null ? el('span', { class: 'note', text: '—' }) : el('del', { text: valueText(v.from) })),
        el('td', { class: 'to' }, v.to === null ? el('span', { class: 'note', text: '—' }) : el('ins', { text: valueText(v.to) }))));
    const hid = 'h-change-' + c.seq;
    ol.append(
      el('li', { class: 'change', 'data-seq': String(c.seq), 'data-op': c.op },
        el('h2', { id: hid }, t('history.op.' + c.op), ' · ', el('time', { datetime: c.time, text: timeText(c.time) }), ' · ', c.author ? c.author : el('span', { class: 'note', text: t('history.noauthor') })),
        el('p', { class: 'meta', text: t('history.seq', { seq: c.seq, n: rows.length }) }),
        rows.length
          ? el('table', { class: 'data diff', 'aria-labelledby': hid }, el('thead', {}, el('tr', {}, el('th', { scope: 'col', text: t('history.field') }), el('th', { scope: 'col', text: t('history.before') }), el('th', { scope: 'col', text: t('history.after') }))), el('tbody', {}, ...rows))
          : el('p', { class: 'note', text: t('history.nochange') })),
    );
  }
  if (!h.changes.length) ol.append(el('li', { class: 'note', text: t('history.empty') }));
  box.replaceChildren(el('p', { class: 'meta', text: t('history.count', { n: h.changes.length, id: h.id }) }), ol);
  $('#h-history').focus();
  busy(false);
}

// ---- my account: password, API tokens ---------------------------------------------------------

function bindAccount() {
  const pf = $('#my-password');
  pf.addEventListener('submit', async (e) => {
    e.preventDefault();
    try {
      await call(() => api.post('/api/v1/me/password', { password: pf.elements.password.value, new_password: pf.elements.new_password.value }));
      pf.reset();
      // every session of the account ended, this one too: sign in again
      me = { user: null, role: 'public' };
      api.setCsrfToken('');
      applyRoles();
      showLogin(t('account.changed'));
    } catch (err) {
      pf.elements.password.value = '';
      message($('#my-password-msg'), err);
    }
  });
  const tf = $('#my-token');
  tf.addEventListener('submit', async (e) => {
    e.preventDefault();
    try {
      const r = await call(() => api.post('/api/v1/me/tokens', { label: tf.elements.label.value.trim() }));
      message($('#my-token-msg'));
      $('#my-token-out').replaceChildren(el('p', { text: t('account.once') }), el('pre', { class: 'cmd', id: 'new-token', text: r.token }));
      tf.reset();
      await myTokens();
    } catch (err) {
      message($('#my-token-msg'), err);
    }
  });
}

// A table of API tokens, each with its Revoke button; `all` adds the user column
// (an admin's view of everyone's). After a revoke, `after` redraws.
function tokenTable(tokens, all, after, id) {
  if (!tokens.length) return el('p', { class: 'note', id, text: t('tokens.none') });
  const head = [...(all ? [t('col.name')] : []), t('tokens.label'), t('tokens.id'), t('tokens.created'), t('tokens.revoke')];
  const rows = tokens.map((k) => {
    const out = el('span', { role: 'status' });
    const b = el('button', { type: 'button', class: 'secondary revoke', 'aria-label': t('tokens.revokeone', { label: k.label || k.id }), text: t('tokens.revoke') });
    b.addEventListener('click', async () => {
      b.disabled = true;
      try {
        await call(() => api.del('/api/v1/tokens/' + encodeURIComponent(k.id)));
        await after(t('tokens.revoked', { label: k.label || k.id }));
      } catch (e) {
        b.disabled = false;
        out.textContent = ' ' + errorText(e);
        out.className = 'error';
      }
    });
    const created = typeof k.created === 'number' ? new Date(k.created * 1000).toISOString().slice(0, 16).replace('T', ' ') + ' UTC' : '';
    return el('tr', { 'data-token': k.id }, ...(all ? [el('td', { text: k.user })] : []), el('td', { text: k.label || '—' }), el('td', {}, el('code', { text: k.id })), el('td', { text: created }), el('td', {}, b, out));
  });
  return el('table', { class: 'data', id }, el('caption', { class: 'visually-hidden', text: t('account.tokens') }),
    el('thead', {}, el('tr', {}, ...head.map((h) => el('th', { scope: 'col', text: h })))), el('tbody', {}, ...rows));
}

async function myTokens(said) {
  const box = $('#my-tokens');
  try {
    const r = await call(() => api.get('/api/v1/tokens'));
    box.replaceChildren(tokenTable(r.items.filter((k) => k.user === me.user), false, myTokens, 'my-tokens-table'));
    if (said) box.prepend(el('p', { class: 'ok', role: 'status', text: said }));
  } catch (e) {
    box.replaceChildren(el('p', { class: 'error', role: 'alert', text: errorText(e) }));
  }
}

async function showAccount() {
  show('account');
  busy(true);
  $('#my-password-msg').textContent = '';
  $('#my-token-out').replaceChildren();
  await myTokens();
  busy(false);
}

// ---- routing ---------------------------------------------------------------------------------

async function route() {
  if (me.role === 'public') return showLogin($('#login-msg').textContent);
  const h = location.hash.replace(/^#/, '');
  $('#app-error').textContent = '';
  try {
    if (h.startsWith('search/')) return await showSearch(decodeURIComponent(h.slice(7)));
    if (h.startsWith('event/')) {
      const [ev, item] = h.slice(6).split('/').map(decodeURIComponent);
      if (item) current.selected = item;
      return await showEvent(ev, item);
    }
    if (h === 'findings') return await showFindings();
    if (h === 'analysis') return await showAnalysis();
    if (h === 'traces') return await showTraces();
    if (h === 'account') return showAccount();
    if (h.startsWith('item/')) return await showItemById(decodeURIComponent(h.slice(5)));
    if (h.startsWith('history/')) return await showHistory(decodeURIComponent(h.slice(8)));
    if (h === 'accounts') return await showAccounts();
    if (h === 'sync') {
      show('sync');
      busy(true);
      await call(() => syncView.render($('#sync')));
      return busy(false);
    }
    return await showEvents();
  } catch (e) {
    busy(false);
    // a failed view says so where the person looks, not only in the console
    if (e instanceof ApiError && e.status === 401) return;
    $('#app-error').textContent = t('error.view', { message: e instanceof ApiError ? errorText(e) : String(e.message || e) });
    if (!(e instanceof ApiError)) console.error(e);
  }
}

async function start() {
  await i18n.load();
  i18n.apply();
  i18n.bindPicker($('#lang'), () => {
    labelOptions($('#new-item').elements.kind, 'kind.');
    applyRoles();
    route();
  });
  bindLogin();
  bindNewEvent();
  bindTree();
  labelOptions($('#new-item').elements.kind, 'kind.');
  bindEditEvent();
  bindAccount();
  bindNewFinding();
  $('#history-back').addEventListener('click', () => (history.length > 1 ? history.back() : (location.hash = '#events')));
  $('#app-search').addEventListener('submit', (e) => {
    e.preventDefault();
    const v = $('#app-q').value.trim();
    if (v) location.hash = '#search/' + encodeURIComponent(v);
  });
  window.addEventListener('hashchange', route);
  try {
    await whoAmI();
  } catch (e) {
    /* the server is unreachable: the form says so when used */
  }
  if (me.role === 'public' && !$('#login-msg').textContent) return showLogin('');
  route();
}

start();
