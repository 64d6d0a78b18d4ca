/**
 * bios and bio_sets: the unit of block I/O and its guaranteed-progress allocator.
 *
 * Mirrors: fs/bio.c and include/linux/bio.h of v2.6.25 (bio_alloc, bio_alloc_bioset, bvec_alloc_bs,
 * bio_put, bio_free, bio_fs_destructor, bio_endio, bioset_create, init_bio). fs_bio_set has a
 * reserve of BIO_POOL_SIZE (2) bios and 2 of each biovec size; bios come from the `bio` slab
 * cache (104 bytes, HWCACHE-aligned: on x86_64 SLUB merges it into kmalloc-128) and one-page swap
 * bios take one biovec-1 (kmalloc-16).
 *
 * Modelled: allocation through the mempools (so a sleeping bio_alloc is mempool_alloc sleeping),
 * reference counting, the destructor returning both elements to their pools, completion. A bio
 * carries at most one page in the model (every swap bio has one vec); bi_io_vec is that page.
 * Not modelled: bio splitting, bounce buffers (x86_64 with a 64-bit HBA bounces nothing),
 * integrity. May sleep only through mempool_alloc with __GFP_WAIT (process context).
 */
import { assert, fail } from '../sim/assert.js';
import type { Kernel } from '../kernel/kernel.js';
import { leave_after, type KGen, type KRest } from '../kernel/task.js';
import { TP } from '../kernel/trace.js';
import { mempool_alloc, mempool_alloc_first, mempool_alloc_wait, mempool_free, type mempool_t } from '../mm/mempool.js';
import { __GFP_WAIT } from '../include/gfp.js';

export const BIO_POOL_SIZE = 2;
export const BIOVEC_NR_POOLS = 6;
export const BIO_MAX_PAGES = 256;
/** bvec pool sizes: biovec-1, -4, -16, -64, -128, -256. */
export const BVEC_NR_VECS = [1, 4, 16, 64, 128, 256] as const;
/** sizeof(struct bio) on x86_64 in 2.6.25 (reference §4.3). */
export const SIZEOF_BIO = 104;
/** sizeof(struct bio_vec) on x86_64. */
export const SIZEOF_BIO_VEC = 16;

export const BIO_UPTODATE = 0;
export const WRITE = 1;
export const READ = 0;
/** include/linux/bio.h: bi_rw bit numbers above the direction bit (bio_sync tests 1 << BIO_RW_SYNC). */
export const BIO_RW_SYNC = 4;

export class bio {
  /**
   * Serial number within its bio_set, for assertion messages (not a kernel field). Per set, not per
   * process, so that two runs in one worker thread number their bios alike.
   */
  readonly id: number;
  bi_sector = 0;
  bi_next: bio | null = null;
  bi_flags = 1 << BIO_UPTODATE;
  bi_rw = 0;
  bi_vcnt = 0;
  bi_size = 0;
  bi_max_vecs = 0;
  bi_cnt = 1;
  /** The page of the single vec (bv_page), as a pfn; -1 if none. */
  bv_page = -1;
  bi_end_io: ((k: Kernel, b: bio, error: number) => void) | null = null;
  bi_private: unknown = null;
  /** Slab object backing the struct bio (from bs.bio_pool). */
  obj = 0;
  /** Slab object backing bi_io_vec, and its pool index (BIO_POOL_IDX). */
  bvec_obj = 0;
  bvec_idx = -1;
  bs: bio_set;
  /** Has bio_endio run (every bio completes exactly once; checked by invariants)? */
  ended = false;
  constructor(bs: bio_set) {
    this.bs = bs;
    this.id = ++bs.last_id;
  }
}

export class bio_set {
  /** Counters for reports and invariants (not kernel fields): bios allocated, freed, completed. */
  allocated = 0;
  freed = 0;
  ended = 0;
  /** The last bio id handed out (bio.id). */
  last_id = 0;
  constructor(
    readonly bio_pool: mempool_t,
    readonly bvec_pools: mempool_t[],
  ) {}
}

/** @kernel fs/bio.c bvec_alloc_bs — the pool index for a vec count: 1, 2-4, 5-16, 17-64, 65-128, 129-256. */
export function bvec_index(nr: number): number {
  if (nr <= 1) return 0;
  if (nr <= 4) return 1;
  if (nr <= 16) return 2;
  if (nr <= 64) return 3;
  if (nr <= 128) return 4;
  assert(nr <= BIO_MAX_PAGES, `bvec_index: ${nr} vecs`);
  return 5;
}

/**
 * @kernel fs/bio.c bio_alloc_bioset
 * A bio from the set's bio mempool, then its vec array from the matching biovec mempool with the
 * same gfp; if the vec allocation fails the bio goes back to its pool. With __GFP_WAIT neither
 * mempool_alloc can fail, so this never returns null for GFP_NOIO (it may sleep instead).
 */
export function* bio_alloc_bioset(k: Kernel, gfp_mask: number, nr_iovecs: number, bs: bio_set): KGen<bio | null> {
  const r = bio_alloc_bioset_try(k, gfp_mask, nr_iovecs, bs);
  return r === null || r instanceof bio ? r : yield* r;
}

/**
 * @kernel fs/bio.c bio_alloc_bioset (as far as it goes without sleeping)
 * The same steps as a plain function: it returns the bio, or null, when the first rounds of both
 * mempools settle the allocation, and otherwise the rest of it (KRest) starting at the mempool
 * that has to wait. bio_alloc_bioset is this followed by that rest.
 */
export function bio_alloc_bioset_try(k: Kernel, gfp_mask: number, nr_iovecs: number, bs: bio_set): bio | null | KRest<bio | null> {
  const t = k.current;
  t.enter('bio_alloc_bioset');
  const obj = mempool_alloc_first(bs.bio_pool, gfp_mask);
  if (obj === 0) {
    if (gfp_mask & __GFP_WAIT) return bio_alloc_bioset_rest(k, gfp_mask, nr_iovecs, bs, null);
    t.leave();
    return null;
  }
  const b = new bio(bs);
  b.obj = obj;
  if (nr_iovecs > 0) {
    const idx = bvec_index(nr_iovecs);
    const bv = mempool_alloc_first(bs.bvec_pools[idx]!, gfp_mask);
    if (bv === 0) {
      if (gfp_mask & __GFP_WAIT) return bio_alloc_bioset_rest(k, gfp_mask, nr_iovecs, bs, b);
      mempool_free(obj, bs.bio_pool);
      t.leave();
      return null;
    }
    bio_set_vecs(b, idx, bv);
  }
  bs.allocated++;
  t.leave();
  return b;
}

/**
 * @kernel fs/bio.c bio_alloc_bioset (the rest, after a mempool's first round failed)
 * The sleeping rest of bio_alloc_bioset (gfp with __GFP_WAIT, so no mempool_alloc fails): with
 * `b` null the bio pool's first round failed, otherwise the vec pool's did.
 */
function* bio_alloc_bioset_rest(k: Kernel, gfp_mask: number, nr_iovecs: number, bs: bio_set, b: bio | null): KRest<bio | null> {
  const t = k.current;
  const vecWaits = b !== null;
  if (b === null) {
    const obj = yield* mempool_alloc_wait(bs.bio_pool, gfp_mask);
    b = new bio(bs);
    b.obj = obj;
  }
  if (nr_iovecs > 0) {
    const idx = bvec_index(nr_iovecs);
    const pool = bs.bvec_pools[idx]!;
    const bv = vecWaits ? yield* mempool_alloc_wait(pool, gfp_mask) : yield* mempool_alloc(pool, gfp_mask);
    bio_set_vecs(b, idx, bv);
  }
  bs.allocated++;
  t.leave();
  return b;
}

/** @kernel fs/bio.c bio_alloc_bioset (bi_io_vec, bi_max_vecs and the pool index of the vec array) */
function bio_set_vecs(b: bio, idx: number, bv: number): void {
  b.bvec_obj = bv;
  b.bvec_idx = idx;
  b.bi_max_vecs = BVEC_NR_VECS[idx]!;
}

/** @kernel fs/bio.c bio_alloc — bio_alloc_bioset on fs_bio_set (destructor bio_fs_destructor). */
export function* bio_alloc(k: Kernel, fs_bio_set: bio_set, gfp_mask: number, nr_iovecs: number): KGen<bio | null> {
  const r = bio_alloc_try(k, fs_bio_set, gfp_mask, nr_iovecs);
  return r === null || r instanceof bio ? r : yield* r;
}

/** @kernel fs/bio.c bio_alloc (as far as it goes without sleeping; see bio_alloc_bioset_try) */
export function bio_alloc_try(k: Kernel, fs_bio_set: bio_set, gfp_mask: number, nr_iovecs: number): bio | null | KRest<bio | null> {
  const t = k.current;
  t.enter('bio_alloc');
  const r = bio_alloc_bioset_try(k, gfp_mask, nr_iovecs, fs_bio_set);
  if (r === null || r instanceof bio) {
    t.leave();
    return r;
  }
  return leave_after(t, r);
}

/**
 * @kernel fs/bio.c bio_free
 * The vec array goes back to its biovec pool, then the bio to the bio pool. mempool_free refills a
 * depleted reserve first (and wakes its waiters); otherwise the object goes back to the slab.
 */
function bio_free(b: bio): void {
  const bs = b.bs;
  if (b.bvec_idx >= 0) mempool_free(b.bvec_obj, bs.bvec_pools[b.bvec_idx]!);
  mempool_free(b.obj, bs.bio_pool);
  b.obj = 0;
  b.bvec_obj = 0;
  bs.freed++;
}

/** @kernel fs/bio.c bio_put — drop a reference; the last one runs the destructor. */
export function bio_put(k: Kernel, b: bio): void {
  if (!(b.bi_cnt > 0)) fail('bio_put: bio ', b.id, ' has no references');
  if (--b.bi_cnt === 0) {
    b.bi_next = null;
    bio_free(b);
  }
}

/** @kernel fs/bio.c bio_endio — mark not-up-to-date on error and call bi_end_io. */
export function bio_endio(k: Kernel, b: bio, error: number): void {
  if (b.ended) fail('bio ', b.id, ' completed twice');
  b.ended = true;
  b.bs.ended++;
  if (error) b.bi_flags &= ~(1 << BIO_UPTODATE);
  else if (!(b.bi_flags & (1 << BIO_UPTODATE))) error = -5; // -EIO
  if (k.trace.on[TP.block_bio_complete]) k.tp(TP.block_bio_complete, 'sda', b.bi_sector, b.bi_size >> 9, bio_rwbs(b), error);
  b.bi_end_io?.(k, b, error);
}

/**
 * The direction letters block trace events print: R or W, then S for a sync bio (no barriers or
 * meta data in the model). Not a 2.6.25 kernel function: in 2.6.25 blkparse (userspace) prints
 * them from block/blktrace.c's records; later kernels' blk_fill_rwbs does it in the kernel.
 */
export function bio_rwbs(b: bio): string {
  const sync = (b.bi_rw & (1 << BIO_RW_SYNC)) !== 0;
  return b.bi_rw & WRITE ? (sync ? 'WS' : 'W') : sync ? 'RS' : 'R';
}

/** @kernel include/linux/bio.h bio_sectors — the bio's size in 512-byte sectors. */
export function bio_sectors(b: bio): number {
  return b.bi_size >> 9;
}
