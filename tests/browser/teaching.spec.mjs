// teaching.spec.mjs - the instructor's own tools on a section's page:
// attendance beside progress in the roster, a recurring class scheduled in
// one go (and refused whole, every clash listed, when it is asked again),
// and writing a lesson of the course with a table in it.
import assert from 'node:assert/strict';

import { assertClean, launch, newPage, shot, signIn, sql, sqlOne, test } from './lib.mjs';

const INSTRUCTOR = 'instructor@example.com';
const KST = "(now() AT TIME ZONE 'Asia/Seoul')";
const ids = {};
let page;

test('set-up: a section the demo instructor teaches, a learner, a class held', async () => {
  ids.instructor = sqlOne(`SELECT id FROM users WHERE email = '${INSTRUCTOR}'`);
  ids.section = sqlOne(`INSERT INTO sections (course_id, term, starts_on, ends_on, capacity,
      enrollment_opens_at, enrollment_closes_at, status)
    SELECT c.id, extract(year FROM ${KST})::int || '-winter', ${KST}::date - 14, ${KST}::date + 60, 20,
      now() - interval '30 days', now() - interval '15 days', 'closed'
    FROM courses c JOIN institutions i ON i.id = c.institution_id
    WHERE i.code = 'gist' AND c.code = 'AIA-205' RETURNING id`);
  ids.course = sqlOne(`SELECT course_id FROM sections WHERE id = ${ids.section}`);
  sql(`INSERT INTO section_instructors (section_id, user_id) VALUES (${ids.section}, ${ids.instructor})`);
  ids.enrollment = sqlOne(`INSERT INTO enrollments (user_id, section_id, status)
    SELECT id, ${ids.section}, 'enrolled' FROM users WHERE email = 'learner@example.com' RETURNING id`);
  for (const days of [10, 3]) {
    const s = sqlOne(`INSERT INTO class_sessions (section_id, starts_at, ends_at, instructor_id, online_url)
      VALUES (${ids.section}, now() - interval '${days} days', now() - interval '${days} days' + interval '2 hours',
      ${ids.instructor}, 'https://meet.example.kr/held') RETURNING id`);
    sql(`INSERT INTO attendance (session_id, enrollment_id, present) VALUES (${s}, ${ids.enrollment}, ${days === 10})`);
  }
  ids.from = sqlOne(`SELECT to_char(${KST}::date + 1, 'YYYY-MM-DD')`);
  ids.to = sqlOne(`SELECT to_char(${KST}::date + 21, 'YYYY-MM-DD')`);
});

test('the roster shows attendance beside progress', async () => {
  const { context } = await launch();
  page = await newPage(context);
  await signIn(page, INSTRUCTOR);
  await page.goto(`/#/teach/sections/${ids.section}`);
  const roster = page.locator('table.roster');
  await roster.waitFor();
  const head = await roster.locator('thead').innerText();
  assert.match(head, /학습 진도[\s\S]*출석/);
  const row = roster.locator('tbody tr').first();
  assert.match(await row.innerText(), /1\/2회 \(50%\)/);
  await shot(page, 'teaching-roster');
  assertClean(page);
});

test('a recurring class is scheduled in one go, then refused whole with every clash', async () => {
  const form = page.locator('form.series');
  await form.scrollIntoViewIfNeeded();
  for (const day of ['화', '목']) await form.getByLabel(day, { exact: true }).check();
  await form.getByLabel('시작 시각').fill('19:00');
  await form.getByLabel('종료 시각').fill('22:00');
  await form.getByLabel('시작일').fill(ids.from);
  await form.getByLabel('종료일').fill(ids.to);
  await form.getByLabel('온라인', { exact: true }).check();
  await form.getByLabel('온라인 수업 주소').fill('https://meet.example.kr/weekly');
  await form.getByRole('button', { name: '반복 수업 만들기' }).click();
  const made = page.locator('section[aria-labelledby="sec-series"] .message');
  await made.filter({ hasText: /수업 \d+회를 만들었습니다/ }).waitFor();
  const n = Number(sqlOne(`SELECT count(*) FROM class_sessions WHERE section_id = ${ids.section} AND series_id IS NOT NULL`));
  assert.ok(n >= 5 && n <= 7, `${n} classes in three weeks of Tuesdays and Thursdays`);
  await shot(page, 'teaching-series-made');
  // The same again: each of them clashes with itself, all listed.
  await form.getByRole('button', { name: '반복 수업 만들기' }).click();
  const list = page.locator('ul.conflicts li');
  await list.first().waitFor();
  assert.equal(await list.count(), n);
  assert.match(await list.first().innerText(), /강사가 겹침/);
  assert.equal(Number(sqlOne(`SELECT count(*) FROM class_session_series WHERE section_id = ${ids.section}`)), 1);
  await page.locator('ul.conflicts').scrollIntoViewIfNeeded();
  await shot(page, 'teaching-series-clash');
  assertClean(page, { allow: [/409/] });
});

test('the instructor writes a lesson with a table', async () => {
  await page.getByRole('link', { name: /강의 내용 편집/ }).click();
  await page.getByRole('heading', { level: 1, name: /강의 내용 편집/ }).waitFor();
  const editor = page.locator('form[aria-label="차시 고치기"]');
  const select = editor.locator('select[name=lesson]');
  const first = await select.locator('option').nth(1).getAttribute('value');
  await select.selectOption(first);
  await editor.locator('textarea[name=body_md]').waitFor({ state: 'visible' });
  await editor.locator('textarea[name=body_md]').fill(
    '## 주차별 계획\n\n| 주차 | 주제 | 과제 |\n|---|---|---|\n| 1 | 파이썬 기초 | 실습 1 |\n| 2 | ~~데이터~~ 모델 | 퀴즈 |\n\n<script>alert(1)</script>\n');
  await editor.getByRole('button', { name: '저장' }).click();
  await editor.locator('.teaching-preview table').waitFor();
  assert.equal(await editor.locator('.teaching-preview table tbody tr').count(), 2);
  assert.equal(await editor.locator('.teaching-preview del').innerText(), '데이터');
  assert.equal(await editor.locator('.teaching-preview script').count(), 0);
  assert.match(sqlOne(`SELECT body_md FROM lessons WHERE id = ${first}`), /\| 1 \| 파이썬 기초 \|/);
  await shot(page, 'teaching-lesson-editor');
  // Learners see the table on the lesson's page.
  await page.goto(`/#/lessons/${first}`);
  await page.locator('article.lesson-body table').waitFor();
  await shot(page, 'teaching-lesson-table');
  assertClean(page);
});

test('the section page and the editor fit a phone', async () => {
  const { context } = await launch({ phone: true });
  const phone = await newPage(context);
  await signIn(phone, INSTRUCTOR);
  for (const [path, name] of [[`/teach/sections/${ids.section}`, 'teaching-phone-section'],
    [`/teach/courses/${ids.course}`, 'teaching-phone-editor']]) {
    await phone.goto(`/#${path}`);
    await phone.locator('h1').first().waitFor();
    await phone.locator('main form, #view form').first().waitFor();
    const wide = await phone.evaluate(() => document.documentElement.scrollWidth > document.documentElement.clientWidth + 1);
    assert.equal(wide, false, `${path} scrolls sideways on a phone`);
    await shot(phone, name);
  }
  assertClean(phone);
  await context.close();
});
