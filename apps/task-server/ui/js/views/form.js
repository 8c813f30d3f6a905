// Create and edit a task: every field of the API, every schedule kind, a live preview of the
// next fire times (POST /schedules/preview), and the API's 422 errors next to their fields.
import { api, ApiError } from '../api.js';
import { h, mount, field, select, setFieldError, toast } from '../dom.js';
import { when, viewerZone, fromLocalInput, toLocalInput, toZoneInput } from '../format.js';
import { TASK_TYPES, PRIORITIES, SCHEDULE_KINDS, MISFIRE, label } from '../enums.js';

const CONFIG_HINTS = {
  custom: ['{"url": "https://example.com/hook", "method": "POST"}', 'Required: url (http/https). Optional: method, headers, body, timeout_ms, expect_status.'],
  daily_weather: ['{"location": "Berlin"}', 'Required: location.'],
  weather_alert: ['{"location": "Berlin", "alert_conditions": {"temperature": {"operator": ">", "value": 30}}}', 'Required: location, alert_conditions.'],
  news_monitor: ['{"keywords": ["c++"]}', 'Required: keywords (a non-empty list of strings).'],
  price_tracker: ['{"product_url": "https://example.com/item", "target_price": 99.5}', 'Required: product_url, target_price (a number).'],
  data_backup: ['{}', 'Optional: include_executions, destination.'],
  daily_news: ['{}', 'Optional: topics, country.'],
  todo: ['{}', 'No keys required.'],
  reminder: ['{}', 'Optional: message (defaults to the name).'],
  calendar_event: ['{}', 'Optional: event_time (defaults to the due date).'],
};
const WEEKDAY_NAMES = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'];
const ALIASES = { cron_expression: 'expression', interval_minutes: 'interval_seconds', run_time: 'time' };

function zones() {
  try { return Intl.supportedValuesOf('timeZone'); } catch { return ['UTC', viewerZone]; }
}

/** `task` = the task being edited (or null). Returns the form's field map and its element. */
function buildForm(task) {
  const f = {};
  const s = (task && task.schedule) || {};
  const zone = s.timezone || viewerZone;
  f.name = field('Name', h('input', { type: 'text', name: 'name', required: true, maxlength: 255, value: task ? task.name : '' }), { name: 'name' });
  f.description = field('Description', h('textarea', { name: 'description', rows: 2, value: task ? task.description || '' : '' }), { name: 'description' });
  f.task_type = field('Type', select(TASK_TYPES.map((t) => [t, label(t)]), task ? task.task_type : 'todo', { name: 'task_type', disabled: !!task }),
    { name: 'task_type', hint: task ? 'The type of a task cannot change.' : null });
  f.priority = field('Priority', select(PRIORITIES.map((p) => [p, p]), task ? task.priority : 'medium', { name: 'priority' }), { name: 'priority' });
  f.credits_per_run = field('Credits per run', h('input', { type: 'text', inputmode: 'decimal', name: 'credits_per_run', value: task ? String(task.credits_per_run) : '0' }), { name: 'credits_per_run' });
  f.tags = field('Tags', h('input', { type: 'text', name: 'tags', value: task ? task.tags.join(', ') : '' }), { name: 'tags', hint: 'Comma-separated.' });
  f.due_date = field('Due date', h('input', { type: 'datetime-local', name: 'due_date', value: task ? toLocalInput(task.due_date) : '' }), { name: 'due_date', hint: `In your time zone (${viewerZone}).` });
  f.reminder_time = field('Reminder time', h('input', { type: 'datetime-local', name: 'reminder_time', value: task ? toLocalInput(task.reminder_time) : '' }), { name: 'reminder_time' });
  f.config = field('Config (JSON)', h('textarea.code', { name: 'config', rows: 4, spellcheck: 'false', value: task ? JSON.stringify(task.config, null, 2) : '{}' }), { name: 'config', hint: CONFIG_HINTS.todo[1] });
  f.metadata = field('Metadata (JSON)', h('textarea.code', { name: 'metadata', rows: 2, spellcheck: 'false', value: task ? JSON.stringify(task.metadata || {}) : '{}' }), { name: 'metadata' });

  const kind = s.type || '';
  f['schedule.type'] = field('Schedule', select([['', 'none'], ...SCHEDULE_KINDS.map((k) => [k, k])], kind, { name: 'schedule.type' }), { name: 'schedule.type' });
  f['schedule.expression'] = field('Cron expression', h('input.code', { type: 'text', name: 'schedule.expression', value: s.expression || '0 9 * * 1-5', spellcheck: 'false' }),
    { name: 'schedule.expression', hint: 'minute hour day-of-month month day-of-week, or @hourly, @daily, @weekly, @monthly, @yearly.' });
  f['schedule.interval_seconds'] = field('Every (seconds)', h('input', { type: 'text', inputmode: 'numeric', name: 'schedule.interval_seconds', value: s.interval_seconds ? String(s.interval_seconds) : '3600' }), { name: 'schedule.interval_seconds', hint: 'At least 60.' });
  f['schedule.run_at'] = field('Run at', h('input', { type: 'datetime-local', name: 'schedule.run_at', value: s.run_at ? toZoneInput(s.run_at, zone) : '' }), { name: 'schedule.run_at', hint: 'Wall-clock time in the schedule’s time zone.' });
  f['schedule.time'] = field('Time of day', h('input', { type: 'time', name: 'schedule.time', value: s.time || '09:00' }), { name: 'schedule.time' });
  f['schedule.weekday'] = field('Weekday', select(WEEKDAY_NAMES.map((d, i) => [d, d[0].toUpperCase() + d.slice(1)]).map(([v, l]) => [v, l]), typeof s.weekday === 'number' ? WEEKDAY_NAMES[s.weekday - 1] : s.weekday || 'monday', { name: 'schedule.weekday' }), { name: 'schedule.weekday' });
  f['schedule.day'] = field('Day of month', h('input', { type: 'text', inputmode: 'numeric', name: 'schedule.day', value: s.day ? String(s.day) : '1' }), { name: 'schedule.day', hint: '1–31; clamped to the month’s last day.' });
  const tz = h('input', { type: 'text', name: 'schedule.timezone', value: s.timezone || viewerZone, list: 'tz-list', autocomplete: 'off' });
  f['schedule.timezone'] = field('Time zone', tz, { name: 'schedule.timezone', hint: 'IANA name, e.g. Europe/Berlin.' });
  f['schedule.start_at'] = field('Starts', h('input', { type: 'datetime-local', name: 'schedule.start_at', value: s.start_at ? toZoneInput(s.start_at, zone) : '' }), { name: 'schedule.start_at', hint: 'Wall-clock time in the schedule’s time zone.' });
  f['schedule.end_at'] = field('Ends', h('input', { type: 'datetime-local', name: 'schedule.end_at', value: s.end_at ? toZoneInput(s.end_at, zone) : '' }), { name: 'schedule.end_at' });
  f['schedule.max_runs'] = field('At most this many runs', h('input', { type: 'text', inputmode: 'numeric', name: 'schedule.max_runs', value: s.max_runs ? String(s.max_runs) : '' }), { name: 'schedule.max_runs' });
  f['schedule.misfire'] = field('Missed slots', select(MISFIRE.map((m) => [m, label(m)]), s.misfire || 'run_once', { name: 'schedule.misfire' }), { name: 'schedule.misfire' });
  return f;
}

const KIND_FIELDS = {
  cron: ['schedule.expression'], interval: ['schedule.interval_seconds'], once: ['schedule.run_at'],
  daily: ['schedule.time'], weekly: ['schedule.weekday', 'schedule.time'], monthly: ['schedule.day', 'schedule.time'],
};
const COMMON = ['schedule.timezone', 'schedule.start_at', 'schedule.end_at', 'schedule.max_runs', 'schedule.misfire'];

function numberOrText(v) {
  const t = v.trim();
  if (t === '') return undefined;
  const n = Number(t);
  return Number.isFinite(n) ? n : t;
}

function parseJsonField(f, what) {
  try {
    return JSON.parse(f.input.value || '{}');
  } catch (e) {
    throw Object.assign(new Error(`${what} is not valid JSON: ${e.message}`), { field: f });
  }
}

/** The schedule object the inputs describe (null for none). */
function scheduleOf(f) {
  const kind = f['schedule.type'].input.value;
  if (!kind) return null;
  const v = (k) => f[k].input.value;
  const out = { type: kind, timezone: v('schedule.timezone').trim() || 'UTC', misfire: v('schedule.misfire') };
  if (kind === 'cron') out.expression = v('schedule.expression');
  if (kind === 'interval') out.interval_seconds = numberOrText(v('schedule.interval_seconds'));
  if (kind === 'once' && v('schedule.run_at')) out.run_at = `${v('schedule.run_at')}:00`;
  if (['daily', 'weekly', 'monthly'].includes(kind)) out.time = v('schedule.time');
  if (kind === 'weekly') out.weekday = v('schedule.weekday');
  if (kind === 'monthly') out.day = numberOrText(v('schedule.day'));
  if (v('schedule.start_at')) out.start_at = `${v('schedule.start_at')}:00`;
  if (v('schedule.end_at')) out.end_at = `${v('schedule.end_at')}:00`;
  const mr = numberOrText(v('schedule.max_runs'));
  if (mr !== undefined) out.max_runs = mr;
  return out;
}

/** The request body the form describes (create form: every field). */
function bodyOf(f) {
  const body = {
    name: f.name.input.value,
    description: f.description.input.value === '' ? null : f.description.input.value,
    task_type: f.task_type.input.value,
    priority: f.priority.input.value,
    credits_per_run: numberOrText(f.credits_per_run.input.value) ?? 0,
    tags: f.tags.input.value.split(',').map((x) => x.trim()).filter(Boolean),
    due_date: fromLocalInput(f.due_date.input.value),
    reminder_time: fromLocalInput(f.reminder_time.input.value),
    config: parseJsonField(f.config, 'Config'),
    metadata: parseJsonField(f.metadata, 'Metadata'),
    schedule: scheduleOf(f),
  };
  return body;
}

/** Puts each 422 error next to its field; returns the errors no field took. */
function showErrors(f, errors) {
  const rest = [];
  for (const e of errors) {
    const loc = e.loc[0] === 'body' ? e.loc.slice(1) : e.loc;
    let key = loc[0];
    if (key === 'schedule' && loc.length > 1) key = `schedule.${ALIASES[loc[1]] || loc[1]}`;
    if (key === 'schedule' && loc.length === 1) key = 'schedule.type';
    if ((key === 'config' || key === 'metadata') && loc.length > 1) {
      setFieldError(f[key], `${loc.slice(1).join('.')}: ${e.msg}`);
      continue;
    }
    if (key === 'schedule.run_time') key = f['schedule.type'].input.value === 'once' ? 'schedule.run_at' : 'schedule.time';
    if (f[key]) setFieldError(f[key], e.msg);
    else rest.push(e);
  }
  return rest;
}

export async function render(main, { taskId } = {}) {
  let task = null;
  if (taskId) task = (await api('GET', `/tasks/${encodeURIComponent(taskId)}`)).data;
  document.title = `${task ? 'Edit task' : 'New task'} · Task Service`;
  const f = buildForm(task);
  const original = task ? bodyOf(f) : null;
  const formError = h('div.form-error', { role: 'alert' });
  const preview = h('div.preview', { 'aria-live': 'polite', 'data-testid': 'schedule-preview' });
  const scheduleBox = h('fieldset.schedule', {}, h('legend', {}, 'Schedule'));
  const dl = h('datalist#tz-list', {}, zones().map((z) => h('option', { value: z })));

  function layoutSchedule() {
    const kind = f['schedule.type'].input.value;
    const show = new Set(['schedule.type', ...(kind ? [...KIND_FIELDS[kind], ...COMMON] : [])]);
    for (const [k, v] of Object.entries(f)) if (k.startsWith('schedule.')) v.wrap.hidden = !show.has(k);
  }
  function updateHints() {
    const hint = CONFIG_HINTS[f.task_type.input.value] || CONFIG_HINTS.todo;
    const p = f.config.wrap.querySelector('.hint');
    if (p) p.textContent = `${hint[1]} Example: ${hint[0]}`;
  }
  let previewTimer = null;
  function schedulePreview() {
    clearTimeout(previewTimer);
    previewTimer = setTimeout(async () => {
      const sched = scheduleOf(f);
      if (!sched) { mount(preview); return; }
      try {
        const r = await api('POST', '/schedules/preview', { body: { schedule: sched, count: 5 } });
        mount(preview, h('p', {}, `Next ${r.data.runs.length} fire time(s) (schedule zone ${r.data.timezone} / yours ${viewerZone}):`),
          r.data.runs.length ? h('ol', {}, r.data.runs.map((x) => h('li', {}, `${when(x.at, r.data.timezone)}  ·  ${when(x.at)}`))) : h('p', {}, 'This schedule never fires again.'));
      } catch (e) {
        mount(preview, h('p.muted', {}, `Preview: ${e instanceof ApiError && e.fieldErrors.length ? e.fieldErrors.map((x) => x.msg).join('; ') : e.message}`));
      }
    }, 300);
  }

  f['schedule.type'].input.addEventListener('change', () => { layoutSchedule(); schedulePreview(); });
  f.task_type.input.addEventListener('change', () => {
    updateHints();
    const ex = CONFIG_HINTS[f.task_type.input.value];
    if (!task && ex && (f.config.input.value.trim() === '{}' || f.config.input.dataset.example === 'yes')) {
      f.config.input.value = ex[0];
      f.config.input.dataset.example = 'yes';
    }
  });
  f.config.input.addEventListener('input', () => { f.config.input.dataset.example = 'no'; });
  for (const [k, v] of Object.entries(f)) if (k.startsWith('schedule.')) v.input.addEventListener('input', schedulePreview);

  const submit = h('button.primary', { type: 'submit' }, task ? 'Save changes' : 'Create task');
  const onsubmit = async (ev) => {
    ev.preventDefault();
    for (const v of Object.values(f)) setFieldError(v, null);
    mount(formError);
    let body;
    try {
      body = bodyOf(f);
    } catch (e) {
      if (e.field) { setFieldError(e.field, e.message); e.field.input.focus(); return; }
      throw e;
    }
    if (task) {  // only what changed, so nothing else is re-validated or re-anchored
      const changed = {};
      for (const [k, v] of Object.entries(body)) if (k !== 'task_type' && JSON.stringify(v) !== JSON.stringify(original[k])) changed[k] = v;
      body = changed;
    } else {
      for (const k of ['description', 'due_date', 'reminder_time', 'schedule']) if (body[k] === null) delete body[k];
    }
    submit.disabled = true;
    try {
      const r = task
        ? await api('PUT', `/tasks/${encodeURIComponent(task.task_id)}`, { body })
        : await api('POST', '/tasks', { body });
      toast(task ? `Saved “${r.data.name}”` : `Created “${r.data.name}”`);
      window.location.hash = `#/tasks/${encodeURIComponent(r.data.task_id)}`;
    } catch (e) {
      if (e instanceof ApiError && e.status === 422) {
        const rest = showErrors(f, e.fieldErrors);
        mount(formError, h('p.error', {}, 'The server did not accept the task; see the messages next to the fields.'),
          rest.length ? h('ul', {}, rest.map((x) => h('li', {}, `${x.loc.join('.')}: ${x.msg}`))) : null);
        const bad = main.querySelector('[aria-invalid="true"]');
        if (bad) bad.focus();
      } else {
        mount(formError, h('p.error', {}, e.status === 429 ? `Limit reached: ${e.message} (${e.body.limit_type}, ${e.body.limit})` : e.message));
      }
    } finally {
      submit.disabled = false;
    }
  };

  for (const k of Object.keys(KIND_FIELDS).flatMap((x) => KIND_FIELDS[x]).concat(COMMON, ['schedule.type'])) {
    if (!scheduleBox.contains(f[k].wrap)) scheduleBox.append(f[k].wrap);
  }
  scheduleBox.append(preview);
  mount(main,
    h('nav.crumbs', { 'aria-label': 'Breadcrumb' }, h('a', { href: '#/tasks' }, 'Tasks'), task ? [' / ', h('a', { href: `#/tasks/${encodeURIComponent(task.task_id)}` }, task.name)] : null),
    h('h1', {}, task ? `Edit “${task.name}”` : 'New task'),
    h('form.task-form', { onsubmit, novalidate: true, 'aria-label': task ? 'Edit task' : 'New task' },
      formError,
      h('fieldset', {}, h('legend', {}, 'Task'), f.name.wrap, f.description.wrap, f.task_type.wrap, f.priority.wrap, f.credits_per_run.wrap, f.tags.wrap),
      h('fieldset', {}, h('legend', {}, 'Dates'), f.due_date.wrap, f.reminder_time.wrap),
      scheduleBox,
      h('fieldset', {}, h('legend', {}, 'Configuration'), f.config.wrap, f.metadata.wrap),
      dl,
      h('div.form-buttons', {}, submit, h('a.button.secondary', { href: task ? `#/tasks/${encodeURIComponent(task.task_id)}` : '#/tasks' }, 'Cancel'))));
  // Move the schedule type select first in its fieldset.
  scheduleBox.insertBefore(f['schedule.type'].wrap, scheduleBox.children[1]);
  layoutSchedule();
  updateHints();
  schedulePreview();
  f.name.input.focus();
}
