// The transactional outbox: its depth, and the rows its relay gave up on (each with why), to retry once the cause is
// fixed or to delete. Reached from the overview's outbox panel; an application without an outbox answers 404.
import {h, mount} from '../dom.js';
import {get} from '../api.js';
import {follow} from '../live.js';
import {count, duration, preview, time} from '../format.js';
import {actionButton, loading, pageHeader, section, showError, stats, table} from '../ui.js';

/** The outbox's numbers, as the overview's panel and this page show them. */
export function outboxStats(outbox, link) {
  return stats([
    {label: 'Pending', value: count(outbox.pending), title: 'Rows committed and waiting for the relay'},
    {label: 'Oldest pending', value: outbox.oldestPendingAgeMillis ? duration(outbox.oldestPendingAgeMillis) : '—',
      title: 'How long the oldest pending row has waited'},
    {label: 'Failed', value: count(outbox.failed), href: link,
      title: 'Rows the relay gave up on: they wait for an operator'},
  ]);
}

export function render(root) {
  const body = h('div.page-body', null, loading());
  mount(root, pageHeader('Outbox'), body);
  const load = () => get('/api/outbox', {count: 100});
  const refresh = () => load().then(draw, showError);
  const draw = (data) => mount(body,
    outboxStats(data.outbox),
    section(`Rows the relay gave up on (table ${data.outbox.table})`, table('Failed outbox rows, oldest first', [
      {label: 'Row', className: 'mono', cell: (r) => String(r.id)},
      {label: 'Tasks', cell: (r) => (r.tasks.length ? r.tasks.join(', ') : '—')},
      {label: 'Error', className: 'clip', cell: (r) => h('span', {title: r.error}, preview(r.error, 120))},
      {label: 'Written', cell: (r) => time(r.createdAt)},
      {label: 'Failed', cell: (r) => time(r.failedAt)},
      {label: 'Size', numeric: true, cell: (r) => count(r.payloadLength)},
      {label: 'Payload', className: 'clip mono', cell: (r) => h('span', {title: r.preview}, preview(r.preview, 80))},
      {label: 'Actions', className: 'actions', cell: (r) => [
        actionButton({label: 'Retry', icon: 'retry', action: 'retry', path: `/api/outbox/${r.id}/retry`,
          done: refresh}),
        actionButton({label: 'Delete', icon: 'trash', action: 'delete', danger: true, method: 'DELETE',
          path: `/api/outbox/${r.id}`, done: refresh,
          confirm: {title: `Delete outbox row ${r.id}?`, text: 'Its tasks are never sent.'}}),
      ]},
    ], data.failedRows || [], 'No failed rows: the relay sent everything it took.')));
  // The outbox is in the database, not in Redis's event stream: polling is enough.
  return follow({view: null, load, onData: draw, onError: showError});
}
