// Formatting of instants, durations and schedules for people.
export const viewerZone = Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';

const partsCache = new Map();
function formatter(zone) {
  if (!partsCache.has(zone)) {
    partsCache.set(zone, new Intl.DateTimeFormat('en-US', {
      timeZone: zone, weekday: 'short', year: 'numeric', month: '2-digit', day: '2-digit',
      hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23', timeZoneName: 'short',
    }));
  }
  return partsCache.get(zone);
}

/** "Mon 2027-03-29 09:00 CEST" of an RFC 3339 instant in `zone` (default: the viewer's). */
export function when(iso, zone = viewerZone, { seconds = false } = {}) {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  let p;
  try {
    p = Object.fromEntries(formatter(zone).formatToParts(d).map((x) => [x.type, x.value]));
  } catch {
    return iso;
  }
  const time = `${p.hour}:${p.minute}${seconds ? `:${p.second}` : ''}`;
  return `${p.weekday} ${p.year}-${p.month}-${p.day} ${time} ${p.timeZoneName}`;
}

/** "1.2 s", "340 ms", "3 min 2 s". */
export function duration(ms) {
  if (ms === null || ms === undefined) return '—';
  const sign = ms < 0 ? '−' : '';
  const a = Math.abs(ms);
  if (a < 1000) return `${sign}${Math.round(a)} ms`;
  if (a < 60000) return `${sign}${(a / 1000).toFixed(a < 10000 ? 2 : 1)} s`;
  const m = Math.floor(a / 60000);
  const sec = Math.round((a % 60000) / 1000);
  if (m < 60) return `${sign}${m} min ${sec} s`;
  return `${sign}${Math.floor(m / 60)} h ${m % 60} min`;
}

export function number(n, digits = 0) {
  if (n === null || n === undefined) return '—';
  return Number(n).toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: 0 });
}

const WEEKDAYS = ['', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];
const CRON_MACROS = {
  '@hourly': 'every hour, on the hour', '@daily': 'every day at 00:00', '@midnight': 'every day at 00:00',
  '@weekly': 'every Sunday at 00:00', '@monthly': 'on the 1st of every month at 00:00',
  '@yearly': 'every 1 January at 00:00', '@annually': 'every 1 January at 00:00',
};

function pad(n) { return String(n).padStart(2, '0'); }

function ordinal(n) {
  const s = ['th', 'st', 'nd', 'rd'];
  const v = n % 100;
  return n + (s[(v - 20) % 10] || s[v] || s[0]);
}

function cronWords(expr) {
  const e = expr.trim();
  if (CRON_MACROS[e]) return CRON_MACROS[e];
  const f = e.split(/\s+/);
  if (f.length !== 5) return `cron “${e}”`;
  const [min, hour, dom, mon, dow] = f;
  const num = (x) => /^\d+$/.test(x);
  let time;
  if (num(min) && num(hour)) time = `at ${pad(hour)}:${pad(min)}`;
  else if (num(min) && hour === '*') time = `every hour at minute ${min}`;
  else if (/^\*\/\d+$/.test(min) && hour === '*') time = `every ${min.slice(2)} minutes`;
  else if (min === '*' && hour === '*') time = 'every minute';
  else time = `at minute ${min} of hour ${hour}`;
  const days = [];
  const dowNames = { '1-5': 'on weekdays (Mon–Fri)', '0,6': 'on weekends', '6,0': 'on weekends', '6-7': 'on weekends' };
  if (dow !== '*') days.push(dowNames[dow] || `on day-of-week ${dow}`);
  if (dom !== '*') days.push(`on day ${dom} of the month`);
  if (mon !== '*') days.push(`in month ${mon}`);
  const dayText = days.length ? days.join(dow !== '*' && dom !== '*' ? ' or ' : ', ') : 'every day';
  return `${time}, ${dayText} (cron “${e}”)`;
}

/** The schedule object of a task in words. */
export function scheduleWords(s) {
  if (!s) return 'No schedule';
  const tz = s.timezone || 'UTC';
  let text;
  switch (s.type) {
    case 'cron': text = cronWords(s.expression || s.cron_expression || ''); break;
    case 'interval': {
      const sec = s.interval_seconds ?? (s.interval_minutes ? s.interval_minutes * 60 : 0);
      text = sec % 86400 === 0 ? `every ${sec / 86400} day(s)` : sec % 3600 === 0 ? `every ${sec / 3600} hour(s)` : sec % 60 === 0 ? `every ${sec / 60} minute(s)` : `every ${sec} seconds`;
      if (s.start_at) text += `, counted from ${when(s.start_at, tz)}`;
      break;
    }
    case 'once': text = `once, at ${when(s.run_at || s.run_time, tz)}`; break;
    case 'daily': text = `every day at ${s.time || s.run_time}`; break;
    case 'weekly': {
      const wd = typeof s.weekday === 'number' ? WEEKDAYS[s.weekday] : String(s.weekday || '').replace(/^./, (c) => c.toUpperCase());
      text = `every ${wd} at ${s.time || s.run_time}`;
      break;
    }
    case 'monthly': text = `on the ${ordinal(s.day)} of every month at ${s.time || s.run_time} (the month's last day when shorter)`; break;
    default: text = JSON.stringify(s);
  }
  const extra = [`time zone ${tz}`];
  if (s.start_at && s.type !== 'interval') extra.push(`from ${when(s.start_at, tz)}`);
  if (s.end_at) extra.push(`until ${when(s.end_at, tz)}`);
  if (s.max_runs) extra.push(`at most ${s.max_runs} run(s)`);
  if (s.misfire && s.misfire !== 'run_once') extra.push(`missed slots: ${s.misfire.replace('_', ' ')}`);
  return `${text[0].toUpperCase()}${text.slice(1)}; ${extra.join(', ')}`;
}

/** Local datetime-local input value -> RFC 3339 with the viewer's offset (or null). */
export function fromLocalInput(v) {
  if (!v) return null;
  const d = new Date(v);
  return Number.isNaN(d.getTime()) ? v : d.toISOString();
}

/** RFC 3339 -> datetime-local input value in the viewer's zone. */
export function toLocalInput(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** RFC 3339 -> datetime-local input value as wall-clock time in `zone` (schedule fields). */
export function toZoneInput(iso, zone) {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  try {
    const p = Object.fromEntries(new Intl.DateTimeFormat('en-US', {
      timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23',
    }).formatToParts(d).map((x) => [x.type, x.value]));
    return `${p.year}-${p.month}-${p.day}T${p.hour}:${p.minute}`;
  } catch {
    return toLocalInput(iso);
  }
}
