import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Kernel } from '../../src/kernel/kernel.js';
import { GFP_KERNEL, ALLOC_WMARK_MIN } from '../../src/include/gfp.js';
import { PageAllocator, NR_FREE_PAGES, ZONE_DMA, ZONE_DMA32 } from '../../src/mm/page_alloc.js';
import { calculate_threshold, setup_vmstat } from '../../src/mm/vmstat.js';
import { DEFAULT_PARAMS, type RunParams } from '../../src/scenario/params.js';
import { runScenario } from '../../src/scenario/run.js';
import { InvariantChecker } from '../../src/check/invariants.js';
import { formatZoneinfo } from '../../src/report/proc.js';

const GiB = 1024 * 1024 * 1024;
const MiB = 1024 * 1024;
/** Pages in 128 MiB: calculate_threshold's unit. */
const U = (128 * MiB) / 4096;

test('calculate_threshold: the sample thresholds listed in mm/vmstat.c', () => {
  // [threshold, cpus, zone pages]: one zone size inside each listed range.
  const rows: [number, number, number][] = [
    [8, 1, 7 * U + 100], // 1 CPU, 0.9-1 GB
    [16, 2, 7 * U + 100],
    [20, 2, 12 * U], // 1-2 GB
    [24, 2, 24 * U], // 2-4 GB
    [28, 2, 48 * U], // 4-8 GB
    [32, 2, 96 * U], // 8-16 GB
    [4, 2, U - 1], // < 128 MB
    [30, 4, 12 * U], // the table's 4-CPU "2-4 GB" row has fls(mem+1) = 5, a zone of 1-2 GB
    [48, 4, 96 * U],
    [125, 1024, 96 * U], // capped
  ];
  for (const [want, cpus, pages] of rows) assert.equal(calculate_threshold(pages, cpus), want, `${cpus} CPUs, ${pages} pages`);
});

function machine(cpus: number): { k: Kernel; pa: PageAllocator } {
  const k = new Kernel({ hz: 1000, cpus, seed: 1 });
  const pa = new PageAllocator(k, { ram_bytes: 2 * GiB });
  return { k, pa };
}

test('per-CPU deltas: a CPU\'s allocations reach the zone counter only past stat_threshold, and refresh_cpu_vm_stats folds the rest', () => {
  const { k, pa } = machine(2);
  const z = pa.zones[ZONE_DMA32]!;
  const before = z.vm_stat[NR_FREE_PAGES]!;
  const exact = (): number => pa.zone_free_pages_exact(z);
  assert.equal(exact(), before, 'at boot the counters are exact');
  setup_vmstat(k, pa, false);
  assert.equal(z.stat_threshold, calculate_threshold(z.present_pages, 2));
  assert.equal(z.stat_threshold, 20, 'a zone of 1-2 GiB on 2 CPUs');
  assert.equal(pa.zones[ZONE_DMA]!.stat_threshold, 4);
  // One page on CPU 1: rmqueue_bulk moves a batch (31 pages) from the buddy lists, page by page:
  // the delta passes 20 at the 21st page and folds -21, the last 10 stay in CPU 1's delta.
  const batch = z.pcp[1]!.batch;
  assert.equal(batch, 31);
  let pfn = -1;
  k.inInterrupt(1, () => {
    pfn = pa.alloc_pages_nosleep(GFP_KERNEL, 0);
  });
  assert.ok(pfn >= 0);
  assert.equal(z.free_diff[1], -(batch - 21));
  assert.equal(z.vm_stat[NR_FREE_PAGES], before - 21, 'the zone counter lags the buddy lists');
  assert.equal(exact(), before - batch, 'buddy lists less the batch');
  pa.check_conservation();
  // Freed again on CPU 0 it goes to CPU 0's per-CPU list: NR_FREE_PAGES does not change.
  k.inInterrupt(0, () => pa.__free_pages(pfn, 0));
  assert.equal(exact(), before - batch);
  // vmstat_update on CPU 1 folds its delta; CPU 0 has none.
  pa.refresh_cpu_vm_stats(1);
  assert.equal(z.free_diff[1], 0);
  assert.equal(z.vm_stat[NR_FREE_PAGES], before - batch);
  pa.check_conservation();
});

test('per-CPU deltas: zone_watermark_ok reads the zone counter without the deltas, and a counter taken negative reads as 0', () => {
  const { k, pa } = machine(2);
  const z = pa.zones[ZONE_DMA32]!;
  setup_vmstat(k, pa, false);
  const free = z.vm_stat[NR_FREE_PAGES]!;
  // A mark just under the counter passes; a delta the zone counter does not see changes nothing.
  assert.ok(pa.zone_watermark_ok(z, 0, free - 2, ZONE_DMA32, ALLOC_WMARK_MIN));
  z.free_diff[0] = -z.stat_threshold; // as if CPU 0 had taken 20 pages not yet folded
  assert.ok(pa.zone_watermark_ok(z, 0, free - 2, ZONE_DMA32, ALLOC_WMARK_MIN));
  z.free_diff[0] = 0;
  // zone_page_state reads a counter the deltas took negative as 0 (CONFIG_SMP). With a mark below
  // zero (no caller passes one; it tells the two readings apart) the clamped 0 passes, -5 would not.
  z.vm_stat[NR_FREE_PAGES] = -5;
  assert.equal(pa.zone_watermark_ok(z, 0, -3, ZONE_DMA32, 0), true);
  assert.equal(pa.zone_watermark_ok(z, 0, 0, ZONE_DMA32, 0), false);
});

test('vmstat_update: each CPU folds its deltas every HZ jiffies, CPU n first at HZ + n jiffies', () => {
  const { k, pa } = machine(2);
  const z = pa.zones[ZONE_DMA32]!;
  setup_vmstat(k, pa, false);
  z.free_diff[0] = 7;
  z.free_diff[1] = -3;
  const base = z.vm_stat[NR_FREE_PAGES]!;
  k.sim.run({ untilNs: 999_999_999 });
  assert.equal(z.vm_stat[NR_FREE_PAGES], base, 'nothing folded before 1 s');
  k.sim.run({ untilNs: 1_000_000_000 });
  assert.deepEqual([z.free_diff[0], z.free_diff[1]], [0, -3], 'CPU 0 at jiffy 1000');
  assert.equal(z.vm_stat[NR_FREE_PAGES], base + 7);
  k.sim.run({ untilNs: 1_001_000_000 });
  assert.equal(z.free_diff[1], 0, 'CPU 1 at jiffy 1001');
  assert.equal(z.vm_stat[NR_FREE_PAGES], base + 4);
  z.free_diff[0] = 2;
  k.sim.run({ untilNs: 1_999_999_999 });
  assert.equal(z.free_diff[0], 2);
  k.sim.run({ untilNs: 2_000_000_000 });
  assert.equal(z.free_diff[0], 0, 'again one HZ later');
});

function flagship(extra: Partial<RunParams>): ReturnType<typeof runScenario> {
  const out = runScenario({ ...DEFAULT_PARAMS, seed: 1, ...extra }, { check: 'cheap' });
  // Page conservation counts the CPUs' deltas in (check_conservation), with everything else.
  new InvariantChecker(out.machine, 'full').check();
  return out;
}

test('machine.vmstat per_cpu: rc8 still latches with the signature, the fix still finishes, and the deltas never pass the threshold', () => {
  const rc8 = flagship({ profile: '2.6.25-rc8', vmstat_per_cpu: true });
  assert.equal(rc8.result.verdict, 'LIVELOCK', rc8.result.reason);
  assert.equal(rc8.result.writeback_pages_stuck, 95);
  assert.equal(rc8.result.free_list_uses, 0);
  for (const z of rc8.machine.pa.zones) {
    if (!z.populated) continue;
    assert.ok(z.stat_threshold > 0, `${z.name} has a threshold`);
    for (const d of z.free_diff) assert.ok(Math.abs(d) <= z.stat_threshold, `${z.name}: delta ${d} within ${z.stat_threshold}`);
  }
  // /proc/zoneinfo shows each CPU's threshold, as 2.6.25 prints it after the CPU's pageset.
  const zi = formatZoneinfo(rc8.machine);
  assert.match(zi, /zone {4}DMA32[\s\S]*cpu: 1\n {14}count: \d+\n {14}high: {2}\d+\n {14}batch: 31\n {2}vm stats threshold: 24\n/);
  const fix = flagship({ profile: '2.6.25', vmstat_per_cpu: true });
  assert.equal(fix.result.verdict, 'COMPLETED', fix.result.reason);
  assert.ok(fix.result.free_list_uses > 0);
  // The default is exact: no thresholds, and another run.
  const exact = flagship({ profile: '2.6.25' });
  assert.ok(exact.machine.pa.zones.every((z) => z.stat_threshold === 0));
  assert.match(formatZoneinfo(exact.machine), /vm stats threshold: 0\n/);
  assert.notEqual(exact.result.trace_hash, fix.result.trace_hash);
});

test('run --set machine.vmstat=per_cpu: the first line says the counters have per-CPU deltas', () => {
  const bin = fileURLToPath(new URL('../../../bin/reclaimsim.js', import.meta.url));
  const r = spawnSync(process.execPath, [bin, 'run', 'small-box', '--set', 'machine.vmstat=per_cpu', '--set', 'checks.time_limit=100ms'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout.split('\n')[0]!, /, per-CPU vmstat deltas$/);
  const plain = spawnSync(process.execPath, [bin, 'run', 'small-box', '--set', 'checks.time_limit=100ms'], { encoding: 'utf8' });
  assert.doesNotMatch(plain.stdout.split('\n')[0]!, /vmstat/);
});
