// grades.spec.mjs - where a learner stands and the instructor's gradebook,
// on the demo data: the GIST course gets completion rules (a grade of 60
// and every required lesson), the learner one submitted quiz; "my courses"
// sums the checklist up, its page and the lesson reader show it in full
// with each activity's grade; the instructor's section links to the
// gradebook, a table that scrolls inside its own box on a phone, with the
// CSV and the grading queue. Desktop and phone, each page checked by axe.
import assert from 'node:assert/strict';

import { assertAccessible, assertClean, launch, newPage, shot, signIn, sql, test } from './lib.mjs';

const gist = `FROM course_modules m JOIN courses c ON c.id = m.course_id
  JOIN institutions i ON i.id = c.institution_id WHERE i.code = 'gist' AND m.position = 100`;
const lesson = (kind) => Number(sql(`SELECT l.id FROM lessons l JOIN course_modules m ON m.id = l.module_id
  JOIN courses c ON c.id = m.course_id JOIN institutions i ON i.id = c.institution_id
  WHERE i.code = 'gist' AND m.position = 100 AND l.kind = '${kind}'`));
let section;
let enrolment;

test('set-up: the GIST course with rules, a learner enrolled with one quiz done, the demo instructor teaching', async () => {
  section = Number(sql(`SELECT min(s.id) FROM sections s JOIN course_modules m ON m.course_id = s.course_id
    JOIN courses c ON c.id = m.course_id JOIN institutions i ON i.id = c.institution_id
    WHERE i.code = 'gist' AND m.position = 100`));
  sql(`INSERT INTO section_instructors (section_id, user_id) SELECT ${section}, id FROM users
    WHERE email = 'instructor@example.com' ON CONFLICT DO NOTHING`);
  enrolment = Number(sql(`INSERT INTO enrollments (user_id, section_id, status) SELECT id, ${section}, 'enrolled'
    FROM users WHERE email = 'lee.seoyeon@example.com' RETURNING id`));
  sql(`INSERT INTO course_completion_rules (course_id, require_attendance, min_grade_pct, require_lessons)
    SELECT DISTINCT m.course_id, true, 60, true ${gist}
    ON CONFLICT (course_id) DO UPDATE SET min_grade_pct = 60, require_lessons = true`);
  sql(`INSERT INTO quiz_attempts (lesson_id, user_id, number, layout, submitted_at, answers, score, max_score, passed, results)
    SELECT ${lesson('quiz')}, id, 1, '[]', now(), '{}', 6, 8, true, '[]' FROM users WHERE email = 'lee.seoyeon@example.com'`);
});

for (const phone of [false, true]) {
  const tag = phone ? 'phone' : 'desktop';

  test(`${tag}: my courses sums the checklist up and links to it in full, with each activity's grade`, async () => {
    const { context } = await launch({ phone });
    const page = await newPage(context);
    await signIn(page, 'lee.seoyeon@example.com');
    await page.goto('/#/my');
    const summary = page.locator('.checklist-summary').first();
    await summary.waitFor();
    assert.match(await summary.textContent(), /필수 차시 0\/\d+/);
    assert.match(await summary.textContent(), /수료 요건 미충족/);
    await assertAccessible(page, `${tag} my courses with checklists`);
    await shot(page, `my-checklist-${tag}`);
    await page.getByRole('link', { name: /^성적·수료 요건: / }).first().click();
    await page.getByRole('heading', { level: 1, name: /내 성적과 수료 요건/ }).waitFor();
    const items = page.locator('ul.checklist > li');
    assert.equal(await items.count(), 3);
    await items.filter({ hasText: '필수 차시 이수' }).getByText('미충족').waitFor();
    await items.filter({ hasText: '성적' }).getByText(/기준까지 [\d.]+점 더 필요합니다/).waitFor();
    const grades = page.locator('table.my-grades');
    await grades.getByRole('row').filter({ hasText: '퀴즈' }).getByText('6 / 8').waitFor();
    await assertAccessible(page, `${tag} my grades`);
    await shot(page, `my-grades-${tag}`);
    if (!phone) {
      await page.locator('#lang').click();
      await page.getByRole('heading', { level: 2, name: 'Completion requirements' }).waitFor();
      await page.locator('ul.checklist > li').filter({ hasText: 'Required lessons' }).getByText('Not met').waitFor();
      await page.getByText(/more points needed/).waitFor();
      await shot(page, 'my-grades-en');
    }
    assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), 'the page scrolls sideways');
    assertClean(page);
    await context.close();
  });
}

test('the lesson reader shows the checklist under the progress', async () => {
  const { context } = await launch();
  const page = await newPage(context);
  await signIn(page, 'lee.seoyeon@example.com');
  await page.goto(`/#/lessons/${lesson('quiz')}`);
  await page.getByRole('heading', { level: 2, name: '수료 요건' }).waitFor();
  await page.locator('ul.checklist > li').first().waitFor();
  await assertAccessible(page, 'lesson with checklist');
  await shot(page, 'lesson-checklist');
  assertClean(page);
  await context.close();
});

test('another learner is refused the checklist of this enrolment', async () => {
  const { context } = await launch();
  const page = await newPage(context);
  await signIn(page, 'kim.minjun@example.com');
  await page.goto(`/#/my/enrollments/${enrolment}`);
  await page.getByRole('alert').waitFor();
  assert.equal(await page.locator('ul.checklist').count(), 0);
  await context.close();
});

for (const phone of [false, true]) {
  const tag = phone ? 'phone' : 'desktop';

  test(`${tag}: the instructor opens the gradebook from the section: scores, overall grade, CSV, grading queue`, async () => {
    const { context } = await launch({ phone });
    const page = await newPage(context);
    await signIn(page, 'instructor@example.com');
    await page.goto(`/#/teach/sections/${section}`);
    await page.getByRole('link', { name: '성적부', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: /성적부/ }).waitFor();
    const row = page.getByRole('row').filter({ hasText: '이서연' });
    await row.getByText('6 / 8').waitFor();
    await row.locator('td.total').getByText('%').waitFor();
    const csv = await page.getByRole('link', { name: 'CSV 내려받기' }).getAttribute('href');
    assert.match(csv, new RegExp(`^/api/v1/sections/${section}/gradebook\\?format=csv`));
    const body = await (await page.request.get(csv)).text();
    assert.match(body, /이서연/);
    const queue = page.getByRole('link', { name: /채점하기/ }).first();
    assert.equal(await queue.getAttribute('href'), `#/teach/assignments/${lesson('assignment')}`);
    await assertAccessible(page, `${tag} gradebook`);
    await shot(page, `gradebook-${tag}`);
    // Only the table's box scrolls sideways, never the page.
    assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), 'the page scrolls sideways');
    await queue.click();
    await page.getByRole('heading', { level: 1, name: /채점/ }).waitFor();
    assertClean(page);
    await context.close();
  });
}
