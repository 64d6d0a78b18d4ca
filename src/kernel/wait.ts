/**
 * Wait queues: prepare_to_wait / prepare_to_wait_exclusive / finish_wait / wake_up.
 *
 * Mirrors: kernel/wait.c and kernel/sched.c (__wake_up_common), 2.6.25. Entries are the
 * DEFINE_WAIT kind, woken by autoremove_wake_function: a successful wake removes the entry.
 * Non-exclusive waiters are added at the head, exclusive ones at the tail, so a wake_up wakes
 * every non-exclusive waiter and then at most nr_exclusive exclusive ones.
 *
 * The queue is an intrusive doubly linked list through the entries, as list_head is in the
 * kernel: adding at either end and removing are O(1) and allocate nothing (an array with
 * unshift/splice made prepare_to_wait the hottest function of a wait-queue ping-pong).
 */
import type { Kernel } from './kernel.js';
import { TASK_NORMAL, TASK_RUNNING, type Task } from './task.js';

export const WQ_FLAG_EXCLUSIVE = 0x01;

/**
 * A wait-queue entry (wait_queue_t), as DEFINE_WAIT puts one on the stack of a wait loop. A task
 * keeps its entries and binds one to a queue from prepare_to_wait until finish_wait, so a wait
 * loop nested in another (get_request_wait's, around mempool_alloc's) has an entry of its own.
 */
export interface WaitEntry {
  task: Task;
  flags: number;
  queued: boolean;
  /** The queue whose wait loop owns this entry (prepare_to_wait to finish_wait), or null. */
  bound: wait_queue_head_t | null;
  /** The queue this entry is on, or null. */
  head: wait_queue_head_t | null;
  prev: WaitEntry | null;
  next: WaitEntry | null;
}

export class wait_queue_head_t {
  /** First and last entries (task_list), null when empty. */
  first: WaitEntry | null = null;
  last: WaitEntry | null = null;
  private count = 0;
  /** Total wake_up calls and tasks woken, for reports. */
  wakeups = 0;
  constructor(readonly name: string) {}

  get waiters(): number {
    return this.count;
  }

  /** The entries in queue order (a snapshot, for reports and tests). */
  get list(): WaitEntry[] {
    const out: WaitEntry[] = [];
    for (let w = this.first; w !== null; w = w.next) out.push(w);
    return out;
  }

  /** __add_wait_queue: at the head. */
  addHead(w: WaitEntry): void {
    w.head = this;
    w.queued = true;
    w.prev = null;
    w.next = this.first;
    if (this.first !== null) this.first.prev = w;
    else this.last = w;
    this.first = w;
    this.count++;
  }

  /** __add_wait_queue_tail. */
  addTail(w: WaitEntry): void {
    w.head = this;
    w.queued = true;
    w.next = null;
    w.prev = this.last;
    if (this.last !== null) this.last.next = w;
    else this.first = w;
    this.last = w;
    this.count++;
  }

  /** list_del_init on an entry of this queue. */
  remove(w: WaitEntry): void {
    if (w.prev !== null) w.prev.next = w.next;
    else this.first = w.next;
    if (w.next !== null) w.next.prev = w.prev;
    else this.last = w.prev;
    w.prev = w.next = null;
    w.head = null;
    w.queued = false;
    this.count--;
  }
}

/** A new, unbound wait-queue entry for `t`. */
export function newWaitEntry(t: Task): WaitEntry {
  return { task: t, flags: 0, queued: false, bound: null, head: null, prev: null, next: null };
}

/**
 * The entry of current's wait loop on `q`: the one already bound to q (a loop calls
 * prepare_to_wait again each round with the same DEFINE_WAIT), else a free one, else a new one.
 */
function entryFor(t: Task, q: wait_queue_head_t): WaitEntry {
  let free: WaitEntry | null = null;
  for (const w of t.waits) {
    if (w.bound === q) return w;
    if (free === null && w.bound === null) free = w;
  }
  if (free === null) {
    free = newWaitEntry(t);
    t.waits.push(free);
  }
  free.bound = q;
  return free;
}

/** @kernel kernel/wait.c prepare_to_wait — queue current (non-exclusive) if not queued, then set its state. */
export function prepare_to_wait(k: Kernel, q: wait_queue_head_t, state: number): void {
  const t = k.current;
  const w = entryFor(t, q);
  w.flags &= ~WQ_FLAG_EXCLUSIVE;
  if (!w.queued) q.addHead(w);
  t.state = state;
  t.waitingOn = q.name;
}

/** @kernel kernel/wait.c prepare_to_wait_exclusive — queue current at the tail as an exclusive waiter, then set state. */
export function prepare_to_wait_exclusive(k: Kernel, q: wait_queue_head_t, state: number): void {
  const t = k.current;
  const w = entryFor(t, q);
  w.flags |= WQ_FLAG_EXCLUSIVE;
  if (!w.queued) q.addTail(w);
  t.state = state;
  t.waitingOn = q.name;
}

/** @kernel kernel/wait.c finish_wait — back to TASK_RUNNING, and the loop's entry off the queue if still on it. */
export function finish_wait(k: Kernel, q: wait_queue_head_t): void {
  const t = k.current;
  t.state = TASK_RUNNING;
  t.waitingOn = '';
  for (const w of t.waits) {
    if (w.bound !== q) continue;
    // list_del_init needs no queue: the entry knows its neighbours (and here its head).
    if (w.head !== null) w.head.remove(w);
    w.bound = null;
    return;
  }
}

/**
 * __wake_up(q, mode, nr_exclusive): wakes every non-exclusive waiter and up to nr_exclusive
 * exclusive waiters (0 means all). Returns the number of tasks woken.
 */
export function __wake_up(k: Kernel, q: wait_queue_head_t, mode: number, nr_exclusive: number): number {
  q.wakeups++;
  let woken = 0;
  // list_for_each_entry_safe: the next entry is read before the current one may be removed.
  for (let w = q.first, next: WaitEntry | null; w !== null; w = next) {
    next = w.next;
    const exclusive = (w.flags & WQ_FLAG_EXCLUSIVE) !== 0;
    // autoremove_wake_function: a successful wake removes the entry. A task that had not gone to
    // sleep yet is made runnable without success: it keeps its entry and uses up no exclusive wake.
    if (k.wake_up_process(w.task, mode)) {
      q.remove(w);
      woken++;
      if (exclusive && --nr_exclusive === 0) break;
    }
  }
  return woken;
}

/** wake_up(q): all non-exclusive waiters and one exclusive waiter. */
export function wake_up(k: Kernel, q: wait_queue_head_t): number {
  return __wake_up(k, q, TASK_NORMAL, 1);
}

/** wake_up_all(q). */
export function wake_up_all(k: Kernel, q: wait_queue_head_t): number {
  return __wake_up(k, q, TASK_NORMAL, 0);
}

/** waitqueue_active(q). */
export function waitqueue_active(q: wait_queue_head_t): boolean {
  return q.first !== null;
}
