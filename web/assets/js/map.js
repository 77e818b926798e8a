// SPDX-License-Identifier: Apache-2.0
// map.js — the map of both faces, on Leaflet (vendored, global L). The base
// map is drawn offline from Natural Earth country shapes (world-atlas,
// served as /vendor/countries-110m.json); an operator's tile URL, when the
// server was given --tiles, is laid under it. Points are clustered on a
// pixel grid (pointLayer) so ten thousand stay readable and fast.

import { get } from './api.js';

let shapes = null; // the country shapes, fetched once per page

async function countryShapes() {
  if (!shapes) {
    shapes = get('/vendor/countries-110m.json').then((topo) =>
      window.topojson.feature(topo, topo.objects.countries),
    );
  }
  return shapes;
}

let config = null;
export async function settings() {
  if (!config) config = get('/api/v1/config').catch(() => ({ tiles: null }));
  return config;
}

// A map in element `el`. opts.label names it for screen readers.
export async function makeMap(el, opts = {}) {
  const L = window.L;
  if (!L) {
    el.textContent = opts.missing || 'The map library is missing.';
    return null;
  }
  const map = L.map(el, {
    center: opts.center || [48.5, 32],
    zoom: opts.zoom || 5,
    minZoom: 2,
    maxZoom: opts.maxZoom || 10,
    worldCopyJump: true,
    attributionControl: true,
  });
  map.attributionControl.setPrefix(false);
  el.setAttribute('role', 'region');
  if (opts.label) el.setAttribute('aria-label', opts.label);
  const cfg = await settings();
  if (cfg.tiles) {
    L.tileLayer(cfg.tiles, { maxZoom: 18, attribution: 'tiles: operator' }).addTo(map);
  }
  try {
    const world = await countryShapes();
    L.geoJSON(world, {
      interactive: false,
      // drawn a whole view beyond each edge, so a resize or a pan never
      // shows the edge of the drawing before the renderer catches up
      renderer: L.svg({ padding: 1 }),
      style: () => ({ color: '#7d8a96', weight: 0.8, fillColor: '#e9e4d8', fillOpacity: cfg.tiles ? 0 : 1 }),
    }).addTo(map);
    map.attributionControl.addAttribution('Natural Earth');
  } catch (e) {
    /* no shapes: points still show */
  }
  return map;
}

// A clustered layer of points: each {lat, lon, title, href, id}. Clicking a
// point follows its href (through opts.onClick if given).
//
// Few DOM nodes, little work: the points are projected once (Web Mercator
// at zoom 0, into two typed arrays) and, at each zoom and move, binned on a
// grid of CELL pixels over the view and a margin around it; each non-empty
// cell is one marker — the point itself, or a cluster showing how many
// (click or Enter zooms in to them; where they cannot come apart, at the
// last zoom or all on one spot, a list of links opens). Binning 10,000
// points is a few milliseconds; no object is made per point.
// opts.clusterTitle(n) names a cluster for screen readers and tooltips.
const CELL = 56;

export function pointLayer(map, points, opts = {}) {
  const L = window.L;
  const pts = points.filter((p) => typeof p.lat === 'number' && typeof p.lon === 'number');
  const n = pts.length;
  const xs = new Float64Array(n);
  const ys = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const lat = Math.max(-85.05, Math.min(85.05, pts[i].lat)) * (Math.PI / 180);
    xs[i] = ((pts[i].lon + 180) / 360) * 256;
    ys[i] = (0.5 - Math.log(Math.tan(Math.PI / 4 + lat / 2)) / (2 * Math.PI)) * 256;
  }
  const group = L.layerGroup();
  const pin = L.divIcon({ className: 'rn-pin', iconSize: [16, 16] });
  const clusterTitle = opts.clusterTitle || ((k) => `${k} places`);
  const follow = (p) => (opts.onClick ? opts.onClick(p) : p.href && (location.href = p.href));

  // Enter (or Space) on a focused marker does what a click does: Leaflet
  // makes markers focusable but leaves pressing them to the page.
  const onPress = (m, fn) => {
    m.on('click', () => fn(false));
    m.on('keypress keydown', (e) => {
      const k = e.originalEvent.key;
      if (e.type === 'keydown' ? k !== ' ' : k !== 'Enter') return;
      e.originalEvent.preventDefault();
      fn(true);
    });
  };

  const single = (p) => {
    const m = L.marker([p.lat, p.lon], { icon: pin, title: p.title, alt: p.title, keyboard: true });
    m.rnId = p.id;
    if (p.title) m.bindTooltip(p.title);
    onPress(m, () => follow(p));
    return m;
  };

  // the members of a cluster that cannot come apart, as a list of links
  const listOf = (members) => {
    const ul = document.createElement('ul');
    ul.className = 'rn-cluster-list';
    for (const i of members.slice(0, 50)) {
      const p = pts[i];
      const a = document.createElement('a');
      a.href = p.href || '#';
      a.textContent = p.title || p.id;
      a.addEventListener('click', (e) => {
        if (!opts.onClick) return;
        e.preventDefault();
        opts.onClick(p);
      });
      const li = document.createElement('li');
      li.append(a);
      ul.append(li);
    }
    if (members.length > 50) {
      const li = document.createElement('li');
      li.textContent = `… ${members.length - 50}`;
      ul.append(li);
    }
    return ul;
  };

  const cluster = (c, scale) => {
    const k = c.members.length;
    const size = k < 10 ? 30 : k < 100 ? 36 : k < 1000 ? 42 : 48;
    const ll = map.unproject([(c.sx / k) * scale, (c.sy / k) * scale], map.getZoom());
    const icon = L.divIcon({ className: 'rn-cluster ' + (k < 10 ? 'small' : k < 1000 ? 'medium' : 'large'), html: `<span>${k}</span>`, iconSize: [size, size] });
    const title = clusterTitle(k);
    const m = L.marker(ll, { icon, title, alt: title, keyboard: true });
    m.rnCount = k;
    onPress(m, (byKey) => {
      let x0 = Infinity, x1 = -Infinity, y0 = Infinity, y1 = -Infinity;
      for (const i of c.members) {
        x0 = Math.min(x0, xs[i]); x1 = Math.max(x1, xs[i]);
        y0 = Math.min(y0, ys[i]); y1 = Math.max(y1, ys[i]);
      }
      const apart = (x1 - x0) * scale > 0.5 || (y1 - y0) * scale > 0.5;
      if (apart && map.getZoom() < map.getMaxZoom()) {
        const b = L.latLngBounds(map.unproject([x0, y0], 0), map.unproject([x1, y1], 0));
        const z = Math.max(map.getZoom() + 1, Math.min(map.getMaxZoom(), map.getBoundsZoom(b, false, L.point(CELL, CELL))));
        map.setView(b.getCenter(), z);
        if (byKey) map.getContainer().focus(); // the marker is redrawn: keep the keyboard in the map
      } else {
        const list = listOf(c.members);
        L.popup({ maxHeight: 260 }).setLatLng(ll).setContent(list).openOn(map);
        if (byKey) list.querySelector('a')?.focus();
      }
    });
    return m;
  };

  const draw = () => {
    group.clearLayers();
    const z = map.getZoom();
    const scale = 2 ** z;
    const pb = map.getPixelBounds();
    const w = pb.max.x - pb.min.x, h = pb.max.y - pb.min.y;
    const minX = pb.min.x - w / 2, maxX = pb.max.x + w / 2, minY = pb.min.y - h / 2, maxY = pb.max.y + h / 2;
    const world = 256 * scale;
    const cells = new Map();
    for (let i = 0; i < n; i++) {
      let x = xs[i] * scale;
      const y = ys[i] * scale;
      if (y < minY || y > maxY) continue;
      // the copy of the world nearest the view (the map may have panned across the date line)
      x += Math.round((minX + maxX) / 2 / world - x / world) * world;
      if (x < minX || x > maxX) continue;
      const key = Math.floor(x / CELL) * 1048576 + Math.floor(y / CELL);
      let c = cells.get(key);
      if (!c) cells.set(key, (c = { members: [], sx: 0, sy: 0 }));
      c.members.push(i);
      c.sx += x / scale;
      c.sy += y / scale;
    }
    const markers = [];
    for (const c of cells.values()) markers.push(c.members.length === 1 ? single(pts[c.members[0]]) : cluster(c, scale));
    for (const m of markers) group.addLayer(m);
    group.rnShown = markers.length;
  };

  group.on('add', () => {
    map.on('zoomend moveend', draw);
    draw();
  });
  group.on('remove', () => map.off('zoomend moveend', draw));
  group.addTo(map);
  return { layer: group, count: n };
}

// Fit the map to the points (or leave it where it is when there are none).
// The map may have been made before its box had its final size (the page
// was still being built): measure again first, or the base map stays drawn
// for the old size, a rectangle of land in a sea.
export function fit(map, points) {
  map.invalidateSize(false);
  const ll = points.filter((p) => typeof p.lat === 'number').map((p) => [p.lat, p.lon]);
  if (ll.length === 1) map.setView(ll[0], Math.min(map.getMaxZoom(), 5));
  else if (ll.length > 1) map.fitBounds(ll, { padding: [40, 40], maxZoom: 5 });
}
