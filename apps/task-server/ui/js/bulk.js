// Bulk actions of the task list (docs/dashboard.md): select tasks on the page (a checkbox per row,
// one for the whole page), pick an action, confirm, and POST /api/v1/tasks/bulk once; the answer's
// per-task results are listed with every failure named (docs/api.md "Bulk operations").
import { api } from './api.js';
import { h, mount, toast } from './dom.js';

const ACTIONS = [['pause', 'Pause'], ['resume', 'Resume'], ['cancel', 'Cancel'], ['delete', 'Delete'], ['run', 'Run now']];
const PAST = { pause: 'paused', resume: 'resumed', cancel: 'cancelled', delete: 'deleted', run: 'started' };

/** The selection state and controls of one list; `reload()` re-reads the page after an action. */
export function bulkControls({ reload }) {
  let rows = [];
  const selected = new Set();
  const boxes = new Map();
  const allBox = h('input#bulk-all', {
    type: 'checkbox', 'data-testid': 'select-all',
    onchange: (ev) => {
      for (const t of rows) {
        if (ev.currentTarget.checked) selected.add(t.task_id); else selected.delete(t.task_id);
        boxes.get(t.task_id).checked = ev.currentTarget.checked;
      }
      refresh();
    },
  });

  const count = h('span.bulk-count', { 'data-testid': 'bulk-count' }, 'No tasks selected');
  const action = h('select#bulk-action', { name: 'bulk-action' }, ACTIONS.map(([v, l]) => h('option', { value: v }, l)));
  const apply = h('button.primary', { type: 'button', disabled: true, 'data-testid': 'bulk-apply' }, 'Apply to selected');
  const results = h('section.bulk-results', { 'data-testid': 'bulk-results', 'aria-live': 'polite', 'aria-label': 'Results of the bulk action', hidden: true });
  const bar = h('div.bulk-bar', { role: 'group', 'aria-label': 'Bulk actions on the selected tasks' },
    h('span.bulk-all', {}, allBox, h('label', { for: 'bulk-all' }, 'All on this page')),
    h('label', { for: 'bulk-action' }, 'Selected tasks:'), action, apply, count);

  function refresh() {
    const n = selected.size;
    count.textContent = n === 0 ? 'No tasks selected' : `${n} selected`;
    apply.disabled = n === 0;
    allBox.checked = n > 0 && n === rows.length;
    allBox.indeterminate = n > 0 && n < rows.length;
    allBox.disabled = rows.length === 0;
  }

  function nameOf(id, names) {
    return names.get(id) || id;
  }

  function show(label, answer, names) {
    const failed = answer.results.filter((r) => !r.ok);
    const head = `${label}: ${answer.results.length} task${answer.results.length === 1 ? '' : 's'}, ${answer.changed} changed, ${failed.length} failed`;
    mount(results,
      h('h2', {}, head),
      h('ul.bulk-list', {}, answer.results.map((r) => (r.ok
        ? h('li.ok', { dataset: { taskId: r.task_id } }, `“${nameOf(r.task_id, names)}”: ${r.status ?? 'done'}${r.execution_id ? ` (${r.execution_id})` : ''}`)
        : h('li.bad', { dataset: { taskId: r.task_id } }, `“${nameOf(r.task_id, names)}” failed: ${r.error?.detail ?? 'error'} (HTTP ${r.error?.status ?? '?'})`)))));
    results.hidden = false;
    toast(failed.length ? `${head}` : `${answer.changed} task${answer.changed === 1 ? '' : 's'} ${PAST[answer.action]}`, failed.length ? 'bad' : 'ok');
  }

  apply.addEventListener('click', async () => {
    const ids = rows.map((t) => t.task_id).filter((id) => selected.has(id));
    if (!ids.length) return;
    const label = ACTIONS.find(([v]) => v === action.value)[1];
    const names = new Map(rows.map((t) => [t.task_id, t.name]));
    const what = `${label}: ${ids.length} selected task${ids.length === 1 ? '' : 's'}?`;
    if (!window.confirm(action.value === 'delete' ? `${what} Deleted tasks leave the list.` : what)) return;
    apply.disabled = true;
    try {
      const r = await api('POST', '/tasks/bulk', { body: { action: action.value, task_ids: ids } });
      show(label, r.data, names);
    } catch (e) {
      mount(results, h('p.error', {}, `${label} did not run: ${e.message}`));
      results.hidden = false;
      toast(`${label} did not run: ${e.message}`, 'bad');
    }
    await reload();
  });

  return {
    bar,
    results,
    /** Called with the tasks of each page shown: the selection starts empty. */
    reset(tasks) {
      rows = tasks;
      selected.clear();
      boxes.clear();
      refresh();
    },
    /** The checkbox of one row. */
    rowBox(t) {
      const box = h('input', {
        type: 'checkbox', 'aria-label': `Select “${t.name}”`, dataset: { select: t.task_id },
        onchange: (ev) => {
          if (ev.currentTarget.checked) selected.add(t.task_id); else selected.delete(t.task_id);
          refresh();
        },
      });
      boxes.set(t.task_id, box);
      return box;
    },
  };
}
