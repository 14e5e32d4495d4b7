// attendance.js - #/teach/sessions/:id: taking attendance at one class: a
// present/absent choice per learner, "all present", and saving the marks
// that changed; each learner's attendance rate so far comes back with them.

import { h, replace } from '../dom.js';
import { register, t } from '../i18n.js';
import { get, put } from '../api.js';
import { heading, messageBox, showMessage, showError, busy, statusBadge } from '../ui.js';
import { number } from '../format.js';
import { orRefusal, sessionWhen, sessionPlace } from './teach.js';
import S from '../strings/teach.js';

register(S);

// Only these can be marked; anyone marked who has left since stays listed.
const MARKABLE = new Set(['enrolled', 'completed', 'incomplete']);

function facts(s) {
  const place = s.online_url
    ? h('a', { href: s.online_url, rel: 'noopener noreferrer', target: '_blank' }, t('teach.onlineLink'))
    : sessionPlace(s);
  const status = s.status === 'cancelled'
    ? h('span', { class: 'badge status-cancelled' }, t('week.cancelled'))
    : h('span', { class: 'badge status-scheduled' }, t('status.scheduled'));
  const rows = [
    ['teach.course', s.course_title],
    ['teach.institution', s.institution],
    ['teach.colWhen', sessionWhen(s)],
    ['teach.colPlace', place],
    ['teach.colInstructor', s.instructor?.display_name],
    ['teach.status', status],
  ];
  return h('section', { 'aria-labelledby': 'att-facts' },
    h('h2', { id: 'att-facts' }, t('teach.sessionFacts')),
    h('dl', { class: 'facts' }, rows.map(([k, v]) => [h('dt', {}, t(k)), h('dd', {}, v)])));
}

function rate(a) {
  if (!a || !a.held) return t('teach.rateNone');
  return t('teach.rate', { attended: number(a.attended), held: number(a.held), rate: number(a.rate_pct ?? 0) });
}

export default async function render({ view, params }) {
  const id = params.id;
  const both = await orRefusal(view, () => Promise.all([
    get(`/api/v1/sessions/${id}`),
    get(`/api/v1/sessions/${id}/attendance`),
  ]));
  if (!both) return;
  const [session, first] = both;
  let items = first.items;
  const cancelled = session.status === 'cancelled';
  const notYet = !cancelled && Date.parse(session.starts_at) > Date.now();
  const closed = cancelled || notYet;
  const box = messageBox();
  const caption = h('caption');
  const tbody = h('tbody');
  const form = h('form', { class: 'attendance', novalidate: true });

  // The choice on screen for a learner: true, false or null (none).
  const choice = (it) => {
    const picked = form.querySelector(`input[name="present-${it.enrollment_id}"]:checked`);
    return picked ? picked.value === 'yes' : null;
  };

  function count() {
    let present = 0;
    let absent = 0;
    for (const it of items) {
      const c = choice(it);
      if (c === true) present++;
      else if (c === false) absent++;
    }
    replace(caption, t('teach.attendanceCaption', {
      n: number(items.length), present: number(present), absent: number(absent),
      unmarked: number(items.length - present - absent),
    }));
  }

  function row(it) {
    const name = it.display_name;
    const can = MARKABLE.has(it.status) && !closed;
    const radio = (value, key) => h('label', { class: 'mark' },
      h('input', {
        type: 'radio', name: `present-${it.enrollment_id}`, value,
        checked: it.present === (value === 'yes'), disabled: !can,
        'aria-label': t(`${key}For`, { name }),
      }),
      t(key));
    return h('tr', { dataset: { enrollment: it.enrollment_id } },
      h('th', { scope: 'row' }, name, it.status === 'enrolled' ? null : [' ', statusBadge(it.status)]),
      h('td', { 'data-label': t('teach.colMark') },
        MARKABLE.has(it.status)
          ? h('div', { class: 'marks' }, radio('yes', 'teach.present'), radio('no', 'teach.absent'))
          : h('span', { class: 'muted' }, t('teach.notMarkable'))),
      h('td', { 'data-label': t('teach.colRate') }, rate(it.attendance)));
  }

  function show() {
    replace(tbody, items.map(row));
    count();
  }

  const allPresent = h('button', { type: 'button', disabled: closed }, t('teach.allPresent'));
  allPresent.addEventListener('click', () => {
    for (const input of form.querySelectorAll('input[type=radio][value=yes]:not(:disabled)')) input.checked = true;
    count();
  });
  const save = h('button', { type: 'submit', class: 'primary', disabled: closed }, t('teach.saveAttendance'));
  form.addEventListener('change', count);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const marks = items
      .filter((it) => MARKABLE.has(it.status) && choice(it) !== null && choice(it) !== it.present)
      .map((it) => ({ enrollment_id: it.enrollment_id, present: choice(it) }));
    if (!marks.length) {
      showMessage(box, t('teach.nothingChanged'), 'warn');
      return;
    }
    await busy(save, async () => {
      try {
        items = (await put(`/api/v1/sessions/${id}/attendance`, marks)).items;
        show();
        showMessage(box, t('teach.attendanceSaved', { n: number(marks.length) }), 'ok');
      } catch (err) {
        showError(box, err);
      }
    });
  });

  view.append(
    heading(t('teach.attendanceTitle')),
    h('p', { class: 'muted' }, `${session.course_title} · ${sessionWhen(session)}`),
    h('p', {}, h('a', { href: `#/teach/sections/${session.section_id}` }, t('teach.backToSection'))),
    facts(session));
  if (closed) showMessage(box, t(cancelled ? 'error.session_cancelled' : 'error.session_not_started'), 'warn');
  const part = h('section', { 'aria-labelledby': 'att-register' },
    h('h2', { id: 'att-register' }, t('teach.register')), box);
  if (!items.length) {
    part.append(h('p', {}, t('teach.noLearners')));
  } else {
    form.append(
      h('div', { class: 'table-wrap' }, h('table', { class: 'stack-phone attendance-table' }, caption,
        h('thead', {}, h('tr', {}, ['teach.colName', 'teach.colMark', 'teach.colRate']
          .map((k) => h('th', { scope: 'col' }, t(k))))),
        tbody)),
      h('div', { class: 'actions' }, allPresent, save));
    part.append(form);
    show();
  }
  view.append(part);
}
