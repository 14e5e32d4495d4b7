// api.js - the JSON API from the browser: the session cookie goes along by
// itself; every change also sends the CSRF token the server handed out at
// sign-in (and on GET /api/v1/me). Errors become ApiError from problem+json.

import { lang } from './i18n.js';

let csrfToken = null;
let me = null;
const sessionListeners = new Set();

export class ApiError extends Error {
  constructor(status, problem) {
    super(problem?.detail || problem?.title || `HTTP ${status}`);
    this.status = status;
    this.code = problem?.code || (status === 0 ? 'network' : `http_${status}`);
    this.errors = problem?.errors || [];
    this.problem = problem || {};
  }
}

function emitSession() {
  for (const fn of sessionListeners) fn(me);
}

/** Called with the user (or null) whenever the session starts or ends. */
export function onSession(fn) {
  sessionListeners.add(fn);
}

/** The signed-in user with roles, or null. */
export function currentUser() {
  return me;
}

// Whether this browser had a session when last seen: a visitor's first
// page then skips asking the server (which would answer 401).
const HINT = 'signedIn';

function setSession(user, csrf) {
  me = user;
  csrfToken = csrf || null;
  if (user) localStorage.setItem(HINT, '1');
  else localStorage.removeItem(HINT);
  emitSession();
}

/**
 * request('POST', '/api/v1/...', {json: {...}}) -> parsed JSON, text, or null (204).
 * Options: json (body to send as JSON), body + type (raw body, e.g. a File),
 * headers, accept ('json' | 'text').
 */
export async function request(method, path, opts = {}) {
  const headers = { Accept: 'application/json', 'Accept-Language': lang(), ...(opts.headers || {}) };
  let body;
  if (opts.json !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(opts.json);
  } else if (opts.body !== undefined) {
    headers['Content-Type'] = opts.type || 'application/octet-stream';
    body = opts.body;
  }
  if (method !== 'GET' && method !== 'HEAD' && csrfToken) headers['X-CSRF-Token'] = csrfToken;
  let res;
  try {
    res = await fetch(path, { method, headers, body, credentials: 'same-origin', cache: 'no-cache' });
  } catch {
    throw new ApiError(0, null);
  }
  const type = res.headers.get('Content-Type') || '';
  if (!res.ok) {
    let problem = null;
    if (type.includes('json')) problem = await res.json().catch(() => null);
    const err = new ApiError(res.status, problem);
    if (res.status === 429 || res.status === 503) err.retryAfter = Number(res.headers.get('Retry-After')) || null;
    // A session that ended on the server (idle, signed out elsewhere).
    if (res.status === 401 && me && !path.endsWith('/auth/login')) setSession(null, null);
    throw err;
  }
  if (res.status === 204) return null;
  if (type.includes('json')) return res.json();
  return res.text();
}

/** The session's CSRF token, for a request fetch() cannot make (an upload with progress). */
export const csrf = () => csrfToken;

export const get = (path) => request('GET', path);
export const post = (path, json) => request('POST', path, { json });
export const patch = (path, json) => request('PATCH', path, { json });
export const put = (path, json) => request('PUT', path, { json });
export const del = (path) => request('DELETE', path);

/** Path with a query string from an object (empty values left out). */
export function withQuery(path, params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params || {}))
    if (v !== undefined && v !== null && v !== '' && v !== false) q.set(k, String(v));
  const s = q.toString();
  return s ? `${path}?${s}` : path;
}

/** Every item of a paged list (bounded: at most `max` items). */
export async function getAll(path, params = {}, max = 1000) {
  const items = [];
  let cursor = null;
  do {
    const page = await get(withQuery(path, { ...params, limit: 100, cursor }));
    items.push(...page.items);
    cursor = page.next_cursor;
  } while (cursor && items.length < max);
  return items;
}

/** Asks the server who is signed in (null for a visitor). */
export async function loadSession() {
  if (!localStorage.getItem(HINT)) {
    setSession(null, null);
    return me;
  }
  try {
    const u = await get('/api/v1/me');
    const { csrf_token: csrf, ...user } = u;
    setSession(user, csrf);
  } catch (e) {
    if (e.status !== 401) throw e;
    setSession(null, null);
  }
  return me;
}

export async function signIn(email, password) {
  const r = await post('/api/v1/auth/login', { email, password });
  setSession(r.user, r.csrf_token);
  return r.user;
}

export async function signOut() {
  try {
    await post('/api/v1/auth/logout');
  } finally {
    setSession(null, null);
  }
}

// Roles of the signed-in user.
export function hasRole(role, institutionId) {
  return !!me?.roles?.some((r) => r.role === role &&
    (institutionId === undefined || r.institution_id === institutionId));
}

export const isPlatformAdmin = () => hasRole('platform_admin');
export const isInstructor = () => hasRole('instructor');

/** Institution ids the user administers ([] for none); platform admins: null (all). */
export function adminInstitutions() {
  if (isPlatformAdmin()) return null;
  return (me?.roles || []).filter((r) => r.role === 'institution_admin').map((r) => r.institution_id);
}

export const isAdmin = () => isPlatformAdmin() || hasRole('institution_admin');
