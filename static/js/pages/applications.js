// applications.js - the institution's pending applications, oldest first,
// each approved or rejected (with an optional reason) from its row.

import { h, append, field, replace } from '../dom.js';
import { t, pick } from '../i18n.js';
import { getAll, patch } from '../api.js';
import { messageBox, showMessage, showError, busy, confirmDialog } from '../ui.js';
import { dateTime, termName } from '../format.js';
import { adminScope, adminTop, listTable, queryForm } from './admin_scope.js';

const MAX = 5000;

export default async function render(ctx) {
  const scope = await adminScope(ctx);
  const courseId = Number(ctx.query.get('course')) || null;
  const box = messageBox();
  box.tabIndex = -1; // takes the focus when a decided row leaves the table
  let items = [];
  try {
    items = await getAll('/api/v1/enrollments', { institution_id: scope.id, status: 'pending' }, MAX);
  } catch (e) {
    showError(box, e);
  }
  if (ctx.stale()) return;
  items.sort((a, b) => String(a.created_at).localeCompare(String(b.created_at)) || a.id - b.id);
  const courses = new Map(items.map((e) => [e.course?.id ?? e.course_id, e.course]));
  const shown = courseId ? items.filter((e) => (e.course?.id ?? e.course_id) === courseId) : items;

  const holder = h('div', { class: 'table-wrap' });
  const draw = () => replace(holder, shown.length
    ? table(shown, decide)
    : h('p', {}, t(courseId ? 'admin.apps.noneForCourse' : 'admin.apps.none')));

  // Approve or reject; the row leaves the list once the server agrees.
  async function decide(e, button, approve) {
    const name = e.display_name || e.email;
    let body = { status: 'enrolled' };
    if (!approve) {
      const reason = await confirmDialog(t('admin.apps.rejectQ', { name }), { confirmLabel: t('admin.apps.reject'), withReason: true, destructive: true });
      if (reason === null) return;
      body = reason ? { status: 'rejected', reason } : { status: 'rejected' };
    }
    await busy(button, async () => {
      try {
        await patch(`/api/v1/enrollments/${e.id}`, body);
        shown.splice(shown.indexOf(e), 1);
        draw();
        showMessage(box, t(approve ? 'admin.apps.approved' : 'admin.apps.rejected', { name, course: pick(e.course) }));
        box.focus();
      } catch (err) {
        showError(box, err);
      }
    });
  }

  append(ctx.view, [
    adminTop(ctx, scope, t('admin.apps.title')),
    courses.size > 1 || courseId ? courseFilter(ctx, scope, courses, courseId) : null,
    box,
    holder,
  ]);
  draw();
}

function courseFilter(ctx, scope, courses, courseId) {
  return queryForm(t('admin.apps.filter'), t('admin.apps.show'), [
    field('course', t('admin.apps.course'), {}, [
      { value: '', label: t('admin.apps.allCourses') },
      ...[...courses].map(([id, c]) => ({ value: id, label: `${c?.code || ''} ${pick(c)}`.trim(), selected: id === courseId })),
    ]),
  ], (el) => ctx.navigate(ctx.path, scope.query({ course: el.course.value })));
}

function table(items, decide) {
  const cols = ['learner', 'email', 'stage', 'course', 'term', 'statement', 'applied', 'actions']
    .map((k) => t(`admin.apps.${k}`));
  return listTable('applications', t('admin.apps.caption', { n: items.length }), cols, items.map((e) => {
    const name = e.display_name || e.email;
    const approve = h('button', { type: 'button', class: 'primary', 'aria-label': t('admin.apps.approveOne', { name }) }, t('admin.apps.approve'));
    const reject = h('button', { type: 'button', class: 'danger', 'aria-label': t('admin.apps.rejectOne', { name }) }, t('admin.apps.reject'));
    approve.addEventListener('click', () => decide(e, approve, true));
    reject.addEventListener('click', () => decide(e, reject, false));
    return h('tr', { dataset: { enrollment: e.id } },
      h('th', { scope: 'row', 'data-label': cols[0] }, e.display_name || ''),
      h('td', { 'data-label': cols[1] }, e.email || ''),
      h('td', { 'data-label': cols[2] }, e.ladder_stage ? t(`stage.${e.ladder_stage}`) : ''),
      h('td', { 'data-label': cols[3] }, pick(e.course), e.course?.code ? h('span', { class: 'muted' }, ` (${e.course.code})`) : null),
      h('td', { 'data-label': cols[4] }, termName(e.section?.term || '')),
      h('td', { 'data-label': cols[5], class: 'statement' }, e.statement || h('span', { class: 'muted' }, t('app.none'))),
      h('td', { 'data-label': cols[6] }, dateTime(e.created_at)),
      h('td', { 'data-label': cols[7] }, h('div', { class: 'actions' }, approve, reject)));
  }));
}
