// The API client of the dashboard. Identity per auth mode (docs/dashboard.md):
//  gateway: nothing is added; the gateway in front adds X-User-ID to every request;
//  jwt:     the token typed once is kept in sessionStorage (this tab only) and sent as a header;
//  local:   the user id typed once is kept in sessionStorage and sent as X-User-ID.
// Secrets (token, internal secret) only ever go into request headers, never into a URL.
const store = window.sessionStorage;
const KEYS = { jwt: 'task.jwt', user: 'task.localUser', internal: 'task.internalSecret' };

export const session = { mode: 'gateway', gatewayUser: null, version: '' };

export class ApiError extends Error {
  constructor(status, body) {
    const detail = body && typeof body === 'object' ? body.detail : body;
    super(typeof detail === 'string' ? detail : `HTTP ${status}`);
    this.status = status;
    this.body = body;
  }

  /** The 422 field errors [{loc, msg, type}], or []. */
  get fieldErrors() {
    return this.body && Array.isArray(this.body.detail) ? this.body.detail : [];
  }
}

function headers(internal) {
  const h = { Accept: 'application/json' };
  if (session.mode === 'jwt' && store.getItem(KEYS.jwt)) h.Authorization = `Bearer ${store.getItem(KEYS.jwt)}`;
  if (session.mode === 'local' && store.getItem(KEYS.user)) h['X-User-ID'] = store.getItem(KEYS.user);
  if (internal && store.getItem(KEYS.internal)) {
    h['X-Internal-Service'] = 'true';
    h['X-Internal-Service-Secret'] = store.getItem(KEYS.internal);
  }
  return h;
}

/** Reads the page settings (auth mode, the gateway's user) from the server. */
export async function loadConfig() {
  const r = await fetch('config.json', { headers: { Accept: 'application/json' }, cache: 'no-store' });
  const c = await r.json();
  session.mode = c.auth;
  session.gatewayUser = c.user_id;
  session.version = c.version;
}

/** The current user id as far as the page knows (the JWT's user is known after a call). */
export function currentUser() {
  if (session.mode === 'local') return store.getItem(KEYS.user);
  if (session.mode === 'gateway') return session.gatewayUser;
  return session.jwtUser || null;
}

export function hasIdentity() {
  if (session.mode === 'local') return !!store.getItem(KEYS.user);
  if (session.mode === 'jwt') return !!store.getItem(KEYS.jwt);
  return !!session.gatewayUser;
}

export function signIn(value) {
  if (session.mode === 'local') store.setItem(KEYS.user, value);
  if (session.mode === 'jwt') store.setItem(KEYS.jwt, value);
}

export function signOut() {
  store.removeItem(KEYS.jwt);
  store.removeItem(KEYS.user);
  store.removeItem(KEYS.internal);
  session.jwtUser = null;
}

export function setInternalSecret(secret) {
  if (secret) store.setItem(KEYS.internal, secret);
  else store.removeItem(KEYS.internal);
}

export function hasInternalSecret() {
  return !!store.getItem(KEYS.internal);
}

/**
 * Calls the API. `path` starts with / and is under /api/v1 unless `raw` (e.g. /metrics).
 * Returns {data, headers, status}; throws ApiError for a non-2xx answer.
 */
export async function api(method, path, { body, query, internal = false, raw = false } = {}) {
  let url = (raw ? '..' : '../api/v1') + path;
  if (query) {
    const q = query instanceof URLSearchParams ? query : new URLSearchParams(Object.entries(query).filter(([, v]) => v !== undefined && v !== null && v !== ''));
    const text = q.toString();
    if (text) url += `?${text}`;
  }
  const h = headers(internal);
  if (body !== undefined) h['Content-Type'] = 'application/json';
  const r = await fetch(url, {
    method, headers: h, body: body === undefined ? undefined : JSON.stringify(body), cache: 'no-store', credentials: 'same-origin',
  });
  const type = r.headers.get('Content-Type') || '';
  const data = type.includes('json') ? await r.json() : await r.text();
  if (!r.ok) throw new ApiError(r.status, data);
  if (session.mode === 'jwt' && data && typeof data === 'object' && typeof data.user_id === 'string') session.jwtUser = data.user_id;
  return { data, headers: r.headers, status: r.status };
}
