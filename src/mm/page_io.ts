/**
 * Swap I/O: building the bio for a swap-cache page, submitting it, and completing it.
 *
 * Mirrors: mm/page_io.c (get_swap_bio, swap_writepage, end_swap_bio_write) and
 * mm/filemap.c (end_page_writeback), v2.6.25.
 *
 * swap_writepage runs inside shrink_page_list with the page locked and PF_MEMALLOC set (direct
 * reclaim) or inside kswapd. Its bio comes from get_swap_bio(GFP_NOIO): one bio from fs_bio_set
 * and one biovec-1, both through mempools, so it sleeps in mempool_alloc's
 * io_schedule_timeout(5*HZ) when the slab cannot give an object and the 2-element reserves are
 * empty. remove_exclusive_swap_page only matters once files are removed (`workload.rounds`): a
 * page whose slot only the swap cache holds is dropped unwritten. Not modelled: read-side swap I/O.
 * Process context, may sleep (bio allocation, request allocation).
 */
import type { KRest, Task } from '../kernel/task.js';
import type { Kernel } from '../kernel/kernel.js';
import { GFP_NOIO } from '../include/gfp.js';
import { PG_dirty, PG_error, PG_locked, PG_reclaim, PG_writeback, PageFlag, SetPageFlag, ClearPageFlag } from '../include/page-flags.js';
import { bio, bio_alloc_try, bio_put, WRITE } from '../block/bio.js';
import { submit_bio_try } from '../block/blk-core.js';
import { rotate_reclaimable_page } from './swap.js';
import { swap_offset_to_sector } from './swapfile.js';
import { remove_exclusive_swap_page } from './shmem.js';
import { mod_page_state, type VmState } from './vm_state.js';
import { NR_WRITEBACK, PGROTATED, PSWPOUT } from './page_alloc.js';

const PAGE_SIZE = 4096;

/**
 * @kernel mm/page_io.c get_swap_bio
 * bio_alloc(gfp, 1), then point the bio at the page's swap sector: one 4096-byte vec. As far as it
 * goes without sleeping: the bio (or null), or the rest to run when bio_alloc must sleep (see
 * bio_alloc_bioset_try).
 */
function get_swap_bio_try(vm: VmState, gfp_flags: number, offset: number, pfn: number): bio | null | KRest<bio | null> {
  const t = vm.k.current;
  t.enter('get_swap_bio');
  const r = bio_alloc_try(vm.k, vm.fs_bio_set, gfp_flags, 1);
  if (r === null || r instanceof bio) return swap_bio_init(vm, offset, pfn, r);
  return get_swap_bio_rest(vm, offset, pfn, r);
}

/** @kernel mm/page_io.c get_swap_bio (the rest, after bio_alloc slept) */
function* get_swap_bio_rest(vm: VmState, offset: number, pfn: number, rest: KRest<bio | null>): KRest<bio | null> {
  return swap_bio_init(vm, offset, pfn, yield* rest);
}

/** @kernel mm/page_io.c get_swap_bio (its tail): sector, page and completion of the new bio; leaves get_swap_bio's frame. */
function swap_bio_init(vm: VmState, offset: number, pfn: number, b: bio | null): bio | null {
  if (b !== null) {
    b.bi_sector = swap_offset_to_sector(vm.si, offset);
    b.bv_page = pfn;
    b.bi_vcnt = 1;
    b.bi_size = PAGE_SIZE;
    b.bi_end_io = vm.end_swap_bio_write;
  }
  vm.k.current.leave();
  return b;
}

/**
 * @kernel mm/page_io.c swap_writepage
 * Allocate the bio (GFP_NOIO, may sleep), count PSWPOUT, set PG_writeback, unlock the page and
 * submit. Reclaim writes most pages without sleeping: the bio and its vec come from the first
 * rounds of their mempools and the bio merges into a queued request. Then this returns the result;
 * when something has to sleep it returns the rest of swap_writepage instead, for the caller to run
 * (`typeof r === 'number' ? r : yield* r`), so no generator is made for a page that does not sleep.
 */
export function swap_writepage_try(vm: VmState, pfn: number): number | KRest<number> {
  // remove_exclusive_swap_page: a page whose file was removed meanwhile is dropped, not written.
  if (vm.shmem_recs !== null && remove_exclusive_swap_page(vm, pfn)) {
    ClearPageFlag(vm.pa.page_flags, pfn, PG_locked);
    return 0;
  }
  vm.k.current.enter('swap_writepage');
  const r = get_swap_bio_try(vm, GFP_NOIO, vm.pa.page_private[pfn]!, pfn);
  if (r === null || r instanceof bio) return swap_writepage_submit(vm, pfn, r);
  return swap_writepage_rest(vm, pfn, r);
}

/** @kernel mm/page_io.c swap_writepage (the rest, after get_swap_bio slept) */
function* swap_writepage_rest(vm: VmState, pfn: number, rest: KRest<bio | null>): KRest<number> {
  const r = swap_writepage_submit(vm, pfn, yield* rest);
  return typeof r === 'number' ? r : yield* r;
}

/** @kernel mm/page_io.c swap_writepage (once its bio is there): writeback state, unlock, submit_bio; leaves swap_writepage's frame. */
function swap_writepage_submit(vm: VmState, pfn: number, b: bio | null): number | KRest<number> {
  const pa = vm.pa;
  const t = vm.k.current;
  if (b === null) {
    // Cannot happen with __GFP_WAIT; kept for the kernel's shape: redirty, unlock, -ENOMEM.
    SetPageFlag(pa.page_flags, pfn, PG_dirty);
    ClearPageFlag(pa.page_flags, pfn, PG_locked);
    t.leave();
    return -12;
  }
  pa.count_vm_events(PSWPOUT);
  if (vm.events.first_swap_write_ns < 0) vm.events.first_swap_write_ns = vm.k.now;
  // set_page_writeback (test_set_page_writeback).
  SetPageFlag(pa.page_flags, pfn, PG_writeback);
  mod_page_state(vm, pfn, NR_WRITEBACK, 1);
  ClearPageFlag(pa.page_flags, pfn, PG_locked);
  const rest = submit_bio_try(vm.swap_q, WRITE, b);
  if (rest === null) {
    t.leave();
    return 0;
  }
  return submit_rest_then_zero(t, rest);
}

/** @kernel mm/page_io.c swap_writepage (the rest, after submit_bio slept in get_request_wait) */
function* submit_rest_then_zero(t: Task, rest: KRest<void>): KRest<number> {
  yield* rest;
  t.leave();
  return 0;
}

/**
 * @kernel mm/filemap.c end_page_writeback
 * Clear PG_writeback; a page written for reclaim (PG_reclaim) rotates to the inactive tail when
 * rotate_reclaimable_page lets it (pgrotated counts the pages that moved).
 */
function end_page_writeback(vm: VmState, pfn: number): void {
  const pa = vm.pa;
  // TestClearPageReclaim.
  if (PageFlag(pa.page_flags, pfn, PG_reclaim)) {
    ClearPageFlag(pa.page_flags, pfn, PG_reclaim);
    if (rotate_reclaimable_page(vm.lru, pa.page_zone(pfn).idx, pfn)) pa.count_vm_events(PGROTATED);
  }
  ClearPageFlag(pa.page_flags, pfn, PG_writeback);
  mod_page_state(vm, pfn, NR_WRITEBACK, -1);
}

/**
 * @kernel mm/page_io.c end_swap_bio_write
 * On error: PG_error, redirty, a "Write-error on swap-device (major:minor:sector)" line (the model's
 * swap bios address the whole disk, sda, 8:0) and PG_reclaim cleared so that the page does not
 * rotate. Then end_page_writeback and bio_put (which refills or frees through the mempools).
 */
export function end_swap_bio_write(vm: VmState, k: Kernel, b: bio, err: number): void {
  const pfn = b.bv_page;
  const pa = vm.pa;
  if (err) {
    SetPageFlag(pa.page_flags, pfn, PG_error);
    SetPageFlag(pa.page_flags, pfn, PG_dirty);
    k.printk(`Write-error on swap-device (8:0:${b.bi_sector})`);
    ClearPageFlag(pa.page_flags, pfn, PG_reclaim);
    vm.events.swap_write_errors++;
  }
  end_page_writeback(vm, pfn);
  if (vm.events.swap_writes_completed++ === 0) vm.events.first_swap_write_done_ns = k.now;
  vm.events.last_swap_write_ns = k.now;
  bio_put(k, b);
}

/** Binds end_swap_bio_write to a VM (called once when the VM is set up). */
export function swap_io_init(vm: VmState): void {
  vm.end_swap_bio_write = (k, b, err) => end_swap_bio_write(vm, k, b, err);
}
