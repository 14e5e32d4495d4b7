// quiz.js - taking a quiz (#/quizzes/:id, the lesson's id): the settings and
// my attempts, then an attempt's questions in the order the server chose,
// a timer that follows the server's deadline, answers kept in this
// browser until they are submitted, and the result the quiz shows.

import { h, replace } from '../dom.js';
import { register, t, pick } from '../i18n.js';
import { get, post } from '../api.js';
import { heading, messageBox, showMessage, showError, errorText, busy, confirmDialog } from '../ui.js';
import { dateTime, number } from '../format.js';
import S from '../strings/activities.js';

register(S);

const storeKey = (attemptId) => `lms.quiz.attempt.${attemptId}`;

function loadAnswers(attemptId) {
  try {
    return JSON.parse(localStorage.getItem(storeKey(attemptId)) || 'null');
  } catch {
    return null;
  }
}

function clock(ms) {
  const s = Math.max(0, Math.floor(ms / 1000));
  const mm = String(Math.floor(s / 60)).padStart(2, '0');
  const ss = String(s % 60).padStart(2, '0');
  return `${mm}:${ss}`;
}

// One question as a fieldset: its legend names it for screen readers.
function questionField(q, n, saved) {
  const name = `q${q.id}`;
  const legend = h('legend', {}, `${t('act.quiz.question', { n })} · ${t('act.quiz.points', { n: number(q.points) })}`);
  const prompt = h('p', { class: 'prompt', id: `${name}-prompt` }, q.prompt);
  let input;
  if (q.kind === 'single' || q.kind === 'multiple') {
    const type = q.kind === 'single' ? 'radio' : 'checkbox';
    const chosen = new Set([].concat(saved ?? []).map(Number));
    input = h('ul', { class: 'choices', role: 'list' }, q.choices.map((c) => {
      const id = `${name}-c${c.index}`;
      return h('li', {},
        h('input', { type, id, name, value: String(c.index), checked: chosen.has(c.index) || undefined }),
        ' ', h('label', { for: id }, c.text));
    }));
  } else {
    const id = `${name}-in`;
    input = h('p', {},
      h('label', { for: id }, t(q.kind === 'numeric' ? 'act.quiz.answerNumber' : 'act.quiz.answerText')), ' ',
      h('input', {
        id, name, type: q.kind === 'numeric' ? 'number' : 'text', step: q.kind === 'numeric' ? 'any' : undefined,
        inputmode: q.kind === 'numeric' ? 'decimal' : undefined, maxlength: q.kind === 'short' ? 500 : undefined,
        value: saved ?? '', 'aria-describedby': `${name}-prompt`, autocomplete: 'off',
      }));
  }
  return h('fieldset', { class: 'question', 'aria-describedby': `${name}-prompt`, 'data-id': String(q.id), 'data-kind': q.kind },
    legend, prompt, input);
}

// The answers the form holds, as the server takes them.
function answersOf(form) {
  const out = {};
  for (const fs of form.querySelectorAll('fieldset.question')) {
    const id = fs.dataset.id;
    const kind = fs.dataset.kind;
    if (kind === 'single') {
      const c = fs.querySelector('input:checked');
      if (c) out[id] = Number(c.value);
    } else if (kind === 'multiple') {
      const cs = [...fs.querySelectorAll('input:checked')].map((c) => Number(c.value));
      if (cs.length) out[id] = cs;
    } else {
      const v = fs.querySelector('input').value.trim();
      if (v !== '') out[id] = kind === 'numeric' ? Number(v) : v;
    }
  }
  return out;
}

function keyText(q) {
  if (q.kind === 'single' || q.kind === 'multiple') {
    return (q.correct || []).map((i) => q.choices.find((c) => c.index === i)?.text).filter(Boolean).join(', ');
  }
  if (q.kind === 'short') return (q.correct || []).join(' / ');
  return q.correct ? `${q.correct.value} ± ${q.correct.tolerance}` : '';
}

function resultView(a) {
  const parts = [h('p', { class: 'ok', role: 'status' }, t('act.quiz.received'))];
  if (a.score !== null && a.score !== undefined) {
    parts.push(h('p', { class: 'score' }, t('act.quiz.score', { score: number(a.score), max: number(a.max_score) }),
      ' ', h('strong', {}, t(a.passed ? 'act.quiz.passed' : 'act.quiz.failed'))));
  }
  const detailed = (a.questions || []).filter((q) => q.result);
  if (detailed.length) {
    parts.push(h('ol', { class: 'results' }, detailed.map((q) => h('li', {},
      h('p', {}, q.prompt),
      h('p', { class: q.result.correct ? 'ok' : 'error' }, t(q.result.correct ? 'act.quiz.correct' : 'act.quiz.wrong')),
      h('p', { class: 'muted' }, t('act.quiz.key', { key: keyText(q) })),
      q.explanation ? h('p', {}, q.explanation) : null))));
  }
  return parts;
}

export default async function render({ view, params }) {
  const lessonId = encodeURIComponent(params.id);
  let lesson;
  let quiz;
  try {
    [lesson, quiz] = await Promise.all([get(`/api/v1/lessons/${lessonId}`), get(`/api/v1/lessons/${lessonId}/quiz`)]);
  } catch (err) {
    if (![400, 403, 404].includes(err.status)) throw err;
    replace(view, heading(t('act.quiz.title')), h('p', {}, errorText(err)));
    return;
  }
  const box = messageBox();
  const title = heading(`${t('act.quiz.title')}: ${pick(lesson)}`);
  const crumbs = h('p', { class: 'crumbs' }, h('a', { href: `#/lessons/${lesson.id}` }, pick(lesson)));
  // Authors see the attempts of their learners.
  if (quiz.questions) {
    const attempts = await get(`/api/v1/lessons/${lessonId}/quiz/attempts`).catch(() => []);
    replace(view, crumbs, title,
      h('p', { class: 'muted' }, t('act.quiz.count', { n: number(quiz.questions.length), points: number(quiz.questions.reduce((n, q) => n + Number(q.points), 0)) })),
      attempts.length ? h('table', {},
        h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, t('act.grading.learner')), h('th', { scope: 'col' }, t('act.grading.status')),
          h('th', { scope: 'col' }, t('act.grading.submitted')), h('th', { scope: 'col' }, t('act.grading.score')))),
        h('tbody', {}, attempts.map((x) => h('tr', {},
          h('td', {}, `${x.display_name} · ${t('act.quiz.attemptN', { n: x.number })}`),
          h('td', {}, t(`act.quiz.status.${x.status}`)),
          h('td', {}, x.submitted_at ? dateTime(x.submitted_at) : ''),
          h('td', {}, x.score !== null ? `${number(x.score)} / ${number(x.max_score)}` : ''))))) : h('p', { class: 'muted' }, t('act.grading.empty')));
    return;
  }
  let timerId = null;
  const stopTimer = () => { if (timerId) clearInterval(timerId); timerId = null; };

  const showAttempt = (a) => {
    stopTimer();
    if (a.status !== 'open') {
      localStorage.removeItem(storeKey(a.id));
      replace(view, crumbs, title, ...resultView(a), box,
        h('p', {}, h('a', { href: `#/quizzes/${lesson.id}`, onclick: () => setTimeout(() => render({ view, params }), 0) }, t('act.quiz.attempts'))));
      return;
    }
    const saved = loadAnswers(a.id) || {};
    const restored = Object.keys(saved).length > 0;
    const form = h('form', { class: 'quiz', novalidate: true },
      a.questions.map((q, i) => questionField(q, i + 1, saved[q.id])));
    const note = h('p', { class: 'muted', role: 'status' }, t(restored ? 'act.quiz.restored' : 'act.quiz.saved'));
    form.addEventListener('input', () => localStorage.setItem(storeKey(a.id), JSON.stringify(answersOf(form))));
    form.addEventListener('change', () => localStorage.setItem(storeKey(a.id), JSON.stringify(answersOf(form))));
    const submit = h('button', { type: 'submit', class: 'primary' }, t('act.quiz.submit'));
    form.append(h('div', { class: 'actions' }, submit));

    // The timer follows the server: its deadline, read on its clock.
    const timer = h('p', { class: 'quiz-timer', role: 'timer', 'aria-live': 'off' });
    const announce = h('p', { class: 'visually-hidden', 'aria-live': 'assertive' });
    if (a.deadline) {
      const skew = Date.now() - Date.parse(a.server_now);
      const end = Date.parse(a.deadline);
      const warned = new Set();
      const tick = () => {
        const left = end - (Date.now() - skew);
        replace(timer, t('act.quiz.timeLeft', { time: clock(left) }));
        for (const m of [5, 1]) {
          if (left <= m * 60000 && left > 0 && !warned.has(m)) {
            warned.add(m);
            announce.textContent = t('act.quiz.timeLeft', { time: clock(left) });
          }
        }
        if (left <= 0) {
          stopTimer();
          timer.classList.add('error');
          replace(timer, t('act.quiz.timeUp'));
          announce.textContent = t('act.quiz.timeUp');
        }
      };
      tick();
      timerId = setInterval(tick, 1000);
    } else {
      replace(timer, t('act.quiz.noLimit'));
    }
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      busy(submit, async () => {
        if (!(await confirmDialog(t('act.quiz.confirmSubmit'), { confirmLabel: t('act.quiz.submit') }))) return;
        try {
          const done = await post(`/api/v1/quiz-attempts/${a.id}/submit`, { answers: answersOf(form) });
          showAttempt(done);
          view.querySelector('[role=status]')?.focus?.();
        } catch (err) {
          if (err.problem?.code === 'time_limit_passed') localStorage.removeItem(storeKey(a.id));
          showError(box, err);
        }
      });
    });
    replace(view, crumbs, title, timer, announce, note, form, box);
  };

  const attemptsList = quiz.attempts.length ? h('section', { 'aria-labelledby': 'quiz-attempts' },
    h('h2', { id: 'quiz-attempts' }, t('act.quiz.attempts')),
    h('ul', {}, quiz.attempts.map((x) => h('li', {},
      h('a', { href: '#', onclick: (e) => { e.preventDefault(); get(`/api/v1/quiz-attempts/${x.id}`).then(showAttempt, (err) => showError(box, err)); } },
        t('act.quiz.attemptN', { n: x.number })), ' · ', t(`act.quiz.status.${x.status}`),
      x.submitted_at ? ` · ${dateTime(x.submitted_at)}` : '',
      x.score !== null && x.score !== undefined ? ` · ${t('act.quiz.score', { score: number(x.score), max: number(x.max_score) })}` : '')))) : null;
  const open = quiz.attempts.find((x) => x.status === 'open');
  const canStart = open || quiz.attempts_left === null || quiz.attempts_left > 0;
  const start = h('button', { type: 'button', class: 'primary' }, t(open ? 'act.quiz.resume' : 'act.quiz.start'));
  start.addEventListener('click', () => busy(start, async () => {
    try {
      showAttempt(await post(`/api/v1/lessons/${lessonId}/quiz/attempts`));
    } catch (err) {
      showError(box, err);
    }
  }));
  replace(view, crumbs, title,
    h('ul', { class: 'meta' },
      h('li', {}, t('act.quiz.count', { n: number(quiz.question_count), points: number(quiz.max_score) })),
      h('li', {}, t('act.quiz.passMark', { n: quiz.pass_pct })),
      h('li', {}, quiz.time_limit_s ? t('act.quiz.timeLeft', { time: clock(quiz.time_limit_s * 1000) }) : t('act.quiz.noLimit')),
      h('li', {}, quiz.attempts_left === null ? t('act.quiz.unlimited') : t('act.quiz.attemptsLeft', { n: quiz.attempts_left }))),
    canStart ? h('div', { class: 'actions' }, start) : h('p', { class: 'muted' }, t('act.quiz.noAttemptLeft')),
    box, attemptsList);
  // Left while an attempt runs: the timer stops with the page.
  window.addEventListener('hashchange', stopTimer, { once: true });
}
