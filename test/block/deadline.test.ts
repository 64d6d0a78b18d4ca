import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { bootMachine, type Machine } from '../../src/scenario/machine.js';
import { DEFAULT_PARAMS } from '../../src/scenario/params.js';
import { READ, WRITE } from '../../src/block/bio.js';
import { submitPage } from './submit.js';
import { blkdev_dequeue_request, elevator_check, elv_next_request } from '../../src/block/elevator.js';
import type { KGen } from '../../src/kernel/task.js';
import { schedule_timeout_uninterruptible } from '../../src/kernel/sched.js';
import { runScenario } from '../../src/scenario/run.js';
import { loadScenarioArg } from '../../src/cli/scenario-source.js';
import { paramsFromScenario } from '../../src/scenario/params.js';

const MiB = 1024 * 1024;

interface Opts {
  elevator?: 'noop' | 'deadline';
  /** Cap requests at this many sectors, so that sequential bios make separate requests. */
  max_sectors?: number;
  /** Simulated time to let pass before the bios of the second list are submitted. */
  pause_ns?: number;
}

/**
 * A machine whose queue never dispatches by itself: request_fn does nothing and the unplug
 * threshold is out of reach, so every request stays in the scheduler until the test takes them
 * with dispatchAll. Submits one-page bios ([sector, direction]) from one task, the second list
 * after `pause_ns`.
 */
function submit(first: [number, number][], o: Opts = {}, second: [number, number][] = []): Machine {
  const p = { ...DEFAULT_PARAMS, ram_bytes: 128 * MiB, copies: 0, boot_read_pages: 0 };
  const m = bootMachine(o.elevator === 'noop' ? p : { ...p, elevator: 'deadline' });
  m.q.request_fn = () => {};
  m.q.unplug_thresh = 1 << 20;
  if (o.max_sectors !== undefined) m.q.max_sectors = o.max_sectors;
  const pause = o.pause_ns ?? 0;
  m.k.kthread_run('writer', 0, 0, function* (): KGen {
    for (const [s, rw] of first) yield* submitPage(m, s, rw);
    if (second.length > 0) {
      yield* schedule_timeout_uninterruptible(m.k, Math.ceil((pause * m.k.HZ) / 1e9));
      for (const [s, rw] of second) yield* submitPage(m, s, rw);
    }
  });
  m.k.sim.run({ untilNs: pause + 1000 });
  return m;
}

/** Takes every request the scheduler hands out, in dispatch order, as [first sector, sectors]. */
function dispatchAll(m: Machine): [number, number][] {
  m.q.prep_rq_fn = null;
  const out: [number, number][] = [];
  for (let rq = elv_next_request(m.q); rq !== null; rq = elv_next_request(m.q)) {
    blkdev_dequeue_request(m.q, rq);
    out.push([rq.sector, rq.nr_sectors]);
  }
  return out;
}

const W = (...s: number[]): [number, number][] => s.map((x) => [x, WRITE]);
const R = (...s: number[]): [number, number][] => s.map((x) => [x, READ]);

test('deadline: after the first request, writes go out in sector order; noop keeps arrival order', () => {
  const sectors = [5000, 1000, 3000, 2000, 4000];
  assert.deepEqual(dispatchAll(submit(W(...sectors))).map(([s]) => s), [5000, 1000, 2000, 3000, 4000], 'deadline: the oldest first (no next request yet), then upward from the next oldest');
  assert.deepEqual(dispatchAll(submit(W(...sectors), { elevator: 'noop' })).map(([s]) => s), sectors);
});

test('deadline: a request past its expiry time (write_expire, 5 s) goes before the next in sector order', () => {
  // 2000 goes first; 3000 is next in sector order. Without expiry 3000 follows; once 1000 (older
  // than 3000 in the FIFO) has expired, it is taken from the FIFO head instead.
  const fresh = submit(W(2000, 1000, 3000));
  assert.deepEqual(dispatchAll(fresh).map(([s]) => s), [2000, 3000, 1000]);
  const m = submit(W(2000, 1000), { pause_ns: 6e9 }, W(3000));
  m.q.prep_rq_fn = null;
  const first = elv_next_request(m.q)!;
  blkdev_dequeue_request(m.q, first);
  assert.equal(first.sector, 2000);
  assert.ok(m.k.jiffies > 5 * m.k.HZ, 'the FIFO head (1000, submitted at 0) has expired');
  assert.deepEqual(dispatchAll(m).map(([s]) => s), [1000, 3000]);
});

test('deadline: reads go first, writes get a turn after writes_starved (2) read picks, and a sequential batch ends at fifo_batch (16)', () => {
  // Each bio its own request (max_sectors 8); the writes are sequential, the reads are not.
  const writes = Array.from({ length: 20 }, (_, i) => 1000 + 8 * i);
  const order = dispatchAll(submit([...W(...writes), ...R(100000, 200000, 300000)], { max_sectors: 8 }));
  assert.deepEqual(
    order.map(([s]) => s),
    [100000, 200000, ...writes.slice(0, 16), 300000, ...writes.slice(16)],
  );
});

test('deadline: its sector lookup finds a front merge that noop misses', () => {
  // 2000 is last_merge; 3000 is not. A bio at 2992 ends where 3000 starts: deadline_merge finds
  // it by start sector; noop has no such lookup and makes a third request.
  const d = submit(W(2000, 3000, 2992));
  assert.deepEqual(dispatchAll(d), [[2000, 8], [2992, 16]]);
  assert.equal(d.q.stat.merges_front, 1);
  const n = submit(W(2000, 3000, 2992), { elevator: 'noop' });
  assert.deepEqual(dispatchAll(n), [[2000, 8], [3000, 8], [2992, 8]]);
});

test('deadline: after a back merge the request next in sector order is folded in (attempt_back_merge); noop looks at the next in arrival order', () => {
  // 1000 is last_merge; the bio at 1008 back-merges into it, and 1016 now starts where it ends.
  // Under deadline 1016 is 1000's neighbour in sector order; under noop its neighbour is 3000.
  const d = submit(W(1000, 3000, 1016, 1008));
  assert.deepEqual(dispatchAll(d), [[1000, 24], [3000, 8]]);
  assert.equal(d.q.rq.count[WRITE], 2, "1016's request was freed");
  const n = submit(W(1000, 3000, 1016, 1008), { elevator: 'noop' });
  assert.deepEqual(dispatchAll(n), [[1000, 16], [3000, 8], [1016, 8]]);
});

test('deadline: a new request with the start sector of a queued one sends the queued one to dispatch at once (elv_rb_add alias)', () => {
  const m = submit(W(1000, 1000));
  assert.equal(m.q.queue_head.length, 1, 'the first request is already on the dispatch list');
  assert.equal(m.q.elevator.nr_sorted, 1);
  assert.deepEqual(dispatchAll(m), [[1000, 8], [1000, 8]]);
});

test('deadline: a small machine swaps to completion under full invariant checks (sort lists and FIFOs included), in another order than noop', () => {
  const sets = ['machine.ram=64MiB', 'workload.tree_size=40MiB', 'workload.copies=2', 'swap.size=128MiB', 'machine.reclaim_cost.charge=page'];
  const base = paramsFromScenario(loadScenarioArg('small-box', sets));
  const dl = runScenario({ ...base, elevator: 'deadline', invariants: 'full' }).result;
  const noop = runScenario({ ...base, invariants: 'full' }).result;
  assert.equal(dl.verdict, 'COMPLETED');
  assert.equal(noop.verdict, 'COMPLETED');
  assert.ok(dl.pswpout > 0, 'the deadline run swapped');
  assert.notEqual(dl.trace_hash, noop.trace_hash, 'the scheduler choice reaches the model');
});

test('device.elevator reaches the run parameters: deadline is named, noop leaves the parameters (and so the scenario hash) as before', () => {
  assert.equal(paramsFromScenario(loadScenarioArg('flagship', ['device.elevator=deadline'])).elevator, 'deadline');
  const noop = paramsFromScenario(loadScenarioArg('flagship', ['device.elevator=noop']));
  assert.equal('elevator' in noop, false);
  assert.deepEqual(noop, paramsFromScenario(loadScenarioArg('flagship')));
});

test('deadline: any mix of submissions, dispatches and waits keeps its lists consistent and hands out every sector exactly once (property)', () => {
  fc.assert(
    fc.property(
      fc.array(
        fc.oneof(
          { arbitrary: fc.record({ op: fc.constant('bio' as const), slot: fc.integer({ min: 0, max: 12 }), rw: fc.constantFrom(READ, WRITE) }), weight: 8 },
          { arbitrary: fc.record({ op: fc.constant('dispatch' as const) }), weight: 1 },
          { arbitrary: fc.record({ op: fc.constant('wait' as const), jiffies: fc.integer({ min: 1, max: 6000 }) }), weight: 1 },
        ),
        { minLength: 20, maxLength: 120 },
      ),
      fc.constantFrom(8, 24, 1024),
      (ops, max_sectors) => {
        const p = { ...DEFAULT_PARAMS, ram_bytes: 128 * MiB, copies: 0, boot_read_pages: 0, elevator: 'deadline' as const };
        const m = bootMachine(p);
        m.q.request_fn = () => {};
        m.q.unplug_thresh = 1 << 20;
        m.q.max_sectors = max_sectors;
        m.q.prep_rq_fn = null;
        const submitted = new Map<number, number>();
        const dispatched = new Map<number, number>();
        const take = (): boolean => {
          const rq = elv_next_request(m.q);
          if (rq === null) return false;
          blkdev_dequeue_request(m.q, rq);
          for (let b = rq.bio; b !== null; b = b.bi_next) {
            // A request's bios are contiguous and go one way.
            assert.equal(b.bi_rw & 1, rq.rw);
            dispatched.set(b.bi_sector, (dispatched.get(b.bi_sector) ?? 0) + 1);
          }
          return true;
        };
        let done = false;
        m.k.kthread_run('writer', 0, 0, function* (): KGen {
          for (const o of ops) {
            if (o.op === 'bio') {
              // Sectors on a grid of 8 (one page) within a small range: merges, front merges and
              // same-sector aliases all happen.
              yield* submitPage(m, 1000 + 8 * o.slot, o.rw);
              submitted.set(1000 + 8 * o.slot, (submitted.get(1000 + 8 * o.slot) ?? 0) + 1);
            } else if (o.op === 'dispatch') take();
            else yield* schedule_timeout_uninterruptible(m.k, o.jiffies);
            assert.equal(elevator_check(m.q.elevator), null);
          }
          while (take());
          done = true;
        });
        m.k.sim.run({ untilNs: 1e12 });
        assert.ok(done, 'the writer finished');
        assert.equal(m.q.elevator.nr_sorted, 0);
        assert.deepEqual([...dispatched.entries()].sort((a, b) => a[0] - b[0]), [...submitted.entries()].sort((a, b) => a[0] - b[0]));
      },
    ),
    { numRuns: 300, seed: 7 },
  );
});
