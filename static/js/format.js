// format.js - dates, times and numbers as people in Korea read them, in
// either language. Times are shown in Korea's time zone wherever the
// browser is.

import { lang, t } from './i18n.js';

const ZONE = 'Asia/Seoul';
const locale = () => (lang() === 'en' ? 'en-GB' : 'ko-KR');

// Making an Intl formatter costs far more than using one (a catalogue page
// formats dozens of numbers): each is made once per language and options.
const formatters = new Map();
function formatter(Kind, loc, options) {
  const key = `${Kind.name} ${loc} ${JSON.stringify(options)}`;
  let f = formatters.get(key);
  if (!f) {
    f = new Kind(loc, options);
    formatters.set(key, f);
  }
  return f;
}

function fmt(value, options) {
  if (value === null || value === undefined || value === '') return '';
  const d = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(d.getTime())) return String(value);
  return formatter(Intl.DateTimeFormat, locale(), { timeZone: ZONE, ...options }).format(d);
}

/** A calendar date 'YYYY-MM-DD' (no time zone shift). */
export function date(ymd) {
  if (!ymd) return '';
  const [y, m, d] = String(ymd).split('-').map(Number);
  return formatter(Intl.DateTimeFormat, locale(), { timeZone: 'UTC', year: 'numeric', month: 'short', day: 'numeric', weekday: 'short' })
    .format(new Date(Date.UTC(y, m - 1, d)));
}

// Hours without a leading zero: "오후 6:00" in Korean, "18:00" in English.
export const dateTime = (v) => fmt(v, { year: 'numeric', month: 'short', day: 'numeric', hour: 'numeric', minute: '2-digit' });
export const time = (v) => fmt(v, { hour: 'numeric', minute: '2-digit' });
export const dayLabel = (v) => fmt(v, { month: 'short', day: 'numeric', weekday: 'short' });

// A whole number is grouped by threes with commas in both languages, as
// Intl.NumberFormat would write it for ko-KR and en-GB. It is done here
// because the first Intl formatter a page makes loads the locale data, tens
// of milliseconds on a slow phone, and the catalogue's first view needs
// nothing else of Intl.
export function number(n) {
  const v = n ?? 0;
  if (Number.isSafeInteger(v)) {
    const digits = String(Math.abs(v)).replace(/\B(?=(\d{3})+$)/g, ',');
    return v < 0 ? `-${digits}` : digits;
  }
  return formatter(Intl.NumberFormat, locale(), {}).format(v);
}

export function percent(ratio) {
  return formatter(Intl.NumberFormat, locale(), { style: 'percent', maximumFractionDigits: 1 }).format(ratio ?? 0);
}

/** The parts of an instant in Korea: {y, m, d, hour, minute, weekday 0=Mon}. */
export function seoulParts(value) {
  const d = value instanceof Date ? value : new Date(value);
  const p = Object.fromEntries(formatter(Intl.DateTimeFormat, 'en-GB', {
    timeZone: ZONE, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit',
    minute: '2-digit', hourCycle: 'h23', weekday: 'short',
  }).formatToParts(d).map((x) => [x.type, x.value]));
  return {
    y: +p.year, m: +p.month, d: +p.day, hour: +p.hour, minute: +p.minute,
    weekday: ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'].indexOf(p.weekday),
  };
}

/** 'YYYY-MM-DD' of a Korean calendar day moved by n days. */
export function addDays(ymd, n) {
  const [y, m, d] = ymd.split('-').map(Number);
  const t = new Date(Date.UTC(y, m - 1, d + n));
  return t.toISOString().slice(0, 10);
}

/** Today's date in Korea, 'YYYY-MM-DD'. */
export function todayYmd() {
  const p = seoulParts(new Date());
  return `${p.y}-${String(p.m).padStart(2, '0')}-${String(p.d).padStart(2, '0')}`;
}

/** The Monday of the Korean week holding ymd. */
export function mondayOf(ymd) {
  const [y, m, d] = ymd.split('-').map(Number);
  const wd = (new Date(Date.UTC(y, m - 1, d)).getUTCDay() + 6) % 7;
  return addDays(ymd, -wd);
}

/** A value for <input type="datetime-local"> (Korean time) -> RFC 3339 with +09:00. */
export function localToRfc3339(v) {
  if (!v) return '';
  return `${v.length === 16 ? `${v}:00` : v}+09:00`;
}

/** RFC 3339 -> value for <input type="datetime-local"> in Korean time. */
export function rfc3339ToLocal(v) {
  if (!v) return '';
  const p = seoulParts(v);
  const z = (n) => String(n).padStart(2, '0');
  return `${p.y}-${z(p.m)}-${z(p.d)}T${z(p.hour)}:${z(p.minute)}`;
}

/** A term in words: '2027-1' is "2027년 1학기", the cohort '2027-c3' "2027년 3기"
 *  (other spellings as they are). */
export function termName(term) {
  const m = /^(\d{4})-(1|2|summer|winter|c([1-9]\d?))$/.exec(term || '');
  if (!m) return term;
  return m[3] ? t('term.cohort', { year: m[1], n: m[3] }) : t(`term.${m[2]}`, { year: m[1] });
}
