/**
 * One run as explore does it: runScenario (the salt is a run parameter), optionally twice for
 * the determinism self-check. Used by the worker threads and in-process (replay, shrink, tests).
 *
 * A run the simulator cannot finish (a broken invariant, a simulator assertion, any other
 * exception) comes back from `execute` as a failure, as plain data, so that a sweep records it,
 * says how to rerun it and goes on with the other runs; `failureError` turns it back into the
 * error the CLI reports with the matching exit code.
 */
import { runScenario } from '../scenario/run.js';
import { releaseMachine, type Machine } from '../scenario/machine.js';
import type { RunResult } from '../scenario/result.js';
import { InvariantViolation } from '../check/invariants.js';
import { SimulatorError } from '../sim/assert.js';
import { oneLine } from '../scenario/errors.js';
import type { ExploreParams, RunFailure, WorkerReply } from './types.js';

/** Runs `p` once and returns the result. */
export function runOnce(p: ExploreParams): RunResult {
  // The kernel derives the scheduler stream from p.sched_salt itself.
  const onBoot = bootFault(p.seed);
  const { result, machine } = runScenario(p, onBoot === null ? {} : { onBoot });
  // Only the result leaves this function, so the next run may have the machine's arrays.
  releaseMachine(machine);
  return result;
}

/** Test hook: RECLAIMSIM_EXPLORE_FAULT=nondeterminism makes the second run of a check differ. */
function faultInjected(): boolean {
  return process.env['RECLAIMSIM_EXPLORE_FAULT'] === 'nondeterminism';
}

/**
 * Test hook: RECLAIMSIM_EXPLORE_FAULT=invariant:<seed> breaks the bio accounting of that seed's
 * machine at boot (the first check reports `bio-lifetime`); crash:<seed> throws a plain error there.
 */
function bootFault(seed: number): ((m: Machine) => void) | null {
  const f = process.env['RECLAIMSIM_EXPLORE_FAULT'];
  if (f === undefined || f === 'nondeterminism') return null;
  const [kind, s] = f.split(':');
  if (Number(s) !== seed) return null;
  if (kind === 'invariant') return (m) => void (m.fs_bio_set.freed = m.fs_bio_set.allocated + 1);
  if (kind === 'crash') return () => {
    throw new Error('injected crash (RECLAIMSIM_EXPLORE_FAULT)');
  };
  return null;
}

/** What went wrong in a run, as plain data. */
export function describeFailure(e: unknown): RunFailure {
  if (e instanceof InvariantViolation) return { kind: 'invariant', invariant: e.invariant, message: oneLine(e.detail), time_ns: e.timeNs, event: e.event };
  if (e instanceof SimulatorError) return { kind: 'assertion', invariant: null, message: oneLine(e.message), time_ns: e.timeNs ?? null, event: e.event ?? null };
  return { kind: 'unexpected', invariant: null, message: oneLine(e instanceof Error ? e.message : String(e)), time_ns: null, event: null };
}

/** The error a failure stands for, its message followed by `context` (which run, how to rerun it). */
export function failureError(f: RunFailure, context: string): Error {
  if (f.kind === 'invariant') return new InvariantViolation(f.invariant ?? 'unknown', `${f.message}; ${context}`, f.time_ns ?? 0, f.event ?? 0);
  if (f.kind === 'assertion') {
    const e = new SimulatorError(`${f.message}; ${context}`);
    if (f.time_ns !== null) e.timeNs = f.time_ns;
    if (f.event !== null) e.event = f.event;
    return e;
  }
  return new Error(`${f.message}; ${context}`);
}

/** One line for a failure: what broke, where in the run. */
export function failureText(f: RunFailure): string {
  const where = f.time_ns === null ? '' : ` at event ${f.event} (t=${f.time_ns}ns)`;
  if (f.kind === 'invariant') return `invariant ${f.invariant} violated${where}: ${f.message}`;
  if (f.kind === 'assertion') return `simulator assertion failed${where}: ${f.message}`;
  return `unexpected error: ${f.message}`;
}

/** Runs `p` (twice if `twice`) and packages the output as a worker does; a failed run comes back as its failure. */
export function execute(p: ExploreParams, twice: boolean): WorkerReply {
  const t0 = process.hrtime.bigint();
  let result: RunResult;
  try {
    result = runOnce(p);
  } catch (e) {
    return { failure: describeFailure(e), host_ns: Number(process.hrtime.bigint() - t0) };
  }
  const host_ns = Number(process.hrtime.bigint() - t0);
  const json = JSON.stringify(result);
  if (!twice) return { result, json, host_ns };
  let again: RunResult;
  try {
    again = runOnce(p);
  } catch (e) {
    // The first run finished and the second did not: not deterministic, whatever broke.
    return { result, json, host_ns, deterministic: false, second_trace_hash: `failed: ${failureText(describeFailure(e))}` };
  }
  let againJson = JSON.stringify(again);
  if (faultInjected()) {
    again.trace_hash = ((parseInt(again.trace_hash, 16) ^ 1) >>> 0).toString(16).padStart(8, '0');
    againJson = JSON.stringify(again);
  }
  return { result, json, host_ns, deterministic: again.trace_hash === result.trace_hash && againJson === json, second_trace_hash: again.trace_hash };
}
