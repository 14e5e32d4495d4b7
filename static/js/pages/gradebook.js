// gradebook.js - #/teach/sections/:id/grades: a section's gradebook for its
// instructors and its institution's admins (GET /api/v1/sections/{id}/
// gradebook): a row a learner, a column an activity and the overall grade,
// the CSV, and each assignment's grading queue. On a phone the table
// scrolls sideways inside its own box, the learner's name staying put.

import { h, replace } from '../dom.js';
import { register, t, pick, lang } from '../i18n.js';
import { get, withQuery } from '../api.js';
import { heading, statusBadge } from '../ui.js';
import { number } from '../format.js';
import { orRefusal } from './teach.js';
import S from '../strings/grades.js';

register(S);

const num = (v) => number(Number(v ?? 0));

export default async function render({ view, params }) {
  const id = encodeURIComponent(params.id);
  const book = await orRefusal(view, () => get(withQuery(`/api/v1/sections/${id}/gradebook`, { lang: lang() })));
  if (!book) return;
  const course = await get(`/api/v1/courses/${book.course_id}`).catch(() => null);
  const title = course ? pick(course) : '';

  const head = h('tr', {},
    h('th', { scope: 'col', class: 'learner' }, t('gr.book.learner')),
    book.activities.map((a) => h('th', { scope: 'col', class: 'num' },
      h('span', { class: 'act-title' }, a.title),
      h('span', { class: 'muted act-meta' }, `${t(`gr.kind.${a.kind}`)} · ${t('gr.book.max', { n: num(a.max_score) })}`),
      a.kind === 'assignment' ? h('a', {
        href: `#/teach/assignments/${a.lesson_id}`, 'aria-label': t('gr.book.queueFor', { title: a.title }),
      }, t('gr.book.queue')) : null)),
    h('th', { scope: 'col', class: 'num' }, t('gr.book.total')));
  const row = (l) => h('tr', {},
    h('th', { scope: 'row', class: 'learner' }, l.display_name,
      h('span', { class: 'muted learner-mail' }, l.email),
      l.status === 'enrolled' ? null : statusBadge(l.status)),
    l.scores.map((s, i) => h('td', { class: 'num' }, s == null
      ? h('span', { class: 'muted', title: t('gr.act.notDone') }, '—', h('span', { class: 'visually-hidden' }, ` ${t('gr.book.notDone')}`))
      : `${num(s)} / ${num(book.activities[i].max_score)}`)),
    h('td', { class: 'num total' }, l.grade.pct == null ? '—'
      : h('span', {}, h('strong', {}, `${num(l.grade.pct)}%`), h('br'),
        h('span', { class: 'muted' }, `${num(l.grade.earned)} / ${num(l.grade.max)}`))));

  const captionId = 'gradebook-caption';
  const table = book.learners.length
    ? h('div', { class: 'table-wrap gradebook-wrap', role: 'region', tabindex: '0', 'aria-labelledby': captionId },
      h('table', { class: 'gradebook' },
        h('caption', { id: captionId }, t('gr.book.caption', { n: num(book.learners.length) })),
        h('thead', {}, head),
        h('tbody', {}, book.learners.map(row))))
    : h('p', { class: 'empty' }, t('gr.book.empty'));

  replace(view,
    h('p', { class: 'crumbs' }, h('a', { href: `#/teach/sections/${book.section_id}` }, t('gr.book.back'))),
    heading(title ? `${t('gr.book.title')}: ${title}` : t('gr.book.title')),
    h('p', { class: 'actions' }, h('a', {
      class: 'button',
      href: withQuery(`/api/v1/sections/${book.section_id}/gradebook`, { format: 'csv', lang: lang() }),
      download: `gradebook-${book.section_id}.csv`,
    }, t('gr.book.csv'))),
    book.activities.length ? null : h('p', { class: 'muted' }, t('gr.book.noActivities')),
    book.learners.length && book.activities.length > 1 ? h('p', { class: 'muted gradebook-hint' }, t('gr.book.scroll')) : null,
    table);
}
