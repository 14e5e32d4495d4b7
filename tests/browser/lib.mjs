// lib.mjs - what every browser spec shares: Chromium, pages that record
// errors, SQL on the spec's scratch database, sign-in, screenshots, a runner.
//
// ctest runs each *.spec.mjs through tests/support/browser_driver.c, which
// gives it a seeded scratch database and a running lms in LMS_BASE_URL,
// LMS_TEST_DB and LMS_OUTPUT_DIR. A spec registers its cases with test() at
// top level; they run in order once the module has loaded. Every wait is
// bounded: Playwright's own timeouts (TIMEOUT_MS), never a sleep.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

function env(name) {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the browser tests through ctest`);
  return value;
}

export const BASE_URL = env('LMS_BASE_URL');
export const OUTPUT_DIR = env('LMS_OUTPUT_DIR');
export const DEMO_PASSWORD = 'demo-pass-2026';
export const TIMEOUT_MS = 10_000;
const CASE_TIMEOUT_MS = 90_000;
const CHROMIUM = '/usr/bin/chromium';
// As root Chromium needs --no-sandbox; without the background-networking
// flags it keeps dialling Google's hosts, which a closed network refuses.
// The server's certificate is a self-signed development one: without the
// flag Chromium still aborts some handshakes, which the server logs.
const CHROMIUM_ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  '--ignore-certificate-errors',
];
const origin = new URL(BASE_URL).origin;

let browser = null;
const pages = new Set();
const problems = new WeakMap();

// One Chromium per spec; each call gives a fresh context (own cookies and
// localStorage): a desktop window, or a phone with { phone: true }.
export async function launch({ phone = false } = {}) {
  if (!browser) {
    if (!existsSync(CHROMIUM)) {
      throw new Error(`${CHROMIUM} is missing: bash .ci/dev.sh test installs Debian's chromium`);
    }
    browser = await chromium.launch({
      executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, timeout: 3 * TIMEOUT_MS,
    });
  }
  const context = await browser.newContext({
    baseURL: BASE_URL,
    ignoreHTTPSErrors: true, // the server's development certificate
    locale: 'ko-KR',
    timezoneId: 'Asia/Seoul',
    viewport: phone ? { width: 390, height: 844 } : { width: 1280, height: 900 },
    ...(phone ? { isMobile: true, hasTouch: true, deviceScaleFactor: 2 } : {}),
  });
  context.setDefaultTimeout(TIMEOUT_MS);
  context.setDefaultNavigationTimeout(TIMEOUT_MS);
  return { browser, context };
}

// An API's 4xx answer (a visitor's 401, a refused form) is the page's to
// handle, and Chromium logs it as a console error: not a problem by itself.
function apiRefusal(message) {
  const url = message.location().url || '';
  return /^Failed to load resource: the server responded with a status of 4\d\d/.test(message.text())
    && url.startsWith(`${origin}/api/`);
}

// A page that records console errors, uncaught exceptions, our server's
// 5xx answers and failed requests, and Content-Security-Policy violations,
// for assertClean.
export async function newPage(context) {
  const page = await context.newPage();
  const seen = [];

  problems.set(page, seen);
  pages.add(page);
  page.on('close', () => pages.delete(page));
  page.on('console', (m) => {
    if (m.type() === 'error' && !apiRefusal(m)) seen.push(`console error: ${m.text()} (${m.location().url})`);
  });
  page.on('pageerror', (e) => seen.push(`uncaught: ${e.stack || e.message}`));
  page.on('response', (r) => {
    if (r.status() >= 500 && r.url().startsWith(origin)) {
      seen.push(`${r.request().method()} ${r.url()}: ${r.status()}`);
    }
  });
  page.on('requestfailed', (r) => {
    const why = r.failure()?.errorText || 'failed';
    // Aborted: the page moved on before the answer came; not a fault.
    if (r.url().startsWith(origin) && why !== 'net::ERR_ABORTED') {
      seen.push(`${r.method()} ${r.url()}: ${why}`);
    }
  });
  await page.exposeBinding('__lmsCspViolation', (_source, v) => {
    seen.push(`CSP violation: ${v.directive} blocked ${v.blocked || 'inline code'} (${v.source}:${v.line})`);
  });
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      window.__lmsCspViolation({
        directive: e.violatedDirective, blocked: e.blockedURI, source: e.sourceFile, line: e.lineNumber,
      });
    });
  });
  return page;
}

// Fails listing what the page recorded, but for messages matching allow.
export function assertClean(page, { allow = [] } = {}) {
  const left = (problems.get(page) || []).filter((p) => !allow.some((re) => re.test(p)));
  if (left.length) throw new Error(`${page.url()} is not clean:\n  ${left.join('\n  ')}`);
}

// Runs SQL on the spec's scratch database (as its superuser); returns the
// unaligned, tuples-only output without the final newline.
export function sql(query) {
  return execFileSync('psql', ['-X', '-A', '-t', '-q', '-v', 'ON_ERROR_STOP=1', '-d', env('LMS_TEST_DB'), '-c', query], {
    encoding: 'utf8', timeout: TIMEOUT_MS, stdio: ['ignore', 'pipe', 'pipe'],
  }).replace(/\n$/, '');
}

// One value from the scratch database: the query must answer.
export function sqlOne(query) {
  const v = sql(query).trim();
  if (v === '') throw new Error(`no answer from: ${query}`);
  return v;
}

// page.waitForFunction whose timeout says what was awaited.
export async function until(page, what, fn, arg) {
  try {
    await page.waitForFunction(fn, arg);
  } catch (e) {
    throw new Error(`${what}: ${e.message.split('\n')[0]}`);
  }
}

// Signs in through the sign-in form at #/login (labels and button in either
// language) and waits for the answer and for the app to leave #/login.
export async function signIn(page, email, password = DEMO_PASSWORD) {
  await page.goto('/#/login');
  const passwordField = page.getByLabel(/비밀번호|Password/);
  await passwordField.first().waitFor();
  const forms = page.locator('form').filter({ has: passwordField });
  const scope = (await forms.count()) === 1 ? forms : page;
  await scope.getByLabel(/이메일|Email/).fill(email);
  await scope.getByLabel(/비밀번호|Password/).fill(password);
  const answer = page.waitForResponse((r) => r.request().method() === 'POST'
    && new URL(r.url()).pathname === '/api/v1/auth/login');
  await scope.getByRole('button', { name: /로그인|Sign in/ }).click();
  const r = await answer;
  if (r.status() !== 200) throw new Error(`sign-in as ${email}: ${r.status()} ${await r.text()}`);
  await until(page, `leaving #/login after signing in as ${email}`, () => !location.hash.startsWith('#/login'));
}

// Presses Tab (at most `presses` times) until locator has the focus. The
// locator is looked up again after each press: a view that renders its
// header anew replaces the element a handle taken once would still name.
export async function tabTo(page, locator, presses = 40) {
  for (let i = 0; i < presses; i++) {
    await page.keyboard.press('Tab');
    if (await locator.evaluate((el) => el === document.activeElement)) return;
  }
  throw new Error(`${presses} presses of Tab never reached ${locator}`);
}

// Fails unless the focused element shows a focus ring: :focus-visible with
// a visible outline or box-shadow.
export async function assertFocusVisible(page) {
  const f = await page.evaluate(() => {
    const el = document.activeElement;
    const s = getComputedStyle(el);
    return {
      what: `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}`,
      visible: el.matches(':focus-visible'),
      outline: s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0 ? `${s.outlineWidth} ${s.outlineStyle}` : '',
      shadow: s.boxShadow !== 'none' ? s.boxShadow : '',
    };
  });
  if (!f.visible || !(f.outline || f.shadow)) {
    throw new Error(`${f.what} has the focus but no visible focus ring (:focus-visible ${f.visible}, outline "${f.outline}", box-shadow "${f.shadow}")`);
  }
}

// The WCAG 2.0 and 2.1 rules, levels A and AA, that axe-core checks, and
// its rules on a page's structure beyond them: headings in order, one h1,
// the landmarks, tables with headers, unique ids, no positive tabindex.
const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];
const STRUCTURE_RULES = ['heading-order', 'page-has-heading-one', 'empty-heading', 'empty-table-header',
  'landmark-one-main', 'landmark-unique', 'landmark-no-duplicate-banner', 'landmark-no-duplicate-contentinfo',
  'landmark-no-duplicate-main', 'landmark-banner-is-top-level', 'landmark-contentinfo-is-top-level',
  'landmark-main-is-top-level', 'region', 'aria-dialog-name', 'td-has-header', 'scope-attr-valid',
  'table-duplicate-name', 'duplicate-id', 'tabindex'];
let axeSource = null;

// Runs axe-core on the page as it is and returns its violations. The page's
// CSP refuses injected <script> tags; DevTools evaluation is not subject to
// it, so axe's source is evaluated in the page (once per document).
export async function axeViolations(page) {
  axeSource ??= readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
  if (!(await page.evaluate(() => typeof window.axe === 'object'))) await page.evaluate(axeSource);
  return page.evaluate(async ({ tags, rules }) => {
    const r = await window.axe.run(document, {
      runOnly: { type: 'tag', values: tags },
      rules: Object.fromEntries(rules.map((id) => [id, { enabled: true }])),
      resultTypes: ['violations'],
    });
    return r.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.map((n) => ({
        target: n.target.join(' '),
        summary: (n.failureSummary || '').split('\n').slice(1).map((l) => l.trim()).filter(Boolean).join('; '),
      })),
    }));
  }, { tags: WCAG_TAGS, rules: STRUCTURE_RULES });
}

// Fails listing every violation of those rules axe-core finds on the page:
// rule, impact, the elements (CSS selectors) and what is wrong with each.
export async function assertAccessible(page, label) {
  const found = await axeViolations(page);
  if (!found.length) return;
  const lines = found.flatMap((v) => [`${v.id} (${v.impact}): ${v.help}`,
    ...v.nodes.map((n) => `    ${n.target}${n.summary ? ` - ${n.summary}` : ''}`)]);
  throw new Error(`${label} (${page.url()}) has ${found.length} accessibility violation(s):\n  ${lines.join('\n  ')}`);
}

// Saves a full-page PNG as LMS_OUTPUT_DIR/<name>.png; returns its path.
// It shows the page as it is: wait for what the picture should show first
// (a fetch whose body the page never reads keeps "networkidle" from coming).
export async function shot(page, name) {
  const path = join(OUTPUT_DIR, `${name}.png`);
  await page.screenshot({ path, fullPage: true, animations: 'disabled' });
  return path;
}

async function closeAll() {
  if (browser) await browser.close().catch(() => {});
  browser = null;
}

function bounded(name, fn) {
  let timer;
  const limit = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`still running after ${CASE_TIMEOUT_MS} ms`)), CASE_TIMEOUT_MS);
  });
  return Promise.race([Promise.resolve().then(fn), limit]).finally(() => clearTimeout(timer));
}

const cases = [];

// Registers a case; the cases run in order and the first failure ends the
// spec, after a screenshot of every open page (failed-<n>-<i>.png) and a
// list of what each recorded for assertClean.
export function test(name, fn) {
  if (!cases.length) setImmediate(run);
  cases.push({ name, fn });
}

async function run() {
  let n = 0;
  for (const c of cases) {
    const started = performance.now();
    n++;
    try {
      await bounded(c.name, c.fn);
    } catch (e) {
      console.log(`not ok ${n} - ${c.name}`);
      console.log(String(e.stack || e).split('\n').map((l) => `# ${l}`).join('\n'));
      let i = 0;
      for (const page of pages) {
        const path = join(OUTPUT_DIR, `failed-${n}-${++i}.png`);
        await page.screenshot({ path, fullPage: true, timeout: TIMEOUT_MS })
          .then(() => console.log(`# screenshot of ${page.url()}: ${path}`), () => {});
        // What the page itself recorded often says why it never got there.
        for (const p of problems.get(page) || []) console.log(`#   ${p.split('\n')[0]}`);
      }
      console.log(`1..${n}`);
      await closeAll();
      process.exit(1);
    }
    console.log(`ok ${n} - ${c.name} (${Math.round(performance.now() - started)} ms)`);
  }
  console.log(`1..${n}`);
  await closeAll();
}
