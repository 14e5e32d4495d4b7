// week.js - a week of class sessions as a calendar: seven day columns with
// each session placed by its time in Korea. Every session is also a plain
// list item with its time, course and place, so the week reads the same
// without the grid (screen readers, phones).

import { h } from './dom.js';
import { t } from './i18n.js';
import { addDays, date, dateTime, dayLabel, mondayOf, seoulParts, time, todayYmd } from './format.js';

const FIRST_HOUR = 7;
const LAST_HOUR = 23;
const SLOT_MIN = 30;

function place(item) {
  if (item.facility) return [item.facility.name, item.facility.location].filter(Boolean).join(' · ');
  return item.online_url ? t('week.online') : '';
}

/** The Monday to show for a route's ?week= (a date), defaulting to this week. */
export function weekStart(query) {
  const w = query?.get('week');
  return mondayOf(/^\d{4}-\d{2}-\d{2}$/.test(w || '') ? w : todayYmd());
}

/** [from, to) of the week starting on Monday ymd, as the schedule APIs take them. */
export function weekRange(monday) {
  return { from: monday, to: addDays(monday, 7) };
}

/**
 * The week view. opts: monday ('YYYY-MM-DD'), items (schedule items with
 * starts_at, ends_at, course_title, facility | online_url, status),
 * onWeek(mondayYmd) to move, link(item) an optional href per session,
 * level the days' heading level (h2 where the week is the page's content).
 */
/**
 * The range to ask for the next class after the week of monday: the year
 * after it (the schedule endpoints take at most 366 days).
 */
export function afterWeek(monday) {
  return { from: addDays(monday, 7), to: addDays(monday, 7 + 365) };
}

// What an empty week says: when the next class is (next: the first item
// after the week, null when none is planned, undefined when not asked).
function emptyWeek(next, onWeek) {
  if (next === undefined) return h('p', { class: 'week-empty' }, t('week.empty'));
  if (next === null) return h('p', { class: 'week-empty' }, t('week.empty'), ' ', t('week.noneAhead'));
  const p = seoulParts(next.starts_at);
  const ymd = `${p.y}-${String(p.m).padStart(2, '0')}-${String(p.d).padStart(2, '0')}`;
  return h('p', { class: 'week-empty' }, t('week.empty'), ' ',
    t('week.nextClass', { when: dateTime(next.starts_at), title: next.course_title }), ' ',
    h('button', { type: 'button', onclick: () => onWeek(mondayOf(ymd)) }, t('week.goNext')));
}

export function weekView({ monday, items, onWeek, link, level = 'h3', next }) {
  const days = [...Array(7)].map((_, i) => addDays(monday, i));
  const byDay = new Map(days.map((d) => [d, []]));
  for (const it of items) {
    const p = seoulParts(it.starts_at);
    const ymd = `${p.y}-${String(p.m).padStart(2, '0')}-${String(p.d).padStart(2, '0')}`;
    byDay.get(ymd)?.push({ it, p, end: seoulParts(it.ends_at) });
  }
  const today = todayYmd();
  const nav = h('div', { class: 'week-nav' },
    h('button', { type: 'button', onclick: () => onWeek(addDays(monday, -7)) }, `← ${t('week.prev')}`),
    h('button', { type: 'button', onclick: () => onWeek(mondayOf(today)) }, t('week.today')),
    h('button', { type: 'button', onclick: () => onWeek(addDays(monday, 7)) }, `${t('week.next')} →`),
    h('p', { class: 'week-range', 'aria-live': 'polite' },
      t('week.range', { from: date(days[0]), to: date(days[6]) })));

  // The grid runs from 07:00 to 23:00, or further when a class does: one
  // outside those hours would be squeezed into the edge row, its text cut.
  let first = FIRST_HOUR;
  let last = LAST_HOUR;
  for (const list of byDay.values()) {
    for (const { p, end } of list) {
      first = Math.min(first, p.hour);
      last = Math.max(last, end.d !== p.d ? 24 : end.hour + (end.minute ? 1 : 0));
    }
  }
  const rows = ((last - first) * 60) / SLOT_MIN;
  const hourList = h('div', { class: 'week-hour-rows' },
    [...Array(last - first)].map((_, i) => h('span', {}, `${String(first + i).padStart(2, '0')}:00`)));
  hourList.style.gridTemplateRows = `repeat(${rows}, 1.3rem)`;
  for (const [i, span] of [...hourList.children].entries()) span.style.gridRow = `${i * 2 + 1} / span 2`;
  const hours = h('div', { class: 'week-hours', 'aria-hidden': 'true' }, h(level, { class: 'week-day-name' }, '\u00a0'), hourList);
  const columns = days.map((d) => {
    const list = h('ol', { class: 'week-events' });
    list.style.gridTemplateRows = `repeat(${rows}, 1.3rem)`;
    for (const { it, p, end } of byDay.get(d).sort((a, b) => a.it.starts_at.localeCompare(b.it.starts_at))) {
      const startSlot = Math.max(0, Math.floor(((p.hour - first) * 60 + p.minute) / SLOT_MIN));
      const endMin = end.d !== p.d ? last * 60 : end.hour * 60 + end.minute;
      const endSlot = Math.min(rows, Math.max(startSlot + 1, Math.ceil((endMin - first * 60) / SLOT_MIN)));
      const cancelled = it.status === 'cancelled';
      const label = [
        `${time(it.starts_at)}–${time(it.ends_at)}`,
        it.course_title,
        place(it),
        cancelled ? t('week.cancelled') : '',
      ].filter(Boolean);
      const body = [h('span', { class: 'ev-time' }, label[0]), h('span', { class: 'ev-title' }, label[1]),
        label[2] ? h('span', { class: 'ev-place' }, label[2]) : null,
        cancelled ? h('span', { class: 'ev-flag' }, t('week.cancelled')) : null];
      const href = link ? link(it) : null;
      const li = h('li', { class: ['week-event', cancelled && 'cancelled'] },
        href ? h('a', { href }, body) : body);
      li.style.gridRow = `${startSlot + 1} / ${endSlot + 1}`;
      list.append(li);
    }
    return h('section', { class: ['week-day', d === today && 'today'], 'aria-label': dayLabel(`${d}T12:00:00+09:00`) },
      h(level, { class: 'week-day-name' }, dayLabel(`${d}T12:00:00+09:00`)),
      list);
  });
  return h('div', { class: 'week' }, nav,
    items.length ? null : emptyWeek(next, onWeek),
    h('div', { class: 'week-grid' }, hours, columns));
}
