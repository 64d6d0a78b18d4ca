/**
 * The sweep, results, replay and shrink commands end to end (spawned CLI, small cells).
 * Verdict counts are not asserted (the model's verdicts change as it grows): structure,
 * determinism and equality between modes are.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { cli, oneLineError, root } from './scenario-cli-helpers.js';
import { ResultStore } from '../../src/explore/store.js';
import { comparable } from '../explore/helpers.js';

const SMALL = ['--set', 'machine.ram=128MiB', '--set', 'workload.tree_size=48MiB'];
const SPEC = ['sweep', 'flagship', ...SMALL, '--seeds', '1..3', '--grid', 'profile=2.6.25-rc8,2.6.25'];
const T = 120_000;

/** The CLI with a fault injected in its sweep workers (RECLAIMSIM_EXPLORE_FAULT, src/explore/execute.ts). */
function withFault(fault: string, args: string[]): Promise<{ status: number | null; stderr: string; stdout: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['bin/reclaimsim.js', ...args], { cwd: root, env: { ...process.env, RECLAIMSIM_EXPLORE_FAULT: fault } });
    let stderr = '';
    let stdout = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.on('close', (status) => resolve({ status, stderr, stdout }));
  });
}

function tmp(): string {
  return mkdtempSync(join(tmpdir(), 'reclaimsim-sweep-'));
}

function records(db: string): string[] {
  const s = ResultStore.open(db, { mustExist: true });
  try {
    assert.equal(s.integrity(), 'ok');
    return comparable(s.query());
  } finally {
    s.close();
  }
}

const badSpecs: [string, string[], RegExp][] = [
  ['unknown parameter', ['--grid', 'machine.rma=1GiB'], /--grid machine\.rma: unknown field; did you mean machine\.ram\?/],
  ['empty value list', ['--grid', 'machine.ram='], /--grid machine\.ram: empty value list/],
  ['bad value', ['--grid', 'machine.cpus=1,zero'], /--grid machine\.cpus: expected an integer/],
  ['reversed seed range', ['--seeds', '5..2'], /--seeds: empty seed range 5\.\.2/],
  ['non-numeric seed range', ['--seeds', 'a..b'], /--seeds: expected a seed range such as 1\.\.100/],
  ['empty swarm range', ['--swarm', '--range', 'machine.cpus=4..1'], /--range machine\.cpus: empty range/],
  ['range without swarm', ['--range', 'machine.cpus=1..4'], /add --swarm/],
  ['swept twice', ['--grid', 'machine.cpus=1,2', '--grid', 'machine.cpus=3'], /swept twice/],
  ['bad workers', ['--workers', '0'], /--workers: expected an integer from 1/],
  ['bad scenario', ['nosuch'], /no such file or bundled scenario/],
];

for (const [what, args, re] of badSpecs) {
  test(`sweep: ${what} is a one-line error, exit 1, and no store is created`, async () => {
    const dir = tmp();
    const db = join(dir, 'r.db');
    const r = await cli(['sweep', ...args, '--db', db], [], T);
    assert.equal(oneLineError(r), undefined, r.stderr);
    assert.match(r.stderr, re);
    assert.deepEqual(readdirSync(dir), [], 'nothing written');
  });
}

test('sweep -> results -> replay -> shrink, end to end', async () => {
  const dir = tmp();
  const db = join(dir, 'r.db');
  const r = await cli([...SPEC, '--db', db, '--workers', '2', '--json'], [], T);
  assert.ok(r.status === 0 || r.status === 5, `exit ${r.status}: ${r.stderr}`);
  const j = JSON.parse(r.stdout) as { planned: number; stored: number; cells: { cell: string; runs: number; livelock_ci95: number[] }[]; determinism: { checked: number; mismatches: number }; findings: { id: number; replay: string }[] };
  assert.equal(j.planned, 6);
  assert.equal(j.stored, 6);
  assert.deepEqual(j.cells.map((c) => [c.cell, c.runs]), [['profile=2.6.25-rc8', 3], ['profile=2.6.25', 3]]);
  assert.equal(j.determinism.mismatches, 0);
  assert.ok(j.determinism.checked >= 1);
  assert.equal(r.status === 5, j.findings.length > 0, 'exit 5 exactly when there are findings');
  for (const f of j.findings) assert.match(f.replay, new RegExp(`^reclaimsim replay ${f.id} --db `));
  // Progress goes to stderr as plain lines when it is not a terminal.
  assert.match(r.stderr, /sweep: 6\/6 runs, [\d.]+ runs\/s, ETA \d+s, findings \d+/);

  const res = await cli(['results', '--db', db, '--json'], [], T);
  assert.equal(res.status, 0, res.stderr);
  assert.equal((JSON.parse(res.stdout) as { records: number }).records, 6);
  const rc8 = await cli(['results', '--db', db, '--profile', '2.6.25-rc8', '--param', 'machine.ram=128MiB', '--export', 'ndjson'], [], T);
  assert.equal(rc8.status, 0, rc8.stderr);
  const lines = rc8.stdout.trim().split('\n').map((l) => JSON.parse(l) as { id: number; profile: string; trace_hash: string });
  assert.equal(lines.length, 3);
  assert.ok(lines.every((l) => l.profile === '2.6.25-rc8'));
  const none = await cli(['results', '--db', db, '--param', 'machine.ram=256MiB', '--json'], [], T);
  assert.equal((JSON.parse(none.stdout) as { records: number }).records, 0);
  const csvFile = join(dir, 'out.csv');
  const csv = await cli(['results', '--db', db, '--export', 'csv', '--out', csvFile], [], T);
  assert.equal(csv.status, 0, csv.stderr);
  assert.equal(readFileSync(csvFile, 'utf8').trim().split('\n').length, 7);

  const id = lines[0]!.id;
  const rep = await cli(['replay', String(id), '--db', db], [], T);
  assert.equal(rep.status, 0, rep.stderr);
  assert.match(rep.stdout, new RegExp(`trace hash: stored ${lines[0]!.trace_hash}, replayed ${lines[0]!.trace_hash}: match`));
  assert.match(rep.stdout, /result JSON \(\d+ bytes\): identical/);
  assert.match(rep.stdout, /reclaimsim run flagship --set machine\.ram=128MiB --set workload\.tree_size=48MiB --set profile=2\.6\.25-rc8 --seed \d/);
  // The explicit form gives the same trace hash.
  const seed = /--seed (\d+)/.exec(rep.stdout)![1]!;
  const explicit = await cli(['replay', 'flagship', ...SMALL, '--set', 'profile=2.6.25-rc8', '--seed', seed], [], T);
  assert.match(explicit.stdout, new RegExp(`trace hash: ${lines[0]!.trace_hash}`));

  const yamlFile = join(dir, 'shrunk.yaml');
  const sh = await cli(['shrink', String(id), '--db', db, '--budget', '8', '--out', yamlFile], [], T);
  assert.equal(sh.status, 0, sh.stderr);
  const yaml = readFileSync(yamlFile, 'utf8');
  assert.match(yaml, /^# shrunk by reclaimsim shrink/);
  assert.match(yaml, new RegExp(`\\nseed: ${seed}\\n`));
  const again = await cli(['run', yamlFile, '--json'], [], T);
  const verdict = (JSON.parse(again.stdout) as { verdict: string }).verdict;
  const stored = await cli(['results', '--db', db, '--export', 'ndjson'], [], T);
  const orig = stored.stdout.trim().split('\n').map((l) => JSON.parse(l) as { id: number; verdict: string }).find((x) => x.id === id)!;
  assert.equal(verdict, orig.verdict, 'the shrunk scenario still shows the verdict');

  for (const [args, re] of [
    [['replay', '999', '--db', db], /no run #999/],
    [['shrink', 'x', '--db', db], /expected a run id/],
    [['results', '--db', join(dir, 'none.db')], /no such results store/],
    [['results', '--db', db, '--param', 'machine.rma=1'], /--param machine\.rma: unknown field/],
    [['results', '--db', db, '--verdict', 'MAYBE'], /--verdict: expected one of/],
  ] as [string[], RegExp][]) {
    const e = await cli(args, [], T);
    assert.equal(oneLineError(e), undefined, `${args.join(' ')}: ${e.stderr}`);
    assert.match(e.stderr, re);
  }
  assert.equal(existsSync(join(dir, 'none.db')), false, 'querying a missing store does not create it');
});

test('sweep: the same records with 1 and 2 workers; a stopped sweep resumed equals an uninterrupted one', async () => {
  const dir = tmp();
  const one = join(dir, 'one.db');
  const two = join(dir, 'two.db');
  const part = join(dir, 'part.db');
  const a = await cli([...SPEC, '--db', one, '--workers', '1'], [], T);
  assert.ok(a.status === 0 || a.status === 5, a.stderr);
  const b = await cli([...SPEC, '--db', two, '--workers', '2'], [], T);
  assert.ok(b.status === 0 || b.status === 5, b.stderr);
  assert.deepEqual(records(two), records(one));
  const stop = await cli([...SPEC, '--db', part, '--workers', '2', '--stop-after', '2'], [], T);
  assert.equal(stop.status, 130, stop.stderr);
  assert.match(stop.stdout, /INTERRUPTED/);
  assert.equal(records(part).length, 2);
  const noResume = await cli([...SPEC, '--db', part], [], T);
  assert.equal(oneLineError(noResume), undefined);
  assert.match(noResume.stderr, /already holds 2 of this sweep's 6 runs; add --resume/);
  const resumed = await cli([...SPEC, '--db', part, '--workers', '2', '--resume'], [], T);
  assert.ok(resumed.status === 0 || resumed.status === 5, resumed.stderr);
  assert.match(resumed.stdout, /runs: 6 of 6 stored \(4 run now, 2 already stored\)/);
  assert.deepEqual(records(part), records(one));
});

/** Spawns a sweep and calls `onLine` for each stderr line; resolves with the exit status. */
function spawnSweep(args: string[], onLine: (line: string, kill: (sig: NodeJS.Signals) => void) => void): Promise<{ status: number | null; signal: NodeJS.Signals | null; stdout: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['bin/reclaimsim.js', ...args], { cwd: root, env: { ...process.env, RECLAIMSIM_DEBUG: '' } });
    let buf = '';
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => {
      buf += d.toString();
      let nl;
      while ((nl = buf.indexOf('\n')) >= 0) {
        onLine(buf.slice(0, nl), (sig) => child.kill(sig));
        buf = buf.slice(nl + 1);
      }
    });
    child.on('close', (status, signal) => resolve({ status, signal, stdout }));
  });
}

test('sweep: a real SIGINT and a SIGKILL leave an intact store that --resume completes', async () => {
  const dir = tmp();
  const ref = join(dir, 'ref.db');
  const args = ['sweep', 'flagship', ...SMALL, '--seeds', '1..10', '--workers', '2'];
  for (const sig of ['SIGINT', 'SIGKILL'] as const) {
    const db = join(dir, `${sig}.db`);
    let sent = false;
    const r = await spawnSweep([...args, '--db', db], (line, kill) => {
      const m = /^sweep: (\d+)\/10 runs/.exec(line);
      if (m && Number(m[1]) >= 2 && !sent) {
        sent = true;
        kill(sig);
      }
    });
    assert.ok(sent, 'the signal was sent');
    if (sig === 'SIGINT') assert.ok(r.status === 130 || r.status === 0 || r.status === 5, `SIGINT exit ${r.status}`);
    else assert.equal(r.signal, 'SIGKILL');
    const kept = records(db); // integrity_check inside
    assert.ok(kept.length >= 2, `${sig}: ${kept.length} records kept`);
    for (const k of kept) {
      const rec = JSON.parse(k) as { trace_hash: string; result_json: string };
      assert.equal((JSON.parse(rec.result_json) as { trace_hash: string }).trace_hash, rec.trace_hash, 'no half-written record');
    }
    const resumed = await cli([...args, '--db', db, '--resume'], [], T);
    assert.ok(resumed.status === 0 || resumed.status === 5, resumed.stderr);
    if (!existsSync(ref)) await cli([...args, '--db', ref], [], T);
    assert.deepEqual(records(db), records(ref));
  }
});

test('sweep: a determinism mismatch is reported loudly and exits 3', async () => {
  const dir = tmp();
  const r = await cli([...SPEC.slice(0, 6), '--seeds', '1..2', '--db', join(dir, 'r.db'), '--check-determinism', '--workers', '2'], [], T);
  assert.ok(r.status === 0 || r.status === 5, r.stderr);
  assert.match(r.stdout, /determinism: 2 run\(s\) checked twice, 0 mismatch/);
  const bad = await withFault('nondeterminism', [...SPEC.slice(0, 6), '--seeds', '1..2', '--db', join(dir, 'bad.db'), '--check-determinism']);
  assert.equal(bad.status, 3, bad.stderr);
  assert.match(bad.stderr, /SIMULATOR BUG: run #\d+ \(seed \d\) is not deterministic: trace hash [0-9a-f]{8} then [0-9a-f]{8}; rerun it with: reclaimsim run flagship/);
  assert.match(bad.stdout, /2 mismatch/);
});

test('sweep: a run the simulator cannot finish is reported with its rerun command, the rest are stored, exit 4', async () => {
  const dir = tmp();
  const db = join(dir, 'f.db');
  const bad = await withFault('invariant:2', [...SPEC.slice(0, 6), '--seeds', '1..2', '--db', db, '--workers', '2']);
  assert.equal(bad.status, 4, bad.stderr);
  const line = /SIMULATOR BUG: run of seed 2: invariant bio-lifetime violated at event \d+ \(t=\d+ns\): bios allocated \d+, freed \d+, completed \d+; rerun it with: (reclaimsim run flagship .* --seed 2 --check full)\n/.exec(bad.stderr);
  assert.ok(line, bad.stderr);
  assert.match(bad.stdout, /runs: 1 of 2 stored/);
  assert.match(bad.stdout, /SIMULATOR ERRORS: 1 run\(s\) stopped by the simulator, with no record/);
  assert.ok(!/unexpected error/.test(bad.stderr), bad.stderr);
  // The store keeps it for `results`.
  const res = await cli(['results', '--db', db, '--failures'], [], T);
  assert.equal(res.status, 0, res.stderr);
  assert.match(res.stdout, /SIMULATOR ERRORS: 1 run\(s\) in the store could not finish:\n {2}model [^,]+, seed 2: invariant bio-lifetime violated at event \d+ .*; rerun it with: reclaimsim run flagship .* --seed 2 --check full\n/);
  // Without the fault, --resume runs the failed one and the sweep is whole.
  const ok = await cli([...SPEC.slice(0, 6), '--seeds', '1..2', '--db', db, '--workers', '2', '--resume'], [], T);
  assert.ok(ok.status === 0 || ok.status === 5, ok.stderr);
  assert.match(ok.stdout, /runs: 2 of 2 stored \(1 run now, 1 already stored\)/);
  const after = await cli(['results', '--db', db], [], T);
  assert.ok(!/SIMULATOR ERRORS/.test(after.stdout), after.stdout);
});

test('stall kinds end to end: sweep findings, results --stall, exports, and shrink keeping the kind', async () => {
  const dir = tmp();
  const db = join(dir, 'r.db');
  // 64 MiB and one CPU: a 200 MiB tree completes; at 240 MiB the tree's dentries and inodes fill
  // RAM and the run livelocks with nothing for the disk to do.
  const base = ['flagship', '--set', 'machine.ram=64MiB', '--set', 'machine.cpus=1', '--set', 'workload.copies=1', '--set', 'checks.watchdog_window=10s'];
  const sw = await cli(['sweep', ...base, '--seeds', '1..1', '--grid', 'workload.tree_size=200MiB,240MiB', '--workers', '1', '--db', db], [], T);
  assert.equal(sw.status, 5, sw.stderr);
  assert.match(sw.stdout, /#(\d+) LIVELOCK \(unreclaimable\) seed 1 \[workload\.tree_size=240MiB\]/);
  const id = /#(\d+) LIVELOCK \(unreclaimable\)/.exec(sw.stdout)![1]!;

  const count = async (...f: string[]): Promise<number> => {
    const r = await cli(['results', '--db', db, ...f, '--json'], [], T);
    assert.equal(r.status, 0, r.stderr);
    return (JSON.parse(r.stdout) as { records: number }).records;
  };
  assert.equal(await count(), 2);
  assert.equal(await count('--stall', 'unreclaimable'), 1);
  assert.equal(await count('--stall', 'sense-buffer'), 0);
  const list = await cli(['results', '--db', db, '--list'], [], T);
  assert.match(list.stdout, new RegExp(`#${id}  LIVELOCK \\(unreclaimable\\)  2\\.6\\.25-rc8`));
  assert.match(list.stdout, /#\d+ {2}COMPLETED {2}2\.6\.25-rc8/);
  const nd = await cli(['results', '--db', db, '--export', 'ndjson'], [], T);
  const recs = nd.stdout.trim().split('\n').map((l) => JSON.parse(l) as { id: number; verdict: string; stall: string | null });
  assert.deepEqual(recs.map((r) => [r.verdict, r.stall]).sort(), [['COMPLETED', null], ['LIVELOCK', 'unreclaimable']]);
  const csv = await cli(['results', '--db', db, '--export', 'csv'], [], T);
  assert.match(csv.stdout.split('\n')[0]!, /,verdict,reason,stall,sim_time_ns,/);

  // The stall kind must be the run's to be kept; `any` drops it.
  const wrong = await cli(['shrink', id, '--db', db, '--stall', 'sense-buffer'], [], T);
  assert.equal(oneLineError(wrong), undefined, wrong.stderr);
  assert.match(wrong.stderr, new RegExp(`run #${id} stalls as unreclaimable, not sense-buffer; choose --stall unreclaimable or another run`));
  const yamlFile = join(dir, 'shrunk.yaml');
  const sh = await cli(['shrink', id, '--db', db, '--budget', '3', '--out', yamlFile], [], T);
  assert.equal(sh.status, 0, sh.stderr);
  assert.match(sh.stderr, new RegExp(`run #${id}: LIVELOCK \\(unreclaimable\\), budget 3 runs`));
  assert.match(readFileSync(yamlFile, 'utf8'), /^# verdict: LIVELOCK \(unreclaimable\), seed 1, found in \d+ shrink runs$/m);
  // --stall any keeps the verdict alone, and the header says so.
  const anyFile = join(dir, 'any.yaml');
  const shAny = await cli(['shrink', id, '--db', db, '--budget', '2', '--stall', 'any', '--out', anyFile], [], T);
  assert.equal(shAny.status, 0, shAny.stderr);
  assert.match(shAny.stderr, new RegExp(`run #${id}: LIVELOCK, budget 2 runs`));
  assert.match(readFileSync(anyFile, 'utf8'), /^# verdict: LIVELOCK, seed 1, found in \d+ shrink runs$/m);
  const run = await cli(['run', yamlFile], [], T);
  assert.equal(run.status, 5, run.stderr);
  assert.match(run.stdout, /^stall: unreclaimable: nothing waits for the disk and swap has room/m);
  // The timeline: time-ordered lines after the reason, ending with the verdict.
  const tl = run.stdout.slice(run.stdout.indexOf('\ntimeline:\n') + 11).split('\n').filter((l) => /^ +\d+\.\d{6} s {2}/.test(l));
  assert.ok(tl.length >= 4, run.stdout);
  assert.match(tl.at(-1)!, /verdict LIVELOCK \(unreclaimable\): the watchdog has seen no progress/);
  assert.ok(tl.some((l) => /last forward progress/.test(l)));
  const ts = tl.map((l) => Number(/(\d+\.\d{6}) s/.exec(l)![1]));
  assert.deepEqual(ts, [...ts].sort((a, b) => a - b));
  // The squeezes follow the timeline (this stall has nothing to do with the GFP_ATOMIC line).
  assert.ok(run.stdout.indexOf('\nsqueezes: ') > run.stdout.indexOf('\ntimeline:\n'), run.stdout);
  assert.match(run.stdout, /^squeezes: (none \(free memory never reached|\d+ \(free memory at or below)/m);

  for (const args of [
    ['results', '--db', db, '--stall', 'stuck'],
    ['shrink', id, '--db', db, '--stall', 'stuck'],
  ]) {
    const e = await cli(args, [], T);
    assert.equal(oneLineError(e), undefined, `${args.join(' ')}: ${e.stderr}`);
    assert.match(e.stderr, /--stall: expected one of/);
  }
});

test('replay: a record the same model does not reproduce is a simulator bug (exit 3); one stored by another model version says so (exit 1)', async () => {
  const dir = tmp();
  const db = join(dir, 'r.db');
  const sw = await cli([...SPEC.slice(0, -4), '--seeds', '1..1', '--db', db, '--workers', '1'], [], T);
  assert.ok(sw.status === 0 || sw.status === 5, sw.stderr);
  const ok = await cli(['replay', '1', '--db', db], [], T);
  assert.equal(ok.status, 0, ok.stderr);
  assert.match(ok.stdout, /^squeezes: (none|\d+) /m);
  // Tamper with the stored trace hash: the same model version must reproduce it.
  const edit = (sql: string): void => {
    const d = new Database(db);
    try {
      d.prepare(sql).run();
    } finally {
      d.close();
    }
  };
  edit("UPDATE runs SET trace_hash = '00000000' WHERE id = 1");
  const bug = await cli(['replay', '1', '--db', db], [], T);
  assert.equal(bug.status, 3, bug.stderr);
  assert.match(bug.stderr, /SIMULATOR BUG: run #1 did not reproduce \(model \S+, the same as this reclaimsim's\)/);
  edit("UPDATE runs SET model_version = '0.0.1+m1' WHERE id = 1");
  const old = await cli(['replay', '1', '--db', db], [], T);
  assert.equal(old.status, 1, old.stderr);
  assert.equal(oneLineError(old), undefined, old.stderr);
  assert.match(old.stderr, /replay 1: run #1 was stored by model 0\.0\.1\+m1, this reclaimsim is model \S+\+m\d+, whose results may differ by design/);
});

test('results --baseline/--candidate and shrink --candidate: the fix against rc8 run by run on the flagship, both ways, and their errors', async () => {
  const dir = tmp();
  const db = join(dir, 'r.db');
  const sw = await cli(['sweep', 'flagship', '--set', 'checks.watchdog_window=10s', '--seeds', '1..2', '--grid', 'profile=2.6.25-rc8,2.6.25', '--db', db], [], T);
  assert.equal(sw.status, 5, sw.stderr);
  // The sweep names the comparison of its grid's kernels.
  assert.match(sw.stdout, /^run by run: reclaimsim results --db \S+ --baseline 2\.6\.25-rc8 --candidate 2\.6\.25$/m);

  const fix = await cli(['results', '--db', db, '--baseline', '2.6.25-rc8', '--candidate', '2.6.25'], [], T);
  assert.equal(fix.status, 0, fix.stderr);
  assert.match(fix.stdout, /2\.6\.25-rc8 \(baseline\) against 2\.6\.25 \(candidate\): 2 pair\(s\)/);
  assert.match(fix.stdout, /^LIVELOCK\s+2$/m);
  assert.match(fix.stdout, /2\.6\.25-rc8 stalled in 2 pair\(s\): 2\.6\.25 completed 2 of them \(100\.0% /);
  assert.match(fix.stdout, /new stalls: 0 /);

  // The other way round the candidate stalls in every pair: listed with replay commands, exit 5.
  const back = await cli(['results', '--db', db, '--baseline', '2.6.25', '--candidate', '2.6.25-rc8', '--json'], [], T);
  assert.equal(back.status, 5, back.stderr);
  const j = JSON.parse(back.stdout) as { pairs: number; new_stalls: number; new: { seed: number; candidate: string; replay: string }[] };
  assert.equal(j.pairs, 2);
  assert.equal(j.new_stalls, 2);
  assert.deepEqual(j.new.map((p) => [p.seed, p.candidate]), [[1, 'LIVELOCK (sense-buffer)'], [2, 'LIVELOCK (sense-buffer)']]);
  const replay = await cli([...j.new[0]!.replay.replace(/^reclaimsim /, '').split(' ')], [], T);
  assert.equal(replay.status, 0, replay.stderr);
  assert.match(replay.stdout, /LIVELOCK/);
  assert.match(replay.stdout, /trace hash: stored \S+, replayed \S+: match/);

  // Shrinking rc8's finding while the fix keeps completing: the file shows the bug and its fix.
  const rc8Id = String(j.new[0]!.replay.match(/replay (\d+)/)![1]);
  const file = join(dir, 'shrunk.yaml');
  const sh = await cli(['shrink', rc8Id, '--db', db, '--candidate', '2.6.25', '--budget', '6', '--out', file], [], T);
  assert.equal(sh.status, 0, sh.stderr);
  assert.match(sh.stderr, /run #\d+: LIVELOCK \(sense-buffer\), and COMPLETED with 2\.6\.25, budget 6 runs/);
  const yaml = readFileSync(file, 'utf8');
  // The header's commands name the file --out wrote.
  assert.ok(yaml.includes(`\n# reproduce: reclaimsim run ${file}\n`), yaml);
  assert.ok(yaml.includes(`\n# with 2.6.25: COMPLETED: reclaimsim run ${file} --set 'profile=2.6.25' --set 'variants=[]'\n`), yaml);
  const onRc8 = await cli(['run', file], [], T);
  assert.equal(onRc8.status, 5, onRc8.stderr);
  const onFix = await cli(['run', file, '--set', 'profile=2.6.25', '--set', 'variants=[]'], [], T);
  assert.equal(onFix.status, 0, onFix.stderr);
  for (const [args, re] of [
    [['--candidate', '2.6.25-rc8'], /--candidate 2\.6\.25-rc8: run #\d+ already runs this kernel/],
    [['--candidate', '2.6.26'], /--candidate 2\.6\.26: unknown kernel profile/],
  ] as [string[], RegExp][]) {
    const r = await cli(['shrink', rc8Id, '--db', db, ...args], [], T);
    assert.equal(oneLineError(r), undefined, r.stderr);
    assert.match(r.stderr, re);
  }

  for (const [args, re] of [
    [['--baseline', '2.6.25-rc8'], /--candidate: missing; a comparison needs both/],
    [['--baseline', '2.6.25-rc8', '--candidate', '2.6.25', '--verdict', 'LIVELOCK'], /--verdict: not with --baseline\/--candidate/],
    [['--baseline', '2.6.25-rc8', '--candidate', '2.6.24'], /no pairs in .*\(2 and 0 run\(s\)\); pair runs by sweeping the same seeds with each kernel/],
    [['--baseline', '2.6.25-rc8+nope', '--candidate', '2.6.25'], /--baseline 2\.6\.25-rc8\+nope: unknown variant "nope"/],
  ] as [string[], RegExp][]) {
    const r = await cli(['results', '--db', db, ...args], [], T);
    assert.equal(oneLineError(r), undefined, r.stderr);
    assert.match(r.stderr, re);
  }
});

test('sweep: runs a limit stopped are counted apart and named under the findings, with what to raise', async () => {
  const dir = tmp();
  const db = join(dir, 'r.db');
  // rc8 latches at about 1 s on this box; a 2 s limit stops it well inside the 135 s window.
  const r = await cli(['sweep', 'flagship', ...SMALL, '--set', 'checks.time_limit=2s', '--seeds', '1..2', '--grid', 'profile=2.6.25-rc8', '--db', db], [], T);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /findings: none/);
  assert.match(r.stdout, /\nlimits: 2 run\(s\) stopped at checks\.time_limit or checks\.event_limit before the watchdog could judge them \(the "limit" column\): .*raise checks\.time_limit to judge them\n/);
  // A sweep where every run got its verdict has no such line.
  const ok = await cli(['sweep', 'flagship', ...SMALL, '--seeds', '1', '--grid', 'profile=2.6.25', '--db', join(dir, 'ok.db')], [], T);
  assert.equal(ok.status, 0, ok.stderr);
  assert.doesNotMatch(ok.stdout, /\nlimits:/);
});
