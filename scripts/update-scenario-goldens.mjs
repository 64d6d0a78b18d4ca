#!/usr/bin/env node
// Rewrites test/golden/scenarios/<name>.json: the golden summary of each bundled scenario's run
// (run `npm run build` first). Review the diff; never accept it blindly.
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../', import.meta.url));
const { resolveScenario } = await import(join(root, 'dist/src/scenario/load.js'));
const { paramsFromScenario } = await import(join(root, 'dist/src/scenario/params.js'));
const { runScenario } = await import(join(root, 'dist/src/scenario/run.js'));
const { goldenSummary } = await import(join(root, 'dist/src/scenario/summary.js'));

const outDir = join(root, 'test/golden/scenarios');
mkdirSync(outDir, { recursive: true });
for (const f of readdirSync(join(root, 'scenarios')).filter((n) => n.endsWith('.yaml')).sort()) {
  const name = f.replace(/\.yaml$/, '');
  const s = resolveScenario({ text: readFileSync(join(root, 'scenarios', f)), file: f });
  const summary = goldenSummary(runScenario(paramsFromScenario(s)).result);
  writeFileSync(join(outDir, `${name}.json`), `${JSON.stringify(summary, null, 2)}\n`);
  process.stdout.write(`${name}: ${summary.verdict} at ${summary.sim_time_ns / 1e9} s\n`);
}
