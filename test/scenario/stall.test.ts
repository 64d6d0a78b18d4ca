/**
 * The stall kind of a LIVELOCK or DEADLOCK (src/scenario/run.ts stallKind): every row of its table
 * on a machine whose relevant state is set by hand, and a real run that stalls without any I/O
 * pending (the kind that `shrink` must not trade the patch's latch for).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runScenario, stallKind } from '../../src/scenario/run.js';
import { resolveScenario } from '../../src/scenario/load.js';
import { paramsFromScenario } from '../../src/scenario/params.js';
import { STALL_KINDS, STALL_TEXT, verdictLabel, type StallKind } from '../../src/scenario/result.js';
import { DEFER_NO_COMMAND, DEFER_NO_SENSE, DEFER_NO_SG_TABLE } from '../../src/scsi/scsi.js';
import { NR_VM_ZONE_STAT_ITEMS, NR_WRITEBACK } from '../../src/mm/page_alloc.js';
import type { Machine } from '../../src/scenario/machine.js';

interface Fake {
  writeback?: number;
  queued?: number;
  inFlight?: number;
  /** When prep last deferred (ns; -1 never) and why. */
  deferNs?: number;
  cause?: number;
  /** The last page copied or swap write completed (ns). */
  progressNs?: number;
  swapFull?: boolean;
}

/** Just the fields stallKind reads. */
function fake(f: Fake): Machine {
  const vm_stat = new Int32Array(NR_VM_ZONE_STAT_ITEMS);
  vm_stat[NR_WRITEBACK] = f.writeback ?? 0;
  const m = {
    pa: { vm_stat },
    q: { elevator: { nr_sorted: f.queued ?? 0 }, queue_head: [], in_flight: f.inFlight ?? 0 },
    sdev: { stat: { last_defer_ns: f.deferNs ?? -1, last_defer_cause: f.cause ?? 0 } },
    vm: { si: { pages: 1000, inuse_pages: f.swapFull ? 1000 : 10 }, events: { last_swap_write_ns: f.progressNs ?? 5e9 } },
    workload: { last_copy_ns: 0 },
  };
  return m as unknown as Machine;
}

const cases: [string, Fake, StallKind][] = [
  ['the patch\'s latch: queued writes, the last prep after progress failed on the sense buffer', { writeback: 95, queued: 2, deferNs: 9e9, cause: DEFER_NO_SENSE }, 'sense-buffer'],
  ['the same with the command allocation failing', { writeback: 95, queued: 2, deferNs: 9e9, cause: DEFER_NO_COMMAND }, 'command'],
  ['the same with no scatterlist', { writeback: 95, queued: 2, deferNs: 9e9, cause: DEFER_NO_SG_TABLE }, 'sg-table'],
  ['commands in flight that never complete, whatever prep did', { writeback: 95, inFlight: 3, deferNs: 9e9, cause: DEFER_NO_SENSE }, 'device'],
  ['queued writes and no prep since progress stopped', { writeback: 95, queued: 2, deferNs: 4e9, cause: DEFER_NO_SENSE }, 'queue'],
  ['queued writes and prep never deferred', { writeback: 95, queued: 2 }, 'queue'],
  ['only a request queued (nothing under writeback yet)', { queued: 1, deferNs: 9e9, cause: DEFER_NO_SENSE }, 'sense-buffer'],
  ['no I/O pending, swap full', { swapFull: true, deferNs: 9e9, cause: DEFER_NO_SENSE }, 'swap-full'],
  ['no I/O pending, swap with room', {}, 'unreclaimable'],
];

for (const [what, f, kind] of cases) {
  test(`stall kind: ${what} -> ${kind}`, () => {
    assert.equal(stallKind(fake(f)), kind);
  });
}

test('stall kinds: every kind has a text, and the verdict label names it', () => {
  assert.deepEqual([...STALL_KINDS].sort(), ['command', 'device', 'queue', 'sense-buffer', 'sg-table', 'swap-full', 'unreclaimable']);
  for (const k of STALL_KINDS) assert.ok(STALL_TEXT[k].length > 20, k);
  assert.equal(verdictLabel('LIVELOCK', 'sense-buffer'), 'LIVELOCK (sense-buffer)');
  assert.equal(verdictLabel('COMPLETED', null), 'COMPLETED');
});

test('stall kind (real run): a 64 MiB machine whose tmpfs dentries and inodes fill RAM livelocks with nothing for the disk to do (unreclaimable, rc8, seed 1)', () => {
  const s = resolveScenario({
    name: 'flagship',
    sets: ['machine.ram=64MiB', 'machine.cpus=1', 'workload.copies=1', 'workload.tree_size=240MiB', 'checks.watchdog_window=10s'],
  });
  const { result: r, machine: m } = runScenario(paramsFromScenario(s), { check: 'cheap' });
  assert.equal(r.verdict, 'LIVELOCK', r.reason);
  assert.equal(r.stall, 'unreclaimable');
  assert.equal(r.writeback_pages_stuck, 0);
  assert.equal(m.q.in_flight, 0);
  assert.ok(m.vm.si.inuse_pages < m.vm.si.pages, 'swap has room');
  assert.match(r.reason, /GFP_ATOMIC line never reached/, 'not the patch\'s squeeze');
  assert.equal(r.alloc_failure_reports, 0);
  // The reason says where the memory is: slab, not LRU pages reclaim could write.
  const slab = /memory holds (\d+) slab pages \((\d+) reclaimable, the dentries tmpfs pins, and (\d+) unreclaimable\), (\d+) LRU pages and (\d+) free/.exec(r.reason);
  assert.ok(slab, r.reason);
  assert.equal(Number(slab[1]), Number(slab[2]) + Number(slab[3]));
  assert.ok(Number(slab[1]) > 10 * Number(slab[4]), 'slab, not the LRU, holds the memory');
});
