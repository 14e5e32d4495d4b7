// admin_people.js - the user directory for admins (#/admin/people): a
// search-as-you-type picker over e-mail and name; each person found can be
// made an admin of the institution or added as its instructor (an
// invitation, unless their affiliation with it is verified).

import { h, append, replace, newId } from '../dom.js';
import { register, t } from '../i18n.js';
import { get, post, withQuery } from '../api.js';
import { messageBox, showMessage, showError, busy } from '../ui.js';
import { adminScope, adminTop } from './admin_scope.js';
import S from '../strings/accounts.js';

register(S);

export default async function render(ctx) {
  const scope = await adminScope(ctx, { allowAll: true });
  if (ctx.stale()) return;
  const box = messageBox();
  const listId = newId('people');
  const input = h('input', {
    id: newId('q'), type: 'search', name: 'q', autocomplete: 'off', role: 'combobox',
    'aria-autocomplete': 'list', 'aria-controls': listId, 'aria-expanded': 'false',
    value: ctx.query.get('q') || '',
  });
  const status = h('p', { class: 'muted', role: 'status', 'aria-live': 'polite' });
  const results = h('ul', { id: listId, class: 'cards people', 'aria-label': t('people.title') });
  let seq = 0;
  let timer = null;

  async function search() {
    const mine = ++seq;
    try {
      const page = await get(withQuery('/api/v1/users', { q: input.value.trim(), institution_id: scope.id, limit: 20 }));
      if (mine !== seq) return;
      replace(results, page.items.map(person));
      input.setAttribute('aria-expanded', page.items.length ? 'true' : 'false');
      replace(status, page.items.length ? t('people.results', { n: page.items.length }) : t('people.none'));
    } catch (err) {
      if (mine === seq) showError(box, err);
    }
  }

  function person(u) {
    const grant = h('button', { type: 'button', class: 'small' }, t('people.grantAdmin'));
    const teach = h('button', { type: 'button', class: 'small primary' }, t('people.addInstructor'));
    grant.addEventListener('click', () => busy(grant, async () => {
      try {
        await post('/api/v1/roles', { user_id: u.id, role: 'institution_admin', institution_id: scope.id });
        showMessage(box, t('people.granted', { name: u.display_name }));
        await search();
      } catch (err) {
        showError(box, err);
      }
    }));
    teach.addEventListener('click', () => busy(teach, async () => {
      try {
        const out = await post('/api/v1/instructors', { user_id: u.id, institution_id: scope.id });
        showMessage(box, t(out && out.status === 'pending' ? 'people.invited' : 'people.instructorMade', { name: u.display_name }));
        await search();
      } catch (err) {
        showError(box, err);
      }
    }));
    const isAdminHere = (u.roles || []).some((r) => r.role === 'institution_admin' && r.institution_id === scope.id);
    return h('li', { class: 'card person', dataset: { user: u.id } },
      h('h2', {}, u.display_name),
      h('p', {}, u.email, ' ',
        u.email_verified ? h('span', { class: 'badge status-open' }, t('people.verified')) : null, ' ',
        u.affiliation_institution_id ? h('span', { class: 'badge status-open' }, t('people.affiliated')) : null),
      h('p', { class: 'muted' }, t(`stage.${u.ladder_stage}`)),
      scope.id ? h('div', { class: 'actions' }, isAdminHere ? null : grant, u.instructor_home_institution_id ? null : teach) : null);
  }

  input.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(search, 250);
  });
  append(ctx.view, [
    adminTop(ctx, scope, t('people.title')),
    h('p', {}, t('people.intro')),
    box,
    h('div', { class: 'field' }, h('label', { for: input.id }, t('people.search')), input),
    status,
    results,
  ]);
  await search();
}
