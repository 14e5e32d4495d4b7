// failed_mail.spec.mjs - the failed-mail page of platform admins: reached
// from the dashboard's card, it lists a message the outbox gave up on
// (recipient, kind in words, attempts, last error, when); its retry asks
// first, with the safe choice focused, then puts the message back in the
// queue; a message that carried a link has no retry; an institution admin
// cannot reach the list. Reference screenshots at 1366x768 and 390x844 in
// both languages (failed-mail-<desktop|phone>-<lang>.png).
import assert from 'node:assert/strict';

import {
  BASE_URL, TIMEOUT_MS, assertAccessible, assertClean, launch, newPage, signIn, sql, sqlOne, test, until,
} from './lib.mjs';

const PLATFORM = 'admin@example.com';
const INSTITUTION_ADMIN = 'gist-admin@example.com';
const drawn = () => document.getElementById('view').getAttribute('aria-busy') !== 'true';
const ids = {};

test('set-up: two failed messages, one of them with a link', () => {
  ids.retry = sqlOne(`INSERT INTO outbox (kind, to_address, locale, params, state, attempts, last_error)
    VALUES ('affiliation.approved', 'fail-retry@example.com', 'ko', '{"institution_ko": "광주과학기술원", "institution_en": "GIST"}',
      'failed', 8, '550 5.1.1 mailbox unavailable') RETURNING id`);
  ids.link = sqlOne(`INSERT INTO outbox (kind, to_address, locale, state, attempts, last_error)
    VALUES ('auth.password_reset', 'fail-link@example.com', 'en', 'failed', 8, 'connection refused') RETURNING id`);
});

async function open(browser, email, { viewport = { width: 1366, height: 768 }, lang = 'ko', path = '/#/admin/mail' } = {}) {
  const phone = viewport.width < 500;
  const context = await browser.newContext({
    baseURL: BASE_URL, ignoreHTTPSErrors: true, locale: 'ko-KR', timezoneId: 'Asia/Seoul', viewport,
    ...(phone ? { isMobile: true, hasTouch: true } : {}),
  });
  context.setDefaultTimeout(TIMEOUT_MS);
  await context.addInitScript((l) => localStorage.setItem('lang', l), lang);
  const page = await newPage(context);
  await signIn(page, email);
  await page.goto(path);
  await until(page, `${path} drawn`, drawn);
  return { context, page };
}

const row = (page, id) => page.locator(`tr[data-message="${id}"]`);

test("the dashboard's failed-mail card leads to the list, which shows each message", async () => {
  const { browser } = await launch();
  const { context, page } = await open(browser, PLATFORM, { path: '/#/admin' });
  await page.screenshot({ path: `${process.env.LMS_OUTPUT_DIR}/dashboard-platform-ko.png` });
  await page.locator('.stat-failedMail a').click();
  await page.getByRole('heading', { level: 1, name: '발송 실패 메일' }).waitFor();
  assert.match(page.url(), /#\/admin\/mail$/);
  const r = row(page, ids.retry);
  assert.match(await r.locator('th').textContent(), /fail-retry@example\.com/);
  const text = await r.textContent();
  assert.match(text, /소속 확인 승인/, 'the kind in words');
  assert.match(text, /8회/);
  assert.match(text, /550 5\.1\.1 mailbox unavailable/);
  assert.ok(await r.getByRole('button', { name: 'fail-retry@example.com에게 다시 보내기' }).isVisible());
  // A message that carried a link cannot be sent again: the row says so.
  const l = row(page, ids.link);
  assert.equal(await l.getByRole('button').count(), 0);
  assert.match(await l.textContent(), /비밀번호 재설정.*새 링크 요청 필요/);
  await assertAccessible(page, 'failed mail ko');
  assertClean(page);
  await context.close();
});

test('retry asks first with the safe choice focused, then puts the message back in the queue', async () => {
  const { browser } = await launch();
  const { context, page } = await open(browser, PLATFORM);
  const button = row(page, ids.retry).getByRole('button', { name: /다시 보내기/ });
  await button.click();
  const dialog = page.getByRole('dialog');
  await dialog.waitFor();
  assert.match(await dialog.textContent(), /fail-retry@example\.com에게 보내는 “소속 확인 승인” 메일을 다시 보낼까요\?/);
  assert.equal(await page.evaluate(() => document.activeElement.textContent), '돌아가기', 'the safe choice has the focus');
  assert.deepEqual(await dialog.getByRole('button').allTextContents(), ['돌아가기', '다시 보내기']);
  await page.keyboard.press('Enter');
  await dialog.waitFor({ state: 'detached' });
  assert.equal(sqlOne(`SELECT state FROM outbox WHERE id = ${ids.retry}`), 'failed', 'going back sends nothing');
  await until(page, 'the focus back on the row\'s button', () => document.activeElement?.tagName === 'BUTTON'
    && document.activeElement.closest('tr') !== null);

  await button.click();
  await dialog.waitFor();
  await dialog.getByRole('button', { name: '다시 보내기' }).click();
  await page.getByText('fail-retry@example.com에게 보내는 메일을 대기열로 돌려보냈습니다.').waitFor();
  assert.equal(await row(page, ids.retry).count(), 0, 'the message left the list');
  assert.equal(await row(page, ids.link).count(), 1);
  // Back in the queue: pending, or already delivered by the mail worker.
  assert.match(sqlOne(`SELECT state FROM outbox WHERE id = ${ids.retry}`), /^(pending|sent)$/);
  assert.equal(sqlOne(`SELECT count(*) FROM audit_log WHERE action = 'mail.retry' AND target_id = ${ids.retry}`), '1');
  assertClean(page);
  await context.close();
});

test('an institution admin cannot reach the list', async () => {
  const { browser } = await launch();
  const { context, page } = await open(browser, INSTITUTION_ADMIN, { path: '/#/admin' });
  assert.equal(await page.locator('.stat-failedMail').count(), 0, 'no card on the dashboard');
  const asked = [];
  page.on('request', (r) => asked.push(new URL(r.url()).pathname));
  await page.goto('/#/admin/mail');
  await until(page, 'the page drawn', drawn);
  await page.getByText('이 페이지는 플랫폼 관리자만 볼 수 있습니다.').waitFor();
  assert.equal(await page.locator('table').count(), 0);
  assert.ok(!asked.includes('/api/v1/mail/failed'), 'the page does not ask for the list');
  // The server refuses it too.
  const r = await page.request.get('/api/v1/mail/failed');
  assert.equal(r.status(), 403);
  assertClean(page);
  await context.close();
});

test('the page at both sizes in both languages (reference screenshots), nothing wider than the screen', async () => {
  sql(`INSERT INTO outbox (kind, to_address, locale, state, attempts, last_error)
    VALUES ('session.moved', 'another-long-address.of.a.learner@example.com', 'ko', 'failed', 8,
      'template session.moved: the value old_starts is missing')`);
  const { browser } = await launch();
  for (const [size, viewport] of [['desktop', { width: 1366, height: 768 }], ['phone', { width: 390, height: 844 }]]) {
    for (const lang of ['ko', 'en']) {
      const { context, page } = await open(browser, PLATFORM, { viewport, lang });
      await page.locator('table.failed-mail-list').waitFor();
      const wide = await page.evaluate(() => document.documentElement.scrollWidth);
      assert.ok(wide <= viewport.width, `${size} ${lang}: the page is ${wide}px wide`);
      if (lang === 'en') {
        assert.ok(await page.getByRole('heading', { level: 1, name: 'Failed mail' }).isVisible());
        assert.match(await row(page, ids.link).textContent(), /Password reset.*Needs a new link/);
      }
      await assertAccessible(page, `failed mail ${size} ${lang}`);
      await page.screenshot({ path: `${process.env.LMS_OUTPUT_DIR}/failed-mail-${size}-${lang}.png` });
      await page.screenshot({ path: `${process.env.LMS_OUTPUT_DIR}/failed-mail-${size}-${lang}-full.png`, fullPage: true });
      assertClean(page);
      await context.close();
    }
  }
});
