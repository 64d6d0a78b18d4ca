/**
 * The elevator: the generic part (merge hash, one-hit last_merge cache, dispatch list) with two
 * schedulers to choose from, noop (the default) and deadline.
 *
 * Mirrors: block/elevator.c (elv_merge, elv_merged_request, elv_merge_requests, elv_insert,
 * __elv_add_request, elv_next_request, elv_dispatch_add_tail, elv_rb_add, elv_rb_find,
 * elv_rb_former_request, elv_rb_latter_request, elv_dequeue_request, elv_requeue_request,
 * elv_completed_request, elv_queue_empty), block/noop-iosched.c (noop_dispatch, noop_add_request,
 * noop_former_request, noop_latter_request) and block/deadline-iosched.c (every elevator_ops
 * function), v2.6.25.
 * noop is the default because the livelock does not depend on the scheduler (reference §3.5) and
 * noop keeps request order equal to submission order, which is easiest to read in a trace.
 * deadline keeps each direction's requests sorted by start sector and in a FIFO with an expiry
 * time (reads HZ/2, writes 5*HZ), dispatches batches of up to fifo_batch (16) requests in sector
 * order, lets reads starve writes at most writes_starved (2) times, and finds front merges by
 * start sector. Only the request at the head of the dispatch list has left the elevator; requests
 * still in the scheduler stay mergeable.
 *
 * Modelled: back merges by end sector through a hash, front merges through last_merge (and
 * deadline's sector lookup), merging neighbours after a merge, the unplug threshold check at the
 * end of elv_insert. Not modelled: barriers, requeue of partial requests, I/O priorities, CFQ and
 * anticipatory, the sysfs tunables (deadline keeps its defaults), q->end_sector/boundary_rq (kept
 * by elv_dispatch_sort for its sort; noop's dispatch calls it, but only onto an empty dispatch
 * list, where the sort is an append, so the model appends). deadline's red-black tree is a
 * sorted array: the same order, neighbours and exact-sector lookups for the at most a few hundred
 * requests a queue holds. Called with the queue lock held (never sleeps).
 */
import type { request, request_queue } from './blk-core.js';
import { REQ_STARTED, REQ_DONTPREP, REQ_SOFTBARRIER, RQ_NOMERGE_FLAGS, __generic_unplug_device, blk_queue_plugged, rq_rwbs } from './blk-core.js';
import { TP } from '../kernel/trace.js';
import type { bio } from './bio.js';
import { assert } from '../sim/assert.js';
import { READ, WRITE, bio_sectors } from './bio.js';

export const ELEVATOR_NO_MERGE = 0;
export const ELEVATOR_FRONT_MERGE = 1;
export const ELEVATOR_BACK_MERGE = 2;

export const BLKPREP_OK = 0;
export const BLKPREP_KILL = 1;
export const BLKPREP_DEFER = 2;

/** elv_hash_shift in block/elevator.c: 2^6 buckets in the back-merge hash. */
const elv_hash_shift = 6;
const ELV_HASH_ENTRIES = 1 << elv_hash_shift;

/** The I/O schedulers the model has (the elevator= boot option's names). */
export type elevator_name = 'noop' | 'deadline';

/**
 * @kernel block/deadline-iosched.c struct deadline_data (deadline_init_queue)
 * Per direction (READ, WRITE): the requests sorted by start sector (the kernel's rb-tree, here an
 * array kept in order of each request's rb_sector) and in arrival order with their expiry times
 * (fifo_list), and the request after the last dispatched one in sector order (next_rq).
 */
export class deadline_data {
  readonly sort_list: [request[], request[]] = [[], []];
  readonly fifo_list: [request[], request[]] = [[], []];
  readonly next_rq: [request | null, request | null] = [null, null];
  /** Requests dispatched in the current batch. */
  batching = 0;
  /** The sector just after the last dispatched request (the head position). */
  last_sector = 0;
  /** Times reads were preferred while writes waited. */
  starved = 0;
  /** read_expire (HZ/2) and write_expire (5*HZ), in jiffies. */
  readonly fifo_expire: [number, number];
  readonly fifo_batch = 16;
  readonly writes_starved = 2;
  readonly front_merges = 1;
  constructor(HZ: number) {
    this.fifo_expire = [Math.floor(HZ / 2), 5 * HZ];
  }
}

/** The scheduler's state plus the generic elevator's merge hash. */
export class elevator_queue {
  /** noop's FIFO of sorted (not yet dispatched) requests; empty under deadline. */
  readonly fifo: request[] = [];
  /** deadline's state, or null under noop. */
  readonly dd: deadline_data | null;
  /**
   * elv_rqhash: ELV_HASH_ENTRIES chains (hlist) of the requests in the elevator, by end sector,
   * newest first. The links live in the request (hash_next, hash_prev, hash_bucket).
   */
  readonly hash: (request | null)[] = new Array<request | null>(ELV_HASH_ENTRIES).fill(null);
  /** elv_merge's `struct request **req` out-parameter: the request a merge found. */
  merge_rq: request | null = null;
  constructor(elevator: elevator_name = 'noop', HZ = 1000) {
    this.dd = elevator === 'deadline' ? new deadline_data(HZ) : null;
  }

  /** q->nr_sorted: requests inserted into the scheduler and not yet dispatched. */
  get nr_sorted(): number {
    const dd = this.dd;
    return dd === null ? this.fifo.length : dd.fifo_list[READ].length + dd.fifo_list[WRITE].length;
  }
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

// ---- deadline's sorted list (the rb-tree of block/elevator.c's elv_rb_* helpers) ----

/** Index of the first request in `list` whose rb_sector is not below `sector`. */
function rb_lower_bound(list: readonly request[], sector: number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (list[mid]!.rb_sector < sector) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Where `rq` sits in its sorted list (found by the key it was inserted with). */
function rb_index(list: readonly request[], rq: request): number {
  const i = rb_lower_bound(list, rq.rb_sector);
  assert(list[i] === rq, 'deadline: request not in its sort list');
  return i;
}

/**
 * @kernel block/elevator.c elv_rb_add
 * Inserts `rq` by start sector, or returns the request already there with that sector (an alias)
 * and inserts nothing.
 */
function elv_rb_add(list: request[], rq: request): request | null {
  const i = rb_lower_bound(list, rq.sector);
  const at = list[i];
  if (at !== undefined && at.rb_sector === rq.sector) return at;
  rq.rb_sector = rq.sector;
  list.splice(i, 0, rq);
  return null;
}

/** @kernel block/elevator.c elv_rb_del */
function elv_rb_del(list: request[], rq: request): void {
  list.splice(rb_index(list, rq), 1);
}

/** @kernel block/elevator.c elv_rb_find — the request starting exactly at `sector`. */
function elv_rb_find(list: readonly request[], sector: number): request | null {
  const at = list[rb_lower_bound(list, sector)];
  return at !== undefined && at.rb_sector === sector ? at : null;
}

/** @kernel block/deadline-iosched.c deadline_latter_request (rb_next) */
function deadline_latter_request(dd: deadline_data, rq: request): request | null {
  const list = dd.sort_list[rq.rw]!;
  return list[rb_index(list, rq) + 1] ?? null;
}

/** @kernel block/elevator.c elv_rb_former_request (rb_prev) */
function deadline_former_request(dd: deadline_data, rq: request): request | null {
  const list = dd.sort_list[rq.rw]!;
  const i = rb_index(list, rq);
  return i > 0 ? list[i - 1]! : null;
}

/**
 * @kernel block/deadline-iosched.c deadline_add_rq_rb
 * A request with the same start sector already queued (an alias) is dispatched at once, and the
 * insertion tried again.
 */
function deadline_add_rq_rb(q: request_queue, dd: deadline_data, rq: request): void {
  for (;;) {
    const alias = elv_rb_add(dd.sort_list[rq.rw]!, rq);
    if (alias === null) return;
    deadline_move_request(q, dd, alias);
  }
}

/** @kernel block/deadline-iosched.c deadline_del_rq_rb — off the sort list; next_rq moves on past it. */
function deadline_del_rq_rb(dd: deadline_data, rq: request): void {
  const dir = rq.rw;
  if (dd.next_rq[dir] === rq) dd.next_rq[dir] = deadline_latter_request(dd, rq);
  elv_rb_del(dd.sort_list[dir]!, rq);
}

/** @kernel block/deadline-iosched.c deadline_add_request — sort list, then the FIFO with its expiry time. */
function deadline_add_request(q: request_queue, dd: deadline_data, rq: request): void {
  deadline_add_rq_rb(q, dd, rq);
  rq.fifo_time = q.k.jiffies + dd.fifo_expire[rq.rw]!;
  dd.fifo_list[rq.rw]!.push(rq);
}

/** @kernel block/deadline-iosched.c deadline_remove_request — off the FIFO (rq_fifo_clear) and the sort list. */
function deadline_remove_request(dd: deadline_data, rq: request): void {
  const fifo = dd.fifo_list[rq.rw]!;
  fifo.splice(fifo.indexOf(rq), 1);
  deadline_del_rq_rb(dd, rq);
}

/**
 * @kernel block/deadline-iosched.c deadline_merge
 * The front-merge lookup: a request of the bio's direction that starts where the bio ends.
 */
function deadline_merge(dd: deadline_data, e: elevator_queue, b: bio): number {
  if (dd.front_merges) {
    const rq = elv_rb_find(dd.sort_list[b.bi_rw & 1]!, b.bi_sector + bio_sectors(b));
    if (rq !== null && elv_rq_merge_ok(rq, b)) {
      e.merge_rq = rq;
      return ELEVATOR_FRONT_MERGE;
    }
  }
  return ELEVATOR_NO_MERGE;
}

/**
 * @kernel block/deadline-iosched.c deadline_merged_requests
 * `next` is folded into `req`: if next would expire first, req takes its place in the FIFO and
 * its expiry time; then next leaves the scheduler.
 */
function deadline_merged_requests(dd: deadline_data, req: request, next: request): void {
  const fifo = dd.fifo_list[req.rw]!;
  if (next.fifo_time < req.fifo_time) {
    // list_move(&req->queuelist, &next->queuelist): req goes right after next, which then leaves.
    fifo.splice(fifo.indexOf(req), 1);
    fifo.splice(fifo.indexOf(next) + 1, 0, req);
    req.fifo_time = next.fifo_time;
  }
  deadline_remove_request(dd, next);
}

/**
 * @kernel block/deadline-iosched.c deadline_move_request (with deadline_move_to_dispatch)
 * Dispatches `rq`: the next request in sector order becomes next_rq for its direction (the other
 * direction's is cleared), the head position moves to its end, and it goes to the dispatch list.
 */
function deadline_move_request(q: request_queue, dd: deadline_data, rq: request): void {
  const dir = rq.rw;
  dd.next_rq[READ] = null;
  dd.next_rq[WRITE] = null;
  dd.next_rq[dir] = deadline_latter_request(dd, rq);
  dd.last_sector = rq.sector + rq.nr_sectors;
  deadline_remove_request(dd, rq);
  elv_dispatch_add_tail(q, rq);
}

/** @kernel block/deadline-iosched.c deadline_check_fifo — the oldest request of `dir` has expired. */
function deadline_check_fifo(q: request_queue, dd: deadline_data, dir: number): boolean {
  return q.k.jiffies > dd.fifo_list[dir]![0]!.fifo_time;
}

/**
 * @kernel block/deadline-iosched.c deadline_dispatch_requests
 * Continues the current batch while the next request in sector order is sequential and fewer than
 * fifo_batch have gone; otherwise picks a direction (reads first, unless writes have been starved
 * writes_starved times) and starts from the oldest request if it has expired or there is no next
 * request in sector order, else from the next one. Moves one request; returns whether it did.
 */
function deadline_dispatch_requests(q: request_queue, dd: deadline_data): boolean {
  const reads = dd.fifo_list[READ].length > 0;
  const writes = dd.fifo_list[WRITE].length > 0;
  let rq = dd.next_rq[WRITE] ?? dd.next_rq[READ];
  if (rq !== null) {
    // A request that does not start at the head position ends the batch.
    if (dd.last_sector !== rq.sector) dd.batching += dd.fifo_batch;
    if (dd.batching < dd.fifo_batch) {
      dd.batching++;
      deadline_move_request(q, dd, rq);
      return true;
    }
  }
  let dir: number;
  if (reads && !(writes && dd.starved++ >= dd.writes_starved)) dir = READ;
  else if (writes) {
    dd.starved = 0;
    dir = WRITE;
  } else return false;
  const next = dd.next_rq[dir];
  rq = deadline_check_fifo(q, dd, dir) || next === null ? dd.fifo_list[dir]![0]! : next;
  dd.batching = 1;
  deadline_move_request(q, dd, rq);
  return true;
}

// ---- the generic elevator ----

/**
 * @kernel block/elevator.c elv_dispatch_add_tail
 * To the tail of the dispatch list, out of the merge hash and the one-hit cache.
 */
function elv_dispatch_add_tail(q: request_queue, rq: request): void {
  if (q.last_merge === rq) q.last_merge = null;
  rq.inElevator = false;
  elv_rqhash_del(q.elevator, rq);
  q.queue_head.push(rq);
}

/**
 * @kernel block/elevator.c elv_merge
 * First the one-hit last_merge cache (back or front merge), then the back-merge hash by sector,
 * then the scheduler's own lookup: none for noop, the front-merge search for deadline. Returns the
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
  return e.dd !== null ? deadline_merge(e.dd, e, b) : ELEVATOR_NO_MERGE;
}

/**
 * @kernel block/elevator.c elv_merged_request (with deadline_merged_request)
 * A bio went into `rq`: a back merge moved its end sector (rehash); a front merge moved its start
 * sector (deadline re-sorts it). It becomes the one-hit cache.
 */
export function elv_merged_request(q: request_queue, rq: request, type: number): void {
  const dd = q.elevator.dd;
  if (dd !== null && type === ELEVATOR_FRONT_MERGE) {
    elv_rb_del(dd.sort_list[rq.rw]!, rq);
    deadline_add_rq_rb(q, dd, rq);
  }
  if (type === ELEVATOR_BACK_MERGE) elv_rqhash_reposition(q.elevator, rq);
  q.last_merge = rq;
}

/**
 * @kernel block/elevator.c elv_merge_requests
 * `next` was folded into `rq`: next leaves the scheduler (noop's FIFO, or deadline's lists with
 * its expiry time passed on) and the hash, and rq is rehashed and becomes the one-hit cache.
 */
export function elv_merge_requests(q: request_queue, rq: request, next: request): void {
  const e = q.elevator;
  if (e.dd !== null) deadline_merged_requests(e.dd, rq, next);
  else e.fifo.splice(e.fifo.lastIndexOf(next), 1);
  elv_rqhash_reposition(e, rq);
  elv_rqhash_del(e, next);
  next.inElevator = false;
  q.last_merge = rq;
}

/**
 * @kernel block/elevator.c elv_latter_request (noop_latter_request, elv_rb_latter_request)
 * The request after `rq` in the scheduler's order: noop's FIFO, deadline's sector order.
 */
export function elv_latter_request(q: request_queue, rq: request): request | null {
  const e = q.elevator;
  if (e.dd !== null) return deadline_latter_request(e.dd, rq);
  // Sequential writes merge into the newest request, so search from the FIFO's tail.
  const i = e.fifo.lastIndexOf(rq);
  return i >= 0 ? (e.fifo[i + 1] ?? null) : null;
}

/**
 * @kernel block/elevator.c elv_former_request (noop_former_request, elv_rb_former_request)
 * The request before `rq` in the scheduler's order.
 */
export function elv_former_request(q: request_queue, rq: request): request | null {
  const e = q.elevator;
  if (e.dd !== null) return deadline_former_request(e.dd, rq);
  const i = e.fifo.lastIndexOf(rq);
  return i > 0 ? e.fifo[i - 1]! : null;
}

/** @kernel block/elevator.c elv_queue_empty — nothing on the dispatch list and nothing in the scheduler. */
export function elv_queue_empty(q: request_queue): boolean {
  return q.queue_head.length === 0 && q.elevator.nr_sorted === 0;
}

/**
 * @kernel block/elevator.c elv_insert (ELEVATOR_INSERT_SORT via __elv_add_request)
 * The request joins the merge hash and the scheduler (noop_add_request: the FIFO's tail;
 * deadline_add_request). Then, if the queue is plugged and the number of requests allocated but
 * not in flight reached unplug_thresh (4), unplug right here, in the submitting task's context.
 */
export function elv_insert_sort(q: request_queue, rq: request): void {
  rq.inElevator = true;
  elv_rqhash_add(q.elevator, rq);
  // A new request becomes the one-hit cache only if the cache is empty; it otherwise keeps the
  // request the last merge went into.
  if (rq_mergeable(rq) && q.last_merge === null) q.last_merge = rq;
  const dd = q.elevator.dd;
  if (dd !== null) deadline_add_request(q, dd, rq);
  else q.elevator.fifo.push(rq);
  if (blk_queue_plugged(q)) {
    const nrq = q.rq.count[0]! + q.rq.count[1]! - q.in_flight;
    if (nrq >= q.unplug_thresh) __generic_unplug_device(q, 'threshold');
  }
}

/**
 * @kernel block/elevator.c elv_requeue_request (elv_insert with ELEVATOR_INSERT_REQUEUE)
 * Back to the head of the dispatch list, marked REQ_SOFTBARRIER as the kernel marks it. In the
 * model only merging reads the flag, and the command the request still carries refuses merges
 * anyway; there is no dispatch sort for it to stop.
 */
export function elv_requeue_request(q: request_queue, rq: request): void {
  // The request was counted in flight when dequeued.
  q.in_flight--;
  rq.cmd_flags &= ~REQ_STARTED;
  rq.cmd_flags |= REQ_SOFTBARRIER;
  q.queue_head.unshift(rq);
}

/**
 * @kernel block/noop-iosched.c noop_dispatch
 * Move one request from the FIFO to the dispatch list. The kernel sorts it in (elv_dispatch_sort);
 * __elv_next_request only dispatches onto an empty list, so the model appends.
 */
function noop_dispatch(q: request_queue): boolean {
  const rq = q.elevator.fifo.shift();
  if (rq === undefined) return false;
  elv_dispatch_add_tail(q, rq);
  return true;
}

/** @kernel block/elevator.c __elv_next_request — head of the dispatch list, refilled by the scheduler's dispatch. */
function __elv_next_request(q: request_queue): request | null {
  if (q.queue_head.length === 0) {
    const dd = q.elevator.dd;
    if (!(dd !== null ? deadline_dispatch_requests(q, dd) : noop_dispatch(q))) return null;
  }
  return q.queue_head[0]!;
}

/**
 * @kernel block/elevator.c elv_next_request
 * Marks the head request STARTED (which also makes it unmergeable), tracing it as issued the
 * first time the driver sees it (blktrace's BLK_TA_ISSUE comes here, before the prep, so a request
 * whose prep defers shows as issued once), and runs the prep function unless it is already
 * prepared (REQ_DONTPREP). BLKPREP_DEFER returns null and leaves the request at the head of the
 * dispatch list; BLKPREP_KILL ends it with an error and goes on.
 */
export function elv_next_request(q: request_queue): request | null {
  let rq: request | null;
  while ((rq = __elv_next_request(q)) !== null) {
    if ((rq.cmd_flags & REQ_STARTED) === 0) {
      rq.cmd_flags |= REQ_STARTED;
      const k = q.k;
      if (k.trace.on[TP.block_rq_issue]) k.tp(TP.block_rq_issue, 'sda', rq.sector, rq.nr_sectors, rq_rwbs(rq), k.current.comm, rq.id);
    }
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

/**
 * The scheduler's bookkeeping, for the 'full' invariant checks (src/check/invariants.ts): under
 * deadline each direction's sort list is strictly ordered by start sector and holds exactly the
 * requests of its FIFO, whose expiry times never decrease, and next_rq is one of them. Returns what
 * is wrong, or null. Not kernel code.
 */
export function elevator_check(e: elevator_queue): string | null {
  const dd = e.dd;
  if (dd === null) return null;
  for (const dir of [READ, WRITE]) {
    const sorted = dd.sort_list[dir]!;
    const fifo = dd.fifo_list[dir]!;
    if (sorted.length !== fifo.length) return `deadline: ${sorted.length} requests sorted but ${fifo.length} in the FIFO (direction ${dir})`;
    for (let i = 0; i < sorted.length; i++) {
      const rq = sorted[i]!;
      if (rq.rb_sector !== rq.sector || rq.rw !== dir || !rq.inElevator) return `deadline: request ${rq.id} sorted at ${rq.rb_sector} starts at ${rq.sector} (direction ${rq.rw}, in elevator ${rq.inElevator})`;
      if (i > 0 && sorted[i - 1]!.rb_sector >= rq.rb_sector) return `deadline: sort list out of order at ${rq.rb_sector}`;
    }
    for (let i = 0; i < fifo.length; i++) {
      const rq = fifo[i]!;
      if (elv_rb_find(sorted, rq.sector) !== rq) return `deadline: request ${rq.id} in the FIFO but not in the sort list`;
      if (i > 0 && fifo[i - 1]!.fifo_time > rq.fifo_time) return `deadline: FIFO expiry times decrease at request ${rq.id}`;
    }
    const next = dd.next_rq[dir];
    if (next !== null && elv_rb_find(sorted, next.sector) !== next) return `deadline: next_rq ${next.id} is not queued`;
  }
  return null;
}
