import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Kernel, timer_list } from '../../src/kernel/kernel.js';
import { PF_MEMALLOC } from '../../src/kernel/task.js';
import { SimulatorError } from '../../src/sim/assert.js';
import * as sched from '../../src/kernel/sched.js';
const { run_nosleep } = sched;
import {
  ALLOC_HARDER, ALLOC_HIGH, ALLOC_WMARK_MIN, GFP_ATOMIC, GFP_KERNEL, GFP_NOIO, __GFP_NOMEMALLOC, __GFP_NORETRY, __GFP_NOWARN, __GFP_COMP, __GFP_DMA,
} from '../../src/include/gfp.js';
import { NR_PAGE_USES, PAGE_USE_FREE, PAGE_USE_OTHER, PG_dirty, PG_writeback } from '../../src/include/page-flags.js';
import { PageAllocator, zone_batchsize, calc_min_free_kbytes, int_sqrt, NR_FREE_PAGES, vmstat_text, NR_VM_EVENT_ITEMS, NR_VM_ZONE_STAT_ITEMS, PGALLOC, PGFREE, ZONE_DMA32 } from '../../src/mm/page_alloc.js';
import { drain } from './helpers.js';

const GiB = 1024 * 1024 * 1024;

function pa(ram: number, layout: 'flat' | 'realistic' = 'realistic', cpus = 1, pcp = true): { k: Kernel; pa: PageAllocator } {
  const k = new Kernel({ hz: 250, cpus, seed: 1 });
  return { k, pa: new PageAllocator(k, { ram_bytes: ram, layout, pcp }) };
}

test('min_free_kbytes: reference arithmetic on whole RAM (512 MiB, 1, 2, 4, 16 GiB)', () => {
  const want: [number, number][] = [[0.5, 2896], [1, 4096], [2, 5792], [4, 8192], [16, 16384]];
  for (const [gib, kb] of want) assert.equal(calc_min_free_kbytes(gib * 1024 * 1024), kb, `${gib} GiB`);
  assert.equal(calc_min_free_kbytes(100), 128);
  assert.equal(calc_min_free_kbytes(1e12), 65536);
  assert.equal(int_sqrt(16777216), 4096);
  assert.equal(int_sqrt(16777215), 4095);
});

test('watermarks: flat layout reproduces the whole-RAM numbers (512 MiB .. 16 GiB)', () => {
  // [GiB, min_free_kbytes, [present, min, low, high] per populated zone]
  const cases: [number, number, number[][]][] = [
    [0.5, 2896, [[4096, 22, 27, 33], [126976, 701, 876, 1051]]],
    [1, 4096, [[4096, 16, 20, 24], [258048, 1008, 1260, 1512]]],
    [2, 5792, [[4096, 11, 13, 16], [520192, 1436, 1795, 2154]]],
    [4, 8192, [[4096, 8, 10, 12], [1044480, 2040, 2550, 3060]]],
    [16, 16384, [[4096, 4, 5, 6], [1044480, 1020, 1275, 1530], [3145728, 3072, 3840, 4608]]],
  ];
  for (const [gib, mfk, zones] of cases) {
    const { pa: p } = pa(gib * GiB, 'flat');
    assert.equal(p.min_free_kbytes, mfk, `${gib} GiB min_free_kbytes`);
    const got = p.zones.filter((z) => z.populated).map((z) => [z.present_pages, z.pages_min, z.pages_low, z.pages_high]);
    assert.deepEqual(got, zones, `${gib} GiB zones`);
    p.check_conservation();
  }
});

test('lowmem_reserve: ratios 256/256/32 (16 GiB flat)', () => {
  const { pa: p } = pa(16 * GiB, 'flat');
  const [dma, dma32] = p.zones;
  assert.deepEqual(Array.from(dma!.lowmem_reserve), [0, 1044480 / 256, Math.floor((1044480 + 3145728) / 256), Math.floor((1044480 + 3145728) / 256)]);
  assert.deepEqual(Array.from(dma32!.lowmem_reserve), [0, 0, 3145728 / 256, 3145728 / 256]);
});

test('zones: realistic 1 GiB layout (holes, mem_map, dma_reserve)', () => {
  const { pa: p } = pa(GiB);
  const [dma, dma32, normal] = p.zones;
  assert.equal(dma!.present_pages, 2523); // 4096 - 97 hole - 56 mem_map - 1420 reserved
  assert.equal(dma32!.present_pages, 258048 - 3528);
  assert.equal(normal!.present_pages, 0);
  assert.equal(p.min_free_kbytes, int_sqrt((2523 + 254520) * 4 * 16));
  assert.equal(p.nr_free_pages, 2523 + 254520);
  p.check_conservation();
});

test('zones: realistic 4 GiB layout puts 512 MiB above 4 GiB (PCI hole)', () => {
  const { pa: p } = pa(4 * GiB);
  assert.equal(p.zones[2]!.spanned_pages, 131072);
  assert.equal(p.zones[1]!.absent_pages, (1 << 20) - 0xe0000);
  p.check_conservation();
});

test('zone_watermark_ok: effective order-0 thresholds per caller kind (pages_min 1000)', () => {
  const { pa: p } = pa(GiB, 'flat');
  const z = p.zones[ZONE_DMA32]!;
  const m = 1000;
  assert.equal(p.effective_min(z, m, ALLOC_WMARK_MIN), 1000); // GFP_KERNEL / GFP_NOIO second pass
  assert.equal(p.effective_min(z, m, p.second_pass_flags(0x11200)), 750); // mempool's first try: HARDER only
  assert.equal(p.effective_min(z, m, p.second_pass_flags(GFP_ATOMIC)), 375); // HIGH + HARDER
  assert.equal(p.second_pass_flags(GFP_ATOMIC), ALLOC_WMARK_MIN | ALLOC_HARDER | ALLOC_HIGH);
  // zone_watermark_ok agrees with the threshold: ok iff free - 1 + 1 > 375.
  z.vm_stat[NR_FREE_PAGES] = 376;
  assert.equal(p.zone_watermark_ok(z, 0, m, ZONE_DMA32, ALLOC_HIGH | ALLOC_HARDER), true);
  z.vm_stat[NR_FREE_PAGES] = 375;
  assert.equal(p.zone_watermark_ok(z, 0, m, ZONE_DMA32, ALLOC_HIGH | ALLOC_HARDER), false);
  // lowmem_reserve adds to the threshold for a higher classzone.
  const dma = p.zones[0]!;
  assert.equal(p.effective_min(dma, 16, ALLOC_WMARK_MIN, ZONE_DMA32), 16 + 1008);
});

test('zone_watermark_ok: the higher-order loop discounts lower-order free pages (order 2)', () => {
  const { pa: p } = pa(GiB, 'flat');
  const z = p.zones[ZONE_DMA32]!;
  const saved = NR_FREE_PAGES;
  // All free memory in order-0 and order-1 blocks means an order-2 check fails even with a low mark.
  z.vm_stat[saved] = 1000;
  z.nr_free.fill(0);
  z.nr_free[0] = 600;
  z.nr_free[1] = 200;
  assert.equal(p.zone_watermark_ok(z, 2, 100, ZONE_DMA32, 0), false);
  z.nr_free[1] = 0;
  z.nr_free[0] = 0;
  assert.equal(p.zone_watermark_ok(z, 2, 100, ZONE_DMA32, 0), true);
});

test('buddy: split and merge restore the free lists (order 0..3 allocations, no pcp lists)', () => {
  const { pa: p } = pa(128 * 1024 * 1024, 'flat', 1, false);
  const before = Array.from(p.zones[ZONE_DMA32]!.nr_free);
  const pfns: [number, number][] = [];
  for (const o of [0, 3, 1, 0, 2]) {
    const pfn = p.alloc_pages_nosleep(GFP_ATOMIC | (o ? __GFP_COMP : 0), o);
    assert.ok(pfn >= 0 && pfn % (1 << o) === 0, `order ${o} aligned`);
    pfns.push([pfn, o]);
  }
  assert.equal(p.vm_events[PGALLOC + ZONE_DMA32], 1 + 8 + 2 + 1 + 4);
  p.check_conservation();
  for (const [pfn, o] of pfns.reverse()) p.__free_pages(pfn, o);
  assert.deepEqual(Array.from(p.zones[ZONE_DMA32]!.nr_free), before);
  assert.equal(p.vm_events[PGFREE], 16);
  p.check_conservation();
});

test('page_alloc: free_pages_check clears PG_dirty silently; PG_writeback is bad_page (a simulator assertion)', () => {
  const { pa: p } = pa(128 * 1024 * 1024, 'flat');
  const dirty = p.alloc_pages_nosleep(GFP_KERNEL, 0);
  p.page_flags[dirty] = 1 << PG_dirty;
  p.__free_pages(dirty, 0);
  assert.equal(p.page_flags[dirty], 0);
  const wb = p.alloc_pages_nosleep(GFP_KERNEL, 0);
  p.page_flags[wb] = 1 << PG_writeback;
  assert.throws(() => p.__free_pages(wb, 0), SimulatorError);
});

test('page_alloc: freeing a free page or with the wrong order is a simulator assertion', () => {
  const { pa: p } = pa(128 * 1024 * 1024, 'flat');
  const pfn = p.alloc_pages_nosleep(GFP_KERNEL, 1);
  assert.throws(() => p.__free_pages(pfn, 0), SimulatorError);
  p.__free_pages(pfn, 1);
  assert.throws(() => p.__free_pages(pfn, 1), SimulatorError);
});

test('__GFP_DMA: allocations come from ZONE_DMA only', () => {
  const { pa: p } = pa(GiB);
  for (let i = 0; i < 10; i++) assert.ok(p.alloc_pages_nosleep(GFP_KERNEL | __GFP_DMA, 0) < 4096);
});

test('vmstat: 2.6.25 names, zone items then events', () => {
  assert.equal(vmstat_text.length, NR_VM_ZONE_STAT_ITEMS + NR_VM_EVENT_ITEMS);
  assert.equal(vmstat_text[0], 'nr_free_pages');
  assert.equal(vmstat_text[13], 'nr_vmscan_write');
  assert.equal(vmstat_text[14 + PGALLOC + 1], 'pgalloc_dma32');
  assert.equal(vmstat_text.at(-1), 'pgrotated');
  assert.equal(vmstat_text.at(-2), 'allocstall');
});

test('__alloc_pages: GFP_ATOMIC below 0.375*min fails, prints the report and records it', () => {
  const { k, pa: p } = pa(GiB, 'flat');
  drain(p, 0);
  const t = k.kthread_run('kblockd/0', 0, 0, function* () {});
  k.current = t;
  t.enter('scsi_request_fn');
  assert.equal(p.alloc_pages_nosleep(GFP_ATOMIC, 0), -1);
  assert.equal(p.alloc_failure_reports, 1);
  assert.equal(p.marks.atomic_failure, 1);
  const text = k.log.lines.map((l) => l.text);
  assert.equal(text[0], 'kblockd/0: page allocation failure. order:0, mode:0x20');
  assert.ok(text.includes(' [<sim>] scsi_request_fn'));
  assert.ok(text.some((l) => /^Node 0 DMA32 free:0kB min:4032kB low:5040kB high:6048kB/.test(l)));
  assert.deepEqual(p.failures[0]!.frames, ['__alloc_pages', 'scsi_request_fn']);
});

test('__alloc_pages: failure reports: burst of 10, then at most one per 5 s; none with __GFP_NOWARN', () => {
  const { k, pa: p } = pa(GiB, 'flat');
  drain(p, 0);
  const seen: number[] = [];
  k.kthread_run('kblockd/0', 0, 0, function* () {
    for (let i = 0; i < 30; i++) {
      assert.equal(p.alloc_pages_nosleep(GFP_ATOMIC | __GFP_NOWARN, 0), -1);
      assert.equal(p.alloc_pages_nosleep(GFP_ATOMIC, 0), -1);
      seen.push(p.alloc_failure_reports);
      // 1 s between bursts.
      yield* (function* () {
        const { schedule_timeout_uninterruptible } = sched;
        yield* schedule_timeout_uninterruptible(k, k.HZ);
      })();
    }
  });
  k.sim.run({ untilNs: 40e9 });
  assert.equal(p.alloc_failures, 60);
  // One failure per second: the full bucket (50 s of tokens, 5 s per message, 1 s back per second)
  // lets the first 12 through, then exactly one every 5 s.
  assert.deepEqual(seen.slice(0, 12), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
  assert.deepEqual(seen.slice(12), [12, 12, 12, 13, 13, 13, 13, 13, 14, 14, 14, 14, 14, 15, 15, 15, 15, 15]);
  // __GFP_NOWARN failures never consult the rate limit.
  assert.equal(k.log.ratelimitAllowed + k.log.ratelimitSuppressed, 30);
});


test('__alloc_pages: failure records keep every reported failure once silent ones reach max_failure_records', () => {
  const { k, pa: p } = pa(GiB, 'flat');
  drain(p, 0);
  p.max_failure_records = 3;
  const t = k.kthread_run('kblockd/0', 0, 0, function* () {});
  k.current = t;
  // Five silent failures fill the record budget for silent ones...
  for (let i = 0; i < 5; i++) assert.equal(p.alloc_pages_nosleep(GFP_ATOMIC | __GFP_NOWARN, 0), -1);
  // ...and the reported failures after them are still kept (the report and the chart marks use them).
  for (let i = 0; i < 4; i++) assert.equal(p.alloc_pages_nosleep(GFP_ATOMIC, 0), -1);
  assert.equal(p.alloc_failures, 9);
  assert.equal(p.alloc_failure_reports, 4);
  assert.deepEqual(p.failures.map((f) => f.reported), [false, false, false, true, true, true, true]);
});

test('__alloc_pages: PF_MEMALLOC without NOMEMALLOC uses NO_WATERMARKS; with it fails silently (mempool mask, no pcp lists)', () => {
  const { k, pa: p } = pa(GiB, 'flat', 1, false);
  drain(p, 500);
  let got = -2;
  let got2 = -2;
  k.kthread_run('reclaimer', 0, PF_MEMALLOC, function* () {
    got = yield* p.__alloc_pages(GFP_NOIO, 0);
    got2 = yield* p.__alloc_pages(GFP_NOIO | __GFP_NOMEMALLOC | __GFP_NORETRY | __GFP_NOWARN, 0);
  });
  k.sim.run({ untilNs: 1e9 });
  assert.ok(got >= 0);
  assert.equal(got2, -1);
  assert.equal(p.marks.no_watermarks_alloc, 1);
  assert.equal(p.marks.memalloc_nomemalloc_failure, 1);
  assert.equal(p.alloc_failure_reports, 0);
});

test('__alloc_pages: GFP_KERNEL enters direct reclaim through the hook and retries', () => {
  const { k, pa: p } = pa(GiB, 'flat');
  const taken = drain(p, 0);
  let calls = 0;
  let kswapd = 0;
  p.hooks = {
    wakeup_kswapd: () => kswapd++,
    *try_to_free_pages(_zl, _order, gfp) {
      calls++;
      assert.ok(k.current.flags & PF_MEMALLOC);
      assert.equal(gfp, GFP_KERNEL);
      for (let i = 0; i < 2000; i++) p.__free_pages(taken.pop()!, 0);
      return 2000;
    },
    *out_of_memory() {},
    swap_cache_info: () => null,
  };
  let got = -2;
  k.kthread_run('cp', 0, 0, function* () {
    got = yield* p.__alloc_pages(GFP_KERNEL, 0);
  });
  k.sim.run({ untilNs: 1e9 });
  assert.ok(got >= 0);
  assert.equal(calls, 1);
  assert.ok(kswapd >= 1);
  assert.equal(k.tasks[0]!.flags & PF_MEMALLOC, 0);
});

test('alloc_pages_nosleep: WAIT without PF_MEMALLOC fails where reclaim would start (slab_would_reclaim)', () => {
  const { pa: p } = pa(GiB, 'flat');
  drain(p, 0);
  assert.equal(p.alloc_pages_nosleep(GFP_NOIO, 0), -1);
  assert.equal(p.marks.slab_would_reclaim, 1);
  assert.equal(p.alloc_failures, 0);
});

test('property: random page alloc/free keeps page conservation (fast-check)', () => {
  fc.assert(
    fc.property(fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 4 }), fc.nat(1000)), { maxLength: 300 }), (ops) => {
      const { pa: p } = pa(64 * 1024 * 1024, 'realistic');
      const live: [number, number][] = [];
      const total = p.totalram_pages;
      for (const [alloc, order, pick] of ops) {
        if (alloc || live.length === 0) {
          const pfn = p.alloc_pages_nosleep(GFP_ATOMIC | __GFP_COMP, order);
          if (pfn >= 0) {
            for (const [q, o] of live) assert.ok(pfn + (1 << order) <= q || q + (1 << o) <= pfn, 'overlap');
            live.push([pfn, order]);
          }
        } else {
          const [pfn, o] = live.splice(pick % live.length, 1)[0]!;
          p.__free_pages(pfn, o);
        }
        p.check_conservation();
        const used = live.reduce((a, [, o]) => a + (1 << o), 0);
        assert.equal(p.nr_pages_by_use[PAGE_USE_FREE]! + p.nr_pages_by_use[PAGE_USE_OTHER]!, total);
        assert.equal(p.nr_pages_by_use[PAGE_USE_OTHER], used);
      }
      assert.equal(NR_PAGE_USES, 7);
    }),
    { seed: 42, numRuns: 60 },
  );
});

test('run_nosleep: an atomic mempool-style path completes without sleeping', () => {
  assert.equal(run_nosleep((function* () { return 5; })()), 5);
});

test('pcp: zone_batchsize and setup_pageset as 2.6.25 computes them (1 GiB DMA32: batch 31, high 186; small DMA: high 0, batch 1)', () => {
  assert.equal(zone_batchsize(258_000), 31);
  // A small zone rounds to batch 0: setup_pageset then uses high 0 and batch 1.
  assert.equal(zone_batchsize(2_000), 0);
  const { pa: p } = pa(GiB, 'flat');
  const z = p.zones[ZONE_DMA32]!;
  assert.equal(z.pcp[0]!.batch, 31);
  assert.equal(z.pcp[0]!.high, 186);
  const dma = p.zones[0]!.pcp[0]!;
  assert.equal(dma.high, 0);
  assert.equal(dma.batch, 1);
});

test('pcp: a refill moves a whole batch although the watermark was checked for one page (GFP_ATOMIC overshoot)', () => {
  const { pa: p } = pa(GiB, 'flat');
  const z = p.zones[ZONE_DMA32]!;
  const line = p.effective_min(z, z.pages_min, ALLOC_WMARK_MIN | ALLOC_HIGH | ALLOC_HARDER);
  // Take pages until the pcp list is empty with fewer than a batch of pages above the line.
  const held: number[] = [];
  for (let i = 0; i < 1_000_000; i++) {
    const room = z.vm_stat[NR_FREE_PAGES]! - line;
    if (z.pcp[0]!.count === 0 && room > 0 && room < 31) break;
    const pfn = p.alloc_pages_nosleep(GFP_ATOMIC, 0);
    assert.ok(pfn >= 0, 'allocations above the line succeed');
    held.push(pfn);
  }
  const before = z.vm_stat[NR_FREE_PAGES]!;
  assert.ok(before > line, 'the check still passes');
  held.push(p.alloc_pages_nosleep(GFP_ATOMIC, 0));
  assert.equal(z.vm_stat[NR_FREE_PAGES], before - 31, 'rmqueue_bulk took a batch');
  assert.ok(z.vm_stat[NR_FREE_PAGES]! < line, 'NR_FREE_PAGES is now below the GFP_ATOMIC line');
  assert.equal(z.pcp[0]!.count, 30);
  p.check_conservation();
});

test('pcp: frees go to the CPU list; past high a batch returns to the buddy lists', () => {
  const { pa: p } = pa(GiB, 'flat');
  const z = p.zones[ZONE_DMA32]!;
  const pcp = z.pcp[0]!;
  const pages: number[] = [];
  for (let i = 0; i < 400; i++) pages.push(p.alloc_pages_nosleep(GFP_KERNEL, 0));
  const free0 = z.vm_stat[NR_FREE_PAGES]!;
  const c0 = pcp.count;
  for (let i = 0; i < pcp.high - c0 - 1; i++) p.__free_pages(pages.pop()!, 0);
  assert.equal(pcp.count, pcp.high - 1);
  assert.equal(z.vm_stat[NR_FREE_PAGES], free0, 'pages on the pcp list are not in NR_FREE_PAGES');
  p.__free_pages(pages.pop()!, 0);
  assert.equal(pcp.count, pcp.high - pcp.batch);
  assert.equal(z.vm_stat[NR_FREE_PAGES], free0 + pcp.batch);
  p.check_conservation();
});

test('page_alloc: a failure in interrupt context while a task runs names that task, and its call trace shows the interrupt above an <EOI> mark (as an x86_64 dump_stack does), then the task\'s own frames', () => {
  const k = new Kernel({ hz: 1000, cpus: 1, seed: 1 });
  const p = new PageAllocator(k, { ram_bytes: 256 * 1024 * 1024 });
  drain(p, 0);
  const timer = new timer_list(k, () => {
    k.current.enter('blk_unplug_timeout');
    assert.equal(p.alloc_pages_nosleep(GFP_ATOMIC, 0), -1);
    k.current.leave();
  });
  k.mod_timer(timer, 1);
  const cp = k.kthread_run('cp', 0, 0, function* () {
    k.current.enter('shrink_page_list');
    yield* sched.run_for_ns(k, 2_000_000);
    k.current.leave();
  });
  k.sim.run();
  const report = k.log.lines.map((l) => l.text).join('\n').split('\n');
  assert.equal(report[0], 'cp: page allocation failure. order:0, mode:0x20');
  assert.equal(report[1], `Pid: ${cp.pid}, comm: cp Not tainted 2.6.25 #1`);
  const trace = report.slice(report.indexOf('Call Trace:') + 1, report.indexOf('Call Trace:') + 11);
  assert.deepEqual(trace, [' [<sim>] __alloc_pages', ' [<sim>] blk_unplug_timeout', ' [<sim>] run_timer_softirq', ' [<sim>] __do_softirq', ' [<sim>] do_softirq', ' [<sim>] irq_exit', ' [<sim>] smp_apic_timer_interrupt', ' <EOI>', ' [<sim>] shrink_page_list', 'Mem-info:']);
});
