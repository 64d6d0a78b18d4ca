import { test } from 'node:test';
import assert from 'node:assert/strict';
import { escapeHtml, jsonForScript, renderHtml } from '../../src/report/html.js';
import { reportRun } from '../../src/report/collect.js';
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

test('html helpers: escapeHtml and jsonForScript (quotes, </script>, U+2028)', () => {
  assert.equal(escapeHtml(`<a href="x">'&'</a>`), '&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  const j = jsonForScript({ s: '</script><!-- \u2028' });
  assert.doesNotMatch(j, /<|\u2028/);
  assert.deepEqual(JSON.parse(j), { s: '</script><!-- \u2028' });
});
