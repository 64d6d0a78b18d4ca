/**
 * Memory pools: a reserve of `min_nr` preallocated elements in front of a backing allocator, so
 * that a sleeping allocation always makes progress eventually.
 *
 * Mirrors: mm/mempool.c of v2.6.25 (mempool_create_node, mempool_alloc, mempool_free,
 * mempool_alloc_slab/free_slab, mempool_kmalloc/kfree). Elements are object ids from the slab
 * allocator (0 = NULL).
 *
 * The guarantee mempool_free argues for, in our words: an element handed out from the reserve
 * is eventually freed by its user, and a free while the reserve is short refills the reserve
 * first and then wakes the waiters, so a waiter finds an element on its next pass. A free while
 * the reserve is full goes to the backing allocator and wakes nobody: the waiters then depend on
 * the 5 s timeout to notice that the backing allocator may succeed again. Both facts are kept
 * exactly (the checker can assert "curr_nr < min_nr at a free => a wake_up follows").
 *
 * Not modelled: the pool lock (allocation and free are atomic in the model), mempool_resize,
 * mempool_destroy, NUMA nodes.
 *
 * Contexts: mempool_alloc is a generator; with __GFP_WAIT it may sleep and must run in process
 * context. Its first round, mempool_alloc_first, is a plain function that never sleeps: atomic
 * callers use it alone, and hot sleeping callers use it before mempool_alloc_wait. mempool_free
 * and mempool_create are synchronous.
 */
import type { Kernel } from '../kernel/kernel.js';
import { TASK_UNINTERRUPTIBLE, type KGen } from '../kernel/task.js';
import { io_schedule_timeout } from '../kernel/sched.js';
import { finish_wait, prepare_to_wait, wait_queue_head_t, wake_up } from '../kernel/wait.js';
import { assert } from '../sim/assert.js';
import { GFP_KERNEL, __GFP_IO, __GFP_NOMEMALLOC, __GFP_NORETRY, __GFP_NOWARN, __GFP_WAIT } from '../include/gfp.js';
import type { kmem_cache, SlubAllocator } from './slub.js';

export type mempool_alloc_t = (gfp_mask: number, pool_data: unknown) => number;
export type mempool_free_t = (element: number, pool_data: unknown) => void;

export class mempool_t {
  curr_nr = 0;
  /** The reserve, used as a stack (LIFO). */
  readonly elements: number[];
  readonly wait: wait_queue_head_t;
  // ---- statistics (not kernel fields) ----
  /** Elements taken from the reserve. */
  reserve_uses = 0;
  /** Elements returned into the reserve by mempool_free. */
  refills = 0;
  /** Elements handed to the backing allocator's free. */
  frees_to_backing = 0;
  /** Successful allocations from the backing allocator. */
  backing_allocs = 0;
  /** Sleeps in io_schedule_timeout, and how many of them ended by timeout. */
  waits = 0;
  timeouts = 0;
  /** When the reserve was first used, and when a task first slept for an element, ns (-1: never). */
  first_reserve_use_ns = -1;
  first_wait_ns = -1;
  /** mempool_alloc calls that returned NULL (only possible without __GFP_WAIT). */
  failures = 0;
  /** Lowest curr_nr seen. */
  min_curr_nr: number;

  constructor(
    readonly k: Kernel,
    readonly name: string,
    readonly min_nr: number,
    readonly alloc: mempool_alloc_t,
    readonly free: mempool_free_t,
    readonly pool_data: unknown,
  ) {
    this.elements = new Array<number>(min_nr).fill(0);
    this.wait = new wait_queue_head_t(`mempool ${name}`);
    this.min_curr_nr = min_nr;
  }

  /** Tasks sleeping in mempool_alloc on this pool. */
  get waiters(): number {
    return this.wait.waiters;
  }
}

function add_element(pool: mempool_t, element: number): void {
  assert(pool.curr_nr < pool.min_nr, `mempool ${pool.name}: reserve overflow`);
  pool.elements[pool.curr_nr++] = element;
}

function remove_element(pool: mempool_t): number {
  const e = pool.elements[--pool.curr_nr]!;
  pool.elements[pool.curr_nr] = 0;
  if (pool.curr_nr < pool.min_curr_nr) pool.min_curr_nr = pool.curr_nr;
  return e;
}

/**
 * @kernel mm/mempool.c mempool_create, mempool_create_node
 * Fills the reserve with min_nr elements allocated with GFP_KERNEL (at boot: synchronous). If
 * one fails, the elements are given back and null is returned. Not modelled: the kmalloc of the
 * mempool_t and of its elements array (a few permanent boot objects in kmalloc-16 to kmalloc-96,
 * none in kmalloc-128).
 */
export function mempool_create(k: Kernel, name: string, min_nr: number, alloc_fn: mempool_alloc_t, free_fn: mempool_free_t, pool_data: unknown): mempool_t | null {
  assert(Number.isInteger(min_nr) && min_nr >= 0, `mempool ${name}: bad min_nr ${min_nr}`);
  const pool = new mempool_t(k, name, min_nr, alloc_fn, free_fn, pool_data);
  while (pool.curr_nr < pool.min_nr) {
    const element = pool.alloc(GFP_KERNEL, pool.pool_data);
    if (element === 0) {
      while (pool.curr_nr > 0) pool.free(remove_element(pool), pool.pool_data);
      return null;
    }
    add_element(pool, element);
  }
  pool.min_curr_nr = pool.curr_nr;
  return pool;
}

/**
 * @kernel mm/mempool.c mempool_alloc
 * 1. gfp gains NOMEMALLOC, NORETRY and NOWARN; the first attempt also drops WAIT and IO.
 * 2. repeat: try the backing allocator; on failure take the newest reserve element if any.
 * 3. Without __GFP_WAIT, return NULL (0).
 * 4. Otherwise later attempts use the full gfp; queue on pool->wait (non-exclusive), and if the
 *    reserve is still empty sleep in io_schedule_timeout(5*HZ); then repeat. It never returns
 *    NULL with __GFP_WAIT and does not look at the reserve before retrying the backing allocator.
 */
export function* mempool_alloc(pool: mempool_t, gfp_mask: number): KGen<number> {
  const element = mempool_alloc_first(pool, gfp_mask);
  if (element !== 0 || !(gfp_mask & __GFP_WAIT)) return element;
  return yield* mempool_alloc_wait(pool, gfp_mask);
}

/**
 * @kernel mm/mempool.c mempool_alloc (its first round)
 * The round that never sleeps: the backing allocator without __GFP_WAIT and __GFP_IO, then the
 * newest reserve element. Returns 0 when both failed; a caller whose gfp has __GFP_WAIT then goes
 * on with mempool_alloc_wait (mempool_alloc is exactly the two in sequence). Hot paths call the
 * two directly, so that no generator is made when the first round succeeds, and atomic callers
 * need nothing else.
 */
export function mempool_alloc_first(pool: mempool_t, gfp_mask: number): number {
  const k = pool.k;
  const t = k.current;
  gfp_mask |= __GFP_NOMEMALLOC | __GFP_NORETRY | __GFP_NOWARN;
  t.enter('mempool_alloc');
  const element = mempool_try(pool, gfp_mask & ~(__GFP_WAIT | __GFP_IO));
  if (element === 0 && !(gfp_mask & __GFP_WAIT)) {
    pool.failures++;
    k.mark('mempool_atomic_null');
  }
  t.leave();
  return element;
}

/**
 * @kernel mm/mempool.c mempool_alloc (the top of its repeat_alloc loop)
 * One try: the backing allocator with `gfp`, then the newest reserve element; 0 when both fail.
 */
function mempool_try(pool: mempool_t, gfp: number): number {
  const element = pool.alloc(gfp, pool.pool_data);
  if (element !== 0) {
    pool.backing_allocs++;
    return element;
  }
  if (pool.curr_nr > 0) {
    if (pool.reserve_uses++ === 0) pool.first_reserve_use_ns = pool.k.now;
    pool.k.mark('mempool_reserve_used');
    return remove_element(pool);
  }
  return 0;
}

/**
 * @kernel mm/mempool.c mempool_alloc (after a failed first round, __GFP_WAIT)
 * Queue on pool->wait, sleep in io_schedule_timeout(5*HZ) if the reserve is still empty, then try
 * the backing allocator with the full gfp and the reserve again, until one gives an element.
 * Never returns 0.
 */
export function* mempool_alloc_wait(pool: mempool_t, gfp_mask: number): KGen<number> {
  const k = pool.k;
  const t = k.current;
  gfp_mask |= __GFP_NOMEMALLOC | __GFP_NORETRY | __GFP_NOWARN;
  t.enter('mempool_alloc');
  try {
    while (true) {
      prepare_to_wait(k, pool.wait, TASK_UNINTERRUPTIBLE);
      if (pool.curr_nr === 0) {
        if (pool.waits++ === 0) pool.first_wait_ns = k.now;
        const left = yield* io_schedule_timeout(k, 5 * k.HZ);
        if (left === 0) pool.timeouts++;
      }
      finish_wait(k, pool.wait);
      const element = mempool_try(pool, gfp_mask);
      if (element !== 0) return element;
    }
  } finally {
    t.leave();
  }
}

/**
 * @kernel mm/mempool.c mempool_free
 * NULL is ignored. While the reserve is short the element refills it and the waiters are woken;
 * otherwise it goes to the backing allocator and nobody is woken.
 */
export function mempool_free(element: number, pool: mempool_t): void {
  if (element === 0) return;
  if (pool.curr_nr < pool.min_nr) {
    add_element(pool, element);
    pool.refills++;
    wake_up(pool.k, pool.wait);
    return;
  }
  pool.frees_to_backing++;
  pool.free(element, pool.pool_data);
}

/** @kernel mm/mempool.c mempool_alloc_slab: kmem_cache_alloc from the pool's cache. */
export function mempool_alloc_slab(gfp_mask: number, pool_data: unknown): number {
  const h = pool_data as kmem_cache;
  return h.s.allocator.kmem_cache_alloc(h, gfp_mask);
}

/** @kernel mm/mempool.c mempool_free_slab */
export function mempool_free_slab(element: number, pool_data: unknown): void {
  const h = pool_data as kmem_cache;
  h.s.allocator.kmem_cache_free(h, element);
}

/** @kernel include/linux/mempool.h mempool_create_slab_pool */
export function mempool_create_slab_pool(k: Kernel, min_nr: number, cache: kmem_cache, name = cache.name): mempool_t | null {
  return mempool_create(k, name, min_nr, mempool_alloc_slab, mempool_free_slab, cache);
}

/** A kmalloc-backed pool's data: the allocator and the element size. */
export interface KmallocPoolData {
  slub: SlubAllocator;
  size: number;
}

/** @kernel mm/mempool.c mempool_kmalloc */
export function mempool_kmalloc(gfp_mask: number, pool_data: unknown): number {
  const d = pool_data as KmallocPoolData;
  return d.slub.kmalloc(d.size, gfp_mask);
}

/** @kernel mm/mempool.c mempool_kfree */
export function mempool_kfree(element: number, pool_data: unknown): void {
  (pool_data as KmallocPoolData).slub.kfree(element);
}

/** @kernel include/linux/mempool.h mempool_create_kmalloc_pool */
export function mempool_create_kmalloc_pool(k: Kernel, slub: SlubAllocator, min_nr: number, size: number, name = `kmalloc-${size}`): mempool_t | null {
  return mempool_create(k, name, min_nr, mempool_kmalloc, mempool_kfree, { slub, size } satisfies KmallocPoolData);
}
