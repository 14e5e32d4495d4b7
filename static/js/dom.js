// dom.js - building the page from data without innerHTML: every value the
// API returns becomes a text node or an attribute, never markup.

/**
 * h('button', {class: 'primary', onclick: fn, 'aria-label': 'x'}, 'text', node, [more])
 * Props: class, text, dataset (object), on<event> (listener), boolean
 * properties (disabled, checked, hidden, required, selected) and anything else
 * as an attribute. Children: strings and numbers become text; null, undefined
 * and false are skipped; arrays are flattened.
 */
export function h(tag, props, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(props || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') el.className = Array.isArray(v) ? v.filter(Boolean).join(' ') : v;
    else if (k === 'text') el.textContent = v;
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'value') el.value = v;
    else if (['disabled', 'checked', 'hidden', 'required', 'selected', 'multiple'].includes(k)) el[k] = true;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, children);
  return el;
}

export function append(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

/** Replaces everything in el with children. */
export function replace(el, ...children) {
  el.replaceChildren();
  return append(el, children);
}

/** A text node (for clarity where a string would also do). */
export const text = (s) => document.createTextNode(String(s ?? ''));

let uid = 0;
/** A fresh id for label/aria-describedby pairs. */
export function newId(prefix = 'f') {
  uid += 1;
  return `${prefix}-${uid}`;
}

/**
 * A labelled form control: field('email', t('field.email'), {type: 'email', required: true}).
 * Returns the wrapper; its control has name and id set, and a hint line
 * (aria-describedby) where field errors from the server are shown.
 */
export function field(name, label, props = {}, options) {
  const id = newId(name);
  const hintId = `${id}-hint`;
  const tag = props.tag || (options ? 'select' : 'input');
  const { tag: _t, hint, ...rest } = props;
  const control = h(tag, { id, name, 'aria-describedby': hintId, ...rest });
  if (options) for (const o of options) control.append(h('option', { value: o.value, selected: o.selected }, o.label));
  return h('div', { class: 'field', dataset: { field: name } },
    h('label', { for: id }, label),
    control,
    h('p', { class: 'hint', id: hintId }, hint || ''));
}

/** Shows the server's per-field messages next to the form's controls;
 *  returns the messages that matched no control. */
export function showFieldErrors(form, errors) {
  for (const el of form.querySelectorAll('.field')) {
    el.classList.remove('invalid');
    const c = el.querySelector('input, select, textarea');
    if (c) c.removeAttribute('aria-invalid');
    const hint = el.querySelector('.hint');
    if (hint && hint.dataset.error) { hint.textContent = hint.dataset.base || ''; delete hint.dataset.error; }
  }
  const rest = [];
  let first = null;
  for (const e of errors || []) {
    const name = String(e.field || '').replace(/\[.*$/, '');
    const el = form.querySelector(`.field[data-field="${CSS.escape(name)}"]`);
    if (!el) { rest.push(e); continue; }
    el.classList.add('invalid');
    const c = el.querySelector('input, select, textarea');
    if (c) { c.setAttribute('aria-invalid', 'true'); first ??= c; }
    const hint = el.querySelector('.hint');
    if (hint) {
      if (!hint.dataset.error) hint.dataset.base = hint.textContent;
      hint.dataset.error = '1';
      hint.textContent = e.message;
    }
  }
  if (first) first.focus();
  return rest;
}

/** The form's named controls as an object; empty strings are left out. */
export function formValues(form) {
  const out = {};
  for (const c of form.elements) {
    if (!c.name || c.disabled) continue;
    if (c.type === 'checkbox') out[c.name] = c.checked;
    else if (c.multiple) out[c.name] = [...c.selectedOptions].map((o) => o.value);
    else if (c.value !== '') out[c.name] = c.value;
  }
  return out;
}

// Lesson bodies arrive as HTML that libcmark rendered in safe mode. They
// are still rebuilt element by element from a list of allowed tags and
// attributes, so no markup from the server reaches the page unchecked.
const ALLOWED = new Set(['p', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'ul', 'ol', 'li', 'a', 'em',
  'strong', 'code', 'pre', 'blockquote', 'hr', 'br', 'table', 'thead', 'tbody', 'tr', 'th', 'td',
  'del', 'img', 'sup', 'sub']);

function safeUrl(v, kind) {
  try {
    const u = new URL(v, location.href);
    if (kind === 'img') return u.origin === location.origin ? u.href : null;
    return ['https:', 'http:', 'mailto:'].includes(u.protocol) ? u.href : null;
  } catch {
    return null;
  }
}

function rebuild(node) {
  if (node.nodeType === Node.TEXT_NODE) return document.createTextNode(node.data);
  if (node.nodeType !== Node.ELEMENT_NODE) return null;
  const tag = node.tagName.toLowerCase();
  const kids = [...node.childNodes].map(rebuild).filter(Boolean);
  if (!ALLOWED.has(tag)) {
    const frag = document.createDocumentFragment();
    frag.append(...kids);
    return frag;
  }
  const el = document.createElement(tag);
  if (tag === 'a') {
    const href = safeUrl(node.getAttribute('href') || '', 'a');
    if (href) { el.href = href; el.rel = 'noopener noreferrer'; el.target = '_blank'; }
  } else if (tag === 'img') {
    const src = safeUrl(node.getAttribute('src') || '', 'img');
    if (!src) return document.createTextNode(node.getAttribute('alt') || '');
    el.src = src;
    el.alt = node.getAttribute('alt') || '';
  } else if ((tag === 'ol') && node.getAttribute('start')) {
    el.setAttribute('start', String(parseInt(node.getAttribute('start'), 10) || 1));
  }
  el.append(...kids);
  return el;
}

/** A fragment holding the allowed part of an HTML string. */
export function safeHtml(html) {
  const doc = new DOMParser().parseFromString(String(html || ''), 'text/html');
  const frag = document.createDocumentFragment();
  for (const n of [...doc.body.childNodes]) {
    const r = rebuild(n);
    if (r) frag.append(r);
  }
  return frag;
}
