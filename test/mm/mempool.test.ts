import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GFP_ATOMIC, GFP_NOIO } from '../../src/include/gfp.js';
import { run_nosleep } from '../../src/kernel/sched.js';
import { TASK_UNINTERRUPTIBLE } from '../../src/kernel/task.js';
import { mempool_alloc, mempool_create, mempool_create_slab_pool, mempool_free, type mempool_t } from '../../src/mm/mempool.js';
import { bootCaches } from '../../src/mm/boot_caches.js';
import { kmem_cache_alloc } from '../../src/mm/slub.js';
import { machine, drain } from './helpers.js';

/** A pool over a backing allocator the test switches on and off. */
function switchable(k: Parameters<typeof mempool_create>[0], min_nr: number): { pool: mempool_t; backing: { ok: boolean; next: number; freed: number[] } } {
  const backing = { ok: true, next: 1, freed: [] as number[] };
  const pool = mempool_create(k, 'test', min_nr, () => (backing.ok ? backing.next++ : 0), (e) => void backing.freed.push(e), null)!;
  return { pool, backing };
}

test('mempool_create: prefills min_nr elements with GFP_KERNEL (2)', () => {
  const { k } = machine();
  const { pool } = switchable(k, 2);
  assert.equal(pool.curr_nr, 2);
  assert.deepEqual(pool.elements, [1, 2]);
});

test('mempool_alloc: GFP_ATOMIC with empty reserve and failing backing allocator returns NULL', () => {
  const { k } = machine();
  const { pool, backing } = switchable(k, 2);
  backing.ok = false;
  assert.equal(run_nosleep(mempool_alloc(pool, GFP_ATOMIC)), 2); // LIFO reserve
  assert.equal(run_nosleep(mempool_alloc(pool, GFP_ATOMIC)), 1);
  assert.equal(run_nosleep(mempool_alloc(pool, GFP_ATOMIC)), 0);
  assert.equal(pool.reserve_uses, 2);
  assert.equal(pool.failures, 1);
  assert.equal(k.marks.get('mempool_atomic_null'), 1);
});

test('mempool_alloc: a slab pool with a failing page allocator, GFP_ATOMIC, empty reserve (bio pool)', () => {
  const { k, pa, slub } = machine(256, 1, { layout: 'flat' });
  const c = bootCaches(slub, { kernel: '2.6.25-rc8' });
  const pool = mempool_create_slab_pool(k, 2, c.bio)!;
  const free = slub.free_objects(c.bio.s);
  for (let i = 0; i < free; i++) assert.ok(kmem_cache_alloc(c.bio, GFP_ATOMIC) > 0);
  drain(pa, 0);
  assert.ok(run_nosleep(mempool_alloc(pool, GFP_ATOMIC)) > 0);
  assert.ok(run_nosleep(mempool_alloc(pool, GFP_ATOMIC)) > 0);
  assert.equal(run_nosleep(mempool_alloc(pool, GFP_ATOMIC)), 0);
  // mempool adds NOWARN: no failure report was printed
  assert.equal(pa.alloc_failure_reports, 0);
  assert.equal(pa.alloc_failures, 3);
});

test('mempool_alloc: GFP_NOIO sleeps, and a mempool_free that refills the reserve wakes it', () => {
  const { k } = machine();
  const { pool, backing } = switchable(k, 2);
  backing.ok = false;
  let got = -1;
  let frames: string[] = [];
  run_nosleep(mempool_alloc(pool, GFP_ATOMIC));
  run_nosleep(mempool_alloc(pool, GFP_ATOMIC));
  const t = k.kthread_run('writer', 0, 0, function* () {
    got = yield* mempool_alloc(pool, GFP_NOIO);
  });
  k.sim.run({ untilNs: 1e9 });
  assert.equal(t.state, TASK_UNINTERRUPTIBLE);
  assert.equal(pool.waiters, 1);
  frames = [...t.frames];
  assert.deepEqual(frames.slice(0, 2), ['mempool_alloc', 'io_schedule_timeout']);
  // free at t = 1 s into the empty reserve: wakes the waiter, which takes it on its next pass
  k.inInterrupt(0, () => mempool_free(77, pool));
  k.sim.run({ untilNs: 1.5e9 });
  assert.equal(got, 77);
  assert.equal(pool.waits, 1);
  assert.equal(pool.timeouts, 0);
  assert.equal(pool.curr_nr, 0);
});

test('mempool_free: only the refilling free wakes; a free to the backing allocator does not', () => {
  const { k } = machine();
  const { pool, backing } = switchable(k, 1);
  backing.ok = false;
  run_nosleep(mempool_alloc(pool, GFP_ATOMIC));
  let got = -1;
  k.kthread_run('writer', 0, 0, function* () {
    got = yield* mempool_alloc(pool, GFP_NOIO);
  });
  k.sim.run({ untilNs: 1e9 });
  k.inInterrupt(0, () => {
    mempool_free(50, pool); // refills the reserve and wakes
    mempool_free(60, pool); // reserve full: to the backing allocator, no wake_up
  });
  assert.equal(pool.wait.wakeups, 1);
  assert.deepEqual(backing.freed, [60]);
  k.sim.run({ untilNs: 1.1e9 });
  assert.equal(got, 50);
});

test('mempool_alloc: a slab free of the same cache does not wake a bio waiter; it retries at 5*HZ', () => {
  const { k, pa, slub } = machine(256, 1, { layout: 'flat' });
  const c = bootCaches(slub, { kernel: '2.6.25-rc8' });
  const pool = mempool_create_slab_pool(k, 2, c.bio)!;
  const free = slub.free_objects(c.bio.s);
  const sense: number[] = [];
  for (let i = 0; i < free; i++) sense.push(kmem_cache_alloc(c.scsi_sense_cache!, GFP_ATOMIC));
  drain(pa, 0);
  let got = -1;
  const t = k.kthread_run('writer', 0, 0, function* () {
    yield* mempool_alloc(pool, GFP_NOIO);
    yield* mempool_alloc(pool, GFP_NOIO);
    got = yield* mempool_alloc(pool, GFP_NOIO);
  });
  k.sim.run({ untilNs: 1e9 });
  assert.equal(t.state, TASK_UNINTERRUPTIBLE);
  assert.equal(pool.curr_nr, 0);
  // A sense buffer goes back to kmalloc-128: an object is free, but nobody wakes the writer.
  k.inInterrupt(0, () => slub.kmem_cache_free(c.scsi_sense_cache!, sense[0]!));
  k.sim.run({ untilNs: 4.9e9 });
  assert.equal(got, -1);
  assert.equal(t.state, TASK_UNINTERRUPTIBLE);
  k.sim.run({ untilNs: 5.1e9 });
  assert.equal(got, sense[0]);
  assert.equal(pool.timeouts, 1);
});

test('mempool_alloc: a waiter with no free retries every 5*HZ (HZ 250, 21 s)', () => {
  const { k } = machine();
  let tries = 0;
  const counting = mempool_create(k, 'counting', 0, () => (tries++, 0), () => {}, null)!;
  k.kthread_run('writer', 0, 0, function* () {
    yield* mempool_alloc(counting, GFP_NOIO);
  });
  k.sim.run({ untilNs: 21e9 });
  // attempts at 0 (no WAIT), then after each 5 s timeout: 5, 10, 15, 20 s
  assert.equal(tries, 5);
  assert.equal(counting.waits, 5);
  assert.equal(counting.timeouts, 4);
});
