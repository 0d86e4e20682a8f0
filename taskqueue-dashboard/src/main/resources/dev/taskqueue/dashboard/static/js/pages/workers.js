// Workers: where each runs, what it consumes, how busy it is, what it runs right now and when it last said so.
import {h, mount} from '../dom.js';
import {get} from '../api.js';
import {follow} from '../live.js';
import {count, time} from '../format.js';
import {badge, loading, pageHeader, queueLink, showError, table, taskLink} from '../ui.js';

export function render(root) {
  const body = h('div.page-body', null, loading());
  mount(root, pageHeader('Workers'), body);
  const load = () => get('/api/workers');
  const draw = (workers) => mount(body, table('Live workers', [
    {label: 'Host', cell: (w) => h('span', {title: w.id}, w.host || w.id)},
    {label: 'PID', numeric: true, cell: (w) => w.pid ?? '—'},
    {label: 'State', cell: (w) => badge(w.state)},
    {label: 'Queues', cell: (w) => (w.queues || []).flatMap((q, i) => (i ? [', ', queueLink(q)] : [queueLink(q)]))},
    {label: 'Concurrency', numeric: true, cell: (w) => count(w.concurrency)},
    {label: 'Active', numeric: true, cell: (w) => count(w.active)},
    {label: 'Running now', cell: (w) => running(w.running || [])},
    {label: 'Processed', numeric: true, cell: (w) => count(w.processed)},
    {label: 'Failed', numeric: true, cell: (w) => count(w.failed)},
    {label: 'Started', cell: (w) => time(w.startedAt)},
    {label: 'Last heartbeat', cell: (w) => time(w.lastHeartbeat)},
  ], workers || [], 'No live workers.'));
  return follow({view: 'workers', load, onData: draw, onError: showError});
}

function running(tasks) {
  if (!tasks.length) return h('span.muted', null, 'idle');
  return h('ul.running', null, tasks.map((t) => h('li', null, taskLink(t), ' ', t.name || '', ' ',
    h('span.muted', null, 'since '), time(t.startedAt))));
}
