// Search by task id (also dead letters by their task's id): one match opens the task, several are listed.
import {h, mount} from '../dom.js';
import {get} from '../api.js';
import {href} from '../router.js';
import {time} from '../format.js';
import {badge, loading, pageHeader, queueLink, showError, table, taskLink} from '../ui.js';

export function render(root, route) {
  const q = (route.params.get('q') || '').trim();
  const body = h('div.page-body', null, q ? loading() : h('p.muted', null, 'Type a task id in the search box.'));
  mount(root, pageHeader(q ? `Search: ${q}` : 'Search'), body);
  if (!q) return null;
  get('/api/search', {q}).then((answer) => {
    const tasks = (answer && answer.tasks) || [];
    // The same task may be found twice (its record and its dead letter): one task is one match.
    const distinct = new Set(tasks.map((t) => `${t.queue}\u0000${t.id}`));
    if (distinct.size === 1) {
      // Replaces the search in the history, so that Back does not land on it and bounce forward again.
      location.replace(href('tasks', tasks[0].id, {queue: tasks[0].queue}));
      return;
    }
    mount(body, table(`Tasks with id ${q}`, [
      {label: 'Task id', cell: taskLink},
      {label: 'Task', cell: (t) => t.name || '—'},
      {label: 'Queue', cell: (t) => (t.queue ? queueLink(t.queue) : '—')},
      {label: 'State', cell: (t) => badge(t.state)},
      {label: 'Submitted', cell: (t) => time(t.submittedAt)},
    ], tasks, `No task or dead letter has the id ${q}.`));
  }, showError);
  return null;
}
