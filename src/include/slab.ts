/**
 * SLAB_* cache-creation flags and SLUB's merge-related flag sets.
 *
 * Mirrors: include/linux/slab.h, include/linux/slub_def.h and mm/slub.c (SLUB_NEVER_MERGE,
 * SLUB_MERGE_SAME, the internal __KMALLOC_CACHE / __PAGE_ALLOC_FALLBACK bits), v2.6.25. Constants
 * only.
 */
export const SLAB_DEBUG_FREE = 0x00000100;
export const SLAB_RED_ZONE = 0x00000400;
export const SLAB_POISON = 0x00000800;
export const SLAB_HWCACHE_ALIGN = 0x00002000;
export const SLAB_CACHE_DMA = 0x00004000;
export const SLAB_STORE_USER = 0x00010000;
export const SLAB_RECLAIM_ACCOUNT = 0x00020000;
export const SLAB_PANIC = 0x00040000;
export const SLAB_DESTROY_BY_RCU = 0x00080000;
export const SLAB_MEM_SPREAD = 0x00100000;
export const SLAB_TRACE = 0x00200000;

/** Internal SLUB flags (mm/slub.c). */
export const __PAGE_ALLOC_FALLBACK = 0x10000000;
export const __KMALLOC_CACHE = 0x20000000;

/** Caches with any of these are never merged. */
export const SLUB_NEVER_MERGE = SLAB_RED_ZONE | SLAB_POISON | SLAB_STORE_USER | SLAB_TRACE | SLAB_DESTROY_BY_RCU;
/** These bits must be equal on two caches for them to merge. */
export const SLUB_MERGE_SAME = SLAB_DEBUG_FREE | SLAB_RECLAIM_ACCOUNT | SLAB_CACHE_DMA;

/** SLUB tunables of 2.6.25 (4 KiB pages). */
export const MIN_PARTIAL = 5;
export const MAX_PARTIAL = 10;
export const KMALLOC_MIN_SIZE = 8;
export const ARCH_KMALLOC_MINALIGN = 8;
