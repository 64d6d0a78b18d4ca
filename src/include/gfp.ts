/**
 * GFP allocation-mask bits and composites, and the page allocator's ALLOC_* flags.
 *
 * Mirrors: include/linux/gfp.h and the ALLOC_* definitions of mm/page_alloc.c, v2.6.25, x86_64
 * (CONFIG_ZONE_DMA and CONFIG_ZONE_DMA32 set, no HIGHMEM, no NUMA). Pure constants and a
 * formatter; callable from any context, never sleeps.
 */
export const __GFP_DMA = 0x01;
export const __GFP_HIGHMEM = 0x02;
export const __GFP_DMA32 = 0x04;
export const __GFP_WAIT = 0x10;
export const __GFP_HIGH = 0x20;
export const __GFP_IO = 0x40;
export const __GFP_FS = 0x80;
export const __GFP_COLD = 0x100;
export const __GFP_NOWARN = 0x200;
export const __GFP_REPEAT = 0x400;
export const __GFP_NOFAIL = 0x800;
export const __GFP_NORETRY = 0x1000;
export const __GFP_COMP = 0x4000;
export const __GFP_ZERO = 0x8000;
export const __GFP_NOMEMALLOC = 0x10000;
export const __GFP_HARDWALL = 0x20000;
export const __GFP_THISNODE = 0x40000;
export const __GFP_RECLAIMABLE = 0x80000;
export const __GFP_MOVABLE = 0x100000;

export const __GFP_BITS_SHIFT = 21;
export const __GFP_BITS_MASK = (1 << __GFP_BITS_SHIFT) - 1;

export const GFP_ATOMIC = __GFP_HIGH;
/** GFP_ATOMIC without __GFP_HIGH: 0. */
export const GFP_NOWAIT = GFP_ATOMIC & ~__GFP_HIGH;
export const GFP_NOIO = __GFP_WAIT;
export const GFP_NOFS = __GFP_WAIT | __GFP_IO;
export const GFP_KERNEL = __GFP_WAIT | __GFP_IO | __GFP_FS;
export const GFP_TEMPORARY = __GFP_WAIT | __GFP_IO | __GFP_FS | __GFP_RECLAIMABLE;
export const GFP_USER = __GFP_WAIT | __GFP_IO | __GFP_FS | __GFP_HARDWALL;
export const GFP_HIGHUSER = GFP_USER | __GFP_HIGHMEM;
export const GFP_HIGHUSER_MOVABLE = GFP_HIGHUSER | __GFP_MOVABLE;
export const GFP_NOFS_PAGECACHE = __GFP_WAIT | __GFP_IO | __GFP_MOVABLE;
export const GFP_USER_PAGECACHE = GFP_USER | __GFP_MOVABLE;
export const GFP_HIGHUSER_PAGECACHE = GFP_HIGHUSER | __GFP_MOVABLE;
/** Without CONFIG_NUMA, GFP_THISNODE is 0. */
export const GFP_THISNODE = 0;
export const GFP_DMA = __GFP_DMA;
export const GFP_DMA32 = __GFP_DMA32;

export const GFP_MOVABLE_MASK = __GFP_RECLAIMABLE | __GFP_MOVABLE;
/** The bits that steer reclaim behaviour; SLUB's new_slab passes only these (plus constraints). */
export const GFP_RECLAIM_MASK =
  __GFP_WAIT | __GFP_HIGH | __GFP_IO | __GFP_FS | __GFP_NOWARN | __GFP_REPEAT | __GFP_NOFAIL | __GFP_NORETRY | __GFP_NOMEMALLOC;
export const GFP_CONSTRAINT_MASK = __GFP_HARDWALL | __GFP_THISNODE;
/** Bits a slab allocation must not carry. */
export const GFP_SLAB_BUG_MASK = (__GFP_DMA32 | __GFP_HIGHMEM | ~__GFP_BITS_MASK) >>> 0;

// ---- ALLOC_* flags for get_page_from_freelist (mm/page_alloc.c) ----
export const ALLOC_NO_WATERMARKS = 0x01;
export const ALLOC_WMARK_MIN = 0x02;
export const ALLOC_WMARK_LOW = 0x04;
export const ALLOC_WMARK_HIGH = 0x08;
export const ALLOC_HARDER = 0x10;
export const ALLOC_HIGH = 0x20;
export const ALLOC_CPUSET = 0x40;

/** Composites tried first by format_gfp, largest first (greedy). */
const COMPOSITES: readonly (readonly [string, number])[] = [
  ['GFP_HIGHUSER_MOVABLE', GFP_HIGHUSER_MOVABLE],
  ['GFP_HIGHUSER', GFP_HIGHUSER],
  ['GFP_USER', GFP_USER],
  ['GFP_TEMPORARY', GFP_TEMPORARY],
  ['GFP_KERNEL', GFP_KERNEL],
  ['GFP_NOFS', GFP_NOFS],
  ['GFP_NOIO', GFP_NOIO],
  ['GFP_ATOMIC', GFP_ATOMIC],
];

const BITS: readonly (readonly [string, number])[] = [
  ['__GFP_DMA', __GFP_DMA],
  ['__GFP_HIGHMEM', __GFP_HIGHMEM],
  ['__GFP_DMA32', __GFP_DMA32],
  ['__GFP_WAIT', __GFP_WAIT],
  ['__GFP_HIGH', __GFP_HIGH],
  ['__GFP_IO', __GFP_IO],
  ['__GFP_FS', __GFP_FS],
  ['__GFP_COLD', __GFP_COLD],
  ['__GFP_NOWARN', __GFP_NOWARN],
  ['__GFP_REPEAT', __GFP_REPEAT],
  ['__GFP_NOFAIL', __GFP_NOFAIL],
  ['__GFP_NORETRY', __GFP_NORETRY],
  ['__GFP_COMP', __GFP_COMP],
  ['__GFP_ZERO', __GFP_ZERO],
  ['__GFP_NOMEMALLOC', __GFP_NOMEMALLOC],
  ['__GFP_HARDWALL', __GFP_HARDWALL],
  ['__GFP_THISNODE', __GFP_THISNODE],
  ['__GFP_RECLAIMABLE', __GFP_RECLAIMABLE],
  ['__GFP_MOVABLE', __GFP_MOVABLE],
];

/** The mask as the kernel prints it in allocation-failure reports (`%x`): `0x20`. */
export function gfp_hex(mask: number): string {
  return `0x${(mask >>> 0).toString(16)}`;
}

/**
 * Symbolic form: the largest composite contained in the mask (at most one), then the remaining
 * single bits in bit order, then any unknown bits in hex. `GFP_NOWAIT` for 0.
 */
export function gfp_symbolic(mask: number): string {
  let rest = mask >>> 0;
  const parts: string[] = [];
  for (const [name, v] of COMPOSITES) {
    if ((rest & v) === v) {
      parts.push(name);
      rest &= ~v;
      break;
    }
  }
  // Remaining bits in bit order: mempool's trio reads __GFP_NOWARN|__GFP_NORETRY|__GFP_NOMEMALLOC.
  for (const [name, v] of BITS) {
    if (rest & v) {
      parts.push(name);
      rest &= ~v;
    }
  }
  if (rest) parts.push(gfp_hex(rest));
  return parts.length === 0 ? 'GFP_NOWAIT' : parts.join('|');
}

/** Both forms: `mode:0x11210 (GFP_NOIO|__GFP_NOWARN|__GFP_NORETRY|__GFP_NOMEMALLOC)`. */
export function format_gfp(mask: number): { hex: string; mode: string; symbolic: string; text: string } {
  const hex = gfp_hex(mask);
  const symbolic = gfp_symbolic(mask);
  return { hex, mode: `mode:${hex}`, symbolic, text: `mode:${hex} (${symbolic})` };
}
