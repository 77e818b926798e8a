// SPDX-License-Identifier: Apache-2.0
// i18n.js — interface text from the catalogues /i18n/en.json and uk.json.
// Pages carry English text in their HTML (they read before the script
// runs); elements marked data-i18n="key" get the catalogue's text, and
// data-i18n-attr="attr:key;attr:key" their attributes. t(key, vars) fills
// {name} placeholders; a missing key shows the key itself, so a gap is seen.
// Records stay in the language they were written in.

let messages = {};
let lang = 'en';
export const LANGS = ['en', 'uk'];

export function currentLang() {
  return lang;
}

function pick() {
  const u = new URLSearchParams(location.search).get('lang');
  if (LANGS.includes(u)) return u;
  const s = localStorage.getItem('remnant.lang');
  if (LANGS.includes(s)) return s;
  const n = (navigator.language || 'en').slice(0, 2);
  return LANGS.includes(n) ? n : 'en';
}

export async function load(want) {
  lang = want || pick();
  const r = await fetch('/i18n/' + lang + '.json');
  messages = r.ok ? await r.json() : {};
  document.documentElement.lang = lang;
  return lang;
}

export function setLang(l) {
  localStorage.setItem('remnant.lang', l);
  return load(l);
}

export function t(key, vars) {
  let s = Object.prototype.hasOwnProperty.call(messages, key) ? messages[key] : key;
  if (vars) s = s.replace(/\{(\w+)\}/g, (m, k) => (k in vars ? String(vars[k]) : m));
  return s;
}

export function apply(root = document) {
  for (const el of root.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
  for (const el of root.querySelectorAll('[data-i18n-attr]')) {
    for (const pair of el.dataset.i18nAttr.split(';')) {
      const [attr, key] = pair.split(':');
      if (attr && key) el.setAttribute(attr, t(key));
    }
  }
  const title = document.querySelector('meta[name="rn-title"]');
  if (title) document.title = t(title.content);
}

// The language picker: a <select> that reloads the text in place.
export function bindPicker(select, onChange) {
  select.value = lang;
  select.addEventListener('change', async () => {
    await setLang(select.value);
    apply();
    if (onChange) onChange();
  });
}
