// Schedules: each periodic task's trigger, last and next run, and enable / disable / run now.
import {h, mount} from '../dom.js';
import {get, seg} from '../api.js';
import {follow} from '../live.js';
import {time} from '../format.js';
import {actionButton, badge, loading, pageHeader, queueLink, showError, table} from '../ui.js';

export function render(root) {
  const body = h('div.page-body', null, loading());
  mount(root, pageHeader('Schedules'), body);
  const load = () => get('/api/schedules');
  const refresh = () => load().then(draw, showError);
  const draw = (schedules) => mount(body, table('Periodic tasks', [
    {label: 'Schedule', cell: (x) => x.name},
    {label: 'Task', cell: (x) => x.task || '—'},
    {label: 'Queue', cell: (x) => (x.queue ? queueLink(x.queue) : '—')},
    {label: 'Trigger', className: 'mono', cell: (x) => x.trigger || '—'},
    {label: 'State', cell: (x) => [x.enabled ? badge('enabled') : badge('disabled'),
      x.problem ? h('p.problem', null, x.problem) : null]},
    {label: 'Last run', cell: (x) => time(x.lastRun)},
    {label: 'Next run', cell: (x) => (x.enabled ? time(x.nextRun) : h('span.muted', null, 'disabled'))},
    {label: 'Actions', className: 'actions', cell: (x) => [
      actionButton({label: 'Run now', icon: 'bolt', action: 'run-now', path: `/api/schedules/${seg(x.name)}/run`,
        done: refresh}),
      x.enabled
        ? actionButton({label: 'Disable', icon: 'pause', action: 'disable', path: `/api/schedules/${seg(x.name)}/disable`,
          done: refresh})
        : actionButton({label: 'Enable', icon: 'play', action: 'enable', path: `/api/schedules/${seg(x.name)}/enable`,
          done: refresh}),
    ]},
  ], schedules || [], 'No schedules: declare one with @Periodic or taskqueue.schedules.*.'));
  // Schedules change slowly and have no stream: polling is enough.
  return follow({view: null, load, onData: draw, onError: showError});
}
