/**
 * The golden summary of a run: the figures a bundled scenario's expected file pins. Changing the
 * model changes them; scripts/update-scenario-goldens.mjs rewrites the files, and the diff is
 * reviewed like code.
 */
import type { RunResult } from './result.js';

export interface GoldenSummary {
  scenario: string;
  seed: number;
  profile: string;
  variants: string[];
  verdict: string;
  sim_time_ns: number;
  events: number;
  pages_copied: number;
  pswpout: number;
  writeback_pages_stuck: number;
  writeback_pages_at_end: number;
  alloc_failure_reports: number;
  free_list_uses: number;
  bytes_per_command: number;
  hung_task_reports: number;
  trace_hash: string;
}

export function goldenSummary(r: RunResult): GoldenSummary {
  return {
    scenario: r.scenario,
    seed: r.seed,
    profile: r.profile,
    variants: r.variants,
    verdict: r.verdict,
    sim_time_ns: r.sim_time_ns,
    events: r.events,
    pages_copied: r.pages_copied,
    pswpout: r.pswpout,
    writeback_pages_stuck: r.writeback_pages_stuck,
    writeback_pages_at_end: r.writeback_pages_at_end,
    alloc_failure_reports: r.alloc_failure_reports,
    free_list_uses: r.free_list_uses,
    bytes_per_command: r.bytes_per_command,
    hung_task_reports: r.hung_task_reports,
    trace_hash: r.trace_hash,
  };
}
