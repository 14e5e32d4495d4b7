// admin_intakes.js - the institution's selection intakes: the funnel chart,
// a new intake with its stages (#/admin/intakes), and one intake's review
// table, offers and decision files (#/admin/intakes/:id).

import { h, append, field, replace } from '../dom.js';
import { register, t, pick } from '../i18n.js';
import { get, post, request, withQuery } from '../api.js';
import { heading, messageBox, showMessage, showError, busy } from '../ui.js';
import { dateTime, localToRfc3339 } from '../format.js';
import { barChart } from '../chart.js';
import { adminScope, adminTop, listTable, onSubmit } from './admin_scope.js';
import { stageList } from './selection_apply.js';
import { interviewSection } from './admin_interviews.js';
import S from '../strings/selection.js';

register(S);

const KINDS = ['document_screening', 'precourse', 'test_score', 'interview'];
const RULES = ['pass_fail', 'threshold', 'top_n'];
const title = (o) => pick({ title_ko: o.title_ko, title_en: o.title_en });

export default async function render(ctx) {
  if (ctx.params.id) return review(ctx);
  const scope = await adminScope(ctx);
  const box = messageBox();
  let funnel = { intakes: [] };
  try {
    funnel = await get(withQuery('/api/v1/reports/selection-funnel', { institution_id: scope.id }));
  } catch (e) {
    showError(box, e);
  }
  if (ctx.stale()) return;
  append(ctx.view, [
    adminTop(ctx, scope, t('sel.admin.title')),
    box,
    funnel.intakes.length
      ? funnel.intakes.map((f) => h('section', { class: 'intake' },
        h('h2', {}, h('a', { href: scope.href(`/admin/intakes/${f.intake_id}`) }, title(f))),
        barChart({ title: t('sel.admin.funnel'), rows: steps(f), wide: true })))
      : h('p', {}, t('sel.admin.none')),
    h('p', {}, h('a', { href: withQuery('/api/v1/reports/selection-funnel', { institution_id: scope.id, format: 'csv' }) },
      t('sel.admin.funnelCsv'))),
    newIntake(ctx, scope),
  ]);
}

/** The funnel of one intake as chart rows, step by step. */
function steps(f) {
  return [
    { label: t('sel.step.applied'), value: f.applied },
    ...f.stages.map((s) => ({ label: t('sel.step.stage', { n: s.position }), value: s.passed })),
    { label: t('sel.step.offered'), value: f.offered },
    { label: t('sel.step.accepted'), value: f.accepted },
    { label: t('sel.step.enrolled'), value: f.enrolled },
  ];
}

function stageFields(n) {
  return h('fieldset', { class: 'stage', dataset: { stage: n } },
    h('legend', {}, t('sel.admin.stage', { n })),
    field(`kind${n}`, t('sel.admin.kind'), {}, KINDS.map((k) => ({ value: k, label: t(`sel.kind.${k}`) }))),
    field(`name_ko${n}`, t('sel.admin.nameKo'), { required: true, maxlength: 200 }),
    field(`name_en${n}`, t('sel.admin.nameEn'), { required: true, maxlength: 200 }),
    field(`rule${n}`, t('sel.admin.rule'), {}, RULES.map((r) => ({ value: r, label: t(`sel.rule.${r}`, { threshold: 'N', top_n: 'N' }) }))),
    field(`threshold${n}`, t('sel.admin.threshold'), { type: 'number', min: 0 }),
    field(`top_n${n}`, t('sel.admin.topN'), { type: 'number', min: 1 }),
    field(`course${n}`, t('sel.admin.course'), { type: 'number', min: 1 }));
}

function newIntake(ctx, scope) {
  const box = messageBox();
  const stages = h('div', { class: 'stages' }, stageFields(1));
  let count = 1;
  const more = h('button', { type: 'button' }, t('sel.admin.addStage'));
  more.addEventListener('click', () => {
    if (count >= 20) return;
    stages.append(stageFields(++count));
    stages.lastChild.querySelector('select').focus();
  });
  const button = h('button', { type: 'submit', class: 'primary' }, t('sel.admin.create'));
  const form = h('form', { class: 'new-intake' },
    field('section_id', t('sel.admin.section'), { type: 'number', min: 1, required: true }),
    field('title_ko', t('sel.admin.titleKo'), { required: true, maxlength: 200 }),
    field('title_en', t('sel.admin.titleEn'), { required: true, maxlength: 200 }),
    field('opens_at', t('sel.admin.opens'), { type: 'datetime-local', required: true }),
    field('closes_at', t('sel.admin.closes'), { type: 'datetime-local', required: true }),
    field('offer_hours', t('sel.admin.offerHours'), { type: 'number', min: 1, max: 1440, value: 72 }),
    h('div', { class: 'field' }, h('label', {}, h('input', { type: 'checkbox', name: 'blind_review' }), ' ', t('sel.admin.blind'))),
    stages, h('div', { class: 'actions' }, more, button));
  onSubmit(form, button, box, async (el) => {
    const body = {
      section_id: Number(el.section_id.value),
      title_ko: el.title_ko.value, title_en: el.title_en.value,
      opens_at: localToRfc3339(el.opens_at.value), closes_at: localToRfc3339(el.closes_at.value),
      offer_hours: Number(el.offer_hours.value) || 72,
      blind_review: el.blind_review.checked,
      stages: [],
    };
    for (let n = 1; n <= count; n++) {
      const st = { kind: el[`kind${n}`].value, name_ko: el[`name_ko${n}`].value, name_en: el[`name_en${n}`].value, rule: el[`rule${n}`].value };
      if (st.rule === 'threshold') st.threshold = Number(el[`threshold${n}`].value);
      if (st.rule === 'top_n') st.top_n = Number(el[`top_n${n}`].value);
      if (st.kind === 'precourse') st.course_id = Number(el[`course${n}`].value);
      body.stages.push(st);
    }
    const intake = await post('/api/v1/intakes', body);
    showMessage(box, t('sel.admin.created'));
    ctx.navigate(`/admin/intakes/${intake.id}`, scope.query());
  });
  return h('section', {}, h('h2', {}, t('sel.admin.new')), box, form);
}

async function review(ctx) {
  ctx.view.classList.add('admin');
  const box = messageBox();
  box.tabIndex = -1;
  let intake;
  let apps = [];
  try {
    intake = await get(`/api/v1/intakes/${encodeURIComponent(ctx.params.id)}`);
    apps = (await get(`/api/v1/intakes/${intake.id}/applications`)).items;
  } catch (e) {
    append(ctx.view, [heading(t('sel.admin.review')), box]);
    showError(box, e);
    return;
  }
  if (ctx.stale()) return;
  const holder = h('div', { class: 'table-wrap' });
  const draw = () => replace(holder, reviewTable(intake, apps, record));

  async function record(a, form, button) {
    const st = intake.stages.find((s) => s.position === a.stage);
    const body = { stage_id: st.id };
    if (form.score.value !== '') body.score = Number(form.score.value);
    if (form.decision.value) body.decision = form.decision.value;
    await busy(button, async () => {
      try {
        const now = await post(`/api/v1/applications/${a.id}/results`, body);
        apps[apps.indexOf(a)] = now;
        draw();
        showMessage(box, t('sel.admin.recorded', { name: a.display_name || t('sel.admin.blindName', { id: a.id }) }));
        const next = holder.querySelector(`tr[data-application="${a.id}"]`)?.nextElementSibling?.querySelector('input, select');
        (next || box).focus();
      } catch (err) {
        showError(box, err);
      }
    });
  }

  const offers = h('button', { type: 'button', class: 'primary' }, t('sel.admin.offers'));
  offers.addEventListener('click', () => busy(offers, async () => {
    try {
      const r = await post(`/api/v1/intakes/${intake.id}/offers`);
      apps = (await get(`/api/v1/intakes/${intake.id}/applications`)).items;
      draw();
      showMessage(box, t('sel.admin.offered', { n: r.offered }));
    } catch (err) {
      showError(box, err);
    }
  }));
  const closers = intake.stages.filter((s) => s.rule === 'top_n' || s.kind === 'precourse').map((s) => {
    const b = h('button', { type: 'button' }, t('sel.admin.close', { n: s.position }));
    b.addEventListener('click', () => busy(b, async () => {
      try {
        const r = await post(`/api/v1/intakes/${intake.id}/stages/${s.id}/close`);
        apps = (await get(`/api/v1/intakes/${intake.id}/applications`)).items;
        draw();
        showMessage(box, t('sel.admin.closedStage', r));
      } catch (err) {
        showError(box, err);
      }
    }));
    return b;
  });
  append(ctx.view, [
    h('nav', { class: 'crumbs', 'aria-label': 'breadcrumb' }, h('a', { href: '#/admin/intakes' }, t('sel.admin.title'))),
    heading(title(intake)),
    h('p', { class: 'lead' }, t('sel.seats', intake.seats)),
    stageList(intake.stages),
    box,
    h('div', { class: 'actions' }, offers, closers),
    holder,
    interviewSection(intake, apps),
    csvUpload(intake, box, async () => {
      apps = (await get(`/api/v1/intakes/${intake.id}/applications`)).items;
      draw();
    }),
  ]);
  draw();
}

/** One row per application; the row of one waiting in a stage has a small
 *  form (score, decision, Record) reachable with Tab, sent with Enter. */
function reviewTable(intake, apps, record) {
  const cols = ['applicant', 'status', 'stage', 'total', 'record'].map((k) => t(k === 'status' || k === 'stage' ? `sel.${k}` : `sel.admin.${k}`));
  return listTable('intake-review', t('sel.admin.applicants', { n: apps.length }), cols, apps.map((a) => {
    const name = a.display_name || t('sel.admin.blindName', { id: a.id });
    const st = a.stage ? intake.stages.find((s) => s.position === a.stage) : null;
    let cell = '';
    if (st) {
      const button = h('button', { type: 'submit' }, t('sel.admin.record'));
      const form = h('form', { class: 'inline' },
        h('input', { name: 'score', type: 'number', min: 0, 'aria-label': `${t('sel.admin.score')}: ${name}`, disabled: st.rule === 'pass_fail' }),
        h('select', { name: 'decision', 'aria-label': `${t('sel.admin.decision')}: ${name}`, disabled: st.rule !== 'pass_fail' || st.kind === 'precourse' },
          h('option', { value: '' }, '—'), h('option', { value: 'pass' }, t('sel.admin.pass')), h('option', { value: 'fail' }, t('sel.admin.fail'))),
        button);
      form.addEventListener('submit', (e) => {
        e.preventDefault();
        record(a, form, button);
      });
      cell = form;
    }
    return h('tr', { dataset: { application: a.id } },
      h('th', { scope: 'row', 'data-label': cols[0] }, name, a.email ? h('span', { class: 'muted' }, ` ${a.email}`) : null),
      h('td', { 'data-label': cols[1] }, h('span', { class: `badge status-${a.status}` }, t(`sel.st.${a.status}`))),
      h('td', { 'data-label': cols[2] }, st ? pick({ title_ko: st.name_ko, title_en: st.name_en }) : ''),
      h('td', { 'data-label': cols[3] }, a.total_score ?? ''),
      h('td', { 'data-label': cols[4] }, cell));
  }));
}

function csvUpload(intake, box, reload) {
  const out = h('div', { class: 'csv-result', 'aria-live': 'polite' });
  const file = h('input', { type: 'file', name: 'file', accept: '.csv,text/csv', id: 'decision-file' });
  const preview = h('button', { type: 'button' }, t('sel.admin.preview'));
  const apply = h('button', { type: 'button', class: 'primary', disabled: true }, t('sel.admin.apply'));
  const send = async (dry, button) => busy(button, async () => {
    try {
      const text = await file.files[0]?.text();
      if (text === undefined) return;
      let r;
      try {
        r = await request('POST', `/api/v1/intakes/${intake.id}/decisions?dry_run=${dry}`, { body: text, type: 'text/csv' });
      } catch (err) {
        if (err.status !== 422 || !err.problem) throw err;
        r = err.problem;
      }
      replace(out, result(r));
      apply.disabled = !dry || r.refused > 0;
      if (!dry && r.applied) {
        showMessage(box, t('sel.admin.csvApplied', r));
        apply.disabled = true;
        await reload();
      } else if (dry) {
        apply.disabled = r.refused > 0;
      }
    } catch (err) {
      showError(box, err);
    }
  });
  file.addEventListener('change', () => { apply.disabled = true; replace(out); });
  preview.addEventListener('click', () => send(true, preview));
  apply.addEventListener('click', () => send(false, apply));
  return h('section', { class: 'decisions' },
    h('h2', {}, t('sel.admin.csv')),
    h('p', { class: 'hint' }, t('sel.admin.csvHelp')),
    h('div', { class: 'field' }, h('label', { for: 'decision-file' }, t('sel.admin.csvFile')), file),
    h('div', { class: 'actions' }, preview, apply),
    out);
}

function result(r) {
  const rows = [
    ...r.errors.map((e) => ({ line: e.line, kind: 'error', text: `${e.column ? `${e.column}: ` : ''}${e.message}` })),
    ...r.diff.map((d) => ({
      line: d.line, kind: 'change',
      text: d.outcome === 'unchanged' ? `#${d.application_id} ${t('sel.admin.unchanged')}`
        : `#${d.application_id} ${t(`sel.st.${d.from.status}`)}${d.from.stage ? ` (${d.from.stage})` : ''} → ${t(`sel.st.${d.to.status}`)}${d.to.stage ? ` (${d.to.stage})` : ''}`,
    })),
  ].sort((a, b) => a.line - b.line);
  const cols = [t('sel.admin.line'), t('sel.admin.change')];
  return [listTable('decision-diff', t('sel.admin.csvSummary', r), cols, rows.map((x) =>
      h('tr', { class: x.kind === 'error' ? 'error' : null },
        h('th', { scope: 'row', 'data-label': cols[0] }, String(x.line)),
        h('td', { 'data-label': cols[1] }, x.kind === 'error' ? `${t('sel.admin.error')}: ${x.text}` : x.text))))];
}
