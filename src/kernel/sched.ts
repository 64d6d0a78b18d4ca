/**
 * Sleeping and waking: schedule, schedule_timeout, io_schedule, io_schedule_timeout, and modelled
 * CPU time.
 *
 * Mirrors: kernel/sched.c (schedule, io_schedule, io_schedule_timeout) and kernel/timer.c
 * (schedule_timeout, process_timeout), 2.6.25. Callers set their state first (set_current_state
 * or prepare_to_wait), exactly as in the kernel; if a wake-up arrives before schedule() the task
 * is already TASK_RUNNING and schedule() returns at once, so no wake-up is lost.
 *
 * Only process context may call these (they are generators that yield). iowait accounting is kept
 * as a per-kernel counter for /proc/stat-style reports.
 */
import { Kernel, timer_list } from './kernel.js';
import { assert } from '../sim/assert.js';
import { TASK_RUNNING, TASK_UNINTERRUPTIBLE, TASK_INTERRUPTIBLE, type KGen, type Task } from './task.js';

export const MAX_SCHEDULE_TIMEOUT = Number.MAX_SAFE_INTEGER;

/** set_current_state(state). */
export function set_current_state(k: Kernel, state: number): void {
  k.current.state = state;
}

/** schedule(): gives up the CPU until woken, unless already woken (state is TASK_RUNNING). */
export function* schedule(k: Kernel): KGen {
  const t = k.current;
  assert(k.in_interrupt === 0, 'schedule() called in interrupt context');
  if (t.state === TASK_RUNNING) return;
  t.sleep_start_ns = k.now;
  t.enter('schedule');
  yield 0;
  t.leave();
}

function sleepTimerOf(k: Kernel, t: Task): timer_list {
  if (t.sleepTimer === null) {
    // process_timeout: the timer wakes the task it belongs to.
    t.sleepTimer = new timer_list(k, (pid) => {
      const task = k.taskByPid(pid)!;
      if (k.wake_up_process(task)) task.timeouts++;
    }, t.pid);
  }
  return t.sleepTimer as timer_list;
}

/**
 * schedule_timeout(timeout): sleeps at most `timeout` jiffies. Returns 0 if the timeout expired,
 * otherwise the jiffies remaining when woken.
 */
export function* schedule_timeout(k: Kernel, timeout: number): KGen<number> {
  if (timeout === MAX_SCHEDULE_TIMEOUT) {
    yield* schedule(k);
    return timeout;
  }
  assert(timeout >= 0, `schedule_timeout: negative timeout ${timeout}`);
  const t = k.current;
  const expire = timeout + k.jiffies;
  const timer = sleepTimerOf(k, t);
  k.mod_timer(timer, expire);
  yield* schedule(k);
  k.del_timer(timer);
  const left = expire - k.jiffies;
  return left < 0 ? 0 : left;
}

/** schedule_timeout_uninterruptible. */
export function* schedule_timeout_uninterruptible(k: Kernel, timeout: number): KGen<number> {
  set_current_state(k, TASK_UNINTERRUPTIBLE);
  return yield* schedule_timeout(k, timeout);
}

/** schedule_timeout_interruptible. */
export function* schedule_timeout_interruptible(k: Kernel, timeout: number): KGen<number> {
  set_current_state(k, TASK_INTERRUPTIBLE);
  return yield* schedule_timeout(k, timeout);
}

/** io_schedule_timeout(timeout): schedule_timeout with iowait accounting. */
export function* io_schedule_timeout(k: Kernel, timeout: number): KGen<number> {
  const t = k.current;
  t.enter('io_schedule_timeout');
  k.nr_iowait++;
  const ret = yield* schedule_timeout(k, timeout);
  k.nr_iowait--;
  t.leave();
  return ret;
}

/** io_schedule(): schedule with iowait accounting and no timeout. */
export function* io_schedule(k: Kernel): KGen {
  const t = k.current;
  t.enter('io_schedule');
  k.nr_iowait++;
  yield* schedule(k);
  k.nr_iowait--;
  t.leave();
}

/**
 * Spends `ns` of modelled CPU time (copying data, scanning pages): the task continues after `ns`
 * in the state it had (normally TASK_RUNNING; a task that called prepare_to_wait first still
 * sleeps in its next schedule() unless woken meanwhile). Not a kernel function; it is how the
 * model charges time for work. When nothing else could run before the time is spent, the charge
 * needs no event (Kernel.runInline) and the task goes straight on.
 */
export function* run_for_ns(k: Kernel, ns: number): KGen {
  if (run_for_ns_inline(k, ns)) return;
  yield* run_for_ns_wait(k, ns);
}

/**
 * The first half of run_for_ns, for hot callers: true when the charge is already spent (nothing
 * to charge, or Kernel.runInline took it); otherwise the caller must `yield* run_for_ns_wait`.
 * `if (!run_for_ns_inline(k, ns)) yield* run_for_ns_wait(k, ns)` is run_for_ns without making a
 * generator for the charges that need no event.
 */
export function run_for_ns_inline(k: Kernel, ns: number): boolean {
  return ns <= 0 || k.runInline(k.current, ns);
}

/** The second half of run_for_ns: arm the resume event and wait for it. */
export function* run_for_ns_wait(k: Kernel, ns: number): KGen {
  k.armRun(k.current, ns);
  yield 0;
}

/**
 * @kernel include/linux/sched.h cond_resched (an inline there; kernel/sched.c _cond_resched, __cond_resched)
 * Lets other runnable tasks of this instant run first. It yields with PREEMPT_ACTIVE, as
 * __cond_resched does, so a task that has already set TASK_UNINTERRUPTIBLE (after
 * prepare_to_wait) is not put to sleep here; it sleeps in its own schedule() later.
 * Simplified: the kernel yields only when need_resched() is set (and CONFIG_PREEMPT makes it a
 * no-op); the model has no need_resched flag and always yields, which only lets same-instant
 * tasks run in the order the scheduler's PRNG draws.
 */
export function* cond_resched(k: Kernel): KGen {
  k.current.preempt_active = true;
  yield 0;
}

/**
 * Runs a kernel path that must not sleep (an atomic caller using a function that can sleep only
 * with __GFP_WAIT) to completion and returns its result. Sleeping here is a simulator bug.
 */
export function run_nosleep<T>(gen: KGen<T>): T {
  const r = gen.next();
  assert(r.done === true, 'a non-sleeping path tried to sleep (atomic context)');
  return r.value;
}
