// accounts.spec.mjs - the accounts pages in a browser: consent at sign-up,
// the profile with the e-mail change and the affiliation claim, an admin's
// claims and domains, the people picker that invites an instructor, the
// invitation accepted, the data download and the account deleted.
import { createHash } from 'node:crypto';
import assert from 'node:assert/strict';

import { assertClean, launch, newPage, shot, signIn, sql, sqlOne, test, until } from './lib.mjs';

const EMAIL = 'hana@example.kr';
const NEW_EMAIL = 'hana.new@example.kr';
const PASSWORD = 'accounts-browser-2026';
let page;
let admin;

test('signing up needs the required consent, shown with the notice', async () => {
  const { context } = await launch();
  page = await newPage(context);
  await page.goto('/#/register');
  await page.getByText('개인정보 수집·이용 안내문').waitFor();
  await page.locator('pre.notice').getByText('[필수] 서비스 제공을 위한 개인정보 수집·이용').waitFor();
  await page.getByLabel('이메일', { exact: true }).fill(EMAIL);
  await page.getByLabel('비밀번호', { exact: true }).fill(PASSWORD);
  await page.getByLabel('이름', { exact: true }).fill('김하나');
  await page.getByLabel('학습 단계').selectOption('worker');
  await page.getByRole('button', { name: '가입하기' }).click();
  await page.getByText('필수 항목에 동의해야 가입할 수 있습니다.').first().waitFor();
  await shot(page, 'accounts-signup-consent-refused');
  await page.getByLabel(/^\[필수\]/).check();
  await page.getByLabel(/교육 프로그램 소식/).check();
  await page.getByRole('button', { name: '가입하기' }).click();
  await until(page, 'My courses after signing up', () => location.hash === '#/my');
  assert.equal(sql(`SELECT string_agg(item || ':' || granted, ',' ORDER BY item) FROM privacy_consents c
    JOIN users u ON u.id = c.user_id WHERE u.email = '${EMAIL}'`), 'program_news:true,service:true,survey:false');
  assertClean(page);
});

test('the profile: name, affiliation claim, e-mail change by link', async () => {
  await page.goto('/#/profile');
  await page.getByRole('heading', { level: 1, name: '내 정보' }).waitFor();
  const gist = sqlOne("SELECT id FROM institutions WHERE code = 'gist'");
  await page.locator('#p-affiliation').locator('..').getByLabel('소속 기관 선택').selectOption(gist);
  await page.getByRole('button', { name: '소속 확인 요청' }).click();
  await page.getByText('승인 대기', { exact: true }).first().waitFor();
  const part = page.locator('section', { has: page.locator('#p-email') });
  await part.getByLabel('새 이메일 주소').fill(NEW_EMAIL);
  await part.getByLabel('현재 비밀번호').fill(PASSWORD);
  await part.getByRole('button', { name: '확인 메일 보내기' }).click();
  await page.getByText(`${NEW_EMAIL} 주소로 확인 링크를 보냈습니다.`, { exact: false }).first().waitFor();
  await shot(page, 'accounts-profile-ko');
  // The mail went out (its token is no longer kept): the link as it would
  // carry one, with its digest put in the pending change.
  const token = `tok${Date.now()}${Math.random().toString(36).slice(2)}`.padEnd(43, 'x').slice(0, 43);
  sqlOne(`UPDATE email_changes SET token_hash = decode('${createHash('sha256').update(token).digest('hex')}', 'hex')
    WHERE new_email = '${NEW_EMAIL}' AND used_at IS NULL RETURNING id`);
  await page.goto(`/#/email/confirm?token=${encodeURIComponent(token)}`);
  await page.getByText(`이메일 주소가 ${NEW_EMAIL}(으)로 바뀌었습니다.`).waitFor();
  await shot(page, 'accounts-email-confirmed');
  assert.equal(sql(`SELECT count(*) FROM users WHERE email = '${NEW_EMAIL}' AND email_verified_at IS NOT NULL`), '1');
  assertClean(page);
});

test('GIST\'s admin approves the claim, registers a domain, and invites through the picker', async () => {
  const { context } = await launch();
  admin = await newPage(context);
  await signIn(admin, 'gist-admin@example.com');
  await admin.goto('/#/admin/affiliation');
  const row = admin.locator('tr', { hasText: NEW_EMAIL });
  await row.waitFor();
  await admin.locator('input[name="domain"]').fill('gist.ac.kr');
  await admin.getByRole('button', { name: '도메인 추가' }).click();
  await admin.locator('ul.domains').getByText('gist.ac.kr').waitFor();
  await shot(admin, 'accounts-admin-affiliation');
  await row.getByRole('button', { name: '승인' }).click();
  await admin.getByText('김하나님의 소속을 확인했습니다.').waitFor();
  assert.equal(sql(`SELECT count(*) FROM users u JOIN institutions i ON i.id = u.affiliation_institution_id
    WHERE u.email = '${NEW_EMAIL}' AND i.code = 'gist'`), '1');

  // The picker: search as you type; the claimant is GIST's now (verified),
  // so adding them makes an instructor at once; Chonnam's staff are asked.
  await admin.goto('/#/admin/people');
  await admin.getByLabel('이메일 또는 이름').fill('hana');
  const card = admin.locator('li.person', { hasText: NEW_EMAIL });
  await card.waitFor();
  await shot(admin, 'accounts-admin-people');
  await card.getByRole('button', { name: '강사로 추가' }).click();
  await admin.getByText('김하나님이 강사가 되었습니다.').waitFor();
  assertClean(admin);
});

test('an invitation to teach is accepted on the profile', async () => {
  // Another institution's learner is invited by GIST (not taken).
  const learnerId = sqlOne("SELECT id FROM users WHERE email = 'learner@example.com'");
  await admin.goto('/#/admin/people');
  await admin.locator('input[type="search"]').fill('learner@example.com');
  const card = admin.locator('li.person', { hasText: 'learner@example.com' });
  if (await card.count() === 0 || !(await card.isVisible().catch(() => false))) {
    // Not related to GIST yet: related by an enrolment in one of its sections.
    sql(`INSERT INTO enrollments (user_id, section_id, status) SELECT ${learnerId}, s.id, 'cancelled'
      FROM sections s JOIN courses c ON c.id = s.course_id JOIN institutions i ON i.id = c.institution_id
      WHERE i.code = 'gist' ORDER BY s.id LIMIT 1`);
    await admin.locator('input[type="search"]').fill('learner@example.co');
    await admin.locator('input[type="search"]').fill('learner@example.com');
  }
  await card.waitFor();
  await card.getByRole('button', { name: '강사로 추가' }).click();
  await admin.getByText('강사 초대를 보냈습니다').waitFor();

  const { context } = await launch();
  const learner = await newPage(context);
  await signIn(learner, 'learner@example.com');
  await learner.goto('/#/invitations');
  const inv = learner.locator('li.invitation', { hasText: '광주과학기술원' });
  await inv.getByRole('button', { name: '수락' }).waitFor();
  await shot(learner, 'accounts-invitation');
  await inv.getByRole('button', { name: '수락' }).click();
  await inv.getByText('수락함').waitFor();
  assert.equal(sql(`SELECT count(*) FROM instructors i JOIN institutions h ON h.id = i.home_institution_id
    WHERE i.user_id = ${learnerId} AND h.code = 'gist'`), '1');
  assertClean(learner);
});

test('the operating committee adds a company, so its staff can be affiliated', async () => {
  const { context } = await launch();
  const committee = await newPage(context);
  await signIn(committee, 'admin@example.com');
  await committee.goto('/#/admin/affiliation');
  const form = committee.locator('form', { has: committee.locator('#new-inst') });
  await form.getByLabel('기관 코드').fill('gwangju_robotics');
  await form.getByLabel('기관 종류').selectOption('company');
  await form.getByLabel('한국어 이름').fill('광주로보틱스');
  await form.getByLabel('영어 이름').fill('Gwangju Robotics');
  await form.getByRole('button', { name: '기관 만들기' }).click();
  await committee.getByText('광주로보틱스 기관을 만들었습니다.').waitFor();
  await shot(committee, 'accounts-new-institution');
  assert.equal(sql("SELECT kind FROM institutions WHERE code = 'gwangju_robotics'"), 'company');
  assertClean(committee);
});

test('the profile in English, the data download, and the account deleted', async () => {
  await page.goto('/#/profile');
  await page.locator('#lang').click();
  await page.getByRole('heading', { level: 1, name: 'My profile' }).waitFor();
  await shot(page, 'accounts-profile-en');
  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Download my data' }).click();
  assert.equal((await download).suggestedFilename(), 'my-data.json');
  await page.locator('#lang').click();
  await page.getByRole('heading', { level: 1, name: '내 정보' }).waitFor();
  const zone = page.locator('section.danger-zone');
  await zone.getByLabel('비밀번호 확인').fill(PASSWORD);
  await zone.getByRole('button', { name: '탈퇴하기' }).click();
  await page.locator('dialog.confirm').waitFor();
  await shot(page, 'accounts-delete-confirm');
  await page.locator('dialog.confirm').getByRole('button', { name: '탈퇴하기' }).click();
  await until(page, 'home after deletion', () => location.hash === '#/' || location.hash === '');
  assert.equal(sql(`SELECT count(*) FROM users WHERE email = '${NEW_EMAIL}'`), '0');
  assertClean(page);
});
