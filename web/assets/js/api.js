// SPDX-License-Identifier: Apache-2.0
// api.js — the app's one door: the JSON API of `remnant serve` (docs/API.md).
// Every request goes through here. Errors become ApiError with the server's
// {"error":{"code","message","field"}}; a state-changing request sends the
// CSRF token that login returned (kept in sessionStorage for this tab).

export class ApiError extends Error {
  constructor(status, code, message, field) {
    super(message);
    this.status = status;
    this.code = code;
    this.field = field || null;
  }
}

const CSRF_KEY = 'remnant.csrf';

export function csrfToken() {
  return sessionStorage.getItem(CSRF_KEY) || '';
}

export function setCsrfToken(t) {
  if (t) sessionStorage.setItem(CSRF_KEY, t);
  else sessionStorage.removeItem(CSRF_KEY);
}

async function request(method, path, body, headers = {}) {
  const opts = { method, headers: { Accept: 'application/json', ...headers }, credentials: 'same-origin' };
  if (body !== undefined) {
    if (body instanceof Blob || body instanceof ArrayBuffer) {
      opts.body = body;
    } else {
      opts.body = JSON.stringify(body);
      opts.headers['Content-Type'] = 'application/json';
    }
  }
  if (method !== 'GET' && method !== 'HEAD' && csrfToken()) opts.headers['X-CSRF-Token'] = csrfToken();
  let r;
  try {
    r = await fetch(path, opts);
  } catch (e) {
    throw new ApiError(0, 'network', e.message || 'network error');
  }
  if (r.status === 204) return null;
  const type = r.headers.get('Content-Type') || '';
  const data = type.includes('json') ? await r.json().catch(() => null) : await r.text();
  if (!r.ok) {
    const e = data && data.error ? data.error : { code: 'http_' + r.status, message: r.statusText };
    throw new ApiError(r.status, e.code, e.message, e.field);
  }
  return data;
}

export const get = (path) => request('GET', path);
export const post = (path, body) => request('POST', path, body);
export const patch = (path, body) => request('PATCH', path, body);
export const del = (path) => request('DELETE', path);
export const upload = (path, blob, type) => request('POST', path, blob, { 'Content-Type': type || 'application/octet-stream' });

// A query string from an object, leaving out empty values.
export function qs(params) {
  const u = new URLSearchParams();
  for (const [k, v] of Object.entries(params || {})) if (v !== undefined && v !== null && v !== '') u.set(k, v);
  const s = u.toString();
  return s ? '?' + s : '';
}

// Upload a file's bytes as an attachment of the record at `path`
// (/api/v1/items/ID/attachments), reporting progress (0..1) as it goes:
// XMLHttpRequest, because fetch() tells nothing of an upload's progress.
export function uploadFile(path, file, onProgress) {
  return new Promise((resolve, reject) => {
    const x = new XMLHttpRequest();
    x.open('POST', `${path}?filename=${encodeURIComponent(file.name)}`);
    x.setRequestHeader('Content-Type', file.type || 'application/octet-stream');
    x.setRequestHeader('Accept', 'application/json');
    if (csrfToken()) x.setRequestHeader('X-CSRF-Token', csrfToken());
    x.upload.onprogress = (e) => e.lengthComputable && onProgress && onProgress(e.loaded / e.total);
    x.onload = () => {
      let d = null;
      try {
        d = JSON.parse(x.responseText);
      } catch (e) {
        /* not JSON */
      }
      if (x.status >= 200 && x.status < 300) resolve(d);
      else {
        const e = d && d.error ? d.error : { code: 'http_' + x.status, message: x.statusText };
        reject(new ApiError(x.status, e.code, e.message, e.field));
      }
    };
    x.onerror = () => reject(new ApiError(0, 'network', 'network error'));
    x.send(file);
  });
}
