import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ResultStore } from '../../src/explore/store.js';
import { runSweep } from '../../src/explore/sweep.js';
import { runMany } from '../../src/explore/pool.js';
import { buildJobs, parseGrid } from '../../src/explore/spec.js';
import { replayRecord } from '../../src/explore/replay.js';
import { runOnce } from '../../src/explore/execute.js';
import { runScenario } from '../../src/scenario/run.js';
import { paramsFromScenario } from '../../src/scenario/params.js';
import { comparable, SCENARIO, SMALL_SETS, smallScenario, smallSpec } from './helpers.js';

const spec = smallSpec({ seeds: { from: 1, to: 3 }, grid: [parseGrid('profile=2.6.25-rc8,2.6.25', SCENARIO, SMALL_SETS)] });

test('runMany returns results in input order, the same with 1 and 2 workers and as in-process runs', async () => {
  const params = buildJobs(spec).map((j) => j.params);
  const one = await runMany(params, 1);
  const two = await runMany(params, 2);
  assert.equal(one.length, params.length);
  assert.deepEqual(two, one);
  assert.deepEqual(one.map((r) => r.seed), params.map((p) => p.seed));
  assert.deepEqual(one[0], runScenario(params[0]!).result);
});

test('a sweep gives identical records with 1 worker, with 2 workers and on a re-run', async () => {
  const runs: string[][] = [];
  for (const workers of [1, 2, 2]) {
    const store = ResultStore.open(':memory:');
    const o = await runSweep(spec, { store, workers });
    assert.equal(o.records.length, 6);
    assert.equal(o.ranNow, 6);
    assert.equal(o.stopped, false);
    assert.equal(o.mismatches, 0);
    assert.equal(o.records.filter((r) => r.determinism === 'twice').length, 1, 'job 0 is checked by default');
    runs.push(comparable(store.query()));
    store.close();
  }
  assert.deepEqual(runs[1], runs[0]);
  assert.deepEqual(runs[2], runs[0]);
});

test('an interrupted sweep resumed ends with exactly the records of an uninterrupted one', async () => {
  const full = ResultStore.open(':memory:');
  await runSweep(spec, { store: full, workers: 2 });
  const part = ResultStore.open(':memory:');
  const first = await runSweep(spec, { store: part, workers: 2, stopAfter: 2 });
  assert.equal(first.stopped, true);
  assert.equal(first.ranNow, 2);
  assert.equal(part.query().length, 2);
  // Without --resume the stored pairs are an error; with it they are skipped.
  await assert.rejects(runSweep(spec, { store: part, workers: 2 }), (e: Error) => /already holds 2 of this sweep's 6 runs; add --resume/.test(e.message));
  const second = await runSweep(spec, { store: part, workers: 1, resume: true });
  assert.equal(second.skipped, 2);
  assert.equal(second.ranNow, 4);
  assert.equal(second.stopped, false);
  assert.deepEqual(comparable(part.query()), comparable(full.query()));
  // A resumed sweep's progress starts from the findings already stored, as its run count does
  // (these small runs all complete, so the store is told that every stored run was one).
  const progress: { done: number; findings: number }[] = [];
  const told = Object.assign(Object.create(part) as ResultStore, { findingKeys: (mv: string) => part.doneKeys(mv) });
  await runSweep(spec, { store: told, workers: 1, resume: true, onProgress: (p) => progress.push(p) });
  assert.deepEqual(progress[0], { done: 6, total: 6, findings: 6 });
  // Resuming a complete sweep runs nothing.
  const third = await runSweep(spec, { store: part, workers: 2, resume: true });
  assert.equal(third.ranNow, 0);
  assert.equal(third.records.length, 6);
  full.close();
  part.close();
});

test('a stop signal keeps every finished record and drops the rest', async () => {
  const store = ResultStore.open(':memory:');
  const ctrl = new AbortController();
  const o = await runSweep(smallSpec({ seeds: { from: 1, to: 12 } }), {
    store,
    workers: 2,
    stopSignal: ctrl.signal,
    onProgress: (p) => {
      if (p.done >= 1) ctrl.abort();
    },
  });
  assert.equal(o.stopped, true);
  assert.ok(o.ranNow >= 1 && o.ranNow < 12, String(o.ranNow));
  assert.equal(store.query().length, o.ranNow);
  for (const r of store.query()) assert.equal(JSON.parse(r.result_json).trace_hash, r.trace_hash);
  store.close();
});

test('the determinism self-check runs twice and reports mismatches (fault injected in the workers)', async () => {
  process.env['RECLAIMSIM_EXPLORE_FAULT'] = 'nondeterminism';
  try {
    const store = ResultStore.open(':memory:');
    const seen: number[] = [];
    const o = await runSweep(smallSpec({ seeds: { from: 1, to: 2 }, checkAll: true }), { store, workers: 2, onMismatch: (j) => seen.push(j.seed) });
    assert.equal(o.mismatches, 2);
    assert.deepEqual(seen.sort(), [1, 2]);
    assert.ok(store.query().every((r) => r.determinism === 'mismatch'));
    store.close();
  } finally {
    delete process.env['RECLAIMSIM_EXPLORE_FAULT'];
  }
  const store = ResultStore.open(':memory:');
  const o = await runSweep(smallSpec({ seeds: { from: 1, to: 2 }, checkAll: true }), { store, workers: 2 });
  assert.equal(o.mismatches, 0);
  assert.ok(store.query().every((r) => r.determinism === 'twice'));
  store.close();
});

test('replay of a stored run reproduces its trace hash and result JSON byte for byte; a salted run too', async () => {
  const store = ResultStore.open(':memory:');
  await runSweep(smallSpec({ seeds: { from: 4, to: 5 }, swarm: true, grid: [parseGrid('machine.cpus=1,2,3', SCENARIO, SMALL_SETS)] }), { store, workers: 2 });
  for (const rec of store.query()) {
    assert.ok(rec.sched_salt !== null && rec.sched_salt > 0);
    const r = replayRecord(rec);
    assert.equal(r.result.trace_hash, rec.trace_hash);
    assert.ok(r.traceHashMatches && r.jsonMatches);
    // A tampered record does not reproduce.
    assert.equal(replayRecord({ ...rec, trace_hash: '00000000' }).traceHashMatches, false);
  }
  store.close();
});

test('the scheduler salt changes the same-instant decisions and nothing else about the parameters', () => {
  const p = buildJobs(smallSpec({ seeds: { from: 1, to: 1 } }))[0]!.params;
  const base = runOnce(p);
  assert.deepEqual(runOnce({ ...p, sched_salt: 0 }), base, 'salt 0 is no salt');
  assert.deepEqual(base, runScenario(p).result, 'unsalted explore runs are plain runs');
  const salted = [1, 2, 3].map((s) => runOnce({ ...p, sched_salt: s }).trace_hash);
  assert.ok(salted.some((h) => h !== base.trace_hash), 'some salt changes the trace');
  assert.equal(runOnce({ ...p, sched_salt: 2 }).trace_hash, salted[1], 'a salt is reproducible');
  // A scenario file can state the salt: the same run as the parameter.
  const filed = paramsFromScenario(smallScenario(['seed=1', 'sched_salt=2']));
  assert.equal(filed.sched_salt, 2);
  assert.equal(runOnce(filed).trace_hash, salted[1], 'sched_salt in the scenario is the same salt');
  assert.equal(paramsFromScenario(smallScenario(['sched_salt=0'])).sched_salt, undefined, 'sched_salt 0 adds no salt');
});

test('a swarm draw replaces the scenario\'s own sched_salt; a grid sweep keeps it', () => {
  const grid = buildJobs(smallSpec({ seeds: { from: 1, to: 2 }, sets: [...SMALL_SETS, 'sched_salt=9'] }));
  for (const j of grid) {
    assert.equal(j.params.sched_salt, 9);
    assert.equal((JSON.parse(j.scenario_json) as { sched_salt: number }).sched_salt, 9);
  }
  const swarm = buildJobs(smallSpec({ seeds: { from: 1, to: 2 }, sets: [...SMALL_SETS, 'sched_salt=9'], swarm: true }));
  for (const j of swarm) {
    assert.ok(j.params.sched_salt !== undefined && j.params.sched_salt !== 9);
    assert.equal((JSON.parse(j.scenario_json) as { sched_salt: number }).sched_salt, j.params.sched_salt, 'the stored scenario states the salt the run had');
  }
});
