// admin.spec.mjs - an institution admin (GIST) at work: a draft course and
// its section through the editor (a field error, a duplicate code, a
// refused status change), publishing it, two applications decided, an API
// token made and revoked, an instructor shared and unshared; clean pages
// at desktop and phone width.
import assert from 'node:assert/strict';

import {
  DEMO_PASSWORD, assertClean, launch, newPage, shot, signIn, sqlOne, test,
} from './lib.mjs';

const ADMIN = 'gist-admin@example.com';
const CODE = 'BRW-101';
const TITLE = '브라우저 시험 강좌';
const TERM = '2030-1';
const TERM_NAME = '2030년 1학기'; // as the pages write it

const one = sqlOne;
const gist = one("SELECT id FROM institutions WHERE code = 'gist'");
const instructor = one("SELECT user_id FROM instructors i JOIN users u ON u.id = i.user_id WHERE u.email = 'instructor@example.com'");
const partner = one("SELECT id FROM institutions WHERE code = 'chosun'");
const partnerName = one("SELECT name_ko FROM institutions WHERE code = 'chosun'");
// A GIST section of a programme that needs approval, open for enrolment now.
const section = one(`
  SELECT s.id FROM sections s JOIN courses c ON c.id = s.course_id
    JOIN programs p ON p.id = c.program_id
   WHERE c.institution_id = ${gist} AND p.approval_required AND c.published
     AND s.status = 'open' AND now() >= s.enrollment_opens_at AND now() < s.enrollment_closes_at
   ORDER BY s.id LIMIT 1`);

let page;
let courseId;

// A learner applies through the API in a context of their own.
async function apply(email, stage) {
  const { context } = await launch();
  const api = context.request;
  if (stage) {
    const r = await api.post('/api/v1/auth/register', {
      data: { email, password: DEMO_PASSWORD, display_name: '박지원', ladder_stage: stage,
        consent_version: '2026-12-01', consent_required: true },
    });
    assert.equal(r.status(), 201, `register ${email}: ${await r.text()}`);
    // As the link of the verification mail would: unverified addresses may not apply.
    sqlOne(`UPDATE users SET email_verified_at = now() WHERE email = '${email}' RETURNING id`);
  }
  const login = await api.post('/api/v1/auth/login', { data: { email, password: DEMO_PASSWORD } });
  assert.equal(login.status(), 200, `login ${email}: ${await login.text()}`);
  const { csrf_token: csrf } = await login.json();
  const r = await api.post(`/api/v1/sections/${section}/enrollments`, {
    headers: { 'X-CSRF-Token': csrf }, data: { statement: `${email} 지원합니다` },
  });
  assert.equal(r.status(), 201, `enrol ${email}: ${await r.text()}`);
  assert.equal((await r.json()).status, 'pending');
  await context.close();
}

// The message line of a form or page says it (role status or alert).
async function says(scope, text) {
  await scope.locator('.message').filter({ hasText: text }).first().waitFor();
}

test('two learners apply to an approval-required section', async () => {
  assert.match(section, /^\d+$/, 'the demo data has no open GIST section that needs approval');
  await apply('learner@example.com');
  await apply('applicant2@example.com', 'job_seeker');
  assert.equal(one(`SELECT count(*) FROM enrollments WHERE section_id = ${section} AND status = 'pending'`), '2');
});

test('the admin dashboard names the institution and counts pending applications', async () => {
  const { context } = await launch();
  page = await newPage(context);
  await signIn(page, ADMIN);
  await page.goto('/#/admin');
  await page.getByRole('heading', { level: 1, name: '기관 관리' }).waitFor();
  await page.getByText('광주과학기술원 GIST의 강좌').waitFor();
  // The figure leads to where the applications are decided, and asks for attention.
  const pendingCard = page.locator('.stat-card.stat-pending');
  assert.equal((await pendingCard.locator('.stat-value').textContent()).trim(), '2');
  assert.match(await pendingCard.getAttribute('class'), /attention/);
  assert.match(await pendingCard.getByRole('link', { name: /신청 검토하기/ }).getAttribute('href'),
    new RegExp(`^#/admin/applications\\?institution=${gist}$`));
  for (const link of ['강좌 관리', '수강 신청 승인', '보고서', 'API 토큰', '강사 공유']) {
    const href = await page.getByRole('link', { name: link, exact: true }).getAttribute('href');
    assert.match(href, new RegExp(`institution=${gist}$`), `${link} links to ${href}`);
  }
  await shot(page, 'admin-home');
  assertClean(page);
});

test('a new course: a bad code, a duplicate code, then a draft', async () => {
  await page.getByRole('link', { name: '강좌 관리', exact: true }).click();
  await page.getByRole('heading', { level: 1, name: '강좌 관리' }).waitFor();
  await page.getByRole('link', { name: '새 강좌 만들기' }).click();
  await page.getByRole('heading', { level: 1, name: '새 강좌' }).waitFor();

  await page.getByLabel('사업(프로그램)').selectOption('ai_academy');
  const code = page.getByLabel('과목 코드');
  await code.fill('bad code!');
  await page.getByLabel('강좌명 (한국어)').fill(TITLE);
  await page.getByLabel('강좌명 (영어)').fill('Browser Test Course');
  await page.getByLabel('한 줄 소개 (한국어)').fill('관리 화면 시험용 강좌입니다.');
  await page.getByLabel('상세 설명').fill('## 소개\n\n- 첫째\n- 둘째');
  await page.getByLabel('운영 방식').selectOption('blended');
  await page.getByLabel('태그').fill('시험, 브라우저');
  // Prerequisites: typed, found, picked with the keyboard; one picked with
  // the mouse and removed again; Escape closes the list.
  const prereq = page.getByRole('combobox', { name: '선수 과목' });
  const chips = page.getByRole('list', { name: '고른 선수 과목' });
  await prereq.fill('AIA-205');
  await page.getByRole('listbox', { name: '선수 과목' }).getByRole('option', { name: /^AIA-205 / }).waitFor();
  await prereq.press('ArrowDown');
  assert.equal(await prereq.getAttribute('aria-expanded'), 'true');
  assert.match(await prereq.getAttribute('aria-activedescendant'), /-o0$/);
  await prereq.press('Enter');
  await chips.getByRole('listitem').filter({ hasText: 'AIA-205' }).waitFor();
  assert.equal(await prereq.inputValue(), '');
  assert.equal(await prereq.getAttribute('aria-expanded'), 'false');
  await prereq.fill('SU-203');
  const su = page.getByRole('listbox', { name: '선수 과목' }).getByRole('option', { name: /^SU-203 / });
  await su.click();
  const suChip = chips.getByRole('listitem').filter({ hasText: 'SU-203' });
  await suChip.waitFor();
  await suChip.getByRole('button', { name: /^SU-203 .* 빼기$/ }).click();
  await suChip.waitFor({ state: 'detached' });
  await prereq.fill('AIA-2');
  await page.getByRole('listbox', { name: '선수 과목' }).waitFor();
  // AIA-205 is chosen already, so the list does not offer it again.
  assert.equal(await page.getByRole('option', { name: /^AIA-205 / }).count(), 0);
  await prereq.press('Escape');
  await page.getByRole('listbox', { name: '선수 과목' }).waitFor({ state: 'hidden' });
  await prereq.press('Escape');
  assert.equal(await prereq.inputValue(), '');
  await shot(page, 'admin-course-prerequisites');

  await page.getByRole('button', { name: '강좌 만들기' }).click();
  await page.locator('.field.invalid[data-field="code"]').getByText('영문, 숫자, _ . - 로 40자 이내로 입력하고').waitFor();
  assert.equal(await code.getAttribute('aria-invalid'), 'true');
  await says(page, '입력한 내용을 확인해 주세요.');

  await code.fill('AIA-205');
  await page.getByRole('button', { name: '강좌 만들기' }).click();
  await page.locator('.field.invalid[data-field="code"]').getByText('이미 사용 중인 과목 코드입니다.').waitFor();

  await code.fill(CODE);
  await page.getByRole('button', { name: '강좌 만들기' }).click();
  await page.getByRole('heading', { level: 1, name: `강좌 편집: ${TITLE}` }).waitFor();
  courseId = one(`SELECT id FROM courses WHERE code = '${CODE}' AND institution_id = ${gist}`);
  assert.match(page.url(), new RegExp(`#/admin/courses/${courseId}\\?institution=${gist}$`));
  assert.equal(one(`SELECT published FROM courses WHERE id = ${courseId}`), 'f');
  assert.equal(one(`SELECT array_to_string(tags, ',') FROM courses WHERE id = ${courseId}`), '시험,브라우저');
  assert.equal(one(`SELECT string_agg(p.code, ',') FROM course_prerequisites cp JOIN courses p ON p.id = cp.prerequisite_id
                      WHERE cp.course_id = ${courseId}`), 'AIA-205');
  // The editor shows the saved prerequisite as a chip.
  await page.getByRole('list', { name: '고른 선수 과목' }).getByRole('listitem').filter({ hasText: 'AIA-205' }).waitFor();
  // Each part of the long form has its heading.
  for (const part of ['기본 정보', '소개', '운영 방식과 선수 과목', '공개']) {
    await page.locator('form.course-form').getByRole('group', { name: part }).waitFor();
  }
  assertClean(page);
});

test('a section: its term picked in words, added, cancelled, and not reopened', async () => {
  const form = page.locator('form.section-form');
  for (const part of ['학기와 수업 기간', '정원과 신청', '강사']) await form.getByRole('group', { name: part }).waitFor();
  const term = form.getByRole('group', { name: '학기', exact: true });
  await term.getByLabel('연도').selectOption('2030');
  await term.getByLabel('학기 또는 기수').selectOption('c3');
  await term.locator('output').getByText('2030년 3기').waitFor();
  await term.getByLabel('학기 또는 기수').selectOption('1');
  await term.locator('output').getByText(TERM_NAME).waitFor();
  await form.getByLabel('수업 시작일').fill('2030-03-04');
  await form.getByLabel('수업 종료일').fill('2030-06-21');
  await form.getByLabel('정원').fill('25');
  await form.getByLabel('신청 시작').fill('2029-12-01T09:00');
  await form.getByLabel('신청 마감').fill('2030-03-03T18:00');
  await form.getByLabel('상태').selectOption('open');
  await form.getByLabel('강사', { exact: true }).selectOption([instructor]);
  await form.getByRole('button', { name: '분반 추가' }).click();
  await says(page, `${TERM_NAME} 분반을 추가했습니다.`);
  const row = page.locator('table.sections tbody tr').filter({ hasText: TERM_NAME });
  await row.getByText('모집 중').waitFor();
  await row.getByText('이지능 교수').waitFor();
  const s = one(`SELECT capacity || ' ' || status || ' ' || enrollment_opens_at AT TIME ZONE 'Asia/Seoul'
                   FROM sections WHERE course_id = ${courseId}`);
  assert.equal(s, '25 open 2029-12-01 09:00:00');
  assert.equal(one(`SELECT term FROM sections WHERE course_id = ${courseId}`), TERM);
  const sectionId = one(`SELECT id FROM sections WHERE course_id = ${courseId}`);
  assert.equal(await row.getByRole('link', { name: `${TERM_NAME} 분반 수강생 명단` }).getAttribute('href'), `#/teach/sections/${sectionId}`);

  await row.getByRole('button', { name: `${TERM_NAME} 분반 수정` }).click();
  await form.getByRole('heading', { name: `분반 수정: ${TERM_NAME}` }).waitFor();
  assert.equal(await form.getByLabel('신청 시작').inputValue(), '2029-12-01T09:00');
  assert.equal(await term.getByLabel('연도').inputValue(), '2030');
  assert.equal(await term.getByLabel('학기 또는 기수').inputValue(), '1');
  await form.getByLabel('상태').selectOption('cancelled');
  await form.getByRole('button', { name: '분반 저장' }).click();
  await says(page, `${TERM_NAME} 분반을 저장했습니다.`);
  await row.getByText('취소').waitFor();

  await row.getByRole('button', { name: `${TERM_NAME} 분반 수정` }).click();
  await form.getByLabel('상태').selectOption('open');
  await form.getByRole('button', { name: '분반 저장' }).click();
  await says(form, '현재 상태에서는 할 수 없는 변경입니다.');
  assert.equal(one(`SELECT status FROM sections WHERE id = ${sectionId}`), 'cancelled');
  await form.getByRole('button', { name: '새 분반 추가로 돌아가기' }).click();
  assertClean(page);
});

test('a module and a lesson added to the syllabus', async () => {
  const addModule = page.locator('form.add-form').filter({ has: page.getByRole('heading', { name: '모듈 추가' }) });
  await addModule.getByLabel('제목 (한국어)').fill('1주차 오리엔테이션');
  await addModule.getByLabel('제목 (영어)').fill('Week 1 orientation');
  await addModule.getByRole('button', { name: '모듈 추가' }).click();
  await says(page, '"1주차 오리엔테이션" 모듈을 추가했습니다.');

  const addLesson = page.locator('form.add-form').filter({ has: page.getByRole('heading', { name: '차시 추가' }) });
  await addLesson.getByLabel('제목 (한국어)').fill('과정 안내');
  await addLesson.getByLabel('제목 (영어)').fill('About the course');
  await addLesson.getByLabel('형식').selectOption('video');
  await addLesson.getByRole('button', { name: '차시 추가' }).click();
  await addLesson.locator('.field.invalid[data-field="url"]').waitFor();
  await addLesson.getByLabel('주소 (https)').fill('https://example.com/intro.mp4');
  await addLesson.getByLabel('학습 시간 (분)').fill('15');
  await addLesson.getByRole('button', { name: '차시 추가' }).click();
  await says(page, '"과정 안내" 차시를 추가했습니다.');
  await page.locator('ol.syllabus').getByRole('link', { name: '과정 안내' }).waitFor();
  assert.equal(one(`SELECT count(*) FROM lessons l JOIN course_modules m ON m.id = l.module_id WHERE m.course_id = ${courseId}`), '1');
  assertClean(page);
});

test('publishing the course; the list shows it published', async () => {
  await page.getByLabel('강좌 공개').check();
  await page.locator('form.course-form').getByRole('button', { name: '저장' }).click();
  await says(page.locator('form.course-form'), '저장했습니다.');
  assert.equal(one(`SELECT published FROM courses WHERE id = ${courseId}`), 't');
  await page.locator('p.meta').getByText('공개', { exact: true }).waitFor();
  await shot(page, 'admin-course-editor');

  await page.goto(`/#/admin/courses?institution=${gist}`);
  await page.getByRole('searchbox', { name: '강좌 검색' }).fill('BRW');
  await page.getByRole('button', { name: '찾기' }).click();
  await page.locator('caption').getByText('강좌 1개').waitFor();
  await page.locator('tbody tr').filter({ hasText: CODE }).getByText('공개', { exact: true }).waitFor();
  await page.goto(`/#/admin/courses?institution=${gist}`);
  await page.locator('tbody tr').filter({ hasText: 'SU-203' }).getByText('작성 중').waitFor();
  await shot(page, 'admin-courses');
  assertClean(page);
});

test('one application approved, the other rejected with a reason', async () => {
  await page.goto('/#/admin');
  await page.getByRole('link', { name: '수강 신청 승인' }).click();
  await page.getByRole('heading', { level: 1, name: '수강 신청 승인' }).waitFor();
  const rows = page.locator('table.applications tbody tr');
  await rows.first().waitFor();
  assert.equal(await rows.count(), 2);
  assert.match(await rows.first().textContent(), /learner@example\.com/, 'oldest first');
  await shot(page, 'admin-applications');

  await page.getByRole('button', { name: '김학습 님의 신청 승인' }).click();
  await says(page, '김학습 님의');
  assert.equal(await rows.count(), 1);

  await page.getByRole('button', { name: '박지원 님의 신청 반려' }).click();
  const dialog = page.getByRole('dialog');
  await dialog.getByLabel('사유 (선택)').fill('모집 대상이 아닙니다');
  await dialog.getByRole('button', { name: '반려' }).click();
  await says(page, '박지원 님의');
  await page.getByText('승인을 기다리는 신청이 없습니다.').waitFor();

  const status = (email) => one(`SELECT e.status FROM enrollments e JOIN users u ON u.id = e.user_id
                                  WHERE u.email = '${email}' AND e.section_id = ${section}`);
  assert.equal(status('learner@example.com'), 'enrolled');
  assert.equal(status('applicant2@example.com'), 'rejected');
  assertClean(page);
});

test('an API token: its secret shown once, then revoked', async () => {
  await page.goto(`/#/admin/tokens?institution=${gist}`);
  await page.getByRole('heading', { level: 1, name: 'API 토큰' }).waitFor();
  assert.equal(await page.getByLabel(/운영 지표 조회/).count(), 0, 'metrics:read is for platform admins');
  await page.getByLabel('이름', { exact: true }).fill('성과관리 연동');
  await page.getByLabel('유효 기간 (일)').fill('30');
  await page.getByRole('button', { name: '토큰 발급' }).click();
  const secret = page.getByLabel('토큰 값');
  await secret.waitFor();
  const value = await secret.inputValue();
  assert.match(value, /^lms_/);
  assert.equal(await secret.getAttribute('readonly'), '');
  await page.getByText('한 번만 보여 드립니다').waitFor();
  const prefix = one("SELECT token_prefix FROM api_tokens WHERE name = '성과관리 연동'");
  assert.ok(value.startsWith(prefix));
  assert.equal(one("SELECT array_to_string(scopes, ',') FROM api_tokens WHERE name = '성과관리 연동'"), 'reports:read');
  const row = page.locator('table.tokens tbody tr').filter({ hasText: '성과관리 연동' });
  await row.getByText('사용 중').waitFor();
  await shot(page, 'admin-tokens');

  await page.reload();
  await row.waitFor();
  assert.equal(await page.getByLabel('토큰 값').count(), 0, 'the secret is gone after a reload');
  assert.equal(await page.getByText(value).count(), 0);

  await row.getByRole('button', { name: '토큰 성과관리 연동 폐기' }).click();
  await page.getByRole('dialog').getByRole('button', { name: '폐기' }).click();
  await says(page, '"성과관리 연동" 토큰을 폐기했습니다.');
  await row.getByText('폐기됨').waitFor();
  assert.equal(await row.getByRole('button').count(), 0);
  assert.equal(one("SELECT revoked_at IS NOT NULL FROM api_tokens WHERE name = '성과관리 연동'"), 't');
  assertClean(page);
});

test('an instructor shared with a partner, and the share ended', async () => {
  await page.goto(`/#/admin/instructors?institution=${gist}`);
  await page.getByRole('heading', { level: 1, name: '강사 공유' }).waitFor();
  const card = page.locator(`[data-instructor="${instructor}"]`);
  await card.getByLabel('공유할 기관').selectOption(partner);
  await card.getByRole('button', { name: '공유하기' }).click();
  await says(page, `이지능 교수: ${partnerName}에 공유했습니다.`);
  await card.getByRole('listitem').filter({ hasText: partnerName }).waitFor();
  const shared = () => one(`SELECT count(*) FROM instructor_shares WHERE instructor_id = ${instructor} AND institution_id = ${partner}`);
  assert.equal(shared(), '1');
  assert.equal(await card.getByRole('link', { name: '이지능 교수 주간 일정' }).getAttribute('href'),
    `#/admin/instructors/${instructor}/week?institution=${gist}`);
  // Shared with GIST by another home: no buttons to change its shares.
  const guest = page.locator('li.instructor').filter({ hasText: '전남대학교에서 공유' }).first();
  assert.equal(await guest.getByRole('button').count(), 0);
  await shot(page, 'admin-instructors');

  await card.getByRole('button', { name: `이지능 교수의 ${partnerName} 공유 해제` }).click();
  await page.getByRole('dialog').getByRole('button', { name: '공유 해제' }).click();
  await says(page, `이지능 교수: ${partnerName} 공유를 해제했습니다.`);
  assert.equal(shared(), '0');
  assert.equal(await card.getByRole('listitem').filter({ hasText: partnerName }).count(), 0);
  assertClean(page);
});

test('in English, the admin pages speak English', async () => {
  await page.goto(`/#/admin/courses/${courseId}?institution=${gist}`);
  await page.locator('#lang').click();
  await page.getByRole('heading', { level: 1, name: 'Edit course: Browser Test Course' }).waitFor();
  await page.getByRole('heading', { name: 'Sections', exact: true }).waitFor();
  await page.getByLabel('Course code').fill('bad code!');
  await page.locator('form.course-form').getByRole('button', { name: 'Save' }).click();
  await page.locator('.field.invalid[data-field="code"]').getByText(/letters, digits/).waitFor();
  const term = page.locator('form.section-form').getByRole('group', { name: 'Term', exact: true });
  await term.getByLabel('Year').selectOption('2030');
  await term.getByLabel('Term or cohort').selectOption('c3');
  await term.locator('output').getByText('2030 Cohort 3').waitFor();
  await page.getByRole('combobox', { name: 'Prerequisites' }).waitFor();
  await page.getByRole('list', { name: 'Chosen Prerequisites' }).getByRole('button', { name: /^Remove AIA-205 / }).waitFor();
  await shot(page, 'admin-course-editor-en');
  await page.locator('#lang').click();
  await page.getByRole('heading', { level: 1, name: `강좌 편집: ${TITLE}` }).waitFor();
  assertClean(page);
});

test('at phone width the admin pages fit the screen', async () => {
  const { context } = await launch({ phone: true });
  const phone = await newPage(context);
  await signIn(phone, ADMIN);
  for (const [path, name, title] of [['/admin', 'home', '기관 관리'], ['/admin/courses', 'courses', '강좌 관리'],
    [`/admin/courses/${courseId}`, 'course-editor', `강좌 편집: ${TITLE}`], ['/admin/tokens', 'tokens', 'API 토큰'],
    ['/admin/instructors', 'instructors', '강사 공유']]) {
    await phone.goto(`/#${path}?institution=${gist}`);
    await phone.getByRole('heading', { level: 1, name: title }).waitFor();
    const overflow = await phone.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `${path} is ${overflow}px wider than the screen`);
    await shot(phone, `admin-phone-${name}`);
  }
  assertClean(phone);
  await context.close();
});
