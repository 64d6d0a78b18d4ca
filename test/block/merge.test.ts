import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bootMachine, type Machine } from '../../src/scenario/machine.js';
import { DEFAULT_PARAMS } from '../../src/scenario/params.js';
import { WRITE } from '../../src/block/bio.js';
import { submitPage } from './submit.js';
import type { KGen } from '../../src/kernel/task.js';

const MiB = 1024 * 1024;

/**
 * Submits one-page write bios at the given first sectors from one process-context task, all within
 * the first simulated microsecond. The queue stays plugged (fewer than unplug_thresh requests and
 * no timer run yet), so every request is still in noop's FIFO when the test looks.
 */
function submitAll(sectors: number[]): Machine {
  const m = bootMachine({ ...DEFAULT_PARAMS, ram_bytes: 128 * MiB, copies: 0, boot_read_pages: 0 });
  m.k.kthread_run('writer', 0, 0, function* (): KGen {
    for (const s of sectors) yield* submitPage(m, s, WRITE);
  });
  m.k.sim.run({ untilNs: 1000 });
  return m;
}

/** noop's FIFO as [first sector, sectors] pairs. */
function fifo(m: Machine): [number, number][] {
  return m.q.elevator.fifo.map((rq) => [rq.sector, rq.nr_sectors]);
}

test('elv_insert: a new request does not replace last_merge (2.6.25 sets it only when empty)', () => {
  const m = submitAll([1000, 2000]);
  assert.deepEqual(fifo(m), [[1000, 8], [2000, 8]]);
  assert.equal(m.q.last_merge, m.q.elevator.fifo[0], 'the first request stays the one-hit cache');
});

test('__make_request: a back merge makes its request last_merge; a front merge through it then folds into the request before (attempt_front_merge)', () => {
  // 1000: request A. 1016: request B (last_merge stays A). 1024: back merge into B through the
  // hash, so B becomes last_merge. 1008: front merge into B through last_merge, and B now starts
  // where A ends, so A absorbs B.
  const m = submitAll([1000, 1016, 1024, 1008]);
  assert.deepEqual(fifo(m), [[1000, 32]]);
  const rq = m.q.elevator.fifo[0]!;
  assert.equal(rq.nr_bios, 4);
  assert.equal(m.q.last_merge, rq);
  const order: number[] = [];
  for (let b = rq.bio; b !== null; b = b.bi_next) order.push(b.bi_sector);
  assert.deepEqual(order, [1000, 1008, 1016, 1024], 'the bios are in sector order');
  assert.equal(m.q.rq.count[WRITE], 1, "B's request was freed");
  assert.equal(m.q.stat.merges_front, 1);
});

test('__make_request: without a request ending where it starts, a front merge leaves both requests', () => {
  const m = submitAll([1000, 1032, 1040, 1024]);
  assert.deepEqual(fifo(m), [[1000, 8], [1024, 24]]);
  assert.equal(m.q.last_merge, m.q.elevator.fifo[1]);
});
