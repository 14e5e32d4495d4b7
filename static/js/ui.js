// ui.js - what every view shares: its heading and focus, the message line,
// error text for every problem code, confirmation, busy buttons.

import { h, replace, showFieldErrors } from './dom.js';
import { t, has, lang, pickWithLang } from './i18n.js';

/** Starts a view: sets the document title and returns a heading to focus. */
export function heading(title, level = 'h1') {
  document.title = `${title} · ${t('app.title')}`;
  return h(level, { tabindex: '-1', class: 'view-title' }, title);
}

/** A message region (role=status for news, role=alert for errors). */
export function messageBox() {
  return h('div', { class: 'message', role: 'status', 'aria-live': 'polite' });
}

export function showMessage(box, text, kind = 'ok') {
  box.className = `message ${kind}`;
  box.setAttribute('role', kind === 'error' ? 'alert' : 'status');
  replace(box, text);
}

/** The sentence for an ApiError, in the current language. */
export function errorText(err) {
  if (!err || typeof err !== 'object') return t('error.unknown');
  if (err.code && has(`error.${err.code}`)) {
    const vars = { ...err.problem };
    if (err.retryAfter) vars.seconds = err.retryAfter;
    return t(`error.${err.code}`, vars);
  }
  if (err.status && has(`error.http_${err.status}`)) return t(`error.http_${err.status}`);
  return err.message || t('error.unknown');
}

/**
 * Shows err in box; with a form, the server's field errors go next to
 * their controls and the rest are listed in the box.
 */
export function showError(box, err, form) {
  const rest = form ? showFieldErrors(form, err.errors) : (err.errors || []);
  const lines = rest.map((e) => `${fieldName(e.field)}: ${e.message}`);
  box.className = 'message error';
  box.setAttribute('role', 'alert');
  replace(box, h('p', {}, errorText(err)), lines.length ? h('ul', {}, lines.map((l) => h('li', {}, l))) : null);
}

function fieldName(f) {
  const base = String(f || '').replace(/\[.*$/, '');
  return has(`field.${base}`) ? t(`field.${base}`) + String(f).slice(base.length) : f;
}

/** Runs fn with the button disabled and marked busy; returns fn's result. */
export async function busy(button, fn) {
  button.disabled = true;
  button.setAttribute('aria-busy', 'true');
  try {
    return await fn();
  } finally {
    button.disabled = false;
    button.removeAttribute('aria-busy');
  }
}

/** A short note at the top right of the screen (clear of forms), read out
 *  by screen readers. */
export function toast(text) {
  const el = document.getElementById('toast');
  replace(el, text);
  el.classList.add('shown');
  toast.shownAt = Date.now();
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => el.classList.remove('shown'), 6000);
}

/** Takes the toast away; with olderThanMs, only one shown longer ago than
 *  that (a note made just before a page change is about that change). */
export function clearToast({ olderThanMs = 0 } = {}) {
  const el = document.getElementById('toast');
  if (!el?.classList.contains('shown') || Date.now() - (toast.shownAt || 0) < olderThanMs) return;
  el.classList.remove('shown');
  clearTimeout(toast.timer);
}

/**
 * A grey placeholder of a view while it loads: 'cards' (a grid, as the
 * catalogue) or 'page' (a heading and blocks of text). Hidden from screen
 * readers: the view's aria-busy says it is loading.
 */
export function skeleton(kind = 'page') {
  const line = (cls = '') => h('div', { class: `sk-line ${cls}`.trim() });
  return h('div', { class: 'skeleton', 'aria-hidden': 'true' },
    line('sk-title'), line(),
    kind === 'cards'
      ? [h('div', { class: 'sk-block' }), h('ul', { class: 'cards sk-cards' }, [1, 2, 3].map(() => h('li', { class: 'card sk-card' })))]
      : [h('div', { class: 'sk-block' }), line(), line(), h('div', { class: 'sk-block' })]);
}

/**
 * Asks for confirmation in a modal <dialog>; resolves true or false.
 * With withReason, resolves the typed reason (string) or null; with
 * safeFocus, the cancel button has the initial focus as for destructive.
 */
export function confirmDialog(question, { confirmLabel, cancelLabel, destructive = false, withReason = false, safeFocus = false } = {}) {
  return new Promise((resolve) => {
    const reason = withReason ? h('textarea', { id: 'confirm-reason', rows: 3, maxlength: 500 }) : null;
    // A destructive action is a red button that says what it does; the
    // safe choice says it goes back, and has the focus to start with.
    const ok = h('button', { type: 'submit', class: destructive ? 'danger primary' : 'primary', value: 'ok' },
      confirmLabel || t('app.confirm'));
    const cancel = h('button', { type: 'button' }, cancelLabel || t(destructive ? 'app.goBack' : 'app.cancel'));
    const dlg = h('dialog', { class: 'confirm', 'aria-labelledby': 'confirm-q' },
      h('form', { method: 'dialog' },
        h('p', { id: 'confirm-q', class: 'confirm-q' }, question),
        reason ? [h('label', { for: 'confirm-reason' }, t('app.reason')), reason] : null,
        h('div', { class: 'actions' }, cancel, ok)));
    let answered = false;
    const done = (v) => {
      if (answered) return;
      answered = true;
      dlg.close();
      dlg.remove();
      resolve(v);
    };
    cancel.addEventListener('click', () => done(withReason ? null : false));
    dlg.addEventListener('cancel', () => done(withReason ? null : false));
    dlg.querySelector('form').addEventListener('submit', (e) => {
      e.preventDefault();
      done(withReason ? reason.value.trim() : true);
    });
    document.body.append(dlg);
    dlg.showModal();
    // safeFocus: an action that is not destructive but cannot be taken
    // back (a message sent) starts on the safe choice too.
    (reason || (destructive || safeFocus ? cancel : ok)).focus();
  });
}

/** A status word as a badge (the status key is translated). */
export function statusBadge(status) {
  return h('span', { class: `badge status-${status}` }, t(`status.${status}`));
}

/** 'Loading…' placeholder. */
export const loading = () => h('p', { class: 'loading', role: 'status' }, t('app.loading'));

/** Selects a read-only field's text and copies it; false when the browser
 *  refuses the clipboard (the text stays selected for Ctrl+C). */
export async function copyField(input) {
  input.select();
  try {
    await navigator.clipboard.writeText(input.value);
    return true;
  } catch {
    return false;
  }
}

/**
 * A title, summary or name in the page's language; where only the other
 * language has it, that text marked with its lang and a label saying so
 * (one language per page, the other only where a translation is missing).
 */
export function localText(obj, field = 'title', tag = 'span') {
  const { text, lang: l } = pickWithLang(obj, field);
  if (!l || l === lang()) return text;
  return [h(tag, { lang: l }, text), ' ', h('span', { class: 'other-lang' }, t(`app.onlyIn.${l}`))];
}
