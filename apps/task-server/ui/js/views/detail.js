// Task detail: every field, the schedule in words with its next 10 fire times (schedule zone and
// the viewer's), and the execution history with lateness and the result JSON of one run.
import { api } from '../api.js';
import { h, mount } from '../dom.js';
import { when, duration, scheduleWords, viewerZone, number } from '../format.js';
import { label } from '../enums.js';
import { actionButtons } from '../actions.js';

const FIELD_ORDER = ['task_id', 'name', 'description', 'task_type', 'status', 'priority', 'user_id', 'tags', 'credits_per_run',
  'due_date', 'reminder_time', 'is_completed', 'completed_at', 'next_run_time', 'last_run_time', 'last_success_time', 'last_error',
  'run_count', 'success_count', 'failure_count', 'total_credits_consumed', 'created_at', 'updated_at', 'deleted_at', 'id',
  'schedule', 'config', 'metadata', 'last_result'];
const PAGE = 20;

function value(k, v) {
  if (v === null || v === undefined || v === '') return h('span.muted', {}, '—');
  if (typeof v === 'object' && !Array.isArray(v)) return h('pre.json', {}, JSON.stringify(v, null, 2));
  if (Array.isArray(v)) return v.length ? v.map((x) => h('span.tag', {}, x)) : h('span.muted', {}, 'none');
  if (typeof v === 'string' && /_(at|time|date)$/.test(k) && /^\d{4}-/.test(v)) return h('time', { datetime: v }, `${when(v, viewerZone, { seconds: true })}`);
  if (k === 'status') return h(`span.status.s-${v}`, {}, label(v));
  return String(v);
}

function lateness(e) {
  if (!e.scheduled_for || !e.started_at) return null;
  return new Date(e.started_at) - new Date(e.scheduled_for);
}

export async function render(main, taskId) {
  const id = encodeURIComponent(taskId);
  let offset = 0;
  let selected = null;
  const fields = h('dl.fields');
  const upcoming = h('div', { 'data-testid': 'upcoming' });
  const runs = h('div.table-wrap', { 'data-testid': 'executions' });
  const result = h('section.result', { 'aria-labelledby': 'result-h', hidden: true });
  const head = h('div.view-head');
  const runSummary = h('p.summary', { 'aria-live': 'polite' });
  const pager = h('nav.pager', { 'aria-label': 'Execution pages' });

  async function loadTask() {
    let t;
    try {
      t = (await api('GET', `/tasks/${id}`)).data;
    } catch (e) {
      mount(main, h('h1', {}, e.status === 404 ? 'Task not found' : 'Error'), h('p', {}, e.status === 404 ? `There is no task ${taskId} of yours.` : e.message), h('p', {}, h('a', { href: '#/tasks' }, 'Back to tasks')));
      return null;
    }
    document.title = `${t.name} · Task Service`;
    mount(head, h('h1', {}, t.name), h('div.head-actions', {}, h('a.button.secondary', { href: `#/tasks/${id}/edit` }, 'Edit'),
      actionButtons(t, async (a) => { if (a === 'delete') { window.location.hash = '#/tasks'; return; } await refresh(); })));
    const keys = [...FIELD_ORDER, ...Object.keys(t).filter((k) => !FIELD_ORDER.includes(k))];
    mount(fields, keys.filter((k) => k in t).map((k) => h('div.kv', {}, h('dt', {}, label(k)), h('dd', { dataset: { field: k } }, value(k, t[k])))));
    await loadUpcoming(t);
    return t;
  }

  async function loadUpcoming(t) {
    if (!t.schedule) { mount(upcoming, h('p', {}, 'No schedule: this task runs only when started by hand.')); return; }
    const zone = t.schedule.timezone || 'UTC';
    let data;
    let note = null;
    if (t.status === 'scheduled') {
      data = (await api('GET', `/tasks/${id}/upcoming`, { query: { count: 10 } })).data;
    } else {
      data = (await api('POST', '/schedules/preview', { body: { schedule: t.schedule, count: 10 } })).data;
      note = `The task is ${label(t.status)}, so nothing fires now; these are the slots of its schedule from now on.`;
    }
    mount(upcoming,
      h('p.words', { 'data-testid': 'schedule-words' }, scheduleWords(t.schedule)),
      note ? h('p.muted', {}, note) : null,
      data.runs.length ? h('div.table-wrap', {}, h('table.upcoming', {},
        h('caption', {}, `Next ${data.runs.length} fire times`),
        h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, '#'), h('th', { scope: 'col' }, `Schedule zone (${zone})`), h('th', { scope: 'col' }, `Your zone (${viewerZone})`), h('th', { scope: 'col' }, 'UTC'))),
        h('tbody', {}, data.runs.map((r, i) => h('tr', {}, h('td', { 'data-label': '#' }, String(i + 1)), h('td', { 'data-label': 'Schedule zone' }, when(r.at, zone)), h('td', { 'data-label': 'Your zone' }, when(r.at)), h('td', { 'data-label': 'UTC' }, h('time', { datetime: r.at }, r.at.replace('T', ' ').replace(/:00(\.0+)?Z$/, 'Z'))))))))
        : h('p', {}, 'This schedule will not fire again.'));
  }

  async function loadRuns() {
    const r = await api('GET', `/tasks/${id}/executions`, { query: { limit: PAGE, offset } });
    const total = Number(r.headers.get('X-Total-Count') || r.data.length);
    runSummary.textContent = total ? `Executions ${offset + 1}–${offset + r.data.length} of ${total}` : 'No executions yet.';
    mount(runs, r.data.length ? h('table.runs', {},
      h('caption.sr-only', {}, 'Execution history, newest first'),
      h('thead', {}, h('tr', {}, ['Status', 'Trigger', 'Slot', 'Started', 'Lateness', 'Duration', 'Credits', 'Error', 'Result'].map((c) => h('th', { scope: 'col' }, c)))),
      h('tbody', {}, r.data.map((e) => h('tr', { dataset: { executionId: e.execution_id }, class: selected === e.execution_id ? 'selected' : undefined },
        h('td', { 'data-label': 'Status' }, h(`span.status.s-${e.status}`, {}, e.status)),
        h('td', { 'data-label': 'Trigger' }, e.trigger_type),
        h('td', { 'data-label': 'Slot' }, e.scheduled_for ? when(e.scheduled_for) : '—'),
        h('td', { 'data-label': 'Started' }, when(e.started_at, viewerZone, { seconds: true })),
        h('td', { 'data-label': 'Lateness' }, lateness(e) === null ? '—' : duration(lateness(e))),
        h('td', { 'data-label': 'Duration' }, e.status === 'running' ? 'running…' : duration(e.duration_ms)),
        h('td', { 'data-label': 'Credits' }, number(e.credits_consumed, 2)),
        h('td', { 'data-label': 'Error' }, e.error_message || '—'),
        h('td', { 'data-label': 'Result' }, h('button.secondary.small', { type: 'button', 'aria-label': `Show result of ${e.execution_id}`, onclick: () => showResult(e) }, 'Show')))))) : null);
    mount(pager,
      h('button.secondary', { type: 'button', disabled: offset === 0, onclick: () => { offset = Math.max(0, offset - PAGE); loadRuns(); } }, '← Newer'),
      h('button.secondary', { type: 'button', disabled: offset + PAGE >= total, onclick: () => { offset += PAGE; loadRuns(); } }, 'Older →'));
  }

  function showResult(e) {
    selected = e.execution_id;
    result.hidden = false;
    mount(result, h('h2#result-h', { tabindex: '-1' }, `Execution ${e.execution_id}`),
      h('pre.json', { 'data-testid': 'result-json' }, JSON.stringify({ status: e.status, result: e.result, error_message: e.error_message, error_details: e.error_details, trigger_data: e.trigger_data, tokens_used: e.tokens_used, api_calls_made: e.api_calls_made, completed_at: e.completed_at }, null, 2)));
    runs.querySelectorAll('tr.selected').forEach((tr) => tr.classList.remove('selected'));
    const row = runs.querySelector(`tr[data-execution-id="${e.execution_id}"]`);
    if (row) row.classList.add('selected');
    result.querySelector('h2').focus();
  }

  async function refresh() {
    const t = await loadTask();
    if (t) await loadRuns();
  }

  mount(main,
    h('nav.crumbs', { 'aria-label': 'Breadcrumb' }, h('a', { href: '#/tasks' }, 'Tasks'), ' / ', taskId),
    head,
    h('div.detail-grid', {},
      h('section.panel', { 'aria-labelledby': 'fields-h' }, h('h2#fields-h', {}, 'Fields'), fields),
      h('section.panel', { 'aria-labelledby': 'sched-h' }, h('h2#sched-h', {}, 'Schedule'), upcoming)),
    h('section.panel', { 'aria-labelledby': 'runs-h' }, h('div.view-head', {}, h('h2#runs-h', {}, 'Executions'), h('button.secondary', { type: 'button', onclick: () => loadRuns() }, 'Refresh')), runSummary, runs, pager, result));
  await refresh();
}
