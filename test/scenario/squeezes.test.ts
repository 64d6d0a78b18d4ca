/**
 * Squeezes (src/scenario/squeezes.ts): every stretch with free memory at or below the GFP_ATOMIC
 * line in every zone an atomic allocation may use, and what the host did meanwhile. The flagship
 * on rc8 enters one squeeze and never leaves it; the fix gets through it on the free-list command;
 * at 2 GiB a squeeze comes while swap-out streams and the host keeps working through it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runScenario } from '../../src/scenario/run.js';
import { resolveScenario } from '../../src/scenario/load.js';
import { paramsFromScenario } from '../../src/scenario/params.js';
import { formatSpan, formatSqueezes, squeezeSection, type Squeeze } from '../../src/scenario/squeezes.js';
import type { RunResult } from '../../src/scenario/result.js';

function run(sets: string[], seed = 1): RunResult {
  const p = paramsFromScenario(resolveScenario({ name: 'flagship', sets }));
  return runScenario({ ...p, seed }, { check: 'cheap' }).result;
}

const at = (r: RunResult, ev: string): number => r.timeline.find((e) => e.event === ev)?.t_ns ?? -1;

test('squeezes: rc8 enters one squeeze when DMA32 reaches the GFP_ATOMIC line and is still in it at the verdict, with nothing completed', () => {
  const r = run([]);
  assert.equal(r.verdict, 'LIVELOCK', r.reason);
  assert.equal(r.figures['squeezes'], 1);
  assert.equal(r.figures['squeezes_ended'], 0);
  assert.equal(r.squeezes.length, 1);
  const s = r.squeezes[0]!;
  // DMA is below its line from boot, so the squeeze starts when DMA32 reaches its own.
  assert.equal(s.start_ns, at(r, 'atomic_line:DMA32'));
  assert.equal(s.end_ns, null, 'the run ends inside it');
  assert.equal(r.figures['squeezed_ns'], r.sim_time_ns - s.start_ns);
  assert.equal(s.commands_completed, 0);
  assert.equal(s.swap_writes_completed, 0);
  assert.equal(s.device_busy_start, 0);
  assert.equal(s.device_busy_end, 0);
  assert.equal(s.writeback_end, r.writeback_pages_stuck);
  // Every failed sense allocation of the run, and every DEFER, came in it, with the queue idle.
  assert.equal(s.sense_failures, r.figures['sense_failures']);
  assert.ok(s.prep_defers > 1000, String(s.prep_defers));
  assert.equal(s.prep_defers_idle, s.prep_defers);
  assert.equal(s.free_list_uses, 0);
  assert.ok(s.deepest_pages < 0, String(s.deepest_pages));
  const lines = squeezeSection(r);
  assert.match(lines[0]!, /^squeezes: 1 \(free memory at or below the GFP_ATOMIC line in every zone an atomic allocation may use; \d+\.\d\d s in all\):$/);
  assert.match(lines[1]!, /^ {2}\d+\.\d{6} s - the end of the run: 0 commands completed, 0 swap writes completed, \d+ sense allocations failed, \d+ prep DEFERs \(\d+ with nothing in flight\), device_busy 0 -> 0, under writeback 0 -> \d+, \d+ pages under the line at most$/);
});

test('squeezes: the fix gets through the same squeeze on the free-list command, and it ends before the copies do', () => {
  const r = run(['profile=2.6.25']);
  assert.equal(r.verdict, 'COMPLETED', r.reason);
  assert.equal(r.figures['squeezes'], 1);
  assert.equal(r.figures['squeezes_ended'], 1);
  const s = r.squeezes[0]!;
  assert.equal(s.start_ns, at(r, 'atomic_line:DMA32'));
  assert.ok(s.end_ns !== null && s.end_ns > s.start_ns && s.end_ns < r.time_to_finish_ns!, JSON.stringify(s));
  assert.equal(r.figures['squeezed_ns'], s.end_ns - s.start_ns);
  // Every use of the free-list command falls in the squeeze, and carries the writes that complete.
  assert.equal(s.free_list_uses, r.free_list_uses);
  assert.ok(s.free_list_uses > 0);
  assert.ok(s.commands_completed >= s.free_list_uses - 1, JSON.stringify(s));
  assert.ok(s.swap_writes_completed > 0);
  assert.equal(s.prep_defers_idle, 0, 'the host never drains');
  assert.ok(s.sense_failures > 0);
  assert.match(squeezeSection(r)[1]!, / \(\d+ ms\): .*, \d+ free-list uses, device_busy \d+ -> \d+, /);
});

test('squeezes: at 2 GiB seed 3 the squeeze comes while swap-out streams, and the host works through it (each completion hands its sense buffer on)', () => {
  const r = run(['machine.ram=2GiB'], 3);
  assert.equal(r.verdict, 'COMPLETED', r.reason);
  assert.ok(r.figures['squeezes']! >= 1);
  const s = r.squeezes.find((q) => q.sense_failures > 0)!;
  assert.ok(s !== undefined, JSON.stringify(r.squeezes));
  assert.ok(s.end_ns !== null);
  assert.ok(s.device_busy_start > 0 && s.device_busy_end > 0, 'commands in flight at both ends');
  assert.ok(s.commands_completed > 10, JSON.stringify(s));
  assert.ok(s.writeback_start > 0);
  assert.equal(s.prep_defers_idle, 0, 'no DEFER with nothing in flight');
  assert.ok(s.prep_defers > 0, 'preps deferred with commands in flight');
});

test('squeezes: a machine that never comes near the line has none, and says so', () => {
  const r = run(['machine.ram=5GiB', 'workload.copies=1', 'workload.tree_size=64MiB']);
  assert.equal(r.verdict, 'COMPLETED', r.reason);
  assert.equal(r.figures['squeezes'], 0);
  assert.equal(r.figures['squeezed_ns'], 0);
  assert.deepEqual(r.squeezes, []);
  assert.deepEqual(squeezeSection(r), ['squeezes: none (free memory never reached the GFP_ATOMIC line in every zone an atomic allocation may use)']);
});

test('squeezes: formatting of durations and of a list cut short', () => {
  assert.equal(formatSpan(420_000), '420 us');
  assert.equal(formatSpan(83_400_000), '83 ms');
  assert.equal(formatSpan(1_250_000_000), '1.25 s');
  const s: Squeeze = {
    start_ns: 3_000_000_000,
    end_ns: 3_100_000_000,
    deepest_pages: -7,
    commands_completed: 5,
    commands_dispatched: 6,
    free_list_uses: 0,
    sense_failures: 2,
    prep_defers: 2,
    prep_defers_idle: 0,
    swap_writes_completed: 40,
    device_busy_start: 3,
    device_busy_end: 4,
    writeback_start: 100,
    writeback_end: 90,
  };
  const lines = formatSqueezes([s], 3);
  assert.deepEqual(lines, [
    '  3.000000 s - 3.100000 s (100 ms): 5 commands completed, 40 swap writes completed, 2 sense allocations failed, 2 prep DEFERs (0 with nothing in flight), device_busy 3 -> 4, under writeback 100 -> 90, 7 pages under the line at most',
    '  ... and 2 more (the first 1 are kept)',
  ]);
});

test('squeezes: a costly failure report (machine.failure_report_cost=300ms) holds its CPU, and the 2 GiB squeeze lasts seconds instead of 0.1 s; the machine still gets through', () => {
  const cheap = run(['machine.ram=2GiB'], 3);
  const costly = run(['machine.ram=2GiB', 'machine.failure_report_cost=300ms'], 3);
  assert.equal(costly.verdict, 'COMPLETED', costly.reason);
  const a = cheap.squeezes[0]!, b = costly.squeezes[0]!;
  assert.equal(b.start_ns, a.start_ns, 'the same squeeze begins');
  assert.ok(a.end_ns! - a.start_ns < 200e6, `free reports: ${(a.end_ns! - a.start_ns) / 1e6} ms`);
  // Every printed report holds CPU 0 for 300 ms; the first burst prints several in the squeeze.
  assert.ok(b.end_ns! - b.start_ns > 1.5e9, `costly reports: ${(b.end_ns! - b.start_ns) / 1e6} ms`);
  assert.ok(costly.time_to_finish_ns! > cheap.time_to_finish_ns!);
});
