// Overview: totals, the outbox (when the application has one), the busiest queues, the workers, and the history
// charts for the last hour / day / week.
import {h, mount} from '../dom.js';
import {get} from '../api.js';
import {follow} from '../live.js';
import {href, replace} from '../router.js';
import {historyCharts} from '../charts.js';
import {compact, count, duration, time} from '../format.js';
import {badge, loading, pageHeader, queueLink, section, showError, stats, table} from '../ui.js';
import {outboxStats} from './outbox.js';

export const RANGES = ['hour', 'day', 'week'];

/** hour / day / week buttons that keep the choice in the URL. */
export function rangePicker(range, page, arg, onPick) {
  return h('div.segmented', {role: 'group', 'aria-label': 'History range'}, RANGES.map((r) =>
    h('button', {type: 'button', 'aria-pressed': String(r === range), dataset: {range: r}, onclick: () => {
      replace(href(page, arg, {range: r === 'hour' ? null : r}));
      onPick(r);
    }}, `Last ${r}`)));
}

export function render(root, route) {
  let range = RANGES.includes(route.params.get('range')) ? route.params.get('range') : 'hour';
  const body = h('div.page-body', null, loading());
  const picker = h('div');
  mount(root, pageHeader('Overview', picker), body);
  let last = null;
  let stopLive = null;
  const load = () => get('/api/overview', {range});
  const draw = (data) => {
    // The stream may carry another range's history: keep the one we asked for.
    if (last && data.history && data.history.range && data.history.range !== range) data.history = last.history;
    last = data;
    mount(body, view(data));
  };
  const start = () => {
    mount(picker, rangePicker(range, 'overview', null, (r) => {
      range = r;
      last = null;
      start();
    }));
    if (stopLive) stopLive();
    stopLive = follow({view: 'overview', params: {range}, load, onData: draw, onError: showError});
  };
  start();
  return () => stopLive && stopLive();
}

function view(data) {
  const t = data.totals || {};
  return [
    stats([
      {label: 'Pending', value: compact(t.pending)},
      {label: 'Scheduled', value: compact(t.scheduled)},
      {label: 'Running', value: compact(t.running)},
      {label: 'Retrying', value: compact(t.retrying)},
      {label: 'Dead', value: compact(t.dead), href: href('failures')},
      {label: 'Workers', value: count(t.workers), href: href('workers')},
      {label: 'Queues', value: count(t.queues), href: href('queues')},
      {label: 'Oldest pending', value: t.oldestPendingAgeMillis ? duration(t.oldestPendingAgeMillis) : '—',
        title: 'How long the oldest pending task has waited, across queues'},
    ]),
    data.outbox ? section('Outbox', outboxStats(data.outbox, href('outbox'))) : null,
    section('History', historyCharts(data.history)),
    h('div.columns', null,
      section('Busiest queues', table('Queues with the most pending tasks', [
        {label: 'Queue', cell: (q) => [queueLink(q.name), q.paused ? [' ', badge('paused')] : null]},
        {label: 'Pending', numeric: true, cell: (q) => compact(q.pending)},
        {label: 'Running', numeric: true, cell: (q) => compact(q.running)},
        {label: 'Dead', numeric: true, cell: (q) => compact(q.dead)},
        {label: 'Lag', numeric: true, cell: (q) => (q.oldestPendingAgeMillis ? duration(q.oldestPendingAgeMillis) : '—')},
      ], [...(data.queues || [])].sort((a, b) => (b.pending || 0) - (a.pending || 0)).slice(0, 10), 'No queues yet.')),
      section('Workers', table('Live workers', [
        {label: 'Worker', cell: (w) => h('span.mono', {title: w.id}, w.host ? `${w.host}:${w.pid ?? ''}` : w.id)},
        {label: 'State', cell: (w) => badge(w.state)},
        {label: 'Active', numeric: true, cell: (w) => `${count(w.active)} / ${count(w.concurrency)}`},
        {label: 'Heartbeat', cell: (w) => time(w.lastHeartbeat)},
      ], (data.workers || []).slice(0, 10), 'No live workers: pending tasks wait until one starts.'))),
  ];
}
