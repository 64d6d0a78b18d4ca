import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli, oneLineError } from './scenario-cli-helpers.js';
import { REPRODUCE_ROWS } from '../../src/cli/commands/run.js';
import { validateChromeTrace, type ChromeTrace } from '../../src/report/perfetto.js';

const SMALL = ['--set', 'machine.ram=128MiB', '--set', 'workload.copies=2', '--set', 'workload.tree_size=64MiB', '--set', 'checks.time_limit=5s'];

function tmp(): string {
  return mkdtempSync(join(tmpdir(), 'reclaimsim-report-cli-'));
}

test('cli run outputs: every output flag writes its file and the summary names it (short run)', async () => {
  const d = tmp();
  try {
    const r = await cli(['run', ...SMALL, '--set', 'outputs.proc_snapshots=[500ms, 4s]', '--report', join(d, 'r.html'), '--dmesg', join(d, 'dmesg.txt'), '--trace', join(d, 't.txt'), '--perfetto', join(d, 'p.json'), '--metrics', join(d, 'm.csv'), '--proc-dir', join(d, 'proc'), '--events', 'block:*,scsi:*', '--trace-buffer-kb', '64'], [], 60_000);
    assert.equal(r.status, 0, r.stderr);
    for (const [what, f] of [['report', 'r.html'], ['dmesg', 'dmesg.txt'], ['trace', 't.txt'], ['perfetto trace', 'p.json'], ['metrics', 'm.csv']]) {
      assert.ok(r.stdout.includes(`wrote ${what}: ${join(d, f!)}\n`), `${what} in summary:\n${r.stdout}`);
      assert.ok(existsSync(join(d, f!)), f);
    }
    // The run completes at 3 s, so the 4 s instant never comes, and the summary says so.
    assert.match(r.stdout, /wrote proc snapshots: .*proc \(0\.5s, 3s\); not taken, the run ended at 3\.000000 s: 4s\n/);
    assert.deepEqual(readdirSync(join(d, 'proc')).sort(), ['0.5s', '3s']);
    assert.deepEqual(readdirSync(join(d, 'proc', '0.5s')).sort(), ['meminfo', 'slabinfo', 'vmstat', 'zoneinfo']);
    const trace = readFileSync(join(d, 't.txt'), 'utf8');
    assert.match(trace, /# events: block:\*,scsi:\* {2}buffer_size_kb: 64 {2}records: 512 /);
    assert.doesNotMatch(trace, /kmem|vmscan/);
    assert.deepEqual(validateChromeTrace(JSON.parse(readFileSync(join(d, 'p.json'), 'utf8')) as ChromeTrace), []);
    assert.match(readFileSync(join(d, 'm.csv'), 'utf8'), /^time_ns,nr_free_pages,/);
    assert.match(readFileSync(join(d, 'r.html'), 'utf8'), /^<!DOCTYPE html>/);
    // No temp files left behind by the atomic writes.
    assert.deepEqual(readdirSync(d).filter((f) => f.endsWith('.tmp')), []);
  } finally {
    rmSync(d, { recursive: true, force: true });
  }
});

test('cli run --proc-dir: snapshots 1 ns and 500 ns apart each get their own directory, named to the nanosecond (short run)', async () => {
  const d = tmp();
  try {
    const r = await cli(['run', ...SMALL, '--set', 'outputs.proc_snapshots=[500ms, 1s, 1000000001ns, 1000000500ns]', '--proc-dir', join(d, 'proc')], [], 60_000);
    assert.equal(r.status, 0, r.stderr);
    // In time order; 0.5s and the verdict's 3s are alone in their microsecond and keep their names.
    assert.match(r.stdout, /wrote proc snapshots: .*proc \(0\.5s, 1s, 1\.000000001s, 1\.0000005s, 3s\)\n/);
    assert.deepEqual(readdirSync(join(d, 'proc')).sort(), ['0.5s', '1.000000001s', '1.0000005s', '1s', '3s']);
    for (const dir of readdirSync(join(d, 'proc'))) assert.deepEqual(readdirSync(join(d, 'proc', dir)).sort(), ['meminfo', 'slabinfo', 'vmstat', 'zoneinfo'], dir);
  } finally {
    rmSync(d, { recursive: true, force: true });
  }
});

test('cli run outputs: --json keeps stdout pure JSON and names outputs on stderr (--metrics .json)', async () => {
  const d = tmp();
  try {
    const r = await cli(['run', ...SMALL, '--json', '--metrics', join(d, 'm.json')], [], 60_000);
    assert.equal(r.status, 0, r.stderr);
    const j = JSON.parse(r.stdout) as { verdict: string };
    assert.equal(j.verdict, 'COMPLETED');
    assert.equal(r.stderr, `wrote metrics: ${join(d, 'm.json')}\n`);
    const m = JSON.parse(readFileSync(join(d, 'm.json'), 'utf8')) as { columns: string[]; rows: number[][]; verdict: string };
    assert.equal(m.verdict, 'COMPLETED');
    assert.ok(m.rows.length > 10 && m.rows.every((row) => row.length === m.columns.length));
  } finally {
    rmSync(d, { recursive: true, force: true });
  }
});

test('cli run outputs: bad values are one line naming the flag, exit 1, and create no file', async () => {
  const d = tmp();
  try {
    mkdirSync(join(d, 'adir'));
    writeFileSync(join(d, 'afile'), 'x');
    const cases: [string[], string][] = [
      [['--metrics', join(d, 'm.txt')], '--metrics'],
      [['--events', 'nosuch:*'], '--events'],
      [['--events', ','], '--events'],
      [['--trace-buffer-kb', '0'], '--trace-buffer-kb'],
      [['--trace-buffer-kb', 'lots'], '--trace-buffer-kb'],
      [['--report', join(d, 'adir')], '--report'],
      [['--dmesg', join(d, 'afile', 'x.txt')], '--dmesg'],
      [['--proc-dir', join(d, 'afile')], '--proc-dir'],
      [['--report', ''], '--report'],
    ];
    for (const [args, flag] of cases) {
      const r = await cli(['run', ...SMALL, '--report', join(d, 'never.html'), ...args]);
      assert.equal(oneLineError(r), undefined, `${args.join(' ')}: ${r.stderr}`);
      assert.ok(r.stderr.startsWith(`reclaimsim: ${flag}`), `${args.join(' ')}: ${r.stderr}`);
    }
    assert.deepEqual(readdirSync(d).sort(), ['adir', 'afile']);
    assert.deepEqual(readdirSync(join(d, 'adir')), []);
  } finally {
    rmSync(d, { recursive: true, force: true });
  }
});

test('cli reproduce --report: the table is the same with and without the report (seed 1 runs observed, seed 2 on the pool)', async () => {
  const d = tmp();
  try {
    const plain = await cli(['reproduce', ...SMALL, '--seeds', '2', '--workers', '1', '--json'], [], 120_000);
    const withReport = await cli(['reproduce', ...SMALL, '--seeds', '2', '--workers', '1', '--json', '--report', join(d, 'rep.html')], [], 120_000);
    assert.equal(plain.status, 0, plain.stderr);
    assert.equal(withReport.status, 0, withReport.stderr);
    assert.equal(withReport.stdout, plain.stdout);
    const rows = (JSON.parse(plain.stdout) as { rows: { runs: number; livelock: number; deadlock: number; stalls: Record<string, number> }[] }).rows;
    assert.deepEqual(rows.map((r) => r.runs), [2, 2, 2, 2, 2, 2, 2]);
    // Every stalled run, and only those, counts under its stall kind.
    for (const r of rows) assert.equal(Object.values(r.stalls).reduce((a, b) => a + b, 0), r.livelock + r.deadlock);
    assert.match(readFileSync(join(d, 'rep.html'), 'utf8'), /^<!DOCTYPE html>/);
  } finally {
    rmSync(d, { recursive: true, force: true });
  }
});

test('cli reproduce --report: one page with every row, rc8 and the fix side by side (short scenario, --seeds 1)', async () => {
  const d = tmp();
  try {
    const r = await cli(['reproduce', ...SMALL, '--seeds', '1', '--report', join(d, 'rep.html')], [], 120_000);
    assert.equal(r.status, 0, r.stderr);
    assert.ok(r.stdout.endsWith(`wrote report: ${join(d, 'rep.html')}\n`), r.stdout);
    const html = readFileSync(join(d, 'rep.html'), 'utf8');
    const titles = [...html.matchAll(/<h2 id="run-\d+-title">([^<]*)<\/h2>/g)].map((m) => m[1]);
    // The subtitle describes the scenario reproduced, with the choices verdicts depend on.
    assert.match(html, /<p class="sub">scenario flagship: 2 copies of 64 MiB into tmpfs, RAM 128 MiB, 2 CPUs, HZ 1000, swap 3072 MiB, CPU time slice, reclaim charged per batch, metrics every/);
    // The patch's kernels first, in this order; a candidate fix's row (docs/adding-a-fix.md) follows.
    assert.equal(titles.length, REPRODUCE_ROWS.length);
    assert.deepEqual(titles.slice(0, 7), [
      '2.6.25-rc8 (seed 1)', '2.6.25 (seed 1)', '2.6.24 (seed 1)', '2.6.25-rc8 + noop-ctor (seed 1)',
      '2.6.25-rc8 + single-cache (seed 1)', '2.6.25-rc8 + slub_nomerge (seed 1)', '2.6.25-rc8 + slab (seed 1)',
    ]);
  } finally {
    rmSync(d, { recursive: true, force: true });
  }
});
