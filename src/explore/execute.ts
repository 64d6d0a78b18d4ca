/**
 * One run as explore does it: runScenario (the salt is a run parameter), optionally twice for
 * the determinism self-check. Used by the worker threads and in-process (replay, shrink, tests).
 */
import { runScenario } from '../scenario/run.js';
import { releaseMachine } from '../scenario/machine.js';
import type { RunResult } from '../scenario/result.js';
import type { ExploreParams, WorkerOutput } from './types.js';

/** Runs `p` once and returns the result. */
export function runOnce(p: ExploreParams): RunResult {
  // The kernel derives the scheduler stream from p.sched_salt itself.
  const { result, machine } = runScenario(p);
  // Only the result leaves this function, so the next run may have the machine's arrays.
  releaseMachine(machine);
  return result;
}

/** Test hook: RECLAIMSIM_EXPLORE_FAULT=nondeterminism makes the second run of a check differ. */
function faultInjected(): boolean {
  return process.env['RECLAIMSIM_EXPLORE_FAULT'] === 'nondeterminism';
}

/** Runs `p` (twice if `twice`) and packages the output as a worker does. */
export function execute(p: ExploreParams, twice: boolean): WorkerOutput {
  const t0 = process.hrtime.bigint();
  const result = runOnce(p);
  const host_ns = Number(process.hrtime.bigint() - t0);
  const json = JSON.stringify(result);
  if (!twice) return { result, json, host_ns };
  const again = runOnce(p);
  let againJson = JSON.stringify(again);
  if (faultInjected()) {
    again.trace_hash = ((parseInt(again.trace_hash, 16) ^ 1) >>> 0).toString(16).padStart(8, '0');
    againJson = JSON.stringify(again);
  }
  return { result, json, host_ns, deterministic: again.trace_hash === result.trace_hash && againJson === json, second_trace_hash: again.trace_hash };
}
