// section.js - #/teach/sections/:id: one section for its instructors and its
// institution's admins: its facts, the roster (CSV, marking completion), its
// classes (attendance, cancelling, scheduling one more) and uploading
// material to a lesson of the course.

import { h, append, replace, field, formValues, showFieldErrors } from '../dom.js';
import { register, t, pick } from '../i18n.js';
import { ApiError, get, getAll, patch, post, request, withQuery, isInstructor, isAdmin } from '../api.js';
import { heading, messageBox, showMessage, showError, busy, confirmDialog, statusBadge } from '../ui.js';
import { date, number, termName, todayYmd } from '../format.js';
import { orRefusal, sessionWhen, sessionPlace } from './teach.js';
import S from '../strings/teach.js';
import { attendanceCell, seriesForm } from './series_form.js';
import B from '../strings/bulk.js';
import G from '../strings/grades.js';

register(S);
register(B);
register(G);

// The section with its roster. A draft has no roster (404): its instructor
// still finds it among their own sections.
async function loadRoster(id) {
  try {
    return await get(`/api/v1/sections/${id}/roster`);
  } catch (err) {
    if (err.status !== 404 || !isInstructor()) throw err;
    const mine = (await getAll('/api/v1/me/sections')).find((s) => String(s.id) === String(id));
    if (!mine) throw err;
    return { section: mine, items: [], draft: true };
  }
}

// A section's classes; none when they cannot be read (a draft).
const loadSessions = (id) => get(`/api/v1/sections/${id}/sessions`).then((r) => r.items, () => []);

function facts(sec, course) {
  const threshold = course?.program_detail?.min_attendance_pct;
  const instructors = course?.sections?.find((s) => s.id === sec.id)?.instructors || [];
  const rows = [
    ['teach.code', sec.course.code],
    ['teach.institution', course?.institution?.name || sec.course.institution],
    ['teach.termLabel', termName(sec.term)],
    ['teach.period', t('teach.dates', { from: date(sec.starts_on), to: date(sec.ends_on) })],
    ['teach.status', statusBadge(sec.status)],
    ['teach.capacity', t('teach.people', { n: number(sec.capacity) })],
    ['teach.enrolled', t('teach.people', { n: number(sec.enrolled_count) })],
    ['teach.seatsLeft', t('teach.people', { n: number(sec.seats_left) })],
    ['teach.waitlistLabel', t('teach.people', { n: number(sec.waitlist_length) })],
    instructors.length ? ['teach.instructors', instructors.map((i) => i.display_name).join(', ')] : null,
    threshold ? ['teach.threshold', t('teach.thresholdValue', { pct: threshold })] : null,
  ].filter(Boolean);
  return h('section', { 'aria-labelledby': 'sec-facts' },
    h('h2', { id: 'sec-facts' }, t('teach.facts')),
    h('dl', { class: 'facts' }, rows.map(([k, v]) => [h('dt', {}, t(k)), h('dd', {}, v)])));
}

// The two ends of a course an instructor marks, with their words.
const MARKS = {
  completed: { label: 'teach.markCompleted', aria: 'teach.markCompletedFor', ask: 'teach.confirmCompleted', done: 'teach.markedCompleted' },
  incomplete: { label: 'teach.markIncomplete', aria: 'teach.markIncompleteFor', ask: 'teach.confirmIncomplete', done: 'teach.markedIncomplete' },
};

// The roster, re-read after each change of a learner's status.
function rosterBlock(sectionId, first) {
  const box = messageBox();
  const body = h('div');
  const show = (roster) => {
    if (roster.draft) {
      replace(body, h('p', {}, t('teach.draftNote')));
      return;
    }
    if (!roster.items.length) {
      replace(body, h('p', {}, t('teach.rosterEmpty')));
      return;
    }
    replace(body,
      roster.truncated ? h('p', { class: 'message warn' }, t('teach.rosterTruncated')) : null,
      h('div', { class: 'table-wrap' }, h('table', { class: 'stack-phone roster' },
        h('caption', {}, t('teach.rosterCaption', { n: number(roster.items.length) })),
        h('thead', {}, h('tr', {}, ['teach.colName', 'teach.colEmail', 'teach.colStage', 'teach.colStatus',
          'teach.colWaitlist', 'teach.colProgress', 'teaching.colAttendance', 'teach.colCompletion'].map((k) => h('th', { scope: 'col' }, t(k))))),
        h('tbody', {}, roster.items.map(rosterRow)))));
  };
  const reload = async () => show(await get(`/api/v1/sections/${sectionId}/roster`));

  async function mark(e, status, button) {
    const name = e.display_name;
    const words = MARKS[status];
    if (!await confirmDialog(t(words.ask, { name }), { confirmLabel: t(words.label) })) return;
    await busy(button, async () => {
      try {
        await patch(`/api/v1/enrollments/${e.id}`, { status });
        await reload();
        showMessage(box, t(words.done, { name }), 'ok');
      } catch (err) {
        showError(box, err);
        const p = err.problem;
        if (err.code === 'attendance_below_threshold' && p.attendance) {
          box.append(h('p', {}, t('teach.belowThreshold', {
            name, attended: number(p.attendance.attended), held: number(p.attendance.held),
            rate: number(p.attendance.rate_pct ?? 0), threshold: p.threshold_pct,
          })));
        }
      }
    });
    box.focus();
  }

  function rosterRow(e) {
    const cells = [
      ['teach.colEmail', h('a', { href: `mailto:${e.email}` }, e.email)],
      ['teach.colStage', t(`stage.${e.ladder_stage}`)],
      ['teach.colStatus', statusBadge(e.status)],
      ['teach.colWaitlist', e.waitlist_position ? t('teach.waitlistPos', { n: number(e.waitlist_position) }) : ''],
      ['teach.colProgress', !e.progress ? '' : e.progress.total
        ? t('teach.progress', { done: number(e.progress.completed), total: number(e.progress.total) })
        : t('teach.progressNone')],
      ['teaching.colAttendance', attendanceCell(e.attendance)],
    ];
    // Only an enrolled learner can still be marked; the other two are final.
    const done = e.status === 'enrolled' ? h('div', { class: 'actions compact' },
      Object.entries(MARKS).map(([status, words]) => {
        const b = h('button', { type: 'button', class: status === 'completed' ? 'primary' : null,
          'aria-label': t(words.aria, { name: e.display_name }) }, t(words.label));
        b.addEventListener('click', () => mark(e, status, b));
        return b;
      })) : null;
    return h('tr', { dataset: { enrollment: e.id } },
      h('th', { scope: 'row' }, e.display_name),
      cells.map(([k, v]) => h('td', { 'data-label': t(k), class: v ? null : 'phone-hide' }, v)),
      h('td', { 'data-label': t('teach.colCompletion'), class: done ? null : 'phone-hide' }, done));
  }

  show(first);
  box.tabIndex = -1;
  return h('section', { 'aria-labelledby': 'sec-roster' },
    h('h2', { id: 'sec-roster' }, t('teach.roster')),
    first.draft ? null : h('p', { class: 'actions' }, h('a', {
      href: withQuery(`/api/v1/sections/${sectionId}/roster`, { format: 'csv' }),
      download: `roster-${sectionId}.csv`,
    }, t('teach.csv')), ' ', h('a', { class: 'button', href: `#/teach/sections/${sectionId}/grades` }, t('gr.book.link'))),
    box, body);
}

// The section's classes with attendance links and cancelling; refresh()
// re-reads them (after scheduling one).
function sessionsBlock(sectionId, first) {
  const box = messageBox();
  const body = h('div');
  const show = (items) => {
    if (!items.length) {
      replace(body, h('p', {}, t('teach.sessionsEmpty')));
      return;
    }
    replace(body, h('div', { class: 'table-wrap' }, h('table', { class: 'stack-phone sessions' },
      h('caption', {}, t('teach.sessionsCaption', { n: number(items.length) })),
      h('thead', {}, h('tr', {}, ['teach.colWhen', 'teach.colPlace', 'teach.colInstructor', 'teach.colStatus',
        'teach.colActions'].map((k) => h('th', { scope: 'col' }, t(k))))),
      h('tbody', {}, items.map(sessionRow)))));
  };
  const refresh = async () => show(await loadSessions(sectionId));

  async function cancel(s, button) {
    const when = sessionWhen(s);
    if (!await confirmDialog(t('teach.confirmCancel', { when }), { confirmLabel: t('teach.cancelSession'), destructive: true })) return;
    await busy(button, async () => {
      try {
        await patch(`/api/v1/sessions/${s.id}`, { status: 'cancelled' });
        await refresh();
        showMessage(box, t('teach.sessionCancelled', { when }), 'ok');
      } catch (err) {
        showError(box, err);
      }
    });
  }

  function sessionRow(s) {
    const when = sessionWhen(s);
    const cancelled = s.status === 'cancelled';
    const place = s.online_url
      ? h('a', { href: s.online_url, rel: 'noopener noreferrer', target: '_blank' }, t('teach.onlineLink'))
      : sessionPlace(s);
    const actions = [];
    if (!cancelled) {
      actions.push(h('a', { href: `#/teach/sessions/${s.id}`, 'aria-label': t('teach.attendanceFor', { when }) },
        t('teach.takeAttendance')));
      if (Date.parse(s.ends_at) > Date.now()) {
        const b = h('button', { type: 'button', class: 'danger', 'aria-label': t('teach.cancelSessionFor', { when }) },
          t('teach.cancelSession'));
        b.addEventListener('click', () => cancel(s, b));
        actions.push(b);
      }
    }
    return h('tr', { class: cancelled ? 'cancelled' : null },
      h('th', { scope: 'row' }, when),
      h('td', { 'data-label': t('teach.colPlace') }, place),
      h('td', { 'data-label': t('teach.colInstructor') }, s.instructor?.display_name || ''),
      h('td', { 'data-label': t('teach.colStatus') },
        h('span', { class: `badge status-${s.status}` }, t(cancelled ? 'week.cancelled' : 'status.scheduled'))),
      h('td', { 'data-label': t('teach.colActions'), class: actions.length ? null : 'phone-hide' },
        actions.length ? h('div', { class: 'actions compact' }, actions) : null));
  }

  show(first);
  const el = h('section', { 'aria-labelledby': 'sec-sessions' },
    h('h2', { id: 'sec-sessions' }, t('teach.sessions')), box, body);
  return { el, refresh };
}

// The form that schedules one more class: a day within the section's
// dates, start and end in Korean time, an instructor, a room or a link.
function scheduleForm(sec, instructors, facilities, me, onScheduled) {
  const box = messageBox();
  const today = todayYmd();
  const day = today >= sec.starts_on && today <= sec.ends_on ? today : sec.starts_on;
  const own = sec.course.institution_id;
  const radio = (value, label, checked) => h('label', { class: 'check' },
    h('input', { type: 'radio', name: 'place', value, checked }), ' ', label);
  const facilityField = facilities.length
    ? field('facility_id', t('teach.facility'), { required: true }, facilities.map((f) => ({
      value: f.id,
      label: [f.name, f.location, f.institution_id !== own ? f.institution?.name : null].filter(Boolean).join(' · '),
    })))
    : h('p', { class: 'muted' }, t('teach.noFacilities'));
  const urlField = field('online_url', t('teach.onlineUrl'), {
    type: 'url', required: true, placeholder: 'https://', hint: t('teach.onlineUrlHint'), autocomplete: 'off',
  });
  const form = h('form', { class: 'stack schedule', novalidate: true },
    field('date', t('teach.date'), {
      type: 'date', required: true, value: day, min: sec.starts_on, max: sec.ends_on,
      hint: t('teach.dateHint', { from: date(sec.starts_on), to: date(sec.ends_on) }),
    }),
    h('div', { class: 'field-row' },
      field('starts_at', t('teach.start'), { type: 'time', required: true, step: 300 }),
      field('ends_at', t('teach.end'), { type: 'time', required: true, step: 300 })),
    field('instructor_id', t('teach.instructorField'), { required: true },
      instructors.map((i) => ({ value: i.id, label: i.display_name, selected: i.id === me.id }))),
    h('fieldset', { class: 'place' },
      h('legend', {}, t('teach.placeKind')),
      h('div', { class: 'actions' },
        radio('facility', t('teach.placeFacility'), facilities.length > 0),
        radio('online', t('teach.placeOnline'), facilities.length === 0)),
      facilityField, urlField),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, t('teach.submitSchedule'))));

  const online = () => form.elements.place.value === 'online';
  const showPlace = () => {
    for (const [el, on] of [[facilityField, !online()], [urlField, online()]]) {
      el.hidden = !on;
      for (const c of el.querySelectorAll('input, select')) c.disabled = !on;
    }
  };
  form.addEventListener('change', (e) => { if (e.target.name === 'place') showPlace(); });
  showPlace();

  // What the browser can tell at once, in the page's language.
  function check(v) {
    const errors = [];
    for (const name of ['date', 'starts_at', 'ends_at']) if (!v[name]) errors.push({ field: name, message: t('error.validation_failed') });
    if (v.starts_at && v.ends_at && v.ends_at <= v.starts_at) errors.push({ field: 'ends_at', message: t('teach.endBeforeStart') });
    if (online() && !/^https:\/\/\S+$/.test(v.online_url || '')) errors.push({ field: 'online_url', message: t('teach.needHttps') });
    if (!online() && !v.facility_id) errors.push({ field: 'facility_id', message: t('teach.noFacilities') });
    return errors;
  }

  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const v = formValues(form);
    const errors = check(v);
    if (errors.length) {
      showError(box, new ApiError(400, { code: 'validation_failed', errors }), form);
      return;
    }
    const body = {
      starts_at: `${v.date}T${v.starts_at}:00+09:00`,
      ends_at: `${v.date}T${v.ends_at}:00+09:00`,
      instructor_id: Number(v.instructor_id),
      ...(online() ? { online_url: v.online_url } : { facility_id: Number(v.facility_id) }),
    };
    await busy(form.querySelector('button[type=submit]'), async () => {
      try {
        const s = await post(`/api/v1/sections/${sec.id}/sessions`, body);
        showFieldErrors(form, []);
        showMessage(box, t('teach.scheduled', { when: sessionWhen(s) }), 'ok');
        form.elements.starts_at.value = '';
        form.elements.ends_at.value = '';
        await onScheduled();
      } catch (err) {
        showError(box, err, form);
        const c = err.problem?.conflicting_session;
        if (c) {
          box.append(h('p', { class: 'conflict' }, t('teach.conflictWith', {
            course: c.course_title, institution: c.institution, when: sessionWhen(c),
          })));
        }
      }
    });
  });
  return h('section', { 'aria-labelledby': 'sec-schedule' },
    h('h2', { id: 'sec-schedule' }, t('teach.schedule')), box, form);
}

function size(n) {
  if (n < 1024) return `${number(n)} B`;
  if (n < 1024 * 1024) return `${number(Math.round(n / 102.4) / 10)} KB`;
  return `${number(Math.round(n / 104857.6) / 10)} MB`;
}

// Uploading a file to one lesson of the syllabus; the lesson's files are
// listed under the form.
function uploadForm(syllabus) {
  const box = messageBox();
  const modules = syllabus?.modules || [];
  if (!modules.some((m) => m.lessons.length)) {
    return h('section', { 'aria-labelledby': 'sec-upload' },
      h('h2', { id: 'sec-upload' }, t('teach.upload')), h('p', {}, t('teach.noLessons')));
  }
  const lessonField = field('lesson', t('teach.lesson'), { required: true },
    [{ value: '', label: t('teach.chooseLesson') }]);
  const select = lessonField.querySelector('select');
  select.append(...modules.filter((m) => m.lessons.length).map((m) => h('optgroup', { label: pick(m) },
    m.lessons.map((l) => h('option', { value: l.id }, pick(l))))));
  const fileField = field('file', t('teach.file'), { type: 'file', required: true, hint: t('teach.fileHint') });
  const list = h('div', { class: 'attachments', 'aria-live': 'polite' });
  const form = h('form', { class: 'stack upload', novalidate: true }, lessonField, fileField,
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, t('teach.uploadButton'))));

  async function listFiles() {
    if (!select.value) {
      replace(list);
      return;
    }
    const lesson = await get(`/api/v1/lessons/${select.value}`);
    replace(list, h('h3', {}, t('teach.attachments'), ' · ', pick(lesson)),
      lesson.attachments?.length
        ? h('ul', {}, lesson.attachments.map((a) => h('li', {},
          h('a', { href: a.download, download: a.filename }, a.filename), ' ',
          h('span', { class: 'muted' }, `(${size(a.size)})`))))
        : h('p', { class: 'muted' }, t('teach.noAttachments')));
  }
  select.addEventListener('change', () => listFiles().catch((err) => showError(box, err)));

  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const file = form.elements.file.files[0];
    const errors = [];
    if (!select.value) errors.push({ field: 'lesson', message: t('teach.chooseLesson') });
    if (!file) errors.push({ field: 'file', message: t('error.validation_failed') });
    if (errors.length) {
      showError(box, new ApiError(400, { code: 'validation_failed', errors }), form);
      return;
    }
    await busy(form.querySelector('button[type=submit]'), async () => {
      try {
        await request('POST', withQuery(`/api/v1/lessons/${select.value}/attachments`, { filename: file.name }),
          { body: file, type: file.type || 'application/octet-stream' });
        showFieldErrors(form, []);
        showMessage(box, t('teach.uploaded', { file: file.name }), 'ok');
        form.elements.file.value = '';
        await listFiles();
      } catch (err) {
        showError(box, err, form);
      }
    });
  });
  return h('section', { 'aria-labelledby': 'sec-upload' },
    h('h2', { id: 'sec-upload' }, t('teach.upload')), box, form, list);
}

export default async function render({ view, params, user }) {
  const roster = await orRefusal(view, () => loadRoster(params.id));
  if (!roster) return;
  const sec = roster.section;
  const courseId = sec.course.id;
  // An unpublished course is shown to its admins only: the page then goes
  // on with what the roster says.
  const [course, syllabus, sessions] = await Promise.all([
    get(`/api/v1/courses/${courseId}`).catch(() => null),
    get(`/api/v1/courses/${courseId}/modules`).catch(() => null),
    loadSessions(sec.id),
  ]);
  const facilities = await getAll('/api/v1/facilities', { usable_by: sec.course.institution_id }).catch(() => []);
  const instructors = course?.sections?.find((s) => s.id === sec.id)?.instructors
    || (sec.instructor_ids?.includes(user.id) ? [{ id: user.id, display_name: user.display_name }] : []);

  const title = pick(sec.course);
  const sessionsPart = sessionsBlock(sec.id, sessions);
  append(view, [
    heading(title),
    h('p', { class: 'muted' }, `${sec.course.code} · ${termName(sec.term)}`),
    isInstructor() ? h('p', {}, h('a', { href: '#/teach' }, t('teach.backToSections'))) : null,
    facts(sec, course),
    isAdmin() && sec.status !== 'cancelled' ? h('p', {}, h('a', { href: `#/admin/sections/${sec.id}/enrol` }, t('bulk.link'))) : null,
    rosterBlock(sec.id, roster),
    sessionsPart.el,
    sec.status === 'cancelled' ? null : scheduleForm(sec, instructors, facilities, user, sessionsPart.refresh),
    sec.status === 'cancelled' ? null : seriesForm(sec, instructors, facilities, user, sessionsPart.refresh),
    h('p', {}, h('a', { class: 'button', href: `#/teach/courses/${courseId}?section=${sec.id}`,
      'aria-label': t('teaching.editContentFor', { title }) }, t('teaching.editContent'))),
    uploadForm(syllabus)]);
}
