/**
 * The hung-task detector: a `watchdog/0` thread that reports any task in TASK_UNINTERRUPTIBLE
 * whose context-switch count has not changed for hung_task_timeout_secs.
 *
 * Mirrors: kernel/softlockup.c (get_timestamp, softlockup_tick's wake-up of the watchdog thread,
 * watchdog, check_hung_uninterruptible_tasks, check_hung_task), 2.6.25.
 *
 * Time is counted as get_timestamp counts it: cpu_clock shifted right by 30, units of 2^30 ns
 * (about 1.074 s) that the kernel calls seconds. So the 120 "seconds" of hung_task_timeout_secs
 * are about 128.8 s. The thread does not sleep for a fixed second: softlockup_tick, on every
 * timer tick, wakes it once the current unit is more than one past the unit it last ran in, so it
 * runs about every 2.15 s. A task stuck in D state is therefore stamped at the first check after
 * it blocked and reported at the first check 120 units after that: between about 128.8 and
 * 131 s after it blocked. The switch count is nvcsw + nivcsw; a task that sleeps in
 * io_schedule_timeout(5*HZ) is scheduled every 5 s and so is never reported, which is why the
 * sense_slab livelock stays silent here. sysctl_hung_task_warnings is an unsigned long in 2.6.25,
 * so its "below zero" test never holds and the number of reports is not limited.
 *
 * Simplified: softlockup_tick's soft-lockup warning is not modelled (no CPU is ever stuck in the
 * model), and the thread's wake-up is computed as the tick at which softlockup_tick would wake it
 * instead of being checked on every tick. The check runs on CPU 0 (check_cpu).
 *
 * Assumed: an idle routine that does not touch the soft-lockup timestamp (mwait_idle, or polling).
 * x86_64's default_idle (HLT) and ACPI's C2/C3 call sched_clock_idle_wakeup_event after every
 * halt, which touches it; so does show_mem (touch_nmi_watchdog). On such a machine softlockup_tick
 * wakes the thread only when CPU 0 has not come out of idle for more than a whole unit, and in
 * the sense_slab livelock kblockd/0 wakes CPU 0 every 3 jiffies: 2.6.25's check would then not
 * even run, and the detector would stay silent for that reason too.
 */
import type { Kernel } from './kernel.js';
import { TASK_UNINTERRUPTIBLE, type KGen, type Task } from './task.js';
import { schedule_timeout_interruptible } from './sched.js';
import { jiffiesToNs, nsToJiffies } from '../sim/time.js';

/** One unit of get_timestamp: 2^30 ns. */
export const TIMESTAMP_UNIT_NS = 2 ** 30;

export interface HungTaskState {
  sysctl_hung_task_timeout_secs: number;
  /** Counts down with each report; unsigned in 2.6.25, so it never stops the reports. */
  sysctl_hung_task_warnings: number;
  sysctl_hung_task_check_count: number;
  /** Reports printed (tasks), for verdicts. */
  reports: { pid: number; comm: string; timeNs: number }[];
  /**
   * The longest time, in get_timestamp's units (2^30 ns, the kernel's "seconds"), that any task
   * the detector checked had sat in TASK_UNINTERRUPTIBLE without being scheduled. Not a kernel
   * field: it lets a verdict say how far from the timeout the waiters stayed.
   */
  longest_blocked_secs: number;
}

export function newHungTaskState(): HungTaskState {
  return { sysctl_hung_task_timeout_secs: 120, sysctl_hung_task_warnings: 10, sysctl_hung_task_check_count: 1024, reports: [], longest_blocked_secs: 0 };
}

/** @kernel kernel/softlockup.c get_timestamp — cpu_clock >> 30: units of 2^30 ns since boot. */
export function get_timestamp(k: Kernel): number {
  return Math.floor(k.now / TIMESTAMP_UNIT_NS);
}

/**
 * The longest the detector can take to report a task that stays in D state unscheduled, ns. Its
 * checks come at the first tick of every second unit. A task that blocks just after one check is
 * stamped at the next, two units later, and reported at the check `timeout` units after that:
 * timeout + 2 units, and a tick for the rounding. A run that watches a stall for less than this
 * cannot tell a silent detector from a slow one.
 */
export function hungTaskWorstLatencyNs(k: Kernel, timeout_secs: number): number {
  return (timeout_secs + 2) * TIMESTAMP_UNIT_NS + jiffiesToNs(1, k.HZ);
}

/** @kernel kernel/softlockup.c check_hung_task — `now` in get_timestamp's units. */
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
  // The kernel's "warnings < 0" test is on an unsigned long: it never holds.
  st.sysctl_hung_task_warnings--;
  k.printk(`INFO: task ${t.comm}:${t.pid} blocked for more than ${st.sysctl_hung_task_timeout_secs} seconds.`);
  k.printk('"echo 0 > /proc/sys/kernel/hung_task_timeout_secs" disables this message.');
  k.printk(show(t));
  st.reports.push({ pid: t.pid, comm: t.comm, timeNs: k.now });
  t.last_switch_timestamp = now;
}

/** @kernel kernel/softlockup.c check_hung_uninterruptible_tasks */
export function check_hung_uninterruptible_tasks(k: Kernel, st: HungTaskState, show: (t: Task) => string): void {
  let max_count = st.sysctl_hung_task_check_count;
  const now = get_timestamp(k);
  for (const t of k.tasks) {
    if (!--max_count) return;
    if (t.state & TASK_UNINTERRUPTIBLE) check_hung_task(k, st, t, now, show);
  }
}

/**
 * @kernel kernel/softlockup.c watchdog (with softlockup_tick's wake-up)
 * Touch the timestamp, sleep until the first tick whose unit is two past it (when softlockup_tick
 * would wake the thread), then check for hung tasks.
 */
export function* watchdog(k: Kernel, st: HungTaskState, show: (t: Task) => string): KGen {
  k.current.enter('watchdog');
  for (;;) {
    const touch_timestamp = get_timestamp(k);
    // The first tick at or after the start of unit touch + 2.
    const wake = nsToJiffies((touch_timestamp + 2) * TIMESTAMP_UNIT_NS - 1, k.HZ) + 1;
    yield* schedule_timeout_interruptible(k, wake - k.jiffies);
    if (st.sysctl_hung_task_timeout_secs) check_hung_uninterruptible_tasks(k, st, show);
  }
}
