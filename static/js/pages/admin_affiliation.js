// admin_affiliation.js - an institution's affiliation claims to approve or
// turn down (with a reason the person is told), and its e-mail domains
// (#/admin/affiliation).

import { h, append, replace, field, formValues } from '../dom.js';
import { register, t, pick } from '../i18n.js';
import { get, post, patch, del, isPlatformAdmin } from '../api.js';
import { messageBox, showMessage, showError, busy, confirmDialog } from '../ui.js';
import { dateTime } from '../format.js';
import { adminScope, adminTop, listTable } from './admin_scope.js';
import S from '../strings/accounts.js';

register(S);

export default async function render(ctx) {
  const scope = await adminScope(ctx);
  if (ctx.stale()) return;
  const box = messageBox();
  const claims = h('div', { class: 'table-wrap' });
  const domains = h('div', {});

  async function loadClaims() {
    const page = await get(`/api/v1/institutions/${scope.id}/affiliation-claims?status=pending&limit=100`);
    const cols = [t('field.display_name'), t('field.email'), t('field.ladder_stage'), '', ''];
    replace(claims, page.items.length ? listTable('claims', t('affil.claims'), cols, page.items.map((c) => {
      const ok = h('button', { type: 'button', class: 'small primary' }, t('affil.approve'));
      const no = h('button', { type: 'button', class: 'small danger' }, t('affil.reject'));
      ok.addEventListener('click', () => busy(ok, () => decide(c, 'approved')));
      no.addEventListener('click', () => busy(no, () => decide(c, 'rejected')));
      return h('tr', { dataset: { claim: c.id } },
        h('th', { scope: 'row', 'data-label': cols[0] }, c.user.display_name),
        h('td', { 'data-label': cols[1] }, c.user.email),
        h('td', { 'data-label': cols[2] }, t(`stage.${c.user.ladder_stage}`)),
        h('td', {}, dateTime(c.created_at)),
        h('td', {}, h('div', { class: 'actions' }, ok, no)));
    })) : h('p', {}, t('affil.none')));
  }

  async function decide(c, status) {
    let reason;
    if (status === 'rejected') {
      reason = await confirmDialog(t('affil.rejectQ', { name: c.user.display_name }), { confirmLabel: t('affil.reject'), withReason: true });
      if (!reason) return;
    }
    try {
      await patch(`/api/v1/affiliation-claims/${c.id}`, reason ? { status, reason } : { status });
      showMessage(box, t(status === 'approved' ? 'affil.approved' : 'affil.rejected', { name: c.user.display_name }));
      await loadClaims();
    } catch (err) {
      showError(box, err);
    }
  }

  async function loadDomains() {
    const page = await get(`/api/v1/institutions/${scope.id}/domains`);
    replace(domains, page.items.length ? h('ul', { class: 'domains' }, page.items.map((d) => {
      const b = h('button', { type: 'button', class: 'small danger', 'aria-label': `${t('affil.removeDomain')} ${d.domain}` }, t('affil.removeDomain'));
      b.addEventListener('click', async () => {
        if (!await confirmDialog(t('affil.removeQ', { domain: d.domain }), { confirmLabel: t('affil.removeDomain') })) return;
        await busy(b, async () => {
          try {
            await del(`/api/v1/institutions/${scope.id}/domains/${encodeURIComponent(d.domain)}`);
            await loadDomains();
          } catch (err) {
            showError(box, err);
          }
        });
      });
      return h('li', {}, h('code', {}, d.domain), ' ', b);
    })) : h('p', {}, t('affil.domainsNone')));
  }

  const add = h('form', { class: 'stack', novalidate: true },
    field('domain', t('affil.domain'), { required: true, maxlength: 253, autocomplete: 'off' }),
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, t('affil.addDomain'))));
  add.addEventListener('submit', (e) => {
    e.preventDefault();
    busy(add.querySelector('button'), async () => {
      try {
        await post(`/api/v1/institutions/${scope.id}/domains`, { domain: add.domain.value.trim() });
        add.reset();
        await loadDomains();
      } catch (err) {
        showError(box, err, add);
      }
    });
  });

  try {
    await Promise.all([loadClaims(), loadDomains()]);
  } catch (err) {
    showError(box, err);
  }
  if (ctx.stale()) return;
  append(ctx.view, [
    adminTop(ctx, scope, t('affil.title')),
    h('p', {}, t('affil.intro')),
    box,
    h('h2', {}, t('affil.claims')),
    claims,
    h('h2', {}, t('affil.domains')),
    domains,
    add,
    isPlatformAdmin() ? institutionForm(box) : null,
  ]);
}

const KINDS = ['city', 'education_office', 'science_museum', 'university', 'graduate_school', 'company', 'public_agency'];

// The operating committee adds institutions of every kind (a regional
// company, a public agency) so that their people can be affiliated.
function institutionForm(box) {
  const form = h('form', { class: 'stack', novalidate: true, 'aria-labelledby': 'new-inst' },
    h('h2', { id: 'new-inst' }, t('inst.title')),
    field('code', t('inst.code'), { required: true, maxlength: 40, autocomplete: 'off' }),
    field('kind', t('inst.kind'), {}, KINDS.map((k) => ({ value: k, label: t(`kind.${k}`), selected: k === 'company' }))),
    field('name_ko', t('inst.name_ko'), { required: true, maxlength: 200 }),
    field('name_en', t('inst.name_en'), { required: true, maxlength: 200 }),
    field('region', t('inst.region'), { maxlength: 40 }),
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, t('inst.create'))));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    busy(form.querySelector('button'), async () => {
      try {
        const v = formValues(form);
        const body = { code: (v.code || '').trim(), kind: v.kind, name_ko: (v.name_ko || '').trim(), name_en: (v.name_en || '').trim() };
        if (v.region) body.region = v.region.trim();
        const inst = await post('/api/v1/institutions', body);
        form.reset();
        showMessage(box, t('inst.created', { name: pick(inst, 'name') }));
        box.scrollIntoView();
      } catch (err) {
        showError(box, err, form);
      }
    });
  });
  return form;
}
