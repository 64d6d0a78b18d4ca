import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

// dist/test/cli/cli-errors.test.js -> repo root.
const root = fileURLToPath(new URL('../../../', import.meta.url));

function cli(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['bin/reclaimsim.js', ...args], { cwd: root, encoding: 'utf8', env: { ...process.env, RECLAIMSIM_DEBUG: '' } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const bad: [string, string[], RegExp][] = [
  ['unknown command', ['frobnicate'], /unknown command 'frobnicate'/],
  ['unknown flag', ['demo', '--frobnicate'], /unknown option '--frobnicate'/],
  ['unknown top-level flag', ['--frobnicate'], /unknown option '--frobnicate'/],
  ['bad number', ['demo', '--seed', 'abc'], /--seed: expected an integer, got "abc"/],
  ['number out of range', ['demo', '--customers', '0'], /--customers: expected an integer from 1 to/],
  ['non-integer number', ['demo', '--customers', '1e3'], /--customers: expected an integer/],
  ['missing flag value', ['demo', '--seed'], /--seed/],
  // Paths that cannot be created (mkdir under /proc fails; Node's recursive mkdir never returned there).
  ['an output that cannot be written, before the run', ['run', 'small-box', '--report', '/proc/reclaimsim-nope/r.html'], /^reclaimsim: --report \/proc\/reclaimsim-nope\/r\.html: cannot write it \(ENOENT\); choose a path/],
  ['a results store that cannot be created', ['sweep', 'small-box', '--seeds', '1..1', '--db', '/proc/reclaimsim-nope/x.db'], /^reclaimsim: --db \/proc\/reclaimsim-nope\/x\.db: cannot write it/],
  ['a parser error names the subcommand\'s help', ['sweep', '--frobnicate'], /unknown option '--frobnicate' \(see reclaimsim sweep --help\)$/],
  ['help for an unknown command', ['help', 'nosuch'], /^reclaimsim: help nosuch: unknown command; the commands are run, /],
  ['an empty --db (an in-memory store, lost at exit)', ['sweep', 'small-box', '--seeds', '1..1', '--db', ''], /--db: an empty file name would keep the store in memory/],
  ['a sampling interval below 1 ms', ['run', 'small-box', '--set', 'outputs.metrics_interval=1ns'], /outputs\.metrics_interval: 1ns is below the 1ms the sampler allows/],
  ['two outputs on one file', ['run', 'small-box', '--report', 'out-twice.x', '--dmesg', 'out-twice.x'], /^reclaimsim: --report and --dmesg: the same file out-twice\.x; give each output its own file$/],
  ['an output named as a directory', ['run', 'small-box', '--report', 'somedir/'], /^reclaimsim: --report: "somedir\/" names a directory; give a file name/],
  ['an export onto the store itself', ['results', '--db', 'package.json', '--export', 'csv', '--out', 'package.json'], /^reclaimsim: --out package\.json: that is the store itself \(--db\); give the export another file$/],
  ['slabinfo with both slub_nomerge and the slab allocator', ['slabinfo', '--slub-nomerge', '--allocator', 'slab'], /--slub-nomerge: applies to SLUB only/],
  ['a kernel --set for reproduce, which runs every kernel', ['reproduce', '--set', 'profile=2.6.25'], /^reclaimsim: --set profile=2\.6\.25: reproduce runs every profile and variant, one row each/],
  ['a variant pair the scenario layer refuses', ['run', 'small-box', '--variant', 'slab,slub_nomerge'], /--variant: slub_nomerge applies to SLUB only/],
];

for (const [what, args, re] of bad) {
  test(`cli: ${what} prints one line naming it and exits 1 (${args.join(' ')})`, () => {
    const r = cli(...args);
    assert.equal(r.status, 1, `exit status; stderr: ${r.stderr}`);
    assert.equal(r.stdout, '');
    const lines = r.stderr.split('\n');
    assert.equal(lines.at(-1), '', 'stderr ends with a newline');
    assert.equal(lines.length, 2, `exactly one line on stderr: ${JSON.stringify(r.stderr)}`);
    assert.match(lines[0]!, /^reclaimsim: /);
    assert.match(lines[0]!, re);
    assert.doesNotMatch(r.stderr, /\n\s+at |Error:/, 'no stack trace');
  });
}

test('cli: --help exits 0 and lists the commands', () => {
  const r = cli('--help');
  assert.equal(r.status, 0);
  assert.match(r.stdout, /Usage: reclaimsim/);
  assert.match(r.stdout, /demo/);
  assert.equal(r.stderr, '');
  const sub = cli('demo', '--help');
  assert.equal(sub.status, 0);
  assert.match(sub.stdout, /--seed <n>/);
});

test('cli: a reader that closes the pipe early ends the output quietly, with the command\'s own exit code', async () => {
  const { spawn } = await import('node:child_process');
  // `schema` prints tens of KiB; the read end is closed before the first write, so it gets EPIPE.
  const child = spawn(process.execPath, ['bin/reclaimsim.js', 'schema'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, RECLAIMSIM_DEBUG: '' } });
  child.stdout.destroy();
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
  const status = await new Promise<number | null>((res) => child.on('close', (code) => res(code)));
  assert.equal(stderr, '', 'nothing on stderr: no EPIPE stack trace');
  assert.equal(status, 0);
});

test('cli: no command prints the help on stdout and exits 1', () => {
  const r = cli();
  assert.equal(r.status, 1);
  assert.match(r.stdout, /^Usage: reclaimsim \[options\] \[command\]/);
  assert.equal(r.stderr, '');
});

test('cli: a FIFO given as a scenario or a slab snapshot is refused at once, not read (it would block)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'reclaimsim-fifo-'));
  try {
    const fifo = join(dir, 'f.yaml');
    execFileSync('mkfifo', [fifo]);
    for (const args of [['validate', fifo], ['audit', '--sysfs', fifo]]) {
      const r = spawnSync(process.execPath, ['bin/reclaimsim.js', ...args], { cwd: root, encoding: 'utf8', timeout: 20_000 });
      assert.equal(r.status, 1, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, /not a regular file/);
      assert.equal(r.stderr.split('\n').length, 2, 'one line');
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('cli: a full standard output is one line on stderr and exit 1, not a stack trace', () => {
  if (!existsSync('/dev/full')) return;
  const fd = openSync('/dev/full', 'w');
  try {
    const r = spawnSync(process.execPath, ['bin/reclaimsim.js', 'schema'], { cwd: root, encoding: 'utf8', stdio: ['ignore', fd, 'pipe'], timeout: 20_000 });
    assert.equal(r.status, 1);
    assert.match(r.stderr, /^reclaimsim: cannot write to standard output \(ENOSPC\)/);
    assert.equal(r.stderr.split('\n').length, 2, `one line: ${r.stderr}`);
  } finally {
    closeSync(fd);
  }
});

test('cli: an export under a regular file is one line naming --out, exit 1, and leaves nothing', () => {
  const dir = mkdtempSync(join(tmpdir(), 'reclaimsim-out-'));
  try {
    const db = join(dir, 's.db');
    assert.equal(spawnSync(process.execPath, ['bin/reclaimsim.js', 'sweep', 'small-box', '--seeds', '1..1', '--set', 'checks.time_limit=1s', '--db', db], { cwd: root, encoding: 'utf8' }).status, 0);
    const r = spawnSync(process.execPath, ['bin/reclaimsim.js', 'results', '--db', db, '--export', 'csv', '--out', join(db, 'x.csv')], { cwd: root, encoding: 'utf8' });
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, /^reclaimsim: --out .*s\.db\/x\.csv: cannot write it \(ENOTDIR\); choose a path/);
    assert.equal(r.stderr.split('\n').length, 2);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
