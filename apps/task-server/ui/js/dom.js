// Small DOM helpers: h() builds elements (text is always set as text, never parsed as HTML).
const SVG_NS = 'http://www.w3.org/2000/svg';

/** h('tag.class#id', {attr: value, onclick: fn}, ...children) -> Element. */
export function h(spec, attrs = {}, ...children) {
  const [tagAndClasses, id] = spec.split('#');
  const [tag, ...classes] = tagAndClasses.split('.');
  const el = document.createElement(tag || 'div');
  if (id) el.id = id;
  if (classes.length) el.className = classes.join(' ');
  setAttrs(el, attrs);
  append(el, children);
  return el;
}

/** An SVG element with attributes. */
export function s(tag, attrs = {}, ...children) {
  const el = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined && v !== null) el.setAttribute(k, String(v));
  append(el, children);
  return el;
}

function setAttrs(el, attrs) {
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'value') el.value = v;
    else if (k === 'checked') el.checked = !!v;
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
}

function append(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

/** Replaces the children of `el`. */
export function mount(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

let uid = 0;
/** A page-unique id with a readable prefix. */
export function newId(prefix) {
  uid += 1;
  return `${prefix}-${uid}`;
}

/** A labelled form control: returns {wrap, input, error}. */
export function field(label, input, { hint, name } = {}) {
  const id = input.id || newId(name || 'f');
  input.id = id;
  const errId = `${id}-error`;
  const hintId = hint ? `${id}-hint` : null;
  if (hintId) input.setAttribute('aria-describedby', hintId);
  const error = h('p.field-error', { id: errId, hidden: true });
  const wrap = h('div.field', { dataset: { field: name || '' } },
    h('label', { for: id }, label), input, hint ? h('p.hint', { id: hintId }, hint) : null, error);
  return { wrap, input, error };
}

/** Shows `msg` under a field built by field() (or clears it with null). */
export function setFieldError(f, msg) {
  const describedBy = (f.input.getAttribute('aria-describedby') || '').split(' ').filter((x) => x && x !== f.error.id);
  if (msg) {
    f.error.textContent = msg;
    f.error.hidden = false;
    f.input.setAttribute('aria-invalid', 'true');
    describedBy.push(f.error.id);
  } else {
    f.error.textContent = '';
    f.error.hidden = true;
    f.input.removeAttribute('aria-invalid');
  }
  if (describedBy.length) f.input.setAttribute('aria-describedby', describedBy.join(' '));
  else f.input.removeAttribute('aria-describedby');
}

/** A <select> with options [[value, label], ...]. */
export function select(options, value, attrs = {}) {
  return h('select', attrs, options.map(([v, l]) => {
    const o = h('option', { value: v }, l);
    if (String(v) === String(value ?? '')) o.selected = true;
    return o;
  }));
}

/** Announces `text` in the polite live region. */
export function toast(text, kind = 'ok') {
  const t = document.getElementById('toast');
  t.className = `toast ${kind}`;
  t.textContent = text;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => { t.textContent = ''; t.className = 'toast'; }, 6000);
}
