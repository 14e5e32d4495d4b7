// teach_course.js - #/teach/courses/:id: the instructor of a course's
// section writes its modules and lessons: the admin editor's syllabus part
// (list, add a module, add a lesson) and forms to rename a module and to
// edit a lesson, with the lesson shown as learners will see it; under it
// the lesson's activity (quiz, assignment, video: activity_editor.js), and
// the course's completion rules (completion_rules.js).

import { h, append, field, replace, safeHtml } from '../dom.js';
import { register, t, pick } from '../i18n.js';
import { get, getAll, patch } from '../api.js';
import { heading, messageBox, showMessage, showError, busy } from '../ui.js';
import { syllabusPart } from './admin_course.js';
import { orRefusal } from './teach.js';
import S from '../strings/teaching.js';
import { activityEditor } from './activity_editor.js';
import { completionRulesPart, loadRules } from './completion_rules.js';

register(S);

// Renaming a module; onSaved re-reads the page.
function moduleEditor(modules, onSaved) {
  const box = messageBox();
  const pickField = field('module', t('teaching.module'), {}, modules.map((m) => ({ value: m.id, label: pick(m) })));
  const ko = field('title_ko', t('admin.syllabus.title_ko'), { required: true, maxlength: 200, lang: 'ko' });
  const en = field('title_en', t('admin.syllabus.title_en'), { required: true, maxlength: 200, lang: 'en' });
  const save = h('button', { type: 'submit' }, t('teaching.save'));
  const form = h('form', { class: 'stack add-form', 'aria-label': t('teaching.editModule') },
    h('h3', {}, t('teaching.editModule')), pickField, ko, en, h('div', { class: 'actions' }, save));
  const fill = () => {
    const m = modules.find((x) => String(x.id) === form.elements.module.value);
    form.elements.title_ko.value = m?.title_ko || '';
    form.elements.title_en.value = m?.title_en || '';
  };
  form.elements.module.addEventListener('change', fill);
  fill();
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    await busy(save, async () => {
      try {
        const m = await patch(`/api/v1/modules/${form.elements.module.value}`, {
          title_ko: form.elements.title_ko.value.trim(), title_en: form.elements.title_en.value.trim(),
        });
        showMessage(box, t('teaching.moduleSaved', { title: pick(m) }));
        await onSaved();
      } catch (err) {
        showError(box, err, form);
      }
    });
  });
  return h('div', {}, box, form);
}

// Editing one lesson's titles and text; the saved text is previewed as the
// server renders it.
function lessonEditor(modules, { chosen, rules } = {}) {
  const box = messageBox();
  const preview = h('article', { class: 'lesson-body teaching-preview' });
  const lessons = modules.flatMap((m) => m.lessons.map((l) => ({ ...l, module: m })));
  const chooser = field('lesson', t('teaching.lesson'), {}, [{ value: '', label: t('teaching.chooseLesson') }]);
  const select = chooser.querySelector('select');
  select.append(...modules.filter((m) => m.lessons.length).map((m) => h('optgroup', { label: pick(m) },
    m.lessons.map((l) => h('option', { value: l.id }, pick(l))))));
  const save = h('button', { type: 'submit', class: 'primary' }, t('teaching.save'));
  const fields = h('div', { hidden: true },
    field('title_ko', t('admin.syllabus.title_ko'), { required: true, maxlength: 200, lang: 'ko' }),
    field('title_en', t('admin.syllabus.title_en'), { required: true, maxlength: 200, lang: 'en' }),
    field('body_md', t('admin.lesson.body'), { tag: 'textarea', rows: 14, class: 'teaching-md', hint: t('teaching.mdHint') }),
    h('div', { class: 'actions' }, save),
    h('h4', {}, t('teaching.preview')), preview);
  const form = h('form', { class: 'stack add-form', 'aria-label': t('teaching.editLesson'), novalidate: true },
    h('h3', {}, t('teaching.editLesson')), chooser, fields);
  // The chosen lesson's activity: its own form, after the lesson's.
  const activity = h('div', { class: 'activity-editor', 'aria-live': 'off' });

  const show = (lesson) => {
    form.elements.title_ko.value = lesson.title_ko || '';
    form.elements.title_en.value = lesson.title_en || '';
    form.elements.body_md.value = lesson.body_md || '';
    replace(preview, safeHtml(lesson.body_html));
    fields.hidden = false;
  };
  const showActivity = async (lesson) => {
    replace(activity);
    try {
      replace(activity, await activityEditor(lesson, { rules }));
    } catch (err) {
      showError(box, err);
    }
  };
  select.addEventListener('change', async () => {
    if (!select.value) {
      fields.hidden = true;
      replace(activity);
      return;
    }
    try {
      const lesson = await get(`/api/v1/lessons/${select.value}`);
      show(lesson);
      await showActivity(lesson);
    } catch (err) {
      showError(box, err);
    }
  });
  if (chosen && lessons.some((l) => l.id === chosen)) {
    select.value = String(chosen);
    select.dispatchEvent(new Event('change'));
  }
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    if (!select.value) return;
    await busy(save, async () => {
      try {
        await patch(`/api/v1/lessons/${select.value}`, {
          title_ko: form.elements.title_ko.value.trim(),
          title_en: form.elements.title_en.value.trim(),
          body_md: form.elements.body_md.value,
        });
        const fresh = await get(`/api/v1/lessons/${select.value}`);
        show(fresh);
        select.selectedOptions[0].textContent = pick(fresh);
        showMessage(box, t('teaching.saved', { title: pick(fresh) }));
      } catch (err) {
        showError(box, err, form);
      }
    });
  });
  return lessons.length ? h('div', {}, box, form, activity) : null;
}

export default async function render({ view, params, query }) {
  const id = Number(params.id);
  const syllabus = await orRefusal(view, () => get(`/api/v1/courses/${id}/modules`));
  if (!syllabus) return;
  // The course's name, from the sections the instructor teaches.
  const mine = (await getAll('/api/v1/me/sections').catch(() => [])).filter((s) => s.course.id === id);
  const course = await get(`/api/v1/courses/${id}`).catch(() => null);
  const title = mine.length ? pick(mine[0].course) : course ? pick(course) : `#${id}`;
  const back = Number(query?.get('section')) || mine[0]?.id;
  const editors = h('section', { class: 'teaching-editors', 'aria-labelledby': 'teaching-edit' });
  const rulesHolder = h('div');
  let chosen = Number(query?.get('lesson')) || null;
  const refresh = async () => {
    const [{ modules }, rules] = await Promise.all([get(`/api/v1/courses/${id}/modules`), loadRules(id).catch(() => null)]);
    replace(editors, h('h2', { id: 'teaching-edit' }, t('teaching.editHeading')),
      modules.length ? moduleEditor(modules, refresh) : null, lessonEditor(modules, { chosen, rules }));
    chosen = null;
    if (course && rules) replace(rulesHolder, completionRulesPart(course, modules, rules));
  };
  append(view, [
    heading(t('teaching.contentTitle', { title })),
    back ? h('p', {}, h('a', { href: `#/teach/sections/${back}` }, t('teaching.backToSection'))) : null,
    h('p', {}, t('teaching.contentIntro')),
    await syllabusPart({ id }),
    editors,
    rulesHolder]);
  await refresh();
}
