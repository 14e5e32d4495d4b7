// i18n.js - the current language (Korean unless the visitor chose English,
// remembered in localStorage) and the string tables every view reads from.
// Each strings/*.js module holds the same keys in both languages.

const tables = { ko: new Map(), en: new Map() };
const listeners = new Set();
let current = localStorage.getItem('lang') === 'en' ? 'en' : 'ko';

export const LANGS = ['ko', 'en'];

/** Adds a strings module ({ko: {...}, en: {...}}) to the tables. */
export function register(dict) {
  for (const l of LANGS)
    for (const [k, v] of Object.entries(dict[l])) tables[l].set(k, v);
}

export function lang() {
  return current;
}

export function setLang(l) {
  if (!LANGS.includes(l) || l === current) return;
  current = l;
  localStorage.setItem('lang', l);
  for (const fn of listeners) fn(l);
}

export function onLangChange(fn) {
  listeners.add(fn);
}

/** The string for key in the current language, {name} replaced from vars. */
export function t(key, vars) {
  const s = tables[current].get(key) ?? tables.ko.get(key);
  if (s === undefined) {
    console.error(`missing string: ${key}`);
    return key;
  }
  if (!vars) return s;
  return s.replace(/\{(\w+)\}/g, (m, name) => (name in vars ? String(vars[name]) : m));
}

/** Whether a string exists (used to translate codes the server sends). */
export function has(key) {
  return tables[current].has(key);
}

/** The title in the current language from an object with title_ko/title_en
 *  (or name_ko/name_en), falling back to the other language. */
export function pick(obj, field = 'title') {
  if (!obj) return '';
  const mine = obj[`${field}_${current}`];
  const other = obj[`${field}_${current === 'ko' ? 'en' : 'ko'}`];
  return mine || obj[field] || other || '';
}

/** Like pick, with the language the text is in: {text, lang}; lang is
 *  null for a field that has one value for both languages. */
export function pickWithLang(obj, field = 'title') {
  if (!obj) return { text: '', lang: null };
  const other = current === 'ko' ? 'en' : 'ko';
  if (obj[`${field}_${current}`]) return { text: obj[`${field}_${current}`], lang: current };
  if (obj[`${field}_${other}`]) return { text: obj[`${field}_${other}`], lang: other };
  return { text: obj[field] || '', lang: null };
}
