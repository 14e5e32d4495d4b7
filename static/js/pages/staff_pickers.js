// staff_pickers.js - controls the staff forms share: a search-as-you-type
// course picker (the ARIA combobox pattern, chosen courses as removable
// chips), a term picker (a year and a term or cohort, never typed), and
// an instructor and a room chosen by name among those an institution may use.

import { h, replace, field } from '../dom.js';
import { t, pick } from '../i18n.js';
import { getAll } from '../api.js';
import { termName } from '../format.js';

let seq = 0;

/** A combobox that searches courses with search(q) (resolving to
 *  [{id, code, title_ko, title_en}]) and keeps the ones picked as chips.
 *  known: the courses the chips may name at first. Returns { el, ids() }. */
export function coursePicker({ name, label, hint, chosen = [], known = [], search, exclude = () => false }) {
  const id = `cp-${++seq}`;
  const picked = new Map();
  for (const cid of chosen) {
    const c = known.find((k) => k.id === cid);
    picked.set(cid, c || { id: cid, code: `#${cid}`, title_ko: '', title_en: '' });
  }
  const live = h('p', { class: 'visually-hidden', 'aria-live': 'polite', id: `${id}-live` });
  const chips = h('ul', { class: 'chips', 'aria-label': t('picker.chosen', { label }) });
  const input = h('input', {
    id, name: `${name}_search`, type: 'text', role: 'combobox', autocomplete: 'off',
    'aria-autocomplete': 'list', 'aria-expanded': 'false', 'aria-controls': `${id}-list`,
    'aria-describedby': `${id}-hint`, placeholder: t('picker.typeToSearch'),
  });
  const list = h('ul', { id: `${id}-list`, role: 'listbox', class: 'picker-list', hidden: true, 'aria-label': label });
  let options = [];
  let active = -1;
  let timer = null;
  let asked = 0;

  const courseLabel = (c) => `${c.code} ${pick(c)}`.trim();
  function showChips() {
    replace(chips, [...picked.values()].map((c) => h('li', { class: 'chip' },
      h('span', {}, courseLabel(c)),
      h('button', {
        type: 'button', class: 'chip-remove', 'aria-label': t('picker.remove', { name: courseLabel(c) }),
        onclick: () => {
          picked.delete(c.id);
          showChips();
          live.textContent = t('picker.removed', { name: courseLabel(c) });
          input.focus();
        },
      }, '×'))));
  }
  function close() {
    list.hidden = true;
    input.setAttribute('aria-expanded', 'false');
    input.removeAttribute('aria-activedescendant');
    active = -1;
  }
  function mark(i) {
    active = i;
    list.querySelectorAll('[role=option]').forEach((o, j) => o.setAttribute('aria-selected', String(j === i)));
    if (i >= 0) {
      const o = list.children[i];
      input.setAttribute('aria-activedescendant', o.id);
      o.scrollIntoView({ block: 'nearest' });
    } else input.removeAttribute('aria-activedescendant');
  }
  function choose(i) {
    const c = options[i];
    if (!c) return;
    picked.set(c.id, c);
    showChips();
    live.textContent = t('picker.added', { name: courseLabel(c) });
    input.value = '';
    close();
  }
  async function find() {
    const q = input.value.trim();
    if (!q) { close(); return; }
    const mine = ++asked;
    let found;
    try {
      found = await search(q);
    } catch {
      found = [];
    }
    if (mine !== asked) return;
    options = found.filter((c) => !picked.has(c.id) && !exclude(c)).slice(0, 20);
    replace(list, options.length ? options.map((c, i) => h('li', {
      id: `${id}-o${i}`, role: 'option', 'aria-selected': 'false',
      onmousedown: (e) => e.preventDefault(),
      onclick: () => choose(i),
    }, courseLabel(c))) : h('li', { class: 'muted', role: 'option', 'aria-disabled': 'true' }, t('picker.none')));
    list.hidden = false;
    input.setAttribute('aria-expanded', 'true');
    active = -1;
    live.textContent = t('picker.found', { n: options.length });
  }
  input.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(find, 200);
  });
  input.addEventListener('keydown', (e) => {
    const open = !list.hidden && options.length;
    if (e.key === 'ArrowDown') {
      e.preventDefault();
      if (!open) { find(); return; }
      mark(Math.min(options.length - 1, active + 1));
    } else if (e.key === 'ArrowUp') {
      if (!open) return;
      e.preventDefault();
      mark(Math.max(0, active - 1));
    } else if (e.key === 'Enter') {
      // Enter picks; it never submits the form from here.
      e.preventDefault();
      if (open) choose(active >= 0 ? active : 0);
    } else if (e.key === 'Escape') {
      if (!list.hidden) { e.preventDefault(); close(); } else input.value = '';
    }
  });
  input.addEventListener('blur', () => setTimeout(close, 150));
  showChips();
  const el = h('div', { class: 'field picker', dataset: { field: name } },
    h('label', { for: id }, label),
    chips,
    h('div', { class: 'picker-box' }, input, list),
    h('p', { class: 'hint', id: `${id}-hint` }, hint || ''),
    live);
  return { el, ids: () => [...picked.keys()] };
}

const KINDS = ['1', '2', 'summer', 'winter'];
const COHORTS = 30;

/** A term chosen from two selects, a year and a term or cohort, with the
 *  term in words beside them. Returns { el, value(), set(term) }. */
export function termPicker({ name = 'term', label, hint }) {
  const id = `tp-${++seq}`;
  const thisYear = new Date().getFullYear();
  const year = h('select', { id: `${id}-year`, name: `${name}_year`, 'aria-describedby': `${id}-hint` });
  const kind = h('select', { id: `${id}-kind`, name: `${name}_kind`, 'aria-describedby': `${id}-hint` });
  const words = h('output', { class: 'term-words', for: `${id}-year ${id}-kind`, 'aria-live': 'polite' });
  const years = (extra) => {
    const ys = new Set();
    for (let y = thisYear - 1; y <= thisYear + 4; y++) ys.add(y);
    if (extra) ys.add(extra);
    replace(year, [...ys].sort().map((y) => h('option', { value: String(y) }, t('picker.year', { year: y }))));
  };
  years();
  replace(kind,
    h('optgroup', { label: t('picker.semesters') }, KINDS.map((k) => h('option', { value: k }, t(`picker.kind.${k}`)))),
    h('optgroup', { label: t('picker.cohorts') }, Array.from({ length: COHORTS }, (_, i) =>
      h('option', { value: `c${i + 1}` }, t('picker.cohort', { n: i + 1 })))));
  const value = () => `${year.value}-${kind.value}`;
  const say = () => { words.textContent = termName(value()); };
  year.addEventListener('change', say);
  kind.addEventListener('change', say);
  function set(term) {
    const m = /^(\d{4})-(1|2|summer|winter|c([1-9]\d?))$/.exec(term || '');
    const y = m ? Number(m[1]) : thisYear;
    years(y);
    year.value = String(y);
    if (m && ![...kind.options].some((o) => o.value === m[2])) {
      kind.append(h('option', { value: m[2] }, t('picker.cohort', { n: m[3] })));
    }
    kind.value = m ? m[2] : '1';
    say();
  }
  set(null);
  const el = h('fieldset', { class: 'field term-picker', dataset: { field: name } },
    h('legend', {}, label),
    h('div', { class: 'field-row' },
      h('div', { class: 'field' }, h('label', { for: year.id }, t('picker.yearLabel')), year),
      h('div', { class: 'field' }, h('label', { for: kind.id }, t('picker.kindLabel')), kind)),
    words,
    h('p', { class: 'hint', id: `${id}-hint` }, hint || ''));
  return { el, value, set, focus: () => year.focus() };
}

// A select filled once its choices are loaded: until then it says so and
// cannot be chosen from; options grouped [{label, items: [{value, label}]}].
function loadedSelect(name, label, { hint, required } = {}, load) {
  const el = field(name, label, { required, hint, disabled: true }, [{ value: '', label: t('picker.loading') }]);
  const select = el.querySelector('select');
  const ready = load().then((groups) => {
    const used = groups.filter((g) => g.items.length);
    if (!used.length) {
      replace(select, h('option', { value: '' }, t('picker.nothing')));
      return;
    }
    replace(select, used.map((g) => h('optgroup', { label: g.label },
      g.items.map((o) => h('option', { value: String(o.value) }, o.label)))));
    select.disabled = false;
  }, () => {
    replace(select, h('option', { value: '' }, t('picker.failed')));
  });
  return { el, select, ready, value: () => (select.value ? Number(select.value) : null) };
}

/** An instructor of the institution, or one shared with it, chosen by
 *  name (the institution's own first). Returns { el, select, ready, value() }. */
export function instructorPicker({ name = 'instructor_id', label, hint, institutionId }) {
  return loadedSelect(name, label, { hint, required: true }, async () => {
    const all = await getAll('/api/v1/instructors', { institution_id: institutionId, shared: true });
    const byName = (a, b) => a.display_name.localeCompare(b.display_name, 'ko');
    const item = (i) => ({
      value: i.id,
      label: i.home_institution?.id === institutionId ? i.display_name
        : `${i.display_name} · ${i.home_institution?.name || ''}`,
    });
    const own = all.filter((i) => i.home_institution?.id === institutionId).sort(byName);
    const lent = all.filter((i) => i.home_institution?.id !== institutionId).sort(byName);
    return [
      { label: t('picker.ownInstructors'), items: own.map(item) },
      { label: t('picker.sharedInstructors'), items: lent.map(item) },
    ];
  });
}

/** A room the institution owns or is lent, chosen by its name, where it
 *  is and how many it seats. Returns { el, select, ready, value() }. */
export function roomPicker({ name = 'facility_id', label, hint, institutionId }) {
  return loadedSelect(name, label, { hint, required: true }, async () => {
    const all = await getAll('/api/v1/facilities', { usable_by: institutionId });
    const item = (f) => ({
      value: f.id,
      label: [pick({ title_ko: f.name_ko, title_en: f.name_en }), f.location,
        t('picker.seats', { n: f.capacity }),
        f.institution_id !== institutionId ? f.institution?.name : null]
        .filter(Boolean).join(' · '),
    });
    const mine = (f) => f.institution_id === institutionId;
    return [
      { label: t('picker.ownRooms'), items: all.filter(mine).map(item) },
      { label: t('picker.lentRooms'), items: all.filter((f) => !mine(f)).map(item) },
    ];
  });
}
