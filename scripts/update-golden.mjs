#!/usr/bin/env node
// Regenerates golden files from the built CLI (run `npm run build` first). Review the diff; never
// accept it blindly. Each entry: output file, then the reclaimsim arguments that produce it.
// Other golden files can be added to GOLDEN by their owners.
//
// REPORT_GOLDEN: the outputs of one short fixed-seed run (test/report/golden.test.ts runs the same
// command): each entry names the golden file and the output file the run writes (relative to a
// temp directory).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../', import.meta.url));
const GOLDEN = [['test/golden/slabinfo-2.6.25-rc8.txt', ['slabinfo', '--kernel', '2.6.25-rc8']]];

/** The short run of the report goldens and its files; test/report/golden.test.ts reads the same file. */
const REPORT_SPEC = JSON.parse(readFileSync(join(root, 'test/golden/report-small.json'), 'utf8'));
export const REPORT_RUN_ARGS = REPORT_SPEC.args;
export const REPORT_GOLDEN = REPORT_SPEC.golden;

/** Runs the short report run into `dir`; returns the CLI result. */
export function runReportGoldenRun(dir) {
  return spawnSync(process.execPath, ['bin/reclaimsim.js', ...REPORT_RUN_ARGS, '--dmesg', join(dir, 'dmesg.txt'), '--trace', join(dir, 'trace.txt'), '--proc-dir', join(dir, 'proc')], { cwd: root, encoding: 'utf8' });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const [file, args] of GOLDEN) {
    const r = spawnSync(process.execPath, ['bin/reclaimsim.js', ...args], { cwd: root, encoding: 'utf8' });
    if (r.status !== 0) {
      process.stderr.write(`reclaimsim ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
      process.exit(1);
    }
    writeFileSync(new URL(file, `file://${root}`), r.stdout);
    process.stdout.write(`wrote ${file}\n`);
  }
  const dir = mkdtempSync(join(tmpdir(), 'reclaimsim-golden-'));
  try {
    const r = runReportGoldenRun(dir);
    if (r.status !== 0 && r.status !== 5) {
      process.stderr.write(`reclaimsim ${REPORT_RUN_ARGS.join(' ')} failed (${r.status}): ${r.stderr}`);
      process.exit(1);
    }
    for (const [file, out] of REPORT_GOLDEN) {
      writeFileSync(join(root, file), readFileSync(join(dir, out)));
      process.stdout.write(`wrote ${file}\n`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
