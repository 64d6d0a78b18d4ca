/**
 * The dentry cache, as far as creating tmpfs files and directories takes memory from it.
 *
 * Mirrors: fs/dcache.c (dcache_init's KMEM_CACHE(dentry, ...), d_alloc), v2.6.25; reached from
 * fs/namei.c __lookup_hash when `cp -a` creates a file (open_namei) or a directory
 * (lookup_create).
 *
 * Modelled: one `dentry` object per created name, allocated with GFP_KERNEL from a cache created
 * with SLAB_RECLAIM_ACCOUNT | SLAB_PANIC | SLAB_MEM_SPREAD (so its slabs are MIGRATE_RECLAIMABLE
 * pages counted in SReclaimable). A tmpfs dentry is never freed while its file exists: shmem_mknod
 * takes an extra reference that pins it, so the dcache shrinker cannot give it back.
 * Not modelled: the dentry's contents, hashing and LRU, and the kmalloc of a name longer than
 * DNAME_INLINE_LEN - 1 bytes (no name in the v2.6.25 tree is longer than 35 characters).
 */
import type { KGen } from '../kernel/task.js';
import { GFP_KERNEL } from '../include/gfp.js';
import { SLAB_MEM_SPREAD, SLAB_PANIC, SLAB_RECLAIM_ACCOUNT } from '../include/slab.js';
import type { kmem_cache, SlubAllocator } from '../mm/slub.js';
import { SIZEOF } from '../mm/boot_caches.js';

/** sizeof(struct dentry) on x86_64 in 2.6.25 (defconfig with SLUB; d_iname of 36 bytes). */
export const SIZEOF_DENTRY = SIZEOF.dentry;
/** __alignof__(struct dentry): KMEM_CACHE passes the struct's alignment. */
export const ALIGNOF_DENTRY = 8;
/** DNAME_INLINE_LEN_MIN: names shorter than this live inside the dentry. */
export const DNAME_INLINE_LEN = 36;

/** @kernel fs/dcache.c dcache_init (the dentry cache) */
export function dcache_init(slub: SlubAllocator): kmem_cache {
  return slub.kmem_cache_create('dentry', SIZEOF_DENTRY, ALIGNOF_DENTRY, SLAB_RECLAIM_ACCOUNT | SLAB_PANIC | SLAB_MEM_SPREAD);
}

/**
 * @kernel fs/dcache.c d_alloc (as far as it does not sleep)
 * Returns the dentry's object id, or 0 when the allocation would have to reclaim: then call
 * d_alloc.
 */
export function d_alloc_nosleep(slub: SlubAllocator, dentry_cache: kmem_cache): number {
  return slub.kmem_cache_alloc_nosleep(dentry_cache, GFP_KERNEL);
}

/**
 * @kernel fs/dcache.c d_alloc
 * kmem_cache_alloc(dentry_cache, GFP_KERNEL): may sleep in direct reclaim for the slab's page.
 * Returns the object id, or 0 if the page allocator gave up.
 */
export function* d_alloc(slub: SlubAllocator, dentry_cache: kmem_cache): KGen<number> {
  const t = slub.k.current;
  t.enter('d_alloc');
  const id = yield* slub.kmem_cache_alloc_wait(dentry_cache, GFP_KERNEL);
  t.leave();
  return id;
}
