// a11y.spec.mjs - the issue's quality bar on every route: axe-core's WCAG 2.1
// A and AA rules for each person's pages, in Korean and in English, at
// desktop and at phone width (where nothing may scroll sideways), and in
// the states that matter (field errors from the server, a confirm dialog,
// an error message); then a keyboard pass through the catalogue, a course
// page and an attendance page, and the confirm dialog's focus handling.
import assert from 'node:assert/strict';

import {
  assertAccessible, assertClean, assertFocusVisible, launch, newPage, signIn, shot, sql, sqlOne, test, until,
} from './lib.mjs';

const LEARNER = 'learner@example.com';
const INSTRUCTOR = 'instructor@example.com';
const ADMIN = 'gist-admin@example.com';
const KST = "(now() AT TIME ZONE 'Asia/Seoul')";
const TAB_LIMIT = 150;

const ids = {};
const one = sqlOne;

// A section of a GIST course taught by the demo instructor whose dates hold
// today, as instructor.spec.mjs makes it; `status` 'open' takes applications.
function section(courseCode, status = 'closed') {
  const id = one(`INSERT INTO sections (course_id, term, starts_on, ends_on, capacity,
      enrollment_opens_at, enrollment_closes_at, status)
    SELECT c.id, extract(year FROM ${KST})::int || '-winter', ${KST}::date - 7, ${KST}::date + 30, 20,
      now() - interval '30 days', now() + interval '8 days', '${status}'
    FROM courses c JOIN institutions i ON i.id = c.institution_id
    WHERE i.code = 'gist' AND c.code = '${courseCode}' RETURNING id`);
  sql(`INSERT INTO section_instructors (section_id, user_id) VALUES (${id}, ${ids.instructor})`);
  return id;
}

test('set-up: a section under way with a class, the learner in it, a pending application', async () => {
  ids.instructor = one(`SELECT id FROM users WHERE email = '${INSTRUCTOR}'`);
  ids.learner = one(`SELECT id FROM users WHERE email = '${LEARNER}'`);
  ids.section = section('AIA-205');
  ids.course = one(`SELECT course_id FROM sections WHERE id = ${ids.section}`);
  sql(`INSERT INTO enrollments (user_id, section_id, status) VALUES (${ids.learner}, ${ids.section}, 'enrolled')`);
  const room = one(`SELECT f.id FROM facilities f JOIN institutions i ON i.id = f.institution_id
    WHERE i.code = 'gist' ORDER BY f.id LIMIT 1`);
  ids.session = one(`INSERT INTO class_sessions (section_id, starts_at, ends_at, instructor_id, facility_id)
    VALUES (${ids.section}, now() - interval '1 hour', now() + interval '1 hour', ${ids.instructor}, ${room})
    RETURNING id`);
  ids.week = one(`SELECT to_char(starts_at AT TIME ZONE 'Asia/Seoul', 'YYYY-MM-DD') FROM class_sessions WHERE id = ${ids.session}`);
  ids.lesson = one(`SELECT l.id FROM lessons l JOIN course_modules m ON m.id = l.module_id
    WHERE m.course_id = ${ids.course} ORDER BY m.position, l.position LIMIT 1`);
  // A programme that needs approval: the learner's application waits.
  const pending = section('SU-203', 'open');
  sql(`INSERT INTO enrollments (user_id, section_id, status, statement)
    VALUES (${ids.learner}, ${pending}, 'pending', '창업 아이템을 다듬고 싶습니다.')`);
});

// Each person's routes; a person is an email or null for a visitor.
const routes = () => ({
  visitor: ['/', `/courses/${ids.course}`, '/login', '/register'],
  learner: ['/my', `/my/calendar?week=${ids.week}`, `/lessons/${ids.lesson}`],
  instructor: ['/teach', `/teach/week?week=${ids.week}`, `/teach/sections/${ids.section}`, `/teach/sessions/${ids.session}`,
    `/teach/courses/${ids.course}`],
  admin: ['/admin', '/admin/courses', `/admin/courses/${ids.course}`, '/admin/courses/new', '/admin/applications',
    '/admin/tokens', '/admin/instructors', `/admin/instructors/${ids.instructor}/week?week=${ids.week}`, '/admin/reports',
    '/admin/mail'],
});
const emails = { visitor: null, learner: LEARNER, instructor: INSTRUCTOR, admin: ADMIN };

// A view is drawn: the router no longer marks #view aria-busy, it has its
// heading and nothing in it is still loading; with fresh, it is not one
// that visit marked as old.
const drawn = (fresh) => document.getElementById('view').getAttribute('aria-busy') !== 'true'
  && !!document.querySelector('#view h1') && !document.querySelector('#view .loading')
  && !(fresh && document.querySelector('#view > [data-a11y-old]'));

// Opens a route and waits until its view is drawn. The view on screen (it
// may still be drawing after a sign-in) is let finish and marked first.
async function visit(page, path) {
  if (page.url() !== 'about:blank') await until(page, `the view before #${path}`, drawn, false);
  const here = await page.evaluate((hash) => {
    for (const f of document.querySelectorAll('#view > *')) f.dataset.a11yOld = '1';
    return location.hash === hash;
  }, `#${path}`);
  // The same hash again is no navigation: pass by another route.
  if (here) await page.goto('/#/a11y-elsewhere');
  await page.goto(`/#${path}`);
  await until(page, `#${path} drawn`, drawn, true);
}

async function setLang(page, want) {
  if (await page.evaluate(() => document.documentElement.lang) !== want) await page.locator('#lang').click();
  await until(page, `the page in ${want}`, (l) => document.documentElement.lang === l, want);
}

// At phone width nothing may make the page scroll sideways; names the
// elements that stick out (those inside a scrolling box excepted).
async function assertNoOverflow(page, label) {
  const wide = await page.evaluate(() => {
    const root = document.documentElement;
    if (root.scrollWidth <= root.clientWidth) return null;
    const inScroller = (el) => {
      for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
        if (['auto', 'scroll'].includes(getComputedStyle(p).overflowX)) return true;
      }
      return false;
    };
    const out = [...document.body.querySelectorAll('*')]
      .filter((el) => el.getBoundingClientRect().right > root.clientWidth + 1 && !inScroller(el))
      .slice(0, 8).map((el) => `${el.tagName.toLowerCase()}${el.className ? `.${String(el.className).replace(/ /g, '.')}` : ''}`);
    return `${root.scrollWidth}px wide in ${root.clientWidth}px: ${out.join(', ')}`;
  });
  if (wide) throw new Error(`${label} scrolls sideways at phone width: ${wide}`);
}

// Every route of one person, in Korean then English, at one width; all the
// violations are gathered and listed together.
function everyPage(who, phone) {
  const width = phone ? 'phone' : 'desktop';
  test(`${who}'s pages at ${width} width, Korean and English`, async () => {
    const { context } = await launch({ phone });
    const page = await newPage(context);
    if (emails[who]) await signIn(page, emails[who]);
    else await page.goto('/#/');
    const failures = [];
    for (const l of ['ko', 'en']) {
      await setLang(page, l);
      for (const path of routes()[who]) {
        await visit(page, path);
        const label = `${who} ${l} ${width} #${path}`;
        await assertAccessible(page, label).catch((e) => failures.push(e.message));
        if (phone) await assertNoOverflow(page, label).catch((e) => failures.push(e.message));
        // Each page once in a picture: Korean on a desktop, English on a phone.
        const slug = path.replace(/[^a-z0-9]+/gi, '-').replace(/^-|-$/g, '') || 'catalogue';
        if ((l === 'ko') !== phone) await shot(page, `${who}-${l}-${width}-${slug}`);
      }
    }
    assertClean(page);
    await context.close();
    if (failures.length) throw new Error(failures.join('\n'));
  });
}

for (const who of ['visitor', 'learner', 'instructor', 'admin']) {
  everyPage(who, false);
  everyPage(who, true);
}

test('states: field errors, a refused sign-in, a confirm dialog, in both languages', async () => {
  const { context } = await launch();
  const page = await newPage(context);
  const failures = [];
  const check = (label) => assertAccessible(page, label).catch((e) => failures.push(e.message));
  for (const l of ['ko', 'en']) {
    await page.goto('/#/');
    await setLang(page, l);
    await visit(page, '/register');
    await page.locator('input[name="email"]').fill('not-an-email');
    await page.locator('input[name="password"]').fill('short');
    await page.locator('form button[type="submit"]').click();
    await page.locator('.field.invalid').first().waitFor();
    await check(`${l} register form with field errors`);
    // The server's field messages are said in the page's language.
    assert.doesNotMatch(await page.locator('form').innerText(), /must /, `${l} field errors in English`);
    await shot(page, `state-field-errors-${l}`);

    await visit(page, '/login');
    await page.locator('input[name="email"]').fill(LEARNER);
    await page.locator('input[name="password"]').fill('wrong-password-2026');
    await page.locator('form button[type="submit"]').click();
    await page.locator('.message.error').waitFor();
    await check(`${l} sign-in refused`);
  }
  assertClean(page);
  await context.close();

  const signed = await launch();
  const learner = await newPage(signed.context);
  await signIn(learner, LEARNER);
  for (const l of ['ko', 'en']) {
    await setLang(learner, l);
    await visit(learner, '/my');
    await learner.locator('table.my-enrolments button.danger').first().click();
    await learner.locator('dialog.confirm[open]').waitFor();
    await assertAccessible(learner, `${l} cancel confirm dialog`).catch((e) => failures.push(e.message));
    await shot(learner, `state-confirm-${l}`);
    await learner.keyboard.press('Escape');
    await learner.locator('dialog.confirm').waitFor({ state: 'detached' });
  }
  assertClean(learner);
  await signed.context.close();

  const admin = await launch();
  const adminPage = await newPage(admin.context);
  await signIn(adminPage, ADMIN);
  await visit(adminPage, '/admin/applications');
  await adminPage.locator('table.applications button.danger').first().click();
  await adminPage.locator('dialog.confirm[open] textarea').waitFor();
  await assertAccessible(adminPage, 'reject dialog with a reason').catch((e) => failures.push(e.message));
  await adminPage.keyboard.press('Escape');
  await adminPage.locator('dialog.confirm').waitFor({ state: 'detached' });
  assertClean(adminPage);
  await admin.context.close();
  if (failures.length) throw new Error(failures.join('\n'));
});

// What has the focus, and whether a sighted keyboard user can see it: it
// has a size, is not hidden or transparent, and nothing covers it.
function focused(page) {
  return page.evaluate(() => {
    const el = document.activeElement;
    if (!el || el === document.body) return null;
    const r = el.getBoundingClientRect();
    let shown = r.width > 0 && r.height > 0 && r.bottom > 0 && r.right > 0
      && r.top < innerHeight && r.left < innerWidth;
    for (let p = el; p && shown; p = p.parentElement) {
      const s = getComputedStyle(p);
      if (s.visibility === 'hidden' || s.display === 'none' || Number(s.opacity) === 0) shown = false;
    }
    if (shown) {
      const x = Math.min(Math.max(r.left + r.width / 2, 0), innerWidth - 1);
      const y = Math.min(Math.max(r.top + r.height / 2, 0), innerHeight - 1);
      const top = document.elementFromPoint(x, y);
      shown = !!top && (el.contains(top) || top.contains(el) || (top.control === el));
    }
    const name = (el.getAttribute('aria-label') || el.textContent || el.name || '').trim().slice(0, 40);
    return { el: `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''} "${name}"`, shown, again: 'a11yStop' in el.dataset, same: el.dataset.a11yStop === 'last' };
  });
}

// Tabs through the page from its heading until the focus comes round to
// a stop it has seen (passing through the browser's own controls, outside
// the document, at the end): every stop must be visible with a focus ring.
async function tabThrough(page, label) {
  await page.evaluate(() => {
    for (const el of document.querySelectorAll('[data-a11y-stop]')) delete el.dataset.a11yStop;
  });
  const seen = [];
  let outside = 0;
  for (let i = 0; i < TAB_LIMIT; i++) {
    await page.keyboard.press('Tab');
    const f = await focused(page);
    if (!f) {
      assert.ok(++outside < 3, `${label}: Tab finds nothing to focus`);
      continue;
    }
    // Tab moves between the parts of a date or time input in place.
    if (f.again && f.same) continue;
    if (f.again) return seen;
    await page.evaluate(() => {
      for (const el of document.querySelectorAll('[data-a11y-stop="last"]')) el.dataset.a11yStop = '';
      document.activeElement.dataset.a11yStop = 'last';
    });
    const at = `${label}: stop ${seen.length + 1} ${f.el}`;
    assert.ok(f.shown, `${at} has the focus but cannot be seen`);
    await assertFocusVisible(page).catch((e) => { throw new Error(`${at}: ${e.message}`); });
    seen.push(f.el);
  }
  throw new Error(`${label}: ${TAB_LIMIT} presses of Tab never came round: ${seen.join(', ')}`);
}

test('keyboard: every stop on the catalogue, a course page and an attendance page shows its focus', async () => {
  const visitor = await launch();
  const page = await newPage(visitor.context);
  await visit(page, '/');
  const catalogue = await tabThrough(page, 'catalogue');
  assert.ok(catalogue.length >= 10, `the catalogue has ${catalogue.length} stops: ${catalogue.join(', ')}`);
  assert.ok(catalogue.some((s) => /건너뛰기/.test(s)), `the skip link is a stop: ${catalogue.join(', ')}`);
  // The skip link leads to the view's heading, on the same route.
  await page.locator('a.skip').focus();
  await page.keyboard.press('Enter');
  await until(page, 'the focus on the catalogue\'s heading after the skip link',
    () => document.activeElement === document.querySelector('#view h1'));
  assert.equal(new URL(page.url()).hash, '#/');
  assert.equal(await page.locator('#view h1').innerText(), '강좌 찾기');
  await visit(page, `/courses/${ids.course}`);
  await tabThrough(page, 'course page');
  assertClean(page);
  await visitor.context.close();

  const teacher = await launch();
  const t = await newPage(teacher.context);
  await signIn(t, INSTRUCTOR);
  await visit(t, `/teach/sessions/${ids.session}`);
  const stops = await tabThrough(t, 'attendance page');
  assert.ok(stops.some((s) => s.startsWith('input')), `the attendance marks are reachable: ${stops.join(', ')}`);
  assertClean(t);
  await teacher.context.close();
});

test('keyboard: the confirm dialog keeps the focus, Escape closes it and returns the focus', async () => {
  const { context } = await launch();
  const page = await newPage(context);
  await signIn(page, LEARNER);
  await visit(page, '/my');
  const opener = page.locator('table.my-enrolments button.danger').first();
  await opener.focus();
  await page.keyboard.press('Enter');
  const dialog = page.locator('dialog.confirm[open]');
  await dialog.waitFor();
  for (let i = 0; i < 6; i++) {
    // Focus stays in the dialog; a modal dialog may let it out to the
    // browser's own controls (the document's body), never to the page.
    const where = await page.evaluate(() => {
      const el = document.activeElement;
      return !el || el === document.body ? 'outside the document' : el.closest('dialog[open]') ? 'in' : el.outerHTML.slice(0, 80);
    });
    assert.ok(where === 'in' || where === 'outside the document', `Tab ${i}: the focus left the dialog for ${where}`);
    if (where === 'in') await assertFocusVisible(page);
    await page.keyboard.press(i % 2 ? 'Shift+Tab' : 'Tab');
  }
  await page.keyboard.press('Escape');
  await dialog.waitFor({ state: 'detached' });
  assert.ok(await opener.evaluate((el) => el === document.activeElement), 'the focus is back on the button that opened the dialog');
  assert.equal(sql(`SELECT count(*) FROM enrollments WHERE user_id = ${ids.learner} AND status = 'cancelled'`), '0');
  assertClean(page);
  await context.close();
});
