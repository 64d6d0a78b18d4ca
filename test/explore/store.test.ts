import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { ResultStore, SCHEMA_VERSION } from '../../src/explore/store.js';
import { buildJobs } from '../../src/explore/spec.js';
import type { WorkerOutput } from '../../src/explore/types.js';
import { modelVersion } from '../../src/explore/version.js';
import { toCsv, toNdjson } from '../../src/cli/commands/results.js';
import { parseParamFilter } from '../../src/explore/filter.js';
import { smallSpec } from './helpers.js';
import type { RunResult } from '../../src/scenario/result.js';

function fakeOutput(verdict: string, hash: string): WorkerOutput {
  const result = { verdict, reason: 'r, "quoted"', seed: 1, profile: '2.6.25-rc8', variants: [], scenario: 'small', sim_time_ns: 1, events: 2, writeback_pages_stuck: 0, alloc_failure_reports: 0, free_list_uses: 0, time_to_livelock_ns: verdict === 'LIVELOCK' ? 7 : null, time_to_finish_ns: null, bytes_per_command: 1, pswpout: 3, pages_copied: 4, hung_task_reports: 0, figures: {}, tasks: [], trace_hash: hash } as unknown as RunResult;
  return { result, json: JSON.stringify(result), host_ns: 1 };
}

test('store: created on first use with a schema version; records round-trip; duplicates are not stored twice', () => {
  const dir = mkdtempSync(join(tmpdir(), 'reclaimsim-store-'));
  const file = join(dir, 'r.db');
  const jobs = buildJobs(smallSpec({ seeds: { from: 1, to: 2 } }));
  const s = ResultStore.open(file);
  const sweep = s.addSweep({ x: 1 }, modelVersion());
  const id1 = s.insert(sweep, modelVersion(), jobs[0]!, fakeOutput('LIVELOCK', 'aaaa0001'));
  const id2 = s.insert(sweep, modelVersion(), jobs[1]!, fakeOutput('COMPLETED', 'aaaa0002'));
  assert.equal(s.insert(sweep, modelVersion(), jobs[0]!, fakeOutput('COMPLETED', 'ffff')), id1, 'same (model, scenario, seed): the first record stays');
  const r = s.get(id1)!;
  assert.equal(r.verdict, 'LIVELOCK');
  assert.equal(r.trace_hash, 'aaaa0001');
  assert.deepEqual(r.sets, jobs[0]!.sets);
  assert.deepEqual(r.variants, []);
  assert.equal(r.sched_salt, null);
  assert.equal(r.determinism, 'once');
  assert.deepEqual(JSON.parse(r.params_json), jobs[0]!.params);
  assert.equal(s.query().length, 2);
  assert.deepEqual(s.query({ verdict: 'LIVELOCK' }).map((x) => x.id), [id1]);
  assert.deepEqual(s.query({ variant: 'none' }).map((x) => x.id), [id1, id2]);
  assert.deepEqual(s.query({ variant: 'slab' }).map((x) => x.id), []);
  assert.deepEqual(s.query({ params: [{ path: ['machine', 'ram_bytes'], value: 128 * 2 ** 20 }] }).length, 2);
  assert.deepEqual(s.query({ params: [{ path: ['machine', 'ram_bytes'], value: 256 * 2 ** 20 }] }).length, 0);
  assert.deepEqual(s.query({ params: [{ path: ['seed'], value: 2 }] }).map((x) => x.id), [id2]);
  assert.deepEqual([...s.doneKeys(modelVersion())].sort(), [`${jobs[0]!.scenario_hash}/1`, `${jobs[1]!.scenario_hash}/2`].sort());
  assert.equal(s.doneKeys('other').size, 0);
  assert.equal(s.integrity(), 'ok');
  s.close();
  const raw = new Database(file, { readonly: true });
  assert.deepEqual(raw.prepare('SELECT version FROM schema_version').all(), [{ version: SCHEMA_VERSION }]);
  raw.close();
  // Reopening keeps the records.
  const again = ResultStore.open(file, { mustExist: true });
  assert.equal(again.query().length, 2);
  // Exports: one JSON object per line; CSV with a header and quoted cells.
  const nd = toNdjson(again.query());
  assert.equal(nd.split('\n').length, 3);
  assert.equal(JSON.parse(nd.split('\n')[0]!).trace_hash, 'aaaa0001');
  const csv = toCsv(again.query());
  assert.match(csv.split('\n')[0]!, /^id,sweep_id,model_version,scenario_hash,seed,/);
  assert.match(csv, /"r, ""quoted"""/);
  again.close();
});

test('store: a --param filter matches a record stored before its field existed when the value is the field\'s default', () => {
  const s = ResultStore.open(':memory:');
  const sweep = s.addSweep({ x: 1 }, modelVersion());
  const job = buildJobs(smallSpec({ seeds: { from: 1, to: 1 } }))[0]!;
  const { sched_salt: _salt, ...older } = JSON.parse(job.scenario_json) as Record<string, unknown>;
  const id1 = s.insert(sweep, modelVersion(), job, fakeOutput('COMPLETED', 'aaaa0001'));
  const id2 = s.insert(sweep, modelVersion(), { ...job, seed: 2, scenario_hash: 'older', scenario_json: JSON.stringify(older) }, fakeOutput('COMPLETED', 'aaaa0002'));
  assert.deepEqual(s.query({ params: [parseParamFilter('sched_salt=0')] }).map((x) => x.id), [id1, id2]);
  assert.deepEqual(s.query({ params: [parseParamFilter('sched_salt=4')] }).map((x) => x.id), []);
  assert.deepEqual(s.query({ params: [parseParamFilter('machine.ram=128MiB')] }).map((x) => x.id), [id1, id2]);
  s.close();
});

test('store: a missing store, a foreign SQLite file and a non-database file are one-line errors', () => {
  const dir = mkdtempSync(join(tmpdir(), 'reclaimsim-store-'));
  assert.throws(() => ResultStore.open(join(dir, 'none.db'), { mustExist: true }), (e: Error) => /^--db .*none\.db: no such results store/.test(e.message));
  const foreign = join(dir, 'foreign.db');
  const db = new Database(foreign);
  db.exec('CREATE TABLE t (x)');
  db.close();
  assert.throws(() => ResultStore.open(foreign), (e: Error) => /not a reclaimsim results store/.test(e.message));
  const junk = join(dir, 'junk.db');
  writeFileSync(junk, 'this is not sqlite at all, just text '.repeat(100));
  assert.throws(() => ResultStore.open(junk), (e: Error) => /^--db .*junk\.db: cannot open the results store/.test(e.message) && !e.message.includes('\n'));
});

test('store: a record\'s squeezes and those that ended come out of its result (null for results without them)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'reclaimsim-store-'));
  const s = ResultStore.open(join(dir, 'r.db'));
  const jobs = buildJobs(smallSpec({ seeds: { from: 1, to: 3 } }));
  const sweep = s.addSweep({ x: 1 }, modelVersion());
  const withSqueezes = (verdict: string, hash: string, ends: (number | null)[]): WorkerOutput => {
    const o = fakeOutput(verdict, hash);
    const ended = ends.filter((e) => e !== null).length;
    const result = { ...o.result, figures: { squeezes: ends.length, squeezes_ended: ended }, squeezes: ends.map((end_ns, i) => ({ start_ns: i, end_ns })) } as unknown as RunResult;
    return { ...o, result, json: JSON.stringify(result) };
  };
  const latched = s.insert(sweep, modelVersion(), jobs[0]!, withSqueezes('LIVELOCK', 'aaaa0001', [5, 9, null]));
  const through = s.insert(sweep, modelVersion(), jobs[1]!, withSqueezes('COMPLETED', 'aaaa0002', [5, 9]));
  const old = s.insert(sweep, modelVersion(), jobs[2]!, fakeOutput('COMPLETED', 'aaaa0003'));
  assert.deepEqual([s.get(latched)!, s.get(through)!, s.get(old)!].map((r) => [r.squeezes, r.squeezes_ended]), [[3, 2], [2, 2], [null, null]]);
  s.close();
});
