import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Kernel } from '../../src/kernel/kernel.js';
import { TASK_INTERRUPTIBLE, TASK_RUNNING, TASK_UNINTERRUPTIBLE, type KGen, type Task } from '../../src/kernel/task.js';
import { cond_resched, io_schedule, io_schedule_timeout, run_for_ns, schedule, schedule_timeout, schedule_timeout_uninterruptible } from '../../src/kernel/sched.js';
import { finish_wait, prepare_to_wait, prepare_to_wait_exclusive, waitqueue_active, wait_queue_head_t, wake_up, wake_up_all } from '../../src/kernel/wait.js';
import { jiffiesToNs } from '../../src/sim/time.js';

function sleeper(k: Kernel, q: wait_queue_head_t, exclusive: boolean, woke: string[]): () => KGen {
  return function* () {
    if (exclusive) prepare_to_wait_exclusive(k, q, TASK_UNINTERRUPTIBLE);
    else prepare_to_wait(k, q, TASK_UNINTERRUPTIBLE);
    yield* schedule(k);
    finish_wait(k, q);
    woke.push(k.current.comm);
  };
}

test('wait: wake_up wakes every non-exclusive waiter and one exclusive waiter, in queue order', () => {
  const k = new Kernel({ hz: 250, cpus: 1, seed: 1 });
  const q = new wait_queue_head_t('q');
  const woke: string[] = [];
  // Start order is the run's choice; make it fixed by starting each task at its own instant.
  const names = ['x0', 'n0', 'x1', 'n1', 'x2', 'n2'];
  names.forEach((name, i) => {
    k.sim.at(i, k.sim.register(`start-${name}`, () => k.kthread_run(name, 0, 0, sleeper(k, q, name.startsWith('x'), woke))), 0);
  });
  k.sim.run();
  assert.equal(q.waiters, 6);
  assert.ok(k.tasks.every((t) => t.state === TASK_UNINTERRUPTIBLE));
  // Non-exclusive entries sit at the head, exclusive ones at the tail in FIFO order.
  assert.deepEqual(q.list.map((w) => w.task.comm), ['n2', 'n1', 'n0', 'x0', 'x1', 'x2']);

  assert.equal(wake_up(k, q), 4);
  assert.deepEqual(q.list.map((w) => w.task.comm), ['x1', 'x2']);
  k.sim.run();
  assert.deepEqual([...woke].sort(), ['n0', 'n1', 'n2', 'x0']);

  assert.equal(wake_up(k, q), 1);
  k.sim.run();
  assert.equal(woke.at(-1), 'x1');
  assert.equal(wake_up(k, q), 1);
  k.sim.run();
  assert.equal(woke.at(-1), 'x2');
  assert.equal(wake_up(k, q), 0);
  assert.equal(waitqueue_active(q), false);
  assert.equal(q.wakeups, 4);
});

test('wait: wake_up_all wakes every waiter, exclusive or not', () => {
  const k = new Kernel({ hz: 250, cpus: 2, seed: 2 });
  const q = new wait_queue_head_t('q');
  const woke: string[] = [];
  for (let i = 0; i < 3; i++) k.kthread_run(`x${i}`, i, 0, sleeper(k, q, true, woke));
  for (let i = 0; i < 2; i++) k.kthread_run(`n${i}`, i, 0, sleeper(k, q, false, woke));
  k.sim.run();
  assert.equal(q.waiters, 5);
  assert.equal(wake_up_all(k, q), 5);
  k.sim.run();
  assert.deepEqual([...woke].sort(), ['n0', 'n1', 'x0', 'x1', 'x2']);
  assert.ok(k.tasks.every((t) => t.stateLetter === 'X'));
});

test('wait: wake_up skips a task already woken (it stays on the queue no longer)', () => {
  const k = new Kernel({ hz: 250, cpus: 1, seed: 3 });
  const q = new wait_queue_head_t('q');
  const woke: string[] = [];
  const t = k.kthread_run('a', 0, 0, sleeper(k, q, true, woke));
  k.sim.run();
  assert.equal(k.wake_up_process(t), true);
  assert.equal(k.wake_up_process(t), false, 'already running');
  k.sim.run();
  assert.deepEqual(woke, ['a']);
  assert.equal(q.waiters, 0, 'finish_wait took it off the queue');
});

test('wait: a wait loop nested in another has its own entry (get_request_wait around mempool_alloc)', () => {
  const k = new Kernel({ hz: 250, cpus: 2, seed: 4 });
  const outer = new wait_queue_head_t('rl.wait');
  const inner = new wait_queue_head_t('pool.wait');
  const trail: string[] = [];
  k.kthread_run('nested', 0, 0, function* () {
    prepare_to_wait_exclusive(k, outer, TASK_UNINTERRUPTIBLE);
    // The allocation inside the outer loop sleeps in a loop of its own.
    prepare_to_wait(k, inner, TASK_UNINTERRUPTIBLE);
    trail.push(`queued on ${outer.waiters} + ${inner.waiters}`);
    yield* schedule(k);
    finish_wait(k, inner);
    trail.push(`inner done, outer still has ${outer.waiters}`);
    finish_wait(k, outer);
    trail.push(`outer done: ${outer.waiters} + ${inner.waiters}`);
  });
  k.sim.run();
  assert.equal(inner.waiters, 1);
  assert.equal(outer.list[0]!.flags & 1, 1, 'still exclusive on the outer queue');
  // The inner queue's wake-up reaches the task (with one shared entry it was never on it).
  assert.equal(wake_up(k, inner), 1);
  k.sim.run();
  assert.deepEqual(trail, ['queued on 1 + 1', 'inner done, outer still has 1', 'outer done: 0 + 0']);
});

test('wait: an exclusive wake-up that finds a waiter still running goes on to the next one', () => {
  const k = new Kernel({ hz: 250, cpus: 2, seed: 5 });
  const q = new wait_queue_head_t('q');
  const woke: string[] = [];
  const a = k.kthread_run('a', 0, 0, function* () {
    prepare_to_wait_exclusive(k, q, TASK_UNINTERRUPTIBLE);
    // Still on the runqueue (spending CPU time) when the wake-up comes.
    yield* run_for_ns(k, 1000);
    yield* schedule(k);
    finish_wait(k, q);
    woke.push('a');
  });
  k.sim.at(1, k.sim.register('start-b', () => k.kthread_run('b', 1, 0, sleeper(k, q, true, woke))), 0);
  k.sim.at(500, k.sim.register('wake', () => assert.equal(wake_up(k, q), 1, 'one sleeper woken: b')), 0);
  k.sim.run();
  assert.deepEqual(woke.sort(), ['a', 'b'], 'a did not sleep (TASK_RUNNING), and b was woken too');
  assert.equal(a.nvcsw, 2, 'a ran twice: at start and after its CPU time, never switched out asleep');
});

test('wait: wake_up_process honours the state mask (TASK_INTERRUPTIBLE only)', () => {
  const k = new Kernel({ hz: 250, cpus: 1, seed: 3 });
  const t = k.kthread_run('d', 0, 0, function* () {
    yield* schedule_timeout_uninterruptible(k, 10);
  });
  k.sim.run({ untilNs: 1 });
  assert.equal(t.state, TASK_UNINTERRUPTIBLE);
  assert.equal(k.wake_up_process(t, TASK_INTERRUPTIBLE), false);
  assert.equal(t.state, TASK_UNINTERRUPTIBLE);
});

test('sched: schedule_timeout returns the jiffies left when woken early and 0 on timeout (HZ=250)', () => {
  const k = new Kernel({ hz: 250, cpus: 2, seed: 4 });
  const q = new wait_queue_head_t('q');
  const got: [string, number, number][] = [];
  const waiter = (name: string): Task =>
    k.kthread_run(name, 0, 0, function* () {
      prepare_to_wait(k, q, TASK_UNINTERRUPTIBLE);
      const left = yield* schedule_timeout(k, 100);
      finish_wait(k, q);
      got.push([name, left, k.jiffies]);
    });
  const early = waiter('early');
  k.kthread_run('waker', 1, 0, function* () {
    yield* schedule_timeout_uninterruptible(k, 30);
    wake_up(k, q);
  });
  k.sim.run();
  assert.deepEqual(got, [['early', 70, 30]]);
  assert.equal(early.timeouts, 0);
  // The first waiter's cancelled timer event was still dispatched (and ignored) at jiffy 100.
  assert.equal(k.jiffies, 100);
  // Nobody wakes the second one: the timer does, at exactly jiffy 100 + 100.
  const late = waiter('late');
  k.sim.run();
  assert.deepEqual(got[1], ['late', 0, 200]);
  assert.equal(late.timeouts, 1);
  assert.equal(k.now, jiffiesToNs(200, 250));
  assert.equal(q.waiters, 0);
});

test('sched: no lost wake-up when the task wakes itself between prepare_to_wait and schedule', () => {
  const k = new Kernel({ hz: 250, cpus: 1, seed: 5 });
  const q = new wait_queue_head_t('q');
  const trail: string[] = [];
  const t = k.kthread_run('self', 0, 0, function* () {
    prepare_to_wait(k, q, TASK_UNINTERRUPTIBLE);
    // try_to_wake_up on a task still on the runqueue: TASK_RUNNING, but no success, so
    // autoremove_wake_function leaves the entry queued for finish_wait.
    assert.equal(wake_up(k, q), 0);
    assert.equal(k.current.state, TASK_RUNNING);
    assert.equal(q.waiters, 1);
    const left = yield* schedule_timeout(k, 50);
    trail.push(`returned at ${k.now} left=${left}`);
    finish_wait(k, q);
  });
  k.sim.run();
  assert.deepEqual(trail, ['returned at 0 left=50']);
  assert.equal(t.nvcsw, 1, 'schedule() returned without switching away');
});

test('sched: no lost wake-up when another task wakes it between prepare_to_wait and schedule', () => {
  // The sleeper spends CPU time between prepare_to_wait and schedule (checking its condition);
  // the waker, on another CPU, calls wake_up during that time. schedule must not sleep.
  const k = new Kernel({ hz: 250, cpus: 2, seed: 6 });
  const q = new wait_queue_head_t('q');
  const trail: string[] = [];
  k.kthread_run('sleeper', 0, 0, function* () {
    prepare_to_wait(k, q, TASK_UNINTERRUPTIBLE);
    yield* run_for_ns(k, 1000);
    trail.push(`state ${k.current.stateLetter} at ${k.now}`);
    const left = yield* io_schedule_timeout(k, 50);
    finish_wait(k, q);
    trail.push(`returned at ${k.now} left=${left}`);
  });
  k.kthread_run('waker', 1, 0, function* () {
    yield* run_for_ns(k, 500);
    trail.push(`wake_up woke ${wake_up(k, q)}`);
  });
  k.sim.run();
  assert.deepEqual(trail, ['wake_up woke 0', 'state R at 1000', 'returned at 1000 left=50']);
  assert.equal(q.waiters, 0, 'finish_wait took the entry off');
});

test('sched: no lost wake-up at one instant, whichever task the scheduler runs first (seeds 1..16)', () => {
  const orders = new Set<string>();
  for (let seed = 1; seed <= 16; seed++) {
    const k = new Kernel({ hz: 250, cpus: 2, seed });
    const q = new wait_queue_head_t('q');
    const trail: string[] = [];
    k.kthread_run('sleeper', 0, 0, function* () {
      prepare_to_wait(k, q, TASK_UNINTERRUPTIBLE);
      yield* run_for_ns(k, 1000);
      trail.push('check');
      const left = yield* schedule_timeout(k, 50);
      finish_wait(k, q);
      trail.push(`returned at ${k.now} left=${left}`);
    });
    k.kthread_run('waker', 1, 0, function* () {
      yield* run_for_ns(k, 1000);
      trail.push(`wake ${wake_up(k, q)}`);
    });
    k.sim.run();
    assert.equal(trail.at(-1), 'returned at 1000 left=50', `seed ${seed}: ${trail}`);
    orders.add(trail.slice(0, 2).join(','));
  }
  // Both interleavings occur: waker first (a task still running: made runnable, not counted as
  // woken) and sleeper first (wakes a sleeper).
  assert.deepEqual([...orders].sort(), ['check,wake 1', 'wake 0,check']);
});

test('sched: without a wake-up, CPU time between prepare_to_wait and schedule does not cancel the sleep', () => {
  const k = new Kernel({ hz: 250, cpus: 1, seed: 7 });
  const q = new wait_queue_head_t('q');
  const trail: string[] = [];
  k.kthread_run('sleeper', 0, 0, function* () {
    prepare_to_wait(k, q, TASK_UNINTERRUPTIBLE);
    yield* run_for_ns(k, 1000);
    trail.push(`state ${k.current.stateLetter}`);
    const left = yield* schedule_timeout(k, 50);
    finish_wait(k, q);
    trail.push(`returned at jiffy ${k.jiffies} left=${left}`);
  });
  k.sim.run();
  assert.deepEqual(trail, ['state D', 'returned at jiffy 50 left=0']);
});

test('sched: io_schedule_timeout and io_schedule count nr_iowait while asleep', () => {
  const k = new Kernel({ hz: 1000, cpus: 2, seed: 8 });
  const q = new wait_queue_head_t('q');
  const seen: number[] = [];
  k.kthread_run('io1', 0, 0, function* () {
    prepare_to_wait(k, q, TASK_UNINTERRUPTIBLE);
    yield* io_schedule_timeout(k, 5 * k.HZ);
    finish_wait(k, q);
  });
  k.kthread_run('io2', 1, 0, function* () {
    prepare_to_wait(k, q, TASK_UNINTERRUPTIBLE);
    yield* io_schedule(k);
    finish_wait(k, q);
  });
  k.kthread_run('plain', 1, 0, function* () {
    yield* schedule_timeout_uninterruptible(k, 10);
    seen.push(k.nr_iowait);
    wake_up(k, q);
    yield* schedule_timeout_uninterruptible(k, 10);
    seen.push(k.nr_iowait);
  });
  k.sim.run({ untilNs: 1 });
  assert.equal(k.nr_iowait, 2);
  assert.ok(k.tasks.filter((t) => t.comm.startsWith('io')).every((t) => t.frames.includes('schedule')));
  k.sim.run();
  // wake_up wakes both (non-exclusive): only after they ran again does nr_iowait drop.
  assert.deepEqual(seen, [2, 0]);
  assert.equal(k.nr_iowait, 0);
});

test('sched: cond_resched lets same-instant tasks run and never puts the caller to sleep (PREEMPT_ACTIVE)', () => {
  for (let seed = 1; seed <= 8; seed++) {
    const k = new Kernel({ hz: 250, cpus: 1, seed });
    const q = new wait_queue_head_t('q');
    const trail: string[] = [];
    k.kthread_run('a', 0, 0, function* () {
      prepare_to_wait(k, q, TASK_UNINTERRUPTIBLE);
      yield* cond_resched(k);
      trail.push(`a resumed in ${k.current.stateLetter}`);
      const left = yield* schedule_timeout(k, 20);
      finish_wait(k, q);
      trail.push(`a left=${left} at jiffy ${k.jiffies}`);
    });
    k.kthread_run('b', 0, 0, function* () {
      yield* cond_resched(k);
      yield* cond_resched(k);
      trail.push('b ran');
    });
    k.sim.run();
    assert.ok(trail.includes('b ran'));
    assert.ok(trail.includes('a resumed in D'), `seed ${seed}: ${trail}`);
    assert.equal(trail.at(-1), 'a left=0 at jiffy 20', `seed ${seed}: ${trail}`);
  }
});
