// The dashboard with many tasks and executions for one user: seeds them over the API, then
// times the task list (first page, next page, a filter) and the analytics view in chromium.
// Usage: node perf.mjs /path/to/task-server OUT_DIR [TASKS] [EXECUTIONS]
// (defaults 10000 tasks, 2000 executions). Prints the measured numbers; not part of ctest.
import fs from 'node:fs';
import puppeteer from 'puppeteer-core';
import { startServer, api } from './harness.mjs';

const [binary, outDir, nTasks = '10000', nRuns = '2000'] = process.argv.slice(2);
fs.mkdirSync(outDir, { recursive: true });
const server = await startServer(binary, outDir, 'perf', ['--ui', 'local', '--default-tier', 'enterprise', '--scheduler', 'off']);
const user = 'many';

async function pool(n, width, fn) {
  let next = 0;
  await Promise.all(Array.from({ length: width }, async () => {
    for (;;) {
      const i = next;
      next += 1;
      if (i >= n) return;
      await fn(i);
    }
  }));
}

let t0 = Date.now();
const ids = [];
await pool(Number(nTasks), 8, async (i) => {
  const r = await api(server.base, 'POST', '/api/v1/tasks', { user, body: { name: `Task ${i}`, task_type: i % 3 ? 'todo' : 'reminder', priority: ['low', 'medium', 'high', 'urgent'][i % 4], tags: [`t${i % 10}`] } });
  if (r.status !== 201) throw new Error(`seed: ${r.status} ${JSON.stringify(r.data)}`);
  if (i < 50) ids.push(r.data.task_id);
});
console.log(`seeded ${nTasks} tasks in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
t0 = Date.now();
await pool(Number(nRuns), 8, async (i) => {
  let r;
  for (let attempt = 0; attempt < 50; attempt += 1) {  // 409: that task's previous run is still closing
    r = await api(server.base, 'POST', `/api/v1/tasks/${ids[i % ids.length]}/execute`, { user });
    if (r.status !== 409) break;
    await new Promise((res) => setTimeout(res, 20));
  }
  if (r.status !== 200) throw new Error(`run: ${r.status} ${JSON.stringify(r.data)}`);
});
console.log(`seeded ${nRuns} executions in ${((Date.now() - t0) / 1000).toFixed(1)} s`);

const browser = await puppeteer.launch({ executablePath: process.env.TASK_CHROMIUM || '/usr/bin/chromium', headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
const page = await browser.newPage();
await page.setViewport({ width: 1280, height: 900 });
await page.goto(`${server.base}/ui/`, { waitUntil: 'networkidle0' });
await page.$eval('input[name="user"]', (el) => { el.value = 'many'; });
const time = async (what, fn) => {
  const s = performance.now();
  try {
    await fn();
  } catch (e) {
    console.log(`${what}: FAILED (${e.message.split('\n')[0]}); page says: ${await page.evaluate(() => document.querySelector('main').textContent.slice(0, 300))}`);
    throw e;
  }
  const ms = performance.now() - s;
  console.log(`${what}: ${ms.toFixed(0)} ms`);
  return ms;
};
await time('sign in -> first page of the task list', async () => {
  await page.click('form button[type="submit"]');
  await page.waitForFunction((n) => document.querySelector('[data-testid="task-summary"]')?.textContent === `Tasks 1–25 of ${n}`, { timeout: 30000 }, Number(nTasks));
});
await time('next page (cursor)', async () => {
  await page.click('nav.pager button:last-child');
  await page.waitForFunction((n) => document.querySelector('[data-testid="task-summary"]').textContent === `Tasks 26–50 of ${n}`, {}, Number(nTasks));
});
await time('filter priority=urgent + tag t3', async () => {
  await page.select('select[name="priority"]', 'urgent');
  await page.type('input[name="tag"]', 't3');
  await page.click('form.filters button[type="submit"]');
  await page.waitForFunction(() => /of \d+$/.test(document.querySelector('[data-testid="task-summary"]').textContent) && document.querySelectorAll('table.tasks tbody tr').length > 0);
});
await time('analytics, 30 days (charts drawn)', async () => {
  await page.goto(`${server.base}/ui/#/analytics?days=30`, { waitUntil: 'networkidle0' });
  await page.waitForSelector('[data-chart="chart-credits"] svg');
});
await time('analytics, 365 days (charts drawn)', async () => {
  await page.goto(`${server.base}/ui/#/analytics?days=365`, { waitUntil: 'networkidle0' });
  await page.waitForSelector('[data-chart="chart-credits"] svg');
});
const rows = await page.evaluate(() => document.querySelectorAll('*').length);
console.log(`DOM elements on the analytics page: ${rows}`);
await browser.close();
await server.stop();
