// series_form.js - on a section's page: the form that schedules a recurring
// class (days of the week, a time, a date range, Korean time) in one
// request; a clash lists every class that clashes. Also the roster's
// attendance cell.

import { h, field, formValues, showFieldErrors } from '../dom.js';
import { register, t } from '../i18n.js';
import { ApiError, post } from '../api.js';
import { messageBox, showMessage, showError, busy } from '../ui.js';
import { date, number } from '../format.js';
import { sessionWhen } from './teach.js';
import S from '../strings/teaching.js';

register(S);

const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];

/** A roster row's attendance: "2/3 (66.7%)", marked when below the
 *  programme's minimum. */
export function attendanceCell(a) {
  if (!a) return '';
  if (!a.held) return h('span', { class: 'muted' }, t('teaching.attendanceNone'));
  const text = t('teaching.attendance', {
    attended: number(a.attended), held: number(a.held), rate: `${number(a.rate_pct ?? 0)}%`,
  });
  return a.meets ? text : [text, ' ', h('span', { class: 'badge warn' }, t('teaching.belowRequired', { pct: a.required_pct }))];
}

/**
 * The recurring-class form of section sec: instructors to choose from,
 * facilities usable by its institution, me (the signed-in user, chosen
 * first), onScheduled() re-reads the section's classes.
 */
export function seriesForm(sec, instructors, facilities, me, onScheduled) {
  const box = messageBox();
  const radio = (value, label, checked) => h('label', { class: 'check' },
    h('input', { type: 'radio', name: 'series_place', value, checked }), ' ', label);
  const facilityField = facilities.length
    ? field('facility_id', t('teach.facility'), { required: true }, facilities.map((f) => ({
      value: f.id, label: [f.name, f.location].filter(Boolean).join(' · '),
    })))
    : h('p', { class: 'muted' }, t('teach.noFacilities'));
  const urlField = field('online_url', t('teach.onlineUrl'), {
    type: 'url', required: true, placeholder: 'https://', hint: t('teach.onlineUrlHint'), autocomplete: 'off',
  });
  const days = h('fieldset', { class: 'weekdays field', dataset: { field: 'weekdays' } },
    h('legend', {}, t('teaching.weekdays')),
    h('div', { class: 'actions' }, DAYS.map((d) => h('label', { class: 'check' },
      h('input', { type: 'checkbox', name: 'weekdays', value: d }), ' ', t(`teaching.day.${d}`)))),
    h('p', { class: 'hint' }));
  const form = h('form', { class: 'stack schedule series', novalidate: true },
    h('p', { class: 'muted' }, t('teaching.seriesIntro')),
    days,
    h('div', { class: 'field-row' },
      field('start_time', t('teach.start'), { type: 'time', required: true, step: 300 }),
      field('end_time', t('teach.end'), { type: 'time', required: true, step: 300 })),
    h('div', { class: 'field-row' },
      field('starts_on', t('teaching.from'), { type: 'date', required: true, value: sec.starts_on, min: sec.starts_on, max: sec.ends_on }),
      field('ends_on', t('teaching.to'), { type: 'date', required: true, value: sec.ends_on, min: sec.starts_on, max: sec.ends_on,
        hint: t('teach.dateHint', { from: date(sec.starts_on), to: date(sec.ends_on) }) })),
    field('instructor_id', t('teach.instructorField'), { required: true },
      instructors.map((i) => ({ value: i.id, label: i.display_name, selected: i.id === me.id }))),
    h('fieldset', { class: 'place' },
      h('legend', {}, t('teach.placeKind')),
      h('div', { class: 'actions' },
        radio('facility', t('teach.placeFacility'), facilities.length > 0),
        radio('online', t('teach.placeOnline'), facilities.length === 0)),
      facilityField, urlField),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, t('teaching.submitSeries'))));

  const online = () => form.elements.series_place.value === 'online';
  const showPlace = () => {
    for (const [el, on] of [[facilityField, !online()], [urlField, online()]]) {
      el.hidden = !on;
      for (const c of el.querySelectorAll('input, select')) c.disabled = !on;
    }
  };
  form.addEventListener('change', (e) => { if (e.target.name === 'series_place') showPlace(); });
  showPlace();

  const chosenDays = () => [...form.querySelectorAll('input[name=weekdays]:checked')].map((c) => c.value);

  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const v = formValues(form);
    const weekdays = chosenDays();
    const errors = [];
    if (!weekdays.length) errors.push({ field: 'weekdays', message: t('teaching.needDay') });
    for (const name of ['start_time', 'end_time', 'starts_on', 'ends_on']) if (!v[name]) errors.push({ field: name, message: t('error.validation_failed') });
    if (v.start_time && v.end_time && v.end_time <= v.start_time) errors.push({ field: 'end_time', message: t('teach.endBeforeStart') });
    if (online() && !/^https:\/\/\S+$/.test(v.online_url || '')) errors.push({ field: 'online_url', message: t('teach.needHttps') });
    if (errors.length) {
      showError(box, new ApiError(400, { code: 'validation_failed', errors }), form);
      return;
    }
    const body = {
      weekdays, start_time: v.start_time, end_time: v.end_time, starts_on: v.starts_on, ends_on: v.ends_on,
      instructor_id: Number(v.instructor_id),
      ...(online() ? { online_url: v.online_url } : { facility_id: Number(v.facility_id) }),
    };
    await busy(form.querySelector('button[type=submit]'), async () => {
      try {
        const s = await post(`/api/v1/sections/${sec.id}/session-series`, body);
        showFieldErrors(form, []);
        showMessage(box, t('teaching.seriesMade', { n: number(s.occurrences.length) }), 'ok');
        await onScheduled();
      } catch (err) {
        showError(box, err, form);
        const list = err.problem?.conflicts;
        if (list?.length) {
          box.append(h('p', { class: 'conflict' }, t('teaching.clashes', { n: number(list.length) })),
            h('ul', { class: 'conflicts' }, list.map((c) => h('li', {}, t('teaching.clash', {
              when: sessionWhen(c.occurrence),
              course: c.conflicting_session.course_title,
              institution: c.conflicting_session.institution,
              what: t(c.conflicts.length > 1 ? 'teaching.clash.both' : `teaching.clash.${c.conflicts[0]}`),
            })))));
        }
      }
    });
  });
  return h('section', { 'aria-labelledby': 'sec-series' },
    h('h2', { id: 'sec-series' }, t('teaching.series')), box, form);
}
