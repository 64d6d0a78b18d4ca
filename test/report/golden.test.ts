import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

// dist/test/report/*.js -> repo root.
const root = fileURLToPath(new URL('../../../', import.meta.url));
// The short run's arguments and the golden files it produces; scripts/update-golden.mjs reads the same file.
const SPEC = JSON.parse(readFileSync(join(root, 'test/golden/report-small.json'), 'utf8')) as { args: string[]; golden: [string, string][] };
const ARGS = SPEC.args;
const GOLDEN = SPEC.golden;

test('report goldens: dmesg, ftrace text and /proc at 1 s of a short run match (128MiB, 2x64MiB, seed 7; scripts/update-golden.mjs)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'reclaimsim-golden-test-'));
  try {
    const r = spawnSync(process.execPath, ['bin/reclaimsim.js', ...ARGS, '--dmesg', join(dir, 'dmesg.txt'), '--trace', join(dir, 'trace.txt'), '--proc-dir', join(dir, 'proc')], {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, RECLAIMSIM_DEBUG: '' },
    });
    assert.ok(r.status === 0 || r.status === 5, r.stderr);
    for (const [golden, out] of GOLDEN) {
      assert.equal(readFileSync(join(dir, out), 'utf8'), readFileSync(join(root, golden), 'utf8'), `${out} differs from ${golden}; regenerate with node scripts/update-golden.mjs and review the diff`);
    }
    // The shapes a reader relies on, independent of the numbers.
    const dmesg = readFileSync(join(dir, 'dmesg.txt'), 'utf8');
    for (const l of dmesg.trimEnd().split('\n')) assert.match(l, /^\[ {0,11}\d+\.\d{6}\] /, l);
    assert.match(dmesg, /\] SysRq : Show State$/m);
    const trace = readFileSync(join(dir, 'trace.txt'), 'utf8').split('\n');
    assert.match(trace[0]!, /modern-format trace .* 2\.6\.25/);
    assert.ok(trace.some((l) => /^ +\S+-\d+ +\[\d{3}\] +\d+\.\d{6}: block_rq_issue: +8,0 W /.test(l)));
    const meminfo = readFileSync(join(dir, 'proc/1s/meminfo'), 'utf8');
    const names = meminfo.split('\n').filter((l) => l !== '').map((l) => l.split(':')[0]);
    assert.deepEqual(names.slice(0, 11), ['MemTotal', 'MemFree', 'Buffers', 'Cached', 'SwapCached', 'Active', 'Inactive', 'SwapTotal', 'SwapFree', 'Dirty', 'Writeback']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
