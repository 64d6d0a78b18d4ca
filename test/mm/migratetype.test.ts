import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SimulatorError } from '../../src/sim/assert.js';
import fc from 'fast-check';
import { Kernel } from '../../src/kernel/kernel.js';
import { ALLOC_NO_WATERMARKS, GFP_ATOMIC, GFP_HIGHUSER_MOVABLE, GFP_KERNEL, GFP_TEMPORARY, __GFP_COLD, __GFP_COMP } from '../../src/include/gfp.js';
import {
  MAX_ORDER,
  MIGRATE_MOVABLE,
  MIGRATE_RECLAIMABLE,
  MIGRATE_RESERVE,
  MIGRATE_TYPES,
  MIGRATE_UNMOVABLE,
  NR_FREE_PAGES,
  PageAllocator,
  ZONE_DMA,
  ZONE_DMA32,
  allocflags_to_migratetype,
  fallbacks,
  pageblock_nr_pages,
  pageblock_order,
  type zone,
  per_cpu_pages,
} from '../../src/mm/page_alloc.js';

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

function pa(ram: number, layout: 'flat' | 'realistic' = 'realistic', pcp = true, mobility_grouping = true): PageAllocator {
  const k = new Kernel({ hz: 250, cpus: 1, seed: 1 });
  return new PageAllocator(k, { ram_bytes: ram, layout, pcp, mobility_grouping });
}

/** Free pages on one migrate type's lists of a zone. */
function freeOfType(p: PageAllocator, z: zone, mt: number): number {
  let n = 0;
  for (let o = 0; o < MAX_ORDER; o++) n += p.nr_free_by_type(z, o)[mt]! << o;
  return n;
}

const blockOf = (pfn: number): number => pfn & ~(pageblock_nr_pages - 1);

test('migratetype: 2.6.25 constants (MIGRATE_TYPES 5 with ISOLATE, pageblock_order 9, the fallbacks table)', () => {
  assert.equal(MIGRATE_TYPES, 5);
  assert.equal(pageblock_order, 9);
  assert.equal(pageblock_nr_pages * MIGRATE_TYPES, 2560, 'grouping is disabled below 10 MiB of pages');
  assert.deepEqual(fallbacks[MIGRATE_UNMOVABLE]!.slice(0, 3), [MIGRATE_RECLAIMABLE, MIGRATE_MOVABLE, MIGRATE_RESERVE]);
  assert.deepEqual(fallbacks[MIGRATE_RECLAIMABLE]!.slice(0, 3), [MIGRATE_UNMOVABLE, MIGRATE_MOVABLE, MIGRATE_RESERVE]);
  assert.deepEqual(fallbacks[MIGRATE_MOVABLE]!.slice(0, 3), [MIGRATE_RECLAIMABLE, MIGRATE_UNMOVABLE, MIGRATE_RESERVE]);
  assert.equal(allocflags_to_migratetype(GFP_ATOMIC), MIGRATE_UNMOVABLE);
  assert.equal(allocflags_to_migratetype(GFP_KERNEL), MIGRATE_UNMOVABLE);
  assert.equal(allocflags_to_migratetype(GFP_TEMPORARY), MIGRATE_RECLAIMABLE);
  assert.equal(allocflags_to_migratetype(GFP_HIGHUSER_MOVABLE), MIGRATE_MOVABLE);
  assert.equal(allocflags_to_migratetype(GFP_HIGHUSER_MOVABLE, true), MIGRATE_UNMOVABLE);
});

test('migratetype: after boot every pageblock is MOVABLE except ceil(pages_min/512) RESERVE blocks per zone (realistic 1 GiB)', () => {
  const p = pa(GiB);
  assert.equal(p.page_group_by_mobility_disabled, false);
  const dma = p.zones[ZONE_DMA]!;
  const dma32 = p.zones[ZONE_DMA32]!;
  // ZONE_DMA: pfn 0 is free RAM, so block 0 is the reserve; the others stay MOVABLE.
  assert.ok(dma.pages_min > 0 && dma.pages_min <= 512);
  assert.deepEqual(p.pageblocks_by_type(dma), [0, 0, 7, 1, 0]);
  assert.equal(p.get_pageblock_migratetype(0), MIGRATE_RESERVE);
  // ZONE_DMA32: mem_map occupies pfn 4096-7623, so the blocks starting there are skipped
  // (PageReserved) and the reserve starts at the first block whose first page is free (7680).
  const want = Math.ceil(dma32.pages_min / pageblock_nr_pages);
  assert.equal(want, 2);
  const byType = p.pageblocks_by_type(dma32);
  assert.equal(byType[MIGRATE_RESERVE], want);
  assert.equal(byType[MIGRATE_MOVABLE], dma32.spanned_pages / pageblock_nr_pages - want);
  assert.equal(p.get_pageblock_migratetype(7168), MIGRATE_MOVABLE);
  assert.equal(p.get_pageblock_migratetype(7680), MIGRATE_RESERVE);
  assert.equal(p.get_pageblock_migratetype(8192), MIGRATE_RESERVE);
  assert.equal(p.get_pageblock_migratetype(8704), MIGRATE_MOVABLE);
  // Free pages: only on MOVABLE and RESERVE lists. move_freepages_block moved the whole order-10
  // block at 8192, whose upper half lies in the MOVABLE block at 8704 (the kernel does the same).
  assert.equal(freeOfType(p, dma32, MIGRATE_RESERVE), 512 + 1024);
  assert.equal(freeOfType(p, dma32, MIGRATE_MOVABLE) + freeOfType(p, dma32, MIGRATE_RESERVE), dma32.vm_stat[NR_FREE_PAGES]);
  assert.equal(freeOfType(p, dma32, MIGRATE_UNMOVABLE) + freeOfType(p, dma32, MIGRATE_RECLAIMABLE), 0);
  p.check_free_lists();
  p.check_conservation();
});

test('migratetype: the MIGRATE_RESERVE count follows pages_min (several sizes; min_free_kbytes up and down)', () => {
  for (const ram of [64 * MiB, 256 * MiB, GiB, 4 * GiB]) {
    const p = pa(ram);
    for (const z of p.zones) {
      if (!z.populated) continue;
      assert.equal(p.pageblocks_by_type(z)[MIGRATE_RESERVE], Math.ceil(z.pages_min / pageblock_nr_pages), `${ram / MiB} MiB ${z.name}`);
    }
    p.check_free_lists();
  }
  const p = pa(GiB);
  const z = p.zones[ZONE_DMA32]!;
  const mfk = p.min_free_kbytes;
  p.min_free_kbytes = 16384; // pages_min about 4000 pages in DMA32: 8 blocks
  p.setup_per_zone_pages_min();
  assert.equal(p.pageblocks_by_type(z)[MIGRATE_RESERVE], Math.ceil(z.pages_min / pageblock_nr_pages));
  assert.ok(Math.ceil(z.pages_min / pageblock_nr_pages) >= 7);
  p.check_free_lists();
  p.min_free_kbytes = mfk; // back: the extra blocks are taken back to MOVABLE with their free pages
  p.setup_per_zone_pages_min();
  assert.equal(p.pageblocks_by_type(z)[MIGRATE_RESERVE], 2);
  assert.ok(freeOfType(p, z, MIGRATE_RESERVE) <= 3 * pageblock_nr_pages);
  p.check_free_lists();
  p.check_conservation();
});

test('migratetype: mobility_grouping false (page_group_by_mobility_disabled) puts everything on the UNMOVABLE lists', () => {
  const p = pa(256 * MiB, 'realistic', true, false);
  assert.equal(p.page_group_by_mobility_disabled, true);
  const z = p.zones[ZONE_DMA32]!;
  assert.equal(freeOfType(p, z, MIGRATE_UNMOVABLE), z.vm_stat[NR_FREE_PAGES]);
  const pfn = p.alloc_pages_nosleep(GFP_HIGHUSER_MOVABLE, 0);
  p.__free_pages(pfn, 0);
  assert.equal(z.pcp[0]!.head_type(), MIGRATE_UNMOVABLE);
  assert.equal(p.fallback_allocs, 0);
  p.check_free_lists();
});

test('__rmqueue_fallback: UNMOVABLE steals a whole MOVABLE pageblock from the largest block, then uses its own lists', () => {
  const p = pa(128 * MiB, 'flat', false);
  const z = p.zones[ZONE_DMA32]!;
  const a = p.alloc_pages_nosleep(GFP_KERNEL, 0);
  assert.equal(p.fallback_allocs, 1);
  // An order-10 MOVABLE block was split: its first pageblock (1024 pages moved >= 256) is now
  // UNMOVABLE; the second keeps its type although its free order-9 half went to the UNMOVABLE list.
  assert.equal(a % 1024, 0);
  assert.equal(p.get_pageblock_migratetype(a), MIGRATE_UNMOVABLE);
  assert.equal(p.get_pageblock_migratetype(a + 512), MIGRATE_MOVABLE);
  assert.equal(freeOfType(p, z, MIGRATE_UNMOVABLE), 1023);
  const b = p.alloc_pages_nosleep(GFP_KERNEL, 0);
  assert.equal(b, a + 1, 'second allocation from the UNMOVABLE lists (expand left a+1 at the head)');
  assert.equal(p.fallback_allocs, 1);
  // RECLAIMABLE: the fallback walks orders from the largest down and the types at each order, so
  // it takes a fresh order-10 MOVABLE block rather than the order-9 UNMOVABLE remainder at a+512.
  const c = p.alloc_pages_nosleep(GFP_TEMPORARY & ~0x10, 0); // RECLAIMABLE without WAIT
  assert.equal(c % 1024, 0);
  assert.notEqual(c, a);
  assert.equal(p.fallback_allocs, 2);
  assert.equal(p.get_pageblock_migratetype(c), MIGRATE_RECLAIMABLE);
  assert.equal(p.get_pageblock_migratetype(c + 512), MIGRATE_MOVABLE);
  assert.equal(p.get_pageblock_migratetype(a + 512), MIGRATE_MOVABLE);
  assert.equal(freeOfType(p, z, MIGRATE_RECLAIMABLE), 1023);
  // MOVABLE requests never touch the others while MOVABLE blocks remain.
  const d = p.alloc_pages_nosleep(GFP_HIGHUSER_MOVABLE, 0);
  assert.equal(p.get_pageblock_migratetype(d), MIGRATE_MOVABLE);
  assert.equal(p.fallback_allocs, 2);
  // Freed pages go to the lists of their pageblock's type: a and b merge back into the order-10
  // block, listed as UNMOVABLE (the type of a's pageblock) although its upper half is MOVABLE.
  p.__free_pages(b, 0);
  p.__free_pages(a, 0);
  assert.equal(freeOfType(p, z, MIGRATE_UNMOVABLE), 1024);
  assert.equal(p.nr_free_by_type(z, 10)[MIGRATE_UNMOVABLE], 1);
  p.check_free_lists();
  p.check_conservation();
});

test('__rmqueue_fallback: small blocks are taken without changing the pageblock; RECLAIMABLE claims a block only when >= 256 pages move; RESERVE is last', () => {
  const p = pa(128 * MiB, 'flat', false);
  const z = p.zones[ZONE_DMA32]!;
  const zl = [ZONE_DMA32];
  const reserveFree = freeOfType(p, z, MIGRATE_RESERVE);
  assert.ok(reserveFree > 0);
  const total = z.vm_stat[NR_FREE_PAGES]!;
  // Take every non-reserve page as MOVABLE: the reserve is untouched until then.
  const held: number[] = [];
  for (let i = 0; i < total - reserveFree; i++) held.push(p.get_page_from_freelist(GFP_HIGHUSER_MOVABLE, 0, zl, ALLOC_NO_WATERMARKS));
  assert.ok(held.every((x) => x >= 0));
  assert.equal(freeOfType(p, z, MIGRATE_RESERVE), reserveFree);
  assert.equal(z.vm_stat[NR_FREE_PAGES], reserveFree);
  const r = p.get_page_from_freelist(GFP_HIGHUSER_MOVABLE, 0, zl, ALLOC_NO_WATERMARKS);
  assert.ok(r >= 0 && freeOfType(p, z, MIGRATE_RESERVE) === reserveFree - 1, 'then MIGRATE_RESERVE rather than fail');
  held.push(r);
  while (z.vm_stat[NR_FREE_PAGES]! > 0) held.push(p.get_page_from_freelist(GFP_HIGHUSER_MOVABLE, 0, zl, ALLOC_NO_WATERMARKS));
  assert.equal(p.get_page_from_freelist(GFP_HIGHUSER_MOVABLE, 0, zl, ALLOC_NO_WATERMARKS), -1);
  const movable = held.filter((x) => p.get_pageblock_migratetype(x) === MIGRATE_MOVABLE && x > 20000);
  // One free MOVABLE page: an UNMOVABLE order-0 fallback below order 4 takes it, block unchanged.
  const one = movable[0]!;
  p.__free_pages(one, 0);
  const fb = p.fallback_allocs;
  assert.equal(p.get_page_from_freelist(GFP_KERNEL, 0, zl, ALLOC_NO_WATERMARKS), one);
  assert.equal(p.fallback_allocs, fb + 1);
  assert.equal(p.get_pageblock_migratetype(one), MIGRATE_MOVABLE);
  // RECLAIMABLE moves the free pages of the block it falls back into, but claims it only if >= 256 moved.
  p.__free_pages(one, 0);
  assert.equal(p.get_page_from_freelist(GFP_TEMPORARY, 0, zl, ALLOC_NO_WATERMARKS), one);
  assert.equal(p.get_pageblock_migratetype(one), MIGRATE_MOVABLE);
  const block = blockOf(one);
  const inBlock = held.filter((x) => blockOf(x) === block && x !== one).slice(0, 300);
  assert.equal(inBlock.length, 300);
  for (const x of inBlock) p.__free_pages(x, 0);
  assert.equal(freeOfType(p, z, MIGRATE_MOVABLE), 300);
  assert.ok(p.get_page_from_freelist(GFP_TEMPORARY, 0, zl, ALLOC_NO_WATERMARKS) >= 0);
  assert.equal(p.get_pageblock_migratetype(block), MIGRATE_RECLAIMABLE);
  assert.equal(freeOfType(p, z, MIGRATE_RECLAIMABLE), 299);
  assert.equal(freeOfType(p, z, MIGRATE_MOVABLE), 0);
  p.check_free_lists();
  p.check_conservation();
});

test('pcp: a refill puts the batch in physical order at the head (hot allocations ascend)', () => {
  const p = pa(GiB, 'flat');
  const a = p.alloc_pages_nosleep(GFP_HIGHUSER_MOVABLE, 0);
  const b = p.alloc_pages_nosleep(GFP_HIGHUSER_MOVABLE, 0);
  const c = p.alloc_pages_nosleep(GFP_HIGHUSER_MOVABLE, 0);
  assert.deepEqual([b - a, c - a], [1, 2]);
  const pcp = p.zones[ZONE_DMA32]!.pcp[0]!;
  assert.equal(pcp.count, 28);
  // __GFP_COLD searches from the tail: the last page of the batch.
  assert.equal(p.alloc_pages_nosleep(GFP_HIGHUSER_MOVABLE | __GFP_COLD, 0), a + 30);
});

test('pcp: an UNMOVABLE GFP_ATOMIC request on a CPU list holding only MOVABLE pages refills a batch; a MOVABLE one does not', () => {
  const p = pa(GiB, 'flat');
  const z = p.zones[ZONE_DMA32]!;
  const pcp = z.pcp[0]!;
  // tmpfs-like pages: allocated MOVABLE, freed back to this CPU's list (tagged with their pageblock's type).
  const pages: number[] = [];
  for (let i = 0; i < 100; i++) pages.push(p.alloc_pages_nosleep(GFP_HIGHUSER_MOVABLE, 0));
  for (const x of pages) p.__free_pages(x, 0);
  assert.ok(pcp.count > 0);
  for (const [, mt] of pcp.entries()) assert.equal(mt, MIGRATE_MOVABLE);
  const count0 = pcp.count;
  const free0 = z.vm_stat[NR_FREE_PAGES]!;
  const refills0 = p.pcp_type_refills;

  const atomic = p.alloc_pages_nosleep(GFP_ATOMIC, 0);
  assert.ok(atomic >= 0);
  assert.equal(z.vm_stat[NR_FREE_PAGES], free0 - pcp.batch, 'rmqueue_bulk took a whole batch although the list was not empty');
  assert.equal(pcp.count, count0 + pcp.batch - 1);
  assert.equal(p.pcp_type_refills, refills0 + 1);
  // The new batch (an UNMOVABLE pageblock stolen from MOVABLE) sits at the head, tagged UNMOVABLE.
  assert.equal(p.get_pageblock_migratetype(atomic), MIGRATE_UNMOVABLE);
  assert.equal(pcp.head_type(), MIGRATE_UNMOVABLE);
  // The next UNMOVABLE request finds one of those: no refill.
  p.alloc_pages_nosleep(GFP_ATOMIC, 0);
  assert.equal(z.vm_stat[NR_FREE_PAGES], free0 - pcp.batch);
  assert.equal(p.pcp_type_refills, refills0 + 1);

  // A MOVABLE request skips the UNMOVABLE pages at the head and takes a MOVABLE one: no refill.
  const count1 = pcp.count;
  const mov = p.alloc_pages_nosleep(GFP_HIGHUSER_MOVABLE, 0);
  assert.ok(pages.includes(mov), 'a page freed earlier');
  assert.equal(z.vm_stat[NR_FREE_PAGES], free0 - pcp.batch);
  assert.equal(pcp.count, count1 - 1);
  assert.equal(p.pcp_type_refills, refills0 + 1);
  p.check_free_lists();
  p.check_conservation();
});

test('pcp: when the type refill finds nothing in the buddy lists, the head page is taken whatever its type', () => {
  const p = pa(128 * MiB, 'flat');
  const z = p.zones[ZONE_DMA32]!;
  const zl = [ZONE_DMA32];
  const held: number[] = [];
  for (;;) {
    const x = p.get_page_from_freelist(GFP_HIGHUSER_MOVABLE, 0, zl, ALLOC_NO_WATERMARKS);
    if (x < 0) break;
    held.push(x);
  }
  assert.equal(z.vm_stat[NR_FREE_PAGES], 0);
  assert.equal(z.pcp[0]!.count, 0);
  const movable = held.filter((x) => p.get_pageblock_migratetype(x) === MIGRATE_MOVABLE);
  const freed = movable.slice(0, 5);
  for (const x of freed) p.__free_pages(x, 0);
  assert.equal(p.get_page_from_freelist(GFP_ATOMIC, 0, zl, ALLOC_NO_WATERMARKS), freed[4]);
  assert.equal(z.pcp[0]!.count, 4);
  p.check_conservation();
});

test('property: mixed-type alloc/free with pcp lists keeps the free lists and page conservation (fast-check)', () => {
  const gfps = [GFP_ATOMIC, GFP_KERNEL, GFP_TEMPORARY, GFP_HIGHUSER_MOVABLE];
  fc.assert(
    fc.property(fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 3 }), fc.nat(1000)), { maxLength: 400 }), (ops) => {
      const p = pa(64 * MiB, 'realistic');
      const zl = [ZONE_DMA32, ZONE_DMA];
      const live: [number, number][] = [];
      for (const [alloc, order, t, pick] of ops) {
        if (alloc || live.length === 0) {
          const o = order === 3 ? 0 : order;
          const pfn = p.get_page_from_freelist(gfps[t]! | (o ? __GFP_COMP : 0), o, zl, ALLOC_NO_WATERMARKS);
          if (pfn >= 0) {
            for (const [q, qo] of live) assert.ok(pfn + (1 << o) <= q || q + (1 << qo) <= pfn, 'overlap');
            live.push([pfn, o]);
          }
        } else {
          const [pfn, o] = live.splice(pick % live.length, 1)[0]!;
          p.__free_pages(pfn, o);
        }
      }
      p.check_free_lists();
      p.check_conservation();
    }),
    { seed: 7, numRuns: 40 },
  );
});

test('pcp nr_mt: a request whose type the list lacks refills, and a miscount is caught by check_conservation', () => {
  const p = pa(GiB, 'flat');
  const z = p.zones[ZONE_DMA32]!;
  const pcp = z.pcp[0]!;
  const a = p.alloc_pages_nosleep(GFP_HIGHUSER_MOVABLE, 0);
  assert.ok(a >= 0 && pcp.count > 0);
  assert.equal(pcp.nr_mt[MIGRATE_MOVABLE], pcp.count, 'one movable batch, less the page taken');
  assert.equal(pcp.nr_mt[MIGRATE_UNMOVABLE], 0);
  const before = p.pcp_type_refills;
  const b = p.alloc_pages_nosleep(GFP_KERNEL, 0);
  assert.ok(b >= 0);
  assert.equal(p.pcp_type_refills, before + 1, 'no unmovable page on the list: a type refill');
  assert.equal(pcp.nr_mt[MIGRATE_UNMOVABLE], pcp.batch - 1);
  p.__free_pages(a, 0);
  p.__free_pages(b, 0);
  p.check_conservation();
  pcp.nr_mt[MIGRATE_MOVABLE]!++;
  assert.throws(() => p.check_conservation(), /per-CPU list DMA32\/0: \d+ pages by type, count says \d+/);
});

test('property: per_cpu_pages gives the pages a plain head-to-tail list gives, operation by operation (fast-check)', () => {
  // The reference is the kernel's one list, as an array from head (index 0) to tail, with a walk for
  // each typed take. per_cpu_pages keeps one ring per type instead; it must agree on every page.
  const op = fc.oneof(
    fc.record({ k: fc.constant('free' as const), mt: fc.integer({ min: 0, max: 2 }) }),
    fc.record({ k: fc.constant('coldfree' as const), mt: fc.integer({ min: 0, max: 2 }) }),
    fc.record({ k: fc.constant('bulk' as const), mt: fc.integer({ min: 0, max: 2 }), n: fc.integer({ min: 0, max: 7 }) }),
    fc.record({ k: fc.constant('hot' as const), mt: fc.integer({ min: 0, max: 2 }) }),
    fc.record({ k: fc.constant('cold' as const), mt: fc.integer({ min: 0, max: 2 }) }),
    fc.record({ k: fc.constant('head' as const) }),
    fc.record({ k: fc.constant('drain' as const), n: fc.integer({ min: 1, max: 9 }) }),
  );
  fc.assert(
    fc.property(fc.array(op, { maxLength: 300 }), (ops) => {
      const pcp = new per_cpu_pages(3, 6); // small rings, so that they grow
      const ref: [number, number][] = [];
      let next = 1;
      for (const o of ops) {
        if (o.k === 'free') {
          pcp.add_head(next, o.mt);
          ref.unshift([next++, o.mt]);
        } else if (o.k === 'coldfree') {
          pcp.add_tail(next, o.mt);
          ref.push([next++, o.mt]);
        } else if (o.k === 'bulk') {
          const batch = Int32Array.from({ length: o.n }, () => next++);
          pcp.add_batch_head(batch, o.n, o.mt);
          ref.unshift(...Array.from(batch, (pfn): [number, number] => [pfn, o.mt]));
        } else if (o.k === 'hot' || o.k === 'cold') {
          let idx = -1;
          for (let i = 0; i < ref.length; i++) if (ref[i]![1] === o.mt && (idx < 0 || o.k === 'cold')) idx = i;
          if (idx < 0) {
            assert.equal(pcp.nr_mt[o.mt], 0);
            continue;
          }
          const got = o.k === 'hot' ? pcp.take_head_of(o.mt) : pcp.take_tail_of(o.mt);
          assert.equal(got, ref.splice(idx, 1)[0]![0]);
        } else if (o.k === 'head') {
          if (ref.length === 0) continue;
          assert.equal(pcp.head_type(), ref[0]![1]);
          assert.equal(pcp.take_head_of(pcp.head_type()), ref.shift()![0]);
        } else {
          for (let i = 0; i < o.n && ref.length > 0; i++) {
            assert.equal(pcp.tail_type(), ref[ref.length - 1]![1]);
            assert.equal(pcp.take_tail_of(pcp.tail_type()), ref.pop()![0]);
          }
        }
        assert.equal(pcp.count, ref.length);
      }
      assert.deepEqual(pcp.entries(), ref);
      pcp.check('property');
    }),
    { seed: 7, numRuns: 300 },
  );
});

test('pcp: reclaim\'s cold pagevec puts its pages at the tail, the last first, and free_pages_bulk returns them first', () => {
  const p = pa(GiB, 'flat');
  const z = p.zones[ZONE_DMA32]!;
  const pcp = z.pcp[0]!;
  // Pages to free hot later, enough to take the list past `high`.
  const more = Array.from({ length: pcp.high }, () => p.alloc_pages_nosleep(GFP_HIGHUSER_MOVABLE, 0));
  const hot = p.alloc_pages_nosleep(GFP_HIGHUSER_MOVABLE, 0);
  const pages = Array.from({ length: 4 }, () => p.alloc_pages_nosleep(GFP_HIGHUSER_MOVABLE, 0));
  const shared = pages[1]!;
  p.page_count[shared]!++; // someone else still holds this one
  const before = pcp.entries().length;
  p.pagevec_release_nonlru(Int32Array.from(pages), pages.length, true);
  const list = pcp.entries().map(([pfn]) => pfn);
  assert.equal(list.length, before + 3);
  // Freed last first onto the tail: the first page of the pagevec ends up at the very tail.
  assert.deepEqual(list.slice(-3), [pages[3], pages[2], pages[0]]);
  assert.equal(p.page_count[shared], 1, 'the shared page only lost a reference');
  p.__free_pages(hot, 0);
  assert.equal(pcp.entries()[0]![0], hot, 'a hot free goes to the head');
  // Past `high`, the batch that goes back to the buddy lists starts at the tail.
  const tail0 = pcp.entries().at(-1)![0];
  assert.equal(tail0, pages[0]);
  for (const x of more) p.__free_pages(x, 0);
  assert.ok(!pcp.entries().some(([pfn]) => pfn === pages[0]), 'the coldest page went back first');
  p.__free_pages(shared, 0);
  p.check_free_lists();
  p.check_conservation();
});

test('pcp: put_page cold (a reclaimer\'s putback releasing an orphaned page) frees to the tail, put_page hot to the head', () => {
  const p = pa(GiB, 'flat');
  const pcp = p.zones[ZONE_DMA32]!.pcp[0]!;
  const a = p.alloc_pages_nosleep(GFP_HIGHUSER_MOVABLE, 0);
  const b = p.alloc_pages_nosleep(GFP_HIGHUSER_MOVABLE, 0);
  const c = p.alloc_pages_nosleep(GFP_HIGHUSER_MOVABLE, 0);
  p.page_count[c]!++;
  p.put_page(a, true);
  assert.equal(pcp.entries().at(-1)![0], a, 'cold: at the tail');
  p.put_page(b);
  assert.equal(pcp.entries()[0]![0], b, 'hot: at the head');
  p.put_page(c, true);
  assert.equal(p.page_count[c], 1, 'a page someone else holds only loses a reference');
  assert.throws(() => p.put_page(a, true), SimulatorError);
});
