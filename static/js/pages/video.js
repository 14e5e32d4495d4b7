// video.js - a video lesson with real progress (#/videos/:id, the lesson's
// id): the player resumes where I stopped and reports the intervals it
// actually played; the server merges them and says how much counts.

import { h, replace } from '../dom.js';
import { register, t, pick } from '../i18n.js';
import { get, put } from '../api.js';
import { heading, messageBox, showError, errorText } from '../ui.js';
import S from '../strings/activities.js';

register(S);

const REPORT_MS = 15000;

function clock(sec) {
  const s = Math.max(0, Math.floor(sec));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

export default async function render({ view, params }) {
  const id = encodeURIComponent(params.id);
  let lesson;
  let progress;
  try {
    [lesson, progress] = await Promise.all([get(`/api/v1/lessons/${id}`), get(`/api/v1/lessons/${id}/video-progress`)]);
  } catch (err) {
    if (![400, 403, 404].includes(err.status)) throw err;
    replace(view, heading(t('act.video.title')), h('p', {}, errorText(err)));
    return;
  }
  const mp4 = (lesson.attachments || []).find((f) => f.content_type === 'video/mp4');
  const src = mp4 ? `/api/v1/attachments/${mp4.id}` : lesson.url;
  const box = messageBox();
  const status = h('p', { class: 'progress', role: 'status' });
  const bar = h('progress', { max: 100, value: 0, 'aria-label': t('act.video.title') });
  const show = (p) => {
    bar.value = Number(p.percent) || 0;
    replace(status, p.completed_at ? `✓ ${t('act.video.done')} · ` : '',
      t('act.video.progress', { pct: Math.floor(Number(p.percent) || 0), need: p.complete_pct }));
  };
  show(progress);

  const video = h('video', { controls: true, preload: 'metadata', src, class: 'lesson-video' });
  // Intervals played and not yet acknowledged by the server, kept here so
  // that a dropped connection or a closed tab loses nothing.
  const key = `lms.video.${lesson.id}`;
  let pending = [];
  try { pending = JSON.parse(localStorage.getItem(key) || '[]'); } catch { pending = []; }
  let from = null;
  let last = null;
  const keep = () => localStorage.setItem(key, JSON.stringify(pending));
  const close = () => {
    if (from !== null && last !== null && last > from) pending.push([from, last]);
    from = null;
    last = null;
    keep();
  };
  video.addEventListener('timeupdate', () => {
    const now = video.currentTime;
    if (video.paused || video.seeking) return;
    // A jump is a seek, not watching.
    if (last !== null && (now < last || now - last > 2)) close();
    if (from === null) from = now;
    last = now;
  });
  video.addEventListener('seeking', close);
  video.addEventListener('pause', () => { close(); report(); });
  video.addEventListener('ended', () => { close(); report(); });
  video.addEventListener('loadedmetadata', () => {
    if (progress.position > 0 && progress.position < video.duration - 5) {
      video.currentTime = progress.position;
      box.textContent = t('act.video.resumed', { time: clock(progress.position) });
    }
  });

  let sending = false;
  async function report() {
    if (sending || !Number.isFinite(video.duration) || video.duration <= 0) return;
    if (!video.paused && from !== null && last !== null && last > from) {
      pending.push([from, last]);
      from = last;
      keep();
    }
    const batch = pending.slice(0, 200);
    sending = true;
    try {
      const p = await put(`/api/v1/lessons/${id}/video-progress`, {
        intervals: batch, position: Math.floor(video.currentTime), duration: Math.ceil(video.duration),
      });
      pending = pending.slice(batch.length);
      keep();
      progress = p;
      show(p);
    } catch (err) {
      // Too much at once: the same intervals count when sent later.
      if (err.problem?.code !== 'progress_too_fast') showError(box, err);
    } finally {
      sending = false;
    }
  }
  const timer = setInterval(report, REPORT_MS);
  window.addEventListener('hashchange', () => { clearInterval(timer); close(); report(); }, { once: true });

  replace(view,
    h('p', { class: 'crumbs' }, h('a', { href: `#/lessons/${lesson.id}` }, pick(lesson))),
    heading(pick(lesson)),
    video, h('p', {}, bar, ' '), status, box);
}
