import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runScenario } from '../../src/scenario/run.js';
import { bootMachine } from '../../src/scenario/machine.js';
import { DEFAULT_PARAMS, type RunParams } from '../../src/scenario/params.js';
import { InvariantChecker, InvariantViolation } from '../../src/check/invariants.js';

const MiB = 1024 * 1024;
/** A small machine that swaps: 64 MiB RAM, two 48 MiB trees. */
const SMALL: RunParams = { ...DEFAULT_PARAMS, ram_bytes: 64 * MiB, tree_bytes: 48 * MiB, copies: 2, swap_bytes: 256 * MiB };

for (const profile of ['2.6.25-rc8', '2.6.25', '2.6.24'] as const) {
  test(`invariants: full checking after every event holds through a swapping run (${profile})`, () => {
    const { result } = runScenario({ ...SMALL, profile }, { check: 'full' });
    assert.equal(result.verdict, 'COMPLETED');
    assert.ok(result.pswpout > 5000, `the run swapped (${result.pswpout} pages)`);
  });
}

test('run: with memory and swap both full and no write pending, the reason says a kernel would call the OOM killer', () => {
  // 96 MiB of tmpfs on 64 MiB of RAM with only 40 MiB of swap: the data cannot fit anywhere.
  const { result } = runScenario({ ...SMALL, swap_bytes: 40 * MiB, profile: '2.6.25' });
  assert.equal(result.verdict, 'LIVELOCK');
  assert.match(result.reason, /swap is full \(10239 of 10239 slots\) with no write pending, .*2\.6\.25 would call the OOM killer here, which the model does not/);
});

test('invariants: a corrupted counter is reported as a violation with its name and event number', () => {
  const m = bootMachine(SMALL);
  const checker = new InvariantChecker(m, 'cheap');
  checker.check();
  m.sdev.device_busy++;
  assert.throws(
    () => checker.check(),
    (e: unknown) => e instanceof InvariantViolation && e.invariant === 'busy-accounting' && /at event \d+/.test(e.message),
  );
});

test('run: the same seed gives the same result byte for byte; another seed differs (flagship, small)', () => {
  const a = runScenario({ ...SMALL, seed: 7 }).result;
  const b = runScenario({ ...SMALL, seed: 7 }).result;
  assert.equal(JSON.stringify(a), JSON.stringify(b));
  const c = runScenario({ ...SMALL, seed: 8 }).result;
  assert.notEqual(c.trace_hash, a.trace_hash);
});

test('run: the interrupt hook stops a run with verdict LIMIT and names the reason', () => {
  let polls = 0;
  // Polled every 4096 events: a run of a few times that many (more data than SMALL) is stopped by the third poll.
  const { result } = runScenario({ ...SMALL, tree_bytes: 160 * MiB, swap_bytes: 512 * MiB }, { interrupt: () => (++polls >= 3 ? 'the wall-clock budget' : null) });
  assert.equal(result.verdict, 'LIMIT');
  assert.match(result.reason, /^stopped by the wall-clock budget/);
});

test('run: the event limit stops a run with verdict LIMIT', () => {
  const { result } = runScenario({ ...SMALL, event_limit: 1000 });
  assert.equal(result.verdict, 'LIMIT');
  assert.equal(result.events, 1000);
  assert.match(result.reason, /event limit/);
});
