/**
 * The run timeline (src/scenario/timeline.ts) on small machines: levels crossed from boot, a
 * machine with a Normal zone, and the order of a squeeze on a single-zone machine. The flagship's
 * timelines are asserted in test/scenario/flagship.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runScenario } from '../../src/scenario/run.js';
import { resolveScenario } from '../../src/scenario/load.js';
import { paramsFromScenario } from '../../src/scenario/params.js';
import { formatTimeline } from '../../src/scenario/timeline.js';
import type { RunResult } from '../../src/scenario/result.js';

function run(sets: string[]): RunResult {
  return runScenario(paramsFromScenario(resolveScenario({ name: 'flagship', sets })), { check: 'cheap' }).result;
}

const at = (r: RunResult, ev: string): number => r.timeline.find((e) => e.event === ev)?.t_ns ?? -1;

test('timeline: with 5 GiB (DMA, DMA32, Normal) and no pressure, only ZONE_DMA is below its levels, from boot, as Normal allocations see it', () => {
  const r = run(['machine.ram=5GiB', 'workload.copies=1', 'workload.tree_size=64MiB']);
  assert.equal(r.verdict, 'COMPLETED', r.reason);
  assert.deepEqual(r.timeline.map((e) => e.event), ['from_boot:DMA', 'workload_finished', 'verdict']);
  assert.match(r.timeline[0]!.text, /^DMA: free pages are at or below the GFP_ATOMIC line \(\d+, with lowmem_reserve \d+ for Normal allocations\) from boot, and so below pages_low and pages_min$/);
  assert.equal(at(r, 'verdict'), r.sim_time_ns);
  assert.equal(at(r, 'workload_finished'), r.time_to_finish_ns);
});

test('timeline: a 256 MiB machine that swaps crosses pages_low before pages_min, reclaims, writes and completes writes in that order', () => {
  const r = run(['machine.ram=256MiB', 'workload.tree_size=96MiB']);
  assert.equal(r.verdict, 'COMPLETED', r.reason);
  const order = ['pages_low:DMA32', 'pages_min:DMA32', 'direct_reclaim', 'swap_write', 'swap_write_done', 'workload_finished', 'verdict'];
  const times = order.map((ev) => at(r, ev));
  for (const [i, t] of times.entries()) assert.ok(t >= 0, `${order[i]} missing: ${JSON.stringify(r.timeline)}`);
  assert.deepEqual(times, [...times].sort((a, b) => a - b), JSON.stringify(r.timeline));
  assert.ok(at(r, 'kswapd') >= at(r, 'pages_low:DMA32'), 'kswapd runs once the zone is low');
  // Printed: one line per entry, times right-aligned to the widest.
  const lines = formatTimeline(r.timeline);
  assert.equal(lines.length, r.timeline.length);
  for (const l of lines) assert.match(l, /^ {2} *\d+\.\d{6} s {2}\S/);
  assert.equal(new Set(lines.map((l) => l.indexOf(' s  '))).size, 1, 'aligned');
});
