import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Kernel } from '../../src/kernel/kernel.js';
import { hungTaskWorstLatencyNs, newHungTaskState, TIMESTAMP_UNIT_NS, watchdog, type HungTaskState } from '../../src/kernel/hung_task.js';
import { TASK_INTERRUPTIBLE, TASK_UNINTERRUPTIBLE, type KGen, type Task } from '../../src/kernel/task.js';
import { io_schedule_timeout, schedule, set_current_state } from '../../src/kernel/sched.js';
import { finish_wait, prepare_to_wait, wait_queue_head_t, wake_up } from '../../src/kernel/wait.js';
import { jiffiesToNs, nsToJiffies, NSEC_PER_SEC } from '../../src/sim/time.js';

/** The first tick at or after the start of get_timestamp unit `u` (2^30 ns units). */
function tickOfUnit(hz: number, u: number): number {
  return jiffiesToNs(nsToJiffies(u * TIMESTAMP_UNIT_NS - 1, hz) + 1, hz);
}

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
  test(`hung_task: a task in D state, not scheduled for 120 of get_timestamp's 2^30 ns units, is reported (HZ=${hz})`, () => {
    const { k, st } = boot(hz);
    const q = new wait_queue_head_t('pool');
    const t = k.kthread_run('pdflush', 1, 0, () => stuckForever(k, q));
    // The watchdog runs at the first tick of units 2, 4, 6, ... (softlockup_tick wakes it once the
    // unit is two past the one it last ran in); the check at unit 2 stamps the task.
    k.sim.run({ untilNs: 128 * NSEC_PER_SEC });
    assert.equal(st.reports.length, 0, 'not after 120 s: the kernel counts "seconds" of 2^30 ns');
    k.sim.run({ untilNs: 132 * NSEC_PER_SEC });
    assert.equal(st.reports.length, 1);
    const r = st.reports[0]!;
    assert.deepEqual([r.pid, r.comm], [t.pid, 'pdflush']);
    // Stamped at unit 2, reported at the check of unit 122 (about 131.0 s).
    assert.equal(r.timeNs, tickOfUnit(hz, 122));
    assert.ok(r.timeNs <= hungTaskWorstLatencyNs(k, 120), 'within the worst-case latency the verdicts use');
    const text = k.log.lines.map((l) => l.text);
    assert.deepEqual(text.slice(0, 3), [
      `INFO: task pdflush:${t.pid} blocked for more than 120 seconds.`,
      '"echo 0 > /proc/sys/kernel/hung_task_timeout_secs" disables this message.',
      'pdflush       D mempool_alloc < schedule',
    ]);
    // It is reported again 120 units later while still stuck; after a wake-up it is not.
    k.sim.run({ untilNs: tickOfUnit(hz, 242) });
    assert.equal(st.reports.length, 2);
    assert.equal(st.reports[1]!.timeNs, tickOfUnit(hz, 242));
    assert.ok(st.longest_blocked_secs >= 120, `longest unscheduled D-state stretch ${st.longest_blocked_secs} units`);
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

test('hung_task: interruptible sleepers are not checked; the warnings count never stops the reports (an unsigned long in 2.6.25)', () => {
  const { k, st } = boot(250);
  const q = new wait_queue_head_t('q');
  k.kthread_run('sleepy', 0, 0, function* () {
    set_current_state(k, TASK_INTERRUPTIBLE);
    yield* schedule(k);
  });
  for (let i = 0; i < 13; i++) k.kthread_run(`d${i}`, 0, 0, () => stuckForever(k, q));
  k.sim.run({ untilNs: 135 * NSEC_PER_SEC });
  assert.equal(st.reports.length, 13, 'every stuck task, past the 10 the sysctl starts at');
  assert.ok(st.reports.every((r) => r.comm.startsWith('d')));
  assert.equal(st.sysctl_hung_task_warnings, -3);
});

test('hung_task: the watchdog thread runs about every 2.15 s, when softlockup_tick would wake it', () => {
  const { k } = boot(1000);
  const w = k.tasks.find((t) => t.comm === 'watchdog/0')!;
  k.sim.run({ untilNs: tickOfUnit(1000, 100) + 1 });
  // Boot run at unit 0, then units 2, 4, ..., 100.
  assert.equal(w.nvcsw + w.nivcsw, 51);
});

test('hung_task: hung_task_timeout_secs = 0 disables the check', () => {
  const { k, st } = boot(250);
  st.sysctl_hung_task_timeout_secs = 0;
  k.kthread_run('stuck', 1, 0, () => stuckForever(k, new wait_queue_head_t('q')));
  k.sim.run({ untilNs: 300 * NSEC_PER_SEC });
  assert.deepEqual(st.reports, []);
});
