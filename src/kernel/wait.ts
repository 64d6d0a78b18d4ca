/**
 * Wait queues: prepare_to_wait / prepare_to_wait_exclusive / finish_wait / wake_up.
 *
 * Mirrors: kernel/wait.c and kernel/sched.c (__wake_up_common), 2.6.25. Entries are the
 * DEFINE_WAIT kind, woken by autoremove_wake_function: a successful wake removes the entry.
 * Non-exclusive waiters are added at the head, exclusive ones at the tail, so a wake_up wakes
 * every non-exclusive waiter and then at most nr_exclusive exclusive ones.
 */
import type { Kernel } from './kernel.js';
import { TASK_NORMAL, TASK_RUNNING } from './task.js';

export const WQ_FLAG_EXCLUSIVE = 0x01;

type WaitEntry = { task: import('./task.js').Task; flags: number; queued: boolean };

export class wait_queue_head_t {
  readonly list: WaitEntry[] = [];
  /** Total wake_up calls and tasks woken, for reports. */
  wakeups = 0;
  constructor(readonly name: string) {}

  get waiters(): number {
    return this.list.length;
  }
}

function remove(q: wait_queue_head_t, w: WaitEntry): void {
  const i = q.list.indexOf(w);
  if (i >= 0) q.list.splice(i, 1);
  w.queued = false;
}

/** prepare_to_wait: queue current (non-exclusive) if not queued, then set its state. */
export function prepare_to_wait(k: Kernel, q: wait_queue_head_t, state: number): void {
  const t = k.current;
  const w = t.wait;
  w.flags &= ~WQ_FLAG_EXCLUSIVE;
  if (!w.queued) {
    q.list.unshift(w);
    w.queued = true;
  }
  t.state = state;
  t.waitingOn = q.name;
}

/** prepare_to_wait_exclusive: queue current at the tail as an exclusive waiter, then set state. */
export function prepare_to_wait_exclusive(k: Kernel, q: wait_queue_head_t, state: number): void {
  const t = k.current;
  const w = t.wait;
  w.flags |= WQ_FLAG_EXCLUSIVE;
  if (!w.queued) {
    q.list.push(w);
    w.queued = true;
  }
  t.state = state;
  t.waitingOn = q.name;
}

/** finish_wait: back to TASK_RUNNING and off the queue if still on it. */
export function finish_wait(k: Kernel, q: wait_queue_head_t): void {
  const t = k.current;
  t.state = TASK_RUNNING;
  t.waitingOn = '';
  if (t.wait.queued) remove(q, t.wait);
}

/**
 * __wake_up(q, mode, nr_exclusive): wakes every non-exclusive waiter and up to nr_exclusive
 * exclusive waiters (0 means all). Returns the number of tasks woken.
 */
export function __wake_up(k: Kernel, q: wait_queue_head_t, mode: number, nr_exclusive: number): number {
  q.wakeups++;
  let woken = 0;
  let i = 0;
  while (i < q.list.length) {
    const w = q.list[i]!;
    const exclusive = (w.flags & WQ_FLAG_EXCLUSIVE) !== 0;
    if (k.wake_up_process(w.task, mode)) {
      // autoremove_wake_function: a successful wake removes the entry.
      q.list.splice(i, 1);
      w.queued = false;
      woken++;
      if (exclusive && --nr_exclusive === 0) break;
    } else {
      i++;
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
  return q.list.length > 0;
}
