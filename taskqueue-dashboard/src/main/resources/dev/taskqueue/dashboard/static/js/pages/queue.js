// One queue: its numbers and actions, tabs for each state's tasks (paged by the server's cursor, so a queue of a
// million tasks costs one page), and its history.
import {h, mount} from '../dom.js';
import {get, seg} from '../api.js';
import {follow} from '../live.js';
import {href} from '../router.js';
import {historyCharts} from '../charts.js';
import {compact, count, duration, preview, time} from '../format.js';
import {actionButton, badge, loading, pageHeader, pagedTable, section, showError, stats, taskLink} from '../ui.js';
import {consumers, drain, limits, pauseButton} from './queues.js';
import {RANGES, rangePicker} from './overview.js';

export const TABS = ['pending', 'scheduled', 'running', 'retrying', 'dead', 'results'];
const PAGE_SIZE = 50;

export function render(root, route) {
  const name = route.arg;
  const tab = TABS.includes(route.params.get('tab')) ? route.params.get('tab') : 'pending';
  let range = RANGES.includes(route.params.get('range')) ? route.params.get('range') : 'hour';
  const actions = h('div.page-actions');
  const summary = h('div', null, loading());
  const charts = h('div');
  const picker = h('div');
  const listing = pagedTable(`${tab} tasks of ${name}`, columns(name, tab, () => refresh()),
    (cursor) => get(`/api/queues/${seg(name)}/tasks`, {state: tab, cursor, count: PAGE_SIZE}),
    emptyText(tab));
  const bulk = tab === 'dead' ? h('div.bulk', null,
    actionButton({label: 'Retry all', icon: 'retry', action: 'retry-all', authority: 'admin',
      path: `/api/queues/${seg(name)}/dead/retry-all`, done: () => refresh(),
      confirm: {title: `Retry every dead letter of ${name}?`, text: 'Each one runs again as a fresh first attempt.'}}),
    actionButton({label: 'Delete all', icon: 'trash', action: 'delete-all', authority: 'admin', method: 'DELETE',
      danger: true, path: `/api/queues/${seg(name)}/dead`, done: () => refresh(),
      confirm: {title: `Delete every dead letter of ${name}?`, text: 'They cannot be retried afterwards.'}})) : null;
  mount(root,
    h('nav.crumbs', {'aria-label': 'Breadcrumb'}, h('a', {href: href('queues')}, 'Queues'), ' / ', name),
    pageHeader(`Queue ${name}`, actions),
    summary,
    h('nav.tabs', {'aria-label': 'Task states'}, TABS.map((t) => h('a', {
      href: href('queues', name, {tab: t}), 'aria-current': t === tab ? 'page' : null, dataset: {tab: t},
    }, t))),
    bulk,
    listing.element,
    h('section.card', {'aria-label': 'History'}, h('div.section-head', null, h('h2', null, 'History'), picker), charts));

  let lastQueue = '';
  const load = () => get(`/api/queues/${seg(name)}`, {range});
  const draw = (data) => {
    const q = data.queue || {name};
    mount(actions, pauseButton(q, () => refresh()),
      actionButton({label: 'Purge', icon: 'trash', action: 'purge', authority: 'admin', danger: true,
        path: `/api/queues/${seg(name)}/purge`, done: () => refresh(),
        confirm: {title: `Purge ${name}?`, text: 'Every pending task of this queue is deleted and never runs.'}}));
    mount(summary, stats([
      {label: 'Pending', value: compact(q.pending)},
      {label: 'Scheduled', value: compact(q.scheduled)},
      {label: 'Running', value: compact(q.running)},
      {label: 'Retrying', value: compact(q.retrying)},
      {label: 'Dead', value: compact(q.dead)},
      {label: 'Lag', value: q.oldestPendingAgeMillis ? duration(q.oldestPendingAgeMillis) : '—'},
      {label: 'Consumers', value: consumers(q)},
      {label: 'Limits', value: limits(q)},
      {label: 'Drains in', value: drain(q)},
      {label: 'State', value: q.paused ? badge('paused') : badge('active')},
    ]));
    if (!data.history || !data.history.range || data.history.range === range) mount(charts, historyCharts(data.history));
    // The listing follows along while the user looks at its first page and is not using its buttons.
    const signature = JSON.stringify(q);
    const table = listing.element;
    if (signature !== lastQueue && lastQueue && !listing.paged && !table.contains(document.activeElement)) listing.reload();
    lastQueue = signature;
  };
  const refresh = () => {
    load().then(draw, showError);
    listing.reload();
  };
  let stopLive = null;
  const start = () => {
    mount(picker, rangePicker(range, 'queues', name, (r) => {
      range = r;
      start();
    }));
    if (stopLive) stopLive();
    stopLive = follow({view: `queue:${name}`, params: {range}, load, onData: draw, onError: showError});
  };
  listing.reload();
  start();
  return () => stopLive && stopLive();
}

function emptyText(tab) {
  return {
    pending: 'No pending tasks.', scheduled: 'No scheduled tasks.', running: 'Nothing running.',
    retrying: 'No tasks waiting to retry.', dead: 'No dead letters.', results: 'No recent results.',
  }[tab];
}

function columns(queue, tab, refresh) {
  const id = {label: 'Task id', cell: taskLink};
  const name = {label: 'Task', cell: (t) => t.name || '—'};
  const args = {label: 'Arguments', className: 'mono clip', cell: (t) => preview(t.arguments)};
  const submitted = {label: 'Submitted', cell: (t) => time(t.submittedAt)};
  const due = {label: 'Due', cell: (t) => time(t.dueAt)};
  const attempt = {label: 'Attempt', numeric: true, cell: (t) => count(t.attempt)};
  const error = {label: 'Error', className: 'clip', cell: (t) => (t.error ? h('span', {title: t.error.message || ''},
    h('code', null, t.error.type || 'error'), ' ', preview(t.error.message, 100)) : '—')};
  const started = {label: 'Started', cell: (t) => time(t.startedAt)};
  const finished = {label: 'Finished', cell: (t) => time(t.finishedAt)};
  const worker = {label: 'Worker', className: 'mono clip', cell: (t) => t.worker || '—'};
  const took = {label: 'Run time', numeric: true, cell: (t) => (t.startedAt && t.finishedAt
    ? duration(t.finishedAt - t.startedAt) : '—')};
  const state = {label: 'State', cell: (t) => badge(t.state)};
  const act = (build) => ({label: 'Actions', className: 'actions', cell: build});
  const runNow = (t) => actionButton({label: 'Run now', icon: 'bolt', action: 'run-now',
    path: `/api/tasks/${seg(t.id)}/retry`, params: {queue}, done: refresh});
  const revoke = (t, terminate) => actionButton({label: terminate ? 'Terminate' : 'Revoke', icon: 'stop',
    action: 'revoke', danger: true, path: `/api/tasks/${seg(t.id)}/revoke`, params: {queue, terminate: String(terminate)},
    done: refresh, confirm: {title: `${terminate ? 'Terminate' : 'Revoke'} ${t.name || t.id}?`,
      text: terminate ? 'The worker interrupts the running task; it is not retried.' : 'The task will not run.'}});
  switch (tab) {
    case 'scheduled':
      return [id, name, due, submitted, args, act((t) => [runNow(t), revoke(t, false)])];
    case 'running':
      return [id, name, started, worker, attempt, args, act((t) => [revoke(t, true)])];
    case 'retrying':
      return [id, name, due, attempt, error, act((t) => [runNow(t), revoke(t, false)])];
    case 'dead':
      return [id, name, finished, attempt, error, act((t) => t.deadLetterId ? [
        actionButton({label: 'Retry', icon: 'retry', action: 'retry',
          path: `/api/queues/${seg(queue)}/dead/${seg(t.deadLetterId)}/retry`, done: refresh}),
        actionButton({label: 'Delete', icon: 'trash', action: 'delete', danger: true, method: 'DELETE',
          path: `/api/queues/${seg(queue)}/dead/${seg(t.deadLetterId)}`, done: refresh,
          confirm: {title: `Delete the dead letter of ${t.name || t.id}?`, text: 'It cannot be retried afterwards.'}}),
      ] : null)];
    case 'results':
      return [id, name, state, finished, took, error];
    default:
      return [id, name, submitted, args, act((t) => [revoke(t, false)])];
  }
}
