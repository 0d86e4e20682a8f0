// Task detail: where the task is, its arguments and result as JSON (masked values exactly as the server sends
// them), headers, progress, every attempt with its stack, workflow links and the trace.
import {h, icon, mount} from '../dom.js';
import {ApiError, get, seg} from '../api.js';
import {follow} from '../live.js';
import {href} from '../router.js';
import {count, duration, jsonView, time} from '../format.js';
import {actionButton, badge, loading, pageHeader, queueLink, section, showError, shortId, table} from '../ui.js';

export function render(root, route) {
  const id = route.arg;
  const queue = route.params.get('queue');
  const body = h('div.page-body', null, loading());
  const heading = pageHeader(`Task ${shortId(id)}`);
  mount(root, heading, body);
  const load = () => get(`/api/tasks/${seg(id)}`, {queue});
  let openStacks = new Set();
  const draw = (task) => {
    // Keep the stacks the user opened open across live updates.
    openStacks = new Set([...body.querySelectorAll('details[open][data-attempt]')].map((d) => d.dataset.attempt));
    mount(heading.querySelector('h1'), `Task ${task.name || shortId(id)} `, badge(task.state));
    mount(heading.querySelector('.page-actions'), actions(task, () => load().then(draw, showError)));
    mount(body, view(task, openStacks));
  };
  const failed = (ex) => {
    if (ex instanceof ApiError && ex.status === 409 && ex.body && Array.isArray(ex.body.queues)) {
      mount(body, section('Several queues have this id', h('p', null, ex.message),
        h('ul', null, ex.body.queues.map((q) => h('li', null,
          h('a', {href: href('tasks', id, {queue: q})}, `${id} in ${q}`))))));
    } else if (ex instanceof ApiError && ex.status === 404) {
      mount(body, h('p.empty-page', null, ex.message));
    } else {
      showError(ex);
    }
  };
  return follow({view: `task:${id}`, params: {queue}, load, onData: draw, onError: failed});
}

function actions(task, refresh) {
  const q = task.queue;
  const state = String(task.state || '').toLowerCase();
  const list = [];
  if (task.deadLetterId) {
    list.push(actionButton({label: 'Retry', icon: 'retry', action: 'retry',
      path: `/api/queues/${seg(q)}/dead/${seg(task.deadLetterId)}/retry`, done: refresh}));
    list.push(actionButton({label: 'Delete', icon: 'trash', action: 'delete', danger: true, method: 'DELETE',
      path: `/api/queues/${seg(q)}/dead/${seg(task.deadLetterId)}`, done: refresh,
      confirm: {title: 'Delete this dead letter?', text: 'It cannot be retried afterwards.'}}));
  } else if (['scheduled', 'retrying', 'retry', 'dead', 'failure'].includes(state)) {
    list.push(actionButton({label: state === 'scheduled' || state.startsWith('retry') ? 'Run now' : 'Retry',
      icon: 'bolt', action: 'run-now', path: `/api/tasks/${seg(task.id)}/retry`, params: {queue: q}, done: refresh}));
  }
  if (['pending', 'scheduled', 'retrying', 'retry', 'running', 'started'].includes(state)) {
    const running = state === 'running' || state === 'started';
    list.push(actionButton({label: running ? 'Terminate' : 'Revoke', icon: 'stop', action: 'revoke', danger: true,
      path: `/api/tasks/${seg(task.id)}/revoke`, params: {queue: q, terminate: String(running)}, done: refresh,
      confirm: {title: `${running ? 'Terminate' : 'Revoke'} this task?`,
        text: running ? 'The worker interrupts it; it is not retried.' : 'It will not run.'}}));
  }
  return list;
}

function field(label, value) {
  return [h('dt', null, label), h('dd', null, value === null || value === undefined || value === '' ? '—' : value)];
}

function idLink(id, queue) {
  return id ? h('a.mono', {href: href('tasks', id, {queue}), title: id}, shortId(id)) : null;
}

function view(task, openStacks) {
  const took = task.startedAt && task.finishedAt ? duration(task.finishedAt - task.startedAt) : null;
  // Only http(s) links: a trace URL comes from configuration, but a javascript: one must never become a link.
  const trace = task.traceUrl && /^https?:\/\//i.test(task.traceUrl)
    ? h('a', {href: task.traceUrl, target: '_blank', rel: 'noopener noreferrer'}, icon('link'), ' ', task.traceId || 'trace')
    : task.traceId ? h('span.mono', null, task.traceId) : null;
  const progress = task.progress !== null && task.progress !== undefined
    ? h('div.progress', null,
      h('progress', {max: '100', value: String(Math.round(Math.max(0, Math.min(1, task.progress)) * 100)),
        'aria-label': 'Progress'}),
      h('span', null, `${Math.round(task.progress * 100)} %`, task.progressMessage ? ` · ${task.progressMessage}` : ''))
    : null;
  const headers = Object.entries(task.headers || {});
  const attempts = task.attempts || [];
  return [
    h('section.card', {'aria-label': 'Summary'}, h('dl.fields', null,
      field('Id', h('span.mono.selectable', null, task.id)),
      field('Queue', task.queue ? queueLink(task.queue) : null),
      field('State', badge(task.state)),
      field('Attempt', count(task.attempt)),
      field('Worker', task.worker ? h('span.mono', null, task.worker) : null),
      field('Submitted', time(task.submittedAt)),
      field('Due', time(task.dueAt)),
      field('Started', time(task.startedAt)),
      field('Finished', time(task.finishedAt)),
      field('Run time', took),
      field('Parent', idLink(task.parentId, task.queue)),
      field('Root', task.rootId && task.rootId !== task.id ? idLink(task.rootId, task.queue) : null),
      field('Workflow', task.workflowId ? h('a', {href: href('workflows', task.workflowId)}, 'show the graph') : null),
      field('Trace', trace)),
    progress),
    task.error ? section('Error', h('p.error-text', null, h('code', null, task.error.type || 'error'), ' ',
      task.error.message || ''), stack(task.error.stack, 'last', openStacks)) : null,
    h('div.columns', null,
      section('Arguments', jsonView(task.arguments, 'Arguments')),
      section('Result', task.result === undefined || task.result === null
        ? h('p.muted', null, 'No result (yet).') : jsonView(task.result, 'Result'))),
    section('Headers', headers.length ? table('Headers', [
      {label: 'Header', cell: ([k]) => h('code', null, k)},
      {label: 'Value', className: 'mono', cell: ([, v]) => (typeof v === 'string' ? v : JSON.stringify(v))},
    ], headers) : h('p.muted', null, 'No headers.')),
    section('Attempts', attempts.length ? h('ol.attempts', null, attempts.map((a) => attempt(a, openStacks)))
      : h('p.muted', null, 'Not run yet.')),
    task.children && task.children.length ? section('Children', h('ul.children', null,
      task.children.map((c) => h('li', null, idLink(c, task.queue))))) : null,
  ];
}

function attempt(a, openStacks) {
  const took = a.startedAt && a.finishedAt ? duration(a.finishedAt - a.startedAt) : null;
  return h('li.attempt', null,
    h('div.attempt-head', null,
      h('strong', null, `Attempt ${a.attempt}`), ' ', badge(a.state),
      h('span.muted', null, ' on ', a.worker || 'unknown worker', ', started '), time(a.startedAt),
      took ? h('span.muted', null, `, took ${took}`) : null),
    a.error ? h('div.attempt-error', null,
      h('p', null, h('code', null, a.error.type || 'error'), ' ', a.error.message || ''),
      stack(a.error.stack, String(a.attempt), openStacks)) : null);
}

/** A collapsed stack trace; "key" keeps it open across live updates once the user opened it. */
function stack(text, key, openStacks) {
  if (!text) return null;
  return h('details.stack-details', {dataset: {attempt: key}, open: openStacks.has(key)},
    h('summary', null, 'Stack trace'), h('pre.stack', {tabindex: '0'}, text));
}
