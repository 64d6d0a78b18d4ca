/**
 * The composition root: boots a simulated 2.6.25 x86_64 machine for a profile and its variants,
 * wires the hooks that break the kernel's call cycles (__alloc_pages -> try_to_free_pages ->
 * swap_writepage -> submit_bio -> mempool_alloc), starts kswapd, kblockd, the hung-task watchdog
 * and the copy workload.
 *
 * Profiles and variants are data plus a few switches: the sense-buffer layout, which
 * __scsi_get_command, a ctor on the sense cache, slub_nomerge, and the allocator.
 */
import { schedule_timeout_uninterruptible } from '../kernel/sched.js';
import { Kernel } from '../kernel/kernel.js';
import { SOFTIRQ_BLOCK } from '../kernel/kernel.js';
import type { Task } from '../kernel/task.js';
import { create_workqueue } from '../kernel/workqueue.js';
import { newHungTaskState, watchdog, type HungTaskState } from '../kernel/hung_task.js';
import { GFP_KERNEL } from '../include/gfp.js';
import { SLAB_CACHE_DMA, SLAB_HWCACHE_ALIGN, SLAB_PANIC } from '../include/slab.js';
import { PageAllocator } from '../mm/page_alloc.js';
import { SlubAllocator, type kmem_cache } from '../mm/slub.js';
import { mempool_create_slab_pool, type mempool_t } from '../mm/mempool.js';
import { backing_dev_info } from '../mm/backing-dev.js';
import { ALIGN } from '../mm/slub_geometry.js';
import { recycle } from '../sim/recycle.js';
import { swap_info_struct } from '../mm/swapfile.js';
import { lru_lists } from '../mm/swap.js';
import { setup_vmstat } from '../mm/vmstat.js';
import { VmState } from '../mm/vm_state.js';
import { radix_tree_ctx, SIZEOF_RADIX_TREE_NODE } from '../mm/radix-tree.js';
import { kswapd, try_to_free_pages, wakeup_kswapd } from '../mm/vmscan.js';
import { swap_io_init } from '../mm/page_io.js';
import { init_inodecache } from '../mm/shmem.js';
import { dcache_init } from '../fs/dcache.js';
import { bio_set, BVEC_NR_VECS, SIZEOF_BIO, SIZEOF_BIO_VEC, BIO_POOL_SIZE } from '../block/bio.js';
import { blk_done_lists, blk_done_softirq, blk_queue_max_sectors, request_queue, BLKDEV_MIN_RQ, SIZEOF_REQUEST } from '../block/blk-core.js';
import {
  SCSI_SENSE_BUFFERSIZE,
  Scsi_Host,
  scsi_device,
  scsi_pool_for,
  scsi_setup_command_freelist,
  sizeof_scsi_cmnd_2_6_24,
  sizeof_scsi_cmnd_2_6_25,
  type CmdLayout,
} from '../scsi/scsi.js';
import { SG_MEMPOOL_SIZE, SG_POOL_SIZES, SIZEOF_SCATTERLIST, scsi_lib_ctx, scsi_request_fn, scsi_softirq_done, sd_prep_fn } from '../scsi/scsi_lib.js';
import { SimDisk } from '../scsi/sim_disk.js';
import { CopyWorkload } from '../workload/tmpfs_copy.js';
import { BootReads } from '../workload/boot_io.js';
import type { RunParams } from './params.js';

/** SCSI_MAX_SG_CHAIN_SEGMENTS on x86 (max_phys_segments of a SCSI queue). */
const SCSI_MAX_SG_CHAIN_SEGMENTS = 2048;
/** Swap partition start on the disk (sectors), after a typical first partition. */
const SWAP_START_SECTOR = 2048;

export interface Machine {
  k: Kernel;
  params: RunParams;
  pa: PageAllocator;
  slub: SlubAllocator;
  vm: VmState;
  q: request_queue;
  shost: Scsi_Host;
  sdev: scsi_device;
  disk: SimDisk;
  /** The SCSI request path's context: sg pools, completions under way. */
  scsi: scsi_lib_ctx;
  fs_bio_set: bio_set;
  caches: { bio: kmem_cache; cmd: kmem_cache; sense: kmem_cache | null; request: kmem_cache; dentry: kmem_cache; inode: kmem_cache };
  pools: { bio: mempool_t; bvec: mempool_t[]; request: mempool_t; sg: mempool_t[] };
  layout: CmdLayout;
  bytes_per_command: number;
  workload: CopyWorkload;
  bootReads: BootReads;
  hung: HungTaskState;
  watchdogTask: Task;
  kswapdTask: Task;
}

function must<T>(x: T | null, what: string): T {
  if (x === null) throw new Error(`boot: ${what} failed`);
  return x;
}

/**
 * Gives a finished machine's page-frame, slab-table and swap-map arrays to the next machine this
 * thread boots (src/sim/recycle.ts). The machine must not be used afterwards.
 */
export function releaseMachine(m: Machine): void {
  m.pa.release();
  m.slub.release();
  recycle(m.vm.si.swap_map);
}

/** Boots the machine described by `p`; the run starts when the engine runs. */
export function bootMachine(p: RunParams): Machine {
  const k = new Kernel({ hz: p.hz, cpus: p.cpus, seed: p.seed, cpu_sharing: p.cpu_sharing, ...(p.sched_salt ? { sched_salt: p.sched_salt } : {}) });
  if (p.trace_events.length > 0) k.trace.enable(p.trace_events, Math.max(1, Math.floor((p.trace_buffer_kb * 1024) / 128)));
  const pa = new PageAllocator(k, { ram_bytes: p.ram_bytes, uts_release: p.profile, ...(p.failure_report_ns !== undefined ? { failure_report_ns: p.failure_report_ns } : {}) });
  const slub = new SlubAllocator(k, pa, {
    cache_line_size: p.cache_line_bytes,
    slub_nomerge: p.variants.includes('slub_nomerge'),
    allocator: p.variants.includes('slab') ? 'slab' : 'slub',
  });
  slub.kmem_cache_init();
  // vfs_caches_init: the dentry cache (start_kernel, long before the initcalls below).
  const dentryCache = dcache_init(slub);

  // init_bio: the bio cache, the biovec caches and fs_bio_set (BIO_POOL_SIZE bios, 2 of each biovec).
  // Not created: bio_split_pool (two 248-byte bio_pairs kept in kmalloc-256, never used on this path).
  const bioCache = slub.kmem_cache_create('bio', SIZEOF_BIO, 0, SLAB_HWCACHE_ALIGN | SLAB_PANIC);
  const bvecCaches = BVEC_NR_VECS.map((n) => slub.kmem_cache_create(`biovec-${n}`, n * SIZEOF_BIO_VEC, 0, SLAB_HWCACHE_ALIGN | SLAB_PANIC));
  const bioPool = must(mempool_create_slab_pool(k, BIO_POOL_SIZE, bioCache, 'fs_bio_set.bio_pool'), 'bio pool');
  const bvecPools = bvecCaches.map((c, i) => must(mempool_create_slab_pool(k, 2, c, `fs_bio_set.bvec_pool[${BVEC_NR_VECS[i]}]`), 'biovec pool'));
  const fs_bio_set = new bio_set(bioPool, bvecPools);

  // blk_dev_init: blkdev_requests and the kblockd workqueue; blk_init_free_list: the request mempool.
  const rqCache = slub.kmem_cache_create('blkdev_requests', SIZEOF_REQUEST, 0, SLAB_PANIC);
  const kblockd = create_workqueue(k, 'kblockd');
  const rqPool = must(mempool_create_slab_pool(k, BLKDEV_MIN_RQ, rqCache, 'sda.rq_pool'), 'request pool');

  // scsi_init_queue: the sgpool caches and mempools.
  const sgPools = SG_POOL_SIZES.map((n) => {
    const c = slub.kmem_cache_create(`sgpool-${n}`, n * SIZEOF_SCATTERLIST, 0, SLAB_HWCACHE_ALIGN);
    return must(mempool_create_slab_pool(k, SG_MEMPOOL_SIZE, c, `sgpool-${n}`), 'sg pool');
  });

  // init_tmpfs: the shmem inode cache.
  const inodeCache = init_inodecache(slub);

  // The host's command pool, as the profile lays out the sense buffer.
  const pool = scsi_pool_for(p.unchecked_isa_dma, SLAB_HWCACHE_ALIGN, SLAB_CACHE_DMA);
  let layout: CmdLayout;
  if (p.profile === '2.6.24') layout = 'embedded';
  else if (p.variants.includes('single-cache')) layout = 'single-cache';
  else layout = 'split';
  const cmdSize25 = sizeof_scsi_cmnd_2_6_25(p.timer_stats);
  if (layout === 'embedded') {
    pool.cmd_slab = slub.kmem_cache_create(pool.cmd_name, sizeof_scsi_cmnd_2_6_24(p.timer_stats), 0, pool.slab_flags);
  } else if (layout === 'single-cache') {
    // The sense buffer at a cache-line-aligned offset after struct scsi_cmnd, in the same object.
    pool.cmd_slab = slub.kmem_cache_create(pool.cmd_name, ALIGN(cmdSize25, p.cache_line_bytes) + SCSI_SENSE_BUFFERSIZE, 0, pool.slab_flags);
  } else {
    pool.cmd_slab = slub.kmem_cache_create(pool.cmd_name, cmdSize25, 0, pool.slab_flags);
    // A no-op constructor makes the sense cache unmergeable (the patch's first alternative).
    const ctor = p.variants.includes('noop-ctor') ? () => {} : null;
    pool.sense_slab = slub.kmem_cache_create(pool.sense_name, SCSI_SENSE_BUFFERSIZE, 0, pool.slab_flags, ctor);
  }
  const version = p.profile === '2.6.25-rc8' ? 'rc8' : 'fixed';
  const shost = new Scsi_Host(k, 0, p.can_queue, p.queue_depth, p.sg_tablesize, p.max_sectors, pool, version, layout);
  scsi_setup_command_freelist(shost, GFP_KERNEL);
  const sdev = new scsi_device(shost, p.queue_depth);
  const bytes_per_command = pool.cmd_slab.s.size + (pool.sense_slab !== null ? pool.sense_slab.s.size : 0);

  // The disk, its request queue (__scsi_alloc_queue) and the completion softirq.
  const disk = new SimDisk(k, { seek_ns: p.seek_ns, seek_jitter_ns: p.seek_jitter_ns, per_command_overhead_ns: p.per_command_overhead_ns, transfer_bytes_per_s: p.transfer_bytes_per_s, irq_cpu: 0 }, k.prng.derive('disk'));
  const done = new blk_done_lists(p.cpus);
  const ctx = new scsi_lib_ctx(k, sgPools, done, disk, { request_ns: p.completion_request_ns, per_bio_ns: p.completion_per_bio_ns, one_by_one: p.completion_end_bios === 'one_by_one' });
  const q = new request_queue(k, 'sda', rqPool, new backing_dev_info('sda'), kblockd, p.elevator ?? 'noop');
  blk_queue_max_sectors(q, p.max_sectors);
  q.vm_events = pa.vm_events;
  q.max_hw_segments = p.sg_tablesize;
  q.max_phys_segments = SCSI_MAX_SG_CHAIN_SEGMENTS;
  q.queuedata = sdev;
  q.prep_rq_fn = (qq, rq) => sd_prep_fn(ctx, qq, rq);
  q.request_fn = (qq) => scsi_request_fn(ctx, qq);
  q.softirq_done_fn = (rq) => scsi_softirq_done(ctx, rq);
  sdev.request_queue = q;
  k.open_softirq(SOFTIRQ_BLOCK, (_k, cpu) => blk_done_softirq(done, cpu));

  // swapon: one area on the disk's swap partition.
  const si = new swap_info_struct(Math.floor(p.swap_bytes / 4096), SWAP_START_SECTOR);
  const vm = new VmState(k, pa, new lru_lists(pa), si, q, fs_bio_set);
  vm.scan_cost_ns = p.reclaim_page_ns;
  vm.scan_charge_per_page = p.reclaim_charge === 'page';
  // radix_tree_init: the node cache has a constructor, so SLUB never merges it. 2.6.25 creates it
  // with SLAB_PANIC alone (SLAB_RECLAIM_ACCOUNT came in 2.6.26), and new_slab masks off the
  // __GFP_RECLAIMABLE that radix_tree_node_alloc and radix_tree_preload add: node slabs are
  // MIGRATE_UNMOVABLE pages, counted in NR_SLAB_UNRECLAIMABLE.
  const radixCache = slub.kmem_cache_create('radix_tree_node', SIZEOF_RADIX_TREE_NODE, 0, SLAB_PANIC, () => {});
  vm.radix = new radix_tree_ctx(k, radixCache, p.cpus);
  swap_io_init(vm);
  pa.hooks = {
    wakeup_kswapd: (zone, order) => wakeup_kswapd(vm, zone, order),
    try_to_free_pages: (zl, order, gfp) => try_to_free_pages(vm, Array.from(zl), order, gfp),
    // mm/oom_kill.c out_of_memory: the model has no OOM killer, so it kills nothing; it waits a
    // jiffy as out_of_memory does before the caller retries (schedule_timeout_uninterruptible(1)).
    *out_of_memory() {
      k.mark('out_of_memory');
      yield* schedule_timeout_uninterruptible(k, 1);
    },
    swap_cache_info: () => ({ add_total: vm.events.swap_cache_add_total, del_total: vm.events.swap_cache_del_total, nr_swap_pages: vm.si.pages - vm.si.inuse_pages, total_swap_pages: vm.si.pages }),
  };

  // Kernel threads and the workload. Thread creation order is fixed, so pids are stable.
  const kswapdTask = k.kthread_run('kswapd0', 0, 0, () => kswapd(vm));
  const hung = newHungTaskState();
  hung.sysctl_hung_task_timeout_secs = Math.floor(p.hung_task_timeout_ns / 1e9);
  const watchdogTask = k.kthread_run('watchdog/0', 0, 0, () => watchdog(k, hung, (t) => showTask(t)));
  // The root file system sits after the swap partition; its boot reads come before the copies.
  const bootReads = new BootReads(k, vm, { boot_read_pages: p.boot_read_pages, root_start_sector: SWAP_START_SECTOR + Math.ceil(p.swap_bytes / 512) + 2048 });
  const workload = new CopyWorkload(k, vm, p, k.prng.derive('workload'), { slub, dentry: dentryCache, inode: inodeCache });
  // setup_vmstat (an initcall): per-CPU counter thresholds and each CPU's once-a-second fold
  // (machine.vmstat per_cpu; the default keeps NR_FREE_PAGES exact).
  setup_vmstat(k, pa, p.vmstat_per_cpu !== true);

  return {
    k, params: p, pa, slub, vm, q, shost, sdev, disk, scsi: ctx, fs_bio_set,
    caches: { bio: bioCache, cmd: pool.cmd_slab, sense: pool.sense_slab, request: rqCache, dentry: dentryCache, inode: inodeCache },
    pools: { bio: bioPool, bvec: bvecPools, request: rqPool, sg: sgPools },
    layout, bytes_per_command, workload, bootReads, hung, watchdogTask, kswapdTask,
  };
}

/**
 * The exact time of the last forward progress (a page copied or a swap write completed), ns: the
 * watchdog's window, the figures and the live patch all count from it.
 */
export function lastProgressNs(m: Machine): number {
  return Math.max(m.workload.last_copy_ns, m.vm.events.last_swap_write_ns);
}

/** One task as sched_show_task prints it: comm, state, pid, then the call chain innermost first. */
export function showTask(t: Task): string {
  const chain = [...t.frames].reverse();
  const head = `${t.comm.padEnd(15)} ${t.stateLetter} pid ${t.pid}`;
  return chain.length === 0 ? head : `${head}\nCall Trace:\n${chain.map((f) => ` [<sim>] ${f}`).join('\n')}`;
}
