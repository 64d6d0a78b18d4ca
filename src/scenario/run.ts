/**
 * Runs one scenario to a verdict and returns a RunResult (never prints). The verdict comes from the
 * progress watchdog (src/check/watchdog.ts); the reason names who waits where and how often they
 * retried, built from read-only views of the model.
 */
import { Watchdog, WATCHDOG_CHECK_NS } from '../check/watchdog.js';
import { InvariantChecker, type CheckLevel } from '../check/invariants.js';
import { TASK_DEAD } from '../kernel/task.js';
import { hungTaskWorstLatencyNs, TIMESTAMP_UNIT_NS } from '../kernel/hung_task.js';
import { formatSeconds } from '../sim/time.js';
import { ALLOCSTALL, NR_ACTIVE, NR_FREE_PAGES, NR_INACTIVE, NR_SLAB_RECLAIMABLE, NR_SLAB_UNRECLAIMABLE, NR_WRITEBACK, PGSCAN_DIRECT, PGSCAN_KSWAPD, PSWPOUT } from '../mm/page_alloc.js';
import { GFP_ATOMIC } from '../include/gfp.js';
import { bootMachine, lastProgressNs, type Machine } from './machine.js';
import type { RunParams } from './params.js';
import type { RunResult, StallKind, TaskSummary, Verdict } from './result.js';
import { armTimeline, buildTimeline, gfpAtomicLine } from './timeline.js';
import { armSqueezes, collectSqueezes } from './squeezes.js';
import { armLivePatch, livePatchApplied } from './live_patch.js';
import { DEFER_NO_COMMAND, DEFER_NO_SG_TABLE } from '../scsi/scsi.js';

export interface RunOptions {
  /** Called with the machine after boot, before the run (for samplers and snapshots). */
  onBoot?: (m: Machine) => void;
  /** Invariant checking level; defaults to the scenario's checks.invariants. */
  check?: CheckLevel;
  /**
   * Polled every 4096 events; returning a reason string stops the run with verdict LIMIT (the CLI
   * uses it for the wall-clock budget and Ctrl-C: model code never reads the clock itself).
   */
  interrupt?: () => string | null;
}

/** FNV-1a 32-bit over a string, continuing from `h`. */
function fnv(str: string, h: number): number {
  for (let i = 0; i < str.length; i++) {
    h ^= str.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/**
 * A run in progress. `step` advances it by a slice of model events and says whether it has ended;
 * `stopWith` ends it from outside (the CLI's Ctrl-C and wall-clock budget, checked between
 * slices); `finish` returns the result. Slicing never changes the order of events, so a run driven
 * in slices is byte-identical to one run in a single call.
 */
export class RunHandle {
  readonly machine: Machine;
  private readonly wd: Watchdog;
  /** The run's invariant checker (its counts are for tests and benchmarks). */
  readonly checker: InvariantChecker;
  private interrupted: string | null = null;
  private stop: string | null = null;

  constructor(
    readonly params: RunParams,
    opts: RunOptions = {},
  ) {
    const p = params;
    const m = (this.machine = bootMachine(p));
    armTimeline(m);
    armSqueezes(m);
    const k = m.k;
    this.wd = new Watchdog(k, {
      progress: () => m.vm.events.swap_writes_completed + m.workload.pages_copied,
      lastProgressNs: () => lastProgressNs(m),
      done: () => m.workload.done,
      windowNs: p.watchdog_window_ns,
      checkIntervalNs: WATCHDOG_CHECK_NS,
      ignorePids: [m.watchdogTask.pid],
      ...(p.live_patch_ns !== undefined ? { windowFromNs: p.live_patch_ns } : {}),
    });
    if (p.live_patch_ns !== undefined) armLivePatch(m, p.live_patch_ns);
    opts.onBoot?.(m);
    const checker = (this.checker = new InvariantChecker(m, opts.check ?? p.invariants, p.full_interval_ns ?? 0));
    const interrupt = opts.interrupt;
    if (checker.level !== 'off' || interrupt !== undefined) {
      const sim = k.sim;
      const prev = sim.observer;
      // Inline CPU-time charges count events without popping them, so the poll goes by distance.
      // Whole-state checks take milliseconds an event: then poll after every event, or a budget or
      // Ctrl-C would wait for thousands of them.
      const pollEvery = checker.level === 'full' ? 1 : 4096;
      let polledAt = 0;
      sim.observer = (kind, arg) => {
        prev?.(kind, arg);
        checker.check();
        if (interrupt !== undefined && sim.events - polledAt >= pollEvery) {
          polledAt = sim.events;
          const why = interrupt();
          if (why !== null) this.stopWith(why);
        }
      };
    }
  }

  /** Has the run ended? */
  get done(): boolean {
    return this.stop !== null;
  }

  /** Runs up to `slice` more model events; returns true once the run has ended. */
  step(slice = Infinity): boolean {
    if (this.stop !== null) return true;
    const p = this.params;
    const sim = this.machine.k.sim;
    const target = Math.min(p.event_limit, sim.modelEvents + slice);
    const why = sim.run({ untilNs: p.time_limit_ns, maxEvents: target });
    if (this.stop !== null) return true; // stopped from outside during the slice
    if (why === 'event-limit' && sim.modelEvents < p.event_limit) return false; // end of a slice
    this.stop = why;
    return true;
  }

  /** Ends the run with verdict LIMIT, naming why (e.g. "the wall-clock budget", "SIGINT"). */
  stopWith(why: string): void {
    if (this.stop !== null) return;
    this.interrupted = why;
    this.stop = 'interrupted';
    this.machine.k.sim.stop('interrupted');
  }

  /** The result (call once the run has ended or been stopped). */
  finish(): { result: RunResult; machine: Machine } {
    const m = this.machine;
    // Whole-state checks that run once per interval also check the state the run ends in.
    if (this.checker.level === 'full' && this.checker.fullIntervalNs > 0) this.checker.checkFull();
    const wd = this.wd;
    let verdict: Verdict;
    if (this.interrupted !== null) verdict = 'LIMIT';
    else if (wd.verdict !== null) verdict = wd.verdict;
    else if (this.stop === 'empty') {
      wd.check(true);
      verdict = wd.verdict ?? 'DEADLOCK';
    } else verdict = 'LIMIT';
    return { result: summarize(m, verdict, this.interrupted ?? this.stop ?? 'stopped'), machine: m };
  }
}

/** Starts a run that the caller drives with step(). */
export function startRun(p: RunParams, opts: RunOptions = {}): RunHandle {
  return new RunHandle(p, opts);
}

/** Runs a scenario to its end in one call. */
export function runScenario(p: RunParams, opts: RunOptions = {}): { result: RunResult; machine: Machine } {
  const h = new RunHandle(p, opts);
  h.step();
  return h.finish();
}

export function taskSummaries(m: Machine): TaskSummary[] {
  return m.k.tasks
    .filter((t) => t.state !== TASK_DEAD)
    .map((t) => ({ pid: t.pid, comm: t.comm, state: t.stateLetter, chain: [...t.frames].reverse(), waitingOn: t.waitingOn, switches: t.nvcsw, timeouts: t.timeouts }));
}

/**
 * How close the run came to the line a GFP_ATOMIC order-0 request must stay above in a zone
 * (pages_min with ALLOC_HIGH and ALLOC_HARDER, plus lowmem_reserve for the request's classzone).
 * Such a request fails only when every zone of its zonelist is at or below its line, so this
 * reports the zone that stayed furthest above it: its lowest NR_FREE_PAGES minus its line is a
 * lower bound on the room the allocator always had. A positive margin means kblockd's sense
 * allocation could never have failed for want of free pages.
 */
export function atomicLineApproach(m: Machine): { zone: string; min_free: number; line: number; margin: number } {
  const pa = m.pa;
  const zl = pa.zonelist_for(GFP_ATOMIC);
  let best = { zone: '', min_free: 0, line: 0, margin: -Infinity };
  for (const zi of zl) {
    const z = pa.zones[zi]!;
    const line = gfpAtomicLine(pa, z, zl[0]!);
    const min_free = z.min_free_seen === Infinity ? z.vm_stat[NR_FREE_PAGES]! : z.min_free_seen;
    if (min_free - line > best.margin) best = { zone: z.name, min_free, line, margin: min_free - line };
  }
  return best;
}

function atomicLineText(m: Machine): string {
  const a = atomicLineApproach(m);
  return a.margin > 0
    ? `GFP_ATOMIC line never reached: ${a.zone} free pages stayed at ${a.min_free} or more against a line of ${a.line}, so atomic allocations never lacked pages`
    : `free pages reached the GFP_ATOMIC line in every zone at some point (${a.zone}: ${a.min_free} against ${a.line})`;
}

/**
 * What the hung-task detector saw, for a LIVELOCK or DEADLOCK reason. It can only report a task
 * that sat in D state for hung_task_timeout_secs of its 2^30 ns units without being scheduled, and
 * it checks about every 2.15 s, so "no report" is evidence only when the run went on for the
 * detector's worst-case latency after progress stopped; the text says which case this is and how
 * long the longest such stretch was.
 */
function hungTaskText(m: Machine, waitersTimedOut: boolean): string {
  const hung = m.hung;
  if (hung.reports.length > 0) return `${hung.reports.length} hung-task reports`;
  const timeout = hung.sysctl_hung_task_timeout_secs;
  if (timeout === 0) return 'no hung-task report: the detector is off (hung_task_timeout 0)';
  const watchedNs = m.k.now - lastProgressNs(m);
  const watched = Math.floor(watchedNs / 1e9);
  const needsNs = hungTaskWorstLatencyNs(m.k, timeout);
  const longest = `the longest any task sat in D state without being scheduled was ${hung.longest_blocked_secs} s as the detector counts (units of 2^30 ns)`;
  const against = `against its ${timeout} s timeout (about ${((timeout * TIMESTAMP_UNIT_NS) / 1e9).toFixed(1)} s)`;
  if (watchedNs < needsNs) return `no hung-task report, but the run stopped ${watched} s after progress did, short of the ${Math.ceil(needsNs / 1e9)} s the detector may need; ${longest}`;
  const why = waitersTimedOut ? ' (mempool waiters wake every 5 s, so the detector stays silent)' : '';
  return `no hung-task report in the ${watched} s after progress stopped: ${longest}, ${against}${why}`;
}

/**
 * "; live patch at 20 s, 16.98 s after the last forward progress (3.019567 s)" for a run whose live
 * patch changed the kernel: without it, a run that latched and was rescued would read like one that
 * never stopped.
 */
function livePatchText(m: Machine): string {
  const lp = livePatchApplied(m);
  if (lp === undefined || !lp.changed) return '';
  const gap = lp.at_ns - lp.last_progress_ns;
  return `; live patch (live_patch.at) at ${formatSeconds(lp.at_ns)} s, ${(gap / 1e9).toFixed(2)} s after the last forward progress before it (${formatSeconds(lp.last_progress_ns)} s)`;
}

/** Requests waiting in the queue (sorted by the elevator or at the dispatch head). */
function queuedRequests(m: Machine): number {
  return m.q.elevator.nr_sorted + m.q.queue_head.length;
}

/** Is anything waiting for the disk: pages under writeback, requests queued or in flight? */
function ioPending(m: Machine): boolean {
  return m.pa.vm_stat[NR_WRITEBACK]! > 0 || queuedRequests(m) > 0 || m.q.in_flight > 0;
}

/**
 * What stopped the run (result.ts StallKind), from the state at a LIVELOCK or DEADLOCK verdict.
 * With I/O pending: commands in flight that never complete, else the cause of the last prep DEFER
 * if it came after the last progress, else a queue nobody prepares. With none: swap full, or
 * memory that reclaim cannot free.
 */
export function stallKind(m: Machine): StallKind {
  if (ioPending(m)) {
    if (m.q.in_flight > 0) return 'device';
    const st = m.sdev.stat;
    if (st.last_defer_ns < 0 || st.last_defer_ns < lastProgressNs(m)) return 'queue';
    return st.last_defer_cause === DEFER_NO_SG_TABLE ? 'sg-table' : st.last_defer_cause === DEFER_NO_COMMAND ? 'command' : 'sense-buffer';
  }
  const si = m.vm.si;
  return si.inuse_pages >= si.pages ? 'swap-full' : 'unreclaimable';
}

function pendingReason(m: Machine, verdict: Verdict): string {
  const k = m.k;
  const parts: string[] = [];
  const since = verdict === 'LIVELOCK' || verdict === 'DEADLOCK' ? ` since ${formatSeconds(lastProgressNs(m))} s` : '';
  if (verdict === 'COMPLETED') {
    // The watchdog saw the finish at its next check, where the run stopped.
    return `workload finished at ${formatSeconds(m.workload.finished_ns ?? k.now)} s: ${m.workload.pages_copied} pages copied; ${m.pa.vm_events[PSWPOUT]!} pages written to swap by ${formatSeconds(k.now)} s; ${atomicLineText(m)}${livePatchText(m)}`;
  }
  parts.push(`no forward progress${since}`);
  const wb = m.pa.vm_stat[NR_WRITEBACK]!;
  const queued = queuedRequests(m);
  parts.push(`${wb} pages under writeback, ${m.q.in_flight} requests in flight, ${queued} queued`);
  const kb = m.sdev.stat;
  if (kb.defers > 0) {
    const unused = m.shost.stat.free_list_uses === 0 && m.shost.free_list.length === 1 ? ' while the free-list command sat unused' : '';
    const kbTasks = k.tasks.filter((t) => t.comm.startsWith('kblockd/'));
    const runs = kbTasks.map((t) => `${t.comm} ran ${t.nvcsw} times`).join(', ');
    parts.push(`prep deferred ${kb.defers} times (${kb.defers_plugged} with device_busy 0, retried by the unplug timer every ${m.q.unplug_delay} jiffies)${unused}; ${runs}`);
  }
  // Group sleeping tasks by where they wait.
  const groups = new Map<string, { n: number; timeouts: number; comms: Set<string> }>();
  for (const t of k.tasks) {
    if (t.state === TASK_DEAD || t === m.watchdogTask || t.comm.startsWith('kblockd/')) continue;
    const chain = [...t.frames].reverse();
    const where = chain.length > 0 ? chain.slice(0, 4).join(' <- ') : 'running';
    const g = groups.get(where) ?? { n: 0, timeouts: 0, comms: new Set<string>() };
    g.n++;
    g.timeouts += t.timeouts;
    g.comms.add(t.comm);
    groups.set(where, g);
  }
  for (const [where, g] of [...groups.entries()].sort((a, b) => b[1].n - a[1].n || (a[0] < b[0] ? -1 : 1))) {
    parts.push(`${g.n} task${g.n > 1 ? 's' : ''} (${[...g.comms].sort().join(', ')}) in ${where}, ${g.timeouts} timed-out sleeps`);
  }
  const bio = m.pools.bio;
  parts.push(`fs_bio_set reserve ${bio.curr_nr}/${bio.min_nr}, ${bio.waits} waits, ${bio.timeouts} ended by the 5 s timeout`);
  parts.push(`${m.pa.alloc_failure_reports} page allocation failure reports`);
  const si = m.vm.si;
  if (si.inuse_pages >= si.pages && !ioPending(m)) {
    // Not this livelock at all: memory and swap are both full. 2.6.25's __alloc_pages calls
    // out_of_memory when try_to_free_pages returns 0 (every zone all_unreclaimable, which kswapd
    // sets after scanning six times the zone's LRU); the model's OOM killer kills nothing.
    const oom = m.vm.events.reclaim_all_unreclaimable;
    const why = oom > 0 ? `direct reclaim found every zone all_unreclaimable ${oom} times, and` : 'once kswapd marks the zones all_unreclaimable';
    parts.push(`swap is full (${si.inuse_pages} of ${si.pages} slots) with no write pending, so nothing left in memory can be reclaimed: ${why} 2.6.25 would call the OOM killer here, which the model does not (its out_of_memory kills nothing and waits a jiffy)`);
  } else if (!ioPending(m)) {
    // Nothing for the disk to do and swap has room: say where the memory is, so that a reader
    // sees what reclaim cannot free (in the model, chiefly the tmpfs dentries and inodes).
    const g = m.pa.vm_stat;
    const oom = m.vm.events.reclaim_all_unreclaimable;
    parts.push(
      `nothing is under writeback or queued and swap has room (${si.inuse_pages} of ${si.pages} slots used): memory holds ${g[NR_SLAB_RECLAIMABLE]! + g[NR_SLAB_UNRECLAIMABLE]!} slab pages (${g[NR_SLAB_RECLAIMABLE]} reclaimable, the dentries tmpfs pins, and ${g[NR_SLAB_UNRECLAIMABLE]} unreclaimable), ${g[NR_ACTIVE]! + g[NR_INACTIVE]!} LRU pages and ${m.pa.nr_free_pages} free${oom > 0 ? `, and direct reclaim found every zone all_unreclaimable ${oom} times (2.6.25 would call the OOM killer, which the model does not)` : ''}`,
    );
  }
  parts.push(atomicLineText(m));
  parts.push(hungTaskText(m, bio.timeouts > 0));
  return parts.join('; ') + livePatchText(m);
}

function summarize(m: Machine, verdict: Verdict, stop: string): RunResult {
  const k = m.k;
  const p = m.params;
  let h = 0x811c9dc5;
  for (const l of k.log.lines) h = fnv(`${l.timeNs} ${l.text}\n`, h);
  h = fnv(`${k.sim.now} ${k.sim.modelEvents} ${m.workload.pages_copied} ${m.pa.vm_events[PSWPOUT]!} ${m.vm.events.swap_writes_completed}`, h);
  const limit = stop === 'event-limit' ? 'the event limit' : stop === 'time-limit' ? 'the simulated-time limit' : stop;
  const reason = verdict === 'LIMIT' ? `stopped by ${limit}; ${pendingReason(m, 'LIVELOCK')}` : pendingReason(m, verdict);
  const kmalloc128 = m.caches.bio.s;
  const stalled = verdict === 'LIVELOCK' || verdict === 'DEADLOCK';
  const stall = stalled ? stallKind(m) : null;
  const time_to_livelock_ns = stalled ? lastProgressNs(m) : null;
  const time_to_finish_ns = verdict === 'COMPLETED' ? m.workload.finished_ns : null;
  const squeezes = collectSqueezes(m);
  return {
    verdict,
    reason,
    stall,
    seed: p.seed,
    profile: p.profile,
    variants: [...p.variants],
    scenario: p.name,
    sim_time_ns: k.now,
    events: k.sim.modelEvents,
    writeback_pages_stuck: stalled ? m.pa.vm_stat[NR_WRITEBACK]! : 0,
    writeback_pages_at_end: m.pa.vm_stat[NR_WRITEBACK]!,
    alloc_failure_reports: m.pa.alloc_failure_reports,
    free_list_uses: m.shost.stat.free_list_uses,
    time_to_livelock_ns,
    time_to_finish_ns,
    bytes_per_command: m.bytes_per_command,
    pswpout: m.pa.vm_events[PSWPOUT]!,
    pages_copied: m.workload.pages_copied,
    hung_task_reports: m.hung.reports.length,
    figures: {
      alloc_failures: m.pa.alloc_failures,
      prep_defers: m.sdev.stat.defers,
      prep_defers_plugged: m.sdev.stat.defers_plugged,
      max_device_busy: m.sdev.stat.max_device_busy,
      dispatched: m.sdev.stat.dispatched,
      dispatched_from_free_list: m.sdev.stat.dispatched_one_at_a_time,
      max_device_busy_free_list: m.sdev.stat.max_device_busy_free_list,
      sense_failures: m.shost.stat.sense_failures,
      swap_writes_completed: m.vm.events.swap_writes_completed,
      bio_pool_waits: m.pools.bio.waits,
      bio_pool_timeouts: m.pools.bio.timeouts,
      bio_reserve_uses: m.pools.bio.reserve_uses,
      requests: m.q.stat.requests,
      back_merges: m.q.stat.merges_back,
      unplug_timer: m.q.stat.unplug_timer,
      unplug_thresh: m.q.stat.unplug_thresh,
      kmalloc128_objects: kmalloc128.objects_in_use,
      free_pages: m.pa.nr_free_pages,
      allocstall: m.pa.vm_events[ALLOCSTALL]!,
      pgscan_direct: m.pa.zone_events_total(PGSCAN_DIRECT),
      pgscan_kswapd: m.pa.zone_events_total(PGSCAN_KSWAPD),
      disk_commands: m.disk.stat.commands,
      atomic_line_margin_pages: atomicLineApproach(m).margin,
      hung_task_longest_blocked_s: m.hung.longest_blocked_secs,
      squeezes: squeezes.count,
      squeezes_ended: squeezes.ended,
      squeezed_ns: squeezes.total_ns,
    },
    squeezes: squeezes.list,
    timeline: buildTimeline(m, { verdict, stall, sim_time_ns: k.now, time_to_livelock_ns, time_to_finish_ns }),
    tasks: taskSummaries(m),
    trace_hash: h.toString(16).padStart(8, '0'),
  };
}
