/**
 * The request queue: request allocation with congestion and batching, make_request with merging,
 * plugging and the unplug timer handing work to kblockd, blk_run_queue, and completion.
 *
 * Mirrors: block/blk-core.c (get_request, get_request_wait, freed_request, __make_request,
 * blk_plug_device, blk_remove_plug, __generic_unplug_device, generic_unplug_device,
 * blk_unplug_work, blk_unplug_timeout, blk_run_queue, blk_end_request, end_that_request_last,
 * blk_put_request), block/blk-merge.c (ll_back_merge_fn, ll_front_merge_fn, attempt_merge,
 * attempt_back_merge, attempt_front_merge), block/blk-softirq (blk_complete_request,
 * blk_done_softirq, in blk-core.c in 2.6.25) and block/blk-settings.c (blk_queue_make_request
 * defaults), v2.6.25.
 *
 * Modelled: per-direction request_list with nr_requests 128, congestion on/off at 113/103,
 * the queue-full batcher rule (nr_batching 32 within BLK_BATCH_TIME), the 3/2*nr hard cap, the
 * request mempool (BLKDEV_MIN_RQ 4 over blkdev_requests), back/front merges up to max_sectors and
 * the segment limits (every one-page bio is its own segment: pages are not contiguous), plugging
 * with unplug_thresh 4 and unplug_delay, the per-CPU completion list and BLOCK_SOFTIRQ.
 * Not modelled: barriers, tagged queueing, bouncing, io_context beyond batching, partial completion.
 *
 * Contexts: __make_request and get_request_wait run in process context and may sleep (mempool_alloc
 * and io_schedule); everything else runs under the queue lock and never sleeps.
 */
import { assert } from '../sim/assert.js';
import type { Kernel } from '../kernel/kernel.js';
import { SOFTIRQ_BLOCK, timer_list } from '../kernel/kernel.js';
import { TASK_UNINTERRUPTIBLE, type KGen, type KRest, type Task } from '../kernel/task.js';
import { io_schedule } from '../kernel/sched.js';
import { finish_wait, prepare_to_wait_exclusive, wait_queue_head_t, waitqueue_active, wake_up } from '../kernel/wait.js';
import { queue_work, work_struct, type workqueue_struct } from '../kernel/workqueue.js';
import { TP } from '../kernel/trace.js';
import { GFP_NOIO } from '../include/gfp.js';
import { mempool_alloc, mempool_free, type mempool_t } from '../mm/mempool.js';
import { clear_bdi_congested, set_bdi_congested, type backing_dev_info } from '../mm/backing-dev.js';
import { PGPGIN, PGPGOUT } from '../mm/page_alloc.js';
import { bio, bio_endio, bio_rwbs, bio_sectors, BIO_RW_SYNC, READ, WRITE } from './bio.js';
import {
  BLKPREP_OK,
  ELEVATOR_BACK_MERGE,
  ELEVATOR_FRONT_MERGE,
  blkdev_dequeue_request,
  elevator_queue,
  type elevator_name,
  elv_completed_request,
  elv_former_request,
  elv_insert_sort,
  elv_latter_request,
  elv_merge,
  elv_merge_requests,
  elv_merged_request,
  elv_queue_empty,
  rq_mergeable,
} from './elevator.js';

export const BLKDEV_MAX_RQ = 128;
export const BLKDEV_MIN_RQ = 4;
export const BLK_BATCH_REQ = 32;
export const MAX_PHYS_SEGMENTS = 128;
export const MAX_HW_SEGMENTS = 128;
/** sizeof(struct request) on x86_64 in 2.6.25 (reference §3.2). */
export const SIZEOF_REQUEST = 296;

export const REQ_NOMERGE = 1 << 0;
export const REQ_STARTED = 1 << 1;
export const REQ_DONTPREP = 1 << 2;
export const REQ_SOFTBARRIER = 1 << 3;
export const REQ_HARDBARRIER = 1 << 4;
export const RQ_NOMERGE_FLAGS = REQ_NOMERGE | REQ_STARTED | REQ_SOFTBARRIER | REQ_HARDBARRIER;

export class request {
  /**
   * Serial number within its queue, for traces and the SCSI tag (not a kernel field). Per queue,
   * not per process, so that two runs in one process trace the same ids.
   */
  readonly id: number;
  sector = 0;
  nr_sectors = 0;
  bio: bio | null = null;
  biotail: bio | null = null;
  nr_bios = 0;
  cmd_flags = 0;
  /** The driver's private data: the scsi_cmnd once prepared. */
  special: unknown = null;
  nr_phys_segments = 0;
  nr_hw_segments = 0;
  /** The mempool element backing this request (blkdev_requests object). */
  obj = 0;
  rw = WRITE;
  inElevator = false;
  /** The elevator's back-merge hash chain (hlist_node hash); hash_bucket is -1 when unhashed. */
  hash_next: request | null = null;
  hash_prev: request | null = null;
  hash_bucket = -1;
  /** deadline: the start sector the request is sorted by (its rb-tree key). */
  rb_sector = 0;
  /** deadline: the jiffy after which the request has expired (rq_fifo_time). */
  fifo_time = 0;
  start_time_ns = 0;
  errors = 0;
  constructor(readonly q: request_queue) {
    this.id = ++q.last_rq_id;
  }
}

export class request_list {
  readonly count = [0, 0];
  readonly starved = [0, 0];
  elvpriv = 0;
  readonly wait: wait_queue_head_t[];
  constructor(
    name: string,
    readonly rq_pool: mempool_t,
  ) {
    this.wait = [new wait_queue_head_t(`${name}.rq.wait[READ]`), new wait_queue_head_t(`${name}.rq.wait[WRITE]`)];
  }
}

export type prep_rq_fn = (q: request_queue, rq: request) => number;
export type request_fn_proc = (q: request_queue) => void;
export type softirq_done_fn = (rq: request) => void;

/** Per-task batching state (the io_context fields get_request uses). */
interface io_context {
  nr_batch_requests: number;
  last_waited: number;
}

export class request_queue {
  readonly queue_head: request[] = [];
  readonly elevator: elevator_queue;
  last_merge: request | null = null;
  /** The last request id handed out (request.id; not a kernel field). */
  last_rq_id = 0;
  readonly rq: request_list;
  nr_requests = BLKDEV_MAX_RQ;
  nr_congestion_on = 0;
  nr_congestion_off = 0;
  nr_batching = BLK_BATCH_REQ;
  in_flight = 0;
  max_sectors = 255;
  max_hw_sectors = 255;
  max_phys_segments = MAX_PHYS_SEGMENTS;
  max_hw_segments = MAX_HW_SEGMENTS;
  unplug_thresh = 4;
  unplug_delay: number;
  readonly unplug_timer: timer_list;
  readonly unplug_work: work_struct;
  plugged = false;
  reenter = false;
  stopped = false;
  readonly full = [false, false];
  request_fn: request_fn_proc = () => {};
  prep_rq_fn: prep_rq_fn | null = null;
  softirq_done_fn: softirq_done_fn | null = null;
  queuedata: unknown = null;
  readonly ioc = new Map<Task, io_context>();
  /**
   * The page allocator's vm event counters (PageAllocator.vm_events), where submit_bio counts
   * PGPGIN and PGPGOUT in sectors (set by the composition root; null: not counted).
   */
  vm_events: Float64Array | null = null;
  /** Statistics for reports (not kernel fields). */
  readonly stat = { plugs: 0, unplug_timer: 0, unplug_thresh: 0, unplug_io: 0, merges_back: 0, merges_front: 0, requests: 0, completed: 0, request_fn_calls: 0 };

  constructor(
    readonly k: Kernel,
    readonly name: string,
    rq_pool: mempool_t,
    readonly backing_dev_info: backing_dev_info,
    readonly kblockd: workqueue_struct,
    elevator: elevator_name = 'noop',
  ) {
    // elevator_init: the scheduler chosen by name (the elevator= boot option).
    this.elevator = new elevator_queue(elevator, k.HZ);
    this.rq = new request_list(name, rq_pool);
    // blk_queue_make_request: unplug_delay = 3 ms worth of jiffies, at least 1.
    this.unplug_delay = Math.max(1, Math.floor((3 * k.HZ) / 1000));
    this.unplug_timer = new timer_list(k, () => blk_unplug_timeout(this));
    this.unplug_work = new work_struct('blk_unplug_work', () => blk_unplug_work(this));
    blk_queue_congestion_threshold(this);
  }
}

/** @kernel block/blk-core.c blk_queue_congestion_threshold — on at nr - nr/8 + 1, off at nr - nr/8 - nr/16 - 1. */
export function blk_queue_congestion_threshold(q: request_queue): void {
  let nr = q.nr_requests - Math.floor(q.nr_requests / 8) + 1;
  if (nr > q.nr_requests) nr = q.nr_requests;
  q.nr_congestion_on = nr;
  nr = q.nr_requests - Math.floor(q.nr_requests / 8) - Math.floor(q.nr_requests / 16) - 1;
  if (nr < 1) nr = 1;
  q.nr_congestion_off = nr;
}

/** BLK_DEF_MAX_SECTORS (include/linux/blkdev.h): the largest request a queue builds by default. */
export const BLK_DEF_MAX_SECTORS = 1024;

/**
 * @kernel block/blk-settings.c blk_queue_max_sectors — requests above BLK_DEF_MAX_SECTORS cap at 1024.
 * The kernel also raises a limit below one page to 8 sectors; the scenario schema refuses those.
 */
export function blk_queue_max_sectors(q: request_queue, max_sectors: number): void {
  if (max_sectors < BLK_DEF_MAX_SECTORS) {
    q.max_sectors = q.max_hw_sectors = max_sectors;
  } else {
    q.max_sectors = BLK_DEF_MAX_SECTORS;
    q.max_hw_sectors = max_sectors;
  }
}

/** @kernel include/linux/blkdev.h blk_queue_plugged — QUEUE_FLAG_PLUGGED as a boolean. */
export function blk_queue_plugged(q: request_queue): boolean {
  return q.plugged;
}

function trace_plug(q: request_queue): void {
  if (q.k.trace.on[TP.block_plug]) q.k.tp(TP.block_plug, q.k.current.comm);
}

/**
 * @kernel block/blk-core.c blk_plug_device
 * Sets the plugged flag and arms the unplug timer for jiffies + unplug_delay, unless the queue is
 * stopped or already plugged. The timer is armed on the current CPU, so its kblockd work runs on
 * that CPU's kblockd thread.
 */
export function blk_plug_device(q: request_queue): void {
  if (q.stopped) return;
  if (!q.plugged) {
    q.plugged = true;
    q.stat.plugs++;
    q.k.mod_timer(q.unplug_timer, q.k.jiffies + q.unplug_delay);
    trace_plug(q);
  }
}

/** @kernel block/blk-core.c blk_remove_plug — clear the plug and delete the timer; false if not plugged. */
export function blk_remove_plug(q: request_queue): boolean {
  if (!q.plugged) return false;
  q.plugged = false;
  q.k.del_timer(q.unplug_timer);
  return true;
}

/** @kernel block/blk-core.c __generic_unplug_device — remove the plug and run request_fn. */
export function __generic_unplug_device(q: request_queue, why: 'threshold' | 'timer' | 'io' = 'io'): void {
  if (q.stopped) return;
  if (!blk_remove_plug(q)) return;
  if (why === 'threshold') q.stat.unplug_thresh++;
  else if (why === 'timer') q.stat.unplug_timer++;
  else q.stat.unplug_io++;
  // nr_rq as blktrace's unplug records give it: every request allocated, in flight or not.
  if (q.k.trace.on[TP.block_unplug]) q.k.tp(TP.block_unplug, q.rq.count[0]! + q.rq.count[1]!, q.k.current.comm, why);
  q.stat.request_fn_calls++;
  q.k.current.enter('__generic_unplug_device');
  q.request_fn(q);
  q.k.current.leave();
}

/** @kernel block/blk-core.c generic_unplug_device — the queue's unplug_fn. */
export function generic_unplug_device(q: request_queue, why: 'timer' | 'io' = 'io'): void {
  if (!blk_queue_plugged(q)) return;
  q.k.current.enter('generic_unplug_device');
  __generic_unplug_device(q, why);
  q.k.current.leave();
}

/** @kernel block/blk-core.c blk_unplug_work — kblockd runs the queue's unplug_fn. */
function blk_unplug_work(q: request_queue): void {
  generic_unplug_device(q, 'timer');
}

/** @kernel block/blk-core.c blk_unplug_timeout — timer softirq hands the unplug to kblockd. */
function blk_unplug_timeout(q: request_queue): void {
  queue_work(q.k, q.kblockd, q.unplug_work);
}

/**
 * @kernel block/blk-core.c blk_run_queue
 * Removes the plug and, if there is work, calls request_fn directly, unless request_fn is already
 * running for this queue (QUEUE_FLAG_REENTER): then plug and defer to kblockd.
 */
export function blk_run_queue(q: request_queue): void {
  blk_remove_plug(q);
  if (!elv_queue_empty(q)) {
    if (!q.reenter) {
      q.reenter = true;
      q.stat.request_fn_calls++;
      const t = q.k.current;
      t.enter('blk_run_queue');
      q.request_fn(q);
      t.leave();
      q.reenter = false;
    } else {
      blk_plug_device(q);
      queue_work(q.k, q.kblockd, q.unplug_work);
    }
  }
}

// ---- request allocation ----

/**
 * @kernel block/blk-ioc.c current_io_context — the task's io_context, created on first use.
 * Simplified: only the batching fields, kept per queue and task. The kernel allocates the context
 * from the blkdev_ioc cache (GFP_ATOMIC when get_request finds the queue full, GFP_NOIO after
 * get_request_wait slept) and a task whose allocation fails is not a batcher; the model's never
 * fails and takes no slab object (one small object per task, not from kmalloc-128).
 */
function current_ioc(q: request_queue): io_context {
  const t = q.k.current;
  let ioc = q.ioc.get(t);
  if (ioc === undefined) {
    ioc = { nr_batch_requests: 0, last_waited: 0 };
    q.ioc.set(t, ioc);
  }
  return ioc;
}

/** @kernel block/blk-core.c ioc_batching — a batcher may allocate past the full mark for a while. */
function ioc_batching(q: request_queue, ioc: io_context | null): boolean {
  if (ioc === null) return false;
  const BLK_BATCH_TIME = Math.floor(q.k.HZ / 50);
  return ioc.nr_batch_requests === q.nr_batching || (ioc.nr_batch_requests > 0 && q.k.jiffies < ioc.last_waited + BLK_BATCH_TIME);
}

/** @kernel block/blk-core.c ioc_set_batching */
function ioc_set_batching(q: request_queue, ioc: io_context | null): void {
  if (ioc === null || ioc_batching(q, ioc)) return;
  ioc.nr_batch_requests = q.nr_batching;
  ioc.last_waited = q.k.jiffies;
}

/**
 * @kernel block/blk-core.c freed_request (__freed_request)
 * One request fewer: below the off threshold the queue is no longer congested (which wakes every
 * congestion_wait sleeper); with room again, wake one exclusive get_request_wait sleeper.
 */
function freed_request(q: request_queue, rw: number): void {
  q.rq.count[rw]!--;
  __freed_request(q, rw);
  // The other direction failed to get a request with none of its own outstanding: its waiters
  // get their chance now.
  if (q.rq.starved[rw ^ 1]) __freed_request(q, rw ^ 1);
}

/** @kernel block/blk-core.c __freed_request */
function __freed_request(q: request_queue, rw: number): void {
  const rl = q.rq;
  if (rl.count[rw]! < q.nr_congestion_off) clear_bdi_congested(q.k, q.backing_dev_info, rw);
  if (rl.count[rw]! + 1 <= q.nr_requests) {
    if (waitqueue_active(rl.wait[rw]!)) wake_up(q.k, rl.wait[rw]!);
    q.full[rw] = false;
  }
}

/**
 * @kernel block/blk-core.c get_request
 * Accounting first (congestion on at nr_congestion_on; at nr_requests the queue is full and only
 * the task that filled it, the batcher, may continue for BLK_BATCH_REQ requests or BLK_BATCH_TIME;
 * never more than 3/2 nr_requests), then the request from its mempool. The allocation runs without
 * the queue lock and may sleep if gfp has __GFP_WAIT. Returns null on failure.
 */
export function* get_request(q: request_queue, rw: number, gfp_mask: number): KGen<request | null> {
  const rl = q.rq;
  let ioc: io_context | null = null;
  if (rl.count[rw]! + 1 >= q.nr_congestion_on) {
    if (rl.count[rw]! + 1 >= q.nr_requests) {
      ioc = current_ioc(q);
      if (!q.full[rw]) {
        ioc_set_batching(q, ioc);
        q.full[rw] = true;
      } else if (!ioc_batching(q, ioc)) {
        return null;
      }
    }
    set_bdi_congested(q.k, q.backing_dev_info, rw);
  }
  if (rl.count[rw]! >= Math.floor((3 * q.nr_requests) / 2)) return null;
  rl.count[rw]!++;
  rl.starved[rw] = 0;
  rl.elvpriv++;
  const obj = yield* mempool_alloc(rl.rq_pool, gfp_mask);
  if (!obj) {
    rl.elvpriv--;
    freed_request(q, rw);
    if (rl.count[rw] === 0) rl.starved[rw] = 1;
    return null;
  }
  if (ioc_batching(q, ioc)) ioc!.nr_batch_requests--;
  const rq = new request(q);
  rq.obj = obj;
  rq.rw = rw;
  rq.start_time_ns = q.k.now;
  q.stat.requests++;
  return rq;
}

/**
 * @kernel block/blk-core.c get_request_wait
 * Never fails: while get_request fails, wait exclusively on the request list (after unplugging the
 * queue so that the requests we wait for get going), io_schedule() without a timeout, and come
 * back as a batcher.
 */
export function* get_request_wait(q: request_queue, rw: number): KGen<request> {
  const k = q.k;
  k.current.enter('get_request_wait');
  let rq = yield* get_request(q, rw, GFP_NOIO);
  while (rq === null) {
    const rl = q.rq;
    prepare_to_wait_exclusive(k, rl.wait[rw]!, TASK_UNINTERRUPTIBLE);
    rq = yield* get_request(q, rw, GFP_NOIO);
    if (rq === null) {
      __generic_unplug_device(q, 'io');
      yield* io_schedule(k);
      ioc_set_batching(q, current_ioc(q));
    }
    finish_wait(k, rl.wait[rw]!);
  }
  k.current.leave();
  return rq;
}

// ---- merging (block/blk-merge.c) ----

/** @kernel block/blk-merge.c ll_new_hw_segment — every one-page bio adds a physical and a hw segment. */
function ll_new_hw_segment(q: request_queue, rq: request, b: bio): boolean {
  const nr = b.bi_vcnt;
  if (rq.nr_hw_segments + nr > q.max_hw_segments || rq.nr_phys_segments + nr > q.max_phys_segments) {
    rq.cmd_flags |= REQ_NOMERGE;
    if (rq === q.last_merge) q.last_merge = null;
    return false;
  }
  rq.nr_hw_segments += nr;
  rq.nr_phys_segments += nr;
  return true;
}

/** @kernel block/blk-merge.c ll_back_merge_fn — refuse past max_sectors or the segment limits (sets REQ_NOMERGE). */
function ll_back_merge_fn(q: request_queue, rq: request, b: bio): boolean {
  if (rq.nr_sectors + bio_sectors(b) > q.max_sectors) {
    rq.cmd_flags |= REQ_NOMERGE;
    if (rq === q.last_merge) q.last_merge = null;
    return false;
  }
  return ll_new_hw_segment(q, rq, b);
}

/** @kernel block/blk-merge.c ll_front_merge_fn */
function ll_front_merge_fn(q: request_queue, rq: request, b: bio): boolean {
  return ll_back_merge_fn(q, rq, b);
}

/**
 * @kernel block/blk-merge.c attempt_merge (with ll_merge_requests_fn and elv_merge_requests)
 * Folds `next` into `req` when it starts exactly where req ends, both are mergeable, both go the
 * same way, and the merged request stays within max_sectors and the segment limits; next leaves
 * the elevator and the hash, and its request is freed. The merged request becomes last_merge.
 * Returns whether it merged. Simplified: no physically contiguous segment saving (pages are not
 * contiguous), start_time is not kept.
 */
function attempt_merge(q: request_queue, req: request, next: request): boolean {
  if (next.sector !== req.sector + req.nr_sectors) return false;
  if (!rq_mergeable(req) || !rq_mergeable(next) || next.rw !== req.rw) return false;
  if (req.nr_sectors + next.nr_sectors > q.max_sectors) return false;
  if (req.nr_phys_segments + next.nr_phys_segments > q.max_phys_segments || req.nr_hw_segments + next.nr_hw_segments > q.max_hw_segments) return false;
  req.biotail!.bi_next = next.bio;
  req.biotail = next.biotail;
  req.nr_bios += next.nr_bios;
  req.nr_sectors += next.nr_sectors;
  req.nr_phys_segments += next.nr_phys_segments;
  req.nr_hw_segments += next.nr_hw_segments;
  elv_merge_requests(q, req, next);
  next.bio = next.biotail = null;
  __blk_put_request(q, next);
  return true;
}

/**
 * @kernel block/blk-merge.c attempt_back_merge
 * After a back merge, the request after this one in the elevator's order (elv_latter_request) may
 * now start exactly where this one ends: attempt_merge folds it in.
 */
function attempt_back_merge(q: request_queue, rq: request): boolean {
  const next = elv_latter_request(q, rq);
  return next !== null && attempt_merge(q, rq, next);
}

/**
 * @kernel block/blk-merge.c attempt_front_merge
 * After a front merge, the request before this one in the elevator's order (elv_former_request)
 * may now end exactly where this one starts: attempt_merge folds this one into it.
 */
function attempt_front_merge(q: request_queue, rq: request): boolean {
  const prev = elv_former_request(q, rq);
  return prev !== null && attempt_merge(q, prev, rq);
}

/** @kernel block/blk-core.c init_request_from_bio */
function init_request_from_bio(rq: request, b: bio): void {
  rq.sector = b.bi_sector;
  rq.nr_sectors = bio_sectors(b);
  rq.bio = rq.biotail = b;
  rq.nr_bios = 1;
  rq.nr_phys_segments = rq.nr_hw_segments = b.bi_vcnt;
}

/**
 * @kernel block/blk-core.c __make_request (the merge attempts)
 * __make_request tries a back or front merge into a request still in the elevator; otherwise it
 * gets a new request (get_request_wait: may sleep, cannot fail), plugs the queue if the elevator
 * was empty, and inserts it (which may unplug at the threshold). A sync bio unplugs at once; swap
 * writes from reclaim are not sync. The model splits it where it may sleep: this is the part that
 * never does, the merge attempts, and returns whether the bio merged; make_request_new is the
 * rest (submit_bio_try runs one, then the other if needed).
 */
function make_request_merge(q: request_queue, b: bio): boolean {
  const k = q.k;
  const nr_sectors = bio_sectors(b);
  const sync = (b.bi_rw & (1 << BIO_RW_SYNC)) !== 0;
  if (k.trace.on[TP.block_bio_queue]) k.tp(TP.block_bio_queue, 'sda', b.bi_sector, nr_sectors, bio_rwbs(b), k.current.comm);
  if (!elv_queue_empty(q)) {
    const ret = elv_merge(q, b);
    const found = q.elevator.merge_rq;
    if (ret === ELEVATOR_BACK_MERGE && ll_back_merge_fn(q, found!, b)) {
      const rq = found!;
      rq.biotail!.bi_next = b;
      rq.biotail = b;
      rq.nr_bios++;
      rq.nr_sectors += nr_sectors;
      q.stat.merges_back++;
      if (k.trace.on[TP.block_bio_backmerge]) k.tp(TP.block_bio_backmerge, 'sda', b.bi_sector, nr_sectors, bio_rwbs(b), k.current.comm);
      // elv_merged_request when no further merge happened (attempt_merge sets last_merge itself).
      if (!attempt_back_merge(q, rq)) elv_merged_request(q, rq, ELEVATOR_BACK_MERGE);
      if (sync) __generic_unplug_device(q, 'io');
      return true;
    }
    if (ret === ELEVATOR_FRONT_MERGE && ll_front_merge_fn(q, found!, b)) {
      const rq = found!;
      b.bi_next = rq.bio;
      rq.bio = b;
      rq.sector = b.bi_sector;
      rq.nr_bios++;
      rq.nr_sectors += nr_sectors;
      q.stat.merges_front++;
      if (k.trace.on[TP.block_bio_frontmerge]) k.tp(TP.block_bio_frontmerge, 'sda', b.bi_sector, nr_sectors, bio_rwbs(b), k.current.comm);
      // elv_merged_request (a front merge leaves the end sector, so the hash stays; deadline
      // re-sorts the request) unless the request before it now ends where this one starts.
      if (!attempt_front_merge(q, rq)) elv_merged_request(q, rq, ELEVATOR_FRONT_MERGE);
      if (sync) __generic_unplug_device(q, 'io');
      return true;
    }
  }
  return false;
}

/**
 * @kernel block/blk-core.c __make_request (from get_rq)
 * No merge was possible: a new request (get_request_wait may sleep), plugged and inserted.
 */
function* make_request_new(q: request_queue, b: bio): KGen {
  const k = q.k;
  const nr_sectors = bio_sectors(b);
  const sync = (b.bi_rw & (1 << BIO_RW_SYNC)) !== 0;
  // get_rq:
  const rw = b.bi_rw & 1 ? WRITE : READ;
  const rq = yield* get_request_wait(q, rw);
  if (k.trace.on[TP.block_getrq]) k.tp(TP.block_getrq, 'sda', b.bi_sector, nr_sectors, bio_rwbs(b), k.current.comm);
  init_request_from_bio(rq, b);
  if (elv_queue_empty(q)) blk_plug_device(q);
  if (k.trace.on[TP.block_rq_insert]) k.tp(TP.block_rq_insert, 'sda', rq.sector, rq.nr_sectors, rq_rwbs(rq), k.current.comm, rq.id);
  elv_insert_sort(q, rq);
  if (sync) __generic_unplug_device(q, 'io');
}

/** A request's direction letters for trace events: those of its first bio (see bio_rwbs). */
export function rq_rwbs(rq: request): string {
  return rq.bio !== null ? bio_rwbs(rq.bio) : rq.rw === WRITE ? 'W' : 'R';
}

/** @kernel block/blk-core.c generic_make_request / submit_bio — hand the bio to the queue's make_request_fn. */
export function* submit_bio(q: request_queue, rw: number, b: bio): KGen {
  const rest = submit_bio_try(q, rw, b);
  if (rest !== null) yield* rest;
}

/**
 * @kernel block/blk-core.c submit_bio (as far as it goes without sleeping)
 * Counts the bio's sectors in PGPGOUT or PGPGIN, then hands it on. A bio that merges is queued
 * by a plain call and null is returned; otherwise the rest of __make_request (a new request,
 * which may sleep) is returned for the caller to run. No barriers, so every bio is counted.
 */
export function submit_bio_try(q: request_queue, rw: number, b: bio): KRest<void> | null {
  b.bi_rw |= rw;
  const ev = q.vm_events;
  if (ev !== null) ev[rw & WRITE ? PGPGOUT : PGPGIN] += bio_sectors(b);
  const t = q.k.current;
  t.enter('submit_bio');
  t.enter('__make_request');
  if (make_request_merge(q, b)) {
    t.leave();
    t.leave();
    return null;
  }
  return submit_bio_rest(q, b);
}

/** @kernel block/blk-core.c submit_bio (the rest, when the bio needs a new request) */
function* submit_bio_rest(q: request_queue, b: bio): KRest<void> {
  const t = q.k.current;
  yield* make_request_new(q, b);
  t.leave();
  t.leave();
}

// ---- completion ----

/** @kernel block/blk-core.c __blk_put_request — the request goes back to its mempool; freed_request. */
export function __blk_put_request(q: request_queue, rq: request): void {
  const rw = rq.rw;
  q.rq.elvpriv--;
  mempool_free(rq.obj, q.rq.rq_pool);
  rq.obj = 0;
  freed_request(q, rw);
}

/**
 * @kernel block/blk-core.c blk_end_request (__end_that_request_first, end_that_request_last)
 * Completes every bio of the request (bio_endio, which for swap is end_swap_bio_write), then the
 * request leaves the driver and is freed, all at this instant. Drivers whose completion takes
 * modelled CPU time end the bios one at a time instead: blk_end_request_begin, blk_end_one_bio
 * and end_that_request_last. The model completes whole requests only (no partial completion).
 */
export function blk_end_request(q: request_queue, rq: request, error: number): void {
  blk_end_request_begin(q, rq, error);
  while (blk_end_one_bio(q, rq, error)) {
    // every bio, in the request's order
  }
  end_that_request_last(q, rq);
}

/**
 * @kernel block/blk-core.c __end_that_request_first (its start: blk_add_trace_rq BLK_TA_COMPLETE)
 * The request's completion begins; its bios are still attached and end one by one.
 */
export function blk_end_request_begin(q: request_queue, rq: request, error: number): void {
  const k = q.k;
  if (k.trace.on[TP.block_rq_complete]) k.tp(TP.block_rq_complete, 'sda', rq.sector, rq.nr_sectors, rq_rwbs(rq), error, rq.id);
}

/**
 * @kernel block/blk-core.c __end_that_request_first (one turn of its loop: req_bio_endio)
 * Ends the request's first remaining bio, as 2.6.25 does, in order from rq->bio; returns whether
 * bios remain. Simplified: whole bios only (the kernel can end part of one).
 */
export function blk_end_one_bio(q: request_queue, rq: request, error: number): boolean {
  const b = rq.bio;
  if (b === null) return false;
  rq.bio = b.bi_next;
  if (rq.bio === null) rq.biotail = null;
  b.bi_next = null;
  bio_endio(q.k, b, error);
  return rq.bio !== null;
}

/**
 * @kernel block/blk-core.c end_that_request_last
 * After the last bio: the elevator's completion accounting, then the request goes back to its
 * mempool (blk_put_request), which may wake a task in get_request_wait.
 */
export function end_that_request_last(q: request_queue, rq: request): void {
  assert(rq.bio === null, 'end_that_request_last with bios left');
  elv_completed_request(q, rq);
  q.stat.completed++;
  __blk_put_request(q, rq);
}

/** Per-CPU blk_cpu_done lists for BLOCK_SOFTIRQ. */
export class blk_done_lists {
  readonly lists: request[][];
  /**
   * Per CPU, an empty list that blk_done_softirq swaps in while it runs the taken one, so that a
   * pass allocates nothing; null while a pass holds it.
   */
  readonly spare: (request[] | null)[];
  constructor(cpus: number) {
    this.lists = Array.from({ length: cpus }, () => []);
    this.spare = Array.from({ length: cpus }, () => []);
  }
}

/** @kernel block/blk-core.c blk_complete_request — queue on this CPU's done list and raise BLOCK_SOFTIRQ. */
export function blk_complete_request(k: Kernel, done: blk_done_lists, rq: request): void {
  const cpu = k.smp_processor_id();
  done.lists[cpu]!.push(rq);
  k.raise_softirq(cpu, SOFTIRQ_BLOCK);
}

/**
 * @kernel block/blk-core.c blk_done_softirq
 * Take this CPU's whole done list, then run each request's softirq_done_fn in order; requests
 * completed meanwhile wait for the next pass of the softirq.
 */
export function blk_done_softirq(done: blk_done_lists, cpu: number): void {
  const list = done.lists[cpu]!;
  if (list.length === 0) return;
  done.lists[cpu] = done.spare[cpu] ?? [];
  done.spare[cpu] = null;
  for (const rq of list) {
    assert(rq.q.softirq_done_fn !== null, 'request without softirq_done_fn');
    const t = rq.q.k.current;
    t.enter('blk_done_softirq');
    rq.q.softirq_done_fn(rq);
    t.leave();
  }
  list.length = 0;
  done.spare[cpu] = list;
}

/** Exposed so the SCSI layer can dequeue from the dispatch list (blkdev_dequeue_request). */
export { blkdev_dequeue_request, BLKPREP_OK };
