// Keeps the current page live:
// 1. opens an EventSource on {base}/api/stream?view=... and hands each "update" event's JSON to the page;
// 2. when the stream cannot be used (a proxy that buffers, a server without it), polls the page's GET every 2 s;
// 3. closes both while the tab is hidden (nobody looks, so no load on Redis) and reopens on visibilitychange,
//    fetching once at once so that a returning user does not look at stale numbers;
// 4. renders at most about once a second, whatever arrives, keeping only the newest data, and not at all when it
//    did not change (a redraw would reset what the user is doing on the page for nothing).
import {url} from './api.js';

const POLL_MILLIS = 2000;
const MIN_RENDER_MILLIS = 1000;
/** A stream that has not opened by then is treated as unusable. */
const OPEN_TIMEOUT_MILLIS = 5000;

let current = null;

/** Shown in the header: "live", "polling" or "paused". */
export const status = {mode: 'off', listeners: new Set()};

function setMode(mode) {
  status.mode = mode;
  for (const listener of status.listeners) listener(mode);
}

/**
 * Loads a view once, then follows it until the returned function is called.
 * @param view the stream's view ("overview", "queue:emails", ...), or null to poll only
 * @param params extra query parameters for the stream
 * @param load () => Promise<data>: the matching GET (for polling and after the tab comes back)
 * @param onData (data) => void: renders; errors from load go to onError
 */
export function follow({view, params, load, onData, onError}) {
  stop();
  const sub = {view, params, load, onData, onError, source: null, timer: null, pending: null, lastRender: 0,
    renderTimer: null, polling: !view || typeof EventSource === 'undefined', stopped: false, openTimer: null,
    lastJson: null};
  current = sub;
  if (!document.hidden) {
    if (!sub.polling) catchUp(sub); // polling loads at once by itself
    start(sub);
  } else {
    setMode('paused');
  }
  return () => {
    if (current === sub) stop();
  };
}

export function stop() {
  if (!current) return;
  const sub = current;
  current = null;
  sub.stopped = true;
  close(sub);
  clearTimeout(sub.renderTimer);
  setMode('off');
}

function start(sub) {
  if (sub.polling) {
    setMode('polling');
    poll(sub);
    return;
  }
  setMode('connecting');
  const source = new EventSource(url('/api/stream', {view: sub.view, ...sub.params}), {withCredentials: true});
  sub.source = source;
  let opened = false;
  sub.openTimer = setTimeout(() => {
    if (!opened) fallBack(sub);
  }, OPEN_TIMEOUT_MILLIS);
  source.addEventListener('open', () => {
    opened = true;
    clearTimeout(sub.openTimer);
    setMode('live');
  });
  source.addEventListener('update', (event) => {
    let data;
    try {
      data = JSON.parse(event.data);
    } catch (ignored) {
      return;
    }
    deliver(sub, data);
  });
  // The server could not read the view (Redis down, say): its {error} says what happened; the stream goes on.
  source.addEventListener('problem', (event) => {
    let problem;
    try {
      problem = JSON.parse(event.data);
    } catch (ignored) {
      problem = {error: String(event.data)};
    }
    if (sub.onError) sub.onError(new Error(problem.error || 'The server could not read this view.'));
  });
  source.addEventListener('error', () => {
    // The browser reconnects by itself while CONNECTING; CLOSED means it gave up (an error status, wrong type).
    if (source.readyState === EventSource.CLOSED || !opened) fallBack(sub);
    else setMode('reconnecting');
  });
}

function fallBack(sub) {
  if (sub.stopped || sub.polling) return;
  close(sub);
  sub.polling = true;
  setMode('polling');
  poll(sub);
}

async function poll(sub) {
  if (sub.stopped || document.hidden) return;
  try {
    deliver(sub, await sub.load());
  } catch (ex) {
    if (sub.onError && !sub.stopped) sub.onError(ex);
  }
  if (!sub.stopped && sub.polling && !document.hidden) {
    clearTimeout(sub.timer);
    sub.timer = setTimeout(() => poll(sub), POLL_MILLIS);
  }
}

function catchUp(sub) {
  sub.load().then((data) => deliver(sub, data), (ex) => !sub.stopped && sub.onError && sub.onError(ex));
}

function deliver(sub, data) {
  if (sub.stopped) return;
  const json = JSON.stringify(data);
  if (json === sub.lastJson) return;
  sub.lastJson = json;
  sub.pending = data;
  const wait = sub.lastRender + MIN_RENDER_MILLIS - Date.now();
  if (wait <= 0) {
    render(sub);
  } else if (!sub.renderTimer) {
    sub.renderTimer = setTimeout(() => render(sub), wait);
  }
}

function render(sub) {
  sub.renderTimer = null;
  if (sub.stopped || sub.pending === null) return;
  const data = sub.pending;
  sub.pending = null;
  sub.lastRender = Date.now();
  sub.onData(data);
}

function close(sub) {
  clearTimeout(sub.timer);
  clearTimeout(sub.openTimer);
  sub.timer = null;
  if (sub.source) {
    sub.source.close();
    sub.source = null;
  }
}

document.addEventListener('visibilitychange', () => {
  const sub = current;
  if (!sub) return;
  if (document.hidden) {
    close(sub);
    setMode('paused');
  } else {
    // Catch up at once, then follow again.
    if (!sub.polling) catchUp(sub);
    start(sub);
  }
});
