// Task actions, each one real API call: run now, pause, resume, cancel, complete, reopen, delete.
import { api } from './api.js';
import { h, toast } from './dom.js';
import { TODO_FAMILY } from './enums.js';

/** The actions that make sense for a task in its status, as [name, label]. */
export function actionsFor(t) {
  const out = [];
  if (['pending', 'scheduled', 'paused', 'failed', 'completed'].includes(t.status)) out.push(['run', 'Run now']);
  if (['pending', 'scheduled'].includes(t.status)) out.push(['pause', 'Pause']);
  if (t.status === 'paused') out.push(['resume', 'Resume']);
  if (TODO_FAMILY.includes(t.task_type) && ['pending', 'scheduled', 'failed'].includes(t.status)) out.push(['complete', 'Complete']);
  if (t.status === 'completed') out.push(['reopen', 'Reopen']);
  if (!['cancelled', 'completed'].includes(t.status)) out.push(['cancel', 'Cancel']);
  out.push(['delete', 'Delete']);
  return out;
}

const PAST = { run: 'ran', pause: 'paused', resume: 'resumed', cancel: 'cancelled', complete: 'completed', reopen: 'reopened', delete: 'deleted' };

/** Performs `action` on task `t`; returns the API's answer. Errors are announced and rethrown. */
export async function perform(action, t) {
  const id = encodeURIComponent(t.task_id);
  try {
    let r;
    switch (action) {
      case 'run': r = await api('POST', `/tasks/${id}/execute`, { query: { wait_ms: 10000 } }); break;
      case 'pause': r = await api('PUT', `/tasks/${id}`, { body: { status: 'paused' } }); break;
      case 'resume': r = await api('PUT', `/tasks/${id}`, { body: { status: t.schedule ? 'scheduled' : 'pending' } }); break;
      case 'cancel': r = await api('PUT', `/tasks/${id}`, { body: { status: 'cancelled' } }); break;
      case 'complete': r = await api('PUT', `/tasks/${id}`, { body: { status: 'completed' } }); break;
      case 'reopen': r = await api('PUT', `/tasks/${id}`, { body: { status: 'pending' } }); break;
      case 'delete': r = await api('DELETE', `/tasks/${id}`); break;
      default: throw new Error(`unknown action ${action}`);
    }
    if (action === 'run') {
      const e = r.data;
      toast(r.status === 202 ? `“${t.name}” is running (${e.execution_id})` : `“${t.name}” ran: ${e.status}${e.error_message ? ` — ${e.error_message}` : ''}`, e.status === 'failed' ? 'bad' : 'ok');
    } else {
      toast(`“${t.name}” ${PAST[action]}`);
    }
    return r;
  } catch (e) {
    toast(`Could not ${action} “${t.name}”: ${e.message}${e.body && e.body.from ? ` (${e.body.from} → ${e.body.to})` : ''}`, 'bad');
    throw e;
  }
}

/** A row of action buttons for `t`; `after(action)` runs after a successful action. */
export function actionButtons(t, after, { compact = false } = {}) {
  return h('div.actions', { role: 'group', 'aria-label': `Actions for ${t.name}` },
    actionsFor(t).map(([a, l]) => h(`button.${a === 'delete' || a === 'cancel' ? 'danger' : 'secondary'}${compact ? '.small' : ''}`, {
      type: 'button',
      dataset: { action: a },
      'aria-label': compact ? `${l}: ${t.name}` : undefined,
      onclick: async (ev) => {
        const btn = ev.currentTarget;
        if (a === 'delete' && !window.confirm(`Delete “${t.name}”?`)) return;
        btn.disabled = true;
        try {
          await perform(a, t);
          await after(a);
        } catch { /* announced */ } finally {
          btn.disabled = false;
        }
      },
    }, l)));
}
