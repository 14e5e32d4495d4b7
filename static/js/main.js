// main.js - the front end's frame: hash routes to views, the menu for the
// signed-in user's roles, the language switch and the service status line.

import { h, replace } from './dom.js';
import { register, t, lang, setLang, onLangChange } from './i18n.js';
import { loadSession, onSession, currentUser, signOut, isInstructor, isAdmin } from './api.js';
import { heading, errorText, toast, clearToast, skeleton } from './ui.js';
import common from './strings/common.js';
import mail from './strings/mail.js';
import { verifyBanner } from './pages/verify_email.js';

register(common);
register(mail);

// path pattern, module (default export render(ctx)), who may open it:
// 'user' (signed in), 'instructor', 'admin' (institution or platform admin).
const routes = [
  ['/', './pages/catalog.js'],
  ['/courses/:id', './pages/course.js'],
  ['/login', './pages/auth.js'],
  ['/register', './pages/auth.js'],
  ['/my', './pages/my.js', 'user'],
  ['/my/calendar', './pages/my_calendar.js', 'user'],
  ['/my/certificates', './pages/my_certificates.js', 'user'],
  ['/verify', './pages/verify.js'],
  ['/verify/:serial', './pages/verify.js'],
  ['/my/invitations', './pages/invitations.js', 'user'],
  ['/lessons/:id', './pages/lesson.js', 'user'],
  ['/quizzes/:id', './pages/quiz.js', 'user'],
  ['/assignments/:id', './pages/assignment.js', 'user'],
  ['/videos/:id', './pages/video.js', 'user'],
  ['/teach/assignments/:id', './pages/grading.js', 'instructor'],
  ['/teach', './pages/teach.js', 'instructor'],
  ['/teach/week', './pages/teach_week.js', 'instructor'],
  ['/teach/sections/:id', './pages/section.js', 'user'],
  ['/teach/sections/:id/grades', './pages/gradebook.js', 'user'],
  ['/my/enrollments/:id', './pages/checklist.js', 'user'],
  ['/teach/sessions/:id', './pages/attendance.js', 'user'],
  ['/teach/courses/:id', './pages/teach_course.js', 'user'],
  ['/admin', './pages/admin.js', 'admin'],
  ['/admin/courses', './pages/admin_courses.js', 'admin'],
  ['/admin/courses/new', './pages/admin_course.js', 'admin'],
  ['/admin/courses/:id', './pages/admin_course.js', 'admin'],
  ['/admin/applications', './pages/applications.js', 'admin'],
  ['/admin/tokens', './pages/tokens.js', 'admin'],
  ['/admin/instructors', './pages/instructors.js', 'admin'],
  ['/admin/instructors/:id/week', './pages/instructor_week.js', 'admin'],
  ['/admin/reports', './pages/reports.js', 'admin'],
  ['/profile', './pages/profile.js', 'user'],
  ['/invitations', './pages/profile.js', 'user'],
  ['/email/confirm', './pages/email_confirm.js'],
  ['/admin/people', './pages/admin_people.js', 'admin'],
  ['/admin/affiliation', './pages/admin_affiliation.js', 'admin'],
  ['/admin/mail', './pages/admin_mail.js', 'admin'], // platform admins: the page says so to others
  ['/forgot-password', './pages/forgot.js'],
  ['/reset-password', './pages/reset.js'],
  ['/verify-email', './pages/verify_email.js'],
  ['/notifications', './pages/notifications.js', 'user'],
  ['/admin/sections/:id/enrol', './pages/bulk_enrol.js', 'admin'],
  ['/intakes/:id', './pages/selection_apply.js'],
  ['/my/applications', './pages/selection_apply.js', 'user'],
  ['/admin/intakes', './pages/admin_intakes.js', 'admin'],
  ['/admin/intakes/:id', './pages/admin_intakes.js', 'user'], // reviewers too: the server decides
].map(([pattern, module, need]) => ({
  pattern,
  module,
  need,
  re: new RegExp(`^${pattern.replace(/:(\w+)/g, '(?<$1>[^/]+)')}$`),
}));

const view = document.getElementById('view');
let renderSeq = 0;

/** Goes to a hash route, e.g. navigate('/courses/3', {q: 'x'}). */
export function navigate(path, query) {
  const q = query ? new URLSearchParams(Object.entries(query).filter(([, v]) => v !== '' && v != null)).toString() : '';
  const target = `#${path}${q ? `?${q}` : ''}`;
  if (location.hash === target) route();
  else location.hash = target;
}

// A typed or pasted address may hold a broken %-escape: it is then taken
// as it stands (and matches no route) rather than stopping the page.
function decoded(s, decode) {
  try {
    return decode(s);
  } catch {
    return s;
  }
}

function parseHash() {
  const raw = location.hash.replace(/^#/, '') || '/';
  const [path, qs] = raw.split('?');
  return { path: decoded(path, decodeURI) || '/', query: new URLSearchParams(qs || '') };
}

function allowed(need) {
  if (!need) return true;
  if (!currentUser()) return false;
  if (need === 'instructor') return isInstructor() || isAdmin();
  if (need === 'admin') return isAdmin();
  return true;
}

// A view that waits on the API longer than this shows a skeleton of
// itself; a quicker one goes straight from the old view to the new.
const SKELETON_AFTER_MS = 120;

async function route({ keepFocus = false } = {}) {
  const seq = ++renderSeq;
  const { path, query } = parseHash();
  // Until the new view is drawn (focusView), the old one is out of date.
  view.setAttribute('aria-busy', 'true');
  if (!keepFocus) clearToast({ olderThanMs: 1500 });
  const slow = keepFocus ? null : setTimeout(() => {
    if (seq === renderSeq) replace(view, skeleton(path === '/' ? 'cards' : 'page'));
  }, SKELETON_AFTER_MS);
  const match = routes.find((r) => r.re.test(path));
  renderNav();
  if (!match) {
    replace(view, heading(t('app.notFoundTitle')), h('p', {}, t('app.notFound')),
      h('p', {}, h('a', { href: '#/' }, t('app.home'))));
    clearTimeout(slow);
    focusView(keepFocus);
    return;
  }
  if (match.need && !currentUser()) {
    clearTimeout(slow);
    navigate('/login', { next: location.hash.replace(/^#/, '') });
    return;
  }
  if (!allowed(match.need)) {
    clearTimeout(slow);
    replace(view, heading(t('app.forbidden')), h('p', {}, h('a', { href: '#/' }, t('app.home'))));
    focusView(keepFocus);
    return;
  }
  const params = Object.fromEntries(Object.entries(match.re.exec(path).groups || {})
    .map(([k, v]) => [k, decoded(v, decodeURIComponent)]));
  try {
    const mod = await import(match.module);
    if (seq !== renderSeq) return;
    const frame = h('div', { class: 'page' });
    // A view may name what takes the focus once it is drawn (ctx.focus),
    // e.g. the results after a search; else its heading does. A view that
    // draws part of itself in a later task says so with a promise
    // (ctx.drawing): #view stays aria-busy until it is done.
    const ctx = { view: frame, params, query, path, navigate, user: currentUser(), stale: () => seq !== renderSeq, focus: null, drawing: null };
    await mod.default(ctx);
    if (seq !== renderSeq) return;
    // Until the address is confirmed, every page says so (and offers a new message).
    if (match.pattern !== '/verify-email') frame.prepend(verifyBanner(currentUser()) || '');
    replace(view, frame);
    clearTimeout(slow);
    focusView(keepFocus, ctx.focus, !!ctx.drawing);
    if (ctx.drawing) {
      await ctx.drawing;
      if (seq === renderSeq) view.removeAttribute('aria-busy');
    }
  } catch (err) {
    if (seq !== renderSeq) return;
    console.error(err);
    replace(view, heading(t('error.unknown')), h('p', { role: 'alert' }, errorText(err)));
    focusView(keepFocus);
  } finally {
    clearTimeout(slow);
  }
}

// After a route change the new view starts at the top and the focus moves
// to its heading (or to what the view named) so screen readers announce
// it; a language switch keeps the reader where it was.
function focusView(keep, target, stillDrawing = false) {
  if (!stillDrawing) view.removeAttribute('aria-busy');
  if (keep) return;
  const el = target || view.querySelector('h1') || view;
  if (!target) window.scrollTo(0, 0);
  el.focus({ preventScroll: true });
  if (target) el.scrollIntoView({ block: 'start' });
}

function navLink(href, key) {
  const { path } = parseHash();
  const here = href === '#/' ? path === '/' || path.startsWith('/courses') : `#${path}`.startsWith(href);
  return h('a', { href, 'aria-current': here ? 'page' : null }, t(key));
}

function renderNav() {
  const nav = document.getElementById('nav');
  nav.setAttribute('aria-label', t('app.nav'));
  const me = currentUser();
  const items = [navLink('#/', 'nav.catalog')];
  if (me) {
    items.push(navLink('#/my', 'nav.my'));
    if (isInstructor()) items.push(navLink('#/teach', 'nav.teach'));
    if (isAdmin()) items.push(navLink('#/admin', 'nav.admin'));
    items.push(navLink('#/profile', 'nav.profile'));
    items.push(h('span', { class: 'who' }, t('nav.signedInAs', { name: me.display_name })));
    items.push(h('button', { type: 'button', id: 'logout', onclick: onSignOut }, t('nav.logout')));
  } else {
    items.push(navLink('#/login', 'nav.login'), navLink('#/register', 'nav.register'));
  }
  const list = h('ul', { id: 'nav-list' }, items.map((i) => h('li', {}, i)));
  // On a phone a signed-in user's links fold behind one button (app.css
  // shows it only there): a disclosure, closed again by Escape, by a
  // click or the focus leaving it, and by every route change.
  nav.classList.toggle('signed-in', !!me);
  nav.closest('header').classList.toggle('signed-in', !!me);
  nav.classList.remove('open');
  const toggle = me ? h('button', {
    type: 'button', class: 'menu-toggle', 'aria-expanded': 'false', 'aria-controls': 'nav-list',
    onclick: () => openMenu(nav, toggle, !nav.classList.contains('open')),
  }, h('span', { class: 'menu-icon', 'aria-hidden': 'true' }), t('nav.menu')) : null;
  replace(nav, toggle, list);
}

function openMenu(nav, toggle, open) {
  nav.classList.toggle('open', open);
  toggle.setAttribute('aria-expanded', String(open));
}

function closeMenu({ refocus = false } = {}) {
  const nav = document.getElementById('nav');
  const toggle = nav.querySelector('.menu-toggle');
  if (!toggle || !nav.classList.contains('open')) return;
  openMenu(nav, toggle, false);
  if (refocus) toggle.focus();
}

async function onSignOut() {
  hadSession = false;
  await signOut().catch(() => {});
  navigate('/');
}

function renderFrame() {
  document.documentElement.lang = lang();
  for (const el of document.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
  const button = document.getElementById('lang');
  button.textContent = t('app.switchTo');
  button.setAttribute('lang', lang() === 'ko' ? 'en' : 'ko');
  button.setAttribute('aria-label', t('app.switchLabel'));
  renderStatus();
}

let ready = null;
function renderStatus() {
  const el = document.getElementById('status');
  el.textContent = t(ready === null ? 'app.checking' : ready ? 'app.ready' : 'app.notReady');
  el.className = ready === null ? '' : ready ? 'ok' : 'bad';
}

async function checkStatus() {
  try {
    const res = await fetch('/readyz', { headers: { Accept: 'application/json' } });
    await res.text();
    ready = res.ok;
  } catch {
    ready = false;
  }
  renderStatus();
}

document.getElementById('lang').addEventListener('click', () => setLang(lang() === 'ko' ? 'en' : 'ko'));
// The skip link's #view would be taken for a route: it moves the focus to
// the view's heading itself.
document.querySelector('.skip').addEventListener('click', (e) => {
  e.preventDefault();
  (view.querySelector('h1') || view).focus();
});
onLangChange(() => {
  renderFrame();
  route({ keepFocus: true });
});
let hadSession = false;
onSession((me) => {
  if (hadSession && !me) toast(t('app.sessionEnded'));
  hadSession = !!me;
  renderNav();
});
window.addEventListener('hashchange', () => route());
document.addEventListener('keydown', (e) => {
  if (e.key === 'Escape' && document.getElementById('nav').contains(document.activeElement)) closeMenu({ refocus: true });
});
document.addEventListener('click', (e) => {
  if (!document.getElementById('nav').contains(e.target)) closeMenu();
});
document.getElementById('nav').addEventListener('focusout', (e) => {
  if (e.relatedTarget && !document.getElementById('nav').contains(e.relatedTarget)) closeMenu();
});

renderFrame();
checkStatus();
// The first view's module loads while the session is asked for: the two
// round trips overlap instead of following each other (route() then finds
// the module loaded).
const firstRoute = routes.find((r) => r.re.test(parseHash().path));
if (firstRoute) import(firstRoute.module).catch(() => {});
loadSession().catch(() => null).then(() => route());
