import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Kernel } from '../../src/kernel/kernel.js';
import { MetricsSampler, column, type MetricsView } from '../../src/check/metrics.js';
import { metricsCsv, metricsJson } from '../../src/report/metrics.js';
import { observe, smallParams } from './helpers.js';

test('metrics sampler: observing does not change the run (short run: the whole result, trace hash and log)', () => {
  const p = smallParams();
  const plain = observe(p, false);
  const seen = observe(p, true);
  assert.ok(seen.sampler!.events > 10, 'the sampler ran');
  // Sampler events are observer events: the result, event count and trace hash are the same.
  assert.equal(JSON.stringify(seen.result), JSON.stringify(plain.result));
  assert.equal(seen.machine.k.sim.observerEvents, seen.sampler!.events);
  assert.deepEqual(seen.machine.k.log.lines, plain.machine.k.log.lines);
});

test('metrics sampler: one row per interval, time ascending, watermarks and counters as the machine has them (100 ms)', () => {
  const p = smallParams();
  const { result, machine, sampler } = observe(p);
  const s = sampler!.series;
  const t = s.rows.map((r) => r[0]!);
  assert.equal(t[0], 0);
  for (let i = 1; i < t.length - 1; i++) assert.equal(t[i]! - t[i - 1]!, p.metrics_interval_ns);
  assert.equal(t[t.length - 1], result.sim_time_ns);
  const last = s.rows[s.rows.length - 1]!;
  const z = machine.pa.zones[1]!;
  assert.equal(last[column(s, 'min_DMA32')], z.pages_min);
  assert.equal(last[column(s, 'high_DMA32')], z.pages_high);
  assert.equal(last[column(s, 'pswpout')], result.pswpout);
  assert.equal(last[column(s, 'pages_copied')], result.pages_copied);
  assert.equal(s.sense_cache, 'shared with bio');
  assert.ok(Math.max(...s.rows.map((r) => r[column(s, 'bio_objs')]!)) > 100, 'bios show up in kmalloc-128');
});

test('metrics sampler: decimation keeps at most maxRows rows, evenly spaced (maxRows 16, 1 ms interval)', () => {
  const p = smallParams({ metrics_interval_ns: 1_000_000 });
  const { sampler } = observe(p, true, 16);
  const s = sampler!.series;
  assert.ok(s.decimations > 0);
  const rows = s.rows.slice(0, -1); // the last row is the verdict sample
  assert.ok(s.rows.length <= 17, `${s.rows.length} rows`);
  for (let i = 1; i < rows.length; i++) assert.equal(rows[i]![0]! - rows[i - 1]![0]!, p.metrics_interval_ns * s.stride);
});

test('metrics sampler: never keeps an otherwise empty event queue alive (model event at 1 s, 100 ms interval)', () => {
  const k = new Kernel({ hz: 100, cpus: 1, seed: 1 });
  const zone = { populated: true, idx: 0, name: 'DMA', vm_stat: new Float64Array(14), pages_min: 1, pages_low: 2, pages_high: 3 };
  const s = { name: 'kmalloc-128', objects_in_use: 0, nr_slabs: 0, objects: 32 };
  const view = {
    k,
    pa: { zones: [zone], nr_free_pages: 0, vm_stat: new Float64Array(14), vm_events: new Float64Array(36), alloc_failures: 0, alloc_failure_reports: 0, zonelist_for: () => [0], gfp_atomic_line: () => 1 },
    vm: { events: {} },
    q: { rq: { count: [0, 0] }, in_flight: 0 },
    shost: { free_list: [1] },
    sdev: { device_busy: 0, stat: { defers: 0 } },
    caches: { bio: { s, inuse: 0 }, sense: { s, inuse: 0 } },
    pools: { bio: { curr_nr: 2, min_nr: 2, wait: { waiters: 0 } } },
    workload: { pages_copied: 0 },
  } as unknown as MetricsView;
  const sampler = new MetricsSampler(view, { intervalNs: 100_000_000 });
  k.sim.at(1_000_000_000, k.sim.register('model', () => {}), 0);
  assert.equal(k.sim.run(), 'empty');
  assert.equal(k.now, 1_000_000_000);
  assert.deepEqual(sampler.series.rows.map((r) => r[0]! / 1e8), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
});

test('metrics CSV/JSON: header then one line per row; JSON carries columns and run fields (short run)', () => {
  const { sampler } = observe(smallParams());
  const s = sampler!.series;
  const csv = metricsCsv(s).trimEnd().split('\n');
  assert.equal(csv[0], s.columns.join(','));
  assert.equal(csv.length, s.rows.length + 1);
  for (const l of csv.slice(1)) assert.equal(l.split(',').length, s.columns.length);
  const j = JSON.parse(metricsJson(s, { seed: 1 })) as { seed: number; columns: string[]; rows: number[][] };
  assert.equal(j.seed, 1);
  assert.deepEqual(j.columns, s.columns);
  assert.equal(j.rows.length, s.rows.length);
});

test('metrics: each zone has its GFP_ATOMIC line with lowmem_reserve, as the timeline draws it (short run)', async () => {
  const { watchedZones } = await import('../../src/scenario/timeline.js');
  const { sampler, machine } = observe(smallParams());
  const cols = sampler!.series.columns;
  for (const { zi, levels } of watchedZones(machine)) {
    const z = machine.pa.zones[zi]!;
    const i = cols.indexOf(`atomic_${z.name}`);
    assert.ok(i > 0, `atomic_${z.name} column`);
    // The timeline's third level is the same line.
    for (const row of sampler!.series.rows) assert.equal(row[i], levels[2]);
  }
});
