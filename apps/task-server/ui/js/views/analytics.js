// Analytics: charts from GET /analytics and GET /analytics/series (aggregates computed by the
// database), in the viewer's time zone, for a chosen number of days.
import { api } from '../api.js';
import { h, mount, field, select } from '../dom.js';
import { viewerZone, number } from '../format.js';
import { dailyBars, heatMap, hBars, lineChart } from '../charts.js';
import { label } from '../enums.js';

export async function render(main, query) {
  document.title = 'Analytics · Task Service';
  const days = Number(query.get('days')) || 30;
  const daysField = field('Period', select([[7, 'Last 7 days'], [30, 'Last 30 days'], [90, 'Last 90 days'], [365, 'Last 365 days']], days, { name: 'days' }), { name: 'days' });
  daysField.input.addEventListener('change', () => { window.location.hash = `#/analytics?days=${daysField.input.value}`; });
  const body = h('div.analytics', { 'aria-busy': 'true' });
  mount(main, h('div.view-head', {}, h('h1', {}, 'Analytics'), h('div.inline-controls', {}, daysField.wrap, h('p.muted', {}, `Times in your zone: ${viewerZone}`))), body);

  const q = { days, tz: viewerZone };
  const [a, series] = await Promise.all([api('GET', '/analytics', { query: q }), api('GET', '/analytics/series', { query: q })]);
  const d = a.data;
  const sr = series.data;
  const card = (title, v, sub) => h('div.card', {}, h('p.card-title', {}, title), h('p.card-value', {}, v), sub ? h('p.card-sub', {}, sub) : null);
  const types = Object.entries(d.task_types_distribution).map(([k, v]) => ({ label: label(k), value: v })).sort((x, y) => y.value - x.value);
  const credits = sr.daily.map((r) => ({ x: r.date, y: r.credits }));
  const figure = (id, title, chart, caption) => h('figure.chart-box', { 'aria-labelledby': id, 'data-chart': id },
    h('h2', { id }, title), chart, caption ? h('figcaption.muted', {}, caption) : null);
  const totalDaily = sr.daily.reduce((acc, r) => acc + r.total, 0);
  mount(body,
    h('div.cards', {},
      card('Executions', number(d.total_executions), `${number(d.successful_executions)} succeeded, ${number(d.failed_executions)} failed`),
      card('Success rate', `${number(d.success_rate, 2)} %`),
      card('Credits used', number(d.total_credits_consumed, 2)),
      card('Average run time', `${number(d.average_execution_time, 2)} s`),
      card('Tasks', number(d.total_tasks), `${number(d.active_tasks)} active, ${number(d.paused_tasks)} paused, ${number(d.completed_tasks)} completed`)),
    h('div.charts', {},
      figure('chart-daily', 'Executions per day', dailyBars(sr.daily, `Executions per day over ${days} days: ${totalDaily} in total`), `${d.time_period}, days in ${sr.timezone}.`),
      figure('chart-heat', 'Busiest hours by weekday', heatMap(sr.weekday_hour, `Executions by weekday and hour; busiest hours ${d.busiest_hours.join(', ') || 'none'}`),
        d.busiest_days.length ? `Busiest days: ${d.busiest_days.join(', ')}; busiest hours: ${d.busiest_hours.map((x) => `${String(x).padStart(2, '0')}:00`).join(', ')}.` : 'No executions in this period.'),
      figure('chart-types', 'Task types', types.length ? hBars(types, `Tasks by type: ${types.map((t) => `${t.label} ${t.value}`).join(', ')}`) : h('p.empty', {}, 'No tasks.')),
      figure('chart-credits', 'Credits over time', lineChart(credits, `Credits used per day, ${number(d.total_credits_consumed, 2)} in total`, (v) => number(v, 2)))));
  body.setAttribute('aria-busy', 'false');
}
