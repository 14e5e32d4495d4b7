// notifications.js - notification settings (#/notifications): every kind of
// notice; the optional ones can be turned off, the others are always sent.

import { h, replace } from '../dom.js';
import { register, t } from '../i18n.js';
import { get, put } from '../api.js';
import { heading, messageBox, showError, showMessage, busy } from '../ui.js';
import S from '../strings/mail.js';

register(S);

function row(n) {
  const id = `notice-${n.kind.replace(/\W/g, '-')}`;
  return h('div', { class: 'field check' },
    h('input', {
      type: 'checkbox', id, name: n.kind, checked: n.enabled, disabled: !n.optional,
      'aria-describedby': n.optional ? null : `${id}-hint`,
    }),
    h('label', { for: id }, t(`mail.kind.${n.kind}`)),
    n.optional ? null : h('span', { class: 'hint', id: `${id}-hint` }, ` (${t('mail.required')})`));
}

export default async function render({ view }) {
  const { notifications } = await get('/api/v1/me/notifications');
  const box = messageBox();
  const form = h('form', { class: 'stack', novalidate: true },
    box,
    h('fieldset', { class: 'notice-kinds' }, h('legend', {}, t('mail.settingsTitle')), notifications.map(row)),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, t('mail.save'))));
  const submit = form.querySelector('button[type="submit"]');
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const body = {};
    for (const n of notifications) if (n.optional) body[n.kind] = form.elements[n.kind].checked;
    busy(submit, async () => {
      try {
        await put('/api/v1/me/notifications', { notifications: body });
        showMessage(box, h('p', {}, t('mail.saved')));
      } catch (err) {
        showError(box, err, form);
      }
    });
  });
  replace(view, heading(t('mail.settingsTitle')), h('p', {}, t('mail.settingsIntro')), form);
}
