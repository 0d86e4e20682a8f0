// Failures across every queue (failed attempts, retries, dead letters), newest first, searchable by task name,
// error type and text; the filter lives in the URL so a search can be shared.
import {h, mount} from '../dom.js';
import {get} from '../api.js';
import {follow} from '../live.js';
import {href, replace} from '../router.js';
import {count, preview, time} from '../format.js';
import {badge, pageHeader, pagedTable, queueLink, taskLink} from '../ui.js';

const FIELDS = [['task', 'Task name'], ['error', 'Error type'], ['text', 'Text in the message'], ['queue', 'Queue']];

export function render(root, route) {
  const filter = Object.fromEntries(FIELDS.map(([k]) => [k, route.params.get(k) || '']));
  const inputs = FIELDS.map(([key, label]) => h('label', null, h('span', null, label),
    h('input', {type: 'search', name: key, value: filter[key], autocomplete: 'off'})));
  const form = h('form.filters', {role: 'search', 'aria-label': 'Search failures'}, inputs,
    h('button', {type: 'submit'}, 'Search'));
  const listing = pagedTable('Failures, newest first', [
    {label: 'Task id', cell: taskLink},
    {label: 'Task', cell: (t) => t.name || '—'},
    {label: 'Queue', cell: (t) => (t.queue ? queueLink(t.queue) : '—')},
    {label: 'State', cell: (t) => badge(t.state)},
    {label: 'Attempt', numeric: true, cell: (t) => count(t.attempt)},
    {label: 'Error', className: 'clip', cell: (t) => (t.error ? h('span', {title: t.error.message || ''},
      h('code', null, t.error.type || 'error'), ' ', preview(t.error.message, 120)) : '—')},
    {label: 'When', cell: (t) => time(t.finishedAt || t.startedAt || t.submittedAt)},
  ], (cursor) => get('/api/failures', {...filter, cursor, count: 50}), 'No failures match.');
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    for (const input of form.querySelectorAll('input')) filter[input.name] = input.value.trim();
    replace(href('failures', null, filter));
    listing.reload();
  });
  mount(root, pageHeader('Failures'), form, listing.element);
  // The first page, then new failures as they come, while the user is on the first page and not in the form. A
  // filtered list has no stream: it polls (each poll a new value, so that each reloads).
  const filtered = Object.values(filter).some(Boolean);
  return follow({view: filtered ? null : 'failures', load: () => Promise.resolve(Date.now()), onData: () => {
    if (!listing.paged && !form.contains(document.activeElement) && !listing.element.contains(document.activeElement)) {
      listing.reload();
    }
  }});
}
