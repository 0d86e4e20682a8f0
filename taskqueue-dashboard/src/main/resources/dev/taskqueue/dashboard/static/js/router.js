// Hash routes (#/queues/emails?tab=dead): the server serves one page and never sees the route, so links can be
// bookmarked and shared, and the back button works without any server-side routing.

/** The current route: {page, arg, params}. #/queues/a%2Fb?tab=dead -> {page: "queues", arg: "a/b", params}. */
export function current() {
  const hash = location.hash.replace(/^#\/?/, '');
  const [path, query] = splitOnce(hash, '?');
  const [page, ...rest] = path.split('/');
  return {
    page: page || 'overview',
    arg: rest.length ? decodeURIComponent(rest.join('/')) : null,
    params: new URLSearchParams(query || ''),
  };
}

function splitOnce(text, separator) {
  const at = text.indexOf(separator);
  return at < 0 ? [text, ''] : [text.slice(0, at), text.slice(at + 1)];
}

/** A hash for a page: href('queues', 'emails', {tab: 'dead'}). */
export function href(page, arg, params) {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(params || {})) {
    if (value !== null && value !== undefined && value !== '') query.set(key, value);
  }
  const qs = query.toString();
  return `#/${page}${arg !== null && arg !== undefined ? `/${encodeURIComponent(arg)}` : ''}${qs ? `?${qs}` : ''}`;
}

export function go(hash) {
  if (location.hash === hash) window.dispatchEvent(new HashChangeEvent('hashchange'));
  else location.hash = hash;
}

/** Changes the query without adding a history entry (filters, tabs of the same view keep the back button useful). */
export function replace(hash) {
  history.replaceState(null, '', hash);
}
