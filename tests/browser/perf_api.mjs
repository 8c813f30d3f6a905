// The dashboard's API calls for one user with many tasks and executions, seeded through the
// store: writes a task-cli export (JSON lines: each task with its executions), loads it with
// `task-cli import` (TaskRepository::restore), starts task-server on that database and times each
// call the pages make (median of several), as the browser would send them.
// Usage: node perf_api.mjs BUILD_DIR OUT_DIR [TASKS] [EXECUTIONS] [DATABASE_URL]
// (defaults 10000 tasks, 100000 executions, a SQLite file in OUT_DIR). Not part of ctest.
import fs from 'node:fs';
import path from 'node:path';
import { spawn, execFileSync } from 'node:child_process';
import { freePort, sleep } from './harness.mjs';

const [buildDir, outDir, nTasksArg = '10000', nRunsArg = '100000', dbArg] = process.argv.slice(2);
if (!buildDir || !outDir) { console.error('usage: node perf_api.mjs BUILD_DIR OUT_DIR [TASKS] [EXECUTIONS] [DATABASE_URL]'); process.exit(2); }
const nTasks = Number(nTasksArg); const nRuns = Number(nRunsArg);
fs.mkdirSync(outDir, { recursive: true });
const cli = path.join(buildDir, 'apps/task-cli/task-cli');
const serverBin = path.join(buildDir, 'apps/task-server/task-server');
const db = dbArg || `sqlite://${path.resolve(outDir)}/perf.db`;
if (!dbArg) fs.rmSync(`${path.resolve(outDir)}/perf.db`, { force: true });
const user = 'many';
const hex = (n, w = 24) => n.toString(16).padStart(w, '0');
const iso = (ms) => new Date(ms).toISOString();

// --- seed: 10,000 tasks; the executions spread over the last 365 days, most on a few tasks -----
const now = Date.now();
const day = 86400000;
let t0 = Date.now();
const file = path.join(outDir, 'perf.jsonl');
const out = fs.openSync(file, 'w');
let execId = 0;
const perTask = (i) => {  // executions of task i: 60% on the first 10 tasks, the rest spread
  const heavy = Math.floor(nRuns * 0.6 / 10);
  if (i < 10) return heavy;
  return Math.floor((nRuns - heavy * 10) / (nTasks - 10)) + (i - 10 < (nRuns - heavy * 10) % (nTasks - 10) ? 1 : 0);
};
for (let i = 0; i < nTasks; i += 1) {
  const taskId = `tsk_${hex(0xa0000000 + i)}`;
  const created = now - 400 * day + i * 1000;
  const n = perTask(i);
  const executions = [];
  let credits = 0; let ok = 0;
  for (let k = 0; k < n; k += 1) {
    execId += 1;
    const started = now - Math.floor(((execId * 7919) % 365) * day + ((execId * 104729) % day));
    const success = execId % 7 !== 0;
    ok += success ? 1 : 0;
    credits += success ? 0.5 : 0;
    executions.push({ id: execId, execution_id: `exe_${hex(execId)}`, task_id: taskId, user_id: user,
      status: success ? 'completed' : 'failed', trigger_type: k % 3 ? 'scheduled' : 'manual', trigger_data: {},
      scheduled_for: k % 3 ? iso(started - 1000) : null, result: success ? { ok: true } : null,
      error_message: success ? null : 'boom', error_details: null, credits_consumed: success ? 0.5 : 0,
      tokens_used: null, api_calls_made: 0, duration_ms: 120, started_at: iso(started), completed_at: iso(started + 120), created_at: iso(started) });
  }
  const task = { id: i + 1, task_id: taskId, user_id: user, name: `Task ${i}`, description: null,
    task_type: i % 3 ? 'todo' : 'reminder', status: 'pending', priority: ['low', 'medium', 'high', 'urgent'][i % 4],
    config: {}, schedule: null, credits_per_run: 0, tags: [`t${i % 10}`], metadata: {}, next_run_time: null,
    last_run_time: null, last_success_time: null, last_error: null, last_result: null, run_count: n,
    success_count: ok, failure_count: n - ok, total_credits_consumed: credits, due_date: null, reminder_time: null,
    is_completed: false, completed_at: null, created_at: iso(created), updated_at: iso(created), deleted_at: null };
  fs.writeSync(out, `${JSON.stringify({ task, executions })}\n`);
}
fs.closeSync(out);
console.log(`wrote ${nTasks} tasks and ${execId} executions in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
t0 = Date.now();
execFileSync(cli, ['--db', db, '-u', user, 'import', file], { stdio: ['ignore', 'ignore', 'inherit'] });
console.log(`task-cli import into ${db.replace(/\/\/[^@/]*@/, '//')}: ${((Date.now() - t0) / 1000).toFixed(1)} s`);

// --- serve and time ---------------------------------------------------------------------------
const port = await freePort();
const log = fs.openSync(path.join(outDir, 'server-perf-api.log'), 'w');
const proc = spawn(serverBin, ['--bind', '127.0.0.1', '--port', String(port), '--database-url', db,
  '--data-dir', outDir, '--scheduler', 'off', '--default-tier', 'enterprise', '--log-level', 'warn'], { stdio: ['ignore', log, log] });
const base = `http://127.0.0.1:${port}`;
try {
  for (let i = 0; ; i += 1) {
    try { if ((await fetch(`${base}/health`)).ok) break; } catch { /* starting */ }
    if (i > 200 || proc.exitCode !== null) throw new Error('task-server did not start; see server-perf-api.log');
    await sleep(100);
  }
  const get = async (p) => {
    const r = await fetch(base + p, { headers: { 'X-User-ID': user } });
    const body = await r.json();
    if (r.status !== 200) throw new Error(`${p}: ${r.status} ${JSON.stringify(body)}`);
    return body;
  };
  const time = async (what, p, check) => {
    const ms = [];
    let body;
    for (let i = 0; i < 7; i += 1) {
      const s = performance.now();
      body = await get(p);
      ms.push(performance.now() - s);
    }
    if (check) check(body);
    ms.sort((a, b) => a - b);
    console.log(`| ${what} | \`GET ${p.replace(/cursor=[^&]*/, 'cursor=…')}\` | ${ms[3].toFixed(1)} ms | ${ms[6].toFixed(1)} ms |`);
    return body;
  };
  const expect = (ok, msg) => { if (!ok) throw new Error(msg); };
  console.log('| page step | call | median | max |\n|---|---|---|---|');
  const first = await time('task list, first page', '/api/v1/tasks?limit=25', (b) => expect(b.total === nTasks && b.tasks.length === 25, `total ${b.total}`));
  await time('task list, next page (cursor)', `/api/v1/tasks?limit=25&cursor=${encodeURIComponent(first.next_cursor)}`, (b) => expect(b.tasks.length === 25, 'page 2'));
  await time('task list, filter priority + tag', '/api/v1/tasks?limit=25&priority=urgent&tag=t3', (b) => expect(b.total > 0, 'filter'));
  await time('task list, text search', `/api/v1/tasks?limit=25&q=Task%20${nTasks - 1}`, (b) => expect(b.total >= 1, 'search'));
  const heavy = `tsk_${hex(0xa0000000)}`;
  await time('task detail', `/api/v1/tasks/${heavy}`);
  await time('task detail, run history (newest 20)', `/api/v1/tasks/${heavy}/executions?limit=20&offset=0`, (b) => expect(Array.isArray(b) && b.length === Math.min(20, perTask(0)), 'run history page'));
  await time('task detail, run history page 100 (offset 1980)', `/api/v1/tasks/${heavy}/executions?limit=20&offset=${Math.max(0, Math.min(1980, perTask(0) - 20))}`);
  await time('task detail, next 10 fire times', `/api/v1/tasks/${heavy}/upcoming?count=10`);
  for (const days of [30, 365]) {
    await time(`analytics ${days} days, summary`, `/api/v1/analytics?days=${days}&tz=Europe/Berlin`);
    await time(`analytics ${days} days, series`, `/api/v1/analytics/series?days=${days}&tz=Europe/Berlin`, (b) => {
      const total = b.daily.reduce((a, d) => a + d.total, 0);
      if (days === 365) expect(total >= nRuns * 0.99 && total <= nRuns, `series total ${total}`);
    });
  }
  await time('templates', '/api/v1/templates');
} finally {
  proc.kill('SIGTERM');
  await new Promise((r) => { if (proc.exitCode !== null) r(); else proc.once('exit', r); });
}
