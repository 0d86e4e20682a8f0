// Formats times, durations, counts and JSON for display. Times from the API are epoch millis; the catalog's may be
// ISO-8601 strings, so both are accepted.
import {h} from './dom.js';

export function toMillis(value) {
  if (value === null || value === undefined || value === '') return null;
  if (typeof value === 'number') return value;
  const parsed = Date.parse(value);
  return Number.isNaN(parsed) ? null : parsed;
}

/** "3 s ago" / "in 2 min", or "—". */
export function relative(value, now = Date.now()) {
  const at = toMillis(value);
  if (at === null) return '—';
  const delta = at - now;
  const text = duration(Math.abs(delta));
  if (Math.abs(delta) < 1000) return 'now';
  return delta < 0 ? `${text} ago` : `in ${text}`;
}

export function absolute(value) {
  const at = toMillis(value);
  return at === null ? '' : new Date(at).toLocaleString(undefined, {hour12: false}) + ` (${new Date(at).toISOString()})`;
}

/** A <time> element with the relative text and the absolute time in its title; app.js refreshes the text. */
export function time(value) {
  const at = toMillis(value);
  if (at === null) return h('span.muted', null, '—');
  return h('time', {datetime: new Date(at).toISOString(), title: absolute(at), dataset: {at: String(at)}},
    relative(at));
}

/** Re-renders every relative time on the page (they would otherwise freeze at render time). */
export function refreshTimes(root = document) {
  const now = Date.now();
  for (const el of root.querySelectorAll('time[data-at]')) el.textContent = relative(Number(el.dataset.at), now);
}

/** 850 ms, 12 s, 4 min, 3 h 5 min, 2 d 4 h. */
export function duration(ms) {
  if (ms === null || ms === undefined || Number.isNaN(ms)) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const sec = ms / 1000;
  if (sec < 60) return `${sec < 10 ? sec.toFixed(1).replace(/\.0$/, '') : Math.round(sec)} s`;
  const min = Math.floor(sec / 60);
  if (min < 60) return `${min} min`;
  const hours = Math.floor(min / 60);
  if (hours < 48) return `${hours} h${min % 60 ? ` ${min % 60} min` : ''}`;
  const days = Math.floor(hours / 24);
  return `${days} d${hours % 24 ? ` ${hours % 24} h` : ''}`;
}

const NUMBER = new Intl.NumberFormat(undefined);
const COMPACT = new Intl.NumberFormat(undefined, {notation: 'compact', maximumFractionDigits: 1});

export function count(n) {
  if (n === null || n === undefined) return '—';
  return NUMBER.format(n);
}

export function compact(n) {
  if (n === null || n === undefined) return '—';
  return Math.abs(n) < 10000 ? NUMBER.format(n) : COMPACT.format(n);
}

export const MASK = '******';

/**
 * JSON as an indented <pre> with spans per token type (key, string, number, boolean, null) for colouring.
 * Masked values are shown exactly as the server sent them, marked so that they stand out.
 */
export function jsonView(value, label) {
  const pre = h('pre.json', {tabindex: '0', 'aria-label': label || 'JSON'});
  writeJson(pre, value, 0);
  return pre;
}

function writeJson(out, value, depth) {
  const pad = '  '.repeat(depth + 1);
  const end = '  '.repeat(depth);
  if (value === null || value === undefined) {
    out.append(h('span.j-null', null, 'null'));
  } else if (Array.isArray(value)) {
    if (!value.length) return out.append('[]');
    out.append('[\n');
    value.forEach((item, i) => {
      out.append(pad);
      writeJson(out, item, depth + 1);
      out.append(i < value.length - 1 ? ',\n' : '\n');
    });
    out.append(end + ']');
  } else if (typeof value === 'object') {
    const entries = Object.entries(value);
    if (!entries.length) return out.append('{}');
    out.append('{\n');
    entries.forEach(([key, item], i) => {
      out.append(pad, h('span.j-key', null, JSON.stringify(key)), ': ');
      writeJson(out, item, depth + 1);
      out.append(i < entries.length - 1 ? ',\n' : '\n');
    });
    out.append(end + '}');
  } else if (typeof value === 'string') {
    out.append(h(value === MASK ? 'span.j-string.j-masked' : 'span.j-string',
      value === MASK ? {title: 'Masked: declared sensitive'} : null, JSON.stringify(value)));
  } else if (typeof value === 'number') {
    out.append(h('span.j-number', null, String(value)));
  } else if (typeof value === 'boolean') {
    out.append(h('span.j-boolean', null, String(value)));
  } else {
    out.append(String(value));
  }
}

/** A one-line preview of arguments for tables, cut to a length. */
export function preview(value, max = 80) {
  if (value === null || value === undefined) return '';
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text.length > max ? text.slice(0, max - 1) + '…' : text;
}
