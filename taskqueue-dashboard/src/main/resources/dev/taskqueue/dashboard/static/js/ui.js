// Shared pieces of every page: the error banner, the confirm dialog, tables, state badges, stat tiles, action
// buttons (hidden when the user may not use them; the server refuses them anyway) and "load more" paging.
import {h, icon, mount} from './dom.js';
import {act, may} from './api.js';
import {count} from './format.js';

let bannerEl = null;
let toastEl = null;

export function initChrome(banner, toast) {
  bannerEl = banner;
  toastEl = toast;
}

/** Shows an API error (the server's {error} text) until dismissed or the next page. */
export function showError(error) {
  if (!bannerEl || (error && error.name === 'AbortError')) return;
  const message = error && error.message ? error.message : String(error);
  mount(bannerEl,
    h('p', null, h('strong', null, 'Error: '), message),
    h('button.plain', {type: 'button', 'aria-label': 'Dismiss the error', onclick: clearError}, '×'));
  bannerEl.hidden = false;
}

export function clearError() {
  if (!bannerEl) return;
  bannerEl.hidden = true;
  bannerEl.replaceChildren();
}

/** A short confirmation of a finished action, announced to screen readers. */
export function notify(text) {
  if (!toastEl) return;
  toastEl.textContent = text;
  toastEl.hidden = false;
  clearTimeout(notify.timer);
  notify.timer = setTimeout(() => {
    toastEl.hidden = true;
  }, 4000);
}

/**
 * Asks before a destructive action, with a native modal <dialog> (focus is trapped and Escape cancels).
 * Resolves true when confirmed; the focused button is Cancel, so Enter alone never destroys anything.
 */
export function confirmDialog(title, text, confirmLabel = 'Confirm', extra = null) {
  return new Promise((resolve) => {
    const cancel = h('button', {type: 'button', value: 'cancel'}, 'Cancel');
    const ok = h('button.danger', {type: 'button', value: 'ok', 'data-confirm': 'ok'}, confirmLabel);
    const dialog = h('dialog.confirm', {'aria-labelledby': 'confirm-title'},
      h('h2', {id: 'confirm-title'}, title),
      h('p', null, text),
      extra,
      h('div.dialog-buttons', null, cancel, ok));
    const finish = (answer) => {
      dialog.close();
      dialog.remove();
      resolve(answer);
    };
    cancel.addEventListener('click', () => finish(false));
    ok.addEventListener('click', () => finish(true));
    dialog.addEventListener('cancel', (event) => {
      event.preventDefault();
      finish(false);
    });
    document.body.append(dialog);
    dialog.showModal();
    cancel.focus();
  });
}

/**
 * A button that runs an API action.
 * @param spec {label, icon, authority: "operate"|"admin", method, path, params, confirm: {title, text} | null,
 *             done: (answer) => void, danger}
 */
export function actionButton(spec) {
  if (!may(spec.authority || 'operate')) return null;
  const button = h(spec.danger ? 'button.danger' : 'button', {
    type: 'button', title: spec.title || spec.label, dataset: {action: spec.action || spec.label.toLowerCase()},
  }, spec.icon ? icon(spec.icon) : null, h('span', null, spec.label));
  button.addEventListener('click', async () => {
    if (spec.confirm && !(await confirmDialog(spec.confirm.title, spec.confirm.text, spec.label))) return;
    button.disabled = true;
    try {
      const params = typeof spec.params === 'function' ? spec.params() : spec.params;
      const answer = await act(spec.method || 'POST', spec.path, params);
      clearError();
      notify(describeAnswer(answer, spec.label));
      if (spec.done) spec.done(answer);
    } catch (ex) {
      showError(ex);
    } finally {
      button.disabled = false;
    }
  });
  return button;
}

/** "Purge emails: 1,204" (the server's action name is for the audit; the button's label reads better). */
function describeAnswer(answer, label) {
  if (!answer) return `${label}: done`;
  const n = answer.count;
  return `${label}${answer.target ? ` ${answer.target}` : ''}: ${n !== undefined && n !== null ? count(n) : 'done'}`;
}

/**
 * An accessible table: a caption, column headers with scope, and rows from a function.
 * columns: [{label, cell: (row) => node|string, numeric, className}]
 */
export function table(caption, columns, rows, emptyText = 'Nothing here.') {
  const body = h('tbody');
  fillRows(body, columns, rows, emptyText);
  return h('div.table-wrap', null,
    h('table', null,
      h('caption', null, caption),
      h('thead', null, h('tr', null, columns.map((c) => h('th', {scope: 'col', class: c.numeric ? 'num' : null},
        c.label)))),
      body));
}

export function fillRows(body, columns, rows, emptyText) {
  if (!rows.length && emptyText) {
    body.append(h('tr.empty', null, h('td', {colspan: columns.length}, emptyText)));
    return;
  }
  for (const row of rows) {
    body.append(h('tr', null, columns.map((c, i) => {
      const content = c.cell(row);
      const attrs = {class: [c.numeric ? 'num' : '', c.className || ''].join(' ').trim() || null};
      return i === 0 && c.header !== false ? h('th', {scope: 'row', ...attrs}, content) : h('td', attrs, content);
    })));
  }
}

/**
 * A table paged by the server's cursor: "Load more" appends the next page; the table never asks for the whole
 * structure. load(cursor) => Promise<{items, next}>.
 */
export function pagedTable(caption, columns, load, emptyText) {
  const wrap = table(caption, columns, [], null);
  const body = wrap.querySelector('tbody');
  const more = h('button.load-more', {type: 'button', hidden: true}, 'Load more');
  const footer = h('div.paging', null, more);
  const state = {next: null, loadedPages: 0, rows: 0};
  const loadPage = async (cursor, replace) => {
    more.disabled = true;
    try {
      const page = await load(cursor);
      if (replace) {
        body.replaceChildren();
        state.rows = 0;
        state.loadedPages = 0;
      }
      const items = page && page.items ? page.items : [];
      state.rows += items.length;
      state.loadedPages += 1;
      if (!state.rows) fillRows(body, columns, [], emptyText || 'Nothing here.');
      else fillRows(body, columns, items, null);
      state.next = page ? page.next : null;
      more.hidden = !state.next;
    } catch (ex) {
      showError(ex);
    } finally {
      more.disabled = false;
    }
  };
  more.addEventListener('click', () => loadPage(state.next, false));
  const element = h('div.paged', null, wrap, footer);
  return {
    element,
    /** Loads the first page again (live updates do this only while the user has not paged on). */
    reload: () => loadPage(null, true),
    get paged() {
      return state.loadedPages > 1;
    },
  };
}

const STATE_CLASS = {
  pending: 'st-pending', waiting: 'st-pending', scheduled: 'st-scheduled', delayed: 'st-scheduled',
  running: 'st-running', started: 'st-running', active: 'st-running', retrying: 'st-retrying', retry: 'st-retrying',
  dead: 'st-dead', failure: 'st-dead', failed: 'st-dead', success: 'st-success', succeeded: 'st-success',
  done: 'st-success', revoked: 'st-revoked', expired: 'st-revoked', paused: 'st-retrying', idle: 'st-pending',
  stopping: 'st-retrying', quiet: 'st-retrying', enabled: 'st-success', disabled: 'st-revoked', ok: 'st-success',
};

export function stateClass(state) {
  return STATE_CLASS[String(state || '').toLowerCase()] || 'st-unknown';
}

export function badge(state) {
  return h('span', {class: `badge ${stateClass(state)}`}, String(state || 'unknown').toLowerCase());
}

/** A row of big numbers: [{label, value, href, title}]. */
export function stats(items) {
  return h('dl.stats', null, items.map((item) => h('div.stat', {title: item.title},
    h('dt', null, item.label),
    h('dd', null, item.href ? h('a', {href: item.href}, item.value) : item.value))));
}

export function section(title, ...content) {
  return h('section.card', {'aria-label': title}, h('h2', null, title), content);
}

export function pageHeader(title, ...extra) {
  return h('header.page-header', null, h('h1', {tabindex: '-1'}, title), h('div.page-actions', null, extra));
}

export function taskLink(row) {
  const q = row.queue ? `?queue=${encodeURIComponent(row.queue)}` : '';
  return h('a.mono', {href: `#/tasks/${encodeURIComponent(row.id)}${q}`, title: row.id}, shortId(row.id));
}

export function queueLink(name, tab) {
  return h('a', {href: `#/queues/${encodeURIComponent(name)}${tab ? `?tab=${tab}` : ''}`}, name);
}

export function shortId(id) {
  const text = String(id ?? '');
  return text.length > 22 ? `${text.slice(0, 8)}…${text.slice(-8)}` : text;
}

export function loading() {
  return h('p.loading', {role: 'status'}, 'Loading…');
}
