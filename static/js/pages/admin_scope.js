// admin_scope.js - which institution an admin page acts for (kept in the
// hash query ?institution=<id>), the picker for admins of several, and what
// the admin pages share: breadcrumb and page top, list tables, forms that
// send with their refusals shown in the reader's language.

import { h, field } from '../dom.js';
import { register, t, has, lang, pick } from '../i18n.js';
import { getAll, adminInstitutions } from '../api.js';
import { heading, busy, showError } from '../ui.js';
import S from '../strings/admin.js';

register(S);

let cached = null;

/** Every institution ({id, code, name_ko, name_en, ...}), loaded once. */
export async function institutions() {
  if (!cached) cached = getAll('/api/v1/institutions').catch((e) => { cached = null; throw e; });
  return cached;
}

/**
 * The institution the page acts for:
 *   const scope = await adminScope(ctx);
 *   options: allowAll (platform admins may pick "all institutions"),
 *            id (the institution of the thing shown, over the query's)
 *   scope.id        number, or null for "all institutions" (allowAll only)
 *   scope.name      its name in the current language
 *   scope.choices   the institutions this admin may pick from
 *   scope.picker    a small form to switch institution (null when there is one)
 *   scope.query(extra)       {institution: id, ...extra} for ctx.navigate
 *   scope.href(path, extra)  '#/path?institution=id&...' for links
 */
export async function adminScope(ctx, { allowAll = false, id: known } = {}) {
  const all = await institutions();
  const mine = adminInstitutions();
  const choices = mine === null ? all : all.filter((i) => mine.includes(i.id));
  const asked = Number(known ?? ctx.query.get('institution'));
  let id = choices.some((i) => i.id === asked) ? asked : null;
  const everything = allowAll && mine === null;
  if (id === null && !(everything && !asked)) id = choices[0]?.id ?? null;
  const inst = all.find((i) => i.id === id);
  const scope = {
    id,
    name: inst ? pick(inst, 'name') : t('admin.scope.all'),
    choices,
    query: (extra = {}) => ({ institution: id ?? '', ...extra }),
    href: (path, extra = {}) => {
      const q = new URLSearchParams(Object.entries(scope.query(extra))
        .filter(([, v]) => v !== '' && v !== null && v !== undefined)).toString();
      return `#${path}${q ? `?${q}` : ''}`;
    },
    picker: null,
  };
  if (choices.length > 1 || everything) scope.picker = picker(ctx, scope, everything);
  return scope;
}

function picker(ctx, scope, everything) {
  const form = queryForm(t('admin.scope.label'), t('admin.scope.show'),
    [field('institution', t('admin.scope.label'), {}, options(scope, everything))],
    (el) => ctx.navigate(ctx.path, { institution: el.institution.value }));
  form.classList.add('scope-picker');
  return form;
}

/**
 * A form of filters kept in the route's query: the fields, a button, and
 * go(form.elements) on submit (a change of context only when asked for).
 */
export function queryForm(label, buttonLabel, fields, go) {
  const form = h('form', { class: 'filters', 'aria-label': label },
    fields, h('div', { class: 'actions' }, h('button', { type: 'submit' }, buttonLabel)));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    go(form.elements);
  });
  return form;
}

function options(scope, everything) {
  const list = scope.choices.map((i) => ({ value: i.id, label: pick(i, 'name'), selected: i.id === scope.id }));
  if (everything) list.unshift({ value: '', label: t('admin.scope.all'), selected: scope.id === null });
  return list;
}

/** The breadcrumb of an admin page: crumbs(scope, [[label, path], ..., [here]]). */
export function crumbs(scope, trail) {
  const items = [[t('admin.title'), '/admin'], ...trail];
  return h('nav', { class: 'crumbs', 'aria-label': t('admin.crumbs') },
    h('ol', {}, items.map(([label, path], i) => h('li', {},
      i === items.length - 1 ? h('span', { 'aria-current': 'page' }, label) : h('a', { href: scope.href(path) }, label)))));
}

/**
 * The server words its field messages in English. A refusal with a code of
 * its own (course_code_taken) shows that sentence by the field; in Korean,
 * a field with a message of its own (key `${prefix}.${field}`) shows it
 * instead, so the form reads in one language; English keeps the server's
 * exact words.
 */
export function localFieldErrors(err, prefix) {
  if (!err || !Array.isArray(err.errors)) return err;
  const coded = err.code !== 'validation_failed' && has(`error.${err.code}`);
  err.errors = err.errors.map((e) => {
    if (coded) return { ...e, message: t(`error.${err.code}`) };
    const key = `${prefix}.${String(e.field || '').replace(/\[.*$/, '')}`;
    return lang() !== 'en' && has(key) ? { ...e, message: t(key) } : e;
  });
  return err;
}

/**
 * The top of an admin list page: breadcrumb, heading, the institution's
 * name and its picker. Marks the view as an admin page (for app.css).
 */
export function adminTop(ctx, scope, title) {
  ctx.view.classList.add('admin');
  return [crumbs(scope, [[title]]), heading(title), h('p', { class: 'lead' }, scope.name), scope.picker];
}

/**
 * A list table that stacks on a phone: listTable('tokens', caption,
 * [label | {label, class}], rows). Each row's cells carry data-label.
 */
export function listTable(cls, caption, cols, rows) {
  const heads = cols.map((c) => (typeof c === 'string' ? { label: c } : c));
  return h('table', { class: `stack-phone ${cls}` },
    h('caption', {}, caption),
    h('thead', {}, h('tr', {}, heads.map((c) => h('th', { scope: 'col', class: c.class }, c.label)))),
    h('tbody', {}, rows));
}

/**
 * Sends a form: send(form.elements) runs with the button busy; a refusal
 * is shown in box, with field messages beside their controls.
 */
export function onSubmit(form, button, box, send) {
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    busy(button, async () => {
      try {
        await send(form.elements);
      } catch (err) {
        showError(box, localFieldErrors(err, 'admin.invalid'), form);
      }
    });
  });
}
