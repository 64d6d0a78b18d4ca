import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { DASHES, escapeHtml, jsonForScript, OKABE_ITO, renderHtml } from '../../src/report/html.js';
import { reportRun, runFtrace } from '../../src/report/collect.js';
import { observe, smallParams } from './helpers.js';

const ASSETS = { uplotJs: '/* uplot */ var uPlot = function () {};', uplotCss: '.uplot{}' };

test('html: names from a scenario are escaped in text and data (scenario named <script>alert(1)</script>)', () => {
  const evil = '<script>alert(1)</script>';
  const o = observe(smallParams({ name: evil }));
  const run = reportRun(o.machine, o.result, o.sampler!.series, `${evil} & "rc8"`);
  const html = renderHtml({ title: `report ${evil}`, subtitle: evil, runs: [run] }, ASSETS);
  assert.doesNotMatch(html, /<script>alert/);
  assert.match(html, /&lt;script&gt;alert\(1\)&lt;\/script&gt; &amp; &quot;rc8&quot;/);
  // Exactly the three page scripts: the JSON data, uPlot, the chart code.
  assert.equal(html.match(/<script[\s>]/g)!.length, 3);
  assert.equal(html.match(/<\/script>/g)!.length, 3);
});

test('html: self-contained: no external URL in src/href, CSP forbids network, tables are plain HTML (short run)', () => {
  const o = observe(smallParams());
  const html = renderHtml({ title: 't', subtitle: 's', runs: [reportRun(o.machine, o.result, o.sampler!.series)] }, ASSETS);
  assert.doesNotMatch(html, /\b(src|href)\s*=\s*["']?(https?:)?\/\//i);
  assert.match(html, /Content-Security-Policy" content="default-src 'none'/);
  assert.match(html, /<table class="tasks">/);
  assert.match(html, /<span class="verdict v-COMPLETED">COMPLETED<\/span>/);
  for (const id of ['free', 'writeback', 'slab', 'mempool', 'device']) assert.match(html, new RegExp(`id="chart-0-${id}"`));
  assert.match(html, /@media print/);
});

test('html and ftrace: a salted run names its sched_salt next to the seed; an unsalted one does not', () => {
  const salted = observe(smallParams({}, ['sched_salt=77']));
  assert.equal(salted.machine.params.sched_salt, 77);
  const html = renderHtml({ title: 't', subtitle: 's', runs: [reportRun(salted.machine, salted.result, salted.sampler!.series)] }, ASSETS);
  assert.match(html, /simulated, seed 1, sched_salt 77<\/div>/);
  assert.match(runFtrace(salted.machine, salted.result), /^# run: scenario small, kernel 2\.6\.25-rc8, seed 1, sched_salt 77, verdict/m);
  const plain = observe(smallParams());
  const html0 = renderHtml({ title: 't', subtitle: 's', runs: [reportRun(plain.machine, plain.result, plain.sampler!.series)] }, ASSETS);
  assert.match(html0, /simulated, seed 1<\/div>/);
  assert.doesNotMatch(html0, /sched_salt/);
});

test('html helpers: escapeHtml and jsonForScript (quotes, </script>, U+2028)', () => {
  assert.equal(escapeHtml(`<a href="x">'&'</a>`), '&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  const j = jsonForScript({ s: '</script><!-- \u2028' });
  assert.doesNotMatch(j, /<|\u2028/);
  assert.deepEqual(JSON.parse(j), { s: '</script><!-- \u2028' });
});

test('html: the time axis opens on each run until it finished or 30 s after it stalled, with a button for the whole runs', () => {
  const o = observe(smallParams());
  const done = reportRun(o.machine, o.result, o.sampler!.series, 'done');
  // A long livelock beside it: stalled at 4 s, watched for 130 s more.
  const stuck = { ...done, title: 'stuck', result: { ...o.result, verdict: 'LIVELOCK' as const, time_to_livelock_ns: 4e9, sim_time_ns: 134e9 } };
  const html = renderHtml({ title: 't', subtitle: 's', runs: [done, stuck] }, ASSETS);
  const data = JSON.parse(/<script type="application\/json" id="report-data">(.*?)<\/script>/s.exec(html)![1]!) as { xmax: number; xfocus: number };
  assert.equal(data.xmax, 134);
  assert.equal(data.xfocus, Math.max(34, Math.ceil(o.result.sim_time_ns / 1e9)));
  assert.match(html, /<button type="button" data-x="focus">0-34 s \(until the last run finished, or 30 s after the last stall\)<\/button>/);
  assert.match(html, /<button type="button" data-x="all">whole runs, 0-134 s<\/button>/);
  const alone = renderHtml({ title: 't', subtitle: 's', runs: [stuck] }, ASSETS);
  assert.match(alone, /data-x="focus">0-34 s \(to 30 s after progress stopped\)</);
  // Runs that all end inside the focus window need no buttons.
  const plain = renderHtml({ title: 't', subtitle: 's', runs: [done] }, ASSETS);
  assert.doesNotMatch(plain, /data-x="all"/);
});

test('html: the squeezes table has one row per kept squeeze (an open one reads "end of run"), and a run without one says so', () => {
  const o = observe(smallParams());
  const none = renderHtml({ title: 't', subtitle: 's', runs: [reportRun(o.machine, { ...o.result, squeezes: [], figures: { ...o.result.figures, squeezes: 0, squeezed_ns: 0 } }, o.sampler!.series)] }, ASSETS);
  assert.match(none, /no squeeze: free memory never reached the GFP_ATOMIC line/);
  assert.doesNotMatch(none, /<table class="squeezes">/);
  const q = { start_ns: 3_000_000_000, end_ns: 3_083_000_000, deepest_pages: -51, commands_completed: 21, commands_dispatched: 24, free_list_uses: 0, sense_failures: 22, prep_defers: 22, prep_defers_idle: 0, swap_writes_completed: 300, device_busy_start: 4, device_busy_end: 7, writeback_start: 98, writeback_end: 119 };
  const open = { ...q, start_ns: 5_000_000_000, end_ns: null };
  const result = { ...o.result, squeezes: [q, open], figures: { ...o.result.figures, squeezes: 3, squeezed_ns: 1_083_000_000 } };
  const html = renderHtml({ title: 't', subtitle: 's', runs: [reportRun(o.machine, result, o.sampler!.series)] }, ASSETS);
  assert.match(html, /<summary>Squeezes: 3 \(free memory at or below the GFP_ATOMIC line in every zone an atomic allocation may use; 1\.08 s in all\)<\/summary>/);
  const body = html.slice(html.indexOf('<table class="squeezes">'), html.indexOf('</table>', html.indexOf('<table class="squeezes">')));
  assert.equal(body.match(/<tr>/g)!.length, 3, 'a header row and two squeezes');
  assert.match(body, /<td class="num">83 ms<\/td><td class="num">51<\/td><td class="num">21<\/td>/);
  assert.match(body, /end of run<\/td><td class="num">[^<]+ \(to the end\)<\/td>/);
  assert.match(body, /4 &rarr; 7/);
  assert.match(html, /1 more squeezes not kept \(the first 2 are\)/);
});

test('html: a live patch is a labelled line on every chart, named in the charts heading; a run without one has none', () => {
  const o = observe(smallParams());
  const patched = { ...o.result, timeline: [...o.result.timeline, { t_ns: 1_500_000_000, event: 'live_patch', text: 'live patch' }] };
  const html = renderHtml({ title: 't', subtitle: 's', runs: [reportRun(o.machine, patched, o.sampler!.series)] }, ASSETS);
  const data = JSON.parse(/<script type="application\/json" id="report-data">(.*?)<\/script>/s.exec(html)![1]!) as { runs: { patch: number | null }[] };
  assert.equal(data.runs[0]!.patch, 1.5);
  assert.match(html, /; black dash-dot line labelled "live patch": the fix applied to the running kernel at 1\.500000 s\)<\/h3>/);
  const plain = renderHtml({ title: 't', subtitle: 's', runs: [reportRun(o.machine, o.result, o.sampler!.series)] }, ASSETS);
  const plainData = JSON.parse(/<script type="application\/json" id="report-data">(.*?)<\/script>/s.exec(plain)![1]!) as { runs: { patch: number | null }[] };
  assert.equal(plainData.runs[0]!.patch, null);
  assert.doesNotMatch(plain, /labelled "live patch"/);
});

interface ChartData {
  id: string;
  title: string;
  yMax?: number;
  series: [string, string, string, number[], number][];
}

function reportData(html: string): { runs: { charts: ChartData[] }[] } {
  return JSON.parse(/<script type="application\/json" id="report-data">(.*?)<\/script>/s.exec(html)![1]!) as { runs: { charts: ChartData[] }[] };
}

test('html: series colours are Okabe and Ito\'s palette, as docs/outputs.md lists it, and yellow is not used', () => {
  // The published values (Okabe & Ito 2008, "Color Universal Design"), in their order.
  const published = [[0, 0, 0], [230, 159, 0], [86, 180, 233], [0, 158, 115], [240, 228, 66], [0, 114, 178], [213, 94, 0], [204, 121, 167]];
  const rgb = (hex: string): number[] => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
  assert.deepEqual(Object.values(OKABE_ITO).map(rgb), published);
  // docs/outputs.md names the same colours in the same order.
  const root = fileURLToPath(new URL('../../../', import.meta.url));
  const docs = readFileSync(`${root}docs/outputs.md`, 'utf8');
  const para = docs.split('\n\n').find((p) => p.includes('Okabe'));
  assert.ok(para !== undefined, 'docs/outputs.md describes the palette');
  assert.deepEqual(para.match(/#[0-9A-F]{6}\b/g), Object.values(OKABE_ITO));
  // Every series of every chart takes its colour from it.
  const o = observe(smallParams());
  const data = reportData(renderHtml({ title: 't', subtitle: 's', runs: [reportRun(o.machine, o.result, o.sampler!.series)] }, ASSETS));
  const used = new Set(data.runs[0]!.charts.flatMap((c) => c.series.map((x) => x[2])));
  const palette: string[] = Object.values(OKABE_ITO);
  for (const c of used) assert.ok(palette.includes(c), `${c} is not in the palette`);
  assert.ok(!used.has(OKABE_ITO.yellow));
  assert.ok(used.size >= 6, [...used].join(' '));
});

test('html: within a chart no two series have the same dash and width, so they differ by more than colour', () => {
  const o = observe(smallParams());
  const data = reportData(renderHtml({ title: 't', subtitle: 's', runs: [reportRun(o.machine, o.result, o.sampler!.series)] }, ASSETS));
  const charts = data.runs[0]!.charts;
  assert.deepEqual(charts.map((c) => c.id), ['free', 'writeback', 'slab', 'progress', 'mempool', 'device']);
  const patterns = Object.values(DASHES).map((d) => JSON.stringify(d));
  let dashed = 0;
  for (const c of charts) {
    const styles = c.series.map(([, , , dash, width]) => `${JSON.stringify(dash)} ${width}`);
    assert.equal(new Set(styles).size, styles.length, `${c.id}: ${styles.join(', ')}`);
    for (const [label, , , dash, width] of c.series) {
      assert.ok(patterns.includes(JSON.stringify(dash)), `${c.id} ${label}: ${JSON.stringify(dash)}`);
      assert.ok(width >= 1 && width <= 5, `${c.id} ${label}: width ${width}`);
      if (dash.length > 0) dashed++;
    }
  }
  assert.ok(dashed >= 10, `dashed series: ${dashed}`);
  // Two zones: the free-pages chart has each zone's five lines.
  assert.equal(charts[0]!.series.length, 10);
});

test('html: several runs open with one y scale per chart (a checkbox, not remembered, gives each column its own); one run has no checkbox', () => {
  const o = observe(smallParams());
  const a = reportRun(o.machine, o.result, o.sampler!.series, 'a');
  const s = o.sampler!.series;
  // The same run with every count tripled: its free-pages clip (4 x pages_high) is three times a's.
  const b = { ...a, title: 'b', series: { ...s, rows: s.rows.map((r) => r.map((v, i) => (i === 0 ? v : v * 3))) } };
  const html = renderHtml({ title: 't', subtitle: 's', runs: [a, b] }, ASSETS);
  assert.match(html, /<label class="yscale"><input type="checkbox" id="y-shared" autocomplete="off" checked> same y scale for a chart in every column/);
  const clips = reportData(html).runs.map((r) => r.charts[0]!.yMax!);
  assert.equal(clips[1], 3 * clips[0]!);
  // Without JavaScript the titles say what the page opens with: both columns clipped at b's maximum.
  const labels = [...html.matchAll(/id="chart-\d-free" role="img" aria-label="([^"]*)"/g)].map((m) => m[1]);
  assert.deepEqual(labels, [0, 1].map(() => `Free pages per zone against min/low/high and the GFP_ATOMIC line, with lowmem_reserve (y clipped at ${clips[1]} pages)`));
  const alone = renderHtml({ title: 't', subtitle: 's', runs: [a] }, ASSETS);
  assert.doesNotMatch(alone, /id="y-shared"/);
  assert.match(alone, new RegExp(`aria-label="Free pages [^"]*\\(y clipped at ${clips[0]} pages\\)"`));
  assert.doesNotMatch(html + alone, /localStorage|sessionStorage|document\.cookie/);
});

test('html: the page is byte-identical for the same runs (two separate runs of the same seed)', () => {
  const render = (): string => {
    const o = observe(smallParams());
    const r = reportRun(o.machine, o.result, o.sampler!.series, 'r');
    return renderHtml({ title: 't', subtitle: 's', runs: [r, { ...r, title: 'r2' }] }, ASSETS);
  };
  assert.equal(render(), render());
});
