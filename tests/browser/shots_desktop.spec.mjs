// shots_desktop.spec.mjs - reference screenshots of the main pages of every
// role at 1366x768, in Korean and in English: look-desktop-<lang>-<role>-<page>.png
// (and -full.png of the catalogue and the course page) in the output
// directory, to look at after a change of the front end.
import { BASE_URL, TIMEOUT_MS, assertClean, launch, newPage, shot, signIn, test, until } from './lib.mjs';
import { EMAILS, PAGES, ROLES, drawn, setUp } from './look_lib.mjs';

test('set-up: an open section with the learner enrolled, taught by the instructor', setUp);

// Reference screenshots: every main page, both sizes, both languages.
const SIZES = { desktop: { width: 1366, height: 768 }, phone: { width: 390, height: 844 } };
const ONLY = 'desktop';
for (const [size, viewport] of Object.entries(SIZES).filter(([k]) => k === ONLY)) {
  for (const lang of ['ko', 'en']) {
  for (const who of ROLES) {
  test(`reference screenshots of a ${who}'s pages at ${viewport.width}x${viewport.height}, ${lang}`, async () => {
    const { browser } = await launch();
    {
      {
        const paths = PAGES()[who];
        const context = await browser.newContext({
          baseURL: BASE_URL, ignoreHTTPSErrors: true, locale: 'ko-KR', timezoneId: 'Asia/Seoul', viewport,
          ...(size === 'phone' ? { isMobile: true, hasTouch: true, deviceScaleFactor: 1 } : {}),
        });
        context.setDefaultTimeout(TIMEOUT_MS);
        await context.addInitScript((l) => localStorage.setItem('lang', l), lang);
        const page = await newPage(context);
        if (EMAILS[who]) await signIn(page, EMAILS[who]);
        for (const path of paths) {
          await page.goto(`/#${path}`);
          await until(page, `#${path} drawn`, drawn);
          await until(page, 'the pictures drawn', () => !document.querySelector('#view .sk-card'));
          const name = `look-${size}-${lang}-${who}-${path.replace(/^\//, '').replace(/[/?=&]+/g, '-') || 'home'}`;
          await page.evaluate(() => window.scrollTo(0, 0));
          await page.screenshot({ path: `${process.env.LMS_OUTPUT_DIR}/${name}.png`, animations: 'disabled' });
          if (path === '/' || path.startsWith('/courses/')) await shot(page, `${name}-full`);
        }
        assertClean(page);
        await context.close();
      }
    }
  });
  }
  }
}
