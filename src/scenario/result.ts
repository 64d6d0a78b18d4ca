/**
 * The result of one run: what `reclaimsim run --json` prints, what sweeps store, what reports show.
 * Only src/cli prints or exits; everything else returns one of these.
 */
import type { Verdict } from '../check/watchdog.js';
export type { Verdict };
import type { TimelineEntry } from './timeline.js';
export type { TimelineEntry };
import type { Squeeze } from './squeezes.js';
export type { Squeeze };

/**
 * What stopped a LIVELOCK or DEADLOCK run, read off the machine at the verdict. Two runs with the
 * same verdict can have stopped for unrelated reasons (the patch's latch, or memory that nothing
 * can free); `reclaimsim shrink` keeps the kind as well as the verdict, so that a smaller scenario
 * still shows the same finding.
 */
export type StallKind = 'sense-buffer' | 'command' | 'sg-table' | 'device' | 'queue' | 'swap-full' | 'unreclaimable';

/** One line per kind, for the CLI and the docs (docs/outputs.md has the same table). */
export const STALL_TEXT: Readonly<Record<StallKind, string>> = {
  'sense-buffer': 'writes wait in the queue, and every prep since progress stopped failed to allocate a sense buffer (the patch\'s livelock)',
  command: 'writes wait in the queue, and every prep since progress stopped failed to allocate a command',
  'sg-table': 'writes wait in the queue, and the last prep failed to get a scatterlist from the sgpool mempool',
  device: 'commands sit in flight on the device and never complete',
  queue: 'writes wait in the queue, and nothing has tried to prepare them since progress stopped',
  'swap-full': 'nothing waits for the disk: memory and swap are full (2.6.25 would call the OOM killer)',
  unreclaimable: 'nothing waits for the disk and swap has room: reclaim finds nothing in memory it can write or free',
};

export const STALL_KINDS = Object.keys(STALL_TEXT) as readonly StallKind[];

/** Stalled runs counted by stall kind, in order of first appearance (runs without one are left out). */
export function countStalls(runs: readonly { stall: StallKind | null }[]): Record<string, number> {
  const acc: Record<string, number> = {};
  for (const r of runs) if (r.stall) acc[r.stall] = (acc[r.stall] ?? 0) + 1;
  return acc;
}

/** A table cell for countStalls: one kind alone by name, several each with its count, none '-'. */
export function formatStalls(st: Readonly<Record<string, number>>): string {
  const kinds = Object.entries(st);
  return kinds.length === 0 ? '-' : kinds.length === 1 ? kinds[0]![0] : kinds.map(([k, n]) => `${k} ${n}`).join(', ');
}

/** "LIVELOCK (sense-buffer)", or the bare verdict when there is no stall kind. */
export function verdictLabel(verdict: Verdict, stall: StallKind | null | undefined): string {
  return stall ? `${verdict} (${stall})` : verdict;
}

export interface TaskSummary {
  pid: number;
  comm: string;
  /** R, D, S, X */
  state: string;
  /** Call chain, innermost first, e.g. ["io_schedule_timeout", "mempool_alloc", "bio_alloc", ...]. */
  chain: string[];
  /** Wait queue or lock the task sleeps on, if any. */
  waitingOn: string;
  /** Times scheduled in (nvcsw). */
  switches: number;
  /** Sleeps that ended by timeout. */
  timeouts: number;
}

export interface RunResult {
  verdict: Verdict;
  /** One sentence (or a few) naming who waits where, and how often they retried. */
  reason: string;
  /** What stopped a LIVELOCK or DEADLOCK run (STALL_TEXT); null for COMPLETED and LIMIT. */
  stall: StallKind | null;
  seed: number;
  profile: string;
  variants: string[];
  scenario: string;
  sim_time_ns: number;
  events: number;
  /**
   * Pages stuck under writeback: those with PG_writeback set when a LIVELOCK or DEADLOCK verdict
   * was given; 0 for COMPLETED and LIMIT runs, whose writes were still moving.
   */
  writeback_pages_stuck: number;
  /** Pages with PG_writeback set when the run ended, whatever the verdict. */
  writeback_pages_at_end: number;
  /** "page allocation failure" reports printed. */
  alloc_failure_reports: number;
  /** Times __scsi_get_command took the host's free-list command. */
  free_list_uses: number;
  /** Simulated time at which the watchdog declared livelock/deadlock (ns), or null. */
  time_to_livelock_ns: number | null;
  /** Simulated time at which the workload finished (ns), or null. */
  time_to_finish_ns: number | null;
  /** Memory per SCSI command (cmd + sense buffer slots), bytes. */
  bytes_per_command: number;
  /** Pages written to swap (pswpout). */
  pswpout: number;
  /** Pages the workload copied. */
  pages_copied: number;
  /** Hung-task reports printed. */
  hung_task_reports: number;
  /** Further named figures (counters, maxima) for reports and sweeps. */
  figures: Record<string, number>;
  /** The first time each step of the swap-out story happened, in time order (src/scenario/timeline.ts). */
  timeline: TimelineEntry[];
  /**
   * Every stretch with free memory at or below the GFP_ATOMIC line in every zone an atomic
   * allocation may use, with what the host did meanwhile (src/scenario/squeezes.ts; the first
   * MAX_SQUEEZES in full, figures.squeezes counts them all). The last has end_ns null if the run
   * ended inside it.
   */
  squeezes: Squeeze[];
  /** Tasks at the verdict. */
  tasks: TaskSummary[];
  /** Hash of the trace/event log (hex), for determinism checks. */
  trace_hash: string;
}
