import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runScenario, startRun } from '../../src/scenario/run.js';
import { bootMachine } from '../../src/scenario/machine.js';
import { DEFAULT_PARAMS, paramsFromScenario, type RunParams } from '../../src/scenario/params.js';
import { loadScenarioArg } from '../../src/cli/scenario-source.js';
import { InvariantChecker, InvariantViolation } from '../../src/check/invariants.js';
import { PAGE_USE_PAGECACHE } from '../../src/include/page-flags.js';

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

/** A 2.6.25 source tree's file sizes (scenarios/kernel-tree.yaml): most files have a page_tree of their own. */
const KERNEL_TREE_MIX = paramsFromScenario(loadScenarioArg('kernel-tree')).file_size_mix;

test('invariants: with multi-page files, full checking holds, and a file gives its mapping number back when its last page goes to swap', () => {
  const { result, machine } = runScenario({ ...SMALL, file_size_mix: KERNEL_TREE_MIX }, { check: 'full' });
  assert.equal(result.verdict, 'COMPLETED', result.reason);
  assert.ok(result.pswpout > 5000, `the run swapped (${result.pswpout} pages)`);
  const vm = machine.vm;
  const live = vm.mappings.filter((t) => t !== null).length;
  // About 5 600 files, half of them two pages or more; the table only ever held the ones with pages in memory at once.
  assert.ok(machine.workload.files_copied > 5000, `${machine.workload.files_copied} files`);
  assert.ok(vm.free_mapping_ids.length > 0, 'numbers were given back');
  assert.equal(vm.mappings.length, live + vm.free_mapping_ids.length);
  assert.ok(vm.mappings.length < machine.workload.files_copied / 2, `${vm.mappings.length} numbers for ${machine.workload.files_copied} files`);
});

test('invariants: a page naming a file that is not in the table is reported (tmpfs-mappings)', () => {
  const { machine } = runScenario({ ...SMALL, file_size_mix: KERNEL_TREE_MIX, tree_bytes: 8 * MiB });
  const checker = new InvariantChecker(machine, 'full');
  checker.check();
  const pa = machine.pa;
  let pfn = 0;
  while (pfn < pa.max_pfn && !(pa.page_use[pfn] === PAGE_USE_PAGECACHE && pa.page_mapping[pfn]! >= 0)) pfn++;
  assert.ok(pfn < pa.max_pfn, 'some page-cache page names a file');
  pa.page_mapping[pfn] = machine.vm.mappings.length + 5;
  assert.throws(
    () => checker.check(),
    (e: unknown) => e instanceof InvariantViolation && e.invariant === 'tmpfs-mappings' && /names no file's page_tree/.test(e.message),
  );
});

test('run: with memory and swap both full and no write pending, the reason says a kernel would call the OOM killer', () => {
  // 96 MiB of tmpfs on 64 MiB of RAM with only 40 MiB of swap: the data cannot fit anywhere.
  const { result } = runScenario({ ...SMALL, swap_bytes: 40 * MiB, profile: '2.6.25' });
  assert.equal(result.verdict, 'LIVELOCK');
  assert.match(result.reason, /swap is full \(10238 of 10238 slots\) with no write pending, .*2\.6\.25 would call the OOM killer here, which the model does not/);
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

test('invariants: checks.full_interval runs the whole-state checks once per interval and at the end, the O(1) ones after every event', () => {
  const interval = 50_000_000;
  const h = startRun({ ...SMALL, invariants: 'full', full_interval_ns: interval });
  h.step();
  const { result } = h.finish();
  assert.equal(result.verdict, 'COMPLETED', result.reason);
  const c = h.checker;
  const intervals = Math.floor(result.sim_time_ns / interval) + 1;
  // At most one per interval that had an event, plus the one at the end.
  assert.ok(c.fullChecks <= intervals + 1 && c.fullChecks > intervals / 2, `${c.fullChecks} full checks over ${intervals} intervals`);
  assert.ok(c.checks > 20 * c.fullChecks, `${c.checks} checks, ${c.fullChecks} full`);
  // Without an interval every check is a full one.
  const every = startRun({ ...SMALL, tree_bytes: 8 * MiB, invariants: 'full' });
  every.step();
  every.finish();
  assert.equal(every.checker.fullChecks, every.checker.checks);
});

test('invariants: with checks.full_interval a broken whole-state invariant is caught at the next interval, and at the end of the run', () => {
  const interval = 20_000_000;
  const h = startRun({ ...SMALL, invariants: 'full', full_interval_ns: interval });
  h.step(3000);
  const pa = h.machine.pa;
  const t0 = h.machine.k.now;
  // Only the full check adds up the page uses.
  pa.nr_pages_by_use[PAGE_USE_PAGECACHE]!++;
  let caught: InvariantViolation | null = null;
  try {
    h.step();
  } catch (e) {
    if (!(e instanceof InvariantViolation)) throw e;
    caught = e;
  }
  assert.ok(caught !== null, 'caught');
  assert.equal(caught.invariant, 'page-conservation');
  assert.ok(caught.timeNs >= t0 && caught.timeNs < (Math.floor(t0 / interval) + 2) * interval, `at ${caught.timeNs} ns, broken at ${t0} ns`);
  // Broken after the last event: the check at the end finds it.
  const end = startRun({ ...SMALL, tree_bytes: 8 * MiB, invariants: 'full', full_interval_ns: interval });
  end.step();
  end.machine.pa.nr_pages_by_use[PAGE_USE_PAGECACHE]!++;
  assert.throws(() => end.finish(), (e: unknown) => e instanceof InvariantViolation && e.invariant === 'page-conservation');
});
