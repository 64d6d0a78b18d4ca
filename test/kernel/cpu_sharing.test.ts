import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CPU_SLICE_NS, Kernel, type CpuSharing } from '../../src/kernel/kernel.js';
import { TASK_UNINTERRUPTIBLE, type KGen } from '../../src/kernel/task.js';
import { run_for_ns, schedule_timeout } from '../../src/kernel/sched.js';

/**
 * Tasks on CPU 0 (and one on CPU 1) that each spend `bursts` x `burst_ns` of CPU time, optionally
 * sleeping `sleep_ns` after every burst; returns when each burst of each task ended.
 */
function spend(sharing: CpuSharing, tasks: { name: string; cpu: number; bursts: number; burst_ns: number; sleep_jiffies?: number }[]): Record<string, number[]> {
  const k = new Kernel({ hz: 1000, cpus: 2, seed: 1, cpu_sharing: sharing });
  const ends: Record<string, number[]> = {};
  for (const spec of tasks) {
    ends[spec.name] = [];
    k.kthread_run(spec.name, spec.cpu, 0, function* (): KGen {
      for (let i = 0; i < spec.bursts; i++) {
        yield* run_for_ns(k, spec.burst_ns);
        ends[spec.name]!.push(k.now);
        if (spec.sleep_jiffies !== undefined) {
          k.current.state = TASK_UNINTERRUPTIBLE;
          yield* schedule_timeout(k, spec.sleep_jiffies);
        }
      }
    });
  }
  k.sim.run();
  return ends;
}

const two = [
  { name: 'a', cpu: 0, bursts: 1, burst_ns: 1_000_000 },
  { name: 'b', cpu: 0, bursts: 1, burst_ns: 1_000_000 },
  { name: 'c', cpu: 1, bursts: 1, burst_ns: 1_000_000 },
];

test('cpu_sharing overlap: two tasks of one CPU spend their CPU time at the same time', () => {
  assert.deepEqual(spend('overlap', two), { a: [1_000_000], b: [1_000_000], c: [1_000_000] });
});

test('cpu_sharing fifo: a CPU serves one task after the other; the other CPU is not affected', () => {
  const ends = spend('fifo', two);
  assert.deepEqual([ends['a']![0], ends['b']![0]].sort((x, y) => x - y), [1_000_000, 2_000_000]);
  assert.deepEqual(ends['c'], [1_000_000]);
});

test('cpu_sharing slice: the CPU stays with one task for its 10 ms slice while another waits, then changes hands', () => {
  const burst = 1_000_000;
  const ends = spend('slice', [
    { name: 'a', cpu: 0, bursts: 15, burst_ns: burst },
    { name: 'b', cpu: 0, bursts: 15, burst_ns: burst },
  ]);
  const first = ends['a']![0]! < ends['b']![0]! ? 'a' : 'b';
  const second = first === 'a' ? 'b' : 'a';
  const slice = CPU_SLICE_NS / burst;
  // The first task runs a whole slice of bursts back to back, the second waits, then gets its slice.
  assert.deepEqual(ends[first]!.slice(0, slice), Array.from({ length: slice }, (_, i) => (i + 1) * burst));
  assert.equal(ends[second]![0], CPU_SLICE_NS + burst);
  // Together they use the CPU without a gap or an overlap: 30 bursts end at 30 ms.
  assert.equal(Math.max(...ends['a']!, ...ends['b']!), 30 * burst);
  const all = [...ends['a']!, ...ends['b']!].sort((x, y) => x - y);
  assert.deepEqual(all, Array.from({ length: 30 }, (_, i) => (i + 1) * burst));
});

test('cpu_sharing slice: a task that sleeps hands the CPU over at once', () => {
  const ends = spend('slice', [
    { name: 'a', cpu: 0, bursts: 2, burst_ns: 1_000_000, sleep_jiffies: 5 },
    { name: 'b', cpu: 0, bursts: 2, burst_ns: 1_000_000, sleep_jiffies: 5 },
  ]);
  const first = ends['a']![0]! < ends['b']![0]! ? 'a' : 'b';
  const second = first === 'a' ? 'b' : 'a';
  assert.equal(ends[first]![0], 1_000_000);
  assert.equal(ends[second]![0], 2_000_000, 'the waiter gets the CPU when the first task goes to sleep');
  // Both sleep 5 ms after their burst; each then finds the CPU free or queues briefly.
  assert.equal(ends[first]![1], 7_000_000);
  assert.equal(ends[second]![1], 8_000_000);
});
