// Talks to the dashboard's JSON API: the base path and CSRF token come from the page's <meta> tags (the server
// renders them), errors become ApiError with the server's own {error} text, which says what to do.

function meta(name) {
  const el = document.querySelector(`meta[name="${name}"]`);
  return el ? el.getAttribute('content') : null;
}

/** The dashboard's context path, without a trailing slash ("/taskqueue"). */
export const base = (meta('tq-base') ?? location.pathname.replace(/\/(index\.html)?$/, '')).replace(/\/$/, '');

export class ApiError extends Error {
  constructor(status, message, body) {
    super(message);
    this.status = status;
    this.body = body;
  }
}

const csrf = {header: meta('tq-csrf-header'), token: meta('tq-csrf-token')};

/** Who the user is and what they may do: the meta tags first, then /api/me when it answers. */
export const me = {
  user: meta('tq-user') === 'null' ? null : meta('tq-user'),
  can: authorities((meta('tq-can') ?? 'read').split(',')),
  readOnly: meta('tq-read-only') === 'true',
};

/** "read", "operate", "admin", whatever case the server writes them in. */
function authorities(list) {
  return list.map((c) => String(c).trim().toLowerCase()).filter(Boolean);
}

export async function loadMe() {
  try {
    const answer = await get('/api/me');
    me.user = answer.user ?? me.user;
    me.can = Array.isArray(answer.can) ? authorities(answer.can) : me.can;
    me.readOnly = Boolean(answer.readOnly);
    if (answer.csrf && answer.csrf.header && answer.csrf.token) {
      csrf.header = answer.csrf.header;
      csrf.token = answer.csrf.token;
    }
  } catch (ignored) {
    // The meta tags are enough to render; the server enforces permissions anyway.
  }
  return me;
}

/** Whether actions needing this authority ("operate" or "admin") are offered. */
export function may(authority) {
  return !me.readOnly && me.can.includes(authority);
}

export function url(path, params) {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(params || {})) {
    if (value !== null && value !== undefined && value !== '') query.set(key, value);
  }
  const qs = query.toString();
  return base + path + (qs ? `?${qs}` : '');
}

/** Encodes one path segment (queue names and ids may hold ':' or '/'). */
export const seg = encodeURIComponent;

export function get(path, params, signal) {
  return send('GET', path, params, signal);
}

/** POST or DELETE an action; answers {action, target, count}. */
export function act(method, path, params) {
  return send(method, path, params);
}

async function send(method, path, params, signal) {
  const headers = {Accept: 'application/json'};
  if (method !== 'GET' && csrf.header && csrf.token) headers[csrf.header] = csrf.token;
  let response;
  try {
    response = await fetch(url(path, params), {method, headers, credentials: 'same-origin', signal});
  } catch (ex) {
    if (ex.name === 'AbortError') throw ex;
    throw new ApiError(0, 'The dashboard server did not answer: check that the application is running, then reload.');
  }
  const text = await response.text();
  let body = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch (ignored) {
    body = null;
  }
  if (!response.ok) {
    const message = body && body.error ? body.error : describe(response.status);
    throw new ApiError(response.status, message, body);
  }
  if (body === null && text && response.redirected) {
    throw new ApiError(401, 'Your session has ended: reload the page to log in again.');
  }
  return body;
}

function describe(status) {
  switch (status) {
    case 401: return 'You are not logged in (401): reload the page to log in.';
    case 403: return 'Not allowed (403): your account lacks the authority for this, or the dashboard is read-only.';
    case 404: return 'Not found (404).';
    default: return `The server answered ${status}.`;
  }
}
