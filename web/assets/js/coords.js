// SPDX-License-Identifier: Apache-2.0
// coords.js — a place typed by a person: decimal degrees ("49.99, 36.23",
// "-33.86 151.2") or degrees-minutes-seconds ("49°59'24\"N 36°13'48\"E",
// "49 59 24 N, 36 13 48 E", "N49°59.4' E36°13.8'"). parsePair() gives
// {lat, lon} in decimal degrees or throws an Error whose message names what
// is wrong; formatDMS() shows a value back in DMS.

const HEMI = /[NSEW]/i;

// One coordinate; `axis` is 'lat' or 'lon' (its range and hemispheres).
export function parseOne(text, axis) {
  let s = String(text).trim().replace(/,/g, '.').replace(/[′’']/g, "'").replace(/[″”"]/g, '"');
  if (!s) throw new Error(`${axis}: empty`);
  let sign = 1;
  const h = s.match(HEMI);
  if (h) {
    const c = h[0].toUpperCase();
    if (axis === 'lat' && (c === 'E' || c === 'W')) throw new Error(`${axis}: ${c} is a longitude hemisphere`);
    if (axis === 'lon' && (c === 'N' || c === 'S')) throw new Error(`${axis}: ${c} is a latitude hemisphere`);
    if (c === 'S' || c === 'W') sign = -1;
    s = s.replace(HEMI, ' ').trim();
  }
  if (s.startsWith('-')) {
    if (h) throw new Error(`${axis}: a minus sign and a hemisphere letter together`);
    sign = -1;
    s = s.slice(1).trim();
  } else if (s.startsWith('+')) {
    s = s.slice(1).trim();
  }
  const parts = s.split(/[°d'"\s]+/).filter(Boolean);
  if (parts.length < 1 || parts.length > 3 || !parts.every((p) => /^\d+(\.\d+)?$/.test(p)))
    throw new Error(`${axis}: "${text}" is not degrees, or degrees minutes seconds`);
  const [d, m = 0, sec = 0] = parts.map(Number);
  if (parts.length > 1 && !Number.isInteger(d)) throw new Error(`${axis}: degrees with a fraction and minutes too`);
  if (m >= 60 || sec >= 60) throw new Error(`${axis}: minutes and seconds are below 60`);
  const v = sign * (d + m / 60 + sec / 3600);
  const lim = axis === 'lat' ? 90 : 180;
  if (Math.abs(v) > lim) throw new Error(`${axis}: ${v.toFixed(4)} is outside -${lim}..${lim}`);
  return Math.round(v * 1e6) / 1e6;
}

// "LAT, LON" or "LAT LON" (each decimal or DMS) into {lat, lon}.
export function parsePair(text) {
  const s = String(text).trim();
  // split at a comma or semicolon between the two, else after the first hemisphere letter
  let a, b;
  const sep = s.match(/^([NS][^EW]*?)\s*[,;]?\s*([EW].*)$/i) || s.match(/^([^NS]*[NS])\s*[,;]?\s*(.*[EW])$/i);
  if (sep) {
    [a, b] = [sep[1], sep[2]];
  } else if (/[;]/.test(s)) {
    [a, b] = s.split(';');
  } else if (/,\s/.test(s) || (s.match(/,/g) || []).length === 1) {
    [a, b] = s.split(/,\s*/);
  } else {
    const nums = s.split(/\s+/);
    if (nums.length !== 2) throw new Error('give latitude and longitude, e.g. 49.99, 36.23');
    [a, b] = nums;
  }
  if (a === undefined || b === undefined) throw new Error('give latitude and longitude, e.g. 49.99, 36.23');
  return { lat: parseOne(a, 'lat'), lon: parseOne(b, 'lon') };
}

export function formatDMS(v, axis) {
  const hemi = axis === 'lat' ? (v < 0 ? 'S' : 'N') : v < 0 ? 'W' : 'E';
  let a = Math.abs(v);
  const d = Math.floor(a);
  a = (a - d) * 60;
  const m = Math.floor(a);
  const s = Math.round((a - m) * 60 * 10) / 10;
  return `${d}°${m}'${s}"${hemi}`;
}
