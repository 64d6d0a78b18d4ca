import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Kernel } from '../../src/kernel/kernel.js';
import { run_for_ns, schedule_timeout_uninterruptible } from '../../src/kernel/sched.js';
import { create_workqueue, queue_work, work_struct } from '../../src/kernel/workqueue.js';
import type { KGen } from '../../src/kernel/task.js';

test('workqueue: create_workqueue makes one name/N thread per CPU (3 CPUs)', () => {
  const k = new Kernel({ hz: 250, cpus: 3, seed: 1 });
  const wq = create_workqueue(k, 'kblockd');
  assert.deepEqual(k.tasks.map((t) => [t.comm, t.cpu, t.kthread]), [['kblockd/0', 0, true], ['kblockd/1', 1, true], ['kblockd/2', 2, true]]);
  assert.deepEqual(wq.cpu_wq.map((c) => c.thread!.comm), ['kblockd/0', 'kblockd/1', 'kblockd/2']);
  k.sim.run();
  // Idle workers sleep interruptibly on their queue.
  assert.ok(k.tasks.every((t) => t.stateLetter === 'S' && t.waitingOn === `${t.comm}.more_work`));
});

test('workqueue: queue_work twice while pending runs once, on the queuing CPU\'s thread, in process context', () => {
  const k = new Kernel({ hz: 250, cpus: 2, seed: 2 });
  const wq = create_workqueue(k, 'kblockd');
  const ran: string[] = [];
  const work = new work_struct('blk_unplug_work', (kk) => {
    ran.push(`${kk.current.comm} t=${kk.now} irq=${kk.in_interrupt}`);
  });
  const results: boolean[] = [];
  k.kthread_run('submitter', 1, 0, function* (): KGen {
    yield* run_for_ns(k, 1000);
    results.push(queue_work(k, wq, work), queue_work(k, wq, work));
    assert.equal(work.pending, true);
    yield* schedule_timeout_uninterruptible(k, 1);
    // It ran and is no longer pending: it can be queued again.
    results.push(queue_work(k, wq, work));
  });
  k.sim.run();
  assert.deepEqual(results, [true, false, true]);
  assert.deepEqual(ran, ['kblockd/1 t=1000 irq=0', 'kblockd/1 t=4000000 irq=0']);
  assert.equal(work.runs, 2);
  assert.equal(work.pending, false);
});

test('workqueue: work queued from interrupt context goes to that CPU; work may sleep', () => {
  const k = new Kernel({ hz: 1000, cpus: 2, seed: 3 });
  const wq = create_workqueue(k, 'events');
  const trail: string[] = [];
  const sleepy = new work_struct('sleepy', function* (kk): KGen {
    trail.push(`start ${kk.current.comm} t=${kk.jiffies} frames=${kk.current.frames.join('>')}`);
    yield* schedule_timeout_uninterruptible(kk, 5);
    trail.push(`end t=${kk.jiffies}`);
  });
  const other = new work_struct('other', (kk) => {
    trail.push(`other ${kk.current.comm} t=${kk.jiffies}`);
  });
  k.sim.run();
  // Queue both from a softirq on CPU 0: they run in order on events/0, the second after the first slept.
  k.open_softirq(4, (kk) => {
    queue_work(kk, wq, sleepy);
    queue_work(kk, wq, other);
  });
  k.inInterrupt(0, () => k.raise_softirq(0, 4));
  k.sim.run();
  assert.deepEqual(trail, ['start events/0 t=0 frames=worker_thread>sleepy', 'end t=5', 'other events/0 t=5']);
});
