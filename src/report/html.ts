/**
 * The HTML report: one self-contained page (no network requests) with, for each run side by side,
 * the verdict and reason, charts of the metrics series (uPlot, inlined by the caller), the
 * allocation-failure reports as marks on the time axis, and the task table at the verdict.
 *
 * Pure: the caller passes uPlot's JS and CSS as strings (the CLI reads them from node_modules).
 * Text parts are plain HTML (readable without JavaScript and printable); every name that comes
 * from a scenario or the model is escaped, and the data is embedded as JSON with "<" escaped.
 */
import type { MetricsSeries } from '../check/metrics.js';
import { STALL_TEXT, type RunResult } from '../scenario/result.js';
import { formatSeconds } from '../sim/time.js';
import { formatSpan, SQUEEZE_LINE_TEXT } from '../scenario/squeezes.js';
import { gfpName } from './ftrace.js';

export interface HtmlAssets {
  uplotJs: string;
  uplotCss: string;
}

export interface ReportFailure {
  timeNs: number;
  pid: number;
  comm: string;
  order: number;
  gfp: number;
  reported: boolean;
}

export interface ReportRun {
  /** Column heading, e.g. "2.6.25-rc8" or "2.6.25-rc8 + noop-ctor". */
  title: string;
  result: RunResult;
  /** The run's scheduler salt, if it had one (RunResult does not carry it). */
  sched_salt?: number;
  series: MetricsSeries;
  failures: readonly ReportFailure[];
  /** Last lines of the kernel log (dmesg text), for a collapsed excerpt. */
  logTail: readonly string[];
}

export interface ReportDoc {
  title: string;
  /** One line under the title: the scenario and what was run. */
  subtitle: string;
  runs: readonly ReportRun[];
}

const ESC: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ESC[c]!);
}

/** JSON safe inside <script type="application/json">: no "<" (so no "</script>" or "<!--"), and no U+2028/9. */
export function jsonForScript(v: unknown): string {
  return JSON.stringify(v).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

function sec(ns: number | null): string {
  return ns === null ? '-' : `${formatSeconds(ns)} s`;
}

/**
 * Okabe and Ito's colour-blind-safe palette ("Color Universal Design", 2008), as docs/outputs.md
 * lists it. Every series takes its colour from it; yellow is left out (too pale on white).
 */
export const OKABE_ITO = {
  black: '#000000',
  orange: '#E69F00',
  skyBlue: '#56B4E9',
  bluishGreen: '#009E73',
  yellow: '#F0E442',
  blue: '#0072B2',
  vermillion: '#D55E00',
  reddishPurple: '#CC79A7',
} as const;

/**
 * Line patterns in CSS pixels (dash, gap, ...; empty: solid). The canvas draws them scaled by the
 * device pixel ratio and the legend swatches draw them as they are, so both show the same pattern.
 */
export const DASHES = {
  solid: [] as number[],
  dashed: [6, 3],
  dotted: [2, 3],
  dashDot: [8, 3, 2, 3],
  longDash: [12, 4],
} as const;

/** A series of a chart: legend label, metrics column, colour, dash pattern, line width (CSS px). */
type SeriesSpec = [label: string, column: string, colour: string, dash: readonly number[], width: number];

interface ChartSpec {
  id: string;
  /** Without the clip note: chartTitle() adds it where the chart has a fixed y maximum. */
  title: string;
  yLabel: string;
  /** A fixed y maximum (the free-pages chart's clip); absent: the y range follows the data. */
  yMax?: number;
  series: SeriesSpec[];
}

/** A chart's title as shown, with the y maximum it is clipped at (the page script builds the same). */
function chartTitle(c: ChartSpec, clip: number | undefined): string {
  return clip === undefined ? c.title : `${c.title} (y clipped at ${clip} pages)`;
}

/**
 * The charts of one run. Within a chart no two series have the same dash and width, so they stay
 * apart without their colours (in grey print, or for a reader who cannot tell two hues apart).
 */
function chartSpecs(s: MetricsSeries): ChartSpec[] {
  const P = OKABE_ITO;
  const D = DASHES;
  // Free pages start near total RAM; clip at 4 x the highest pages_high so the watermarks stay visible.
  let high = 0;
  for (const z of s.zones) {
    const i = s.columns.indexOf(`high_${z}`);
    for (const r of s.rows) high = Math.max(high, r[i]!);
  }
  // Free pages: a colour per zone, solid. Each watermark has its colour and dash in every zone;
  // the zones' lines differ by width (thin DMA, thicker DMA32, thicker still Normal).
  const zoneColour = [P.blue, P.bluishGreen, P.reddishPurple];
  const zoneSeries: SeriesSpec[] = [];
  s.zones.forEach((z, i) => {
    const w = 1.5 + i;
    zoneSeries.push(
      [`${z} free`, `free_${z}`, zoneColour[i % zoneColour.length]!, D.solid, w],
      [`${z} min`, `min_${z}`, P.vermillion, D.dashed, w],
      [`${z} low`, `low_${z}`, P.orange, D.dotted, w],
      [`${z} high`, `high_${z}`, P.skyBlue, D.dashDot, w],
    );
    // Series of older metrics files without the column are left out (an absent column draws nothing).
    if (s.columns.includes(`atomic_${z}`)) zoneSeries.push([`${z} GFP_ATOMIC line`, `atomic_${z}`, P.black, D.longDash, w]);
  });
  return [
    { id: 'free', title: 'Free pages per zone against min/low/high and the GFP_ATOMIC line, with lowmem_reserve', yLabel: 'pages', yMax: 4 * high, series: zoneSeries },
    { id: 'writeback', title: 'Pages under writeback (NR_WRITEBACK)', yLabel: 'pages', series: [['nr_writeback', 'nr_writeback', P.vermillion, D.solid, 2]] },
    {
      id: 'slab',
      title: `${s.bio_cache} objects by owner (sense buffers: ${s.sense_cache})`,
      yLabel: 'objects',
      series: [
        ['bio', 'bio_objs', P.blue, D.solid, 1.5],
        [s.sense_cache === 'shared with bio' ? 'scsi_sense_cache' : `scsi_sense_cache (${s.sense_cache})`, 'sense_objs', P.vermillion, D.dashed, 2],
        ['other', 'bio_cache_other_objs', P.black, D.dotted, 1.5],
        ['slots in slabs', 'bio_cache_slots', P.bluishGreen, D.dashDot, 1.5],
      ],
    },
    {
      id: 'progress',
      title: 'Forward progress: pages copied and pages written to swap (cumulative; flat while the machine is stuck)',
      yLabel: 'pages',
      series: [
        ['pages copied', 'pages_copied', P.blue, D.solid, 1.5],
        ['written to swap (pswpout)', 'pswpout', P.orange, D.dashed, 2],
      ],
    },
    {
      id: 'mempool',
      title: 'fs_bio_set bio mempool: reserve and waiters',
      yLabel: 'elements / tasks',
      series: [
        ['curr_nr', 'bio_pool_curr_nr', P.blue, D.solid, 1.5],
        ['min_nr', 'bio_pool_min_nr', P.bluishGreen, D.dashed, 1.5],
        ['waiters', 'bio_pool_waiters', P.vermillion, D.dotted, 2],
      ],
    },
    {
      id: 'device',
      title: 'sda: device_busy, free-list command in use, requests',
      yLabel: 'count',
      series: [
        ['device_busy', 'device_busy', P.blue, D.solid, 1.5],
        ['free-list cmd in use', 'free_list_cmd_in_use', P.vermillion, D.dashed, 2],
        ['requests allocated', 'rq_count', P.bluishGreen, D.dotted, 2],
        ['in flight', 'rq_in_flight', P.reddishPurple, D.dashDot, 1.5],
      ],
    },
  ];
}

const CSS = `
:root { --fg:#1b1b1b; --muted:#5a5a5a; --line:#d8d8d8; --bg:#fff; --card:#fafafa; }
* { box-sizing: border-box; }
body { font: 14px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); background: var(--bg); margin: 0; padding: 16px 20px; }
h1 { font-size: 20px; margin: 0 0 4px; }
h2 { font-size: 16px; margin: 0 0 6px; }
h3 { font-size: 13px; margin: 12px 0 4px; color: var(--muted); font-weight: 600; }
p.sub { margin: 0 0 12px; color: var(--muted); }
table { border-collapse: collapse; font-size: 12px; }
th, td { border-bottom: 1px solid var(--line); padding: 2px 6px; text-align: left; vertical-align: top; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
.summary { margin-bottom: 14px; }
.runs { display: grid; grid-auto-flow: column; grid-auto-columns: minmax(420px, 1fr); gap: 14px; overflow-x: auto; padding-bottom: 8px; }
.run { background: var(--card); border: 1px solid var(--line); border-radius: 6px; padding: 10px 12px; min-width: 0; }
.verdict { display: inline-block; font-weight: 700; padding: 1px 8px; border-radius: 4px; color: #fff; }
.v-LIVELOCK, .v-DEADLOCK { background: #b3261e; }
.v-COMPLETED { background: #2e7d32; }
.v-LIMIT { background: #a66a00; }
.reason { font-size: 12px; margin: 6px 0 8px; overflow-wrap: break-word; }
.stall { font-size: 12px; margin: 4px 0; }
details.timeline { font-size: 12px; margin: 4px 0 8px; }
details.timeline summary { font-weight: 600; cursor: pointer; }
table.timeline td { vertical-align: top; padding: 1px 6px 1px 0; }
table.timeline td.num { white-space: nowrap; }
.wide { overflow-x: auto; }
table.squeezes { border-collapse: collapse; font-size: 12px; }
table.squeezes th, table.squeezes td { padding: 1px 6px; border-bottom: 1px solid #ddd; }
table.squeezes td.num { text-align: right; white-space: nowrap; }
.chart { min-height: 60px; margin: 4px 0 10px; }
.chart .u-title { font-size: 12px; font-weight: 600; text-align: left; }
.chart .u-legend { font-size: 11px; }
.chart .u-legend .u-marker { border: 0; background: none; }
.chart .u-legend .u-marker.swatch { width: 28px; height: 10px; }
.chart .u-legend .u-marker.swatch svg { display: block; }
label.yscale { white-space: nowrap; }
.chain { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: 11px; overflow-wrap: break-word; color: #333; }
.tasks tr.task td { border-bottom: none; padding-top: 4px; }
table.tasks { width: 100%; }
.tasks td { font-size: 11px; overflow-wrap: break-word; }
.tasks td:nth-child(2), .tasks td.num { white-space: nowrap; }
pre.log { font-size: 10.5px; max-height: 260px; overflow: auto; background: #fff; border: 1px solid var(--line); padding: 6px; }
.note { color: var(--muted); font-size: 12px; }
@media print {
  body { padding: 0; font-size: 11px; }
  .runs { display: block; overflow: visible; }
  .run { break-inside: avoid-page; page-break-after: always; border: none; background: none; }
  details { display: block; }
  pre.log { max-height: none; overflow: visible; }
  .wide { overflow: visible; }
  .chart canvas { max-width: 100%; }
  button, label.yscale { display: none; }
}
`;

const SCRIPT = `
(function () {
  var doc = JSON.parse(document.getElementById('report-data').textContent);
  var plots = [];
  var syncing = false;
  var dpr = Math.max(1, window.devicePixelRatio || 1);
  // The y scales: 'shared' (a chart has one y range in every column, over all their data in the
  // time window shown) or 'column' (each chart its own, as uPlot ranges it). The checkbox above
  // the runs switches it; a page with one run has no checkbox and its charts their own scales.
  var yToggle = document.getElementById('y-shared');
  var yMode = yToggle && yToggle.checked ? 'shared' : 'column';
  // Chart id -> the charts of that name in every column, from the data (drawn or not).
  var groups = {};
  doc.runs.forEach(function (run) {
    run.charts.forEach(function (c) {
      (groups[c.id] = groups[c.id] || []).push({ run: run, c: c });
    });
  });
  var shared = {};
  // A chart's fixed y maximum (the free-pages clip): the highest of its columns' when shared.
  function clipOf(c) {
    if (!c.yMax) return 0;
    if (yMode !== 'shared') return c.yMax;
    var m = 0;
    groups[c.id].forEach(function (g) { m = Math.max(m, g.c.yMax || 0); });
    return m;
  }
  // chartTitle() in html.ts builds the same text for the page without JavaScript.
  function titleOf(c) {
    var clip = clipOf(c);
    return clip ? c.title + ' (y clipped at ' + clip + ' pages)' : c.title;
  }
  // The y range chart id has in every column between times lo and hi: every series of every
  // column (shown or hidden in its legend), ranged as uPlot ranges one chart's data.
  function sharedRange(c, lo, hi) {
    var key = c.id + ' ' + lo + ' ' + hi;
    if (shared[key]) return shared[key];
    var min = Infinity, max = -Infinity;
    groups[c.id].forEach(function (g) {
      var t = g.run.t;
      g.c.series.forEach(function (s) {
        var col = g.run.cols[s[1]];
        if (!col) return;
        for (var i = 0; i < t.length; i++) {
          var v = col[i];
          if (t[i] < lo || t[i] > hi || v === null || v === undefined) continue;
          if (v < min) min = v;
          if (v > max) max = v;
        }
      });
    });
    var clip = clipOf(c);
    var r = clip ? [0, clip] : min <= max ? uPlot.rangeNum(min, max, 0.1, true) : [null, null];
    shared[key] = r;
    return r;
  }
  function yRange(c) {
    return function (u, min, max) {
      if (yMode === 'shared') {
        var w = u.__xwin;
        var ok = w && Number.isFinite(w[0]) && Number.isFinite(w[1]);
        return sharedRange(c, ok ? w[0] : -Infinity, ok ? w[1] : Infinity);
      }
      if (c.yMax) return [0, c.yMax];
      return min === null || min === undefined ? [null, null] : uPlot.rangeNum(min, max, 0.1, true);
    };
  }
  // Each chart's y range as its data-y-min and data-y-max say it (tests and scripts read them).
  function showY(u) {
    if (!u.__el) return;
    // Twelve significant digits: the range's arithmetic leaves float noise (5.500000000000002).
    var num = function (v) { return v === null || v === undefined ? String(v) : String(+v.toPrecision(12)); };
    u.__el.setAttribute('data-y-min', num(u.scales.y.min));
    u.__el.setAttribute('data-y-max', num(u.scales.y.max));
  }
  function onScale(u, key) {
    if (key === 'y') showY(u);
  }
  // The time axis every chart shows, as the page's data-x-range says it (tests and scripts read it).
  function rangeOf(u) {
    var r = function (v) { return Math.round(v * 10) / 10; };
    return r(u.scales.x.min) + '-' + r(u.scales.x.max);
  }
  function showX(min, max) {
    shared = {};
    syncing = true;
    plots.forEach(function (u) {
      u.setScale('x', { min: min, max: max });
      u.__el.setAttribute('data-x-range', rangeOf(u));
    });
    syncing = false;
    if (plots.length > 0) document.documentElement.setAttribute('data-x-range', rangeOf(plots[0]));
  }
  // A zoom (drag) or a reset (double-click) on one chart moves every chart's time axis with it.
  function syncX(u, key) {
    if (key !== 'x' || syncing || !u.__el) return;
    showX(u.scales.x.min, u.scales.x.max);
  }
  // Switches the y scales and re-ranges every chart on its time window as it stands.
  function setYMode(mode) {
    yMode = mode;
    shared = {};
    document.documentElement.setAttribute('data-y-scales', mode);
    plots.forEach(function (u) {
      var t = u.root.querySelector('.u-title');
      if (t) t.textContent = titleOf(u.__chart);
      u.__el.setAttribute('aria-label', titleOf(u.__chart));
      u.setScale('x', { min: u.scales.x.min, max: u.scales.x.max });
    });
  }
  // The legend's swatch of series i: a line with the series' colour, width and dash (uPlot's own
  // marker is a solid box whatever the dash).
  function swatch(u, i, s) {
    var row = u.root.querySelectorAll('.u-legend tr.u-series')[i];
    var mk = row && row.querySelector('.u-marker');
    if (!mk) return;
    var NS = 'http://www.w3.org/2000/svg';
    var svg = document.createElementNS(NS, 'svg');
    svg.setAttribute('width', '28');
    svg.setAttribute('height', '10');
    svg.setAttribute('viewBox', '0 0 28 10');
    svg.setAttribute('aria-hidden', 'true');
    var line = document.createElementNS(NS, 'line');
    line.setAttribute('x1', '0');
    line.setAttribute('y1', '5');
    line.setAttribute('x2', '28');
    line.setAttribute('y2', '5');
    line.setAttribute('stroke', s[2]);
    line.setAttribute('stroke-width', String(s[4]));
    if (s[3].length > 0) line.setAttribute('stroke-dasharray', s[3].join(' '));
    svg.appendChild(line);
    mk.appendChild(svg);
    mk.classList.add('swatch');
    mk.setAttribute('data-dash', s[3].length > 0 ? s[3].join(' ') : 'solid');
  }
  function vline(ctx, x, top, h) {
    ctx.moveTo(x + 0.5, top);
    ctx.lineTo(x + 0.5, top + h);
  }
  // The y axis grows with its longest tick label (800,000 pages needs more room than 4,000), so
  // the axis title never sits on the numbers.
  function yAxisSize(u, values) {
    var n = 0;
    if (values) for (var i = 0; i < values.length; i++) n = Math.max(n, String(values[i]).length);
    return 56 + 8 * Math.max(0, n - 5);
  }

  function marks(fail, squeezes, patch) {
    return function (u) {
      var ctx = u.ctx, top = u.bbox.top, h = u.bbox.height;
      var left = u.bbox.left, right = u.bbox.left + u.bbox.width;
      var dpr = Math.max(1, devicePixelRatio || 1);
      ctx.save();
      // The series leave their dash behind: marks are drawn solid, whatever was drawn last.
      ctx.setLineDash([]);
      if (squeezes.length > 0) {
        ctx.fillStyle = 'rgba(214,39,40,0.09)';
        ctx.strokeStyle = 'rgba(214,39,40,0.35)';
        ctx.lineWidth = dpr;
        for (var j = 0; j < squeezes.length; j++) {
          var a = u.valToPos(squeezes[j][0], 'x', true), b = u.valToPos(squeezes[j][1], 'x', true);
          // A squeeze wholly outside the zoomed window is not drawn at its edge.
          if (b < left || a > right) continue;
          var x0 = Math.max(left, a);
          var x1 = Math.min(right, b);
          // At least 3 px wide with an outline, so a squeeze of a few ms still shows.
          var w = Math.max(3 * dpr, x1 - x0);
          ctx.fillRect(x0, top, w, h);
          ctx.strokeRect(x0, top, w, h);
        }
      }
      if (fail.length > 0) {
        // Failure reports: thin red lines.
        ctx.strokeStyle = 'rgba(214,39,40,0.45)';
        ctx.lineWidth = dpr;
        ctx.beginPath();
        for (var i = 0; i < fail.length; i++) {
          var x = Math.round(u.valToPos(fail[i], 'x', true));
          if (x < left || x > right) continue;
          vline(ctx, x, top, h);
        }
        ctx.stroke();
      }
      if (patch !== null) {
        // The live patch: a thick black dash-dot line, labelled, so it cannot pass for a series.
        var px = Math.round(u.valToPos(patch, 'x', true));
        if (px >= left && px <= right) {
          ctx.strokeStyle = '#111';
          ctx.lineWidth = 2 * dpr;
          ctx.setLineDash([8 * dpr, 3 * dpr, 2 * dpr, 3 * dpr]);
          ctx.beginPath();
          vline(ctx, px, top, h);
          ctx.stroke();
          ctx.setLineDash([]);
          ctx.fillStyle = '#111';
          ctx.font = (11 * dpr) + 'px system-ui, sans-serif';
          ctx.textBaseline = 'top';
          ctx.fillText('live patch', px + 4 * dpr, top + 2 * dpr);
        }
      }
      ctx.restore();
    };
  }
  document.documentElement.setAttribute('data-y-scales', yMode);
  doc.runs.forEach(function (run, ri) {
    run.charts.forEach(function (c) {
      var el = document.getElementById('chart-' + ri + '-' + c.id);
      if (!el) return;
      var width = Math.max(300, el.clientWidth || 400);
      var series = [{ label: 't (s)' }];
      var data = [run.t];
      c.series.forEach(function (s) {
        // uPlot scales line widths by the pixel ratio but not dashes: the dash is scaled here.
        var dash = s[3].length > 0 ? s[3].map(function (v) { return v * dpr; }) : undefined;
        series.push({ label: s[0], stroke: s[2], width: s[4], dash: dash, points: { show: false } });
        data.push(run.cols[s[1]]);
      });
      // The x range passes through whatever is asked (a fixed range would override every zoom);
      // the y range reads the window it was given.
      var xScale = { time: false, range: function (u, min, max) { u.__xwin = [min, max]; return [min, max]; } };
      var u = new uPlot({
        title: titleOf(c),
        width: width,
        height: 170,
        scales: { x: xScale, y: { range: yRange(c) } },
        // The legend's own markers are empty boxes here; swatch() draws each series' line in them.
        legend: { live: true, markers: { show: true, width: 0, dash: 'solid', stroke: 'transparent', fill: 'transparent' } },
        axes: [{ label: 'simulated time (s)', size: 36 }, { label: c.yLabel, size: yAxisSize }],
        series: series,
        cursor: { drag: { x: true, y: false } },
        hooks: { draw: [marks(run.failures, run.squeezes, run.patch)], setScale: [syncX, onScale] },
      }, data, el);
      u.__el = el;
      u.__chart = c;
      c.series.forEach(function (s, i) { swatch(u, i + 1, s); });
      plots.push(u);
    });
  });
  showX(0, doc.xfocus);
  plots.forEach(showY);
  document.querySelectorAll('button[data-x]').forEach(function (b) {
    b.addEventListener('click', function () { showX(0, b.getAttribute('data-x') === 'all' ? doc.xmax : doc.xfocus); });
  });
  if (yToggle) yToggle.addEventListener('change', function () { setYMode(yToggle.checked ? 'shared' : 'column'); });
  // Charts follow their column's width (a narrower window, a print page).
  function fit() {
    plots.forEach(function (u) {
      var w = Math.max(300, u.__el.clientWidth || 400);
      if (Math.abs(w - u.width) > 1) u.setSize({ width: w, height: 170 });
    });
  }
  if (typeof ResizeObserver === 'function') new ResizeObserver(fit).observe(document.body);
  window.addEventListener('beforeprint', function () {
    document.querySelectorAll('details').forEach(function (d) { d.setAttribute('open', ''); });
    fit();
  });
  document.documentElement.setAttribute('data-charts-drawn', String(document.querySelectorAll('.uplot canvas').length));
})();
`;

/** A run's column: specs are its charts, clips each chart's fixed y maximum as the page opens (shared by the columns). */
function runCard(run: ReportRun, ri: number, specs: readonly ChartSpec[], clips: Readonly<Record<string, number>>): string {
  const r = run.result;
  const f = r.figures;
  const reported = run.failures.filter((x) => x.reported);
  const fig: [string, string][] = [
    ['simulated time', sec(r.sim_time_ns)],
    ['events', String(r.events)],
    ['pages copied', String(r.pages_copied)],
    ['pages written to swap (pswpout)', String(r.pswpout)],
    ['pages under writeback at the end', String(r.writeback_pages_at_end)],
    ['page allocation failures (reported)', `${r.figures['alloc_failures'] ?? run.failures.length} (${r.alloc_failure_reports})`],
    ['prep DEFERs (with nothing in flight)', `${f['prep_defers'] ?? 0} (${f['prep_defers_plugged'] ?? 0})`],
    ['free-list command uses', String(r.free_list_uses)],
    ['bio mempool waits (ended by timeout)', `${f['bio_pool_waits'] ?? 0} (${f['bio_pool_timeouts'] ?? 0})`],
    ['hung-task reports', String(r.hung_task_reports)],
    ['bytes per SCSI command', String(r.bytes_per_command)],
  ];
  const s = run.series;
  const charts = specs
    .map((c) => [c, chartTitle(c, c.yMax === undefined ? undefined : clips[c.id])] as const)
    .map(([c, title]) => `<div class="chart" id="chart-${ri}-${c.id}" role="img" aria-label="${escapeHtml(title)}"><noscript><p class="note">${escapeHtml(title)}: chart needs JavaScript; the numbers are in the tables and in --metrics output.</p></noscript></div>`)
    .join('\n');
  const tasks = r.tasks
    .map(
      (t) =>
        `<tr class="task"><td class="num">${t.pid}</td><td>${escapeHtml(t.comm)}</td><td>${escapeHtml(t.state)}</td><td class="num">${t.switches}</td><td class="num">${t.timeouts}</td><td>${escapeHtml(t.waitingOn || '-')}</td></tr>\n<tr class="chainrow"><td></td><td colspan="5" class="chain">${escapeHtml(t.chain.join(' <- ') || '(running)')}</td></tr>`,
    )
    .join('\n');
  const failRows = reported
    .slice(0, 25)
    .map((x) => `<tr><td class="num">${formatSeconds(x.timeNs)}</td><td>${escapeHtml(x.comm)}</td><td class="num">${x.order}</td><td>0x${(x.gfp >>> 0).toString(16)} ${escapeHtml(gfpName(x.gfp))}</td></tr>`)
    .join('\n');
  return `<section class="run" aria-labelledby="run-${ri}-title">
<h2 id="run-${ri}-title">${escapeHtml(run.title)}</h2>
<div><span class="verdict v-${escapeHtml(r.verdict)}">${escapeHtml(r.verdict)}</span> after ${escapeHtml(sec(r.sim_time_ns))} simulated, seed ${r.seed}${run.sched_salt ? `, sched_salt ${run.sched_salt}` : ''}</div>
${r.stall ? `<p class="stall">stall: <b>${escapeHtml(r.stall)}</b>: ${escapeHtml(STALL_TEXT[r.stall])}</p>` : ''}
<p class="reason">${escapeHtml(r.reason)}</p>
${r.timeline.length > 0 ? `<details class="timeline" open><summary>Timeline (first time each step happened)</summary><table class="timeline"><tbody>
${r.timeline.map((e) => `<tr><td class="num">${escapeHtml(formatSeconds(e.t_ns))} s</td><td>${escapeHtml(e.text)}</td></tr>`).join('\n')}
</tbody></table></details>` : ''}
${squeezeTable(r)}
<table class="figures"><tbody>
${fig.map(([k, v]) => `<tr><th>${escapeHtml(k)}</th><td class="num">${escapeHtml(v)}</td></tr>`).join('\n')}
</tbody></table>
<h3>Charts (thin red vertical lines: page allocation failure reports, ${reported.length}; shaded: squeezes, ${r.figures['squeezes'] ?? 0}${livePatchSeconds(r) !== null ? `; black dash-dot line labelled "live patch": the fix applied to the running kernel at ${escapeHtml(formatSeconds(r.timeline.find((e) => e.event === 'live_patch')!.t_ns))} s` : ''})</h3>
${s.rows.length === 0 ? '<p class="note">no samples (metrics interval 0)</p>' : charts}
${s.decimations > 0 ? `<p class="note">series decimated ${s.decimations} times: one row every ${(s.interval_ns * s.stride) / 1e6} ms</p>` : ''}
<h3>Tasks at the verdict (call chain innermost first)</h3>
<table class="tasks"><thead><tr><th class="num">pid</th><th>comm</th><th>state</th><th class="num">switches</th><th class="num">timeouts</th><th>waiting on</th></tr><tr><th></th><th colspan="5">call chain, innermost first</th></tr></thead><tbody>
${tasks}
</tbody></table>
<h3>Page allocation failure reports${reported.length > 25 ? ` (first 25 of ${reported.length})` : ''}</h3>
${reported.length === 0 ? '<p class="note">none</p>' : `<table class="failures"><thead><tr><th class="num">time (s)</th><th>comm</th><th class="num">order</th><th>mode</th></tr></thead><tbody>\n${failRows}\n</tbody></table>`}
${run.logTail.length === 0 ? '<p class="note">Kernel log: empty (nothing was printed)</p>' : `<details><summary>Kernel log, last ${run.logTail.length} lines</summary><pre class="log">${escapeHtml(run.logTail.join('\n'))}</pre></details>`}
</section>`;
}

/**
 * When forward progress stopped: for a stalled run, its last progress; for a run a live patch
 * rescued, the last progress before the patch and when the patch came; '-' otherwise.
 */
function stoppedText(r: RunResult): string {
  const stopped = r.timeline.find((e) => e.event === 'progress_stopped');
  if (stopped === undefined) return '-';
  const patch = r.timeline.find((e) => e.event === 'live_patch');
  return patch !== undefined && patch.t_ns > stopped.t_ns ? `${sec(stopped.t_ns)} (until the live patch at ${sec(patch.t_ns)})` : sec(stopped.t_ns);
}

/** When the run's live patch (live_patch.at) swapped rc8's __scsi_get_command, in seconds; null if it did not. */
function livePatchSeconds(r: RunResult): number | null {
  const e = r.timeline.find((x) => x.event === 'live_patch');
  return e === undefined ? null : e.t_ns / 1e9;
}

/**
 * The charts' first time axis: until the last run finished, or 30 s after the last stall (long
 * enough for a few of the 5 s failure reports), whichever is later. A livelock's watchdog window
 * (135 s of nothing) would otherwise squeeze every other run into the left fifth of its charts.
 * The whole runs stay one click away.
 */
function focusSeconds(runs: readonly ReportRun[], xmax: number): number {
  let focus = 0;
  for (const run of runs) {
    const r = run.result;
    const stalled = r.time_to_livelock_ns !== null && (r.verdict === 'LIVELOCK' || r.verdict === 'DEADLOCK');
    focus = Math.max(focus, stalled ? r.time_to_livelock_ns! / 1e9 + 30 : r.sim_time_ns / 1e9);
  }
  focus = Math.ceil(focus);
  return focus > 0 && focus < xmax * 0.8 ? focus : xmax;
}

/** The page. */
export function renderHtml(doc: ReportDoc, assets: HtmlAssets): string {
  let xmax = 0;
  for (const run of doc.runs) {
    const last = run.series.rows[run.series.rows.length - 1];
    xmax = Math.max(xmax, run.result.sim_time_ns / 1e9, last === undefined ? 0 : last[0]! / 1e9);
  }
  if (xmax <= 0) xmax = 1;
  const xfocus = focusSeconds(doc.runs, xmax);
  const specs = doc.runs.map((run) => chartSpecs(run.series));
  // A chart with a fixed y maximum opens with the highest of its columns' (the page opens with
  // one y scale per chart for all columns; the checkbox gives each column its own).
  const clips: Record<string, number> = {};
  for (const c of specs.flat()) if (c.yMax !== undefined) clips[c.id] = Math.max(clips[c.id] ?? 0, c.yMax);
  const data = {
    xmax,
    xfocus,
    runs: doc.runs.map((run, ri) => {
      const s = run.series;
      const cols: Record<string, number[]> = {};
      s.columns.forEach((c, i) => {
        cols[c] = s.rows.map((r) => r[i]!);
      });
      return {
        t: s.rows.map((r) => r[0]! / 1e9),
        cols,
        charts: specs[ri],
        failures: run.failures.filter((x) => x.reported).map((x) => x.timeNs / 1e9),
        // Shaded on every chart: [start, end] in seconds, a squeeze still open at the end drawn to it.
        squeezes: (run.result.squeezes ?? []).map((q) => [q.start_ns / 1e9, (q.end_ns ?? run.result.sim_time_ns) / 1e9]),
        // The live patch (live_patch.at), drawn as a labelled black dash-dot line; null when the run had none or it changed nothing.
        patch: livePatchSeconds(run.result),
      };
    }),
  };
  const summary = doc.runs
    .map(
      (run) =>
        `<tr><td>${escapeHtml(run.title)}</td><td><span class="verdict v-${escapeHtml(run.result.verdict)}">${escapeHtml(run.result.verdict)}</span></td><td class="num">${escapeHtml(sec(run.result.sim_time_ns))}</td><td class="num">${escapeHtml(stoppedText(run.result))}</td><td class="num">${run.result.writeback_pages_at_end}</td><td class="num">${run.result.alloc_failure_reports}</td><td class="num">${run.result.free_list_uses}</td></tr>`,
    )
    .join('\n');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:">
<title>${escapeHtml(doc.title)}</title>
<style>${assets.uplotCss.replace(/<\/style/gi, '<\\/style')}</style>
<style>${CSS}</style>
</head>
<body>
<header>
<h1>${escapeHtml(doc.title)}</h1>
<p class="sub">${escapeHtml(doc.subtitle)}</p>
</header>
<table class="summary"><thead><tr><th>run</th><th>verdict</th><th class="num">verdict at</th><th class="num">progress stopped at</th><th class="num">writeback at end</th><th class="num">alloc-fail reports</th><th class="num">free-list uses</th></tr></thead><tbody>
${summary}
</tbody></table>
<p class="note">A simulated Linux 2.6.25 swap-out path (reclaimsim), not measurements of a kernel. Drag on a chart to zoom, double-click to reset.${xfocus < xmax ? ` Time axis: <button type="button" data-x="focus">0-${xfocus} s (${doc.runs.length === 1 ? 'to 30 s after progress stopped' : 'until the last run finished, or 30 s after the last stall'})</button> <button type="button" data-x="all">whole runs, 0-${Math.round(xmax * 10) / 10} s</button>` : ''}${doc.runs.length > 1 ? ` <label class="yscale"><input type="checkbox" id="y-shared" autocomplete="off" checked> same y scale for a chart in every column (untick: each column its own)</label>` : ''}</p>
<main class="runs">
${doc.runs.map((r, i) => runCard(r, i, specs[i]!, clips)).join('\n')}
</main>
<script type="application/json" id="report-data">${jsonForScript(data)}</script>
<script>${assets.uplotJs.replace(/<\/script/gi, '<\\/script')}</script>
<script>${SCRIPT}</script>
</body>
</html>
`;
}

/** The run's squeezes (src/scenario/squeezes.ts) as a table, or a line saying there was none. */
function squeezeTable(r: RunResult): string {
  const count = r.figures['squeezes'] ?? 0;
  const list = r.squeezes ?? [];
  if (count === 0) return `<p class="note">no squeeze: free memory never reached ${SQUEEZE_LINE_TEXT}</p>`;
  const rows = list
    .map(
      (q) =>
        `<tr><td class="num">${escapeHtml(formatSeconds(q.start_ns))} s</td><td class="num">${q.end_ns === null ? 'end of run' : `${escapeHtml(formatSeconds(q.end_ns))} s`}</td><td class="num">${q.end_ns === null ? `${escapeHtml(formatSpan(r.sim_time_ns - q.start_ns))} (to the end)` : escapeHtml(formatSpan(q.end_ns - q.start_ns))}</td><td class="num">${-q.deepest_pages}</td><td class="num">${q.commands_completed}</td><td class="num">${q.swap_writes_completed}</td><td class="num">${q.sense_failures}</td><td class="num">${q.prep_defers} (${q.prep_defers_idle})</td><td class="num">${q.free_list_uses}</td><td class="num">${q.device_busy_start} &rarr; ${q.device_busy_end}</td><td class="num">${q.writeback_start} &rarr; ${q.writeback_end}</td></tr>`,
    )
    .join('\n');
  const more = count > list.length ? `<p class="note">${count - list.length} more squeezes not kept (the first ${list.length} are)</p>` : '';
  return `<details class="timeline" open><summary>Squeezes: ${count} (free memory at or below ${SQUEEZE_LINE_TEXT}; ${escapeHtml(formatSpan(r.figures['squeezed_ns'] ?? 0))} in all)</summary><div class="wide"><table class="squeezes"><thead><tr><th>start</th><th>end</th><th>length</th><th>deepest (pages under the line)</th><th>commands completed</th><th>swap writes completed</th><th>sense allocations failed</th><th>prep DEFERs (with nothing in flight)</th><th>free-list uses</th><th>device_busy</th><th>under writeback</th></tr></thead><tbody>
${rows}
</tbody></table></div>${more}</details>`;
}
