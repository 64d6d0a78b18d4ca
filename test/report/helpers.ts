/** Shared fixtures for the report tests: one short fixed-seed run, observed by the metrics sampler. */
import { paramsFromScenario, type RunParams } from '../../src/scenario/params.js';
import { resolveScenario } from '../../src/scenario/load.js';
import { runScenario } from '../../src/scenario/run.js';
import type { Machine } from '../../src/scenario/machine.js';
import type { RunResult } from '../../src/scenario/result.js';
import { MetricsSampler } from '../../src/check/metrics.js';

/** 128 MiB, 2 copies of 64 MiB, 5 s limit: a run of well under a second on the host. */
export const SMALL_SETS = ['machine.ram=128MiB', 'workload.copies=2', 'workload.tree_size=64MiB', 'checks.time_limit=5s'];

export function smallParams(extra: Partial<RunParams> = {}, sets: string[] = []): RunParams {
  return { ...paramsFromScenario(resolveScenario({ name: 'flagship', sets: ['name=small', ...SMALL_SETS, ...sets] })), ...extra };
}

export interface Observed {
  result: RunResult;
  machine: Machine;
  sampler: MetricsSampler | null;
}

export function observe(p: RunParams, sample = true, maxRows?: number): Observed {
  let sampler: MetricsSampler | null = null;
  const { result, machine } = runScenario(p, {
    onBoot: (m) => {
      if (sample) sampler = new MetricsSampler(m, { intervalNs: p.metrics_interval_ns, ...(maxRows !== undefined ? { maxRows } : {}) });
    },
  });
  const s = sampler as MetricsSampler | null;
  s?.sampleNow();
  return { result, machine, sampler: s };
}
