// instructor.spec.mjs - an instructor's day: my sections, my week, a
// section's roster, taking attendance at a class under way, marking
// completion (and the attendance threshold's refusal), scheduling a class
// that collides with another course, uploading material; desktop and phone
import assert from 'node:assert/strict';

import { assertClean, launch, newPage, shot, signIn, sql, sqlOne, test } from './lib.mjs';

const INSTRUCTOR = 'instructor@example.com';
const KST = "(now() AT TIME ZONE 'Asia/Seoul')";

let page;
const ids = {};
const names = {};

const one = sqlOne;

// A section of a GIST course taught by the demo instructor whose dates hold
// today; closed for enrolment, so the learners are put in directly.
function section(courseCode) {
  const id = one(`INSERT INTO sections (course_id, term, starts_on, ends_on, capacity,
      enrollment_opens_at, enrollment_closes_at, status)
    SELECT c.id, extract(year FROM ${KST})::int || '-winter', ${KST}::date - 7, ${KST}::date + 30, 20,
      now() - interval '30 days', now() - interval '8 days', 'closed'
    FROM courses c JOIN institutions i ON i.id = c.institution_id
    WHERE i.code = 'gist' AND c.code = '${courseCode}' RETURNING id`);
  sql(`INSERT INTO section_instructors (section_id, user_id) VALUES (${id}, ${ids.instructor})`);
  return id;
}

// Korean wall-clock time `hh:mm` on the day `days` after today, as SQL.
const kstAt = (days, hhmm) => `((${KST}::date + ${days} + time '${hhmm}') AT TIME ZONE 'Asia/Seoul')`;

test('set-up: two sections, two learners, a class under way and one tomorrow', async () => {
  ids.instructor = one(`SELECT id FROM users WHERE email = '${INSTRUCTOR}'`);
  sql(`INSERT INTO users (email, password_hash, display_name, ladder_stage)
    SELECT 'learner2@example.com', password_hash, '박배움', 'worker' FROM users WHERE email = 'learner@example.com'`);
  sql(`INSERT INTO user_roles (user_id, role) SELECT id, 'learner' FROM users WHERE email = 'learner2@example.com'`);
  ids.sectionA = section('AIA-205');
  ids.sectionB = section('AIA-307');
  names.courseA = one(`SELECT title_ko FROM courses c JOIN sections s ON s.course_id = c.id WHERE s.id = ${ids.sectionA}`);
  names.courseB = one(`SELECT title_ko FROM courses c JOIN sections s ON s.course_id = c.id WHERE s.id = ${ids.sectionB}`);
  sql(`INSERT INTO enrollments (user_id, section_id, status)
    SELECT id, ${ids.sectionA}, 'enrolled' FROM users WHERE email IN ('learner@example.com', 'learner2@example.com')`);
  const room = (n) => `(SELECT f.id FROM facilities f JOIN institutions i ON i.id = f.institution_id
    WHERE i.code = 'gist' ORDER BY f.id OFFSET ${n} LIMIT 1)`;
  ids.sessionA = one(`INSERT INTO class_sessions (section_id, starts_at, ends_at, instructor_id, facility_id)
    VALUES (${ids.sectionA}, now() - interval '1 hour', now() + interval '1 hour', ${ids.instructor}, ${room(0)})
    RETURNING id`);
  ids.sessionB = one(`INSERT INTO class_sessions (section_id, starts_at, ends_at, instructor_id, facility_id)
    VALUES (${ids.sectionB}, ${kstAt(1, '10:00')}, ${kstAt(1, '12:00')}, ${ids.instructor}, ${room(1)}) RETURNING id`);
  ids.sessionADay = one(`SELECT to_char(starts_at AT TIME ZONE 'Asia/Seoul', 'YYYY-MM-DD') FROM class_sessions WHERE id = ${ids.sessionA}`);
  ids.tomorrow = one(`SELECT to_char(${KST}::date + 1, 'YYYY-MM-DD')`);
  names.lesson = one(`SELECT l.title_ko FROM lessons l JOIN course_modules m ON m.id = l.module_id
    JOIN sections s ON s.course_id = m.course_id WHERE s.id = ${ids.sectionA} ORDER BY m.position, l.position LIMIT 1`);
});

test('my sections shows the section with its class under way', async () => {
  const { context } = await launch();
  page = await newPage(context);
  await signIn(page, INSTRUCTOR);
  await page.goto('/#/teach');
  await page.getByRole('heading', { level: 1, name: '내 분반' }).waitFor();
  const card = page.locator('li.card').filter({ hasText: '진행 중인 수업' });
  await card.waitFor();
  assert.equal(await card.count(), 1, 'one section has a class under way');
  assert.match(await card.innerText(), new RegExp(names.courseA));
  assert.match(await card.innerText(), /수강 2\/20명/);
  assert.equal(await card.locator(`a[href="#/teach/sessions/${ids.sessionA}"]`).count(), 1);
  await shot(page, 'teach-sections');
  await card.getByRole('link', { name: /분반 관리/ }).click();
  await page.getByRole('heading', { level: 1, name: names.courseA }).waitFor();
  assert.equal(new URL(page.url()).hash, `#/teach/sections/${ids.sectionA}`);
  assertClean(page);
});

test('the section page shows the roster and the class', async () => {
  const roster = page.locator('table.roster');
  await roster.waitFor();
  for (const name of ['김학습', '박배움']) {
    await roster.getByRole('rowheader', { name }).waitFor();
  }
  const csv = page.getByRole('link', { name: '명단 CSV 내려받기' });
  assert.equal(await csv.getAttribute('href'), `/api/v1/sections/${ids.sectionA}/roster?format=csv`);
  const answer = await page.request.get(`/api/v1/sections/${ids.sectionA}/roster?format=csv`);
  assert.equal(answer.status(), 200);
  assert.match(await answer.text(), /learner2@example\.com/);
  assert.equal(await page.locator('table.sessions tbody tr').count(), 1);
  assertClean(page);
});

test('two sections of one course at once: the teaching page warns, and not for a cancelled one', async () => {
  const twin = section('AIA-205');
  await page.goto('/#/teach');
  const warning = page.locator('.overlap-warning');
  await warning.getByText('같은 강좌의 분반 두 개를 같은 기간에 맡고 있습니다.').waitFor();
  assert.equal(await warning.getByRole('listitem').count(), 1);
  assert.match(await warning.getByRole('listitem').innerText(), /^AIA-205 /);
  await shot(page, 'teach-overlap');
  sql(`UPDATE sections SET status = 'cancelled' WHERE id = ${twin}`);
  await page.reload();
  await page.getByRole('heading', { level: 1, name: '내 분반' }).waitFor();
  await page.locator('.teach-card').first().waitFor();
  assert.equal(await warning.count(), 0);
  sql(`DELETE FROM section_instructors WHERE section_id = ${twin}`);
  sql(`DELETE FROM sections WHERE id = ${twin}`);
  assertClean(page);
});

test('an empty week says when the next class is, and goes there', async () => {
  // The week before the instructor's first class ever: empty, and the
  // next class is that first one.
  const first = `(SELECT min(starts_at) AT TIME ZONE 'Asia/Seoul' FROM class_sessions WHERE instructor_id = ${ids.instructor})`;
  const before = one(`SELECT to_char(date_trunc('week', ${first})::date - 7, 'YYYY-MM-DD')`);
  const firstWeek = one(`SELECT to_char(date_trunc('week', ${first})::date, 'YYYY-MM-DD')`);
  await page.goto(`/#/teach/week?week=${before}`);
  const empty = page.locator('.week-empty');
  await empty.getByText(/^이번 주에는 수업이 없습니다\. 다음 수업: .+, .+\./).waitFor();
  await shot(page, 'teach-week-empty');
  await empty.getByRole('button', { name: '그 주로 가기' }).click();
  await page.waitForFunction((w) => location.hash.includes(`week=${w}`), firstWeek);
  await page.locator('.week-event').first().waitFor();
  assert.equal(await page.locator('.week-empty').count(), 0);

  // A week more than a year after the last class: nothing ahead either.
  const last = `(SELECT max(starts_at) AT TIME ZONE 'Asia/Seoul' FROM class_sessions WHERE instructor_id = ${ids.instructor})`;
  const after = one(`SELECT to_char(date_trunc('week', ${last})::date + 7 * 60, 'YYYY-MM-DD')`);
  await page.goto(`/#/teach/week?week=${after}`);
  await page.locator('.week-empty').getByText('앞으로 1년 안에 잡힌 수업도 없습니다.').waitFor();
  assertClean(page);
});

test('the week shows the class and leads to its attendance page', async () => {
  await page.goto(`/#/teach/week?week=${ids.sessionADay}`);
  await page.getByRole('heading', { level: 1, name: '내 주간 수업 일정' }).waitFor();
  const event = page.locator(`.week-event a[href="#/teach/sessions/${ids.sessionA}"]`);
  await event.waitFor();
  assert.match(await event.innerText(), new RegExp(names.courseA));
  await shot(page, 'teach-week');
  await event.click();
  await page.getByRole('heading', { level: 1, name: '출석 체크' }).waitFor();
  assertClean(page);
});

test('attendance: one present, one absent, saved and shown after a reload', async () => {
  await page.getByRole('radio', { name: '김학습 출석' }).check();
  await page.getByRole('radio', { name: '박배움 결석' }).check();
  const put = page.waitForResponse((r) => r.request().method() === 'PUT'
    && new URL(r.url()).pathname === `/api/v1/sessions/${ids.sessionA}/attendance`);
  await page.getByRole('button', { name: '출석 저장' }).click();
  assert.equal((await put).status(), 200);
  await page.getByText('2명의 출석을 저장했습니다.').waitFor();
  assert.equal(sql(`SELECT string_agg(u.email || '=' || a.present, ',' ORDER BY u.email)
    FROM attendance a JOIN enrollments e ON e.id = a.enrollment_id JOIN users u ON u.id = e.user_id
    WHERE a.session_id = ${ids.sessionA}`), 'learner2@example.com=false,learner@example.com=true');

  await page.reload();
  await page.getByRole('heading', { level: 1, name: '출석 체크' }).waitFor();
  assert.ok(await page.getByRole('radio', { name: '김학습 출석' }).isChecked());
  assert.ok(await page.getByRole('radio', { name: '박배움 결석' }).isChecked());
  const rows = page.locator('table.attendance-table tbody tr');
  assert.match(await rows.filter({ hasText: '김학습' }).innerText(), /1\/1회 \(100%\)/);
  assert.match(await rows.filter({ hasText: '박배움' }).innerText(), /0\/1회 \(0%\)/);
  await shot(page, 'teach-attendance');
  assertClean(page);
});

async function markCompleted(name) {
  await page.getByRole('button', { name: `${name} 수료` }).click();
  const dialog = page.locator('dialog.confirm');
  await dialog.waitFor();
  const answer = page.waitForResponse((r) => r.request().method() === 'PATCH'
    && new URL(r.url()).pathname.startsWith('/api/v1/enrollments/'));
  await dialog.getByRole('button', { name: '수료', exact: true }).click();
  return (await answer).status();
}

const statusOf = (email) => sql(`SELECT e.status FROM enrollments e JOIN users u ON u.id = e.user_id
  WHERE u.email = '${email}' AND e.section_id = ${ids.sectionA}`);

test('completion: the present learner completes, the absent one is refused below 80%', async () => {
  // Completion waits for the section's last class to be over: this one ends now.
  sql(`UPDATE class_sessions SET ends_at = now() WHERE id = ${ids.sessionA}`);
  await page.goto(`/#/teach/sections/${ids.sectionA}`);
  await page.locator('table.roster').waitFor();
  assert.equal(await markCompleted('김학습'), 200);
  await page.getByText('김학습 님을 수료 처리했습니다.').waitFor();
  const row = page.locator('table.roster tbody tr').filter({ hasText: '김학습' });
  await row.locator('.badge.status-completed').waitFor();
  assert.equal(statusOf('learner@example.com'), 'completed');

  assert.equal(await markCompleted('박배움'), 409);
  await page.getByText('출석률이 수료 기준(80%)에 미치지 못해 수료 처리할 수 없습니다.').waitFor();
  await page.getByText('박배움 님은 진행한 수업 1회 중 0회 출석해 출석률이 0%입니다.', { exact: false }).waitFor();
  assert.equal(statusOf('learner2@example.com'), 'enrolled');
  assertClean(page);
});

test('scheduling a class over another course of the instructor names that course', async () => {
  const form = page.locator('form.schedule:not(.series)');
  await form.getByLabel('날짜').fill(ids.tomorrow);
  await form.getByLabel('시작 시각').fill('10:30');
  await form.getByLabel('종료 시각').fill('11:30');
  const answer = page.waitForResponse((r) => r.request().method() === 'POST'
    && new URL(r.url()).pathname === `/api/v1/sections/${ids.sectionA}/sessions`);
  await form.getByRole('button', { name: '수업 등록' }).click();
  assert.equal((await answer).status(), 409);
  const alert = page.locator('section[aria-labelledby="sec-schedule"] .message.error');
  await alert.getByText('강사의 다른 수업과 시간이 겹칩니다.').waitFor();
  const text = await alert.innerText();
  assert.match(text, new RegExp(`겹치는 수업: ${names.courseB} \\(광주과학기술원 GIST\\)`));
  assert.match(text, /10:00.*12:00/);
  await shot(page, 'teach-section-conflict');

  // Moved to the afternoon it fits, and joins the list.
  await form.getByLabel('시작 시각').fill('13:00');
  await form.getByLabel('종료 시각').fill('14:30');
  const created = page.waitForResponse((r) => r.request().method() === 'POST'
    && new URL(r.url()).pathname === `/api/v1/sections/${ids.sectionA}/sessions`);
  await form.getByRole('button', { name: '수업 등록' }).click();
  const answer2 = await created;
  assert.equal(answer2.status(), 201);
  ids.sessionC = (await answer2.json()).id;
  await page.getByText('수업을 등록했습니다.', { exact: false }).waitFor();
  await page.locator('table.sessions tbody tr').nth(1).waitFor();
  assert.equal(sql(`SELECT count(*) FROM class_sessions WHERE section_id = ${ids.sectionA}`), '2');
  assertClean(page);
});

test('uploading a text file to a lesson lists it', async () => {
  const form = page.locator('form.upload');
  await form.getByLabel('차시').selectOption({ label: names.lesson });
  await page.getByText('아직 올린 자료가 없습니다.').waitFor();
  await form.getByLabel('파일').setInputFiles({
    name: 'week1-notes.txt', mimeType: 'text/plain', buffer: Buffer.from('1주차 실습 안내\n'),
  });
  const answer = page.waitForResponse((r) => r.request().method() === 'POST'
    && new URL(r.url()).pathname.endsWith('/attachments'));
  await form.getByRole('button', { name: '올리기' }).click();
  assert.equal((await answer).status(), 201);
  await page.getByText('week1-notes.txt 파일을 올렸습니다.').waitFor();
  await page.locator('.attachments').getByRole('link', { name: 'week1-notes.txt' }).waitFor();
  assert.equal(sql("SELECT content_type FROM attachments WHERE filename = 'week1-notes.txt'"), 'text/plain');
  await shot(page, 'teach-section');
  assertClean(page);
});

test('a class that has not begun says so and cannot be marked yet', async () => {
  await page.goto(`/#/teach/sessions/${ids.sessionC}`);
  await page.getByRole('heading', { level: 1, name: '출석 체크' }).waitFor();
  await page.getByText('수업이 시작된 뒤에 출석을 기록할 수 있습니다.').waitFor();
  assert.ok(await page.getByRole('button', { name: '출석 저장' }).isDisabled());
  assert.ok(await page.getByRole('radio', { name: '박배움 출석' }).isDisabled());
  assertClean(page);
});

test('at phone width the section and attendance pages fit the screen', async () => {
  const { context } = await launch({ phone: true });
  const phone = await newPage(context);
  await signIn(phone, INSTRUCTOR);
  for (const [path, name] of [[`/teach/sections/${ids.sectionA}`, 'teach-section-phone'],
    [`/teach/sessions/${ids.sessionA}`, 'teach-attendance-phone']]) {
    await phone.goto(`/#${path}`);
    await phone.locator('h1.view-title').waitFor();
    await phone.locator('table').first().waitFor();
    const overflow = await phone.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `${path} is ${overflow}px wider than the screen`);
    await shot(phone, name);
  }
  assertClean(phone);
  await context.close();
});
