// lesson.js - the lesson reader (#/lessons/:id): the lesson's text, its
// link and files, "mark as done" with the course progress, and the way to
// the previous and next lesson of the syllabus.

import { h, replace, safeHtml } from '../dom.js';
import { register, t, pick } from '../i18n.js';
import { get, getAll, post, isInstructor } from '../api.js';
import { heading, messageBox, showMessage, showError, errorText, busy } from '../ui.js';
import { dateTime, number } from '../format.js';
import S from '../strings/learner.js';
import A from '../strings/activities.js';
import { checklistFull } from './checklist.js';

register(S);
register(A);

// Lessons that open a page of their own: quizzes, assignments, videos.
const ACTIVITY = { quiz: 'quizzes', assignment: 'assignments', video: 'videos' };

function size(bytes) {
  const units = ['B', 'KB', 'MB', 'GB'];
  let n = Number(bytes) || 0;
  let i = 0;
  while (n >= 1024 && i < units.length - 1) { n /= 1024; i += 1; }
  return `${i ? number(Math.round(n * 10) / 10) : number(n)} ${units[i]}`;
}

function progressLine(p) {
  const label = t('my.progress', { done: number(p.completed), total: number(p.total) });
  return [h('progress', { max: p.total || 1, value: p.completed, 'aria-label': t('reader.courseProgress') }), ' ', label];
}

// The lesson's own headings sit one level below the page's title.
function demoted(frag) {
  for (const el of frag.querySelectorAll('h1, h2, h3, h4, h5')) {
    const lower = document.createElement(`h${Number(el.tagName[1]) + 1}`);
    lower.append(...el.childNodes);
    el.replaceWith(lower);
  }
  return frag;
}

// The lessons before and after this one, across modules.
function neighbours(syllabus, lessonId) {
  const all = (syllabus?.modules || []).flatMap((m) => m.lessons);
  const i = all.findIndex((l) => l.id === lessonId);
  return i < 0 ? [null, null] : [all[i - 1] || null, all[i + 1] || null];
}

export default async function render({ view, params }) {
  let lesson;
  try {
    lesson = await get(`/api/v1/lessons/${encodeURIComponent(params.id)}`);
  } catch (err) {
    if (![400, 403, 404].includes(err.status)) throw err;
    replace(view, heading(t('reader.unavailable')),
      h('p', {}, err.status === 403 ? t('reader.forbidden') : errorText(err)),
      h('p', {}, h('a', { href: '#/my' }, t('nav.my'))));
    return;
  }
  const [course, syllabus, mine] = await Promise.all([
    get(`/api/v1/courses/${lesson.course_id}`).catch(() => null),
    get(`/api/v1/courses/${lesson.course_id}/modules`).catch(() => null),
    getAll('/api/v1/me/enrollments').catch(() => []),
  ]);
  const mod = syllabus?.modules?.find((m) => m.id === lesson.module_id);
  // Progress is kept for a learner enrolled in the course now.
  const enrolment = mine.find((e) => e.course_id === lesson.course_id && e.status === 'enrolled')
    || mine.find((e) => e.course_id === lesson.course_id && ['completed', 'incomplete'].includes(e.status));
  const box = messageBox();
  // Where the learner stands against the course's completion rules (when it
  // has any), re-read after a lesson is marked done.
  const checklistSlot = h('div');
  const drawChecklist = async () => {
    const cl = enrolment ? await get(`/api/v1/enrollments/${enrolment.id}/checklist`).catch(() => null) : null;
    replace(checklistSlot, cl?.rules_set ? [checklistFull(cl, 'lesson-checklist'),
      h('p', {}, h('a', { href: `#/my/enrollments/${enrolment.id}` }, t('gr.mine.link')))] : null);
  };
  await drawChecklist();
  const progress = h('p', { class: 'progress' });
  if (enrolment?.progress) replace(progress, progressLine(enrolment.progress));

  const doneSlot = h('div', { class: 'actions' });
  const drawDone = () => {
    if (lesson.completed_at) {
      replace(doneSlot, h('p', { class: 'ok done' }, `✓ ${t('reader.doneAt', { when: dateTime(lesson.completed_at) })}`));
      return;
    }
    const button = h('button', { type: 'button', class: 'primary' }, t('reader.markDone'));
    button.addEventListener('click', () => busy(button, async () => {
      try {
        const r = await post(`/api/v1/lessons/${lesson.id}/complete`);
        lesson.completed_at = r.completed_at;
        replace(progress, progressLine(r.course_progress));
        showMessage(box, h('p', {}, t(r.course_progress.completed >= r.course_progress.total
          ? 'reader.allDone' : 'reader.marked', { done: number(r.course_progress.completed), total: number(r.course_progress.total) })));
        drawDone();
        drawChecklist();
        doneSlot.querySelector('p').setAttribute('tabindex', '-1');
        doneSlot.querySelector('p').focus();
      } catch (err) {
        showError(box, err);
      }
    }));
    replace(doneSlot, button);
  };
  if (enrolment?.status === 'enrolled') drawDone();

  const [prev, next] = neighbours(syllabus, lesson.id);
  const courseTitle = course ? pick(course) : t('reader.course');
  const url = /^https?:\/\//i.test(lesson.url || '') ? lesson.url : null;
  const files = lesson.attachments || [];

  replace(view,
    h('p', { class: 'crumbs' }, h('a', { href: `#/courses/${lesson.course_id}` }, courseTitle)),
    heading(pick(lesson)),
    h('ul', { class: 'meta' },
      mod ? h('li', {}, pick(mod)) : null,
      h('li', {}, t(`reader.kind.${lesson.kind}`)),
      lesson.duration_min ? h('li', {}, t('reader.minutes', { n: lesson.duration_min })) : null),
    url ? h('p', { class: 'lesson-link' },
      h('a', { href: url, target: '_blank', rel: 'noopener noreferrer', class: 'button' },
        t(lesson.kind === 'video' ? 'reader.watch' : 'reader.openLink')),
      ' ', h('span', { class: 'muted' }, t('reader.newWindow'))) : null,
    ACTIVITY[lesson.kind] ? h('p', { class: 'lesson-link' },
      h('a', { href: `#/${ACTIVITY[lesson.kind]}/${lesson.id}`, class: 'button' }, t(`act.open.${lesson.kind}`)),
      lesson.kind === 'assignment' && isInstructor() ? [' ', h('a', { href: `#/teach/assignments/${lesson.id}` }, t('act.open.grading'))] : null) : null,
    h('article', { class: 'lesson-body' }, demoted(safeHtml(lesson.body_html))),
    files.length ? h('section', { 'aria-labelledby': 'lesson-files' },
      h('h2', { id: 'lesson-files' }, t('reader.files')),
      h('ul', { class: 'files' }, files.map((f) => h('li', {},
        h('a', { href: `/api/v1/attachments/${f.id}`, download: f.filename }, f.filename),
        ' ', h('span', { class: 'muted' }, `(${size(f.size)})`))))) : null,
    h('section', { 'aria-labelledby': 'lesson-progress', class: 'lesson-done' },
      h('h2', { id: 'lesson-progress' }, t('reader.progressTitle')),
      enrolment ? null : h('p', { class: 'muted' }, t('reader.preview')),
      enrolment && enrolment.status !== 'enrolled' ? h('p', { class: 'muted' }, t('reader.closed')) : null,
      progress, doneSlot, box),
    checklistSlot,
    prev || next ? h('nav', { class: 'lesson-nav', 'aria-label': t('reader.navLabel') },
      prev ? h('a', { href: `#/lessons/${prev.id}`, rel: 'prev' }, `← ${t('reader.prev')}: ${pick(prev)}`) : h('span'),
      next ? h('a', { href: `#/lessons/${next.id}`, rel: 'next' }, `${t('reader.next')}: ${pick(next)} →`) : null) : null);
}
