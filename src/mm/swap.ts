/**
 * The page LRU lists: per-zone active and inactive lists threaded through mem_map's page->lru
 * links.
 *
 * Mirrors: mm/swap.c (lru_cache_add, rotate_reclaimable_page), include/linux/mm_inline.h
 * (add_page_to_active_list, add_page_to_inactive_list, del_page_from_lru's unlink) and the isolation and
 * putback steps of mm/vmscan.c (isolate_lru_pages; the putback loops of shrink_inactive_list and
 * shrink_active_list), v2.6.25. putback_lru_page is named after the later kernels' function that
 * does the same; 2.6.25 writes the loop inline.
 *
 * New pages go to the inactive list (lru_cache_add). The workload never references a page again,
 * so a page reaches the active list only when reclaim activates it (shmem_writepage finding no
 * swap space), and shrink_active_list moves it back. PG_active says which list a page is on. The
 * list head is the most recently added end; reclaim scans from the tail. NR_ACTIVE and
 * NR_INACTIVE are zone counters of the page allocator.
 * Simplified: no per-CPU pagevecs (pages join a list at once, and rotate at once), no
 * mark_page_accessed/activate_page (nothing references a page). In 2.6.25 up to 14 pages per CPU
 * wait in lru_add_pvecs or lru_rotate_pvecs, each holding a reference there, so reclaim cannot
 * free a written page still waiting to rotate (remove_mapping sees the extra count) and keeps it;
 * the model has no such lag. Any context; never sleeps.
 */
import { fail } from '../sim/assert.js';
import { PG_active, PG_dirty, PG_locked, PG_lru, PageFlag, SetPageFlag, ClearPageFlag } from '../include/page-flags.js';
import { NR_ACTIVE, NR_INACTIVE, type PageAllocator } from './page_alloc.js';

/** Which list: index into lru_lists' heads and tails (zone * 2 + list). */
export const LRU_INACTIVE = 0;
export const LRU_ACTIVE = 1;

export class lru_lists {
  /**
   * zone->inactive_list and zone->active_list: per zone and list (index zone * 2 + LRU_*), the
   * head (newest) and tail (oldest) pfn, -1 when empty.
   */
  readonly head: Int32Array;
  readonly tail: Int32Array;
  constructor(readonly pa: PageAllocator) {
    this.head = new Int32Array(pa.zones.length * 2).fill(-1);
    this.tail = new Int32Array(pa.zones.length * 2).fill(-1);
  }

  /** NR_INACTIVE of a zone. */
  nr_inactive(zone: number): number {
    return this.pa.zones[zone]!.vm_stat[NR_INACTIVE]!;
  }

  /** NR_ACTIVE of a zone. */
  nr_active(zone: number): number {
    return this.pa.zones[zone]!.vm_stat[NR_ACTIVE]!;
  }
}

/** Index of a zone's list in lru_lists' heads and tails. */
function lru_index(zone: number, list: number): number {
  return zone * 2 + list;
}

function stat_of(list: number): number {
  return list === LRU_ACTIVE ? NR_ACTIVE : NR_INACTIVE;
}

function onLru(pa: PageAllocator, pfn: number): boolean {
  return PageFlag(pa.page_flags, pfn, PG_lru);
}

/** The list a page's PG_active names. */
function list_of(pa: PageAllocator, pfn: number): number {
  return PageFlag(pa.page_flags, pfn, PG_active) ? LRU_ACTIVE : LRU_INACTIVE;
}

/** Put a page on a list (head or tail), set PG_lru and count it; PG_active is the caller's. */
function link(l: lru_lists, zone: number, list: number, pfn: number, atTail: boolean): void {
  const pa = l.pa;
  if (onLru(pa, pfn)) fail('page ', pfn, ' already on the LRU');
  const li = lru_index(zone, list);
  if (atTail) {
    const t = l.tail[li]!;
    pa.lru_prev[pfn] = t;
    pa.lru_next[pfn] = -1;
    if (t >= 0) pa.lru_next[t] = pfn;
    else l.head[li] = pfn;
    l.tail[li] = pfn;
  } else {
    const h = l.head[li]!;
    pa.lru_next[pfn] = h;
    pa.lru_prev[pfn] = -1;
    if (h >= 0) pa.lru_prev[h] = pfn;
    else l.tail[li] = pfn;
    l.head[li] = pfn;
  }
  SetPageFlag(pa.page_flags, pfn, PG_lru);
  pa.mod_zone_page_state(pa.zones[zone]!, stat_of(list), 1);
}

/** Take a page off the list PG_active names, clear PG_lru and uncount it; PG_active stays. */
function unlink(l: lru_lists, zone: number, pfn: number): void {
  const pa = l.pa;
  if (!(onLru(pa, pfn))) fail('page ', pfn, ' not on the LRU');
  const list = list_of(pa, pfn);
  const li = lru_index(zone, list);
  const n = pa.lru_next[pfn]!, p = pa.lru_prev[pfn]!;
  if (p >= 0) pa.lru_next[p] = n;
  else l.head[li] = n;
  if (n >= 0) pa.lru_prev[n] = p;
  else l.tail[li] = p;
  pa.lru_next[pfn] = pa.lru_prev[pfn] = -1;
  ClearPageFlag(pa.page_flags, pfn, PG_lru);
  pa.mod_zone_page_state(pa.zones[zone]!, stat_of(list), -1);
}

/**
 * @kernel include/linux/mm_inline.h del_page_from_lru
 * Take a page off whichever list it is on (a page freed by truncation, mm/swap.c
 * __page_cache_release), clearing PG_lru and PG_active.
 */
export function del_page_from_lru(l: lru_lists, zone: number, pfn: number): void {
  unlink(l, zone, pfn);
  ClearPageFlag(l.pa.page_flags, pfn, PG_active);
}

/** @kernel mm/swap.c lru_cache_add (add_page_to_inactive_list) — at the head of the zone's inactive list. */
export function lru_cache_add(l: lru_lists, zone: number, pfn: number): void {
  link(l, zone, LRU_INACTIVE, pfn, false);
}

/**
 * @kernel mm/vmscan.c shrink_inactive_list (its putback loop: add_page_to_active_list or
 * add_page_to_inactive_list) — an isolated page goes back to the head of the list its PG_active
 * names.
 */
export function putback_lru_page(l: lru_lists, zone: number, pfn: number): void {
  link(l, zone, list_of(l.pa, pfn), pfn, false);
}

/**
 * @kernel mm/vmscan.c shrink_active_list (its l_inactive loop) — an isolated active page loses
 * PG_active and goes to the head of the inactive list.
 */
export function deactivate_isolated_page(l: lru_lists, zone: number, pfn: number): void {
  ClearPageFlag(l.pa.page_flags, pfn, PG_active);
  link(l, zone, LRU_INACTIVE, pfn, false);
}

/**
 * @kernel mm/vmscan.c isolate_lru_pages (ISOLATE_INACTIVE or ISOLATE_ACTIVE, order 0) — take up to
 * nr pages (at most out.length) from the tail (oldest first) of the zone's `list` into `out`, and
 * return how many. PG_active stays set on active pages, as __isolate_lru_page leaves it.
 */
export function isolate_lru_pages(l: lru_lists, zone: number, list: number, nr: number, out: Int32Array): number {
  const li = lru_index(zone, list);
  const max = Math.min(nr, out.length);
  let taken = 0;
  while (taken < max) {
    const pfn = l.tail[li]!;
    if (pfn < 0) break;
    unlink(l, zone, pfn);
    out[taken++] = pfn;
  }
  return taken;
}

/**
 * @kernel mm/swap.c rotate_reclaimable_page
 * A page whose writeback finished with PG_reclaim set moves to the tail of the inactive list so
 * that reclaim frees it next. Locked, dirty and active pages stay where they are, and so does a
 * page off the LRU (isolated by a reclaimer right now). Returns false when the page did not move
 * (the kernel's 1).
 */
export function rotate_reclaimable_page(l: lru_lists, zone: number, pfn: number): boolean {
  const f = l.pa.page_flags;
  if (PageFlag(f, pfn, PG_locked) || PageFlag(f, pfn, PG_dirty) || PageFlag(f, pfn, PG_active) || !onLru(l.pa, pfn)) return false;
  unlink(l, zone, pfn);
  link(l, zone, LRU_INACTIVE, pfn, true);
  return true;
}

/**
 * The invariant of the lists (for the 'full' checker): per zone and list, the links are
 * consistent both ways, every page on them has PG_lru, PG_active exactly on the active list, and
 * the lengths equal NR_INACTIVE and NR_ACTIVE. Returns a description of the first break, or null.
 */
export function lru_check(l: lru_lists): string | null {
  const pa = l.pa;
  for (let zone = 0; zone < pa.zones.length; zone++) {
    for (const list of [LRU_INACTIVE, LRU_ACTIVE]) {
      const li = lru_index(zone, list);
      const name = `${pa.zones[zone]!.name} ${list === LRU_ACTIVE ? 'active' : 'inactive'} list`;
      let n = 0;
      let prev = -1;
      for (let pfn = l.head[li]!; pfn >= 0; pfn = pa.lru_next[pfn]!) {
        if (pa.lru_prev[pfn] !== prev) return `${name}: page ${pfn}'s prev link is ${pa.lru_prev[pfn]}, not ${prev}`;
        if (!onLru(pa, pfn)) return `${name}: page ${pfn} lacks PG_lru`;
        if (PageFlag(pa.page_flags, pfn, PG_active) !== (list === LRU_ACTIVE)) return `${name}: page ${pfn} has PG_active ${list === LRU_ACTIVE ? 'clear' : 'set'}`;
        prev = pfn;
        if (++n > pa.max_pfn) return `${name}: the list has a cycle`;
      }
      if (l.tail[li] !== prev) return `${name}: tail is ${l.tail[li]}, the walk ends at ${prev}`;
      const counted = pa.zones[zone]!.vm_stat[stat_of(list)]!;
      if (counted !== n) return `${name}: ${n} pages on the list, ${counted} counted`;
    }
  }
  return null;
}
