// mail.spec.mjs - the pages that work by mail: forgotten password, reset
// from a link, the verification banner and link, notification settings
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';

import {
  assertClean, launch, newPage, shot, signIn, sql, sqlOne, test, until,
} from './lib.mjs';

const EMAIL = 'mail-page@example.com';
const PASSWORD = 'first-pass-2026';
const NEW_PASSWORD = 'second-pass-2026';

// A link as the mail would carry it: the token here, its digest in the
// database (the message itself went to var/mail/ of the server).
function link(purpose, email) {
  const token = `tok${Date.now()}${Math.random().toString(36).slice(2)}`.padEnd(43, 'x').slice(0, 43);
  const digest = createHash('sha256').update(token).digest('hex');
  sqlOne(`INSERT INTO mail_tokens (purpose, user_id, email, digest, expires_at)
    SELECT '${purpose}', id, email, '${digest}', now() + interval '30 minutes' FROM users
    WHERE email = '${email}' RETURNING id`);
  return token;
}

let page;

test('a visitor asks for a reset link from the sign-in page', async () => {
  const { context } = await launch();
  page = await newPage(context);
  const r = await context.request.post('/api/v1/auth/register', {
    data: { email: EMAIL, password: PASSWORD, display_name: '메일 학습자', ladder_stage: 'worker',
      consent_version: '2026-12-01', consent_required: true },
  });
  assert.equal(r.status(), 201, await r.text());
  await page.goto('/#/login');
  await page.getByRole('link', { name: '비밀번호를 잊으셨나요?' }).click();
  await page.getByRole('heading', { level: 1, name: '비밀번호 찾기' }).waitFor();
  await page.getByLabel('이메일').fill(EMAIL);
  await page.getByRole('button', { name: '재설정 링크 보내기' }).click();
  await page.getByText('재설정 링크를 보냈습니다').waitFor();
  await shot(page, 'forgot-password');
  assert.equal(sql(`SELECT count(*) FROM outbox WHERE to_address = '${EMAIL}' AND kind = 'auth.password_reset'`), '1');
  assertClean(page);
});

test('the reset link sets a new password under the sign-up rules', async () => {
  await page.goto(`/#/reset-password?token=${link('password_reset', EMAIL)}`);
  await page.getByRole('heading', { level: 1, name: '새 비밀번호 정하기' }).waitFor();
  await page.getByLabel('새 비밀번호').fill('short');
  await page.getByRole('button', { name: '비밀번호 바꾸기' }).click();
  await page.getByText('10자 이상이어야 합니다.').waitFor();
  await shot(page, 'reset-password-error');
  await page.getByLabel('새 비밀번호').fill(NEW_PASSWORD);
  await page.getByRole('button', { name: '비밀번호 바꾸기' }).click();
  await page.getByText('비밀번호를 바꾸었습니다').waitFor();
  await shot(page, 'reset-password-done');
  assertClean(page, { allow: [/status of 400/] });
});

test('an unverified learner sees the banner everywhere, and the link confirms', async () => {
  await signIn(page, EMAIL, NEW_PASSWORD);
  // The reset proved the address: make it unverified again for this case.
  sql(`UPDATE users SET email_verified_at = NULL WHERE email = '${EMAIL}'`);
  await page.goto('/#/');
  await page.reload();
  await page.getByText('이메일 주소가 아직 확인되지 않았습니다.').waitFor();
  await shot(page, 'verify-banner');
  await page.getByRole('button', { name: '확인 메일 다시 보내기' }).click();
  await page.getByText('확인 메일을 보냈습니다').waitFor();
  await page.goto(`/#/verify-email?token=${link('email_verify', EMAIL)}`);
  await page.getByText('이메일 주소가 확인되었습니다.').waitFor();
  await until(page, 'the banner gone', () => !document.querySelector('.verify-banner'));
  await shot(page, 'verify-email-done');
  assert.notEqual(sql(`SELECT email_verified_at FROM users WHERE email = '${EMAIL}'`), '');
  // A used link says so.
  await page.goto(`/#/verify-email?token=${'x'.repeat(43)}`);
  await page.getByText('링크가 유효하지 않습니다').waitFor();
  assertClean(page, { allow: [/status of 400/] });
});

test('notification settings: optional kinds can be turned off, the others not', async () => {
  await page.goto('/#/my');
  await page.getByRole('link', { name: '알림 설정' }).click();
  await page.getByRole('heading', { level: 1, name: '알림 설정' }).waitFor();
  assert.ok(await page.getByLabel('대기에서 수강 확정').isDisabled());
  assert.ok(await page.getByLabel('대기에서 수강 확정').isChecked());
  await page.getByLabel('수업 시간 변경').uncheck();
  await page.getByRole('button', { name: '저장' }).click();
  await page.getByText('알림 설정을 저장했습니다.').waitFor();
  await shot(page, 'notification-settings');
  assert.equal(sql(`SELECT s.enabled FROM notification_settings s JOIN users u ON u.id = s.user_id
    WHERE u.email = '${EMAIL}' AND s.kind = 'session.moved'`), 'f');
  await page.locator('#lang').click();
  await page.getByRole('heading', { level: 1, name: 'Notification settings' }).waitFor();
  await shot(page, 'notification-settings-en');
  assertClean(page);
});
