// The dashboard's entry point:
// 1. builds the page frame (header with navigation, search, live status, theme toggle; error banner; main);
// 2. learns what the user may do (/api/me) so that actions they cannot use are not shown;
// 3. routes on the URL's hash, giving each page the main element and stopping the previous page's live updates;
// 4. wires the keyboard: "/" focuses search, "g" then a letter opens a page, "?" lists the shortcuts.
import {h, icon, mount} from './js/dom.js';
import {loadMe, me} from './js/api.js';
import {status, stop} from './js/live.js';
import {current, go, href} from './js/router.js';
import {refreshTimes} from './js/format.js';
import {clearError, initChrome, showError} from './js/ui.js';
import * as overview from './js/pages/overview.js';
import * as queues from './js/pages/queues.js';
import * as queue from './js/pages/queue.js';
import * as task from './js/pages/task.js';
import * as workflow from './js/pages/workflow.js';
import * as workers from './js/pages/workers.js';
import * as schedules from './js/pages/schedules.js';
import * as catalog from './js/pages/catalog.js';
import * as failures from './js/pages/failures.js';
import * as audit from './js/pages/audit.js';
import * as search from './js/pages/search.js';
import * as outbox from './js/pages/outbox.js';

const NAV = [
  ['overview', 'Overview', 'o'], ['queues', 'Queues', 'q'], ['workers', 'Workers', 'w'],
  ['schedules', 'Schedules', 's'], ['catalog', 'Catalog', 'c'], ['failures', 'Failures', 'f'], ['audit', 'Audit', 'a'],
];

const PAGES = {
  overview, queues, tasks: task, workflows: workflow, workers, schedules, catalog, failures, audit, search, outbox,
};

const THEME_KEY = 'tq-theme';

function applyTheme(theme) {
  if (theme === 'light' || theme === 'dark') document.documentElement.dataset.theme = theme;
  else delete document.documentElement.dataset.theme;
}

function effectiveTheme() {
  return document.documentElement.dataset.theme
    || (matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light');
}

function storedTheme() {
  try {
    return localStorage.getItem(THEME_KEY);
  } catch (ignored) {
    return null;
  }
}

function themeButton() {
  const button = h('button.icon-button', {type: 'button', id: 'theme-toggle'});
  const label = () => {
    const dark = effectiveTheme() === 'dark';
    mount(button, icon(dark ? 'sun' : 'moon'), h('span.sr-only', null, dark ? 'Light theme' : 'Dark theme'));
    button.title = dark ? 'Switch to the light theme' : 'Switch to the dark theme';
    button.setAttribute('aria-pressed', String(dark));
  };
  button.addEventListener('click', () => {
    const next = effectiveTheme() === 'dark' ? 'light' : 'dark';
    applyTheme(next);
    try {
      localStorage.setItem(THEME_KEY, next);
    } catch (ignored) {
      // Private mode: the choice lasts for this page only.
    }
    label();
  });
  matchMedia('(prefers-color-scheme: dark)').addEventListener('change', label);
  label();
  return button;
}

function searchForm() {
  const input = h('input', {type: 'search', id: 'search', name: 'q', placeholder: 'Task id  ( / )', autocomplete: 'off',
    spellcheck: 'false', 'aria-label': 'Search by task id', 'aria-keyshortcuts': '/'});
  const form = h('form.search', {role: 'search'}, input,
    h('button.icon-button', {type: 'submit', title: 'Search'}, icon('search'), h('span.sr-only', null, 'Search')));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const q = input.value.trim();
    if (q) go(href('search', null, {q}));
  });
  return form;
}

function liveIndicator() {
  const el = h('span.live', {role: 'status', 'aria-live': 'polite'});
  const titles = {live: 'Live: the server pushes changes', polling: 'Polling every 2 s (the stream is unavailable)',
    paused: 'Paused while the tab is hidden', reconnecting: 'Reconnecting…', connecting: 'Connecting…', off: ''};
  const show = (mode) => {
    el.dataset.mode = mode;
    el.textContent = mode === 'off' ? '' : mode;
    el.title = titles[mode] || '';
  };
  status.listeners.add(show);
  show(status.mode);
  return el;
}

function helpDialog() {
  const rows = [['/', 'Focus the task id search'], ['?', 'Show this help'], ['Esc', 'Close a dialog, leave a field'],
    ...NAV.map(([, label, key]) => [`g then ${key}`, `Open ${label}`])];
  const close = h('button', {type: 'button'}, 'Close');
  const dialog = h('dialog.help', {'aria-labelledby': 'help-title'}, h('h2', {id: 'help-title'}, 'Keyboard shortcuts'),
    h('table', null, h('caption.sr-only', null, 'Keyboard shortcuts'), h('tbody', null, rows.map(([k, what]) =>
      h('tr', null, h('th', {scope: 'row'}, h('kbd', null, k)), h('td', null, what))))),
    h('div.dialog-buttons', null, close));
  close.addEventListener('click', () => dialog.close());
  return dialog;
}

function frame() {
  const nav = h('nav.main-nav', {'aria-label': 'Dashboard pages'}, h('ul', null, NAV.map(([page, label, key]) =>
    h('li', null, h('a', {href: href(page), dataset: {page}, 'aria-keyshortcuts': `g ${key}`}, label)))));
  const main = h('main', {id: 'main', tabindex: '-1'});
  const skip = h('button.skip', {type: 'button'}, 'Skip to content');
  skip.addEventListener('click', () => main.focus());
  const banner = h('div.banner', {role: 'alert', hidden: true});
  const toast = h('div.toast', {role: 'status', hidden: true});
  const help = helpDialog();
  const header = h('header.top', null,
    h('a.brand', {href: href('overview')}, h('span.logo', {'aria-hidden': 'true'}, 'tq'), 'taskqueue'),
    nav,
    searchForm(),
    h('div.top-right', null, liveIndicator(),
      h('span.user', {title: `Can: ${me.can.join(', ')}${me.readOnly ? ' (read-only dashboard)' : ''}`},
        me.user || '', me.readOnly ? h('span.badge.st-retrying', null, 'read-only') : null),
      h('button.icon-button', {type: 'button', title: 'Keyboard shortcuts (?)', onclick: () => help.showModal()},
        h('span', {'aria-hidden': 'true'}, '?'), h('span.sr-only', null, 'Keyboard shortcuts')),
      themeButton()));
  // The frame replaces the whole body (the server's placeholder and <noscript> included): header, banner and main
  // are siblings, as landmarks should be.
  mount(document.body, skip, header, banner, main, toast, help);
  initChrome(banner, toast);
  return {main, nav, help};
}

let cleanup = null;
let lastPage = null;

function route(chrome) {
  const r = current();
  const page = r.page === 'queues' && r.arg ? queue : PAGES[r.page];
  if (typeof cleanup === 'function') cleanup();
  cleanup = null;
  stop();
  clearError();
  const section = r.page === 'tasks' || r.page === 'workflows' || r.page === 'search' ? null : r.page;
  for (const a of chrome.nav.querySelectorAll('a')) {
    if (a.dataset.page === section) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  if (!page || (['tasks', 'workflows'].includes(r.page) && !r.arg)) {
    mount(chrome.main, h('h1', null, 'Not found'), h('p', null, 'No such page. ', h('a', {href: href('overview')},
      'Go to the overview.')));
    return;
  }
  document.title = `${r.arg ? `${r.arg} · ` : ''}${r.page} · taskqueue`;
  document.body.dataset.page = r.page;
  try {
    cleanup = page.render(chrome.main, r);
  } catch (ex) {
    showError(ex);
  }
  // Moving to another page puts the focus on its heading, as a full page load would for a screen reader.
  if (lastPage !== null && lastPage !== `${r.page}/${r.arg}`) {
    const heading = chrome.main.querySelector('h1');
    if (heading) heading.focus({preventScroll: true});
  }
  lastPage = `${r.page}/${r.arg}`;
}

function keyboard(chrome) {
  let awaitingG = 0;
  document.addEventListener('keydown', (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey || event.defaultPrevented) return;
    const target = event.target;
    const typing = target instanceof HTMLElement && (target.isContentEditable
      || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName));
    if (typing) {
      if (event.key === 'Escape') target.blur();
      return;
    }
    if (document.querySelector('dialog[open]')) return;
    if (event.key === '/') {
      event.preventDefault();
      document.getElementById('search').focus();
    } else if (event.key === '?') {
      chrome.help.showModal();
    } else if (event.key === 'g') {
      awaitingG = Date.now();
    } else if (awaitingG && Date.now() - awaitingG < 1500) {
      awaitingG = 0;
      const entry = NAV.find(([, , key]) => key === event.key);
      if (entry) go(href(entry[0]));
    }
  });
}

async function main() {
  applyTheme(storedTheme());
  await loadMe();
  const chrome = frame();
  keyboard(chrome);
  window.addEventListener('hashchange', () => route(chrome));
  setInterval(() => refreshTimes(chrome.main), 5000);
  route(chrome);
  document.body.classList.add('ready');
}

main();
