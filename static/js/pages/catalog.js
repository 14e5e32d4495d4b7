// catalog.js - the course catalogue (#/): a search box and filters whose
// values live in the hash query, so a result list can be linked to and Back
// returns to it; results as cards with the programme's picture, how many
// match in all, more on request. On a phone the filters fold behind a
// button that counts the active ones; after a search the focus goes to the
// results.

import { h, replace, field, formValues } from '../dom.js';
import { register, t, pick } from '../i18n.js';
import { get, getAll, withQuery } from '../api.js';
import { heading, messageBox, showError, busy, localText } from '../ui.js';
import { number } from '../format.js';
import { courseArt } from '../art.js';
import S, { STAGES, DELIVERIES } from '../strings/learner.js';

register(S);

const FILTERS = ['q', 'program', 'institution_id', 'delivery', 'stage', 'open'];
const MORE_FILTERS = FILTERS.filter((k) => k !== 'q');
const PAGE = 20;
// Cards drawn with the view: what fills the first screen (two rows of three
// on a wide screen; a phone, where cards are rows, shows two). The rest of
// the page follows a few at a time, each in a task of its own after the
// previous frame is drawn, so no task holds up the main thread of a slow
// phone for long.
const firstCards = () => (matchMedia('(max-width: 40rem)').matches ? 3 : 6);
const LATER_CARDS = 7;
// Set by a search from the form: the next drawing focuses the results.
let searched = false;

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
  const q = field('q', t('catalog.q'), { type: 'search', value: state.q, maxlength: 200, placeholder: t('catalog.qPlaceholder') });
  q.classList.add('field-q');
  const active = MORE_FILTERS.filter((k) => state[k]).length;
  const moreId = 'catalog-more-filters';
  // Only a phone shows the button (app.css); a wide screen shows all.
  const toggle = h('button', { type: 'button', class: 'filter-toggle', 'aria-expanded': 'false', 'aria-controls': moreId },
    active ? t('catalog.filtersActive', { n: number(active) }) : t('catalog.filters'));
  const form = h('form', { class: 'filters catalog-filters', role: 'search', 'aria-label': t('catalog.searchLabel') },
    q,
    h('div', { class: 'more-filters', id: moreId },
    field('program', t('catalog.program'), {}, choices(t('catalog.all'),
      programs.map((p) => ({ value: p.code, label: pick(p, 'name') })), state.program)),
    field('institution_id', t('catalog.institution'), {}, choices(t('catalog.all'),
      institutions.map((i) => ({ value: String(i.id), label: pick(i, 'name') })), state.institution_id)),
    field('delivery', t('catalog.delivery'), {}, choices(t('catalog.all'),
      DELIVERIES.map((d) => ({ value: d, label: t(`delivery.${d}`) })), state.delivery)),
    field('stage', t('catalog.stage'), {}, choices(t('catalog.all'),
      STAGES.map((s) => ({ value: s, label: t(`stage.${s}`) })), state.stage)),
    open),
    h('div', { class: 'actions' },
      toggle,
      h('button', { type: 'submit', class: 'primary' }, t('catalog.search')),
      h('a', { href: '#/', class: 'button' }, t('catalog.reset'))));
  toggle.addEventListener('click', () => {
    const expanded = !form.classList.contains('expanded');
    form.classList.toggle('expanded', expanded);
    toggle.setAttribute('aria-expanded', String(expanded));
    if (expanded) form.querySelector(`#${moreId} select`)?.focus();
  });
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const v = formValues(form);
    searched = true;
    navigate('/', { ...v, q: (v.q || '').trim(), open: v.open ? 'true' : '' });
  });
  return form;
}

// A card: the programme's picture and name, the title (the link, which
// covers the whole card), the institution and course code that tell
// same-named courses apart, the summary, and whether one can apply now.
function card(c) {
  return h('li', { class: ['card', 'course-card', `prog-${c.program}`] },
    courseArt(c),
    h('div', { class: 'card-body' },
      h('p', { class: 'card-kicker' }, h('span', { class: 'program-chip' }, c.program_name)),
      h('h3', {}, h('a', { href: `#/courses/${c.id}` }, localText(c))),
      h('p', { class: 'card-inst' }, c.institution_name, ' · ', h('span', { class: 'code' }, c.code)),
      pick(c, 'summary') ? h('p', { class: 'summary' }, localText(c, 'summary')) : null,
      c.tags?.length ? h('ul', { class: 'tags', 'aria-label': t('catalog.tags') },
        c.tags.slice(0, 4).map((tag) => h('li', {}, `#${tag}`))) : null,
      h('div', { class: 'card-foot' },
        h('span', { class: 'muted' }, [t(`delivery.${c.delivery}`), c.level ? t(`level.${c.level}`) : null].filter(Boolean).join(' · ')),
        c.open_sections > 0
          ? h('p', { class: 'open-count status-open' }, t('catalog.openSections', { n: number(c.open_sections) }))
          : h('p', { class: 'open-count muted' }, t('catalog.noOpenSections')))));
}

// Resolves in a new task once the next frame is drawn (or after 100 ms in
// a tab that draws no frames, such as one in the background).
function afterNextFrame() {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, 100);
    requestAnimationFrame(() => setTimeout(() => {
      clearTimeout(timer);
      resolve();
    }, 0));
  });
}

// What to do when nothing matches: say why and offer the way out.
function emptyState(filtered, state) {
  if (!filtered) return h('div', { class: 'empty-state' }, h('p', {}, t('catalog.empty')));
  return h('div', { class: 'empty-state' },
    h('p', {}, h('strong', {}, t('catalog.emptyFiltered'))),
    state.open ? h('p', {}, t('catalog.emptyOpenHint')) : null,
    h('div', { class: 'actions' },
      state.q && MORE_FILTERS.some((k) => state[k])
        ? h('a', { class: 'button', href: `#/?q=${encodeURIComponent(state.q)}` }, t('catalog.keepWordsOnly')) : null,
      h('a', { class: 'button primary', href: '#/' }, t('catalog.seeAll'))));
}

export default async function render(ctx) {
  const { view, query, navigate, user } = ctx;
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
  const emptySlot = h('div');
  let cursor = null;
  let shown = 0;
  let total = null;
  // The cards of the first page still to be drawn (see firstCards).
  let drawing = null;

  const addPage = (page, { now = page.items.length } = {}) => {
    const cards = page.items.slice(0, now).map(card);
    results.append(...cards);
    const rest = page.items.slice(now);
    if (rest.length) {
      drawing = (async () => {
        for (let i = 0; i < rest.length; i += LATER_CARDS) {
          await afterNextFrame();
          if (ctx.stale()) return;
          results.append(...rest.slice(i, i + LATER_CARDS).map(card));
        }
      })();
    }
    shown += page.items.length;
    cursor = page.next_cursor;
    if (typeof page.total === 'number') total = page.total;
    more.hidden = !cursor;
    if (total !== null) {
      count.textContent = t('catalog.count', { n: number(total) });
      more.textContent = t('catalog.moreOf', { shown: number(shown), total: number(total) });
    } else {
      count.textContent = t(cursor ? 'catalog.countMore' : 'catalog.count', { n: number(shown) });
    }
    return cards;
  };

  more.addEventListener('click', () => busy(more, async () => {
    try {
      await drawing;
      const cards = addPage(await get(withQuery('/api/v1/courses', { ...params, cursor })));
      // Keyboard users carry on from the first of the new cards.
      cards[0]?.querySelector('a').focus();
    } catch (err) {
      showError(box, err);
    }
  }));

  const resultsHeading = h('h2', { id: 'catalog-results', tabindex: '-1' }, t(filtered ? 'catalog.resultsFiltered' : 'catalog.results'));
  replace(view,
    user
      ? h('div', { class: 'page-head' }, heading(t('catalog.title')), h('p', { class: 'lead' }, t('catalog.leadSignedIn')))
      : h('div', { class: 'hero' },
        heading(t('catalog.title')),
        h('p', { class: 'intro' }, t('catalog.intro')),
        h('div', { class: 'hero-actions' },
          h('a', { href: '#/register', class: 'button' }, t('catalog.introRegister')),
          h('a', { href: '#/login', class: 'button ghost' }, t('catalog.introLogin')))),
    filterForm(state, programs, institutions, navigate),
    box,
    h('section', { 'aria-labelledby': 'catalog-results' },
      h('div', { class: 'catalog-head' }, resultsHeading, count),
      results, emptySlot, h('div', { class: 'actions' }, more)));
  // After a search from the form, the results take the focus (and the
  // screen), not the page heading above the form.
  if (searched) ctx.focus = resultsHeading;
  searched = false;

  if (first instanceof Error) {
    showError(box, first);
    count.textContent = '';
    return;
  }
  addPage(first, { now: firstCards() });
  // The view counts as drawn (the router's aria-busy) once every card is.
  ctx.drawing = drawing;
  if (!first.items.length) {
    count.textContent = t('catalog.count', { n: number(0) });
    replace(emptySlot, emptyState(filtered, state));
  }
}
