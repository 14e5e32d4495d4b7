// smoke.spec.mjs - the home page: Korean by default, English on request and
// kept across reloads, usable by keyboard, clean, at desktop and phone width
import assert from 'node:assert/strict';

import {
  assertClean, assertFocusVisible, launch, newPage, shot, tabTo, test, until,
} from './lib.mjs';

const HANGUL = /[\uac00-\ud7a3]/;

// The page's language as html lang and title, awaited in the browser: the
// view has rendered (its heading starts the title) in that language.
const showing = (lang, title) => ({ lang, title });
function inLanguage(want) {
  const h1 = document.querySelector('#view h1');
  const hangul = /[\uac00-\ud7a3]/.test(document.title);
  return document.documentElement.lang === want.lang
    && !!h1 && document.title.startsWith(h1.textContent)
    && hangul === (want.lang === 'ko')
    && (want.title ? document.title === want.title : true);
}

let page;
let koTitle;
let enTitle;

test('the home page is Korean by default', async () => {
  const { context } = await launch();
  page = await newPage(context);
  await page.goto('/');
  await until(page, 'the Korean view', inLanguage, showing('ko'));
  koTitle = await page.title();
  assert.match(koTitle, HANGUL, `the title "${koTitle}" is not Korean`);
  await shot(page, 'home-desktop');
  assertClean(page);
});

test('the language switch turns the page English, and back', async () => {
  await page.locator('#lang').click();
  await until(page, 'html lang="en" after the switch', inLanguage, showing('en'));
  enTitle = await page.title();
  assert.notEqual(enTitle, koTitle, 'the title did not change with the language');
  assert.match(enTitle, /[A-Za-z]/, `the title "${enTitle}" is not English`);
  await shot(page, 'home-desktop-en');

  await page.locator('#lang').click();
  await until(page, 'Korean again after the second switch', inLanguage, showing('ko', koTitle));
  assertClean(page);
});

test('the choice of language is kept across reloads, in localStorage', async () => {
  await page.locator('#lang').click();
  await until(page, 'English after the switch', inLanguage, showing('en', enTitle));
  await page.reload();
  await until(page, 'English kept after a reload', inLanguage, showing('en', enTitle));

  await page.evaluate(() => localStorage.clear());
  await page.reload();
  await until(page, 'Korean once localStorage is cleared', inLanguage, showing('ko', koTitle));
  assertClean(page);
});

test('Tab reaches the language switch, shows the focus, and Enter switches', async () => {
  await page.goto('/');
  await tabTo(page, page.locator('#lang'));
  await assertFocusVisible(page);
  await shot(page, 'home-focus');
  await page.keyboard.press('Enter');
  await until(page, 'English after Enter on the switch', inLanguage, showing('en', enTitle));
  await page.evaluate(() => localStorage.clear());
  assertClean(page);
});

test('an address with a broken %-escape shows a page, not a stuck one', async () => {
  for (const [hash, title] of [['#/%ZZ', /^(페이지 없음|Page not found)$/], ['#/courses/%ZZ', null]]) {
    await page.goto(`/${hash}`);
    await until(page, `a drawn view for ${hash}`,
      () => !!document.querySelector('#view h1') && !document.querySelector('#view').hasAttribute('aria-busy'));
    if (title) assert.match(await page.locator('#view h1').textContent(), title);
  }
  assertClean(page);
});

test('at phone width the page fits the screen', async () => {
  const { context } = await launch({ phone: true });
  const phone = await newPage(context);
  await phone.goto('/');
  await phone.locator('#lang').waitFor();
  assert.equal(await phone.locator('html').getAttribute('lang'), 'ko');
  const overflow = await phone.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `the page is ${overflow}px wider than the screen`);
  await shot(phone, 'home-phone');
  assertClean(phone);
  await context.close();
});
