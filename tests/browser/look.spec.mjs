// look.spec.mjs - the front end as a product: static files compressed and
// cached under versioned URLs, a skeleton while a view waits, focus after a
// search, the phone catalogue, landing by role, dialogs whose safe choice
// has the focus. Layout shift: cls.spec.mjs; reference screenshots:
// shots_desktop.spec.mjs and shots_phone.spec.mjs.
import assert from 'node:assert/strict';
import { request as httpsRequest } from 'node:https';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';

import {
  BASE_URL, TIMEOUT_MS, assertClean, launch, newPage, shot, signIn, sql, test, until,
} from './lib.mjs';
import { ADMIN, INSTRUCTOR, LEARNER, drawn, ids, setUp } from './look_lib.mjs';


// One HTTPS GET of the server (its development certificate): status,
// headers and the body decoded from its Content-Encoding.
function fetchRaw(path, headers = {}) {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(new URL(path, BASE_URL), { headers, rejectUnauthorized: false, timeout: TIMEOUT_MS }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const raw = Buffer.concat(chunks);
        const enc = res.headers['content-encoding'];
        const body = enc === 'br' ? brotliDecompressSync(raw) : enc === 'gzip' ? gunzipSync(raw) : raw;
        resolve({ status: res.statusCode, headers: res.headers, raw, body: body.toString('utf8') });
      });
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${path}: no answer in ${TIMEOUT_MS} ms`)));
    req.on('error', reject);
    req.end();
  });
}

test('set-up: an open section with the learner enrolled, taught by the instructor', setUp);

test('static files: brotli or gzip when accepted, versioned URLs cached for a year, the rest revalidated', async () => {
  const br = await fetchRaw('/', { 'Accept-Encoding': 'gzip, deflate, br' });
  assert.equal(br.status, 200);
  assert.equal(br.headers['content-encoding'], 'br');
  assert.match(br.headers.vary || '', /Accept-Encoding/i);
  assert.equal(br.headers['cache-control'], 'no-cache', 'index.html is revalidated every visit');
  const html = br.body;
  assert.match(html, /<meta name="description" content="[^"]{50,}">/);
  const map = /<script type="importmap">([^<]*)<\/script>/.exec(html);
  assert.ok(map, 'index.html has an import map');
  const imports = JSON.parse(map[1]).imports;
  assert.match(imports['/js/main.js'], /^\/js\/main\.js\?v=[0-9a-f]{12}$/);
  assert.match(imports['/js/pages/catalog.js'], /^\/js\/pages\/catalog\.js\?v=[0-9a-f]{12}$/);
  assert.ok(html.indexOf('type="importmap"') < html.indexOf('rel="modulepreload"'), 'the import map comes before the preloads');
  for (const m of ['main', 'dom', 'i18n', 'api', 'ui']) {
    assert.ok(html.includes(`<link rel="modulepreload" href="${imports[`/js/${m}.js`]}">`), `${m}.js is preloaded`);
  }
  assert.match(html, /href="\/app\.css\?v=[0-9a-f]{12}"/);
  // The inline import map is allowed by its hash, and nothing else inline.
  const csp = br.headers['content-security-policy'];
  assert.match(csp, /script-src 'self' 'sha256-[A-Za-z0-9+/]+=*';/);
  assert.doesNotMatch(csp, /unsafe-inline/);

  const gz = await fetchRaw('/', { 'Accept-Encoding': 'gzip' });
  assert.equal(gz.headers['content-encoding'], 'gzip');
  assert.equal(gz.body, html, 'gzip and brotli carry the same page');
  assert.notEqual(gz.headers.etag, br.headers.etag, 'each encoding has its own ETag');
  const plain = await fetchRaw('/');
  assert.equal(plain.headers['content-encoding'], undefined);
  assert.equal(plain.body, html);
  const refused = await fetchRaw('/', { 'Accept-Encoding': 'br;q=0, gzip;q=0' });
  assert.equal(refused.headers['content-encoding'], undefined, 'q=0 refuses a coding');

  const versioned = await fetchRaw(imports['/js/dom.js'], { 'Accept-Encoding': 'br' });
  assert.equal(versioned.status, 200);
  assert.equal(versioned.headers['cache-control'], 'public, max-age=31536000, immutable');
  assert.ok(versioned.raw.length < versioned.body.length / 2, `dom.js is compressed (${versioned.raw.length} of ${versioned.body.length} bytes)`);
  const stale = await fetchRaw('/js/dom.js?v=000000000000');
  assert.equal(stale.headers['cache-control'], 'no-cache', 'a URL of another version is not kept');
  const again = await fetchRaw(imports['/js/dom.js'], { 'Accept-Encoding': 'br', 'If-None-Match': versioned.headers.etag });
  assert.equal(again.status, 304);
});

test('a visit loads every script through its versioned URL and revalidates only index.html', async () => {
  const { context } = await launch();
  const page = await newPage(context);
  const seen = [];
  page.on('request', (r) => {
    const u = new URL(r.url());
    if (u.origin === new URL(BASE_URL).origin && !u.pathname.startsWith('/api/') && !u.pathname.startsWith('/readyz')) seen.push(u.pathname + u.search);
  });
  await page.goto('/');
  await page.locator('#view h1').waitFor();
  await page.locator('.course-card').first().waitFor();
  const unversioned = seen.filter((p) => p !== '/' && !/\?v=[0-9a-f]{12}$/.test(p));
  assert.deepEqual(unversioned, [], 'every static file but the page is asked for by a versioned URL');
  assertClean(page);
  await context.close();
});

test('a view that waits on the API shows a skeleton, then its content', async () => {
  const { context } = await launch();
  const page = await newPage(context);
  await page.goto('/#/login');
  await page.locator('#view h1').waitFor();
  // A slow link: the course's answer comes late.
  let release;
  const held = new Promise((r) => { release = r; });
  await page.route(`**/api/v1/courses/${ids.course}`, async (route) => { await held; await route.continue(); });
  await page.evaluate((id) => { location.hash = `#/courses/${id}`; }, ids.course);
  await page.locator('#view .skeleton').waitFor();
  assert.equal(await page.locator('#view').getAttribute('aria-busy'), 'true');
  await shot(page, 'look-skeleton');
  release();
  await until(page, 'the course drawn after the skeleton', drawn);
  await page.locator('.enrol-box').waitFor();
  assertClean(page);
  await context.close();
});

test('after a search the focus and the screen go to the results; the phone folds the filters', async () => {
  const { context } = await launch({ phone: true });
  const page = await newPage(context);
  await page.goto('/');
  await until(page, 'the catalogue', drawn);
  const count = await page.locator('.result-count').textContent();
  assert.ok(count.includes(String(ids.total)), `the catalogue says it holds ${ids.total} courses: "${count}"`);
  // The filters are behind a button on a phone.
  assert.equal(await page.locator('.more-filters').isVisible(), false, 'the filters start folded');
  const toggle = page.locator('button.filter-toggle');
  await toggle.click();
  assert.equal(await toggle.getAttribute('aria-expanded'), 'true');
  await page.locator('.more-filters select').first().waitFor({ state: 'visible' });
  await page.getByLabel('수업 방식').selectOption('online');
  await page.getByLabel('검색어').fill('AI');
  await page.getByRole('button', { name: '검색', exact: true }).click();
  await until(page, 'the results focused after the search',
    () => document.activeElement?.id === 'catalog-results');
  const box = await page.locator('#catalog-results').boundingBox();
  const bar = await page.locator('header.top').boundingBox();
  assert.ok(box && box.y >= bar.y + bar.height - 1 && box.y < 844 / 2,
    `the results heading is in the upper half of the screen, below the header (y ${box?.y}, header to ${bar.y + bar.height})`);
  // the first result is on the first screen too
  const first = await page.locator('.course-card').first().boundingBox();
  assert.ok(first.y + first.height <= 844, `the first result is on the screen (bottom at ${first.y + first.height})`);
  assert.match(await page.locator('button.filter-toggle').textContent(), /1/, 'the button counts the active filter');
  await shot(page, 'look-search-phone');
  assertClean(page);
  await context.close();
});

test('signed in on a phone, the header is one row; a learner lands on My courses', async () => {
  const { context } = await launch({ phone: true });
  const page = await newPage(context);
  await signIn(page, LEARNER);
  await until(page, 'the learner lands on #/my', () => location.hash === '#/my');
  const header = await page.locator('header.top').boundingBox();
  assert.ok(header.height <= 64, `the header is ${header.height}px high`);
  const brand = await page.locator('.brand').boundingBox();
  const lang = await page.locator('#lang').boundingBox();
  assert.ok(Math.abs(brand.y + brand.height / 2 - (lang.y + lang.height / 2)) < 8, 'brand and language switch on one row');
  assertClean(page);
  await context.close();
});

test('an instructor lands on the teaching page and an admin on the dashboard', async () => {
  for (const [email, hash] of [[INSTRUCTOR, '#/teach'], [ADMIN, '#/admin']]) {
    const { context } = await launch();
    const page = await newPage(context);
    await signIn(page, email);
    await until(page, `${email} lands on ${hash}`, (h) => location.hash === h, hash);
    assertClean(page);
    await context.close();
  }
});

test('a destructive dialog says what it does, and its safe choice has the focus', async () => {
  const { context } = await launch();
  const page = await newPage(context);
  await signIn(page, LEARNER);
  await page.goto('/#/my');
  await page.locator('table.my-enrolments button.danger').first().click();
  const dialog = page.locator('dialog.confirm[open]');
  await dialog.waitFor();
  assert.equal(await page.evaluate(() => document.activeElement.textContent), '돌아가기');
  assert.equal(await dialog.locator('button.danger').textContent(), '신청 취소하기');
  await shot(page, 'look-dialog');
  await page.keyboard.press('Enter');
  await dialog.waitFor({ state: 'detached' });
  assert.equal(sql(`SELECT status FROM enrollments WHERE user_id = ${ids.learner} AND section_id = ${ids.section}`), 'enrolled',
    'Enter on the focused choice goes back and cancels nothing');
  assertClean(page);
  await context.close();
});

