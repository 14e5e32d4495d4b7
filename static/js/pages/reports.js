// reports.js - #/admin/reports: the enrolment report's filters (kept in the
// hash query), links that download it (CSV, JSON lines), the OneRoster
// export, and the summary of the institution's enrolments drawn as charts;
// for a regional centre also its KPI table.

import { h, append, field } from '../dom.js';
import { register, t, pick } from '../i18n.js';
import { get, getAll, withQuery } from '../api.js';
import { heading, messageBox, showError, showMessage } from '../ui.js';
import { addDays, date, number, percent } from '../format.js';
import { barChart, stackedBarChart, ratioChart } from '../chart.js';
import { adminScope, crumbs, localFieldErrors } from './admin_scope.js';
import { institutionCourses } from './admin_courses.js';
import S from '../strings/reports.js';

register(S);

const STATUSES = ['enrolled', 'waitlisted', 'pending', 'completed', 'incomplete', 'cancelled', 'rejected'];
const STAGES = ['preschool', 'elementary', 'middle', 'high', 'undergraduate', 'graduate', 'worker',
  'job_seeker', 'public_servant', 'general'];
const YMD = /^\d{4}-\d{2}-\d{2}$/;

/**
 * The filters from the hash query. A choice the lists do not hold is
 * dropped, so the form shows exactly what the links ask for; dates are
 * passed on as typed and the server names a bad one.
 */
function readFilters(query, programs, courses) {
  const pickOne = (name, allowed) => (allowed.includes(query.get(name)) ? query.get(name) : '');
  return {
    program: pickOne('program', programs.map((p) => p.code)),
    course_id: pickOne('course_id', courses.map((c) => String(c.id))),
    status: pickOne('status', STATUSES),
    stage: pickOne('stage', STAGES),
    from: query.get('from') || '',
    to: query.get('to') || '',
  };
}

// The form's "to" is the last day included; the API's `to` is the first
// day left out.
const apiTo = (to) => (YMD.test(to) ? addDays(to, 1) : to);

// What the summary takes (institution and period), and what the enrolment
// report takes on top.
const windowParams = (scope, f) => ({ institution_id: scope.id, from: f.from, to: apiTo(f.to) });
const reportParams = (scope, f) => ({
  ...windowParams(scope, f), program: f.program, course_id: f.course_id, status: f.status, stage: f.stage,
});

export default async function render(ctx) {
  const scope = await adminScope(ctx, { allowAll: true });
  const box = messageBox();
  const [programs, courses] = await Promise.all([
    getAll('/api/v1/programs').catch(() => []),
    scope.id === null ? [] : institutionCourses(scope.id).catch(() => []),
  ]);
  const f = readFilters(ctx.query, programs, courses);
  let summary = null;
  let failure = null;
  try {
    // The summary and its charts follow every filter, as the downloads do.
    summary = await get(withQuery('/api/v1/reports/summary', reportParams(scope, f)));
  } catch (e) {
    failure = localFieldErrors(e, 'reports.invalid');
  }
  const inst = scope.id === null ? null : scope.choices.find((i) => i.id === scope.id);
  const kpi = summary && inst?.is_regional_center
    ? await get(withQuery('/api/v1/reports/kpi', { institution_id: scope.id })).catch(() => null) : null;
  if (ctx.stale()) return;

  const form = filterForm(ctx, scope, f, programs, courses);
  append(ctx.view, [
    crumbs(scope, [[t('reports.title')]]),
    heading(t('reports.title')),
    h('p', { class: 'lead' }, scope.name),
    scope.picker,
    form,
    box,
  ]);
  if (failure) {
    if (failure.status === 403) showMessage(box, t('reports.forbidden'), 'error');
    else showError(box, failure, form);
    if (failure.status === 400) append(ctx.view, [h('p', {}, t('reports.fixFilters'))]);
    return;
  }
  append(ctx.view, [
    downloads(scope, f),
    summarySection(summary, f, programs, courses),
    kpi ? kpiSection(kpi, scope) : null,
  ]);
}

function filterForm(ctx, scope, f, programs, courses) {
  const opt = (value, label, current) => ({ value, label, selected: value === current });
  const any = (current) => opt('', t('reports.any'), current);
  const courseProps = scope.id === null ? { disabled: true, hint: t('reports.courseNeedsInstitution') } : {};
  const form = h('form', { class: 'filters report-filters', 'aria-label': t('reports.filters') },
    field('program', t('reports.program'), {}, [any(f.program), ...programs.map((p) => opt(p.code, pick(p, 'name'), f.program))]),
    field('course_id', t('reports.course'), courseProps,
      [any(f.course_id), ...courses.map((c) => opt(String(c.id), `${c.code} · ${pick(c)}`, f.course_id))]),
    field('status', t('reports.status'), {}, [any(f.status), ...STATUSES.map((s) => opt(s, t(`status.${s}`), f.status))]),
    field('stage', t('reports.stage'), {}, [any(f.stage), ...STAGES.map((s) => opt(s, t(`stage.${s}`), f.stage))]),
    field('from', t('field.from'), { type: 'date', value: f.from, hint: t('reports.fromHint') }),
    field('to', t('reports.to'), { type: 'date', value: f.to, hint: t('reports.toHint') }),
    h('div', { class: 'actions' },
      h('button', { type: 'submit', class: 'primary' }, t('reports.apply')),
      h('a', { href: scope.href(ctx.path) }, t('reports.clear'))));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const v = {};
    for (const name of ['program', 'course_id', 'status', 'stage', 'from', 'to']) v[name] = form.elements[name].value;
    ctx.navigate(ctx.path, scope.query(v));
  });
  return form;
}

function downloads(scope, f) {
  const params = reportParams(scope, f);
  const report = (format) => withQuery('/api/v1/reports/enrollments', { ...params, format });
  const item = (href, file, label, hint, primary) => h('li', {},
    h('a', { class: ['button', primary && 'primary'], href, download: file }, label),
    h('p', { class: 'hint' }, hint));
  return h('section', { class: 'downloads', 'aria-labelledby': 'reports-downloads' },
    h('h2', { id: 'reports-downloads' }, t('reports.downloads')),
    h('p', {}, t('reports.downloadsLead')),
    h('ul', { class: 'download-list' },
      item(report('csv'), 'enrollments.csv', t('reports.csv'), t('reports.csvHint'), true),
      item(withQuery('/api/v1/reports/enrollments', { ...params, format: 'csv', header: 'ko' }), 'enrollments-ko.csv',
        t('reports.csvKo'), t('reports.csvKoHint')),
      item(report('ndjson'), 'enrollments.jsonl', t('reports.ndjson'), t('reports.ndjsonHint')),
      item(withQuery('/api/v1/reports/summary', { ...reportParams(scope, f), format: 'csv' }),
        'summary.csv', t('reports.summaryCsv'), t('reports.summaryCsvHint')),
      scope.id === null
        ? h('li', {}, h('p', { class: 'hint' }, t('reports.onerosterNeedsInstitution')))
        : item(withQuery('/api/v1/reports/oneroster', { institution_id: scope.id }), 'oneroster.zip',
          t('reports.oneroster'), t('reports.onerosterHint'))));
}

function period(f) {
  if (f.from && f.to) return t('reports.periodBoth', { from: date(f.from), to: date(f.to) });
  if (f.from) return t('reports.periodFrom', { from: date(f.from) });
  if (f.to) return t('reports.periodTo', { to: date(f.to) });
  return t('reports.periodAll');
}

const statusSeries = () => STATUSES.map((key) => ({ key, label: t(`status.${key}`) }));
const byStatus = (row) => Object.fromEntries(STATUSES.map((k) => [k, row[k] ?? 0]));
const courseLabel = (c) => `${c.code} ${pick(c)}`;

// The filters beyond the period, in words ("" when none is chosen).
function filterWords(f, programs, courses) {
  const program = programs.find((p) => p.code === f.program);
  const course = courses.find((c) => String(c.id) === f.course_id);
  return [
    program && `${t('reports.program')} ${pick(program, 'name')}`,
    course && `${t('reports.course')} ${courseLabel(course)}`,
    f.status && `${t('reports.status')} ${t(`status.${f.status}`)}`,
    f.stage && `${t('reports.stage')} ${t(`stage.${f.stage}`)}`,
  ].filter(Boolean).join(' · ');
}

function summarySection(s, f, programs, courses) {
  const narrowed = filterWords(f, programs, courses);
  const rate = s.completion_rate;
  const stats = [
    ['reports.total', number(s.total)],
    ['reports.enrolledNow', number(s.by_status.enrolled)],
    ['reports.completed', number(s.by_status.completed)],
    ['reports.waitlistNow', number(s.waitlist_length)],
    ['reports.completionRate', rate === null ? t('reports.noRate') : percent(rate)],
  ];
  const waiting = s.by_course.filter((c) => c.waitlisted > 0).sort((a, b) => b.waitlisted - a.waitlisted);
  const rated = s.by_program.filter((p) => p.completion_rate !== null);
  return h('section', { class: 'report-summary', 'aria-labelledby': 'reports-summary' },
    h('h2', { id: 'reports-summary' }, t('reports.summary')),
    h('p', {}, period(f)),
    narrowed ? h('p', { class: 'summary-scope' }, t('reports.summaryScope', { filters: narrowed })) : null,
    h('dl', { class: 'stats' }, stats.map(([k, v]) => h('div', {}, h('dt', {}, t(k)), h('dd', {}, v)))),
    s.total === 0 ? h('p', {}, t('reports.noEnrolments')) : h('div', { class: 'charts' },
      stackedBarChart({
        title: t('reports.chart.byProgram'), series: statusSeries(), wide: true, labelHeading: t('reports.program'),
        rows: s.by_program.map((p) => ({ label: pick(p, 'name'), values: byStatus(p) })),
      }),
      ratioChart({
        title: t('reports.chart.completion'), value: rate, label: t('reports.completionRate'),
        note: t('reports.completionNote', { completed: number(s.by_status.completed), incomplete: number(s.by_status.incomplete) }),
        emptyText: t('reports.noRateLong'),
      }),
      barChart({
        title: t('reports.chart.completionByProgram'), rows: rated.map((p) => ({ label: pick(p, 'name'), value: p.completion_rate })),
        format: percent, max: 1, labelHeading: t('reports.program'), valueHeading: t('reports.completionRate'),
        emptyText: t('reports.noRateLong'),
      }),
      barChart({
        title: t('reports.chart.byStage'), rows: s.by_stage.map((x) => ({ label: t(`stage.${x.stage}`), value: x.total })),
        labelHeading: t('reports.stage'), valueHeading: t('reports.enrolments'),
      }),
      barChart({
        title: t('reports.chart.waitlist'), rows: waiting.map((c) => ({ label: courseLabel(c), value: c.waitlisted })),
        labelHeading: t('reports.course'), valueHeading: t('reports.waitlisted'),
        note: t('reports.waitlistNote', { n: number(s.waitlist_length) }), emptyText: t('reports.noWaitlist'), wide: true,
      }),
      stackedBarChart({
        title: t('reports.chart.byCourse'), series: statusSeries(), wide: true, labelHeading: t('reports.course'),
        note: t('reports.byCourseNote'),
        rows: s.by_course.map((c) => ({ label: courseLabel(c), values: byStatus(c) })),
      })));
}

function kpiSection(kpi, scope) {
  const cols = ['year', 'in_service_employees_trained', 'degree_graduates', 'papers', 'patents', 'tech_transfer_income_krw'];
  const cell = (row, c) => (c === 'year' ? String(row.year)
    : c === 'tech_transfer_income_krw' ? t('reports.kpi.won', { n: number(row[c]) }) : number(row[c]));
  return h('section', { class: 'report-kpi', 'aria-labelledby': 'reports-kpi' },
    h('h2', { id: 'reports-kpi' }, t('reports.kpi.title')),
    h('p', {}, t('reports.kpi.lead')),
    kpi.items.length ? h('div', { class: 'table-wrap' }, h('table', { class: 'stack-phone' },
      h('caption', {}, t('reports.kpi.caption', { name: scope.name })),
      h('thead', {}, h('tr', {}, cols.map((c, i) => h('th', { scope: 'col', class: i ? 'num' : null }, t(`reports.kpi.${c}`))))),
      h('tbody', {}, kpi.items.map((row) => h('tr', {}, cols.map((c, i) => (i
        ? h('td', { class: 'num', 'data-label': t(`reports.kpi.${c}`) }, cell(row, c))
        : h('th', { scope: 'row' }, cell(row, c))))))))) : h('p', {}, t('reports.kpi.none')),
    h('p', {}, h('a', { href: withQuery('/api/v1/reports/kpi', { institution_id: scope.id, format: 'csv' }), download: 'kpi.csv' },
      t('reports.kpi.csv'))));
}
