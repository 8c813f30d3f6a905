// Operator view (internal credentials): scheduler lag and lateness, due backlog, runs in flight
// with their lease owners, lost-run recoveries, outbox and event bus, database — from
// /api/v1/service/stats, /api/v1/scheduler/running, /health/detailed and /metrics, polled every
// few seconds while the view is open.
import { api, setInternalSecret, hasInternalSecret } from '../api.js';
import { h, mount, field } from '../dom.js';
import { number, when } from '../format.js';
import { histogram } from '../charts.js';

const POLL_MS = 2000;
const RUNS_SHOWN = 100;  // /scheduler/running returns at most 100

/** Prometheus text -> [{name, labels: {}, value}]. */
export function parseMetrics(text) {
  const out = [];
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const m = line.match(/^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{([^}]*)\})?\s+(\S+)/);
    if (!m) continue;
    const labels = {};
    if (m[3]) for (const kv of m[3].matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[kv[1]] = kv[2];
    out.push({ name: m[1], labels, value: Number(m[4]) });
  }
  return out;
}

function metric(ms, name, labels = {}) {
  const hit = ms.find((x) => x.name === name && Object.entries(labels).every(([k, v]) => x.labels[k] === v));
  return hit ? hit.value : null;
}

function secretForm(onDone, message) {
  const input = h('input', { type: 'password', name: 'internal_secret', autocomplete: 'off', required: true });
  const f = field('Internal service secret', input, { name: 'internal_secret', hint: 'The value of --internal-secret. Sent as X-Internal-Service-Secret; kept in this tab only (sessionStorage).' });
  if (message) { f.error.hidden = false; f.error.textContent = message; input.setAttribute('aria-invalid', 'true'); }
  return h('section.panel.signin', { 'aria-labelledby': 'op-signin' }, h('h2#op-signin', {}, 'Internal credentials'),
    h('p', {}, 'The operator view reads internal endpoints; it needs the internal service secret.'),
    h('form', { onsubmit: (ev) => { ev.preventDefault(); if (input.value) { setInternalSecret(input.value); onDone(); } } }, f.wrap, h('button.primary', { type: 'submit' }, 'Open operator view')));
}

export function render(main) {
  document.title = 'Operator · Task Service';
  let timer = null;
  let stopped = false;
  const updated = h('p.muted', { 'data-testid': 'updated' });
  const body = h('div.operator');
  mount(main, h('div.view-head', {}, h('h1', {}, 'Operator'), h('div.inline-controls', {}, updated,
    h('button.secondary', { type: 'button', onclick: () => { setInternalSecret(null); stop(); start(); } }, 'Forget secret'))), body);

  function stop() { clearTimeout(timer); timer = null; }

  async function tick() {
    let stats; let health; let metricsText; let due; let runs;
    try {
      [stats, health, metricsText, due, runs] = await Promise.all([
        api('GET', '/service/stats', { internal: true }).then((r) => r.data),
        api('GET', '/health/detailed', { raw: true }).then((r) => r.data).catch((e) => (e.status === 503 ? e.body : Promise.reject(e))),
        api('GET', '/metrics', { raw: true }).then((r) => r.data),
        api('GET', '/scheduler/pending', { internal: true, query: { limit: 100 } }).then((r) => (Array.isArray(r.data) ? Number(r.headers.get('X-Total-Count') || r.data.length) : r.data.count)),
        api('GET', '/scheduler/running', { internal: true, query: { limit: RUNS_SHOWN } }).then((r) => r.data),
      ]);
    } catch (e) {
      if (e.status === 401 || e.status === 403) {
        setInternalSecret(null);
        mount(body, secretForm(start, e.status === 403 ? 'The server refused this secret.' : 'The server wants internal credentials.'));
        return;
      }
      mount(updated, `Update failed: ${e.message}; retrying`);
      if (!stopped) timer = setTimeout(tick, POLL_MS * 2);
      return;
    }
    if (stopped) return;
    draw(stats, health, parseMetrics(metricsText), due, runs);
    updated.textContent = `Updated ${when(new Date().toISOString(), undefined, { seconds: true })} · every ${POLL_MS / 1000} s`;
    timer = setTimeout(tick, POLL_MS);
  }

  function draw(stats, health, ms, due, runs) {
    const c = health.components || {};
    const bus = c.event_bus || {};
    const db = c.database || {};
    const pool = c.worker_pool || {};
    const running = (stats.tasks.by_status && stats.tasks.by_status.running) || 0;
    const buckets = ms.filter((x) => x.name === 'task_scheduler_lateness_seconds_bucket').map((x) => ({ le: x.labels.le, count: x.value }));
    const card = (id, title, v, sub, bad) => h(`div.card${bad ? '.bad' : ''}`, { dataset: { metric: id } }, h('p.card-title', {}, title), h('p.card-value', {}, v), sub ? h('p.card-sub', {}, sub) : null);
    const lag = stats.scheduler_lag_seconds;
    mount(body,
      h('div.cards', {},
        card('lag', 'Scheduler lag', `${number(lag, 2)} s`, 'age of the oldest due slot', lag > 60),
        card('due', 'Due backlog', due >= 100 ? '100+' : number(due), 'scheduled tasks due now', due > 0),
        card('in-flight', 'Runs in flight', number(running), `all replicas (tasks running); this replica: ${number(metric(ms, 'task_scheduler_active_runs'))} scheduled, worker pool ${number(pool.busy)}/${number(pool.size)} busy`),
        card('recoveries', 'Lost-run recoveries', number(metric(ms, 'task_scheduler_expired_leases_total')), 'runs closed after their lease expired (this replica)'),
        card('outbox', 'Outbox backlog', number(stats.outbox_backlog), bus.oldest_unpublished_age_ms ? `oldest ${number(bus.oldest_unpublished_age_ms / 1000, 1)} s` : 'events waiting to be relayed', stats.outbox_backlog > 1000),
        card('bus', 'Event bus', bus.status || '—', `${bus.kind || ''}${bus.jetstream ? ', JetStream' : ''}${bus.relay_running ? ', relay running' : ''}`, bus.status === 'unhealthy'),
        card('db', 'Database', db.status || '—', `${db.kind || ''}, ping ${number(db.latency_ms, 2)} ms`, db.status !== 'healthy'),
        card('health', 'Service', health.status, `version ${health.version}`, health.status !== 'healthy')),
      h('section.chart-box.runs', { 'aria-labelledby': 'runs-h', 'data-testid': 'runs-in-flight' }, h('h2#runs-h', {}, 'Runs in flight and their lease owners'),
        runs.length === 0 ? h('p.muted', {}, 'No run in flight.') : h('div.table-wrap', { tabindex: '0', role: 'region', 'aria-label': 'Runs in flight (scrolls sideways)' }, h('table', {},
          h('thead', {}, h('tr', {}, ['Task', 'User', 'Lease owner', 'Lease expires', 'Trigger', 'Slot', 'Started'].map((x) => h('th', { scope: 'col' }, x)))),
          h('tbody', {}, runs.map((r) => h('tr', { dataset: { task: r.task_id } },
            h('td', {}, r.name, h('br'), h('code.muted', {}, r.task_id)), h('td', {}, r.user_id),
            h('td', { dataset: { field: 'lease_owner' } }, r.lease_owner || '—'),
            h('td', {}, r.lease_expires_at ? when(r.lease_expires_at, undefined, { seconds: true }) : '—'),
            h('td', {}, r.trigger_type || '—'),
            h('td', {}, r.scheduled_for ? when(r.scheduled_for, undefined, { seconds: true }) : 'manual'),
            h('td', {}, r.started_at ? when(r.started_at, undefined, { seconds: true }) : '—')))))),
        runs.length >= RUNS_SHOWN && running > runs.length ? h('p.muted', {}, `Showing the first ${number(runs.length)} of ${number(running)}.`) : null),
      h('div.charts', {},
        h('figure.chart-box', { 'aria-labelledby': 'lateness-h', 'data-chart': 'lateness' }, h('h2#lateness-h', {}, 'Lateness of scheduled runs (start − slot)'),
          buckets.length ? histogram(buckets, `Lateness histogram of ${number(metric(ms, 'task_scheduler_lateness_seconds_count'))} scheduled runs on this replica`) : h('p', {}, 'No scheduler metrics (scheduler off?).')),
        h('section.chart-box', { 'aria-labelledby': 'exec-h' }, h('h2#exec-h', {}, 'Executions, all users'),
          h('div.table-wrap', { tabindex: '0', role: 'region', 'aria-label': 'Executions, all users (scrolls sideways)' }, h('table', {}, h('thead', {}, h('tr', {}, ['Window', 'Total', 'Succeeded', 'Failed', 'Avg duration', 'Credits'].map((x) => h('th', { scope: 'col' }, x)))),
            h('tbody', {}, [['last_1_day', '1 day'], ['last_7_days', '7 days'], ['last_30_days', '30 days']].map(([k, l]) => {
              const e = stats.executions[k];
              return h('tr', {}, h('td', {}, l), h('td', {}, number(e.total)), h('td', {}, number(e.successful)), h('td', {}, number(e.failed)), h('td', {}, `${number(e.average_duration_ms, 1)} ms`), h('td', {}, number(e.credits_consumed, 2)));
            }))))),
        h('section.chart-box', { 'aria-labelledby': 'comp-h' }, h('h2#comp-h', {}, 'Components'),
          h('div.table-wrap', { tabindex: '0', role: 'region', 'aria-label': 'Components (scrolls sideways)' }, h('table', {}, h('thead', {}, h('tr', {}, ['Component', 'Status', 'Latency', 'Details'].map((x) => h('th', { scope: 'col' }, x)))),
            h('tbody', {}, Object.entries(c).map(([name, v]) => h('tr', { dataset: { component: name } }, h('td', {}, name.replace(/_/g, ' ')), h('td', {}, h(`span.health.h-${v.status}`, {}, v.status)),
              h('td', {}, v.latency_ms === undefined ? '—' : `${number(v.latency_ms, 2)} ms`),
              h('td', {}, Object.entries(v).filter(([k]) => !['status', 'latency_ms'].includes(k)).map(([k, x]) => `${k}: ${x}`).join(', ') || '—'))))))),
        h('section.chart-box', { 'aria-labelledby': 'bystatus-h' }, h('h2#bystatus-h', {}, 'Tasks by status, all users'),
          h('table', {}, h('tbody', {}, Object.entries(stats.tasks.by_status).map(([k, v]) => h('tr', {}, h('th', { scope: 'row' }, k), h('td', { dataset: { status: k } }, number(v)))))))));
  }

  function start() {
    stopped = false;
    if (!hasInternalSecret()) { mount(body, secretForm(start)); return; }
    mount(body, h('p.muted', {}, 'Loading…'));
    tick();
  }
  start();
  return () => { stopped = true; stop(); };
}
