/**
 * One round of bench/ab.ts: loads the model from another checkout's build and prints, as one JSON
 * line, the host milliseconds of the best run of each flagship seed (rc8 and the fix), after two
 * warm-up runs per profile. It imports only modules that every build since the explore layer has
 * (scenario-source, params, run, and explore/execute when present), so an older commit can be
 * measured by this build's probe.
 *
 *   node dist/bench/ab-probe.js <checkout> <reps> <seeds> [path=value ...]
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

interface Modules {
  loadScenarioArg: (arg: string, sets?: readonly string[]) => unknown;
  paramsFromScenario: (s: unknown) => Record<string, unknown>;
  run: (p: Record<string, unknown>) => unknown;
}

async function load(root: string): Promise<Modules> {
  const mod = (rel: string): Promise<Record<string, unknown>> => import(pathToFileURL(join(root, 'dist', 'src', rel)).href) as Promise<Record<string, unknown>>;
  const src = await mod('cli/scenario-source.js');
  const params = await mod('scenario/params.js');
  // explore's runOnce gives arrays back to the next run where the build has that; else a plain run.
  const execute = existsSync(join(root, 'dist', 'src', 'explore', 'execute.js')) ? await mod('explore/execute.js') : null;
  const runMod = await mod('scenario/run.js');
  const run = (execute?.['runOnce'] as Modules['run'] | undefined) ?? ((p) => (runMod['runScenario'] as (q: unknown) => unknown)(p));
  return { loadScenarioArg: src['loadScenarioArg'] as Modules['loadScenarioArg'], paramsFromScenario: params['paramsFromScenario'] as Modules['paramsFromScenario'], run };
}

const [root, repsArg, seedsArg, ...sets] = process.argv.slice(2);
if (root === undefined || repsArg === undefined || seedsArg === undefined) {
  process.stderr.write('ab-probe: usage: ab-probe <checkout> <reps> <seeds> [path=value ...]\n');
  process.exit(1);
}
const m = await load(root);
const base = m.paramsFromScenario(m.loadScenarioArg('flagship', sets));
const out: Record<string, number> = {};
for (const profile of ['2.6.25-rc8', '2.6.25']) {
  m.run({ ...base, profile, seed: 100 });
  m.run({ ...base, profile, seed: 101 });
  let sum = 0;
  for (let seed = 1; seed <= Number(seedsArg); seed++) {
    let best = Infinity;
    for (let r = 0; r < Number(repsArg); r++) {
      const t0 = process.hrtime.bigint();
      m.run({ ...base, profile, seed });
      best = Math.min(best, Number(process.hrtime.bigint() - t0) / 1e6);
    }
    sum += best;
  }
  out[profile] = sum / Number(seedsArg);
}
process.stdout.write(`${JSON.stringify(out)}\n`);
