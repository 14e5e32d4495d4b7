// reports.spec.mjs - the admin's reports page: the chart module with known
// numbers, the summary of GIST's enrolments drawn as charts, a filter, the
// CSV download through its link checked against the database, a bad date
// range refused beside its field; and an instructor's week as an admin sees it.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import {
  OUTPUT_DIR, assertClean, launch, newPage, shot, signIn, sql, test, until,
} from './lib.mjs';

// GIST's sections by course code (the seed's first section of each).
const section = (code) => `(SELECT s.id FROM sections s JOIN courses c ON c.id = s.course_id
  JOIN institutions i ON i.id = c.institution_id WHERE i.code = 'gist' AND c.code = '${code}' ORDER BY s.id LIMIT 1)`;

// Learners and their enrolments in three programmes, with known counts:
// AI Academy (AIA-205) 6, graduate school (AI-301) 4, online (ON-101) 2.
const ENROLMENTS = [
  ['AIA-205', 'enrolled', 'worker'], ['AIA-205', 'enrolled', 'worker'], ['AIA-205', 'enrolled', 'job_seeker'],
  ['AIA-205', 'waitlisted', 'job_seeker'], ['AIA-205', 'waitlisted', 'general'], ['AIA-205', 'completed', 'worker'],
  ['AI-301', 'enrolled', 'graduate'], ['AI-301', 'completed', 'graduate'], ['AI-301', 'completed', 'worker'],
  ['AI-301', 'incomplete', 'graduate'],
  ['ON-101', 'pending', 'general'], ['ON-101', 'cancelled', 'worker'],
];
// The same report's rows, counted by the database.
const gistRows = (where) => Number(sql(`SELECT count(*) FROM enrollments e JOIN sections s ON s.id = e.section_id
  JOIN courses c ON c.id = s.course_id JOIN programs p ON p.id = c.program_id
  JOIN institutions i ON i.id = c.institution_id WHERE i.code = 'gist' AND ${where}`));

let page;

test('set up enrolments in GIST sections and a session of the instructor', async () => {
  assert.equal(gistRows('true'), 0, 'the seed has enrolments at GIST already');
  const values = ENROLMENTS.map(([code, status, stage], i) => `('report-${i}@example.com', '리포트 학습자 ${i + 1}', '${stage}', ${section(code)}, '${status}')`);
  sql(`WITH people (email, name, stage, section_id, status) AS (VALUES ${values.join(', ')}),
    u AS (INSERT INTO users (email, password_hash, display_name, ladder_stage)
      SELECT email, 'not-a-hash', name, stage::ladder_stage FROM people RETURNING id, email)
    INSERT INTO enrollments (user_id, section_id, status)
      SELECT u.id, p.section_id, p.status FROM people p JOIN u USING (email)`);
  assert.equal(gistRows('true'), ENROLMENTS.length);
  sql(`INSERT INTO class_sessions (section_id, starts_at, ends_at, instructor_id, facility_id)
    SELECT ${section('AI-301')}, '2027-03-09 10:00+09', '2027-03-09 12:00+09', u.id, f.id
    FROM users u, facilities f WHERE u.email = 'instructor@example.com' AND f.name_en = 'GPU Lab'`);
});

test('the chart module draws bars, stacks and a ring from known numbers', async () => {
  const { context } = await launch();
  page = await newPage(context);
  await signIn(page, 'gist-admin@example.com');
  await page.goto('/#/admin/reports');
  await page.locator('figure.chart').first().waitFor();
  const got = await page.evaluate(async () => {
    const { barChart, stackedBarChart, ratioChart } = await import('/js/chart.js');
    const bars = barChart({ title: 'T', rows: [{ label: 'A', value: 10 }, { label: 'B', value: 5 }, { label: 'C', value: 0 }] });
    const stack = stackedBarChart({
      title: 'S', series: [{ key: 'x', label: 'X' }, { key: 'y', label: 'Y' }],
      rows: [{ label: 'P', values: { x: 3, y: 1 } }, { label: 'Q', values: { x: 2 } }],
    });
    const ring = ratioChart({ title: 'R', value: 0.25, label: 'rate' });
    const none = ratioChart({ title: 'N', value: null, emptyText: 'nothing yet' });
    const svg = bars.querySelector('svg');
    // A long name in a narrow chart is cut to fit once the chart is laid out.
    const long = 'AI-999 아주 긴 과목 이름: 인공지능 시대의 데이터 기반 의사 결정과 윤리적 책임 실무';
    const narrow = document.createElement('div');
    narrow.style.width = '200px';
    const cut = barChart({ title: 'L', rows: [{ label: long, value: 1 }, { label: 'short', value: 2 }] });
    narrow.append(cut);
    document.body.append(narrow);
    await new Promise((done) => { requestAnimationFrame(() => requestAnimationFrame(done)); });
    const labels = [...cut.querySelectorAll('text.bar-label')];
    const fitted = labels.map((l) => ({
      shown: l.querySelector('tspan').textContent, title: l.querySelector('title').textContent,
      fits: l.getComputedTextLength() <= cut.querySelector('svg').getBoundingClientRect().width,
    }));
    narrow.remove();
    return {
      long, fitted,
      tag: bars.tagName, caption: bars.querySelector('figcaption').textContent,
      ns: svg.namespaceURI, role: svg.getAttribute('role'), label: svg.getAttribute('aria-label'),
      widths: [...bars.querySelectorAll('rect.bar')].map((r) => r.getAttribute('width')),
      values: [...bars.querySelectorAll('text.bar-value')].map((x) => x.textContent),
      tableRows: [...bars.querySelectorAll('tbody tr')].map((tr) => tr.textContent),
      stackSegments: [...stack.querySelectorAll('rect.segment')].map((r) => `${r.dataset.label}/${r.dataset.series}:${r.getAttribute('width')}`),
      stackOutlines: [...stack.querySelectorAll('rect.bar-outline')].map((r) => r.getAttribute('width')),
      legend: [...stack.querySelectorAll('.chart-legend li')].map((li) => li.textContent),
      stackHead: [...stack.querySelectorAll('thead th')].map((th) => th.textContent),
      ringLabel: ring.querySelector('svg').getAttribute('aria-label'),
      ringDash: ring.querySelector('.ring-value').getAttribute('stroke-dasharray'),
      none: none.textContent,
    };
  });
  assert.equal(got.tag, 'FIGURE');
  assert.equal(got.caption, 'T');
  assert.equal(got.ns, 'http://www.w3.org/2000/svg');
  assert.equal(got.role, 'img');
  assert.equal(got.label, 'T: A 10, B 5, C 0');
  assert.deepEqual(got.widths, ['78.000%', '39.000%', '0.000%']);
  assert.deepEqual(got.values, ['10', '5', '0']);
  assert.deepEqual(got.tableRows, ['A10', 'B5', 'C0']);
  assert.deepEqual(got.stackSegments, ['P/x:58.500%', 'P/y:19.500%', 'Q/x:39.000%']);
  assert.deepEqual(got.stackOutlines, ['78.000%', '39.000%']);
  assert.deepEqual(got.legend, ['X', 'Y']);
  assert.deepEqual(got.stackHead, ['', 'X', 'Y', '합계']);
  assert.equal(got.ringLabel, 'R: 25%');
  const [arc, round] = got.ringDash.split(' ').map(Number);
  assert.ok(Math.abs(arc / round - 0.25) < 0.001, `the ring's arc ${got.ringDash} is not a quarter`);
  assert.match(got.none, /nothing yet/);
  const [longOne, shortOne] = got.fitted;
  assert.ok(longOne.shown.endsWith('…') && longOne.shown.length < got.long.length, `"${longOne.shown}" was not cut`);
  assert.ok(got.long.startsWith(longOne.shown.slice(0, -1)));
  assert.equal(longOne.title, got.long);
  assert.ok(longOne.fits && shortOne.fits, 'a label is wider than its chart');
  assert.equal(shortOne.shown, 'short');
  assertClean(page);
});

// The SVG of the figure captioned `caption` on the page.
const figure = (caption) => page.locator('figure.chart').filter({ has: page.locator('figcaption', { hasText: caption }) });

test('the summary of GIST is drawn as charts with the right labels and numbers', async () => {
  const stats = await page.locator('dl.stats').innerText();
  assert.match(stats, /전체 신청\s+12/);
  assert.match(stats, /현재 대기자\s+2/);
  assert.match(stats, /수료율\s+75%/);

  const byProgram = figure('사업별 신청 현황');
  const label = await byProgram.locator('svg[role="img"]').getAttribute('aria-label');
  assert.match(label, /인공지능사관학교 합계 6/);
  assert.match(label, /GIST 인공지능대학원 합계 4/);
  assert.match(label, /온라인 AI 교육 합계 2/);
  const outline = (name) => byProgram.locator(`rect.bar-outline`).nth(name);
  // programmes in the order of the programme list: AI Academy, graduate school, online
  assert.deepEqual(await Promise.all([0, 1, 2].map((i) => outline(i).getAttribute('width'))), ['78.000%', '52.000%', '26.000%']);
  const seg = (prog, status) => byProgram.locator(`rect.segment[data-label="${prog}"][data-series="${status}"]`);
  assert.equal(await seg('인공지능사관학교', 'enrolled').getAttribute('data-value'), '3');
  assert.equal(await seg('인공지능사관학교', 'waitlisted').getAttribute('width'), '26.000%');
  assert.equal(await seg('GIST 인공지능대학원', 'completed').getAttribute('data-value'), '2');
  assert.match(await byProgram.locator('.chart-legend').innerText(), /수강 중[\s\S]*대기자[\s\S]*반려/);

  assert.equal(await figure('전체 수료율').locator('svg').getAttribute('aria-label'), '전체 수료율: 75%');
  const waitlist = figure('과목별 대기자');
  assert.match(await waitlist.locator('svg').getAttribute('aria-label'), /^과목별 대기자: AIA-205 .+ 2$/);
  assert.equal(await waitlist.locator('rect.bar').count(), 1);
  const stages = figure('학습 단계별 신청');
  assert.match(await stages.locator('svg').getAttribute('aria-label'), /대학원생 3, 재직자 5, 구직자 2, 일반 시민 2/);

  // The same numbers as a table, opened by keyboard.
  await stages.locator('summary').focus();
  await page.keyboard.press('Enter');
  await stages.locator('table').waitFor();
  assert.match(await stages.locator('tbody').innerText(), /재직자\s+5/);
  await shot(page, 'reports-desktop');
  assertClean(page);
});

test('a filter narrows the CSV, which downloads through its link', async () => {
  const form = page.getByRole('form', { name: '보고서 조건' });
  await form.getByLabel('사업').selectOption({ label: '인공지능사관학교' });
  await form.getByLabel('신청 상태').selectOption({ label: '수강 중' });
  await form.getByRole('button', { name: '조건 적용' }).click();
  await until(page, 'the filters in the hash', () => location.hash.includes('program=ai_academy') && location.hash.includes('status=enrolled'));
  const link = page.getByRole('link', { name: 'CSV 내려받기', exact: true });
  await until(page, 'the CSV link with the filters', () => /program=ai_academy/.test(document.querySelector('a[download="enrollments.csv"]')?.href || ''));
  const href = await link.getAttribute('href');
  assert.match(href, /^\/api\/v1\/reports\/enrollments\?/);
  assert.match(href, /format=csv/);
  assert.match(href, /institution_id=\d+/);
  assert.match(await page.locator('.downloads').innerText(), /엑셀/);

  const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
  const path = join(OUTPUT_DIR, 'enrollments.csv');
  await download.saveAs(path);
  const text = readFileSync(path, 'utf8');
  assert.ok(text.startsWith('\ufeff'), 'the CSV has no byte order mark for Excel');
  const lines = text.slice(1).split('\r\n').filter(Boolean);
  assert.match(lines[0], /^enrollment_id,status,created_at,updated_at,waitlist_position,user_id,display_name,email,ladder_stage,/);
  const want = gistRows("p.code = 'ai_academy' AND e.status = 'enrolled'");
  assert.equal(want, 3);
  assert.equal(lines.length - 1, want, `the CSV has ${lines.length - 1} rows, the database ${want}`);
  assert.ok(lines.slice(1).every((l) => l.split(',')[1] === 'enrolled'));
  assert.ok(lines.slice(1).every((l) => l.includes(',ai_academy,')));
  // The summary and its charts follow the same filters, and say which.
  const summary = page.locator('.report-summary');
  await summary.locator('.summary-scope').getByText('사업 인공지능사관학교 · 신청 상태 수강 중').waitFor();
  assert.match(await page.locator('dl.stats').innerText(), /전체 신청\s+3(?!\d)/);
  const byProgram = await figure('사업별 신청 현황').locator('svg[role="img"]').getAttribute('aria-label');
  assert.match(byProgram, /인공지능사관학교 합계 3/);
  assert.doesNotMatch(byProgram, /GIST 인공지능대학원|온라인 AI 교육/);
  assert.equal(await figure('사업별 신청 현황').locator('rect.segment[data-series="waitlisted"]').count(), 0);
  // So does the summary CSV's link.
  assert.match(await page.locator('a[download="summary.csv"]').getAttribute('href'), /program=ai_academy.*status=enrolled|status=enrolled.*program=ai_academy/);
  await shot(page, 'reports-filtered');
  assertClean(page);
});

test('a date range that ends before it starts is refused beside its field', async () => {
  const form = page.getByRole('form', { name: '보고서 조건' });
  await form.getByLabel('시작일').fill('2026-12-01');
  await form.getByLabel('종료일').fill('2026-11-01');
  await form.getByRole('button', { name: '조건 적용' }).click();
  const alert = page.locator('.message.error[role="alert"]');
  await alert.waitFor();
  assert.match(await alert.innerText(), /입력한 내용을 확인해 주세요/);
  const to = page.getByLabel('종료일');
  assert.equal(await to.getAttribute('aria-invalid'), 'true');
  const hint = page.locator('.field[data-field="to"] .hint');
  assert.match(await hint.innerText(), /종료일은 시작일과 같거나 그 뒤/);
  assert.equal(await page.locator('.downloads').count(), 0, 'download links for a refused filter');
  // The API refused it: 400 from the summary, a refusal the page handled.
  assertClean(page);
});

test('at phone width the reports page fits the screen', async () => {
  const { context } = await launch({ phone: true });
  const phone = await newPage(context);
  await signIn(phone, 'gist-admin@example.com');
  await phone.goto('/#/admin/reports');
  await phone.locator('figure.chart svg').first().waitFor();
  const overflow = await phone.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `the page is ${overflow}px wider than the screen`);
  const wide = await phone.evaluate(() => [...document.querySelectorAll('figure.chart text.bar-label')]
    .filter((l) => l.getComputedTextLength() > l.ownerSVGElement.getBoundingClientRect().width + 0.5)
    .map((l) => l.textContent));
  assert.deepEqual(wide, [], 'bar labels wider than their chart');
  await shot(phone, 'reports-phone');
  assertClean(phone);
  await context.close();
});

test("an instructor's week shows the session, and refusals read as sentences", async () => {
  const id = sql("SELECT id FROM users WHERE email = 'instructor@example.com'");
  await page.goto(`/#/admin/instructors/${id}/week?week=2027-03-08`);
  const event = page.locator('.week-event');
  await event.first().waitFor();
  assert.match(await page.locator('h1').innerText(), /주간 일정/);
  assert.match(await event.innerText(), /고급 기계학습/);
  assert.match(await event.innerText(), /GPU 실습실/);
  assert.match(await event.innerText(), /10:00/);
  await shot(page, 'instructor-week');

  await page.getByRole('button', { name: /다음 주/ }).click();
  await until(page, 'the next week in the hash', () => location.hash.includes('week=2027-03-15'));
  await page.locator('.week-empty').waitFor();

  // Not shared with GIST: the schedule is refused (403).
  const other = sql(`SELECT i.user_id FROM instructors i JOIN institutions h ON h.id = i.home_institution_id
    WHERE h.code <> 'gist' AND NOT EXISTS (SELECT 1 FROM instructor_shares s JOIN institutions g ON g.id = s.institution_id
      WHERE s.instructor_id = i.user_id AND g.code = 'gist') ORDER BY i.user_id LIMIT 1`);
  await page.goto(`/#/admin/instructors/${other}/week`);
  await page.locator('[role="alert"]').waitFor();
  assert.match(await page.locator('[role="alert"]').innerText(), /일정을 볼 권한이 없습니다/);

  await page.goto('/#/admin/instructors/999999/week');
  await until(page, 'the not-found sentence', () => /찾을 수 없습니다/.test(document.querySelector('[role="alert"]')?.textContent || ''));
  assertClean(page);
});
