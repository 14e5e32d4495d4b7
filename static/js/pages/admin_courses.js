// admin_courses.js - the institution's courses, drafts included, with a
// search box, a published/draft filter and the way to edit or add one.

import { h, append, field } from '../dom.js';
import { t, pick } from '../i18n.js';
import { getAll } from '../api.js';
import { messageBox, showError } from '../ui.js';
import { adminScope, adminTop, listTable, queryForm } from './admin_scope.js';

/** The institution's courses, drafts too (published ones only from a
 *  server that does not know include_unpublished yet). */
export async function institutionCourses(institutionId, q) {
  const params = { institution_id: institutionId, q };
  const items = await getAll('/api/v1/courses', { ...params, include_unpublished: true }).catch((e) => {
    if (e.status !== 400) throw e;
    return getAll('/api/v1/courses', params);
  });
  return items.sort((a, b) => a.code.localeCompare(b.code));
}

export default async function render(ctx) {
  const scope = await adminScope(ctx);
  const q = ctx.query.get('q') || '';
  const show = ctx.query.get('show') || '';
  const box = messageBox();
  let items = [];
  try {
    items = await institutionCourses(scope.id, q);
  } catch (e) {
    showError(box, e);
  }
  if (ctx.stale()) return;
  if (show) items = items.filter((c) => (show === 'published') === (c.published !== false));

  const search = queryForm(t('admin.courses.search'), t('admin.courses.find'), [
    field('q', t('admin.courses.search'), { type: 'search', value: q, maxlength: 200 }),
    field('show', t('admin.courses.show'), {}, [
      { value: '', label: t('admin.courses.showAll') },
      { value: 'published', label: t('admin.course.published') },
      { value: 'draft', label: t('status.draft') },
    ].map((o) => ({ ...o, selected: o.value === show }))),
  ], (el) => ctx.navigate(ctx.path, scope.query({ q: el.q.value.trim(), show: el.show.value })));
  search.setAttribute('role', 'search');

  append(ctx.view, [
    adminTop(ctx, scope, t('admin.courses.title')),
    h('div', { class: 'actions' }, h('a', { class: 'button primary', href: scope.href('/admin/courses/new') }, t('admin.courses.new'))),
    search,
    box,
    items.length ? table(scope, items) : h('p', {}, t(q || show ? 'admin.courses.noMatch' : 'admin.courses.none')),
  ]);
}

function table(scope, items) {
  const cols = ['admin.course.code', 'admin.course.title', 'admin.course.program', 'admin.course.delivery', 'admin.courses.state']
    .map((k) => t(k));
  return h('div', { class: 'table-wrap' }, listTable('courses', t('admin.courses.count', { n: items.length }), cols,
    items.map((c) => h('tr', {},
      h('td', { 'data-label': cols[0] }, c.code),
      h('th', { scope: 'row', 'data-label': cols[1] }, h('a', { href: scope.href(`/admin/courses/${c.id}`) }, pick(c))),
      h('td', { 'data-label': cols[2] }, c.program_name || c.program),
      h('td', { 'data-label': cols[3] }, t(`delivery.${c.delivery}`)),
      h('td', { 'data-label': cols[4] }, publishedBadge(c.published !== false))))));
}

export function publishedBadge(published) {
  return published
    ? h('span', { class: 'badge status-open' }, t('admin.course.published'))
    : h('span', { class: 'badge status-draft' }, t('status.draft'));
}
