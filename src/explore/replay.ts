/**
 * Replay: re-runs a stored record from its stored parameters and compares the trace hash and the
 * full result JSON, byte for byte.
 */
import { runOnce } from './execute.js';
import type { ExploreParams, RunRecord } from './types.js';
import type { RunResult } from '../scenario/result.js';

export interface ReplayOutcome {
  result: RunResult;
  json: string;
  traceHashMatches: boolean;
  jsonMatches: boolean;
}

export function paramsOf(r: Pick<RunRecord, 'params_json'>): ExploreParams {
  return JSON.parse(r.params_json) as ExploreParams;
}

export function replayRecord(r: RunRecord, run: (p: ExploreParams) => RunResult = runOnce): ReplayOutcome {
  const result = run(paramsOf(r));
  const json = JSON.stringify(result);
  return { result, json, traceHashMatches: result.trace_hash === r.trace_hash, jsonMatches: json === r.result_json };
}

/** The first differing top-level field of two result JSONs (for mismatch messages). */
export function firstDifference(a: string, b: string): string {
  const x = JSON.parse(a) as Record<string, unknown>;
  const y = JSON.parse(b) as Record<string, unknown>;
  for (const k of new Set([...Object.keys(x), ...Object.keys(y)])) {
    const u = JSON.stringify(x[k]);
    const v = JSON.stringify(y[k]);
    if (u === v) continue;
    if (u === undefined || v === undefined) return `${k}: stored ${(u ?? 'nothing').slice(0, 60)}, replayed ${(v ?? 'nothing').slice(0, 60)}`;
    // Show both from a little before the first character that differs, not their common start.
    let i = 0;
    while (i < u.length && i < v.length && u[i] === v[i]) i++;
    const from = Math.max(0, i - 20);
    const cut = (t: string): string => `${from > 0 ? '...' : ''}${t.slice(from, from + 60)}`;
    return `${k}: stored ${cut(u)}, replayed ${cut(v)}`;
  }
  return 'key order';
}
