// teach_week.js - #/teach/week?week=YYYY-MM-DD: the instructor's own classes
// of one week as a calendar (an instructor's id is their user id); each class
// opens its attendance page.

import { h } from '../dom.js';
import { register, t } from '../i18n.js';
import { get, withQuery } from '../api.js';
import { heading } from '../ui.js';
import { afterWeek, weekRange, weekStart, weekView } from '../week.js';
import S from '../strings/teach.js';

register(S);

export default async function render({ view, query, navigate, user }) {
  const monday = weekStart(query);
  const url = `/api/v1/instructors/${user.id}/schedule`;
  const week = await get(withQuery(url, weekRange(monday)));
  // An empty week says when the next class is.
  const next = week.items.length ? undefined
    : await get(withQuery(url, afterWeek(monday))).then((r) => r.items[0] || null, () => undefined);
  view.append(
    heading(t('teach.weekTitle')),
    h('p', {}, h('a', { href: '#/teach' }, t('teach.backToSections'))),
    weekView({
      monday,
      items: week.items,
      onWeek: (m) => navigate('/teach/week', { week: m }),
      link: (it) => `#/teach/sessions/${it.id}`,
      level: 'h2',
      next,
    }));
}
