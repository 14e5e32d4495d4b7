// admin.js - the institution admin's dashboard: today's figures as cards
// that lead to where the work is done (open sections, enrolments,
// waitlists, approvals, applications to select, affiliation claims, and
// failed mail for platform admins), the next classes, and the way to every
// admin page. Every figure comes from an existing read endpoint, one
// request each; one that cannot be read shows a dash, never stops the page.

import { h, append } from '../dom.js';
import { t, register } from '../i18n.js';
import { get, getAll, withQuery, isPlatformAdmin } from '../api.js';
import { heading } from '../ui.js';
import { number, date, time, dayLabel, todayYmd, addDays, seoulParts } from '../format.js';
import { adminScope } from './admin_scope.js';
import accounts from '../strings/accounts.js';
import SEL from '../strings/selection.js';
import D from '../strings/dashboard.js';

register(accounts);
register(SEL);
register(D);

// How many of a list to count before saying "100 or more".
const COUNT_MAX = 100;
// The next classes: how far ahead, how many shown.
const AHEAD_DAYS = 14;
const NEXT_SHOWN = 6;

const settle = (p) => p.then((v) => v, () => null);
const counted = (items) => ({ n: items.length, more: items.length >= COUNT_MAX });

async function openSections(id) {
  const courses = await getAll('/api/v1/courses', { institution_id: id, include_unpublished: true });
  return {
    n: courses.reduce((sum, c) => sum + (c.open_sections || 0), 0),
    courses: courses.length,
    published: courses.filter((c) => c.published !== false).length,
  };
}

// One summary read (one audit row a visit): its totals, and how many of
// them were created today.
async function enrolments(id) {
  const all = await get(withQuery('/api/v1/reports/summary', { institution_id: id }));
  return { enrolled: all.by_status?.enrolled || 0, today: all.created_today || 0, waitlist: all.waitlist_length || 0 };
}

async function toSelect(id) {
  const intakes = (await get(withQuery('/api/v1/intakes', { institution_id: id }))).items;
  const lists = await Promise.all(intakes.map((i) => get(`/api/v1/intakes/${i.id}/applications`)
    .then((r) => r.items, () => [])));
  const waiting = lists.flat().filter((a) => ['applied', 'in_stage'].includes(a.status)).length;
  return { n: waiting, intakes: intakes.length };
}

// The institution's classes and interviews in the next two weeks, whoever
// teaches them, soonest first (the server orders them): those not called
// off and not over yet.
async function nextClasses(id) {
  const from = todayYmd();
  const r = await get(withQuery(`/api/v1/institutions/${id}/schedule`, { from, to: addDays(from, AHEAD_DAYS) }));
  const now = Date.now();
  return r.items.filter((s) => s.status !== 'cancelled' && Date.parse(s.ends_at) > now);
}

function figure({ key, value, sub, href, action, attention = false, idle }) {
  const shown = value === null ? '—' : value;
  const cls = ['card', 'stat-card', `stat-${key}`];
  if (attention) cls.push('attention');
  return h('li', { class: cls.join(' ') },
    h('h3', { class: 'stat-label', id: `stat-${key}` }, t(`dash.${key}`)),
    h('p', { class: 'stat-value', 'aria-describedby': `stat-${key}` }, shown),
    h('p', { class: 'stat-sub' }, value === null ? t('dash.unavailable') : (idle || sub || '')),
    href ? h('a', { class: 'stat-link', href }, action, h('span', { 'aria-hidden': 'true' }, ' →')) : null);
}

const many = (c) => (c === null ? null : c.more ? t('dash.atLeast', { n: number(c.n) }) : number(c.n));

function classItem(s) {
  const p = seoulParts(s.starts_at);
  const today = `${p.y}-${String(p.m).padStart(2, '0')}-${String(p.d).padStart(2, '0')}` === todayYmd();
  const place = s.facility ? [s.facility.name, s.facility.location].filter(Boolean).join(' · ') : t('dash.online');
  return h('li', { class: 'next-class' },
    h('p', { class: 'when' },
      h('span', { class: today ? 'badge status-open' : 'day' }, today ? t('dash.today') : dayLabel(s.starts_at)),
      h('span', { class: 'hours' }, `${time(s.starts_at)} – ${time(s.ends_at)}`)),
    h('p', { class: 'what' }, h('a', { href: `#/teach/sections/${s.section_id}` }, s.course_title),
      s.interview ? [' ', h('span', { class: 'badge' }, t('dash.interview'))] : null),
    h('p', { class: 'who muted' }, [s.instructor?.display_name, place].filter(Boolean).join(' · ')));
}

export default async function render(ctx) {
  const scope = await adminScope(ctx);
  const id = scope.id;
  const platform = isPlatformAdmin();
  const [sections, enrol, pending, select, claims, failed, classes] = await Promise.all([
    settle(openSections(id)),
    settle(enrolments(id)),
    settle(getAll('/api/v1/enrollments', { institution_id: id, status: 'pending' }, COUNT_MAX).then(counted)),
    settle(toSelect(id)),
    settle(getAll(`/api/v1/institutions/${id}/affiliation-claims`, { status: 'pending' }, COUNT_MAX).then(counted)),
    platform ? settle(get('/api/v1/mail/failed').then((r) => counted(r.messages || []))) : Promise.resolve(undefined),
    settle(nextClasses(id)),
  ]);
  if (ctx.stale()) return;

  const href = (path) => scope.href(path);
  const cards = [
    figure({
      key: 'openSections', value: sections && number(sections.n), href: href('/admin/courses'), action: t('dash.toCourses'),
      sub: sections && t('dash.openSectionsSub', { courses: number(sections.courses) }),
      idle: sections && !sections.n ? t('dash.openSectionsNone') : null,
    }),
    figure({
      key: 'enrolled', value: enrol && number(enrol.enrolled), href: href('/admin/reports'), action: t('dash.toReports'),
      sub: enrol && t('dash.enrolledSub', { n: number(enrol.today) }),
    }),
    figure({
      key: 'waitlist', value: enrol && number(enrol.waitlist), href: href('/admin/courses'), action: t('dash.toSections'),
      sub: t('dash.waitlistSub'), idle: enrol && !enrol.waitlist ? t('dash.waitlistNone') : null,
    }),
    figure({
      key: 'pending', value: many(pending), href: href('/admin/applications'), action: t('dash.toApprove'),
      attention: !!pending?.n, sub: t('dash.pendingSub'), idle: pending && !pending.n ? t('dash.nothingToDo') : null,
    }),
    figure({
      key: 'toSelect', value: select && number(select.n), href: href('/admin/intakes'), action: t('dash.toIntakes'),
      attention: !!select?.n, sub: select && t('dash.toSelectSub', { n: number(select.intakes) }),
      idle: select && !select.intakes ? t('dash.noIntakes') : select && !select.n ? t('dash.nothingToDo') : null,
    }),
    figure({
      key: 'claims', value: many(claims), href: href('/admin/affiliation'), action: t('dash.toClaims'),
      attention: !!claims?.n, sub: t('dash.claimsSub'), idle: claims && !claims.n ? t('dash.nothingToDo') : null,
    }),
  ];
  if (failed !== undefined) {
    cards.push(figure({
      key: 'failedMail', value: many(failed), attention: !!failed?.n, href: '#/admin/mail', action: t('dash.toFailedMail'),
      sub: t('dash.failedMailSub'), idle: failed && !failed.n ? t('dash.failedMailNone') : null,
    }));
  }

  const shortcuts = [
    ['/admin/courses', 'admin.courses.title', 'admin.home.coursesText'],
    ['/admin/applications', 'admin.apps.title', 'admin.home.appsText'],
    ['/admin/intakes', 'sel.admin.title', 'sel.admin.homeText'],
    ['/admin/reports', 'admin.home.reports', 'admin.home.reportsText'],
    ['/admin/instructors', 'admin.instructors.title', 'admin.home.instructorsText'],
    ['/admin/people', 'people.title', 'admin.home.peopleText'],
    ['/admin/affiliation', 'affil.title', 'admin.home.affilText'],
    ['/admin/tokens', 'admin.tokens.title', 'admin.home.tokensText'],
  ];

  const upcoming = classes === null
    ? h('p', { class: 'muted' }, t('dash.unavailable'))
    : classes.length
      ? h('ol', { class: 'next-classes' }, classes.slice(0, NEXT_SHOWN).map(classItem))
      : h('div', { class: 'empty-state' },
        h('p', {}, t('dash.noClasses', { days: AHEAD_DAYS })),
        h('p', { class: 'muted' }, t('dash.noClassesHint')),
        h('div', { class: 'actions' }, h('a', { class: 'button', href: href('/admin/courses') }, t('dash.toCourses'))));

  ctx.view.classList.add('admin', 'dashboard');
  append(ctx.view, [
    h('div', { class: 'page-head dash-head' },
      heading(t('admin.title')),
      h('p', { class: 'lead' }, t('admin.home.for', { name: scope.name })),
      h('p', { class: 'dash-date' }, t('dash.asOf', { date: date(todayYmd()) }))),
    scope.picker,
    h('section', { 'aria-labelledby': 'dash-today' },
      h('h2', { id: 'dash-today' }, t('dash.todayTitle')),
      h('ul', { class: 'stat-cards' }, cards)),
    h('div', { class: 'dash-columns' },
      h('section', { class: 'dash-classes', 'aria-labelledby': 'dash-next' },
        h('h2', { id: 'dash-next' }, t('dash.nextTitle')),
        upcoming,
        classes && classes.length > NEXT_SHOWN
          ? h('p', { class: 'muted' }, t('dash.moreClasses', { n: number(classes.length - NEXT_SHOWN), days: AHEAD_DAYS })) : null),
      h('section', { class: 'dash-shortcuts', 'aria-labelledby': 'dash-links' },
        h('h2', { id: 'dash-links' }, t('dash.shortcuts')),
        h('ul', { class: 'admin-links' }, shortcuts.map(([path, title, text]) => h('li', {},
          h('a', { href: href(path) }, t(title)),
          h('p', {}, t(text))))))),
  ]);
}
