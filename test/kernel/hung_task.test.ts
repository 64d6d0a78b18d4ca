import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Kernel } from '../../src/kernel/kernel.js';
import { newHungTaskState, watchdog, type HungTaskState } from '../../src/kernel/hung_task.js';
import { TASK_INTERRUPTIBLE, TASK_UNINTERRUPTIBLE, type KGen, type Task } from '../../src/kernel/task.js';
import { io_schedule_timeout, schedule, set_current_state } from '../../src/kernel/sched.js';
import { finish_wait, prepare_to_wait, wait_queue_head_t, wake_up } from '../../src/kernel/wait.js';
import { NSEC_PER_SEC } from '../../src/sim/time.js';

const show = (t: Task): string => `${t.comm}       ${t.stateLetter} ${t.frames.join(' < ')}`;

function boot(hz: number): { k: Kernel; st: HungTaskState } {
  const k = new Kernel({ hz, cpus: 2, seed: 1 });
  const st = newHungTaskState();
  k.kthread_run('watchdog/0', 0, 0, () => watchdog(k, st, show));
  return { k, st };
}

function* stuckForever(k: Kernel, q: wait_queue_head_t): KGen {
  k.current.enter('mempool_alloc');
  prepare_to_wait(k, q, TASK_UNINTERRUPTIBLE);
  yield* schedule(k);
  finish_wait(k, q);
}

for (const hz of [250, 1000]) {
  test(`hung_task: a task in D state, not scheduled for more than 120 s, is reported (HZ=${hz})`, () => {
    const { k, st } = boot(hz);
    const q = new wait_queue_head_t('pool');
    const t = k.kthread_run('pdflush', 1, 0, () => stuckForever(k, q));
    k.sim.run({ untilNs: 120 * NSEC_PER_SEC });
    assert.equal(st.reports.length, 0, 'not before 120 s');
    k.sim.run({ untilNs: 125 * NSEC_PER_SEC });
    assert.equal(st.reports.length, 1);
    const r = st.reports[0]!;
    assert.deepEqual([r.pid, r.comm], [t.pid, 'pdflush']);
    // First seen at the first check (1 s), reported once now - seen >= 120.
    assert.equal(r.timeNs, 121 * NSEC_PER_SEC);
    const text = k.log.lines.map((l) => l.text);
    assert.deepEqual(text.slice(0, 3), [
      `INFO: task pdflush:${t.pid} blocked for more than 120 seconds.`,
      '"echo 0 > /proc/sys/kernel/hung_task_timeout_secs" disables this message.',
      'pdflush       D mempool_alloc < schedule',
    ]);
    // It is reported again 120 s later while still stuck; after a wake-up it is not.
    k.sim.run({ untilNs: 242 * NSEC_PER_SEC });
    assert.equal(st.reports.length, 2);
    assert.ok(st.longest_blocked_secs >= 120, `longest unscheduled D-state stretch ${st.longest_blocked_secs} s`);
    wake_up(k, q);
    k.sim.run({ untilNs: 600 * NSEC_PER_SEC });
    assert.equal(st.reports.length, 2);
  });

  test(`hung_task: a task looping in io_schedule_timeout(5*HZ) for 300 s is never reported (HZ=${hz})`, () => {
    const { k, st } = boot(hz);
    const q = new wait_queue_head_t('pool');
    const t = k.kthread_run('cp', 1, 0, function* () {
      k.current.enter('mempool_alloc');
      while (k.now < 300 * NSEC_PER_SEC) {
        prepare_to_wait(k, q, TASK_UNINTERRUPTIBLE);
        yield* io_schedule_timeout(k, 5 * k.HZ);
        finish_wait(k, q);
      }
    });
    k.sim.run({ untilNs: 301 * NSEC_PER_SEC });
    assert.deepEqual(st.reports, []);
    assert.equal(k.log.lines.length, 0);
    assert.equal(t.timeouts, 60, 'it slept 60 times 5 s, in D state');
    assert.ok(st.longest_blocked_secs >= 4 && st.longest_blocked_secs <= 5, `longest unscheduled D-state stretch ${st.longest_blocked_secs} s`);
  });
}

test('hung_task: interruptible sleepers are not checked; warnings run out after 11 reports (2.6.25 counts 10 down to -1)', () => {
  const { k, st } = boot(250);
  const q = new wait_queue_head_t('q');
  k.kthread_run('sleepy', 0, 0, function* () {
    set_current_state(k, TASK_INTERRUPTIBLE);
    yield* schedule(k);
  });
  for (let i = 0; i < 13; i++) k.kthread_run(`d${i}`, 0, 0, () => stuckForever(k, q));
  k.sim.run({ untilNs: 400 * NSEC_PER_SEC });
  assert.equal(st.reports.length, 11);
  assert.ok(st.reports.every((r) => r.comm.startsWith('d')));
  assert.equal(st.sysctl_hung_task_warnings, -1);
});

test('hung_task: hung_task_timeout_secs = 0 disables the check', () => {
  const { k, st } = boot(250);
  st.sysctl_hung_task_timeout_secs = 0;
  k.kthread_run('stuck', 1, 0, () => stuckForever(k, new wait_queue_head_t('q')));
  k.sim.run({ untilNs: 300 * NSEC_PER_SEC });
  assert.deepEqual(st.reports, []);
});
