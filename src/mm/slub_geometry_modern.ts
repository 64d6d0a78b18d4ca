/**
 * SLUB object and slab geometry under the rules of modern kernels: the second profile of the
 * `SlubGeometryRules` interface of slub_geometry.ts (the first is `slub_2_6_25`).
 *
 * Mirrors: mm/slub.c of v6.8 and later (calc_slab_order, calculate_order, calculate_sizes,
 * set_min_partial, set_cpu_partial) and mm/slab_common.c (calculate_alignment,
 * create_boot_cache for kmalloc alignment). An older loop (v2.6.26 .. v6.7: min_objects counted
 * down, fractions 16 -> 8 -> 4, then one object) is kept as the `legacy` order loop of the same
 * profile, because `reclaimsim audit` meets such kernels in the field.
 *
 * Used by `reclaimsim audit` to predict, from what /sys/kernel/slab shows of a cache (object size,
 * alignment, flags, ctor presence), its slot size, page order and objects per slab, and compare
 * the prediction with the live kernel. It is a pure function of its inputs.
 *
 * Simplified: 4 KiB pages and 64-bit words only. KASAN metadata is not modelled (sysfs does not
 * show whether a cache carries it); the caller reports a KASAN kernel as a reason for mismatches.
 * Debug tracks assume CONFIG_STACKDEPOT (struct track is 32 bytes; 24 without it).
 */
import { ALIGN, ARCH_SLAB_MINALIGN, MAX_ORDER, PAGE_ALLOC_COSTLY_ORDER, PAGE_SIZE, calculate_alignment_2_6_25, fls } from './slub_geometry.js';
import type { CacheGeometry, SlubGeometryRules } from './slub_geometry.js';

// Flag bits as slub_geometry.ts numbers them (the 2.6.25 values). Modern kernels renumbered
// their SLAB_* bits; the audit maps sysfs booleans onto these, so the numbering is internal.
const SLAB_RED_ZONE = 0x00000400;
const SLAB_POISON = 0x00000800;
const SLAB_STORE_USER = 0x00010000;
/** SLAB_DESTROY_BY_RCU in 2.6.25, SLAB_TYPESAFE_BY_RCU today: same meaning for the layout. */
const SLAB_TYPESAFE_BY_RCU = 0x00080000;
/** Marks a kmalloc cache (2.6.25 __KMALLOC_CACHE, modern SLAB_KMALLOC). */
export const SLAB_KMALLOC_MARK = 0x20000000;

const SIZEOF_VOID_P = 8;
const SIZEOF_UNSIGNED_INT = 4;
/**
 * sizeof(struct track) on 64-bit with CONFIG_STACKDEPOT: addr 8, depot handle 4, cpu 4, pid 4,
 * padding 4, when 8. Without STACKDEPOT it is 24.
 */
export const SIZEOF_TRACK_MODERN = 32;
/** MAX_OBJS_PER_PAGE: slab->objects is a 15-bit field. */
export const MAX_OBJS_PER_PAGE = 32767;
/** MAX_PAGE_ORDER (formerly MAX_ORDER - 1) on x86_64: 10. */
export const MAX_PAGE_ORDER = MAX_ORDER - 1;
/** Bounds for kmem_cache_node partial lists kept by set_min_partial. */
export const MIN_PARTIAL = 5;
export const MAX_PARTIAL = 10;

/** get_order(size): the smallest order whose block holds `size` bytes (size >= 1). */
export function get_order(size: number): number {
  let order = 0;
  while (PAGE_SIZE * 2 ** order < size) order++;
  return order;
}

/** order_objects(order, size): objects of `size` bytes in a slab of 2^order pages. */
export function order_objects(order: number, size: number): number {
  return Math.floor((PAGE_SIZE * 2 ** order) / size);
}

/** ilog2(n) for n >= 1. */
function ilog2(n: number): number {
  return fls(n) - 1;
}

/**
 * slub_min_objects when the boot option is not given: 4 * (fls(nr_cpus) + 1), where nr_cpus is
 * the number of present CPUs, or nr_cpu_ids when at most one CPU is present.
 * @kernel mm/slub.c calculate_order (v6.8+; the CPU-derived default dates from v2.6.26)
 */
export function default_min_objects(nr_present_cpus: number, nr_cpu_ids: number): number {
  const nr_cpus = nr_present_cpus <= 1 ? nr_cpu_ids : nr_present_cpus;
  return 4 * (fls(nr_cpus) + 1);
}

/**
 * @kernel mm/slub.c calc_slab_order (v6.8+)
 * The smallest order in [min_order, max_order] whose leftover (slab bytes modulo size) is at
 * most 1/fract_leftover of the slab. Returns max_order + 1 (or min_order when it already exceeds
 * max_order) when none qualifies.
 */
export function calc_slab_order(size: number, min_order: number, max_order: number, fract_leftover: number): number {
  let order: number;
  for (order = min_order; order <= max_order; order++) {
    const slab_size = PAGE_SIZE * 2 ** order;
    const rem = slab_size % size;
    if (rem <= Math.floor(slab_size / fract_leftover)) break;
  }
  return order;
}

export interface ModernOrderKnobs {
  slub_min_order: number;
  slub_max_order: number;
  slub_min_objects: number;
}

/**
 * @kernel mm/slub.c calculate_order (v6.8+)
 * Cap min_objects by what fits in a slub_max_order slab (at least one); start at the order that
 * holds min_objects (never below slub_min_order); then accept waste of 1/16, 1/8, 1/4 and 1/2 in
 * turn, the first order within slub_max_order winning. An object too big for slub_max_order gets
 * get_order(size). A start order holding more than MAX_OBJS_PER_PAGE objects is capped.
 */
export function calculate_order_modern(r: ModernOrderKnobs, size: number): number {
  const max_objects = Math.max(order_objects(r.slub_max_order, size), 1);
  const min_objects = Math.min(r.slub_min_objects, max_objects);
  const min_order = Math.max(r.slub_min_order, get_order(min_objects * size));
  if (order_objects(min_order, size) > MAX_OBJS_PER_PAGE) return get_order(size * MAX_OBJS_PER_PAGE) - 1;
  for (let fraction = 16; fraction > 1; fraction = Math.floor(fraction / 2)) {
    const order = calc_slab_order(size, min_order, r.slub_max_order, fraction);
    if (order <= r.slub_max_order) return order;
  }
  const order = get_order(size);
  return order <= MAX_PAGE_ORDER ? order : -1;
}

/**
 * @kernel mm/slub.c calculate_order and slab_order/calc_slab_order (v2.6.26 .. v6.7)
 * The older loop: for min_objects counting down by one from the (capped) default to 2, try waste
 * 1/16, 1/8, 1/4 starting at max(slub_min_order, get_order(min_objects*size)); then one object
 * per slab within slub_max_order; then any order up to MAX_ORDER - 1.
 */
export function calculate_order_legacy(r: ModernOrderKnobs, size: number): number {
  const max_objects = order_objects(r.slub_max_order, size);
  let min_objects = Math.min(r.slub_min_objects, max_objects);
  const legacy_slab_order = (objs: number, max_order: number, fract: number): number => {
    const start = Math.max(r.slub_min_order, get_order(objs * size));
    if (order_objects(start, size) > MAX_OBJS_PER_PAGE) return get_order(size * MAX_OBJS_PER_PAGE) - 1;
    return calc_slab_order(size, start, max_order, fract);
  };
  while (min_objects > 1) {
    for (let fraction = 16; fraction >= 4; fraction = Math.floor(fraction / 2)) {
      const order = legacy_slab_order(min_objects, r.slub_max_order, fraction);
      if (order <= r.slub_max_order) return order;
    }
    min_objects--;
  }
  let order = legacy_slab_order(1, r.slub_max_order, 1);
  if (order <= r.slub_max_order) return order;
  order = legacy_slab_order(1, MAX_PAGE_ORDER, 1);
  return order <= MAX_PAGE_ORDER ? order : -1;
}

export interface ModernGeometryOptions {
  cache_line_size?: number;
  slub_min_order?: number;
  /** Default PAGE_ALLOC_COSTLY_ORDER (3); CONFIG_SLUB_TINY kernels use 1. */
  slub_max_order?: number;
  /** Explicit slub_min_objects= boot option; otherwise derived from the CPU counts. */
  slub_min_objects?: number;
  /** nr_cpu_ids: highest possible CPU + 1 (/sys/devices/system/cpu/possible). Default 1. */
  nr_cpu_ids?: number;
  /** num_present_cpus() (/sys/devices/system/cpu/present). Default nr_cpu_ids. */
  nr_present_cpus?: number;
  /** 'v6.8' (current) or 'legacy' (v2.6.26 .. v6.7). Default 'v6.8'. */
  order_loop?: 'v6.8' | 'legacy';
}

export interface ModernGeometryRules extends SlubGeometryRules {
  readonly order_loop: 'v6.8' | 'legacy';
  readonly nr_cpu_ids: number;
  readonly nr_present_cpus: number;
}

/**
 * The modern x86_64 profile: 4 KiB pages, slub_max_order = PAGE_ALLOC_COSTLY_ORDER (3),
 * slub_min_objects from the CPU count.
 * @kernel mm/slub.c slub_max_order, calculate_order (v6.x)
 */
export function slub_modern(o: ModernGeometryOptions = {}): ModernGeometryRules {
  const nr_cpu_ids = o.nr_cpu_ids ?? 1;
  const nr_present_cpus = o.nr_present_cpus ?? nr_cpu_ids;
  const order_loop = o.order_loop ?? 'v6.8';
  const r: ModernGeometryRules = {
    name: order_loop === 'v6.8' ? 'modern (v6.8+)' : 'modern (legacy loop, v2.6.26..v6.7)',
    cache_line_size: o.cache_line_size ?? 64,
    slub_min_order: o.slub_min_order ?? 0,
    slub_max_order: o.slub_max_order ?? PAGE_ALLOC_COSTLY_ORDER,
    slub_min_objects: o.slub_min_objects ?? default_min_objects(nr_present_cpus, nr_cpu_ids),
    order_loop,
    nr_cpu_ids,
    nr_present_cpus,
    calculate_alignment(flags: number, align: number, size: number): number {
      // Same rule as 2.6.25 (now in mm/slab_common.c): cache line halved for small objects,
      // never below arch_slab_minalign (8 on x86_64), rounded to a word.
      return calculate_alignment_2_6_25(r.cache_line_size, flags, align, size);
    },
    calculate_order(size: number): number {
      return r.order_loop === 'v6.8' ? calculate_order_modern(r, size) : calculate_order_legacy(r, size);
    },
  };
  return r;
}

/**
 * Alignment a kmalloc cache is created with: at least the largest power-of-two divisor of its
 * size (v6.15+; v5.4 .. v6.14 gave natural alignment only to power-of-two sizes).
 * @kernel mm/slab_common.c create_boot_cache (v6.15+)
 */
export function kmalloc_align_modern(size: number, naturalPow2Only = false): number {
  const lowbit = size & -size;
  if (naturalPow2Only) return lowbit === size ? Math.max(ARCH_SLAB_MINALIGN, size) : ARCH_SLAB_MINALIGN;
  return Math.max(ARCH_SLAB_MINALIGN, lowbit);
}

export interface ModernLayoutOptions {
  /** SLAB_TYPESAFE_BY_RCU cache created with args->use_freeptr_offset (v6.12+): the free
   * pointer lives inside the object, so no word is added. Not visible in sysfs. */
  rcu_freeptr_offset?: boolean;
  /** Size of struct track for SLAB_STORE_USER (32 with STACKDEPOT, 24 without). */
  sizeof_track?: number;
}

/**
 * @kernel mm/slub.c calculate_sizes (v6.12+)
 * Word-align the object; with red zoning and no slack add a word; the free pointer moves after
 * the object for RCU (unless a freeptr offset was given), poisoning, a ctor, or red-zoned objects
 * smaller than a word or kmalloc objects keeping their original size; otherwise it sits in the
 * middle of the object and costs nothing. STORE_USER adds two tracks (and the kmalloc original
 * size); RED_ZONE adds a trailing word and a left pad of one word rounded to the alignment;
 * finally round to `align`, which the caller passes as the cache's final alignment (sysfs
 * `align`), and pick the order.
 */
export function calculate_sizes_modern(
  rules: SlubGeometryRules,
  objsize: number,
  align: number,
  flags: number,
  hasCtor: boolean,
  o: ModernLayoutOptions = {},
): CacheGeometry {
  let size = ALIGN(objsize, SIZEOF_VOID_P);
  if (flags & SLAB_RED_ZONE && size === objsize) size += SIZEOF_VOID_P;
  const inuse = size;
  const kmallocOrigSize = (flags & SLAB_KMALLOC_MARK) !== 0 && (flags & SLAB_STORE_USER) !== 0;
  let offset: number;
  const rcu = (flags & SLAB_TYPESAFE_BY_RCU) !== 0;
  if ((rcu && !o.rcu_freeptr_offset) || flags & SLAB_POISON || hasCtor || (flags & SLAB_RED_ZONE && (objsize < SIZEOF_VOID_P || kmallocOrigSize))) {
    offset = size;
    size += SIZEOF_VOID_P;
  } else if (rcu) {
    offset = 0; // somewhere inside the object, chosen by the cache's creator
  } else {
    offset = Math.floor(objsize / 2 / SIZEOF_VOID_P) * SIZEOF_VOID_P;
  }
  if (flags & SLAB_STORE_USER) {
    size += 2 * (o.sizeof_track ?? SIZEOF_TRACK_MODERN);
    if (flags & SLAB_KMALLOC_MARK) size += SIZEOF_UNSIGNED_INT;
  }
  if (flags & SLAB_RED_ZONE) {
    size += SIZEOF_VOID_P;
    size += ALIGN(SIZEOF_VOID_P, align);
  }
  const a = Math.max(align, ARCH_SLAB_MINALIGN);
  size = ALIGN(size, a);
  const order = rules.calculate_order(size);
  const objects = order < 0 ? 0 : order_objects(order, size);
  return { objsize, inuse, offset, size, align: a, order, objects, pageAllocFallback: false };
}

/**
 * @kernel mm/slub.c do_kmem_cache_create / set_min_partial (v6.x)
 * Larger objects keep more empty slabs on the node partial list: ilog2(size)/2, within
 * [MIN_PARTIAL, MAX_PARTIAL].
 */
export function min_partial_modern(size: number): number {
  return Math.max(MIN_PARTIAL, Math.min(MAX_PARTIAL, Math.floor(ilog2(size) / 2)));
}

/**
 * @kernel mm/slub.c set_cpu_partial (v4.x .. v6.x)
 * Objects kept on per-CPU partial slabs, by slot size: >= PAGE_SIZE 6, >= 1024 24, >= 256 52,
 * else 120; 0 for debug caches (kmem_cache_has_cpu_partial is false for them).
 */
export function cpu_partial_modern(size: number, debug: boolean): number {
  if (debug) return 0;
  if (size >= PAGE_SIZE) return 6;
  if (size >= 1024) return 24;
  if (size >= 256) return 52;
  return 120;
}

