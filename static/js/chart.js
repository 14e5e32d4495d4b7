// chart.js - small charts drawn as inline SVG: horizontal bars, bars
// stacked by series, and a ring for one ratio. Each comes as a <figure>
// with a caption, an SVG image whose aria-label sums it up, and the same
// numbers as a table, so screen reader and keyboard users get the data too.

import { h } from './dom.js';
import { t } from './i18n.js';
import { number, percent } from './format.js';

const SVG = 'http://www.w3.org/2000/svg';

// Series colours: each also differs from its neighbours in lightness, so
// the stacks read apart in greyscale and for colour-blind readers, and
// the darkest and lightest keep a visible edge against white (with the
// outline drawn around every bar).
export const PALETTE = ['#1a4f8b', '#e8a33d', '#f5e08a', '#2c7a3b', '#c0508a', '#9a9a9a', '#6b0f1a'];

// Rows of the bar charts (px): a label line, then the bar under it, so
// long names get the whole width, also on a phone.
const ROW = 46;
const LABEL_Y = 16;
const BAR_Y = 22;
const BAR_H = 16;
// Bars end at most this far across, leaving room for the value after them.
const BAR_MAX_PCT = 78;

/** An SVG element with attributes and children (text becomes text nodes). */
function s(tag, attrs, ...children) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs || {}))
    if (v !== undefined && v !== null) el.setAttribute(k, String(v));
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

/**
 * Cuts each bar label of svg to the width the chart has, with … (its
 * tooltip and the table keep it whole), and again whenever that width
 * changes: a name that fits a desktop may not fit a phone.
 */
function fitLabels(svg) {
  const fit = () => {
    const room = svg.getBoundingClientRect().width;
    if (!room) return;
    for (const label of svg.querySelectorAll('text.bar-label')) {
      const shown = label.firstChild;
      const whole = label.dataset.label;
      shown.textContent = whole;
      if (label.getComputedTextLength() <= room) continue;
      let lo = 0;
      let hi = whole.length;
      while (lo < hi) {
        const mid = Math.ceil((lo + hi) / 2);
        shown.textContent = `${whole.slice(0, mid)}…`;
        if (label.getComputedTextLength() <= room) lo = mid;
        else hi = mid - 1;
      }
      shown.textContent = `${whole.slice(0, lo)}…`;
    }
  };
  new ResizeObserver(fit).observe(svg);
}

function svgFrame(summary, height) {
  const svg = s('svg', { role: 'img', 'aria-label': summary, width: '100%', height, focusable: 'false' });
  // The stylesheet sizes chart images by width; the rows fix the height.
  svg.style.height = `${height}px`;
  fitLabels(svg);
  return svg;
}

function dataTable(caption, heads, rows) {
  return h('details', { class: 'chart-data' },
    h('summary', { 'aria-label': t('chart.showDataOf', { title: caption }) }, t('chart.showData')),
    h('div', { class: 'table-wrap' },
      h('table', {},
        h('caption', {}, caption),
        h('thead', {}, h('tr', {}, heads.map((x, i) => h('th', { scope: 'col', class: i ? 'num' : null }, x)))),
        h('tbody', {}, rows.map(([head, ...cells]) => h('tr', {},
          h('th', { scope: 'row' }, head),
          cells.map((c) => h('td', { class: 'num' }, c))))))));
}

function figure(cls, title, note, body) {
  return h('figure', { class: ['chart', cls].flat() }, h('figcaption', {}, title), note ? h('p', { class: 'chart-note' }, note) : null, body);
}

const empty = (text) => h('p', { class: 'chart-empty' }, text || t('chart.empty'));

/** A row's label line (the whole label as its tooltip). */
const labelText = (label, top) => s('text', { class: 'bar-label', x: 0, y: top + LABEL_Y, 'data-label': label },
  s('tspan', {}, label), s('title', {}, label));

/** The value after a bar ending at pct. */
const valueText = (text, top, pct) =>
  s('text', { class: 'bar-value', x: `${pct.toFixed(3)}%`, dx: 6, y: top + BAR_Y + BAR_H - 3 }, text);

/**
 * Horizontal bars: barChart({title, rows: [{label, value}], format, max,
 * labelHeading, valueHeading, note, emptyText, wide}). format(value) gives
 * the text (number by default); max fixes the scale (e.g. 1 for ratios).
 */
export function barChart({ title, rows, format = number, max, labelHeading = '', valueHeading = t('chart.value'), note, emptyText, wide }) {
  const cls = wide ? 'wide' : null;
  if (!rows.length) return figure(cls, title, note, empty(emptyText));
  const top = max ?? Math.max(...rows.map((r) => r.value ?? 0), 0);
  const summary = `${title}: ${rows.map((r) => `${r.label} ${format(r.value)}`).join(', ')}`;
  const svg = svgFrame(summary, rows.length * ROW + 4);
  rows.forEach((r, i) => {
    const y = i * ROW;
    const pct = top > 0 ? ((r.value ?? 0) / top) * BAR_MAX_PCT : 0;
    svg.append(
      labelText(r.label, y),
      s('rect', {
        class: 'bar', x: 0, y: y + BAR_Y, width: `${pct.toFixed(3)}%`, height: BAR_H,
        fill: PALETTE[0], 'data-label': r.label, 'data-value': r.value ?? '',
      }, s('title', {}, `${r.label}: ${format(r.value)}`)),
      valueText(format(r.value), y, pct));
  });
  return figure(cls, title, note, [svg,
    dataTable(title, [labelHeading, valueHeading], rows.map((r) => [r.label, format(r.value)]))]);
}

/**
 * Bars stacked by series: stackedBarChart({title, series: [{key, label}],
 * rows: [{label, values: {key: n}}], labelHeading, note, emptyText, wide}).
 * Each bar is as long as its row's total, against the largest total.
 */
export function stackedBarChart({ title, series, rows, format = number, labelHeading = '', note, emptyText, wide }) {
  const cls = ['stacked', wide && 'wide'];
  const totals = rows.map((r) => series.reduce((sum, x) => sum + (r.values[x.key] ?? 0), 0));
  if (!rows.length) return figure(cls, title, note, empty(emptyText));
  const top = Math.max(...totals, 0);
  const summary = `${title}: ${rows.map((r, i) => `${r.label} ${t('chart.total')} ${format(totals[i])}`).join(', ')}. ${t('chart.inTable')}`;
  const svg = svgFrame(summary, rows.length * ROW + 4);
  const colour = (i) => series[i].color || PALETTE[i % PALETTE.length];
  rows.forEach((r, i) => {
    const y = i * ROW;
    const whole = top > 0 ? (totals[i] / top) * BAR_MAX_PCT : 0;
    let x = 0;
    const parts = series.map((ser, k) => {
      const v = r.values[ser.key] ?? 0;
      const w = top > 0 ? (v / top) * BAR_MAX_PCT : 0;
      const seg = s('rect', {
        class: 'bar segment', x: `${x.toFixed(3)}%`, y: y + BAR_Y, width: `${w.toFixed(3)}%`, height: BAR_H,
        fill: colour(k), 'data-label': r.label, 'data-series': ser.key, 'data-value': v,
      }, s('title', {}, `${r.label} · ${ser.label}: ${format(v)}`));
      x += w;
      return v ? seg : null;
    });
    // The outline keeps the light segments' edge visible against white.
    const outline = s('rect', {
      class: 'bar-outline', x: 0, y: y + BAR_Y, width: `${whole.toFixed(3)}%`, height: BAR_H,
      fill: 'none', stroke: '#5f6b7a', 'stroke-width': 1,
    });
    svg.append(labelText(r.label, y), ...parts.filter(Boolean), outline, valueText(format(totals[i]), y, whole));
  });
  const legend = h('ul', { class: 'chart-legend' }, series.map((ser, k) => h('li', {},
    s('svg', { width: 14, height: 14, 'aria-hidden': 'true', focusable: 'false', class: 'swatch' },
      s('rect', { x: 0.5, y: 0.5, width: 13, height: 13, fill: colour(k), stroke: '#5f6b7a' })),
    ser.label)));
  const table = dataTable(title, [labelHeading, ...series.map((x) => x.label), t('chart.total')],
    rows.map((r, i) => [r.label, ...series.map((x) => format(r.values[x.key] ?? 0)), format(totals[i])]));
  return figure(cls, title, note, [svg, legend, table]);
}

/**
 * One ratio as a ring: ratioChart({title, value (0..1 or null), label,
 * emptyText, note}). label names the value in the table ("수료율").
 */
export function ratioChart({ title, value, label, emptyText, note }) {
  if (value === null || value === undefined) return figure('ratio', title, note, empty(emptyText));
  const v = Math.min(1, Math.max(0, value));
  const r = 48;
  const round = 2 * Math.PI * r;
  const svg = s('svg', { class: 'ring', role: 'img', 'aria-label': `${title}: ${percent(v)}`, viewBox: '0 0 120 120', focusable: 'false' },
    s('circle', { cx: 60, cy: 60, r, fill: 'none', stroke: '#d5dbe3', 'stroke-width': 14 }),
    s('circle', {
      class: 'ring-value', cx: 60, cy: 60, r, fill: 'none', stroke: PALETTE[0], 'stroke-width': 14,
      'stroke-dasharray': `${(round * v).toFixed(2)} ${round.toFixed(2)}`, transform: 'rotate(-90 60 60)', 'data-value': v,
    }),
    s('text', { x: 60, y: 66, 'text-anchor': 'middle', class: 'ring-text' }, percent(v)));
  return figure('ratio', title, note, [svg, dataTable(title, ['', t('chart.value')], [[label || title, percent(v)]])]);
}
