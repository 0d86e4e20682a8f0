// The task catalog: every declared task with its queue, priority, parameters and policies, filterable by name.
import {h, mount} from '../dom.js';
import {get} from '../api.js';
import {count, preview, time} from '../format.js';
import {loading, pageHeader, queueLink, showError, table} from '../ui.js';

export function render(root) {
  const body = h('div.page-body', null, loading());
  const filter = h('input', {type: 'search', placeholder: 'Filter by name or queue', 'aria-label': 'Filter tasks'});
  mount(root, pageHeader('Task catalog', filter), body);
  let tasks = [];
  const draw = () => {
    const needle = filter.value.trim().toLowerCase();
    const shown = tasks.filter((t) => !needle || `${t.name} ${t.queue}`.toLowerCase().includes(needle));
    mount(body, table('Declared tasks', [
      {label: 'Task', cell: (t) => h('code', null, t.name)},
      {label: 'Queue', cell: (t) => (t.queue ? queueLink(t.queue) : '—')},
      {label: 'Priority', numeric: true, cell: (t) => t.priority ?? '—'},
      {label: 'Parameters', className: 'mono', cell: (t) => (t.parameters || []).map((p) =>
        `${p.name}: ${p.type}${p.nullable ? '?' : ''}`).join(', ') || '()'},
      {label: 'Result', className: 'mono clip', cell: (t) => (t.ignoreResult ? 'ignored' : t.resultType || '—')},
      {label: 'Policies', className: 'mono clip', cell: (t) => policies(t.policies)},
      {label: 'Workers', numeric: true, cell: (t) => count(Object.keys(t.instances || {}).length)},
      {label: 'Last seen', cell: (t) => time(t.lastSeen)},
    ], shown, tasks.length ? 'No task matches the filter.' : 'No declared tasks.'));
  };
  filter.addEventListener('input', draw);
  get('/api/catalog').then((answer) => {
    tasks = Array.isArray(answer) ? answer : [];
    draw();
  }, showError);
  return null;
}

function policies(value) {
  if (!value || typeof value !== 'object') return '—';
  const set = Object.entries(value).filter(([, v]) => v !== null && v !== false
    && !(Array.isArray(v) && !v.length) && !(typeof v === 'object' && !Array.isArray(v) && !Object.keys(v).length));
  if (!set.length) return 'defaults';
  return h('span', {title: JSON.stringify(value, null, 2)},
    preview(set.map(([k, v]) => `${k}=${typeof v === 'object' ? JSON.stringify(v) : v}`).join(' '), 120));
}
