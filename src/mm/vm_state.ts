/**
 * The reclaim side's shared state: what the kernel keeps in globals and per-zone fields for
 * reclaim and swap-out (LRU lists, the swap area, the swap device's queue, fs_bio_set, kswapd's
 * wait queue, and the vmstat event counters reclaim maintains).
 *
 * Not a kernel structure: the model gathers these globals in one object per run so that several
 * runs can live in one process. Fields keep their kernel names.
 */
import type { Kernel } from '../kernel/kernel.js';
import type { Task } from '../kernel/task.js';
import { wait_queue_head_t } from '../kernel/wait.js';
import type { bio, bio_set } from '../block/bio.js';
import type { request_queue } from '../block/blk-core.js';
import type { PageAllocator } from './page_alloc.js';
import type { lru_lists } from './swap.js';
import type { swap_info_struct } from './swapfile.js';
import { radix_tree_root, type radix_tree_ctx } from './radix-tree.js';
import { GFP_ATOMIC, __GFP_NOWARN } from '../include/gfp.js';

/**
 * Model-only counters of the reclaim side. The kernel's own vmstat events (pswpout, pgscan_*,
 * pgsteal_*, allocstall, ...) are counted in the page allocator's vm_events, as 2.6.25 does.
 */
export class vm_events {
  /** Pages whose swap write completed (end_swap_bio_write), the writeback side of progress. */
  swap_writes_completed = 0;
  /** When the last of them completed, ns (0 before the first): with the workload's last copy, the exact time of the last forward progress. */
  last_swap_write_ns = 0;
  /** When the first swap write was submitted, and when the first one completed, ns (-1: not yet). */
  first_swap_write_ns = -1;
  first_swap_write_done_ns = -1;
  /** Pages moved from tmpfs into the swap cache (shmem_writepage). */
  shmem_to_swapcache = 0;
  /** Write errors (end_swap_bio_write with an error). */
  swap_write_errors = 0;
  /** Swap-vector index pages tmpfs files hold (shmem_dir_alloc; freed only when the workload removes the files). */
  shmem_index_pages = 0;
  /**
   * Pages that a file's removal took out of every cache while a reclaimer held them isolated
   * (workload.rounds): all of them, and those not yet freed by the reclaimer's putback.
   */
  shmem_orphans = 0;
  shmem_orphans_live = 0;
  /** swap_cache_info.add_total and del_total: pages added to and deleted from the swap cache. */
  swap_cache_add_total = 0;
  swap_cache_del_total = 0;
  /** Direct reclaims that returned 0 because every zone was all_unreclaimable (the OOM path follows). */
  reclaim_all_unreclaimable = 0;
}

/**
 * The tmpfs files' own record of where each page of theirs is, for truncation (rm): one record per
 * (file, page index), with the page frame while the page is in memory (page cache or swap cache)
 * and the swap entry the inode holds once shmem_writepage gave it one. In 2.6.25 these are the
 * inode's page_tree and its swap vector (shmem_swp_entry); the model keeps them in two flat
 * arrays, and a page names its record through page_rec (the kernel's page->mapping and
 * page->index lead to the same place). Only runs whose workload deletes its files keep them
 * (`workload.rounds` above 1); elsewhere VmState.shmem_recs is null and nothing here is touched.
 * Not a kernel structure.
 */
export class shmem_records {
  /** Per record: the page frame holding the data, or -1 (not in memory). */
  readonly pfn: Int32Array;
  /** Per record: the swap slot the inode's swap vector holds, or 0 (none). */
  readonly swap: Int32Array;
  /** Per page frame: the record of the tmpfs page it holds, or -1. */
  readonly page_rec: Int32Array;
  constructor(records: number, max_pfn: number) {
    this.pfn = new Int32Array(records).fill(-1);
    this.swap = new Int32Array(records);
    this.page_rec = new Int32Array(max_pfn).fill(-1);
  }
}

export class VmState {
  readonly events = new vm_events();
  readonly kswapd_wait = new wait_queue_head_t('pgdat->kswapd_wait');
  kswapd: Task | null = null;
  kswapd_max_order = 0;
  /** end_swap_bio_write bound to this VM: every swap bio's bi_end_io (one closure, not one per bio). */
  end_swap_bio_write: (k: Kernel, b: bio, err: number) => void = () => {};
  /**
   * Spare isolation batches for shrink_inactive_list and shrink_active_list (not a kernel
   * structure: the kernel's page_list lives on the reclaimer's stack). Each reclaimer takes one for
   * the length of its call, since it may sleep holding its batch; reusing them keeps reclaim from
   * allocating an array per batch.
   */
  readonly spare_batches: Int32Array[] = [];
  /** zone->nr_scan_inactive and zone->nr_scan_active: shrink_zone's per-zone scan accumulators. */
  readonly nr_scan_inactive: Float64Array;
  readonly nr_scan_active: Float64Array;
  /** vm_dirty_ratio (percent). */
  vm_dirty_ratio = 10;
  /** Modelled CPU cost of scanning one page in shrink_page_list, ns. */
  scan_cost_ns = 100;
  /**
   * Charge that cost before each page (reclaimers interleave page by page) rather than for the
   * whole isolated batch before shrink_page_list (which then runs without yielding). In the
   * kernel, reclaimers on different CPUs run in parallel page by page while tasks of one CPU take
   * turns by time slice: per-page charging with cpu_sharing 'slice' comes closest.
   */
  scan_charge_per_page = false;
  /** swapper_space.page_tree: the swap cache's radix tree, RADIX_TREE_INIT(GFP_ATOMIC|__GFP_NOWARN). */
  readonly swapper_space = new radix_tree_root('swapper_space', GFP_ATOMIC | __GFP_NOWARN);
  /** The radix_tree_node cache and per-CPU preloads; null: node allocation is not modelled. */
  radix: radix_tree_ctx | null = null;
  /**
   * The page_trees of tmpfs files that have pages in the page cache, by the number a tmpfs page's
   * pa.page_mapping holds (the model's page->mapping; a slab page's holds its cache id, as SLUB's
   * page->slab shares the union with mapping). A tree gives its number back when its last page
   * leaves it, so the table holds only the files with pages in memory. Not a kernel structure.
   */
  readonly mappings: (radix_tree_root | null)[] = [];
  readonly free_mapping_ids: number[] = [];
  /** Where each tmpfs page is, for truncation; null unless the workload deletes files. */
  shmem_recs: shmem_records | null = null;

  constructor(
    readonly k: Kernel,
    readonly pa: PageAllocator,
    readonly lru: lru_lists,
    readonly si: swap_info_struct,
    readonly swap_q: request_queue,
    readonly fs_bio_set: bio_set,
  ) {
    this.nr_scan_inactive = new Float64Array(pa.zones.length);
    this.nr_scan_active = new Float64Array(pa.zones.length);
  }
}

/** mod_zone_page_state for the zone of `pfn` (inc/dec_zone_page_state). */
export function mod_page_state(vm: VmState, pfn: number, item: number, delta: number): void {
  vm.pa.mod_zone_page_state(vm.pa.page_zone(pfn), item, delta);
}
