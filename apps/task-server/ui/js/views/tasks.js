// Tasks: the API's list filters, cursor pagination (server side only) and the total count.
import { api } from '../api.js';
import { h, mount, field, select } from '../dom.js';
import { when, fromLocalInput, toLocalInput } from '../format.js';
import { TASK_TYPES, STATUSES, PRIORITIES, label } from '../enums.js';
import { actionButtons } from '../actions.js';
import { bulkControls } from '../bulk.js';

const PAGE = 25;
const FILTERS = ['status', 'task_type', 'priority', 'q', 'tag', 'due_after', 'due_before'];

export async function render(main, query) {
  document.title = 'Tasks · Task Service';
  const filters = {};
  for (const k of FILTERS) filters[k] = k === 'tag' ? query.getAll('tag') : (query.get(k) || '');
  const cursors = [null];  // cursor of each page seen so far (page 1 has none)
  let page = 0;

  const status = field('Status', select([['', 'any'], ...STATUSES.map((s) => [s, label(s)])], filters.status, { name: 'status' }), { name: 'status' });
  const type = field('Type', select([['', 'any'], ...TASK_TYPES.map((s) => [s, label(s)])], filters.task_type, { name: 'task_type' }), { name: 'task_type' });
  const prio = field('Priority', select([['', 'any'], ...PRIORITIES.map((s) => [s, s])], filters.priority, { name: 'priority' }), { name: 'priority' });
  const q = field('Name contains', h('input', { type: 'search', name: 'q', value: filters.q }), { name: 'q' });
  const tags = field('Tags (all of, comma-separated)', h('input', { type: 'text', name: 'tag', value: filters.tag.join(', ') }), { name: 'tag' });
  const after = field('Due after', h('input', { type: 'datetime-local', name: 'due_after', value: toLocalInput(filters.due_after) }), { name: 'due_after' });
  const before = field('Due before', h('input', { type: 'datetime-local', name: 'due_before', value: toLocalInput(filters.due_before) }), { name: 'due_before' });
  const all = [status, type, prio, q, tags, after, before];

  const apply = (ev) => {
    ev.preventDefault();
    const p = new URLSearchParams();
    if (status.input.value) p.set('status', status.input.value);
    if (type.input.value) p.set('task_type', type.input.value);
    if (prio.input.value) p.set('priority', prio.input.value);
    if (q.input.value.trim()) p.set('q', q.input.value.trim());
    for (const t of tags.input.value.split(',').map((x) => x.trim()).filter(Boolean)) p.append('tag', t);
    if (after.input.value) p.set('due_after', fromLocalInput(after.input.value));
    if (before.input.value) p.set('due_before', fromLocalInput(before.input.value));
    const text = p.toString();
    window.location.hash = `#/tasks${text ? `?${text}` : ''}`;
  };

  const summary = h('p.summary', { 'aria-live': 'polite', 'data-testid': 'task-summary' });
  const tableWrap = h('div.table-wrap');
  const prev = h('button.secondary', { type: 'button', disabled: true }, '← Previous page');
  const next = h('button.secondary', { type: 'button', disabled: true }, 'Next page →');
  const errorBox = h('div', { role: 'alert' });
  const bulk = bulkControls({ reload: () => load() });

  async function load() {
    const p = new URLSearchParams();
    for (const k of ['status', 'task_type', 'priority', 'q', 'due_after', 'due_before']) if (filters[k]) p.set(k, filters[k]);
    for (const t of filters.tag) p.append('tag', t);
    p.set('limit', String(PAGE));
    if (cursors[page]) p.set('cursor', cursors[page]);
    let r;
    try {
      r = await api('GET', '/tasks', { query: p });
    } catch (e) {
      for (const f of all) f.error.hidden = true;
      mount(errorBox);
      if (e.status === 422) {
        for (const err of e.fieldErrors) {
          const name = err.loc[err.loc.length - 1];
          const f = all.find((x) => x.input.name === name);
          if (f) { f.error.hidden = false; f.error.textContent = err.msg; f.input.setAttribute('aria-invalid', 'true'); }
        }
      }
      mount(errorBox, h('p.error', {}, `The list could not be loaded: ${e.message}`));
      return;
    }
    mount(errorBox);
    const d = r.data;
    bulk.reset(d.tasks);
    cursors[page + 1] = d.next_cursor;
    const first = page * PAGE + (d.count ? 1 : 0);
    summary.textContent = d.total === 0 ? 'No tasks match.' : `Tasks ${first}–${page * PAGE + d.count} of ${d.total}`;
    prev.disabled = page === 0;
    next.disabled = !d.next_cursor;
    mount(tableWrap, d.tasks.length ? table(d.tasks) : h('p.empty', {}, 'Nothing here yet. ', h('a', { href: '#/tasks/new' }, 'Create a task'), ' or ', h('a', { href: '#/templates' }, 'start from a template'), '.'));
  }

  function table(rows) {
    return h('table.tasks', {},
      h('caption.sr-only', {}, 'Your tasks, newest first'),
      h('thead', {}, h('tr', {}, h('th.select', { scope: 'col' }, h('span.sr-only', {}, 'Select')), ['Name', 'Type', 'Status', 'Priority', 'Next run / due', 'Tags', 'Actions'].map((c) => h('th', { scope: 'col' }, c)))),
      h('tbody', {}, rows.map((t) => h('tr', { dataset: { taskId: t.task_id } },
        h('td.select', { 'data-label': 'Select' }, bulk.rowBox(t)),
        h('td', { 'data-label': 'Name' }, h('a', { href: `#/tasks/${encodeURIComponent(t.task_id)}` }, t.name)),
        h('td', { 'data-label': 'Type' }, label(t.task_type)),
        h('td', { 'data-label': 'Status' }, h(`span.status.s-${t.status}`, {}, label(t.status))),
        h('td', { 'data-label': 'Priority' }, h(`span.prio.p-${t.priority}`, {}, t.priority)),
        h('td', { 'data-label': 'Next run / due' }, t.next_run_time ? `next ${when(t.next_run_time)}` : t.due_date ? `due ${when(t.due_date)}` : '—'),
        h('td', { 'data-label': 'Tags' }, t.tags.length ? t.tags.map((x) => h('span.tag', {}, x)) : '—'),
        h('td', { 'data-label': 'Actions' }, actionButtons(t, () => load(), { compact: true }))))));
  }

  prev.addEventListener('click', () => { if (page > 0) { page -= 1; load(); } });
  next.addEventListener('click', () => { if (cursors[page + 1]) { page += 1; load(); } });

  mount(main,
    h('div.view-head', {}, h('h1', {}, 'Tasks'), h('a.button.primary', { href: '#/tasks/new' }, 'New task')),
    h('form.filters', { 'aria-label': 'Filter tasks', onsubmit: apply }, all.map((f) => f.wrap),
      h('div.filter-buttons', {}, h('button.primary', { type: 'submit' }, 'Apply filters'), h('a.button.secondary', { href: '#/tasks' }, 'Clear'))),
    errorBox, summary, bulk.bar, bulk.results, tableWrap, h('nav.pager', { 'aria-label': 'Pages' }, prev, next));
  await load();
}
