// invitations.js - #/my/invitations: sections an institution invited the
// signed-in learner's address to (from a bulk enrolment file, before the
// account existed). The learner enrols themselves, through the usual rules.

import { h, replace } from '../dom.js';
import { register, t, pick } from '../i18n.js';
import { get, post } from '../api.js';
import { heading, messageBox, showMessage, showError, busy, statusBadge } from '../ui.js';
import { date, number, termName } from '../format.js';
import S from '../strings/bulk.js';

register(S);

const ACTIVE = ['enrolled', 'waitlisted', 'pending', 'completed'];

export default async function render({ view }) {
  const box = messageBox();
  box.setAttribute('tabindex', '-1');
  const list = h('div');
  let items = (await get('/api/v1/me/invitations')).items;

  async function enrol(inv, button) {
    await busy(button, async () => {
      try {
        const e = await post(`/api/v1/sections/${inv.section_id}/enrollments`, {});
        showMessage(box, e.status === 'waitlisted'
          ? t('invite.waitlisted', { title: pick(inv), n: number(e.waitlist_position) })
          : t('invite.enrolled', { title: pick(inv) }), 'ok');
        items = (await get('/api/v1/me/invitations')).items;
      } catch (err) {
        showError(box, err);
      }
    });
    draw();
    box.focus();
  }

  function draw() {
    if (!items.length) {
      replace(list, h('p', {}, t('invite.none')));
      return;
    }
    replace(list, h('ul', { class: 'invitations' }, items.map((inv) => {
      const open = inv.section_status === 'open' && !ACTIVE.includes(inv.enrollment_status);
      const button = open ? h('button', { type: 'button', class: 'primary',
        'aria-label': t('invite.enrolFor', { title: pick(inv) }) }, t('invite.enrol')) : null;
      button?.addEventListener('click', () => enrol(inv, button));
      return h('li', {},
        h('h2', {}, h('a', { href: `#/courses/${inv.course_id}` }, pick(inv))),
        h('p', { class: 'muted' }, `${termName(inv.term)} · ${date(inv.starts_on)} – ${date(inv.ends_on)}`),
        inv.enrollment_status ? h('p', {}, statusBadge(inv.enrollment_status))
          : inv.section_status !== 'open' ? h('p', {}, statusBadge(inv.section_status)) : null,
        button ? h('div', { class: 'actions' }, button) : null);
    })));
  }

  draw();
  view.append(heading(t('invite.title')), h('p', {}, t('invite.intro')), box, list,
    h('p', {}, h('a', { href: '#/my' }, t('invite.toMy'))));
}
