/**
 * SLUB object and slab geometry: alignment, object size with metadata, page order and objects per
 * slab, as pure functions of a rules profile.
 *
 * Mirrors: mm/slub.c of v2.6.25 (calculate_alignment, slab_order, calculate_order,
 * calculate_sizes). The 2.6.25 rules are the profile `slub_2_6_25`; other kernel generations (the
 * modern rules used by `reclaimsim audit`) are further profiles of the same interface.
 *
 * Simplified: only 4 KiB pages (PAGE_SHIFT 12), x86_64 word size 8. Debug metadata (red zone,
 * store-user tracks) is computed as 2.6.25 lays it out, for completeness of the geometry check.
 */
export const PAGE_SHIFT = 12;
export const PAGE_SIZE = 1 << PAGE_SHIFT;
export const MAX_ORDER = 11;
export const PAGE_ALLOC_COSTLY_ORDER = 3;
/** ARCH_SLAB_MINALIGN / ARCH_KMALLOC_MINALIGN on x86_64: __alignof__(unsigned long long). */
export const ARCH_SLAB_MINALIGN = 8;
const SIZEOF_VOID_P = 8;
/** sizeof(struct track) on x86_64: addr 8, cpu 4, pid 4, when 8. */
export const SIZEOF_TRACK = 24;

// SLAB_* flags needed here (the full set lives in src/include/slab.ts).
const SLAB_RED_ZONE = 0x00000400;
const SLAB_POISON = 0x00000800;
const SLAB_HWCACHE_ALIGN = 0x00002000;
const SLAB_STORE_USER = 0x00010000;
const SLAB_DESTROY_BY_RCU = 0x00080000;
const __KMALLOC_CACHE = 0x20000000;

export function ALIGN(x: number, a: number): number {
  return Math.ceil(x / a) * a;
}

/** fls(x): index (1-based) of the most significant set bit; fls(0) = 0. */
export function fls(x: number): number {
  return x <= 0 ? 0 : 32 - Math.clz32(x);
}

/** The knobs that decide geometry. */
export interface SlubGeometryRules {
  readonly name: string;
  /** cache_line_size(): x86 boot_cpu_data.x86_cache_alignment (64, or 128 on Netburst). */
  readonly cache_line_size: number;
  readonly slub_min_order: number;
  readonly slub_max_order: number;
  readonly slub_min_objects: number;
  calculate_alignment(flags: number, align: number, size: number): number;
  calculate_order(size: number): number;
}

export interface SlubGeometryOptions {
  cache_line_size?: number;
  slub_min_order?: number;
  slub_max_order?: number;
  slub_min_objects?: number;
}

/**
 * @kernel mm/slub.c calculate_alignment (v2.6.25)
 * HWCACHE_ALIGN starts at the cache line and halves while the object fits in half of it
 * (small objects do not straddle lines); never below ARCH_SLAB_MINALIGN; rounded to a word.
 */
export function calculate_alignment_2_6_25(cache_line_size: number, flags: number, align: number, size: number): number {
  if (flags & SLAB_HWCACHE_ALIGN) {
    let ralign = cache_line_size;
    while (size <= ralign / 2) ralign /= 2;
    align = Math.max(align, ralign);
  }
  if (align < ARCH_SLAB_MINALIGN) align = ARCH_SLAB_MINALIGN;
  return ALIGN(align, SIZEOF_VOID_P);
}

/**
 * @kernel mm/slub.c slab_order (v2.6.25)
 * The smallest order from max(min_order, fls(min_objects*size-1)-PAGE_SHIFT) up to max_order
 * whose slab holds min_objects and leaves at most slab_size/fract bytes unused. Returns
 * max_order + 1 when none qualifies (the loop ran off its end).
 */
export function slab_order(size: number, min_objects: number, max_order: number, fract_leftover: number, min_order: number): number {
  let order: number;
  for (order = Math.max(min_order, fls(min_objects * size - 1) - PAGE_SHIFT); order <= max_order; order++) {
    const slab_size = PAGE_SIZE << order;
    if (slab_size < min_objects * size) continue;
    const rem = slab_size % size;
    if (rem <= Math.floor(slab_size / fract_leftover)) break;
  }
  return order;
}

/**
 * @kernel mm/slub.c calculate_order (v2.6.25)
 * Tries min_objects = slub_min_objects, then halves; for each, waste fractions 1/8 then 1/4;
 * then one object per slab within slub_max_order; then one object up to MAX_ORDER.
 */
export function calculate_order_2_6_25(r: { slub_min_order: number; slub_max_order: number; slub_min_objects: number }, size: number): number {
  let min_objects = r.slub_min_objects;
  while (min_objects > 1) {
    let fraction = 8;
    while (fraction >= 4) {
      const order = slab_order(size, min_objects, r.slub_max_order, fraction, r.slub_min_order);
      if (order <= r.slub_max_order) return order;
      fraction = Math.floor(fraction / 2);
    }
    min_objects = Math.floor(min_objects / 2);
  }
  let order = slab_order(size, 1, r.slub_max_order, 1, r.slub_min_order);
  if (order <= r.slub_max_order) return order;
  order = slab_order(size, 1, MAX_ORDER, 1, r.slub_min_order);
  if (order <= MAX_ORDER) return order;
  return -1;
}

/** The 2.6.25 x86_64 rules with 4 KiB pages: DEFAULT_MAX_ORDER 1, DEFAULT_MIN_OBJECTS 4. */
export function slub_2_6_25(o: SlubGeometryOptions = {}): SlubGeometryRules {
  const r = {
    name: '2.6.25',
    cache_line_size: o.cache_line_size ?? 64,
    slub_min_order: o.slub_min_order ?? 0,
    slub_max_order: o.slub_max_order ?? 1,
    slub_min_objects: o.slub_min_objects ?? 4,
    calculate_alignment(flags: number, align: number, size: number): number {
      return calculate_alignment_2_6_25(r.cache_line_size, flags, align, size);
    },
    calculate_order(size: number): number {
      return calculate_order_2_6_25(r, size);
    },
  };
  return r;
}

export interface CacheGeometry {
  /** Object size as requested (s->objsize). */
  objsize: number;
  /** Bytes used by the object proper, before the free pointer (s->inuse). */
  inuse: number;
  /** Free-pointer offset (s->offset): 0 when it overlays the object. */
  offset: number;
  /** Slot size including metadata and alignment (s->size). */
  size: number;
  align: number;
  order: number;
  /** Objects per slab (s->objects). */
  objects: number;
  /** __PAGE_ALLOC_FALLBACK was set (2.6.25 kmalloc-2048/4096). */
  pageAllocFallback: boolean;
}

/**
 * @kernel mm/slub.c calculate_sizes (v2.6.25)
 * Word-align the object; a ctor, RCU or poisoning moves the free pointer after it; debug flags
 * add red zones and two tracks; align; then pick the order. kmalloc caches whose slab would hold
 * fewer than slub_min_objects objects get order max(slub_max_order, PAGE_ALLOC_COSTLY_ORDER) and
 * __PAGE_ALLOC_FALLBACK (2.6.25 only; other profiles pass kmallocFallback=false).
 */
export function calculate_sizes(
  rules: SlubGeometryRules,
  objsize: number,
  align: number,
  flags: number,
  hasCtor: boolean,
  kmallocFallback = true,
): CacheGeometry {
  let size = ALIGN(objsize, SIZEOF_VOID_P);
  if (flags & SLAB_RED_ZONE && size === objsize) size += SIZEOF_VOID_P;
  const inuse = size;
  let offset = 0;
  if (flags & (SLAB_DESTROY_BY_RCU | SLAB_POISON) || hasCtor) {
    offset = size;
    size += SIZEOF_VOID_P;
  }
  if (flags & SLAB_STORE_USER) size += 2 * SIZEOF_TRACK;
  if (flags & SLAB_RED_ZONE) size += SIZEOF_VOID_P;
  const a = rules.calculate_alignment(flags, align, objsize);
  size = ALIGN(size, a);
  let order: number;
  let pageAllocFallback = false;
  if (kmallocFallback && flags & __KMALLOC_CACHE && Math.floor(PAGE_SIZE / size) < rules.slub_min_objects) {
    order = Math.max(rules.slub_max_order, PAGE_ALLOC_COSTLY_ORDER);
    pageAllocFallback = true;
  } else {
    order = rules.calculate_order(size);
  }
  const objects = order < 0 ? 0 : Math.floor((PAGE_SIZE << order) / size);
  return { objsize, inuse, offset, size, align: a, order, objects, pageAllocFallback };
}
