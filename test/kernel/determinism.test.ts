import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { Kernel, timer_list } from '../../src/kernel/kernel.js';
import { TASK_UNINTERRUPTIBLE, type KGen } from '../../src/kernel/task.js';
import { io_schedule_timeout, schedule_timeout_uninterruptible, schedule } from '../../src/kernel/sched.js';
import { finish_wait, prepare_to_wait, wait_queue_head_t, wake_up_all } from '../../src/kernel/wait.js';
import { NSEC_PER_SEC } from '../../src/sim/time.js';

/**
 * Six tasks on two CPUs play ping-pong through two wait queues: a side waits on its queue until
 * the ball is on its side, hits it, wakes the other side (wake_up_all, so several tasks become
 * runnable at one instant) and thinks for a random time, sometimes longer than the 2*HZ wait so
 * waiters time out. Every step is logged as "time pid comm what". A timer draws `noiseDraws`
 * numbers from another subsystem's stream every 100 ms; that must not change the log.
 */
function pingPong(seed: number, noiseDraws = 0): string[] {
  const k = new Kernel({ hz: 250, cpus: 2, seed });
  const log: string[] = [];
  const rec = (what: string): void => {
    const c = k.current;
    log.push(`${k.now} ${c.pid} ${c.comm} ${what}`);
  };
  const work = k.prng.derive('workload');
  const noise = k.prng.derive('noise');
  const q = [new wait_queue_head_t('ping'), new wait_queue_head_t('pong')];
  const st = { turn: 0, hits: 0 };
  const LIMIT = 20 * NSEC_PER_SEC;
  function* player(side: number): KGen {
    while (k.now < LIMIT) {
      prepare_to_wait(k, q[side]!, TASK_UNINTERRUPTIBLE);
      if (st.turn !== side) {
        const left = yield* io_schedule_timeout(k, 2 * k.HZ);
        finish_wait(k, q[side]!);
        rec(left === 0 ? 'timeout' : `woken left=${left}`);
        continue;
      }
      finish_wait(k, q[side]!);
      st.turn = 1 - side;
      st.hits++;
      rec(`hit ${st.hits}`);
      wake_up_all(k, q[1 - side]!);
      yield* schedule_timeout_uninterruptible(k, work.chance(1, 8) ? 3 * k.HZ : 1 + work.below(3));
    }
    rec('exit');
  }
  for (let i = 0; i < 6; i++) {
    const side = i % 2;
    k.kthread_run(`${side ? 'pong' : 'ping'}${i >> 1}`, i, 0, () => player(side));
  }
  const noiseTimer = new timer_list(k, () => {
    for (let i = 0; i < noiseDraws; i++) noise.nextU32();
    if (k.now < LIMIT) k.mod_timer(noiseTimer, k.jiffies + k.HZ / 10);
  });
  k.mod_timer(noiseTimer, 1);
  k.sim.run();
  return log;
}

const digest = (lines: string[]): string => createHash('sha256').update(lines.join('\n')).digest('hex');

test('determinism: the same seed gives a byte-identical event log (ping-pong with timeouts)', () => {
  const a = pingPong(1);
  const b = pingPong(1);
  assert.equal(digest(a), digest(b));
  assert.equal(a.join('\n'), b.join('\n'));
  // The scenario exercises what it claims to: hits, early wake-ups, timeouts, same-instant wake-ups.
  assert.ok(a.filter((l) => / hit /.test(l)).length > 100, 'hits');
  assert.ok(a.some((l) => / woken left=/.test(l)), 'early wake-ups');
  assert.ok(a.some((l) => / timeout$/.test(l)), 'timeouts');
  assert.equal(a.filter((l) => / exit$/.test(l)).length, 6, 'every task exits');
  const times = a.map((l) => l.split(' ')[0]);
  assert.ok(times.some((t, i) => i > 0 && t === times[i - 1]), 'several tasks run at one instant');
});

test('determinism: different seeds give different interleavings', () => {
  assert.notEqual(digest(pingPong(1)), digest(pingPong(2)));
});

test('determinism: another subsystem drawing more numbers does not change the run', () => {
  assert.equal(digest(pingPong(3, 0)), digest(pingPong(3, 1000)));
});

test('determinism: same-instant wake order comes from the seed (5 tasks, wake_up_all)', () => {
  const order = (seed: number): string => {
    const k = new Kernel({ hz: 1000, cpus: 1, seed });
    const q = new wait_queue_head_t('q');
    const seen: string[] = [];
    for (let i = 0; i < 5; i++) {
      k.kthread_run(`t${i}`, 0, 0, function* (): KGen {
        prepare_to_wait(k, q, TASK_UNINTERRUPTIBLE);
        yield* schedule(k);
        finish_wait(k, q);
        seen.push(k.current.comm);
      });
    }
    k.sim.run();
    assert.equal(q.waiters, 5);
    assert.equal(wake_up_all(k, q), 5);
    k.sim.run();
    return seen.join(',');
  };
  const orders = new Set<string>();
  for (let seed = 1; seed <= 20; seed++) {
    orders.add(order(seed));
    assert.equal(order(seed), order(seed), `seed ${seed} replays`);
  }
  // 120 possible orders; 20 seeds must show many of them, not one fixed order.
  assert.ok(orders.size >= 8, `only ${orders.size} distinct orders`);
});

test('determinism: a traced run gives the same block and scsi trace when another run went before it in the same process', async () => {
  const { runScenario } = await import('../../src/scenario/run.js');
  const { DEFAULT_PARAMS } = await import('../../src/scenario/params.js');
  const { formatTraceLine } = await import('../../src/report/ftrace.js');
  const MiB = 1024 * 1024;
  const p = { ...DEFAULT_PARAMS, ram_bytes: 64 * MiB, tree_bytes: 48 * MiB, copies: 2, swap_bytes: 256 * MiB };
  const traced = (): string[] => {
    const { machine } = runScenario(p, { onBoot: (m) => m.k.trace.enable(['block:*', 'scsi:*'], 1 << 20) });
    return machine.k.trace.records().map(formatTraceLine);
  };
  const first = traced();
  const second = traced();
  assert.ok(first.some((l) => /block_rq_insert/.test(l)), 'the trace has request inserts (ids in it)');
  assert.equal(second.length, first.length);
  assert.deepEqual(second, first);
});
