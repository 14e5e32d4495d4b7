// learner.spec.mjs - a learner's way through the front end: sign up, find a
// course by a Korean word, enrol, read a lesson, see it in my courses and the
// calendar, cancel; a full section's waitlist; refusals as sentences; the
// English catalogue; the catalogue and a course page at phone width.
import assert from 'node:assert/strict';

import { DEMO_PASSWORD, assertClean, launch, newPage, shot, sql, sqlOne, test, until } from './lib.mjs';

const WORD = '브라우저시험';
const TITLE = '브라우저시험 로봇 코딩 교실';
const TITLE_EN = 'Browser Test: Robot Coding Class';
const ADVANCED = '브라우저시험 로봇 코딩 심화';
const LESSON = '로봇과 첫 인사';
const EMAIL = 'newcomer@example.com';
const PASSWORD = 'robot-coding-2026!';

// Dates around today in Korea, as the API takes them.
const today = new Date(Date.now() + 9 * 3600e3).toISOString().slice(0, 10);
const day = (n) => new Date(Date.parse(`${today}T00:00:00Z`) + n * 86400e3).toISOString().slice(0, 10);
const at = (n, hm) => `${day(n)}T${hm}:00+09:00`;

let page;
const ids = {};

// A cell of a course page's section row, by its column.
const cell = async (row, label) => (await row.locator(`td[data-label="${label}"]`).textContent()).trim();

// The API as a signed-in demo account, in a context of its own.
async function apiAs(email) {
  const { context } = await launch();
  const login = await context.request.post('/api/v1/auth/login', { data: { email, password: DEMO_PASSWORD } });
  assert.equal(login.status(), 200, `sign-in of ${email}: ${await login.text()}`);
  const { csrf_token: csrf } = await login.json();
  return async (method, path, data, type) => {
    const r = await context.request.fetch(path, {
      method,
      headers: { 'X-CSRF-Token': csrf, ...(type ? { 'Content-Type': type } : {}) },
      ...(type ? { data: Buffer.from(data) } : { data }),
    });
    assert.ok(r.ok(), `${method} ${path}: ${r.status()} ${await r.text()}`);
    return r.json();
  };
}

const section = (term, starts, capacity, opens, closes) => ({
  term, starts_on: day(starts), ends_on: day(starts + 40), capacity,
  enrollment_opens_at: at(opens, '00:00'), enrollment_closes_at: at(closes, '00:00'), status: 'open',
});

test('set-up: a GIST course with three sections, a lesson with a file, and an advanced course', async () => {
  const admin = await apiAs('gist-admin@example.com');
  const instructor = Number(sql("SELECT id FROM users WHERE email = 'instructor@example.com'"));
  const course = await admin('POST', '/api/v1/courses', {
    program: 'ai_academy', code: 'BRW-101', title_ko: TITLE, title_en: TITLE_EN,
    summary_ko: '로봇을 움직이며 코딩의 기초를 익힙니다.', summary_en: 'Learn the basics of coding by moving a robot.',
    description: '## 과정 소개\n\n로봇을 직접 움직여 봅니다.\n\n- 센서 읽기\n- 모터 돌리기', delivery: 'online',
    level: 'beginner', tags: ['로봇', '코딩'], published: true,
  });
  ids.course = course.id;
  ids.open = (await admin('POST', `/api/v1/courses/${course.id}/sections`,
    { ...section('2027-1', 14, 30, -1, 10), instructor_ids: [instructor] })).id;
  ids.small = (await admin('POST', `/api/v1/courses/${course.id}/sections`, section('2027-2', 20, 1, -1, 15))).id;
  ids.later = (await admin('POST', `/api/v1/courses/${course.id}/sections`, section('2027-summer', 30, 20, 5, 25))).id;
  await admin('POST', `/api/v1/sections/${ids.open}/sessions`, {
    starts_at: at(14, '10:00'), ends_at: at(14, '12:00'), instructor_id: instructor, online_url: 'https://meet.example.com/robot',
  });
  const mod = await admin('POST', `/api/v1/courses/${course.id}/modules`, { position: 1, title_ko: '시작하기', title_en: 'Getting started' });
  const lesson = await admin('POST', `/api/v1/modules/${mod.id}/lessons`, {
    position: 1, title_ko: LESSON, title_en: 'Hello, robot', kind: 'text',
    body_md: '# 로봇과 첫 인사\n\n오늘은 **센서**를 읽어 봅니다.\n\n<script>alert(1)</script>',
  });
  ids.lesson = lesson.id;
  await admin('POST', `/api/v1/lessons/${lesson.id}/attachments?filename=${encodeURIComponent('실습 안내.txt')}`,
    '센서 실습 안내\n', 'text/plain');
  const advanced = await admin('POST', '/api/v1/courses', {
    program: 'ai_academy', code: 'BRW-201', title_ko: ADVANCED, title_en: 'Browser Test: Advanced Robot Coding',
    delivery: 'online', level: 'intermediate', prerequisite_course_ids: [course.id], published: true,
  });
  ids.advanced = advanced.id;
  await admin('POST', `/api/v1/courses/${advanced.id}/sections`, section('2027-1', 14, 30, -1, 10));
});

test('a visitor signs up through the form and lands on an empty My courses', async () => {
  const { context } = await launch();
  page = await newPage(context);
  await page.goto('/#/register');
  await page.getByLabel('이메일', { exact: true }).fill(EMAIL);
  await page.getByLabel('비밀번호', { exact: true }).fill('short');
  await page.getByLabel('이름', { exact: true }).fill('새싹 학습자');
  await page.getByLabel('학습 단계').selectOption('worker');
  await page.getByRole('button', { name: '가입하기' }).click();
  // The server's word on the password, beside the field, in Korean.
  await page.getByText('10자 이상이어야 합니다.').waitFor();
  await page.getByLabel(/^\[필수\]/).check();
  await page.getByLabel('비밀번호', { exact: true }).fill(PASSWORD);
  await page.getByRole('button', { name: '가입하기' }).click();
  await until(page, 'My courses after signing up', () => location.hash === '#/my');
  await page.getByRole('heading', { level: 1, name: '내 강좌' }).waitFor();
  await page.getByText('아직 신청한 강좌가 없습니다.').waitFor();
  assert.equal(sql(`SELECT ladder_stage || ' ' || locale FROM users WHERE email = '${EMAIL}'`), 'worker ko');
  // As the link of the verification mail would: unverified addresses may not enrol.
  sql(`UPDATE users SET email_verified_at = now() WHERE email = '${EMAIL}'`);
  assertClean(page);
});

test('finds the course by a Korean word, and Back keeps the search', async () => {
  await page.goto('/#/');
  await page.getByRole('heading', { level: 1, name: '강좌 찾기' }).waitFor();
  await shot(page, 'catalog-desktop');
  // The head says how many courses there are in all; "more" how many are shown.
  const total = Number(sqlOne('SELECT count(*) FROM courses WHERE published'));
  await page.getByText(`강좌 ${total.toLocaleString('en-US')}개`, { exact: true }).waitFor();
  await page.getByRole('button', { name: `더 보기 (20/${total.toLocaleString('en-US')})` }).click();
  await page.getByRole('button', { name: `더 보기 (40/${total.toLocaleString('en-US')})` }).waitFor();
  assert.equal(await page.locator('.course-card').count(), 40);
  await page.getByLabel('검색어').fill(WORD);
  await page.getByRole('button', { name: '검색', exact: true }).click();
  await until(page, 'the search in the address', (w) => decodeURIComponent(location.hash).includes(`q=${w}`), WORD);
  await page.getByText('강좌 2개').waitFor();
  assert.ok(await page.getByRole('button', { name: '더 보기' }).isHidden(), 'more is offered after the last page');
  const card = page.locator('.course-card', { hasText: TITLE });
  assert.match(await card.textContent(), /인공지능사관학교.*광주과학기술원.*#로봇.*온라인.*입문.*신청 가능한 분반 2개/s);
  await card.getByRole('link', { name: TITLE }).click();
  await page.getByRole('heading', { level: 1, name: TITLE }).waitFor();
  await page.goBack();
  await page.getByText('강좌 2개').waitFor();
  assert.equal(await page.getByLabel('검색어').inputValue(), WORD);
  await page.getByRole('link', { name: TITLE }).click();
  await page.getByRole('heading', { level: 1, name: TITLE }).waitFor();
  assertClean(page);
});

test('enrols in the open section; a section not yet open says when it opens', async () => {
  const later = page.locator('tr', { hasText: '2027년 여름 계절학기' });
  assert.ok(await later.getByRole('button', { name: /수강신청/ }).isDisabled(), 'a section not open takes applications');
  assert.match(await later.locator('.why').textContent(), /부터 신청할 수 있습니다\./);

  await page.getByRole('button', { name: '수강신청 (2027년 1학기)' }).click();
  await page.locator('.message.ok', { hasText: '수강신청이 완료되었습니다. 2027년 1학기 분반에 등록되었습니다.' }).waitFor();
  const row = page.locator('tr', { hasText: '2027년 1학기' });
  await row.getByText('수강 중').waitFor();
  assert.equal(await cell(row, '남은 자리'), '29', 'the seats left were not refreshed');
  await shot(page, 'course-desktop');
  assertClean(page);
});

test('the lesson opens in the reader, with its file, and can be marked done', async () => {
  await page.getByRole('link', { name: LESSON }).click();
  await page.getByRole('heading', { level: 1, name: LESSON }).waitFor();
  const body = page.locator('.lesson-body');
  assert.match(await body.textContent(), /센서/);
  assert.equal(await body.locator('script').count(), 0);
  assert.equal(await body.locator('h1').count(), 0, 'the lesson\'s own heading competes with the page title');
  const file = page.getByRole('link', { name: '실습 안내.txt' });
  assert.match(await file.getAttribute('href'), /^\/api\/v1\/attachments\/\d+$/);
  await page.getByRole('button', { name: '학습 완료로 표시' }).click();
  await page.getByText('모든 강의를 마쳤습니다. 수고하셨습니다!').waitFor();
  await page.getByText('1개 중 1개 완료').waitFor();
  await shot(page, 'lesson-desktop');
  assertClean(page);
});

test('My courses shows the enrolment with its status and progress', async () => {
  await page.getByRole('link', { name: '내 강좌' }).click();
  const row = page.locator('tr', { hasText: TITLE });
  await row.getByText('수강 중').waitFor();
  assert.match(await row.textContent(), /2027년 1학기.*1개 중 1개 완료/s);
  assert.equal(await row.locator('progress').getAttribute('value'), '1');
  await shot(page, 'my-desktop');
  assertClean(page);
});

test('the calendar shows the week\'s class, and a calendar link is made once and revoked', async () => {
  await page.getByRole('link', { name: '내 수업 일정' }).click();
  await page.getByRole('heading', { level: 1, name: '내 수업 일정' }).waitFor();
  await page.getByRole('button', { name: '다음 주 →' }).click();
  await until(page, 'the next week in the address', () => /week=\d{4}-\d{2}-\d{2}/.test(location.hash));
  await page.goto(`/#/my/calendar?week=${day(14)}`);
  await page.locator('.week-event', { hasText: TITLE }).waitFor();
  await page.getByRole('button', { name: '캘린더 주소 만들기' }).click();
  const url = await page.getByLabel('캘린더 주소', { exact: true }).inputValue();
  assert.match(url, /\/api\/v1\/me\/calendar\.ics\?key=cal_[A-Za-z0-9_-]+$/);
  await page.locator('table.cal-feeds tbody tr').first().waitFor();
  assert.equal(await page.locator('table.cal-feeds tbody tr').count(), 1);
  await shot(page, 'calendar-desktop');
  await page.getByRole('button', { name: /에 만든 주소 삭제$/ }).click();
  await page.locator('dialog').getByRole('button', { name: '주소 삭제' }).click();
  await page.getByText('캘린더 주소를 삭제했습니다.').waitFor();
  await page.getByText('만든 캘린더 주소가 없습니다.').waitFor();
  assert.equal(sql("SELECT count(*) FROM calendar_feeds WHERE revoked_at IS NOT NULL"), '1');
  assertClean(page);
});

test('cancels the enrolment from My courses', async () => {
  await page.goto('/#/my');
  await page.getByRole('button', { name: `「${TITLE}」 신청 취소` }).click();
  await page.locator('dialog').getByRole('button', { name: '신청 취소' }).click();
  await page.getByText(`「${TITLE}」 신청을 취소했습니다.`).waitFor();
  await page.locator('tr', { hasText: TITLE }).getByText('취소', { exact: true }).waitFor();
  assert.equal(sql(`SELECT status FROM enrollments WHERE section_id = ${ids.open}`), 'cancelled');
  assertClean(page);
});

test('a full section puts the next learner on the waitlist, at place 1', async () => {
  const other = await apiAs('learner@example.com');
  const taken = await other('POST', `/api/v1/sections/${ids.small}/enrollments`, {});
  assert.equal(taken.status, 'enrolled');

  await page.goto(`/#/courses/${ids.course}`);
  const row = page.locator('tr', { hasText: '2027년 2학기' });
  assert.equal(await cell(row, '남은 자리'), '0');
  await page.getByRole('button', { name: '대기 신청 (2027년 2학기)' }).click();
  await page.getByText('정원이 모두 차서 대기자로 등록했습니다. 대기 순번은 1번입니다.', { exact: false }).waitFor();
  await row.getByText('대기자').waitFor();
  await row.getByText('대기 1번').waitFor();
  assert.equal(await cell(row, '대기'), '1');

  await page.goto('/#/my');
  const mine = page.locator('tr', { hasText: '2027년 2학기' });
  await mine.getByText('대기자').waitFor();
  await mine.getByText('대기 순번 1번').waitFor();
  assertClean(page);
});

test('once the section has started, cancelling is refused with a sentence', async () => {
  sql(`UPDATE sections SET starts_on = '${day(-1)}' WHERE id = ${ids.small}`);
  await page.getByRole('button', { name: `「${TITLE}」 신청 취소` }).click();
  await page.locator('dialog').getByRole('button', { name: '신청 취소' }).click();
  await page.getByRole('alert').getByText('이미 시작한 분반은 취소할 수 없습니다. 기관 담당자에게 문의하세요.').waitFor();
  await page.locator('tr', { hasText: '2027년 2학기' }).getByText('대기자').waitFor();
  assertClean(page);
});

test('a refusal is a sentence that names the missing prerequisite', async () => {
  await page.goto(`/#/courses/${ids.advanced}`);
  await page.getByRole('heading', { level: 1, name: ADVANCED }).waitFor();
  await page.getByRole('button', { name: '수강신청 (2027년 1학기)' }).click();
  const alert = page.getByRole('alert');
  await alert.getByText(`이 과정을 신청하려면 먼저 「${TITLE}」 과정을 수료해야 합니다.`).waitFor();
  await alert.getByRole('link', { name: '선수 과목 보기' }).waitFor();
  assertClean(page);
});

test('the language switch turns the catalogue English, and it stays English', async () => {
  await page.goto(`/#/?q=${encodeURIComponent(WORD)}`);
  await page.getByRole('heading', { level: 1, name: '강좌 찾기' }).waitFor();
  await page.locator('#lang').click();
  await page.getByRole('heading', { level: 1, name: 'Find a course' }).waitFor();
  await page.getByRole('link', { name: TITLE_EN }).waitFor();
  await page.reload();
  await page.getByRole('heading', { level: 1, name: 'Find a course' }).waitFor();
  const card = page.locator('.course-card', { hasText: TITLE_EN });
  assert.match(await card.textContent(), /Online.*Beginner.*2 section\(s\) open/s);
  await shot(page, 'catalog-desktop-en');
  await page.evaluate(() => localStorage.removeItem('lang'));
  assertClean(page);
});

test('after too many failed sign-ins the form says when to try again', async () => {
  const { context } = await launch();
  for (let i = 0; i < 5; i++) {
    await context.request.post('/api/v1/auth/login', { data: { email: EMAIL, password: 'not-the-password' } });
  }
  const visitor = await newPage(context);
  await visitor.goto('/#/login');
  await visitor.getByLabel('이메일').fill(EMAIL);
  await visitor.getByLabel('비밀번호').fill(PASSWORD);
  await visitor.getByRole('button', { name: '로그인' }).click();
  await visitor.getByRole('alert').getByText(/로그인 시도가 너무 많습니다\. \d+분 뒤에 다시 시도해 주세요\./).waitFor();
  assertClean(visitor);
  await context.close();
});

test('at phone width the catalogue and a course page fit, and a visitor is sent to sign in and back', async () => {
  const { context } = await launch({ phone: true });
  const phone = await newPage(context);
  const fits = async (what) => {
    const over = await phone.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(over <= 0, `${what} is ${over}px wider than the screen`);
  };
  await phone.goto('/#/');
  await phone.locator('.course-card').first().waitFor();
  await fits('the catalogue');
  await shot(phone, 'catalog-phone');
  await phone.goto(`/#/courses/${ids.course}`);
  await phone.getByRole('heading', { level: 1, name: TITLE }).waitFor();
  await fits('the course page');
  await shot(phone, 'course-phone');
  await phone.getByRole('link', { name: '로그인하고 신청하기' }).first().click();
  await until(phone, 'the sign-in page with the way back', () => location.hash.startsWith('#/login?next='));
  await phone.getByLabel('이메일').fill('learner@example.com');
  await phone.getByLabel('비밀번호').fill(DEMO_PASSWORD);
  await phone.getByRole('button', { name: '로그인' }).click();
  await until(phone, 'back on the course page', (id) => location.hash === `#/courses/${id}`, ids.course);
  await phone.locator('tr', { hasText: '2027년 2학기' }).getByText('수강 중').waitFor();
  assertClean(phone);
  await context.close();
});
