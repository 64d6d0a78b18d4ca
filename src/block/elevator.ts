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

/** The noop scheduler's state plus the generic elevator's merge hash. */
export class elevator_queue {
  /** noop's FIFO of sorted (not yet dispatched) requests. */
  readonly fifo: request[] = [];
  /** elv_rqhash: requests in the elevator by end sector, for back merges. */
  readonly hash = new Map<number, request>();
}

/** @kernel block/elevator.c rq_hash_key — the sector just after the request. */
function rq_end_sector(rq: request): number {
  return rq.sector + rq.nr_sectors;
}

/** @kernel include/linux/blkdev.h rq_mergeable — no NOMERGE/STARTED/BARRIER flags; not yet prepared (special). */
export function rq_mergeable(rq: request): boolean {
  return (rq.cmd_flags & RQ_NOMERGE_FLAGS) === 0 && rq.special === null;
}

/** @kernel block/elevator.c elv_rqhash_add — hash the request by its end sector. */
export function elv_rqhash_add(e: elevator_queue, rq: request): void {
  e.hash.set(rq_end_sector(rq), rq);
}

/** @kernel block/elevator.c elv_rqhash_del */
export function elv_rqhash_del(e: elevator_queue, rq: request): void {
  const key = rq_end_sector(rq);
  if (e.hash.get(key) === rq) e.hash.delete(key);
}

/** @kernel block/elevator.c elv_rqhash_reposition — rehash after a merge moved the end sector. */
export function elv_rqhash_reposition(e: elevator_queue, rq: request, oldEnd: number): void {
  if (e.hash.get(oldEnd) === rq) e.hash.delete(oldEnd);
  e.hash.set(rq_end_sector(rq), rq);
}

/** @kernel block/elevator.c elv_rq_merge_ok — mergeable, and the bio goes the request's way (one disk only). */
function elv_rq_merge_ok(rq: request, b: bio): boolean {
  return rq_mergeable(rq) && rq.rw === (b.bi_rw & 1);
}

/**
 * @kernel block/elevator.c elv_merge
 * First the one-hit last_merge cache (back or front merge), then the back-merge hash by sector.
 * noop has no merge function of its own, so there is no further front-merge search.
 */
export function elv_merge(q: request_queue, b: bio): { ret: number; rq: request | null } {
  const lm = q.last_merge;
  if (lm !== null && elv_rq_merge_ok(lm, b) && lm.inElevator) {
    if (rq_end_sector(lm) === b.bi_sector) return { ret: ELEVATOR_BACK_MERGE, rq: lm };
    if (lm.sector - bio_sectors(b) === b.bi_sector) return { ret: ELEVATOR_FRONT_MERGE, rq: lm };
  }
  const rq = q.elevator.hash.get(b.bi_sector);
  if (rq !== undefined && elv_rq_merge_ok(rq, b)) return { ret: ELEVATOR_BACK_MERGE, rq };
  return { ret: ELEVATOR_NO_MERGE, rq: null };
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
  if (rq_mergeable(rq)) q.last_merge = rq;
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
