// Builds DOM without parsing HTML strings: every value becomes a text node, so task arguments, error messages
// and names from Redis can never inject markup, and nothing needs an inline style or handler (the page runs under a
// strict CSP).

const SVG_NS = 'http://www.w3.org/2000/svg';

/**
 * h('a.link', {href: '#/x', onclick: fn}, 'text', child, [more]) -> element.
 * Attributes starting with "on" become listeners; class/dataset/aria-* go where they belong; null/false are skipped.
 */
export function h(tag, attrs, ...children) {
  const [name, ...classes] = tag.split('.');
  const el = document.createElement(name || 'div');
  if (classes.length) el.classList.add(...classes);
  apply(el, attrs);
  append(el, children);
  return el;
}

/** The same for SVG elements (charts, workflow graphs, icons). */
export function s(tag, attrs, ...children) {
  const [name, ...classes] = tag.split('.');
  const el = document.createElementNS(SVG_NS, name);
  if (classes.length) el.classList.add(...classes);
  apply(el, attrs);
  append(el, children);
  return el;
}

function apply(el, attrs) {
  if (!attrs) return;
  for (const [key, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (key.startsWith('on') && typeof value === 'function') {
      el.addEventListener(key.slice(2).toLowerCase(), value);
    } else if (key === 'class') {
      for (const c of String(value).split(/\s+/)) if (c) el.classList.add(c);
    } else if (key === 'dataset') {
      Object.assign(el.dataset, value);
    } else if (key === 'value' && 'value' in el && !(el instanceof SVGElement)) {
      el.value = value;
    } else {
      el.setAttribute(key, value === true ? '' : String(value));
    }
  }
}

export function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

/** Replaces an element's children. */
export function mount(el, ...children) {
  el.replaceChildren();
  return append(el, children);
}

/** Text for screen readers only. */
export function srOnly(text) {
  return h('span.sr-only', null, text);
}

// Icons are small inline SVG paths (no icon font, no image requests).
const ICONS = {
  pause: 'M6 4h4v16H6zM14 4h4v16h-4z',
  play: 'M7 4l13 8-13 8z',
  retry: 'M4 12a8 8 0 0 1 13.7-5.7L20 4v6h-6l2.3-2.3A5.5 5.5 0 1 0 17.5 12H20a8 8 0 0 1-16 0z',
  trash: 'M5 7h14M10 7V4h4v3M7 7l1 13h8l1-13',
  stop: 'M6 6h12v12H6z',
  bolt: 'M13 2L4 14h7l-1 8 9-12h-7z',
  sun: 'M12 7a5 5 0 1 0 0 10 5 5 0 0 0 0-10zM12 1v3M12 20v3M1 12h3M20 12h3'
    + 'M4.2 4.2l2.1 2.1M17.7 17.7l2.1 2.1M4.2 19.8l2.1-2.1M17.7 6.3l2.1-2.1',
  moon: 'M20 14.5A8.5 8.5 0 0 1 9.5 4 8.5 8.5 0 1 0 20 14.5z',
  search: 'M10 3a7 7 0 1 0 4.4 12.4l5.1 5.1 1.4-1.4-5.1-5.1A7 7 0 0 0 10 3zm0 2a5 5 0 1 1 0 10 5 5 0 0 1 0-10z',
  link: 'M10 14l4-4M8 12l-2 2a3 3 0 0 0 4 4l2-2M16 12l2-2a3 3 0 0 0-4-4l-2 2',
};

const STROKED = new Set(['trash', 'sun', 'link']);

export function icon(name) {
  return s(STROKED.has(name) ? 'svg.icon.stroked' : 'svg.icon',
    {viewBox: '0 0 24 24', 'aria-hidden': 'true', focusable: 'false'},
    s('path', {d: ICONS[name] || ''}));
}
