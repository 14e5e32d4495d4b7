// activity_editor.js - the author's editors of a lesson's activity, shown
// under the lesson editor of #/teach/courses/:id: a quiz (settings and its
// questions of four types: add, edit, reorder, delete), an assignment's
// settings, a video lesson's address and length. The server checks and
// grades; these forms only gather what the API takes.

import { h, field, replace, newId } from '../dom.js';
import { register, t } from '../i18n.js';
import { get, put, patch } from '../api.js';
import { messageBox, showMessage, showError, busy, confirmDialog } from '../ui.js';
import { dateTime, localToRfc3339, rfc3339ToLocal } from '../format.js';
import S from '../strings/authoring.js';

register(S);

const KINDS = ['single', 'multiple', 'short', 'numeric'];
const FEEDBACKS = ['none', 'score', 'answers'];
const LATE = ['refuse', 'accept', 'penalty'];
const ACCEPTS = ['both', 'file', 'text'];

// A fieldset with its legend: long forms read in parts.
const part = (key, ...kids) => h('fieldset', { class: 'form-part' }, h('legend', {}, t(key)), kids);

// A labelled checkbox.
function check(name, label, checked, props = {}) {
  const id = newId(name);
  return h('div', { class: 'field check', dataset: { field: name } },
    h('input', { type: 'checkbox', id, name, checked, ...props }),
    h('label', { for: id }, label));
}

// The 404 of a quiz or an assignment not set yet is no error.
async function getOrNull(path) {
  try {
    return await get(path);
  } catch (err) {
    if (err.status === 404) return null;
    throw err;
  }
}

/**
 * The editor of lesson's activity (its kind: quiz, assignment or video), or
 * null for a kind with nothing of its own to set. course: {rules} for the
 * video threshold.
 */
export async function activityEditor(lesson, { rules } = {}) {
  if (lesson.kind === 'quiz') return quizEditor(lesson);
  if (lesson.kind === 'assignment') return assignmentEditor(lesson);
  if (lesson.kind === 'video') return videoEditor(lesson, rules);
  return null;
}

// ---- quiz ----

// A question as the editor holds it, from the author's view of the API.
function fromApi(q) {
  return {
    id: q.id,
    kind: q.kind,
    prompt: q.prompt || '',
    points: Number(q.points) || 1,
    choices: [...(q.choices || [])],
    correct: [...(q.correct || [])],
    accepted: [...(q.accepted || [])],
    value: q.value ?? '',
    tolerance: q.tolerance ?? 0,
    explanation: q.explanation || '',
    attempted: !!q.attempted,
  };
}

function blank(kind) {
  return fromApi({ kind, choices: kind === 'single' || kind === 'multiple' ? ['', ''] : [], correct: [] });
}

// The question as the API takes it; problems found here (in the page's
// language) in q.problem.
function toApi(q) {
  const out = { kind: q.kind, prompt: q.prompt.trim(), points: Math.round(Number(q.points)) || 1 };
  if (q.id) out.id = q.id;
  if (q.explanation.trim()) out.explanation = q.explanation.trim();
  q.problem = null;
  if (!out.prompt) q.problem = t('author.q.needPrompt');
  if (q.kind === 'single' || q.kind === 'multiple') {
    out.choices = q.choices.map((c) => c.trim());
    out.correct = [...q.correct];
    if (out.choices.length < 2 || out.choices.some((c) => !c)) q.problem ??= t('author.q.needChoices');
    if (!out.correct.length) q.problem ??= t('author.q.needCorrect');
  } else if (q.kind === 'short') {
    out.accepted = q.accepted.map((a) => a.trim()).filter(Boolean);
    if (!out.accepted.length) q.problem ??= t('author.q.needAccepted');
  } else {
    out.value = Number(q.value);
    out.tolerance = Number(q.tolerance) || 0;
    if (q.value === '' || !Number.isFinite(out.value)) q.problem ??= t('author.q.needValue');
  }
  return out;
}

async function quizEditor(lesson) {
  const quiz = await getOrNull(`/api/v1/lessons/${lesson.id}/quiz`);
  const q0 = quiz || { pass_pct: 60, feedback: 'score', attempts_max: null, time_limit_s: null,
    shuffle_questions: true, shuffle_choices: true, questions: [] };
  let questions = (q0.questions || []).map(fromApi);
  let hasAttempts = !!q0.has_attempts;
  const box = messageBox();
  const list = h('ol', { class: 'q-list' });
  const note = h('p', { class: 'message warn', hidden: !hasAttempts }, t('author.quiz.attemptedNote'));
  const save = h('button', { type: 'submit', class: 'primary' }, t('author.quiz.save'));
  const addKind = field('add_kind', t('author.quiz.addKind'), {}, KINDS.map((k) => ({ value: k, label: t(`author.quiz.kind.${k}`) })));
  const addButton = h('button', { type: 'button' }, t('author.quiz.add'));
  const pass = field('pass_pct', t('author.quiz.pass_pct'), { type: 'number', min: 0, max: 100, required: true, inputmode: 'numeric', value: q0.pass_pct });
  const form = h('form', { class: 'stack quiz-editor', 'aria-labelledby': 'quiz-editor-title', novalidate: true },
    h('h3', { id: 'quiz-editor-title' }, t('author.quiz.title')),
    note,
    part('author.part.grading',
      h('div', { class: 'field-row' }, pass,
        field('feedback', t('author.quiz.feedback'), {}, FEEDBACKS.map((f) => ({ value: f, label: t(`author.quiz.feedback.${f}`), selected: f === q0.feedback }))))),
    part('author.part.attempts',
      h('div', { class: 'field-row' },
        field('attempts_max', t('author.quiz.attempts_max'), { type: 'number', min: 1, max: 100, inputmode: 'numeric', value: q0.attempts_max ?? '', hint: t('author.quiz.attemptsHint') }),
        field('time_limit_min', t('author.quiz.time_limit_min'), { type: 'number', min: 1, max: 1440, inputmode: 'numeric', value: q0.time_limit_s ? Math.round(q0.time_limit_s / 60) : '', hint: t('author.quiz.timeHint') })),
      check('shuffle_questions', t('author.quiz.shuffle_questions'), q0.shuffle_questions !== false),
      check('shuffle_choices', t('author.quiz.shuffle_choices'), q0.shuffle_choices !== false)),
    part('author.part.questions',
      h('p', { class: 'muted q-none' }, t('author.quiz.none')),
      list,
      h('div', { class: 'field-row q-add' }, addKind, h('div', { class: 'actions' }, addButton))),
    box,
    h('div', { class: 'actions' }, save));
  const none = form.querySelector('.q-none');

  const lockPass = () => {
    const input = pass.querySelector('input');
    input.readOnly = hasAttempts;
    pass.querySelector('.hint').textContent = hasAttempts ? t('author.quiz.passLocked') : '';
    note.hidden = !hasAttempts;
  };

  // Draws the list again, then focuses what focusOn picks (a selector
  // within question index focusIndex).
  function draw(focusIndex, focusOn) {
    replace(list, questions.map((q, i) => questionBlock(q, i)));
    none.hidden = questions.length > 0;
    if (focusIndex != null) {
      const li = list.children[focusIndex];
      (li?.querySelector(focusOn) || li?.querySelector('textarea'))?.focus();
    }
  }

  function questionBlock(q, i) {
    const n = i + 1;
    const locked = q.attempted;
    const err = h('p', { class: 'q-problem', role: 'alert' }, q.problem || '');
    const legendId = newId('q-legend');
    const kindField = field('kind', t('author.q.kind'), { disabled: locked }, KINDS.map((k) => ({ value: k, label: t(`author.quiz.kind.${k}`), selected: k === q.kind })));
    kindField.querySelector('select').addEventListener('change', (ev) => {
      const fresh = blank(ev.target.value);
      Object.assign(q, { kind: fresh.kind, choices: fresh.choices, correct: [], accepted: [], value: '', tolerance: 0 });
      draw(i, 'select[name="kind"]');
    });
    const prompt = field('prompt', t('author.q.prompt'), { tag: 'textarea', rows: 2, required: true, maxlength: 5000, value: q.prompt });
    prompt.querySelector('textarea').addEventListener('input', (ev) => { q.prompt = ev.target.value; });
    const points = field('points', t('author.q.points'), { type: 'number', min: 1, max: 1000, inputmode: 'numeric', value: q.points, readonly: locked });
    points.querySelector('input').addEventListener('input', (ev) => { q.points = ev.target.value; });
    const explanation = field('explanation', t('author.q.explanation'), { tag: 'textarea', rows: 2, maxlength: 5000, value: q.explanation });
    explanation.querySelector('textarea').addEventListener('input', (ev) => { q.explanation = ev.target.value; });

    const up = h('button', { type: 'button', disabled: i === 0, 'aria-label': t('author.q.upOne', { n }) }, t('author.q.up'));
    const down = h('button', { type: 'button', disabled: i === questions.length - 1, 'aria-label': t('author.q.downOne', { n }) }, t('author.q.down'));
    const remove = h('button', { type: 'button', class: 'danger', disabled: locked, 'aria-label': t('author.q.removeOne', { n }) }, t('author.q.remove'));
    up.addEventListener('click', () => {
      [questions[i - 1], questions[i]] = [questions[i], questions[i - 1]];
      draw(i - 1, i - 1 === 0 ? 'button.q-down' : 'button.q-up');
    });
    down.addEventListener('click', () => {
      [questions[i + 1], questions[i]] = [questions[i], questions[i + 1]];
      draw(i + 1, i + 1 === questions.length - 1 ? 'button.q-up' : 'button.q-down');
    });
    up.classList.add('q-up');
    down.classList.add('q-down');
    remove.addEventListener('click', async () => {
      const ok = await confirmDialog(t('author.q.confirmRemove', { n, prompt: q.prompt.slice(0, 40) || '…' }), {
        confirmLabel: t('author.q.confirmRemoveLabel', { n }), destructive: true,
      });
      if (!ok) {
        remove.focus();
        return;
      }
      questions.splice(i, 1);
      draw(questions.length ? Math.min(i, questions.length - 1) : null, 'textarea');
      if (!questions.length) addButton.focus();
    });

    return h('li', { class: ['q-item', locked ? 'q-locked' : null] },
      h('fieldset', { class: 'form-part q-block', 'aria-labelledby': legendId },
        h('legend', { id: legendId }, t('author.q.legend', { n, kind: t(`author.quiz.kind.${q.kind}`) })),
        locked ? h('p', { class: 'hint q-lock-note' }, t('author.q.attempted')) : (q.id ? null : h('p', { class: 'hint' }, t('author.q.new'))),
        err,
        h('div', { class: 'field-row' }, kindField, points),
        prompt,
        answerFields(q, i, locked),
        explanation,
        h('div', { class: 'actions q-actions' }, up, down, remove)));
  }

  // The part of a question that says what is right, by kind.
  function answerFields(q, i, locked) {
    if (q.kind === 'single' || q.kind === 'multiple') {
      const group = `q${i}-correct-${newId('g')}`;
      const rows = q.choices.map((c, k) => {
        const inputId = newId('choice');
        const mark = h('input', {
          type: q.kind === 'single' ? 'radio' : 'checkbox', name: group, checked: q.correct.includes(k),
          disabled: locked, 'aria-label': t('author.q.correctOne', { n: k + 1 }),
        });
        mark.addEventListener('change', () => {
          if (q.kind === 'single') q.correct = [k];
          else q.correct = mark.checked ? [...new Set([...q.correct, k])] : q.correct.filter((x) => x !== k);
        });
        const text = h('input', { id: inputId, type: 'text', maxlength: 1000, value: c, 'aria-label': t('author.q.choice', { n: k + 1 }) });
        text.addEventListener('input', () => { q.choices[k] = text.value; });
        const drop = h('button', {
          type: 'button', class: 'choice-remove', disabled: locked || q.choices.length <= 2,
          'aria-label': t('author.q.removeChoice', { n: k + 1 }),
        }, '×');
        drop.addEventListener('click', () => {
          q.choices.splice(k, 1);
          q.correct = q.correct.filter((x) => x !== k).map((x) => (x > k ? x - 1 : x));
          draw(i, 'button.choice-add');
        });
        return h('li', { class: 'choice-row' }, mark, text, drop);
      });
      const more = h('button', { type: 'button', class: 'choice-add', disabled: locked || q.choices.length >= 20 }, t('author.q.addChoice'));
      more.addEventListener('click', () => {
        q.choices.push('');
        draw(i, '.choice-row:last-child input[type="text"]');
      });
      return h('div', { class: 'field', dataset: { field: 'choices' } },
        h('p', { class: 'label-like' }, t('author.q.choices')),
        h('ol', { class: 'choices-edit' }, rows),
        h('div', { class: 'actions' }, more));
    }
    if (q.kind === 'short') {
      const f = field('accepted', t('author.q.accepted'), { tag: 'textarea', rows: 3, value: q.accepted.join('\n'), readonly: locked, hint: t('author.q.acceptedHint') });
      f.querySelector('textarea').addEventListener('input', (ev) => { q.accepted = ev.target.value.split('\n'); });
      return f;
    }
    const value = field('value', t('author.q.value'), { type: 'number', step: 'any', value: q.value, readonly: locked });
    value.querySelector('input').addEventListener('input', (ev) => { q.value = ev.target.value; });
    const tol = field('tolerance', t('author.q.tolerance'), { type: 'number', step: 'any', min: 0, value: q.tolerance, readonly: locked });
    tol.querySelector('input').addEventListener('input', (ev) => { q.tolerance = ev.target.value; });
    return h('div', { class: 'field-row' }, value, tol);
  }

  addButton.addEventListener('click', () => {
    questions.push(blank(addKind.querySelector('select').value));
    draw(questions.length - 1, 'textarea');
  });

  // The server's problems with one question go to that question.
  function showServerErrors(err) {
    const rest = [];
    for (const e of err.errors || []) {
      const m = /^questions\[(\d+)\]\.?(\w*)/.exec(e.field || '');
      if (m && questions[Number(m[1])]) questions[Number(m[1])].problem = `${e.message}`;
      else rest.push(e);
    }
    draw();
    showError(box, { ...err, errors: rest }, form);
    const first = list.querySelector('.q-problem:not(:empty)');
    if (first) first.closest('fieldset').querySelector('textarea')?.focus();
  }

  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const el = form.elements;
    const sent = questions.map(toApi);
    if (questions.some((q) => q.problem)) {
      draw();
      showMessage(box, t('author.q.fixFirst'), 'error');
      list.querySelector('.q-problem:not(:empty)')?.closest('fieldset').querySelector('textarea')?.focus();
      return;
    }
    const body = {
      pass_pct: Number(el.pass_pct.value),
      feedback: el.feedback.value,
      attempts_max: el.attempts_max.value ? Number(el.attempts_max.value) : null,
      time_limit_s: el.time_limit_min.value ? Number(el.time_limit_min.value) * 60 : null,
      shuffle_questions: el.shuffle_questions.checked,
      shuffle_choices: el.shuffle_choices.checked,
      questions: sent,
    };
    await busy(save, async () => {
      try {
        const saved = await put(`/api/v1/lessons/${lesson.id}/quiz`, body);
        questions = saved.questions.map(fromApi);
        hasAttempts = !!saved.has_attempts;
        lockPass();
        draw();
        showMessage(box, t('author.quiz.saved', { n: questions.length }));
      } catch (err) {
        showServerErrors(err);
      }
    });
  });

  lockPass();
  draw();
  return form;
}

// ---- assignment ----

async function assignmentEditor(lesson) {
  const a = await getOrNull(`/api/v1/lessons/${lesson.id}/assignment`);
  const s = a || { late_policy: 'refuse', late_penalty_pct: 0, max_score: 100, accepts: 'both', max_file_mb: 20 };
  const box = messageBox();
  const save = h('button', { type: 'submit', class: 'primary' }, t('author.hw.save'));
  const penalty = field('late_penalty_pct', t('author.hw.late_penalty_pct'), { type: 'number', min: 0, max: 100, inputmode: 'numeric', value: s.late_penalty_pct ?? 0 });
  const until = field('late_until', t('author.hw.late_until'), { type: 'datetime-local', value: rfc3339ToLocal(s.late_until), hint: t('author.hw.lateUntilHint') });
  const notSet = a ? null : h('p', { class: 'message warn' }, t('author.hw.notSet'));
  const queue = h('a', { class: 'button', href: `#/teach/assignments/${lesson.id}`, hidden: !a }, t('author.hw.queue'));
  const form = h('form', { class: 'stack assignment-editor', 'aria-labelledby': 'hw-editor-title', novalidate: true },
    h('h3', { id: 'hw-editor-title' }, t('author.hw.title')),
    notSet,
    h('p', { class: 'hint' }, t('author.hw.instructions')),
    part('author.part.due',
      field('due_at', t('author.hw.due_at'), { type: 'datetime-local', required: true, value: rfc3339ToLocal(s.due_at), hint: t('author.hw.timeHint') }),
      field('late_policy', t('author.hw.late_policy'), {}, LATE.map((p) => ({ value: p, label: t(`author.hw.late.${p}`), selected: p === s.late_policy }))),
      h('div', { class: 'field-row' }, penalty, until)),
    part('author.part.submission',
      field('accepts', t('author.hw.accepts'), { hint: t('author.hw.filesHint') }, ACCEPTS.map((v) => ({ value: v, label: t(`author.hw.accepts.${v}`), selected: v === s.accepts }))),
      h('div', { class: 'field-row' },
        field('max_score', t('author.hw.max_score'), { type: 'number', min: 1, max: 1000, required: true, inputmode: 'numeric', value: s.max_score }),
        field('max_file_mb', t('author.hw.max_file_mb'), { type: 'number', min: 1, max: 200, inputmode: 'numeric', value: s.max_file_mb }))),
    box,
    h('div', { class: 'actions' }, save, queue));
  const el = form.elements;
  // The penalty and the late window mean something only when late work
  // is taken.
  const follow = () => {
    penalty.hidden = el.late_policy.value !== 'penalty';
    until.hidden = el.late_policy.value === 'refuse';
  };
  el.late_policy.addEventListener('change', follow);
  follow();
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const body = {
      due_at: el.due_at.value ? localToRfc3339(el.due_at.value) : '',
      late_policy: el.late_policy.value,
      late_penalty_pct: el.late_policy.value === 'penalty' ? Number(el.late_penalty_pct.value) || 0 : 0,
      late_until: el.late_policy.value !== 'refuse' && el.late_until.value ? localToRfc3339(el.late_until.value) : null,
      max_score: Number(el.max_score.value),
      accepts: el.accepts.value,
      max_file_mb: Number(el.max_file_mb.value),
    };
    await busy(save, async () => {
      try {
        const saved = await put(`/api/v1/lessons/${lesson.id}/assignment`, body);
        showMessage(box, t('author.hw.saved', { due: dateTime(saved.due_at) }));
        notSet?.remove();
        queue.hidden = false;
      } catch (err) {
        showError(box, err, form);
      }
    });
  });
  return form;
}

// ---- video ----

function videoEditor(lesson, rules) {
  const box = messageBox();
  const save = h('button', { type: 'submit', class: 'primary' }, t('author.video.save'));
  const form = h('form', { class: 'stack video-editor', 'aria-labelledby': 'video-editor-title', novalidate: true },
    h('h3', { id: 'video-editor-title' }, t('author.video.title')),
    part('author.part.video',
      field('url', t('author.video.url'), { type: 'url', required: true, maxlength: 2000, value: lesson.url || '', hint: t('author.video.urlHint') }),
      field('duration_min', t('author.video.duration_min'), { type: 'number', min: 1, max: 1440, inputmode: 'numeric', value: lesson.duration_min ?? '', hint: t('author.video.durationHint') }),
      h('p', { class: 'hint' }, t('author.video.threshold', { pct: rules?.video_complete_pct ?? 90 }))),
    box,
    h('div', { class: 'actions' }, save));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const el = form.elements;
    await busy(save, async () => {
      try {
        await patch(`/api/v1/lessons/${lesson.id}`, {
          url: el.url.value.trim() || null,
          duration_min: el.duration_min.value ? Number(el.duration_min.value) : null,
        });
        showMessage(box, t('author.video.saved'));
      } catch (err) {
        showError(box, err, form);
      }
    });
  });
  return form;
}
