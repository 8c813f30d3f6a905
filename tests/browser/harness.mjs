// Test plumbing: the built task-server on a free loopback port with a temp SQLite database, a
// stub webhook target, the system chromium via puppeteer-core, axe-core checks, screenshots.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

export function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
  });
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Starts task-server with `flags`; resolves when /health answers (at most 20 s). */
export async function startServer(binary, outDir, name, flags = []) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `task-ui-${name}-`));
  const port = await freePort();
  const log = fs.openSync(path.join(outDir, `server-${name}.log`), 'w');
  const proc = spawn(binary, ['--bind', '127.0.0.1', '--port', String(port), '--data-dir', dir,
    '--database-url', `sqlite://${dir}/tasks.db`, '--log-level', 'warn', ...flags], { stdio: ['ignore', log, log] });
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 20000;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`task-server (${name}) exited with ${proc.exitCode}; see server-${name}.log`);
    try {
      const r = await fetch(`${base}/health`);
      if (r.ok) break;
    } catch { /* not yet */ }
    if (Date.now() > deadline) { proc.kill('SIGKILL'); throw new Error(`task-server (${name}) did not answer /health in 20 s`); }
    await sleep(100);
  }
  return {
    base, port, proc,
    async stop() {
      if (proc.exitCode !== null) return proc.exitCode;
      const done = new Promise((r) => proc.once('exit', (code) => r(code)));
      proc.kill('SIGTERM');
      const t = setTimeout(() => proc.kill('SIGKILL'), 10000);
      const code = await done;
      clearTimeout(t);
      fs.rmSync(dir, { recursive: true, force: true });
      return code;
    },
  };
}

/** A direct API call (not through the page), e.g. to seed data or check what the page did. */
export async function api(base, method, p, { user, body, headers = {} } = {}) {
  const h = { ...headers };
  if (user) h['X-User-ID'] = user;
  if (body !== undefined) h['Content-Type'] = 'application/json';
  const r = await fetch(base + p, { method, headers: h, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await r.text();
  let data = text;
  try { data = JSON.parse(text); } catch { /* text */ }
  return { status: r.status, headers: r.headers, data };
}

/** Webhook target: /ok answers at once, /fail with 500, /slow after `slowMs`; / serves a page. */
export async function startStub(slowMs = 6000) {
  const port = await freePort();
  const pending = new Set();
  const server = http.createServer((req, res) => {
    const send = (status, body, type = 'application/json') => { res.writeHead(status, { 'Content-Type': type }); res.end(body); };
    if (req.url.startsWith('/ok')) return send(200, JSON.stringify({ ok: true, n: 42 }));
    if (req.url.startsWith('/fail')) return send(500, JSON.stringify({ error: 'stub failure' }));
    if (req.url.startsWith('/slow')) {
      const t = setTimeout(() => { pending.delete(t); send(200, JSON.stringify({ slow: true })); }, slowMs);
      pending.add(t);
      return undefined;
    }
    if (req.url.startsWith('/page')) return send(200, '<!doctype html><html lang="en"><title>other site</title><body><p>another origin</p></body></html>', 'text/html');
    return send(404, '{}');
  });
  await new Promise((r) => server.listen(port, '127.0.0.1', r));
  return {
    base: `http://127.0.0.1:${port}`,
    close: () => new Promise((r) => { for (const t of pending) clearTimeout(t); server.closeAllConnections?.(); server.close(() => r()); }),
  };
}

const axeSource = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

/** Runs axe-core in the page (injected over the DevTools protocol, so the page's CSP stays on). */
export async function axeViolations(page) {
  await page.evaluate(axeSource);
  const res = await page.evaluate(async () => {
    // eslint-disable-next-line no-undef
    const r = await axe.run(document, { resultTypes: ['violations'] });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map((n) => n.target.join(' ')) }));
  });
  return res;
}

/** Tallies named checks; prints one line each and a closing "N passed, N failed". */
export class Checks {
  constructor() { this.passed = 0; this.failed = 0; this.failures = []; }

  ok(cond, what, detail = '') {
    if (cond) { this.passed += 1; console.log(`ok   ${what}`); } else { this.failed += 1; this.failures.push(what); console.log(`FAIL ${what}${detail ? ` — ${detail}` : ''}`); }
    return cond;
  }

  async run(name, fn) {
    try {
      await fn();
    } catch (e) {
      this.ok(false, `${name}: ${e.message.split('\n')[0]}`);
    }
  }
}
