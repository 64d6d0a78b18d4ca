/**
 * zone->pages_scanned and ZONE_ALL_UNRECLAIMABLE as 2.6.25 keeps them: reclaim adds what it
 * isolates, a free to the buddy lists clears both, kswapd marks a zone once it has scanned six
 * times its LRU pages, and direct reclaim that finds every zone marked returns 0, so
 * __alloc_pages takes the OOM path.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Kernel } from '../../src/kernel/kernel.js';
import { PageAllocator } from '../../src/mm/page_alloc.js';
import { GFP_KERNEL } from '../../src/include/gfp.js';
import { runScenario } from '../../src/scenario/run.js';
import { DEFAULT_PARAMS, type RunParams } from '../../src/scenario/params.js';
import { InvariantChecker } from '../../src/check/invariants.js';

const MiB = 1024 * 1024;

function allocator(): { k: Kernel; pa: PageAllocator } {
  const k = new Kernel({ hz: 1000, cpus: 1, seed: 1 });
  return { k, pa: new PageAllocator(k, { ram_bytes: 256 * MiB }) };
}

test('all_unreclaimable: freeing a higher-order block to the buddy lists clears the flag and pages_scanned (free_one_page)', () => {
  const { pa } = allocator();
  const pfn = pa.alloc_pages_nosleep(GFP_KERNEL, 1);
  assert.ok(pfn >= 0);
  const z = pa.page_zone(pfn);
  z.pages_scanned = 500;
  z.all_unreclaimable = true;
  pa.__free_pages(pfn, 1);
  assert.equal(z.pages_scanned, 0);
  assert.equal(z.all_unreclaimable, false);
});

test('all_unreclaimable: order-0 frees go to the per-CPU list and clear nothing until a batch goes back to the buddy lists (free_pages_bulk)', () => {
  const { pa } = allocator();
  const pfns: number[] = [];
  for (let i = 0; i < 400; i++) pfns.push(pa.alloc_pages_nosleep(GFP_KERNEL, 0));
  const z = pa.page_zone(pfns[0]!);
  const pcp = z.pcp[0]!;
  z.pages_scanned = 500;
  z.all_unreclaimable = true;
  let i = 0;
  // Free until the list is one short of `high`: nothing leaves it yet.
  while (pcp.count < pcp.high - 1) pa.__free_pages(pfns[i++]!, 0);
  assert.equal(z.pages_scanned, 500);
  assert.equal(z.all_unreclaimable, true);
  pa.__free_pages(pfns[i++]!, 0);
  assert.equal(z.pages_scanned, 0, 'the batch returned to the buddy lists');
  assert.equal(z.all_unreclaimable, false);
});

/** 96 MiB of tmpfs on 64 MiB of RAM with 40 MiB of swap: the data cannot fit anywhere. */
const FULL: RunParams = { ...DEFAULT_PARAMS, ram_bytes: 64 * MiB, tree_bytes: 48 * MiB, copies: 2, swap_bytes: 40 * MiB, profile: '2.6.25' };

test('all_unreclaimable: with memory and swap full, kswapd marks the zones, direct reclaim returns 0 and the OOM path runs (and kills nothing)', () => {
  const { result, machine: m } = runScenario(FULL, { check: 'cheap' });
  new InvariantChecker(m, 'full').check();
  assert.equal(result.verdict, 'LIVELOCK', result.reason);
  assert.ok((m.k.marks.get('zone_all_unreclaimable') ?? 0) > 0, 'kswapd marked a zone');
  assert.ok(m.vm.events.reclaim_all_unreclaimable > 0, 'direct reclaim found every zone marked');
  assert.ok((m.k.marks.get('out_of_memory') ?? 0) > 0, '__alloc_pages went on to out_of_memory');
  assert.ok(m.pa.zones.some((z) => z.present_pages > 0 && z.all_unreclaimable), 'a zone is still marked at the end: nothing was freed');
  assert.match(result.reason, new RegExp(`direct reclaim found every zone all_unreclaimable ${m.vm.events.reclaim_all_unreclaimable} times, and 2\\.6\\.25 would call the OOM killer here`));
});

test('all_unreclaimable: a run that swaps without filling swap never marks a zone', () => {
  const { result, machine: m } = runScenario({ ...FULL, swap_bytes: 256 * MiB });
  assert.equal(result.verdict, 'COMPLETED', result.reason);
  assert.equal(m.k.marks.get('zone_all_unreclaimable') ?? 0, 0);
  assert.equal(m.vm.events.reclaim_all_unreclaimable, 0);
});
