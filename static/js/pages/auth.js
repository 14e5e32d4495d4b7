// auth.js - sign in (#/login) and sign up (#/register). Both return to the
// page that sent the visitor here (?next=), else to where the account's
// work is: an admin's institution dashboard, an instructor's teaching page,
// a learner's courses.

import { h, replace, field, formValues } from '../dom.js';
import { register, t, lang, pick } from '../i18n.js';
import { get, getAll, post, signIn, isAdmin, isInstructor } from '../api.js';
import { heading, messageBox, showError, showMessage, busy } from '../ui.js';
import S, { STAGES } from '../strings/learner.js';
import A from '../strings/accounts.js';
import M from '../strings/mail.js';

register(S);
register(A);
register(M);

// The server names bad fields in English; the usual ones are said in the
// reader's language, anything else is shown as the server wrote it.
const FIELD_MESSAGES = [
  [/^must be at least 10 characters/, 'auth.err.short'],
  [/^must not be your email/, 'auth.err.isEmail'],
  [/^is too common/, 'auth.err.common'],
  [/^must (have one @|end in a domain|be 3 to 254)/, 'auth.err.email'],
  [/^must not be empty/, 'auth.err.empty'],
  [/^must be at most 100 characters/, 'auth.err.nameLong'],
  [/^must be one of /, 'auth.err.choose'],
  [/^must be true: the required items/, 'consent.needed'],
];


function localise(err) {
  err.errors = (err.errors || []).map((e) => {
    const hit = FIELD_MESSAGES.find(([re]) => re.test(e.message || ''));
    return hit ? { ...e, message: t(hit[1]) } : e;
  });
  return err;
}

// Only a route of this app is a place to return to.
function nextPath(query) {
  const next = query.get('next') || '';
  if (/^\/(?![/\\])/.test(next) && !next.startsWith('/login') && !next.startsWith('/register')) return next;
  return landing();
}

// Where a sign-in without a destination goes, by the account's roles.
function landing() {
  if (isAdmin()) return '/admin';
  if (isInstructor()) return '/teach';
  return '/my';
}

function failed(box, err, form) {
  // A refused sign-in is a wrong email or password, not "sign in first".
  if (err.code === 'unauthenticated' && form.elements.password && !form.elements.display_name) {
    showMessage(box, h('p', {}, t('auth.wrongPassword')), 'error');
    form.elements.password.select();
    return;
  }
  if (err.code === 'too_many_attempts' && err.retryAfter) {
    showMessage(box, h('p', {}, t('auth.tooMany', { minutes: Math.ceil(err.retryAfter / 60) })), 'error');
    return;
  }
  showError(box, localise(err), form);
}

// Sends the form with send(values), then goes where the visitor was headed.
function onSubmit(form, { query, navigate }, send) {
  const box = form.querySelector('.message');
  const submit = form.querySelector('button[type="submit"]');
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    busy(submit, async () => {
      try {
        await send(formValues(form));
        navigate(nextPath(query));
      } catch (err) {
        failed(box, err, form);
      }
    });
  });
}

// "No account yet? Sign up" and back, keeping where to return to.
function otherWay(path, question, label, next) {
  return h('p', {}, t(question), ' ',
    h('a', { href: `#${path}${next ? `?next=${encodeURIComponent(next)}` : ''}` }, t(label)));
}

function loginForm(ctx) {
  const form = h('form', { class: 'stack', novalidate: true },
    messageBox(),
    field('email', t('field.email'), { type: 'email', autocomplete: 'username', required: true }),
    field('password', t('field.password'), { type: 'password', autocomplete: 'current-password', required: true }),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, t('auth.signIn'))));
  onSubmit(form, ctx, (v) => signIn((v.email || '').trim(), v.password || ''));
  const next = ctx.query.get('next');
  return [
    heading(t('auth.loginTitle')),
    next ? h('p', {}, t('app.signInNeeded')) : null,
    form,
    h('p', {}, h('a', { href: '#/forgot-password' }, t('mail.forgotLink'))),
    otherWay('/register', 'auth.noAccount', 'auth.toRegister', next),
  ];
}

// The privacy notice (its text from static/privacy/, its version and items
// from the server) with a box per item: the required one and, apart, the
// optional ones.
async function consentBlock() {
  const notice = await get('/api/v1/privacy-notice').catch(() => null);
  if (!notice) return { el: null, notice: null };
  const text = await fetch(notice.text[lang()] || notice.text.ko).then((r) => (r.ok ? r.text() : '')).catch(() => '');
  const box = (item) => {
    const id = `consent-${item.code}`;
    return h('div', { class: 'field consent', dataset: { field: item.required ? 'consent_required' : `consent_${item.code}` } },
      h('input', { type: 'checkbox', id, name: `consent_${item.code}`, 'aria-describedby': `${id}-hint` }),
      h('label', { for: id }, t(`consent.${item.code}`)),
      h('p', { class: 'hint', id: `${id}-hint` }, ''));
  };
  const el = h('fieldset', { class: 'consents' },
    h('legend', {}, t('consent.legend')),
    h('details', { open: true }, h('summary', {}, t('consent.notice'), ' · ', t('consent.version', { version: notice.version })),
      h('pre', { class: 'notice', tabindex: '0' }, text)),
    notice.items.map(box));
  return { el, notice };
}

async function registerForm(ctx) {
  const institutions = await getAll('/api/v1/institutions').catch(() => []);
  const consent = await consentBlock();
  const form = h('form', { class: 'stack', novalidate: true },
    messageBox(),
    field('email', t('field.email'), { type: 'email', autocomplete: 'email', required: true, maxlength: 254 }),
    field('password', t('field.password'), {
      type: 'password', autocomplete: 'new-password', required: true, hint: t('auth.passwordRules'),
    }),
    field('display_name', t('field.display_name'), { autocomplete: 'name', required: true, maxlength: 100 }),
    field('ladder_stage', t('field.ladder_stage'), { required: true, hint: t('auth.stageHint') },
      [{ value: '', label: t('auth.choose') }, ...STAGES.map((s) => ({ value: s, label: t(`stage.${s}`) }))]),
    field('affiliation_institution_id', t('auth.affiliation'), { hint: t('auth.affiliationHint') },
      [{ value: '', label: t('auth.noAffiliation') },
        ...institutions.map((i) => ({ value: String(i.id), label: pick(i, 'name') }))]),
    consent.el,
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, t('auth.register'))));
  onSubmit(form, ctx, async (v) => {
    const body = {
      email: (v.email || '').trim(),
      password: v.password || '',
      display_name: (v.display_name || '').trim(),
      ladder_stage: v.ladder_stage || '',
      locale: lang(),
    };
    if (v.affiliation_institution_id) body.affiliation_institution_id = Number(v.affiliation_institution_id);
    if (consent.notice) {
      body.consent_version = consent.notice.version;
      body.consent_required = !!v.consent_service;
      body.consent_optional = consent.notice.items.filter((i) => !i.required && v[`consent_${i.code}`]).map((i) => i.code);
    }
    await post('/api/v1/auth/register', body);
    await signIn(body.email, body.password);
  });
  return [
    heading(t('auth.registerTitle')),
    h('p', {}, t('auth.registerIntro')),
    form,
    otherWay('/login', 'auth.haveAccount', 'auth.toLogin', ctx.query.get('next')),
  ];
}

export default async function render(ctx) {
  if (ctx.user) {
    replace(ctx.view, heading(t(ctx.path === '/register' ? 'auth.registerTitle' : 'auth.loginTitle')),
      h('p', {}, t('auth.already', { name: ctx.user.display_name })),
      h('p', {}, h('a', { href: '#/my' }, t('nav.my'))));
    return;
  }
  replace(ctx.view, ctx.path === '/register' ? await registerForm(ctx) : loginForm(ctx));
}
