// Queues: depth by state, lag, consumers, limits, paused, and how long the backlog takes to drain at recent speed.
import {h, mount} from '../dom.js';
import {get, seg} from '../api.js';
import {follow} from '../live.js';
import {compact, count, duration} from '../format.js';
import {actionButton, badge, loading, pageHeader, queueLink, showError, table} from '../ui.js';

export function render(root) {
  const body = h('div.page-body', null, loading());
  mount(root, pageHeader('Queues'), body);
  const load = () => get('/api/queues');
  const draw = (queues) => mount(body, queuesTable(queues, () => load().then(draw, showError)));
  return follow({view: 'queues', load, onData: draw, onError: showError});
}

/** "4 min" when the backlog drains at recent speed, "—" when nothing drains. */
export function drain(q) {
  if (!q.pending) return 'empty';
  return q.drainSeconds === null || q.drainSeconds === undefined ? 'not draining' : duration(q.drainSeconds * 1000);
}

export function pauseButton(q, done) {
  return q.paused
    ? actionButton({label: 'Resume', icon: 'play', action: 'resume', path: `/api/queues/${seg(q.name)}/resume`, done})
    : actionButton({label: 'Pause', icon: 'pause', action: 'pause', path: `/api/queues/${seg(q.name)}/pause`, done});
}

function queuesTable(queues, refresh) {
  return table('Every queue, with its depth by state', [
    {label: 'Queue', cell: (q) => queueLink(q.name)},
    {label: 'Pending', numeric: true, cell: (q) => h('a', {href: `#/queues/${seg(q.name)}?tab=pending`}, compact(q.pending))},
    {label: 'Scheduled', numeric: true, cell: (q) => compact(q.scheduled)},
    {label: 'Running', numeric: true, cell: (q) => compact(q.running)},
    {label: 'Retrying', numeric: true, cell: (q) => compact(q.retrying)},
    {label: 'Dead', numeric: true, cell: (q) => (q.dead
      ? h('a', {href: `#/queues/${seg(q.name)}?tab=dead`}, compact(q.dead)) : '0')},
    {label: 'Lag', numeric: true, cell: (q) => (q.oldestPendingAgeMillis ? duration(q.oldestPendingAgeMillis) : '—')},
    {label: 'Consumers', numeric: true, cell: consumers},
    {label: 'Per min', numeric: true, cell: (q) => compact(q.processedLastMinute)},
    {label: 'Limits', cell: (q) => limits(q)},
    {label: 'Drains in', numeric: true, cell: (q) => drain(q)},
    {label: 'State', cell: (q) => (q.paused ? badge('paused') : badge('active'))},
    {label: 'Actions', className: 'actions', cell: (q) => pauseButton(q, refresh)},
  ], queues || [], 'No queues yet: a queue appears once a task is submitted to it or a worker consumes it.');
}

/** How many workers consume the queue (the server may list them: their ids go in the title). */
export function consumers(q) {
  const list = Array.isArray(q.consumers) ? q.consumers : null;
  return h('span', {title: list ? list.join('\n') : null}, count(list ? list.length : q.consumers));
}

export function limits(q) {
  const parts = [];
  if (q.rateLimit) parts.push(`rate ${q.rateLimit}`);
  if (q.concurrency !== null && q.concurrency !== undefined) parts.push(`concurrency ${q.concurrency}`);
  return parts.length ? parts.join(', ') : h('span.muted', null, 'none');
}
