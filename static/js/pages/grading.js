// grading.js - the instructor's grading queue of an assignment
// (#/teach/assignments/:id, the lesson's id): each submission of a learner
// in my sections, its file, and a form to grade it or return it.

import { h, replace } from '../dom.js';
import { register, t, pick } from '../i18n.js';
import { get, put } from '../api.js';
import { heading, messageBox, showMessage, showError, errorText, busy } from '../ui.js';
import { dateTime, number } from '../format.js';
import S from '../strings/activities.js';

register(S);

function gradeForm(s, max, box, onSaved) {
  const fid = `g${s.id}`;
  const score = h('input', { id: `${fid}-score`, type: 'number', min: 0, max, step: 1, value: s.score ?? '', required: true });
  const feedback = h('textarea', { id: `${fid}-fb`, rows: 3, maxlength: 20000 }, s.feedback || '');
  const grade = h('button', { type: 'submit', class: 'primary' }, t('act.grading.grade'));
  const back = h('button', { type: 'button' }, t('act.grading.return'));
  const save = (body, button) => busy(button, async () => {
    try {
      onSaved(await put(`/api/v1/assignment-submissions/${s.id}/grade`, body));
      showMessage(box, t('act.grading.saved'));
    } catch (err) {
      showError(box, err);
    }
  });
  const form = h('form', { class: 'grade-form' },
    h('label', { for: `${fid}-score` }, `${t('act.grading.score')} (0–${number(max)})`), score,
    h('label', { for: `${fid}-fb` }, t('act.grading.feedback')), feedback,
    h('div', { class: 'actions' }, grade, back));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    if (!score.reportValidity()) return;
    save({ score: Number(score.value), feedback: feedback.value }, grade);
  });
  back.addEventListener('click', () => save({ return: true, feedback: feedback.value }, back));
  return form;
}

export default async function render({ view, params }) {
  const id = encodeURIComponent(params.id);
  let lesson;
  let a;
  let queue;
  try {
    [lesson, a, queue] = await Promise.all([get(`/api/v1/lessons/${id}`), get(`/api/v1/lessons/${id}/assignment`),
      get(`/api/v1/lessons/${id}/submissions`)]);
  } catch (err) {
    if (![400, 403, 404].includes(err.status)) throw err;
    replace(view, heading(t('act.grading.title')), h('p', {}, errorText(err)));
    return;
  }
  const box = messageBox();
  const item = (s) => {
    const li = h('li', { class: 'card' });
    const draw = (x) => replace(li,
      h('h2', {}, x.display_name),
      h('ul', { class: 'meta' },
        h('li', {}, `${t('act.grading.submitted')}: ${dateTime(x.submitted_at)}`),
        h('li', {}, t('act.hw.version', { n: x.version })),
        x.late ? h('li', { class: 'error' }, t('act.hw.late')) : null,
        h('li', {}, h('strong', {}, t(`act.hw.status.${x.status}`))),
        x.status === 'graded' ? h('li', {}, t('act.hw.score', { score: number(x.final_score), max: number(a.max_score) })) : null),
      x.file ? h('p', {}, h('a', { href: x.file.download, download: x.file.filename }, `${t('act.grading.download')}: ${x.file.filename}`)) : null,
      x.body ? h('blockquote', {}, x.body) : null,
      gradeForm(x, a.max_score, box, draw));
    draw(s);
    return li;
  };
  replace(view,
    h('p', { class: 'crumbs' }, h('a', { href: `#/lessons/${lesson.id}` }, pick(lesson))),
    heading(`${t('act.grading.title')}: ${pick(lesson)}`),
    h('p', { class: 'muted' }, t('act.hw.due', { when: dateTime(a.due_at) })),
    box,
    queue.length ? h('ul', { class: 'cards grading' }, queue.map(item)) : h('p', { class: 'muted' }, t('act.grading.empty')));
}
