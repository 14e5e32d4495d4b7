// dashboard.spec.mjs - the institution admin's dashboard: today's figures
// as cards that count what the database holds and link to where the work
// is done, the next classes of the institution (and the empty state of an
// institution with none), failed mail for platform admins only (its card
// leads to the failed-mail page), one summary read and one schedule read a
// visit; reference
// screenshots at 1366x768 and 390x844 in both languages
// (dashboard-<desktop|phone>-<lang>.png).
import assert from 'node:assert/strict';

import { BASE_URL, TIMEOUT_MS, assertClean, launch, newPage, signIn, sql, sqlOne, test, until } from './lib.mjs';
import { ADMIN, INSTRUCTOR, drawn } from './look_lib.mjs';

const KST = "(now() AT TIME ZONE 'Asia/Seoul')";
const ids = {};

test('set-up: a class of a GIST section tomorrow, a failed message', () => {
  ids.gist = sqlOne("SELECT id FROM institutions WHERE code = 'gist'");
  ids.instructor = sqlOne(`SELECT id FROM users WHERE email = '${INSTRUCTOR}'`);
  ids.section = sqlOne(`INSERT INTO sections (course_id, term, starts_on, ends_on, capacity,
      enrollment_opens_at, enrollment_closes_at, status)
    SELECT c.id, extract(year FROM ${KST})::int || '-winter', ${KST}::date, ${KST}::date + 60, 20,
      now() - interval '1 day', now() + interval '8 days', 'open'
    FROM courses c JOIN institutions i ON i.id = c.institution_id
    WHERE i.code = 'gist' AND c.code = 'AIA-205' RETURNING id`);
  sql(`INSERT INTO section_instructors (section_id, user_id) VALUES (${ids.section}, ${ids.instructor})`);
  sql(`INSERT INTO class_sessions (section_id, starts_at, ends_at, instructor_id, online_url)
    VALUES (${ids.section}, (${KST}::date + 1 + time '06:10') AT TIME ZONE 'Asia/Seoul',
      (${KST}::date + 1 + time '06:50') AT TIME ZONE 'Asia/Seoul', ${ids.instructor}, 'https://meet.example.com/aia')`);
  sql(`INSERT INTO outbox (kind, to_address, locale, state, attempts, last_error)
    VALUES ('account.verify', 'nobody@example.com', 'ko', 'failed', 5, 'mailbox unavailable')`);
  ids.open = Number(sqlOne(`SELECT count(*) FROM sections s JOIN courses c ON c.id = s.course_id
    WHERE c.institution_id = ${ids.gist} AND s.status = 'open'
      AND now() >= s.enrollment_opens_at AND now() < s.enrollment_closes_at`));
  // Chonnam's classes of the next two weeks called off: its admin sees the empty state.
  sql(`UPDATE class_sessions SET status = 'cancelled' WHERE starts_at < now() + interval '15 days'
    AND section_id IN (SELECT s.id FROM sections s JOIN courses c ON c.id = s.course_id
      JOIN institutions i ON i.id = c.institution_id WHERE i.code = 'jnu')`);
  ids.enrolled = Number(sqlOne(`SELECT count(*) FROM enrollments e JOIN sections s ON s.id = e.section_id
    JOIN courses c ON c.id = s.course_id WHERE c.institution_id = ${ids.gist} AND e.status = 'enrolled'`));
  ids.failed = Number(sqlOne("SELECT count(*) FROM outbox WHERE state = 'failed'"));
});

async function open(browser, email, { viewport = { width: 1366, height: 768 }, lang = 'ko' } = {}) {
  const phone = viewport.width < 500;
  const context = await browser.newContext({
    baseURL: BASE_URL, ignoreHTTPSErrors: true, locale: 'ko-KR', timezoneId: 'Asia/Seoul', viewport,
    ...(phone ? { isMobile: true, hasTouch: true } : {}),
  });
  context.setDefaultTimeout(TIMEOUT_MS);
  await context.addInitScript((l) => localStorage.setItem('lang', l), lang);
  const page = await newPage(context);
  await signIn(page, email);
  await page.goto('/#/admin');
  await until(page, 'the dashboard drawn', drawn);
  await page.locator('.stat-cards').waitFor();
  return { context, page };
}

const value = async (page, key) => (await page.locator(`.stat-card.stat-${key} .stat-value`).textContent()).trim();

test("an institution admin's dashboard counts what the database holds and leads to the work", async () => {
  const { browser } = await launch();
  const { context, page } = await open(browser, ADMIN);
  for (const key of ['openSections', 'enrolled', 'waitlist', 'pending', 'toSelect', 'claims']) {
    assert.ok(await page.locator(`.stat-card.stat-${key}`).isVisible(), `the ${key} card is there`);
    assert.notEqual(await value(page, key), '—', `the ${key} figure was read`);
  }
  assert.equal(await page.locator('.stat-card.stat-failedMail').count(), 0, 'failed mail is for platform admins');
  assert.equal(await value(page, 'openSections'), String(ids.open));
  assert.equal(await value(page, 'enrolled'), String(ids.enrolled));
  assert.match(await page.locator('.stat-openSections a').getAttribute('href'), new RegExp(`^#/admin/courses\\?institution=${ids.gist}$`));
  assert.match(await page.locator('.stat-toSelect a').getAttribute('href'), /^#\/admin\/intakes\?/);
  assert.match(await page.locator('.stat-claims a').getAttribute('href'), /^#\/admin\/affiliation\?/);
  // The class of tomorrow is listed, with its course, instructor and place.
  const next = page.locator('ol.next-classes li').filter({ has: page.locator(`a[href="#/teach/sections/${ids.section}"]`) });
  assert.match(await next.textContent(), /이지능 교수 · 온라인/);
  assert.match(await next.locator('.hours').textContent(), /오전 6:10/);
  // Every card's figure, label and link in reading order; the page's
  // headings in order (the a11y spec runs axe on it too).
  const heads = await page.locator('#view h1, #view h2, #view h3').evaluateAll((els) => els.map((e) => e.tagName));
  assert.deepEqual(heads.slice(0, 2), ['H1', 'H2']);
  await page.screenshot({ path: `${process.env.LMS_OUTPUT_DIR}/dashboard-desktop-ko.png` });
  assertClean(page);
  await context.close();
});

test('the dashboard at both sizes in both languages (reference screenshots), nothing wider than the screen', async () => {
  const { browser } = await launch();
  for (const [size, viewport] of [['desktop', { width: 1366, height: 768 }], ['phone', { width: 390, height: 844 }]]) {
    for (const lang of ['ko', 'en']) {
      const { context, page } = await open(browser, ADMIN, { viewport, lang });
      const wide = await page.evaluate(() => document.documentElement.scrollWidth);
      assert.ok(wide <= viewport.width, `${size} ${lang}: the page is ${wide}px wide`);
      await page.screenshot({ path: `${process.env.LMS_OUTPUT_DIR}/dashboard-${size}-${lang}.png` });
      await page.screenshot({ path: `${process.env.LMS_OUTPUT_DIR}/dashboard-${size}-${lang}-full.png`, fullPage: true });
      assertClean(page);
      await context.close();
    }
  }
});

test('one visit reads the summary once (one audit row) and the next classes in one request', async () => {
  const { browser } = await launch();
  const { context, page } = await open(browser, ADMIN);
  // Away and back: one more visit of the dashboard, counted from here.
  await page.goto('/#/profile');
  await until(page, 'the profile drawn', drawn);
  const audited = () => Number(sqlOne("SELECT count(*) FROM audit_log WHERE action = 'report.summary'"));
  const before = audited();
  const asked = [];
  page.on('request', (r) => {
    const path = new URL(r.url()).pathname;
    if (path.startsWith('/api/')) asked.push(path);
  });
  await page.goto('/#/admin');
  await until(page, 'the dashboard drawn again', drawn);
  await page.locator('.stat-cards').waitFor();
  await page.locator('ol.next-classes').waitFor();
  assert.equal(audited() - before, 1, 'one visit writes one report.summary audit row');
  assert.equal(asked.filter((p) => p === '/api/v1/reports/summary').length, 1, 'one summary read');
  assert.deepEqual(asked.filter((p) => /\/schedule$/.test(p)), [`/api/v1/institutions/${ids.gist}/schedule`],
    'the next classes come from the institution\'s schedule alone, not from each instructor\'s week');
  // The day's new enrolments still count: one made today shows on the card.
  const today = Number(sqlOne(`SELECT count(*) FROM enrollments e JOIN sections s ON s.id = e.section_id
    JOIN courses c ON c.id = s.course_id WHERE c.institution_id = ${ids.gist}
      AND e.created_at >= date_trunc('day', ${KST}) AT TIME ZONE 'Asia/Seoul'`));
  assert.match(await page.locator('.stat-enrolled .stat-sub').textContent(), new RegExp(`\\b${today}건`));
  assertClean(page);
  await context.close();
});

test('a platform admin also sees the failed mail; an institution with no classes says so', async () => {
  const { browser } = await launch();
  const { context, page } = await open(browser, 'admin@example.com');
  assert.equal(await value(page, 'failedMail'), String(ids.failed));
  assert.match(await page.locator('.stat-failedMail').getAttribute('class'), /attention/);
  assert.equal(await page.locator('.stat-failedMail a').getAttribute('href'), '#/admin/mail');
  assertClean(page);
  await context.close();

  const other = await open(browser, 'chonnam-admin@example.com');
  const empty = other.page.locator('.dash-classes .empty-state');
  assert.match(await empty.textContent(), /앞으로 14일 동안 예정된 수업이 없습니다/);
  assert.ok(await empty.getByRole('link').isVisible(), 'the empty state offers a way on');
  assertClean(other.page);
  await other.context.close();
});
