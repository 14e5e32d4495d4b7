// activities.spec.mjs - the learning activities in the browser, on the demo
// data: a learner takes the GIST course's quiz (a timer from the server's
// deadline, answers restored after a reload, no key in any answer before
// submission, keyboard and screen-reader usable), hands in a PDF with a
// progress bar, and the instructor grades it in the queue.
import assert from 'node:assert/strict';

import { assertAccessible, assertClean, launch, newPage, shot, signIn, sql, test, until } from './lib.mjs';

// The demo module's lessons of the GIST course (lms seed --demo; the
// learners' sample work of --activities is not loaded here).
const lesson = (kind) => Number(sql(`SELECT l.id FROM lessons l JOIN course_modules m ON m.id = l.module_id
  JOIN courses c ON c.id = m.course_id JOIN institutions i ON i.id = c.institution_id
  WHERE i.code = 'gist' AND m.position = 100 AND l.kind = '${kind}'`));

let page;
const seen = [];

test('set-up: a demo learner enrolled in the GIST course with activities, taught by the demo instructor', async () => {
  const section = Number(sql(`SELECT min(s.id) FROM sections s JOIN course_modules m ON m.course_id = s.course_id
    JOIN courses c ON c.id = m.course_id JOIN institutions i ON i.id = c.institution_id
    WHERE i.code = 'gist' AND m.position = 100`));
  sql(`INSERT INTO section_instructors (section_id, user_id) SELECT ${section}, id FROM users
    WHERE email = 'instructor@example.com' ON CONFLICT DO NOTHING`);
  sql(`INSERT INTO enrollments (user_id, section_id, status) SELECT id, ${section}, 'enrolled' FROM users
    WHERE email = 'lee.seoyeon@example.com'`);
});

test('a learner takes the quiz: a timer, answers kept across a reload, the key only after submission', async () => {
  const { context } = await launch();
  page = await newPage(context);
  page.on('response', async (r) => {
    if (new URL(r.url()).pathname.startsWith('/api/v1/')) seen.push(await r.text().catch(() => ''));
  });
  await signIn(page, 'lee.seoyeon@example.com');
  const quiz = lesson('quiz');
  await page.goto(`/#/lessons/${quiz}`);
  await page.getByRole('link', { name: '퀴즈 풀기' }).click();
  await page.getByRole('button', { name: '퀴즈 시작' }).click();
  await page.getByRole('timer').filter({ hasText: '남은 시간' }).waitFor();
  // Every question is a group named by its legend; the choices are labelled.
  assert.equal(await page.getByRole('group').count(), 4);
  await page.getByRole('radio', { name: '분류' }).check();
  await page.getByRole('checkbox', { name: 'Adam' }).check();
  await page.getByRole('checkbox', { name: 'SGD' }).check();
  await page.getByLabel('답', { exact: true }).fill('  경사   하강법 ');
  await page.getByLabel('숫자로 답하기').fill('85');
  await assertAccessible(page, 'quiz attempt');
  await shot(page, 'quiz-attempt');
  await page.reload();
  await page.getByRole('button', { name: '이어서 풀기' }).click();
  await page.getByText('저장된 답안을 복원했습니다.').waitFor();
  assert.equal(await page.getByLabel('숫자로 답하기').inputValue(), '85');
  assert.ok(await page.getByRole('radio', { name: '분류' }).isChecked());
  for (const body of seen) {
    assert.ok(!body.includes('Gradient descent') && !body.includes('"correct"'), `a key before submission: ${body}`);
  }
  await page.getByRole('button', { name: '제출' }).click();
  await page.getByRole('dialog').getByRole('button', { name: '제출' }).click();
  await page.getByText('점수 8 / 8').waitFor();
  await page.getByText('통과', { exact: true }).waitFor();
  await shot(page, 'quiz-result');
  assert.equal(await page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('lms.quiz.')).length), 0);
  assertClean(page);
});

test('the learner hands in a PDF with a progress bar', async () => {
  const hw = lesson('assignment');
  await page.goto(`/#/assignments/${hw}`);
  await page.getByLabel(/파일 \(PDF/).setInputFiles({
    name: '탐색 보고서.pdf', mimeType: 'application/pdf', buffer: Buffer.from('%PDF-1.4\n% report\n%%EOF\n'),
  });
  await page.getByRole('button', { name: '파일 제출' }).click();
  await page.getByRole('link', { name: '탐색 보고서.pdf' }).waitFor();
  await page.getByText('1번째 제출').waitFor();
  await shot(page, 'assignment-submitted');
  assertClean(page);
});

test('the instructor grades it in the queue', async () => {
  const { context } = await launch();
  const teacher = await newPage(context);
  await signIn(teacher, 'instructor@example.com');
  const hw = lesson('assignment');
  await teacher.goto(`/#/teach/assignments/${hw}`);
  const card = teacher.locator('li.card').filter({ hasText: '이서연' });
  await card.getByRole('link', { name: /탐색 보고서\.pdf/ }).waitFor();
  await card.getByLabel(/점수/).fill('90');
  await card.getByLabel('의견').fill('좋습니다.');
  await card.getByRole('button', { name: '채점' }).click();
  await teacher.getByText('저장했습니다.').waitFor();
  await until(teacher, 'the card shows the grade', () => document.body.textContent.includes('점수 90 / 100'));
  await shot(teacher, 'grading-queue');
  assertClean(teacher);
  assert.equal(sql(`SELECT status FROM assignment_submissions s JOIN users u ON u.id = s.user_id
    WHERE u.email = 'lee.seoyeon@example.com' AND s.lesson_id = ${hw}`), 'graded');
});
