/**
 * The result of one run: what `reclaimsim run --json` prints, what sweeps store, what reports show.
 * Only src/cli prints or exits; everything else returns one of these.
 */
import type { Verdict } from '../check/watchdog.js';
export type { Verdict };

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
  /** Tasks at the verdict. */
  tasks: TaskSummary[];
  /** Hash of the trace/event log (hex), for determinism checks. */
  trace_hash: string;
}
