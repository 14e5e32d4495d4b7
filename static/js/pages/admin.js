// admin.js - the institution admin's home: which institution, and the way
// to its courses, pending applications, reports, API tokens and instructors.

import { h, append } from '../dom.js';
import { t, register } from '../i18n.js';
import { getAll } from '../api.js';
import { heading } from '../ui.js';
import { number } from '../format.js';
import { adminScope } from './admin_scope.js';
import accounts from '../strings/accounts.js';
import SEL from '../strings/selection.js';

register(accounts);
register(SEL);

// How many pending applications to count before saying "100 or more".
const COUNT_MAX = 100;

export default async function render(ctx) {
  const scope = await adminScope(ctx);
  const pending = await getAll('/api/v1/enrollments', { institution_id: scope.id, status: 'pending' }, COUNT_MAX)
    .then((items) => items.length, () => null);
  if (ctx.stale()) return;

  const count = pending === null ? null
    : t(pending >= COUNT_MAX ? 'admin.home.pendingMany' : 'admin.home.pending', { n: number(pending) });
  const links = [
    ['/admin/courses', 'admin.courses.title', 'admin.home.coursesText'],
    ['/admin/applications', 'admin.apps.title', 'admin.home.appsText', count],
    ['/admin/intakes', 'sel.admin.title', 'sel.admin.homeText'],
    ['/admin/reports', 'admin.home.reports', 'admin.home.reportsText'],
    ['/admin/tokens', 'admin.tokens.title', 'admin.home.tokensText'],
    ['/admin/instructors', 'admin.instructors.title', 'admin.home.instructorsText'],
    ['/admin/people', 'people.title', 'admin.home.peopleText'],
    ['/admin/affiliation', 'affil.title', 'admin.home.affilText'],
  ];
  ctx.view.classList.add('admin');
  append(ctx.view, [
    heading(t('admin.title')),
    h('p', { class: 'lead' }, t('admin.home.for', { name: scope.name })),
    scope.picker,
    h('ul', { class: 'cards admin-links' }, links.map(([path, title, text, extra]) => h('li', { class: 'card' },
      h('h2', {}, h('a', { href: scope.href(path) }, t(title))),
      h('p', {}, t(text)),
      extra ? h('p', { class: pending ? 'badge status-pending' : 'muted' }, extra) : null))),
  ]);
}
