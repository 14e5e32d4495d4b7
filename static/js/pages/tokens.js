// tokens.js - the institution's API tokens: the list with each one's state,
// a form that makes one and shows its secret once, and revocation.

import { h, append, field, replace, newId } from '../dom.js';
import { t } from '../i18n.js';
import { getAll, post, del, isPlatformAdmin } from '../api.js';
import { messageBox, showMessage, showError, busy, confirmDialog, copyField } from '../ui.js';
import { dateTime } from '../format.js';
import { adminScope, adminTop, listTable, onSubmit } from './admin_scope.js';

export default async function render(ctx) {
  const scope = await adminScope(ctx);
  const box = messageBox();
  box.tabIndex = -1; // takes the focus after a revocation redraws the list
  const holder = h('div', { class: 'table-wrap' });
  const secret = h('div', { class: 'token-secret-holder' });

  async function load() {
    try {
      const items = await getAll('/api/v1/tokens', { institution_id: scope.id });
      replace(holder, items.length ? table(items, revoke) : h('p', {}, t('admin.tokens.none')));
    } catch (e) {
      showError(box, e);
    }
  }

  async function revoke(tok, button) {
    const ok = await confirmDialog(t('admin.tokens.revokeQ', { name: tok.name }), { confirmLabel: t('admin.tokens.revoke'), destructive: true });
    if (!ok) return;
    await busy(button, async () => {
      try {
        await del(`/api/v1/tokens/${tok.id}`);
        await load();
        showMessage(box, t('admin.tokens.revokedMsg', { name: tok.name }));
        box.focus();
      } catch (e) {
        showError(box, e);
      }
    });
  }

  await load();
  if (ctx.stale()) return;
  append(ctx.view, [
    adminTop(ctx, scope, t('admin.tokens.title')),
    h('p', {}, t('admin.tokens.intro')),
    box,
    holder,
    secret,
    createForm(scope, secret, load),
  ]);
}

function state(tok) {
  if (tok.revoked_at) return ['revoked', 'status-cancelled'];
  if (tok.expires_at && new Date(tok.expires_at) <= new Date()) return ['expired', 'status-closed'];
  return ['active', 'status-open'];
}

function table(items, revoke) {
  const cols = ['name', 'prefix', 'scopes', 'created', 'expires', 'lastUsed', 'state', 'actions']
    .map((k) => t(`admin.tokens.${k}`));
  return listTable('tokens', t('admin.tokens.caption', { n: items.length }), cols, items.map((tok) => {
    const [word, cls] = state(tok);
    let action = null;
    if (word === 'active') {
      action = h('button', { type: 'button', class: 'danger', 'aria-label': t('admin.tokens.revokeOne', { name: tok.name }) }, t('admin.tokens.revoke'));
      action.addEventListener('click', () => revoke(tok, action));
    }
    return h('tr', { dataset: { token: tok.id } },
      h('th', { scope: 'row', 'data-label': cols[0] }, tok.name),
      h('td', { 'data-label': cols[1] }, h('code', {}, `${tok.token_prefix}…`)),
      h('td', { 'data-label': cols[2] }, (tok.scopes || []).map((s) => t(`admin.scope.${s}`)).join(', ')),
      h('td', { 'data-label': cols[3] }, dateTime(tok.created_at)),
      h('td', { 'data-label': cols[4] }, dateTime(tok.expires_at)),
      h('td', { 'data-label': cols[5] }, tok.last_used_at ? dateTime(tok.last_used_at) : t('admin.tokens.never')),
      h('td', { 'data-label': cols[6] }, h('span', { class: `badge ${cls}` }, t(`admin.tokens.${word}`)),
        tok.revoked_at ? h('span', { class: 'muted' }, ` ${dateTime(tok.revoked_at)}`) : null),
      h('td', { 'data-label': action ? cols[7] : null }, action));
  }));
}

// The secret comes back once, in this answer only: it is shown in a
// read-only field with a copy button, and gone when the page is left.
function showSecret(holder, made) {
  const id = newId('token');
  const input = h('input', { id, type: 'text', readonly: true, value: made.token, class: 'secret', spellcheck: 'false', autocomplete: 'off' });
  const note = h('span', { class: 'copied', role: 'status' });
  const copy = h('button', { type: 'button' }, t('admin.tokens.copy'));
  copy.addEventListener('click', async () => {
    note.textContent = t(await copyField(input) ? 'admin.tokens.copied' : 'admin.tokens.copyByHand');
  });
  replace(holder, h('section', { class: 'token-secret message warn', 'aria-labelledby': `${id}-title` },
    h('h2', { id: `${id}-title` }, t('admin.tokens.madeTitle', { name: made.name })),
    h('p', {}, t('admin.tokens.once')),
    h('label', { for: id }, t('admin.tokens.secret')),
    h('div', { class: 'secret-row' }, input, copy, note)));
  input.focus();
  input.select();
}

function createForm(scope, secretHolder, reload) {
  const box = messageBox();
  const scopes = ['reports:read', 'audit:read', ...(isPlatformAdmin() ? ['metrics:read'] : [])];
  const save = h('button', { type: 'submit', class: 'primary' }, t('admin.tokens.create'));
  const form = h('form', { class: 'stack token-form', 'aria-labelledby': 'token-form-title' },
    h('h2', { id: 'token-form-title' }, t('admin.tokens.new')),
    field('name', t('admin.tokens.name'), { required: true, maxlength: 100, autocomplete: 'off', hint: t('admin.tokens.nameHint') }),
    h('fieldset', { class: 'field scopes', dataset: { field: 'scopes' }, 'aria-describedby': 'token-scopes-hint' },
      h('legend', {}, t('admin.tokens.scopes')),
      scopes.map((s, i) => h('div', { class: 'check' },
        h('input', { type: 'checkbox', id: `token-scope-${i}`, name: 'scopes', value: s, checked: s === 'reports:read' }),
        h('label', { for: `token-scope-${i}` }, t(`admin.scope.${s}`), ' ', h('code', {}, s)))),
      h('p', { class: 'hint', id: 'token-scopes-hint' }, t('admin.tokens.scopesHint'))),
    field('expires_in_days', t('admin.tokens.days'), {
      type: 'number', min: 1, max: 365, value: 90, required: true, inputmode: 'numeric', hint: t('admin.tokens.daysHint'),
    }),
    box,
    h('div', { class: 'actions' }, save));

  onSubmit(form, save, box, async (el) => {
    const made = await post('/api/v1/tokens', {
      institution_id: scope.id,
      name: el.name.value.trim(),
      scopes: [...form.querySelectorAll('input[name="scopes"]:checked')].map((c) => c.value),
      expires_in_days: Number(el.expires_in_days.value),
    });
    el.name.value = '';
    replace(box);
    box.className = 'message';
    await reload();
    showSecret(secretHolder, made);
  });
  return form;
}
