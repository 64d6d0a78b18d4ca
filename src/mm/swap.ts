/**
 * The page LRU lists: per-zone inactive lists threaded through mem_map's page->lru links.
 *
 * Mirrors: mm/swap.c (lru_cache_add, rotate_reclaimable_page), include/linux/mm_inline.h
 * (add_page_to_inactive_list, del_page_from_lru) and the isolation step of
 * mm/vmscan.c (isolate_lru_pages), v2.6.25.
 *
 * Simplified: no per-CPU pagevecs (pages join the list at once); new pages go to the inactive list
 * (lru_cache_add) and the workload never references them again, so the active list stays empty
 * and is not modelled. The list head is the most recently added end; reclaim scans from the tail.
 * NR_INACTIVE is the zone counter of the page allocator. Any context; never sleeps.
 */
import { fail } from '../sim/assert.js';
import { PG_lru, PageFlag, SetPageFlag, ClearPageFlag } from '../include/page-flags.js';
import { NR_INACTIVE, type PageAllocator } from './page_alloc.js';

export class lru_lists {
  /** Per-zone inactive list head (newest) and tail (oldest), -1 when empty. */
  readonly head: Int32Array;
  readonly tail: Int32Array;
  constructor(readonly pa: PageAllocator) {
    this.head = new Int32Array(pa.zones.length).fill(-1);
    this.tail = new Int32Array(pa.zones.length).fill(-1);
  }

  /** NR_INACTIVE of a zone. */
  nr_inactive(zone: number): number {
    return this.pa.zones[zone]!.vm_stat[NR_INACTIVE]!;
  }
}

function onLru(pa: PageAllocator, pfn: number): boolean {
  return PageFlag(pa.page_flags, pfn, PG_lru);
}

function link(l: lru_lists, zone: number, pfn: number, atTail: boolean): void {
  const pa = l.pa;
  if (onLru(pa, pfn)) fail('page ', pfn, ' already on the LRU');
  if (atTail) {
    const t = l.tail[zone]!;
    pa.lru_prev[pfn] = t;
    pa.lru_next[pfn] = -1;
    if (t >= 0) pa.lru_next[t] = pfn;
    else l.head[zone] = pfn;
    l.tail[zone] = pfn;
  } else {
    const h = l.head[zone]!;
    pa.lru_next[pfn] = h;
    pa.lru_prev[pfn] = -1;
    if (h >= 0) pa.lru_prev[h] = pfn;
    else l.tail[zone] = pfn;
    l.head[zone] = pfn;
  }
  SetPageFlag(pa.page_flags, pfn, PG_lru);
  pa.mod_zone_page_state(pa.zones[zone]!, NR_INACTIVE, 1);
}

/** @kernel mm/swap.c lru_cache_add (add_page_to_inactive_list) — at the head of the zone's inactive list. */
export function lru_cache_add(l: lru_lists, zone: number, pfn: number): void {
  link(l, zone, pfn, false);
}

/** @kernel include/linux/mm_inline.h del_page_from_lru — unlink and clear PG_lru. */
export function del_page_from_lru(l: lru_lists, zone: number, pfn: number): void {
  const pa = l.pa;
  if (!(onLru(pa, pfn))) fail('page ', pfn, ' not on the LRU');
  const n = pa.lru_next[pfn]!, p = pa.lru_prev[pfn]!;
  if (p >= 0) pa.lru_next[p] = n;
  else l.head[zone] = n;
  if (n >= 0) pa.lru_prev[n] = p;
  else l.tail[zone] = p;
  pa.lru_next[pfn] = pa.lru_prev[pfn] = -1;
  ClearPageFlag(pa.page_flags, pfn, PG_lru);
  pa.mod_zone_page_state(pa.zones[zone]!, NR_INACTIVE, -1);
}

/** @kernel mm/vmscan.c isolate_lru_pages — take up to nr pages from the tail (oldest first) into `out`. */
export function isolate_lru_pages(l: lru_lists, zone: number, nr: number, out: number[]): number {
  let taken = 0;
  while (taken < nr) {
    const pfn = l.tail[zone]!;
    if (pfn < 0) break;
    del_page_from_lru(l, zone, pfn);
    out.push(pfn);
    taken++;
  }
  return taken;
}

/**
 * @kernel mm/swap.c rotate_reclaimable_page
 * A page whose writeback finished with PG_reclaim set moves to the tail of the inactive list so
 * that reclaim frees it next. A page isolated by a reclaimer right now is left alone.
 */
export function rotate_reclaimable_page(l: lru_lists, zone: number, pfn: number): void {
  if (!onLru(l.pa, pfn)) return;
  del_page_from_lru(l, zone, pfn);
  link(l, zone, pfn, true);
}
