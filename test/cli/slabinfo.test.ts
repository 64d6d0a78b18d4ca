import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../../', import.meta.url));

function cli(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['bin/reclaimsim.js', ...args], { cwd: root, encoding: 'utf8', env: { ...process.env, RECLAIMSIM_DEBUG: '' } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('cli slabinfo: 2.6.25-rc8 matches the golden file (scripts/update-golden.mjs)', () => {
  const r = cli('slabinfo', '--kernel', '2.6.25-rc8');
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, readFileSync(`${root}test/golden/slabinfo-2.6.25-rc8.txt`, 'utf8'));
  assert.match(r.stdout, /^:0000128 {5}<- bio kmalloc-128 scsi_sense_cache$/m);
  assert.match(r.stdout, /^slabinfo - version: 2\.1$/m);
});

test('cli slabinfo: --sense-ctor and --slub-nomerge keep the sense cache separate (2.6.25)', () => {
  for (const flag of ['--sense-ctor', '--slub-nomerge']) {
    const r = cli('slabinfo', '--kernel', '2.6.25', flag);
    assert.equal(r.status, 0, r.stderr);
    assert.doesNotMatch(r.stdout, /<- .*scsi_sense_cache( |$)/m, flag);
    assert.match(r.stdout, /^scsi_sense_cache +\d+ +\d+ +128 +32 +1 : tunables/m, flag);
  }
});

test('cli slabinfo: --json lists caches with unique ids and aliases (--cache-line 128)', () => {
  const r = cli('slabinfo', '--kernel', '2.6.25-rc8', '--cache-line', '128', '--json');
  assert.equal(r.status, 0, r.stderr);
  const j = JSON.parse(r.stdout) as { caches: { name: string; unique_id: string; aliases: string[]; objs_per_slab: number; order: number }[] };
  const k128 = j.caches.find((c) => c.name === 'kmalloc-128')!;
  assert.equal(k128.unique_id, ':0000128');
  assert.deepEqual(k128.aliases, ['kmalloc-128', 'bio', 'scsi_sense_cache']);
  assert.equal(k128.objs_per_slab, 32);
});

test('cli slabinfo: a bad --kernel or --cache-line is one line, exit 1', () => {
  for (const args of [['--kernel', '2.6.26'], ['--cache-line', '32']]) {
    const r = cli('slabinfo', ...args);
    assert.equal(r.status, 1);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, new RegExp(`^reclaimsim: ${args[0]}: expected one of .*\\n$`));
  }
});
