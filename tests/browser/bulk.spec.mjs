// bulk.spec.mjs - an institution admin (GIST) enrols learners into a
// section: one by e-mail (refused, then with an override reason), a CSV
// file previewed with its row errors, a corrected file previewed and
// applied; the page in English and at phone width.
import assert from 'node:assert/strict';

import { DEMO_PASSWORD, assertClean, launch, newPage, shot, signIn, sqlOne, test } from './lib.mjs';

const ADMIN = 'gist-admin@example.com';
const gist = sqlOne("SELECT id FROM institutions WHERE code = 'gist'");
// An open GIST section of a programme without approval that admits
// workers (the demo learner) and not children, with room.
const section = sqlOne(`
  SELECT s.id FROM sections s JOIN courses c ON c.id = s.course_id
    JOIN programs p ON p.id = c.program_id
   WHERE c.institution_id = ${gist} AND NOT p.approval_required AND NOT p.affiliation_required
     AND c.published AND s.status = 'open' AND 'worker' = ANY (p.allowed_stages)
     AND 'job_seeker' = ANY (p.allowed_stages)
     AND NOT 'elementary' = ANY (p.allowed_stages)
     AND now() >= s.enrollment_opens_at AND now() < s.enrollment_closes_at
     AND s.capacity - s.enrolled_count >= 3
     AND NOT EXISTS (SELECT 1 FROM course_prerequisites cp WHERE cp.course_id = c.id)
   ORDER BY s.id LIMIT 1`);
sqlOne(`INSERT INTO users (email, password_hash, display_name, ladder_stage)
  VALUES ('bulk-kid@example.com', '!', '어린이', 'elementary'),
         ('bulk-worker@example.com', '!', '김재직', 'worker') RETURNING 1`);

const BAD = '\uFEFFemail,name,ladder_stage\r\n'
  + 'bulk-worker@example.com,김재직,worker\r\n'
  + 'bulk-kid@example.com,어린이,elementary\r\n'
  + 'new-person@example.com,"박, 새내기",job_seeker\r\n'
  + 'not-an-address,잘못,worker\r\n'
  + 'bulk-worker@example.com,두번,worker\r\n';
const GOOD = '\uFEFFemail,name,ladder_stage\r\n'
  + 'bulk-worker@example.com,김재직,worker\r\n'
  + 'bulk-kid@example.com,어린이,elementary\r\n'
  + 'new-person@example.com,"박, 새내기",job_seeker\r\n';

let page;

const csv = (name, text) => ({ name, mimeType: 'text/csv', buffer: Buffer.from(text, 'utf8') });

test('an admin enrols one learner, overriding a rule only with a reason', async () => {
  assert.ok(section, 'the demo data has an open GIST section for workers');
  const { context } = await launch();
  page = await newPage(context);
  await signIn(page, ADMIN);
  await page.goto(`/#/teach/sections/${section}`);
  await page.getByRole('link', { name: '수강생 직접 등록 · CSV 일괄 등록' }).click();
  await page.getByRole('heading', { level: 1, name: '수강생 등록' }).waitFor();
  await page.getByLabel('수강생 이메일').fill('bulk-kid@example.com');
  await page.getByRole('button', { name: '등록', exact: true }).click();
  await page.locator('.message.error').filter({ hasText: '예외로 등록하려면' }).waitFor();
  await page.getByLabel('자격 요건 예외 사유 (선택)').fill('보호자 동반 참관 허가');
  await page.getByRole('button', { name: '등록', exact: true }).click();
  await page.locator('.message.ok').filter({ hasText: 'bulk-kid@example.com 님을 등록했습니다.' }).waitFor();
  assert.equal(sqlOne(`SELECT count(*) FROM audit_log WHERE action = 'enrollment.create'
    AND detail->>'override_reason' = '보호자 동반 참관 허가'`), '1');
  await shot(page, 'bulk-one');
  assertClean(page);
});

test('a file is previewed with its row errors and cannot be applied', async () => {
  await page.getByLabel('CSV 파일', { exact: true }).setInputFiles(csv('cohort.csv', BAD));
  await page.getByRole('button', { name: '미리 보기' }).click();
  await page.locator('table.bulk-rows').waitFor();
  await page.locator('.message.warn').filter({ hasText: '오류가 있는 행이 2개' }).waitFor();
  const row = page.locator('table.bulk-rows tbody tr', { hasText: 'not-an-address' });
  await row.getByText('오류').waitFor();
  await page.locator('table.bulk-rows tbody tr', { hasText: '2번 줄과 같은 주소입니다' }).waitFor();
  assert.ok(await page.getByRole('button', { name: '적용' }).isDisabled());
  await shot(page, 'bulk-preview-errors');
  assertClean(page);
});

test('a corrected file is previewed, then applied once', async () => {
  await page.getByLabel('CSV 파일', { exact: true }).setInputFiles(csv('cohort.csv', GOOD));
  await page.getByRole('button', { name: '미리 보기' }).click();
  await page.locator('.message.ok').filter({ hasText: '미리 보기입니다' }).waitFor();
  await page.locator('table.bulk-rows tbody tr', { hasText: 'new-person@example.com' })
    .getByText('초대', { exact: true }).waitFor();
  await page.locator('table.bulk-rows tbody tr', { hasText: 'bulk-kid@example.com' })
    .getByText('변경 없음').waitFor();
  await shot(page, 'bulk-preview');
  await page.getByRole('button', { name: '적용' }).click();
  await page.locator('dialog').getByRole('button', { name: '적용' }).click();
  await page.locator('.message.ok').filter({ hasText: '적용했습니다: 등록 1명, 대기 0명, 초대 1명.' }).waitFor();
  assert.equal(sqlOne(`SELECT count(*) FROM outbox WHERE kind = 'invitation.enroll'
    AND to_address = 'new-person@example.com'`), '1');
  // Applied once: a new preview comes before another apply.
  assert.ok(await page.getByRole('button', { name: '적용' }).isDisabled());
  await shot(page, 'bulk-applied');
  assertClean(page);
});

test('the invited person signs up and enrols from their invitations', async () => {
  const { context } = await launch();
  const r = await context.request.post('/api/v1/auth/register', {
    data: { email: 'new-person@example.com', password: DEMO_PASSWORD, display_name: '박새내기', ladder_stage: 'job_seeker',
      consent_version: '2026-12-01', consent_required: true },
  });
  assert.equal(r.status(), 201, await r.text());
  // The address confirmed, as the verification mail's link does.
  sqlOne(`UPDATE users SET email_verified_at = now() WHERE email = 'new-person@example.com' RETURNING id`);
  const invited = await newPage(context);
  await signIn(invited, 'new-person@example.com');
  await invited.goto('/#/my/invitations');
  await invited.getByRole('heading', { level: 1, name: '받은 수강 초대' }).waitFor();
  await shot(invited, 'bulk-invitations');
  await invited.getByRole('button', { name: /수강 신청$/ }).click();
  await invited.locator('.message.ok').filter({ hasText: '등록되었습니다' }).waitFor();
  assert.equal(sqlOne(`SELECT e.status FROM enrollments e JOIN users u ON u.id = e.user_id
    WHERE u.email = 'new-person@example.com' AND e.section_id = ${section}`), 'enrolled');
  assertClean(invited);
  await context.close();
});

test('in English, and at phone width, the page reads and fits', async () => {
  await page.locator('#lang').click();
  await page.getByRole('heading', { level: 1, name: 'Enrol learners' }).waitFor();
  await page.getByRole('heading', { name: 'Enrol from a CSV file' }).waitFor();
  await shot(page, 'bulk-english');
  await page.locator('#lang').click();
  const { context } = await launch({ phone: true });
  const phone = await newPage(context);
  await signIn(phone, ADMIN);
  await phone.goto(`/#/admin/sections/${section}/enrol`);
  await phone.getByRole('heading', { level: 1, name: '수강생 등록' }).waitFor();
  await phone.getByLabel('CSV 파일', { exact: true }).setInputFiles(csv('cohort.csv', BAD));
  await phone.getByRole('button', { name: '미리 보기' }).click();
  await phone.locator('table.bulk-rows').waitFor();
  const overflow = await phone.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `the page is ${overflow}px wider than the screen`);
  await shot(phone, 'bulk-phone');
  assertClean(phone);
  await context.close();
});
