// course.js - one course (#/courses/:id): what it is and who may take it,
// its sections with dates, seats left and waitlist, the enrolment action
// with an answer for every outcome, and the syllabus. The section to enrol
// in first is in a box beside the title (a bar at the bottom of a phone),
// so the way to enrol is on the first screen; text missing in the page's
// language is shown in the other one and labelled as such.

import { h, replace, field, newId } from '../dom.js';
import { register, t, pick, pickWithLang, lang } from '../i18n.js';
import { get, getAll, request, hasRole, isPlatformAdmin } from '../api.js';
import { heading, messageBox, showMessage, showError, errorText, busy, statusBadge, localText } from '../ui.js';
import { courseArt } from '../art.js';
import { date, dateTime, number, termName } from '../format.js';
import S from '../strings/learner.js';

register(S);

const ACTIVE = ['pending', 'enrolled', 'waitlisted'];
// Enrolments whose learner may read the lessons.
const READERS = ['enrolled', 'completed', 'incomplete'];

// The description is Markdown, shown as text: blocks split at blank lines,
// '#' lines as subheadings and '-' lines as list items; nothing else is
// interpreted and nothing becomes markup.
//
// A description written in both languages (a Korean part and an English
// one, each under its own headings) shows the page's language only: the
// parts are told apart by Hangul, and the other language's parts are shown
// (labelled) only when the page's has none. A first subheading that
// repeats the section's heading is left out.
const HANGUL = /[\uac00-\ud7a3]/;
function description(md, sectionTitle) {
  const parts = [];
  for (const block of String(md || '').split(/\n\s*\n/)) {
    const text = block.trim();
    if (!text) continue;
    const lines = text.split('\n');
    const head = /^#{1,6}\s+(.+)$/.exec(text);
    let node;
    if (head && lines.length === 1) node = h('h3', {}, head[1]);
    else if (lines.every((l) => /^\s*[-*+]\s+/.test(l))) {
      node = h('ul', {}, lines.map((l) => h('li', {}, l.replace(/^\s*[-*+]\s+/, ''))));
    } else node = h('p', {}, text);
    // a heading starts a part; text before any heading is a part of its own
    if (node.tagName === 'H3' || !parts.length) parts.push({ nodes: [], text: '' });
    const part = parts[parts.length - 1];
    part.nodes.push(node);
    part.text += ` ${text}`;
  }
  const langOf = (part) => (HANGUL.test(part.text) ? 'ko' : /[A-Za-z]/.test(part.text) ? 'en' : null);
  const mine = parts.filter((p) => (langOf(p) ?? lang()) === lang());
  let shown = mine;
  let other = null;
  if (!mine.length) {
    shown = parts;
    other = lang() === 'ko' ? 'en' : 'ko';
  }
  const out = shown.flatMap((p) => p.nodes);
  if (out[0]?.tagName === 'H3' && out[0].textContent.trim() === sectionTitle) out.shift();
  if (!other) return out;
  return [h('p', { class: 'muted' }, h('span', { class: 'other-lang' }, t(`app.onlyIn.${other}`))),
    h('div', { lang: other }, out)];
}

function facts(course, me) {
  const p = course.program_detail;
  const row = (key, ...value) => [h('dt', {}, t(key)), h('dd', {}, ...value)];
  let mine = null;
  if (me?.ladder_stage) {
    const ok = p.allowed_stages.includes(me.ladder_stage);
    mine = h('span', { class: ['stage-note', ok ? 'ok' : 'bad'] },
      t(ok ? 'course.stageOk' : 'course.stageNot', { stage: t(`stage.${me.ladder_stage}`) }));
  }
  return h('dl', { class: 'facts' },
    row('course.program', p.name),
    row('course.institution', course.institution.name),
    row('course.delivery', t(`delivery.${course.delivery}`)),
    course.level ? row('course.level', t(`level.${course.level}`)) : null,
    row('course.stages', p.allowed_stages.map((s) => t(`stage.${s}`)).join(', '), mine ? [' ', mine] : null),
    row('course.approval', t(p.approval_required ? 'course.approvalYes' : 'course.approvalNo')),
    row('course.affiliation', t(p.affiliation_required ? 'course.affiliationYes' : 'course.affiliationNo')),
    row('course.attendance', p.min_attendance_pct
      ? t('course.attendanceMin', { pct: p.min_attendance_pct }) : t('course.attendanceNone')),
    row('course.prerequisites', course.prerequisites.length
      ? h('ul', { class: 'inline-list' }, course.prerequisites.map((c) =>
        h('li', {}, h('a', { href: `#/courses/${c.id}` }, c.title))))
      : t('app.none')));
}

// Why a section takes no applications now, or null when it does.
function closedReason(s) {
  if (s.status === 'cancelled') return t('error.section_cancelled');
  if (s.enrollment_open) return null;
  if (s.status !== 'closed' && Date.now() < Date.parse(s.enrollment_opens_at)) {
    return t('course.opensOn', { when: dateTime(s.enrollment_opens_at) });
  }
  return t('error.enrollment_closed');
}

// The sentence for a refused application, with what the answer names.
function refusal(err) {
  const p = err.problem || {};
  if (err.code === 'prerequisite_missing' && p.missing_course) {
    const c = p.missing_course;
    return [h('p', {}, t('course.prereqMissing', { title: pick(c) })),
      h('p', {}, h('a', { href: `#/courses/${c.course_id}` }, t('course.seePrereq')))];
  }
  const extra = [];
  if (err.code === 'enrollment_not_open' && p.opens_at) extra.push(t('course.opensOn', { when: dateTime(p.opens_at) }));
  if (err.code === 'not_eligible_stage' && p.allowed_stages) {
    extra.push(t('course.stagesAllowed', { stages: p.allowed_stages.map((s) => t(`stage.${s}`)).join(', ') }));
  }
  if (err.code === 'already_enrolled') return [h('p', {}, errorText(err)), h('p', {}, h('a', { href: '#/my' }, t('course.seeMine')))];
  return h('p', {}, [errorText(err), ...extra].join(' '));
}

function outcome(r, s) {
  if (r.status === 'waitlisted') return t('course.waitlisted', { n: number(r.waitlist_position) });
  if (r.status === 'pending') return t('course.pending');
  return t('course.enrolled', { term: termName(s.term) });
}

export default async function render({ view, params, user: me }) {
  const id = encodeURIComponent(params.id);
  const load = () => Promise.all([
    get(`/api/v1/courses/${id}`),
    me ? getAll('/api/v1/me/enrollments').catch(() => []) : [],
  ]);
  let course;
  let mine;
  let syllabus;
  try {
    [[course, mine], syllabus] = await Promise.all([load(), get(`/api/v1/courses/${id}/modules`).catch(() => null)]);
  } catch (err) {
    if (err.status !== 404 && err.status !== 400) throw err;
    replace(view, heading(t('app.notFoundTitle')), h('p', {}, errorText(err)),
      h('p', {}, h('a', { href: '#/' }, t('course.backToCatalog'))));
    return;
  }

  const approval = course.program_detail.approval_required;
  const box = messageBox();
  box.setAttribute('tabindex', '-1');
  const sectionsSlot = h('div', { class: 'table-wrap' });
  const boxSlot = h('aside', { class: 'enrol-box', 'aria-labelledby': 'enrol-box-title' });
  const applySlot = h('div');
  const syllabusSlot = h('div');

  const canRead = () => !!me && (isPlatformAdmin() || hasRole('institution_admin', course.institution_id)
    || course.sections.some((s) => (s.instructor_ids || []).includes(me.id))
    || mine.some((e) => e.course_id === course.id && READERS.includes(e.status)));

  // After an answer the seat counts and the learner's own state are read
  // again; the message stays and takes the focus, as the button is redrawn.
  async function refresh() {
    try {
      [course, mine] = await load();
    } catch { /* the message already says what happened */ }
    drawSections();
    drawBox();
    drawSyllabus();
    box.focus();
  }

  async function enrol(s, key, statement, form) {
    try {
      const r = await request('POST', `/api/v1/sections/${s.id}/enrollments`, {
        json: statement ? { statement } : {},
        headers: { 'Idempotency-Key': key },
      });
      showMessage(box, [h('p', {}, outcome(r, s)), h('p', {}, h('a', { href: '#/my' }, t('course.seeMine')))],
        r.status === 'enrolled' ? 'ok' : 'warn');
      replace(applySlot);
    } catch (err) {
      if (form && err.errors?.length) { showError(box, err, form); return; }
      showMessage(box, refusal(err), 'error');
      replace(applySlot);
    }
    await refresh();
  }

  // Programmes that need approval ask for an optional statement first.
  function askStatement(s, key, opener) {
    const titleId = newId('apply');
    const submit = h('button', { type: 'submit', class: 'primary' }, t('course.submitApplication'));
    const form = h('form', { class: 'stack apply-form', 'aria-labelledby': titleId },
      h('h3', { id: titleId }, t('course.applyTitle', { term: termName(s.term) })),
      h('p', {}, t('course.approvalNote')),
      field('statement', t('field.statement'), { tag: 'textarea', rows: 5, maxlength: 2000, hint: t('course.statementHint') }),
      h('div', { class: 'actions' }, submit,
        h('button', { type: 'button', onclick: () => { replace(applySlot); opener.focus(); } }, t('app.cancel'))));
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      busy(submit, () => enrol(s, key, form.elements.statement.value.trim(), form));
    });
    replace(applySlot, form);
    form.elements.statement.focus();
  }

  // inBox: the copy in the enrol box, named apart from the table's.
  function action(s, inBox = false) {
    const own = mine.find((e) => e.section_id === s.id && ACTIVE.includes(e.status));
    if (own) {
      return [statusBadge(own.status),
        own.status === 'waitlisted' && own.waitlist_position
          ? h('span', { class: 'position' }, t('course.position', { n: number(own.waitlist_position) })) : null,
        h('a', { href: '#/my', class: 'see-mine' }, t('course.seeMine'))];
    }
    const label = !approval && s.seats_left <= 0 ? t('course.joinWaitlist') : t('course.enrol');
    const why = closedReason(s);
    if (why) {
      const whyId = newId('why');
      return [h('button', { type: 'button', disabled: true, 'aria-describedby': whyId }, label),
        h('p', { class: 'why', id: whyId }, why)];
    }
    if (!me) {
      return h('a', { class: 'button', href: `#/login?next=${encodeURIComponent(`/courses/${course.id}`)}` },
        t('course.signInToEnrol'));
    }
    // One key per drawn button: a double click or a retry after a lost
    // answer is one application.
    const key = crypto.randomUUID();
    const button = h('button', {
      type: 'button', class: 'primary',
      'aria-label': inBox ? t('course.boxAction', { label, term: termName(s.term) }) : `${label} (${termName(s.term)})`,
    }, label);
    button.addEventListener('click', () => {
      if (approval) askStatement(s, key, button);
      else busy(button, () => enrol(s, key, null, null));
    });
    return button;
  }

  function drawSections() {
    if (!course.sections.length) {
      replace(sectionsSlot, h('p', { class: 'muted' }, t('course.noSections')));
      return;
    }
    const cell = (key, ...v) => h('td', { 'data-label': t(key) }, ...v);
    const numCell = (key, v) => h('td', { class: 'num', 'data-label': t(key) }, v);
    const cols = ['course.term', 'course.dates', 'course.window', 'course.instructors', 'course.capacity',
      'course.seatsLeft', 'course.waitlist', 'course.status', 'course.action'];
    replace(sectionsSlot, h('table', { class: 'stack-phone course-sections' },
      h('caption', {}, t('course.sectionsCaption')),
      h('thead', {}, h('tr', {}, cols.map((c, i) => h('th', { scope: 'col', class: i >= 4 && i <= 6 ? 'num' : null }, t(c))))),
      h('tbody', {}, course.sections.map((s) => h('tr', {},
        h('th', { scope: 'row', 'data-label': t('course.term') }, termName(s.term)),
        cell('course.dates', t('course.range', { from: date(s.starts_on), to: date(s.ends_on) })),
        cell('course.window', t('course.range', { from: dateTime(s.enrollment_opens_at), to: dateTime(s.enrollment_closes_at) })),
        cell('course.instructors', s.instructors?.length ? s.instructors.map((i) => i.display_name).join(', ') : t('course.tba')),
        numCell('course.capacity', number(s.capacity)),
        numCell('course.seatsLeft', h('strong', { class: s.seats_left > 0 ? null : 'bad' }, number(s.seats_left))),
        numCell('course.waitlist', number(s.waitlist_length)),
        cell('course.status', statusBadge(s.status)),
        h('td', { class: 'action', 'data-label': t('course.action') }, action(s)))))));
  }

  // The section a visitor most likely wants: the one they hold, else the
  // first open for enrolment, else the next to open, else the latest.
  function bestSection() {
    const ss = course.sections;
    const own = ss.find((s) => mine.some((e) => e.section_id === s.id && ACTIVE.includes(e.status)));
    return own || ss.find((s) => s.enrollment_open && s.status !== 'cancelled')
      || ss.find((s) => s.status !== 'cancelled' && Date.now() < Date.parse(s.enrollment_opens_at))
      || ss[ss.length - 1] || null;
  }

  function drawBox() {
    const s = bestSection();
    const title = h('h2', { id: 'enrol-box-title' }, t('course.enrolBox'));
    if (!s) {
      replace(boxSlot, title, h('p', { class: 'enrol-when' }, t('course.noSections')));
      return;
    }
    const open = course.sections.filter((x) => x.enrollment_open).length;
    replace(boxSlot, title,
      h('p', { class: 'enrol-when' }, termName(s.term), ' · ', t('course.range', { from: date(s.starts_on), to: date(s.ends_on) })),
      h('p', { class: 'enrol-seats' }, s.seats_left > 0
        ? t('course.boxSeats', { n: number(s.seats_left), cap: number(s.capacity) })
        : t('course.boxFull', { n: number(s.waitlist_length) })),
      h('div', { class: 'enrol-action' }, action(s, true)),
      open > 1 ? h('p', { class: 'enrol-more' }, t('course.boxOthers', { n: number(open - 1) })) : null);
  }

  function drawSyllabus() {
    const mods = syllabus?.modules || [];
    if (!mods.length) {
      replace(syllabusSlot, h('p', { class: 'muted' }, t('course.noSyllabus')));
      return;
    }
    const reader = canRead();
    replace(syllabusSlot,
      reader ? null : h('p', { class: 'muted' }, t(me ? 'course.syllabusEnrolFirst' : 'course.syllabusSignIn')),
      h('ol', { class: 'syllabus' }, mods.map((m) => h('li', {},
        h('h3', {}, localText(m)),
        h('ol', {}, m.lessons.map((l) => h('li', {},
          reader ? h('a', { href: `#/lessons/${l.id}` }, localText(l)) : localText(l),
          ' ',
          h('span', { class: 'muted' }, [t(`reader.kind.${l.kind}`),
            l.duration_min ? t('reader.minutes', { n: l.duration_min }) : null,
            l.has_attachments ? t('reader.hasFiles') : null].filter(Boolean).join(' · ')))))))));
  }

  drawSections();
  drawBox();
  drawSyllabus();
  const summary = pick(course, 'summary');
  const title = heading(pick(course));
  const titleLang = pickWithLang(course).lang;
  if (titleLang && titleLang !== lang()) {
    title.setAttribute('lang', titleLang);
    title.append(' ', h('span', { class: 'other-lang', lang: lang() }, t(`app.onlyIn.${titleLang}`)));
  }
  const code = course.program_detail.code || course.program;
  replace(view, h('div', { class: ['course-page', code ? `prog-${code}` : null] },
    h('p', { class: 'crumbs' }, h('a', { href: '#/' }, t('course.backToCatalog'))),
    h('div', { class: 'course-hero' },
      h('div', { class: 'course-main' },
        courseArt({ id: course.id, program: code }),
        title,
        h('p', { class: 'meta' }, h('span', { class: 'program-chip' }, course.program_detail.name),
          h('span', {}, course.institution.name), h('span', {}, course.code)),
        summary ? h('p', { class: 'lead' }, localText(course, 'summary')) : null,
        course.tags?.length ? h('ul', { class: 'tags', 'aria-label': t('catalog.tags') },
          course.tags.map((tag) => h('li', {}, `#${tag}`))) : null),
      boxSlot),
    h('div', { class: 'course-layout' },
      h('section', { 'aria-labelledby': 'course-sections' },
        h('h2', { id: 'course-sections' }, t('course.sections')),
        box, sectionsSlot, applySlot),
      h('section', { 'aria-labelledby': 'course-facts' },
        h('h2', { id: 'course-facts' }, t('course.eligibility')), facts(course, me)),
      course.description ? h('section', { 'aria-labelledby': 'course-about', class: 'course-description' },
        h('h2', { id: 'course-about' }, t('course.about')), description(course.description, t('course.about'))) : null,
      h('section', { 'aria-labelledby': 'course-syllabus' },
        h('h2', { id: 'course-syllabus' }, t('course.syllabus')), syllabusSlot))));
}
