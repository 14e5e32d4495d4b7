// admin_interviews.js - interview slots of an intake (#/admin/intakes/:id):
// schedule a slot (interviewer and room chosen by name, or an online
// link) and assign the applicants waiting in the interview stage to it. A
// clash comes back as a 409 naming the session it collides with.

import { h, field, replace } from '../dom.js';
import { t, pick } from '../i18n.js';
import { get, post } from '../api.js';
import { messageBox, showMessage } from '../ui.js';
import { dateTime, localToRfc3339 } from '../format.js';
import { listTable, onSubmit } from './admin_scope.js';
import { instructorPicker, roomPicker } from './staff_pickers.js';

/** The interview section of the review page, or null when the intake has
 *  no interview stage. */
export function interviewSection(intake, apps) {
  const stages = intake.stages.filter((s) => s.kind === 'interview');
  if (!stages.length) return null;
  const box = messageBox();
  const holder = h('div', { class: 'table-wrap' });
  const stageName = (s) => pick({ title_ko: s.name_ko, title_en: s.name_en });
  const load = async () => {
    const slots = (await get(`/api/v1/intakes/${intake.id}/interviews`)).items;
    replace(holder, slotTable(slots));
  };

  function slotTable(slots) {
    const cols = ['when', 'stage', 'interviewer', 'where', 'applicants', 'assign'].map((k) => t(`sel.iv.${k}`));
    return listTable('interview-slots', t('sel.iv.caption', { n: slots.length }), cols, slots.map((s) => {
      const st = intake.stages.find((x) => x.id === s.stage_id);
      const waiting = apps.filter((a) => ['applied', 'in_stage'].includes(a.status) && st && a.stage === st.position);
      const button = h('button', { type: 'submit' }, t('sel.iv.assign'));
      const form = h('form', { class: 'inline' },
        field('application_id', t('sel.iv.applicant'), {}, waiting.map((a) => ({ value: a.id, label: a.display_name || t('sel.admin.blindName', { id: a.id }) }))),
        button);
      onSubmit(form, button, box, async (el) => {
        await post(`/api/v1/intakes/${intake.id}/interviews/${s.id}/applicants`, { application_id: Number(el.application_id.value) });
        showMessage(box, t('sel.iv.assigned'));
        await load();
      });
      return h('tr', {},
        h('td', { 'data-label': cols[0] }, `${dateTime(s.starts_at)} – ${dateTime(s.ends_at)}`),
        h('td', { 'data-label': cols[1] }, st ? stageName(st) : ''),
        h('td', { 'data-label': cols[2] }, s.interviewer.display_name),
        h('td', { 'data-label': cols[3] }, s.facility ? pick({ title_ko: s.facility.name_ko, title_en: s.facility.name_en }) : s.online_url),
        h('td', { 'data-label': cols[4] }, s.applicants.map((a) => a.display_name || t('sel.admin.blindName', { id: a.application_id })).join(', ')),
        h('td', { 'data-label': cols[5] }, waiting.length ? form : ''));
    }));
  }

  const button = h('button', { type: 'submit', class: 'primary' }, t('sel.iv.schedule'));
  // The interviewer and the room are chosen by name among those the
  // intake's institution may use (its own, and those shared or lent to it).
  const interviewer = instructorPicker({
    name: 'interviewer_id', label: t('sel.iv.interviewerPick'), hint: t('sel.iv.interviewerHint'), institutionId: intake.institution_id,
  });
  const room = roomPicker({ name: 'facility_id', label: t('sel.iv.room'), institutionId: intake.institution_id });
  const url = field('online_url', t('sel.iv.onlineUrl'), { type: 'url', placeholder: 'https://', required: true });
  const radio = (value, label, checked) => h('label', { class: 'check' },
    h('input', { type: 'radio', name: 'place', value, checked }), ' ', label);
  const form = h('form', { class: 'new-slot schedule' },
    field('stage_id', t('sel.iv.stage'), {}, stages.map((s) => ({ value: s.id, label: stageName(s) }))),
    h('div', { class: 'field-row' },
      field('starts_at', t('sel.iv.starts'), { type: 'datetime-local', required: true }),
      field('ends_at', t('sel.iv.ends'), { type: 'datetime-local', required: true })),
    interviewer.el,
    h('fieldset', { class: 'place' },
      h('legend', {}, t('sel.iv.place')),
      h('div', { class: 'actions' }, radio('room', t('sel.iv.placeRoom'), true), radio('online', t('sel.iv.placeOnline'), false)),
      room.el, url),
    h('div', { class: 'actions' }, button));
  const online = () => form.elements.place.value === 'online';
  const showPlace = () => {
    room.el.hidden = online();
    url.hidden = !online();
    url.querySelector('input').disabled = !online();
  };
  form.addEventListener('change', (e) => { if (e.target.name === 'place') showPlace(); });
  showPlace();
  onSubmit(form, button, box, async (el) => {
    const body = {
      stage_id: Number(el.stage_id.value),
      starts_at: localToRfc3339(el.starts_at.value), ends_at: localToRfc3339(el.ends_at.value),
      interviewer_id: interviewer.value(),
    };
    if (online()) body.online_url = el.online_url.value;
    else body.facility_id = room.value();
    await post(`/api/v1/intakes/${intake.id}/interviews`, body);
    showMessage(box, t('sel.iv.scheduled'));
    await load();
  });
  load().catch(() => {});
  return h('section', { class: 'interviews' }, h('h2', {}, t('sel.iv.title')), box, form, holder);
}
