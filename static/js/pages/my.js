// my.js - the learner's own enrolments (#/my): status, waitlist place and
// progress per course, cancellation; ?status= narrows the list.

import { h, replace } from '../dom.js';
import { register, t, pick } from '../i18n.js';
import { get, getAll, del } from '../api.js';
import { heading, messageBox, showMessage, showError, busy, confirmDialog, statusBadge } from '../ui.js';
import { date, number, termName } from '../format.js';
import S from '../strings/learner.js';
import C from '../strings/certificates.js';
import SEL from '../strings/selection.js';
import G from '../strings/grades.js';
import { checklistSummary } from './checklist.js';

register(S);
register(C);
register(SEL);
register(G);

const ORDER = ['enrolled', 'waitlisted', 'pending', 'completed', 'incomplete', 'cancelled', 'rejected'];
const CANCELLABLE = ['pending', 'enrolled', 'waitlisted'];
const WITH_PROGRESS = ['enrolled', 'completed', 'incomplete'];

// The lessons done, then where the learner stands against the completion
// rules (checklists, enrolment id to checklist or null) and the way to it.
function progressCell(e, checklists) {
  if (!WITH_PROGRESS.includes(e.status)) return h('span', { class: 'muted' }, '—');
  const { completed = 0, total = 0 } = e.progress || {};
  const label = t('my.progress', { done: number(completed), total: number(total) });
  const cl = checklists.get(e.id);
  return [
    total ? h('span', { class: 'progress' },
      h('progress', { max: total, value: completed, 'aria-label': `${pick(e.course)}: ${label}` }), label)
      : h('span', { class: 'muted' }, t('my.noLessons')),
    checklistSummary(cl),
    cl ? h('a', { href: `#/my/enrollments/${e.id}`, 'aria-label': t('gr.mine.linkFor', { title: pick(e.course) }) },
      t('gr.mine.link')) : null,
  ];
}

// Each checklist of an enrolment with progress; one refused or failed is left out.
async function loadChecklists(all) {
  const want = all.filter((e) => WITH_PROGRESS.includes(e.status));
  const got = await Promise.all(want.map((e) => get(`/api/v1/enrollments/${e.id}/checklist`).catch(() => null)));
  return new Map(want.map((e, i) => [e.id, got[i]]));
}

function statusCell(e) {
  return [
    statusBadge(e.status),
    e.status === 'waitlisted' && e.waitlist_position
      ? h('p', { class: 'position' }, t('my.position', { n: number(e.waitlist_position) })) : null,
    e.status === 'pending' ? h('p', { class: 'muted' }, t('my.pendingNote')) : null,
    e.status === 'pending' && e.statement
      ? h('blockquote', { class: 'statement' }, h('p', {}, h('strong', {}, t('field.statement')), ': ', e.statement)) : null,
  ];
}

export default async function render({ view, query }) {
  const box = messageBox();
  box.setAttribute('tabindex', '-1');
  const filterSlot = h('nav', { class: 'status-filter', 'aria-label': t('my.filterLabel') });
  const listSlot = h('div', { class: 'table-wrap' });
  const want = ORDER.includes(query.get('status')) ? query.get('status') : '';
  let all = await getAll('/api/v1/me/enrollments');
  let checklists = await loadChecklists(all);

  async function cancel(e, button) {
    const title = pick(e.course);
    const ok = await confirmDialog(t('my.cancelConfirm', { title, term: termName(e.section.term) }),
      { confirmLabel: t('my.cancelYes'), destructive: true });
    if (!ok) { button.focus(); return; }
    await busy(button, async () => {
      try {
        await del(`/api/v1/enrollments/${e.id}`);
        showMessage(box, h('p', {}, t('my.cancelled', { title })));
        all = await getAll('/api/v1/me/enrollments');
        checklists = await loadChecklists(all);
      } catch (err) {
        showError(box, err);
      }
    });
    draw();
    box.focus();
  }

  function row(e) {
    const title = pick(e.course);
    const cancelButton = CANCELLABLE.includes(e.status)
      ? h('button', { type: 'button', class: 'danger', 'aria-label': t('my.cancelFor', { title }) }, t('my.cancel'))
      : null;
    cancelButton?.addEventListener('click', () => cancel(e, cancelButton));
    return h('tr', {},
      h('th', { scope: 'row', 'data-label': t('my.course') },
        h('a', { href: `#/courses/${e.course.id}` }, title),
        h('span', { class: 'code muted' }, ` ${e.course.code}`)),
      h('td', { 'data-label': t('my.term') }, termName(e.section.term),
        h('br'), h('span', { class: 'muted' }, t('course.range', { from: date(e.section.starts_on), to: date(e.section.ends_on) }))),
      h('td', { 'data-label': t('my.status') }, statusCell(e)),
      h('td', { 'data-label': t('my.progressCol') }, progressCell(e, checklists)),
      h('td', { 'data-label': t('my.actions') }, cancelButton || h('span', { class: 'muted' }, '—')));
  }

  function draw() {
    const counts = new Map(ORDER.map((s) => [s, all.filter((e) => e.status === s).length]));
    const link = (status, label, n) => h('li', {}, h('a', {
      href: status ? `#/my?status=${status}` : '#/my',
      'aria-current': status === want ? 'page' : null,
    }, t('my.filterItem', { label, n: number(n) })));
    replace(filterSlot, h('ul', {},
      link('', t('my.all'), all.length),
      ORDER.filter((s) => counts.get(s) || s === want).map((s) => link(s, t(`status.${s}`), counts.get(s)))));
    const items = want ? all.filter((e) => e.status === want) : all;
    if (!items.length) {
      replace(listSlot, h('p', { class: 'empty' }, t(want ? 'my.emptyStatus' : 'my.empty'), ' ',
        h('a', { href: '#/' }, t('my.findCourses'))));
      return;
    }
    const cols = ['my.course', 'my.term', 'my.status', 'my.progressCol', 'my.actions'];
    replace(listSlot, h('table', { class: 'stack-phone my-enrolments' },
      h('caption', {}, want ? t('my.captionStatus', { status: t(`status.${want}`) }) : t('my.caption')),
      h('thead', {}, h('tr', {}, cols.map((c) => h('th', { scope: 'col' }, t(c))))),
      h('tbody', {}, items.map(row))));
  }

  draw();
  replace(view,
    heading(t('my.title')),
    h('p', { class: 'actions' },
      h('a', { href: '#/my/calendar', class: 'button' }, t('my.toCalendar')),
      h('a', { href: '#/my/applications', class: 'button' }, t('sel.mine')),
      h('a', { href: '#/my/certificates', class: 'button' }, t('cert.mine.title')),
      h('a', { href: '#/', class: 'button' }, t('my.findCourses')),
      h('a', { href: '#/notifications', class: 'button' }, t('mail.settingsLink'))),
    box, filterSlot, listSlot);
}
