// Small SVG charts drawn from the analytics endpoints' aggregates. Colours come from CSS classes
// (light and dark themes); each chart is one role="img" with a text summary for screen readers.
import { s } from './dom.js';

function frame(width, height, label) {
  return s('svg', { viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': label, class: 'chart', preserveAspectRatio: 'xMidYMid meet' });
}

function niceMax(v) {
  if (v <= 0) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

function yAxis(svg, { left, top, plotH, width, max, fmt = (x) => x }) {
  for (let i = 0; i <= 4; i += 1) {
    const v = (max * i) / 4;
    const y = top + plotH - (plotH * i) / 4;
    svg.append(s('line', { x1: left, x2: width - 8, y1: y, y2: y, class: 'grid' }));
    svg.append(s('text', { x: left - 6, y: y + 4, class: 'tick', 'text-anchor': 'end' }, fmt(Number.isInteger(v) ? v : v.toFixed(1))));
  }
}

/** Stacked bars per day: rows [{date, successful, failed}]. */
export function dailyBars(rows, label) {
  const width = 720; const height = 260; const left = 44; const top = 12; const bottom = 40;
  const plotH = height - top - bottom; const plotW = width - left - 8;
  const max = niceMax(Math.max(0, ...rows.map((r) => r.successful + r.failed)));
  const svg = frame(width, height, label);
  yAxis(svg, { left, top, plotH, width, max });
  const step = plotW / Math.max(rows.length, 1);
  const bw = Math.max(2, step * 0.7);
  const labelEvery = Math.ceil(rows.length / 10);
  rows.forEach((r, i) => {
    const x = left + i * step + (step - bw) / 2;
    const hOk = (r.successful / max) * plotH;
    const hFail = (r.failed / max) * plotH;
    const g = s('g', { class: 'bar-group' });
    g.append(s('title', {}, `${r.date}: ${r.successful} succeeded, ${r.failed} failed`));
    g.append(s('rect', { x, y: top + plotH - hOk, width: bw, height: hOk, class: 'ok' }));
    g.append(s('rect', { x, y: top + plotH - hOk - hFail, width: bw, height: hFail, class: 'fail' }));
    svg.append(g);
    if (i % labelEvery === 0) svg.append(s('text', { x: x + bw / 2, y: height - bottom + 16, class: 'tick', 'text-anchor': 'middle' }, r.date.slice(5)));
  });
  svg.append(s('rect', { x: left, y: height - 16, width: 10, height: 10, class: 'ok legend' }));
  svg.append(s('text', { x: left + 14, y: height - 7, class: 'tick' }, 'succeeded'));
  svg.append(s('rect', { x: left + 90, y: height - 16, width: 10, height: 10, class: 'fail legend' }));
  svg.append(s('text', { x: left + 104, y: height - 7, class: 'tick' }, 'failed'));
  return svg;
}

const DAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

/** Weekday x hour heat map: grid[7][24] of counts. */
export function heatMap(grid, label) {
  const cell = 26; const left = 40; const top = 8; const width = left + 24 * cell + 8; const height = top + 7 * cell + 24;
  const max = Math.max(1, ...grid.flat());
  const svg = frame(width, height, label);
  grid.forEach((row, d) => {
    svg.append(s('text', { x: left - 6, y: top + d * cell + cell / 2 + 4, class: 'tick', 'text-anchor': 'end' }, DAYS[d]));
    row.forEach((n, hr) => {
      const r = s('rect', {
        x: left + hr * cell + 1, y: top + d * cell + 1, width: cell - 2, height: cell - 2, rx: 3,
        class: n ? 'heat' : 'heat-empty', 'fill-opacity': n ? (0.18 + 0.82 * (n / max)).toFixed(3) : undefined,
      });
      r.append(s('title', {}, `${DAYS[d]} ${String(hr).padStart(2, '0')}:00–${String(hr).padStart(2, '0')}:59: ${n} execution(s)`));
      svg.append(r);
    });
  });
  for (let hr = 0; hr < 24; hr += 3) svg.append(s('text', { x: left + hr * cell + cell / 2, y: height - 6, class: 'tick', 'text-anchor': 'middle' }, String(hr).padStart(2, '0')));
  return svg;
}

/** Horizontal bars: items [{label, value}]. */
export function hBars(items, label) {
  const rowH = 28; const left = 130; const width = 720; const height = Math.max(1, items.length) * rowH + 16;
  const max = Math.max(1, ...items.map((i) => i.value));
  const svg = frame(width, height, label);
  items.forEach((it, i) => {
    const y = 8 + i * rowH;
    const w = ((width - left - 60) * it.value) / max;
    svg.append(s('text', { x: left - 8, y: y + 17, class: 'tick', 'text-anchor': 'end' }, it.label));
    const r = s('rect', { x: left, y: y + 4, width: Math.max(w, 1), height: rowH - 10, rx: 3, class: 'bar' });
    r.append(s('title', {}, `${it.label}: ${it.value}`));
    svg.append(r);
    svg.append(s('text', { x: left + w + 6, y: y + 17, class: 'tick' }, String(it.value)));
  });
  return svg;
}

/** A line with area: points [{x: label, y: number}], e.g. credits per day. */
export function lineChart(points, label, fmt = (v) => v) {
  const width = 720; const height = 240; const left = 52; const top = 12; const bottom = 28;
  const plotH = height - top - bottom; const plotW = width - left - 12;
  const max = niceMax(Math.max(0, ...points.map((p) => p.y)));
  const svg = frame(width, height, label);
  yAxis(svg, { left, top, plotH, width, max, fmt });
  const xs = (i) => left + (points.length <= 1 ? plotW / 2 : (plotW * i) / (points.length - 1));
  const ys = (v) => top + plotH - (plotH * v) / max;
  const line = points.map((p, i) => `${i ? 'L' : 'M'}${xs(i).toFixed(1)},${ys(p.y).toFixed(1)}`).join(' ');
  if (points.length) {
    svg.append(s('path', { d: `${line} L${xs(points.length - 1).toFixed(1)},${top + plotH} L${xs(0).toFixed(1)},${top + plotH} Z`, class: 'area' }));
    svg.append(s('path', { d: line, class: 'line' }));
  }
  const labelEvery = Math.ceil(points.length / 10);
  points.forEach((p, i) => {
    const c = s('circle', { cx: xs(i), cy: ys(p.y), r: 3, class: 'dot' });
    c.append(s('title', {}, `${p.x}: ${fmt(p.y)}`));
    svg.append(c);
    if (i % labelEvery === 0) svg.append(s('text', { x: xs(i), y: height - 8, class: 'tick', 'text-anchor': 'middle' }, String(p.x).slice(5)));
  });
  return svg;
}

/** Histogram bars from Prometheus cumulative buckets [{le, count}] (non-cumulative bars). */
export function histogram(buckets, label) {
  const items = buckets.map((b, i) => ({ label: b.le === '+Inf' ? `> ${buckets[i - 1]?.le ?? 0} s` : `≤ ${b.le} s`, value: b.count - (i ? buckets[i - 1].count : 0) }));
  return hBars(items, label);
}
