/**
 * Page reclaim: direct reclaim (try_to_free_pages), kswapd, and the path from the inactive list
 * through pageout to shmem_writepage and swap_writepage.
 *
 * Mirrors: mm/vmscan.c (shrink_page_list, pageout, may_write_to_queue, shrink_inactive_list,
 * shrink_zone, shrink_zones, do_try_to_free_pages, try_to_free_pages, balance_pgdat, kswapd,
 * wakeup_kswapd), mm/page-writeback.c (throttle_vm_writeout, get_dirty_limits), v2.6.25.
 *
 * Modelled: per-page decisions of shrink_page_list (locked and writeback pages are kept, dirty
 * pages go to pageout when the gfp may enter the filesystem, clean swap-cache pages are freed, cold
 * and PAGEVEC_SIZE at a time, AOP_WRITEPAGE_ACTIVATE activates), PG_reclaim and rotation,
 * shrink_zone's proportional scan of the active and inactive lists, shrink_active_list moving
 * unmapped pages back to the inactive list, the priority loop with congestion_wait(HZ/10) below
 * priority 10, throttle_vm_writeout, kswapd's balance loop to pages_high, zone->pages_scanned and
 * all_unreclaimable (kswapd sets it, both skip such zones below DEF_PRIORITY, and direct reclaim
 * that found every zone unreclaimable returns 0, the OOM path). may_write_to_queue is
 * always true here: swap and tmpfs pages belong to backing_dev_infos that never report congestion.
 * Not modelled: page referencing (the copy workload never touches a page twice, and
 * generic_perform_write does not mark_page_accessed), so calc_reclaim_mapped has nothing to
 * decide; mapped and anonymous pages, shrink_slab (no reclaimable slab caches in the workload),
 * the swap token, lumpy reclaim (order > 0 is never requested by the
 * workload), pdflush. Process context; may sleep (pageout, congestion_wait).
 */
import { PF_KSWAPD, PF_MEMALLOC, PF_SWAPWRITE, TASK_INTERRUPTIBLE, type KGen, type KRest } from '../kernel/task.js';
import { run_for_ns, run_for_ns_inline, run_for_ns_wait, schedule } from '../kernel/sched.js';
import { finish_wait, prepare_to_wait, waitqueue_active, wake_up } from '../kernel/wait.js';
import { TP } from '../kernel/trace.js';
import { __GFP_FS, __GFP_IO, GFP_KERNEL } from '../include/gfp.js';
import { PG_active, PG_dirty, PG_locked, PG_reclaim, PG_swapcache, PG_writeback, PAGE_USE_OTHER, PAGE_USE_SWAPCACHE, PageFlag, SetPageFlag, ClearPageFlag } from '../include/page-flags.js';
import { congestion_wait, WRITE } from './backing-dev.js';
import { ALLOCSTALL, KSWAPD_STEAL, NR_ACTIVE, NR_INACTIVE, NR_UNSTABLE_NFS, NR_VMSCAN_WRITE, NR_WRITEBACK, PAGEOUTRUN, PGACTIVATE, PGDEACTIVATE, PGREFILL, PGSCAN_DIRECT, PGSCAN_KSWAPD, PGSTEAL } from './page_alloc.js';
import { mod_page_state } from './vm_state.js';
import { deactivate_isolated_page, isolate_lru_pages, LRU_ACTIVE, LRU_INACTIVE, putback_lru_page } from './swap.js';
import { AOP_WRITEPAGE_ACTIVATE, delete_from_swap_cache, shmem_release_orphan, shmem_writepage } from './shmem.js';
import { swap_writepage_try } from './page_io.js';
import type { VmState } from './vm_state.js';

export const SWAP_CLUSTER_MAX = 32;
/** include/linux/pagevec.h PAGEVEC_SIZE. */
export const PAGEVEC_SIZE = 14;
export const DEF_PRIORITY = 12;

const PAGE_KEEP = 0;
const PAGE_ACTIVATE = 1;
const PAGE_SUCCESS = 2;
const PAGE_CLEAN = 3;

export interface scan_control {
  nr_scanned: number;
  gfp_mask: number;
  may_writepage: boolean;
  swap_cluster_max: number;
  order: number;
  /** Is this kswapd (counts pgscan_kswapd rather than pgscan_direct)? */
  kswapd: boolean;
}

/** @kernel mm/vmscan.c may_write_to_queue — swap and tmpfs backing devices are never congested. */
function may_write_to_queue(): boolean {
  return true;
}

/**
 * @kernel mm/vmscan.c pageout
 * Clear the dirty bit for I/O, mark PG_reclaim and call the mapping's writepage: shmem_writepage
 * for a tmpfs page, swap_writepage for a swap-cache page. A page not under writeback afterwards
 * loses PG_reclaim. This is the swap-cache case, as far as it goes without sleeping: it returns
 * the result, or the rest of pageout when swap_writepage has to sleep (see swap_writepage_try).
 */
function pageout_swap_try(vm: VmState, pfn: number): number | KRest<number> {
  const early = pageout_start(vm, pfn);
  if (early >= 0) return early;
  const k = vm.k;
  k.current.enter('pageout');
  if (k.trace.on[TP.mm_vmscan_writepage]) k.tp(TP.mm_vmscan_writepage, pfn, 1);
  const r = swap_writepage_try(vm, pfn);
  if (typeof r !== 'number') return pageout_rest(vm, pfn, r);
  k.current.leave();
  return pageout_done(vm, pfn, r);
}

/** @kernel mm/vmscan.c pageout (the rest, after swap_writepage slept) */
function* pageout_rest(vm: VmState, pfn: number, rest: KRest<number>): KRest<number> {
  const res = yield* rest;
  vm.k.current.leave();
  return pageout_done(vm, pfn, res);
}

/**
 * @kernel mm/vmscan.c pageout (for a tmpfs page)
 * The same steps with the mapping's writepage being shmem_writepage, which never sleeps, so this
 * path is a plain function (no generator per page in reclaim's first pass over tmpfs).
 */
function pageout_shmem(vm: VmState, pfn: number): number {
  const early = pageout_start(vm, pfn);
  if (early >= 0) return early;
  const t = vm.k.current;
  t.enter('pageout');
  const res = shmem_writepage(vm, pfn);
  // shmem_writepage leaves the page dirty (now in the swap cache) and unlocks it.
  SetPageFlag(vm.pa.page_flags, pfn, PG_dirty);
  if (res === 0) ClearPageFlag(vm.pa.page_flags, pfn, PG_locked);
  t.leave();
  return pageout_done(vm, pfn, res);
}

/**
 * The head of pageout: KEEP if the queue may not be written, CLEAN if the page is not dirty;
 * otherwise clear_page_dirty_for_io and SetPageReclaim, and -1 (go on to writepage). No
 * NR_FILE_DIRTY change: tmpfs and the swap cache both have BDI_CAP_NO_ACCT_DIRTY, so their dirty
 * pages are never counted.
 */
function pageout_start(vm: VmState, pfn: number): number {
  if (!may_write_to_queue()) return PAGE_KEEP;
  if (!PageFlag(vm.pa.page_flags, pfn, PG_dirty)) return PAGE_CLEAN;
  ClearPageFlag(vm.pa.page_flags, pfn, PG_dirty);
  SetPageFlag(vm.pa.page_flags, pfn, PG_reclaim);
  return -1;
}

/** The tail of pageout: AOP_WRITEPAGE_ACTIVATE activates; PG_reclaim stays only under writeback. */
function pageout_done(vm: VmState, pfn: number, res: number): number {
  if (res === AOP_WRITEPAGE_ACTIVATE) {
    ClearPageFlag(vm.pa.page_flags, pfn, PG_reclaim);
    return PAGE_ACTIVATE;
  }
  if (!PageFlag(vm.pa.page_flags, pfn, PG_writeback)) ClearPageFlag(vm.pa.page_flags, pfn, PG_reclaim);
  mod_page_state(vm, pfn, NR_VMSCAN_WRITE, 1);
  return PAGE_SUCCESS;
}

/**
 * @kernel mm/vmscan.c shrink_page_list
 * For each isolated page: skip locked ones; keep pages under writeback (async mode); write dirty
 * pages through pageout when the gfp allows (may_enter_fs: __GFP_FS, or a swap-cache page and
 * __GFP_IO); free clean swap-cache pages (remove_mapping drops the swap cache's slot reference);
 * PAGE_ACTIVATE sets PG_active (pgactivate). Kept pages stay off the LRU until the batch is done,
 * then go back to the head of their list (the kernel's ret_pages, which shrink_inactive_list puts
 * back): while this reclaimer sleeps in pageout, another cannot scan them, and a write of theirs
 * that completes meanwhile does not rotate them (rotate_reclaimable_page finds them off the LRU).
 * Freed pages gather in a cold pagevec (freed_pvec) that is released whenever it holds
 * PAGEVEC_SIZE pages and once more at the end, so they reach the per-CPU list's tail, the last
 * first. Returns the number freed.
 */
function* shrink_page_list(vm: VmState, pages: Int32Array, nr_pages: number, sc: scan_control): KGen<number> {
  const k = vm.k;
  const pa = vm.pa;
  let nr_reclaimed = 0;
  let pgactivate = 0;
  // Kept pages stay isolated until the whole batch is done (the kernel's ret_pages, put back by
  // shrink_inactive_list): they are written over the batch's own slots, which were read already.
  const kept = pages;
  let nr_kept = 0;
  // pagevec_init(&freed_pvec, 1): reclaimed pages are freed cold, PAGEVEC_SIZE at a time.
  // Its own array (a spare batch, of which it uses PAGEVEC_SIZE slots): another reclaimer may run
  // shrink_page_list while this one sleeps in pageout.
  const freed_pvec = take_batch(vm, SWAP_CLUSTER_MAX);
  let nr_freed = 0;
  k.current.enter('shrink_page_list');
  const perPage = vm.scan_charge_per_page;
  for (let i = 0; i < nr_pages; i++) {
    const pfn = pages[i]!;
    if (perPage && !run_for_ns_inline(k, vm.scan_cost_ns)) yield* run_for_ns_wait(k, vm.scan_cost_ns);
    if (PageFlag(vm.pa.page_flags, pfn, PG_locked)) {
      kept[nr_kept++] = pfn;
      continue;
    }
    SetPageFlag(vm.pa.page_flags, pfn, PG_locked);
    // Counted once locked, and twice for a swap-cache page ("double the slab pressure").
    sc.nr_scanned += PageFlag(vm.pa.page_flags, pfn, PG_swapcache) ? 2 : 1;
    if (PageFlag(vm.pa.page_flags, pfn, PG_writeback)) {
      ClearPageFlag(vm.pa.page_flags, pfn, PG_locked);
      kept[nr_kept++] = pfn;
      continue;
    }
    if (PageFlag(vm.pa.page_flags, pfn, PG_dirty)) {
      const may_enter_fs = (sc.gfp_mask & __GFP_FS) !== 0 || (PageFlag(vm.pa.page_flags, pfn, PG_swapcache) && (sc.gfp_mask & __GFP_IO) !== 0);
      if (!may_enter_fs || !sc.may_writepage) {
        ClearPageFlag(vm.pa.page_flags, pfn, PG_locked);
        kept[nr_kept++] = pfn;
        continue;
      }
      let res: number;
      if (pa.page_use[pfn] === PAGE_USE_SWAPCACHE) {
        const r = pageout_swap_try(vm, pfn);
        res = typeof r === 'number' ? r : yield* r;
      } else {
        res = pageout_shmem(vm, pfn);
      }
      if (res === PAGE_KEEP || res === PAGE_ACTIVATE) {
        if (res === PAGE_ACTIVATE) {
          SetPageFlag(vm.pa.page_flags, pfn, PG_active);
          pgactivate++;
        }
        ClearPageFlag(vm.pa.page_flags, pfn, PG_locked);
        kept[nr_kept++] = pfn;
        continue;
      }
      if (res === PAGE_SUCCESS) {
        // The writepage unlocked the page. Keep it while it is under writeback or dirty again, or
        // if someone else locked it meanwhile; else re-take the lock and go on to free it.
        if (PageFlag(vm.pa.page_flags, pfn, PG_writeback) || PageFlag(vm.pa.page_flags, pfn, PG_dirty) || PageFlag(vm.pa.page_flags, pfn, PG_locked)) {
          kept[nr_kept++] = pfn;
          continue;
        }
        SetPageFlag(vm.pa.page_flags, pfn, PG_locked);
      }
    }
    // Clean: a swap-cache page can be freed; a clean tmpfs page cannot occur in this workload. A
    // page its file's removal took out of every cache while this batch held it (PAGE_USE_OTHER,
    // clean: page->mapping NULL, keep_locked) is kept too, and the putback frees it.
    if (pa.page_use[pfn] === PAGE_USE_SWAPCACHE && !PageFlag(vm.pa.page_flags, pfn, PG_writeback)) {
      delete_from_swap_cache(vm, pfn);
      ClearPageFlag(vm.pa.page_flags, pfn, PG_locked);
      pa.page_flags[pfn] = 0;
      // free_it: into the cold pagevec, released whenever it is full and at the end.
      freed_pvec[nr_freed++] = pfn;
      if (nr_freed === PAGEVEC_SIZE) {
        pa.pagevec_release_nonlru(freed_pvec, nr_freed, true);
        nr_freed = 0;
      }
      nr_reclaimed++;
      continue;
    }
    ClearPageFlag(vm.pa.page_flags, pfn, PG_locked);
    kept[nr_kept++] = pfn;
  }
  if (nr_freed > 0) pa.pagevec_release_nonlru(freed_pvec, nr_freed, true);
  vm.spare_batches.push(freed_pvec);
  if (pgactivate) pa.count_vm_events(PGACTIVATE, pgactivate);
  // shrink_inactive_list's putback loop, in the order the pages were looked at: each goes to the
  // head of the list its PG_active names.
  for (let j = 0; j < nr_kept; j++) putback(vm, kept[j]!);
  k.current.leave();
  return nr_reclaimed;
}

function putback(vm: VmState, pfn: number): void {
  if (vm.pa.page_use[pfn] === PAGE_USE_OTHER) shmem_release_orphan(vm, pfn);
  else putback_lru_page(vm.lru, vm.pa.page_zone(pfn).idx, pfn);
}

/** A batch of at least `n` slots from the spares, or a new one. */
function take_batch(vm: VmState, n: number): Int32Array {
  const b = vm.spare_batches.pop();
  return b !== undefined && b.length >= n ? b : new Int32Array(n);
}

/**
 * @kernel mm/vmscan.c shrink_inactive_list
 * Isolate up to SWAP_CLUSTER_MAX pages from the tail at a time and run shrink_page_list on them
 * (asynchronously: no waiting on writeback), until max_scan pages were looked at.
 */
function* shrink_inactive_list(vm: VmState, max_scan: number, zone: number, sc: scan_control): KGen<number> {
  const k = vm.k;
  let nr_scanned = 0;
  let nr_reclaimed = 0;
  k.current.enter('shrink_inactive_list');
  // The batch is this task's own isolated list: it may sleep in pageout while holding it.
  const pages = take_batch(vm, sc.swap_cluster_max);
  do {
    const nr_taken = isolate_lru_pages(vm.lru, zone, LRU_INACTIVE, sc.swap_cluster_max, pages);
    nr_scanned += nr_taken;
    const z = vm.pa.zones[zone]!;
    // The model isolates every page it scans, so nr_scan is nr_taken.
    z.pages_scanned += nr_taken;
    vm.pa.count_zone_vm_events(sc.kswapd ? PGSCAN_KSWAPD : PGSCAN_DIRECT, z, nr_taken);
    if (nr_taken === 0) break;
    // Scanning costs CPU time; it also keeps a reclaim loop from spinning in zero time.
    if (!vm.scan_charge_per_page && !run_for_ns_inline(k, nr_taken * vm.scan_cost_ns)) yield* run_for_ns_wait(k, nr_taken * vm.scan_cost_ns);
    const freed = yield* shrink_page_list(vm, pages, nr_taken, sc);
    nr_reclaimed += freed;
    vm.pa.count_zone_vm_events(PGSTEAL, z, freed);
    if (sc.kswapd) vm.pa.count_vm_events(KSWAPD_STEAL, freed);
  } while (nr_scanned < max_scan);
  vm.spare_batches.push(pages);
  if (k.trace.on[TP.mm_vmscan_lru_shrink_inactive]) k.tp(TP.mm_vmscan_lru_shrink_inactive, 0, nr_scanned, nr_reclaimed, 0);
  k.current.leave();
  return nr_reclaimed;
}

/**
 * @kernel mm/vmscan.c shrink_active_list
 * Isolate up to nr_pages from the tail of the active list (pgrefill) and move them to the head of
 * the inactive list without PG_active (pgdeactivate). Every page here is unmapped, so none stays
 * active: calc_reclaim_mapped and page_referenced only decide for mapped pages. Scanning costs the
 * same CPU time per page as the inactive list's.
 */
function* shrink_active_list(vm: VmState, nr_pages: number, zone: number): KGen {
  const k = vm.k;
  k.current.enter('shrink_active_list');
  const pages = take_batch(vm, nr_pages);
  const nr_taken = isolate_lru_pages(vm.lru, zone, LRU_ACTIVE, nr_pages, pages);
  if (nr_taken > 0) {
    const z = vm.pa.zones[zone]!;
    z.pages_scanned += nr_taken;
    if (vm.scan_charge_per_page) {
      for (let i = 0; i < nr_taken; i++) if (!run_for_ns_inline(k, vm.scan_cost_ns)) yield* run_for_ns_wait(k, vm.scan_cost_ns);
    } else if (!run_for_ns_inline(k, nr_taken * vm.scan_cost_ns)) {
      yield* run_for_ns_wait(k, nr_taken * vm.scan_cost_ns);
    }
    for (let i = 0; i < nr_taken; i++) {
      const pfn = pages[i]!;
      if (vm.pa.page_use[pfn] === PAGE_USE_OTHER) shmem_release_orphan(vm, pfn);
      else deactivate_isolated_page(vm.lru, zone, pfn);
    }
    vm.pa.count_zone_vm_events(PGREFILL, z, nr_taken);
    vm.pa.count_vm_events(PGDEACTIVATE, nr_taken);
  }
  vm.spare_batches.push(pages);
  k.current.leave();
}

/**
 * @kernel mm/page-writeback.c throttle_vm_writeout
 * While pages under writeback exceed 110% of the dirty threshold, wait in congestion_wait(HZ/10);
 * callers without both __GFP_FS and __GFP_IO wait at most once.
 */
function* throttle_vm_writeout(vm: VmState, gfp_mask: number): KGen {
  const k = vm.k;
  for (;;) {
    // get_dirty_limits: dirtyable memory is free + LRU pages, plus one (determine_dirtyable_memory
    // never returns 0); the ratio is at least 5. No highmem on x86_64, no PF_LESS_THROTTLE or
    // real-time tasks here.
    const pa = vm.pa;
    const dirtyable = pa.nr_free_pages + pa.vm_stat[NR_INACTIVE]! + pa.vm_stat[NR_ACTIVE]! + 1;
    let dirty_thresh = Math.floor((dirtyable * Math.max(vm.vm_dirty_ratio, 5)) / 100);
    dirty_thresh += Math.floor(dirty_thresh / 10);
    if (pa.vm_stat[NR_WRITEBACK]! + pa.vm_stat[NR_UNSTABLE_NFS]! <= dirty_thresh) break;
    k.current.enter('throttle_vm_writeout');
    yield* congestion_wait(k, WRITE, Math.floor(k.HZ / 10));
    k.current.leave();
    if ((gfp_mask & (__GFP_FS | __GFP_IO)) !== (__GFP_FS | __GFP_IO)) break;
  }
}

/**
 * @kernel mm/vmscan.c shrink_zone
 * Scan (NR_ACTIVE >> priority) + 1 active and (NR_INACTIVE >> priority) + 1 inactive pages, each
 * accumulated until at least swap_cluster_max, in alternating chunks of swap_cluster_max (active
 * first); then throttle_vm_writeout.
 */
function* shrink_zone(vm: VmState, priority: number, zone: number, sc: scan_control): KGen<number> {
  const accA = vm.nr_scan_active;
  accA[zone]! += (vm.lru.nr_active(zone) >> priority) + 1;
  let nr_active = accA[zone]!;
  const acc = vm.nr_scan_inactive;
  acc[zone]! += (vm.lru.nr_inactive(zone) >> priority) + 1;
  let nr_inactive = acc[zone]!;
  if (nr_inactive >= sc.swap_cluster_max) acc[zone] = 0;
  else nr_inactive = 0;
  if (nr_active >= sc.swap_cluster_max) accA[zone] = 0;
  else nr_active = 0;
  let nr_reclaimed = 0;
  vm.k.current.enter('shrink_zone');
  while (nr_active > 0 || nr_inactive > 0) {
    if (nr_active > 0) {
      const nr_to_scan = Math.min(nr_active, sc.swap_cluster_max);
      nr_active -= nr_to_scan;
      yield* shrink_active_list(vm, nr_to_scan, zone);
    }
    if (nr_inactive > 0) {
      const nr_to_scan = Math.min(nr_inactive, sc.swap_cluster_max);
      nr_inactive -= nr_to_scan;
      nr_reclaimed += yield* shrink_inactive_list(vm, nr_to_scan, zone, sc);
    }
  }
  yield* throttle_vm_writeout(vm, sc.gfp_mask);
  vm.k.current.leave();
  return nr_reclaimed;
}

/**
 * @kernel mm/vmscan.c do_try_to_free_pages (via try_to_free_pages, shrink_zones)
 * Priority 12 down to 0: shrink every zone of the zonelist, skipping below DEF_PRIORITY a zone
 * kswapd marked all_unreclaimable; success at SWAP_CLUSTER_MAX pages freed; below priority 10
 * wait in congestion_wait(HZ/10) after each pass that scanned anything. Returns 1 on success or
 * when the last pass found a zone to shrink, 0 when every zone was all_unreclaimable (the caller
 * then takes the OOM path). Simplified: no shrink_slab, no prev_priority.
 */
export function* try_to_free_pages(vm: VmState, zonelist: readonly number[], order: number, gfp_mask: number): KGen<number> {
  const k = vm.k;
  k.current.enter('try_to_free_pages');
  if (k.trace.on[TP.mm_vmscan_direct_reclaim_begin]) k.tp(TP.mm_vmscan_direct_reclaim_begin, order, gfp_mask);
  const sc: scan_control = { nr_scanned: 0, gfp_mask, may_writepage: true, swap_cluster_max: SWAP_CLUSTER_MAX, order, kswapd: false };
  vm.pa.count_vm_events(ALLOCSTALL);
  k.mark('direct_reclaim');
  let nr_reclaimed = 0;
  // total_scanned only decides wakeup_pdflush and may_writepage in the kernel: pdflush is not
  // modelled and direct reclaim may always write (laptop_mode off), so it is not kept.
  let ret = 0;
  let all_unreclaimable = true;
  for (let priority = DEF_PRIORITY; priority >= 0; priority--) {
    sc.nr_scanned = 0;
    // shrink_zones
    all_unreclaimable = true;
    for (const z of zonelist) {
      const zone = vm.pa.zones[z]!;
      if (zone.present_pages === 0) continue;
      if (zone.all_unreclaimable && priority !== DEF_PRIORITY) continue; // let kswapd poll it
      all_unreclaimable = false;
      nr_reclaimed += yield* shrink_zone(vm, priority, z, sc);
    }
    if (nr_reclaimed >= sc.swap_cluster_max) {
      ret = 1;
      break;
    }
    if (sc.nr_scanned && priority < DEF_PRIORITY - 2) yield* congestion_wait(k, WRITE, Math.floor(k.HZ / 10));
  }
  if (ret === 0 && !all_unreclaimable) ret = 1;
  if (ret === 0) vm.events.reclaim_all_unreclaimable++;
  if (k.trace.on[TP.mm_vmscan_direct_reclaim_end]) k.tp(TP.mm_vmscan_direct_reclaim_end, nr_reclaimed);
  k.current.leave();
  return ret;
}

/**
 * @kernel mm/vmscan.c wakeup_kswapd
 * Wake kswapd only if this zone is below pages_low and kswapd is asleep on its wait queue.
 */
export function wakeup_kswapd(vm: VmState, zone: number, order: number): void {
  const pa = vm.pa;
  const z = pa.zones[zone]!;
  if (z.present_pages === 0) return;
  if (pa.zone_watermark_ok(z, order, z.pages_low, 0, 0)) return;
  if (vm.kswapd_max_order < order) vm.kswapd_max_order = order;
  if (!waitqueue_active(vm.kswapd_wait)) return;
  if (vm.k.trace.on[TP.mm_vmscan_wakeup_kswapd]) vm.k.tp(TP.mm_vmscan_wakeup_kswapd, 0, zone, order);
  wake_up(vm.k, vm.kswapd_wait);
}

/**
 * @kernel mm/vmscan.c balance_pgdat
 * From priority 12 down: find the highest zone below pages_high; shrink every zone up to it that is
 * below 8 * pages_high; stop a pass after SWAP_CLUSTER_MAX pages; below priority 10 wait in
 * congestion_wait(HZ/10); loop until every zone is at pages_high. Below DEF_PRIORITY it skips
 * all_unreclaimable zones, and it marks a zone so once its pages_scanned reaches six times its
 * LRU pages (with no shrinkable slab).
 */
function* balance_pgdat(vm: VmState, order: number): KGen {
  const k = vm.k;
  const pa = vm.pa;
  const nz = pa.zones.length;
  k.current.enter('balance_pgdat');
  k.mark('balance_pgdat');
  for (;;) {
    pa.count_vm_events(PAGEOUTRUN);
    const sc: scan_control = { nr_scanned: 0, gfp_mask: GFP_KERNEL, may_writepage: true, swap_cluster_max: SWAP_CLUSTER_MAX, order, kswapd: true };
    let all_zones_ok = true;
    let total_scanned = 0;
    let nr_reclaimed = 0;
    for (let priority = DEF_PRIORITY; priority >= 0; priority--) {
      all_zones_ok = true;
      let end_zone = -1;
      for (let i = nz - 1; i >= 0; i--) {
        const z = pa.zones[i]!;
        if (z.present_pages === 0) continue;
        if (z.all_unreclaimable && priority !== DEF_PRIORITY) continue;
        if (!pa.zone_watermark_ok(z, order, z.pages_high, 0, 0)) {
          end_zone = i;
          break;
        }
      }
      if (end_zone < 0) break;
      sc.nr_scanned = 0;
      for (let i = 0; i <= end_zone; i++) {
        const z = pa.zones[i]!;
        if (z.present_pages === 0) continue;
        if (z.all_unreclaimable && priority !== DEF_PRIORITY) continue;
        if (!pa.zone_watermark_ok(z, order, z.pages_high, end_zone, 0)) all_zones_ok = false;
        if (!pa.zone_watermark_ok(z, order, 8 * z.pages_high, end_zone, 0)) nr_reclaimed += yield* shrink_zone(vm, priority, i, sc);
        if (z.all_unreclaimable) continue;
        // shrink_slab would report what it freed; the model has no shrinkable slab (nr_slab 0).
        if (z.pages_scanned >= (z.vm_stat[NR_ACTIVE]! + z.vm_stat[NR_INACTIVE]!) * 6) {
          z.all_unreclaimable = true;
          k.mark('zone_all_unreclaimable');
        }
      }
      total_scanned += sc.nr_scanned;
      if (all_zones_ok) break;
      if (total_scanned && priority < DEF_PRIORITY - 2) yield* congestion_wait(k, WRITE, Math.floor(k.HZ / 10));
      if (nr_reclaimed >= SWAP_CLUSTER_MAX) break;
    }
    if (all_zones_ok) break;
    // Not balanced yet: go again (the kernel's loop_again after cond_resched).
    yield* run_for_ns(k, 1000);
  }
  k.current.leave();
}

/**
 * @kernel mm/vmscan.c kswapd
 * PF_MEMALLOC | PF_SWAPWRITE | PF_KSWAPD; sleep on kswapd_wait until woken, then balance_pgdat.
 * Before sleeping it takes (and clears) the largest order asked for meanwhile: if that is larger
 * than the order it just balanced for, it balances again at once instead of sleeping. After a
 * wake-up it reads the order without clearing it; the next round clears it.
 */
export function* kswapd(vm: VmState): KGen {
  const k = vm.k;
  const t = k.current;
  t.flags |= PF_MEMALLOC | PF_SWAPWRITE | PF_KSWAPD;
  t.enter('kswapd');
  let order = 0;
  for (;;) {
    prepare_to_wait(k, vm.kswapd_wait, TASK_INTERRUPTIBLE);
    const new_order = vm.kswapd_max_order;
    vm.kswapd_max_order = 0;
    if (order < new_order) {
      order = new_order;
    } else {
      if (k.trace.on[TP.mm_vmscan_kswapd_sleep]) k.tp(TP.mm_vmscan_kswapd_sleep, 0);
      yield* schedule(k);
      order = vm.kswapd_max_order;
    }
    finish_wait(k, vm.kswapd_wait);
    if (k.trace.on[TP.mm_vmscan_kswapd_wake]) k.tp(TP.mm_vmscan_kswapd_wake, 0, order);
    yield* balance_pgdat(vm, order);
  }
}
