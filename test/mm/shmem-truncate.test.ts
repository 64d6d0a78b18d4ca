/**
 * Removing tmpfs files (workload.rounds): shmem_truncate_record frees a page wherever it is, as
 * truncate_inode_pages, shmem_truncate and free_swap_and_cache do in 2.6.25, and
 * remove_exclusive_swap_page drops a removed file's swap-cache page without writing it. Each case
 * on a booted machine, page by page; then whole runs with full invariant checks.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bootMachine, type Machine } from '../../src/scenario/machine.js';
import { runScenario } from '../../src/scenario/run.js';
import { delete_from_swap_cache, remove_exclusive_swap_page, shmem_add_written_page, shmem_truncate_record, shmem_writepage, swap_refs_check } from '../../src/mm/shmem.js';
import { del_page_from_lru, isolate_lru_pages, LRU_INACTIVE, lru_check } from '../../src/mm/swap.js';
import { GFP_HIGHUSER_MOVABLE } from '../../src/include/gfp.js';
import { PG_lru, PG_writeback, PAGE_USE_FREE, PAGE_USE_OTHER, PAGE_USE_SWAPCACHE, PageFlag, SetPageFlag, ClearPageFlag } from '../../src/include/page-flags.js';
import { NR_FILE_PAGES, NR_INACTIVE } from '../../src/mm/page_alloc.js';
import { InvariantChecker } from '../../src/check/invariants.js';
import { smallParams } from '../report/helpers.js';

/** A booted small machine whose workload removes its trees (so tmpfs records are kept); nothing has run yet. */
function boot(): Machine {
  const m = bootMachine(smallParams({ rounds: 2, remove_ns: 2000 }));
  assert.ok(m.vm.shmem_recs !== null, 'rounds > 1 keeps tmpfs records');
  return m;
}

/** A written tmpfs page for record `rec`: in the page cache, dirty, on the inactive list. */
function written(m: Machine, rec: number): number {
  const pfn = m.pa.alloc_pages_fastpath(GFP_HIGHUSER_MOVABLE, 0);
  assert.ok(pfn >= 0);
  shmem_add_written_page(m.vm, pfn, null, 0, rec);
  return pfn;
}

/** A written tmpfs page that reclaim's first pass moved into the swap cache: its frame and slot. */
function swapCached(m: Machine, rec: number): { pfn: number; slot: number } {
  const pfn = written(m, rec);
  assert.equal(shmem_writepage(m.vm, pfn), 0);
  return { pfn, slot: m.pa.page_private[pfn]! };
}

const filePages = (m: Machine): number => m.pa.vm_stat[NR_FILE_PAGES]!;
const zoneOf = (m: Machine, pfn: number): number => m.pa.page_zone(pfn).idx;

test('shmem truncate: a page-cache page on the LRU is freed with its file', () => {
  const m = boot();
  const before = filePages(m);
  const pfn = written(m, 7);
  const z = m.pa.zones[zoneOf(m, pfn)]!;
  const inactive = z.vm_stat[NR_INACTIVE]!;
  assert.equal(m.vm.shmem_recs!.pfn[7], pfn);
  assert.equal(filePages(m), before + 1);
  shmem_truncate_record(m.vm, 7);
  assert.equal(m.pa.page_use[pfn], PAGE_USE_FREE);
  assert.equal(filePages(m), before);
  assert.equal(z.vm_stat[NR_INACTIVE], inactive - 1, 'off the inactive list');
  assert.equal(m.vm.shmem_recs!.pfn[7], -1);
  assert.equal(m.vm.shmem_recs!.page_rec[pfn], -1);
  assert.equal(lru_check(m.vm.lru), null);
  assert.equal(swap_refs_check(m.vm), null);
});

test('shmem truncate: a page-cache page a reclaimer holds isolated becomes an orphan, counted live until the putback frees it', () => {
  const m = boot();
  const pfn = written(m, 3);
  const batch = new Int32Array(32);
  const zone = zoneOf(m, pfn);
  const n = isolate_lru_pages(m.vm.lru, zone, LRU_INACTIVE, 32, batch);
  assert.ok([...batch.subarray(0, n)].includes(pfn), 'the page is in the isolated batch');
  shmem_truncate_record(m.vm, 3);
  assert.equal(m.pa.page_use[pfn], PAGE_USE_OTHER, 'out of every cache, held only by the reclaimer');
  assert.equal(m.vm.events.shmem_orphans_live, 1);
  assert.equal(m.vm.shmem_recs!.page_rec[pfn], -1);
  assert.equal(swap_refs_check(m.vm), null);
});

test('shmem truncate: a swap-cache page on the LRU leaves the swap cache and is freed; its slot is free again', () => {
  const m = boot();
  const { pfn, slot } = swapCached(m, 5);
  assert.equal(m.vm.shmem_recs!.swap[5], slot, 'the swap vector names the slot');
  assert.equal(m.vm.si.swap_map[slot], 2, 'swap cache and inode');
  assert.equal(swap_refs_check(m.vm), null);
  const inuse = m.vm.si.inuse_pages;
  shmem_truncate_record(m.vm, 5);
  assert.equal(m.vm.si.swap_map[slot], 0);
  assert.equal(m.vm.si.inuse_pages, inuse - 1);
  assert.equal(m.pa.page_use[pfn], PAGE_USE_FREE);
  assert.equal(lru_check(m.vm.lru), null);
  assert.equal(swap_refs_check(m.vm), null);
});

test('shmem truncate: a swap-cache page under writeback stays in the swap cache, the slot\'s only user', () => {
  const m = boot();
  const { pfn, slot } = swapCached(m, 9);
  SetPageFlag(m.pa.page_flags, pfn, PG_writeback);
  shmem_truncate_record(m.vm, 9);
  assert.equal(m.pa.page_use[pfn], PAGE_USE_SWAPCACHE);
  assert.equal(m.vm.si.swap_map[slot], 1, 'only the swap cache holds the slot now');
  assert.equal(m.vm.shmem_recs!.swap[9], 0);
  assert.equal(m.vm.shmem_recs!.page_rec[pfn], -1, 'the page no longer belongs to the file');
  assert.ok(PageFlag(m.pa.page_flags, pfn, PG_lru));
  ClearPageFlag(m.pa.page_flags, pfn, PG_writeback);
  assert.equal(swap_refs_check(m.vm), null);
});

test('shmem truncate: an isolated swap-cache page stays (swap not half full); remove_exclusive_swap_page then drops it unwritten', () => {
  const m = boot();
  const { pfn, slot } = swapCached(m, 11);
  const batch = new Int32Array(32);
  isolate_lru_pages(m.vm.lru, zoneOf(m, pfn), LRU_INACTIVE, 32, batch);
  assert.equal(remove_exclusive_swap_page(m.vm, pfn), false, 'the file still holds the slot');
  shmem_truncate_record(m.vm, 11);
  assert.equal(m.pa.page_use[pfn], PAGE_USE_SWAPCACHE);
  assert.equal(m.vm.si.swap_map[slot], 1);
  assert.equal(remove_exclusive_swap_page(m.vm, pfn), true);
  assert.equal(m.vm.si.swap_map[slot], 0);
  assert.equal(m.pa.page_use[pfn], PAGE_USE_OTHER);
  assert.equal(m.vm.events.shmem_orphans_live, 1);
  assert.equal(swap_refs_check(m.vm), null);
});

test('shmem truncate: data only on swap frees its slot; a record holding nothing is a no-op', () => {
  const m = boot();
  const { pfn, slot } = swapCached(m, 2);
  // Reclaim writes the page and frees it: the record keeps only the swap entry.
  delete_from_swap_cache(m.vm, pfn);
  del_page_from_lru(m.vm.lru, zoneOf(m, pfn), pfn);
  m.pa.page_flags[pfn] = 0;
  m.pa.put_page(pfn);
  assert.equal(m.vm.shmem_recs!.pfn[2], -1);
  assert.equal(m.vm.shmem_recs!.swap[2], slot);
  assert.equal(m.vm.si.swap_map[slot], 1, 'the inode alone holds the slot');
  assert.equal(swap_refs_check(m.vm), null);
  const inuse = m.vm.si.inuse_pages;
  shmem_truncate_record(m.vm, 2);
  assert.equal(m.vm.si.swap_map[slot], 0);
  assert.equal(m.vm.si.inuse_pages, inuse - 1);
  shmem_truncate_record(m.vm, 2);
  assert.equal(m.vm.si.inuse_pages, inuse - 1);
  assert.equal(swap_refs_check(m.vm), null);
});

test('swap_refs_check: a slot count that no holder explains is reported', () => {
  const m = boot();
  const { slot } = swapCached(m, 1);
  m.vm.si.swap_map[slot]!++;
  assert.match(swap_refs_check(m.vm) ?? '', new RegExp(`^swap slot ${slot}: swap_map 3, but 2 holders`));
});

test('workload.rounds: every tree but the last is removed; pages, slots, names and orphans add up (full invariants at the end)', () => {
  const p = smallParams({ seed: 2 }, ['workload.rounds=3', 'workload.remove_cost=5us', 'checks.time_limit=60s']);
  assert.equal(p.rounds, 3);
  assert.equal(p.remove_ns, 5000);
  const { result: r, machine: m } = runScenario(p);
  assert.equal(r.verdict, 'COMPLETED', r.reason);
  const treePages = Math.ceil(p.tree_bytes / 4096);
  assert.equal(m.workload.pages_copied, 3 * p.copies * treePages);
  assert.equal(m.workload.trees_removed, 2 * p.copies);
  const names = m.workload.files_copied + m.workload.dirs_created;
  assert.equal(m.workload.names_removed * 3, names * 2, 'two of three rounds removed');
  // What is left is the last round's trees: their names' dentries and inodes, their data in memory or on swap.
  assert.equal(m.caches.dentry.inuse, names / 3);
  assert.equal(m.caches.inode.inuse, names / 3);
  const recs = m.vm.shmem_recs!;
  let held = 0;
  for (let rec = 0; rec < recs.pfn.length; rec++) if (recs.pfn[rec]! >= 0 || recs.swap[rec]! > 0) held++;
  assert.equal(held, p.copies * treePages, 'every page of the last trees is somewhere');
  assert.ok(m.k.marks.get('shmem_truncate_left_in_swap_cache')! > 0, 'some removed pages were under writeback or isolated');
  assert.equal(m.vm.events.shmem_orphans_live, 0, 'every orphan was freed by its reclaimer');
  assert.equal(swap_refs_check(m.vm), null);
  new InvariantChecker(m, 'full').check();
});
