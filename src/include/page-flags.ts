/**
 * Page flag bit numbers (PG_*) and the model's page "use" types.
 *
 * Mirrors: include/linux/page-flags.h, v2.6.25 (x86_64, 64-bit page->flags). The flag word of
 * each page lives in the page allocator's typed array; helpers below take the word and a bit.
 */
export const PG_locked = 0;
export const PG_error = 1;
export const PG_referenced = 2;
export const PG_uptodate = 3;
export const PG_dirty = 4;
export const PG_lru = 5;
export const PG_active = 6;
export const PG_slab = 7;
export const PG_owner_priv_1 = 8;
export const PG_arch_1 = 9;
export const PG_reserved = 10;
export const PG_private = 11;
export const PG_writeback = 12;
export const PG_compound = 14;
export const PG_swapcache = 15;
export const PG_mappedtodisk = 16;
export const PG_reclaim = 17;
export const PG_buddy = 19;
export const PG_readahead = PG_reclaim;
export const PG_checked = PG_owner_priv_1;

/** Mask of one PG_ bit. */
export function pgmask(bit: number): number {
  return (1 << bit) >>> 0;
}

/** PageFoo(page): is PG_ `bit` set in the page's flag word? */
export function PageFlag(flags: Uint32Array, pfn: number, bit: number): boolean {
  return (flags[pfn]! & pgmask(bit)) !== 0;
}

/** SetPageFoo(page). */
export function SetPageFlag(flags: Uint32Array, pfn: number, bit: number): void {
  flags[pfn] = (flags[pfn]! | pgmask(bit)) >>> 0;
}

/** ClearPageFoo(page). */
export function ClearPageFlag(flags: Uint32Array, pfn: number, bit: number): void {
  flags[pfn] = (flags[pfn]! & ~pgmask(bit)) >>> 0;
}

/**
 * What a page is used for (not a kernel field: the kernel infers it from flags and mapping).
 * The page allocator counts pages per use, which gives the page-conservation invariant.
 */
export const PAGE_USE_FREE = 0;
export const PAGE_USE_SLAB = 1;
/** Page-cache page of a tmpfs (shmem) file. */
export const PAGE_USE_PAGECACHE = 2;
export const PAGE_USE_SWAPCACHE = 3;
export const PAGE_USE_ANON = 4;
/** Allocated for something else (kmalloc_large, page tables, tests). */
export const PAGE_USE_OTHER = 5;
/** Never given to the allocator: holes, mem_map, kernel image. */
export const PAGE_USE_RESERVED = 6;
export const NR_PAGE_USES = 7;
export const PAGE_USE_NAMES = ['free', 'slab', 'pagecache', 'swapcache', 'anon', 'other', 'reserved'] as const;
