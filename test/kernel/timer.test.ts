import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EOI, Kernel, SOFTIRQ_BLOCK, SOFTIRQ_TIMER, TIMER_SOFTIRQ_ENTRY, timer_list } from '../../src/kernel/kernel.js';
import { run_for_ns, schedule_timeout_uninterruptible } from '../../src/kernel/sched.js';
import { jiffiesToNs } from '../../src/sim/time.js';

function recorder(k: Kernel): { fired: string[]; timer: timer_list } {
  const fired: string[] = [];
  const timer = new timer_list(k, (data) => fired.push(`${k.jiffies}:${data}`), 7);
  return { fired, timer };
}

test('timer: mod_timer re-arms a pending timer; it fires once, at the new expiry (HZ=100)', () => {
  const k = new Kernel({ hz: 100, cpus: 1, seed: 1 });
  const { fired, timer } = recorder(k);
  assert.equal(k.mod_timer(timer, 10), false);
  assert.equal(k.timer_pending(timer), true);
  assert.equal(k.mod_timer(timer, 20), true);
  k.sim.run();
  assert.deepEqual(fired, ['20:7']);
  assert.equal(k.now, jiffiesToNs(20, 100));
  assert.equal(k.timer_pending(timer), false);
  // Re-arming earlier than the pending expiry also fires once, at the earlier one.
  k.mod_timer(timer, 50);
  k.mod_timer(timer, 30);
  k.sim.run();
  assert.deepEqual(fired, ['20:7', '30:7']);
  // The stale event at jiffy 50 is still dispatched (and ignored), so the clock is now at 50.
  assert.equal(k.jiffies, 50);
  // An expiry in the past fires at once.
  k.mod_timer(timer, 1);
  k.sim.run();
  assert.deepEqual(fired, ['20:7', '30:7', '50:7']);
});

test('timer: del_timer cancels; its stale event is ignored even if the timer is re-armed for the same instant', () => {
  const k = new Kernel({ hz: 250, cpus: 1, seed: 1 });
  const { fired, timer } = recorder(k);
  k.mod_timer(timer, 10);
  assert.equal(k.del_timer(timer), true);
  assert.equal(k.del_timer(timer), false);
  k.sim.run();
  assert.deepEqual(fired, []);
  k.mod_timer(timer, 20);
  k.del_timer(timer);
  k.mod_timer(timer, 20);
  k.sim.run();
  assert.deepEqual(fired, ['20:7']);
});

test('timer: handlers run in interrupt context on the arming CPU; on an idle CPU current is that CPU\'s swapper', () => {
  const k = new Kernel({ hz: 1000, cpus: 4, seed: 1 });
  const seen: string[] = [];
  const timer = new timer_list(k, () => {
    const c = k.current;
    seen.push(`in_interrupt=${k.in_interrupt} ${c.comm}/${c.cpu} pid ${c.pid} cpu ${k.smp_processor_id()}`);
    assert.equal(c, k.idle[2]);
  });
  k.kthread_run('armer', 2, 0, function* () {
    k.mod_timer(timer, k.jiffies + 5);
    yield* schedule_timeout_uninterruptible(k, 10);
    assert.equal(k.in_interrupt, 0);
    assert.equal(k.current.comm, 'armer');
  });
  k.sim.run();
  assert.deepEqual(seen, ['in_interrupt=1 swapper/2 pid 0 cpu 2']);
  assert.equal(k.in_interrupt, 0);
  assert.equal(k.current, k.idle[0]);
});

test('softirq: raised twice at one instant, the action runs once per CPU, in interrupt context', () => {
  const k = new Kernel({ hz: 250, cpus: 2, seed: 1 });
  const runs: string[] = [];
  k.open_softirq(SOFTIRQ_BLOCK, (kk, cpu) => runs.push(`block cpu${cpu} t=${kk.now} irq=${kk.in_interrupt} ${kk.current.comm}/${kk.current.cpu}`));
  k.open_softirq(SOFTIRQ_TIMER, (kk, cpu) => runs.push(`timer cpu${cpu} t=${kk.now}`));
  k.kthread_run('raiser1', 1, 0, function* () {
    k.raise_softirq(1, SOFTIRQ_BLOCK);
    k.raise_softirq(1, SOFTIRQ_BLOCK);
    yield* run_for_ns(k, 100);
    k.raise_softirq(1, SOFTIRQ_BLOCK);
    k.raise_softirq(1, SOFTIRQ_TIMER);
  });
  k.kthread_run('raiser0', 0, 0, function* () {
    yield* run_for_ns(k, 50);
    k.raise_softirq(0, SOFTIRQ_BLOCK);
    k.raise_softirq(0, SOFTIRQ_BLOCK);
  });
  k.sim.run();
  // At t=100 both are pending on CPU 1: they run in one pass, in softirq number order. At t=0
  // raiser1 has just been given 100 ns of CPU 1: the softirq interrupts it and runs as it.
  assert.deepEqual(runs, ['block cpu1 t=0 irq=1 raiser1/1', 'block cpu0 t=50 irq=1 swapper/0', 'timer cpu1 t=100', 'block cpu1 t=100 irq=1 swapper/1']);
});

for (const sharing of ['slice', 'fifo', 'overlap'] as const) {
  test(`interrupts: a timer that fires while a task spends CPU time runs as that task, above an <EOI> mark on its call chain, which is restored after (${sharing})`, () => {
    const k = new Kernel({ hz: 1000, cpus: 2, seed: 1, cpu_sharing: sharing });
    const seen: string[][] = [];
    const names: string[] = [];
    const timer = new timer_list(k, () => {
      names.push(`${k.current.comm} irq=${k.in_interrupt}`);
      seen.push([...k.current.frames]);
    });
    // Armed before anything runs, so on CPU 0 (current is CPU 0's idle task), for jiffy 2.
    k.mod_timer(timer, 2);
    const worker = k.kthread_run('worker', 0, 0, function* () {
      k.current.enter('sys_write');
      // Busy on CPU 0 from 0 to 3 ms: the timer fires in the middle.
      yield* run_for_ns(k, 3_000_000);
      k.current.leave();
    });
    k.sim.run({ untilNs: 2_500_000 });
    assert.deepEqual(names, ['worker irq=1']);
    assert.deepEqual(seen[0], ['sys_write', EOI, ...TIMER_SOFTIRQ_ENTRY]);
    assert.deepEqual(worker.frames, ['sys_write'], 'the interrupt frames are gone afterwards');
    // After the worker's time, the CPU is idle: a timer then runs as swapper.
    k.mod_timer(timer, 4);
    k.sim.run();
    assert.equal(names[1], 'swapper irq=1');
    assert.deepEqual(seen[1], [...TIMER_SOFTIRQ_ENTRY]);
  });
}
