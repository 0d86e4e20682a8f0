// History charts as plain SVG (no chart library): lines for counts and lag, stacked bars for run-time buckets.
// Each time slot carries a <title>, so hovering (or a screen reader) gives the exact numbers; colours come from
// classes so both themes apply.
import {h, s} from './dom.js';
import {compact, duration} from './format.js';

const W = 640;
const H = 180;
const PAD = {left: 48, right: 8, top: 10, bottom: 22};

function frame(points, max, yFormat) {
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const n = Math.max(points.length, 1);
  const x = (i) => PAD.left + (plotW * (i + 0.5)) / n;
  const y = (v) => PAD.top + plotH - (max > 0 ? (plotH * v) / max : 0);
  const grid = s('g.grid');
  for (const fraction of [0, 0.5, 1]) {
    const value = max * fraction;
    grid.append(
      s('line', {x1: PAD.left, x2: W - PAD.right, y1: y(value), y2: y(value)}),
      s('text', {x: PAD.left - 6, y: y(value) + 4, 'text-anchor': 'end'}, yFormat(value)));
  }
  if (points.length) {
    const label = (t) => new Date(t).toLocaleString(undefined, {hour12: false, month: 'short', day: 'numeric',
      hour: '2-digit', minute: '2-digit'});
    grid.append(
      s('text', {x: PAD.left, y: H - 6, 'text-anchor': 'start'}, label(points[0].t)),
      s('text', {x: W - PAD.right, y: H - 6, 'text-anchor': 'end'}, label(points[points.length - 1].t)));
  }
  return {x, y, grid, slot: plotW / n, plotH};
}

function niceMax(value) {
  if (!(value > 0)) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 2.5, 5, 10]) if (step * power >= value) return step * power;
  return 10 * power;
}

function figure(title, svg, legend, note) {
  return h('figure.chart', null,
    h('figcaption', null, h('span.chart-title', null, title), note ? h('span.chart-note', null, note) : null),
    svg,
    legend && legend.length ? h('ul.legend', null, legend.map(([cls, label]) =>
      h('li', null, s('svg.swatch', {viewBox: '0 0 10 10', 'aria-hidden': 'true'},
        s('rect', {class: cls, width: 10, height: 10, rx: 2})), label))) : null);
}

function hoverSlots(points, f, describe) {
  return s('g.slots', null, points.map((p, i) => s('rect', {
    x: f.x(i) - f.slot / 2, y: PAD.top, width: f.slot, height: f.plotH, class: 'slot',
  }, s('title', null, describe(p)))));
}

function when(p) {
  return new Date(p.t).toLocaleString(undefined, {hour12: false});
}

/**
 * Lines over time. series: [{label, cls, value: (point) => number|null}].
 */
export function lineChart(title, points, series, {yFormat = compact, note, minMax = 1} = {}) {
  const max = niceMax(Math.max(minMax, ...points.flatMap((p) => series.map((sr) => sr.value(p) ?? 0))));
  const f = frame(points, max, yFormat);
  const svg = s('svg.plot', {viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': title});
  svg.append(f.grid);
  for (const sr of series) {
    let d = '';
    let pen = false;
    points.forEach((p, i) => {
      const v = sr.value(p);
      if (v === null || v === undefined) {
        pen = false;
        return;
      }
      d += `${pen ? 'L' : 'M'}${f.x(i).toFixed(1)},${f.y(v).toFixed(1)}`;
      pen = true;
    });
    if (d) svg.append(s('path', {d, class: `line ${sr.cls}`}));
  }
  svg.append(hoverSlots(points, f, (p) => [when(p), ...series.map((sr) => `${sr.label}: ${
    sr.value(p) === null || sr.value(p) === undefined ? '—' : yFormat(sr.value(p))}`)].join('\n')));
  return figure(title, svg, series.map((sr) => [sr.cls, sr.label]), note);
}

/** Labels of the run-time buckets from their upper bounds: "≤ 10 ms" ... "> 60 s". */
export function bucketLabels(bounds) {
  return [...bounds.map((b) => `≤ ${duration(b)}`), `> ${duration(bounds[bounds.length - 1])}`];
}

/** The bucket bound under which a quantile of the runs finished, from bucket counts (an upper estimate). */
export function quantile(buckets, bounds, q) {
  const total = buckets.reduce((a, b) => a + b, 0);
  if (!total) return null;
  let seen = 0;
  for (let i = 0; i < buckets.length; i++) {
    seen += buckets[i];
    if (seen >= q * total) {
      return i < bounds.length ? `≤ ${duration(bounds[i])}` : `> ${duration(bounds[bounds.length - 1])}`;
    }
  }
  return null;
}

/** Run times: per slot, a bar stacked by bucket (fast at the bottom), with p50/p95 over the whole range. */
export function runTimeChart(title, points, bounds) {
  const labels = bucketLabels(bounds);
  const totals = points.map((p) => (p.runTimeBuckets || []).reduce((a, b) => a + b, 0));
  const max = niceMax(Math.max(0, ...totals));
  const f = frame(points, max, compact);
  const svg = s('svg.plot', {viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': title});
  svg.append(f.grid);
  const bars = s('g.bars');
  const width = Math.max(1, f.slot * 0.8);
  points.forEach((p, i) => {
    let below = 0;
    (p.runTimeBuckets || []).forEach((c, b) => {
      if (!c) return;
      const top = f.y(below + c);
      bars.append(s('rect', {x: f.x(i) - width / 2, y: top, width, height: Math.max(0.5, f.y(below) - top),
        class: `bucket b${b}`}));
      below += c;
    });
  });
  svg.append(bars);
  svg.append(hoverSlots(points, f, (p) => [when(p),
    ...(p.runTimeBuckets || []).map((c, b) => `${labels[b]}: ${compact(c)}`)].join('\n')));
  const all = labels.map((_, b) => points.reduce((a, p) => a + ((p.runTimeBuckets || [])[b] || 0), 0));
  const p50 = quantile(all, bounds, 0.5);
  const p95 = quantile(all, bounds, 0.95);
  const note = p50 ? `p50 ${p50} · p95 ${p95}` : 'no runs';
  return figure(title, svg, labels.map((label, b) => [`bucket b${b}`, label]), note);
}

/** The charts of a History: throughput, failures, run time and lag. */
export function historyCharts(history) {
  if (!history || !Array.isArray(history.points)) return h('p.muted', null, 'No history yet.');
  const points = history.points;
  const bounds = history.runTimeBoundsMillis || [10, 100, 1000, 10000, 60000];
  const per = duration(history.stepMillis || 60000);
  const sum = (key) => compact(points.reduce((a, p) => a + (p[key] || 0), 0));
  return h('div.charts', null,
    lineChart(`Throughput (per ${per})`, points, [
      {label: 'processed', cls: 'c-processed', value: (p) => p.processed}],
    {note: `${sum('processed')} processed`}),
    lineChart(`Failures (per ${per})`, points, [
      {label: 'failed', cls: 'c-failed', value: (p) => p.failed},
      {label: 'retried', cls: 'c-retried', value: (p) => p.retried}],
    {note: `${sum('failed')} failed · ${sum('retried')} retried`}),
    runTimeChart('Run time', points, bounds),
    lineChart('Queue lag (oldest pending)', points, [
      {label: 'lag', cls: 'c-lag', value: (p) => p.lagMillis}], {yFormat: duration, minMax: 1000}));
}
