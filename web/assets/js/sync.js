// SPDX-License-Identifier: Apache-2.0
// sync.js — the workspace's sync view (#sync; docs/SYNC.md, issue 13): the
// registered peers with the last sync from each (GET /api/v1/sync/peers) and
// the open conflicts, both versions of each side by side, field by field
// (GET /api/v1/sync/conflicts). Read-only: a conflict is resolved with
// `remnant resolve ID --take mine|theirs|EDITED`, which the view names.
// app.js shows the section and calls render(); nothing else of it is used.

import * as api from './api.js';
import { t } from './i18n.js';

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

const show = (v) => (v === null || v === undefined ? '—' : typeof v === 'object' ? JSON.stringify(v) : String(v));

function peersTable(peers) {
  if (!peers.length) return el('p', { id: 'sync-no-peers', class: 'note', text: t('sync.nopeers') });
  const head = el('tr', {}, ...['sync.peer', 'sync.origin', 'sync.last', 'sync.seen', 'sync.sent', 'sync.open'].map((k) => el('th', { scope: 'col', text: t(k) })));
  const rows = peers.map((p) =>
    el(
      'tr',
      { 'data-peer': p.name },
      el('th', { scope: 'row', text: p.name }),
      el('td', { class: 'origin', text: p.origin }),
      el('td', { class: 'last', text: p.last_sync || t('sync.never') }),
      el('td', { class: 'seen', text: String(p.seen_size) }),
      el('td', { class: 'sent', text: String(p.sent_size) }),
      el('td', { class: 'open', text: String(p.open_conflicts) }),
    ),
  );
  return el('table', { id: 'sync-peers' }, el('caption', { text: t('sync.peers') }), el('thead', {}, head), el('tbody', {}, ...rows));
}

function conflictItem(c) {
  const mine = c.mine || {};
  const theirs = c.theirs || {};
  const fields = [...new Set([...Object.keys(mine), ...Object.keys(theirs)])].filter((f) => show(mine[f]) !== show(theirs[f]));
  const table = el(
    'table',
    { class: 'conflict-fields' },
    el('thead', {}, el('tr', {}, el('th', { scope: 'col', text: t('sync.field') }), el('th', { scope: 'col', text: t('sync.mine') }), el('th', { scope: 'col', text: t('sync.theirs', { peer: c.peer }) }))),
    el(
      'tbody',
      {},
      ...(c.mine && c.theirs
        ? fields.map((f) => el('tr', { 'data-field': f }, el('th', { scope: 'row', text: f }), el('td', { class: 'mine', text: show(mine[f]) }), el('td', { class: 'theirs', text: show(theirs[f]) })))
        : [el('tr', {}, el('th', { scope: 'row', text: t('sync.record') }), el('td', { class: 'mine', text: c.mine ? t('sync.kept') : t('sync.deleted') }), el('td', { class: 'theirs', text: c.theirs ? t('sync.kept') : t('sync.deleted') }))]),
    ),
  );
  return el(
    'li',
    { class: 'conflict', 'data-id': c.id },
    el('h3', {}, el('a', { href: '#history/' + encodeURIComponent(c.id), text: `${c.type} ${c.id}` })),
    el('p', { class: 'note', text: t('sync.by', { peer: c.peer, author: show(c.theirs_author), time: show(c.theirs_time) }) }),
    table,
    el('p', { class: 'note' }, t('sync.resolve') + ' ', el('code', { text: `remnant resolve ${c.id} --take mine|theirs|EDITED` })),
  );
}

// Fill `root` with the sync state; throws an ApiError as api.get does.
export async function render(root) {
  const [peers, conflicts] = await Promise.all([api.get('/api/v1/sync/peers'), api.get('/api/v1/sync/conflicts')]);
  root.replaceChildren(
    peersTable(peers || []),
    el('h2', { id: 'h-sync-conflicts', text: t('sync.conflicts', { n: (conflicts || []).length }) }),
    conflicts && conflicts.length ? el('ul', { id: 'sync-conflicts', 'aria-labelledby': 'h-sync-conflicts' }, ...conflicts.map(conflictItem)) : el('p', { id: 'sync-no-conflicts', class: 'note', text: t('sync.noconflicts') }),
  );
}
