// certificates.spec.mjs - certificates in the browser: the public
// verification page (the QR code's target) for a valid, a revoked and an
// unknown serial, its form, and the learner's own certificates; each page
// accessible and clean, in Korean and in English.
import assert from 'node:assert/strict';

import { assertAccessible, assertClean, launch, newPage, shot, signIn, sql, sqlOne, test, until } from './lib.mjs';

const LEARNER = 'learner@example.com';
const ids = {};

test('set-up: a finished GIST section the learner completed, and a revoked completion', async () => {
  ids.learner = sqlOne(`SELECT id FROM users WHERE email = '${LEARNER}'`);
  ids.other = sqlOne(`INSERT INTO users (email, password_hash, display_name, ladder_stage)
    VALUES ('cert-browser@example.com', 'x', '박하늘', 'job_seeker') RETURNING id`);
  ids.section = sqlOne(`INSERT INTO sections (course_id, term, starts_on, ends_on, capacity,
      enrollment_opens_at, enrollment_closes_at, status)
    SELECT c.id, '2026-1', '2026-03-02', '2026-06-30', 20, '2026-01-01', '2026-03-01', 'closed'
    FROM courses c JOIN institutions i ON i.id = c.institution_id
    WHERE i.code = 'gist' AND c.code = 'AIA-205' RETURNING id`);
  sql(`INSERT INTO enrollments (user_id, section_id, status) VALUES
    (${ids.learner}, ${ids.section}, 'enrolled'), (${ids.other}, ${ids.section}, 'enrolled')`);
  sql(`UPDATE enrollments SET status = 'completed' WHERE section_id = ${ids.section}`);
  sql(`BEGIN; SELECT set_config('lms.reason', 'wrong learner', true);
    UPDATE enrollments SET status = 'incomplete' WHERE user_id = ${ids.other} AND section_id = ${ids.section};
    COMMIT`);
  ids.valid = sqlOne(`SELECT serial FROM certificates WHERE user_id = ${ids.learner}`);
  ids.revoked = sqlOne(`SELECT serial FROM certificates WHERE user_id = ${ids.other}`);
});

let page;

test('a visitor opens the verification page of a valid certificate', async () => {
  const { context } = await launch();
  page = await newPage(context);
  await page.goto(`/#/verify/${ids.valid}`);
  await page.getByText('유효한 수료증입니다').waitFor();
  assert.ok(await page.getByText('김학습').count(), 'the name is shown');
  await shot(page, 'verify-valid-ko');
  await assertAccessible(page, 'verify, valid');
  assertClean(page);
});

test('a revoked serial is told as revoked, an unknown one as unknown', async () => {
  await page.goto(`/#/verify/${ids.revoked}`);
  await page.getByText('취소된 수료증입니다').waitFor();
  await shot(page, 'verify-revoked-ko');
  await assertAccessible(page, 'verify, revoked');
  await page.goto('/#/verify/GJAI-2026-0000-0000-0000');
  await page.getByText('이 번호의 수료증은 없습니다').waitFor();
  await shot(page, 'verify-unknown-ko');
  // the 404 of the lookup is the answer, not a fault of the page
  assertClean(page, { allow: [/404/] });
});

test('the form takes a serial typed in lower case', async () => {
  await page.goto('/#/verify');
  await page.getByLabel('수료증 번호').fill(ids.valid.toLowerCase());
  await page.getByRole('button', { name: '확인' }).click();
  await page.getByText('유효한 수료증입니다').waitFor();
  await until(page, 'the serial in the address', () => location.hash.startsWith('#/verify/'));
});

test('in English too', async () => {
  await page.locator('#lang').click();
  await page.goto(`/#/verify/${ids.valid}`);
  await page.getByText('This certificate is valid').waitFor();
  await shot(page, 'verify-valid-en');
  await assertAccessible(page, 'verify, English');
  await page.locator('#lang').click();
});

test('the learner finds the certificate beside my courses', async () => {
  await signIn(page, LEARNER);
  await page.goto('/#/my');
  await page.getByRole('link', { name: '내 수료증' }).click();
  await page.getByText(ids.valid).waitFor();
  const pdf = page.getByRole('link', { name: 'PDF 내려받기' });
  assert.equal(await pdf.getAttribute('href'), `/api/v1/certificates/${ids.valid}.pdf`);
  await shot(page, 'my-certificates-ko');
  await assertAccessible(page, 'my certificates');
  assertClean(page);
});
