/**
 * The progress watchdog and run verdicts.
 *
 * Forward progress is counted by the model (pages written to swap + pages copied by the workload),
 * which also keeps the exact time of the last step. The watchdog checks every `checkIntervalNs`,
 * or four times a window when the window is shorter, and counts the window from that exact time:
 * - the workload finished: COMPLETED;
 * - no progress for `windowNs` while tasks were still being scheduled: LIVELOCK (the system is
 *   alive but stuck, like the sense_slab livelock where everyone wakes every 5 s and kblockd every
 *   unplug_delay);
 * - no progress and no task scheduled (other than the hung-task watchdog) during the window:
 *   DEADLOCK (nothing left that can wake anyone).
 * So a verdict comes at the first check at least one window after the last progress, at most one
 * interval late: a second for the usual windows, a quarter of the window for those under 4 s.
 * With `windowFromNs` the window starts there at the earliest (the live patch's instant).
 * It observes and never changes model state; at a verdict it asks the engine to stop.
 */
import type { Kernel } from '../kernel/kernel.js';
/** How a run ended. */
export type Verdict = 'COMPLETED' | 'LIVELOCK' | 'DEADLOCK' | 'LIMIT';

export interface WatchdogOptions {
  /** Progress counter (monotonic). */
  progress: () => number;
  /** The exact time of the counter's last step, ns (0 before the first). */
  lastProgressNs: () => number;
  /** Has the workload finished? */
  done: () => boolean;
  /** No-progress window that makes a livelock or deadlock verdict, ns. */
  windowNs: number;
  /** How often to check at most, ns (a quarter of the window when that is shorter). */
  checkIntervalNs: number;
  /** Tasks whose scheduling does not count as "alive" (the hung-task watchdog). */
  ignorePids: number[];
  /**
   * No LIVELOCK or DEADLOCK verdict counts time before this instant, ns: a live patch
   * (src/scenario/live_patch.ts) gets the whole window to show whether the machine recovers.
   */
  windowFromNs?: number;
}

/** How often a run's watchdog checks at most: once a simulated second. */
export const WATCHDOG_CHECK_NS = 1_000_000_000;

/** The watchdog's check interval: `checkIntervalNs`, or a quarter of a shorter window's length. */
export function watchdogIntervalNs(windowNs: number, checkIntervalNs: number): number {
  return Math.max(1, Math.min(checkIntervalNs, Math.floor(windowNs / 4)));
}

export class Watchdog {
  verdict: Verdict | null = null;
  verdictNs: number | null = null;
  private lastProgress = -1;
  /** Context switches of live tasks at the first check after the last progress. */
  private switchesAtLastProgress = 0;
  private readonly intervalNs: number;
  private readonly KIND: number;

  constructor(
    private readonly k: Kernel,
    private readonly o: WatchdogOptions,
  ) {
    // A check at most a quarter of a window after each progress step samples the switch count
    // that tells LIVELOCK from DEADLOCK, so at least three quarters of the window count for it.
    this.intervalNs = watchdogIntervalNs(o.windowNs, o.checkIntervalNs);
    this.KIND = k.sim.register('watchdog', () => this.check());
    k.sim.after(this.intervalNs, this.KIND, 0);
  }

  private liveSwitches(): number {
    let n = this.k.nr_switches;
    for (const pid of this.o.ignorePids) n -= this.k.taskByPid(pid)?.nvcsw ?? 0;
    return n;
  }

  /** Runs one check now (also used when the event queue runs dry). */
  check(final = false): void {
    if (this.verdict !== null) return;
    const k = this.k;
    if (this.o.done()) {
      this.setVerdict('COMPLETED');
      return;
    }
    const p = this.o.progress();
    if (p !== this.lastProgress) {
      this.lastProgress = p;
      this.switchesAtLastProgress = this.liveSwitches();
    }
    if (final || k.now - Math.max(this.o.lastProgressNs(), this.o.windowFromNs ?? 0) >= this.o.windowNs) {
      this.setVerdict(this.liveSwitches() > this.switchesAtLastProgress ? 'LIVELOCK' : 'DEADLOCK');
      return;
    }
    k.sim.after(this.intervalNs, this.KIND, 0);
  }

  private setVerdict(v: Verdict): void {
    this.verdict = v;
    this.verdictNs = this.k.now;
    this.k.sim.stop(v);
  }
}
