// SPDX-License-Identifier: Apache-2.0
// map.js — the map of both faces, on Leaflet (vendored, global L). The base
// map is drawn offline from Natural Earth country shapes (world-atlas,
// served as /vendor/countries-110m.json); an operator's tile URL, when the
// server was given --tiles, is laid under it. Points are clustered
// (Leaflet.markercluster) so ten thousand stay readable and fast.

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

// A clustered layer of points: each {lat, lon, title, href, id}. Returns the
// layer; clicking a point follows its href (through opts.onClick if given).
export function pointLayer(map, points, opts = {}) {
  const L = window.L;
  const group = L.markerClusterGroup
    ? L.markerClusterGroup({ chunkedLoading: true, showCoverageOnHover: false, maxClusterRadius: 50 })
    : L.layerGroup();
  const icon = L.divIcon({ className: 'rn-pin', iconSize: [16, 16] });
  const markers = [];
  for (const p of points) {
    if (typeof p.lat !== 'number' || typeof p.lon !== 'number') continue;
    const m = L.marker([p.lat, p.lon], { icon, title: p.title, alt: p.title, keyboard: true });
    m.rnId = p.id;
    if (p.title) m.bindTooltip(p.title);
    m.on('click', () => (opts.onClick ? opts.onClick(p) : p.href && (location.href = p.href)));
    markers.push(m);
  }
  if (group.addLayers) group.addLayers(markers);
  else markers.forEach((m) => group.addLayer(m));
  group.addTo(map);
  return { layer: group, count: markers.length };
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
