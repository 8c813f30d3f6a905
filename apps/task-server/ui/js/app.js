// The dashboard's entry: reads the page settings, renders the session box and routes
// #/path?query to a view. Each view renders into <main> and may return a cleanup function.
import { loadConfig, session, hasIdentity, signIn, signOut, currentUser, api } from './api.js';
import { h, mount, field } from './dom.js';
import * as tasks from './views/tasks.js';
import * as form from './views/form.js';
import * as detail from './views/detail.js';
import * as analytics from './views/analytics.js';
import * as templates from './views/templates.js';
import * as operator from './views/operator.js';

const main = document.getElementById('main');
let cleanup = null;

const routes = [
  [/^\/tasks\/new$/, 'tasks', (m, q) => form.render(main, { query: q })],
  [/^\/tasks\/([^/]+)\/edit$/, 'tasks', (m) => form.render(main, { taskId: decodeURIComponent(m[1]) })],
  [/^\/tasks\/([^/]+)$/, 'tasks', (m) => detail.render(main, decodeURIComponent(m[1]))],
  [/^\/tasks$/, 'tasks', (m, q) => tasks.render(main, q)],
  [/^\/analytics$/, 'analytics', (m, q) => analytics.render(main, q)],
  [/^\/templates$/, 'templates', () => templates.render(main)],
  [/^\/operator$/, 'operator', () => operator.render(main), { noUser: true }],
];

function parseHash() {
  const raw = window.location.hash.replace(/^#/, '') || '/tasks';
  const [path, qs] = raw.split('?');
  return { path, query: new URLSearchParams(qs || '') };
}

function renderSession() {
  const box = document.getElementById('session');
  const banner = document.getElementById('mode-banner');
  const user = currentUser();
  const parts = [];
  if (session.mode === 'local') {
    banner.hidden = false;
    mount(banner, h('strong', {}, 'Local mode'), ' — for trying the service on this machine (task-server bound to loopback with --ui local). ',
      'The page sends the user id you chose as X-User-ID; there is no sign-in.');
    parts.push(h('span.badge.local', {}, 'local mode'));
  } else {
    banner.hidden = true;
  }
  if (session.mode === 'jwt') parts.push(h('span.badge', {}, 'JWT'));
  if (session.mode === 'gateway') parts.push(h('span.badge', {}, 'gateway'));
  if (user) parts.push(h('span.user', {}, 'User ', h('strong', { 'data-testid': 'current-user' }, user)));
  if (session.mode !== 'gateway' && hasIdentity()) {
    parts.push(h('button.link', { type: 'button', onclick: () => { signOut(); renderSession(); route(); } }, session.mode === 'local' ? 'Switch user' : 'Sign out'));
  }
  mount(box, parts);
}

function signInPanel() {
  if (session.mode === 'gateway') {
    return h('section.panel', { 'aria-labelledby': 'signin-h' },
      h('h1#signin-h', {}, 'Not signed in'),
      h('p', {}, 'This server expects a gateway in front of it that adds X-User-ID to every request, and none did. ',
        'Open the dashboard through the gateway, or start task-server with --bind 127.0.0.1 --ui local to try it on this machine.'));
  }
  const local = session.mode === 'local';
  const input = h('input', local
    ? { type: 'text', name: 'user', autocomplete: 'username', value: 'alice', required: true, maxlength: 255 }
    : { type: 'password', name: 'token', autocomplete: 'off', required: true, spellcheck: 'false' });
  const f = field(local ? 'User id' : 'Access token (JWT)', input, {
    name: local ? 'user' : 'token',
    hint: local ? 'Any name: the tasks you see and create belong to it. Kept for this tab only.'
      : 'Sent as an Authorization header; kept in this tab only (sessionStorage), never in a URL.',
  });
  const submit = async (ev) => {
    ev.preventDefault();
    const v = input.value.trim();
    if (!v) return;
    signIn(v);
    if (!local) {
      try {
        await api('GET', '/tasks', { query: { limit: 1 } });
      } catch (e) {
        signOut();
        f.error.hidden = false;
        f.error.textContent = e.status === 401 ? 'The server refused this token (Invalid token).' : e.message;
        input.setAttribute('aria-invalid', 'true');
        return;
      }
    }
    renderSession();
    route();
  };
  return h('section.panel.signin', { 'aria-labelledby': 'signin-h' },
    h('h1#signin-h', {}, local ? 'Choose a user' : 'Sign in'),
    h('form', { onsubmit: submit }, f.wrap, h('button.primary', { type: 'submit' }, local ? 'Continue' : 'Sign in')));
}

function route() {
  if (cleanup) { try { cleanup(); } catch { /* ignore */ } cleanup = null; }
  const { path, query } = parseHash();
  const hit = routes.find(([re]) => re.test(path));
  document.querySelectorAll('nav a[data-view]').forEach((a) => a.removeAttribute('aria-current'));
  if (!hit) {
    mount(main, h('h1', {}, 'Not found'), h('p', {}, h('a', { href: '#/tasks' }, 'Back to tasks')));
    return;
  }
  const [re, view, fn, opts] = hit;
  const link = document.querySelector(`nav a[data-view="${view}"]`);
  if (link) link.setAttribute('aria-current', 'page');
  if (!(opts && opts.noUser) && !hasIdentity()) {
    mount(main, signInPanel());
    document.title = 'Sign in · Task Service';
    return;
  }
  const r = fn(path.match(re), query);
  Promise.resolve(r).then((c) => { if (typeof c === 'function') cleanup = c; }).catch((e) => {
    mount(main, h('h1', {}, 'Something went wrong'), h('p.error', { role: 'alert' }, e.message || String(e)));
  });
}

window.addEventListener('hashchange', () => {
  if (!window.location.hash.startsWith('#/')) return;  // e.g. the skip link
  route();
  main.focus({ preventScroll: false });
});
document.addEventListener('task:session', renderSession);
document.getElementById('skip').addEventListener('click', (ev) => { ev.preventDefault(); main.focus(); });

(async () => {
  try {
    await loadConfig();
  } catch (e) {
    mount(main, h('p.error', { role: 'alert' }, `Cannot read the page settings: ${e.message}`));
    return;
  }
  if (!window.location.hash.startsWith('#/')) window.history.replaceState(null, '', '#/tasks');
  renderSession();
  route();
})();
