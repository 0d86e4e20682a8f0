// The audit trail: every operator action (who, what, on what, how many, the outcome), newest first.
import {h, mount} from '../dom.js';
import {get} from '../api.js';
import {count, time} from '../format.js';
import {badge, pageHeader, pagedTable} from '../ui.js';

export function render(root) {
  const listing = pagedTable('Operator actions, newest first', [
    {label: 'When', cell: (e) => time(e.at)},
    {label: 'Who', cell: (e) => e.principal || 'anonymous'},
    {label: 'Action', cell: (e) => h('code', null, e.action)},
    {label: 'Target', className: 'mono clip', cell: (e) => e.target || '—'},
    {label: 'Count', numeric: true, cell: (e) => count(e.count)},
    {label: 'Outcome', cell: (e) => badge(outcomeState(e.outcome))},
  ], (cursor) => get('/api/audit', {cursor, count: 50}), 'No actions yet.');
  mount(root, pageHeader('Audit', h('button', {type: 'button', onclick: () => listing.reload()}, 'Refresh')),
    listing.element);
  listing.reload();
  return null;
}

function outcomeState(outcome) {
  const text = String(outcome || 'unknown').toLowerCase();
  return ['ok', 'success', 'done', 'allowed'].includes(text) ? 'success' : text === 'denied' || text === 'failed'
    ? 'failed' : text;
}
