import { test } from 'node:test';
import assert from 'node:assert/strict';
import { escapeHtml, jsonForScript, renderHtml } from '../../src/report/html.js';
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
