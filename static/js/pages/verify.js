// verify.js - public verification of a certificate (#/verify, #/verify/:serial):
// a form to type a serial, and what the certificate states with its status.

import { h, replace } from '../dom.js';
import { register, t, lang } from '../i18n.js';
import { request, ApiError } from '../api.js';
import { heading, messageBox, showMessage, showError } from '../ui.js';
import S from '../strings/certificates.js';

register(S);

function row(label, ko, en) {
  return [h('dt', {}, t(label)), h('dd', {}, lang() === 'en' && en ? en : ko,
    en && lang() !== 'en' ? h('span', { class: 'muted' }, ` ${en}`) : null)];
}

function statement(st) {
  const valid = st.status === 'valid';
  return h('section', { class: 'card', 'aria-live': 'polite' },
    h('h2', { class: valid ? 'badge status-completed' : 'badge status-cancelled' },
      t(valid ? 'cert.verify.valid' : 'cert.verify.revoked')),
    valid ? null : h('p', {}, t('cert.verify.revokedOn', { date: st.revoked_on })),
    h('p', {}, h('strong', {}, st.serial)),
    h('dl', { class: 'certificate-facts' },
      row('cert.field.name', st.learner_name),
      row('cert.field.course', st.course_title_ko, st.course_title_en),
      row('cert.field.program', st.program_name_ko, st.program_name_en),
      row('cert.field.institution', st.institution_name_ko, st.institution_name_en),
      row('cert.field.period', `${st.starts_on} ~ ${st.ends_on}`),
      row('cert.field.hours', t('cert.hours', { hours: st.hours })),
      row('cert.field.issued', st.issued_on)),
    h('p', { class: 'muted' }, t('cert.verify.signed')));
}

export default async function render({ view, params }) {
  const box = messageBox();
  const result = h('div', {});
  const input = h('input', { id: 'cert-serial', name: 'serial', autocomplete: 'off', spellcheck: 'false',
    value: params.serial ? decodeURIComponent(params.serial) : '', required: true, maxlength: 40 });
  const form = h('form', { class: 'verify-form' },
    h('label', { for: 'cert-serial' }, t('cert.verify.serial')), input,
    h('button', { type: 'submit' }, t('cert.verify.submit')));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const serial = input.value.trim();
    if (serial) location.hash = `#/verify/${encodeURIComponent(serial)}`;
  });
  replace(view, heading(t('cert.verify.title')), h('p', { class: 'lead' }, t('cert.verify.intro')), form, box, result);
  if (!params.serial) return;
  try {
    const body = await request('GET', `/api/v1/certificates/${encodeURIComponent(decodeURIComponent(params.serial))}`);
    replace(result, statement(body.statement));
  } catch (err) {
    if (err instanceof ApiError && err.status === 404) showMessage(box, t('cert.verify.unknown'), 'error');
    else showError(box, err);
  }
}
