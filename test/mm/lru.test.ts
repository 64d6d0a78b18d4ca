import { test } from 'node:test';
import assert from 'node:assert/strict';
import { machine } from './helpers.js';
import {
  deactivate_isolated_page,
  isolate_lru_pages,
  lru_cache_add,
  lru_check,
  lru_lists,
  LRU_ACTIVE,
  LRU_INACTIVE,
  putback_lru_page,
  rotate_reclaimable_page,
} from '../../src/mm/swap.js';
import { NR_ACTIVE, NR_INACTIVE, PGACTIVATE, PGDEACTIVATE, PGREFILL } from '../../src/mm/page_alloc.js';
import { PG_active, PG_dirty, PG_lru, PageFlag, SetPageFlag, ClearPageFlag } from '../../src/include/page-flags.js';
import { runScenario } from '../../src/scenario/run.js';
import { DEFAULT_PARAMS } from '../../src/scenario/params.js';

/** A zone with `n` pages on its inactive list, oldest first in the returned array. */
function setup(n: number): { l: lru_lists; zone: number; pages: number[] } {
  const { pa } = machine(64, 1);
  const l = new lru_lists(pa);
  const pages: number[] = [];
  for (let i = 0; i < n; i++) {
    const pfn = pa.alloc_pages_fastpath(0, 0);
    assert.ok(pfn >= 0);
    pages.push(pfn);
  }
  const zone = pa.page_zone(pages[0]!).idx;
  for (const pfn of pages) assert.equal(pa.page_zone(pfn).idx, zone, 'all test pages in one zone');
  for (const pfn of pages) lru_cache_add(l, zone, pfn);
  return { l, zone, pages };
}

function walk(l: lru_lists, zone: number, list: number): number[] {
  const out: number[] = [];
  for (let pfn = l.head[zone * 2 + list]!; pfn >= 0; pfn = l.pa.lru_next[pfn]!) out.push(pfn);
  return out;
}

test('lru: an activated page goes back to the active list, shrink_active_list brings it back to the inactive head', () => {
  const { l, zone, pages } = setup(4);
  const z = l.pa.zones[zone]!;
  const taken = new Int32Array(32);
  assert.equal(isolate_lru_pages(l, zone, LRU_INACTIVE, 2, taken), 2);
  assert.deepEqual([taken[0], taken[1]], [pages[0], pages[1]], 'isolation takes the oldest pages first');
  assert.equal(z.vm_stat[NR_INACTIVE], 2);
  // What shrink_page_list does for AOP_WRITEPAGE_ACTIVATE: PG_active, then the putback.
  SetPageFlag(l.pa.page_flags, taken[0]!, PG_active);
  putback_lru_page(l, zone, taken[0]!);
  putback_lru_page(l, zone, taken[1]!);
  assert.deepEqual(walk(l, zone, LRU_ACTIVE), [pages[0]]);
  assert.deepEqual(walk(l, zone, LRU_INACTIVE), [pages[1], pages[3], pages[2]]);
  assert.equal(z.vm_stat[NR_ACTIVE], 1);
  assert.equal(z.vm_stat[NR_INACTIVE], 3);
  assert.equal(lru_check(l), null);
  // Writeback ending on an active page leaves it where it is.
  assert.equal(rotate_reclaimable_page(l, zone, pages[0]!), false);
  assert.deepEqual(walk(l, zone, LRU_ACTIVE), [pages[0]]);
  // shrink_active_list: isolate from the active tail, keep PG_active while isolated, then deactivate.
  const act = new Int32Array(32);
  assert.equal(isolate_lru_pages(l, zone, LRU_ACTIVE, 32, act), 1);
  assert.equal(act[0], pages[0]);
  assert.ok(PageFlag(l.pa.page_flags, pages[0]!, PG_active), 'isolation leaves PG_active set');
  assert.ok(!PageFlag(l.pa.page_flags, pages[0]!, PG_lru));
  deactivate_isolated_page(l, zone, pages[0]!);
  assert.ok(!PageFlag(l.pa.page_flags, pages[0]!, PG_active));
  assert.deepEqual(walk(l, zone, LRU_INACTIVE), [pages[0], pages[1], pages[3], pages[2]]);
  assert.equal(z.vm_stat[NR_ACTIVE], 0);
  assert.equal(lru_check(l), null);
});

test('lru: rotate_reclaimable_page moves a clean inactive page to the tail, not a dirty or isolated one', () => {
  const { l, zone, pages } = setup(3);
  assert.equal(rotate_reclaimable_page(l, zone, pages[2]!), true);
  assert.equal(l.tail[zone * 2 + LRU_INACTIVE], pages[2]);
  SetPageFlag(l.pa.page_flags, pages[1]!, PG_dirty);
  assert.equal(rotate_reclaimable_page(l, zone, pages[1]!), false);
  ClearPageFlag(l.pa.page_flags, pages[1]!, PG_dirty);
  const taken = new Int32Array(1);
  assert.equal(isolate_lru_pages(l, zone, LRU_INACTIVE, 32, taken), 1, 'no more than the batch holds');
  assert.equal(rotate_reclaimable_page(l, zone, taken[0]!), false, 'an isolated page is off the LRU');
  assert.equal(lru_check(l), null);
});

test('lru: the list check names a count that disagrees with the list and a page on the wrong list', () => {
  const { l, zone, pages } = setup(3);
  const z = l.pa.zones[zone]!;
  z.vm_stat[NR_INACTIVE]!++;
  assert.match(lru_check(l) ?? '', /inactive list: 3 pages on the list, 4 counted/);
  z.vm_stat[NR_INACTIVE]!--;
  SetPageFlag(l.pa.page_flags, pages[1]!, PG_active);
  assert.match(lru_check(l) ?? '', new RegExp(`inactive list: page ${pages[1]} has PG_active set`));
});

test('lru: when swap fills, reclaim activates tmpfs pages and moves them back; full invariants hold (small machine)', () => {
  const MiB = 1024 * 1024;
  // 96 MiB of tmpfs in one-page files (and their 24 MiB of dentries and inodes) on 96 MiB of RAM
  // with 48 MiB of swap: the first pass runs out of swap slots.
  const { result, machine: m } = runScenario({ ...DEFAULT_PARAMS, ram_bytes: 96 * MiB, tree_bytes: 48 * MiB, copies: 2, swap_bytes: 48 * MiB, profile: '2.6.25' }, { check: 'full' });
  assert.equal(result.verdict, 'COMPLETED');
  const ev = m.vm.pa.vm_events;
  assert.ok(ev[PGACTIVATE]! > 1000, `pages activated (${ev[PGACTIVATE]})`);
  assert.ok(ev[PGDEACTIVATE]! > 0 && ev[PGDEACTIVATE]! <= ev[PGACTIVATE]!, `pages deactivated (${ev[PGDEACTIVATE]})`);
  let refill = 0;
  for (const z of m.vm.pa.zones) refill += ev[PGREFILL + z.idx]!;
  assert.equal(refill, ev[PGDEACTIVATE], 'every active page scanned was unmapped and went back');
  assert.equal(lru_check(m.vm.lru), null);
});
