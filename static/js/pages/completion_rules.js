// completion_rules.js - a course's completion rules as a form in parts
// (attendance, grade, required lessons, videos), for the course's content
// page. Its institution's admins change them; anyone else who edits the
// course reads them, the form disabled.

import { h, field, newId } from '../dom.js';
import { register, t, pick } from '../i18n.js';
import { get, put, hasRole, isPlatformAdmin } from '../api.js';
import { messageBox, showMessage, showError, busy } from '../ui.js';
import S from '../strings/authoring.js';

register(S);

const part = (key, ...kids) => h('fieldset', { class: 'form-part' }, h('legend', {}, t(key)), kids);

function check(name, label, checked, props = {}) {
  const id = newId(name);
  return h('div', { class: 'field check', dataset: { field: name } },
    h('input', { type: 'checkbox', id, name, checked, ...props }),
    h('label', { for: id }, label));
}

/** Whether the signed-in person may change institution's courses' rules. */
export const mayChangeRules = (institutionId) => isPlatformAdmin() || hasRole('institution_admin', institutionId);

/**
 * The completion-rules part of course (needs id, institution_id) whose
 * syllabus is modules; rules as GET /courses/{id}/completion-rules gave
 * them. onSaved(rules) follows each save.
 */
export function completionRulesPart(course, modules, rules, onSaved) {
  const canEdit = mayChangeRules(course.institution_id);
  const box = messageBox();
  const save = h('button', { type: 'submit', class: 'primary' }, t('author.rules.save'));
  const optional = new Set(rules.optional_lesson_ids || []);
  const lessons = modules.flatMap((m) => m.lessons.map((l) => ({ ...l, module: m })));
  const lessonList = lessons.length
    ? h('div', { class: 'lesson-checks', role: 'group', 'aria-label': t('author.rules.requiredLessons') },
      modules.filter((m) => m.lessons.length).map((m) => h('div', { class: 'lesson-check-module' },
        h('p', { class: 'label-like' }, pick(m)),
        m.lessons.map((l) => check(`lesson-${l.id}`, pick(l), !optional.has(l.id), { dataset: { lesson: l.id } })))))
    : h('p', { class: 'muted' }, t('author.rules.noLessons'));
  const attendanceLabel = rules.min_attendance_pct
    ? t('author.rules.require_attendance', { pct: rules.min_attendance_pct })
    : t('author.rules.noAttendanceRule');
  const body = h('fieldset', { class: 'rules-body', disabled: !canEdit },
    part('author.rules.part.attendance',
      check('require_attendance', attendanceLabel, rules.require_attendance !== false),
      h('p', { class: 'hint' }, t('author.rules.attendanceHint'))),
    part('author.rules.part.grade',
      field('min_grade_pct', t('author.rules.min_grade_pct'), { type: 'number', min: 1, max: 100, inputmode: 'numeric', value: rules.min_grade_pct ?? '', hint: t('author.rules.gradeHint') })),
    part('author.rules.part.lessons',
      check('require_lessons', t('author.rules.require_lessons'), !!rules.require_lessons),
      h('p', { class: 'label-like' }, t('author.rules.requiredLessons')),
      lessonList),
    part('author.rules.part.video',
      field('video_complete_pct', t('author.rules.video_complete_pct'), { type: 'number', min: 50, max: 100, required: true, inputmode: 'numeric', value: rules.video_complete_pct ?? 90, hint: t('author.rules.videoHint') })));
  const form = h('form', { class: 'stack rules-form', 'aria-labelledby': 'rules-title', novalidate: true },
    body, box, canEdit ? h('div', { class: 'actions' }, save) : null);
  const notSet = rules.rules_set ? null : h('p', { class: 'hint' }, t('author.rules.notSet'));
  const section = h('section', { class: 'rules-part', 'aria-labelledby': 'rules-title' },
    h('h2', { id: 'rules-title' }, t('author.rules.title')),
    h('p', {}, t('author.rules.intro')),
    notSet,
    canEdit ? null : h('p', { class: 'message warn' }, t('author.rules.adminOnly')),
    form);

  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const el = form.elements;
    const payload = {
      require_attendance: el.require_attendance.checked,
      min_grade_pct: el.min_grade_pct.value ? Number(el.min_grade_pct.value) : null,
      require_lessons: el.require_lessons.checked,
      video_complete_pct: Number(el.video_complete_pct.value),
      optional_lesson_ids: [...form.querySelectorAll('input[data-lesson]')]
        .filter((c) => !c.checked).map((c) => Number(c.dataset.lesson)),
    };
    await busy(save, async () => {
      try {
        const saved = await put(`/api/v1/courses/${course.id}/completion-rules`, payload);
        showMessage(box, t('author.rules.saved'));
        notSet?.remove();
        if (onSaved) await onSaved(saved);
      } catch (err) {
        showError(box, err, form);
      }
    });
  });
  return section;
}

/** The rules of course id, as the API gives them. */
export const loadRules = (id) => get(`/api/v1/courses/${id}/completion-rules`);

