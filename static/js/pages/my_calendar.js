// my_calendar.js - the learner's week (#/my/calendar?week=) as a calendar,
// and the private calendar links that put it in Google, Apple or Outlook.

import { h, replace, newId } from '../dom.js';
import { register, t } from '../i18n.js';
import { get, getAll, post, del, withQuery } from '../api.js';
import { heading, messageBox, showMessage, showError, busy, confirmDialog, copyField } from '../ui.js';
import { dateTime } from '../format.js';
import { afterWeek, weekView, weekStart, weekRange } from '../week.js';
import S from '../strings/learner.js';

register(S);

const FEEDS = '/api/v1/me/calendar-feeds';

async function copy(input, note) {
  note.textContent = t(await copyField(input) ? 'mycal.copied' : 'mycal.copyByHand');
}

// The new link, shown once: the server keeps only a hash of its key.
function newFeedPanel(feed) {
  const id = newId('feed-url');
  const input = h('input', { id, type: 'text', readonly: true, value: feed.url, class: 'feed-url', spellcheck: 'false' });
  const note = h('p', { class: 'hint', role: 'status' });
  const copyButton = h('button', { type: 'button', class: 'primary', onclick: () => copy(input, note) }, t('mycal.copy'));
  return h('div', { class: 'new-feed message ok' },
    h('p', {}, h('strong', {}, t('mycal.created'))),
    h('div', { class: 'field' }, h('label', { for: id }, t('mycal.urlLabel')), input),
    h('div', { class: 'actions' }, copyButton,
      h('a', { href: feed.url.replace(/^https?:/, 'webcal:'), class: 'button' }, t('mycal.openApp'))),
    note,
    h('p', {}, t('mycal.onceOnly')));
}

export default async function render({ view, query, navigate }) {
  const monday = weekStart(query);
  const box = messageBox();
  box.setAttribute('tabindex', '-1');
  const fresh = h('div');
  const feedsSlot = h('div', { class: 'table-wrap' });
  let [schedule, feeds] = await Promise.all([
    get(withQuery('/api/v1/me/schedule', weekRange(monday))),
    getAll(FEEDS).catch(() => []),
  ]);
  // An empty week says when the next class is.
  const next = schedule.items.length ? undefined
    : await get(withQuery('/api/v1/me/schedule', afterWeek(monday))).then((r) => r.items[0] || null, () => undefined);

  async function reloadFeeds() {
    feeds = await getAll(FEEDS).catch(() => feeds);
    drawFeeds();
  }

  async function revoke(f, button) {
    if (!await confirmDialog(t('mycal.revokeConfirm'), { confirmLabel: t('mycal.revoke'), destructive: true })) {
      button.focus();
      return;
    }
    await busy(button, async () => {
      try {
        await del(`${FEEDS}/${f.id}`);
        showMessage(box, h('p', {}, t('mycal.revoked')));
      } catch (err) {
        showError(box, err);
      }
    });
    replace(fresh);
    await reloadFeeds();
    box.focus();
  }

  function drawFeeds() {
    const live = feeds.filter((f) => f.kind === 'learner' && !f.revoked_at);
    if (!live.length) {
      replace(feedsSlot, h('p', { class: 'muted' }, t('mycal.noFeeds')));
      return;
    }
    replace(feedsSlot, h('table', { class: 'stack-phone cal-feeds' },
      h('caption', {}, t('mycal.feedsCaption')),
      h('thead', {}, h('tr', {}, ['mycal.createdAt', 'mycal.lastUsed', 'mycal.actions']
        .map((k) => h('th', { scope: 'col' }, t(k))))),
      h('tbody', {}, live.map((f) => {
        const button = h('button', { type: 'button', class: 'danger', 'aria-label': t('mycal.revokeFor', { when: dateTime(f.created_at) }) },
          t('mycal.revoke'));
        button.addEventListener('click', () => revoke(f, button));
        return h('tr', {},
          h('td', { 'data-label': t('mycal.createdAt') }, dateTime(f.created_at)),
          h('td', { 'data-label': t('mycal.lastUsed') }, f.last_used_at ? dateTime(f.last_used_at) : t('mycal.neverUsed')),
          h('td', { 'data-label': t('mycal.actions') }, button));
      }))));
  }

  const create = h('button', { type: 'button', class: 'primary' }, t('mycal.create'));
  create.addEventListener('click', () => busy(create, async () => {
    try {
      const feed = await post(FEEDS, { kind: 'learner' });
      replace(box);
      box.className = 'message';
      replace(fresh, newFeedPanel(feed));
      fresh.querySelector('input').focus();
      await reloadFeeds();
    } catch (err) {
      showError(box, err);
    }
  }));

  drawFeeds();
  replace(view,
    heading(t('mycal.title')),
    h('p', { class: 'crumbs' }, h('a', { href: '#/my' }, t('mycal.backToMy'))),
    h('section', { 'aria-labelledby': 'mycal-week' },
      h('h2', { id: 'mycal-week' }, t('week.title')),
      weekView({
        monday,
        items: schedule.items,
        onWeek: (m) => navigate('/my/calendar', { week: m }),
        link: (it) => `#/courses/${it.course_id}`,
        next,
      })),
    h('section', { 'aria-labelledby': 'mycal-feeds' },
      h('h2', { id: 'mycal-feeds' }, t('mycal.feedsTitle')),
      h('p', {}, t('mycal.explain')),
      h('ul', { class: 'how' },
        h('li', {}, t('mycal.howGoogle')),
        h('li', {}, t('mycal.howApple')),
        h('li', {}, t('mycal.howOutlook'))),
      h('p', { class: 'muted' }, t('mycal.privacy')),
      h('div', { class: 'actions' }, create,
        h('a', { href: '/api/v1/me/calendar.ics', download: 'my-calendar.ics', class: 'button' }, t('mycal.download'))),
      box, fresh, feedsSlot));
}
