/**
 * Sweep benchmarks (BENCHMARKS.md, "Sweeps"): runs per second of a sweep with 1 and 2 workers, the
 * store's share of sweep time, and the flagship (rc8 and the fix) with 1 and 2 workers, with an
 * extrapolation to 1000 seeds.
 *
 *   npm run build && node dist/bench/sweep.js [--quick] [--json] [--flagship-seeds N]
 *
 * --flagship-seeds sets how many seeds (two runs each) the flagship part runs per worker count
 * (default 6). A pool's start-up (each worker loads and JIT-compiles the model) and the last
 * run's tail weigh on a short sweep; 100 seeds measure the speedup a long sweep gets.
 */
import { availableParallelism, cpus } from 'node:os';
import { ResultStore } from '../src/explore/store.js';
import { runSweep } from '../src/explore/sweep.js';
import { parseGrid, type SweepSpec } from '../src/explore/spec.js';

const args = process.argv.slice(2);
let flagSeedsArg: number | undefined;
for (let i = 0; i < args.length; i++) {
  const a = args[i]!;
  if (a === '--quick' || a === '--json') continue;
  if (a === '--flagship-seeds') {
    const n = Number(args[++i]);
    if (!Number.isInteger(n) || n < 1) {
      process.stderr.write(`bench: --flagship-seeds: expected a positive integer, got ${JSON.stringify(args[i] ?? '')}\n`);
      process.exit(1);
    }
    flagSeedsArg = n;
    continue;
  }
  process.stderr.write(`bench: unknown argument ${a} (expected --json, --quick, --flagship-seeds N)\n`);
  process.exit(1);
}
const quick = args.includes('--quick');
const json = args.includes('--json');

function spec(sets: string[], seeds: number, text = 'name: bench\n'): SweepSpec {
  const scenario = { source: 'flagship', label: 'flagship', text };
  return {
    scenario,
    sets,
    seeds: { from: 1, to: seeds },
    grid: [parseGrid('profile=2.6.25-rc8,2.6.25', scenario, sets)],
    ranges: [],
    swarm: false,
    checkAll: false,
  };
}

async function measure(s: SweepSpec, workers: number): Promise<{ runs: number; seconds: number; runsPerS: number; storeShare: number }> {
  const store = ResultStore.open(':memory:');
  const o = await runSweep(s, { store, workers });
  store.close();
  const seconds = o.totalNs / 1e9;
  return { runs: o.ranNow, seconds, runsPerS: o.ranNow / seconds, storeShare: o.storeNs / o.totalNs };
}

const small = ['machine.ram=256MiB', 'workload.tree_size=100MiB'];
const smallSeeds = quick ? 4 : 20;
const flagSeeds = flagSeedsArg ?? (quick ? 2 : 6);
// Warm-up (JIT, worker start).
await measure(spec(small, 2), 2);
const s1 = await measure(spec(small, smallSeeds), 1);
const s2 = await measure(spec(small, smallSeeds), 2);
const f1 = await measure(spec([], flagSeeds), 1);
const f2 = await measure(spec([], flagSeeds), 2);
// A file-backed store (WAL, one transaction per record), for the write-cost share.
const { mkdtempSync } = await import('node:fs');
const { tmpdir } = await import('node:os');
const { join } = await import('node:path');
const dbFile = join(mkdtempSync(join(tmpdir(), 'reclaimsim-bench-')), 'bench.db');
const fileStore = ResultStore.open(dbFile);
const fo = await runSweep(spec(small, smallSeeds), { store: fileStore, workers: 2 });
fileStore.close();
const fileShare = fo.storeNs / fo.totalNs;
const flagship1000 = (2 * 1000) / f2.runsPerS;
const result = {
  machine: { cpus: availableParallelism(), model: cpus()[0]?.model ?? 'unknown', node: process.version },
  small_cell: { sets: small, runs: s1.runs, w1_runs_per_s: s1.runsPerS, w2_runs_per_s: s2.runsPerS, speedup: s2.runsPerS / s1.runsPerS },
  store_share_file_backed: fileShare,
  flagship: { runs: f2.runs, w1_runs_per_s: f1.runsPerS, w2_runs_per_s: f2.runsPerS, speedup: f2.runsPerS / f1.runsPerS, extrapolated_1000_seeds_rc8_and_fix_s: flagship1000 },
};
if (json) console.log(JSON.stringify(result, null, 2));
else {
  console.log(`machine: ${result.machine.cpus} CPUs, ${result.machine.model}, Node ${result.machine.node}`);
  console.log(`small cell (${small.join(', ')}; rc8 and 2.6.25, ${smallSeeds} seeds = ${s1.runs} runs):`);
  console.log(`  1 worker:  ${s1.runsPerS.toFixed(2)} runs/s`);
  console.log(`  2 workers: ${s2.runsPerS.toFixed(2)} runs/s  (speedup ${(s2.runsPerS / s1.runsPerS).toFixed(2)}x; target >= 1.8x)`);
  console.log(`store writes (SQLite file, WAL, one transaction per record): ${(fileShare * 100).toFixed(2)}% of sweep time (target < 5%)`);
  console.log(`flagship (scenarios/flagship.yaml; rc8 and 2.6.25, ${flagSeeds} seeds = ${f2.runs} runs):`);
  console.log(`  1 worker:  ${f1.runsPerS.toFixed(2)} runs/s`);
  console.log(`  2 workers: ${f2.runsPerS.toFixed(2)} runs/s  (speedup ${(f2.runsPerS / f1.runsPerS).toFixed(2)}x; target >= 1.8x)`);
  console.log(`  extrapolated 1000 seeds x (rc8 + fix) = 2000 runs: ${(flagship1000 / 60).toFixed(1)} min (target < 5 min)`);
}
