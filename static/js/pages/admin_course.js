// admin_course.js - one course's editor (#/admin/courses/new and
// #/admin/courses/:id): its fields, then its sections with seat counts and
// a form to add or change one, then its modules and lessons with forms to
// add more.

import { h, append, field, replace, showFieldErrors } from '../dom.js';
import { register, t, pick } from '../i18n.js';
import { get, getAll, post, patch } from '../api.js';
import { heading, messageBox, showMessage, toast, statusBadge } from '../ui.js';
import { date, dateTime, number, localToRfc3339, rfc3339ToLocal, termName } from '../format.js';
import { adminScope, crumbs, listTable, onSubmit } from './admin_scope.js';
import { institutionCourses, publishedBadge } from './admin_courses.js';
import { coursePicker, termPicker } from './staff_pickers.js';
import AS from '../strings/authoring.js';

register(AS);

const DELIVERIES = ['online', 'offline', 'blended'];
const LEVELS = ['beginner', 'intermediate', 'advanced'];
const SECTION_STATUSES = ['draft', 'open', 'closed', 'cancelled'];
const LESSON_KINDS = ['text', 'video', 'link', 'file', 'quiz', 'assignment'];

export default async function render(ctx) {
  const id = ctx.params.id ? Number(ctx.params.id) : null;
  const course = id ? await get(`/api/v1/courses/${id}`) : null;
  const scope = await adminScope(ctx, { id: course?.institution_id });
  const instId = course ? course.institution_id : scope.id;
  const [programs, others, instructors] = await Promise.all([
    getAll('/api/v1/programs'),
    institutionCourses(instId),
    course ? getAll('/api/v1/instructors', { institution_id: instId, shared: true }) : [],
  ]);
  if (ctx.stale()) return;

  const title = course ? t('admin.course.editTitle', { title: pick(course) }) : t('admin.course.newTitle');
  const top = heading(title);
  const facts = h('p', { class: course ? 'meta' : 'lead' });
  // The heading and the line under it (published or draft, where learners
  // see it) follow each save.
  const showFacts = () => replace(facts, course ? [publishedBadge(course.published),
    h('span', {}, course.institution?.name || scope.name),
    course.published ? h('a', { href: `#/courses/${course.id}` }, t('admin.course.public')) : null] : scope.name);
  showFacts();
  const saved = () => {
    top.textContent = t('admin.course.editTitle', { title: pick(course) });
    showFacts();
  };
  ctx.view.classList.add('admin');
  append(ctx.view, [
    crumbs(scope, [[t('admin.courses.title'), '/admin/courses'], [course ? course.code : t('admin.course.newTitle')]]),
    top,
    facts,
    course ? null : scope.picker,
    courseForm(ctx, scope, course, programs, others.filter((c) => c.id !== id), saved),
  ]);
  if (!course) return;

  ctx.view.append(sectionsPart(course, instructors), await syllabusPart(course));
}

// The course's own fields; a new course goes to its editor once created.
function courseForm(ctx, scope, course, programs, others, saved) {
  const c = course || { delivery: 'online', level: 'beginner', tags: [], prerequisite_course_ids: [], published: false };
  const box = messageBox();
  const prereq = coursePicker({
    name: 'prerequisite_course_ids',
    label: t('admin.course.prerequisites'),
    hint: t('admin.course.prerequisitesHint'),
    chosen: c.prerequisite_course_ids || [],
    known: others,
    search: (q) => institutionCourses(course ? course.institution_id : scope.id, q),
    exclude: (o) => course && o.id === course.id,
  });
  // Long forms read in parts, each a fieldset with its heading.
  const part = (key, ...kids) => h('fieldset', { class: 'form-part' }, h('legend', {}, t(`admin.form.${key}`)), kids);
  const text = (name, props = {}) => field(name, t(`admin.course.${name}`), { value: c[name] || '', ...props });
  const area = (name, rows, props = {}) => field(name, t(`admin.course.${name}`), { tag: 'textarea', rows, value: c[name] || '', ...props });
  const save = h('button', { type: 'submit', class: 'primary' }, t(course ? 'app.save' : 'admin.course.create'));
  const form = h('form', { class: 'stack course-form', 'aria-labelledby': 'course-fields' },
    h('h2', { id: 'course-fields' }, t('admin.course.fields')),
    part('basics',
      field('program', t('admin.course.program'), { required: true }, [
        { value: '', label: t('admin.course.pickProgram') },
        ...programs.map((p) => ({ value: p.code, label: pick(p, 'name'), selected: p.code === c.program })),
      ]),
      text('code', { required: true, maxlength: 40, autocomplete: 'off', hint: t('admin.course.codeHint') }),
      text('title_ko', { required: true, maxlength: 200, lang: 'ko' }),
      text('title_en', { required: true, maxlength: 200, lang: 'en' })),
    part('about',
      area('summary_ko', 2, { lang: 'ko' }),
      area('summary_en', 2, { lang: 'en' }),
      area('description', 8, { hint: t('admin.course.descriptionHint') })),
    part('shape',
      h('div', { class: 'field-row' },
        field('delivery', t('admin.course.delivery'), {}, DELIVERIES.map((d) => ({ value: d, label: t(`delivery.${d}`), selected: d === c.delivery }))),
        field('level', t('admin.course.level'), {}, LEVELS.map((l) => ({ value: l, label: t(`level.${l}`), selected: l === c.level })))),
      field('tags', t('admin.course.tags'), { value: (c.tags || []).join(', '), hint: t('admin.course.tagsHint') }),
      prereq.el),
    part('publishing',
      h('div', { class: 'field check', dataset: { field: 'published' } },
        h('input', { type: 'checkbox', id: 'course-published', name: 'published', checked: !!c.published, 'aria-describedby': 'course-published-hint' }),
        h('label', { for: 'course-published' }, t('admin.course.publish')),
        h('p', { class: 'hint', id: 'course-published-hint' }, t('admin.course.publishHint')))),
    box,
    h('div', { class: 'actions' }, save));

  onSubmit(form, save, box, async (el) => {
    const body = {
      program: el.program.value,
      code: el.code.value.trim(),
      title_ko: el.title_ko.value.trim(),
      title_en: el.title_en.value.trim(),
      summary_ko: el.summary_ko.value.trim(),
      summary_en: el.summary_en.value.trim(),
      description: el.description.value,
      delivery: el.delivery.value,
      level: el.level.value,
      tags: el.tags.value.split(/[,，]/).map((s) => s.trim()).filter(Boolean),
      prerequisite_course_ids: prereq.ids(),
      published: el.published.checked,
    };
    if (!course) {
      const made = await post('/api/v1/courses', { ...body, institution_id: scope.id });
      toast(t('admin.course.created'));
      ctx.navigate(`/admin/courses/${made.id}`, scope.query());
      return;
    }
    Object.assign(course, await patch(`/api/v1/courses/${course.id}`, body));
    saved();
    showMessage(box, t('app.saved'));
  });
  return form;
}

// The course's sections: a table, and one form that adds a section or
// changes the one picked with its Edit button.
function sectionsPart(course, instructors) {
  const box = messageBox();
  const holder = h('div', { class: 'table-wrap' });
  const part = h('section', { class: 'sections-part', 'aria-labelledby': 'sections-title' },
    h('h2', { id: 'sections-title' }, t('admin.sections.title')), box, holder);
  const form = sectionForm(course, instructors, async (saved, wasNew) => {
    const fresh = await get(`/api/v1/courses/${course.id}`);
    course.sections = fresh.sections;
    show();
    showMessage(box, t(wasNew ? 'admin.section.created' : 'admin.section.saved', { term: termName(saved.term) }));
  });
  const show = () => replace(holder, sectionsTable(course.sections || [], form.edit));
  show();
  part.append(form.el);
  return part;
}

function sectionsTable(sections, onEdit) {
  if (!sections.length) return h('p', {}, t('admin.sections.none'));
  const cols = ['term', 'dates', 'capacity', 'enrolled', 'waitlist', 'seatsLeft', 'status', 'window', 'instructors', 'actions']
    .map((k) => t(`admin.sections.${k}`));
  const num = (label, n) => h('td', { class: 'num', 'data-label': label }, number(n));
  const heads = cols.map((label, i) => ({ label, class: i >= 2 && i <= 5 ? 'num' : null }));
  return listTable('sections', t('admin.sections.caption', { n: sections.length }), heads, sections.map((s) => h('tr', {},
    h('th', { scope: 'row', 'data-label': cols[0] }, termName(s.term)),
    h('td', { 'data-label': cols[1] }, t('admin.range', { from: date(s.starts_on), to: date(s.ends_on) })),
    num(cols[2], s.capacity),
    num(cols[3], s.enrolled_count),
    num(cols[4], s.waitlist_length),
    num(cols[5], s.seats_left),
    h('td', { 'data-label': cols[6] }, statusBadge(s.status)),
    h('td', { 'data-label': cols[7] }, t('admin.range', { from: dateTime(s.enrollment_opens_at), to: dateTime(s.enrollment_closes_at) })),
    h('td', { 'data-label': cols[8] }, (s.instructors || []).map((i) => i.display_name).join(', ') || t('app.none')),
    h('td', { 'data-label': cols[9] }, h('div', { class: 'actions' },
      h('button', { type: 'button', onclick: () => onEdit(s), 'aria-label': t('admin.section.editOne', { term: termName(s.term) }) }, t('admin.section.edit')),
      h('a', { href: `#/teach/sections/${s.id}`, 'aria-label': t('admin.section.rosterOne', { term: termName(s.term) }) }, t('admin.section.roster')))))));
}

function sectionForm(course, instructors, onSaved) {
  let editing = null;
  const box = messageBox();
  const title = h('h3', { id: 'section-form-title' });
  const save = h('button', { type: 'submit', class: 'primary' });
  const again = h('button', { type: 'button', hidden: true, onclick: () => fill(null) }, t('admin.section.newInstead'));
  const who = (i) => (i.home_institution?.id === course.institution_id ? i.display_name
    : t('admin.section.sharedInstructor', { name: i.display_name, home: i.home_institution?.name || '' }));
  const term = termPicker({ label: t('admin.section.term'), hint: t('admin.section.termPickHint') });
  const part = (key, ...kids) => h('fieldset', { class: 'form-part' }, h('legend', {}, t(`admin.form.${key}`)), kids);
  const form = h('form', { class: 'stack section-form', 'aria-labelledby': 'section-form-title' },
    title,
    part('when',
      term.el,
      h('div', { class: 'field-row' },
        field('starts_on', t('admin.section.starts_on'), { type: 'date', required: true }),
        field('ends_on', t('admin.section.ends_on'), { type: 'date', required: true }))),
    part('seats',
      field('capacity', t('admin.section.capacity'), { type: 'number', min: 1, max: 10000, required: true, inputmode: 'numeric' }),
      h('div', { class: 'field-row' },
        field('enrollment_opens_at', t('admin.section.opens'), { type: 'datetime-local', required: true }),
        field('enrollment_closes_at', t('admin.section.closes'), { type: 'datetime-local', required: true })),
      h('p', { class: 'hint' }, t('admin.section.timeHint')),
      field('status', t('admin.section.status'), {}, SECTION_STATUSES.map((s) => ({ value: s, label: t(`status.${s}`) })))),
    part('teaching',
      field('instructor_ids', t('admin.section.instructors'), {
        multiple: true, size: Math.min(6, Math.max(2, instructors.length)), hint: t('admin.section.instructorsHint'),
      }, instructors.map((i) => ({ value: i.id, label: who(i) })))),
    box,
    h('div', { class: 'actions' }, save, again));

  function fill(s) {
    editing = s;
    const el = form.elements;
    term.set(s?.term);
    el.starts_on.value = s?.starts_on || '';
    el.ends_on.value = s?.ends_on || '';
    el.capacity.value = s?.capacity ?? '';
    el.enrollment_opens_at.value = rfc3339ToLocal(s?.enrollment_opens_at);
    el.enrollment_closes_at.value = rfc3339ToLocal(s?.enrollment_closes_at);
    el.status.value = s?.status || 'draft';
    const ids = new Set(s?.instructor_ids || []);
    for (const o of el.instructor_ids.options) o.selected = ids.has(Number(o.value));
    title.textContent = s ? t('admin.section.editTitle', { term: termName(s.term) }) : t('admin.section.newTitle');
    save.textContent = t(s ? 'admin.section.save' : 'admin.section.add');
    again.hidden = !s;
    replace(box);
    box.className = 'message';
    showFieldErrors(form, []);
  }

  onSubmit(form, save, box, async (el) => {
    const body = {
      term: term.value(),
      starts_on: el.starts_on.value,
      ends_on: el.ends_on.value,
      capacity: Number(el.capacity.value),
      enrollment_opens_at: localToRfc3339(el.enrollment_opens_at.value),
      enrollment_closes_at: localToRfc3339(el.enrollment_closes_at.value),
      status: el.status.value,
      instructor_ids: [...el.instructor_ids.selectedOptions].map((o) => Number(o.value)),
    };
    const wasNew = !editing;
    const saved = wasNew
      ? await post(`/api/v1/courses/${course.id}/sections`, body)
      : await patch(`/api/v1/sections/${editing.id}`, body);
    fill(null);
    await onSaved(saved, wasNew);
  });
  fill(null);
  return {
    el: form,
    edit: (s) => {
      fill(s);
      term.focus();
    },
  };
}

// The syllabus: modules and their lessons in order, and forms that add a
// module or a lesson (each at the next position unless told otherwise).
export async function syllabusPart(course) {
  const box = messageBox();
  const list = h('div');
  const forms = h('div', { class: 'syllabus-forms' });
  const part = h('section', { class: 'syllabus-part', 'aria-labelledby': 'syllabus-title' },
    h('h2', { id: 'syllabus-title' }, t('admin.syllabus.title')), list, box, forms);

  async function load() {
    const { modules } = await get(`/api/v1/courses/${course.id}/modules`);
    replace(list, modules.length ? h('ol', { class: 'syllabus' }, modules.map((m) => h('li', {},
      h('h3', {}, pick(m)),
      m.lessons.length ? h('ol', {}, m.lessons.map((l) => h('li', {},
        h('a', { href: `#/lessons/${l.id}`, id: `syllabus-lesson-${l.id}` }, pick(l)), ' ',
        h('span', { class: 'muted' }, t(`admin.lesson.kind.${l.kind}`),
          l.duration_min ? ` · ${t('admin.lesson.minutes', { n: l.duration_min })}` : ''),
        // Its activity's settings, described by the lesson's name.
        ['quiz', 'assignment', 'video'].includes(l.kind) ? [' · ', h('a', {
          href: `#/teach/courses/${course.id}?lesson=${l.id}`, 'aria-describedby': `syllabus-lesson-${l.id}`,
        }, t('author.open'))] : null)))
        : h('p', { class: 'muted' }, t('admin.syllabus.noLessons'))))) : h('p', {}, t('admin.syllabus.none')));
    replace(forms, moduleForm(modules), modules.length ? lessonForm(modules) : null);
  }

  const next = (items) => Math.max(0, ...items.map((x) => x.position)) + 1;

  // One form shape for both: fields, then POST, reload and say so.
  function addForm(titleKey, fieldsOf, url, bodyOf, doneKey) {
    const save = h('button', { type: 'submit' }, t(titleKey));
    const form = h('form', { class: 'stack add-form', 'aria-label': t(titleKey) },
      h('h3', {}, t(titleKey)), fieldsOf(), h('div', { class: 'actions' }, save));
    onSubmit(form, save, box, async (el) => {
      const made = await post(url(el), bodyOf(el));
      await load();
      showMessage(box, t(doneKey, { title: pick(made) }));
    });
    return form;
  }

  const titles = () => [
    field('title_ko', t('admin.syllabus.title_ko'), { required: true, maxlength: 200, lang: 'ko' }),
    field('title_en', t('admin.syllabus.title_en'), { required: true, maxlength: 200, lang: 'en' }),
  ];
  const titleBody = (el) => ({ position: Number(el.position.value), title_ko: el.title_ko.value.trim(), title_en: el.title_en.value.trim() });

  const moduleForm = (modules) => addForm('admin.syllabus.addModule', () => [
    field('position', t('admin.syllabus.position'), { type: 'number', min: 1, value: next(modules), required: true }),
    titles(),
  ], () => `/api/v1/courses/${course.id}/modules`, titleBody, 'admin.syllabus.moduleAdded');

  const lessonForm = (modules) => {
    const form = addForm('admin.syllabus.addLesson', () => [
      field('module', t('admin.syllabus.module'), {}, modules.map((m) => ({ value: m.id, label: pick(m) }))),
      field('position', t('admin.syllabus.position'), { type: 'number', min: 1, value: next(modules[0].lessons), required: true }),
      titles(),
      field('kind', t('admin.lesson.kind'), {}, LESSON_KINDS.map((k) => ({ value: k, label: t(`admin.lesson.kind.${k}`) }))),
      field('body_md', t('admin.lesson.body'), { tag: 'textarea', rows: 5, hint: t('admin.course.descriptionHint') }),
      field('url', t('admin.lesson.url'), { type: 'url', hint: t('admin.lesson.urlHint') }),
      field('duration_min', t('admin.lesson.duration'), { type: 'number', min: 1, inputmode: 'numeric' }),
    ], (el) => `/api/v1/modules/${el.module.value}/lessons`, (el) => {
      const body = { ...titleBody(el), kind: el.kind.value };
      if (el.body_md.value.trim()) body.body_md = el.body_md.value;
      if (el.url.value.trim()) body.url = el.url.value.trim();
      if (el.duration_min.value) body.duration_min = Number(el.duration_min.value);
      return body;
    }, 'admin.syllabus.lessonAdded');
    // The next position follows the module picked.
    form.elements.module.addEventListener('change', () => {
      const m = modules.find((x) => String(x.id) === form.elements.module.value);
      form.elements.position.value = next(m.lessons);
    });
    return form;
  };

  await load();
  return part;
}
