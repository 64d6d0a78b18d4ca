/**
 * One run as explore does it: runScenario with the scheduling salt applied, optionally twice for
 * the determinism self-check. Used by the worker threads and in-process (replay, shrink, tests).
 */
import { runScenario } from '../scenario/run.js';
import type { RunResult } from '../scenario/result.js';
import type { Prng } from '../sim/prng.js';
import type { ExploreParams, WorkerOutput } from './types.js';

/**
 * Applies `sched_salt` until src/kernel derives the scheduler stream from it itself: replaces the
 * kernel's `sched` stream with `sched/<salt>` after boot, before the first event. Once the kernel
 * does this (docs/exploring.md, "sched_salt"), the stream's path is already `sched/<salt>` and this
 * does nothing, so stored trace hashes stay valid across that change.
 */
function applySalt(k: { prng: Prng; schedRng: Prng }, salt: number | undefined): void {
  if (salt === undefined || salt === 0) return;
  if (k.schedRng.path !== 'sched') return;
  (k as { schedRng: Prng }).schedRng = k.prng.derive(`sched/${salt}`);
}

/** Runs `p` once and returns the result. */
export function runOnce(p: ExploreParams): RunResult {
  const { sched_salt, ...params } = p;
  return runScenario(params, { onBoot: (m) => applySalt(m.k, sched_salt) }).result;
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
    again.trace_hash = (parseInt(again.trace_hash, 16) ^ 1).toString(16).padStart(8, '0');
    againJson = JSON.stringify(again);
  }
  return { result, json, host_ns, deterministic: again.trace_hash === result.trace_hash && againJson === json, second_trace_hash: again.trace_hash };
}
