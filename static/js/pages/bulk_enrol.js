// bulk_enrol.js - #/admin/sections/:id/enrol: an institution's admin enrols
// learners into one section: one by e-mail (with a reason when an
// eligibility rule must be overridden), or a CSV file, previewed as a table
// of what each row would do and then applied as a whole.

import { h, append, replace, field, showFieldErrors } from '../dom.js';
import { register, t, pick } from '../i18n.js';
import { get, post, request, withQuery } from '../api.js';
import { heading, messageBox, showMessage, showError, busy, confirmDialog, statusBadge } from '../ui.js';
import { number, termName } from '../format.js';
import { orRefusal } from './teach.js';
import S from '../strings/bulk.js';

register(S);

// Rows drawn in the table at most; errors and refusals are always drawn.
const SHOWN = 500;
const RESULTS = ['enroll', 'waitlist', 'invite', 'unchanged', 'refused', 'error'];

function seatsLine(sec) {
  return h('p', { class: 'muted' }, t('bulk.seats', {
    capacity: number(sec.capacity), enrolled: number(sec.enrolled_count), waitlist: number(sec.waitlist_length),
  }));
}

// One learner by e-mail.
function oneForm(sectionId, refresh) {
  const box = messageBox();
  const form = h('form', { novalidate: true },
    field('email', t('bulk.email'), { type: 'email', required: true, autocomplete: 'off' }),
    field('override_reason', t('bulk.override'), { tag: 'textarea', rows: 2, maxlength: 500, hint: t('bulk.overrideHint') }),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, t('bulk.enrol'))));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const email = form.elements.email.value.trim();
    const reason = form.elements.override_reason.value.trim();
    await busy(form.querySelector('button[type=submit]'), async () => {
      try {
        const e = await post(`/api/v1/sections/${sectionId}/enrollments/on-behalf`,
          reason ? { email, override_reason: reason } : { email });
        showFieldErrors(form, []);
        showMessage(box, e.status === 'waitlisted'
          ? t('bulk.waitlisted', { email, n: number(e.waitlist_position) })
          : t('bulk.enrolled', { email }), 'ok');
        if (e.overridden) box.append(h('p', {}, t('bulk.overridden', { code: t(`bulk.code.${e.overridden}`) })));
        form.reset();
        await refresh();
      } catch (err) {
        showError(box, err, form);
        if (err.status === 403 || ['enrollment_closed', 'enrollment_not_open'].includes(err.code)) {
          box.append(h('p', {}, t('bulk.overrideNeeded')));
          form.elements.override_reason.focus();
        }
      }
    });
    box.focus?.();
  });
  return h('section', { 'aria-labelledby': 'bulk-one' },
    h('h2', { id: 'bulk-one' }, t('bulk.one')), h('p', {}, t('bulk.oneIntro')), box, form);
}

// What a row's "Details" cell says.
function detailOf(r) {
  if (r.result === 'error') {
    if (r.code === 'duplicate_row') return t('bulk.code.duplicate_row', { line: r.detail?.first_line });
    return r.detail?.message || '';
  }
  if (r.result === 'refused') return t(`bulk.code.${r.code}`);
  if (r.result === 'invite') return r.status === 'invited' ? t('bulk.invited') : t('bulk.inviteNew');
  if (r.result === 'unchanged') return r.status === 'invited' ? t('bulk.invited')
    : t('bulk.already', { status: t(`status.${r.status}`) });
  if (r.result === 'waitlist' && r.waitlist_position) return t('bulk.waitPos', { n: number(r.waitlist_position) });
  return '';
}

function resultsTable(answer, onlyProblems) {
  const problem = (r) => r.result === 'error' || r.result === 'refused';
  const rows = answer.rows.filter((r, i) => (onlyProblems ? problem(r) : i < SHOWN || problem(r)));
  return [
    !onlyProblems && answer.rows.length > SHOWN ? h('p', { class: 'message warn' }, t('bulk.rowsTruncated', { n: number(SHOWN) })) : null,
    h('div', { class: 'table-wrap' }, h('table', { class: 'stack-phone bulk-rows' },
      h('caption', {}, t('bulk.rowsCaption', { n: number(answer.rows.length) })),
      h('thead', {}, h('tr', {}, ['bulk.colLine', 'bulk.colEmail', 'bulk.colName', 'bulk.colStage', 'bulk.colResult', 'bulk.colDetail']
        .map((k) => h('th', { scope: 'col' }, t(k))))),
      h('tbody', {}, rows.map((r) => h('tr', { class: `bulk-${r.result}` },
        h('td', { 'data-label': t('bulk.colLine') }, number(r.line)),
        h('th', { scope: 'row', 'data-label': t('bulk.colEmail') }, r.email || ''),
        h('td', { 'data-label': t('bulk.colName') }, r.name || ''),
        h('td', { 'data-label': t('bulk.colStage') }, r.ladder_stage ? t(`stage.${r.ladder_stage}`) : ''),
        h('td', { 'data-label': t('bulk.colResult') }, h('span', { class: `badge bulk-${r.result}` }, t(`bulk.result.${r.result}`))),
        h('td', { 'data-label': t('bulk.colDetail') }, detailOf(r))))))),
  ];
}

function summaryList(s) {
  return h('dl', { class: 'facts bulk-summary' },
    h('dt', {}, t('bulk.sum.rows')), h('dd', {}, number(s.rows)),
    RESULTS.map((k) => [h('dt', {}, t(`bulk.result.${k}`)), h('dd', {}, number(s[k]))]));
}

// A CSV file: preview, then apply the same file.
function fileForm(sectionId, refresh) {
  const box = messageBox();
  const out = h('div', { 'aria-live': 'polite' });
  let previewed = null; // the File the shown preview is of
  const applyButton = h('button', { type: 'button', class: 'primary', disabled: true }, t('bulk.apply'));
  const form = h('form', { novalidate: true },
    field('file', t('bulk.chooseFile'), { type: 'file', accept: '.csv,text/csv', required: true }),
    field('invite_locale', t('bulk.inviteLocale'), {}, [
      { value: 'ko', label: t('bulk.localeKo') }, { value: 'en', label: t('bulk.localeEn') }]),
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, t('bulk.preview')), applyButton));

  const send = (file, apply) => request('POST', withQuery(`/api/v1/sections/${sectionId}/enrollments/bulk`,
    { apply: apply ? 1 : null, invite_locale: form.elements.invite_locale.value }), { body: file, type: 'text/csv' });

  function show(answer) {
    const only = h('input', { type: 'checkbox', id: 'bulk-only' });
    const table = h('div', {}, resultsTable(answer, false));
    only.addEventListener('change', () => replace(table, resultsTable(answer, only.checked)));
    replace(out,
      h('h3', {}, t('bulk.summary')), summaryList(answer.summary),
      h('div', { class: 'field check' }, only, h('label', { for: 'bulk-only' }, t('bulk.onlyProblems'))),
      table);
  }

  form.elements.file.addEventListener('change', () => {
    if (previewed) showMessage(box, t('bulk.fileChanged'), 'warn');
    previewed = null;
    applyButton.disabled = true;
  });
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const file = form.elements.file.files[0];
    if (!file) {
      showFieldErrors(form, [{ field: 'file', message: t('bulk.noFile') }]);
      return;
    }
    await busy(form.querySelector('button[type=submit]'), async () => {
      try {
        const answer = await send(file, false);
        showFieldErrors(form, []);
        show(answer);
        previewed = answer.summary.error ? null : file;
        applyButton.disabled = !previewed;
        if (answer.summary.error) showMessage(box, t('bulk.hasErrors', { n: number(answer.summary.error) }), 'warn');
        else showMessage(box, t('bulk.previewed'), 'ok');
      } catch (err) {
        replace(out);
        showError(box, err, form);
      }
    });
  });
  applyButton.addEventListener('click', async () => {
    const file = form.elements.file.files[0];
    if (!file || file !== previewed) return;
    const s = await send(file, false).then((a) => a.summary).catch(() => null);
    if (!s || !await confirmDialog(t('bulk.confirmApply', {
      n: number(s.rows), enroll: number(s.enroll), waitlist: number(s.waitlist), invite: number(s.invite),
    }), { confirmLabel: t('bulk.apply') })) return;
    await busy(applyButton, async () => {
      let applied = false;
      try {
        const answer = await send(file, true);
        show(answer);
        // Applied: the same file again would change nothing.
        previewed = null;
        const sum = answer.summary;
        showMessage(box, t('bulk.applied', { enroll: number(sum.enroll), waitlist: number(sum.waitlist), invite: number(sum.invite) }), 'ok');
        applied = true;
        await refresh();
      } catch (err) {
        showError(box, err);
      }
      return applied;
    }).then((applied) => { if (applied) applyButton.disabled = true; });
  });
  return h('section', { 'aria-labelledby': 'bulk-file' },
    h('h2', { id: 'bulk-file' }, t('bulk.file')), h('p', {}, t('bulk.fileIntro')), box, form, out);
}

export default async function render({ view, params }) {
  const roster = await orRefusal(view, () => get(`/api/v1/sections/${params.id}/roster`));
  if (!roster) return;
  const sec = roster.section;
  const seats = h('div', {}, seatsLine(sec));
  const refresh = async () => {
    const r = await get(`/api/v1/sections/${params.id}/roster`).catch(() => null);
    if (r) replace(seats, seatsLine(r.section));
  };
  append(view, [
    heading(t('bulk.title')),
    h('p', {}, `${pick(sec.course)} · ${sec.course.code} · ${termName(sec.term)} `, statusBadge(sec.status)),
    seats,
    h('p', {}, h('a', { href: `#/teach/sections/${sec.id}` }, t('bulk.back'))),
    oneForm(sec.id, refresh),
    fileForm(sec.id, refresh)]);
}
