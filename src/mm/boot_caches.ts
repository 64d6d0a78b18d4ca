/**
 * The slab caches a 2.6.25 x86_64 kernel creates by the time the swap path runs, in a realistic
 * creation order, for the kernel profiles the simulator knows.
 *
 * Mirrors the kmem_cache_create calls of: mm/slub.c kmem_cache_init (kmalloc caches),
 * kernel/fork.c proc_caches_init and fork_init, mm/rmap.c anon_vma_init, lib/idr.c,
 * fs/dcache.c, fs/inode.c, fs/file_table.c (filp via vfs_caches_init), fs/buffer.c,
 * lib/radix-tree.c, fs/bio.c init_bio and biovec_init_slabs, block/blk-core.c blk_dev_init,
 * drivers/scsi/scsi_lib.c scsi_init_queue, drivers/scsi/scsi.c scsi_setup_command_freelist,
 * mm/shmem.c init_inodecache. Sizes of the block/SCSI/bio structures are the reference's (§1.3,
 * §3.2, §4.3); sizes of the other common caches are approximations for a realistic table (none
 * of them has a final size of 128, so they do not change the kmalloc-128 aliases).
 *
 * Profiles: 2.6.24 has no sense cache (the 96-byte sense buffer is inside struct scsi_cmnd, 368
 * bytes, 400 with TIMER_STATS); 2.6.25-rc8 and 2.6.25 have scsi_cmnd at 288 bytes (320 with
 * TIMER_STATS) and the split scsi_sense_cache. The allocator rules are 2.6.25's for every profile
 * (2.6.24's SLUB differed in details that do not touch these caches' merge outcome for bio).
 *
 * Boot only; synchronous, never sleeps.
 */
import type { Kernel } from '../kernel/kernel.js';
import { assert } from '../sim/assert.js';
import { GFP_KERNEL } from '../include/gfp.js';
import {
  SLAB_CACHE_DMA,
  SLAB_DESTROY_BY_RCU,
  SLAB_HWCACHE_ALIGN,
  SLAB_MEM_SPREAD,
  SLAB_PANIC,
  SLAB_RECLAIM_ACCOUNT,
} from '../include/slab.js';
import type { kmem_cache, SlubAllocator, kmem_cache_ctor } from './slub.js';
import { mempool_create_slab_pool, type mempool_t } from './mempool.js';
import { SIZEOF_SHMEM_INODE_INFO } from './shmem.js';

export type KernelVersion = '2.6.24' | '2.6.25-rc8' | '2.6.25';
export const KERNEL_VERSIONS: readonly KernelVersion[] = ['2.6.24', '2.6.25-rc8', '2.6.25'];

export interface BootCacheProfile {
  kernel: KernelVersion;
  /** CONFIG_TIMER_STATS (scsi_cmnd 320 instead of 288 bytes). Default false. */
  timer_stats?: boolean;
  /** The "no-op ctor" variant on scsi_sense_cache. */
  sense_ctor?: boolean;
  /**
   * Create the (DMA) pool caches too, as scsi_setup_command_freelist does when the first host with
   * unchecked_isa_dma registers. Default false: the flagship's host (AHCI) has no such limit.
   */
  dma_pool?: boolean;
}

/** Object sizes on x86_64 (see the header for their provenance). */
export const SIZEOF = {
  bio: 104,
  bio_vec: 16,
  scatterlist: 32,
  request: 296,
  request_queue: 1864,
  scsi_cmnd_2_6_25: 288,
  scsi_cmnd_2_6_25_timer_stats: 320,
  scsi_cmnd_2_6_24: 368,
  scsi_cmnd_2_6_24_timer_stats: 400,
  SCSI_SENSE_BUFFERSIZE: 96,
  scsi_data_buffer: 24,
  scsi_io_context: 112,
  /** struct dentry (defconfig with SLUB; computed with the v2.6.25 headers). */
  dentry: 208,
} as const;

export const BIOVEC_NR = [1, 4, 16, 64, 128, 256] as const;
export const SGPOOL_NR = [8, 16, 32, 64, 128] as const;

export interface BootCaches {
  bio: kmem_cache;
  /** biovec-1 ... biovec-256. */
  biovec: kmem_cache[];
  /** sgpool-8 ... sgpool-128. */
  sgpool: kmem_cache[];
  blkdev_requests: kmem_cache;
  blkdev_queue: kmem_cache;
  scsi_bidi_sdb: kmem_cache;
  scsi_io_context: kmem_cache;
  scsi_cmd_cache: kmem_cache;
  /** null on 2.6.24 (embedded sense buffer). */
  scsi_sense_cache: kmem_cache | null;
  scsi_cmd_cache_dma: kmem_cache | null;
  scsi_sense_cache_dma: kmem_cache | null;
  /** Every handle by name. */
  byName: Map<string, kmem_cache>;
}

/** A ctor that does nothing (the "no-op ctor" alternative, §10.4). */
export const noop_ctor: kmem_cache_ctor = () => {};

/** sizeof(struct scsi_cmnd) for a profile. */
export function scsi_cmnd_size(p: BootCacheProfile): number {
  if (p.kernel === '2.6.24') return p.timer_stats ? SIZEOF.scsi_cmnd_2_6_24_timer_stats : SIZEOF.scsi_cmnd_2_6_24;
  return p.timer_stats ? SIZEOF.scsi_cmnd_2_6_25_timer_stats : SIZEOF.scsi_cmnd_2_6_25;
}

/**
 * Creates the kmalloc caches (if not yet created) and the boot cache set in creation order.
 * Returns the handles the block and SCSI layers use.
 */
export function bootCaches(slub: SlubAllocator, p: BootCacheProfile): BootCaches {
  assert((['2.6.24', '2.6.25-rc8', '2.6.25'] as const).includes(p.kernel), `unknown kernel profile ${p.kernel}`);
  if (slub.kmalloc_caches[3] === null) slub.kmem_cache_init();
  const byName = new Map<string, kmem_cache>();
  const mk = (name: string, size: number, align: number, flags: number, ctor: kmem_cache_ctor = null): kmem_cache => {
    const h = slub.kmem_cache_create(name, size, align, flags, ctor);
    byName.set(name, h);
    return h;
  };
  const other = noop_ctor;
  // start_kernel: early caches (sizes approximate, see header).
  mk('idr_layer_cache', 528, 0, 0, other);
  mk('anon_vma', 40, 0, SLAB_DESTROY_BY_RCU | SLAB_PANIC, other);
  mk('task_struct', 1888, 16, SLAB_PANIC);
  mk('sighand_cache', 2088, 0, SLAB_HWCACHE_ALIGN | SLAB_PANIC | SLAB_DESTROY_BY_RCU, other);
  mk('signal_cache', 640, 0, SLAB_HWCACHE_ALIGN | SLAB_PANIC);
  mk('files_cache', 768, 0, SLAB_HWCACHE_ALIGN | SLAB_PANIC);
  mk('fs_cache', 64, 0, SLAB_HWCACHE_ALIGN | SLAB_PANIC);
  mk('vm_area_struct', 168, 0, SLAB_PANIC);
  mk('mm_struct', 832, 0, SLAB_HWCACHE_ALIGN | SLAB_PANIC);
  mk('buffer_head', 104, 0, SLAB_RECLAIM_ACCOUNT | SLAB_PANIC | SLAB_MEM_SPREAD, other);
  mk('dentry', SIZEOF.dentry, 8, SLAB_RECLAIM_ACCOUNT | SLAB_PANIC | SLAB_MEM_SPREAD);
  mk('inode_cache', 560, 0, SLAB_RECLAIM_ACCOUNT | SLAB_PANIC | SLAB_MEM_SPREAD, other);
  mk('names_cache', 4096, 0, SLAB_HWCACHE_ALIGN | SLAB_PANIC);
  mk('filp', 192, 0, SLAB_HWCACHE_ALIGN | SLAB_PANIC);
  mk('radix_tree_node', 552, 0, SLAB_PANIC, other);
  // Initcalls: bio, block, SCSI mid layer.
  const bio = mk('bio', SIZEOF.bio, 8, SLAB_HWCACHE_ALIGN | SLAB_PANIC);
  const biovec = BIOVEC_NR.map((n) => mk(`biovec-${n}`, n * SIZEOF.bio_vec, 0, SLAB_HWCACHE_ALIGN | SLAB_PANIC));
  const blkdev_requests = mk('blkdev_requests', SIZEOF.request, 0, SLAB_PANIC);
  const blkdev_queue = mk('blkdev_queue', SIZEOF.request_queue, 0, SLAB_PANIC);
  const scsi_bidi_sdb = mk('scsi_bidi_sdb', SIZEOF.scsi_data_buffer, 0, 0);
  const scsi_io_context = mk('scsi_io_context', SIZEOF.scsi_io_context, 0, 0);
  const sgpool = SGPOOL_NR.map((n) => mk(`sgpool-${n}`, n * SIZEOF.scatterlist, 0, SLAB_HWCACHE_ALIGN));
  mk('shmem_inode_cache', SIZEOF_SHMEM_INODE_INFO, 0, SLAB_PANIC, other);
  // The first host: scsi_setup_command_freelist creates the pool's caches.
  const cmdSize = scsi_cmnd_size(p);
  const scsi_cmd_cache = mk('scsi_cmd_cache', cmdSize, 0, SLAB_HWCACHE_ALIGN);
  const split = p.kernel !== '2.6.24';
  const sense_ctor = p.sense_ctor ? noop_ctor : null;
  const scsi_sense_cache = split ? mk('scsi_sense_cache', SIZEOF.SCSI_SENSE_BUFFERSIZE, 0, SLAB_HWCACHE_ALIGN, sense_ctor) : null;
  let scsi_cmd_cache_dma: kmem_cache | null = null;
  let scsi_sense_cache_dma: kmem_cache | null = null;
  if (p.dma_pool === true) {
    scsi_cmd_cache_dma = mk('scsi_cmd_cache(DMA)', cmdSize, 0, SLAB_HWCACHE_ALIGN | SLAB_CACHE_DMA);
    if (split) scsi_sense_cache_dma = mk('scsi_sense_cache(DMA)', SIZEOF.SCSI_SENSE_BUFFERSIZE, 0, SLAB_HWCACHE_ALIGN | SLAB_CACHE_DMA, sense_ctor);
  }
  return { bio, biovec, sgpool, blkdev_requests, blkdev_queue, scsi_bidi_sdb, scsi_io_context, scsi_cmd_cache, scsi_sense_cache, scsi_cmd_cache_dma, scsi_sense_cache_dma, byName };
}

export interface BootReservations {
  bio_pool: mempool_t;
  bvec_pools: mempool_t[];
  sg_pools: mempool_t[];
  rq_pool: mempool_t;
  /** The host's free_list command (and its sense buffer, 0 on 2.6.24). */
  free_list_cmd: number;
  free_list_sense: number;
}

/**
 * The boot-time reservations on the swap path, for reports that show a booted system's slabs:
 * fs_bio_set (2 bios, 2 of each biovec), the sgpools (2 each), one queue's request pool (4) and
 * one host's free_list command with its sense buffer. The composition root builds its own.
 */
export function bootReservations(k: Kernel, slub: SlubAllocator, c: BootCaches): BootReservations {
  const pool = (h: kmem_cache, n: number): mempool_t => {
    const p = mempool_create_slab_pool(k, n, h);
    assert(p !== null, `boot: mempool over ${h.name} failed`);
    return p;
  };
  const bio_pool = pool(c.bio, 2);
  const bvec_pools = c.biovec.map((h) => pool(h, 2));
  const sg_pools = c.sgpool.map((h) => pool(h, 2));
  const rq_pool = pool(c.blkdev_requests, 4);
  const free_list_cmd = slub.kmem_cache_alloc(c.scsi_cmd_cache, GFP_KERNEL);
  const free_list_sense = c.scsi_sense_cache === null ? 0 : slub.kmem_cache_alloc(c.scsi_sense_cache, GFP_KERNEL);
  assert(free_list_cmd !== 0, 'boot: scsi free_list command');
  return { bio_pool, bvec_pools, sg_pools, rq_pool, free_list_cmd, free_list_sense };
}
