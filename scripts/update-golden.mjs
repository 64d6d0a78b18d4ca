#!/usr/bin/env node
// Regenerates golden files from the built CLI (run `npm run build` first). Review the diff; never
// accept it blindly. Each entry: output file, then the reclaimsim arguments that produce it.
// Other golden files can be added to GOLDEN by their owners.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../', import.meta.url));
const GOLDEN = [['test/golden/slabinfo-2.6.25-rc8.txt', ['slabinfo', '--kernel', '2.6.25-rc8']]];

for (const [file, args] of GOLDEN) {
  const r = spawnSync(process.execPath, ['bin/reclaimsim.js', ...args], { cwd: root, encoding: 'utf8' });
  if (r.status !== 0) {
    process.stderr.write(`reclaimsim ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
    process.exit(1);
  }
  writeFileSync(new URL(file, `file://${root}`), r.stdout);
  process.stdout.write(`wrote ${file}\n`);
}
