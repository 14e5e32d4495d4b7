// instructor_week.js - #/admin/instructors/:id/week: an instructor's week
// of class sessions as an admin sees it (their own instructors and those
// shared with them), moving by week through ?week= in the hash.

import { h, append } from '../dom.js';
import { register, t } from '../i18n.js';
import { get, withQuery } from '../api.js';
import { heading, errorText } from '../ui.js';
import { weekView, weekStart, weekRange } from '../week.js';
import { adminScope, crumbs } from './admin_scope.js';
import S from '../strings/reports.js';

register(S);

// A refusal as a sentence about this page rather than the bare code.
function refusal(err) {
  if (err.status === 404) return t('iweek.notFound');
  if (err.status === 403) return t('iweek.forbidden');
  return errorText(err);
}

export default async function render(ctx) {
  // A platform admin acts for no one institution here (scope.id null).
  const scope = await adminScope(ctx, { allowAll: true });
  const id = ctx.params.id;
  const monday = weekStart(ctx.query);
  const trail = [[t('iweek.instructors'), '/admin/instructors']];
  let who = null;
  let week = null;
  let failure = null;
  try {
    // An id that is not a number is no instructor; the API is not asked.
    if (!/^\d+$/.test(id)) throw Object.assign(new Error('not found'), { status: 404 });
    who = await get(`/api/v1/instructors/${id}`);
    week = await get(withQuery(`/api/v1/instructors/${id}/schedule`, weekRange(monday)));
  } catch (e) {
    failure = e;
  }
  if (ctx.stale()) return;

  const title = who ? t('iweek.title', { name: who.display_name }) : t('iweek.untitled');
  append(ctx.view, [crumbs(scope, [...trail, [title]]), heading(title)]);
  if (who) {
    append(ctx.view, [h('ul', { class: 'meta iweek-meta' },
      who.home_institution ? h('li', {}, t('iweek.home', { name: who.home_institution.name })) : null,
      who.expertise?.length ? h('li', {}, who.expertise.join(', ')) : null)]);
  }
  if (failure) {
    append(ctx.view, [h('div', { class: 'message error', role: 'alert' }, h('p', {}, refusal(failure))),
      h('p', {}, h('a', { href: scope.href('/admin/instructors') }, t('iweek.back')))]);
    return;
  }
  // A shared instructor also teaches elsewhere: those sessions name the
  // institution, so the admin tells them from their own.
  const items = week.items.map((it) => (it.institution && it.institution.id !== scope.id
    ? { ...it, course_title: t('iweek.elsewhere', { title: it.course_title, institution: it.institution.name }) } : it));
  append(ctx.view, [weekView({
    monday,
    items,
    onWeek: (m) => ctx.navigate(ctx.path, scope.query({ week: m })),
    level: 'h2',
  })]);
}
