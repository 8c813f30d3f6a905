// Templates: by category with the level each needs; create a task from one with its required
// fields (POST /tasks/from-template), showing the API's errors next to the fields.
import { api, ApiError } from '../api.js';
import { h, mount, field, setFieldError, toast } from '../dom.js';
import { label } from '../enums.js';
import { fromLocalInput } from '../format.js';

const TOP_LEVEL = ['name', 'description', 'due_date', 'reminder_time', 'priority'];

function parseValue(v) {
  const t = v.trim();
  if (t === '') return undefined;
  try { return JSON.parse(t); } catch { return t; }
}

function createForm(t, onDone) {
  const fields = {};
  fields.name = field('Task name', h('input', { type: 'text', name: 'name', value: t.name }), { name: 'name' });
  for (const r of t.required_fields.filter((x) => x !== 'name')) {
    const isDate = /_(date|time)$/.test(r);
    const def = t.default_config && t.default_config[r] !== undefined ? JSON.stringify(t.default_config[r]) : '';
    fields[r] = field(`${label(r)} (required)`, h('input', { type: isDate ? 'datetime-local' : 'text', name: r, value: isDate ? '' : def, required: true }),
      { name: r, hint: isDate ? 'In your time zone.' : 'Text, or JSON for numbers, lists and objects.' });
  }
  const err = h('div', { role: 'alert' });
  const submit = async (ev) => {
    ev.preventDefault();
    Object.values(fields).forEach((f) => setFieldError(f, null));
    mount(err);
    const body = { template_id: t.template_id, config: {} };
    for (const [k, f] of Object.entries(fields)) {
      const isDate = f.input.type === 'datetime-local';
      const v = isDate ? fromLocalInput(f.input.value) : parseValue(f.input.value);
      if (v === undefined || v === null) continue;
      if (TOP_LEVEL.includes(k)) body[k] = v; else body.config[k] = v;
    }
    try {
      const r = await api('POST', '/tasks/from-template', { body });
      toast(`Created “${r.data.name}” from ${t.name}`);
      onDone(r.data);
    } catch (e) {
      if (e instanceof ApiError && e.status === 422) {
        const rest = [];
        for (const x of e.fieldErrors) {
          const key = x.loc[x.loc.length - 1];
          if (fields[key]) setFieldError(fields[key], x.msg); else rest.push(`${x.loc.join('.')}: ${x.msg}`);
        }
        mount(err, h('p.error', {}, 'The server did not accept the task.'), rest.length ? h('ul', {}, rest.map((x) => h('li', {}, x))) : null);
      } else if (e.status === 403) {
        mount(err, h('p.error', {}, `This template needs the ${e.body.required_level} level.`));
      } else {
        mount(err, h('p.error', {}, e.message));
      }
    }
  };
  return h('form.template-form', { onsubmit: submit, novalidate: true, 'aria-label': `Create from ${t.name}` }, err, Object.values(fields).map((f) => f.wrap),
    h('button.primary', { type: 'submit' }, 'Create task'));
}

export async function render(main) {
  document.title = 'Templates · Task Service';
  const list = (await api('GET', '/templates')).data;
  const byCat = new Map();
  for (const t of list) {
    if (!byCat.has(t.category)) byCat.set(t.category, []);
    byCat.get(t.category).push(t);
  }
  mount(main, h('h1', {}, 'Templates'),
    h('p.muted', {}, 'Templates your subscription level can use, by category. Each says the level it needs.'),
    [...byCat.entries()].map(([cat, ts]) => h('section.panel', { 'aria-labelledby': `cat-${cat}` },
      h('h2', { id: `cat-${cat}` }, label(cat)),
      h('ul.template-list', {}, ts.map((t) => {
        const slot = h('div');
        const btn = h('button.secondary', { type: 'button', 'aria-expanded': 'false', onclick: () => {
          const open = btn.getAttribute('aria-expanded') === 'true';
          btn.setAttribute('aria-expanded', String(!open));
          if (open) { mount(slot); return; }
          mount(slot, createForm(t, (task) => { window.location.hash = `#/tasks/${encodeURIComponent(task.task_id)}`; }));
          slot.querySelector('input').focus();
        } }, 'Use this template');
        return h('li.template', { dataset: { templateId: t.template_id } },
          h('div.template-head', {}, h('h3', {}, t.name), h(`span.level.l-${t.required_subscription_level}`, {}, `needs ${t.required_subscription_level}`)),
          h('p', {}, t.description || ''),
          h('p.muted', {}, `${label(t.task_type)} · ${t.credits_per_run} credit(s) per run · required: ${t.required_fields.join(', ') || 'nothing'}`),
          btn, slot);
      })))));
}
