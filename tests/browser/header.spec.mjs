// header.spec.mjs - the signed-in header on a 390x844 phone: one row,
// nothing outside the screen, nothing overlapping, no text cut, for a
// learner, an instructor and an admin (one who also teaches: the most
// links), in Korean and in English; the menu that holds the links opens
// and closes by keyboard and names its state; at 1366x768 the bar is one
// row too, and on a tablet (768 and 1024 wide: the menu button, then the
// links beside the brand's mark). Screenshots header-<lang>-<role>[-menu].png,
// header-<width>-<lang>-admin.png.
import assert from 'node:assert/strict';

import { BASE_URL, TIMEOUT_MS, assertClean, launch, newPage, shot, signIn, sql, test, until } from './lib.mjs';
import { ADMIN, INSTRUCTOR, LEARNER, drawn } from './look_lib.mjs';

const ROLES = { learner: LEARNER, instructor: INSTRUCTOR, admin: ADMIN };
const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1366, height: 768 };

test('set-up: the admin also teaches, so the header holds every link', () => {
  sql(`INSERT INTO user_roles (user_id, role, institution_id)
    SELECT u.id, 'instructor', r.institution_id FROM users u JOIN user_roles r ON r.user_id = u.id
    WHERE u.email = '${ADMIN}' AND r.role = 'institution_admin' ON CONFLICT DO NOTHING`);
});

async function context(browser, viewport, lang) {
  const phone = viewport.width < 500;
  const ctx = await browser.newContext({
    baseURL: BASE_URL, ignoreHTTPSErrors: true, locale: 'ko-KR', timezoneId: 'Asia/Seoul', viewport,
    ...(phone ? { isMobile: true, hasTouch: true, deviceScaleFactor: 2 } : {}),
  });
  ctx.setDefaultTimeout(TIMEOUT_MS);
  await ctx.addInitScript((l) => localStorage.setItem('lang', l), lang);
  return ctx;
}

// The header's visible parts: their boxes, and whether a text is cut
// (wider than its box) or wrapped (taller than one line).
function headerParts() {
  const parts = [...document.querySelectorAll('header.top .brand, header.top #lang, header.top .menu-toggle, header.top #nav > ul > li')]
    .filter((el) => el.getClientRects().length && getComputedStyle(el).visibility !== 'hidden');
  return parts.map((el) => {
    const r = el.getBoundingClientRect();
    const s = getComputedStyle(el);
    const line = parseFloat(s.lineHeight) || parseFloat(s.fontSize) * 1.6;
    return {
      what: `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}${el.className ? `.${el.className}` : ''} "${el.textContent.trim()}"`,
      x: r.x, y: r.y, w: r.width, h: r.height,
      cut: el.scrollWidth > el.clientWidth + 1,
      wrapped: el.matches('button') && r.height > line * 1.6 + 24,
    };
  });
}

function assertOneRow(parts, width, label) {
  assert.ok(parts.length >= 2, `${label}: the header shows its parts (${parts.map((p) => p.what).join(', ')})`);
  const mid = (p) => p.y + p.h / 2;
  for (const p of parts) {
    assert.ok(p.x >= 0 && p.x + p.w <= width + 0.5, `${label}: ${p.what} is inside the screen (${p.x.toFixed(1)}..${(p.x + p.w).toFixed(1)} of ${width})`);
    assert.ok(Math.abs(mid(p) - mid(parts[0])) < 8, `${label}: ${p.what} is on the brand's row (middle ${mid(p)} vs ${mid(parts[0])})`);
    assert.ok(!p.cut, `${label}: ${p.what} is cut`);
    assert.ok(!p.wrapped, `${label}: ${p.what} wraps (${p.h}px high)`);
  }
  for (let i = 0; i < parts.length; i++) {
    for (let j = i + 1; j < parts.length; j++) {
      const [a, b] = [parts[i], parts[j]];
      const apart = a.x + a.w <= b.x + 0.5 || b.x + b.w <= a.x + 0.5 || a.y + a.h <= b.y + 0.5 || b.y + b.h <= a.y + 0.5;
      assert.ok(apart, `${label}: ${a.what} and ${b.what} overlap`);
    }
  }
}

for (const lang of ['ko', 'en']) {
  for (const [who, email] of Object.entries(ROLES)) {
    test(`${who === 'learner' ? 'a' : 'an'} ${who}'s header on a phone is one row with nothing cut, and its menu works by keyboard (${lang})`, async () => {
      const { browser } = await launch();
      const ctx = await context(browser, PHONE, lang);
      const page = await newPage(ctx);
      await signIn(page, email);
      await until(page, 'the landing view drawn', drawn);
      const label = `${who}, ${lang}, 390px`;
      const header = await page.locator('header.top').boundingBox();
      assert.ok(header.height <= 64, `${label}: the header is ${header.height}px high`);
      assertOneRow(await page.evaluate(headerParts), PHONE.width, label);
      await page.screenshot({ path: `${process.env.LMS_OUTPUT_DIR}/header-${lang}-${who}.png`, clip: { x: 0, y: 0, width: 390, height: 120 } });

      // The links are behind the menu button: closed, they are out of
      // reach; Enter opens it, the links are on the screen, Escape closes
      // it and gives the focus back to the button.
      const toggle = page.locator('.menu-toggle');
      assert.equal(await toggle.getAttribute('aria-expanded'), 'false');
      assert.equal(await page.locator('#logout').isVisible(), false, 'sign-out is folded away');
      await toggle.focus();
      await page.keyboard.press('Enter');
      assert.equal(await toggle.getAttribute('aria-expanded'), 'true', 'Enter opens the menu');
      const links = page.locator('#nav-list a, #nav-list button');
      const n = await links.count();
      assert.ok(n >= 4, `${label}: the menu holds the links (${n})`);
      for (let i = 0; i < n; i++) {
        const box = await links.nth(i).boundingBox();
        assert.ok(box && box.x >= 0 && box.x + box.width <= PHONE.width && box.y + box.height <= PHONE.height,
          `${label}: menu item ${i} is on the screen (${JSON.stringify(box)})`);
        assert.ok(box.height >= 40, `${label}: menu item ${i} is big enough to tap (${box.height}px)`);
      }
      if (who !== 'learner') {
        const expected = who === 'admin' ? /기관 관리|Administration/ : /강의 관리|Teaching/;
        assert.ok(await page.locator('#nav-list a').filter({ hasText: expected }).isVisible(), `${label}: the role's page is in the menu`);
      }
      await page.keyboard.press('Tab');
      assert.ok(await page.evaluate(() => document.getElementById('nav-list').contains(document.activeElement)),
        'Tab moves from the button into the menu');
      await page.screenshot({ path: `${process.env.LMS_OUTPUT_DIR}/header-${lang}-${who}-menu.png` });
      await page.keyboard.press('Escape');
      assert.equal(await toggle.getAttribute('aria-expanded'), 'false', 'Escape closes the menu');
      assert.ok(await toggle.evaluate((el) => el === document.activeElement), 'the focus is back on the button');
      assert.equal(await page.locator('#logout').isVisible(), false);

      // A link in the menu goes there, and the menu is closed on arrival.
      await toggle.click();
      await page.locator('#nav-list a[href="#/profile"]').click();
      // Drawn and focused: the router moves the focus to the view's heading
      // last, and the focus leaving the menu closes it.
      await until(page, 'the profile drawn', () => location.hash === '#/profile' && !!document.querySelector('#view h1')
        && !document.getElementById('view').hasAttribute('aria-busy'));
      assert.equal(await page.locator('.menu-toggle').getAttribute('aria-expanded'), 'false');
      assert.equal(await page.locator('#nav-list').isVisible(), false, 'the menu closes on the next page');
      // A click outside closes it too.
      await page.locator('.menu-toggle').click();
      assert.ok(await page.locator('#nav-list').isVisible());
      await page.mouse.click(200, 600);
      assert.equal(await page.locator('#nav-list').isVisible(), false, 'a click outside closes the menu');
      assertClean(page);
      await ctx.close();
    });
  }
}

test('at 1366x768 the signed-in header is one row with nothing cut, for every role in both languages', async () => {
  const { browser } = await launch();
  for (const lang of ['ko', 'en']) {
    for (const [who, email] of Object.entries(ROLES)) {
      const ctx = await context(browser, DESKTOP, lang);
      const page = await newPage(ctx);
      await signIn(page, email);
      await until(page, 'the landing view drawn', drawn);
      assert.equal(await page.locator('.menu-toggle').isVisible(), false, 'no menu button on a wide screen');
      assertOneRow(await page.evaluate(headerParts), DESKTOP.width, `${who}, ${lang}, 1366px`);
      if (lang === 'en' && who === 'admin') await shot(page, 'header-desktop-en-admin');
      assertClean(page);
      await ctx.close();
    }
  }
});

// Between the phone and the wide screen: 768 wide a signed-in user still
// has the menu button, 1024 wide the links are in the bar beside the
// brand's mark; one row either way, nothing cut or off the screen.
for (const viewport of [{ width: 768, height: 1024 }, { width: 1024, height: 768 }]) {
  for (const lang of ['ko', 'en']) {
    test(`at ${viewport.width} wide the signed-in header is one row with nothing cut, for every role (${lang})`, async () => {
      const { browser } = await launch();
      for (const [who, email] of Object.entries(ROLES)) {
        const ctx = await context(browser, viewport, lang);
        const page = await newPage(ctx);
        await signIn(page, email);
        await until(page, 'the landing view drawn', drawn);
        const label = `${who}, ${lang}, ${viewport.width}px`;
        assert.equal(await page.locator('.menu-toggle').isVisible(), viewport.width <= 768, `${label}: the menu button only up to 768px`);
        const header = await page.locator('header.top').boundingBox();
        assert.ok(header.height <= 72, `${label}: the header is ${header.height}px high`);
        assertOneRow(await page.evaluate(headerParts), viewport.width, label);
        assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth),
          `${label}: nothing makes the page wider than the screen`);
        if (who === 'admin') {
          await page.screenshot({ path: `${process.env.LMS_OUTPUT_DIR}/header-${viewport.width}-${lang}-admin.png`, clip: { x: 0, y: 0, width: viewport.width, height: 120 } });
        }
        assertClean(page);
        await ctx.close();
      }
    });
  }
}
