/**
 * The elevator with the noop scheduler: a FIFO of requests, the back-merge hash and the one-hit
 * last_merge cache, feeding the dispatch list (q.queue_head).
 *
 * Mirrors: block/elevator.c (elv_merge, elv_insert, __elv_add_request, elv_next_request,
 * elv_dequeue_request, elv_requeue_request, elv_completed_request, elv_queue_empty) and
 * block/noop-iosched.c (noop_dispatch, noop_add_request), v2.6.25.
 * The noop elevator was chosen because the livelock does not depend on the scheduler (reference
 * §3.5) and noop keeps request order equal to submission order, which is easiest to read in a
 * trace. Only the request at the head of the dispatch list has left the elevator; requests
 * still in the FIFO stay mergeable.
 *
 * Modelled: back merges by end sector through a hash, front merges through last_merge, the unplug
 * threshold check at the end of elv_insert. Not modelled: barriers, requeue of partial requests,
 * I/O priorities. Called with the queue lock held (never sleeps).
 */
import type { request, request_queue } from './blk-core.js';
import { REQ_STARTED, REQ_DONTPREP, RQ_NOMERGE_FLAGS, __generic_unplug_device, blk_queue_plugged } from './blk-core.js';
import type { bio } from './bio.js';
import { assert } from '../sim/assert.js';
import { bio_sectors } from './bio.js';

export const ELEVATOR_NO_MERGE = 0;
export const ELEVATOR_FRONT_MERGE = 1;
export const ELEVATOR_BACK_MERGE = 2;

export const BLKPREP_OK = 0;
export const BLKPREP_KILL = 1;
export const BLKPREP_DEFER = 2;

/** elv_hash_shift in block/elevator.c: 2^6 buckets in the back-merge hash. */
const elv_hash_shift = 6;
const ELV_HASH_ENTRIES = 1 << elv_hash_shift;

/** The noop scheduler's state plus the generic elevator's merge hash. */
export class elevator_queue {
  /** noop's FIFO of sorted (not yet dispatched) requests. */
  readonly fifo: request[] = [];
  /**
   * elv_rqhash: ELV_HASH_ENTRIES chains (hlist) of the requests in the elevator, by end sector,
   * newest first. The links live in the request (hash_next, hash_prev, hash_bucket).
   */
  readonly hash: (request | null)[] = new Array<request | null>(ELV_HASH_ENTRIES).fill(null);
  /** elv_merge's `struct request **req` out-parameter: the request a merge found. */
  merge_rq: request | null = null;
}

/** @kernel block/elevator.c rq_hash_key — the sector just after the request. */
function rq_end_sector(rq: request): number {
  return rq.sector + rq.nr_sectors;
}

/**
 * @kernel block/elevator.c ELV_HASH_FN
 * The bucket of an end sector. The kernel hashes sec >> 3 with hash_long; the model takes the low
 * bits of sec >> 3. Which bucket a key lands in changes only chain lengths, never which request a
 * lookup finds (requests with the same key share a bucket, newest first, either way).
 */
function elv_hash_fn(sec: number): number {
  return Math.floor(sec / 8) % ELV_HASH_ENTRIES;
}

/** @kernel include/linux/blkdev.h rq_mergeable — no NOMERGE/STARTED/BARRIER flags; not yet prepared (special). */
export function rq_mergeable(rq: request): boolean {
  return (rq.cmd_flags & RQ_NOMERGE_FLAGS) === 0 && rq.special === null;
}

/** @kernel block/elevator.c __elv_rqhash_del — unlink from its chain (hlist_del_init). */
function __elv_rqhash_del(e: elevator_queue, rq: request): void {
  const next = rq.hash_next;
  const prev = rq.hash_prev;
  if (prev === null) e.hash[rq.hash_bucket] = next;
  else prev.hash_next = next;
  if (next !== null) next.hash_prev = prev;
  rq.hash_next = rq.hash_prev = null;
  rq.hash_bucket = -1;
}

/** @kernel block/elevator.c elv_rqhash_add — hash the request by its end sector, at the head of its chain. */
export function elv_rqhash_add(e: elevator_queue, rq: request): void {
  assert(rq.hash_bucket < 0, 'elv_rqhash_add: request already hashed');
  const b = elv_hash_fn(rq_end_sector(rq));
  const head = e.hash[b]!;
  rq.hash_next = head;
  rq.hash_prev = null;
  if (head !== null) head.hash_prev = rq;
  e.hash[b] = rq;
  rq.hash_bucket = b;
}

/** @kernel block/elevator.c elv_rqhash_del — unhash if hashed (ELV_ON_HASH). */
export function elv_rqhash_del(e: elevator_queue, rq: request): void {
  if (rq.hash_bucket >= 0) __elv_rqhash_del(e, rq);
}

/** @kernel block/elevator.c elv_rqhash_reposition — rehash after a merge moved the end sector. */
export function elv_rqhash_reposition(e: elevator_queue, rq: request): void {
  __elv_rqhash_del(e, rq);
  elv_rqhash_add(e, rq);
}

/**
 * @kernel block/elevator.c elv_rqhash_find
 * The newest request in the elevator that ends at `offset`. Requests found unmergeable on the way
 * are unhashed, as the kernel does lazily.
 */
export function elv_rqhash_find(e: elevator_queue, offset: number): request | null {
  let rq: request | null = e.hash[elv_hash_fn(offset)]!;
  while (rq !== null) {
    const next: request | null = rq.hash_next;
    if (!rq_mergeable(rq)) __elv_rqhash_del(e, rq);
    else if (rq_end_sector(rq) === offset) return rq;
    rq = next;
  }
  return null;
}

/** @kernel block/elevator.c elv_rq_merge_ok — mergeable, and the bio goes the request's way (one disk only). */
function elv_rq_merge_ok(rq: request, b: bio): boolean {
  return rq_mergeable(rq) && rq.rw === (b.bi_rw & 1);
}

/**
 * @kernel block/elevator.c elv_merge
 * First the one-hit last_merge cache (back or front merge), then the back-merge hash by sector.
 * noop has no merge function of its own, so there is no further front-merge search. Returns the
 * merge type; the request found is left in `q.elevator.merge_rq` (the kernel's `**req`).
 */
export function elv_merge(q: request_queue, b: bio): number {
  const e = q.elevator;
  e.merge_rq = null;
  const lm = q.last_merge;
  if (lm !== null && elv_rq_merge_ok(lm, b) && lm.inElevator) {
    e.merge_rq = lm;
    if (rq_end_sector(lm) === b.bi_sector) return ELEVATOR_BACK_MERGE;
    if (lm.sector - bio_sectors(b) === b.bi_sector) return ELEVATOR_FRONT_MERGE;
    e.merge_rq = null;
  }
  const rq = elv_rqhash_find(e, b.bi_sector);
  if (rq !== null && elv_rq_merge_ok(rq, b)) {
    e.merge_rq = rq;
    return ELEVATOR_BACK_MERGE;
  }
  return ELEVATOR_NO_MERGE;
}

/** @kernel block/elevator.c elv_queue_empty — nothing on the dispatch list and nothing in noop's FIFO. */
export function elv_queue_empty(q: request_queue): boolean {
  return q.queue_head.length === 0 && q.elevator.fifo.length === 0;
}

/**
 * @kernel block/elevator.c elv_insert (ELEVATOR_INSERT_SORT via __elv_add_request)
 * The request joins noop's FIFO and the merge hash. Then, if the queue is plugged and the number
 * of requests allocated but not in flight reached unplug_thresh (4), unplug right here, in the
 * submitting task's context.
 */
export function elv_insert_sort(q: request_queue, rq: request): void {
  rq.inElevator = true;
  q.elevator.fifo.push(rq);
  elv_rqhash_add(q.elevator, rq);
  // A new request becomes the one-hit cache only if the cache is empty; it otherwise keeps the
  // request the last merge went into.
  if (rq_mergeable(rq) && q.last_merge === null) q.last_merge = rq;
  if (blk_queue_plugged(q)) {
    const nrq = q.rq.count[0]! + q.rq.count[1]! - q.in_flight;
    if (nrq >= q.unplug_thresh) __generic_unplug_device(q, 'threshold');
  }
}

/** @kernel block/elevator.c elv_requeue_request — back to the head of the dispatch list. */
export function elv_requeue_request(q: request_queue, rq: request): void {
  // The request was counted in flight when dequeued.
  q.in_flight--;
  rq.cmd_flags &= ~REQ_STARTED;
  q.queue_head.unshift(rq);
}

/** @kernel block/noop-iosched.c noop_dispatch — move one request from the FIFO to the dispatch list. */
function noop_dispatch(q: request_queue): boolean {
  const rq = q.elevator.fifo.shift();
  if (rq === undefined) return false;
  rq.inElevator = false;
  elv_rqhash_del(q.elevator, rq);
  if (q.last_merge === rq) q.last_merge = null;
  q.queue_head.push(rq);
  return true;
}

/** @kernel block/elevator.c __elv_next_request — head of the dispatch list, refilled from the elevator. */
function __elv_next_request(q: request_queue): request | null {
  if (q.queue_head.length === 0 && !noop_dispatch(q)) return null;
  return q.queue_head[0]!;
}

/**
 * @kernel block/elevator.c elv_next_request
 * Marks the head request STARTED (which also makes it unmergeable) and runs the prep function
 * unless it is already prepared (REQ_DONTPREP). BLKPREP_DEFER returns null and leaves the request
 * at the head of the dispatch list; BLKPREP_KILL ends it with an error and goes on.
 */
export function elv_next_request(q: request_queue): request | null {
  let rq: request | null;
  while ((rq = __elv_next_request(q)) !== null) {
    rq.cmd_flags |= REQ_STARTED;
    if (rq.cmd_flags & REQ_DONTPREP) break;
    if (q.prep_rq_fn === null) break;
    const ret = q.prep_rq_fn(q, rq);
    if (ret === BLKPREP_OK) break;
    if (ret === BLKPREP_DEFER) {
      rq = null;
      break;
    }
    // BLKPREP_KILL is not reached in the modelled paths (devices never go offline).
    assert(false, `elv_next_request: prep returned ${ret}`);
  }
  return rq;
}

/** @kernel block/elevator.c elv_dequeue_request (blkdev_dequeue_request) — off the dispatch list, now in flight. */
export function blkdev_dequeue_request(q: request_queue, rq: request): void {
  const i = q.queue_head.indexOf(rq);
  if (i >= 0) q.queue_head.splice(i, 1);
  q.in_flight++;
}

/** @kernel block/elevator.c elv_completed_request — the request left the driver. */
export function elv_completed_request(q: request_queue, _rq: request): void {
  q.in_flight--;
}
