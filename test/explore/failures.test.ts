/**
 * Runs the simulator cannot finish (a broken invariant, a simulator assertion, a crash) in sweeps
 * and batches: reported with the command that reruns them, the other runs go on, nothing is
 * stored for the failed one, and --resume runs it again. Faults are injected in the workers with
 * RECLAIMSIM_EXPLORE_FAULT (src/explore/execute.ts).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { execute, failureError } from '../../src/explore/execute.js';
import { runSweep } from '../../src/explore/sweep.js';
import { runMany } from '../../src/explore/pool.js';
import { ResultStore } from '../../src/explore/store.js';
import { buildJobs } from '../../src/explore/spec.js';
import { InvariantViolation } from '../../src/check/invariants.js';
import { SimulatorError } from '../../src/sim/assert.js';
import { smallSpec } from './helpers.js';

async function withFault<T>(fault: string, fn: () => Promise<T> | T): Promise<T> {
  process.env['RECLAIMSIM_EXPLORE_FAULT'] = fault;
  try {
    return await fn();
  } finally {
    delete process.env['RECLAIMSIM_EXPLORE_FAULT'];
  }
}

test('execute: a broken invariant and a crash come back as failures, as plain data', async () => {
  const job = buildJobs(smallSpec({ seeds: { from: 2, to: 2 } }))[0]!;
  const inv = await withFault('invariant:2', () => execute(job.params, false));
  assert.ok('failure' in inv);
  assert.equal(inv.failure.kind, 'invariant');
  assert.equal(inv.failure.invariant, 'bio-lifetime');
  assert.match(inv.failure.message, /bios allocated \d+, freed \d+/);
  assert.ok(inv.failure.event !== null && inv.failure.event > 0 && inv.failure.time_ns !== null);
  assert.deepEqual(JSON.parse(JSON.stringify(inv.failure)), inv.failure, 'plain data');
  const crash = await withFault('crash:2', () => execute(job.params, true));
  assert.ok('failure' in crash);
  assert.equal(crash.failure.kind, 'unexpected');
  assert.match(crash.failure.message, /injected crash/);
  // Another seed is untouched by the fault.
  const other = await withFault('invariant:3', () => execute(job.params, false));
  assert.ok('result' in other && other.result.verdict === 'COMPLETED');
});

test('failureError gives back the error class the CLI maps to its exit code, with the context added', () => {
  const inv = failureError({ kind: 'invariant', invariant: 'lru-lists', message: 'broken', time_ns: 5, event: 7 }, 'in the run of seed 3');
  assert.ok(inv instanceof InvariantViolation);
  assert.equal(inv.invariant, 'lru-lists');
  assert.match(inv.message, /lru-lists violated at event 7 \(t=5ns\): broken; in the run of seed 3/);
  const as = failureError({ kind: 'assertion', invariant: null, message: 'pfn 4 is not free', time_ns: 9, event: 11 }, 'x');
  assert.ok(as instanceof SimulatorError);
  assert.equal(as.timeNs, 9);
  assert.match(as.toString(), /pfn 4 is not free; x \(at t=9ns, event 11\)/);
  const other = failureError({ kind: 'unexpected', invariant: null, message: 'boom', time_ns: null, event: null }, 'y');
  assert.ok(!(other instanceof SimulatorError) && !(other instanceof InvariantViolation));
  assert.equal(other.message, 'boom; y');
});

test('sweep: a failed run is reported and not stored, the others are, and --resume runs it again', async () => {
  const store = ResultStore.open(':memory:');
  const seen: string[] = [];
  const o = await withFault('invariant:2', () =>
    runSweep(smallSpec({ seeds: { from: 1, to: 3 } }), { store, workers: 2, onFailure: (j, f) => seen.push(`${j.seed}:${f.invariant}`) }),
  );
  assert.deepEqual(seen, ['2:bio-lifetime']);
  assert.equal(o.failures.length, 1);
  assert.equal(o.failures[0]!.job.seed, 2);
  assert.equal(o.stopped, false);
  assert.deepEqual(o.records.map((r) => r.seed).sort(), [1, 3]);
  // The store keeps the failure, with what the rerun command needs.
  const kept = store.failures();
  assert.equal(kept.length, 1);
  assert.equal(kept[0]!.seed, 2);
  assert.equal(kept[0]!.kind, 'invariant');
  assert.equal(kept[0]!.invariant, 'bio-lifetime');
  assert.deepEqual(kept[0]!.sets, o.failures[0]!.job.sets);
  const again = await runSweep(smallSpec({ seeds: { from: 1, to: 3 } }), { store, workers: 2, resume: true });
  assert.equal(again.failures.length, 0);
  assert.equal(again.ranNow, 1);
  assert.deepEqual(again.records.map((r) => r.seed), [1, 2, 3]);
  assert.deepEqual(store.failures(), [], 'the run that failed has now finished');
  store.close();
});

test('store: a store made before the failures table reads as having none, and gains the table when opened for writing', () => {
  const dir = mkdtempSync(join(tmpdir(), 'reclaimsim-failures-'));
  const file = join(dir, 'old.db');
  ResultStore.open(file).close();
  const raw = new Database(file);
  raw.exec('DROP TABLE failures');
  raw.close();
  const ro = ResultStore.open(file, { mustExist: true, readonly: true });
  assert.deepEqual(ro.failures(), []);
  ro.close();
  const rw = ResultStore.open(file, { mustExist: true });
  const job = buildJobs(smallSpec({ seeds: { from: 4, to: 4 } }))[0]!;
  rw.insertFailure(rw.addSweep({}, 'v'), 'v', job, { kind: 'assertion', invariant: null, message: 'x', time_ns: 1, event: 2 });
  assert.equal(rw.failures().length, 1);
  assert.equal(rw.integrity(), 'ok');
  rw.close();
});

test('runMany: a failed run rejects the batch with its error class and names its seed', async () => {
  const params = buildJobs(smallSpec({ seeds: { from: 1, to: 2 } })).map((j) => j.params);
  await assert.rejects(
    withFault('invariant:2', () => runMany(params, 2)),
    (e: unknown) => e instanceof InvariantViolation && e.invariant === 'bio-lifetime' && /in the run of seed 2 on 2\.6\.25-rc8/.test(e.message),
  );
});
