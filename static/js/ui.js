// ui.js - what every view shares: its heading and focus, the message line,
// error text for every problem code, confirmation, busy buttons.

import { h, replace, showFieldErrors } from './dom.js';
import { t, has } from './i18n.js';

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

/** A short note at the bottom of the screen, read out by screen readers. */
export function toast(text) {
  const el = document.getElementById('toast');
  replace(el, text);
  el.classList.add('shown');
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => el.classList.remove('shown'), 6000);
}

/**
 * Asks for confirmation in a modal <dialog>; resolves true or false.
 * With withReason, resolves the typed reason (string) or null.
 */
export function confirmDialog(question, { confirmLabel, withReason = false } = {}) {
  return new Promise((resolve) => {
    const reason = withReason ? h('textarea', { id: 'confirm-reason', rows: 3, maxlength: 500 }) : null;
    const ok = h('button', { type: 'submit', class: 'primary', value: 'ok' }, confirmLabel || t('app.confirm'));
    const cancel = h('button', { type: 'button' }, t('app.cancel'));
    const dlg = h('dialog', { class: 'confirm', 'aria-labelledby': 'confirm-q' },
      h('form', { method: 'dialog' },
        h('p', { id: 'confirm-q' }, question),
        reason ? [h('label', { for: 'confirm-reason' }, t('app.reason')), reason] : null,
        h('div', { class: 'actions' }, ok, cancel)));
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
    (reason || ok).focus();
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
