/**
 * The hung-task detector: a `watchdog/0` thread that wakes once a second and reports any task in
 * TASK_UNINTERRUPTIBLE whose context-switch count has not changed for hung_task_timeout_secs.
 *
 * Mirrors: kernel/softlockup.c (watchdog, check_hung_uninterruptible_tasks, check_hung_task),
 * 2.6.25: timeout 120 s, at most 10 warnings, the check walks at most 1024 tasks. The switch count
 * is nvcsw + nivcsw; a task that sleeps in io_schedule_timeout(5*HZ) is scheduled every 5 s and so
 * is never reported, which is why the sense_slab livelock stays silent here.
 *
 * Simplified: the thread is driven by its own one-second sleep rather than by softlockup_tick.
 */
import type { Kernel } from './kernel.js';
import { TASK_UNINTERRUPTIBLE, type KGen, type Task } from './task.js';
import { schedule_timeout_interruptible } from './sched.js';
import { NSEC_PER_SEC } from '../sim/time.js';

export interface HungTaskState {
  sysctl_hung_task_timeout_secs: number;
  sysctl_hung_task_warnings: number;
  sysctl_hung_task_check_count: number;
  /** Reports printed (tasks), for verdicts. */
  reports: { pid: number; comm: string; timeNs: number }[];
  /**
   * The longest time (seconds, as the detector measures it) that any task it checked had sat in
   * TASK_UNINTERRUPTIBLE without being scheduled. Not a kernel field: it lets a verdict say how
   * far from the timeout the waiters stayed.
   */
  longest_blocked_secs: number;
}

export function newHungTaskState(): HungTaskState {
  return { sysctl_hung_task_timeout_secs: 120, sysctl_hung_task_warnings: 10, sysctl_hung_task_check_count: 1024, reports: [], longest_blocked_secs: 0 };
}

/** check_hung_task(t, now): `now` is in seconds, as get_timestamp returns it. */
function check_hung_task(k: Kernel, st: HungTaskState, t: Task, now: number, show: (t: Task) => string): void {
  const switch_count = t.nvcsw + t.nivcsw;
  if (switch_count !== t.last_switch_count || !t.last_switch_timestamp) {
    t.last_switch_count = switch_count;
    t.last_switch_timestamp = now;
    return;
  }
  const blocked = now - t.last_switch_timestamp;
  if (blocked > st.longest_blocked_secs) st.longest_blocked_secs = blocked;
  if (blocked < st.sysctl_hung_task_timeout_secs) return;
  if (st.sysctl_hung_task_warnings < 0) return;
  st.sysctl_hung_task_warnings--;
  k.printk(`INFO: task ${t.comm}:${t.pid} blocked for more than ${st.sysctl_hung_task_timeout_secs} seconds.`);
  k.printk('"echo 0 > /proc/sys/kernel/hung_task_timeout_secs" disables this message.');
  k.printk(show(t));
  st.reports.push({ pid: t.pid, comm: t.comm, timeNs: k.now });
  t.last_switch_timestamp = now;
}

/** check_hung_uninterruptible_tasks. */
export function check_hung_uninterruptible_tasks(k: Kernel, st: HungTaskState, show: (t: Task) => string): void {
  let max_count = st.sysctl_hung_task_check_count;
  // get_timestamp: seconds since boot (cpu_clock >> 30 in the kernel; plain seconds here).
  const now = Math.floor(k.now / NSEC_PER_SEC);
  for (const t of k.tasks) {
    if (!--max_count) return;
    if (t.state & TASK_UNINTERRUPTIBLE) check_hung_task(k, st, t, now, show);
  }
}

/** The watchdog/0 thread body. */
export function* watchdog(k: Kernel, st: HungTaskState, show: (t: Task) => string): KGen {
  k.current.enter('watchdog');
  for (;;) {
    yield* schedule_timeout_interruptible(k, k.HZ);
    if (st.sysctl_hung_task_timeout_secs) check_hung_uninterruptible_tasks(k, st, show);
  }
}
