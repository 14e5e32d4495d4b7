// instructors.js - the institution's instructors and those partners share
// with it; home instructors can be shared with a partner, or the share
// ended. Each links to the instructor's week.

import { h, append, field, replace } from '../dom.js';
import { t, pick } from '../i18n.js';
import { getAll, post, del } from '../api.js';
import { messageBox, showMessage, showError, busy, confirmDialog } from '../ui.js';
import { adminScope, adminTop, institutions, onSubmit } from './admin_scope.js';

export default async function render(ctx) {
  const scope = await adminScope(ctx);
  // The list is drawn afresh after each change; the focus goes to the
  // message saying what happened rather than being lost with its button.
  const box = messageBox();
  box.tabIndex = -1;
  const holder = h('div');
  const all = await institutions();
  const instName = (id) => pick(all.find((i) => i.id === id), 'name');

  async function load() {
    try {
      const items = await getAll('/api/v1/instructors', { institution_id: scope.id, shared: true });
      // Home instructors first, then those shared with us, each by name.
      items.sort((a, b) => (isHome(b) - isHome(a)) || a.display_name.localeCompare(b.display_name));
      replace(holder, items.length ? h('ul', { class: 'cards instructors' }, items.map(card))
        : h('p', {}, t('admin.instructors.none')));
    } catch (e) {
      showError(box, e);
    }
  }
  const isHome = (i) => i.home_institution?.id === scope.id;

  function card(i) {
    const home = isHome(i);
    const titleId = `instructor-${i.id}`;
    return h('li', { class: 'card instructor', dataset: { instructor: i.id }, 'aria-labelledby': titleId },
      h('h2', { id: titleId }, i.display_name),
      h('p', {}, home ? h('span', { class: 'badge status-open' }, t('admin.instructors.home'))
        : h('span', { class: 'badge status-pending' }, t('admin.instructors.sharedBy', { name: i.home_institution?.name || '' }))),
      i.expertise?.length ? h('p', { class: 'meta' }, i.expertise.join(' · ')) : null,
      h('h3', {}, t('admin.instructors.sharedWith')),
      i.shared_with?.length
        ? h('ul', { class: 'shares' }, i.shared_with.map((s) => h('li', {},
          h('span', {}, instName(s.institution_id) || s.name),
          home ? removeButton(i, s) : null)))
        : h('p', { class: 'muted' }, t('admin.instructors.notShared')),
      home ? shareForm(i) : null,
      h('p', {}, h('a', { href: scope.href(`/admin/instructors/${i.id}/week`) },
        t('admin.instructors.week', { name: i.display_name }))));
  }

  function removeButton(i, s) {
    const name = instName(s.institution_id) || s.name;
    const b = h('button', { type: 'button', class: 'danger small', 'aria-label': t('admin.instructors.unshareOne', { name, who: i.display_name }) },
      t('admin.instructors.unshare'));
    b.addEventListener('click', async () => {
      const ok = await confirmDialog(t('admin.instructors.unshareQ', { name, who: i.display_name }), { confirmLabel: t('admin.instructors.unshare'), destructive: true });
      if (!ok) return;
      await busy(b, async () => {
        try {
          await del(`/api/v1/instructors/${i.id}/shares/${s.institution_id}`);
          await load();
          showMessage(box, t('admin.instructors.unshared', { name, who: i.display_name }));
          box.focus();
        } catch (e) {
          showError(box, e);
        }
      });
    });
    return b;
  }

  function shareForm(i) {
    const taken = new Set([scope.id, ...(i.shared_with || []).map((s) => s.institution_id)]);
    const options = all.filter((x) => !taken.has(x.id))
      .sort((a, b) => (b.is_partner - a.is_partner) || a.id - b.id)
      .map((x) => ({ value: x.id, label: pick(x, 'name') }));
    if (!options.length) return null;
    const go = h('button', { type: 'submit' }, t('admin.instructors.share'));
    const form = h('form', { class: 'share-form', 'aria-label': t('admin.instructors.shareOne', { who: i.display_name }) },
      field('institution_id', t('admin.instructors.partner'), {}, options), go);
    onSubmit(form, go, box, async (el) => {
      const target = Number(el.institution_id.value);
      await post(`/api/v1/instructors/${i.id}/shares`, { institution_id: target });
      await load();
      showMessage(box, t('admin.instructors.shared', { name: instName(target), who: i.display_name }));
      box.focus();
    });
    return form;
  }

  await load();
  if (ctx.stale()) return;
  append(ctx.view, [
    adminTop(ctx, scope, t('admin.instructors.title')),
    h('p', {}, t('admin.instructors.intro')),
    box,
    holder,
  ]);
}
