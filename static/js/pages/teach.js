// teach.js - #/teach: the sections the instructor teaches, at home or at a
// partner institution, each with its seats, waitlist and next class. Also
// the small helpers the other instructor pages share (a class's time and
// place as text).

import { h } from '../dom.js';
import { register, t, pick } from '../i18n.js';
import { getAll, hasRole } from '../api.js';
import { heading, errorText } from '../ui.js';
import { date, dayLabel, number, termName, time, todayYmd } from '../format.js';
import S from '../strings/teach.js';

register(S);

/** When a class meets, e.g. '11월 23일 (월) 10:00–12:00'. */
export function sessionWhen(s) {
  return t('teach.when', { day: dayLabel(s.starts_at), from: time(s.starts_at), to: time(s.ends_at) });
}

/** Where a class meets: the room (and where it is) or 'online'. */
export function sessionPlace(s) {
  if (s.facility) return [s.facility.name, s.facility.location].filter(Boolean).join(' · ');
  return s.online_url ? t('week.online') : '';
}

/**
 * Runs load(); a refusal (403, 404) becomes a page saying so, any other
 * failure goes on to the router. Returns load's result, or null when refused.
 */
export async function orRefusal(view, load) {
  try {
    return await load();
  } catch (err) {
    if (err.status !== 403 && err.status !== 404) throw err;
    view.append(heading(t(err.status === 403 ? 'app.forbidden' : 'app.notFoundTitle')),
      h('p', { role: 'alert' }, errorText(err)),
      h('p', {}, h('a', { href: '#/' }, t('app.home'))));
    return null;
  }
}

/** Whether a class has begun and not yet ended. */
export function underWay(s, now = Date.now()) {
  return Date.parse(s.starts_at) <= now && now < Date.parse(s.ends_at);
}

function nextSession(sec) {
  const s = sec.next_session;
  if (!s) return h('p', { class: 'muted' }, t('teach.noSession'));
  const when = sessionWhen(s);
  return h('div', { class: 'next-session' },
    h('p', {}, h('strong', {}, t(underWay(s) ? 'teach.nowSession' : 'teach.nextSession')), ' ',
      when, sessionPlace(s) ? ` · ${sessionPlace(s)}` : ''),
    // Attendance is taken from the class's start; before it, the link
    // shows the class.
    Date.parse(s.starts_at) <= Date.now()
      ? h('a', { href: `#/teach/sessions/${s.id}`, 'aria-label': t('teach.attendanceFor', { when }) },
        t('teach.takeAttendance'))
      : h('a', { href: `#/teach/sessions/${s.id}`, 'aria-label': t('teach.sessionFor', { when }) },
        t('teach.seeSession')));
}

function card(sec) {
  const c = sec.course;
  const title = pick(c);
  // Sections of a partner's course: the instructor is shared with it.
  const partner = !hasRole('instructor', c.institution_id);
  return h('li', { class: 'card teach-card' },
    h('h3', {}, title),
    h('ul', { class: 'meta' },
      h('li', {}, c.code),
      h('li', {}, c.institution, partner ? [' ', h('span', { class: 'badge partner' }, t('teach.partner'))] : null),
      h('li', {}, termName(sec.term)),
      h('li', {}, t('teach.dates', { from: date(sec.starts_on), to: date(sec.ends_on) }))),
    h('p', { class: 'seats' },
      // A section whose last day has passed says so, whatever its status.
      sec.ends_on < todayYmd()
        ? h('span', { class: 'badge status-closed' }, t('teach.ended'))
        : h('span', { class: `badge status-${sec.status}` }, t(`status.${sec.status}`)), ' ',
      t('teach.seats', { enrolled: number(sec.enrolled_count), capacity: number(sec.capacity) }),
      sec.waitlist_length ? ` · ${t('teach.waitlist', { n: number(sec.waitlist_length) })}` : ''),
    nextSession(sec),
    h('p', { class: 'actions' },
      h('a', { class: 'button', href: `#/teach/sections/${sec.id}`, 'aria-label': t('teach.manageFor', { title }) },
        t('teach.manage'))));
}

// Sections with a class coming first (soonest first), then by start date.
function order(a, b) {
  const x = a.next_session?.starts_at;
  const y = b.next_session?.starts_at;
  if (x && y) return Date.parse(x) - Date.parse(y);
  if (x || y) return x ? -1 : 1;
  return a.starts_on.localeCompare(b.starts_on) || a.id - b.id;
}

// Pairs of the instructor's sections of one course whose dates overlap
// (cancelled ones left out): easy to mix up, so the page says so.
export function overlapping(sections) {
  const live = sections.filter((s) => s.status !== 'cancelled');
  const pairs = [];
  live.forEach((a, i) => live.slice(i + 1).forEach((b) => {
    if (a.course.id === b.course.id && a.starts_on <= b.ends_on && b.starts_on <= a.ends_on) pairs.push([a, b]);
  }));
  return pairs;
}

const when = (s) => `${termName(s.term)} (${t('teach.dates', { from: date(s.starts_on), to: date(s.ends_on) })})`;

function overlapWarning(pairs) {
  if (!pairs.length) return null;
  return h('div', { class: 'message warn overlap-warning', role: 'note' },
    h('p', {}, t('teach.overlapLead')),
    h('ul', {}, pairs.map(([a, b]) => h('li', {}, t('teach.overlapPair', {
      code: a.course.code, title: pick(a.course), a: when(a), b: when(b),
    })))),
    h('p', {}, t('teach.overlapAdvice')));
}

export default async function render({ view }) {
  const sections = await getAll('/api/v1/me/sections');
  const today = todayYmd();
  const current = sections.filter((s) => s.ends_on >= today).sort(order);
  const past = sections.filter((s) => s.ends_on < today).sort((a, b) => b.ends_on.localeCompare(a.ends_on));
  view.append(
    heading(t('teach.title')),
    h('p', {}, t('teach.intro')),
    h('p', {}, h('a', { href: '#/teach/week' }, t('teach.weekLink'))));
  if (!sections.length) {
    view.append(h('p', { class: 'empty' }, t('teach.empty')));
    return;
  }
  const warning = overlapWarning(overlapping(current));
  if (warning) view.append(warning);
  for (const [key, list] of [['teach.current', current], ['teach.past', past]]) {
    if (!list.length) continue;
    const id = key.replace('.', '-');
    view.append(h('section', { 'aria-labelledby': id },
      h('h2', { id }, t(key), ' ', h('span', { class: 'muted' }, `(${number(list.length)})`)),
      h('ul', { class: 'cards' }, list.map(card))));
  }
}
