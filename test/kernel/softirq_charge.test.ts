import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Kernel, SOFTIRQ_BLOCK, timer_list } from '../../src/kernel/kernel.js';
import { TASK_UNINTERRUPTIBLE, type KGen } from '../../src/kernel/task.js';
import { schedule } from '../../src/kernel/sched.js';
import { finish_wait, prepare_to_wait, wait_queue_head_t, wake_up } from '../../src/kernel/wait.js';

/** Two sleepers, one per CPU, woken from interrupt work on CPU 0 that takes `cost` ns. */
function scenario(cost: number): { ran: Record<string, number> } {
  const k = new Kernel({ hz: 1000, cpus: 2, seed: 3 });
  const q = new wait_queue_head_t('q');
  const ran: Record<string, number> = {};
  for (const cpu of [0, 1]) {
    k.kthread_run(`t${cpu}`, cpu, 0, function* (): KGen {
      prepare_to_wait(k, q, TASK_UNINTERRUPTIBLE);
      yield* schedule(k);
      finish_wait(k, q);
      ran[`t${cpu}`] = k.now;
    });
  }
  const KIND = k.sim.register('irq', () => {
    k.inInterrupt(0, () => {
      wake_up(k, q);
      if (cost > 0) k.softirq_charge(0, cost);
    });
  });
  k.sim.at(1000, KIND, 0);
  k.sim.run();
  return { ran };
}

test('softirq_charge: a task of the busy CPU waits for the interrupt work to end; a task of the other CPU runs at once', () => {
  const { ran } = scenario(50_000);
  assert.equal(ran['t1'], 1000, 'CPU 1 is free: its task runs when woken');
  assert.equal(ran['t0'], 51_000, 'CPU 0 is busy for 50 us: its task runs after');
});

test('softirq_charge: without charged time both run when woken', () => {
  const { ran } = scenario(0);
  assert.deepEqual(ran, { t0: 1000, t1: 1000 });
});

test('softirq_charge: successive charges on one CPU queue up, each from where the last ends', () => {
  const k = new Kernel({ hz: 1000, cpus: 2, seed: 1 });
  assert.equal(k.softirq_charge(1, 10), 10);
  assert.equal(k.softirq_charge(1, 5), 15);
  assert.equal(k.softirq_charge(0, 7), 7);
});

test('softirqs do not nest: one raised while its CPU is in charged softirq work runs when that work ends; on another CPU, at once', () => {
  const k = new Kernel({ hz: 1000, cpus: 2, seed: 1 });
  const runs: string[] = [];
  k.open_softirq(SOFTIRQ_BLOCK, (kk, cpu) => runs.push(`cpu${cpu} t=${kk.now}`));
  const KIND = k.sim.register('irq', () => {
    k.inInterrupt(0, () => {
      k.softirq_charge(0, 40_000);
      k.raise_softirq(0, SOFTIRQ_BLOCK);
      k.raise_softirq(1, SOFTIRQ_BLOCK);
    });
  });
  // Work charged after the round was scheduled (a second interrupt at 20 us charging 30 us more)
  // also comes first: the round runs at 70 us.
  const KIND2 = k.sim.register('irq2', () => k.inInterrupt(0, () => k.softirq_charge(0, 30_000)));
  k.sim.at(1000, KIND, 0);
  k.sim.at(20_000, KIND2, 0);
  k.sim.run();
  assert.deepEqual(runs, ['cpu1 t=1000', 'cpu0 t=71000']);
});

test('timers do not nest in softirq work either: one expiring while its CPU is in charged softirq work stays pending and runs when the work ends; on another CPU, on time', () => {
  const k = new Kernel({ hz: 1000, cpus: 2, seed: 1 });
  const fired: string[] = [];
  const onCpu0 = new timer_list(k, () => fired.push(`cpu0 t=${k.now}`));
  const onCpu1 = new timer_list(k, () => fired.push(`cpu1 t=${k.now}`));
  k.add_timer_on(onCpu0, 1, 0); // jiffy 1 = 1 ms
  k.add_timer_on(onCpu1, 1, 1);
  const KIND = k.sim.register('irq', () => k.inInterrupt(0, () => k.softirq_charge(0, 1_500_000)));
  k.sim.at(500_000, KIND, 0); // CPU 0 busy from 0.5 ms to 2 ms
  k.sim.run({ untilNs: 1_999_999 });
  assert.deepEqual(fired, ['cpu1 t=1000000']);
  assert.equal(k.timer_pending(onCpu0), true, 'expired but not yet run: still pending, as before run_timers detaches it');
  k.sim.run();
  assert.deepEqual(fired, ['cpu1 t=1000000', 'cpu0 t=2000000']);
  assert.equal(k.timer_pending(onCpu0), false);
});
