// catalog.js - the course catalogue (#/): a search box and filters whose
// values live in the hash query, so a result list can be linked to and Back
// returns to it; results as cards, more on request.

import { h, replace, field, formValues } from '../dom.js';
import { register, t, pick } from '../i18n.js';
import { get, getAll, withQuery } from '../api.js';
import { heading, messageBox, showError, busy } from '../ui.js';
import { number } from '../format.js';
import S, { STAGES, DELIVERIES } from '../strings/learner.js';

register(S);

const FILTERS = ['q', 'program', 'institution_id', 'delivery', 'stage', 'open'];
const PAGE = 20;

// Programmes and institutions hardly ever change and carry both languages:
// fetched once per page load, alongside the first page of results.
let refs = null;
function referenceLists() {
  if (!refs) {
    refs = Promise.all([getAll('/api/v1/programs'), getAll('/api/v1/institutions')]);
    refs.catch(() => { refs = null; });
  }
  return refs;
}

function choices(all, items, selected) {
  return [{ value: '', label: all }, ...items.map((i) => ({ ...i, selected: i.value === selected }))];
}

function filterForm(state, programs, institutions, navigate) {
  const open = field('open', t('catalog.openNow'), { type: 'checkbox', checked: state.open === 'true', value: 'true' });
  open.classList.add('check');
  // The label follows the box for a checkbox, as people read it.
  open.querySelector('input').after(open.querySelector('label'));
  const form = h('form', { class: 'filters catalog-filters', role: 'search', 'aria-label': t('catalog.searchLabel') },
    field('q', t('catalog.q'), { type: 'search', value: state.q, maxlength: 200, placeholder: t('catalog.qPlaceholder') }),
    field('program', t('catalog.program'), {}, choices(t('catalog.all'),
      programs.map((p) => ({ value: p.code, label: pick(p, 'name') })), state.program)),
    field('institution_id', t('catalog.institution'), {}, choices(t('catalog.all'),
      institutions.map((i) => ({ value: String(i.id), label: pick(i, 'name') })), state.institution_id)),
    field('delivery', t('catalog.delivery'), {}, choices(t('catalog.all'),
      DELIVERIES.map((d) => ({ value: d, label: t(`delivery.${d}`) })), state.delivery)),
    field('stage', t('catalog.stage'), {}, choices(t('catalog.all'),
      STAGES.map((s) => ({ value: s, label: t(`stage.${s}`) })), state.stage)),
    open,
    h('div', { class: 'actions' },
      h('button', { type: 'submit', class: 'primary' }, t('catalog.search')),
      h('a', { href: '#/', class: 'button' }, t('catalog.reset'))));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const v = formValues(form);
    navigate('/', { ...v, q: (v.q || '').trim(), open: v.open ? 'true' : '' });
  });
  return form;
}

function card(c) {
  return h('li', { class: 'card course-card' },
    h('h3', {}, h('a', { href: `#/courses/${c.id}` }, pick(c))),
    h('ul', { class: 'meta' },
      h('li', {}, c.institution_name),
      h('li', {}, c.program_name),
      h('li', {}, t(`delivery.${c.delivery}`)),
      c.level ? h('li', {}, t(`level.${c.level}`)) : null),
    pick(c, 'summary') ? h('p', { class: 'summary' }, pick(c, 'summary')) : null,
    c.tags?.length ? h('ul', { class: 'tags', 'aria-label': t('catalog.tags') },
      c.tags.map((tag) => h('li', {}, `#${tag}`))) : null,
    c.open_sections > 0
      ? h('p', { class: 'open-count status-open' }, t('catalog.openSections', { n: number(c.open_sections) }))
      : h('p', { class: 'open-count muted' }, t('catalog.noOpenSections')));
}

export default async function render({ view, query, navigate, user }) {
  const state = Object.fromEntries(FILTERS.map((k) => [k, query.get(k) || '']));
  const params = { ...state, open: state.open === 'true' ? 'true' : '', limit: PAGE };
  const filtered = FILTERS.some((k) => state[k]);
  const box = messageBox();
  // The reference lists and the first results are asked for together.
  const [lists, first] = await Promise.all([
    referenceLists().catch(() => [[], []]),
    get(withQuery('/api/v1/courses', params)).catch((err) => err),
  ]);
  const [programs, institutions] = lists;

  const results = h('ul', { class: 'cards' });
  const count = h('p', { class: 'result-count', role: 'status' });
  const more = h('button', { type: 'button', hidden: true }, t('app.more'));
  let cursor = null;
  let shown = 0;

  const addPage = (page) => {
    const cards = page.items.map(card);
    results.append(...cards);
    shown += page.items.length;
    cursor = page.next_cursor;
    more.hidden = !cursor;
    count.textContent = t(cursor ? 'catalog.countMore' : 'catalog.count', { n: number(shown) });
    return cards;
  };

  more.addEventListener('click', () => busy(more, async () => {
    try {
      const cards = addPage(await get(withQuery('/api/v1/courses', { ...params, cursor })));
      // Keyboard users carry on from the first of the new cards.
      cards[0]?.querySelector('a').focus();
    } catch (err) {
      showError(box, err);
    }
  }));

  replace(view,
    heading(t('catalog.title')),
    user ? null : h('p', { class: 'intro' }, t('catalog.intro'), ' ',
      h('a', { href: '#/register' }, t('catalog.introRegister')), ' · ',
      h('a', { href: '#/login' }, t('catalog.introLogin'))),
    filterForm(state, programs, institutions, navigate),
    box,
    h('section', { 'aria-labelledby': 'catalog-results' },
      h('h2', { id: 'catalog-results' }, t(filtered ? 'catalog.resultsFiltered' : 'catalog.results')),
      count, results, h('div', { class: 'actions' }, more)));

  if (first instanceof Error) {
    showError(box, first);
    count.textContent = '';
    return;
  }
  addPage(first);
  if (!first.items.length) {
    count.textContent = t(filtered ? 'catalog.emptyFiltered' : 'catalog.empty');
  }
}
