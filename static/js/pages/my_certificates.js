// my_certificates.js - the learner's certificates (#/my/certificates): each
// with its PDF and its public verification page.

import { h, replace } from '../dom.js';
import { register, t, lang } from '../i18n.js';
import { getAll } from '../api.js';
import { heading, statusBadge } from '../ui.js';
import S from '../strings/certificates.js';

register(S);

export default async function render({ view }) {
  const items = await getAll('/api/v1/me/certificates');
  replace(view, heading(t('cert.mine.title')),
    items.length === 0 ? h('p', { class: 'muted' }, t('cert.mine.none'))
      : h('ul', { class: 'cards' }, items.map((c) => h('li', { class: 'card' },
        h('h2', {}, lang() === 'en' ? c.course_title_en : c.course_title_ko),
        h('p', {}, `${c.serial} · ${c.issued_on} `, statusBadge(c.status === 'valid' ? 'completed' : 'cancelled')),
        h('p', { class: 'actions' },
          c.status === 'valid' ? h('a', { href: `/api/v1/certificates/${c.serial}.pdf`, download: '' }, t('cert.mine.download')) : null,
          ' ',
          h('a', { href: `#/verify/${c.serial}` }, t('cert.mine.verify')))))));
}
