// authoring.spec.mjs - authors write activities through the pages: the
// demo instructor adds a quiz lesson and an assignment lesson to the GIST
// course, writes the quiz's four kinds of question (adding, reordering,
// deleting with a dialog that names the action) and sets the assignment's
// due date; a learner takes the quiz and hands the assignment in; the
// instructor then fixes a typo of the attempted quiz, whose key is locked;
// an admin sets the course's completion rules on a phone.
import assert from 'node:assert/strict';
import { join } from 'node:path';

import { OUTPUT_DIR, assertAccessible, assertClean, launch, newPage, signIn, sql, test } from './lib.mjs';

// What the screen shows with locator at its top (name.png), and locator
// whole (name-whole.png): the course page is long, a full-page picture of
// a phone at twice its pixels is slow on a busy machine.
async function look(page, locator, name) {
  await locator.evaluate((el) => el.scrollIntoView({ block: 'start' }));
  await page.screenshot({ path: join(OUTPUT_DIR, `${name}.png`), animations: 'disabled', timeout: 30_000 });
  await locator.screenshot({ path: join(OUTPUT_DIR, `${name}-whole.png`), animations: 'disabled', timeout: 30_000 });
}

// The GIST demo course with the activities module (lms seed --demo).
const course = () => Number(sql(`SELECT m.course_id FROM course_modules m JOIN courses c ON c.id = m.course_id
  JOIN institutions i ON i.id = c.institution_id WHERE i.code = 'gist' AND m.position = 100`));
const lessonNamed = (title) => Number(sql(`SELECT l.id FROM lessons l JOIN course_modules m ON m.id = l.module_id
  WHERE m.course_id = ${course()} AND l.title_ko = '${title}'`));

const DESKTOP = { width: 1366, height: 768 };

// A new browser context loads every module afresh (and the server
// compresses each the first time it is asked for): on a busy machine that
// first load may take longer than a page of a warm browser should.
const firstLoad = (page) => page.goto('/', { timeout: 60_000 });
let teacher;
let quizId;
let hwId;

test('set-up: the demo instructor teaches the course, a learner is enrolled in it', async () => {
  const section = Number(sql(`SELECT min(id) FROM sections WHERE course_id = ${course()}`));
  sql(`INSERT INTO section_instructors (section_id, user_id) SELECT ${section}, id FROM users
    WHERE email = 'instructor@example.com' ON CONFLICT DO NOTHING`);
  sql(`INSERT INTO enrollments (user_id, section_id, status) SELECT id, ${section}, 'enrolled' FROM users
    WHERE email = 'kim.minjun@example.com'`);
});

test('the instructor adds a quiz lesson and an assignment lesson on the course page', async () => {
  const { context } = await launch();
  teacher = await newPage(context);
  await teacher.setViewportSize(DESKTOP);
  await firstLoad(teacher);
  await signIn(teacher, 'instructor@example.com');
  await teacher.goto(`/#/teach/courses/${course()}`);
  const add = teacher.getByRole('form', { name: '차시 추가' });
  const addLesson = async (ko, en, kind) => {
    await add.getByLabel('모듈').selectOption({ label: '평가와 실습' });
    await add.getByLabel('제목 (한국어)').fill(ko);
    await add.getByLabel('제목 (영어)').fill(en);
    await add.getByLabel('형식').selectOption({ label: kind });
    await add.getByLabel('본문').fill(`${ko} 안내입니다.`);
    await add.getByRole('button', { name: '차시 추가' }).click();
    await teacher.getByText(`"${ko}" 차시를 추가했습니다.`).waitFor();
  };
  await addLesson('직접 만든 퀴즈', 'Authored quiz', '퀴즈');
  await addLesson('직접 만든 과제', 'Authored assignment', '과제');
  quizId = lessonNamed('직접 만든 퀴즈');
  hwId = lessonNamed('직접 만든 과제');
  assert.ok(quizId > 0 && hwId > 0);
  // The syllabus links each activity to its settings.
  const settings = teacher.locator(`ol.syllabus a[href$="?lesson=${quizId}"]`);
  assert.equal(await settings.textContent(), '활동 설정');
  assert.equal(await settings.getAttribute('aria-describedby'), `syllabus-lesson-${quizId}`);
  assertClean(teacher);
});

test('the instructor writes the quiz: four kinds, reordered, one deleted after a named confirmation', async () => {
  await teacher.goto(`/#/teach/courses/${course()}?lesson=${quizId}`);
  const form = teacher.getByRole('form', { name: '퀴즈 편집' });
  await form.waitFor();
  await form.getByText('아직 문항이 없습니다.', { exact: false }).waitFor();
  await form.getByLabel('합격 점수 (%)').fill('60');
  await form.getByLabel('제출 후 학습자에게 보여 줄 것').selectOption('answers');
  await form.getByLabel('응시 횟수 제한').fill('3');
  await form.getByLabel('시간 제한 (분)').fill('10');
  const kind = form.getByLabel('추가할 문항 유형');
  const addQ = form.getByRole('button', { name: '문항 추가' });
  const q = (n) => form.getByRole('group', { name: new RegExp(`^문항 ${n} · `) });

  // 1: single choice, chosen with the keyboard.
  await kind.selectOption('single');
  await addQ.click();
  await teacher.keyboard.type('지도 학습은 무엇인가요?'); // the new question's text has the focus
  await q(1).getByLabel('보기 1', { exact: true }).fill('군집화');
  await q(1).getByLabel('보기 2', { exact: true }).fill('분류');
  await q(1).getByLabel('정답 표시: 보기 2').check();
  await q(1).getByLabel('배점').fill('2');
  await q(1).getByLabel(/^해설/).fill('분류는 정답이 있는 데이터로 배웁니다.');
  // 2: multiple choice with a third choice.
  await kind.selectOption('multiple');
  await addQ.click();
  await q(2).getByLabel('문제').fill('최적화 알고리즘을 모두 고르세요.');
  await q(2).getByRole('button', { name: '보기 추가' }).click();
  await q(2).getByLabel('보기 1', { exact: true }).fill('Adam');
  await q(2).getByLabel('보기 2', { exact: true }).fill('ReLU');
  await q(2).getByLabel('보기 3', { exact: true }).fill('SGD');
  await q(2).getByLabel('정답 표시: 보기 1').check();
  await q(2).getByLabel('정답 표시: 보기 3').check();
  // 3: a number, then 4: a short answer.
  await kind.selectOption('numeric');
  await addQ.click();
  await q(3).getByLabel('문제').fill('e를 소수 둘째 자리까지');
  await q(3).getByLabel('정답 (숫자)').fill('2.718');
  await q(3).getByLabel('허용 오차 (±)').fill('0.01');
  await kind.selectOption('short');
  await addQ.click();
  await q(4).getByLabel('문제').fill('손실을 줄이는 방법은?');
  await q(4).getByLabel(/^인정할 답/).fill('경사 하강법\nGradient descent');
  // The short answer moves above the number.
  await q(4).getByRole('button', { name: '문항 4 위로' }).click();
  assert.equal(await q(3).getByLabel('문제').inputValue(), '손실을 줄이는 방법은?');
  assert.equal(await teacher.evaluate(() => document.activeElement?.getAttribute('aria-label')), '문항 3 위로');
  // A fifth question, then deleted: the dialog names the action, and
  // going back keeps it.
  await kind.selectOption('single');
  await addQ.click();
  await q(5).getByLabel('문제').fill('지울 문항');
  await q(5).getByRole('button', { name: '문항 5 삭제' }).click();
  const dialog = teacher.getByRole('dialog');
  await dialog.getByRole('button', { name: '돌아가기' }).click();
  await q(5).waitFor();
  await q(5).getByRole('button', { name: '문항 5 삭제' }).click();
  await dialog.getByRole('button', { name: '문항 5 삭제하기' }).click();
  assert.equal(await form.getByRole('group', { name: /^문항 \d · / }).count(), 4);
  await assertAccessible(teacher, 'quiz editor');
  await form.getByRole('button', { name: '퀴즈 저장' }).click();
  await teacher.getByText('퀴즈를 저장했습니다 (문항 4개).').waitFor();
  assert.equal(sql(`SELECT string_agg(kind, ',' ORDER BY position) FROM quiz_questions WHERE lesson_id = ${quizId}`),
    'single,multiple,short,numeric');
  assert.equal(sql(`SELECT pass_pct || '/' || attempts_max || '/' || time_limit_s || '/' || feedback
    FROM quizzes WHERE lesson_id = ${quizId}`), '60/3/600/answers');
  await look(teacher, form, 'quiz-editor-desktop');
  assertClean(teacher);
});

test('a question the form cannot save is named before anything is sent', async () => {
  const form = teacher.getByRole('form', { name: '퀴즈 편집' });
  const kind = form.getByLabel('추가할 문항 유형');
  await kind.selectOption('single');
  await form.getByRole('button', { name: '문항 추가' }).click();
  await teacher.keyboard.type('정답이 없는 문항');
  const before = Number(sql(`SELECT count(*) FROM audit_log WHERE action = 'quiz.update' AND target_id = ${quizId}`));
  await form.getByRole('button', { name: '퀴즈 저장' }).click();
  await teacher.getByText('표시된 문항을 먼저 고쳐 주세요.').waitFor();
  await form.getByRole('group', { name: /^문항 5 · / }).getByText('보기를 두 개 이상 쓰세요.').waitFor();
  assert.equal(Number(sql(`SELECT count(*) FROM audit_log WHERE action = 'quiz.update' AND target_id = ${quizId}`)), before);
  await form.getByRole('button', { name: '문항 5 삭제' }).click();
  await teacher.getByRole('dialog').getByRole('button', { name: '문항 5 삭제하기' }).click();
});

test('the instructor sets the assignment: due date from a date-time picker, late penalty, limits', async () => {
  await teacher.goto(`/#/teach/courses/${course()}?lesson=${hwId}`);
  const form = teacher.getByRole('form', { name: '과제 설정' });
  await form.getByText('아직 과제 설정이 없습니다.', { exact: false }).waitFor();
  // The penalty appears only with the penalty policy.
  assert.equal(await form.getByLabel('감점 (%)').isVisible(), false);
  await form.getByLabel('마감 일시').fill('2030-05-31T18:00');
  await form.getByLabel('마감 후 제출').selectOption('penalty');
  await form.getByLabel('감점 (%)').fill('10');
  await form.getByLabel('제출 방식').selectOption('both');
  await form.getByLabel('만점').fill('50');
  await form.getByLabel('파일 크기 한도 (MB)').fill('5');
  await assertAccessible(teacher, 'assignment settings');
  await form.getByRole('button', { name: '과제 설정 저장' }).click();
  await teacher.getByText(/과제 설정을 저장했습니다\. 마감: 2030/).waitFor();
  assert.equal(sql(`SELECT to_char(due_at AT TIME ZONE 'Asia/Seoul', 'YYYY-MM-DD HH24:MI') || '/' || late_policy
    || '/' || late_penalty_pct || '/' || max_score || '/' || max_file_mb FROM assignments WHERE lesson_id = ${hwId}`),
  '2030-05-31 18:00/penalty/10/50/5');
  // A late window before the due date is refused, next to its field.
  await form.getByLabel(/^늦은 제출 마감/).fill('2030-05-01T09:00');
  await form.getByRole('button', { name: '과제 설정 저장' }).click();
  await form.locator('.message.error').waitFor();
  await form.getByLabel(/^늦은 제출 마감/).fill('');
  await form.getByRole('button', { name: '과제 설정 저장' }).click();
  await teacher.getByText(/과제 설정을 저장했습니다/).waitFor();
  await look(teacher, form, 'assignment-settings-desktop');
  // A video lesson: its address and length.
  const video = Number(sql(`SELECT l.id FROM lessons l JOIN course_modules m ON m.id = l.module_id
    WHERE m.course_id = ${course()} AND l.kind = 'video' ORDER BY l.id LIMIT 1`));
  await teacher.goto(`/#/teach/courses/${course()}?lesson=${video}`);
  const vform = teacher.getByRole('form', { name: '동영상 설정' });
  await vform.getByLabel('길이 (분)').fill('12');
  await vform.getByRole('button', { name: '동영상 설정 저장' }).click();
  await teacher.getByText('동영상 설정을 저장했습니다.').waitFor();
  assert.equal(sql(`SELECT duration_min FROM lessons WHERE id = ${video}`), '12');
  await vform.getByLabel('동영상 주소 (https)').fill('');
  await vform.getByRole('button', { name: '동영상 설정 저장' }).click();
  await vform.locator('.field.invalid[data-field="url"]').waitFor();
  // The completion rules are the admins': shown, not changeable.
  await teacher.getByText('수료 요건은 기관 관리자만 바꿀 수 있습니다.').waitFor();
  assertClean(teacher, { allow: [/status of 4\d\d/] });
});

test('a learner takes the authored quiz and hands in the assignment', async () => {
  const { context } = await launch();
  const learner = await newPage(context);
  await firstLoad(learner);
  await signIn(learner, 'kim.minjun@example.com');
  await learner.goto(`/#/quizzes/${quizId}`);
  await learner.getByRole('button', { name: '퀴즈 시작' }).click();
  await learner.getByRole('timer').filter({ hasText: '남은 시간' }).waitFor();
  await learner.getByRole('radio', { name: '분류' }).check();
  await learner.getByRole('checkbox', { name: 'Adam' }).check();
  await learner.getByRole('checkbox', { name: 'SGD' }).check();
  await learner.getByLabel('답', { exact: true }).fill('gradient  DESCENT');
  await learner.getByLabel('숫자로 답하기').fill('2.72');
  await learner.getByRole('button', { name: '제출' }).click();
  await learner.getByRole('dialog').getByRole('button', { name: '제출' }).click();
  await learner.getByText('점수 5 / 5').waitFor();
  await learner.getByText('분류는 정답이 있는 데이터로 배웁니다.').waitFor();
  await learner.goto(`/#/assignments/${hwId}`);
  await learner.getByLabel('제출 내용').fill('보고서 본문입니다.');
  await learner.getByRole('button', { name: '글 제출' }).click();
  await learner.getByText('1번째 제출').waitFor();
  assertClean(learner);
  assert.equal(sql(`SELECT status FROM assignment_submissions WHERE lesson_id = ${hwId}`), 'submitted');
});

test('after the attempt the instructor fixes a typo; the key and the pass mark stay locked', async () => {
  await teacher.goto(`/#/teach/courses/${course()}?lesson=${quizId}`);
  const form = teacher.getByRole('form', { name: '퀴즈 편집' });
  await form.getByText('학습자가 이미 응시한 퀴즈입니다.', { exact: false }).waitFor();
  const q1 = form.getByRole('group', { name: /^문항 1 · / });
  assert.ok(await q1.getByLabel('정답 표시: 보기 2').isDisabled());
  assert.ok(await q1.getByRole('button', { name: '문항 1 삭제' }).isDisabled());
  assert.equal(await form.getByLabel('합격 점수 (%)').getAttribute('readonly'), '');
  await q1.getByLabel('문제').fill('지도 학습은 어느 것인가요?');
  await form.getByRole('button', { name: '퀴즈 저장' }).click();
  await teacher.getByText('퀴즈를 저장했습니다 (문항 4개).').waitFor();
  assert.equal(sql(`SELECT count(*) FROM quiz_questions WHERE lesson_id = ${quizId}
    AND prompt = '지도 학습은 어느 것인가요?'`), '1');
  assert.equal(sql(`SELECT score FROM quiz_attempts WHERE lesson_id = ${quizId}`), '5.00');
  await look(teacher, form, 'quiz-editor-attempted-desktop');
  // The same editor in English.
  await teacher.getByRole('button', { name: 'English' }).click();
  const en = teacher.getByRole('form', { name: 'Edit quiz' });
  await en.getByRole('group', { name: /^Question 1 · Multiple choice/ }).waitFor();
  await en.getByText('Learners have attempted this quiz.', { exact: false }).waitFor();
  await look(teacher, en, 'quiz-editor-attempted-desktop-en');
  await teacher.getByRole('button', { name: '한국어' }).click();
  await teacher.getByRole('form', { name: '퀴즈 편집' }).waitFor();
  assertClean(teacher);
});

test('an admin sets the completion rules on a phone; the quiz editor fits it too', async () => {
  const { context } = await launch({ phone: true });
  const admin = await newPage(context);
  await firstLoad(admin);
  await signIn(admin, 'gist-admin@example.com');
  await admin.goto(`/#/teach/courses/${course()}`);
  const rules = admin.getByRole('region', { name: '수료 요건' });
  await rules.getByLabel('최소 성적 (%)').fill('50');
  await rules.getByLabel('필수 차시를 모두 완료해야 수료').check();
  await rules.getByLabel('직접 만든 과제').uncheck();
  await rules.getByLabel('동영상 완료 기준 (%)').fill('80');
  await assertAccessible(admin, 'completion rules');
  await rules.getByRole('button', { name: '수료 요건 저장' }).click();
  await admin.getByText('수료 요건을 저장했습니다.').waitFor();
  assert.equal(sql(`SELECT min_grade_pct || '/' || require_lessons || '/' || video_complete_pct
    FROM course_completion_rules WHERE course_id = ${course()}`), '50/true/80');
  assert.equal(sql(`SELECT required FROM lessons WHERE id = ${hwId}`), 'f');
  await look(admin, rules, 'completion-rules-phone');
  await admin.goto(`/#/teach/courses/${course()}?lesson=${quizId}`);
  const quiz = admin.getByRole('form', { name: '퀴즈 편집' });
  await quiz.getByRole('group', { name: /^문항 4 · / }).waitFor();
  assert.ok(await admin.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1),
    'the page scrolls sideways on a phone');
  await look(admin, quiz, 'quiz-editor-phone');
  await admin.goto(`/#/teach/courses/${course()}?lesson=${hwId}`);
  const hw = admin.getByRole('form', { name: '과제 설정' });
  await hw.waitFor();
  await look(admin, hw, 'assignment-settings-phone');
  assertClean(admin);
});
