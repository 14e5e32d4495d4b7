// admin_mail.js - failed mail, for platform admins: the messages the
// outbox gave up on (recipient, kind in words, attempts, last error, when)
// with a button per message that puts it back in the queue. Messages that
// carried a link (reset, verification) cannot be sent again: their link is
// gone, so the row says so instead of offering a button.

import { h, append, replace } from '../dom.js';
import { t, has, register } from '../i18n.js';
import { get, post, isPlatformAdmin } from '../api.js';
import { heading, messageBox, showMessage, showError, busy, confirmDialog } from '../ui.js';
import { dateTime, number } from '../format.js';
import { crumbs, listTable } from './admin_scope.js';
import F from '../strings/failed_mail.js';

register(F);

const kindName = (kind) => (has(`fmail.kind.${kind}`) ? t(`fmail.kind.${kind}`) : kind);

// A page of its own: no institution to pick, so the breadcrumb's links
// need none either.
const noScope = { href: (path) => `#${path}` };

export default async function render(ctx) {
  ctx.view.classList.add('admin', 'failed-mail');
  const top = [crumbs(noScope, [[t('fmail.title')]]), heading(t('fmail.title'))];
  if (!isPlatformAdmin()) {
    append(ctx.view, [top,
      h('div', { class: 'message error', role: 'alert' }, h('p', {}, t('fmail.platformOnly'))),
      h('p', {}, h('a', { href: '#/admin' }, t('fmail.toDashboard')))]);
    return;
  }
  const box = messageBox();
  box.tabIndex = -1; // takes the focus after a retry redraws the list
  const holder = h('div', { class: 'table-wrap' });

  async function load() {
    try {
      const items = (await get('/api/v1/mail/failed')).messages || [];
      replace(holder, items.length ? table(items, retry) : h('div', { class: 'empty-state' }, h('p', {}, t('fmail.none'))));
    } catch (e) {
      showError(box, e);
    }
  }

  async function retry(m, button) {
    const vars = { to: m.to_address, kind: kindName(m.kind) };
    const ok = await confirmDialog(t('fmail.retryQ', vars), { confirmLabel: t('fmail.retry'), cancelLabel: t('app.goBack'), safeFocus: true });
    if (!ok) {
      button.focus();
      return;
    }
    await busy(button, async () => {
      try {
        await post(`/api/v1/mail/${m.id}/retry`);
        await load();
        showMessage(box, t('fmail.retried', vars));
        box.focus();
      } catch (e) {
        showError(box, e);
        box.focus();
      }
    });
  }

  await load();
  if (ctx.stale()) return;
  append(ctx.view, [top,
    h('p', { class: 'lead' }, t('fmail.intro')),
    h('p', { class: 'muted' }, t('fmail.linkNote')),
    box,
    holder]);
}

function table(items, retry) {
  const cols = ['recipient', 'kind', 'attempts', 'lastError', 'when', 'actions'].map((k) => t(`fmail.${k}`));
  return listTable('failed-mail-list', t('fmail.caption', { n: number(items.length) }), cols, items.map((m) => {
    let action;
    // The server says which it would send again: not those whose link
    // was removed once they failed.
    if (!m.retryable) {
      action = h('span', { class: 'muted' }, t('fmail.newLink'));
    } else {
      action = h('button', { type: 'button', 'aria-label': t('fmail.retryOne', { to: m.to_address }) }, t('fmail.retry'));
      action.addEventListener('click', () => retry(m, action));
    }
    return h('tr', { dataset: { message: m.id } },
      h('th', { scope: 'row', 'data-label': cols[0] }, h('span', { class: 'address' }, m.to_address)),
      h('td', { 'data-label': cols[1] }, kindName(m.kind)),
      h('td', { 'data-label': cols[2] }, t('fmail.attemptsN', { n: number(m.attempts) })),
      h('td', { 'data-label': cols[3] }, m.last_error ? h('span', { class: 'error-text' }, m.last_error) : h('span', { class: 'muted' }, t('fmail.noError'))),
      h('td', { 'data-label': cols[4] }, dateTime(m.created_at)),
      h('td', { 'data-label': cols[5] }, action));
  }));
}
