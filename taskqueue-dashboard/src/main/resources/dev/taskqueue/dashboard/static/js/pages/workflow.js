// A workflow (chain, group, chord) as a left-to-right graph: each step is a box coloured by its state and links
// to the task; columns are the longest path from the start, so a chain reads as a row, a group as a column and a
// chord as a fan-in to its callback.
import {h, mount, s} from '../dom.js';
import {get, seg} from '../api.js';
import {follow} from '../live.js';
import {href} from '../router.js';
import {badge, loading, pageHeader, section, showError, stateClass, table, taskLink} from '../ui.js';

const NODE_W = 180;
const NODE_H = 46;
const GAP_X = 64;
const GAP_Y = 18;
const MARGIN = 12;

export function render(root, route) {
  const id = route.arg;
  const body = h('div.page-body', null, loading());
  const heading = pageHeader(`Workflow ${id}`);
  mount(root, heading, body);
  const load = () => get(`/api/workflows/${seg(id)}`);
  const draw = (wf) => {
    mount(heading.querySelector('h1'), `${capitalise(wf.kind || 'workflow')} ${id}`);
    mount(body, section('Graph', graph(wf)), section('Steps', table('Every step of the workflow', [
      {label: 'Step', cell: (n) => n.label || n.task || n.id},
      {label: 'Task id', cell: (n) => taskLink({id: n.id})},
      {label: 'Task', cell: (n) => n.task || '—'},
      {label: 'State', cell: (n) => badge(n.state)},
    ], wf.nodes || [])));
  };
  // No stream for workflows: poll while it is open (the page is rarely open for long).
  return follow({view: null, load, onData: draw, onError: showError});
}

function capitalise(text) {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** Columns by longest path from a source; rows ordered by the mean row of their predecessors. */
export function layout(nodes, edges) {
  const byId = new Map(nodes.map((n) => [n.id, {node: n, layer: 0, row: 0, preds: [], succs: []}]));
  for (const e of edges) {
    const from = byId.get(e.from);
    const to = byId.get(e.to);
    if (from && to) {
      from.succs.push(to);
      to.preds.push(from);
    }
  }
  // Kahn's order; a cycle (never expected) leaves its nodes in layer 0 rather than looping.
  const indegree = new Map([...byId.values()].map((v) => [v, v.preds.length]));
  const queue = [...byId.values()].filter((v) => !v.preds.length);
  while (queue.length) {
    const v = queue.shift();
    for (const w of v.succs) {
      w.layer = Math.max(w.layer, v.layer + 1);
      indegree.set(w, indegree.get(w) - 1);
      if (!indegree.get(w)) queue.push(w);
    }
  }
  const layers = [];
  for (const v of byId.values()) (layers[v.layer] ||= []).push(v);
  layers.forEach((layer, i) => {
    if (i > 0) {
      const mean = (v) => (v.preds.length ? v.preds.reduce((a, p) => a + p.row, 0) / v.preds.length : 0);
      layer.sort((a, b) => mean(a) - mean(b));
    }
    layer.forEach((v, row) => {
      v.row = row;
    });
  });
  const tallest = Math.max(1, ...layers.map((l) => (l ? l.length : 0)));
  for (const layer of layers) {
    if (!layer) continue;
    // Centre shorter columns against the tallest one.
    const offset = ((tallest - layer.length) * (NODE_H + GAP_Y)) / 2;
    for (const v of layer) {
      v.x = MARGIN + v.layer * (NODE_W + GAP_X);
      v.y = MARGIN + offset + v.row * (NODE_H + GAP_Y);
    }
  }
  return {
    vertices: [...byId.values()],
    width: MARGIN * 2 + layers.length * NODE_W + Math.max(0, layers.length - 1) * GAP_X,
    height: MARGIN * 2 + tallest * NODE_H + (tallest - 1) * GAP_Y,
  };
}

function graph(wf) {
  const nodes = wf.nodes || [];
  if (!nodes.length) return h('p.muted', null, 'This workflow has no steps.');
  const {vertices, width, height} = layout(nodes, wf.edges || []);
  const svg = s('svg.workflow', {viewBox: `0 0 ${width} ${height}`, width, height, role: 'img',
    'aria-label': `${wf.kind || 'workflow'} of ${nodes.length} steps`});
  svg.append(s('defs', null, s('marker', {id: 'arrow', viewBox: '0 0 10 10', refX: 10, refY: 5, markerWidth: 8,
    markerHeight: 8, orient: 'auto-start-reverse'}, s('path', {d: 'M0,0L10,5L0,10z', class: 'arrow-head'}))));
  const edgeLayer = s('g.edges');
  for (const v of vertices) {
    for (const w of v.succs) {
      const x1 = v.x + NODE_W;
      const y1 = v.y + NODE_H / 2;
      const x2 = w.x;
      const y2 = w.y + NODE_H / 2;
      const mid = (x1 + x2) / 2;
      edgeLayer.append(s('path', {d: `M${x1},${y1}C${mid},${y1} ${mid},${y2} ${x2},${y2}`, class: 'edge',
        'marker-end': 'url(#arrow)'}));
    }
  }
  svg.append(edgeLayer);
  for (const v of vertices) {
    const n = v.node;
    const label = n.label || n.task || n.id;
    const state = String(n.state || 'unknown').toLowerCase();
    svg.append(s('a', {href: href('tasks', n.id), class: 'node'},
      s('title', null, `${label}: ${state} (${n.id})`),
      s('rect', {x: v.x, y: v.y, width: NODE_W, height: NODE_H, rx: 6, class: `node-box ${stateClass(state)}`}),
      s('text', {x: v.x + 10, y: v.y + 19, class: 'node-label'}, clip(label, 22)),
      s('text', {x: v.x + 10, y: v.y + 36, class: 'node-state'}, state)));
  }
  return h('div.graph-wrap', null, svg);
}

function clip(text, max) {
  const t = String(text);
  return t.length > max ? `${t.slice(0, max - 1)}…` : t;
}
