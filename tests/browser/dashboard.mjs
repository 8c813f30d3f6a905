// Browser tests of the dashboard (/ui/): Debian's chromium, headless, driven by puppeteer-core
// against the built task-server; axe-core on every view (zero serious or critical violations);
// screenshots of each view in light and dark into OUT_DIR.
// Usage: node dashboard.mjs /path/to/task-server OUT_DIR
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import puppeteer from 'puppeteer-core';
import { startServer, startStub, api, axeViolations, Checks, sleep } from './harness.mjs';

const [binary, outDir] = process.argv.slice(2);
if (!binary || !outDir) {
  console.error('usage: node dashboard.mjs /path/to/task-server OUT_DIR');
  process.exit(2);
}
fs.mkdirSync(outDir, { recursive: true });
const SECRET = 'ui-test-internal-secret';
const JWT_SECRET = 'ui-test-jwt-secret';
const CHROMIUM = process.env.TASK_CHROMIUM || '/usr/bin/chromium';
const checks = new Checks();
const cspViolations = [];
const pageErrors = [];

const overall = setTimeout(() => { console.error('dashboard tests: overall time limit (240 s) reached'); process.exit(1); }, 240000);

function watch(page, label) {
  page.on('console', (m) => {
    const t = m.text();
    if (/Content.Security.Policy|Refused to/i.test(t)) cspViolations.push(`${label}: ${t}`);
  });
  page.on('pageerror', (e) => pageErrors.push(`${label}: ${e.message}`));
  page.on('dialog', (d) => d.accept());
  page.setDefaultTimeout(15000);
}

/** A page in a browser context of its own, watched under `label`. */
async function isolatedPage(label) {
  const context = await browser.createBrowserContext();
  const page = await context.newPage();
  watch(page, label);
  return { context, page };
}

/** Opens the dashboard on `page` and signs in as `user`. */
async function signIn(page, user) {
  await page.goto(`${local.base}/ui/`, { waitUntil: 'networkidle0' });
  await page.$eval('input[name="user"]', (el, u) => { el.value = u; }, user);
  await page.click('form button[type="submit"]');
}

async function axe(page, view) {
  const v = await axeViolations(page);
  const serious = v.filter((x) => x.impact === 'serious' || x.impact === 'critical');
  checks.ok(serious.length === 0, `axe: no serious violations on ${view}`, JSON.stringify(serious));
  const minor = v.filter((x) => !serious.includes(x));
  if (minor.length) console.log(`note ${view}: minor axe findings ${minor.map((x) => x.id).join(', ')}`);
}

/** Screenshots of the current view in light and dark, and an axe run in each scheme. */
async function shoot(page, name, { fullPage = true } = {}) {
  for (const scheme of ['light', 'dark']) {
    await page.emulateMediaFeatures([{ name: 'prefers-color-scheme', value: scheme }]);
    await sleep(50);
    await page.screenshot({ path: path.join(outDir, `${name}-${scheme}.png`), fullPage });
    await axe(page, `${name} (${scheme})`);
  }
  await page.emulateMediaFeatures([{ name: 'prefers-color-scheme', value: 'light' }]);
}

/** The current view at 320 px wide: no horizontal scrolling, axe clean, a screenshot. */
async function narrow(page, name) {
  await page.setViewport({ width: 320, height: 800 });
  await sleep(100);
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  checks.ok(width <= 320, `${name} fits 320 px without horizontal scrolling`, String(width));
  await page.screenshot({ path: path.join(outDir, `${name}-320px-light.png`), fullPage: true });
  await axe(page, `${name} (320 px)`);
  await page.setViewport({ width: 1280, height: 900 });
}

async function textOf(page, sel) {
  return page.$eval(sel, (el) => el.textContent);
}

async function goto(page, base, hash) {
  await page.goto(`${base}/ui/${hash}`, { waitUntil: 'networkidle0' });
}

function jwt(claims) {
  const b64 = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const head = b64({ alg: 'HS256', typ: 'JWT' });
  const body = b64(claims);
  const sig = crypto.createHmac('sha256', JWT_SECRET).update(`${head}.${body}`).digest('base64url');
  return `${head}.${body}.${sig}`;
}

const stub = await startStub(8000);
const local = await startServer(binary, outDir, 'local', ['--ui', 'local', '--internal-secret', SECRET, '--webhook-allow-private', 'on', '--default-tier', 'enterprise']);
const gateway = await startServer(binary, outDir, 'gateway', ['--internal-secret', SECRET, '--webhook-allow-private', 'on']);
const jwtServer = await startServer(binary, outDir, 'jwt', ['--jwt-secret', JWT_SECRET]);
const browser = await puppeteer.launch({
  executablePath: CHROMIUM, headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run', '--disable-extensions'],
});
const { page } = await isolatedPage('alice');
await page.setViewport({ width: 1280, height: 900 });
await page.emulateTimezone('Europe/Berlin');
const state = {};

await checks.run('headers', async () => {
  const r = await fetch(`${local.base}/ui/`);
  const csp = r.headers.get('content-security-policy') || '';
  checks.ok(r.status === 200 && /text\/html/.test(r.headers.get('content-type')), '/ui/ serves the page');
  checks.ok(csp.includes("frame-ancestors 'none'") && csp.includes("script-src 'self'") && !csp.includes('unsafe-inline'), 'strict CSP with frame-ancestors none, no unsafe-inline', csp);
  const etag = r.headers.get('etag');
  const again = await fetch(`${local.base}/ui/js/app.js`);
  const r304 = await fetch(`${local.base}/ui/js/app.js`, { headers: { 'If-None-Match': again.headers.get('etag') } });
  checks.ok(!!etag && r304.status === 304 && again.headers.get('cache-control') === 'no-cache', 'static files: ETag, no-cache, 304 on If-None-Match');
  const html = await r.text();
  checks.ok(!/<script(?![^>]*\bsrc=)[^>]*>/i.test(html) && !/\son[a-z]+=/i.test(html), 'index.html has no inline script or handler');
});

await checks.run('local sign-in', async () => {
  await goto(page, local.base, '');
  await page.waitForSelector('#signin-h');
  checks.ok((await textOf(page, '#mode-banner')).includes('Local mode'), 'local mode is clearly marked');
  await page.$eval('input[name="user"]', (el) => { el.value = ''; });
  await page.type('input[name="user"]', 'alice');
  await page.click('form button[type="submit"]');
  await page.waitForSelector('[data-testid="task-summary"]');
  await page.waitForFunction(() => document.querySelector('[data-testid="task-summary"]').textContent.length > 0);
  checks.ok((await textOf(page, '[data-testid="current-user"]')) === 'alice', 'the chosen user is shown');
  checks.ok(!page.url().includes('alice'), 'the user id is not in the URL');
  await shoot(page, 'tasks-empty');
});

await checks.run('create with 422', async () => {
  await page.click('a[href="#/tasks/new"]');
  await page.waitForSelector('form.task-form');
  await page.type('input[name="name"]', 'Ping the stub');
  await page.select('select[name="task_type"]', 'custom');
  await page.$eval('textarea[name="config"]', (el, url) => { el.value = JSON.stringify({ url, method: 'GET' }); }, `${stub.base}/ok`);
  await page.$eval('input[name="credits_per_run"]', (el) => { el.value = '2'; });
  await page.type('input[name="tags"]', 'ui, stub');
  await page.select('select[name="schedule.type"]', 'cron');
  await page.$eval('input[name="schedule.expression"]', (el) => { el.value = ''; });
  await page.type('input[name="schedule.expression"]', '0 99 * * *');
  await page.$eval('input[name="schedule.timezone"]', (el) => { el.value = ''; });
  await page.type('input[name="schedule.timezone"]', 'America/New_York');
  await page.click('form.task-form button[type="submit"]');
  await page.waitForSelector('[data-field="schedule.expression"] .field-error:not([hidden])');
  const msg = await textOf(page, '[data-field="schedule.expression"] .field-error');
  checks.ok(/hour field: 99 is out of range/.test(msg), '422 from the API is shown next to the cron expression field', msg);
  const invalid = await page.$eval('input[name="schedule.expression"]', (el) => [el.getAttribute('aria-invalid'), el.getAttribute('aria-describedby'), document.activeElement === el]);
  checks.ok(invalid[0] === 'true' && invalid[1].includes('error') && invalid[2], 'the field is marked invalid, described by the error and focused');
  const listed = await api(local.base, 'GET', '/api/v1/tasks', { user: 'alice' });
  checks.ok(listed.data.total === 0, 'the rejected task was not created');
  await shoot(page, 'form-422');
  await narrow(page, 'form-422');
  await page.$eval('input[name="schedule.expression"]', (el) => { el.value = ''; });
  await page.type('input[name="schedule.expression"]', '30 8 * * 1-5');
  await page.waitForFunction(() => document.querySelector('[data-testid="schedule-preview"] li'));
  await page.click('form.task-form button[type="submit"]');
  await page.waitForSelector('[data-testid="schedule-words"]');
  state.taskId = decodeURIComponent(page.url().split('#/tasks/')[1]);
  checks.ok(/^tsk_[0-9a-f]{24}$/.test(state.taskId), 'the form created a scheduled task and opened it', state.taskId);
  const words = await textOf(page, '[data-testid="schedule-words"]');
  checks.ok(words.includes('08:30') && words.includes('weekdays') && words.includes('America/New_York'), 'the schedule in words', words);
  const rows = await page.$$eval('table.upcoming tbody tr', (trs) => trs.map((tr) => [...tr.children].map((td) => td.textContent)));
  checks.ok(rows.length === 10, 'next 10 fire times are listed', String(rows.length));
  checks.ok(rows.every((r) => r[1].includes('08:30') && /E[SD]T/.test(r[1]) && /CES?T|GMT\+[12]/.test(r[2])), 'fire times in the schedule zone and the viewer zone', JSON.stringify(rows[0]));
  const t = (await api(local.base, 'GET', `/api/v1/tasks/${state.taskId}`, { user: 'alice' })).data;
  checks.ok(t.status === 'scheduled' && t.credits_per_run === 2 && t.tags.join() === 'ui,stub' && t.schedule.expression === '30 8 * * 1-5', 'the stored task has what the form said');
});

await checks.run('run now', async () => {
  await page.click('.head-actions button[data-action="run"]');
  await page.waitForSelector('[data-testid="executions"] tbody tr');
  const row = await page.$eval('[data-testid="executions"] tbody tr', (tr) => tr.textContent);
  checks.ok(row.includes('completed') && row.includes('manual'), 'run now: the execution appears in the history', row);
  await page.click('[data-testid="executions"] tbody tr button');
  await page.waitForSelector('[data-testid="result-json"]');
  const json = JSON.parse(await textOf(page, '[data-testid="result-json"]'));
  checks.ok(json.result && json.result.status_code === 200 && json.result.body.n === 42, 'the result JSON of the run is shown');
  await shoot(page, 'task-detail');
  await narrow(page, 'task-detail');
});

await checks.run('pause and resume', async () => {
  await page.click('.head-actions button[data-action="pause"]');
  await page.waitForFunction(() => document.querySelector('dd[data-field="status"]')?.textContent === 'paused');
  let t = (await api(local.base, 'GET', `/api/v1/tasks/${state.taskId}`, { user: 'alice' })).data;
  checks.ok(t.status === 'paused', 'pause: the task is paused in the API');
  await page.click('.head-actions button[data-action="resume"]');
  await page.waitForFunction(() => document.querySelector('dd[data-field="status"]')?.textContent === 'scheduled');
  t = (await api(local.base, 'GET', `/api/v1/tasks/${state.taskId}`, { user: 'alice' })).data;
  checks.ok(t.status === 'scheduled' && !!t.next_run_time, 'resume: scheduled again with a next run time');
});

await checks.run('edit', async () => {
  await page.click('.head-actions a[href$="/edit"]');
  await page.waitForSelector('form.task-form');
  await page.select('select[name="priority"]', 'high');
  await page.click('form.task-form button[type="submit"]');
  await page.waitForSelector('[data-testid="schedule-words"]');
  const t = (await api(local.base, 'GET', `/api/v1/tasks/${state.taskId}`, { user: 'alice' })).data;
  checks.ok(t.priority === 'high' && t.schedule.expression === '30 8 * * 1-5', 'edit changes only the edited field');
});

await checks.run('every schedule kind', async () => {
  const kinds = [
    ['interval', { 'schedule.interval_seconds': '5400' }, (x) => x.interval_seconds === 5400],
    ['once', { 'schedule.run_at': '2031-05-04T10:15' }, (x) => x.run_at === '2031-05-04T01:15:00Z'],
    ['daily', { 'schedule.time': '07:45' }, (x) => x.time === '07:45'],
    ['weekly', { 'schedule.weekday': 'friday', 'schedule.time': '18:00' }, (x) => x.weekday === 5 || x.weekday === 'friday'],
    ['monthly', { 'schedule.day': '31', 'schedule.time': '06:00' }, (x) => x.day === 31],
  ];
  for (const [kind, inputs, stored] of kinds) {
    await goto(page, local.base, '#/tasks/new');
    await page.waitForSelector('form.task-form');
    await page.type('input[name="name"]', `Kind ${kind}`);
    await page.select('select[name="schedule.type"]', kind);
    await page.$eval('input[name="schedule.timezone"]', (el) => { el.value = 'Asia/Tokyo'; });
    await page.$eval('input[name="schedule.start_at"]', (el) => { el.value = '2030-01-01T08:00'; });
    for (const [name, v] of Object.entries(inputs)) {
      const tag = await page.$eval(`[name="${name}"]`, (el) => el.tagName);
      if (tag === 'SELECT') await page.select(`[name="${name}"]`, v);
      else await page.$eval(`[name="${name}"]`, (el, val) => { el.value = val; el.dispatchEvent(new Event('input', { bubbles: true })); }, v);
    }
    await page.waitForFunction(() => document.querySelector('[data-testid="schedule-preview"] li'));
    const firstPreview = await textOf(page, '[data-testid="schedule-preview"] li');
    await page.click('form.task-form button[type="submit"]');
    await page.waitForSelector('dd[data-field="task_id"]');
    const id = decodeURIComponent(page.url().split('#/tasks/')[1]);
    const t = (await api(local.base, 'GET', `/api/v1/tasks/${id}`, { user: 'alice' })).data;
    checks.ok(t.schedule && t.schedule.type === kind && t.schedule.timezone === 'Asia/Tokyo' && stored(t.schedule) && t.schedule.start_at === '2029-12-31T23:00:00Z',
      `form creates a ${kind} schedule (zone, start, kind fields)`, JSON.stringify(t.schedule));
    checks.ok(firstPreview.includes('GMT+9'), `${kind}: the form previews fire times in the schedule zone`, firstPreview);
    await page.click('.head-actions a[href$="/edit"]');
    await page.waitForSelector('form.task-form');
    const shown = await page.$eval('input[name="schedule.start_at"]', (el) => el.value);
    checks.ok(shown === '2030-01-01T08:00', `${kind}: edit shows start_at as wall-clock time in the schedule zone`, shown);
    await api(local.base, 'DELETE', `/api/v1/tasks/${id}`, { user: 'alice' });
  }
});

await checks.run('tasks list', async () => {
  for (const [name, type, extra] of [['Water plants', 'todo', {}], ['Failing hook', 'custom', { config: { url: `${stub.base}/fail`, method: 'GET' } }], ['Slow hook', 'custom', { config: { url: `${stub.base}/slow`, method: 'GET' } }]]) {
    const r = await api(local.base, 'POST', '/api/v1/tasks', { user: 'alice', body: { name, task_type: type, credits_per_run: 1, ...extra } });
    state[name] = r.data.task_id;
  }
  for (let i = 0; i < 3; i += 1) await api(local.base, 'POST', `/api/v1/tasks/${state.taskId}/execute`, { user: 'alice' });
  await api(local.base, 'POST', `/api/v1/tasks/${state['Failing hook']}/execute`, { user: 'alice' });
  await goto(page, local.base, '#/tasks');
  await page.waitForSelector('table.tasks tbody tr');
  checks.ok((await textOf(page, '[data-testid="task-summary"]')) === 'Tasks 1–4 of 4', 'the list shows the total count');
  await page.select('select[name="status"]', 'scheduled');
  await page.click('form.filters button[type="submit"]');
  await page.waitForFunction(() => document.querySelector('[data-testid="task-summary"]').textContent === 'Tasks 1–1 of 1');
  checks.ok(true, 'status filter narrows the list');
  await goto(page, local.base, '#/tasks');
  await page.waitForSelector(`tr[data-task-id="${state['Water plants']}"] button[data-action="complete"]`);
  await page.click(`tr[data-task-id="${state['Water plants']}"] button[data-action="complete"]`);
  await page.waitForSelector(`tr[data-task-id="${state['Water plants']}"] button[data-action="reopen"]`);
  const t = (await api(local.base, 'GET', `/api/v1/tasks/${state['Water plants']}`, { user: 'alice' })).data;
  checks.ok(t.status === 'completed' && t.is_completed, 'complete a todo from the list');
  await shoot(page, 'tasks');
  await narrow(page, 'tasks');
});

await checks.run('pagination', async () => {
  for (let i = 0; i < 60; i += 1) await api(local.base, 'POST', '/api/v1/tasks', { user: 'carol', body: { name: `Task ${String(i).padStart(3, '0')}`, task_type: 'todo' } });
  const { context: p2, page: pg } = await isolatedPage('carol');
  await signIn(pg, 'carol');
  await pg.waitForFunction(() => document.querySelector('[data-testid="task-summary"]')?.textContent === 'Tasks 1–25 of 60');
  const first = await pg.$eval('table.tasks tbody tr a', (a) => a.textContent);
  await pg.click('nav.pager button:last-child');
  await pg.waitForFunction(() => document.querySelector('[data-testid="task-summary"]').textContent === 'Tasks 26–50 of 60');
  await pg.click('nav.pager button:last-child');
  await pg.waitForFunction(() => document.querySelector('[data-testid="task-summary"]').textContent === 'Tasks 51–60 of 60');
  const nextDisabled = await pg.$eval('nav.pager button:last-child', (b) => b.disabled);
  await pg.click('nav.pager button:first-child');
  await pg.waitForFunction(() => document.querySelector('[data-testid="task-summary"]').textContent === 'Tasks 26–50 of 60');
  checks.ok(first === 'Task 059' && nextDisabled, 'cursor pagination forward and back, newest first', `${first} ${nextDisabled}`);
  await p2.close();
});

await checks.run('analytics', async () => {
  await goto(page, local.base, '#/analytics?days=7');
  await page.waitForSelector('[data-chart="chart-daily"] svg');
  const bars = await page.$$eval('[data-chart="chart-daily"] rect.ok:not(.legend)', (rs) => rs.filter((r) => Number(r.getAttribute('height')) > 0).length);
  const fails = await page.$$eval('[data-chart="chart-daily"] rect.fail:not(.legend)', (rs) => rs.filter((r) => Number(r.getAttribute('height')) > 0).length);
  checks.ok(bars === 1 && fails === 1, 'executions per day: today has a succeeded and a failed bar', `${bars}/${fails}`);
  const title = await page.$eval('[data-chart="chart-daily"] rect.ok:not(.legend):not([height="0"])', (r) => r.parentNode.querySelector('title').textContent);
  checks.ok(/4 succeeded, 1 failed/.test(title), 'the bar says 4 succeeded, 1 failed (the real executions)', title);
  const heat = await page.$$eval('[data-chart="chart-heat"] rect.heat', (rs) => rs.map((r) => r.querySelector('title').textContent));
  const nowBerlin = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Berlin', hour: '2-digit', hourCycle: 'h23' }).format(new Date());
  checks.ok(heat.length >= 1 && heat.some((x) => x.includes(`${nowBerlin}:00`)) && heat.reduce((a, x) => a + Number(x.match(/: (\d+) exec/)[1]), 0) === 5,
    'busiest-hours heat map holds the 5 executions in the viewer\'s hour', JSON.stringify(heat));
  const types = await page.$$eval('[data-chart="chart-types"] rect.bar', (rs) => rs.map((r) => r.querySelector('title').textContent));
  checks.ok(types.includes('custom: 3') && types.includes('todo: 1'), 'task types chart', JSON.stringify(types));
  const credits = await page.$$eval('[data-chart="chart-credits"] circle.dot', (cs) => cs.map((c) => c.querySelector('title').textContent));
  checks.ok(credits.length === 7 && credits[6].endsWith(': 8'), 'credits over time: 7 days, today 8 credits (4 runs x 2)', credits[6]);
  await shoot(page, 'analytics');
  await narrow(page, 'analytics');
});

await checks.run('templates', async () => {
  await goto(page, local.base, '#/templates');
  await page.waitForSelector('li.template');
  const levels = await page.$$eval('.level', (ls) => ls.map((l) => l.textContent));
  checks.ok(levels.length > 3 && levels.every((l) => l.startsWith('needs ')), 'templates show the level each needs', levels.join(','));
  const tpl = await page.$$eval('li.template', (lis) => lis.map((li) => [li.dataset.templateId, li.textContent]));
  const weather = tpl.find(([, text]) => /required: .*location/.test(text));
  checks.ok(!!weather, 'a template with a required field is listed');
  await page.click(`li.template[data-template-id="${weather[0]}"] button`);
  await page.waitForSelector(`li.template[data-template-id="${weather[0]}"] form`);
  await page.$eval(`li.template[data-template-id="${weather[0]}"] input[name="location"]`, (el) => { el.value = ''; });
  await page.click(`li.template[data-template-id="${weather[0]}"] form button[type="submit"]`);
  await page.waitForSelector(`li.template[data-template-id="${weather[0]}"] .field-error:not([hidden]), li.template[data-template-id="${weather[0]}"] p.error`);
  const err = await page.$eval(`li.template[data-template-id="${weather[0]}"] form`, (f) => f.textContent);
  checks.ok(/location/i.test(err), 'missing required field: the API error names it', err);
  await shoot(page, 'templates');
  await narrow(page, 'templates');
  await page.type(`li.template[data-template-id="${weather[0]}"] input[name="location"]`, 'Berlin');
  await page.click(`li.template[data-template-id="${weather[0]}"] form button[type="submit"]`);
  await page.waitForSelector('dd[data-field="task_id"]');
  const id = decodeURIComponent(page.url().split('#/tasks/')[1]);
  const t = (await api(local.base, 'GET', `/api/v1/tasks/${id}`, { user: 'alice' })).data;
  checks.ok(t.config.location === 'Berlin', 'created from the template with its required field');
});

await checks.run('operator', async () => {
  const slow = await api(local.base, 'POST', `/api/v1/tasks/${state['Slow hook']}/execute?wait_ms=0`, { user: 'alice' });
  checks.ok(slow.status === 202, 'a slow run is in flight (202)');
  await goto(page, local.base, '#/operator');
  await page.waitForSelector('input[name="internal_secret"]');
  await page.type('input[name="internal_secret"]', 'wrong');
  await page.click('form button[type="submit"]');
  await page.waitForSelector('input[name="internal_secret"][aria-invalid="true"]');
  checks.ok(true, 'a wrong internal secret is refused');
  await page.type('input[name="internal_secret"]', SECRET);
  await page.click('form button[type="submit"]');
  await page.waitForSelector('[data-metric="in-flight"]');
  const inflight = await textOf(page, '[data-metric="in-flight"] .card-value');
  checks.ok(inflight === '1', 'operator view shows the run in flight', inflight);
  // Its lease owner: a run started through the API holds the lease "manual:<execution_id>".
  const row = `[data-testid="runs-in-flight"] tr[data-task="${state['Slow hook']}"]`;
  await page.waitForSelector(row);
  const owner = await textOf(page, `${row} td[data-field="lease_owner"]`);
  checks.ok(owner === `manual:${slow.data.execution_id}`, 'operator view shows the run\'s lease owner', owner);
  checks.ok(!page.url().includes(SECRET), 'the secret is not in the URL');
  const first = await textOf(page, '[data-testid="updated"]');
  await page.waitForFunction((f) => document.querySelector('[data-testid="updated"]').textContent !== f, { timeout: 8000 }, first);
  checks.ok(true, 'operator view refreshes by itself');
  const db = await textOf(page, '[data-metric="db"] .card-value');
  checks.ok(db === 'healthy', 'database state shown');
  await shoot(page, 'operator');
  await narrow(page, 'operator');
  // After the slow run finishes, in flight drops to 0 without a reload.
  await page.waitForFunction(() => document.querySelector('[data-metric="in-flight"] .card-value')?.textContent === '0', { timeout: 20000 });
  checks.ok(true, 'in-flight count goes back to 0 live');
  await page.waitForFunction((sel) => !document.querySelector(sel), { timeout: 8000 }, row);
  checks.ok(true, 'the finished run leaves the runs-in-flight table live');
});

await checks.run('another user', async () => {
  const { context: ctxB, page: pb } = await isolatedPage('bob');
  await signIn(pb, 'bob');
  await pb.waitForFunction(() => document.querySelector('[data-testid="task-summary"]')?.textContent === 'No tasks match.');
  const html = await pb.content();
  checks.ok(!html.includes('Ping the stub') && !html.includes(state.taskId), 'bob sees none of alice\'s tasks in the page');
  await pb.goto(`${local.base}/ui/#/tasks/${state.taskId}`, { waitUntil: 'networkidle0' });
  await pb.waitForSelector('h1');
  checks.ok((await pb.$eval('h1', (h) => h.textContent)) === 'Task not found', 'bob opening alice\'s task gets "Task not found"');
  await pb.goto(`${local.base}/ui/#/analytics`, { waitUntil: 'networkidle0' });
  await pb.waitForSelector('[data-chart="chart-daily"]');
  const bobBars = await pb.$$eval('[data-chart="chart-daily"] rect.ok:not(.legend)', (rs) => rs.filter((r) => Number(r.getAttribute('height')) > 0).length);
  checks.ok(bobBars === 0, 'bob\'s analytics hold none of alice\'s executions');
  await ctxB.close();
});

await checks.run('keyboard', async () => {
  const todo = await api(local.base, 'POST', '/api/v1/tasks', { user: 'alice', body: { name: 'Keyboard todo', task_type: 'todo' } });
  await page.goto('about:blank');
  await goto(page, local.base, '#/tasks');
  await page.waitForSelector('table.tasks');
  await page.keyboard.press('Tab');
  const first = await page.evaluate(() => document.activeElement.id);
  await page.keyboard.press('Enter');
  const onMain = await page.evaluate(() => document.activeElement.id);
  checks.ok(first === 'skip' && onMain === 'main', 'first Tab reaches the skip link; Enter moves focus to the content');
  await page.keyboard.press('Tab');
  const outline = await page.evaluate(() => { const s = getComputedStyle(document.activeElement); return `${s.outlineStyle} ${s.outlineWidth}`; });
  checks.ok(/solid 3px/.test(outline), 'focused control has a visible focus ring', outline);
  await page.focus(`tr[data-task-id="${todo.data.task_id}"] button[data-action="pause"]`);
  await page.keyboard.press('Enter');
  await page.waitForSelector(`tr[data-task-id="${todo.data.task_id}"] button[data-action="resume"]`);
  checks.ok(true, 'actions work from the keyboard');
});

await checks.run('bulk actions', async () => {
  // erin's tasks: three open todos, one cancelled (pausing it is a 409), all seeded by the API.
  const ids = {};
  for (const name of ['Bulk A', 'Bulk B', 'Bulk C', 'Bulk cancelled']) {
    ids[name] = (await api(local.base, 'POST', '/api/v1/tasks', { user: 'erin', body: { name, task_type: 'todo' } })).data.task_id;
  }
  await api(local.base, 'PUT', `/api/v1/tasks/${ids['Bulk cancelled']}`, { user: 'erin', body: { status: 'cancelled' } });
  const { context: ctx, page: pe } = await isolatedPage('erin');
  const dialogs = [];
  pe.on('dialog', (d) => dialogs.push(d.message()));  // watch() accepts them
  await pe.setViewport({ width: 1280, height: 900 });
  await signIn(pe, 'erin');
  await pe.waitForFunction(() => document.querySelector('[data-testid="task-summary"]')?.textContent === 'Tasks 1–4 of 4');
  const applyOff = await pe.$eval('[data-testid="bulk-apply"]', (b) => b.disabled);
  await pe.click('[data-testid="select-all"]');
  const boxes = await pe.$$eval('input[data-select]', (bs) => bs.map((b) => b.checked));
  checks.ok(applyOff && boxes.length === 4 && boxes.every(Boolean) && (await textOf(pe, '[data-testid="bulk-count"]')) === '4 selected',
    'select-all on the page checks every row; Apply is off until something is selected', JSON.stringify(boxes));
  await pe.select('select[name="bulk-action"]', 'pause');
  await pe.click('[data-testid="bulk-apply"]');
  await pe.waitForSelector('[data-testid="bulk-results"]:not([hidden]) h2');
  checks.ok(dialogs[0] === 'Pause: 4 selected tasks?', 'the action is confirmed first, naming how many tasks', dialogs[0]);
  const head = await textOf(pe, '[data-testid="bulk-results"] h2');
  const bad = await pe.$$eval('[data-testid="bulk-results"] li.bad', (ls) => ls.map((l) => [l.dataset.taskId, l.textContent]));
  checks.ok(head === 'Pause: 4 tasks, 3 changed, 1 failed' && bad.length === 1 && bad[0][0] === ids['Bulk cancelled'] &&
    bad[0][1].includes('“Bulk cancelled” failed') && bad[0][1].includes('Invalid status transition') && bad[0][1].includes('409'),
  'per-task results: 3 changed, the failure named with its reason', `${head} ${JSON.stringify(bad)}`);
  const after = await Promise.all(Object.values(ids).map((id) => api(local.base, 'GET', `/api/v1/tasks/${id}`, { user: 'erin' })));
  checks.ok(after.map((r) => r.data.status).join(',') === 'paused,paused,paused,cancelled', 'the server holds the paused tasks; the failed one is unchanged', after.map((r) => r.data.status).join(','));
  await pe.waitForFunction(() => document.querySelector('[data-testid="bulk-count"]').textContent === 'No tasks selected');
  await pe.waitForSelector(`tr[data-task-id="${ids['Bulk A']}"] button[data-action="resume"]`);
  checks.ok(true, 'the list reloads with the new statuses and an empty selection');
  await shoot(pe, 'tasks-bulk');
  await narrow(pe, 'tasks-bulk');

  // Two rows by their own checkboxes: resume, then run one and delete another.
  await pe.click(`input[data-select="${ids['Bulk A']}"]`);
  await pe.click(`input[data-select="${ids['Bulk B']}"]`);
  const partial = await pe.$eval('[data-testid="select-all"]', (b) => b.indeterminate);
  await pe.select('select[name="bulk-action"]', 'resume');
  await pe.click('[data-testid="bulk-apply"]');
  await pe.waitForFunction(() => document.querySelector('[data-testid="bulk-results"] h2')?.textContent === 'Resume: 2 tasks, 2 changed, 0 failed');
  const resumed = await Promise.all([ids['Bulk A'], ids['Bulk B'], ids['Bulk C']].map((id) => api(local.base, 'GET', `/api/v1/tasks/${id}`, { user: 'erin' })));
  checks.ok(partial && resumed.map((r) => r.data.status).join(',') === 'pending,pending,paused', 'only the checked rows are resumed (select-all shows a partial selection)', resumed.map((r) => r.data.status).join(','));
  await pe.waitForFunction(() => document.querySelector('[data-testid="bulk-count"]').textContent === 'No tasks selected');
  await pe.click(`input[data-select="${ids['Bulk A']}"]`);
  await pe.select('select[name="bulk-action"]', 'run');
  await pe.click('[data-testid="bulk-apply"]');
  await pe.waitForFunction(() => document.querySelector('[data-testid="bulk-results"] h2')?.textContent.startsWith('Run now: 1 task,'));
  let runs = [];
  for (let i = 0; i < 50; i += 1) {
    runs = (await api(local.base, 'GET', `/api/v1/tasks/${ids['Bulk A']}/executions`, { user: 'erin' })).data;
    if (runs.length === 1 && runs[0].status !== 'running') break;
    await sleep(100);
  }
  const shown = await textOf(pe, '[data-testid="bulk-results"] li.ok');
  checks.ok(runs.length === 1 && runs[0].status === 'completed' && shown.includes(runs[0].execution_id), 'run now: one execution per task, its id shown', `${shown} ${JSON.stringify(runs)}`);
  await pe.waitForFunction(() => document.querySelector('[data-testid="bulk-count"]').textContent === 'No tasks selected');
  await pe.click(`input[data-select="${ids['Bulk B']}"]`);
  await pe.select('select[name="bulk-action"]', 'delete');
  await pe.click('[data-testid="bulk-apply"]');
  await pe.waitForFunction(() => document.querySelector('[data-testid="task-summary"]').textContent === 'Tasks 1–3 of 3');
  const gone = await api(local.base, 'GET', `/api/v1/tasks/${ids['Bulk B']}`, { user: 'erin' });
  checks.ok(gone.status === 404 && dialogs[dialogs.length - 1].startsWith('Delete: 1 selected task?'), 'delete: confirmed, the task is gone from the server and the list', `${gone.status} ${dialogs[dialogs.length - 1]}`);
  await ctx.close();
});

await checks.run('gateway mode', async () => {
  const { context: ctx, page: pg } = await isolatedPage('gateway');
  await pg.setExtraHTTPHeaders({ 'X-User-ID': 'gwuser' });  // what the gateway adds to every request
  await api(gateway.base, 'POST', '/api/v1/tasks', { user: 'gwuser', body: { name: 'Gateway todo', task_type: 'todo' } });
  await pg.goto(`${gateway.base}/ui/`, { waitUntil: 'networkidle0' });
  await pg.waitForFunction(() => document.querySelector('[data-testid="task-summary"]')?.textContent === 'Tasks 1–1 of 1');
  checks.ok((await pg.$eval('[data-testid="current-user"]', (e) => e.textContent)) === 'gwuser', 'gateway mode: the page shows the gateway\'s user and their tasks');
  // A page on another origin posts a form to the API; the browser (through the "gateway") adds
  // X-User-ID, and the server must refuse the cross-site write.
  await pg.goto(`${stub.base}/page`, { waitUntil: 'networkidle0' });
  await pg.evaluate((target) => {
    const f = document.createElement('form');
    f.method = 'POST'; f.action = target; f.enctype = 'text/plain';
    const i = document.createElement('input'); i.name = '{"name":"csrf","task_type":"todo","x":"'; i.value = '"}';
    f.append(i); document.body.append(f); f.submit();
  }, `${gateway.base}/api/v1/tasks`);
  await pg.waitForFunction(() => document.body.textContent.includes('cross_site_request'), { timeout: 10000 });
  const after = await api(gateway.base, 'GET', '/api/v1/tasks', { user: 'gwuser' });
  checks.ok(after.data.total === 1, 'a cross-site form POST is refused (403 cross_site_request) and creates nothing');
  const { context: withoutGateway, page: pn } = await isolatedPage('no-gateway');
  await pn.goto(`${gateway.base}/ui/`, { waitUntil: 'networkidle0' });
  await pn.waitForSelector('#signin-h');
  checks.ok((await pn.$eval('main', (m) => m.textContent)).includes('gateway'), 'gateway mode without the header explains that the gateway is missing');
  await withoutGateway.close();
  await ctx.close();
});

await checks.run('jwt mode', async () => {
  const { context: ctx, page: pj } = await isolatedPage('jwt');
  await api(jwtServer.base, 'POST', '/api/v1/tasks', { headers: { Authorization: `Bearer ${jwt({ sub: 'dora' })}` }, body: { name: 'Dora todo', task_type: 'todo' } });
  await pj.goto(`${jwtServer.base}/ui/`, { waitUntil: 'networkidle0' });
  await pj.waitForSelector('input[name="token"]');
  await pj.type('input[name="token"]', 'not-a-token');
  await pj.click('form button[type="submit"]');
  await pj.waitForSelector('input[name="token"][aria-invalid="true"]');
  checks.ok((await pj.$eval('.field-error', (e) => e.textContent)).includes('Invalid token'), 'jwt mode: a bad token is refused');
  await pj.$eval('input[name="token"]', (el) => { el.value = ''; });
  const token = jwt({ sub: 'dora', exp: Math.floor(Date.now() / 1000) + 3600 });
  await pj.type('input[name="token"]', token);
  await pj.click('form button[type="submit"]');
  await pj.waitForFunction(() => document.querySelector('[data-testid="task-summary"]')?.textContent === 'Tasks 1–1 of 1');
  const stored = await pj.evaluate(() => [sessionStorage.getItem('task.jwt') !== null, localStorage.length, document.cookie]);
  checks.ok(stored[0] && stored[1] === 0 && stored[2] === '' && !pj.url().includes(token), 'the token is kept in sessionStorage only, not in the URL, cookies or localStorage');
  const logs = fs.readFileSync(path.join(outDir, 'server-jwt.log'), 'utf8');
  checks.ok(!logs.includes(token.split('.')[2]), 'the token is not in the server log');
  await ctx.close();
});

checks.ok(cspViolations.length === 0, 'no Content-Security-Policy violations in any page', cspViolations.join(' | '));
checks.ok(pageErrors.length === 0, 'no uncaught errors in any page', pageErrors.join(' | '));

await browser.close();
const codes = [await local.stop(), await gateway.stop(), await jwtServer.stop()];
await stub.close();
checks.ok(codes.every((c) => c === 0), 'the servers stop cleanly on SIGTERM', codes.join(','));
clearTimeout(overall);
console.log(`screenshots: ${outDir}`);
console.log(`${checks.passed} passed, ${checks.failed} failed`);
process.exit(checks.failed ? 1 : 0);
