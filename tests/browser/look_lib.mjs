// look_lib.mjs - what the look, cls and shots specs share: the demo
// accounts, the set-up they all start from, the main pages of each role,
// and when a view counts as drawn.
import assert from 'node:assert/strict';

import {
  DEMO_PASSWORD, assertClean, launch, newPage, signIn, sql, sqlOne, test, until,
} from './lib.mjs';

export const LEARNER = 'learner@example.com';
export const INSTRUCTOR = 'instructor@example.com';
export const ADMIN = 'gist-admin@example.com';
const KST = "(now() AT TIME ZONE 'Asia/Seoul')";
export const ids = {};

// An open section of a GIST course taught by the demo instructor, the demo
// learner enrolled in it; the number of published courses.
export function setUp() {
  ids.instructor = sqlOne(`SELECT id FROM users WHERE email = '${INSTRUCTOR}'`);
  ids.learner = sqlOne(`SELECT id FROM users WHERE email = '${LEARNER}'`);
  ids.section = sqlOne(`INSERT INTO sections (course_id, term, starts_on, ends_on, capacity,
      enrollment_opens_at, enrollment_closes_at, status)
    SELECT c.id, extract(year FROM ${KST})::int || '-winter', ${KST}::date + 7, ${KST}::date + 60, 20,
      now() - interval '1 day', now() + interval '8 days', 'open'
    FROM courses c JOIN institutions i ON i.id = c.institution_id
    WHERE i.code = 'gist' AND c.code = 'AIA-205' RETURNING id`);
  sql(`INSERT INTO section_instructors (section_id, user_id) VALUES (${ids.section}, ${ids.instructor})`);
  ids.course = sqlOne(`SELECT course_id FROM sections WHERE id = ${ids.section}`);
  sql(`INSERT INTO enrollments (user_id, section_id, status) VALUES (${ids.learner}, ${ids.section}, 'enrolled')`);
  ids.total = Number(sqlOne('SELECT count(*) FROM courses WHERE published'));
}

// The main pages of each role (a visitor is not signed in).
export const PAGES = () => ({
  visitor: ['/', `/courses/${ids.course}`, '/login', '/register'],
  learner: ['/', '/my', '/my/calendar'],
  instructor: ['/teach', `/teach/sections/${ids.section}`],
  admin: ['/admin', '/admin/courses', '/admin/reports'],
});
export const EMAILS = { visitor: null, learner: LEARNER, instructor: INSTRUCTOR, admin: ADMIN };
export const ROLES = Object.keys(EMAILS);

// A view is drawn: not busy, its heading there, no skeleton or loading line.
export const drawn = () => document.getElementById('view').getAttribute('aria-busy') !== 'true'
  && !!document.querySelector('#view h1') && !document.querySelector('#view .loading, #view .skeleton');

// Layout shift as the page measures it: the sum of layout-shift entries
// without recent input, from the start of the document.
const CLS_PROBE = () => {
  window.__cls = 0;
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) if (!e.hadRecentInput) window.__cls += e.value;
  }).observe({ type: 'layout-shift', buffered: true });
};

async function settledCls(page) {
  // two frames after the view is drawn: what it moved has been laid out
  return page.evaluate(() => new Promise((resolve) => {
    requestAnimationFrame(() => requestAnimationFrame(() => resolve(window.__cls)));
  }));
}


export function clsCases(phone) {
  for (const who of ROLES) {
  test(`no layout shift (CLS < 0.05) on the main pages of a ${who}, ${phone ? 'phone' : 'desktop'}`, async () => {
    const found = [];
    {
      const paths = PAGES()[who];
      const { context } = await launch({ phone });
      const page = await newPage(context);
      if (EMAILS[who]) await signIn(page, EMAILS[who], DEMO_PASSWORD);
      await page.addInitScript(CLS_PROBE);
      for (const path of paths) {
        // a whole load, as a visitor arriving by link
        await page.goto('about:blank');
        await page.goto(`/#${path}`);
        await until(page, `#${path} drawn`, drawn);
        const cls = await settledCls(page);
        found.push(`${who} #${path}: ${cls.toFixed(4)}`);
        assert.ok(cls < 0.05, `#${path} (${who}, ${phone ? 'phone' : 'desktop'}) shifts its layout: CLS ${cls.toFixed(4)}`);
      }
      assertClean(page);
      await context.close();
    }
    console.log(`# CLS ${phone ? 'phone' : 'desktop'}: ${found.join('; ')}`);
  });
  }
}

