import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const bin = join(root, 'bin/reclaimsim.js');
/** A run of several host seconds, so that a budget or a signal reliably ends it first. */
const LONG = ['run', 'flagship-fixed', '--set', 'workload.copies=8', '--set', 'swap.size=8GiB'];

test('run --budget: the wall-clock budget ends the run with verdict LIMIT and the outputs are written', () => {
  const dir = mkdtempSync(join(tmpdir(), 'reclaimsim-budget-'));
  try {
    const dmesg = join(dir, 'dmesg.txt');
    const r = spawnSync(process.execPath, [bin, ...LONG, '--budget', '100ms', '--json', '--dmesg', dmesg], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const res = JSON.parse(r.stdout);
    assert.equal(res.verdict, 'LIMIT');
    assert.match(res.reason, /^stopped by the wall-clock budget/);
    assert.ok(existsSync(dmesg) && readFileSync(dmesg, 'utf8').includes('SysRq : Show State'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('run: SIGINT (Ctrl-C) ends the run with verdict LIMIT and writes partial outputs', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'reclaimsim-sigint-'));
  try {
    const dmesg = join(dir, 'dmesg.txt');
    const child = spawn(process.execPath, [bin, ...LONG, '--dmesg', dmesg], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let signalled = false;
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (d: string) => {
      stdout += d;
      // The first line is printed before the run starts: interrupt it then.
      if (!signalled && stdout.includes('\n')) {
        signalled = true;
        child.kill('SIGINT');
      }
    });
    const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
    assert.equal(code, 0);
    assert.match(stdout, /verdict: LIMIT/);
    assert.match(stdout, /reason: stopped by SIGINT \(Ctrl-C\)/);
    assert.ok(existsSync(dmesg), 'partial outputs are written');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

for (const [args, want] of [
  [['run', '--check', 'most'], /^reclaimsim: --check: expected off, cheap or full, got "most"$/],
  [['run', '--budget', 'soon'], /^reclaimsim: --budget: expected a duration such as 30s or 500ms, got "soon"$/],
] as const) {
  test(`run: bad limit flags are one-line errors with exit 1 (${args.join(' ')})`, () => {
    const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8' });
    assert.equal(r.status, 1);
    assert.equal(r.stdout, '');
    assert.match(r.stderr.trimEnd(), want);
    assert.equal(r.stderr.trimEnd().split('\n').length, 1);
  });
}

for (const [what, set, want] of [
  ['the simulated-time limit', 'checks.time_limit=2s', /^stopped by the simulated-time limit/],
  ['the event limit', 'checks.event_limit=5000', /^stopped by the event limit/],
] as const) {
  test(`run: ${what} ends the run with verdict LIMIT and valid partial outputs`, () => {
    const dir = mkdtempSync(join(tmpdir(), 'reclaimsim-limit-'));
    try {
      const metrics = join(dir, 'm.json');
      const r = spawnSync(process.execPath, [bin, 'run', 'small-box', '--set', set, '--json', '--metrics', metrics], { encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
      const res = JSON.parse(r.stdout);
      assert.equal(res.verdict, 'LIMIT');
      assert.match(res.reason, want);
      const m = JSON.parse(readFileSync(metrics, 'utf8'));
      assert.equal(m.verdict, 'LIMIT');
      assert.ok(m.rows.length > 0, 'the metrics file holds the partial series');
      assert.ok(m.rows.every((row: unknown[]) => row.length === m.columns.length));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}
