/** Shared helpers for the explore tests: a small, fast scenario and record comparison. */
import { resolveScenario } from '../../src/scenario/load.js';
import type { SweepSpec } from '../../src/explore/spec.js';
import type { RunRecord } from '../../src/explore/types.js';

/** A small cell: 128 MiB RAM, 4 copies of 48 MiB (swaps; about 0.1 s of host time per run). */
export const SMALL_SETS = ['machine.ram=128MiB', 'workload.tree_size=48MiB'];

export const SCENARIO = { source: 'inline', label: 'inline', text: 'name: small\n' };

export function smallSpec(over: Partial<SweepSpec> = {}): SweepSpec {
  return { scenario: SCENARIO, sets: SMALL_SETS, seeds: { from: 1, to: 3 }, grid: [], ranges: [], swarm: false, checkAll: false, ...over };
}

export function smallScenario(extra: string[] = []) {
  return resolveScenario({ text: SCENARIO.text, file: SCENARIO.label, sets: [...SMALL_SETS, ...extra] });
}

/** Records without store-local fields (id, sweep_id), sorted by (scenario_hash, seed): what "identical records" compares. */
export function comparable(records: readonly RunRecord[]): string[] {
  return records
    .map((r) => {
      const { id: _id, sweep_id: _sweep, ...rest } = r;
      return JSON.stringify(rest);
    })
    .sort();
}
