// forgot.js - the forgotten-password page (#/forgot-password): asks for a
// reset link by mail. The answer is the same whether or not an account has
// the address.

import { h, replace, field, formValues } from '../dom.js';
import { register, t } from '../i18n.js';
import { post } from '../api.js';
import { heading, messageBox, showError, showMessage, busy } from '../ui.js';
import S from '../strings/mail.js';

register(S);

export default async function render({ view }) {
  const form = h('form', { class: 'stack', novalidate: true },
    messageBox(),
    field('email', t('field.email'), { type: 'email', autocomplete: 'email', required: true, maxlength: 254 }),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, t('mail.forgotSend'))));
  const box = form.querySelector('.message');
  const submit = form.querySelector('button[type="submit"]');
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    busy(submit, async () => {
      try {
        await post('/api/v1/auth/password/forgot', { email: (formValues(form).email || '').trim() });
        showMessage(box, h('p', {}, t('mail.forgotSent')));
      } catch (err) {
        showError(box, err, form);
      }
    });
  });
  replace(view, heading(t('mail.forgotTitle')), h('p', {}, t('mail.forgotIntro')), form,
    h('p', {}, h('a', { href: '#/login' }, t('auth.toLogin'))));
}
