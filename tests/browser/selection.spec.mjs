// selection.spec.mjs - selection in the browser, on the demo intakes: the
// learner follows their application, a startup team accepts its offer, the
// GIST admin sees the funnel, records a score from the keyboard and
// previews a decision file; in Korean, and the learner's page in English.
import assert from 'node:assert/strict';

import { assertClean, launch, newPage, shot, signIn, sqlOne, test, until } from './lib.mjs';

const ADMIN = 'gist-admin@example.com';
const one = sqlOne;
const academy = one("SELECT id FROM intakes WHERE title_en = 'AI Academy selection (demo)'");

test('the learner follows their application to the Academy', async () => {
  const { context } = await launch();
  const page = await newPage(context);
  await signIn(page, 'learner@example.com');
  await page.goto('/#/my/applications');
  const card = page.locator('section.application').first();
  await card.waitFor();
  assert.match(await card.innerText(), /인공지능사관학교 선발/);
  assert.match(await card.innerText(), /심사 중/);
  await shot(page, 'my-applications-ko');
  await page.evaluate(() => localStorage.setItem('lang', 'en'));
  await page.reload();
  await page.locator('section.application').first().waitFor();
  assert.match(await page.locator('section.application').first().innerText(), /In review/);
  await shot(page, 'my-applications-en');
  await page.goto(`/#/intakes/${academy}`);
  await page.locator('ol.stages li').nth(2).waitFor();
  await shot(page, 'intake-en');
  assertClean(page);
  await context.close();
});

test('a startup team accepts its offer', async () => {
  const { context } = await launch();
  const page = await newPage(context);
  await signIn(page, 'applicant12@example.com');
  await page.goto('/#/my/applications');
  const accept = page.getByRole('button', { name: '수락' });
  await accept.waitFor();
  await shot(page, 'offer-ko');
  await accept.click();
  await until(page, 'the application enrolled',
    () => document.querySelector('section.application .badge')?.textContent === '등록 완료');
  assert.equal(one(`SELECT a.status FROM applications a JOIN users u ON u.id = a.user_id
    WHERE u.email = 'applicant12@example.com'`), 'enrolled');
  assertClean(page);
  await context.close();
});

test('the admin reviews: the funnel, a score by keyboard, a decision file previewed', async () => {
  const { context } = await launch();
  const page = await newPage(context);
  await signIn(page, ADMIN);
  await page.goto('/#/admin/intakes');
  await page.locator('section.intake figure').first().waitFor();
  await shot(page, 'admin-intakes-ko');
  await page.getByRole('link', { name: '인공지능사관학교 선발 (데모)' }).click();
  const table = page.locator('table.intake-review');
  await table.waitFor();
  // Blind review is for reviewers: the admin sees names.
  assert.match(await table.innerText(), /강지원/);
  const row = table.locator('tr', { hasText: '최하은' });
  const score = row.getByRole('spinbutton');
  await score.focus();
  await page.keyboard.type('84');
  await page.keyboard.press('Enter');
  await until(page, 'the score recorded', () => /최하은/.test(document.querySelector('[role=status], .message')?.textContent || ''));
  const app = one(`SELECT a.id FROM applications a JOIN users u ON u.id = a.user_id
    WHERE u.email = 'applicant04@example.com' AND a.intake_id = ${academy}`);
  assert.equal(one(`SELECT score::int FROM application_results r JOIN intake_stages s ON s.id = r.stage_id
    WHERE r.application_id = ${app} AND s.position = 3`), '84');
  await page.locator('#decision-file').setInputFiles({
    name: 'decisions.csv', mimeType: 'text/csv',
    buffer: Buffer.from(`application_id,stage,score\n${app},3,90\n999999,1,\n`),
  });
  await page.getByRole('button', { name: '미리 보기' }).click();
  await page.locator('table.decision-diff').waitFor();
  const diff = await page.locator('table.decision-diff').innerText();
  assert.match(diff, /오류/);
  assert.ok(await page.getByRole('button', { name: '반영' }).isDisabled());
  await shot(page, 'admin-review-ko');
  assertClean(page);
  await context.close();
});

test('the admin schedules an interview slot choosing the interviewer and the room by name', async () => {
  const { context } = await launch();
  const page = await newPage(context);
  await signIn(page, ADMIN);
  await page.goto(`/#/admin/intakes/${academy}`);
  const form = page.locator('form.new-slot');
  await form.waitFor();
  // No number to type: the interviewer and the room are named choices.
  assert.equal(await form.locator('input[type=number]').count(), 0);
  const who = form.getByLabel('면접관');
  await until(page, 'the interviewers loaded', () => !document.querySelector('form.new-slot select[name=interviewer_id]').disabled);
  const names = await who.locator('option').allTextContents();
  assert.ok(names.includes('이지능 교수'), `the demo instructor is a choice (${names.join(', ')})`);
  await who.selectOption({ label: '이지능 교수' });
  const room = form.getByLabel('강의실', { exact: true });
  await until(page, 'the rooms loaded', () => !document.querySelector('form.new-slot select[name=facility_id]').disabled);
  const rooms = await room.locator('option').allTextContents();
  const seminar = rooms.find((r) => r.startsWith('AI대학원 세미나실'));
  assert.ok(seminar, `the seminar room is a choice (${rooms.join(', ')})`);
  assert.match(seminar, /AI대학원 2층 · 40석/);
  await room.selectOption({ label: seminar });
  const day = one("SELECT to_char((now() AT TIME ZONE 'Asia/Seoul')::date + 40, 'YYYY-MM-DD')");
  await form.getByLabel('시작').fill(`${day}T10:00`);
  await form.getByLabel('종료').fill(`${day}T10:30`);
  await form.getByRole('button', { name: '면접 시간 만들기' }).click();
  await until(page, 'the slot listed', () => /세미나실/.test(document.querySelector('table.interview-slots')?.textContent || ''));
  assert.equal(one(`SELECT u.email || ' ' || f.name_ko FROM class_sessions s JOIN users u ON u.id = s.instructor_id
    JOIN facilities f ON f.id = s.facility_id JOIN intake_stages st ON st.id = s.interview_stage_id
    WHERE st.intake_id = ${academy} ORDER BY s.id DESC LIMIT 1`),
  'instructor@example.com AI대학원 세미나실');
  // Online instead: the room gives way to the link.
  await form.getByRole('radio', { name: '온라인' }).check();
  assert.equal(await room.isVisible(), false);
  assert.ok(await form.getByLabel('온라인 면접 링크').isVisible());
  await shot(page, 'admin-interview-form-ko');
  assertClean(page);
  await context.close();
});
