/**
 * The SLUB slab allocator of 2.6.25, with cache merging, and a non-merging mode standing for the
 * SLAB allocator's externally visible behaviour.
 *
 * Mirrors: mm/slub.c of v2.6.25 (kmem_cache_create, find_mergeable, slab_unmergeable,
 * create_unique_id, kmem_cache_init's kmalloc caches, get_slab, slab_alloc/__slab_alloc,
 * slab_free/__slab_free, new_slab/allocate_slab, get_partial, add_partial/remove_partial,
 * deactivate_slab, unfreeze_slab, discard_slab, kfree, s_show) and include/linux/slub_def.h
 * (kmalloc_large, an inline there). Geometry comes from slub_geometry.ts.
 *
 * Handles and merged caches. kmem_cache_create returns a `kmem_cache` handle per caller name;
 * when SLUB merges the request into an existing cache, several handles point at one
 * `kmem_cache_s` (the real struct kmem_cache, named after the old kernel struct name) and share
 * its slabs, CPU slabs and partial list exactly as in the kernel. The handle only adds
 * bookkeeping the kernel does not have: objects in use per handle ("owner"), so a report can
 * split kmalloc-128 occupancy into bios and sense buffers.
 *
 * Modelled: one node; per-CPU slab (c->page, c->freelist) per simulated CPU; the lockless CPU
 * freelist and the page freelist that remote frees feed while a slab is frozen; the node partial
 * list with head/tail insertion as 2.6.25 does it; MIN_PARTIAL retention of empty slabs on
 * deactivation only; immediate discard of slabs that become empty in __slab_free; the
 * __PAGE_ALLOC_FALLBACK path to kmalloc_large; DMA kmalloc caches created on demand.
 * Objects are integer ids (0 = NULL); each knows its slab and whether it is allocated. A double
 * free, a free of an unknown id or a free to a cache that does not hold the object is a simulator
 * assertion.
 *
 * Not modelled: slub_debug (red zones, poisoning, tracking), NUMA and remote_node_defrag_ratio,
 * kmem_cache_shrink, cache destruction, sysfs, the kmem_cache structs' own kmalloc, __GFP_ZERO
 * (objects carry no data), kmem_cache_node bootstrap.
 *
 * Non-merging mode (`merge: false`, used for `slub_nomerge` and, with `allocator: 'slab'`, for
 * the SLAB allocator): find_mergeable never merges, so every kmem_cache_create gets its own cache.
 * That is what SLAB looks like from outside (no aliases, one cache per name). SLAB's internal
 * array caches and its different geometry are not modelled; the slabs are SLUB slabs.
 *
 * Contexts: every function here but kmem_cache_alloc_wait is synchronous and never sleeps
 * (new_slab uses PageAllocator.alloc_pages_nosleep); callable from process, softirq and timer
 * context. kmem_cache_alloc_wait is the process-context allocation with __GFP_WAIT, whose new slab
 * page may come from direct reclaim. The allocating CPU is k.smp_processor_id(). Hot paths
 * allocate no objects (typed arrays).
 */
import type { Kernel } from '../kernel/kernel.js';
import type { KGen } from '../kernel/task.js';
import { TP } from '../kernel/trace.js';
import { assert, fail } from '../sim/assert.js';
import { recycle, take } from '../sim/recycle.js';
import { GFP_CONSTRAINT_MASK, GFP_RECLAIM_MASK, __GFP_COMP, __GFP_DMA, __GFP_NORETRY, __GFP_RECLAIMABLE } from '../include/gfp.js';
import {
  ARCH_KMALLOC_MINALIGN,
  MIN_PARTIAL,
  SLAB_CACHE_DMA,
  SLAB_DEBUG_FREE,
  SLAB_RECLAIM_ACCOUNT,
  SLUB_MERGE_SAME,
  SLUB_NEVER_MERGE,
  __KMALLOC_CACHE,
  __PAGE_ALLOC_FALLBACK,
} from '../include/slab.js';
import { PAGE_USE_OTHER, PAGE_USE_SLAB, PG_slab } from '../include/page-flags.js';
import { ALIGN, calculate_sizes, slub_2_6_25, type SlubGeometryRules } from './slub_geometry.js';
import { NR_SLAB_RECLAIMABLE, NR_SLAB_UNRECLAIMABLE, PAGE_SHIFT, PAGE_SIZE, type PageAllocator } from './page_alloc.js';

/** kmalloc(0) returns this; kfree ignores it. */
export const ZERO_SIZE_PTR = 0x7fffffff;

/** allocate_slab's page flags: the caller's reclaim and constraint bits plus the cache's allocflags. */
function slab_page_flags(s: kmem_cache_s, gfp: number): number {
  return (gfp & (GFP_RECLAIM_MASK | GFP_CONSTRAINT_MASK)) | s.allocflags;
}
/** Ids of kmalloc_large allocations are KMALLOC_LARGE_BASE + pfn. */
export const KMALLOC_LARGE_BASE = 2 ** 32;

/** A constructor; the model only counts calls (objects carry no data). */
export type kmem_cache_ctor = ((obj: number) => void) | null;

/** The real cache (struct kmem_cache). */
export class kmem_cache_s {
  /** Position in SlubAllocator.caches (creation order). */
  readonly id: number;
  objsize: number;
  /** s->inuse: bytes of the object in use before the free pointer. */
  inuse: number;
  readonly offset: number;
  readonly size: number;
  readonly align: number;
  readonly order: number;
  readonly objects: number;
  readonly flags: number;
  readonly allocflags: number;
  readonly ctor: kmem_cache_ctor;
  refcount = 1;
  /** Names of the handles that share this cache, creator first (the sysfs aliases). */
  readonly aliases: string[] = [];
  readonly handles: kmem_cache[] = [];
  // ---- kmem_cache_cpu, per simulated CPU ----
  /** c->page: slab number of the CPU slab, or -1. */
  readonly cpu_page: Int32Array;
  /** c->freelist: first free object slot of the CPU freelist, or -1. */
  readonly cpu_freelist: Int32Array;
  // ---- kmem_cache_node ----
  nr_partial = 0;
  partial_head = -1;
  partial_tail = -1;
  nr_slabs = 0;
  // ---- statistics (not kernel fields) ----
  /** Objects allocated and not freed (exact, unlike s_show's estimate). */
  objects_in_use = 0;
  alloc_count = 0;
  free_count = 0;
  /** kmem_cache_alloc calls that returned NULL. */
  alloc_failures = 0;
  /** Slabs allocated / discarded over the run. */
  slabs_allocated = 0;
  slabs_freed = 0;
  ctor_calls = 0;
  /** Slot bases of freed slabs, reused for new slabs of this cache. */
  readonly freeBases: number[] = [];

  constructor(
    readonly allocator: SlubAllocator,
    id: number,
    /** s->name: the name of the first creator. */
    readonly name: string,
    objsize: number,
    align: number,
    flags: number,
    ctor: kmem_cache_ctor,
    rules: SlubGeometryRules,
  ) {
    this.id = id;
    const g = calculate_sizes(rules, objsize, align, flags, ctor !== null);
    assert(g.order >= 0 && g.objects > 0, `kmem_cache ${name}: object of ${objsize} bytes does not fit`);
    this.objsize = objsize;
    this.inuse = g.inuse;
    this.offset = g.offset;
    this.size = g.size;
    this.align = g.align;
    this.order = g.order;
    this.objects = g.objects;
    this.flags = flags | (g.pageAllocFallback ? __PAGE_ALLOC_FALLBACK : 0);
    let allocflags = 0;
    if (this.order > 0) allocflags |= __GFP_COMP;
    if (flags & SLAB_CACHE_DMA) allocflags |= __GFP_DMA;
    if (flags & SLAB_RECLAIM_ACCOUNT) allocflags |= __GFP_RECLAIMABLE;
    this.allocflags = allocflags;
    this.ctor = ctor;
    const n = allocator.k.nr_cpu_ids;
    this.cpu_page = new Int32Array(n).fill(-1);
    this.cpu_freelist = new Int32Array(n).fill(-1);
  }

  /** The sysfs directory name: the unique id for mergeable caches, the name otherwise. */
  get sysfs_name(): string {
    return this.allocator.slab_unmergeable(this) ? this.name : create_unique_id(this);
  }

  /** CPU slabs currently held. */
  get cpu_slabs(): number {
    let n = 0;
    for (let i = 0; i < this.cpu_page.length; i++) if (this.cpu_page[i]! >= 0) n++;
    return n;
  }

  /** Total object slots in all slabs. */
  get total_objects(): number {
    return this.nr_slabs * this.objects;
  }
}

/** What kmem_cache_create returns: a per-caller handle onto a (possibly shared) cache. */
export class kmem_cache {
  /** Objects allocated through this handle and not yet freed. */
  inuse = 0;
  allocs = 0;
  failures = 0;
  constructor(
    /** The name the caller passed. */
    readonly name: string,
    /** The real cache (shared when merged). */
    readonly s: kmem_cache_s,
    /** Global handle number (index in SlubAllocator.handles). */
    readonly owner: number,
  ) {}

  get merged(): boolean {
    return this.s.handles[0] !== this;
  }
}

/**
 * @kernel mm/slub.c create_unique_id
 * ':' then flag letters (d = DMA, a = reclaim account, F = debug free) and '-' if any, then the
 * slot size as 7 digits: kmalloc-128 is ':0000128'.
 */
export function create_unique_id(s: { flags: number; size: number }): string {
  let p = ':';
  if (s.flags & SLAB_CACHE_DMA) p += 'd';
  if (s.flags & SLAB_RECLAIM_ACCOUNT) p += 'a';
  if (s.flags & SLAB_DEBUG_FREE) p += 'F';
  if (p.length > 1) p += '-';
  return p + String(s.size).padStart(7, '0');
}

export interface SlubOptions {
  /** cache_line_size() (64, or 128 on Netburst). */
  cache_line_size?: number;
  /** The slub_nomerge boot option. */
  slub_nomerge?: boolean;
  /** 'slub' (default) or 'slab': the SLAB allocator's visible behaviour (no merging). */
  allocator?: 'slub' | 'slab';
  /** Geometry rules (defaults to 2.6.25 with cache_line_size). */
  rules?: SlubGeometryRules;
}

/**
 * @kernel mm/slub.c get_slab (size_index part)
 * kmalloc cache index for a size of 1..4096: <=8 -> 3, 65-96 -> 1 (kmalloc-96), 129-192 -> 2
 * (kmalloc-192), otherwise fls(size - 1).
 */
export function kmalloc_index(size: number): number {
  if (size <= 8) return 3;
  if (size <= 16) return 4;
  if (size <= 32) return 5;
  if (size <= 64) return 6;
  if (size <= 96) return 1;
  if (size <= 128) return 7;
  if (size <= 192) return 2;
  return 32 - Math.clz32(size - 1);
}

/** Object size of kmalloc cache index i. */
export function kmalloc_index_size(i: number): number {
  return i === 1 ? 96 : i === 2 ? 192 : 1 << i;
}

const SLAB_GROW = 1024;

/** The table sizes of the last allocator given back in this thread (see release). */
const releasedCaps = { slabs: 0, objs: 0 };

export class SlubAllocator {
  /** slab_caches in creation order; the kernel's list is newest first (see slab_caches_list). */
  readonly caches: kmem_cache_s[] = [];
  readonly handles: kmem_cache[] = [];
  readonly rules: SlubGeometryRules;
  readonly slub_nomerge: boolean;
  readonly allocator: 'slub' | 'slab';
  /** kmalloc_caches[0..12] (index 0 unused without NUMA) and the on-demand DMA ones. */
  readonly kmalloc_caches: (kmem_cache | null)[] = new Array(PAGE_SHIFT + 1).fill(null);
  readonly kmalloc_caches_dma: (kmem_cache | null)[] = new Array(PAGE_SHIFT + 1).fill(null);
  /** kmalloc_large allocations outstanding, and the ones that failed. */
  large_in_use = 0;
  large_failures = 0;

  // ---- slab table (one entry per slab; indices recycled) ----
  private slabCap = 0;
  sl_pfn: Int32Array = new Int32Array(0);
  sl_cache: Int32Array = new Int32Array(0);
  /** page->inuse as the kernel keeps it (objects when frozen, minus remote frees). */
  sl_inuse: Int32Array = new Int32Array(0);
  /** page->freelist: first free slot, or -1. */
  sl_freelist: Int32Array = new Int32Array(0);
  sl_frozen: Uint8Array = new Uint8Array(0);
  sl_prev: Int32Array = new Int32Array(0);
  sl_next: Int32Array = new Int32Array(0);
  sl_base: Int32Array = new Int32Array(0);
  /** Objects of this slab actually allocated (model bookkeeping). */
  sl_live: Int32Array = new Int32Array(0);
  private readonly freeSlabs: number[] = [];
  private nextSlab = 0;

  // ---- object slots ----
  private objCap = 0;
  private nextObj = 0;
  /** Free-pointer link of each slot (-1 ends a list). */
  obj_next: Int32Array = new Int32Array(0);
  /** Slab number of each slot. */
  obj_slab: Int32Array = new Int32Array(0);
  /** Owning handle of an allocated slot, -1 when free. */
  obj_owner: Int32Array = new Int32Array(0);

  constructor(
    readonly k: Kernel,
    readonly pa: PageAllocator,
    opts: SlubOptions = {},
  ) {
    this.rules = opts.rules ?? slub_2_6_25({ cache_line_size: opts.cache_line_size ?? 64 });
    this.slub_nomerge = opts.slub_nomerge ?? false;
    this.allocator = opts.allocator ?? 'slub';
    this.growSlabs(Math.max(SLAB_GROW, releasedCaps.slabs));
    this.growObjs(Math.max(SLAB_GROW * 32, releasedCaps.objs));
  }

  private growSlabs(cap: number): void {
    const g32 = (a: Int32Array, fill: number): Int32Array => {
      const b = take(Int32Array, cap, fill);
      b.set(a);
      return b;
    };
    this.sl_pfn = g32(this.sl_pfn, -1);
    this.sl_cache = g32(this.sl_cache, -1);
    this.sl_inuse = g32(this.sl_inuse, 0);
    this.sl_freelist = g32(this.sl_freelist, -1);
    const f = take(Uint8Array, cap);
    f.set(this.sl_frozen);
    this.sl_frozen = f;
    this.sl_prev = g32(this.sl_prev, -1);
    this.sl_next = g32(this.sl_next, -1);
    this.sl_base = g32(this.sl_base, -1);
    this.sl_live = g32(this.sl_live, 0);
    this.slabCap = cap;
  }

  private growObjs(cap: number): void {
    const g32 = (a: Int32Array, fill: number): Int32Array => {
      const b = take(Int32Array, cap, fill);
      b.set(a);
      return b;
    };
    this.obj_next = g32(this.obj_next, -1);
    this.obj_slab = g32(this.obj_slab, -1);
    this.obj_owner = g32(this.obj_owner, -1);
    this.objCap = cap;
  }

  /**
   * Gives the slab and object tables back for the next machine (src/sim/recycle.ts); explore's
   * runOnce only, when the machine is finished with. Not kernel code. The next allocator of this
   * thread starts with tables of these sizes, so that it takes these arrays instead of growing
   * fresh ones; table sizes do not change what the model does.
   */
  release(): void {
    releasedCaps.slabs = this.slabCap;
    releasedCaps.objs = this.objCap;
    recycle(this.sl_pfn, this.sl_cache, this.sl_inuse, this.sl_freelist, this.sl_frozen, this.sl_prev, this.sl_next, this.sl_base, this.sl_live);
    recycle(this.obj_next, this.obj_slab, this.obj_owner);
  }

  /** Merging is possible at all (not slub_nomerge, not the SLAB allocator). */
  get merging(): boolean {
    return !this.slub_nomerge && this.allocator === 'slub';
  }

  /** slab_caches as the kernel lists it: newest first. */
  slab_caches_list(): kmem_cache_s[] {
    return this.caches.slice().reverse();
  }

  // ---- creation and merging ----

  /**
   * @kernel mm/slub.c slab_unmergeable
   * Unmergeable with slub_nomerge, NEVER_MERGE flags, __PAGE_ALLOC_FALLBACK, or a ctor.
   * (refcount < 0 marks only the NUMA kmem_cache_node bootstrap cache, not modelled.)
   */
  slab_unmergeable(s: kmem_cache_s): boolean {
    if (!this.merging || s.flags & SLUB_NEVER_MERGE) return true;
    if (s.flags & __PAGE_ALLOC_FALLBACK) return true;
    if (s.ctor !== null) return true;
    return s.refcount < 0;
  }

  /**
   * @kernel mm/slub.c find_mergeable
   * No merge with slub_nomerge, NEVER_MERGE flags or a ctor. Otherwise the final size is
   * computed as the new cache would have it, and the newest existing cache is taken that is
   * mergeable, at least that big, has the same MERGE_SAME bits, is a multiple of the alignment
   * and wastes less than a word (so in practice: the same final size).
   */
  find_mergeable(size: number, align: number, flags: number, _name: string, ctor: kmem_cache_ctor): kmem_cache_s | null {
    if (!this.merging || flags & SLUB_NEVER_MERGE) return null;
    if (ctor !== null) return null;
    size = ALIGN(size, 8);
    align = this.rules.calculate_alignment(flags, align, size);
    size = ALIGN(size, align);
    for (let i = this.caches.length - 1; i >= 0; i--) {
      const s = this.caches[i]!;
      if (this.slab_unmergeable(s)) continue;
      if (size > s.size) continue;
      if ((flags & SLUB_MERGE_SAME) !== (s.flags & SLUB_MERGE_SAME)) continue;
      if (s.size % align !== 0) continue;
      if (s.size - size >= 8) continue;
      return s;
    }
    return null;
  }

  /**
   * @kernel mm/slub.c kmem_cache_create
   * A merge bumps the refcount, widens objsize and inuse and adds an alias; otherwise a new cache
   * is opened and put at the head of slab_caches. Always returns a new handle for `name`.
   */
  kmem_cache_create(name: string, size: number, align: number, flags: number, ctor: kmem_cache_ctor = null): kmem_cache {
    assert(size > 0 && size <= PAGE_SIZE << 5, `kmem_cache_create ${name}: bad size ${size}`);
    const s = this.find_mergeable(size, align, flags, name, ctor);
    if (s === null) return this.kmem_cache_open(name, size, align, flags, ctor);
    s.refcount++;
    s.objsize = Math.max(s.objsize, size);
    s.inuse = Math.max(s.inuse, ALIGN(size, 8));
    return this.new_handle(name, s);
  }

  /**
   * @kernel mm/slub.c kmem_cache_open (with the list_add to slab_caches of its callers)
   * A new cache, never merged: how kmem_cache_init and dma_kmalloc_cache open the kmalloc caches,
   * and what kmem_cache_create does when nothing is mergeable.
   */
  private kmem_cache_open(name: string, size: number, align: number, flags: number, ctor: kmem_cache_ctor): kmem_cache {
    const s = new kmem_cache_s(this, this.caches.length, name, size, align, flags, ctor, this.rules);
    this.caches.push(s);
    return this.new_handle(name, s);
  }

  private new_handle(name: string, s: kmem_cache_s): kmem_cache {
    const h = new kmem_cache(name, s, this.handles.length);
    this.handles.push(h);
    s.handles.push(h);
    s.aliases.push(name);
    return h;
  }

  /**
   * @kernel mm/slub.c kmem_cache_init, create_kmalloc_cache
   * kmalloc-8 ... kmalloc-4096 plus kmalloc-96 and kmalloc-192, in the 2.6.25 creation order
   * (96 and 192 first, as KMALLOC_MIN_SIZE is 8, then the power-of-two caches from
   * KMALLOC_SHIFT_LOW), align 8, __KMALLOC_CACHE.
   */
  kmem_cache_init(): void {
    const mk = (i: number): void => {
      const size = kmalloc_index_size(i);
      // create_kmalloc_cache opens the cache directly (kmem_cache_open), never through find_mergeable.
      this.kmalloc_caches[i] = this.kmem_cache_open(`kmalloc-${size}`, size, ARCH_KMALLOC_MINALIGN, __KMALLOC_CACHE, null);
    };
    mk(1);
    mk(2);
    for (let i = 3; i <= PAGE_SHIFT; i++) mk(i);
  }

  /**
   * @kernel mm/slub.c get_slab, dma_kmalloc_cache
   * The kmalloc cache for `size` (1..4096); __GFP_DMA uses kmalloc_dma-N, created on demand.
   * Simplified: the creation always succeeds; 2.6.25's atomic callers only try slub_lock, and the
   * new cache's struct and name come from kmalloc, so there it can fail (no modelled path calls
   * kmalloc with __GFP_DMA).
   */
  get_slab(size: number, gfp: number): kmem_cache {
    const i = kmalloc_index(size);
    if (gfp & __GFP_DMA) {
      let h = this.kmalloc_caches_dma[i];
      if (h === null || h === undefined) {
        const sz = kmalloc_index_size(i);
        // dma_kmalloc_cache opens it directly with SLAB_CACHE_DMA alone: no merge, and without
        // __KMALLOC_CACHE its order follows the ordinary rules (no page-allocator fallback).
        h = this.kmem_cache_open(`kmalloc_dma-${sz}`, sz, ARCH_KMALLOC_MINALIGN, SLAB_CACHE_DMA, null);
        this.kmalloc_caches_dma[i] = h;
      }
      return h;
    }
    const h = this.kmalloc_caches[i];
    assert(h !== null && h !== undefined, 'kmalloc before kmem_cache_init');
    return h;
  }

  // ---- slab lists ----

  private add_partial(s: kmem_cache_s, slab: number, tail: boolean): void {
    s.nr_partial++;
    if (tail) {
      this.sl_prev[slab] = s.partial_tail;
      this.sl_next[slab] = -1;
      if (s.partial_tail >= 0) this.sl_next[s.partial_tail] = slab;
      else s.partial_head = slab;
      s.partial_tail = slab;
    } else {
      this.sl_next[slab] = s.partial_head;
      this.sl_prev[slab] = -1;
      if (s.partial_head >= 0) this.sl_prev[s.partial_head] = slab;
      else s.partial_tail = slab;
      s.partial_head = slab;
    }
  }

  private remove_partial(s: kmem_cache_s, slab: number): void {
    const p = this.sl_prev[slab]!;
    const n = this.sl_next[slab]!;
    if (p >= 0) this.sl_next[p] = n;
    else s.partial_head = n;
    if (n >= 0) this.sl_prev[n] = p;
    else s.partial_tail = p;
    this.sl_prev[slab] = -1;
    this.sl_next[slab] = -1;
    s.nr_partial--;
  }

  /**
   * @kernel mm/slub.c new_slab, allocate_slab
   * A slab from the page allocator with the caller's reclaim and constraint bits plus the cache's
   * allocflags, the objects threaded into a freelist in address order, the ctor run on each.
   * Returns the slab number or -1. This page allocation never sleeps (alloc_pages_nosleep):
   * kmem_cache_alloc_wait makes the sleeping one itself.
   */
  private new_slab(s: kmem_cache_s, gfp: number): number {
    this.enter_new_slab();
    const pfn = this.pa.alloc_pages_nosleep(slab_page_flags(s, gfp), s.order);
    this.leave_new_slab();
    if (pfn < 0) return -1;
    return this.init_slab(s, pfn);
  }

  /** The call chain a failure report prints for new_slab's page (kmem_cache_alloc's slab_alloc is inlined). */
  private enter_new_slab(): void {
    const t = this.k.current;
    t.enter('kmem_cache_alloc');
    t.enter('__slab_alloc');
    t.enter('new_slab');
  }

  private leave_new_slab(): void {
    const t = this.k.current;
    t.leave();
    t.leave();
    t.leave();
  }

  /** new_slab's part after the page allocation: the slab's objects on its freelist, ctor run. */
  private init_slab(s: kmem_cache_s, pfn: number): number {
    let slab: number;
    if (this.freeSlabs.length > 0) slab = this.freeSlabs.pop()!;
    else {
      if (this.nextSlab === this.slabCap) this.growSlabs(this.slabCap * 2);
      slab = this.nextSlab++;
    }
    let base: number;
    if (s.freeBases.length > 0) base = s.freeBases.pop()!;
    else {
      while (this.nextObj + s.objects > this.objCap) this.growObjs(this.objCap * 2);
      base = this.nextObj;
      this.nextObj += s.objects;
    }
    for (let i = 0; i < s.objects; i++) {
      this.obj_slab[base + i] = slab;
      this.obj_next[base + i] = i + 1 < s.objects ? base + i + 1 : -1;
      this.obj_owner[base + i] = -1;
    }
    const pa = this.pa;
    pa.set_page_use(pfn, s.order, PAGE_USE_SLAB);
    pa.page_flags[pfn] = pa.page_flags[pfn]! | (1 << PG_slab);
    pa.page_private[pfn] = slab;
    pa.page_mapping[pfn] = s.id;
    pa.mod_zone_page_state(pa.page_zone(pfn), s.flags & SLAB_RECLAIM_ACCOUNT ? NR_SLAB_RECLAIMABLE : NR_SLAB_UNRECLAIMABLE, 1 << s.order);
    this.sl_pfn[slab] = pfn;
    this.sl_cache[slab] = s.id;
    this.sl_inuse[slab] = 0;
    this.sl_freelist[slab] = base;
    this.sl_frozen[slab] = 0;
    this.sl_base[slab] = base;
    this.sl_live[slab] = 0;
    s.nr_slabs++;
    s.slabs_allocated++;
    if (s.ctor !== null) {
      for (let i = 0; i < s.objects; i++) s.ctor(base + i + 1);
      s.ctor_calls += s.objects;
    }
    return slab;
  }

  /**
   * @kernel mm/slub.c discard_slab, free_slab: the slab's pages go back to the page allocator at once.
   * Not modelled: the RCU-deferred free of SLAB_DESTROY_BY_RCU caches (anon_vma and sighand_cache
   * only, which never merge and take no slab page on the modelled paths).
   */
  private discard_slab(s: kmem_cache_s, slab: number): void {
    if (!(this.sl_live[slab] === 0)) fail('discard_slab: ', s.name, ' slab ', slab, ' still has ', this.sl_live[slab], ' objects');
    const pfn = this.sl_pfn[slab]!;
    const pa = this.pa;
    s.nr_slabs--;
    s.slabs_freed++;
    pa.mod_zone_page_state(pa.page_zone(pfn), s.flags & SLAB_RECLAIM_ACCOUNT ? NR_SLAB_RECLAIMABLE : NR_SLAB_UNRECLAIMABLE, -(1 << s.order));
    pa.page_flags[pfn] = pa.page_flags[pfn]! & ~(1 << PG_slab);
    pa.page_private[pfn] = 0;
    pa.set_page_use(pfn, s.order, PAGE_USE_OTHER);
    s.freeBases.push(this.sl_base[slab]!);
    this.sl_pfn[slab] = -1;
    this.sl_cache[slab] = -1;
    this.sl_freelist[slab] = -1;
    this.freeSlabs.push(slab);
    pa.__free_pages(pfn, s.order);
  }

  /**
   * @kernel mm/slub.c unfreeze_slab
   * A slab with objects in use goes on the partial list (head or tail) if it has free objects;
   * a full one goes nowhere; an empty one is kept (at the tail) only while nr_partial <
   * MIN_PARTIAL, and discarded otherwise.
   */
  private unfreeze_slab(s: kmem_cache_s, slab: number, tail: boolean): void {
    this.sl_frozen[slab] = 0;
    if (this.sl_inuse[slab]! > 0) {
      if (this.sl_freelist[slab]! >= 0) this.add_partial(s, slab, tail);
    } else if (s.nr_partial < MIN_PARTIAL) {
      this.add_partial(s, slab, true);
    } else {
      this.discard_slab(s, slab);
    }
  }

  /**
   * @kernel mm/slub.c deactivate_slab
   * The CPU freelist goes back onto the page freelist (each object one less in use); a slab that
   * had CPU-free objects goes to the head of the partial list ("hot"), otherwise the tail.
   */
  private deactivate_slab(s: kmem_cache_s, cpu: number): void {
    const slab = s.cpu_page[cpu]!;
    let tail = true;
    let obj = s.cpu_freelist[cpu]!;
    while (obj >= 0) {
      tail = false;
      const next = this.obj_next[obj]!;
      this.obj_next[obj] = this.sl_freelist[slab]!;
      this.sl_freelist[slab] = obj;
      this.sl_inuse[slab]!--;
      obj = next;
    }
    s.cpu_freelist[cpu] = -1;
    s.cpu_page[cpu] = -1;
    this.unfreeze_slab(s, slab, tail);
  }

  /**
   * @kernel mm/slub.c get_partial, get_partial_node, lock_and_freeze_slab
   * The first slab of the node's partial list, removed and frozen; -1 if none (one node).
   */
  private get_partial(s: kmem_cache_s): number {
    if (s.nr_partial === 0) return -1;
    const slab = s.partial_head;
    this.remove_partial(s, slab);
    this.sl_frozen[slab] = 1;
    return slab;
  }

  /**
   * @kernel mm/slub.c __slab_alloc
   * Refill the CPU freelist from the CPU slab's page freelist (remote frees); else deactivate it
   * and take a partial slab; else a new slab; else kmalloc_large for __PAGE_ALLOC_FALLBACK
   * caches without __GFP_NORETRY (done by the caller, slab_alloc); else NULL. Returns a slot or
   * -1. With `may_new_slab` false it stops before new_slab (kmem_cache_alloc_wait allocates the
   * page itself, sleeping if it must).
   */
  private __slab_alloc(s: kmem_cache_s, gfp: number, cpu: number, may_new_slab = true): number {
    let slab = s.cpu_page[cpu]!;
    if (slab >= 0) {
      const obj = this.sl_freelist[slab]!;
      if (obj >= 0) return this.load_freelist(s, slab, obj, cpu);
      this.deactivate_slab(s, cpu);
    }
    slab = this.get_partial(s);
    if (slab >= 0) {
      s.cpu_page[cpu] = slab;
      return this.load_freelist(s, slab, this.sl_freelist[slab]!, cpu);
    }
    if (!may_new_slab) return -1;
    slab = this.new_slab(s, gfp);
    if (slab >= 0) {
      // The CPU slab was deactivated above (or there was none): flush_slab has nothing to do.
      this.sl_frozen[slab] = 1;
      s.cpu_page[cpu] = slab;
      return this.load_freelist(s, slab, this.sl_freelist[slab]!, cpu);
    }
    return -1;
  }

  /** load_freelist: hand out the first object, the rest becomes the CPU freelist. */
  private load_freelist(s: kmem_cache_s, slab: number, obj: number, cpu: number): number {
    s.cpu_freelist[cpu] = this.obj_next[obj]!;
    this.sl_inuse[slab] = s.objects;
    this.sl_freelist[slab] = -1;
    return obj;
  }

  /**
   * @kernel mm/slub.c slab_alloc
   * Fast path from the CPU freelist, else __slab_alloc. Returns an object id or 0 (NULL).
   */
  slab_alloc(h: kmem_cache, gfp: number): number {
    const s = h.s;
    const cpu = this.k.smp_processor_id();
    let obj = s.cpu_freelist[cpu]!;
    if (obj >= 0) {
      s.cpu_freelist[cpu] = this.obj_next[obj]!;
    } else {
      obj = this.__slab_alloc(s, gfp, cpu);
      if (obj < 0) {
        if (!(gfp & __GFP_NORETRY) && s.flags & __PAGE_ALLOC_FALLBACK) {
          const id = this.kmalloc_large(s.objsize, gfp);
          if (id !== 0) return id;
        }
        s.alloc_failures++;
        h.failures++;
        return 0;
      }
    }
    return this.hand_out(h, obj);
  }

  /** The bookkeeping of an object handed out through handle h (owner, counts). Returns its id. */
  private hand_out(h: kmem_cache, obj: number): number {
    const s = h.s;
    if (!(this.obj_owner[obj] === -1)) fail('slab_alloc: ', s.name, ' handed out object ', obj + 1, ' twice');
    this.obj_owner[obj] = h.owner;
    this.sl_live[this.obj_slab[obj]!]!++;
    s.objects_in_use++;
    s.alloc_count++;
    h.inuse++;
    h.allocs++;
    return obj + 1;
  }

  /**
   * @kernel mm/slub.c slab_alloc, __slab_alloc, new_slab (as far as nothing sleeps)
   * An allocation for a caller that may sleep, tried without sleeping: the CPU freelist, the CPU
   * slab's page freelist, a partial slab, or a new slab whose page comes from __alloc_pages' first
   * (low-watermark) pass. Returns an object id, or 0 when the page allocator would go on to wake
   * kswapd and reclaim: then the caller makes its generator (kmem_cache_alloc_wait), which repeats
   * that pass (it has no side effects when it fails) and goes on.
   */
  kmem_cache_alloc_nosleep(h: kmem_cache, gfp: number): number {
    const s = h.s;
    const cpu = this.k.smp_processor_id();
    let obj = s.cpu_freelist[cpu]!;
    if (obj >= 0) s.cpu_freelist[cpu] = this.obj_next[obj]!;
    else obj = this.__slab_alloc(s, gfp, cpu, false);
    if (obj < 0) {
      const pfn = this.pa.alloc_pages_fastpath(slab_page_flags(s, gfp), s.order);
      if (pfn < 0) return 0;
      obj = this.install_new_slab(s, this.init_slab(s, pfn), cpu);
    }
    const id = this.hand_out(h, obj);
    if (this.k.trace.on[TP.kmem_cache_alloc]) this.k.tp(TP.kmem_cache_alloc, h.name, id, s.objsize, s.size, gfp, s.name);
    return id;
  }

  /**
   * __slab_alloc after new_slab: flush_slab deactivates a CPU slab that appeared meanwhile (an
   * allocation on this CPU while the caller slept), then the new slab is frozen as this CPU's and
   * its first object handed out.
   */
  private install_new_slab(s: kmem_cache_s, slab: number, cpu: number): number {
    if (s.cpu_page[cpu]! >= 0) this.deactivate_slab(s, cpu);
    this.sl_frozen[slab] = 1;
    s.cpu_page[cpu] = slab;
    return this.load_freelist(s, slab, this.sl_freelist[slab]!, cpu);
  }

  /**
   * @kernel mm/slub.c slab_alloc, __slab_alloc, new_slab (a caller that may sleep)
   * kmem_cache_alloc with __GFP_WAIT (GFP_KERNEL and the like): when neither the CPU slab nor a
   * partial slab has an object, the new slab's page comes from __alloc_pages, which may enter
   * direct reclaim (2.6.25 enables interrupts around new_slab for such a caller). Afterwards the
   * CPU slab is read again: an allocation on this CPU may have installed one while this caller
   * slept, and flush_slab deactivates it before the new slab takes its place. Returns an object
   * id, or 0 when __alloc_pages gave up. Simplified: no __PAGE_ALLOC_FALLBACK (no cache that uses
   * this path has it). Callers on a hot path try kmem_cache_alloc_nosleep first.
   */
  *kmem_cache_alloc_wait(h: kmem_cache, gfp: number): KGen<number> {
    const got = this.kmem_cache_alloc_nosleep(h, gfp);
    if (got !== 0) return got;
    const s = h.s;
    this.enter_new_slab();
    const pfn = yield* this.pa.__alloc_pages(slab_page_flags(s, gfp), s.order);
    this.leave_new_slab();
    if (pfn < 0) {
      s.alloc_failures++;
      h.failures++;
      return 0;
    }
    const id = this.hand_out(h, this.install_new_slab(s, this.init_slab(s, pfn), this.k.smp_processor_id()));
    if (this.k.trace.on[TP.kmem_cache_alloc]) this.k.tp(TP.kmem_cache_alloc, h.name, id, s.objsize, s.size, gfp, s.name);
    return id;
  }

  /**
   * @kernel mm/slub.c slab_free, __slab_free
   * Fast path onto this CPU's freelist when the object is in this CPU's slab. Otherwise onto the
   * page freelist: a frozen slab (another CPU's) stops there; a slab that became empty is
   * discarded at once (no MIN_PARTIAL retention here); a full slab that gained its first free
   * object goes to the partial list tail.
   */
  slab_free(s: kmem_cache_s, id: number): void {
    const obj = id - 1;
    if (!(obj >= 0 && obj < this.nextObj)) fail('kmem_cache_free(', s.name, '): ', id, ' is not a slab object');
    const slab = this.obj_slab[obj]!;
    if (!(this.sl_cache[slab] === s.id)) fail('kmem_cache_free(', s.name, '): object ', id, ' belongs to ', this.sl_cache[slab]! >= 0 ? this.caches[this.sl_cache[slab]!]!.name : 'no cache');
    const owner = this.obj_owner[obj]!;
    if (!(owner >= 0)) fail('kmem_cache_free(', s.name, '): double free of object ', id);
    this.obj_owner[obj] = -1;
    this.sl_live[slab]!--;
    s.objects_in_use--;
    s.free_count++;
    this.handles[owner]!.inuse--;
    const cpu = this.k.smp_processor_id();
    if (slab === s.cpu_page[cpu]) {
      this.obj_next[obj] = s.cpu_freelist[cpu]!;
      s.cpu_freelist[cpu] = obj;
      return;
    }
    const prior = this.sl_freelist[slab]!;
    this.obj_next[obj] = prior;
    this.sl_freelist[slab] = obj;
    this.sl_inuse[slab]!--;
    if (this.sl_frozen[slab]) return;
    if (this.sl_inuse[slab] === 0) {
      if (prior >= 0) this.remove_partial(s, slab);
      this.discard_slab(s, slab);
      return;
    }
    if (prior < 0) this.add_partial(s, slab, true);
  }

  /**
   * @kernel include/linux/slub_def.h kmalloc_large
   * Above PAGE_SIZE (or as the fallback of kmalloc-2048/4096): whole compound pages. The id is
   * KMALLOC_LARGE_BASE + pfn, or 0.
   */
  kmalloc_large(size: number, gfp: number): number {
    let order = 0;
    while (PAGE_SIZE << order < size) order++;
    const pfn = this.pa.alloc_pages_nosleep(gfp | __GFP_COMP, order);
    if (pfn < 0) {
      this.large_failures++;
      return 0;
    }
    this.large_in_use++;
    return KMALLOC_LARGE_BASE + pfn;
  }

  /** kmalloc(size, flags). Returns an object id or 0. */
  kmalloc(size: number, gfp: number): number {
    if (size > PAGE_SIZE) {
      const id = this.kmalloc_large(size, gfp);
      if (id !== 0 && this.k.trace.on[TP.kmalloc]) this.k.tp(TP.kmalloc, 'kmalloc', id, size, PAGE_SIZE << this.pa.page_order[id - KMALLOC_LARGE_BASE]!, gfp);
      return id;
    }
    if (size === 0) return ZERO_SIZE_PTR;
    const h = this.get_slab(size, gfp);
    const id = this.slab_alloc(h, gfp);
    if (id !== 0 && this.k.trace.on[TP.kmalloc]) this.k.tp(TP.kmalloc, 'kmalloc', id, size, h.s.size, gfp);
    return id;
  }

  /** kfree(x): NULL and ZERO_SIZE_PTR are ignored; large ids go back to the page allocator. */
  kfree(id: number): void {
    if (id === 0 || id === ZERO_SIZE_PTR) return;
    if (this.k.trace.on[TP.kfree]) this.k.tp(TP.kfree, 'kfree', id);
    if (id >= KMALLOC_LARGE_BASE) {
      const pfn = id - KMALLOC_LARGE_BASE;
      if (!(pfn < this.pa.max_pfn && this.pa.page_count[pfn]! > 0 && this.pa.page_use[pfn] === PAGE_USE_OTHER)) fail('kfree: ', id, ' is not a live kmalloc_large allocation');
      this.large_in_use--;
      this.pa.put_page(pfn);
      return;
    }
    const obj = id - 1;
    if (!(obj >= 0 && obj < this.nextObj)) fail('kfree: ', id, ' is not an object');
    const slab = this.obj_slab[obj]!;
    if (!(this.sl_cache[slab]! >= 0)) fail('kfree: object ', id, ' is in no live slab');
    this.slab_free(this.caches[this.sl_cache[slab]!]!, id);
  }

  /** kmem_cache_alloc(cachep, flags). */
  kmem_cache_alloc(h: kmem_cache, gfp: number): number {
    const id = this.slab_alloc(h, gfp);
    if (id !== 0 && this.k.trace.on[TP.kmem_cache_alloc]) this.k.tp(TP.kmem_cache_alloc, h.name, id, h.s.objsize, h.s.size, gfp, h.s.name);
    return id;
  }

  /** kmem_cache_free(cachep, x): the object must belong to the handle's (real) cache. */
  kmem_cache_free(h: kmem_cache, id: number): void {
    assert(id !== 0, `kmem_cache_free(${h.name}): NULL`);
    if (this.k.trace.on[TP.kmem_cache_free]) this.k.tp(TP.kmem_cache_free, h.name, id, h.s.name);
    this.slab_free(h.s, id);
  }

  // ---- queries ----

  /** The cache an object id belongs to, or null (also for kmalloc_large ids). */
  cache_of(id: number): kmem_cache_s | null {
    const obj = id - 1;
    if (obj < 0 || obj >= this.nextObj) return null;
    const c = this.sl_cache[this.obj_slab[obj]!]!;
    return c >= 0 ? this.caches[c]! : null;
  }

  /** Whether an object id is currently allocated. */
  is_allocated(id: number): boolean {
    const obj = id - 1;
    return obj >= 0 && obj < this.nextObj && this.obj_owner[obj]! >= 0;
  }

  /** The page frame of the slab holding an object. */
  page_of(id: number): number {
    return this.sl_pfn[this.obj_slab[id - 1]!]!;
  }

  /** The handle an allocated object was allocated through. */
  owner_of(id: number): kmem_cache | null {
    const o = this.obj_owner[id - 1];
    return o === undefined || o < 0 ? null : this.handles[o]!;
  }

  /** Free objects in partial slabs, in CPU freelists and on frozen slabs' page freelists. */
  free_objects(s: kmem_cache_s): number {
    return s.total_objects - s.objects_in_use;
  }

  /** /proc/slabinfo 2.1 figures as SLUB's s_show computes them (CPU slabs count as full). */
  s_show(s: kmem_cache_s): { active_objs: number; num_objs: number; active_slabs: number; num_slabs: number } {
    let partialInuse = 0;
    for (let sl = s.partial_head; sl >= 0; sl = this.sl_next[sl]!) partialInuse += this.sl_inuse[sl]!;
    const active = partialInuse + (s.nr_slabs - s.nr_partial) * s.objects;
    return { active_objs: active, num_objs: s.nr_slabs * s.objects, active_slabs: s.nr_slabs, num_slabs: s.nr_slabs };
  }

  /** Checks slab bookkeeping of one cache against its objects (for tests and the checker). */
  check_cache(s: kmem_cache_s): void {
    let live = 0;
    let slabs = 0;
    for (let sl = 0; sl < this.nextSlab; sl++) {
      if (this.sl_cache[sl] !== s.id) continue;
      slabs++;
      live += this.sl_live[sl]!;
    }
    assert(slabs === s.nr_slabs, `${s.name}: ${slabs} slabs found, nr_slabs ${s.nr_slabs}`);
    assert(live === s.objects_in_use, `${s.name}: ${live} live objects found, objects_in_use ${s.objects_in_use}`);
    let n = 0;
    for (let sl = s.partial_head; sl >= 0; sl = this.sl_next[sl]!) {
      n++;
      assert(!this.sl_frozen[sl], `${s.name}: frozen slab on the partial list`);
    }
    assert(n === s.nr_partial, `${s.name}: partial list has ${n} slabs, nr_partial ${s.nr_partial}`);
    let owners = 0;
    for (const h of s.handles) owners += h.inuse;
    assert(owners === s.objects_in_use, `${s.name}: per-handle counts sum to ${owners}, objects_in_use ${s.objects_in_use}`);
  }
}

// ---- the kernel-shaped entry points the rest of the model calls ----

/** kmem_cache_create through the handle's allocator. */
export function kmem_cache_create(slub: SlubAllocator, name: string, size: number, align: number, flags: number, ctor: kmem_cache_ctor = null): kmem_cache {
  return slub.kmem_cache_create(name, size, align, flags, ctor);
}

/** kmem_cache_alloc(cachep, gfp): an object id or 0 (NULL). Never sleeps. */
export function kmem_cache_alloc(cachep: kmem_cache, gfp: number): number {
  return cachep.s.allocator.kmem_cache_alloc(cachep, gfp);
}

/** kmem_cache_free(cachep, obj). */
export function kmem_cache_free(cachep: kmem_cache, obj: number): void {
  cachep.s.allocator.kmem_cache_free(cachep, obj);
}

/** kmalloc(size, gfp) on an allocator. */
export function kmalloc(slub: SlubAllocator, size: number, gfp: number): number {
  return slub.kmalloc(size, gfp);
}

/** kfree(obj) on an allocator. */
export function kfree(slub: SlubAllocator, obj: number): void {
  slub.kfree(obj);
}
