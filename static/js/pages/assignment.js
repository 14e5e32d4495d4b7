// assignment.js - handing in an assignment (#/assignments/:id, the lesson's
// id): the due date and late policy, my submission with its grade and the
// instructor's feedback, a text and a file upload with a progress bar.

import { h, replace, safeHtml } from '../dom.js';
import { register, t, pick } from '../i18n.js';
import { get, put, csrf, ApiError } from '../api.js';
import { heading, messageBox, showMessage, showError, errorText, busy } from '../ui.js';
import { dateTime, number } from '../format.js';
import S from '../strings/activities.js';

register(S);

// POSTs file to path with the upload's progress reported to onProgress(0..1).
function upload(path, file, onProgress) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', path);
    xhr.setRequestHeader('Content-Type', 'application/octet-stream');
    xhr.setRequestHeader('Accept', 'application/json');
    if (csrf()) xhr.setRequestHeader('X-CSRF-Token', csrf());
    xhr.upload.addEventListener('progress', (e) => { if (e.lengthComputable) onProgress(e.loaded / e.total); });
    xhr.addEventListener('load', () => {
      let body = null;
      try { body = JSON.parse(xhr.responseText); } catch { /* not JSON */ }
      if (xhr.status >= 200 && xhr.status < 300) resolve(body);
      else reject(new ApiError(xhr.status, body));
    });
    xhr.addEventListener('error', () => reject(new ApiError(0, null)));
    xhr.send(file);
  });
}

function submissionView(s, max) {
  if (!s) return h('p', { class: 'muted' }, t('act.hw.none'));
  return h('div', { class: 'submission' },
    h('ul', { class: 'meta' },
      h('li', {}, t('act.hw.version', { n: s.version })),
      h('li', {}, dateTime(s.submitted_at)),
      s.late ? h('li', { class: 'error' }, t('act.hw.late')) : null,
      h('li', {}, h('strong', {}, t(`act.hw.status.${s.status}`)))),
    s.file ? h('p', {}, h('a', { href: s.file.download, download: s.file.filename }, s.file.filename)) : null,
    s.body ? h('blockquote', {}, s.body) : null,
    s.status === 'graded' ? h('p', { class: 'score' }, t('act.hw.score', { score: number(s.final_score), max: number(max) })) : null,
    s.feedback ? h('section', { 'aria-label': t('act.hw.feedback') }, h('h3', {}, t('act.hw.feedback')), h('p', {}, s.feedback)) : null);
}

export default async function render({ view, params }) {
  const id = encodeURIComponent(params.id);
  let lesson;
  let a;
  try {
    [lesson, a] = await Promise.all([get(`/api/v1/lessons/${id}`), get(`/api/v1/lessons/${id}/assignment`)]);
  } catch (err) {
    if (![400, 403, 404, 409].includes(err.status)) throw err;
    replace(view, heading(t('act.hw.title')), h('p', {}, errorText(err)));
    return;
  }
  const box = messageBox();
  const mine = h('div', {}, submissionView(a.submission, a.max_score));
  const redraw = (s) => { a.submission = s; replace(mine, submissionView(s, a.max_score)); };
  const closed = a.submission?.status === 'graded';

  const text = h('textarea', { id: 'hw-text', rows: 8, maxlength: 50000 }, a.submission?.body || '');
  const sendText = h('button', { type: 'submit', class: 'primary' }, t('act.hw.saveText'));
  const textForm = h('form', {},
    h('label', { for: 'hw-text' }, t('act.hw.text')), text, h('div', { class: 'actions' }, sendText));
  textForm.addEventListener('submit', (e) => {
    e.preventDefault();
    busy(sendText, async () => {
      try {
        redraw(await put(`/api/v1/lessons/${id}/submission`, { body: text.value }));
        showMessage(box, t('act.hw.sent'));
      } catch (err) {
        showError(box, err);
      }
    });
  });

  const file = h('input', { type: 'file', id: 'hw-file', accept: '.pdf,.zip,.ipynb,.png,.jpg,.jpeg' });
  const bar = h('progress', { max: 1, value: 0, hidden: true, 'aria-label': t('act.hw.upload') });
  const barText = h('span', { role: 'status' });
  const sendFile = h('button', { type: 'submit', class: 'primary' }, t('act.hw.upload'));
  const fileForm = h('form', {},
    h('label', { for: 'hw-file' }, t('act.hw.file', { mb: a.max_file_mb })), file,
    h('p', {}, bar, ' ', barText), h('div', { class: 'actions' }, sendFile));
  fileForm.addEventListener('submit', (e) => {
    e.preventDefault();
    const f = file.files[0];
    if (!f) { file.focus(); return; }
    busy(sendFile, async () => {
      bar.hidden = false;
      try {
        const s = await upload(`/api/v1/lessons/${id}/submission/file?filename=${encodeURIComponent(f.name)}`, f, (r) => {
          bar.value = r;
          barText.textContent = t('act.hw.uploading', { pct: Math.round(r * 100) });
        });
        redraw(s);
        showMessage(box, t('act.hw.sent'));
      } catch (err) {
        showError(box, err);
      } finally {
        bar.hidden = true;
        barText.textContent = '';
      }
    });
  });

  replace(view,
    h('p', { class: 'crumbs' }, h('a', { href: `#/lessons/${lesson.id}` }, pick(lesson))),
    heading(`${t('act.hw.title')}: ${pick(lesson)}`),
    h('ul', { class: 'meta' },
      h('li', {}, t('act.hw.due', { when: dateTime(a.due_at) })),
      h('li', {}, t(`act.hw.late.${a.late_policy}`, { pct: a.late_penalty_pct }))),
    h('article', { class: 'lesson-body' }, safeHtml(lesson.body_html || '')),
    h('section', { 'aria-labelledby': 'hw-mine' }, h('h2', { id: 'hw-mine' }, t('act.hw.mine')), mine),
    closed ? null : [a.accepts !== 'file' ? textForm : null, a.accepts !== 'text' ? fileForm : null],
    box);
}
