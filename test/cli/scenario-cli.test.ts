import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { cli, oneLineError, root } from './scenario-cli-helpers.js';
import { checkHostMemory } from '../../src/cli/scenario-source.js';
import { UsageError } from '../../src/cli/exit.js';
import { resolveScenario } from '../../src/scenario/load.js';

const tmp = mkdtempSync(join(tmpdir(), 'reclaimsim-scenario-cli-'));
process.on('exit', () => rmSync(tmp, { recursive: true, force: true }));
const bundled = readdirSync(join(root, 'scenarios'))
  .filter((f) => f.endsWith('.yaml'))
  .map((f) => f.slice(0, -5))
  .sort();

function file(name: string, content: string | Uint8Array): string {
  const p = join(tmp, name);
  writeFileSync(p, content);
  return p;
}

test('cli scenario: schema prints the committed JSON Schema', async () => {
  const r = await cli(['schema']);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, readFileSync(join(root, 'scenario.schema.json'), 'utf8'));
});

test('cli scenario: scenarios lists every bundled scenario with its description', async () => {
  const r = await cli(['scenarios']);
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stdout.trimEnd().split('\n');
  assert.deepEqual(
    lines.map((l) => l.split(/\s+/)[0]),
    bundled,
  );
  for (const l of lines) assert.match(l, /^\S+\s{2,}\S.{10,}$/, l);
});

test('cli scenario: validate accepts every bundled scenario by name and by path', async () => {
  for (const name of bundled) {
    const r = await cli(['validate', name]);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, `ok: ${name}\n`);
  }
  const r = await cli(['validate', 'scenarios/small-box.yaml', '--set', 'machine.ram=2GiB', '--set', 'swap.size=4GiB', '--set', 'workload.copies=8']);
  assert.equal(r.stdout, 'ok: small-box\n', r.stderr);
});

test('cli scenario: validate names file, line and field on one line, exit 1', async () => {
  const p = file('bad.yaml', 'name: t\n\nmachine:\n  ram: 1GiB\n\nswap:\n  size: two\n');
  const r = await cli(['validate', p]);
  assert.equal(oneLineError(r), undefined);
  assert.equal(r.stderr, `reclaimsim: ${p}:7: swap.size: expected a size such as 2GiB, got "two"\n`);
  const typo = await cli(['validate', file('typo.yaml', 'machine:\n  rma: 2GiB\n')]);
  assert.match(typo.stderr, /typo\.yaml:2: machine\.rma: unknown field; did you mean machine\.ram\?\n$/);
  const set = await cli(['validate', 'flagship', '--set', 'machine.cpus=0']);
  assert.equal(set.stderr, 'reclaimsim: --set machine.cpus: expected an integer from 1 to 64, got 0 (a machine needs at least one CPU)\n');
});

test('cli scenario: unknown names, directories and devices are one-line errors', async () => {
  const r = await cli(['validate', 'flagsip']);
  assert.equal(r.stderr, 'reclaimsim: "flagsip": no such file or bundled scenario; did you mean flagship?\n');
  mkdirSync(join(tmp, 'dir.yaml'), { recursive: true });
  for (const arg of [join(tmp, 'dir.yaml'), '/dev/null', 'no/such/file.yaml']) {
    const e = await cli(['validate', arg]);
    assert.equal(oneLineError(e), undefined, `${arg}: ${e.stderr}`);
  }
});

test('cli scenario: a 100 MB file is refused quickly, before it is read', async () => {
  const p = join(tmp, 'huge.yaml');
  const chunk = Buffer.alloc(1024 * 1024, 'seed: 1\n');
  writeFileSync(p, '');
  for (let i = 0; i < 100; i++) writeFileSync(p, chunk, { flag: 'a' });
  const r = await cli(['validate', p], ['--max-old-space-size=48']);
  assert.equal(oneLineError(r), undefined);
  assert.match(r.stderr, /huge\.yaml: file is 100MiB \(104857600 bytes\); scenario files are limited to 1MiB\n$/);
  assert.ok(r.ms < 5000, `took ${r.ms} ms`);
});

test('cli scenario: an alias bomb is refused quickly with bounded memory', async () => {
  const lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
  for (let i = 1; i < 14; i++) lines.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(9).fill(`*${String.fromCharCode(96 + i)}`).join(',')}]`);
  const r = await cli(['validate', file('bomb.yaml', lines.join('\n') + '\n')], ['--max-old-space-size=48']);
  assert.equal(oneLineError(r), undefined);
  assert.match(r.stderr, /bomb\.yaml:2: aliases expand too much/);
  assert.ok(r.ms < 5000, `took ${r.ms} ms`);
});

test('cli scenario: show prints as written, --resolved a file that resolves to the same, --json the model view', async () => {
  const raw = await cli(['show', 'small-box']);
  assert.equal(raw.stdout, readFileSync(join(root, 'scenarios/small-box.yaml'), 'utf8'));
  const res = await cli(['show', 'small-box', '--resolved', '--set', 'seed=9', '--set', 'machine.ram=768MiB']);
  assert.equal(res.status, 0, res.stderr);
  assert.match(res.stdout, /^# scenario "small-box"/);
  assert.match(res.stdout, /\n {2}ram: 768MiB\n/);
  const again = await cli(['validate', file('resolved.yaml', res.stdout)]);
  assert.equal(again.stdout, 'ok: small-box\n', again.stderr);
  const json = await cli(['show', file('resolved2.yaml', res.stdout), '--json']);
  const fromJson = JSON.parse(json.stdout) as { seed: number; machine: { ram_bytes: number } };
  assert.equal(fromJson.seed, 9);
  assert.equal(fromJson.machine.ram_bytes, 768 * 1024 * 1024);
  const direct = await cli(['show', 'small-box', '--json', '--set', 'seed=9', '--set', 'machine.ram=768MiB']);
  assert.deepEqual(JSON.parse(direct.stdout), fromJson);
});

test('cli scenario: the host-memory check refuses big scenarios unless forced', () => {
  const s = resolveScenario({ text: '{}' });
  assert.throws(() => checkHostMemory(s, false, 1024 * 1024), (e: unknown) => e instanceof UsageError && /use --force/.test(e.message) && !e.message.includes('\n'));
  checkHostMemory(s, true, 1024 * 1024);
  checkHostMemory(s, false, 64 * 1024 ** 3);
});

test('cli run: the replay line of a finding is quoted for the shell and, pasted, gives the same run', async () => {
  const sets = ['--set', 'outputs.proc_snapshots=[1s, 2s]', '--set', 'checks.watchdog_window=5s'];
  const r = await cli(['run', 'flagship', ...sets], [], 60_000);
  assert.equal(r.status, 5, r.stderr);
  const line = /^replay: (.*)$/m.exec(r.stdout)![1]!;
  assert.equal(line, "reclaimsim run flagship --set 'outputs.proc_snapshots=[1s, 2s]' --set checks.watchdog_window=5s --kernel 2.6.25-rc8 --seed 1");
  const pasted = await new Promise<{ status: number | null; stdout: string }>((resolve) => {
    execFile('/bin/sh', ['-c', line.replace(/^reclaimsim /, `"${process.execPath}" bin/reclaimsim.js `)], { cwd: root, encoding: 'utf8', timeout: 60_000 }, (err, stdout) =>
      resolve({ status: err ? (typeof err.code === 'number' ? err.code : null) : 0, stdout }),
    );
  });
  assert.equal(pasted.status, 5);
  assert.equal(/^verdict: .*$/m.exec(pasted.stdout)![0], /^verdict: .*$/m.exec(r.stdout)![0]);
});
