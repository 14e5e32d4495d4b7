// email_confirm.js - the page the e-mail change link opens
// (#/email/confirm?token=...): it sends the token once and says the result.

import { h, append } from '../dom.js';
import { register, t } from '../i18n.js';
import { post, loadSession } from '../api.js';
import { heading, messageBox, showMessage, showError } from '../ui.js';
import S from '../strings/accounts.js';

register(S);

export default async function render(ctx) {
  const box = messageBox();
  append(ctx.view, [heading(t('email.title')), box]);
  const token = ctx.query.get('token');
  if (!token) {
    showMessage(box, t('email.noToken'), 'error');
    return;
  }
  showMessage(box, t('email.working'));
  try {
    const out = await post('/api/v1/me/email/confirm', { token });
    await loadSession().catch(() => {});
    showMessage(box, h('p', {}, t('email.done', { email: out.email })));
    append(ctx.view, [h('p', {}, h('a', { href: '#/profile' }, t('profile.title')))]);
  } catch (err) {
    showError(box, err);
  }
}
