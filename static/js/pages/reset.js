// reset.js - the page a reset link opens (#/reset-password?token=...):
// a new password under the sign-up rules; every session ends with it.

import { h, replace, field, formValues } from '../dom.js';
import { register, t } from '../i18n.js';
import { post, loadSession } from '../api.js';
import { heading, messageBox, showError, busy } from '../ui.js';
import S from '../strings/mail.js';
import L from '../strings/learner.js';

register(S);
register(L);

// The password policy's words from the server, said in the reader's language
// (as on the sign-up page); anything else as the server wrote it.
const FIELD_MESSAGES = [
  [/^must be at least 10 characters/, 'auth.err.short'],
  [/^must not be your email/, 'auth.err.isEmail'],
  [/^is too common/, 'auth.err.common'],
];

function localise(err) {
  err.errors = (err.errors || []).map((e) => {
    const hit = FIELD_MESSAGES.find(([re]) => re.test(e.message || ''));
    return hit ? { ...e, message: t(hit[1]) } : e;
  });
  return err;
}

export default async function render({ view, query }) {
  const token = query.get('token') || '';
  if (!token) {
    replace(view, heading(t('mail.resetTitle')), h('p', { role: 'alert' }, t('mail.noToken')),
      h('p', {}, h('a', { href: '#/forgot-password' }, t('mail.askAgain'))));
    return;
  }
  const form = h('form', { class: 'stack', novalidate: true },
    messageBox(),
    field('new_password', t('mail.newPassword'), {
      type: 'password', autocomplete: 'new-password', required: true, hint: t('auth.passwordRules'),
    }),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, t('mail.resetSave'))));
  const box = form.querySelector('.message');
  const submit = form.querySelector('button[type="submit"]');
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    busy(submit, async () => {
      try {
        await post('/api/v1/auth/password/reset', { token, new_password: formValues(form).new_password || '' });
        // This browser's session, if any, has ended with the others.
        await loadSession().catch(() => null);
        replace(form, h('div', { class: 'message ok', role: 'status' },
          h('p', {}, t('mail.resetDone')), h('p', {}, h('a', { href: '#/login' }, t('auth.toLogin')))));
      } catch (err) {
        showError(box, localise(err), form);
        if (err.code === 'token_invalid') {
          box.append(h('p', {}, h('a', { href: '#/forgot-password' }, t('mail.askAgain'))));
        }
      }
    });
  });
  replace(view, heading(t('mail.resetTitle')), h('p', {}, t('mail.resetIntro')), form);
}
