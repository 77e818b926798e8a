// SPDX-License-Identifier: Apache-2.0
// chart.js — the two figures the app draws, as plain SVG (no library: two
// chart kinds do not need one). Each figure comes with a table of the same
// numbers, so it reads without sight and prints.
//   intervals(): one bar per row from min to max (uncertainty visible as
//                the bar's length), on a shared axis;
//   bars():      one bar per category with its count.

const NS = 'http://www.w3.org/2000/svg';

function svg(tag, attrs = {}, text) {
  const e = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
}

function figure(title, svgEl, table) {
  const f = document.createElement('figure');
  f.className = 'chart';
  const cap = document.createElement('figcaption');
  cap.textContent = title;
  f.append(cap, svgEl, table);
  return f;
}

function makeTable(head, rows, caption) {
  const t = document.createElement('table');
  t.className = 'data';
  const c = document.createElement('caption');
  c.textContent = caption;
  c.className = 'visually-hidden';
  t.append(c);
  const thead = t.createTHead().insertRow();
  for (const h of head) {
    const th = document.createElement('th');
    th.scope = 'col';
    th.textContent = h;
    thead.append(th);
  }
  const tb = t.createTBody();
  for (const r of rows) {
    const tr = tb.insertRow();
    r.forEach((v) => {
      const td = tr.insertCell();
      if (v instanceof Node) td.append(v);
      else td.textContent = v;
    });
  }
  return t;
}

// rows: [{label, min, max, text}] (numbers in the axis unit); axisLabel names it.
// In the table, a row's `cell` (a Node, e.g. a link) stands for its label and
// `extra` adds columns (head names them all).
export function intervals(title, rows, { axisLabel, head }) {
  const W = 640, rowH = 26, left = 210, right = 20, top = 10;
  const H = top + rows.length * rowH + 40;
  const lo = Math.min(0, ...rows.map((r) => r.min));
  const hi = Math.max(1, ...rows.map((r) => r.max));
  const x = (v) => left + ((v - lo) / (hi - lo)) * (W - left - right);
  const s = svg('svg', { viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': title, class: 'fig' });
  rows.forEach((r, i) => {
    const y = top + i * rowH;
    s.append(svg('text', { x: left - 8, y: y + 17, 'text-anchor': 'end', class: 'lbl' }, r.label));
    const w = Math.max(3, x(r.max) - x(r.min));
    const bar = svg('rect', { x: x(r.min), y: y + 5, width: w, height: 16, rx: 3, class: 'bar' });
    bar.append(svg('title', {}, `${r.label}: ${r.text}`));
    s.append(bar);
  });
  const ay = top + rows.length * rowH + 8;
  s.append(svg('line', { x1: left, x2: W - right, y1: ay, y2: ay, class: 'axis' }));
  const step = Math.max(1, Math.ceil((hi - lo) / 6));
  for (let v = Math.ceil(lo / step) * step; v <= hi; v += step) {
    s.append(svg('line', { x1: x(v), x2: x(v), y1: ay, y2: ay + 5, class: 'axis' }));
    s.append(svg('text', { x: x(v), y: ay + 18, 'text-anchor': 'middle', class: 'tick' }, String(v)));
  }
  s.append(svg('text', { x: (left + W - right) / 2, y: ay + 32, 'text-anchor': 'middle', class: 'tick' }, axisLabel));
  return figure(title, s, makeTable(head, rows.map((r) => [r.cell || r.label, r.text, ...(r.extra || [])]), title));
}

// rows: [{label, value}]
export function bars(title, rows, { head }) {
  const W = 640, rowH = 26, left = 210, right = 50, top = 6;
  const H = top + rows.length * rowH + 10;
  const hi = Math.max(1, ...rows.map((r) => r.value));
  const s = svg('svg', { viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': title, class: 'fig' });
  rows.forEach((r, i) => {
    const y = top + i * rowH;
    s.append(svg('text', { x: left - 8, y: y + 17, 'text-anchor': 'end', class: 'lbl' }, r.label));
    const w = Math.max(2, (r.value / hi) * (W - left - right));
    s.append(svg('rect', { x: left, y: y + 5, width: w, height: 16, rx: 3, class: 'bar' }));
    s.append(svg('text', { x: left + w + 6, y: y + 17, class: 'tick' }, String(r.value)));
  });
  return figure(title, s, makeTable(head, rows.map((r) => [r.cell || r.label, String(r.value), ...(r.extra || [])]), title));
}
