/**
 * The slab caches on the block, SCSI, swap and reclaim path: the ONE place `reclaimsim audit`
 * learns which caches matter to forward progress of swap-out I/O.
 *
 * Why it matters (docs/audit.md; the 2008 sense_slab livelock): SLUB merges caches of equal slot
 * size into one `kmem_cache`. A cache whose allocations must succeed for queued writeback to
 * complete (a bio, a bio_vec array, a scatterlist, a SCSI sense buffer) then shares free slots,
 * per-CPU slabs and partial lists with strangers. Under memory pressure the strangers (or another
 * layer of the same I/O chain, as bios did to sense buffers) can hold every slot, and the
 * allocation that would have let I/O finish and memory be freed fails instead.
 *
 * Each entry has a family: caches of one family are allocated and freed together by one
 * subsystem, so sharing within a family is benign; sharing across families is what the audit
 * flags. Patterns are anchored regular expressions over the cache name as sysfs shows it.
 */

export type IoFamily = 'bio' | 'block' | 'scsi' | 'dm' | 'md' | 'nvme' | 'loop' | 'zram' | 'swap' | 'reclaim' | 'nfs';

export interface IoPathCache {
  /** Anchored pattern over the sysfs cache name. */
  readonly pattern: RegExp;
  readonly family: IoFamily;
  /** One line: why an allocation from this cache sits on the swap-out or writeback path. */
  readonly role: string;
}

export const IO_PATH_CACHES: readonly IoPathCache[] = [
  /** bio_set slabs (bio + front pad, named by slot size; 2.6.25 called it `bio`): every swap
   * write (get_swap_bio / swap_writepage) and every filesystem writeback allocates one, from a
   * mempool whose reserve is refilled from this cache. */
  { pattern: /^bio(-\d+)?$/, family: 'bio', role: 'struct bio for every swap-out and writeback write (mempool-backed)' },
  /** bio_vec arrays for bios with more pages than fit inline (bvec_alloc); the larger ones have
   * their own mempool per bio_set, the smaller come straight from these caches. */
  { pattern: /^biovec-(\d+|max)$/, family: 'bio', role: 'bio_vec arrays of multi-page bios (bvec_alloc, mempool-backed)' },
  /** Integrity payloads allocated per bio when the device has protection information. */
  { pattern: /^(bio_integrity_payload|bip-\d+|biovec-integrity-\d+)$/, family: 'bio', role: 'integrity payload attached to each bio on PI-capable devices' },
  /** struct request for the legacy (non-mq) request queue (get_request, 2.6.25 blk-core.c). */
  { pattern: /^blkdev_requests$/, family: 'block', role: 'struct request for each queued I/O (get_request, mempool-backed)' },
  /** The request queue itself; allocated at probe time, listed so its merges are visible. */
  { pattern: /^(blkdev_queue|request_queue)$/, family: 'block', role: 'request queues (allocated at probe; shares show who else lives there)' },
  /** Per-task I/O context, created on a task's first submitted I/O (create_task_io_context),
   * so a reclaiming task can need one in the middle of writeback. */
  { pattern: /^blkdev_ioc$/, family: 'block', role: 'per-task io_context, allocated on first I/O submission' },
  /** I/O scheduler per-queue and per-task state (cfq, bfq, kyber, deadline) allocated with
   * GFP_NOWAIT / GFP_ATOMIC as requests are set up. */
  { pattern: /^(cfq_queue|cfq_io_context|cfq_io_cq|bfq_queue|bfq_io_cq|kyber_\w+|dd_\w+)$/, family: 'block', role: 'I/O scheduler state allocated atomically while requests are set up' },
  /** SCSI scatter-gather tables (scsi_alloc_sgtables / sg_pool), one per command with data. */
  { pattern: /^sgpool-\d+$/, family: 'scsi', role: 'scatterlist tables for each SCSI command (sg_pool mempools)' },
  /** SCSI command structs and sense buffers (2.6.25 scsi_cmd_cache, scsi_sense_cache) and the
   * later data-buffer cache: the sense buffer is the allocation that failed in 2008. */
  { pattern: /^scsi_\w+(\(DMA\))?$/, family: 'scsi', role: 'SCSI command / sense buffer / data buffer for each request sent to a disk' },
  /** sd's extended-CDB pool for 32-byte CDBs (sd_setup_*_cmnd). */
  { pattern: /^sd_ext_cdb$/, family: 'scsi', role: 'extended CDBs for sd commands (mempool-backed)' },
  /** Device-mapper per-bio and per-request state (dm_io, dm_tio, rq target io, kcopyd jobs,
   * dm-bufio, dm-crypt/thin/snapshot caches; `io` is dm-io.c's cache of struct io): every bio
   * through a dm device allocates here. */
  { pattern: /^(dm_\w+|dm-\w+|kcopyd_job|dm_bufio_\w+|io)$/, family: 'dm', role: 'device-mapper per-bio state for every I/O through a dm device (mempool-backed)' },
  /** md RAID stripe heads and r1/r10 bios: a write to a RAID set allocates these. */
  { pattern: /^(raid\d+-\w+|raid\d+_\w+|md_\w+|r\d+bio)$/, family: 'md', role: 'md RAID stripe / mirror state for each write to a RAID set' },
  /** NVMe driver caches (names vary by version; PRP/SGL descriptor pools are DMA pools, not
   * slabs, but any nvme slab is per-I/O). */
  { pattern: /^nvme\w*$/, family: 'nvme', role: 'NVMe per-command state' },
  /** loop device per-command state (loop_cmd lives in the blk-mq pdu; any loop slab is per-I/O). */
  { pattern: /^loop\w*$/, family: 'loop', role: 'loop device per-I/O state' },
  /** Compressed swap: zram and zswap entries and zsmalloc handles are allocated in the swap-out
   * path itself, from reclaim context. */
  { pattern: /^(zram\w*|zswap_entry|zs_handle\w*|zspage\w*)$/, family: 'zram', role: 'compressed-swap metadata allocated inside swap-out (zram/zswap/zsmalloc)' },
  /** Swap bookkeeping allocated while pages are added to swap (swap cgroup / swap slots caches
   * where a kernel has them). */
  { pattern: /^(swap_\w+|swp_\w+)$/, family: 'swap', role: 'swap bookkeeping allocated while pages are added to swap' },
  /** Radix-tree / xarray nodes: add_to_swap -> add_to_swap_cache inserts each page into the
   * swap cache, and page-cache writeback tags; reclaim allocates these (2.6.25 with
   * radix_tree_preload under GFP_ATOMIC|__GFP_NOWARN). */
  { pattern: /^(radix_tree_node|xa_node)$/, family: 'reclaim', role: 'swap-cache insertion in add_to_swap, from reclaim' },
  /** buffer_heads: pageout() of a block-backed file page attaches them (create_empty_buffers)
   * with GFP_NOFS, from reclaim. */
  { pattern: /^buffer_head$/, family: 'reclaim', role: 'buffer_heads attached while reclaim writes out block-backed file pages' },
  /** iomap writeback ioends (a bio_set in recent kernels; a named slab in some). */
  { pattern: /^iomap_ioend$/, family: 'reclaim', role: 'iomap writeback completion state for each writeback bio' },
  /** Swap over NFS: rpc tasks and NFS write requests are allocated to write swap pages out. */
  { pattern: /^(nfs_write_data|nfs_page|rpc_tasks|rpc_buffers)$/, family: 'nfs', role: 'NFS/RPC state needed to write a page out over NFS (swap over NFS)' },
];

/** The I/O-path entry a cache name matches, or undefined. */
export function ioPathEntry(name: string): IoPathCache | undefined {
  return IO_PATH_CACHES.find((e) => e.pattern.test(name));
}
