// checklist.js - where a learner stands against their course's completion
// rules (GET /api/v1/enrollments/{id}/checklist): a one-line summary for
// "my courses", the full checklist with what is left, and the page
// #/my/enrollments/:id with the checklist and the grade of each activity.

import { h, replace } from '../dom.js';
import { register, t, pick } from '../i18n.js';
import { get } from '../api.js';
import { heading, errorText } from '../ui.js';
import { number } from '../format.js';
import S from '../strings/grades.js';

register(S);

const item = (cl, rule) => cl?.items?.find((i) => i.rule === rule);
const num = (v) => number(Number(v ?? 0));
// How far a value is below its target, never below zero, one decimal.
const short = (target, value) => number(Math.max(0, Math.round((Number(target) - Number(value ?? 0)) * 10) / 10));

/** "출석 3/4회 · 성적 82/75점 · 필수 차시 5/6" of the rules that apply (or,
 *  with no rules, of what there is), and whether they are met. */
export function checklistSummary(cl) {
  if (!cl) return null;
  const att = item(cl, 'attendance');
  const grade = item(cl, 'grade');
  const lessons = item(cl, 'lessons');
  const parts = [];
  if (att && att.sessions_held > 0) parts.push(t('gr.sum.att', { done: num(att.sessions_attended), held: num(att.sessions_held) }));
  if (grade && grade.value_pct != null) {
    parts.push(grade.required
      ? t('gr.sum.gradeTarget', { pct: num(grade.value_pct), target: num(grade.target_pct) })
      : t('gr.sum.grade', { pct: num(grade.value_pct) }));
  }
  if (lessons && lessons.total > 0) parts.push(t('gr.sum.lessons', { done: num(lessons.completed), total: num(lessons.total) }));
  if (!parts.length && !cl.rules_set) return null;
  return h('p', { class: `checklist-summary ${cl.met ? 'met' : 'unmet'}` },
    h('span', { class: 'visually-hidden' }, `${t('gr.sum.label')}: `),
    parts.join(' · '),
    cl.rules_set ? h('span', { class: 'badge' }, t(cl.met ? 'gr.sum.met' : 'gr.sum.notMet')) : null);
}

function ruleDetail(i) {
  if (i.rule === 'attendance') {
    const lines = [i.sessions_held > 0
      ? t('gr.att.now', { done: num(i.sessions_attended), held: num(i.sessions_held), pct: num(i.value_pct) })
      : t('gr.att.none')];
    if (i.target_pct != null) lines.push(t('gr.att.target', { pct: num(i.target_pct) }));
    if (i.required && !i.met) lines.push(t('gr.att.left', { pct: short(i.target_pct, i.value_pct) }));
    return lines;
  }
  if (i.rule === 'grade') {
    const lines = [i.value_pct != null
      ? t('gr.grade.now', { pct: num(i.value_pct), earned: num(i.earned), max: num(i.max) })
      : t('gr.grade.none')];
    if (i.target_pct != null) lines.push(t('gr.grade.target', { pct: num(i.target_pct) }));
    if (i.required && !i.met) lines.push(t('gr.grade.left', { pct: short(i.target_pct, i.value_pct) }));
    return lines;
  }
  const lines = [t('gr.lessons.now', { done: num(i.completed), total: num(i.total) })];
  if (i.required && !i.met) lines.push(t('gr.lessons.left', { n: num(Number(i.total) - Number(i.completed)) }));
  return lines;
}

/** The full checklist: each rule, met or not (or not required), and what is left. */
export function checklistFull(cl, headingId = 'sec-checklist') {
  const state = (i) => (!i.required ? 'optional' : i.met ? 'met' : 'notMet');
  return h('section', { 'aria-labelledby': headingId, class: 'checklist-block' },
    h('h2', { id: headingId }, t('gr.check.title')),
    h('p', { class: `message ${!cl.rules_set ? 'info' : cl.met ? 'ok' : 'warn'}` },
      t(!cl.rules_set ? 'gr.check.noRules' : cl.met ? 'gr.check.allMet' : 'gr.check.notYet')),
    h('ul', { class: 'checklist' }, cl.items.map((i) => h('li', { class: `check-${state(i)}` },
      h('span', { class: 'check-mark', 'aria-hidden': 'true' }, { met: '✓', notMet: '!', optional: '–' }[state(i)]),
      h('div', {},
        h('p', { class: 'check-head' }, h('strong', {}, t(`gr.rule.${i.rule}`)), ' ',
          h('span', { class: 'badge' }, t(`gr.check.${state(i)}`))),
        ruleDetail(i).map((line) => h('p', { class: 'muted' }, line)))))));
}

/** The grade of each activity the checklist lists. */
export function activityGrades(cl, headingId = 'sec-activity-grades') {
  const acts = item(cl, 'grade')?.activities || [];
  return h('section', { 'aria-labelledby': headingId },
    h('h2', { id: headingId }, t('gr.act.title')),
    acts.length ? h('div', { class: 'table-wrap' }, h('table', { class: 'stack-phone my-grades' },
      h('caption', {}, t('gr.act.caption')),
      h('thead', {}, h('tr', {}, ['gr.act.name', 'gr.act.kind', 'gr.act.score'].map((k) =>
        h('th', { scope: 'col', class: k === 'gr.act.score' ? 'num' : null }, t(k))))),
      h('tbody', {}, acts.map((a) => h('tr', {},
        h('th', { scope: 'row', 'data-label': t('gr.act.name') },
          h('a', { href: `#/${a.kind === 'quiz' ? 'quizzes' : 'assignments'}/${a.lesson_id}` }, pick(a))),
        h('td', { 'data-label': t('gr.act.kind') }, t(`gr.kind.${a.kind}`)),
        h('td', { 'data-label': t('gr.act.score'), class: 'num' }, a.earned == null
          ? h('span', { class: 'muted' }, `— / ${num(a.max_score)} (${t('gr.act.notDone')})`)
          : `${num(a.earned)} / ${num(a.max_score)}`))))))
      : h('p', { class: 'muted' }, t('gr.act.none')));
}

export default async function render({ view, params }) {
  const id = encodeURIComponent(params.id);
  let cl;
  let course = null;
  try {
    cl = await get(`/api/v1/enrollments/${id}/checklist`);
    course = await get(`/api/v1/courses/${cl.course_id}`).catch(() => null);
  } catch (err) {
    if (![400, 403, 404].includes(err.status)) throw err;
    replace(view, heading(t('gr.mine.title')), h('p', { role: 'alert' }, errorText(err)),
      h('p', {}, h('a', { href: '#/my' }, t('gr.mine.back'))));
    return;
  }
  replace(view,
    h('p', { class: 'crumbs' }, h('a', { href: '#/my' }, t('gr.mine.back'))),
    heading(course ? `${t('gr.mine.title')}: ${pick(course)}` : t('gr.mine.title')),
    course ? h('p', {}, h('a', { href: `#/courses/${cl.course_id}` }, t('gr.mine.toCourse'))) : null,
    checklistFull(cl),
    activityGrades(cl));
}
