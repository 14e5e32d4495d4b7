// profile.js - the signed-in person's own account (#/profile, and
// #/invitations from the invitation e-mail): name, language and ladder
// stage; the e-mail change by link; the affiliation claim and its status;
// invitations to teach; the data download; account deletion.

import { h, append, field, formValues, replace } from '../dom.js';
import { register, t, pick } from '../i18n.js';
import { get, patch, request, getAll, loadSession } from '../api.js';
import { heading, messageBox, showMessage, showError, busy, confirmDialog, toast } from '../ui.js';
import { dateTime } from '../format.js';
import L, { STAGES } from '../strings/learner.js';
import S from '../strings/accounts.js';

register(L);
register(S);

function section(title, id, ...children) {
  return h('section', { class: 'card profile-part', 'aria-labelledby': id },
    h('h2', { id }, title), children);
}

// A form with its own message line, sent by send(values).
function form(children, label, send) {
  const box = messageBox();
  const button = h('button', { type: 'submit', class: 'primary' }, label);
  const el = h('form', { class: 'stack', novalidate: true }, box, children, h('div', { class: 'actions' }, button));
  el.addEventListener('submit', (e) => {
    e.preventDefault();
    busy(button, async () => {
      try {
        const msg = await send(formValues(el));
        if (msg) showMessage(box, msg);
      } catch (err) {
        showError(box, err, el);
      }
    });
  });
  return el;
}

function basics(me, reload) {
  return section(t('profile.basics'), 'p-basics', form([
    field('display_name', t('field.display_name'), { value: me.display_name, required: true, maxlength: 100 }),
    field('locale', t('profile.locale'), {}, [
      { value: 'ko', label: '한국어', selected: me.locale === 'ko' },
      { value: 'en', label: 'English', selected: me.locale === 'en' }]),
    field('ladder_stage', t('field.ladder_stage'), {},
      STAGES.map((s) => ({ value: s, label: t(`stage.${s}`), selected: me.ladder_stage === s }))),
  ], t('profile.save'), async (v) => {
    await patch('/api/v1/me', { display_name: (v.display_name || '').trim(), locale: v.locale, ladder_stage: v.ladder_stage });
    await loadSession();
    reload();
    return t('profile.saved');
  }));
}

function email(me, reload) {
  const state = me.email_verified_at
    ? h('span', { class: 'badge status-open' }, t('profile.verified'))
    : h('span', { class: 'badge status-pending' }, t('profile.unverified'));
  return section(t('profile.email'), 'p-email',
    h('p', {}, t('profile.emailNow', { email: me.email }), ' ', state),
    me.pending_email ? h('p', { class: 'message ok', role: 'status' }, t('profile.emailPending', { email: me.pending_email })) : null,
    form([
      field('email', t('profile.newEmail'), { type: 'email', autocomplete: 'email', required: true, maxlength: 254, hint: t('profile.emailHint') }),
      field('current_password', t('profile.currentPassword'), { type: 'password', autocomplete: 'current-password', required: true }),
    ], t('profile.emailSend'), async (v) => {
      const out = await patch('/api/v1/me', { email: (v.email || '').trim(), current_password: v.current_password || '' });
      reload();
      return t('profile.emailPending', { email: out.pending_email });
    }));
}

function affiliation(me, institutions, reload) {
  const claim = me.affiliation_claim;
  const current = claim && claim.status === 'pending' ? claim.institution.id : me.affiliation_institution_id;
  return section(t('profile.affiliation'), 'p-affiliation',
    h('p', {}, me.affiliation ? t('profile.affiliationNow', { name: pick(me.affiliation, 'name') }) : t('profile.affiliationNone')),
    claim && claim.status !== 'approved'
      ? h('p', { class: 'claim-status' },
        h('span', { class: `badge status-${claim.status === 'pending' ? 'pending' : 'cancelled'}` }, t(`claim.${claim.status}`)), ' ',
        t('profile.claimStatus', { name: pick(claim.institution, 'name'), status: t(`claim.${claim.status}`) }),
        claim.reason ? h('span', { class: 'muted' }, ` ${t('profile.claimReason', { reason: claim.reason })}`) : null)
      : null,
    form([
      field('affiliation_institution_id', t('profile.claim'), { hint: t('profile.affiliationHint') },
        [{ value: '', label: t('profile.claimNone'), selected: !current },
          ...institutions.map((i) => ({ value: String(i.id), label: pick(i, 'name'), selected: i.id === current }))]),
    ], t('profile.claimSend'), async (v) => {
      const id = v.affiliation_institution_id ? Number(v.affiliation_institution_id) : null;
      await patch('/api/v1/me', { affiliation_institution_id: id });
      reload();
      return null;
    }));
}

function invitations(items, reload) {
  const box = messageBox();
  const list = items.length ? h('ul', { class: 'invitations' }, items.map((inv) => {
    const name = pick(inv.institution, 'name');
    const li = h('li', { class: 'invitation', dataset: { invitation: inv.id } },
      h('p', {}, t('profile.invitedBy', { name }), ' ',
        h('span', { class: `badge status-${inv.status === 'pending' ? 'pending' : inv.status === 'accepted' ? 'open' : 'cancelled'}` },
          t(`invitation.${inv.status}`)),
        h('span', { class: 'muted' }, ` ${dateTime(inv.created_at)}`)));
    if (inv.status === 'pending') {
      const answer = (status) => {
        const b = h('button', { type: 'button', class: status === 'accepted' ? 'primary' : '' }, t(status === 'accepted' ? 'profile.accept' : 'profile.decline'));
        b.addEventListener('click', () => busy(b, async () => {
          try {
            await patch(`/api/v1/instructor-invitations/${inv.id}`, { status });
            if (status === 'accepted') await loadSession();
            toast(t(status === 'accepted' ? 'profile.accepted' : 'profile.declined', { name }));
            reload();
          } catch (err) {
            showError(box, err);
          }
        }));
        return b;
      };
      li.append(h('div', { class: 'actions' }, answer('accepted'), answer('declined')));
    }
    return li;
  })) : h('p', {}, t('profile.invitationsNone'));
  return section(t('profile.invitations'), 'invitations', box, list);
}

function data(me) {
  const button = h('button', { type: 'button' }, t('profile.download'));
  const box = messageBox();
  button.addEventListener('click', () => busy(button, async () => {
    try {
      const doc = await get('/api/v1/me/export');
      const url = URL.createObjectURL(new Blob([JSON.stringify(doc, null, 1)], { type: 'application/json' }));
      const a = h('a', { href: url, download: 'my-data.json' });
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10000);
    } catch (err) {
      showError(box, err);
    }
  }));
  const consents = (me.consents || []).map((c) => h('li', {},
    t(`consent.${c.item}`), ': ', t(c.granted ? 'profile.consentGranted' : 'profile.consentRefused'),
    h('span', { class: 'muted' }, ` (${t('consent.version', { version: c.notice_version })}, ${dateTime(c.at)})`)));
  return section(t('profile.data'), 'p-data', box, h('p', {}, t('profile.dataText')), h('div', { class: 'actions' }, button),
    consents.length ? [h('h3', {}, t('profile.consents')), h('ul', { class: 'consents' }, consents)] : null);
}

function deletion(ctx) {
  const el = form([
    field('password', t('profile.deletePassword'), { type: 'password', autocomplete: 'current-password', required: true }),
  ], t('profile.deleteButton'), async (v) => {
    const ok = await confirmDialog(t('profile.deleteQ'), { confirmLabel: t('profile.deleteButton') });
    if (!ok) return null;
    await request('DELETE', '/api/v1/me', { json: { password: v.password || '' } });
    await loadSession().catch(() => {});
    toast(t('profile.deleted'));
    ctx.navigate('/');
    return null;
  });
  el.querySelector('button[type="submit"]').className = 'danger';
  return h('section', { class: 'card profile-part danger-zone', 'aria-labelledby': 'p-delete' },
    h('h2', { id: 'p-delete' }, t('profile.delete')), h('p', {}, t('profile.deleteText')), el);
}

export default async function render(ctx) {
  const [me, institutions, invites] = await Promise.all([
    get('/api/v1/me/profile'),
    getAll('/api/v1/institutions').catch(() => []),
    get('/api/v1/me/instructor-invitations').then((p) => p.items).catch(() => []),
  ]);
  if (ctx.stale()) return;
  const reload = () => render({ ...ctx, view: ctx.view });
  replace(ctx.view);
  ctx.view.classList.add('profile');
  // From the invitation e-mail (#/invitations), the invitations come first.
  const inv = invitations(invites, reload);
  const first = ctx.path === '/invitations';
  append(ctx.view, [
    heading(t('profile.title')),
    first ? inv : null,
    basics(me, reload),
    email(me, reload),
    affiliation(me, institutions, reload),
    first ? null : inv,
    data(me),
    deletion(ctx),
  ]);
}
