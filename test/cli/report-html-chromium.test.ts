/**
 * Opens the HTML report in real headless Chromium (playwright-core driving /usr/bin/chromium; CI
 * installs it in .ci/run, locally `apt-get install -y chromium`): no console errors, no network
 * requests, every chart drawn, a screenshot, the rc8 and fix columns present, scenario names escaped.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { cli } from './scenario-cli-helpers.js';
import { REPRODUCE_ROWS, uplotAssets } from '../../src/cli/commands/run.js';
import { renderHtml } from '../../src/report/html.js';
import { reportRun } from '../../src/report/collect.js';
import { observe, smallParams } from '../report/helpers.js';

/**
 * Drags across a chart's plot area (`selector`, the first match) from `from` to `to`, fractions of
 * its width, and waits until the page's x range has changed. Returns the plot area's box.
 */
async function dragZoom(page: Page, from: number, to: number, selector = '.chart .u-over'): Promise<{ x: number; y: number; width: number; height: number }> {
  const over = page.locator(selector).first();
  await over.scrollIntoViewIfNeeded();
  const box = (await over.boundingBox())!;
  const before = await page.evaluate(() => document.documentElement.getAttribute('data-x-range'));
  await page.mouse.move(box.x + box.width * from, box.y + box.height / 2);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * to, box.y + box.height / 2, { steps: 5 });
  await page.mouse.up();
  await page.waitForFunction((b) => document.documentElement.getAttribute('data-x-range') !== b, before);
  return box;
}

const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const SMALL = ['--set', 'machine.ram=128MiB', '--set', 'workload.copies=2', '--set', 'workload.tree_size=64MiB', '--set', 'checks.time_limit=5s'];

interface PageCheck {
  errors: string[];
  requests: string[];
  dialogs: string[];
  canvases: { w: number; h: number; inked: boolean }[];
  charts: number;
  title: string;
  headings: string[];
  /** Chart id -> each column's y range ("min max", from the charts' data-y-min and data-y-max). */
  yRanges: Record<string, string[]>;
  yScales: string | null;
}

async function openReport(browser: Browser, file: string, screenshot: string): Promise<PageCheck> {
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  const out: PageCheck = { errors: [], requests: [], dialogs: [], canvases: [], charts: 0, title: '', headings: [], yRanges: {}, yScales: null };
  page.on('console', (m) => {
    if (m.type() === 'error') out.errors.push(m.text());
  });
  page.on('pageerror', (e) => out.errors.push(String(e)));
  page.on('dialog', (d) => {
    out.dialogs.push(d.message());
    void d.dismiss();
  });
  await page.route('**/*', (route) => {
    const url = route.request().url();
    if (/^(file|data|about):/.test(url)) return route.continue();
    out.requests.push(url);
    return route.abort();
  });
  page.on('request', (r) => {
    if (!/^(file|data|about):/.test(r.url()) && !out.requests.includes(r.url())) out.requests.push(r.url());
  });
  await page.goto(pathToFileURL(file).href);
  await page.waitForFunction(() => document.documentElement.hasAttribute('data-charts-drawn'), undefined, { timeout: 30_000 });
  out.charts = await page.evaluate(() => document.querySelectorAll('.chart').length);
  out.canvases = await page.evaluate(() =>
    [...document.querySelectorAll<HTMLCanvasElement>('.uplot canvas')].map((c) => {
      const ctx = c.getContext('2d')!;
      const d = ctx.getImageData(0, 0, c.width, c.height).data;
      let inked = false;
      for (let i = 3; i < d.length; i += 4 * 7) if (d[i]! > 0) { inked = true; break; }
      return { w: c.width, h: c.height, inked };
    }),
  );
  out.title = await page.title();
  out.headings = await page.evaluate(() => [...document.querySelectorAll('h2')].map((h) => h.textContent ?? ''));
  out.yRanges = await page.evaluate(() => {
    const r: Record<string, string[]> = {};
    for (const c of document.querySelectorAll('.chart')) (r[c.id.replace(/^chart-\d+-/, '')] ??= []).push(`${c.getAttribute('data-y-min')} ${c.getAttribute('data-y-max')}`);
    return r;
  });
  out.yScales = await page.evaluate(() => document.documentElement.getAttribute('data-y-scales'));
  await page.screenshot({ path: screenshot, fullPage: true });
  await page.close();
  return out;
}

/** Writes `runs` as a report, opens it in a new Chromium page and waits for the charts; collects page errors. */
/**
 * Runs `fn` with a headless Chromium, closed afterwards; without Chromium the test is skipped with
 * how to install it.
 */
async function withChromium(t: TestContext, fn: (browser: Browser) => Promise<void>): Promise<void> {
  if (!existsSync(CHROMIUM)) {
    t.skip(`${CHROMIUM} not found: install it with "apt-get install -y chromium" (CI does, in .ci/run)`);
    return;
  }
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
  try {
    await fn(browser);
  } finally {
    await browser.close();
  }
}

async function renderedPage(browser: Browser, name: string, runs: ReturnType<typeof reportRun>[]): Promise<{ page: Page; errors: string[] }> {
  const file = join(mkdtempSync(join(tmpdir(), 'reclaimsim-chromium-')), `${name}.html`);
  writeFileSync(file, renderHtml({ title: name, subtitle: 's', runs }, uplotAssets()));
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(pathToFileURL(file).href);
  await page.waitForFunction(() => document.documentElement.getAttribute('data-charts-drawn') !== null);
  return { page, errors };
}

test('html report in headless Chromium: reproduce --report draws every chart, makes no requests, shows rc8 and the fix (short scenario)', async (t) => {
  await withChromium(t, async (browser) => {
    const dir = mkdtempSync(join(tmpdir(), 'reclaimsim-chromium-'));
    const file = join(dir, 'report.html');
    const r = await cli(['reproduce', ...SMALL, '--seeds', '1', '--report', file], [], 120_000);
    assert.equal(r.status, 0, r.stderr);
    const shot = join(dir, 'report.png');
    const c = await openReport(browser, file, shot);
    t.diagnostic(`screenshot: ${shot}`);
    assert.deepEqual(c.errors, []);
    assert.deepEqual(c.requests, []);
    assert.equal(c.charts, REPRODUCE_ROWS.length * 6);
    assert.equal(c.canvases.length, c.charts, 'one uPlot canvas per chart');
    for (const cv of c.canvases) {
      assert.ok(cv.w > 0 && cv.h > 0, `canvas ${cv.w}x${cv.h}`);
      assert.ok(cv.inked, 'canvas has drawn pixels');
    }
    assert.ok(c.headings.includes('2.6.25-rc8 (seed 1)') && c.headings.includes('2.6.25 (seed 1)'), c.headings.join(', '));
    // The page opens with one y scale per chart over all the columns: rc8's writeback plateau
    // is drawn on the same scale as the fix's thousands of pages in flight.
    assert.equal(c.yScales, 'shared');
    assert.deepEqual(Object.keys(c.yRanges), ['free', 'writeback', 'slab', 'progress', 'mempool', 'device']);
    for (const [id, ranges] of Object.entries(c.yRanges)) {
      assert.equal(ranges.length, REPRODUCE_ROWS.length, id);
      assert.ok(ranges.every((r) => r === ranges[0] && /^-?[\d.e+-]+ [\d.e+-]+$/.test(r)), `${id}: ${ranges.join(', ')}`);
    }
    assert.ok(Number(c.yRanges['writeback']![0]!.split(' ')[1]) > 1000, c.yRanges['writeback']![0]);
    assert.ok(existsSync(shot));
  });
});

test('html report in headless Chromium: the time-axis buttons switch every chart between the focus window and the whole runs', async (t) => {
  await withChromium(t, async (browser) => {
    const o = observe(smallParams());
    const done = reportRun(o.machine, o.result, o.sampler!.series, 'done');
    const stuck = { ...done, title: 'stuck', result: { ...o.result, verdict: 'LIVELOCK' as const, time_to_livelock_ns: 4e9, sim_time_ns: 134e9 } };
    const { page, errors } = await renderedPage(browser, 'axis', [done, stuck]);
    const range = (): Promise<string | null> => page.evaluate(() => document.documentElement.getAttribute('data-x-range'));
    assert.equal(await range(), '0-34');
    await page.click('button[data-x="all"]');
    assert.equal(await range(), '0-134');
    await page.click('button[data-x="focus"]');
    assert.equal(await range(), '0-34');
    // Every chart follows: the axis is each chart's own scale, not just a page attribute.
    const charts = (): Promise<(string | null)[]> => page.evaluate(() => [...document.querySelectorAll('.chart')].map((c) => c.getAttribute('data-x-range')));
    assert.ok((await charts()).every((r) => r === '0-34'), JSON.stringify(await charts()));
    // A drag on one chart zooms every chart to the same window.
    const box = await dragZoom(page, 0.25, 0.5);
    const zoomed = await charts();
    assert.notEqual(zoomed[0], '0-34', 'the drag zoomed');
    assert.ok(zoomed.every((r) => r === zoomed[0]), JSON.stringify(zoomed));
    assert.equal(await range(), zoomed[0]);
    // A double-click resets every chart to the whole of its data.
    await page.mouse.dblclick(box.x + box.width * 0.5, box.y + box.height / 2);
    const reset = await charts();
    assert.notEqual(reset[0], zoomed[0]);
    assert.ok(reset.every((r) => r === reset[0]), JSON.stringify(reset));
    assert.deepEqual(errors, []);
    await page.close();
  });
});

test('html report in headless Chromium: a scenario named <script> shows as text and runs nothing (library render)', async (t) => {
  await withChromium(t, async (browser) => {
    const evil = '<script>alert(1)</script>';
    const o = observe(smallParams({ name: evil }));
    const html = renderHtml({ title: `run ${evil}`, subtitle: evil, runs: [reportRun(o.machine, o.result, o.sampler!.series, `${evil} <img src=x onerror=alert(2)>`)] }, uplotAssets());
    const dir = mkdtempSync(join(tmpdir(), 'reclaimsim-chromium-'));
    const file = join(dir, 'evil.html');
    writeFileSync(file, html);
    const c = await openReport(browser, file, join(dir, 'evil.png'));
    assert.deepEqual(c.dialogs, []);
    assert.deepEqual(c.errors, []);
    assert.deepEqual(c.requests, []);
    assert.equal(c.title, `run ${evil}`);
    assert.deepEqual(c.headings, [`${evil} <img src=x onerror=alert(2)>`]);
    assert.equal(c.canvases.length, 6);
  });
});

test('html report in headless Chromium: a squeeze is shaded on every chart of its run, and only there (library render)', async (t) => {
  await withChromium(t, async (browser) => {
    const o = observe(smallParams());
    const plain = reportRun(o.machine, { ...o.result, squeezes: [] }, o.sampler!.series, 'plain');
    const q = { start_ns: 1e9, end_ns: 2e9, deepest_pages: -10, commands_completed: 0, commands_dispatched: 0, free_list_uses: 0, sense_failures: 0, prep_defers: 0, prep_defers_idle: 0, swap_writes_completed: 0, device_busy_start: 0, device_busy_end: 0, writeback_start: 0, writeback_end: 0 };
    const shaded = { ...plain, title: 'shaded', result: { ...o.result, squeezes: [q], figures: { ...o.result.figures, squeezes: 1, squeezed_ns: 1e9 } } };
    const { page, errors } = await renderedPage(browser, 'squeeze', [plain, shaded]);
    // Chart i of the plain run against chart i of the shaded one: same data, so every pixel that
    // differs is the band's, and it is reddish (the band is a translucent red).
    const pixelDiffs = () => page.evaluate(() => {
      const canvases = [...document.querySelectorAll<HTMLCanvasElement>('.uplot canvas')];
      const half = canvases.length / 2;
      const out: { differing: number; reddish: number }[] = [];
      for (let i = 0; i < half; i++) {
        const a = canvases[i]!, b = canvases[half + i]!;
        const da = a.getContext('2d')!.getImageData(0, 0, a.width, a.height).data;
        const db = b.getContext('2d')!.getImageData(0, 0, b.width, b.height).data;
        let differing = 0, reddish = 0;
        for (let p = 0; p < Math.min(da.length, db.length); p += 4) {
          if (da[p] !== db[p] || da[p + 1] !== db[p + 1] || da[p + 2] !== db[p + 2] || da[p + 3] !== db[p + 3]) {
            differing++;
            if (db[p]! >= db[p + 1]! && db[p]! >= db[p + 2]!) reddish++;
          }
        }
        out.push({ differing, reddish });
      }
      return out;
    });
    const diffs = await pixelDiffs();
    assert.equal(diffs.length, 6, JSON.stringify(diffs));
    for (const d of diffs) {
      assert.ok(d.differing > 500, `a band is drawn: ${JSON.stringify(d)}`);
      assert.ok(d.reddish >= d.differing * 0.9, `and it is red: ${JSON.stringify(d)}`);
    }
    // Zoomed to a window after the squeeze (1-2 s of the run), no chart shows any of it: a squeeze
    // outside the window is not drawn at the window's edge.
    await dragZoom(page, 0.8, 0.97);
    const lo = Number((await page.evaluate(() => document.documentElement.getAttribute('data-x-range')))!.split('-')[0]);
    assert.ok(lo > 2, `the window starts after the squeeze ends (at ${lo} s)`);
    assert.deepEqual((await pixelDiffs()).map((d) => d.differing), [0, 0, 0, 0, 0, 0]);
    assert.deepEqual(errors, []);
    await page.close();
  });
});

test('html report in headless Chromium: no table spills out of its run card; wide ones scroll inside it (library render)', async (t) => {
  await withChromium(t, async (browser) => {
    const o = observe(smallParams());
    const q = { start_ns: 1e9, end_ns: 2e9, deepest_pages: -1234, commands_completed: 12345, commands_dispatched: 12345, free_list_uses: 1234, sense_failures: 12345, prep_defers: 12345, prep_defers_idle: 12345, swap_writes_completed: 123456, device_busy_start: 31, device_busy_end: 31, writeback_start: 12345, writeback_end: 12345 };
    const run = reportRun(o.machine, { ...o.result, squeezes: [q], figures: { ...o.result.figures, squeezes: 1, squeezed_ns: 1e9 } }, o.sampler!.series, 'wide');
    const { page, errors } = await renderedPage(browser, 'wide', [run, { ...run, title: 'second' }]);
    // Each table's visible box: its own, or that of the nearest scrolling ancestor inside the card.
    const spills = await page.evaluate(() => {
      const out: string[] = [];
      for (const card of document.querySelectorAll<HTMLElement>('.run')) {
        const right = card.getBoundingClientRect().right;
        for (const table of card.querySelectorAll<HTMLElement>('table')) {
          let box: HTMLElement = table;
          for (let e = table.parentElement; e !== null && e !== card; e = e.parentElement) {
            if (/(auto|scroll)/.test(getComputedStyle(e).overflowX)) {
              box = e;
              break;
            }
          }
          const r = box.getBoundingClientRect().right;
          if (r > right + 1) out.push(`${table.className || 'table'}: right edge ${Math.round(r)} past the card's ${Math.round(right)}`);
        }
      }
      return out;
    });
    assert.deepEqual(spills, []);
    const squeezeTables = await page.evaluate(() => document.querySelectorAll('.run .wide > table.squeezes').length);
    assert.equal(squeezeTables, 2, 'each squeeze table sits in its scrolling box');
    assert.deepEqual(errors, []);
    await page.close();
  });
});

/** The small run twice: as it is, and with every count tripled (same times). */
function tripled(): ReturnType<typeof reportRun>[] {
  const o = observe(smallParams());
  const a = reportRun(o.machine, o.result, o.sampler!.series, 'a');
  const s = o.sampler!.series;
  return [a, { ...a, title: 'b (x3)', series: { ...s, rows: s.rows.map((r) => r.map((v, i) => (i === 0 ? v : v * 3))) } }];
}

test('html report in headless Chromium: columns share each chart\'s y scale by default; the checkbox gives each its own and back, live (library render)', async (t) => {
  await withChromium(t, async (browser) => {
    const { page, errors } = await renderedPage(browser, 'yscale', tripled());
    const ids = ['free', 'writeback', 'slab', 'progress', 'mempool', 'device'];
    // [chart id, column 0's y min, max, column 1's y min, max], from each chart's data attributes.
    type Ranges = [string, number, number, number, number][];
    const ranges = (): Promise<Ranges> =>
      page.evaluate((list) => {
        const y = (ri: number, id: string, k: string): number => Number(document.getElementById(`chart-${ri}-${id}`)!.getAttribute(`data-y-${k}`));
        return list.map((id) => [id, y(0, id, 'min'), y(0, id, 'max'), y(1, id, 'min'), y(1, id, 'max')] as [string, number, number, number, number]);
      }, ids);
    const dataMax = await page.evaluate(() => {
      const d = JSON.parse(document.getElementById('report-data')!.textContent!) as { runs: { cols: Record<string, number[]> }[] };
      return d.runs.map((r) => Math.max(...r.cols['nr_writeback']!));
    });
    assert.equal(dataMax[1], 3 * dataMax[0]!);
    assert.ok(dataMax[0]! > 0, 'the short run has pages under writeback');
    const sameInBoth = (r: Ranges): boolean => r.every(([, a0, a1, b0, b1]) => a0 === b0 && a1 === b1);
    // Shared by default: every chart has the same y range in both columns, covering b's data.
    assert.equal(await page.evaluate(() => document.documentElement.getAttribute('data-y-scales')), 'shared');
    const shared = await ranges();
    assert.ok(sameInBoth(shared), JSON.stringify(shared));
    const wb = shared.find((r) => r[0] === 'writeback')!;
    assert.ok(wb[2] >= dataMax[1]!, `shared writeback range ${wb[2]} covers b's ${dataMax[1]}`);
    // Both free-pages charts are clipped at b's clip, and say so.
    const titles = (): Promise<string[]> => page.evaluate(() => [0, 1].map((ri) => document.querySelector(`#chart-${ri}-free .u-title`)!.textContent!));
    const clips = await page.evaluate(() => (JSON.parse(document.getElementById('report-data')!.textContent!) as { runs: { charts: { yMax?: number }[] }[] }).runs.map((r) => r.charts[0]!.yMax!));
    assert.equal(shared[0]![2], clips[1]);
    assert.ok((await titles()).every((x) => x.endsWith(`(y clipped at ${clips[1]} pages)`)), JSON.stringify(await titles()));

    // Unticked: each column its own scale, at once, on every chart with data.
    await page.locator('#y-shared').scrollIntoViewIfNeeded();
    await page.uncheck('#y-shared');
    await page.waitForFunction(() => {
      const m = (ri: number): string | null => document.getElementById(`chart-${ri}-writeback`)!.getAttribute('data-y-max');
      return document.documentElement.getAttribute('data-y-scales') === 'column' && m(0) !== m(1);
    });
    const own = await ranges();
    for (const id of ids) {
      const [, , a1, , b1] = own.find((r) => r[0] === id)!;
      assert.ok(a1 < b1, `${id}: column a's y max ${a1} is below b's ${b1}`);
    }
    const wbOwn = own.find((r) => r[0] === 'writeback')!;
    assert.ok(wbOwn[2] >= dataMax[0]! && wbOwn[2] < dataMax[1]!, `a's own writeback range fits a's data: ${JSON.stringify(wbOwn)}`);
    assert.equal(own[0]![2], clips[0]);
    assert.deepEqual(await titles(), clips.map((c) => `Free pages per zone against min/low/high and the GFP_ATOMIC line, with lowmem_reserve (y clipped at ${c} pages)`));

    // Ticked again: shared again, the same ranges as before.
    await page.check('#y-shared');
    await page.waitForFunction(() => {
      const m = (ri: number): string | null => document.getElementById(`chart-${ri}-writeback`)!.getAttribute('data-y-max');
      return document.documentElement.getAttribute('data-y-scales') === 'shared' && m(0) === m(1);
    });
    assert.deepEqual(await ranges(), shared);

    // A zoom still moves every chart's time axis, and the shared y ranges follow the window.
    const xs = (): Promise<(string | null)[]> => page.evaluate(() => [...document.querySelectorAll('.chart')].map((c) => c.getAttribute('data-x-range')));
    const before = await xs();
    await dragZoom(page, 0.1, 0.4, '#chart-0-writeback .u-over');
    assert.notDeepEqual(await xs(), before);
    const zoomed = await xs();
    assert.ok(zoomed.every((r) => r === zoomed[0]), JSON.stringify(zoomed));
    assert.ok(sameInBoth(await ranges()), JSON.stringify(await ranges()));
    assert.deepEqual(errors, []);
    await page.close();
  });
});

test('html report in headless Chromium: every legend swatch is a line with its series\' colour, width and dash (library render)', async (t) => {
  await withChromium(t, async (browser) => {
    const { page, errors } = await renderedPage(browser, 'legend', tripled());
    const found = await page.evaluate(() => {
      const d = JSON.parse(document.getElementById('report-data')!.textContent!) as { runs: { charts: { id: string; series: [string, string, string, number[], number][] }[] }[] };
      const out: { chart: string; label: string; want: [string, number, string]; got: [string, number, string]; text: string; css: string }[] = [];
      d.runs.forEach((run, ri) => {
        for (const c of run.charts) {
          const swatches = [...document.querySelectorAll(`#chart-${ri}-${c.id} .u-legend tr.u-series`)].slice(1);
          c.series.forEach((s, i) => {
            const row = swatches[i];
            const line = row?.querySelector('.u-marker svg line');
            out.push({
              chart: `${ri}-${c.id}`,
              label: s[0],
              want: [s[2], s[4], s[3].length > 0 ? s[3].map((v) => `${v}px`).join(', ') : 'none'],
              got: line ? [line.getAttribute('stroke') ?? '', Number(line.getAttribute('stroke-width')), getComputedStyle(line).strokeDasharray] : ['', 0, ''],
              text: row?.querySelector('.u-label')?.textContent ?? '',
              css: line ? `${line.getBoundingClientRect().width}x${getComputedStyle(line.parentElement!).display}` : '',
            });
          });
        }
      });
      return out;
    });
    assert.equal(found.length, 2 * (10 + 1 + 4 + 2 + 3 + 4));
    for (const f of found) {
      assert.equal(f.text, f.label, `${f.chart}: legend rows in series order`);
      assert.deepEqual(f.got, f.want, `${f.chart} ${f.label}`);
      assert.equal(f.css, '28xblock', `${f.chart} ${f.label}: the swatch is drawn, 28 px long`);
    }
    assert.ok(found.filter((f) => f.want[2] !== 'none').length >= 20, 'most series are dashed or dotted');
    assert.deepEqual(errors, []);
    await page.close();
  });
});

test('html report in headless Chromium: a y axis with longer tick labels is wider, so its title stays clear of them (library render)', async (t) => {
  await withChromium(t, async (browser) => {
    const o = observe(smallParams());
    const { page, errors } = await renderedPage(browser, 'axes', [reportRun(o.machine, o.result, o.sampler!.series, 'small')]);
    // Each chart's second axis is its y axis (uPlot sizes it by its width).
    const widths = await page.evaluate(() => Object.fromEntries([...document.querySelectorAll('.chart')].map((c) => [c.id.replace(/^chart-\d+-/, ''), parseFloat(c.querySelectorAll<HTMLElement>('.u-axis')[1]!.style.width)])));
    // Tens of thousands of pages copied ("30,000") against a handful of mempool elements.
    assert.equal(widths['mempool'], 56, JSON.stringify(widths));
    assert.ok(widths['progress']! >= 64, JSON.stringify(widths));
    assert.deepEqual(errors, []);
    await page.close();
  });
});
