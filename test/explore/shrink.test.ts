import { test } from 'node:test';
import assert from 'node:assert/strict';
import { paramsOfState, shrinkScenario, shrinkYaml, shrunkName, SHRINK_DIMS, type ShrinkState } from '../../src/explore/shrink.js';
import { valueAt } from '../../src/explore/spec.js';
import { runOnce } from '../../src/explore/execute.js';
import { InvariantViolation } from '../../src/check/invariants.js';
import { resolveScenario } from '../../src/scenario/load.js';
import { paramsFromScenario } from '../../src/scenario/params.js';
import type { StallKind, Verdict } from '../../src/scenario/result.js';
import type { ExploreParams } from '../../src/explore/types.js';
import { smallScenario } from './helpers.js';

const MiB = 2 ** 20;

function size(s: ShrinkState): Record<string, number> {
  return Object.fromEntries(SHRINK_DIMS.map((d) => [d.path, d.path === 'sched_salt' ? s.salt : (valueAt(s.scenario, d.path) as number)]));
}

/** A synthetic model: livelocks when at least 2 copies of at least 20 MiB run on at most 300 MiB RAM with jitter. */
function synthetic(calls: ExploreParams[]): (p: ExploreParams) => { verdict: Verdict } {
  return (p) => {
    calls.push(p);
    const lock = p.copies >= 2 && p.tree_bytes >= 20 * MiB && p.ram_bytes >= 100 * MiB && p.seek_jitter_ns > 0 && p.sched_salt === 77;
    return { verdict: lock ? 'LIVELOCK' : 'COMPLETED' };
  };
}

test('shrink (synthetic model): reaches the smallest reproducing scenario, never grows a dimension, keeps the verdict', () => {
  const start: ShrinkState = { scenario: resolveScenario({ name: 'big', sets: ['machine.ram=1GiB', 'machine.cpus=8', 'workload.copies=6', 'workload.tree_size=400MiB'] }), salt: 77 };
  const calls: ExploreParams[] = [];
  const o = shrinkScenario(start, { target: 'LIVELOCK', budget: 200, run: synthetic(calls) });
  assert.equal(o.runs, calls.length);
  assert.equal(o.budgetExhausted, false);
  const a = size(start);
  const b = size(o.state);
  for (const k of Object.keys(a)) assert.ok(b[k]! <= a[k]!, `${k}: ${b[k]} > ${a[k]}`);
  assert.equal(b['workload.copies'], 2);
  assert.equal(b['machine.cpus'], 1);
  assert.equal(b['sched_salt'], 77, 'the salt is needed');
  assert.ok(b['device.service.seek_jitter']! > 0, 'jitter is needed');
  assert.equal(b['workload.start_stagger'], 0);
  assert.ok(b['machine.ram']! >= 100 * MiB && b['machine.ram']! <= 140 * MiB, String(b['machine.ram']! / MiB));
  assert.ok(b['workload.tree_size']! >= 20 * MiB && b['workload.tree_size']! <= 30 * MiB, String(b['workload.tree_size']! / MiB));
  assert.equal(synthetic([])(paramsOfState(o.state)).verdict, 'LIVELOCK');
  // The YAML resolves back to the same scenario, seed and salt included, and reproduces on its own.
  const yaml = shrinkYaml(o, ['shrunk in a test']);
  assert.match(yaml, /^# shrunk in a test\n/);
  assert.match(yaml, /^sched_salt: 77$/m);
  const again = resolveScenario({ text: yaml, file: 'shrunk.yaml' });
  assert.deepEqual(again, { ...o.state.scenario, name: shrunkName(o.state.scenario.name), sched_salt: 77 });
  assert.equal(synthetic([])(paramsFromScenario(again)).verdict, 'LIVELOCK', 'the file alone reproduces the finding');
});

/**
 * A synthetic model with two livelocks: below 200 MiB of RAM any run stalls for want of memory
 * (unreclaimable); from 300 MiB on, two or more copies latch as the patch's (sense-buffer).
 */
function twoKinds(p: ExploreParams): { verdict: Verdict; stall: StallKind | null } {
  if (p.ram_bytes < 200 * MiB) return { verdict: 'LIVELOCK', stall: 'unreclaimable' };
  if (p.ram_bytes >= 300 * MiB && p.copies >= 2) return { verdict: 'LIVELOCK', stall: 'sense-buffer' };
  return { verdict: 'COMPLETED', stall: null };
}

test('shrink keeps the stall kind when asked: a sense-buffer livelock does not shrink into a machine that merely runs out of memory', () => {
  const start: ShrinkState = { scenario: resolveScenario({ name: 'big', sets: ['machine.ram=1GiB', 'workload.copies=6', 'workload.tree_size=100MiB'] }), salt: 0 };
  const kept = shrinkScenario(start, { target: 'LIVELOCK', stall: 'sense-buffer', budget: 200, run: twoKinds });
  const ram = size(kept.state)['machine.ram']!;
  assert.ok(ram >= 300 * MiB && ram <= 310 * MiB, `${ram / MiB} MiB`);
  assert.equal(size(kept.state)['workload.copies'], 2);
  assert.equal(kept.stall, 'sense-buffer');
  assert.deepEqual(twoKinds(paramsOfState(kept.state)), { verdict: 'LIVELOCK', stall: 'sense-buffer' });
  assert.match(shrinkYaml(kept, []), /^# verdict: LIVELOCK \(sense-buffer\), seed 1, found in \d+ shrink runs$/m);
  // With the verdict alone the same search takes the other livelock, at the smallest machine.
  const any = shrinkScenario(start, { target: 'LIVELOCK', budget: 200, run: twoKinds });
  assert.equal(size(any.state)['machine.ram'], 64 * MiB);
  assert.equal(any.stall, undefined);
  assert.equal(twoKinds(paramsOfState(any.state)).stall, 'unreclaimable');
  assert.match(shrinkYaml(any, []), /^# verdict: LIVELOCK, seed 1, found/m);
});

test('shrink respects its run budget', () => {
  const start: ShrinkState = { scenario: resolveScenario({ name: 'big', sets: ['machine.ram=1GiB', 'workload.copies=6', 'workload.tree_size=100MiB'] }), salt: 77 };
  const calls: ExploreParams[] = [];
  const o = shrinkScenario(start, { target: 'LIVELOCK', budget: 3, run: synthetic(calls) });
  assert.ok(calls.length <= 3);
  assert.equal(o.budgetExhausted, true);
});

test('shrink (real model, target COMPLETED): the result still reproduces and is no larger on every dimension', () => {
  const start: ShrinkState = { scenario: smallScenario(['seed=3']), salt: 5 };
  const target = runOnce(paramsOfState(start)).verdict;
  const o = shrinkScenario(start, { target, budget: 12, run: runOnce });
  assert.ok(o.runs <= 12);
  const a = size(start);
  const b = size(o.state);
  for (const k of Object.keys(a)) assert.ok(b[k]! <= a[k]!, `${k}: ${b[k]} > ${a[k]}`);
  assert.equal(runOnce(paramsOfState(o.state)).verdict, target);
  const yaml = shrinkYaml(o, []);
  const again = resolveScenario({ text: yaml, file: 'shrunk.yaml' });
  assert.equal(again.seed, 3);
  assert.equal(again.sched_salt, o.state.salt);
  assert.equal(runOnce(paramsFromScenario(again)).verdict, target);
});

test('shrink: a candidate that breaks the simulator stops the shrink with its error, naming the candidate', () => {
  const start: ShrinkState = { scenario: resolveScenario({ name: 'big', sets: ['machine.ram=1GiB', 'workload.copies=6', 'workload.tree_size=400MiB'] }), salt: 0 };
  const run = (p: ExploreParams): { verdict: Verdict } => {
    // Fewer copies than the start: a broken invariant, as a model bug would give.
    if (p.copies < 6) throw new InvariantViolation('lru-lists', 'page 7 is on two lists', 1000, 12);
    return { verdict: 'LIVELOCK' };
  };
  assert.throws(
    () => shrinkScenario(start, { target: 'LIVELOCK', budget: 50, run }),
    (e: unknown) => e instanceof InvariantViolation && e.invariant === 'lru-lists' && /page 7 is on two lists; in the shrink candidate (.* )?--set workload\.copies=1( .*)? --seed 1$/.test(e.message),
  );
});

test('shrink with a partner kernel (synthetic model): keeps the partner\'s verdict on every accepted candidate', () => {
  // rc8 livelocks with 2+ copies from 100 MiB on; the "fix" completes from 160 MiB on, and below
  // that livelocks as well (as if it had too little memory). Shrinking rc8's run alone would go
  // down to 100 MiB; keeping the fix's COMPLETED stops it at 160 MiB.
  const start: ShrinkState = { scenario: resolveScenario({ name: 'big', sets: ['machine.ram=1GiB', 'workload.copies=6', 'workload.tree_size=400MiB'] }), salt: 0 };
  const calls: ExploreParams[] = [];
  const model = (p: ExploreParams): { verdict: Verdict; stall: StallKind | null } => {
    if (p.profile === '2.6.25') return p.ram_bytes >= 160 * MiB ? { verdict: 'COMPLETED', stall: null } : { verdict: 'LIVELOCK', stall: 'unreclaimable' };
    return p.copies >= 2 && p.ram_bytes >= 100 * MiB ? { verdict: 'LIVELOCK', stall: 'sense-buffer' } : { verdict: 'COMPLETED', stall: null };
  };
  const run = (p: ExploreParams): ReturnType<typeof model> => {
    calls.push(p);
    return model(p);
  };
  const partner = {
    kernel: (s: ShrinkState): ShrinkState => ({ scenario: { ...s.scenario, profile: '2.6.25' }, salt: s.salt }),
    verdict: 'COMPLETED' as Verdict,
    stall: null,
  };
  const o = shrinkScenario(start, { target: 'LIVELOCK', stall: 'sense-buffer', partner, budget: 200, run });
  assert.equal(o.runs, calls.length, 'the partner\'s runs count');
  const ram = valueAt(o.state.scenario, 'machine.ram') as number;
  assert.ok(ram >= 160 * MiB && ram <= 200 * MiB, String(ram / MiB));
  assert.equal(valueAt(o.state.scenario, 'workload.copies'), 2);
  assert.equal(o.state.scenario.profile, start.scenario.profile, 'the result keeps the run\'s own kernel');
  // The partner ran only for candidates the run's kernel reproduced.
  calls.forEach((p, i) => {
    if (p.profile === '2.6.25') assert.equal(model(calls[i - 1]!).stall, 'sense-buffer', `partner run ${i} follows a reproducing candidate`);
  });
  assert.ok(calls.some((p) => p.profile === '2.6.25' && model(p).verdict === 'LIVELOCK'), 'some candidates were refused for the partner\'s sake');
  assert.equal(model(paramsOfState(partner.kernel(o.state))).verdict, 'COMPLETED');
  // With a partner a reproducing candidate costs two runs: every budget is a bound, odd ones too.
  for (const budget of [1, 2, 3, 7, 11]) {
    calls.length = 0;
    const b = shrinkScenario(start, { target: 'LIVELOCK', stall: 'sense-buffer', partner, budget, run });
    assert.ok(b.runs <= budget && calls.length === b.runs, `budget ${budget}: ${b.runs} runs`);
    if (budget < 2) assert.equal(b.budgetExhausted, true, 'no room for one candidate and its partner');
  }
});

test('the shrunk file describes itself, not the machine it was shrunk from', () => {
  const start: ShrinkState = { scenario: resolveScenario({ name: 'big', sets: ['machine.ram=1GiB', 'workload.copies=6', 'workload.tree_size=100MiB', 'description=4 copies on a big box'] }), salt: 0 };
  const o = shrinkScenario(start, { target: 'LIVELOCK', budget: 200, run: synthetic([]) });
  const yaml = shrinkYaml(o, ['header'], 'shrunk by reclaimsim shrink from run #3 (big): LIVELOCK');
  assert.match(yaml, /^description: "shrunk by reclaimsim shrink from run #3 \(big\): LIVELOCK"$/m);
  assert.doesNotMatch(yaml, /4 copies on a big box/);
  // Its name says it is not the input's scenario; shrinking it again does not add a second suffix.
  assert.match(yaml, new RegExp(`^name: ${start.scenario.name}-shrunk$`, 'm'));
  assert.equal(shrunkName('flagship-shrunk'), 'flagship-shrunk');
  assert.equal(shrunkName('x'.repeat(64)).length, 64);
  assert.ok(shrunkName('x'.repeat(64)).endsWith('-shrunk'));
});
