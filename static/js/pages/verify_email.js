// verify.js - the page a verification link opens (#/verify-email?token=...)
// posts the token; signed in and unverified, it offers a new message. Also
// the banner the frame shows an unverified user on every page.

import { h, replace } from '../dom.js';
import { register, t } from '../i18n.js';
import { post, loadSession } from '../api.js';
import { heading, messageBox, showError, showMessage, busy } from '../ui.js';
import S from '../strings/mail.js';

register(S);

function resendButton(box) {
  const button = h('button', { type: 'button' }, t('mail.resend'));
  button.addEventListener('click', () => busy(button, async () => {
    try {
      await post('/api/v1/me/email/verification', {});
      showMessage(box, h('p', {}, t('mail.resent')));
    } catch (err) {
      showError(box, err);
    }
  }));
  return button;
}

/** The banner for a signed-in user whose address is not verified, or null. */
export function verifyBanner(user) {
  if (!user || user.email_verified !== false) return null;
  const box = messageBox();
  return h('aside', { class: 'verify-banner', 'aria-label': t('mail.verifyTitle') },
    h('p', {}, t('mail.bannerText')), h('div', { class: 'actions' }, resendButton(box)), box);
}

export default async function render({ view, query, user }) {
  const token = query.get('token') || '';
  const box = messageBox();
  if (!token) {
    replace(view, heading(t('mail.verifyTitle')), h('p', { role: 'alert' }, t('mail.noToken')),
      user && user.email_verified === false ? h('div', { class: 'actions' }, resendButton(box)) : null, box);
    return;
  }
  showMessage(box, h('p', {}, t('mail.verifying')));
  replace(view, heading(t('mail.verifyTitle')), box);
  try {
    await post('/api/v1/auth/email/verify', { token });
    await loadSession().catch(() => null);
    showMessage(box, [h('p', {}, t('mail.verified')), h('p', {}, h('a', { href: '#/' }, t('mail.toCatalog')))]);
  } catch (err) {
    showError(box, err);
    if (user && user.email_verified === false) view.append(h('div', { class: 'actions' }, resendButton(messageBox())));
  }
}
