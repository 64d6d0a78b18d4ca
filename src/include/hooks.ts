/**
 * Hook interfaces that break the kernel's call cycles (page allocation enters reclaim, reclaim
 * submits I/O, I/O allocates from mempools). The allocators call these; the composition root
 * (src/scenario) wires the real implementations. Each hook names the kernel chain it stands for.
 */

/** A sleeping kernel path: structurally the same as KGen in src/kernel/task.ts. */
export type HookGen<T> = Generator<0, T, void>;

export interface PageAllocHooks {
  /** __alloc_pages -> wakeup_kswapd(zone, order) (mm/vmscan.c). `zone` is the zone index. */
  wakeup_kswapd(zone: number, order: number): void;
  /**
   * __alloc_pages -> try_to_free_pages(zones, order, gfp_mask) (mm/vmscan.c): direct reclaim,
   * entered with PF_MEMALLOC set by the caller. Returns the number of pages reclaimed
   * (did_some_progress when non-zero). `zonelist` lists zone indices, preferred zone first.
   */
  try_to_free_pages(zonelist: readonly number[], order: number, gfp_mask: number): HookGen<number>;
  /** __alloc_pages -> out_of_memory(zonelist, gfp_mask, order) (mm/oom_kill.c). May do nothing. */
  out_of_memory(zonelist: readonly number[], gfp_mask: number, order: number): HookGen<void>;
  /**
   * show_free_areas -> show_swap_cache_info (mm/swap_state.c), and show_mem's free swap: the swap
   * cache's add and delete totals and the swap slots, in pages; null without swap.
   */
  swap_cache_info(): SwapCacheInfo | null;
}

/** What show_swap_cache_info prints (find_success/find_total are 0: nothing looks pages up). */
export interface SwapCacheInfo {
  add_total: number;
  del_total: number;
  nr_swap_pages: number;
  total_swap_pages: number;
}

/** Default hooks: no kswapd, no reclaim progress, no OOM killer. */
export const NO_HOOKS: PageAllocHooks = {
  wakeup_kswapd() {},
  *try_to_free_pages() {
    return 0;
  },
  *out_of_memory() {},
  swap_cache_info() {
    return null;
  },
};
