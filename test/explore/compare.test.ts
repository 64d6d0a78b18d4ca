import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareRuns, formatComparison, parseSide } from '../../src/explore/compare.js';
import { ExploreError } from '../../src/explore/errors.js';
import type { RunRecord } from '../../src/explore/types.js';

let nextId = 1;

/** A stored run as compareRuns sees it: the kernel, the verdict, and the scenario it pairs by. */
function rec(profile: string, variants: string[], seed: number, verdict: RunRecord['verdict'], over: { ram?: string; model?: string; finish?: number; stall?: RunRecord['stall']; salt?: number; patch?: number } = {}): RunRecord {
  const scenario = { name: 'flagship', profile, variants, seed, sched_salt: over.salt ?? 0, machine: { ram: over.ram ?? '2816MiB', cpus: 2 }, live_patch: { at_ns: over.patch ?? 0 } };
  return {
    id: nextId++,
    sweep_id: 1,
    model_version: over.model ?? 'm21',
    scenario_hash: `h${nextId}`,
    seed,
    sched_salt: over.salt ?? null,
    source: 'flagship',
    sets: ['checks.watchdog_window=10s', `profile=${profile}`, ...(over.ram ? [`machine.ram=${over.ram}`] : [])],
    cell: 0,
    cell_label: [`profile=${profile}`, ...(over.ram ? [`machine.ram=${over.ram}`] : [])].join(' '),
    scenario: 'flagship',
    profile,
    variants,
    verdict,
    reason: '',
    stall: over.stall ?? (verdict === 'LIVELOCK' || verdict === 'DEADLOCK' ? 'sense-buffer' : null),
    squeezes: null,
    squeezes_ended: null,
    sim_time_ns: 1,
    events: 1,
    time_to_livelock_ns: null,
    time_to_finish_ns: verdict === 'COMPLETED' ? (over.finish ?? 25e9) : null,
    writeback_pages_stuck: 0,
    alloc_failure_reports: 0,
    free_list_uses: 0,
    pswpout: 0,
    pages_copied: 0,
    hung_task_reports: 0,
    trace_hash: 'x',
    determinism: 'once',
    params_json: '{}',
    scenario_json: JSON.stringify(scenario),
    result_json: '{}',
  };
}

const RC8 = parseSide('2.6.25-rc8', '--baseline');
const FIX = parseSide('2.6.25', '--candidate');

test('compare: pairs by scenario, seed, salt and model; counts fixed, still stalled and new stalls', () => {
  const records = [
    // Seeds 1-3 at the default RAM: rc8 livelocks, the fix completes in 1 and 2, stalls in 3.
    rec('2.6.25-rc8', [], 1, 'LIVELOCK'),
    rec('2.6.25', [], 1, 'COMPLETED', { finish: 24e9 }),
    rec('2.6.25-rc8', [], 2, 'LIVELOCK'),
    rec('2.6.25', [], 2, 'COMPLETED', { finish: 26e9 }),
    rec('2.6.25-rc8', [], 3, 'DEADLOCK', { stall: 'unreclaimable' }),
    rec('2.6.25', [], 3, 'LIVELOCK'),
    // Seed 1 at 2 GiB: both complete; seed 2 at 2 GiB: a new stall in the fix.
    rec('2.6.25-rc8', [], 1, 'COMPLETED', { ram: '2GiB', finish: 20e9 }),
    rec('2.6.25', [], 1, 'COMPLETED', { ram: '2GiB', finish: 22e9 }),
    rec('2.6.25-rc8', [], 2, 'COMPLETED', { ram: '2GiB' }),
    rec('2.6.25', [], 2, 'LIVELOCK', { ram: '2GiB' }),
    // A LIMIT pair.
    rec('2.6.25-rc8', [], 4, 'LIMIT'),
    rec('2.6.25', [], 4, 'COMPLETED'),
    // Unpaired: another salt, another model version, a baseline with no partner.
    rec('2.6.25-rc8', [], 5, 'LIVELOCK', { salt: 7 }),
    rec('2.6.25', [], 5, 'COMPLETED', { salt: 8 }),
    rec('2.6.25-rc8', [], 6, 'LIVELOCK'),
    rec('2.6.25', [], 6, 'COMPLETED', { model: 'm20' }),
    // Neither side: ignored.
    rec('2.6.24', [], 1, 'COMPLETED'),
    rec('2.6.25-rc8', ['noop-ctor'], 1, 'COMPLETED'),
  ];
  const c = compareRuns(records, RC8, FIX);
  assert.equal(c.pairs, 6);
  assert.deepEqual(c.matrix, { LIVELOCK: { COMPLETED: 2 }, DEADLOCK: { LIVELOCK: 1 }, COMPLETED: { COMPLETED: 1, LIVELOCK: 1 }, LIMIT: { COMPLETED: 1 } });
  assert.equal(c.baseline_stalled, 3);
  assert.equal(c.fixed, 2);
  assert.equal(c.still_stalled, 1);
  assert.equal(c.new_stalls, 1);
  assert.equal(c.both_completed, 1);
  assert.deepEqual(c.median_finish_ns, { baseline: 20e9, candidate: 22e9 });
  assert.equal(c.median_finish_delta_ns, 2e9);
  assert.equal(c.limit, 1);
  assert.deepEqual(c.unpaired, { baseline: 2, candidate: 2 });
  assert.ok(c.fixed_ci95[0] > 0.2 && c.fixed_ci95[0] < 0.667 && c.fixed_ci95[1] > 0.667 && c.fixed_ci95[1] < 1);
  assert.deepEqual(c.still.map((p) => [p.seed, p.baseline, p.candidate]), [[3, 'DEADLOCK (unreclaimable)', 'LIVELOCK (sense-buffer)']]);
  // For scripts, verdict and stall kind apart too.
  assert.deepEqual(c.still.map((p) => [p.baseline_verdict, p.baseline_stall, p.candidate_verdict, p.candidate_stall]), [['DEADLOCK', 'unreclaimable', 'LIVELOCK', 'sense-buffer']]);
  assert.deepEqual(c.new.map((p) => [p.seed, p.cell, p.candidate_id]), [[2, 'machine.ram=2GiB', records[9]!.id]]);

  const text = formatComparison(c, (id) => `reclaimsim replay ${id}`);
  assert.match(text, /^2\.6\.25-rc8 \\ 2\.6\.25\s+COMPLETED\s+LIVELOCK$/m);
  assert.match(text, /^LIVELOCK\s+2\s+0$/m);
  assert.match(text, /2\.6\.25-rc8 stalled in 3 pair\(s\): 2\.6\.25 completed 2 of them \(66\.7% \[\d+\.\d%, \d+\.\d%\]\), stalled in 1/);
  assert.match(text, /new stalls: 1 /);
  assert.match(text, /both completed: 1 \(median time to finish the workload: 2\.6\.25-rc8 20\.0s, 2\.6\.25 22\.0s; 2\.6\.25 minus 2\.6\.25-rc8, pair by pair: median \+2\.000s\)/);
  assert.match(text, /unpaired runs: 2\.6\.25-rc8 2, 2\.6\.25 2/);
  assert.match(text, new RegExp(`seed 2 \\[machine\\.ram=2GiB\\]: 2\\.6\\.25-rc8 COMPLETED, 2\\.6\\.25 LIVELOCK \\(sense-buffer\\): reclaimsim replay ${records[9]!.id}`));
});

test('compare: variants pair whatever their order; the list of stalled pairs is cut at the limit', () => {
  const records: RunRecord[] = [];
  for (let seed = 1; seed <= 12; seed++) {
    records.push(rec('2.6.25-rc8', [], seed, 'LIVELOCK'), rec('2.6.25-rc8', ['slab', 'noop-ctor'], seed, 'LIVELOCK'));
  }
  const c = compareRuns(records, RC8, parseSide('2.6.25-rc8+noop-ctor,slab', '--candidate'));
  assert.equal(c.candidate, '2.6.25-rc8+noop-ctor,slab');
  assert.equal(c.pairs, 12);
  assert.equal(c.still_stalled, 12);
  const text = formatComparison(c, (id) => `replay ${id}`, 10);
  assert.equal(text.split('\n').filter((l) => /^ {2}seed /.test(l)).length, 10);
  assert.match(text, / {2}\.\.\. 2 more \(--json lists them all\)/);
});

test('compare: bad kernels are one-line errors naming the flag', () => {
  const err = (f: () => unknown, re: RegExp): void => {
    assert.throws(f, (e: unknown) => e instanceof ExploreError && re.test(e.message) && !e.message.includes('\n'));
  };
  err(() => parseSide('2.6.99', '--baseline'), /^--baseline 2\.6\.99: unknown kernel profile "2\.6\.99"; expected one of 2\.6\.24, 2\.6\.25-rc8, 2\.6\.25/);
  err(() => parseSide('2.6.25+foo', '--candidate'), /^--candidate 2\.6\.25\+foo: unknown variant "foo"/);
  err(() => parseSide('2.6.25+slab,slab', '--candidate'), /named twice/);
  err(() => compareRuns([], RC8, parseSide('2.6.25-rc8', '--candidate')), /^--candidate 2\.6\.25-rc8: the same kernel as --baseline/);
  assert.deepEqual(parseSide('2.6.25-rc8+slab,noop-ctor', '--x'), { profile: '2.6.25-rc8', variants: ['noop-ctor', 'slab'] });
});

test('compare: pairs that ran with a live patch are counted and the text warns that a COMPLETED there may be a rescued stall', () => {
  const records = [
    rec('2.6.25-rc8', [], 1, 'COMPLETED', { patch: 20e9, finish: 41e9 }),
    rec('2.6.25', [], 1, 'COMPLETED', { patch: 20e9, finish: 25e9 }),
    rec('2.6.25-rc8', [], 2, 'LIVELOCK'),
    rec('2.6.25', [], 2, 'COMPLETED'),
  ];
  const c = compareRuns(records, RC8, FIX);
  assert.equal(c.pairs, 2);
  assert.equal(c.live_patched, 1);
  assert.match(formatComparison(c, (id) => `replay ${id}`), /^live patch: 1 pair\(s\) ran with live_patch\.at, which gives rc8 the fix at that instant: /m);
  const plain = compareRuns(records.slice(2), RC8, FIX);
  assert.equal(plain.live_patched, 0);
  assert.doesNotMatch(formatComparison(plain, (id) => `replay ${id}`), /live patch/);
});
