// selection_apply.js - the applicant's side of a selection intake: the
// intake with its stages and the application form (#/intakes/:id), and
// "My applications" with each offer's accept / decline (#/my/applications).

import { h, append, field, replace } from '../dom.js';
import { register, t, pick } from '../i18n.js';
import { get, post, del, request, currentUser } from '../api.js';
import { heading, messageBox, showMessage, showError, busy, confirmDialog } from '../ui.js';
import { dateTime } from '../format.js';
import S from '../strings/selection.js';

register(S);

const title = (o) => pick({ title_ko: o.title_ko, title_en: o.title_en });

export function stageRule(st) {
  return t(`sel.rule.${st.rule}`, { threshold: st.threshold, top_n: st.top_n });
}

export function stageList(stages) {
  return h('ol', { class: 'stages' }, stages.map((st) =>
    h('li', {}, h('strong', {}, pick({ title_ko: st.name_ko, title_en: st.name_en })), ' — ',
      t(`sel.kind.${st.kind}`), ', ', stageRule(st))));
}

export default async function render(ctx) {
  if (ctx.path === '/my/applications') return mine(ctx);
  const box = messageBox();
  let intake;
  try {
    intake = await get(`/api/v1/intakes/${encodeURIComponent(ctx.params.id)}`);
  } catch (e) {
    append(ctx.view, [heading(t('sel.intake')), box]);
    showError(box, e);
    return;
  }
  if (ctx.stale()) return;
  const parts = [
    heading(title(intake)),
    h('p', { class: 'lead' }, pick({ title_ko: intake.course_title_ko, title_en: intake.course_title_en })),
    h('p', {}, `${t('sel.window')}: ${dateTime(intake.opens_at)} – ${dateTime(intake.closes_at)}`),
    h('p', { class: 'muted' }, t('sel.seats', intake.seats)),
    h('h2', {}, t('sel.stages')),
    stageList(intake.stages),
    box,
  ];
  if (!intake.open) parts.push(h('p', {}, t('sel.closed')));
  else if (!currentUser()) parts.push(h('p', {}, h('a', { href: '#/login' }, t('sel.signIn'))));
  else parts.push(applyForm(intake, box, ctx));
  append(ctx.view, parts);
}

function applyForm(intake, box, ctx) {
  const button = h('button', { type: 'submit', class: 'primary' }, t('sel.apply'));
  const form = h('form', { class: 'apply' },
    field('statement', t('sel.statement'), { tag: 'textarea', maxlength: 4000, rows: 5 }),
    h('div', { class: 'actions' }, button));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    busy(button, async () => {
      try {
        const statement = form.elements.statement.value.trim();
        await post(`/api/v1/intakes/${intake.id}/applications`, statement ? { statement } : {});
        showMessage(box, t('sel.applied'));
        ctx.navigate('/my/applications');
      } catch (err) {
        showError(box, err, form);
      }
    });
  });
  return form;
}

async function mine(ctx) {
  const box = messageBox();
  box.tabIndex = -1;
  const holder = h('div', {});
  append(ctx.view, [heading(t('sel.mine')), box, holder]);
  let items = [];
  try {
    items = (await get('/api/v1/me/applications')).items;
  } catch (e) {
    showError(box, e);
    return;
  }
  if (ctx.stale()) return;
  const draw = () => replace(holder, items.length
    ? items.map((a) => card(a, answer))
    : h('p', {}, t('sel.none')));

  async function answer(a, button, what) {
    const name = title(a.intake);
    if (what !== 'accept') {
      const ok = await confirmDialog(t(what === 'decline' ? 'sel.declineQ' : 'sel.withdrawQ', { intake: name }),
        { confirmLabel: t(`sel.${what}`) });
      if (ok === null || ok === false) return;
    }
    await busy(button, async () => {
      try {
        const now = what === 'withdraw'
          ? await del(`/api/v1/applications/${a.id}`)
          : await post(`/api/v1/applications/${a.id}/${what}`);
        items[items.indexOf(a)] = { ...now, intake: a.intake };
        draw();
        showMessage(box, t(what === 'accept' ? 'sel.accepted' : what === 'decline' ? 'sel.declined' : 'sel.withdrawn'));
        box.focus();
      } catch (err) {
        showError(box, err);
      }
    });
  }
  draw();
}

function card(a, answer) {
  const buttons = [];
  const add = (what, cls) => {
    const b = h('button', { type: 'button', class: cls }, t(`sel.${what}`));
    b.addEventListener('click', () => answer(a, b, what));
    buttons.push(b);
  };
  if (a.status === 'offered') {
    add('accept', 'primary');
    add('decline', 'danger');
  } else if (['applied', 'in_stage', 'passed'].includes(a.status)) {
    add('withdraw', 'danger');
  }
  const stage = a.stage ? a.intake.stages.find((s) => s.position === a.stage) : null;
  const docs = ['applied', 'in_stage'].includes(a.status) ? documents(a) : null;
  return h('section', { class: 'card application', dataset: { application: a.id } },
    h('h2', {}, h('a', { href: `#/intakes/${a.intake.id}` }, title(a.intake))),
    h('p', {}, h('span', { class: `badge status-${a.status}` }, t(`sel.st.${a.status}`)),
      stage ? ` ${t('sel.stage')}: ${pick({ title_ko: stage.name_ko, title_en: stage.name_en })}` : ''),
    a.status === 'offered' ? h('p', {}, `${t('sel.deadline')}: ${dateTime(a.offer_expires_at)}`) : null,
    interview(a),
    buttons.length ? h('div', { class: 'actions' }, buttons) : null,
    docs);
}

/** The interview slot the applicant was given, while it is to come. */
function interview(a) {
  const iv = a.interview;
  if (!iv || iv.status !== 'scheduled' || !['applied', 'in_stage'].includes(a.status)) return null;
  const place = iv.facility
    ? `${pick({ title_ko: iv.facility.name_ko, title_en: iv.facility.name_en })}${iv.facility.location ? ` (${iv.facility.location})` : ''}`
    : h('a', { href: iv.online_url, rel: 'noopener' }, t('sel.interview.online'));
  return h('p', { class: 'interview' }, `${t('sel.interview.when')}: ${dateTime(iv.starts_at)} – ${dateTime(iv.ends_at)} · ${t('sel.interview.where')}: `, place);
}

/** The documents of an application under review, and a file to add (PDF,
 *  PNG or JPEG up to 5 MiB). */
function documents(a) {
  const box = messageBox();
  const id = `doc-${a.id}`;
  const file = h('input', { type: 'file', id, accept: '.pdf,.png,.jpg,.jpeg,application/pdf,image/png,image/jpeg' });
  const button = h('button', { type: 'button' }, t('sel.upload'));
  button.addEventListener('click', () => busy(button, async () => {
    const f = file.files[0];
    if (!f) return;
    try {
      await request('POST', `/api/v1/applications/${a.id}/documents?filename=${encodeURIComponent(f.name)}`,
        { body: f, type: f.type || 'application/octet-stream' });
      showMessage(box, t('sel.uploaded', { name: f.name }));
      file.value = '';
    } catch (err) {
      showError(box, err);
    }
  }));
  return h('div', { class: 'documents' },
    h('label', { for: id }, t('sel.document')), file, button,
    h('p', { class: 'hint' }, t('sel.documentHint')), box);
}
