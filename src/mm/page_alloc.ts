/**
 * The zoned buddy page allocator of one x86_64 node: zones, watermarks, lowmem_reserve, the
 * buddy free lists, __alloc_pages with its fallbacks into kswapd, direct reclaim, the OOM path
 * and the allocation-failure report, plus the per-page state (mem_map) and vmstat counters.
 *
 * Mirrors: mm/page_alloc.c of v2.6.25 (free_area_init_core's present_pages arithmetic,
 * memmap_init_zone's pageblock types, build_all_zonelists' mobility-grouping rule,
 * init_per_zone_pages_min, setup_per_zone_pages_min, setup_zone_migrate_reserve,
 * setup_per_zone_lowmem_reserve, zone_watermark_ok, get_page_from_freelist, buffered_rmqueue,
 * rmqueue_bulk, free_hot_cold_page, free_pages_bulk, __rmqueue, __rmqueue_smallest,
 * __rmqueue_fallback, move_freepages_block, expand, __free_one_page, __alloc_pages,
 * show_free_areas), include/linux/mmzone.h, include/linux/pageblock-flags.h, include/linux/gfp.h
 * (allocflags_to_migratetype), include/linux/vmstat.h and the vmstat_text names of mm/vmstat.c.
 *
 * Machine layout (`layout: 'realistic'`, the default), an assumption about the e820 map of a
 * typical PC of the era, documented in docs/kernel-map.md:
 *  - usable RAM 0..636 KiB (pfn 0-158), the legacy ISA/EBDA hole pfn 159-255 (97 pages absent);
 *  - RAM from 1 MiB up to min(RAM, 3.5 GiB); the 512 MiB PCI MMIO hole 3.5-4 GiB; the rest of RAM
 *    remapped above 4 GiB (ZONE_NORMAL);
 *  - ZONE_DMA = pfn 0-4095, ZONE_DMA32 = 4096 up to 4 GiB, ZONE_NORMAL above; ZONE_MOVABLE empty;
 *  - present_pages = spanned - holes - mem_map (56 bytes of struct page per spanned page), and
 *    in ZONE_DMA also minus dma_reserve (kernel image at 2 MiB and early reservations; default
 *    1420 pages, giving the 2523 present DMA pages a 2.6.25 x86_64 boot log shows). They are one
 *    run from 2 MiB: page 0 (e820_64.c's BIOS data page) and the SMP trampoline are not singled
 *    out, so ZONE_DMA's migrate-reserve block is pageblock 0, where 2.6.25 skips a block whose
 *    first page is reserved (only GFP_DMA allocations could tell).
 * `layout: 'flat'` splits RAM at 16 MiB and 4 GiB with no holes or reservations (handy for
 * checking the reference's whole-RAM arithmetic).
 *
 * Simplified, and why it does not matter for reclaim:
 *  - Per-CPU page lists are modelled (2.6.25 has one list per zone and CPU, holding pages of all
 *    migrate types). They matter for reclaim: the watermark check is for one page but rmqueue_bulk
 *    moves a whole batch, and pages on the lists are not in NR_FREE_PAGES, so refills can take
 *    NR_FREE_PAGES below the mark a caller passed (`pcp: false` turns the lists off). A free is hot
 *    (to the list's head) except where 2.6.25 frees cold: reclaim's freed pages go to the tail
 *    (shrink_page_list's pagevec is cold), where free_pages_bulk takes them back first. A
 *    __GFP_COLD allocation searches from the tail. drain_all_pages (after high-order direct
 *    reclaim) is not modelled.
 *  - Migrate types are modelled as 2.6.25 has them (include/linux/mmzone.h, pageblock-flags.h):
 *    UNMOVABLE/RECLAIMABLE/MOVABLE/RESERVE (+ the unused ISOLATE, so MIGRATE_TYPES = 5), one type per
 *    2 MiB pageblock (pageblock_order 9, the x86_64 defconfig with CONFIG_HUGETLB_PAGE), all blocks
 *    MOVABLE at boot (memmap_init_zone) and ceil(pages_min / 512) of them per zone turned into
 *    MIGRATE_RESERVE (setup_zone_migrate_reserve); free lists per (order, type) with nr_free per
 *    order; __rmqueue = __rmqueue_smallest then __rmqueue_fallback (the fallbacks table, pageblock
 *    stealing via move_freepages_block, RESERVE last). Grouping is disabled, as build_all_zonelists
 *    decides, below pageblock_nr_pages * MIGRATE_TYPES = 2560 pages (never, at >= 64 MiB).
 *    The consequence that matters for reclaim: pcp pages carry a type, and an order-0 request that
 *    finds no page of its own type on the CPU list pulls a fresh batch from the buddy lists although
 *    the list is not empty (so GFP_ATOMIC/slab requests on a CPU whose list holds freed MOVABLE pages
 *    keep taking batches out of NR_FREE_PAGES). Pages freed from RESERVE blocks sit on the pcp list
 *    with type RESERVE, which no request asks for, until free_pages_bulk returns them.
 *  - No memory hotplug (MIGRATE_ISOLATE never set), no page migration or lumpy reclaim.
 *  - The zone counters are exact by default. With `machine.vmstat: per_cpu`, NR_FREE_PAGES has
 *    2.6.25's per-CPU deltas (mm/vmstat.c): each CPU's page allocations and frees collect in its
 *    vm_stat_diff until they pass the zone's stat_threshold (24 pages for a 2-4 GiB zone on 2
 *    CPUs), and vmstat_update folds them every second (src/mm/vmstat.ts); the zone counter that
 *    zone_watermark_ok reads can then be off by up to cpus x threshold pages near a line. One
 *    __mod_zone_page_state per page, as __rmqueue and __free_one_page make them. The other zone
 *    counters stay exact: their drift (a few dozen against thousands) decides nothing on this path.
 *  - No cpusets, no NUMA (one node, zone_reclaim_mode 0), no rt tasks (ALLOC_HARDER for rt tasks
 *    never applies), no TIF_MEMDIE, no page poisoning or zeroing.
 *  - mem_map: each zone gives up free_area_init_core's estimate (56 bytes per spanned page) at the
 *    start of its own pages. x86_64's SPARSEMEM_VMEMMAP (the 2.6.25 default) instead backs the
 *    struct pages with 2 MiB bootmem blocks above 16 MiB, 512 pages per 128 MiB section, all in
 *    ZONE_DMA32: on a 2.75 GiB machine about 1 400 pages more than the estimate, and ZONE_NORMAL
 *    (above 4 GiB) would keep its share. The watermarks, which come from present_pages, are the
 *    same either way.
 *
 * Contexts: `__alloc_pages` is a generator and may sleep (direct reclaim, congestion_wait, the OOM
 * retry); only process context may run it. `alloc_pages_nosleep`, `__free_pages`, `put_page` and
 * all accessors are synchronous and callable from any context (interrupt included).
 * Hot paths (allocation and free) allocate no objects: all state lives in typed arrays.
 */
import type { Kernel } from '../kernel/kernel.js';
import { PF_MEMALLOC, type KGen } from '../kernel/task.js';
import { cond_resched, schedule_timeout_uninterruptible } from '../kernel/sched.js';
import { TP } from '../kernel/trace.js';
import { assert, fail } from '../sim/assert.js';
import { recycle, take } from '../sim/recycle.js';
import {
  ALLOC_CPUSET,
  ALLOC_HARDER,
  ALLOC_HIGH,
  ALLOC_NO_WATERMARKS,
  ALLOC_WMARK_HIGH,
  ALLOC_WMARK_LOW,
  ALLOC_WMARK_MIN,
  GFP_ATOMIC,
  __GFP_COLD,
  __GFP_COMP,
  __GFP_DMA,
  __GFP_DMA32,
  __GFP_FS,
  __GFP_HARDWALL,
  __GFP_HIGH,
  __GFP_HIGHMEM,
  __GFP_MOVABLE,
  __GFP_NOFAIL,
  __GFP_NOMEMALLOC,
  __GFP_NORETRY,
  __GFP_NOWARN,
  __GFP_RECLAIMABLE,
  __GFP_REPEAT,
  __GFP_WAIT,
} from '../include/gfp.js';
import {
  NR_PAGE_USES,
  PAGE_USE_FREE,
  PAGE_USE_OTHER,
  PAGE_USE_RESERVED,
  PAGE_USE_SWAPCACHE,
  PG_active,
  PG_buddy,
  PG_compound,
  PG_locked,
  PG_lru,
  PG_reserved,
  PG_slab,
  PG_swapcache,
  PG_writeback,
} from '../include/page-flags.js';
import { NO_HOOKS, type PageAllocHooks } from '../include/hooks.js';
import { congestion_wait, WRITE } from './backing-dev.js';

export const PAGE_SHIFT = 12;
export const PAGE_SIZE = 4096;
export const MAX_ORDER = 11;
export const PAGE_ALLOC_COSTLY_ORDER = 3;
/** sizeof(struct page) on x86_64 in 2.6.25 (flags, _count, _mapcount, private, mapping, index, lru). */
export const SIZEOF_STRUCT_PAGE = 56;

// ---- migrate types (include/linux/mmzone.h, include/linux/pageblock-flags.h) ----
export const MIGRATE_UNMOVABLE = 0;
export const MIGRATE_RECLAIMABLE = 1;
export const MIGRATE_MOVABLE = 2;
export const MIGRATE_RESERVE = 3;
/** Memory hot-remove only (set_migratetype_isolate); never set in the model, but it counts in MIGRATE_TYPES. */
export const MIGRATE_ISOLATE = 4;
/** 5 in v2.6.25: MIGRATE_ISOLATE is unconditional there. Enters the mobility-grouping threshold. */
export const MIGRATE_TYPES = 5;
export const migratetype_names = ['Unmovable', 'Reclaimable', 'Movable', 'Reserve', 'Isolate'] as const;
/**
 * x86_64 defconfig of 2.6.25 has CONFIG_HUGETLB_PAGE=y and no CONFIG_HUGETLB_PAGE_SIZE_VARIABLE,
 * so pageblock_order = HUGETLB_PAGE_ORDER = HPAGE_SHIFT (PMD_SHIFT 21) - PAGE_SHIFT = 9 (2 MiB
 * blocks). Without hugetlb it would be MAX_ORDER-1 = 10.
 */
export const pageblock_order = 9;
export const pageblock_nr_pages = 1 << pageblock_order;
/**
 * The fallbacks[MIGRATE_TYPES][MIGRATE_TYPES-1] table of __rmqueue_fallback: rows have four slots
 * and the kernel initialises three, so the fourth is 0 (MIGRATE_UNMOVABLE). That implicit entry is
 * harmless (it names a list already searched or, for UNMOVABLE, the caller's own empty list) and is
 * kept so the walk is the kernel's. RESERVE entries are skipped by the walk; the ISOLATE row is all 0.
 */
export const fallbacks: readonly (readonly number[])[] = [
  [MIGRATE_RECLAIMABLE, MIGRATE_MOVABLE, MIGRATE_RESERVE, MIGRATE_UNMOVABLE],
  [MIGRATE_UNMOVABLE, MIGRATE_MOVABLE, MIGRATE_RESERVE, MIGRATE_UNMOVABLE],
  [MIGRATE_RECLAIMABLE, MIGRATE_UNMOVABLE, MIGRATE_RESERVE, MIGRATE_UNMOVABLE],
  [MIGRATE_RESERVE, MIGRATE_RESERVE, MIGRATE_RESERVE, MIGRATE_UNMOVABLE],
  [MIGRATE_UNMOVABLE, MIGRATE_UNMOVABLE, MIGRATE_UNMOVABLE, MIGRATE_UNMOVABLE],
];

export const ZONE_DMA = 0;
export const ZONE_DMA32 = 1;
export const ZONE_NORMAL = 2;
export const ZONE_MOVABLE = 3;
export const MAX_NR_ZONES = 4;
export const zone_names = ['DMA', 'DMA32', 'Normal', 'Movable'] as const;
/** sysctl_lowmem_reserve_ratio[MAX_NR_ZONES-1] for x86_64 (DMA, DMA32, Normal). */
export const sysctl_lowmem_reserve_ratio = [256, 256, 32] as const;

/** pfn where ZONE_DMA32 starts (16 MiB) and where ZONE_NORMAL starts (4 GiB). */
export const MAX_DMA_PFN = 4096;
export const MAX_DMA32_PFN = 1 << 20;

// ---- vmstat (include/linux/mmzone.h enum zone_stat_item, include/linux/vmstat.h vm_event_item) ----
export const NR_FREE_PAGES = 0;
export const NR_INACTIVE = 1;
export const NR_ACTIVE = 2;
export const NR_ANON_PAGES = 3;
export const NR_FILE_MAPPED = 4;
export const NR_FILE_PAGES = 5;
export const NR_FILE_DIRTY = 6;
export const NR_WRITEBACK = 7;
export const NR_SLAB_RECLAIMABLE = 8;
export const NR_SLAB_UNRECLAIMABLE = 9;
export const NR_PAGETABLE = 10;
export const NR_UNSTABLE_NFS = 11;
export const NR_BOUNCE = 12;
export const NR_VMSCAN_WRITE = 13;
export const NR_VM_ZONE_STAT_ITEMS = 14;

export const PGPGIN = 0;
export const PGPGOUT = 1;
export const PSWPIN = 2;
export const PSWPOUT = 3;
/** Per-zone events take base + zone index (DMA, DMA32, Normal, Movable). */
export const PGALLOC = 4;
export const PGFREE = 8;
export const PGACTIVATE = 9;
export const PGDEACTIVATE = 10;
export const PGFAULT = 11;
export const PGMAJFAULT = 12;
export const PGREFILL = 13;
export const PGSTEAL = 17;
export const PGSCAN_KSWAPD = 21;
export const PGSCAN_DIRECT = 25;
export const PGINODESTEAL = 29;
export const SLABS_SCANNED = 30;
export const KSWAPD_STEAL = 31;
export const KSWAPD_INODESTEAL = 32;
export const PAGEOUTRUN = 33;
export const ALLOCSTALL = 34;
export const PGROTATED = 35;
export const NR_VM_EVENT_ITEMS = 36;

const zoneTexts = (p: string): string[] => [`${p}_dma`, `${p}_dma32`, `${p}_normal`, `${p}_movable`];
/** /proc/vmstat names in order (mm/vmstat.c vmstat_text, x86_64, no NUMA): zone items, then events. */
export const vmstat_text: readonly string[] = [
  'nr_free_pages', 'nr_inactive', 'nr_active', 'nr_anon_pages', 'nr_mapped', 'nr_file_pages', 'nr_dirty',
  'nr_writeback', 'nr_slab_reclaimable', 'nr_slab_unreclaimable', 'nr_page_table_pages', 'nr_unstable',
  'nr_bounce', 'nr_vmscan_write',
  'pgpgin', 'pgpgout', 'pswpin', 'pswpout', ...zoneTexts('pgalloc'), 'pgfree', 'pgactivate', 'pgdeactivate',
  'pgfault', 'pgmajfault', ...zoneTexts('pgrefill'), ...zoneTexts('pgsteal'), ...zoneTexts('pgscan_kswapd'),
  ...zoneTexts('pgscan_direct'), 'pginodesteal', 'slabs_scanned', 'kswapd_steal', 'kswapd_inodesteal',
  'pageoutrun', 'allocstall', 'pgrotated',
];

/**
 * One CPU's order-0 page list for a zone (struct per_cpu_pages; 2.6.25 has a single list per zone
 * and CPU, holding pages of every migrate type, each tagged with the type recorded when it joined).
 * The list's head is where hot frees and rmqueue_bulk put pages and where a hot allocation starts
 * looking for a page of its type; its tail is where cold frees put pages, where free_pages_bulk
 * takes pages and where a __GFP_COLD allocation starts.
 *
 * Host representation (not the kernel's): the one list is kept as one ring per recorded type, each
 * in list order, and every page carries a sequence number that grows towards the head (a page put
 * at the head gets a number above every other, one put at the tail a number below). The kernel's
 * walk from the head to the first page of a type then is the newest entry of that type's ring, the
 * walk from the tail its oldest, and the list's tail is the ring whose oldest entry has the smallest
 * number. Every operation takes the page the kernel's list would give, without the walk and without
 * shifting the rest of the list.
 */
export class per_cpu_pages {
  count = 0;
  /** How many pages of each recorded migrate type the list holds (each ring's length). */
  readonly nr_mt = new Int32Array(MIGRATE_TYPES);
  /** Per ring: the position of its oldest (tailmost) entry. */
  private readonly start = new Int32Array(MIGRATE_TYPES);
  /** Ring storage: ring t occupies [t * cap, (t + 1) * cap). */
  private pfns: Int32Array;
  private seqs: Float64Array;
  private cap: number;
  /** The sequence number of the page at the head; the next page put at the head gets hi + 1. */
  private hi = 0;
  /** The sequence number of the page at the tail; the next page put at the tail gets lo - 1. */
  private lo = 1;

  constructor(
    readonly batch: number,
    readonly high: number,
  ) {
    // count is below high after a free, but only frees check high: each request type that finds no
    // page of its own adds a batch on top, so the list can hold up to about high + 3 * batch.
    let cap = 1;
    while (cap < high + MIGRATE_TYPES * batch + 1) cap *= 2;
    this.cap = cap;
    this.pfns = new Int32Array(MIGRATE_TYPES * cap);
    this.seqs = new Float64Array(MIGRATE_TYPES * cap);
  }

  /** Enlarges the rings so that one of them can hold `need` pages (never expected). */
  private grow(need: number): void {
    let cap = this.cap * 2;
    while (cap < need) cap *= 2;
    const pfns = new Int32Array(MIGRATE_TYPES * cap);
    const seqs = new Float64Array(MIGRATE_TYPES * cap);
    const mask = this.cap - 1;
    for (let t = 0; t < MIGRATE_TYPES; t++) {
      for (let i = 0; i < this.nr_mt[t]!; i++) {
        const from = t * this.cap + ((this.start[t]! + i) & mask);
        pfns[t * cap + i] = this.pfns[from]!;
        seqs[t * cap + i] = this.seqs[from]!;
      }
      this.start[t] = 0;
    }
    this.pfns = pfns;
    this.seqs = seqs;
    this.cap = cap;
  }

  /** A hot free: `pfn`, recorded as `mt`, becomes the head. */
  add_head(pfn: number, mt: number): void {
    if (this.nr_mt[mt]! === this.cap) this.grow(this.cap + 1);
    const at = mt * this.cap + ((this.start[mt]! + this.nr_mt[mt]!) & (this.cap - 1));
    this.pfns[at] = pfn;
    this.seqs[at] = ++this.hi;
    this.nr_mt[mt]!++;
    this.count++;
  }

  /** A cold free: `pfn`, recorded as `mt`, becomes the tail. */
  add_tail(pfn: number, mt: number): void {
    if (this.nr_mt[mt]! === this.cap) this.grow(this.cap + 1);
    const s = (this.start[mt]! - 1) & (this.cap - 1);
    this.start[mt] = s;
    this.pfns[mt * this.cap + s] = pfn;
    this.seqs[mt * this.cap + s] = --this.lo;
    this.nr_mt[mt]!++;
    this.count++;
  }

  /**
   * rmqueue_bulk's batch: `pfns[0..n)` in the order taken, all recorded as `mt`. The first page
   * taken becomes the head and the others follow it in order, ahead of the pages already listed.
   */
  add_batch_head(pfns: Int32Array, n: number, mt: number): void {
    for (let i = n - 1; i >= 0; i--) this.add_head(pfns[i]!, mt);
  }

  /** The headmost page recorded as `mt`, removed (the ring must not be empty). */
  take_head_of(mt: number): number {
    const len = --this.nr_mt[mt]!;
    this.count--;
    return this.pfns[mt * this.cap + ((this.start[mt]! + len) & (this.cap - 1))]!;
  }

  /** The tailmost page recorded as `mt`, removed (the ring must not be empty). */
  take_tail_of(mt: number): number {
    const s = this.start[mt]!;
    this.start[mt] = (s + 1) & (this.cap - 1);
    this.nr_mt[mt]!--;
    this.count--;
    return this.pfns[mt * this.cap + s]!;
  }

  /** The recorded type of the page at the head (the list must not be empty). */
  head_type(): number {
    let best = -1;
    let bestSeq = -Infinity;
    for (let t = 0; t < MIGRATE_TYPES; t++) {
      const len = this.nr_mt[t]!;
      if (len === 0) continue;
      const q = this.seqs[t * this.cap + ((this.start[t]! + len - 1) & (this.cap - 1))]!;
      if (q > bestSeq) {
        bestSeq = q;
        best = t;
      }
    }
    return best;
  }

  /** The recorded type of the page at the tail (the list must not be empty). */
  tail_type(): number {
    let best = -1;
    let bestSeq = Infinity;
    for (let t = 0; t < MIGRATE_TYPES; t++) {
      if (this.nr_mt[t]! === 0) continue;
      const q = this.seqs[t * this.cap + this.start[t]!]!;
      if (q < bestSeq) {
        bestSeq = q;
        best = t;
      }
    }
    return best;
  }

  /** The list from head to tail as [pfn, recorded type] pairs, for tests and checks. */
  entries(): [number, number][] {
    const all: [number, number, number][] = [];
    for (let t = 0; t < MIGRATE_TYPES; t++) {
      for (let i = 0; i < this.nr_mt[t]!; i++) {
        const at = t * this.cap + ((this.start[t]! + i) & (this.cap - 1));
        all.push([this.seqs[at]!, this.pfns[at]!, t]);
      }
    }
    all.sort((a, b) => b[0] - a[0]);
    return all.map(([, pfn, t]) => [pfn, t]);
  }

  /** Checks the representation: each ring in list order, lengths adding up to count. */
  check(where: string): void {
    let n = 0;
    for (let t = 0; t < MIGRATE_TYPES; t++) n += this.nr_mt[t]!;
    assert(n === this.count, `per-CPU list ${where}: ${n} pages by type, count says ${this.count}`);
    for (let t = 0; t < MIGRATE_TYPES; t++) {
      for (let i = 1; i < this.nr_mt[t]!; i++) {
        const a = this.seqs[t * this.cap + ((this.start[t]! + i - 1) & (this.cap - 1))]!;
        const b = this.seqs[t * this.cap + ((this.start[t]! + i) & (this.cap - 1))]!;
        assert(a < b, `per-CPU list ${where}: type ${t} out of list order`);
      }
    }
  }
}

/**
 * @kernel mm/page_alloc.c zone_batchsize
 * About a quarter of a 1/1024 share of the zone, capped at 512 KiB worth of pages, at least 1,
 * then rounded down to 2^n - 1 (so that batches do not alias cache colours).
 */
export function zone_batchsize(present_pages: number): number {
  let batch = Math.floor(present_pages / 1024);
  if (batch * PAGE_SIZE > 512 * 1024) batch = (512 * 1024) / PAGE_SIZE;
  batch = Math.floor(batch / 4);
  if (batch < 1) batch = 1;
  const x = batch + Math.floor(batch / 2);
  return (1 << (31 - Math.clz32(x))) - 1;
}

/** One struct zone. */
export class zone {
  zone_start_pfn = 0;
  spanned_pages = 0;
  /** Pages in holes inside the span. */
  absent_pages = 0;
  /** Pages of mem_map accounted to this zone (free_area_init_core's estimate). */
  memmap_pages = 0;
  /** dma_reserve pages taken from ZONE_DMA. */
  reserved_pages = 0;
  present_pages = 0;
  pages_min = 0;
  pages_low = 0;
  pages_high = 0;
  readonly lowmem_reserve = new Float64Array(MAX_NR_ZONES);
  /** free_area[order].nr_free: free blocks of each order, all migrate types together. */
  readonly nr_free = new Float64Array(MAX_ORDER);
  /** Head pfn of free_area[order].free_list[migratetype] at [order * MIGRATE_TYPES + migratetype] (-1 when empty). */
  readonly free_head = new Int32Array(MAX_ORDER * MIGRATE_TYPES).fill(-1);
  readonly vm_stat = new Float64Array(NR_VM_ZONE_STAT_ITEMS);
  /**
   * per_cpu_pageset.stat_threshold (the same for every CPU of a zone): 0 until setup_vmstat sets it
   * (every update then goes straight to vm_stat, as during 2.6.25's boot), and 0 for `exact` counters.
   */
  stat_threshold = 0;
  /** per_cpu_pageset.vm_stat_diff[NR_FREE_PAGES] per CPU: free-page changes not yet in vm_stat. */
  free_diff: Int32Array = new Int32Array(0);
  /** Per-CPU pagesets (struct per_cpu_pages): order-0 pages held per CPU, not counted in NR_FREE_PAGES. */
  pcp: per_cpu_pages[] = [];
  /**
   * Pages reclaim has scanned (isolated) in this zone since pages were last freed to its buddy
   * lists, and ZONE_ALL_UNRECLAIMABLE, which kswapd sets when that count reaches six times the
   * zone's LRU pages (mm/vmscan.c balance_pgdat) and any free to the buddy lists clears.
   */
  pages_scanned = 0;
  all_unreclaimable = false;
  /** Lowest NR_FREE_PAGES seen since the allocator was set up (a statistic: "how close did it get"). */
  min_free_seen = Infinity;
  /**
   * Free-page levels an observer watches (not kernel state; src/scenario/timeline.ts sets them):
   * watch_first_ns[i] is when NR_FREE_PAGES first fell to watch_levels[i] or below, ns (-1: not yet).
   */
  watch_levels: number[] = [];
  watch_first_ns: number[] = [];
  /**
   * A line an observer follows in both directions (not kernel state; src/scenario/squeezes.ts sets
   * it to the zone's GFP_ATOMIC line): squeeze_below says whether NR_FREE_PAGES is at or below it,
   * and while it is, squeeze_deepest keeps the lowest free count minus the line. -Infinity: not
   * followed.
   */
  squeeze_line = -Infinity;
  squeeze_below = false;
  squeeze_deepest = 0;
  constructor(
    readonly idx: number,
    readonly name: string,
  ) {}

  get populated(): boolean {
    return this.present_pages > 0;
  }
}

export interface MachineOptions {
  /** Installed RAM in bytes (a multiple of 4 KiB; at least 64 MiB). */
  ram_bytes: number;
  /** 'realistic' (holes, mem_map, dma_reserve; default) or 'flat'. */
  layout?: 'realistic' | 'flat';
  /** Pages reserved in ZONE_DMA for the kernel image and early allocations (default 1420). */
  dma_reserve_pages?: number;
  /** Where the PCI hole below 4 GiB starts, bytes (default 3.5 GiB). */
  pci_hole_start_bytes?: number;
  /** Per-CPU page lists (default true); false takes every order-0 page straight from the buddy lists. */
  pcp?: boolean;
  /**
   * CPU time a printed page allocation failure report takes on its CPU, ns (default 0): 2.6.25's
   * dump_stack and show_mem (a walk over every page frame) and the console, with interrupts off.
   */
  failure_report_ns?: number;
  /** Override min_free_kbytes (the vm.min_free_kbytes sysctl); computed when absent. */
  min_free_kbytes?: number;
  /**
   * Grouping pages by mobility (default true; 2.6.25 turns it off only below
   * pageblock_nr_pages * MIGRATE_TYPES pages). false forces page_group_by_mobility_disabled, which
   * puts every block and request on the MIGRATE_UNMOVABLE lists (a model knob, for comparisons).
   */
  mobility_grouping?: boolean;
  /** The kernel release dump_stack prints (init_utsname()->release; default "2.6.25"). */
  uts_release?: string;
}

/** Pages per SPARSEMEM section on x86_64 (SECTION_SIZE_BITS 27: 128 MiB). */
const PAGES_PER_SECTION = 1 << (27 - 12);

/** One recorded allocation failure (reached nopage), for reports. */
export interface AllocFailure {
  timeNs: number;
  pid: number;
  comm: string;
  /** The CPU the allocation ran on. */
  cpu: number;
  order: number;
  gfp: number;
  /** Call chain, innermost first. */
  frames: string[];
  /** Was the report printed (not suppressed by NOWARN or the rate limit)? */
  reported: boolean;
}

/** Coverage marks of rare page-allocator paths. */
export interface PageAllocMarks {
  /** alloc_pages_nosleep reached the point where __alloc_pages would enter direct reclaim. */
  slab_would_reclaim: number;
  /** A PF_MEMALLOC caller used ALLOC_NO_WATERMARKS successfully. */
  no_watermarks_alloc: number;
  /** A GFP_ATOMIC (HIGH, no WAIT) allocation failed. */
  atomic_failure: number;
  /** A PF_MEMALLOC caller with __GFP_NOMEMALLOC went to nopage. */
  memalloc_nomemalloc_failure: number;
  /** __GFP_NOFAIL under PF_MEMALLOC would have slept in alloc_pages_nosleep. */
  nofail_would_sleep: number;
}

/** int_sqrt (lib/int_sqrt.c): floor of the square root. */
export function int_sqrt(x: number): number {
  let r = Math.floor(Math.sqrt(x));
  while (r * r > x) r--;
  while ((r + 1) * (r + 1) <= x) r++;
  return r;
}

/**
 * @kernel mm/page_alloc.c init_per_zone_pages_min
 * min_free_kbytes = int_sqrt(lowmem_kbytes * 16), clamped to [128, 65536].
 */
export function calc_min_free_kbytes(lowmem_kbytes: number): number {
  let m = int_sqrt(lowmem_kbytes * 16);
  if (m < 128) m = 128;
  if (m > 65536) m = 65536;
  return m;
}

/** gfp_zone (include/linux/gfp.h, x86_64 without HIGHMEM): the highest zone a mask may use. */
export function gfp_zone(gfp: number): number {
  if (gfp & __GFP_DMA) return ZONE_DMA;
  if (gfp & __GFP_DMA32) return ZONE_DMA32;
  if ((gfp & (__GFP_HIGHMEM | __GFP_MOVABLE)) === (__GFP_HIGHMEM | __GFP_MOVABLE)) return ZONE_MOVABLE;
  return ZONE_NORMAL;
}

/**
 * @kernel include/linux/gfp.h allocflags_to_migratetype
 * MOVABLE gives 2, RECLAIMABLE 1, neither 0 (UNMOVABLE); MIGRATE_UNMOVABLE for everything when
 * grouping by mobility is disabled. (Both bits together would be a kernel WARN; not checked.)
 */
export function allocflags_to_migratetype(gfp: number, page_group_by_mobility_disabled = false): number {
  if (page_group_by_mobility_disabled) return MIGRATE_UNMOVABLE;
  return ((gfp & __GFP_MOVABLE) !== 0 ? 2 : 0) | ((gfp & __GFP_RECLAIMABLE) !== 0 ? 1 : 0);
}

/** free_pages_check's bad flags (PG_private and PG_reserved apart: the model has no private pages, and checks reserved pages separately). */
const BAD_FLAGS_ON_FREE = (1 << PG_lru) | (1 << PG_locked) | (1 << PG_active) | (1 << PG_writeback) | (1 << PG_slab) | (1 << PG_swapcache) | (1 << PG_buddy);

/** The node's page allocator and page state. */
export class PageAllocator {
  readonly zones: zone[];
  /** One past the highest pfn (mem_map length). */
  readonly max_pfn: number;
  /** Sum of present pages (totalram_pages before bootmem is freed). */
  readonly totalram_pages: number;
  min_free_kbytes: number;
  readonly layout: 'realistic' | 'flat';

  // ---- mem_map: one entry per pfn ----
  readonly page_flags: Uint32Array;
  /** PAGE_USE_* of each page (tail pages of a block share the head's use). */
  readonly page_use: Uint8Array;
  /** _count (page reference count); 0 for free pages. */
  readonly page_count: Int32Array;
  /** page->mapping as a number, or -1: a tmpfs page's file (its index in VmState.mappings); a slab page's cache id (page->slab). */
  readonly page_mapping: Int32Array;
  /** Offset in the mapping (page->index). */
  readonly page_index: Int32Array;
  /** page_private: buddy order of a free block head, swap entry, or the slab number of a slab page. */
  readonly page_private: Int32Array;
  /** page->lru: buddy free-list links while free, LRU links (vmscan) while in use. -1 = none. */
  readonly lru_prev: Int32Array;
  readonly lru_next: Int32Array;
  /** Order of the allocation whose head this page is (valid on allocated block heads). */
  readonly page_order: Uint8Array;
  /**
   * The PB_migrate bits of zone->pageblock_flags: one migrate type per pageblock, indexed by
   * pfn >> pageblock_order (zone boundaries are pageblock-aligned, so one array serves all zones).
   */
  readonly pageblock_flags: Uint8Array;
  /** build_all_zonelists: set when the machine has fewer than pageblock_nr_pages * MIGRATE_TYPES pages. */
  page_group_by_mobility_disabled = false;

  /** Global zoned counters (sum over zones) and event counters. */
  readonly vm_stat = new Float64Array(NR_VM_ZONE_STAT_ITEMS);
  readonly vm_events = new Float64Array(NR_VM_EVENT_ITEMS);
  /** Pages per PAGE_USE_*; sums to max_pfn (the conservation invariant). */
  readonly nr_pages_by_use = new Float64Array(NR_PAGE_USES);

  /** Zonelists by gfp_zone() result: zone indices, highest first, populated zones only. */
  readonly zonelists: readonly (readonly number[])[];
  hooks: PageAllocHooks = NO_HOOKS;
  /** Are the per-CPU page lists in use? */
  pcp_enabled = true;
  /** MachineOptions.failure_report_ns: CPU time of a printed failure report (0: none). */
  failure_report_ns = 0;
  /** rmqueue_bulk's batch as taken from the buddy lists (host scratch). */
  private bulk = new Int32Array(0);

  /**
   * All failures that reached nopage, reported or not. `failures` keeps every reported one (the
   * printk rate limit bounds them) and the first max_failure_records of the silent ones, so a
   * livelock's tens of thousands of retries cannot crowd out the reports that reach the log.
   */
  alloc_failures = 0;
  alloc_failure_reports = 0;
  readonly failures: AllocFailure[] = [];
  max_failure_records = 10_000;
  private silent_failure_records = 0;
  readonly marks: PageAllocMarks = {
    slab_would_reclaim: 0,
    no_watermarks_alloc: 0,
    atomic_failure: 0,
    memalloc_nomemalloc_failure: 0,
    nofail_would_sleep: 0,
  };
  /** rmqueue_bulk calls, and those made because no pcp page had the request's migrate type. */
  pcp_refills = 0;
  pcp_type_refills = 0;
  /** __rmqueue_fallback took a block of another migrate type (not counting MIGRATE_RESERVE). */
  fallback_allocs = 0;
  /** try_set_zone_oom / clear_zonelist_oom: one node, so one flag. */
  private zonelist_oom = false;
  /** The release dump_stack prints. */
  readonly uts_release: string;
  /**
   * Page frames pfn_valid accepts: with x86_64's SPARSEMEM, every pfn of a 128 MiB section that
   * holds any RAM (the ISA hole's pages are valid, the PCI hole's whole sections are not).
   */
  readonly valid_pages: number;

  constructor(
    readonly k: Kernel,
    opts: MachineOptions,
  ) {
    const ram = opts.ram_bytes;
    assert(Number.isSafeInteger(ram) && ram >= 64 * 1024 * 1024 && ram % PAGE_SIZE === 0, `ram_bytes must be a multiple of 4096 and at least 64 MiB, got ${ram}`);
    this.layout = opts.layout ?? 'realistic';
    const N = ram / PAGE_SIZE;
    this.zones = zone_names.map((n, i) => new zone(i, n));
    const [zdma, zdma32, znormal] = this.zones as [zone, zone, zone, zone];
    // Holes: [start, end) pfn ranges with no RAM.
    const holes: [number, number][] = [];
    let max_pfn: number;
    if (this.layout === 'flat') {
      max_pfn = N;
    } else {
      const pciHole = Math.floor((opts.pci_hole_start_bytes ?? 0xe0000000) / PAGE_SIZE);
      assert(pciHole > MAX_DMA_PFN && pciHole <= MAX_DMA32_PFN, 'pci_hole_start_bytes must lie between 16 MiB and 4 GiB');
      holes.push([159, 256]);
      // RAM lost to the legacy hole is not remapped (as on most BIOSes of the time).
      const lowTop = Math.min(N, pciHole);
      const high = N - lowTop;
      if (high > 0) {
        holes.push([lowTop, MAX_DMA32_PFN]);
        max_pfn = MAX_DMA32_PFN + high;
      } else {
        max_pfn = lowTop;
      }
    }
    this.max_pfn = max_pfn;
    this.uts_release = opts.uts_release ?? '2.6.25';
    // Each section that has RAM counts whole (up to max_pfn).
    const hasRam = new Uint8Array(Math.ceil(max_pfn / PAGES_PER_SECTION));
    for (const [a, b] of subtractHoles(0, max_pfn, holes)) {
      for (let sec = Math.floor(a / PAGES_PER_SECTION); sec * PAGES_PER_SECTION < b; sec++) hasRam[sec] = 1;
    }
    let valid = 0;
    for (let sec = 0; sec < hasRam.length; sec++) if (hasRam[sec]) valid += Math.min((sec + 1) * PAGES_PER_SECTION, max_pfn) - sec * PAGES_PER_SECTION;
    this.valid_pages = valid;
    // Zone spans.
    zdma.zone_start_pfn = 0;
    zdma.spanned_pages = Math.min(max_pfn, MAX_DMA_PFN);
    zdma32.zone_start_pfn = MAX_DMA_PFN;
    zdma32.spanned_pages = Math.max(0, Math.min(max_pfn, MAX_DMA32_PFN) - MAX_DMA_PFN);
    znormal.zone_start_pfn = MAX_DMA32_PFN;
    znormal.spanned_pages = Math.max(0, max_pfn - MAX_DMA32_PFN);
    this.zones[ZONE_MOVABLE]!.zone_start_pfn = max_pfn;

    const n = max_pfn;
    // Recycled from a finished machine of the same size where explore gave one back (release()).
    this.page_flags = take(Uint32Array, n);
    this.page_use = take(Uint8Array, n, PAGE_USE_RESERVED);
    this.page_count = take(Int32Array, n);
    this.page_mapping = take(Int32Array, n, -1);
    this.page_index = take(Int32Array, n);
    this.page_private = take(Int32Array, n);
    this.lru_prev = take(Int32Array, n, -1);
    this.lru_next = take(Int32Array, n, -1);
    this.page_order = take(Uint8Array, n);
    this.nr_pages_by_use[PAGE_USE_RESERVED] = n;

    this.pageblock_flags = new Uint8Array(Math.ceil(n / pageblock_nr_pages));

    // A usable-page bitmap would cost memory; instead walk each zone's usable runs.
    const bootFree: [zone, number, number][] = [];
    const dma_reserve = this.layout === 'flat' ? 0 : (opts.dma_reserve_pages ?? 1420);
    for (const z of [zdma, zdma32, znormal]) {
      if (z.spanned_pages === 0) continue;
      const zs = z.zone_start_pfn;
      const ze = zs + z.spanned_pages;
      const runs = subtractHoles(zs, ze, holes);
      for (const [s, e] of runs) this.memmap_init_zone(s, e);
      z.absent_pages = z.spanned_pages - runs.reduce((a, [s, e]) => a + e - s, 0);
      let realsize = z.spanned_pages - z.absent_pages;
      if (this.layout === 'realistic') {
        // free_area_init_core: mem_map for the span, then dma_reserve in zone 0.
        const memmap = Math.floor((z.spanned_pages * SIZEOF_STRUCT_PAGE) / PAGE_SIZE);
        if (realsize >= memmap) {
          realsize -= memmap;
          z.memmap_pages = memmap;
        }
        if (z.idx === ZONE_DMA && realsize > dma_reserve) {
          realsize -= dma_reserve;
          z.reserved_pages = dma_reserve;
        }
      }
      z.present_pages = realsize;
      // Reserve pages from the runs: in ZONE_DMA the kernel image starts at 2 MiB (pfn 512),
      // followed by mem_map; in other zones mem_map sits at the start of the zone.
      let toReserve = z.memmap_pages + z.reserved_pages;
      const reserveFrom = z.idx === ZONE_DMA ? 512 : zs;
      const freeRuns: [number, number][] = [];
      for (const [s, e] of runs) {
        let a = s;
        const b = e;
        if (toReserve > 0 && b > reserveFrom) {
          const rs = Math.max(a, reserveFrom);
          const take = Math.min(toReserve, b - rs);
          toReserve -= take;
          if (rs > a) freeRuns.push([a, rs]);
          a = rs + take;
        }
        if (a < b) freeRuns.push([a, b]);
      }
      assert(toReserve === 0, `zone ${z.name} too small for its reservations`);
      for (const [s, e] of freeRuns) bootFree.push([z, s, e]);
    }
    this.totalram_pages = this.zones.reduce((a, z) => a + z.present_pages, 0);

    // build_all_zonelists (start_kernel, before mem_init frees the boot memory): zonelists, then
    // the mobility-grouping decision from nr_free_pagecache_pages() while pages_high is still 0.
    this.zonelists = this.build_zonelists();
    this.page_group_by_mobility_disabled = opts.mobility_grouping === false || this.nr_free_pagecache_pages() < pageblock_nr_pages * MIGRATE_TYPES;
    // mem_init -> free_all_bootmem: every block goes to the list of its pageblock's type (MOVABLE).
    for (const [z, s, e] of bootFree) this.freeRangeAtBoot(z, s, e);

    // init_per_zone_pages_min: lowmem_kbytes from nr_free_buffer_pages() while pages_high is 0.
    this.min_free_kbytes = opts.min_free_kbytes ?? calc_min_free_kbytes(this.nr_free_buffer_pages() * (PAGE_SIZE >> 10));
    this.setup_per_zone_pages_min();
    this.setup_per_zone_lowmem_reserve();
    // setup_pageset: every CPU gets a list per zone with high = 6 * batch.
    this.pcp_enabled = opts.pcp ?? true;
    this.failure_report_ns = opts.failure_report_ns ?? 0;
    for (const z of this.zones) {
      const batch = zone_batchsize(z.present_pages);
      // setup_pageset: high = 6 * batch, batch at least 1 (a tiny zone rounds to batch 0).
      z.pcp = Array.from({ length: k.nr_cpu_ids }, () => new per_cpu_pages(Math.max(1, batch), 6 * batch));
      z.free_diff = new Int32Array(k.nr_cpu_ids);
      // Boot filled NR_FREE_PAGES up from zero: the low-water statistic starts now.
      z.min_free_seen = z.vm_stat[NR_FREE_PAGES]!;
    }
  }

  /**
   * Gives the mem_map arrays back for the next machine of the same size (src/sim/recycle.ts).
   * Model bookkeeping, not a kernel function: only a caller that has taken everything it needs
   * from this machine may call it, and the allocator must not be used afterwards.
   */
  release(): void {
    recycle(this.page_flags, this.page_use, this.page_count, this.page_mapping, this.page_index, this.page_private, this.lru_prev, this.lru_next, this.page_order);
  }

  // ---- boot ----

  /** Zonelists: for each highest zone type, populated zones from it downwards. */
  private build_zonelists(): number[][] {
    const lists: number[][] = [];
    for (let t = 0; t < MAX_NR_ZONES; t++) {
      const l: number[] = [];
      for (let i = t; i >= 0; i--) if (this.zones[i]!.populated) l.push(i);
      lists.push(l);
    }
    return lists;
  }

  /**
   * @kernel mm/page_alloc.c memmap_init_zone (its pageblock part)
   * Every valid pfn whose offset in its pageblock is non-zero marks that block MIGRATE_MOVABLE (the
   * test is inverted from what its comment suggests, but setting the same block 511 times has the
   * intended effect). A block whose only valid page is its first stays MIGRATE_UNMOVABLE (0); blocks
   * entirely in the PCI hole (no mem_map there with SPARSEMEM) are never touched.
   */
  private memmap_init_zone(s: number, e: number): void {
    for (let b = s >> pageblock_order; b << pageblock_order < e; b++) {
      const a = Math.max(s, b << pageblock_order);
      const c = Math.min(e, (b + 1) << pageblock_order);
      if (c - a > 1 || (c - a === 1 && (a & (pageblock_nr_pages - 1)) !== 0)) this.pageblock_flags[b] = MIGRATE_MOVABLE;
    }
  }

  /** Adds [s, e) to the zone's free lists in maximal aligned blocks (free_all_bootmem's effect). */
  private freeRangeAtBoot(z: zone, s: number, e: number): void {
    let pfn = s;
    while (pfn < e) {
      let order = MAX_ORDER - 1;
      while (order > 0 && ((pfn & ((1 << order) - 1)) !== 0 || pfn + (1 << order) > e)) order--;
      const nr = 1 << order;
      this.page_use.fill(PAGE_USE_FREE, pfn, pfn + nr);
      this.nr_pages_by_use[PAGE_USE_RESERVED] -= nr;
      this.nr_pages_by_use[PAGE_USE_FREE] += nr;
      this.__free_one_page(z, pfn, order);
      this.mod_zone_page_state(z, NR_FREE_PAGES, nr);
      pfn += nr;
    }
  }

  /**
   * @kernel mm/page_alloc.c nr_free_zone_pages (via nr_free_buffer_pages)
   * Sum over the GFP_USER zonelist of present_pages - pages_high.
   */
  nr_free_buffer_pages(): number {
    return this.nr_free_zone_pages(ZONE_NORMAL);
  }

  /** @kernel mm/page_alloc.c nr_free_pagecache_pages: the same over the GFP_HIGHUSER_MOVABLE zonelist. */
  nr_free_pagecache_pages(): number {
    return this.nr_free_zone_pages(ZONE_MOVABLE);
  }

  private nr_free_zone_pages(offset: number): number {
    let sum = 0;
    for (const zi of this.zonelists[offset]!) {
      const z = this.zones[zi]!;
      if (z.present_pages > z.pages_high) sum += z.present_pages - z.pages_high;
    }
    return sum;
  }

  /**
   * @kernel mm/page_alloc.c setup_per_zone_pages_min
   * Splits min_free_kbytes over lowmem zones by present pages: pages_min = share,
   * pages_low = min + share/4, pages_high = min + share/2 (no highmem on x86_64); then
   * setup_zone_migrate_reserve for each zone.
   */
  setup_per_zone_pages_min(): void {
    const pages_min = this.min_free_kbytes >> (PAGE_SHIFT - 10);
    let lowmem_pages = 0;
    for (const z of this.zones) lowmem_pages += z.present_pages;
    for (const z of this.zones) {
      const tmp = lowmem_pages === 0 ? 0 : Math.floor((pages_min * z.present_pages) / lowmem_pages);
      z.pages_min = tmp;
      z.pages_low = z.pages_min + (tmp >> 2);
      z.pages_high = z.pages_min + (tmp >> 1);
      this.setup_zone_migrate_reserve(z);
    }
  }

  /**
   * @kernel mm/page_alloc.c setup_zone_migrate_reserve
   * roundup(pages_min, pageblock_nr_pages) >> pageblock_order blocks of the zone, the lowest
   * MOVABLE ones whose first page is not reserved, become MIGRATE_RESERVE with their free pages;
   * RESERVE blocks past that count go back to MOVABLE. Nothing changes while grouping is disabled
   * (every block then reads as UNMOVABLE).
   */
  setup_zone_migrate_reserve(z: zone): void {
    const start_pfn = z.zone_start_pfn;
    const end_pfn = start_pfn + z.spanned_pages;
    let reserve = Math.ceil(z.pages_min / pageblock_nr_pages);
    for (let pfn = start_pfn; pfn < end_pfn; pfn += pageblock_nr_pages) {
      if (pfn >= this.max_pfn) continue;
      // PageReserved: mem_map, the kernel image, e820 holes (the model keeps holes as reserved pages).
      if (this.page_use[pfn] === PAGE_USE_RESERVED) continue;
      const block_migratetype = this.get_pageblock_migratetype(pfn);
      if (reserve > 0 && block_migratetype === MIGRATE_RESERVE) {
        reserve--;
        continue;
      }
      if (reserve > 0 && block_migratetype === MIGRATE_MOVABLE) {
        this.set_pageblock_migratetype(pfn, MIGRATE_RESERVE);
        this.move_freepages_block(z, pfn, MIGRATE_RESERVE);
        reserve--;
        continue;
      }
      if (block_migratetype === MIGRATE_RESERVE) {
        this.set_pageblock_migratetype(pfn, MIGRATE_MOVABLE);
        this.move_freepages_block(z, pfn, MIGRATE_MOVABLE);
      }
    }
  }

  // ---- pageblock flags ----

  /** @kernel include/linux/mmzone.h get_pageblock_migratetype (UNMOVABLE for all while grouping is disabled). */
  get_pageblock_migratetype(pfn: number): number {
    if (this.page_group_by_mobility_disabled) return MIGRATE_UNMOVABLE;
    return this.pageblock_flags[pfn >> pageblock_order]!;
  }

  /** @kernel mm/page_alloc.c set_pageblock_migratetype (writes the bits even while grouping is disabled). */
  set_pageblock_migratetype(pfn: number, migratetype: number): void {
    this.pageblock_flags[pfn >> pageblock_order] = migratetype;
  }

  /** allocflags_to_migratetype with this machine's page_group_by_mobility_disabled. */
  gfp_migratetype(gfp: number): number {
    return allocflags_to_migratetype(gfp, this.page_group_by_mobility_disabled);
  }

  /**
   * @kernel mm/page_alloc.c setup_per_zone_lowmem_reserve
   * lower_zone->lowmem_reserve[j] = (present pages of the zones above lower_zone up to j) /
   * sysctl_lowmem_reserve_ratio[lower_zone].
   */
  setup_per_zone_lowmem_reserve(): void {
    for (let j = 0; j < MAX_NR_ZONES; j++) {
      const zj = this.zones[j]!;
      let present = zj.present_pages;
      zj.lowmem_reserve[j] = 0;
      for (let idx = j - 1; idx >= 0; idx--) {
        const lower = this.zones[idx]!;
        lower.lowmem_reserve[j] = Math.floor(present / Math.max(1, sysctl_lowmem_reserve_ratio[idx]!));
        present += lower.present_pages;
      }
    }
  }

  // ---- counters ----

  /**
   * @kernel mm/vmstat.c __mod_zone_page_state, mod_zone_page_state
   * NR_FREE_PAGES goes to this CPU's delta, and into the zone counter once the delta passes the
   * zone's stat_threshold; every other item goes straight to the zone and global counters.
   */
  mod_zone_page_state(z: zone, item: number, delta: number): void {
    if (item === NR_FREE_PAGES && z.stat_threshold > 0) {
      const cpu = this.k.smp_processor_id();
      const x = z.free_diff[cpu]! + delta;
      if (x > z.stat_threshold || x < -z.stat_threshold) {
        z.free_diff[cpu] = 0;
        this.zone_page_state_add(z, item, x);
      } else {
        z.free_diff[cpu] = x;
      }
      return;
    }
    this.zone_page_state_add(z, item, delta);
  }

  /**
   * `n` pages' worth of NR_FREE_PAGES changes of `step` (+1 or -1) each: 2.6.25 makes one
   * __mod_zone_page_state per page when it moves a batch between the buddy and per-CPU lists
   * (__rmqueue in rmqueue_bulk, __free_one_page in free_pages_bulk), so a batch can fold part-way.
   */
  private mod_free_pages_each(z: zone, step: number, n: number): void {
    if (z.stat_threshold === 0) {
      this.zone_page_state_add(z, NR_FREE_PAGES, step * n);
      return;
    }
    for (let i = 0; i < n; i++) this.mod_zone_page_state(z, NR_FREE_PAGES, step);
  }

  /**
   * @kernel mm/vmstat.c refresh_cpu_vm_stats
   * Folds one CPU's free-page deltas into the zone counters (vmstat_update runs it every second
   * on each CPU; src/mm/vmstat.ts).
   */
  refresh_cpu_vm_stats(cpu: number): void {
    for (const z of this.zones) {
      const v = z.free_diff[cpu];
      if (v === undefined || v === 0) continue;
      z.free_diff[cpu] = 0;
      this.zone_page_state_add(z, NR_FREE_PAGES, v);
    }
  }

  /** Free pages of a zone counting the CPUs' deltas: what the buddy lists hold (observers, invariants). */
  zone_free_pages_exact(z: zone): number {
    let v = z.vm_stat[NR_FREE_PAGES]!;
    for (let c = 0; c < z.free_diff.length; c++) v += z.free_diff[c]!;
    return v;
  }

  /** zone_page_state_add: a change reaches the zone and global counters (and the observers' lines). */
  private zone_page_state_add(z: zone, item: number, delta: number): void {
    z.vm_stat[item] += delta;
    this.vm_stat[item] += delta;
    if (item !== NR_FREE_PAGES) return;
    const free = z.vm_stat[item]!;
    // The followed line (an observer's): a crossing either way is reported; no line, no cost.
    if (free <= z.squeeze_line) {
      if (!z.squeeze_below) this.squeeze_cross(z, true);
      if (free - z.squeeze_line < z.squeeze_deepest) z.squeeze_deepest = free - z.squeeze_line;
    } else if (z.squeeze_below) {
      this.squeeze_cross(z, false);
    }
    if (free < z.min_free_seen) {
      z.min_free_seen = z.vm_stat[item]!;
      // Only a new low can cross a watched level, so the check costs nothing on the usual path.
      for (let i = 0; i < z.watch_levels.length; i++) {
        if (z.watch_first_ns[i]! < 0 && z.min_free_seen <= z.watch_levels[i]!) z.watch_first_ns[i] = this.k.now;
      }
    }
  }

  /**
   * An observer's hook (src/scenario/squeezes.ts): called when every followed zone has come to be
   * at or below its squeeze_line (true), and when one of them rises above it again (false).
   */
  on_squeeze: ((entering: boolean) => void) | null = null;
  /** Followed zones (squeeze_line set), and how many of them are at or below their line. */
  squeeze_zones = 0;
  squeeze_zones_below = 0;

  private squeeze_cross(z: zone, below: boolean): void {
    z.squeeze_below = below;
    const was = this.squeeze_zones_below === this.squeeze_zones;
    this.squeeze_zones_below += below ? 1 : -1;
    const is = this.squeeze_zones_below === this.squeeze_zones;
    if (was !== is && this.on_squeeze !== null) this.on_squeeze(is);
  }

  /** Zone of a pfn (page_zone). */
  page_zone(pfn: number): zone {
    if (pfn >= MAX_DMA32_PFN) return this.zones[ZONE_NORMAL]!;
    if (pfn >= MAX_DMA_PFN) return this.zones[ZONE_DMA32]!;
    return this.zones[ZONE_DMA]!;
  }

  /** count_vm_event / count_vm_events. */
  count_vm_events(item: number, delta = 1): void {
    this.vm_events[item] += delta;
  }

  /** __count_zone_vm_events(item base, zone, delta). */
  count_zone_vm_events(base: number, z: zone, delta: number): void {
    this.vm_events[base + z.idx] += delta;
  }

  /** Sum of a per-zone event over the zones (e.g. PGSCAN_DIRECT: all pgscan_direct_*). */
  zone_events_total(base: number): number {
    let n = 0;
    for (let i = 0; i < MAX_NR_ZONES; i++) n += this.vm_events[base + i]!;
    return n;
  }

  /** /proc/vmstat values in vmstat_text order (@kernel mm/vmstat.c vmstat_start). */
  vmstat_values(): number[] {
    // vmstat_start: pgpgin and pgpgout are counted in sectors and shown in KiB.
    const events = [...this.vm_events];
    events[PGPGIN] = Math.floor(events[PGPGIN]! / 2);
    events[PGPGOUT] = Math.floor(events[PGPGOUT]! / 2);
    return [...this.vm_stat, ...events];
  }

  /** Free pages in all zones (global NR_FREE_PAGES). */
  get nr_free_pages(): number {
    return this.vm_stat[NR_FREE_PAGES]!;
  }

  /** Changes the PAGE_USE_* of the 2^order pages at pfn, keeping per-use counts. */
  set_page_use(pfn: number, order: number, use: number): void {
    const nr = 1 << order;
    const old = this.page_use[pfn]!;
    if (!(old !== PAGE_USE_FREE && old !== PAGE_USE_RESERVED && use !== PAGE_USE_FREE && use !== PAGE_USE_RESERVED)) fail('set_page_use: pfn ', pfn, ' is ', old, ', cannot become ', use);
    for (let i = 0; i < nr; i++) this.page_use[pfn + i] = use;
    this.nr_pages_by_use[old] -= nr;
    this.nr_pages_by_use[use] += nr;
  }

  // ---- buddy lists ----

  /** list_add at the head of free_area[order].free_list[migratetype]. */
  private list_add(z: zone, order: number, migratetype: number, pfn: number): void {
    const slot = order * MIGRATE_TYPES + migratetype;
    const head = z.free_head[slot]!;
    this.lru_prev[pfn] = -1;
    this.lru_next[pfn] = head;
    if (head >= 0) this.lru_prev[head] = pfn;
    z.free_head[slot] = pfn;
  }

  /**
   * list_del from whichever migrate type's list of `order` holds pfn. `head_type` >= 0 says the
   * caller knows pfn heads that type's list (it took it from there), so no search for the list is
   * needed; the search cost more than the rest of the unlink.
   */
  private list_del(z: zone, order: number, pfn: number, head_type = -1): void {
    const p = this.lru_prev[pfn]!;
    const nx = this.lru_next[pfn]!;
    if (p >= 0) {
      this.lru_next[p] = nx;
    } else if (head_type >= 0) {
      const slot = order * MIGRATE_TYPES + head_type;
      if (!(z.free_head[slot] === pfn)) fail('list_del: pfn ', pfn, ' does not head the free list of order ', order, ' type ', head_type);
      z.free_head[slot] = nx;
    } else {
      // pfn heads one of the order's lists; the kernel's circular lists need no search.
      let t = 0;
      while (z.free_head[order * MIGRATE_TYPES + t] !== pfn) {
        t++;
        if (!(t < MIGRATE_TYPES)) fail('list_del: pfn ', pfn, ' is not on a free list of order ', order);
      }
      z.free_head[order * MIGRATE_TYPES + t] = nx;
    }
    if (nx >= 0) this.lru_prev[nx] = p;
    this.lru_prev[pfn] = -1;
    this.lru_next[pfn] = -1;
  }

  private page_is_buddy(z: zone, buddy: number, order: number): boolean {
    if (buddy < z.zone_start_pfn || buddy >= z.zone_start_pfn + z.spanned_pages) return false;
    return (this.page_flags[buddy]! & (1 << PG_buddy)) !== 0 && this.page_private[buddy] === order;
  }

  /**
   * @kernel mm/page_alloc.c __free_one_page
   * Merges the block with free buddies of equal order while possible and puts the result at the
   * head of free_area[order].free_list[type of the freed page's pageblock]. Does not touch
   * NR_FREE_PAGES (the callers do).
   */
  private __free_one_page(z: zone, pfn: number, order: number): void {
    const migratetype = this.get_pageblock_migratetype(pfn);
    while (order < MAX_ORDER - 1) {
      const buddy = pfn ^ (1 << order);
      if (!this.page_is_buddy(z, buddy, order)) break;
      this.list_del(z, order, buddy);
      z.nr_free[order]--;
      this.page_flags[buddy] = this.page_flags[buddy]! & ~(1 << PG_buddy);
      this.page_private[buddy] = 0;
      pfn &= buddy;
      order++;
    }
    this.page_flags[pfn] = this.page_flags[pfn]! | (1 << PG_buddy);
    this.page_private[pfn] = order;
    this.list_add(z, order, migratetype, pfn);
    z.nr_free[order]++;
  }

  /**
   * rmv_page_order plus the nr_free count: the block at pfn leaves the buddy allocator. `head_of`:
   * the migrate type whose list the caller took it from the head of, or -1 when the block may sit
   * anywhere on its list (after move_freepages_block); see list_del.
   */
  private take_block(z: zone, pfn: number, order: number, head_of: number): void {
    this.list_del(z, order, pfn, head_of);
    z.nr_free[order]--;
    this.page_flags[pfn] = this.page_flags[pfn]! & ~(1 << PG_buddy);
    this.page_private[pfn] = 0;
  }

  /**
   * @kernel mm/page_alloc.c expand
   * Returns the upper halves of a 2^high block split down to 2^low to the `migratetype` lists.
   */
  private expand(z: zone, pfn: number, low: number, high: number, migratetype: number): void {
    let size = 1 << high;
    while (high > low) {
      high--;
      size >>= 1;
      const half = pfn + size;
      this.page_flags[half] = this.page_flags[half]! | (1 << PG_buddy);
      this.page_private[half] = high;
      this.list_add(z, high, migratetype, half);
      z.nr_free[high]++;
    }
  }

  /**
   * @kernel mm/page_alloc.c __rmqueue_smallest
   * The head block of the smallest non-empty order >= `order` on the `migratetype` lists, split
   * down to `order`. Returns the pfn or -1.
   */
  private __rmqueue_smallest(z: zone, order: number, migratetype: number): number {
    for (let current = order; current < MAX_ORDER; current++) {
      const pfn = z.free_head[current * MIGRATE_TYPES + migratetype]!;
      if (pfn < 0) continue;
      this.take_block(z, pfn, current, migratetype);
      this.expand(z, pfn, order, current, migratetype);
      return pfn;
    }
    return -1;
  }

  /**
   * @kernel mm/page_alloc.c move_freepages, move_freepages_block
   * Moves the free blocks whose heads lie in pfn's pageblock to the `migratetype` lists; returns
   * the pages moved (a block that starts in the range counts whole, even if it runs past it).
   * A pageblock that ends past the zone moves nothing; one that starts before it begins at pfn.
   */
  move_freepages_block(z: zone, pfn: number, migratetype: number): number {
    let start = pfn & ~(pageblock_nr_pages - 1);
    const end = start + pageblock_nr_pages - 1;
    if (start < z.zone_start_pfn) start = pfn;
    if (end >= z.zone_start_pfn + z.spanned_pages) return 0;
    let moved = 0;
    for (let p = start; p <= end; ) {
      if ((this.page_flags[p]! & (1 << PG_buddy)) === 0) {
        p++;
        continue;
      }
      const order = this.page_private[p]!;
      this.list_del(z, order, p);
      this.list_add(z, order, migratetype, p);
      p += 1 << order;
      moved += 1 << order;
    }
    return moved;
  }

  /**
   * @kernel mm/page_alloc.c __rmqueue_fallback
   * From the largest order down, the first non-empty list among the fallbacks of
   * `start_migratetype` (RESERVE skipped). A block of at least pageblock_order/2 (order 4), or any
   * block for a RECLAIMABLE request, drags the other free blocks of its pageblock onto the
   * requested type's lists, and the pageblock changes type when at least half of it (256 pages)
   * moved; the split remainders then go to the requested type. A whole pageblock taken at
   * pageblock_order changes type too. Nothing found: MIGRATE_RESERVE, rather than fail.
   */
  private __rmqueue_fallback(z: zone, order: number, start_migratetype: number): number {
    const row = fallbacks[start_migratetype]!;
    for (let current = MAX_ORDER - 1; current >= order; current--) {
      for (let i = 0; i < MIGRATE_TYPES - 1; i++) {
        let migratetype = row[i]!;
        if (migratetype === MIGRATE_RESERVE) continue;
        const pfn = z.free_head[current * MIGRATE_TYPES + migratetype]!;
        if (pfn < 0) continue;
        if (current >= pageblock_order >> 1 || start_migratetype === MIGRATE_RECLAIMABLE) {
          const pages = this.move_freepages_block(z, pfn, start_migratetype);
          if (pages >= 1 << (pageblock_order - 1)) this.set_pageblock_migratetype(pfn, start_migratetype);
          migratetype = start_migratetype;
        }
        this.take_block(z, pfn, current, -1);
        if (current === pageblock_order) this.set_pageblock_migratetype(pfn, start_migratetype);
        this.expand(z, pfn, order, current, migratetype);
        this.fallback_allocs++;
        return pfn;
      }
    }
    return this.__rmqueue_smallest(z, order, MIGRATE_RESERVE);
  }

  /**
   * @kernel mm/page_alloc.c __rmqueue
   * The requested migrate type's lists first, then the fallbacks. Returns the pfn or -1.
   */
  private __rmqueue(z: zone, order: number, migratetype: number): number {
    const pfn = this.__rmqueue_smallest(z, order, migratetype);
    if (pfn >= 0) return pfn;
    return this.__rmqueue_fallback(z, order, migratetype);
  }

  /**
   * @kernel mm/page_alloc.c rmqueue_bulk
   * Moves up to `batch` order-0 pages of `migratetype` (falling back as __rmqueue does) from the
   * buddy lists to the head of a per-CPU list, tagged with the requested type whatever their
   * pageblock. The first page taken ends up at the head (the kernel keeps the batch in the order
   * expand() produced it). The caller's watermark check was for one page only, so a refill can take
   * NR_FREE_PAGES below the mark it passed.
   */
  private rmqueue_bulk(z: zone, pcp: per_cpu_pages, migratetype: number): number {
    if (this.bulk.length < pcp.batch) this.bulk = new Int32Array(pcp.batch);
    const bulk = this.bulk;
    let i = 0;
    for (; i < pcp.batch; i++) {
      const pfn = this.__rmqueue(z, 0, migratetype);
      if (pfn < 0) break;
      bulk[i] = pfn;
    }
    pcp.add_batch_head(bulk, i, migratetype);
    this.mod_free_pages_each(z, -1, i);
    this.pcp_refills++;
    return i;
  }

  /**
   * @kernel mm/page_alloc.c free_pages_bulk (via free_hot_cold_page)
   * Returns the `nr` pages at the tail of a per-CPU list (the oldest hot frees) to the buddy lists,
   * each to its pageblock's type (the recorded type is not used).
   */
  private free_pages_bulk(z: zone, pcp: per_cpu_pages, nr: number): void {
    // Freeing pages ends an "all pages pinned" state and restarts its count.
    z.all_unreclaimable = false;
    z.pages_scanned = 0;
    nr = Math.min(nr, pcp.count);
    for (let i = 0; i < nr; i++) this.__free_one_page(z, pcp.take_tail_of(pcp.tail_type()), 0);
    this.mod_free_pages_each(z, 1, nr);
  }

  /** Pages held on per-CPU lists (not in NR_FREE_PAGES), for reports and conservation. */
  pcp_pages(z?: zone): number {
    let n = 0;
    for (const zz of z === undefined ? this.zones : [z]) for (const p of zz.pcp) n += p.count;
    return n;
  }

  /**
   * @kernel mm/page_alloc.c buffered_rmqueue, prep_new_page
   * Order 0 comes from this CPU's per-CPU list: an empty list is refilled with a batch of the
   * request's migrate type first; then the first page whose recorded type matches is taken,
   * walking from the head (hot) or from the tail (__GFP_COLD). When no page matches, another batch
   * of the request's type is pulled from the buddy lists although the list is not empty, and the
   * head is taken (whatever its type, if that refill found nothing). Higher orders come from
   * __rmqueue directly.
   */
  private buffered_rmqueue(z: zone, order: number, gfp: number): number {
    let pfn: number;
    const migratetype = this.gfp_migratetype(gfp);
    if (order === 0 && this.pcp_enabled) {
      const pcp = z.pcp[this.k.smp_processor_id()]!;
      if (pcp.count === 0) {
        this.rmqueue_bulk(z, pcp, migratetype);
        if (pcp.count === 0) return -1;
      }
      if (pcp.nr_mt[migratetype]! > 0) {
        // The kernel's walk from the head (or, for __GFP_COLD, the tail) to the first page of the type.
        pfn = gfp & __GFP_COLD ? pcp.take_tail_of(migratetype) : pcp.take_head_of(migratetype);
      } else {
        this.pcp_type_refills++;
        this.rmqueue_bulk(z, pcp, migratetype);
        // Usually a page of the requested type; after a type refill that found nothing, the head
        // page whatever its type.
        pfn = pcp.take_head_of(pcp.head_type());
      }
    } else {
      pfn = this.__rmqueue(z, order, migratetype);
      if (pfn < 0) return -1;
      this.mod_zone_page_state(z, NR_FREE_PAGES, -(1 << order));
    }
    const nr = 1 << order;
    this.count_zone_vm_events(PGALLOC, z, nr);
    const comp = order > 0 && (gfp & __GFP_COMP) !== 0 ? 1 << PG_compound : 0;
    for (let i = 0; i < nr; i++) {
      if (!(this.page_use[pfn + i] === PAGE_USE_FREE)) fail('buffered_rmqueue: pfn ', pfn + i, ' is not free');
      this.page_use[pfn + i] = PAGE_USE_OTHER;
      this.page_flags[pfn + i] = comp;
      this.page_mapping[pfn + i] = -1;
      this.page_index[pfn + i] = 0;
      this.page_private[pfn + i] = 0;
    }
    this.nr_pages_by_use[PAGE_USE_FREE] -= nr;
    this.nr_pages_by_use[PAGE_USE_OTHER] += nr;
    this.page_count[pfn] = 1;
    this.page_order[pfn] = order;
    return pfn;
  }

  // ---- watermarks and the freelist walk ----

  /**
   * @kernel mm/page_alloc.c zone_watermark_ok
   * free = NR_FREE_PAGES - 2^order + 1; ALLOC_HIGH halves the mark, then ALLOC_HARDER takes a
   * quarter off; fail if free <= mark + lowmem_reserve[classzone_idx]; then for each lower
   * order, drop that order's free pages and halve the mark, failing if free <= mark.
   */
  zone_watermark_ok(z: zone, order: number, mark: number, classzone_idx: number, alloc_flags: number): boolean {
    let min = mark;
    // zone_page_state: the zone counter without the CPUs' deltas, read as 0 if they took it negative.
    let free_pages = Math.max(0, z.vm_stat[NR_FREE_PAGES]!) - (1 << order) + 1;
    if (alloc_flags & ALLOC_HIGH) min -= Math.floor(min / 2);
    if (alloc_flags & ALLOC_HARDER) min -= Math.floor(min / 4);
    if (free_pages <= min + z.lowmem_reserve[classzone_idx]!) return false;
    for (let o = 0; o < order; o++) {
      free_pages -= z.nr_free[o]! * (1 << o);
      min >>= 1;
      if (free_pages <= min) return false;
    }
    return true;
  }

  /**
   * @kernel mm/page_alloc.c get_page_from_freelist
   * Walks the zonelist; each zone must pass the watermark picked by alloc_flags (unless
   * ALLOC_NO_WATERMARKS). No cpusets, no zone_reclaim (zone_reclaim_mode is 0 on UMA).
   */
  get_page_from_freelist(gfp: number, order: number, zl: readonly number[], alloc_flags: number): number {
    if (zl.length === 0) return -1;
    const classzone_idx = zl[0]!;
    for (let i = 0; i < zl.length; i++) {
      const z = this.zones[zl[i]!]!;
      if (!(alloc_flags & ALLOC_NO_WATERMARKS)) {
        const mark = alloc_flags & ALLOC_WMARK_MIN ? z.pages_min : alloc_flags & ALLOC_WMARK_LOW ? z.pages_low : z.pages_high;
        if (!this.zone_watermark_ok(z, order, mark, classzone_idx, alloc_flags)) continue;
      }
      const pfn = this.buffered_rmqueue(z, order, gfp);
      if (pfn >= 0) return pfn;
    }
    return -1;
  }

  /** Zonelist (zone indices) that an allocation with `gfp` walks. */
  zonelist_for(gfp: number): readonly number[] {
    return this.zonelists[gfp_zone(gfp)]!;
  }

  private got_pg(pfn: number, order: number, gfp: number): number {
    if (this.k.trace.on[TP.mm_page_alloc]) this.k.tp(TP.mm_page_alloc, pfn, order, gfp, this.gfp_migratetype(gfp));
    return pfn;
  }

  /**
   * @kernel mm/page_alloc.c __alloc_pages (first step only)
   * The low-watermark pass that starts __alloc_pages, as a plain function: callers on a hot path
   * try it first and enter the generator only when it fails, which then repeats this pass (it has
   * no side effects when it fails) and goes on. Returns a pfn or -1.
   */
  alloc_pages_fastpath(gfp: number, order: number): number {
    const pfn = this.get_page_from_freelist(gfp | __GFP_HARDWALL, order, this.zonelist_for(gfp), ALLOC_WMARK_LOW | ALLOC_CPUSET);
    return pfn >= 0 ? this.got_pg(pfn, order, gfp) : -1;
  }

  /** Steps 1-4 of __alloc_pages; returns a pfn or -1 and the alloc_flags of the second pass. */
  private alloc_first_passes(gfp: number, order: number, zl: readonly number[]): number {
    let pfn = this.get_page_from_freelist(gfp | __GFP_HARDWALL, order, zl, ALLOC_WMARK_LOW | ALLOC_CPUSET);
    if (pfn >= 0) return pfn;
    for (let i = 0; i < zl.length; i++) this.hooks.wakeup_kswapd(zl[i]!, order);
    pfn = this.get_page_from_freelist(gfp, order, zl, this.second_pass_flags(gfp));
    return pfn;
  }

  /** alloc_flags of __alloc_pages' second pass (no rt tasks in the model). */
  second_pass_flags(gfp: number): number {
    const wait = (gfp & __GFP_WAIT) !== 0;
    let alloc_flags = ALLOC_WMARK_MIN;
    if (!wait) alloc_flags |= ALLOC_HARDER;
    if (gfp & __GFP_HIGH) alloc_flags |= ALLOC_HIGH;
    if (wait) alloc_flags |= ALLOC_CPUSET;
    return alloc_flags;
  }

  /**
   * @kernel mm/page_alloc.c __alloc_pages
   * In 2.6.25 order: low-watermark pass; wake kswapd for every zone; min-watermark pass with
   * HARDER (no WAIT) and HIGH (__GFP_HIGH); PF_MEMALLOC outside interrupts gets one
   * NO_WATERMARKS pass unless __GFP_NOMEMALLOC and then always fails (no recursive reclaim); no
   * WAIT fails; direct reclaim under PF_MEMALLOC; retry, or the OOM path for FS without NORETRY;
   * retry after congestion_wait(WRITE, HZ/50) while the order is cheap (or REPEAT/NOFAIL).
   * Failure prints the rate-limited report. Returns the pfn of the block or -1.
   */
  *__alloc_pages(gfp: number, order: number): KGen<number> {
    const k = this.k;
    const p = k.current;
    const wait = (gfp & __GFP_WAIT) !== 0;
    const zl = this.zonelist_for(gfp);
    p.enter('__alloc_pages');
    try {
      restart: while (true) {
        let pfn = this.alloc_first_passes(gfp, order, zl);
        if (pfn >= 0) return this.got_pg(pfn, order, gfp);
        const alloc_flags = this.second_pass_flags(gfp);
        // rebalance:
        while (true) {
          if (p.flags & PF_MEMALLOC && k.in_interrupt === 0) {
            if (!(gfp & __GFP_NOMEMALLOC)) {
              while (true) {
                pfn = this.get_page_from_freelist(gfp, order, zl, ALLOC_NO_WATERMARKS);
                if (pfn >= 0) {
                  this.marks.no_watermarks_alloc++;
                  return this.got_pg(pfn, order, gfp);
                }
                if (!(gfp & __GFP_NOFAIL)) break;
                yield* congestion_wait(k, WRITE, Math.floor(k.HZ / 50));
              }
            } else {
              this.marks.memalloc_nomemalloc_failure++;
            }
            return this.nopage(gfp, order);
          }
          if (!wait) return this.nopage(gfp, order);

          yield* cond_resched(k);
          p.flags |= PF_MEMALLOC;
          let did_some_progress: number;
          try {
            did_some_progress = yield* this.hooks.try_to_free_pages(zl, order, gfp);
          } finally {
            p.flags &= ~PF_MEMALLOC;
          }
          yield* cond_resched(k);
          // order != 0 would drain_all_pages here; not modelled (see the header).

          if (did_some_progress) {
            pfn = this.get_page_from_freelist(gfp, order, zl, alloc_flags);
            if (pfn >= 0) return this.got_pg(pfn, order, gfp);
          } else if (gfp & __GFP_FS && !(gfp & __GFP_NORETRY)) {
            if (this.zonelist_oom) {
              yield* schedule_timeout_uninterruptible(k, 1);
              continue restart;
            }
            this.zonelist_oom = true;
            pfn = this.get_page_from_freelist(gfp | __GFP_HARDWALL, order, zl, ALLOC_WMARK_HIGH | ALLOC_CPUSET);
            if (pfn >= 0) {
              this.zonelist_oom = false;
              return this.got_pg(pfn, order, gfp);
            }
            if (order > PAGE_ALLOC_COSTLY_ORDER) {
              this.zonelist_oom = false;
              return this.nopage(gfp, order);
            }
            try {
              yield* this.hooks.out_of_memory(zl, gfp, order);
            } finally {
              this.zonelist_oom = false;
            }
            continue restart;
          }

          let do_retry = false;
          if (!(gfp & __GFP_NORETRY)) {
            if (order <= PAGE_ALLOC_COSTLY_ORDER || gfp & __GFP_REPEAT) do_retry = true;
            if (gfp & __GFP_NOFAIL) do_retry = true;
          }
          if (!do_retry) return this.nopage(gfp, order);
          yield* congestion_wait(k, WRITE, Math.floor(k.HZ / 50));
        }
      }
    } finally {
      p.leave();
    }
  }

  /**
   * Synchronous __alloc_pages for callers that cannot sleep in the model (SLUB's new_slab,
   * kmalloc_large). Runs the same steps up to the point where __alloc_pages would sleep:
   * with __GFP_WAIT and without PF_MEMALLOC it fails where direct reclaim would start, counting
   * the coverage mark `slab_would_reclaim` and printing nothing. In the modelled workloads slab
   * allocations with WAIT happen at boot (plenty of memory) or under PF_MEMALLOC (reclaimers), so
   * this point is not reached in practice; the mark proves it.
   */
  alloc_pages_nosleep(gfp: number, order: number): number {
    const k = this.k;
    const p = k.current;
    const zl = this.zonelist_for(gfp);
    let pfn = this.alloc_first_passes(gfp, order, zl);
    if (pfn >= 0) return this.got_pg(pfn, order, gfp);
    if (p.flags & PF_MEMALLOC && k.in_interrupt === 0) {
      if (!(gfp & __GFP_NOMEMALLOC)) {
        pfn = this.get_page_from_freelist(gfp, order, zl, ALLOC_NO_WATERMARKS);
        if (pfn >= 0) {
          this.marks.no_watermarks_alloc++;
          return this.got_pg(pfn, order, gfp);
        }
        if (gfp & __GFP_NOFAIL) this.marks.nofail_would_sleep++;
      } else {
        this.marks.memalloc_nomemalloc_failure++;
      }
      p.enter('__alloc_pages');
      this.nopage(gfp, order);
      p.leave();
      return -1;
    }
    if (!(gfp & __GFP_WAIT)) {
      p.enter('__alloc_pages');
      this.nopage(gfp, order);
      p.leave();
      return -1;
    }
    this.marks.slab_would_reclaim++;
    return -1;
  }

  /** The nopage label: record, trace, and the rate-limited failure report. Returns -1. */
  private nopage(gfp: number, order: number): number {
    const k = this.k;
    const p = k.current;
    this.alloc_failures++;
    if ((gfp & (__GFP_WAIT | __GFP_HIGH)) === __GFP_HIGH) this.marks.atomic_failure++;
    if (k.trace.on[TP.mm_page_alloc_fail]) k.tp(TP.mm_page_alloc_fail, order, gfp, p.comm);
    let reported = false;
    if (!(gfp & __GFP_NOWARN) && k.log.printk_ratelimit()) {
      reported = true;
      this.alloc_failure_reports++;
      k.printk(this.failure_report(gfp, order));
      // The report holds its CPU: no task runs there and no softirq (completion) starts meanwhile.
      if (this.failure_report_ns > 0) k.softirq_charge(k.smp_processor_id(), this.failure_report_ns);
    }
    if (reported || this.silent_failure_records < this.max_failure_records) {
      if (!reported) this.silent_failure_records++;
      this.failures.push({ timeNs: k.now, pid: p.pid, comm: p.comm, cpu: k.smp_processor_id(), order, gfp, frames: p.frames.slice().reverse(), reported });
    }
    return -1;
  }

  /**
   * The text of the failure report: the kernel's first line, then a dump_stack in the model's
   * format (` [<sim>] fn` per frame of the current task's call chain, innermost first), then
   * show_mem.
   */
  failure_report(gfp: number, order: number): string {
    const p = this.k.current;
    const lines = [`${p.comm}: page allocation failure. order:${order}, mode:0x${(gfp >>> 0).toString(16)}`];
    // dump_stack (arch/x86/kernel/traps_64.c): pid, comm, taint, release and the build number.
    lines.push(`Pid: ${p.pid}, comm: ${p.comm} Not tainted ${this.uts_release} #1`);
    lines.push('Call Trace:');
    for (let i = p.frames.length - 1; i >= 0; i--) {
      const f = p.frames[i]!;
      // The <EOI> mark between an interrupt's frames and the interrupted task's is printed bare.
      lines.push(f.startsWith('<') ? ` ${f}` : ` [<sim>] ${f}`);
    }
    lines.push(...this.show_mem());
    return lines.join('\n');
  }

  /**
   * @kernel mm/page_alloc.c show_free_areas (via show_mem)
   * The summary line, one line per populated zone with watermarks in kB, lowmem_reserve, and
   * the free blocks per order.
   */
  show_mem(): string[] {
    const kb = (pages: number): string => `${pages * 4}kB`;
    const g = this.vm_stat;
    const pad = (n: number, w: number): string => String(n).padStart(w);
    const out = ['Mem-info:'];
    for (const z of this.zones) {
      if (!z.populated) continue;
      out.push(`Node 0 ${z.name} per-cpu:`);
      for (let cpu = 0; cpu < this.k.nr_cpu_ids; cpu++) {
        const pcp = z.pcp[cpu];
        out.push(`CPU ${pad(cpu, 4)}: hi:${pad(pcp?.high ?? 0, 5)}, btch:${pad(pcp?.batch ?? 1, 4)} usd:${pad(pcp?.count ?? 0, 4)}`);
      }
    }
    out.push(
      `Active:${g[NR_ACTIVE]} inactive:${g[NR_INACTIVE]} dirty:${g[NR_FILE_DIRTY]} writeback:${g[NR_WRITEBACK]} unstable:${g[NR_UNSTABLE_NFS]}`,
    );
    out.push(
      ` free:${g[NR_FREE_PAGES]} slab:${g[NR_SLAB_RECLAIMABLE]! + g[NR_SLAB_UNRECLAIMABLE]!} mapped:${g[NR_FILE_MAPPED]} pagetables:${g[NR_PAGETABLE]} bounce:${g[NR_BOUNCE]}`,
    );
    for (const z of this.zones) {
      if (!z.populated) continue;
      const s = z.vm_stat;
      out.push(
        `Node 0 ${z.name} free:${kb(s[NR_FREE_PAGES]!)} min:${kb(z.pages_min)} low:${kb(z.pages_low)} high:${kb(z.pages_high)} active:${kb(s[NR_ACTIVE]!)} inactive:${kb(s[NR_INACTIVE]!)} present:${kb(z.present_pages)} pages_scanned:${z.pages_scanned} all_unreclaimable? ${z.all_unreclaimable ? 'yes' : 'no'}`,
      );
      out.push(`lowmem_reserve[]: ${Array.from(z.lowmem_reserve).join(' ')}`);
    }
    for (const z of this.zones) {
      if (!z.populated) continue;
      const parts: string[] = [];
      let total = 0;
      for (let o = 0; o < MAX_ORDER; o++) {
        parts.push(`${z.nr_free[o]}*${4 << o}kB`);
        total += z.nr_free[o]! * (4 << o);
      }
      out.push(`Node 0 ${z.name}: ${parts.join(' ')} = ${total}kB`);
    }
    out.push(`${g[NR_FILE_PAGES]} total pagecache pages`);
    const sw = this.hooks.swap_cache_info();
    if (sw !== null) {
      // show_swap_cache_info
      out.push(`Swap cache: add ${sw.add_total}, delete ${sw.del_total}, find 0/0`);
      out.push(`Free swap  = ${sw.nr_swap_pages * 4}kB`);
      out.push(`Total swap = ${sw.total_swap_pages * 4}kB`);
      // x86_64 show_mem, after show_free_areas
      out.push(`Free swap:       ${pad(sw.nr_swap_pages * 4, 6)}kB`);
    }
    // show_mem's walk of every valid page frame (pfn_valid: SPARSEMEM sections with RAM, so the
    // ISA hole's pages count): RAM, reserved (holes in such sections, mem_map, the kernel image
    // and early reservations: never given to the buddy allocator) and swap cache. Its "pages
    // shared" line (extra references) is left out: the model would have to walk all page frames
    // for every report.
    out.push(`${this.valid_pages} pages of RAM`);
    out.push(`${this.valid_pages - this.totalram_pages} reserved pages`);
    out.push(`${this.nr_pages_by_use[PAGE_USE_SWAPCACHE]} pages swap cached`);
    return out;
  }

  // ---- freeing and references ----

  /** get_page: takes a reference. */
  get_page(pfn: number): void {
    if (!(this.page_count[pfn]! > 0)) fail('get_page: pfn ', pfn, ' has no references');
    this.page_count[pfn]!++;
  }

  /** page_count. */
  count(pfn: number): number {
    return this.page_count[pfn]!;
  }

  /**
   * @kernel mm/page_alloc.c __free_pages
   * Drops a reference to the 2^order block at pfn and frees it when the count reaches zero (hot, or
   * cold as a cold pagevec release frees it).
   */
  __free_pages(pfn: number, order: number, cold = false): void {
    if (!(pfn >= 0 && pfn < this.max_pfn)) fail('__free_pages: bad pfn ', pfn);
    if (!(this.page_count[pfn]! > 0)) fail('__free_pages: pfn ', pfn, ' already free (count ', this.page_count[pfn], ')');
    if (!(this.page_order[pfn] === order)) fail('__free_pages: pfn ', pfn, ' allocated with order ', this.page_order[pfn], ', freed with order ', order);
    if (--this.page_count[pfn]! === 0) this.__free_pages_ok(pfn, order, cold);
  }

  /**
   * @kernel mm/swap.c __pagevec_release_nonlru, mm/page_alloc.c __pagevec_free, free_hot_cold_page
   * Releases a pagevec of order-0 pages that are off the LRU: drops a reference on each of
   * pfns[0..n) in turn, then frees those that reached zero, the last first, hot or cold as the
   * pagevec was initialised. `pfns` serves as the kernel's pages_to_free and is garbage afterwards:
   * the caller starts its pagevec again from empty, as pagevec_reinit does.
   */
  pagevec_release_nonlru(pfns: Int32Array, n: number, cold: boolean): void {
    let nfree = 0;
    for (let i = 0; i < n; i++) {
      const pfn = pfns[i]!;
      if (!(pfn >= 0 && pfn < this.max_pfn)) fail('__pagevec_release_nonlru: bad pfn ', pfn);
      if (!(this.page_count[pfn]! > 0)) fail('__pagevec_release_nonlru: pfn ', pfn, ' already free (count ', this.page_count[pfn], ')');
      if (!(this.page_order[pfn] === 0)) fail('__pagevec_release_nonlru: pfn ', pfn, ' has order ', this.page_order[pfn]);
      // put_page_testzero; the pages whose count reached zero move to the front, in order.
      if (--this.page_count[pfn]! === 0) pfns[nfree++] = pfn;
    }
    while (--nfree >= 0) this.__free_pages_ok(pfns[nfree]!, 0, cold);
  }

  /** put_page: drops a reference, freeing the block (of its allocated order) at zero; `cold` as a cold pagevec's release frees it (release_pages). */
  put_page(pfn: number, cold = false): void {
    this.__free_pages(pfn, this.page_order[pfn]!, cold);
  }

  /**
   * @kernel mm/page_alloc.c __free_pages_ok, free_pages_check
   * A page freed with PG_lru/locked/active/writeback/slab/swapcache set, or with the wrong order,
   * is a simulator assertion (the kernel's bad_page); PG_dirty is cleared silently, as
   * free_pages_check does.
   */
  private __free_pages_ok(pfn: number, order: number, cold = false): void {
    if (!(this.page_order[pfn] === order)) fail('__free_pages: pfn ', pfn, ' allocated with order ', this.page_order[pfn], ', freed with order ', order);
    const nr = 1 << order;
    const use = this.page_use[pfn]!;
    if (!(use !== PAGE_USE_FREE && use !== PAGE_USE_RESERVED)) fail('__free_pages: pfn ', pfn, ' is not allocated');
    for (let i = 0; i < nr; i++) {
      const f = this.page_flags[pfn + i]!;
      if (!((f & BAD_FLAGS_ON_FREE) === 0 && (f & (1 << PG_reserved)) === 0)) fail('bad_page: pfn ', pfn + i, ' freed with flags 0x', f.toString(16));
      this.page_flags[pfn + i] = 0;
      this.page_use[pfn + i] = PAGE_USE_FREE;
      this.page_mapping[pfn + i] = -1;
      this.page_private[pfn + i] = 0;
    }
    this.page_count[pfn] = 0;
    this.nr_pages_by_use[use] -= nr;
    this.nr_pages_by_use[PAGE_USE_FREE] += nr;
    const z = this.page_zone(pfn);
    if (order === 0 && this.pcp_enabled) {
      // free_hot_cold_page: onto this CPU's list, tagged with the pageblock's migrate type, at the
      // head (hot) or the tail (cold); past `high`, a batch goes back to the buddy lists.
      const pcp = z.pcp[this.k.smp_processor_id()]!;
      if (cold) pcp.add_tail(pfn, this.get_pageblock_migratetype(pfn));
      else pcp.add_head(pfn, this.get_pageblock_migratetype(pfn));
      if (pcp.count >= pcp.high) this.free_pages_bulk(z, pcp, pcp.batch);
    } else {
      // free_one_page: as free_pages_bulk, it clears the zone's all_unreclaimable state.
      z.all_unreclaimable = false;
      z.pages_scanned = 0;
      this.__free_one_page(z, pfn, order);
      this.mod_zone_page_state(z, NR_FREE_PAGES, nr);
    }
    this.count_vm_events(PGFREE, nr);
    if (this.k.trace.on[TP.mm_page_free]) this.k.tp(TP.mm_page_free, pfn, order);
  }

  // ---- checks ----

  /**
   * Page conservation: pages per use sum to max_pfn and free pages match NR_FREE_PAGES and the
   * buddy counts; each per-CPU list's per-type counts match its entries.
   */
  check_conservation(): void {
    let sum = 0;
    for (let u = 0; u < NR_PAGE_USES; u++) sum += this.nr_pages_by_use[u]!;
    assert(sum === this.max_pfn, `page conservation: uses sum to ${sum}, expected ${this.max_pfn}`);
    let buddy = 0;
    let nrFree = 0;
    for (const z of this.zones) {
      for (let o = 0; o < MAX_ORDER; o++) buddy += z.nr_free[o]! * (1 << o);
      nrFree += this.zone_free_pages_exact(z);
    }
    assert(buddy === nrFree && nrFree + this.pcp_pages() === this.nr_pages_by_use[PAGE_USE_FREE], `page conservation: buddy ${buddy}, NR_FREE_PAGES ${nrFree}, free use ${this.nr_pages_by_use[PAGE_USE_FREE]}`);
    assert(this.totalram_pages === this.max_pfn - this.nr_pages_by_use[PAGE_USE_RESERVED]!, 'page conservation: reserved pages changed');
    for (const z of this.zones) for (let cpu = 0; cpu < z.pcp.length; cpu++) z.pcp[cpu]!.check(`${z.name}/${cpu}`);
    // __mod_zone_page_state folds a delta as soon as it passes the threshold.
    for (const z of this.zones) for (let cpu = 0; cpu < z.free_diff.length; cpu++) assert(Math.abs(z.free_diff[cpu]!) <= z.stat_threshold, `vmstat: ${z.name} CPU ${cpu} holds a free-page delta of ${z.free_diff[cpu]} past its threshold ${z.stat_threshold}`);
  }

  /**
   * Free blocks per migrate type of one order (the counts of /proc/pagetypeinfo's "Free pages
   * count per migrate type", mm/vmstat.c pagetypeinfo_showfree): walks the lists, for reports and tests.
   */
  nr_free_by_type(z: zone, order: number): number[] {
    const out: number[] = [];
    for (let t = 0; t < MIGRATE_TYPES; t++) {
      let n = 0;
      for (let pfn = z.free_head[order * MIGRATE_TYPES + t]!; pfn >= 0; pfn = this.lru_next[pfn]!) n++;
      out.push(n);
    }
    return out;
  }

  /** Pageblocks of each migrate type in a zone's span (/proc/pagetypeinfo's "Number of blocks type"). */
  pageblocks_by_type(z: zone): number[] {
    const out = new Array<number>(MIGRATE_TYPES).fill(0);
    const end = z.zone_start_pfn + z.spanned_pages;
    for (let pfn = z.zone_start_pfn; pfn < end; pfn += pageblock_nr_pages) out[this.get_pageblock_migratetype(pfn)]!++;
    return out;
  }

  /**
   * Structure of the buddy free lists (slow; tests and debugging): every list entry is a PG_buddy
   * head of that order inside its zone, doubly linked, and the lengths of an order's lists add up
   * to free_area[order].nr_free.
   */
  check_free_lists(): void {
    for (const z of this.zones) {
      for (let o = 0; o < MAX_ORDER; o++) {
        let n = 0;
        for (let t = 0; t < MIGRATE_TYPES; t++) {
          let prev = -1;
          for (let pfn = z.free_head[o * MIGRATE_TYPES + t]!; pfn >= 0; pfn = this.lru_next[pfn]!) {
            if (!(pfn >= z.zone_start_pfn && pfn < z.zone_start_pfn + z.spanned_pages)) fail('free list ', z.name, '/', o, '/', t, ': pfn ', pfn, ' outside the zone');
            if (!((this.page_flags[pfn]! & (1 << PG_buddy)) !== 0 && this.page_private[pfn] === o)) fail('free list ', z.name, '/', o, '/', t, ': pfn ', pfn, ' is not a free block of order ', o);
            if (!(this.lru_prev[pfn] === prev)) fail('free list ', z.name, '/', o, '/', t, ': bad back link at pfn ', pfn);
            prev = pfn;
            n++;
          }
        }
        if (!(n === z.nr_free[o])) fail('free lists ', z.name, ' order ', o, ': ', n, ' blocks listed, nr_free ', z.nr_free[o]);
      }
    }
  }

  /** Effective order-0 threshold (pages) for a zone and alloc_flags: free must exceed this. */
  effective_min(z: zone, mark: number, alloc_flags: number, classzone_idx = z.idx): number {
    let min = mark;
    if (alloc_flags & ALLOC_HIGH) min -= Math.floor(min / 2);
    if (alloc_flags & ALLOC_HARDER) min -= Math.floor(min / 4);
    return min + z.lowmem_reserve[classzone_idx]!;
  }

  /**
   * Not kernel code: the free-page count at or below which a GFP_ATOMIC allocation whose first
   * zone is `classzone_idx` fails in zone `z`: the line zone_watermark_ok draws for __alloc_pages'
   * second pass (ALLOC_HIGH | ALLOC_HARDER), with the zone's lowmem_reserve. The timeline, the
   * squeezes and the metrics all draw this one line.
   */
  gfp_atomic_line(z: zone, classzone_idx: number): number {
    return this.effective_min(z, z.pages_min, this.second_pass_flags(GFP_ATOMIC), classzone_idx);
  }
}

/** [s, e) minus holes, as sorted runs. */
function subtractHoles(s: number, e: number, holes: readonly [number, number][]): [number, number][] {
  let runs: [number, number][] = [[s, e]];
  for (const [hs, he] of holes) {
    const next: [number, number][] = [];
    for (const [a, b] of runs) {
      if (he <= a || hs >= b) {
        next.push([a, b]);
        continue;
      }
      if (hs > a) next.push([a, hs]);
      if (he < b) next.push([he, b]);
    }
    runs = next;
  }
  return runs;
}
